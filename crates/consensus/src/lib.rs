//! dcloud-consensus (under construction).

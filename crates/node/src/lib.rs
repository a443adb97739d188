//! dcloud-node (under construction).

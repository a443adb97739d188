//! dcloud-client (under construction).

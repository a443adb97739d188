//! dcloud-proto (under construction).

//! dcloud-crypto (under construction).

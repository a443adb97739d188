//! dcloud-app (under construction).

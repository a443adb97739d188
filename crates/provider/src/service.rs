//! The daemon (being written).

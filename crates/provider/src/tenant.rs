//! The tenant side.

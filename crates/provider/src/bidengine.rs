//! Bid decisions (sans-IO).

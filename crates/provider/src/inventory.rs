//! Capacity and reservations.

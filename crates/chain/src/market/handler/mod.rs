//! One file per market message: stateless checks (in `validate_basic`) → stateful
//! checks → writes → events.

pub mod close_bid;
pub mod close_lease;
pub mod create_bid;
pub mod create_lease;
pub mod start_reclaim;
pub mod withdraw_lease;

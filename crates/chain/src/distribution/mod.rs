//! Distribution (Cosmos `x/distribution`, F1 fee distribution).
//!
//! Each block (begin block, after mint) the fee collector's `uakt` — fees and freshly minted
//! coins — moves to the `distribution` module account and is split among the validators
//! that signed the previous block, by power: the community tax goes to the community pool,
//! each validator's commission to its accumulated commission, the rest to its delegators.
//!
//! Delegator rewards use F1: every validator has periods; a period's reward per token is
//! `rewards / tokens` (18-decimal, rounded down) and the cumulative ratio is stored per
//! period. A delegation remembers the period it started in and its stake; its rewards are
//! `stake × (ratio(end) − ratio(start))`, rounded down. Rewards are withdrawn (paid to the
//! withdraw address, rounded down to micro-units, the sub-micro remainder to the community
//! pool) whenever a delegation changes, as the SDK does.
//!
//! Exact accounting: the module account's balance (×10^18) equals Σ outstanding rewards of
//! validators + the community pool's sub-micro remainder; allocated = released + Σ
//! outstanding; and each validator's outstanding covers its commission plus every
//! delegation's pending rewards (rewards paid never exceed rewards accrued).
//!
//! Slashes (F1 slash events): before a validator's tokens are slashed,
//! [`before_validator_slashed`] ends its period and records the effective fraction under
//! that period. A delegation's rewards are then computed per segment between its starting
//! period, each later slash event and the end, its stake reduced by each event's fraction
//! (`floor(stake × (1 − fraction))`, the fraction rounded up by staking), so a slashed
//! delegation is paid exactly for the stake it had in each segment and never more than
//! the validator accrued.
//!
//! Layout (`len` = one-byte address length):
//! * `0x60 ‖ len ‖ validator` → per-validator record (outstanding, commission, current
//!   rewards and period);
//! * `0x61 ‖ len ‖ validator ‖ period (u64 BE)` → historical rewards (cumulative ratio,
//!   reference count);
//! * `0x62 ‖ len ‖ delegator ‖ len ‖ validator` → delegation starting info;
//! * `0x63 ‖ len ‖ delegator` → withdraw address;
//! * `0x64` → fee pool (community remainder, totals);
//! * `0x65 ‖ len ‖ validator ‖ period (u64 BE)` → slash event (fraction, height) ending
//!   that period.
//!
//! Messages (one handler each in `handler/`): `MsgWithdrawDelegatorReward`,
//! `MsgWithdrawValidatorCommission`, `MsgSetWithdrawAddress`, `MsgFundCommunityPool`.
//! Events (`events.rs`): `rewards`, `withdraw_rewards`, `withdraw_commission`,
//! `set_withdraw_address`, `fund_community_pool` (and bank's transfer events).
//! Invariants (`invariants.rs`): the module account × 10^18 = Σ outstanding + community
//! remainder; allocated = released + Σ outstanding; each validator's outstanding covers
//! its commission and its delegations' pending rewards; every delegation has starting info.
//!
//! Reads: staking (validators, delegations and their tokens), `consensus::last_commit`,
//! bank balances. Writes through other modules: bank transfers out of the fee collector
//! and its module account.
//! Hooks it offers (`hooks.rs`, called by staking before and after every validator and
//! delegation change, as the SDK's distribution hooks): [`after_validator_created`],
//! [`before_delegation_created`], [`before_delegation_shares_modified`],
//! [`after_delegation_modified`], [`before_validator_slashed`],
//! [`after_validator_removed`]. Calls no other module's hooks.
//! Errors: [`DistributionError`]; `ValidatorNotFound`, `StakingDisabled` (in
//! [`AppError`](crate::AppError)) and staking's `DelegationNotFound` come from staking.
//!
//! Files: `types.rs`, `params.rs`, `msg.rs`, `events.rs`, `error.rs`; with the `state`
//! feature `keys.rs`, `state.rs` (reads, then writes), `rewards.rs` (F1 accounting),
//! `hooks.rs`, `handler/`, `block.rs` (begin-block allocation), `query.rs`,
//! `invariants.rs`, `module.rs`.

mod error;
mod events;
mod msg;
mod params;
mod types;

#[cfg(feature = "state")]
mod block;
#[cfg(feature = "state")]
pub mod handler;
#[cfg(feature = "state")]
mod hooks;
#[cfg(feature = "state")]
mod invariants;
#[cfg(feature = "state")]
mod keys;
#[cfg(feature = "state")]
mod module;
#[cfg(feature = "state")]
pub mod query;
#[cfg(feature = "state")]
mod rewards;
#[cfg(feature = "state")]
mod state;

pub use error::{DistributionError, CODESPACE};
pub use events::*;
pub use msg::validate_basic;
pub use params::DistributionParams;
pub use types::*;

#[cfg(feature = "state")]
pub use block::begin_block;
#[cfg(feature = "state")]
pub use handler::deliver;
#[cfg(feature = "state")]
pub use hooks::{
    after_delegation_modified, after_validator_created, after_validator_removed,
    before_delegation_created, before_delegation_shares_modified, before_validator_slashed,
};
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::DistributionModule;
#[cfg(feature = "state")]
pub use rewards::pending_rewards;
#[cfg(feature = "state")]
pub use state::{fee_pool, init_genesis, params, slash_events, validator_dist, withdraw_address};

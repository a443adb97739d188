//! Staking (Cosmos `x/staking`): validators with commission and an ed25519 consensus key,
//! shares-based delegations, unbonding and redelegation queues ordered by block time, the
//! active set (top `max_validators` by bonded tokens, not jailed) and the validator-set
//! updates handed to consensus.
//!
//! Staking is enabled by `app_state.staking` in genesis (a proof-of-stake chain). Without
//! it the chain runs with the fixed genesis validator set (proof of authority): staking
//! messages are refused, and mint and distribution stay idle.
//!
//! Tokens: a bonded validator's tokens sit in the `bonded_tokens_pool` module account;
//! unbonding and unbonded validators' tokens and every unbonding entry's balance in
//! `not_bonded_tokens_pool`. Status changes move the tokens between the pools, so the
//! supply is exact.
//!
//! Shares are 18-decimal fixed point: a delegation of `a` tokens to a validator with
//! tokens `T` and shares `S` gets `floor(a × S / T)` shares (1:1 for an empty validator);
//! unbonding `s` shares returns `floor(s × T / S)` tokens (all tokens with the last share).
//! Rounding always favours the validator's remaining delegators.
//!
//! Slashing calls [`jail`] / [`unjail`] and [`slash`] (in `hooks.rs`) (token slashing, burning from the
//! pools; unbonding and redelegation entries created at or after the infraction height
//! are slashed first, as the SDK does); distribution is called
//! before and after every delegation change, as the SDK's hooks do.
//!
//! Layout (`len` = one byte address length; times are big-endian ms):
//! * `0x50 ‖ len ‖ operator` → validator;
//! * `0x51 ‖ consensus address (hex)` → operator;
//! * `0x52 ‖ len ‖ delegator ‖ len ‖ validator` → delegation;
//! * `0x53 ‖ len ‖ delegator ‖ len ‖ validator` → unbonding delegation (entries);
//! * `0x54 ‖ time ‖ len ‖ delegator ‖ len ‖ validator` → unbonding queue;
//! * `0x55 ‖ len ‖ delegator ‖ len ‖ src ‖ len ‖ dst` → redelegation (entries);
//! * `0x56 ‖ time ‖ len ‖ delegator ‖ len ‖ src ‖ len ‖ dst` → redelegation queue;
//! * `0x57 ‖ time ‖ len ‖ operator` → validator unbonding queue;
//! * `0x58` → the last active set (operator, power);
//! * `0x59` → Σ tokens burned by slashing.
//!
//! Messages (one handler each in `handler/`): `MsgCreateValidator`, `MsgEditValidator`,
//! `MsgDelegate`, `MsgUndelegate`, `MsgBeginRedelegate`, `MsgCancelUnbondingDelegation`.
//! Events: `create_validator`, `edit_validator`, `delegate`, `unbond`, `redelegate`,
//! `cancel_unbonding_delegation`, `jail`, `slash`, `remove_validator`,
//! `validator_bonded`, `validator_unbonding`, `complete_unbonding`,
//! `complete_redelegation` (and bank's transfer / burn events).
//!
//! Invariants (`invariants.rs`): the pools hold exactly the validators' tokens and the
//! unbonding balances; each validator's shares are the sum of its delegations; the last
//! active set matches the bonded validators and the consensus set.
//!
//! Reads: bank balances and auth module accounts; writes the consensus validator set
//! (`consensus::set_validators`) at end block.
//! Hooks it calls (all in `distribution/hooks.rs`): `after_validator_created`,
//! `before_delegation_created`, `before_delegation_shares_modified`,
//! `after_delegation_modified`, `before_validator_slashed`, `after_validator_removed`.
//! Hooks it offers (`hooks.rs`, called by slashing): [`jail`], [`unjail`], [`slash`].
//!
//! Files: `types.rs` records, `params.rs`, `genesis.rs`, `msg.rs` stateless checks,
//! `error.rs`; with the `state` feature `keys.rs`, `state.rs` (reads, then writes),
//! `ops.rs` (core operations shared by handlers, genesis and hooks), `handler/`,
//! `hooks.rs`, `block.rs` (end block), `query.rs`, `invariants.rs`, `module.rs`.

mod error;
mod genesis;
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
mod ops;
#[cfg(feature = "state")]
pub mod query;
#[cfg(feature = "state")]
mod state;

pub use error::{StakingError, CODESPACE};
pub use genesis::*;
pub use msg::validate_basic;
pub use params::*;
pub use types::*;

#[cfg(feature = "state")]
pub use block::end_block;
#[cfg(feature = "state")]
pub use handler::deliver;
#[cfg(feature = "state")]
pub use hooks::{jail, slash, unjail};
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::StakingModule;
#[cfg(feature = "state")]
pub use ops::init_genesis;
#[cfg(feature = "state")]
pub use state::{
    all_delegations, all_unbondings, bonded_tokens, delegation_tokens, delegations_of, enabled,
    get_delegation, get_validator, last_powers, params, redelegations_of, total_slashed,
    unbondings_of, validator_by_consensus, validators,
};

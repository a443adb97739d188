//! The dcloud chain modules and their registry.
//!
//! Each module is one folder `src/<module>/` and one [`Module`] implementation, listed in
//! [`REGISTRY`] (block order) and, when it has genesis state, in [`GENESIS_ORDER`]. The app
//! (`dcloud-app`) only loops over those lists: genesis (`validate_genesis`, `init_genesis`),
//! message routing (each [`dcloud_proto::Msg`] names its module in the proto message
//! table), queries (`/<module>/<path>`), pre-block / begin-block / end-block work and
//! invariants. Gov's param changes are checked by the owning module's
//! [`Module::check_params`], the only copy of each module's param rules.
//!
//! ## The layout of a module
//!
//! A module folder is moving to this shape (modules not yet split keep their code in
//! `mod.rs` and already have `module.rs` and `query.rs`):
//!
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | the doc: state owned, messages, events, invariants, cross-module hooks it calls |
//! | `types.rs` | the records it stores and their state enums |
//! | `msg.rs` | stateless message checks (`validate_basic`) |
//! | `params.rs` | params, defaults and `validate` |
//! | `genesis.rs` | its genesis section |
//! | `events.rs` | the events it emits |
//! | `error.rs` | its typed error, converted into [`AppError`] |
//! | `keys.rs` | every store key it builds (no key bytes elsewhere) |
//! | `state.rs` | read / write access (another module imports only the read side) |
//! | `handler/<message>.rs` | one file per message: stateless → stateful checks → writes → events |
//! | `hooks.rs` | the writes other modules may ask of it, by name |
//! | `query.rs` | its query paths |
//! | `invariants.rs` | its invariants |
//! | `module.rs` | its [`Module`] implementation |
//!
//! Adding a message: its proto type and one row of the message table in
//! `dcloud-proto/src/tx.rs`, its checks in the module's `msg.rs`, one handler file.
//!
//! ## Key prefixes
//!
//!
//! Key prefixes (one byte, unique, reviewed here):
//! `0x01` auth accounts, `0x02` auth globals, `0x10` bank balances, `0x11` bank supply,
//! `0x12` bank globals, `0x20`-`0x2F` market: `0x20` deployments, `0x22` orders, `0x23` bids,
//! `0x24` leases, `0x25` bids/leases by provider, `0x28` escrow accounts, `0x29` escrow
//! payments, `0x2A` escrow exhaustion index, `0x2B` low-funds warning index, `0x2C` order
//! index (auction close / no-bid timeout) — the three indexes keyed by the height at which
//! the entry is due, so end-block reads only what is due; `0x30` providers,
//! `0x31` audited attributes, `0x32` certificates, `0x34`-`0x36` oracle (`0x34` state,
//! `0x35` price observations, `0x36` latest observation per source), `0x40`-`0x43` bme
//! (`0x40` status / totals / sequence, `0x41` pending requests, `0x42` executed ledger,
//! `0x43` cancelled ledger), `0x50`-`0x59` staking (`0x50` validators, `0x51` by consensus
//! address, `0x52` delegations, `0x53` unbonding delegations, `0x54` unbonding queue, `0x55`
//! redelegations, `0x56` redelegation queue, `0x57` validator unbonding queue, `0x58` last
//! active set, `0x59` Σ slashed), `0x60`-`0x65` distribution (`0x60` per-validator
//! rewards, `0x61` historical rewards, `0x62` delegation starting info, `0x63` withdraw
//! addresses, `0x64` fee pool, `0x65` slash events),
//! `0x6A` mint (minter), `0x70`-`0x75` gov (`0x70` proposals, `0x71` deposits, `0x72` votes,
//! `0x73` next id, `0x74` active index, `0x75` upgrade plan, `0x76` Σ burned), `0x80` slashing signing infos,
//! `0x90`-`0x92` authz (`0x90` grants by grantee, `0x91` by-granter index, `0x92` expiry queue), `0xF0` consensus-visible globals (validator set, last commit),
//! `0xFF` params.
//!
//! Registry layouts (`len` is one byte, the address length):
//! * `0x30 ‖ len ‖ owner` → provider (JSON);
//! * `0x31 ‖ len ‖ provider ‖ len ‖ auditor` → attributes the auditor signed, sorted (JSON);
//! * `0x32 ‖ len ‖ owner ‖ serial` (decimal ASCII) → certificate with its state (JSON).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod audit;
pub mod auth;
pub mod authz;
pub mod bank;
pub mod bme;
pub mod cert;
pub mod consensus;
pub mod dec;
pub mod deployment;
pub mod distribution;
pub mod escrow;
pub mod gov;
pub mod market;
pub mod mint;
pub mod oracle;
pub mod provider;
pub mod slashing;
pub mod staking;

pub mod abci;
pub mod coins;
pub mod error;
pub mod genesis;
#[cfg(feature = "state")]
pub mod module;
#[cfg(feature = "state")]
pub mod query;

pub use abci::{Misbehavior, ValidatorUpdate, VoteInfo};

/// The request and response types of the modules' queries, in one place for clients (plain
/// data: always compiled, the handlers that answer them sit behind `state`).
pub mod query_views {
    pub use crate::audit::AuditListReq;
    pub use crate::authz::types::GrantsReq;
    pub use crate::bme::types::{LedgerQuery, StatusView, VaultState};
    pub use crate::cert::CertListReq;
    pub use crate::distribution::{RewardView, RewardsView};
    pub use crate::mint::InflationView;
    pub use crate::oracle::types::{OraclePrice, PriceView, SourcePrice};
    pub use crate::provider::ProviderPage;
    pub use crate::staking::{DelegationView, DelegationsView, PoolView};
}
pub use coins::parse_coins;
pub use error::AppError;
#[cfg(feature = "state")]
pub use module::*;

/// A message routed to a module that has no handler for it.
pub fn unrouted(module: &str, msg: &dcloud_proto::Msg) -> AppError {
    AppError::UnknownRequest(format!("module {module} has no handler for {}", msg.type_url()))
}

/// Parses a bech32 account address from message field `field`; the one copy every module
/// uses. A bad address is `AppError::InvalidAddress("<field>: <reason>")`.
pub fn parse_addr(s: &str, field: &str) -> Result<dcloud_types::AccAddress, AppError> {
    dcloud_types::parse_field(s, field).map_err(|e| AppError::InvalidAddress(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_addr_names_the_field() {
        let Err(AppError::InvalidAddress(text)) = parse_addr("nope", "owner") else {
            panic!("a bad address must be refused");
        };
        let reason = "nope".parse::<dcloud_types::AccAddress>().err().map(|e| e.to_string());
        assert_eq!(Some(text), reason.map(|r| format!("owner: {r}")));
    }
}

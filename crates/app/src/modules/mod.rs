//! The modules of the state machine. Each owns a key prefix; others reach it only through
//! its public functions (the keeper).
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

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::Event;
use serde::{de::DeserializeOwned, Serialize};

use crate::AppError;

/// The key of a module's params.
pub fn params_key(module: &str) -> Vec<u8> {
    let mut k = vec![0xFF];
    k.extend_from_slice(module.as_bytes());
    k
}

/// Reads a module's params (JSON in state).
pub fn get_params<T: DeserializeOwned + Default>(
    state: &dyn StateRead,
    module: &str,
) -> Result<T, AppError> {
    match state.get(&params_key(module))? {
        Some(b) => serde_json::from_slice(&b)
            .map_err(|e| AppError::ChainState(format!("corrupt {module} params: {e}"))),
        None => Ok(T::default()),
    }
}

/// Writes a module's params.
pub fn set_params<T: Serialize>(
    state: &mut dyn StateWrite,
    module: &str,
    params: &T,
) -> Result<(), AppError> {
    let b = serde_json::to_vec(params)
        .map_err(|e| AppError::InvalidRequest(format!("{module} params: {e}")))?;
    state.put(params_key(module), b);
    Ok(())
}

/// Runs `f` against a scratch overlay of `state`; its writes and events reach `state` and
/// `events` only if it succeeds (end-block work that must not half-apply).
pub(crate) fn atomically(
    state: &mut dyn StateWrite,
    events: &mut Vec<Event>,
    f: impl FnOnce(&mut dyn StateWrite, &mut Vec<Event>) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut local = Vec::new();
    let changes = {
        let mut ovl = dcloud_store::Overlay::new(&*state);
        f(&mut ovl, &mut local)?;
        ovl.into_changes()
    };
    for (k, v) in changes {
        match v {
            Some(v) => state.put(k, v),
            None => state.delete(k),
        }
    }
    events.extend(local);
    Ok(())
}

/// Entries of a height-keyed index (`prefix ‖ height_BE ‖ …`) due at or before `now`, in
/// key order, at most `limit`: `(height, full key)`. When nothing is due this reads one
/// entry (the index's first), whatever the index holds.
pub(crate) fn due_entries(
    state: &dyn StateRead,
    prefix: u8,
    now: u64,
    limit: usize,
) -> Result<Vec<(u64, Vec<u8>)>, AppError> {
    let mut out = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    // The first page is one entry: the common case is "nothing due".
    let mut page_len = 1;
    while out.len() < limit {
        let page = state.prefix_range(&[prefix], after.as_deref(), page_len)?;
        let full = page.len() == page_len;
        for (k, _) in page {
            let h = k
                .get(1..9)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| AppError::ChainState(format!("short index key {k:02x?}")))?;
            if h > now || out.len() == limit {
                return Ok(out);
            }
            after = Some(k.clone());
            out.push((h, k));
        }
        if !full {
            break;
        }
        page_len = (limit - out.len()).clamp(1, 256);
    }
    Ok(out)
}

/// End-block work for one item failed for a reason other than storage: the item is skipped
/// (with an event), the chain goes on. Storage failures halt.
pub(crate) fn skip_or_halt(
    r: Result<(), AppError>,
    what: &str,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    match r {
        Ok(()) => Ok(()),
        Err(e @ AppError::Store(_)) => Err(e),
        Err(e) => {
            events.push(Event::new("EventEndBlockSkipped").attr("item", what).attr("error", e));
            Ok(())
        }
    }
}

/// What every state transition may know about the block it runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockCtx {
    /// Height of the block being executed.
    pub height: u64,
    /// Block time in ms since the Unix epoch (from the header; 0 in simulation).
    pub time_ms: u64,
}

/// A block hook: state, block context, events out.
pub type BlockHook = fn(&mut dyn StateWrite, &BlockCtx, &mut Vec<Event>) -> Result<(), AppError>;

/// One entry of the module registry: what the app runs for a module at block boundaries and
/// when checking invariants. Messages are routed by [`dcloud_proto::Msg::module`] in `msgs.rs`.
#[derive(Debug, Clone, Copy)]
pub struct Module {
    /// Module name (also its params key and its events' `module` attribute).
    pub name: &'static str,
    /// Runs before the block's txs.
    pub begin_block: Option<BlockHook>,
    /// Runs after the block's txs (e.g. the market closing auctions and escrow settling the
    /// accounts whose funds run out at this height).
    pub end_block: Option<BlockHook>,
    /// Checks the module's invariants against a state.
    pub check_invariants: fn(&dyn StateRead) -> Result<(), AppError>,
}

/// The module registry, in execution order. Adding a module = one entry here.
pub const REGISTRY: &[Module] = &[
    // First: a due software upgrade halts before anything runs; proposals end first in
    // end block (as Akash orders gov's EndBlocker).
    Module {
        name: gov::NAME,
        begin_block: Some(gov::begin_block),
        end_block: Some(gov::end_block),
        check_invariants: gov::check_invariants,
    },
    // Begin block: mint into the fee collector, then distribution pays it out to the
    // previous block's signers (as the SDK orders them).
    Module {
        name: mint::NAME,
        begin_block: Some(mint::begin_block),
        end_block: None,
        check_invariants: mint::check_invariants,
    },
    // Before distribution, as the SDK orders slashing's begin blocker after distribution's;
    // jailing takes effect in staking's end block either way.
    Module {
        name: slashing::NAME,
        begin_block: Some(slashing::begin_block),
        end_block: None,
        check_invariants: slashing::check_invariants,
    },
    Module {
        name: distribution::NAME,
        begin_block: Some(distribution::begin_block),
        end_block: None,
        check_invariants: distribution::check_invariants,
    },
    Module {
        name: auth::NAME,
        begin_block: None,
        end_block: None,
        check_invariants: auth::check_invariants,
    },
    Module {
        name: bank::NAME,
        begin_block: None,
        end_block: None,
        check_invariants: bank::check_invariants,
    },
    Module {
        name: provider::NAME,
        begin_block: None,
        end_block: None,
        check_invariants: provider::check_invariants,
    },
    Module {
        name: audit::NAME,
        begin_block: None,
        end_block: None,
        check_invariants: audit::check_invariants,
    },
    Module {
        name: cert::NAME,
        begin_block: None,
        end_block: None,
        check_invariants: cert::check_invariants,
    },
    // The oracle aggregates before BME reads its price; both before the market.
    Module {
        name: oracle::NAME,
        begin_block: None,
        end_block: Some(oracle::end_block),
        check_invariants: oracle::check_invariants,
    },
    Module {
        name: bme::NAME,
        begin_block: None,
        end_block: Some(bme::end_block),
        check_invariants: bme::check_invariants,
    },
    Module {
        name: authz::NAME,
        begin_block: Some(authz::begin_block),
        end_block: None,
        check_invariants: authz::check_invariants,
    },
    Module {
        name: escrow::NAME,
        begin_block: None,
        end_block: None,
        check_invariants: escrow::check_invariants,
    },
    Module {
        name: deployment::NAME,
        begin_block: None,
        end_block: None,
        check_invariants: deployment::check_invariants,
    },
    Module {
        name: market::NAME,
        begin_block: None,
        end_block: Some(market::end_block),
        check_invariants: market::check_invariants,
    },
    // Last: the validator set reflects every delegation change of the block.
    Module {
        name: staking::NAME,
        begin_block: None,
        end_block: Some(staking::end_block),
        check_invariants: staking::check_invariants,
    },
];

/// Runs every module's begin-block hook, in registry order.
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for m in REGISTRY {
        if let Some(f) = m.begin_block {
            f(state, ctx, events)?;
        }
    }
    Ok(())
}

/// Runs every module's end-block hook, in registry order.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for m in REGISTRY {
        if let Some(f) = m.end_block {
            f(state, ctx, events)?;
        }
    }
    Ok(())
}

/// Runs every module's invariants, in registry order; the first broken one is returned.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    for m in REGISTRY {
        (m.check_invariants)(state)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_store::{EmptyState, Overlay};

    #[test]
    fn atomic_end_block_work_applies_all_or_nothing_and_only_storage_errors_halt() {
        let mut st = Overlay::new(EmptyState);
        let mut ev = Vec::new();
        let r = atomically(&mut st, &mut ev, |s, e| {
            s.put(b"a".to_vec(), b"1".to_vec());
            e.push(Event::new("x"));
            Err(AppError::InvalidRequest("boom".into()))
        });
        assert!(r.is_err());
        assert!(st.changes().is_empty() && ev.is_empty());
        skip_or_halt(r, "item", &mut ev).unwrap();
        assert_eq!(ev[0].kind, "EventEndBlockSkipped");
        atomically(&mut st, &mut ev, |s, _| {
            s.put(b"a".to_vec(), b"1".to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!(st.get(b"a").unwrap(), Some(b"1".to_vec()));
    }
}

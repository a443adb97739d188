//! The module registry and the helpers every module shares: params storage, atomic
//! end-block work, height-keyed due indexes, the block context.

use crate::{
    audit, auth, authz, bank, bme, cert, consensus, deployment, distribution, escrow, gov, market,
    mint, oracle, provider, slashing, staking,
};
use dcloud_proto::Msg;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::Event;
use serde::{de::DeserializeOwned, Serialize};

use crate::genesis::AppGenesis;
use crate::{unrouted, AppError, Misbehavior, VoteInfo};

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
pub fn atomically(
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
pub fn due_entries(
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
pub fn skip_or_halt(
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

/// What consensus reports about the previous block, handed to [`Module::pre_block`].
#[derive(Debug, Clone, Copy)]
pub struct BlockEvidence<'a> {
    /// Who signed the previous block.
    pub last_commit: &'a [VoteInfo],
    /// Evidence of misbehaviour to punish.
    pub misbehavior: &'a [Misbehavior],
}

/// A query against the state of one height.
#[derive(Clone, Copy)]
pub struct QueryCtx<'a> {
    /// The state at `height`.
    pub state: &'a dyn StateRead,
    /// The height the answer is for.
    pub height: u64,
}

/// The result of checking a params JSON: `Err` = it does not parse, `Ok(problems)` =
/// it parses, with every broken rule listed (empty = valid).
pub type ParamsCheck = Result<Vec<String>, serde_json::Error>;

/// Parses a module's params JSON and runs its checks (a helper for [`Module::check_params`]).
pub fn check_params_json<P: DeserializeOwned>(
    json: &str,
    validate: impl FnOnce(&P) -> Vec<String>,
) -> ParamsCheck {
    serde_json::from_str::<P>(json).map(|p| validate(&p))
}

/// The forwarding methods of a module's [`Module`] impl, one keyword each, so every
/// `<module>/module.rs` states only what is particular to it: `query` → `super::query::route`,
/// `invariants` → `super::check_invariants`, `validate_msg` → `super::validate_basic`,
/// `deliver` → `super::deliver(state, msg, ctx, events)`, `handler_deliver` →
/// `super::handler::deliver(state, msg, events)`, `begin_block` / `end_block` →
/// `super::begin_block` / `super::end_block`.
#[macro_export]
macro_rules! forward {
    () => {};
    (query $(, $($rest:tt)*)?) => {
        fn query(
            &self,
            path: &str,
            data: &[u8],
            q: &$crate::QueryCtx<'_>,
        ) -> Option<Result<Vec<u8>, $crate::AppError>> {
            super::query::route(path, data, q)
        }
        $($crate::forward!($($rest)*);)?
    };
    (invariants $(, $($rest:tt)*)?) => {
        fn check_invariants(
            &self,
            state: &dyn dcloud_store::StateRead,
        ) -> Result<(), $crate::AppError> {
            super::check_invariants(state)
        }
        $($crate::forward!($($rest)*);)?
    };
    (validate_msg $(, $($rest:tt)*)?) => {
        fn validate_msg(&self, msg: &dcloud_proto::Msg) -> Result<(), $crate::AppError> {
            super::validate_basic(msg)
        }
        $($crate::forward!($($rest)*);)?
    };
    (deliver $(, $($rest:tt)*)?) => {
        fn deliver(
            &self,
            state: &mut dyn dcloud_store::StateWrite,
            ctx: &$crate::BlockCtx,
            msg: &dcloud_proto::Msg,
            events: &mut Vec<dcloud_types::Event>,
        ) -> Result<(), $crate::AppError> {
            super::deliver(state, msg, ctx, events)
        }
        $($crate::forward!($($rest)*);)?
    };
    (handler_deliver $(, $($rest:tt)*)?) => {
        fn deliver(
            &self,
            state: &mut dyn dcloud_store::StateWrite,
            _ctx: &$crate::BlockCtx,
            msg: &dcloud_proto::Msg,
            events: &mut Vec<dcloud_types::Event>,
        ) -> Result<(), $crate::AppError> {
            super::handler::deliver(state, msg, events)
        }
        $($crate::forward!($($rest)*);)?
    };
    (begin_block $(, $($rest:tt)*)?) => {
        fn begin_block(
            &self,
            state: &mut dyn dcloud_store::StateWrite,
            ctx: &$crate::BlockCtx,
            events: &mut Vec<dcloud_types::Event>,
        ) -> Result<(), $crate::AppError> {
            super::begin_block(state, ctx, events)
        }
        $($crate::forward!($($rest)*);)?
    };
    (end_block $(, $($rest:tt)*)?) => {
        fn end_block(
            &self,
            state: &mut dyn dcloud_store::StateWrite,
            ctx: &$crate::BlockCtx,
            events: &mut Vec<dcloud_types::Event>,
        ) -> Result<(), $crate::AppError> {
            super::end_block(state, ctx, events)
        }
        $($crate::forward!($($rest)*);)?
    };
}

/// Everything the app knows about a module: its genesis, params checks, messages, queries,
/// block hooks and invariants. Every method has a default (nothing to do), so a module
/// implements only what it has. The app loops over [`REGISTRY`] (block work, invariants,
/// queries), [`GENESIS_ORDER`] (genesis) and routes each message to the module its
/// [`Msg::module`] names.
pub trait Module: Sync {
    /// Module name: its params key, its messages' [`Msg::module`], its query path prefix.
    fn name(&self) -> &'static str;

    /// Checks the module's section of the genesis document; every problem, prefixed with
    /// its path (`app_state.<module>…`).
    fn validate_genesis(&self, _genesis: &AppGenesis) -> Vec<String> {
        Vec::new()
    }

    /// Writes the module's genesis state (after [`Module::validate_genesis`] passed).
    fn init_genesis(
        &self,
        _state: &mut dyn StateWrite,
        _genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        Ok(())
    }

    /// Checks a params JSON with the module's own rules (the only copy of them; genesis
    /// validation and gov's param changes both call it). `None` = no params gov may change.
    fn check_params(&self, _json: &str) -> Option<ParamsCheck> {
        None
    }

    /// Stateless checks of one of the module's messages.
    fn validate_msg(&self, msg: &Msg) -> Result<(), AppError> {
        Err(unrouted(self.name(), msg))
    }

    /// Executes one of the module's messages (after [`Module::validate_msg`] passed).
    fn deliver(
        &self,
        _state: &mut dyn StateWrite,
        _ctx: &BlockCtx,
        msg: &Msg,
        _events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        Err(unrouted(self.name(), msg))
    }

    /// Answers a query path below the module's name (`orders` for `/market/orders`);
    /// `None` = not one of its paths.
    fn query(
        &self,
        _path: &str,
        _data: &[u8],
        _q: &QueryCtx<'_>,
    ) -> Option<Result<Vec<u8>, AppError>> {
        None
    }

    /// Runs before every module's begin block, with what consensus reports about the
    /// previous block (its commit, evidence).
    fn pre_block(
        &self,
        _state: &mut dyn StateWrite,
        _ctx: &BlockCtx,
        _block: &BlockEvidence<'_>,
        _events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        Ok(())
    }

    /// Runs before the block's txs.
    fn begin_block(
        &self,
        _state: &mut dyn StateWrite,
        _ctx: &BlockCtx,
        _events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        Ok(())
    }

    /// Runs after the block's txs (e.g. the market closing auctions and escrow settling the
    /// accounts whose funds run out at this height).
    fn end_block(
        &self,
        _state: &mut dyn StateWrite,
        _ctx: &BlockCtx,
        _events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        Ok(())
    }

    /// Checks the module's invariants against a state.
    fn check_invariants(&self, _state: &dyn StateRead) -> Result<(), AppError> {
        Ok(())
    }
}

impl std::fmt::Debug for dyn Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("name", &self.name()).finish()
    }
}

/// The module registry, in execution order (pre-block, begin block, end block, invariants).
/// Adding a module = its folder, one entry here and one in [`GENESIS_ORDER`].
pub const REGISTRY: &[&dyn Module] = &[
    // First: records the previous block's commit (pre-block) that slashing's downtime
    // tracking and distribution's payout read.
    &consensus::ConsensusModule,
    // A due software upgrade halts before anything else runs; proposals end first in
    // end block (as Akash orders gov's EndBlocker).
    &gov::GovModule,
    // Begin block: mint into the fee collector, then distribution pays it out to the
    // previous block's signers (as the SDK orders them).
    &mint::MintModule,
    // Before distribution, as the SDK orders slashing's begin blocker after distribution's;
    // jailing takes effect in staking's end block either way. Its pre-block punishes
    // evidence before mint reads the bonded ratio.
    &slashing::SlashingModule,
    &distribution::DistributionModule,
    &auth::AuthModule,
    &bank::BankModule,
    &provider::ProviderModule,
    &audit::AuditModule,
    &cert::CertModule,
    // The oracle aggregates before BME reads its price; both before the market.
    &oracle::OracleModule,
    &bme::BmeModule,
    &authz::AuthzModule,
    &escrow::EscrowModule,
    &deployment::DeploymentModule,
    &market::MarketModule,
    // Last: the validator set reflects every delegation change of the block.
    &staking::StakingModule,
];

/// The order in which modules write their genesis state (and check their genesis
/// sections): accounts and balances first, as staking's genesis delegations and BME's
/// totals read them; mint, slashing and distribution after staking (they run only with it).
pub const GENESIS_ORDER: &[&dyn Module] = &[
    &auth::AuthModule,
    &bank::BankModule,
    &deployment::DeploymentModule,
    &market::MarketModule,
    &escrow::EscrowModule,
    &oracle::OracleModule,
    &gov::GovModule,
    &bme::BmeModule,
    &staking::StakingModule,
    &mint::MintModule,
    &slashing::SlashingModule,
    &distribution::DistributionModule,
];

/// The registered module called `name`.
pub fn module(name: &str) -> Option<&'static dyn Module> {
    REGISTRY.iter().copied().find(|m| m.name() == name)
}

/// Runs every module's pre-block hook, in registry order.
pub fn pre_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    block: &BlockEvidence<'_>,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    REGISTRY.iter().try_for_each(|m| m.pre_block(state, ctx, block, events))
}

/// Runs every module's begin-block hook, in registry order.
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    REGISTRY.iter().try_for_each(|m| m.begin_block(state, ctx, events))
}

/// Runs every module's end-block hook, in registry order.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    REGISTRY.iter().try_for_each(|m| m.end_block(state, ctx, events))
}

/// Runs every module's invariants, in registry order; the first broken one is returned.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    REGISTRY.iter().try_for_each(|m| m.check_invariants(state))
}

/// Every problem of the modules' genesis sections, in genesis order.
pub fn validate_genesis(genesis: &AppGenesis) -> Vec<String> {
    GENESIS_ORDER.iter().flat_map(|m| m.validate_genesis(genesis)).collect()
}

/// Writes every module's genesis state, in genesis order.
pub fn init_genesis(state: &mut dyn StateWrite, genesis: &AppGenesis) -> Result<(), AppError> {
    GENESIS_ORDER.iter().try_for_each(|m| m.init_genesis(state, genesis))
}

/// Stateless checks of a message by the module that owns it.
pub fn validate_msg(msg: &Msg) -> Result<(), AppError> {
    route(msg)?.validate_msg(msg)
}

/// Executes a message in the module that owns it.
pub fn deliver(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    msg: &Msg,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    route(msg)?.deliver(state, ctx, msg, events)
}

fn route(msg: &Msg) -> Result<&'static dyn Module, AppError> {
    module(msg.module()).ok_or_else(|| unrouted(msg.module(), msg))
}

/// Answers a query path (`market/orders`) by the module its first segment names; `None` =
/// no module has that path.
pub fn query(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    let (name, rest) = path.split_once('/')?;
    module(name)?.query(rest, data, q)
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

//! A minimal authz module: `cosmos.authz.v1beta1.MsgGrant` / `MsgRevoke` carrying a deposit
//! authorization, which lets the grantee fund escrow deposits from the granter's balance.
//!
//! Akash grants `/akash.escrow.v1.DepositAuthorization` keyed by its `MsgAccountDeposit` type
//! URL. dcloud tops up deployments with `/dcloud.deployment.v1.MsgDepositDeployment`, so the
//! grant is keyed by that URL ([`DEPOSIT_MSG_URL`]) and carries
//! `/dcloud.escrow.v1.DepositAuthorization` (spend limits per denom, scopes deployment | bid).
//! No other authorization type is accepted, and grants are not executed through `MsgExec`:
//! only a deposit with source `grant` uses them.
//!
//! * A grant expires by block time (`expiration`, optional); an expired grant is ignored, and
//!   begin block deletes it (as the SDK's authz begin blocker does): grants with an
//!   expiration are queued by it, and each block removes those whose expiration is at or
//!   before its time, at most [`MAX_PRUNED_PER_BLOCK`] (oldest first, the rest carry over), with
//!   an `EventGrantExpired` each.
//! * A deposit takes from the grantee's grants in key order (by granter), each up to its spend
//!   limit and the granter's balance; the limit shrinks by what was taken. A grant spent down
//!   to zero stays, so the refunds of unused funds (which restore the limit when the escrow
//!   account closes) can be reused.
//!
//! State (`len` is one byte, the address length):
//! - `0x90 ‖ len ‖ grantee ‖ len ‖ granter ‖ msg type URL` → [`Grant`] (JSON);
//! - `0x91 ‖ len ‖ granter ‖ len ‖ grantee ‖ msg type URL` → `` (the by-granter index);
//! - `0x92 ‖ expiration_ms_BE ‖ len ‖ grantee ‖ len ‖ granter ‖ msg type URL` → `` (the
//!   expiry queue: grants with an expiration, by it).

mod module;
pub mod query;
pub use module::AuthzModule;

use dcloud_proto::cosmos::cosmos::authz::v1beta1::{MsgGrant, MsgRevoke};
use dcloud_proto::dcloud::escrow::{
    DepositAuthorization as PbDepositAuthorization, DepositScope as PbScope,
    DEPOSIT_AUTHORIZATION_URL,
};
use dcloud_proto::tx::MSG_DEPOSIT_DEPLOYMENT_URL;
use dcloud_proto::{Message as _, Msg};
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coin, Coins, Event};
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::{bank, BlockCtx};

/// The module name.
pub const NAME: &str = "authz";
/// The message type URL deposit authorizations are granted for.
pub const DEPOSIT_MSG_URL: &str = MSG_DEPOSIT_DEPLOYMENT_URL;

const GRANT: u8 = 0x90;
const BY_GRANTER: u8 = 0x91;
const EXPIRY_QUEUE: u8 = 0x92;
/// Most expired grants one block deletes (the SDK's authz prunes 200 per block too).
pub const MAX_PRUNED_PER_BLOCK: usize = 200;
/// Most grants one query or one deposit looks at.
const MAX_GRANTS: usize = 1000;

/// The escrow account kinds a deposit authorization may fund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositScope {
    /// Deployment escrow accounts.
    Deployment,
    /// Bid deposit escrow accounts.
    Bid,
}

/// What a deposit grant allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositAuthorization {
    /// The most the grantee may still spend, per denom.
    pub spend_limits: Coins,
    /// The account kinds it may fund.
    pub scopes: Vec<DepositScope>,
}

/// A grant from `granter` to `grantee`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Whose funds.
    pub granter: AccAddress,
    /// Who may spend them.
    pub grantee: AccAddress,
    /// The message type the grant is for ([`DEPOSIT_MSG_URL`]).
    pub msg_type_url: String,
    /// The authorization's type URL.
    pub authorization_type: String,
    /// The authorization.
    pub authorization: DepositAuthorization,
    /// Block time (ms since the Unix epoch) from which the grant is void; `None`: never.
    pub expiration_ms: Option<u64>,
}

impl Grant {
    /// Whether the grant has expired at block time `now_ms`.
    pub fn expired(&self, now_ms: u64) -> bool {
        self.expiration_ms.is_some_and(|e| now_ms >= e)
    }
}

fn push_addr(k: &mut Vec<u8>, a: &AccAddress) {
    k.push(a.as_bytes().len() as u8);
    k.extend_from_slice(a.as_bytes());
}

fn grant_key(granter: &AccAddress, grantee: &AccAddress, url: &str) -> Vec<u8> {
    let mut k = vec![GRANT];
    push_addr(&mut k, grantee);
    push_addr(&mut k, granter);
    k.extend_from_slice(url.as_bytes());
    k
}

fn granter_key(granter: &AccAddress, grantee: &AccAddress, url: &str) -> Vec<u8> {
    let mut k = vec![BY_GRANTER];
    push_addr(&mut k, granter);
    push_addr(&mut k, grantee);
    k.extend_from_slice(url.as_bytes());
    k
}

/// The expiry queue entry of a grant expiring at `expiration_ms`.
fn expiry_key(
    granter: &AccAddress,
    grantee: &AccAddress,
    url: &str,
    expiration_ms: u64,
) -> Vec<u8> {
    let mut k = vec![EXPIRY_QUEUE];
    k.extend_from_slice(&expiration_ms.to_be_bytes());
    k.extend_from_slice(&grant_key(granter, grantee, url)[1..]);
    k
}

fn parse_addr(s: &str, field: &str) -> Result<AccAddress, AppError> {
    s.parse().map_err(|e| AppError::InvalidAddress(format!("{field}: {e}")))
}

fn decode_grant(v: &[u8]) -> Result<Grant, AppError> {
    serde_json::from_slice(v).map_err(|e| AppError::ChainState(format!("corrupt authz grant: {e}")))
}

/// Writes a grant, its by-granter index entry and (with an expiration) its expiry queue entry.
/// A grant replacing another with a different expiration must first be removed
/// ([`remove_grant`]).
fn put_grant(state: &mut dyn StateWrite, g: &Grant) -> Result<(), AppError> {
    let v = serde_json::to_vec(g).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(grant_key(&g.granter, &g.grantee, &g.msg_type_url), v);
    state.put(granter_key(&g.granter, &g.grantee, &g.msg_type_url), Vec::new());
    if let Some(e) = g.expiration_ms {
        state.put(expiry_key(&g.granter, &g.grantee, &g.msg_type_url, e), Vec::new());
    }
    Ok(())
}

/// Deletes a grant with its index and queue entries.
fn remove_grant(state: &mut dyn StateWrite, g: &Grant) {
    state.delete(grant_key(&g.granter, &g.grantee, &g.msg_type_url));
    state.delete(granter_key(&g.granter, &g.grantee, &g.msg_type_url));
    if let Some(e) = g.expiration_ms {
        state.delete(expiry_key(&g.granter, &g.grantee, &g.msg_type_url, e));
    }
}

/// Begin block: deletes the grants whose expiration is at or before the block time (at most
/// [`MAX_PRUNED_PER_BLOCK`], earliest first; the rest go in the next blocks).
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for (_, key) in super::due_entries(state, EXPIRY_QUEUE, ctx.time_ms, MAX_PRUNED_PER_BLOCK)? {
        // The queue entry names the grant (its key without the prefix byte).
        let mut gk = vec![GRANT];
        gk.extend_from_slice(&key[9..]);
        state.delete(key);
        let Some(v) = state.get(&gk)? else { continue };
        let g = decode_grant(&v)?;
        if !g.expired(ctx.time_ms) {
            // Replaced by a later grant since: its own queue entry is further on.
            continue;
        }
        remove_grant(state, &g);
        events.push(
            Event::new("EventGrantExpired")
                .attr("module", NAME)
                .attr("granter", &g.granter)
                .attr("grantee", &g.grantee)
                .attr("msg_type_url", &g.msg_type_url)
                .attr("expiration_ms", g.expiration_ms.unwrap_or_default()),
        );
    }
    Ok(())
}

/// Reads one grant.
pub fn get_grant(
    state: &dyn StateRead,
    granter: &AccAddress,
    grantee: &AccAddress,
    url: &str,
) -> Result<Option<Grant>, AppError> {
    state.get(&grant_key(granter, grantee, url))?.map(|v| decode_grant(&v)).transpose()
}

/// The checked contents of a `MsgGrant`: (granter, grantee, authorization, expiration in ms).
fn parse_grant(
    m: &MsgGrant,
) -> Result<(AccAddress, AccAddress, DepositAuthorization, Option<u64>), AppError> {
    let granter = parse_addr(&m.granter, "granter")?;
    let grantee = parse_addr(&m.grantee, "grantee")?;
    if granter == grantee {
        return Err(AppError::AuthzGranteeIsGranter(granter.to_string()));
    }
    let grant =
        m.grant.as_ref().ok_or_else(|| AppError::InvalidRequest("grant is missing".into()))?;
    let any = grant
        .authorization
        .as_ref()
        .ok_or_else(|| AppError::InvalidRequest("grant.authorization is missing".into()))?;
    if any.type_url != DEPOSIT_AUTHORIZATION_URL {
        return Err(AppError::AuthzUnknownType(format!(
            "{} (only {DEPOSIT_AUTHORIZATION_URL} is supported)",
            any.type_url
        )));
    }
    let pb = PbDepositAuthorization::decode(any.value.as_slice())
        .map_err(|e| AppError::InvalidRequest(format!("deposit authorization: {e}")))?;
    let spend_limits = crate::parse_coins(&pb.spend_limits)?;
    if spend_limits.is_empty() {
        return Err(AppError::InvalidCoins("deposit authorization has no spend limit".into()));
    }
    let mut scopes = Vec::new();
    for s in &pb.scopes {
        let scope = match PbScope::try_from(*s) {
            Ok(PbScope::Deployment) => DepositScope::Deployment,
            Ok(PbScope::Bid) => DepositScope::Bid,
            _ => return Err(AppError::InvalidRequest(format!("unknown deposit scope {s}"))),
        };
        if scopes.contains(&scope) {
            return Err(AppError::InvalidRequest(format!("duplicate deposit scope {s}")));
        }
        scopes.push(scope);
    }
    if scopes.is_empty() {
        return Err(AppError::InvalidRequest("deposit authorization has no scope".into()));
    }
    scopes.sort();
    let expiration_ms = match &grant.expiration {
        None => None,
        Some(t) => {
            let secs = u64::try_from(t.seconds).map_err(|_| {
                AppError::AuthzInvalidExpiration(format!("{}s is before 1970", t.seconds))
            })?;
            let nanos = u64::try_from(t.nanos.clamp(0, 999_999_999)).unwrap_or(0);
            Some(secs.saturating_mul(1000).saturating_add(nanos / 1_000_000))
        }
    };
    Ok((granter, grantee, DepositAuthorization { spend_limits, scopes }, expiration_ms))
}

/// Stateless checks of the authz messages.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    match msg {
        Msg::Grant(m) => {
            parse_grant(m)?;
        }
        Msg::Revoke(m) => {
            revoke_parts(m)?;
        }
        _ => {}
    }
    Ok(())
}

fn revoke_parts(m: &MsgRevoke) -> Result<(AccAddress, AccAddress), AppError> {
    let granter = parse_addr(&m.granter, "granter")?;
    let grantee = parse_addr(&m.grantee, "grantee")?;
    if m.msg_type_url.is_empty() {
        return Err(AppError::InvalidRequest("msg_type_url is empty".into()));
    }
    Ok((granter, grantee))
}

/// Delivers `MsgGrant` (creates or replaces the grant) and `MsgRevoke`.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    bctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    match msg {
        Msg::Grant(m) => {
            let (granter, grantee, authorization, expiration_ms) = parse_grant(m)?;
            if let Some(e) = expiration_ms {
                if e <= bctx.time_ms {
                    return Err(AppError::AuthzInvalidExpiration(format!(
                        "expiration {e} ms must be after the block time {} ms",
                        bctx.time_ms
                    )));
                }
            }
            let g = Grant {
                granter,
                grantee,
                msg_type_url: DEPOSIT_MSG_URL.into(),
                authorization_type: DEPOSIT_AUTHORIZATION_URL.into(),
                authorization,
                expiration_ms,
            };
            // A grant replacing another drops the old one's expiry queue entry.
            if let Some(old) = get_grant(state, &g.granter, &g.grantee, &g.msg_type_url)? {
                remove_grant(state, &old);
            }
            put_grant(state, &g)?;
            events.push(
                Event::new("cosmos.authz.v1beta1.EventGrant")
                    .attr("granter", &g.granter)
                    .attr("grantee", &g.grantee)
                    .attr("msg_type_url", &g.msg_type_url)
                    .attr("spend_limits", g.authorization.spend_limits.to_string()),
            );
        }
        Msg::Revoke(m) => {
            let (granter, grantee) = revoke_parts(m)?;
            let Some(g) = get_grant(state, &granter, &grantee, &m.msg_type_url)? else {
                return Err(AppError::AuthzNotFound(format!(
                    "no grant from {granter} to {grantee} for {}",
                    m.msg_type_url
                )));
            };
            remove_grant(state, &g);
            events.push(
                Event::new("cosmos.authz.v1beta1.EventRevoke")
                    .attr("granter", &granter)
                    .attr("grantee", &grantee)
                    .attr("msg_type_url", &m.msg_type_url),
            );
        }
        _ => {
            return Err(AppError::UnknownRequest(format!(
                "not an authz message: {}",
                msg.type_url()
            )))
        }
    }
    Ok(())
}

/// Takes up to `amount` of `denom` for a deposit by `grantee` into an account of `scope`, from
/// the grantee's unexpired deposit grants in key order: each gives at most its spend limit and
/// its granter's balance, and its limit shrinks by what it gave. Returns (granter, amount)
/// per grant used; the caller moves the funds.
pub fn take_for_deposit(
    state: &mut dyn StateWrite,
    grantee: &AccAddress,
    denom: &str,
    amount: u128,
    scope: DepositScope,
    now_ms: u64,
) -> Result<Vec<(AccAddress, u128)>, AppError> {
    let mut prefix = vec![GRANT];
    push_addr(&mut prefix, grantee);
    let mut out = Vec::new();
    let mut left = amount;
    for (_, v) in state.prefix_range(&prefix, None, MAX_GRANTS)? {
        if left == 0 {
            break;
        }
        let mut g = decode_grant(&v)?;
        if g.msg_type_url != DEPOSIT_MSG_URL
            || g.expired(now_ms)
            || !g.authorization.scopes.contains(&scope)
        {
            continue;
        }
        let limit = g.authorization.spend_limits.amount_of(denom);
        let take = limit.min(left).min(bank::balance(state, &g.granter, denom)?);
        if take == 0 {
            continue;
        }
        g.authorization.spend_limits =
            g.authorization.spend_limits.checked_sub(&Coins::one(take, denom))?;
        put_grant(state, &g)?;
        left -= take;
        out.push((g.granter, take));
    }
    Ok(out)
}

/// Adds a refund of unused granted funds back to the grant's spend limit (when the grant
/// still exists).
pub fn restore_deposit_limit(
    state: &mut dyn StateWrite,
    granter: &AccAddress,
    grantee: &AccAddress,
    denom: &str,
    amount: u128,
) -> Result<(), AppError> {
    if let Some(mut g) = get_grant(state, granter, grantee, DEPOSIT_MSG_URL)? {
        g.authorization.spend_limits = g
            .authorization
            .spend_limits
            .checked_add(&Coins::from_coins([Coin::new(amount, denom)])?)?;
        put_grant(state, &g)?;
    }
    Ok(())
}

/// Grants by granter and/or grantee (all grants when neither is given), at most 1000.
pub fn grants(
    state: &dyn StateRead,
    granter: Option<&AccAddress>,
    grantee: Option<&AccAddress>,
) -> Result<Vec<Grant>, AppError> {
    let mut out = Vec::new();
    match (granter, grantee) {
        (_, Some(grantee)) => {
            let mut prefix = vec![GRANT];
            push_addr(&mut prefix, grantee);
            for (_, v) in state.prefix_range(&prefix, None, MAX_GRANTS)? {
                let g = decode_grant(&v)?;
                if granter.is_none_or(|a| *a == g.granter) {
                    out.push(g);
                }
            }
        }
        (Some(granter), None) => {
            let mut prefix = vec![BY_GRANTER];
            push_addr(&mut prefix, granter);
            for (k, _) in state.prefix_range(&prefix, None, MAX_GRANTS)? {
                let rest = &k[prefix.len()..];
                let (len, rest) = rest
                    .split_first()
                    .ok_or_else(|| AppError::ChainState("corrupt authz index".into()))?;
                let (grantee, url) = rest
                    .split_at_checked(usize::from(*len))
                    .ok_or_else(|| AppError::ChainState("corrupt authz index".into()))?;
                let grantee = AccAddress::from_bytes(grantee)
                    .map_err(|e| AppError::ChainState(format!("corrupt authz index: {e}")))?;
                let url = std::str::from_utf8(url)
                    .map_err(|e| AppError::ChainState(format!("corrupt authz index: {e}")))?;
                if let Some(g) = get_grant(state, granter, &grantee, url)? {
                    out.push(g);
                }
            }
        }
        (None, None) => {
            for (_, v) in state.prefix_range(&[GRANT], None, MAX_GRANTS)? {
                out.push(decode_grant(&v)?);
            }
        }
    }
    Ok(out)
}

/// Invariant: every grant has its by-granter index entry and vice versa, with positive-or-zero
/// limits in a valid coin set (checked by decoding); the grants with an expiration are exactly
/// those in the expiry queue, at that expiration.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let all = state.prefix_range(&[GRANT], None, usize::MAX)?;
    let index = state.prefix_range(&[BY_GRANTER], None, usize::MAX)?;
    let queue = state.prefix_range(&[EXPIRY_QUEUE], None, usize::MAX)?;
    if all.len() != index.len() {
        return Err(AppError::Invariant(format!(
            "{} authz grants but {} by-granter index entries",
            all.len(),
            index.len()
        )));
    }
    let mut expiring = 0;
    for (_, v) in &all {
        let g = decode_grant(v).map_err(|e| AppError::Invariant(e.to_string()))?;
        if state.get(&granter_key(&g.granter, &g.grantee, &g.msg_type_url))?.is_none() {
            return Err(AppError::Invariant(format!(
                "authz grant {} → {} lacks its index entry",
                g.granter, g.grantee
            )));
        }
        if let Some(e) = g.expiration_ms {
            expiring += 1;
            if state.get(&expiry_key(&g.granter, &g.grantee, &g.msg_type_url, e))?.is_none() {
                return Err(AppError::Invariant(format!(
                    "authz grant {} → {} expiring at {e} ms is not in the expiry queue",
                    g.granter, g.grantee
                )));
            }
        }
    }
    if queue.len() != expiring {
        return Err(AppError::Invariant(format!(
            "{} authz expiry queue entries but {expiring} grants with an expiration",
            queue.len()
        )));
    }
    Ok(())
}

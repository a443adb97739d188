//! The market's keeper: typed reads (the only side other modules import) and writes of its
//! records and indexes.

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;
use serde::Serialize;

use super::keys::{by_provider_key, by_provider_prefix, list_prefix, pk, BID, LEASE, ORDER};
use super::params::MarketParams;
use super::types::{bid_id, order_id, Bid, Lease, Order, NAME};
use crate::{deployment, escrow, get_params, AppError};

// ---- read side -------------------------------------------------------------------------

/// Params.
pub fn params(state: &dyn StateRead) -> Result<MarketParams, AppError> {
    get_params(state, NAME)
}

fn read<T: serde::de::DeserializeOwned>(
    state: &dyn StateRead,
    key: &[u8],
    what: &str,
) -> Result<Option<T>, AppError> {
    match state.get(key)? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| AppError::ChainState(format!("corrupt {what}: {e}"))),
        None => Ok(None),
    }
}

/// Reads an order.
pub fn get_order(state: &dyn StateRead, id: &[u8]) -> Result<Option<Order>, AppError> {
    read(state, &pk(ORDER, id), "order")
}
/// Reads a bid.
pub fn get_bid(state: &dyn StateRead, id: &[u8]) -> Result<Option<Bid>, AppError> {
    read(state, &pk(BID, id), "bid")
}
/// Reads a lease.
pub fn get_lease(state: &dyn StateRead, id: &[u8]) -> Result<Option<Lease>, AppError> {
    read(state, &pk(LEASE, id), "lease")
}

/// The bids of an order, in key order.
pub fn order_bids(state: &dyn StateRead, order: &[u8]) -> Result<Vec<(Vec<u8>, Bid)>, AppError> {
    let p = pk(BID, order);
    state
        .prefix_range(&p, None, 100_000)?
        .into_iter()
        .map(|(k, v)| {
            let b: Bid = serde_json::from_slice(&v)
                .map_err(|e| AppError::ChainState(format!("corrupt bid: {e}")))?;
            Ok((k[1..].to_vec(), b))
        })
        .collect()
}

/// What an active lease has earned up to `height` (withdrawn + earned but not withdrawn,
/// before take), settling its account in a throw-away overlay: nothing is written. A lease that
/// is not active keeps its stored `paid`.
pub fn paid_so_far(state: &dyn StateRead, l: &Lease, height: u64) -> Result<u128, AppError> {
    if !l.state.is_live() {
        return Ok(l.paid);
    }
    let acct = deployment::escrow_id(&l.owner, l.dseq);
    let id = bid_id(&order_id(&l.owner, l.dseq, l.gseq, l.oseq), &l.provider);
    let mut scratch = dcloud_store::Overlay::new(state);
    escrow::settle(&mut scratch, &acct, height, &mut Vec::new())?;
    Ok(escrow::get_payment(&scratch, &acct, &id)?
        .map_or(l.paid, |p| p.withdrawn.saturating_add(p.balance)))
}

/// Lists orders / bids / leases (`what` = 0x22, 0x23, 0x24) in key order, optionally of one
/// owner, after a binary key; `keep` filters.
pub fn list_raw(
    state: &dyn StateRead,
    what: u8,
    owner: Option<&AccAddress>,
    start_after: Option<&[u8]>,
    limit: usize,
    keep: &dyn Fn(&serde_json::Value) -> bool,
) -> Result<(Vec<serde_json::Value>, Option<Vec<u8>>), AppError> {
    let prefix = list_prefix(what, owner);
    let mut after = start_after.map(|s| pk(what, s));
    let mut out = Vec::new();
    loop {
        let page = state.prefix_range(&prefix, after.as_deref(), 500)?;
        for (k, v) in &page {
            after = Some(k.clone());
            let j: serde_json::Value = serde_json::from_slice(v)
                .map_err(|e| AppError::ChainState(format!("corrupt market record: {e}")))?;
            if keep(&j) {
                out.push(j);
                if out.len() >= limit {
                    return Ok((out, Some(k[1..].to_vec())));
                }
            }
        }
        if page.len() < 500 {
            return Ok((out, None));
        }
    }
}

/// Bid/lease ids of one provider (from the provider index), after a binary bid id.
pub fn provider_ids(
    state: &dyn StateRead,
    provider: &AccAddress,
    start_after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<Vec<u8>>, AppError> {
    let prefix = by_provider_prefix(provider);
    let after = start_after.map(|s| {
        let mut k = prefix.clone();
        k.extend_from_slice(s);
        k
    });
    Ok(state
        .prefix_range(&prefix, after.as_deref(), limit)?
        .into_iter()
        .map(|(k, _)| k[prefix.len()..].to_vec())
        .collect())
}

/// Reads a record by kind (`0x22` order, `0x23` bid, `0x24` lease) and binary id.
pub fn get_raw(
    state: &dyn StateRead,
    what: u8,
    id: &[u8],
) -> Result<Option<serde_json::Value>, AppError> {
    read(state, &pk(what, id), "market record")
}

// ---- write side (the market's own handlers, hooks and end block only) --------------------

fn write<T: Serialize>(state: &mut dyn StateWrite, key: Vec<u8>, v: &T) -> Result<(), AppError> {
    state.put(key, serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))?);
    Ok(())
}

/// Writes an order.
pub(crate) fn put_order(state: &mut dyn StateWrite, id: &[u8], o: &Order) -> Result<(), AppError> {
    write(state, pk(ORDER, id), o)
}

/// Writes a bid.
pub(crate) fn put_bid(state: &mut dyn StateWrite, id: &[u8], b: &Bid) -> Result<(), AppError> {
    write(state, pk(BID, id), b)
}

/// Writes a lease.
pub(crate) fn put_lease(state: &mut dyn StateWrite, id: &[u8], l: &Lease) -> Result<(), AppError> {
    write(state, pk(LEASE, id), l)
}

/// Indexes a bid under its provider.
pub(crate) fn index_by_provider(state: &mut dyn StateWrite, provider: &AccAddress, bid: &[u8]) {
    state.put(by_provider_key(provider, bid), Vec::new());
}

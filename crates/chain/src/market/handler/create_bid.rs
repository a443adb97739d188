//! `MsgCreateBid`: a provider bids on an open order.

use dcloud_proto::dcloud::market::MsgCreateBid;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Dec, Event};

use super::super::events::{bid_event, bid_label};
use super::super::keys::{due_key, DUE_AUCTION};
use super::super::msg::parse_order_id;
use super::super::params::MarketParams;
use super::super::state::{get_bid, get_order, index_by_provider, params, put_bid, put_order};
use super::super::types::{bid_escrow_id, bid_id, order_id, Bid, BidState, Order, OrderState};
use super::super::MarketError;
use crate::deployment::{self, parse_amount, AuctionKind, Group};
use crate::escrow::parse_dec18;
use crate::parse_addr;
use crate::{audit, escrow, provider, AppError, BlockCtx};

/// Executes `MsgCreateBid` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgCreateBid,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let now = ctx.height;
    let (owner, dseq, gseq, oseq) = parse_order_id(&m.order_id)?;
    let prov = parse_addr(&m.provider, "provider")?;
    let oid = order_id(&owner, dseq, gseq, oseq);
    let label = format!("{owner}/{dseq}/{gseq}/{oseq}");
    // The order exists and still takes bids.
    let mut o = get_order(state, &oid)?.ok_or(MarketError::OrderNotFound(label.clone()))?;
    if o.state != OrderState::Open {
        return Err(MarketError::OrderNotOpen(format!("{label} is {:?}", o.state)).into());
    }
    let p = check_price(state, m, &o)?;
    // One bid per provider and order.
    let bid = bid_id(&oid, &prov);
    if get_bid(state, &bid)?.is_some() {
        return Err(MarketError::BidExists(format!("{label}/{prov}")).into());
    }
    let mp = params(state)?;
    // The order takes at most `order_max_bids` bids.
    if o.bids >= mp.order_max_bids {
        return Err(MarketError::TooManyBids(format!(
            "order {label} already has {} bids (max {})",
            o.bids, mp.order_max_bids
        ))
        .into());
    }
    let (ddenom, deposit) = check_deposit(m, &mp)?;
    // The provider is registered and meets the group's attributes and audits.
    let provider = provider::get_provider(state, &prov)?
        .ok_or_else(|| MarketError::ProviderNotRegistered(prov.to_string()))?;
    let d = deployment::must_get(state, &owner, dseq)?;
    let g = d
        .groups
        .iter()
        .find(|g| g.gseq == gseq)
        .ok_or_else(|| deployment::DeploymentError::GroupNotFound(label.clone()))?;
    check_placement(state, g, &provider)?;
    let window = check_reclamation(m, &o, &mp)?;
    let b = Bid {
        owner: owner.clone(),
        dseq,
        gseq,
        oseq,
        provider: prov.clone(),
        state: BidState::Open,
        price_atto: p,
        denom: o.denom.clone(),
        deposit,
        deposit_denom: ddenom.clone(),
        created_at: now,
        index: o.bids,
        reclamation_window_s: window,
    };
    lock_deposit(state, m, &b, &bid, ctx, events)?;
    put_bid(state, &bid, &b)?;
    index_by_provider(state, &prov, &bid);
    o.bids += 1;
    // A lowest-price order whose window passed without bids: this block's end decides.
    if o.auction == AuctionKind::Lowest && now >= o.window_end {
        state.delete(due_key(o.window_end, DUE_AUCTION, &oid));
        o.window_end = now;
        state.put(due_key(now, DUE_AUCTION, &oid), Vec::new());
    }
    put_order(state, &oid, &o)?;
    events.push(
        bid_event("EventBidCreated", &b)
            .attr("price", format!("{}{}", Dec::from_atomics(p), b.denom))
            .attr("deposit", format!("{deposit}{ddenom}")),
    );
    Ok(())
}

/// The bid's price (atto-units): in an accepted ACT denom, the order's denom, and at most
/// the order's maximum.
fn check_price(state: &dyn StateRead, m: &MsgCreateBid, o: &Order) -> Result<u128, AppError> {
    let price = m.price.as_ref().ok_or_else(|| MarketError::InvalidBid("missing price".into()))?;
    // The price denom is one the BME currently accepts.
    if let Some(why) = crate::bme::act_denom_problem(state, &price.denom)? {
        return Err(MarketError::BidPriceDenom(why).into());
    }
    // The bid prices in the order's denom.
    if price.denom != o.denom {
        return Err(MarketError::BidPriceDenom(format!(
            "bid in {} but the order prices in {}",
            price.denom, o.denom
        ))
        .into());
    }
    let p = parse_dec18(&price.amount).map_err(MarketError::InvalidBid)?;
    // The price does not exceed the order's maximum.
    if p > o.max_price_atto {
        return Err(MarketError::BidPriceTooHigh(format!(
            "{}{} > {}{}",
            Dec::from_atomics(p),
            o.denom,
            Dec::from_atomics(o.max_price_atto),
            o.denom
        ))
        .into());
    }
    Ok(p)
}

/// The deposit's denom and amount: an accepted denom, at least its minimum.
fn check_deposit(m: &MsgCreateBid, mp: &MarketParams) -> Result<(String, u128), AppError> {
    let (ddenom, deposit) = parse_amount(&m.deposit, "deposit")?;
    let min = mp.bid_min_deposits.iter().find(|(d, _)| *d == ddenom).map(|(_, a)| *a).ok_or_else(
        || MarketError::BidDepositTooLow(format!("deposit denom {ddenom} not accepted")),
    )?;
    if deposit < min {
        return Err(MarketError::BidDepositTooLow(format!(
            "{deposit}{ddenom} below the minimum {min}{ddenom}"
        ))
        .into());
    }
    Ok((ddenom, deposit))
}

/// The reclamation window the bid offers (`None`: none): at least the deployment's minimum
/// when it asks for one, and within the params' range.
fn check_reclamation(
    m: &MsgCreateBid,
    o: &Order,
    mp: &MarketParams,
) -> Result<Option<u64>, AppError> {
    let window = (m.reclamation_window_s > 0).then_some(m.reclamation_window_s);
    match (o.reclamation_min_window_s, window) {
        (Some(min), None) => {
            return Err(MarketError::InvalidBid(format!(
                "the deployment asks for a reclamation window of at least {min}s"
            ))
            .into())
        }
        (Some(min), Some(w)) if w < min => {
            return Err(MarketError::InvalidBid(format!(
                "reclamation window {w}s is below the deployment's minimum {min}s"
            ))
            .into())
        }
        _ => {}
    }
    if let Some(w) = window {
        mp.check_reclamation_window(w, "reclamation window")?;
    }
    Ok(window)
}

/// Gathers the deposit from its sources into the bid's own escrow account.
fn lock_deposit(
    state: &mut dyn StateWrite,
    m: &MsgCreateBid,
    b: &Bid,
    bid: &[u8],
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let sources = deployment::parse_sources(&m.deposit_sources)?;
    let funds = deployment::gather_deposit(
        state,
        &b.provider,
        &sources,
        &b.deposit_denom,
        b.deposit,
        ctx,
        crate::authz::DepositScope::Bid,
    )?;
    escrow::create_account_funded(
        state,
        &bid_escrow_id(bid),
        format!("bid/{}", bid_label(b)),
        &b.provider,
        &b.deposit_denom,
        funds,
        ctx.height,
        events,
    )
}

/// The provider meets the group's placement: every `all_of` auditor and at least one
/// `any_of` auditor signed the required attributes, or (no auditors asked) the provider
/// declares them itself.
fn check_placement(
    state: &dyn StateRead,
    g: &Group,
    provider: &provider::Provider,
) -> Result<(), AppError> {
    let spec = &g.spec;
    let has_all = |have: &[provider::Attribute]| spec.attributes.iter().all(|a| have.contains(a));
    let signed = |auditor: &AccAddress| audit::signed_attributes(state, &provider.owner, auditor);
    if !spec.signed_by.all_of.is_empty() || !spec.signed_by.any_of.is_empty() {
        for auditor in &spec.signed_by.all_of {
            if !has_all(&signed(auditor)?) {
                return Err(MarketError::AuditMissing(format!(
                    "auditor {auditor} (all_of) has not signed the required attributes of {}",
                    provider.owner
                ))
                .into());
            }
        }
        if !spec.signed_by.any_of.is_empty() {
            let mut ok = false;
            for auditor in &spec.signed_by.any_of {
                if has_all(&signed(auditor)?) {
                    ok = true;
                    break;
                }
            }
            if !ok {
                return Err(MarketError::AuditMissing(format!(
                    "none of the any_of auditors signed the required attributes of {}",
                    provider.owner
                ))
                .into());
            }
        }
        return Ok(());
    }
    if let Some(missing) = spec.attributes.iter().find(|a| !provider.attributes.contains(a)) {
        return Err(MarketError::AttributesMismatch(format!(
            "provider {} lacks {}={}",
            provider.owner, missing.key, missing.value
        ))
        .into());
    }
    Ok(())
}

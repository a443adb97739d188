//! `MsgCreateBid`: a provider bids on an open order.

use dcloud_proto::dcloud::market::MsgCreateBid;
use dcloud_store::StateWrite;
use dcloud_types::Event;

#[allow(unused_imports)]
use super::super::*;
use crate::{AppError, BlockCtx};

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
    let mut o = get_order(state, &oid)?.ok_or(AppError::OrderNotFound(label.clone()))?;
    if o.state != OrderState::Open {
        return Err(AppError::OrderNotOpen(format!("{label} is {:?}", o.state)));
    }
    let price = m.price.as_ref().ok_or_else(|| AppError::InvalidBid("missing price".into()))?;
    if let Some(why) = crate::bme::act_denom_problem(state, &price.denom)? {
        return Err(AppError::BidPriceDenom(why));
    }
    if price.denom != o.denom {
        return Err(AppError::BidPriceDenom(format!(
            "bid in {} but the order prices in {}",
            price.denom, o.denom
        )));
    }
    let p = parse_dec18(&price.amount).map_err(AppError::InvalidBid)?;
    if p > o.max_price_atto {
        return Err(AppError::BidPriceTooHigh(format!(
            "{}{} > {}{}",
            fmt_dec18(p),
            o.denom,
            fmt_dec18(o.max_price_atto),
            o.denom
        )));
    }
    let bid = bid_id(&oid, &prov);
    if get_bid(state, &bid)?.is_some() {
        return Err(AppError::BidExists(format!("{label}/{prov}")));
    }
    let mp = params(state)?;
    if o.bids >= mp.order_max_bids {
        return Err(AppError::TooManyBids(format!(
            "order {label} already has {} bids (max {})",
            o.bids, mp.order_max_bids
        )));
    }
    let (ddenom, deposit) = parse_amount(&m.deposit, "deposit")?;
    let min = mp.bid_min_deposits.iter().find(|(d, _)| *d == ddenom).map(|(_, a)| *a).ok_or_else(
        || AppError::BidDepositTooLow(format!("deposit denom {ddenom} not accepted")),
    )?;
    if deposit < min {
        return Err(AppError::BidDepositTooLow(format!(
            "{deposit}{ddenom} below the minimum {min}{ddenom}"
        )));
    }
    let provider = provider::get_provider(state, &prov)?
        .ok_or_else(|| AppError::ProviderNotRegistered(prov.to_string()))?;
    let d = deployment::must_get(state, &owner, dseq)?;
    let g = d
        .groups
        .iter()
        .find(|g| g.gseq == gseq)
        .ok_or_else(|| AppError::GroupNotFound(label.clone()))?;
    check_placement(state, g, &provider)?;
    let window = (m.reclamation_window_s > 0).then_some(m.reclamation_window_s);
    match (o.reclamation_min_window_s, window) {
        (Some(min), None) => {
            return Err(AppError::InvalidBid(format!(
                "the deployment asks for a reclamation window of at least {min}s"
            )))
        }
        (Some(min), Some(w)) if w < min => {
            return Err(AppError::InvalidBid(format!(
                "reclamation window {w}s is below the deployment's minimum {min}s"
            )))
        }
        _ => {}
    }
    if let Some(w) = window {
        mp.check_reclamation_window(w, "reclamation window")?;
    }
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
    let sources = deployment::parse_sources(&m.deposit_sources)?;
    let funds = deployment::gather_deposit(
        state,
        &prov,
        &sources,
        &ddenom,
        deposit,
        ctx,
        crate::authz::DepositScope::Bid,
    )?;
    escrow::create_account_funded(
        state,
        &bid_escrow_id(&bid),
        format!("bid/{}", bid_label(&b)),
        &prov,
        &ddenom,
        funds,
        now,
        events,
    )?;
    write(state, pk(BID, &bid), &b)?;
    state.put(by_provider_key(&prov, &bid), Vec::new());
    o.bids += 1;
    // A lowest-price order whose window passed without bids: this block's end decides.
    if o.auction == AuctionKind::Lowest && now >= o.window_end {
        state.delete(due_key(o.window_end, DUE_AUCTION, &oid));
        o.window_end = now;
        state.put(due_key(now, DUE_AUCTION, &oid), Vec::new());
    }
    write(state, pk(ORDER, &oid), &o)?;
    events.push(
        bid_event("EventBidCreated", &b)
            .attr("price", format!("{}{}", fmt_dec18(p), b.denom))
            .attr("deposit", format!("{deposit}{ddenom}")),
    );
    Ok(())
}

//! Stateless checks of the market's messages (`MsgCreateBid`, `MsgCloseBid`,
//! `MsgCreateLease`, `MsgCloseLease`, `MsgWithdrawLease`, `MsgLeaseStartReclaim`) and the
//! parsing of their wire ids. No store access.

use dcloud_proto::dcloud::market as pb;
use dcloud_types::AccAddress;

use super::types::{bid_id, order_id};
use super::MarketError;
use crate::deployment::parse_amount;
use crate::escrow::parse_dec18;
use crate::parse_addr;
use crate::AppError;

/// The owner, dseq, gseq and oseq of a wire order id (present, all > 0).
pub(crate) fn parse_order_id(
    id: &Option<pb::OrderId>,
) -> Result<(AccAddress, u64, u32, u32), AppError> {
    let id = id.as_ref().ok_or_else(|| AppError::InvalidRequest("missing order id".into()))?;
    let owner = parse_addr(&id.owner, "order_id.owner")?;
    if id.dseq == 0 || id.gseq == 0 || id.oseq == 0 {
        return Err(AppError::InvalidRequest("dseq, gseq and oseq must be > 0".into()));
    }
    Ok((owner, id.dseq, id.gseq, id.oseq))
}

/// The binary bid id, owner and provider of a wire bid id (present, sequences > 0).
pub(crate) fn parse_bid_id(
    id: &Option<pb::BidId>,
) -> Result<(Vec<u8>, AccAddress, AccAddress), AppError> {
    let id = id.as_ref().ok_or_else(|| AppError::InvalidRequest("missing bid id".into()))?;
    let owner = parse_addr(&id.owner, "id.owner")?;
    let provider = parse_addr(&id.provider, "id.provider")?;
    if id.dseq == 0 || id.gseq == 0 || id.oseq == 0 {
        return Err(AppError::InvalidRequest("dseq, gseq and oseq must be > 0".into()));
    }
    let order = order_id(&owner, id.dseq, id.gseq, id.oseq);
    Ok((bid_id(&order, &provider), owner, provider))
}

/// Stateless checks of a market message.
pub fn validate_basic(msg: &dcloud_proto::Msg) -> Result<(), AppError> {
    use dcloud_proto::Msg;
    match msg {
        Msg::CreateBid(m) => validate_create_bid(m)?,
        Msg::CloseBid(m) => {
            parse_bid_id(&m.id)?;
            if m.reason.len() > 256 {
                return Err(AppError::InvalidRequest("close reason exceeds 256 bytes".into()));
            }
        }
        Msg::CreateLease(m) => {
            parse_bid_id(&m.bid_id)?;
        }
        Msg::CloseLease(m) => {
            parse_bid_id(&m.id)?;
        }
        Msg::WithdrawLease(m) => {
            parse_bid_id(&m.id)?;
        }
        Msg::LeaseStartReclaim(m) => {
            parse_bid_id(&m.id)?;
            if m.reason.len() > 256 {
                return Err(AppError::InvalidRequest("reclaim reason exceeds 256 bytes".into()));
            }
        }
        _ => {}
    }
    Ok(())
}

fn validate_create_bid(m: &pb::MsgCreateBid) -> Result<(), AppError> {
    let (owner, ..) = parse_order_id(&m.order_id)?;
    let provider = parse_addr(&m.provider, "provider")?;
    // A provider does not bid on its own deployment.
    if provider == owner {
        return Err(MarketError::InvalidBid("a provider cannot bid on its own order".into()).into());
    }
    let price = m.price.as_ref().ok_or_else(|| MarketError::InvalidBid("missing price".into()))?;
    let p = parse_dec18(&price.amount).map_err(MarketError::InvalidBid)?;
    if p == 0 {
        return Err(MarketError::InvalidBid("price is zero".into()).into());
    }
    parse_amount(&m.deposit, "deposit")?;
    Ok(())
}

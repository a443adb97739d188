//! `MsgSubmitPrice`: an authorised source records one observation.

use dcloud_proto::dcloud::oracle::MsgSubmitPrice;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::oracle::msg::{check_price, source, validate_submit};
use crate::oracle::state::{latest, params, put_entry};
use crate::oracle::{events as ev, OracleError, PriceEntry};
use crate::{AppError, BlockCtx};

/// Delivers `MsgSubmitPrice`.
pub fn deliver_submit(
    state: &mut dyn StateWrite,
    m: &MsgSubmitPrice,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    validate_submit(m)?;
    let source = source(m)?;
    let p = params(state)?;
    // The signer is an authorised source.
    if !p.is_source(&source) {
        return Err(
            OracleError::Unauthorized(format!("{source} is not an authorised source")).into()
        );
    }
    let price_atto = check_price(&m.price)?;
    // Simulation runs without a block time (0): then only the explicit timestamp is checked.
    let ts = if m.timestamp_ms != 0 { m.timestamp_ms } else { ctx.time_ms };
    // The timestamp is not too far ahead of the block time.
    if ctx.time_ms > 0 && ts > ctx.time_ms.saturating_add(p.max_future_time_drift_ms) {
        return Err(OracleError::PriceTimestamp(format!(
            "timestamp {ts} is more than {} ms ahead of the block time {}",
            p.max_future_time_drift_ms, ctx.time_ms
        ))
        .into());
    }
    if let Some(prev) = latest(state, &source)? {
        // One observation per source per block.
        if prev.height == ctx.height {
            return Err(OracleError::PriceTimestamp(format!(
                "{source} already submitted a price in block {}",
                ctx.height
            ))
            .into());
        }
        // Observations of a source go forward in time.
        if ts > 0 && ts < prev.timestamp_ms {
            return Err(OracleError::PriceTimestamp(format!(
                "timestamp {ts} is older than the source's latest {}",
                prev.timestamp_ms
            ))
            .into());
        }
    }
    let e = PriceEntry { source: source.clone(), price_atto, timestamp_ms: ts, height: ctx.height };
    put_entry(state, &e)?;
    events.push(ev::price_submitted(&source, price_atto, ts, ctx.height));
    Ok(())
}

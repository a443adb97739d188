//! `MsgMintAct`, `MsgBurnAct`, `MsgBurnMint`: queue a conversion through the vault.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Coin, Coins, Event, DENOM_ACT};

use crate::bme::events as ev;
use crate::bme::rules::{check_output, convert};
use crate::bme::state::{
    add, next_sequence, params, put_pending, put_status, put_totals, status, totals, vault_address,
};
use crate::bme::{BmeError, MintStatus, PendingRecord, RecordId};
use crate::{bank, oracle, AppError, BlockCtx};

/// Queues a conversion (RequestBurnMint): checks the circuit breaker and the oracle, previews
/// the output at the current price (refusing dust and outputs below `min_mint`), moves the
/// coins into the vault and stores the pending record.
pub fn request(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    owner: &AccAddress,
    to: &AccAddress,
    coin: &Coin,
    to_denom: &str,
    events: &mut Vec<Event>,
) -> Result<RecordId, AppError> {
    let p = params(state)?;
    let st = status(state)?;
    let is_burn = coin.denom == DENOM_ACT;
    if st.status >= MintStatus::HaltCr && !(st.status == MintStatus::HaltCr && is_burn) {
        return Err(AppError::from(BmeError::CircuitBreakerActive(format!(
            "status {} refuses {} -> {to_denom}",
            st.status, coin.denom
        ))));
    }
    let price = oracle::price(state)?;
    let (out, _) = convert(coin.amount, &coin.denom, price, &p)?;
    check_output(out, to_denom, &p)?;
    let sequence = next_sequence(state, ctx.height)?;
    // An idle schedule (its epoch already passed with nothing to do) restarts: the batch
    // runs one full epoch from now.
    let mut st = st;
    let epoch = if is_burn { p.min_epoch_blocks } else { st.epoch_height_diff };
    let next = if is_burn { &mut st.next_burn_epoch } else { &mut st.next_mint_epoch };
    if *next <= ctx.height {
        *next = ctx.height + epoch;
        put_status(state, &st)?;
    }
    let id = RecordId {
        denom: coin.denom.clone(),
        to_denom: to_denom.to_string(),
        source: owner.clone(),
        height: ctx.height,
        sequence,
    };
    bank::transfer(state, owner, &vault_address(), &Coins::one(coin.amount, &coin.denom), events)?;
    let mut t = totals(state)?;
    add(&mut t.pending, coin.amount, &coin.denom)?;
    put_totals(state, &t)?;
    let rec = PendingRecord {
        id: id.clone(),
        owner: owner.clone(),
        to: to.clone(),
        coins_to_burn: coin.clone(),
        denom_to_mint: to_denom.to_string(),
        attempts: 0,
    };
    put_pending(state, &rec)?;
    events.push(ev::burn_mint_requested(owner, to, coin, &id, out, price));
    Ok(id)
}

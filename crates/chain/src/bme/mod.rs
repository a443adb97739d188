//! The BME module (Burn-Mint Equilibrium, AEP-76): tenants convert AKT into ACT, the
//! USD-pegged compute credit, and providers convert ACT back into AKT, through the vault
//! (the `bme` module account) at the oracle price.
//!
//! Requests are queued at tx time (the coins move into the vault at once) and executed in
//! epochs by the end-block: burns every `min_epoch_blocks`, mints every `epoch_height_diff`
//! blocks (longer while the collateral ratio is in the warning band) and never while halted.
//!
//! **Amounts and rounding** (all `u128`, fixed point, 256-bit intermediate products):
//! * AKT→ACT: `out = floor(uakt × price / 10^18)`; ACT→AKT: `out = floor(uact × 10^18 / price)`;
//! * `spread = ceil(out × spread_bps / 10^4)`, the user receives `out − spread`.
//!
//! Every rounding goes against the requester, in the vault's favour.
//! * Collateral ratio in basis points: `floor((vault_uakt − pending_uakt) × price / 10^18 ×
//!   10^4 / supply_uact)`; no ACT outstanding = infinite (healthy).
//!
//! **Circuit breaker** (evaluated every end-block, after the oracle): price unavailable →
//! `halt_oracle`; `cr > warn` → `healthy`; `halt < cr ≤ warn` → `warning` (mint epoch backs
//! off: `min_epoch_blocks` grown by `epoch_blocks_backoff_percent` per 10 bp below `warn`,
//! compounded with floor at each step, capped at 14400); `cr ≤ halt` → `halt_cr`. Recovery
//! has a dead band (`recovery_band_bps`): warning → healthy only at `cr > warn + band`,
//! halt_cr → warning only at `cr > halt + band`. Mints are refused at tx time from
//! `halt_cr` on; burns stay allowed in `halt_cr`. While `act_market` is on, deployments and
//! bids are priced in uact (see [`act_denom_problem`]).
//!
//! State (one-byte prefixes `0x40`-`0x43`):
//! * `0x40 "status"` → [`BmeStatus`]; `0x40 "totals"` → [`Totals`]; `0x40 "seq"` → the
//!   request sequence of the current block (height, next);
//! * `0x41 ‖ dir ‖ height ‖ seq` → [`PendingRecord`] (dir 0 = mint uakt→uact, 1 = burn);
//! * `0x42 ‖ height ‖ seq` → [`LedgerRecord`] (executed); `0x43 ‖ height ‖ seq` →
//!   [`CanceledRecord`].
//!
//! Invariants: supply per denom = genesis supply + minted − burned; the vault holds exactly
//! `funded + pending + remint credits + spreads` of uakt and `funded + pending + spreads` of
//! uact; totals (minted, burned, credits, spreads, pending) equal the sums over the ledger
//! and the queue.

pub mod error;
pub mod params;
pub mod types;

#[cfg(feature = "state")]
mod keys;
#[cfg(feature = "state")]
mod module;
#[cfg(feature = "state")]
pub mod query;

pub use error::BmeError;
#[cfg(feature = "state")]
pub use module::BmeModule;
pub use params::BmeParams;
pub use types::{
    BmeStatus, CancelReason, CanceledRecord, LedgerRecord, MintStatus, PendingRecord, RecordId,
    Totals,
};

#[cfg(feature = "state")]
use keys::*;

use std::collections::BTreeMap;

use dcloud_proto::Msg;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coin, Coins, Event, DENOM_ACT, DENOM_AKT};
use serde::{Deserialize, Serialize};

use crate::dec::fmt_dec18;
use crate::{atomically, auth, bank, get_params, oracle, set_params, BlockCtx};
use crate::{parse_addr, AppError};
use dcloud_types::ATTO;

/// The module name.
pub const NAME: &str = "bme";
/// The vault: the module account holding collateral (minter and burner).
pub const VAULT: &str = "bme";
/// Upper bound of the backed-off mint epoch (blocks).
pub const MAX_EPOCH_BLOCKS: u64 = 14_400;

// ---------------------------------------------------------------------------------------
// Exact arithmetic.

/// `(floor(a × b / d), (a × b) mod d ≠ 0)` with a 256-bit product (the shared
/// [`dcloud_types::dec::mul_div`]; kept at this path for its callers).
pub use dcloud_types::dec::mul_div;

fn mul_div_floor(a: u128, b: u128, d: u128) -> Result<u128, AppError> {
    mul_div(a, b, d)
        .map(|(q, _)| q)
        .ok_or_else(|| AppError::InvalidCoins(format!("{a} × {b} / {d} overflows")))
}

fn mul_div_ceil(a: u128, b: u128, d: u128) -> Result<u128, AppError> {
    let (q, rem) = mul_div(a, b, d)
        .ok_or_else(|| AppError::InvalidCoins(format!("{a} × {b} / {d} overflows")))?;
    Ok(q + u128::from(rem))
}

/// The conversion of `amount` of `from` at `price` (atto-USD per AKT): `(out, spread)`.
pub fn convert(
    amount: u128,
    from: &str,
    price_atto: u128,
    p: &BmeParams,
) -> Result<(u128, u128), AppError> {
    if price_atto == 0 {
        return Err(crate::oracle::OracleError::PriceUnavailable("zero price".into()).into());
    }
    let (out, spread_bps) = match from {
        DENOM_AKT => (mul_div_floor(amount, price_atto, ATTO)?, p.mint_spread_bps),
        DENOM_ACT => (mul_div_floor(amount, ATTO, price_atto)?, p.settle_spread_bps),
        other => {
            return Err(AppError::from(BmeError::InvalidDenom(format!(
                "invalid swap route from {other}"
            ))))
        }
    };
    let spread = mul_div_ceil(out, u128::from(spread_bps), 10_000)?;
    Ok((out, spread))
}

/// The mint epoch length at CR `cr_bps` in the warning band.
pub fn backoff(p: &BmeParams, cr_bps: u128) -> u64 {
    let below = u128::from(p.circuit_breaker_warn_threshold).saturating_sub(cr_bps);
    let steps = below / 10;
    let mut v = u128::from(p.min_epoch_blocks);
    let cap = u128::from(MAX_EPOCH_BLOCKS);
    for _ in 0..steps {
        if v >= cap {
            break;
        }
        v = v * u128::from(100 + p.epoch_blocks_backoff_percent) / 100;
    }
    u64::try_from(v.min(cap)).unwrap_or(MAX_EPOCH_BLOCKS).max(p.min_epoch_blocks)
}

// ---------------------------------------------------------------------------------------
// State access.

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::ChainState(format!("corrupt bme {what}: {e}"))
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

fn get_json<T: serde::de::DeserializeOwned>(
    state: &dyn StateRead,
    key: &[u8],
    what: &str,
) -> Result<Option<T>, AppError> {
    match state.get(key)? {
        Some(b) => serde_json::from_slice(&b).map(Some).map_err(|e| corrupt(what, e)),
        None => Ok(None),
    }
}

/// The vault address.
pub fn vault_address() -> AccAddress {
    auth::module_address(VAULT)
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<BmeParams, AppError> {
    get_params(state, NAME)
}

/// On an ACT market ([`BmeParams::act_market`]), why `denom` cannot price or fund a
/// deployment or price a bid; None when it can.
pub fn act_denom_problem(state: &dyn StateRead, denom: &str) -> Result<Option<String>, AppError> {
    if denom == DENOM_ACT || !params(state)?.act_market {
        return Ok(None);
    }
    Ok(Some(format!(
        "denom {denom} is not accepted: the market runs on ACT since the BME, so deployments and \
         bids are priced and funded in {DENOM_ACT}; mint ACT from AKT with \
         `dcloud tx bme mint-act <amount>{DENOM_AKT}`"
    )))
}

/// Status and epoch schedule.
pub fn status(state: &dyn StateRead) -> Result<BmeStatus, AppError> {
    get_json(state, STATUS_KEY, "status")?
        .ok_or_else(|| AppError::ChainState("bme status missing (no genesis?)".into()))
}

fn put_status(state: &mut dyn StateWrite, s: &BmeStatus) -> Result<(), AppError> {
    state.put(STATUS_KEY.to_vec(), to_json(s)?);
    Ok(())
}

/// Running totals.
pub fn totals(state: &dyn StateRead) -> Result<Totals, AppError> {
    Ok(get_json(state, TOTALS_KEY, "totals")?.unwrap_or_default())
}

fn put_totals(state: &mut dyn StateWrite, t: &Totals) -> Result<(), AppError> {
    state.put(TOTALS_KEY.to_vec(), to_json(t)?);
    Ok(())
}

fn add(c: &mut Coins, amount: u128, denom: &str) -> Result<(), AppError> {
    if amount > 0 {
        *c = c.checked_add(&Coins::one(amount, denom))?;
    }
    Ok(())
}

fn sub(c: &mut Coins, amount: u128, denom: &str, what: &str) -> Result<(), AppError> {
    if amount > 0 {
        *c = c
            .checked_sub(&Coins::one(amount, denom))
            .map_err(|_| AppError::Invariant(format!("bme {what} of {denom} would go negative")))?;
    }
    Ok(())
}

fn scan<T: serde::de::DeserializeOwned>(
    state: &dyn StateRead,
    prefix: &[u8],
    limit: usize,
    what: &str,
) -> Result<Vec<T>, AppError> {
    state
        .prefix_range(prefix, None, limit)?
        .into_iter()
        .map(|(_, v)| serde_json::from_slice(&v).map_err(|e| corrupt(what, e)))
        .collect()
}

/// Queued requests of one direction (`from` = burned denom), oldest first, at most `limit`.
pub fn pending(
    state: &dyn StateRead,
    from: &str,
    limit: usize,
) -> Result<Vec<PendingRecord>, AppError> {
    scan(state, &[PENDING, dir(from)], limit, "pending record")
}

/// Executed records, oldest first.
pub fn ledger(state: &dyn StateRead, limit: usize) -> Result<Vec<LedgerRecord>, AppError> {
    scan(state, &[LEDGER], limit, "ledger record")
}

/// Cancelled records, oldest first.
pub fn canceled(state: &dyn StateRead, limit: usize) -> Result<Vec<CanceledRecord>, AppError> {
    scan(state, &[CANCELED], limit, "canceled record")
}

fn next_sequence(state: &mut dyn StateWrite, height: u64) -> Result<u64, AppError> {
    let (h, n): (u64, u64) = get_json(state, SEQ_KEY, "sequence")?.unwrap_or((0, 0));
    let seq = if h == height { n } else { 0 };
    state.put(SEQ_KEY.to_vec(), to_json(&(height, seq + 1))?);
    Ok(seq)
}

/// Collateral ratio in bp at `price`; None when no ACT is outstanding (infinite).
pub fn collateral_ratio(state: &dyn StateRead, price_atto: u128) -> Result<Option<u128>, AppError> {
    let t = totals(state)?;
    let vault = bank::balance(state, &vault_address(), DENOM_AKT)?;
    let net = vault.checked_sub(t.pending.amount_of(DENOM_AKT)).ok_or_else(|| {
        AppError::Invariant("bme vault holds less uakt than its pending mints".into())
    })?;
    let supply = bank::supply_of(state, DENOM_ACT)?;
    if supply == 0 {
        return Ok(None);
    }
    let value = mul_div_floor(net, price_atto, ATTO)?;
    Ok(Some(mul_div_floor(value, 10_000, supply)?))
}

/// The status at CR `cr` coming from `current`, with the epoch length it implies (None:
/// unchanged). Worsening happens at the thresholds (`cr ≤ warn` → warning, `cr ≤ halt` →
/// halt_cr); improving from warning or halt_cr needs the CR above the threshold plus
/// `recovery_band_bps` (healthy above `warn + band`, warning above `halt + band`), else the
/// status stays. From halt_oracle or unspecified (no CR before) the thresholds apply as is.
pub fn evaluate(p: &BmeParams, current: MintStatus, cr: Option<u128>) -> (MintStatus, Option<u64>) {
    let (w, h) = (
        u128::from(p.circuit_breaker_warn_threshold),
        u128::from(p.circuit_breaker_halt_threshold),
    );
    let band = match current {
        MintStatus::Warning | MintStatus::HaltCr => u128::from(p.recovery_band_bps),
        _ => 0,
    };
    let healthy = (MintStatus::Healthy, Some(p.min_epoch_blocks));
    let Some(c) = cr else { return healthy };
    let raw = if c > w {
        healthy
    } else if c > h {
        (MintStatus::Warning, Some(backoff(p, c)))
    } else {
        (MintStatus::HaltCr, None)
    };
    if raw.0 >= current || band == 0 {
        return raw;
    }
    // Improving: only as far as the band allows.
    if c > w.saturating_add(band) {
        healthy
    } else if current == MintStatus::Warning || c > h.saturating_add(band) {
        // Warning stays; halt_cr recovers to warning.
        (MintStatus::Warning, Some(backoff(p, c)))
    } else {
        (MintStatus::HaltCr, None)
    }
}

/// Re-evaluates the circuit breaker; emits `EventMintStatusChange` on a change.
fn reevaluate(
    state: &dyn StateRead,
    p: &BmeParams,
    st: &mut BmeStatus,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (new, diff, cr) = match oracle::price(state) {
        Ok(price) => {
            let cr = collateral_ratio(state, price)?;
            let (s, d) = evaluate(p, st.status, cr);
            (s, d, cr)
        }
        Err(AppError::Oracle(crate::oracle::OracleError::PriceUnavailable(_))) => {
            (MintStatus::HaltOracle, None, None)
        }
        Err(e) => return Err(e),
    };
    st.collateral_ratio_bps = cr;
    if let Some(d) = diff {
        st.epoch_height_diff = d;
    }
    if new != st.status {
        events.push(
            Event::new("EventMintStatusChange")
                .attr("module", NAME)
                .attr("previous", st.status)
                .attr("new", new)
                .attr(
                    "collateral_ratio",
                    // No price: the CR is unknown, not infinite.
                    if new == MintStatus::HaltOracle { "unknown".into() } else { fmt_cr(cr) },
                )
                .attr("height", height),
        );
        st.previous_status = st.status;
        st.status = new;
    }
    Ok(())
}

/// A collateral ratio in bp as a decimal (`"0.9512"`), or `"inf"`.
pub fn fmt_cr(cr: Option<u128>) -> String {
    match cr {
        Some(c) => format!("{}.{:04}", c / 10_000, c % 10_000),
        None => "inf".into(),
    }
}

// ---------------------------------------------------------------------------------------
// Messages.

fn parse_coin(c: &Option<dcloud_proto::dcloud::bme::Coin>, field: &str) -> Result<Coin, AppError> {
    let c = c.as_ref().ok_or_else(|| AppError::InvalidCoins(format!("{field} is missing")))?;
    if c.amount.starts_with('-') {
        return Err(AppError::InvalidCoins(format!(
            "{field}: negative amount {}{}",
            c.amount, c.denom
        )));
    }
    let amount: u128 = c.amount.parse().map_err(|_| {
        AppError::InvalidCoins(format!("{field}: malformed amount {:?}{}", c.amount, c.denom))
    })?;
    dcloud_types::coin::validate_denom(&c.denom)
        .map_err(|e| AppError::InvalidCoins(format!("{field}: {e}")))?;
    if amount == 0 {
        return Err(AppError::InvalidCoins(format!("{field}: amount must be positive")));
    }
    Ok(Coin::new(amount, c.denom.clone()))
}

/// A request in its common form: (owner, to, coins to burn, denom to mint).
type Request = (AccAddress, AccAddress, Coin, String);

fn request_of(msg: &Msg) -> Result<Option<Request>, AppError> {
    let (owner, to, coin, to_denom) = match msg {
        Msg::MintAct(m) => (&m.owner, &m.to, &m.coins_to_burn, DENOM_ACT.to_string()),
        Msg::BurnAct(m) => (&m.owner, &m.to, &m.coins_to_burn, DENOM_AKT.to_string()),
        Msg::BurnMint(m) => (&m.owner, &m.to, &m.coins_to_burn, m.denom_to_mint.clone()),
        _ => return Ok(None),
    };
    let owner = parse_addr(owner, "owner")?;
    let to = parse_addr(to, "to")?;
    let coin = parse_coin(coin, "coins_to_burn")?;
    let route_ok = matches!(
        (coin.denom.as_str(), to_denom.as_str()),
        (DENOM_AKT, DENOM_ACT) | (DENOM_ACT, DENOM_AKT)
    );
    if !route_ok {
        return Err(AppError::from(BmeError::InvalidDenom(format!(
            "invalid swap route {} -> {to_denom}",
            coin.denom
        ))));
    }
    if to != owner {
        return Err(AppError::Unauthorized(format!("recipient {to} must be the owner {owner}")));
    }
    Ok(Some((owner, to, coin, to_denom)))
}

/// Stateless checks of the BME messages.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    if let Msg::FundVault(m) = msg {
        parse_addr(&m.authority, "authority")?;
        parse_addr(&m.source, "source")?;
        let c = parse_coin(&m.amount, "amount")?;
        if c.denom != DENOM_AKT {
            return Err(AppError::InvalidCoins(format!(
                "the vault is funded in {DENOM_AKT}, not {}",
                c.denom
            )));
        }
        return Ok(());
    }
    request_of(msg).map(|_| ())
}

/// Delivers a BME message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if let Msg::FundVault(m) = msg {
        return fund_vault(state, m, events);
    }
    let (owner, to, coin, to_denom) = request_of(msg)?.ok_or_else(|| {
        AppError::UnknownRequest(format!("{} is not a bme message", msg.type_url()))
    })?;
    request(state, ctx, &owner, &to, &coin, &to_denom, events).map(|_| ())
}

fn fund_vault(
    state: &mut dyn StateWrite,
    m: &dcloud_proto::dcloud::bme::MsgFundVault,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = params(state)?;
    let authority = parse_addr(&m.authority, "authority")?;
    if p.authority.is_empty() || p.authority.parse::<AccAddress>().ok().as_ref() != Some(&authority)
    {
        return Err(AppError::Unauthorized(format!("{authority} is not the bme authority")));
    }
    let source = parse_addr(&m.source, "source")?;
    if auth::is_module_address(&source) {
        return Err(AppError::Unauthorized(format!("source {source} is a module account")));
    }
    if source != authority {
        return Err(AppError::Unauthorized(format!(
            "source {source} must be the authority's own account"
        )));
    }
    let coin = parse_coin(&m.amount, "amount")?;
    if coin.denom != DENOM_AKT {
        return Err(AppError::InvalidCoins(format!("the vault is funded in {DENOM_AKT}")));
    }
    bank::transfer(state, &source, &vault_address(), &Coins::one(coin.amount, DENOM_AKT), events)?;
    let mut t = totals(state)?;
    add(&mut t.vault_funded, coin.amount, DENOM_AKT)?;
    put_totals(state, &t)?;
    events.push(
        Event::new("EventVaultFunded")
            .attr("module", NAME)
            .attr("authority", &authority)
            .attr("source", &source)
            .attr("amount", &coin),
    );
    Ok(())
}

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
    state.put(pending_key(&id), to_json(&rec)?);
    events.push(
        Event::new("EventBurnMintRequested")
            .attr("module", NAME)
            .attr("owner", owner)
            .attr("to", to)
            .attr("coins_to_burn", coin)
            .attr("denom_to_mint", to_denom)
            .attr("height", id.height)
            .attr("sequence", id.sequence)
            .attr("estimated_out", format!("{out}{to_denom}"))
            .attr("price", fmt_dec18(price)),
    );
    Ok(id)
}

fn check_output(out: u128, to_denom: &str, p: &BmeParams) -> Result<(), AppError> {
    if out == 0 {
        return Err(AppError::from(BmeError::ConversionEpsilon(format!(
            "the output rounds to 0{to_denom}"
        ))));
    }
    let min = p.min_mint_of(to_denom);
    if out < min {
        return Err(AppError::from(BmeError::BelowMinimumMint(format!(
            "output {out}{to_denom} is below the minimum {min}{to_denom}"
        ))));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// End-block.

fn classify(e: &AppError, is_mint: bool) -> (CancelReason, bool) {
    match e {
        AppError::Bme(BmeError::ConversionEpsilon(_)) => (CancelReason::Epsilon, true),
        AppError::Bme(BmeError::BelowMinimumMint(_)) => (CancelReason::MinimumMint, true),
        AppError::Bme(BmeError::InvalidDenom(_)) => (CancelReason::InvalidDenom, true),
        AppError::InvalidCoins(_) => (CancelReason::InvalidAmount, true),
        AppError::Oracle(crate::oracle::OracleError::PriceUnavailable(_)) => {
            (CancelReason::ZeroPrice, false)
        }
        AppError::InsufficientFunds(_) => (CancelReason::InsufficientFunds, false),
        _ if is_mint => (CancelReason::MintFailed, false),
        _ => (CancelReason::BurnFailed, false),
    }
}

/// Executes one pending record at `price`; all-or-nothing (run inside `atomically`).
fn execute(
    state: &mut dyn StateWrite,
    rec: &PendingRecord,
    price: u128,
    p: &BmeParams,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let a = rec.coins_to_burn.amount;
    let from = rec.coins_to_burn.denom.as_str();
    let to_denom = rec.denom_to_mint.as_str();
    let (out, spread) = convert(a, from, price, p)?;
    check_output(out, to_denom, p)?;
    let paid = out - spread;
    let vault = vault_address();
    let mut t = totals(state)?;
    sub(&mut t.pending, a, from, "pending")?;
    let (credit_accrued, credit_issued, bank_minted, bank_burned);
    if from == DENOM_AKT {
        // AKT stays in the vault as collateral and becomes remint credit; ACT is minted.
        bank::mint(state, VAULT, &Coins::one(out, DENOM_ACT), events)?;
        add(&mut t.total_minted, out, DENOM_ACT)?;
        add(&mut t.remint_credits, a, DENOM_AKT)?;
        (credit_accrued, credit_issued) = (a, 0);
        bank_minted = Coin::new(out, DENOM_ACT);
        bank_burned = Coin::new(0, DENOM_AKT);
    } else {
        let supply = bank::supply_of(state, DENOM_ACT)?;
        if a > supply {
            return Err(AppError::InsufficientFunds(format!(
                "burn of {a}uact exceeds the supply {supply}"
            )));
        }
        bank::burn(state, VAULT, &Coins::one(a, DENOM_ACT), events)?;
        add(&mut t.total_burned, a, DENOM_ACT)?;
        let remint = out.min(t.remint_credits.amount_of(DENOM_AKT));
        sub(&mut t.remint_credits, remint, DENOM_AKT, "remint credits")?;
        let fresh = out - remint;
        if fresh > 0 {
            bank::mint(state, VAULT, &Coins::one(fresh, DENOM_AKT), events)?;
            add(&mut t.total_minted, fresh, DENOM_AKT)?;
        }
        (credit_accrued, credit_issued) = (0, remint);
        bank_minted = Coin::new(fresh, DENOM_AKT);
        bank_burned = Coin::new(a, DENOM_ACT);
    }
    if paid > 0 {
        bank::transfer(state, &vault, &rec.to, &Coins::one(paid, to_denom), events)?;
    }
    add(&mut t.spread_collected, spread, to_denom)?;
    put_totals(state, &t)?;
    let lr = LedgerRecord {
        id: rec.id.clone(),
        owner: rec.owner.clone(),
        to: rec.to.clone(),
        burned: rec.coins_to_burn.clone(),
        minted: Coin::new(out, to_denom),
        paid: Coin::new(paid, to_denom),
        spread: Coin::new(spread, to_denom),
        price: fmt_dec18(price),
        remint_credit_accrued: credit_accrued,
        remint_credit_issued: credit_issued,
        bank_minted,
        bank_burned,
        executed_height: height,
    };
    state.delete(pending_key(&rec.id));
    state.put(record_key(LEDGER, &rec.id), to_json(&lr)?);
    events.push(
        Event::new("EventLedgerRecordExecuted")
            .attr("module", NAME)
            .attr("owner", &rec.owner)
            .attr("to", &rec.to)
            .attr("burned", &rec.coins_to_burn)
            .attr("minted", &lr.minted)
            .attr("paid", &lr.paid)
            .attr("spread", &lr.spread)
            .attr("price", &lr.price)
            .attr("remint_credit_accrued", credit_accrued)
            .attr("remint_credit_issued", credit_issued)
            .attr("request_height", rec.id.height)
            .attr("sequence", rec.id.sequence),
    );
    Ok(())
}

/// Cancels a pending record: refunds its coins, stores the cancelled record.
fn cancel(
    state: &mut dyn StateWrite,
    rec: &PendingRecord,
    reason: CancelReason,
    error: &str,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let c = &rec.coins_to_burn;
    bank::transfer(state, &vault_address(), &rec.owner, &Coins::one(c.amount, &c.denom), events)?;
    let mut t = totals(state)?;
    sub(&mut t.pending, c.amount, &c.denom, "pending")?;
    put_totals(state, &t)?;
    let cr = CanceledRecord {
        id: rec.id.clone(),
        owner: rec.owner.clone(),
        to: rec.to.clone(),
        coins_to_burn: c.clone(),
        denom_to_mint: rec.denom_to_mint.clone(),
        cancel_reason: reason,
        error: error.to_string(),
        attempts: rec.attempts,
        canceled_height: height,
    };
    state.delete(pending_key(&rec.id));
    state.put(record_key(CANCELED, &rec.id), to_json(&cr)?);
    events.push(
        Event::new("EventLedgerRecordCanceled")
            .attr("module", NAME)
            .attr("owner", &rec.owner)
            .attr("coins_to_burn", c)
            .attr("denom_to_mint", &rec.denom_to_mint)
            .attr(
                "reason",
                serde_json::to_value(reason)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
            )
            .attr("error", error)
            .attr("request_height", rec.id.height)
            .attr("sequence", rec.id.sequence),
    );
    Ok(())
}

/// Processes up to `max_endblocker_records` pending records of one direction. For mints,
/// stops early when the circuit breaker trips to `halt_cr` (re-evaluated after each record).
fn process(
    state: &mut dyn StateWrite,
    from: &str,
    p: &BmeParams,
    st: &mut BmeStatus,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let limit = usize::try_from(p.max_endblocker_records).unwrap_or(usize::MAX);
    let is_mint = from == DENOM_AKT;
    for mut rec in pending(state, from, limit)? {
        let price = oracle::price(state);
        let r = match price {
            Ok(price) => atomically(state, events, |s, ev| execute(s, &rec, price, p, height, ev)),
            Err(e) => Err(e),
        };
        match r {
            Ok(()) => {}
            Err(e @ AppError::Store(_)) => return Err(e),
            Err(e) => {
                let (reason, fatal) = classify(&e, is_mint);
                rec.attempts += 1;
                if fatal || rec.attempts >= p.max_pending_attempts {
                    let reason = if fatal { reason } else { CancelReason::MaxAttempts };
                    let msg = e.to_string();
                    let r = atomically(state, events, |s, ev| {
                        cancel(s, &rec, reason, &msg, height, ev)
                    });
                    crate::skip_or_halt(r, "bme cancel", events)?;
                } else {
                    state.put(pending_key(&rec.id), to_json(&rec)?);
                    events.push(
                        Event::new("EventLedgerRecordRetry")
                            .attr("module", NAME)
                            .attr("owner", &rec.owner)
                            .attr("attempts", rec.attempts)
                            .attr("error", &e)
                            .attr("request_height", rec.id.height)
                            .attr("sequence", rec.id.sequence),
                    );
                }
            }
        }
        if is_mint {
            reevaluate(state, p, st, height, events)?;
            if st.status >= MintStatus::HaltCr {
                break;
            }
        }
    }
    Ok(())
}

/// End-block: evaluates the circuit breaker, runs the burn batch when due, and the mint
/// batch when due and not halted.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = params(state)?;
    let mut st = status(state)?;
    let before = st.clone();
    let was = st.status;
    reevaluate(state, &p, &mut st, ctx.height, events)?;
    let h = ctx.height;
    // A batch runs when due and there is work; an idle schedule restarts at the next
    // request (see [`request`]), so an idle chain writes nothing.
    if st.next_burn_epoch <= h && !pending(state, DENOM_ACT, 1)?.is_empty() {
        st.next_burn_epoch = h + p.min_epoch_blocks;
        process(state, DENOM_ACT, &p, &mut st, h, events)?;
    }
    if st.status <= MintStatus::Warning {
        if was >= MintStatus::HaltCr {
            // Just recovered from a halt: the next batch waits a full epoch.
            st.next_mint_epoch = h + st.epoch_height_diff;
        } else if st.next_mint_epoch <= h && !pending(state, DENOM_AKT, 1)?.is_empty() {
            st.next_mint_epoch = h + st.epoch_height_diff;
            process(state, DENOM_AKT, &p, &mut st, h, events)?;
        }
    }
    if st != before {
        put_status(state, &st)?;
    }
    Ok(())
}

/// Writes genesis: params, the totals baseline (bank supply and vault balance) and the
/// status (from `halt_cr`, evaluated once; epochs at `min_epoch_blocks`). Runs after the
/// bank's and the oracle's genesis.
pub fn init_genesis(state: &mut dyn StateWrite, p: &BmeParams) -> Result<(), AppError> {
    set_params(state, NAME, p)?;
    let mut t = Totals::default();
    for d in [DENOM_AKT, DENOM_ACT] {
        add(&mut t.genesis_supply, bank::supply_of(state, d)?, d)?;
        add(&mut t.vault_funded, bank::balance(state, &vault_address(), d)?, d)?;
    }
    put_totals(state, &t)?;
    let mut st = BmeStatus {
        status: MintStatus::Unspecified,
        previous_status: MintStatus::Unspecified,
        epoch_height_diff: p.min_epoch_blocks,
        next_mint_epoch: p.min_epoch_blocks,
        next_burn_epoch: p.min_epoch_blocks,
        collateral_ratio_bps: None,
    };
    // Evaluated once at genesis (after the oracle's genesis; the thresholds without the
    // recovery band), so an idle chain's first blocks change nothing; a genesis with a
    // price and no ACT starts healthy. The status before it counts as halt_cr.
    reevaluate(state, p, &mut st, 0, &mut Vec::new())?;
    st.previous_status =
        if st.status == MintStatus::HaltCr { MintStatus::Unspecified } else { MintStatus::HaltCr };
    put_status(state, &st)
}

// ---------------------------------------------------------------------------------------
// Queries.

/// The `bme/vault-state` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultState {
    /// The vault's balances.
    pub vault: Coins,
    /// ACT outside the vault: supply − the vault's own uact.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub outstanding_act: u128,
    /// Coins minted by BME.
    pub total_minted: Coins,
    /// Coins burned by BME.
    pub total_burned: Coins,
    /// Remint credits.
    pub remint_credits: Coins,
    /// Coins of queued requests.
    pub pending: Coins,
    /// Spreads kept.
    pub spread_collected: Coins,
    /// Collateral without credits (genesis vault + `MsgFundVault`).
    pub vault_funded: Coins,
}

/// Builds the vault state.
pub fn vault_state(state: &dyn StateRead) -> Result<VaultState, AppError> {
    let t = totals(state)?;
    let vault = bank::balances(state, &vault_address())?;
    let outstanding = bank::supply_of(state, DENOM_ACT)?.saturating_sub(vault.amount_of(DENOM_ACT));
    Ok(VaultState {
        vault,
        outstanding_act: outstanding,
        total_minted: t.total_minted,
        total_burned: t.total_burned,
        remint_credits: t.remint_credits,
        pending: t.pending,
        spread_collected: t.spread_collected,
        vault_funded: t.vault_funded,
    })
}

/// The `bme/status` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusView {
    /// Status.
    pub status: MintStatus,
    /// Previous status.
    pub previous_status: MintStatus,
    /// Collateral ratio as a decimal (`"inf"` without ACT outstanding, `"unknown"` without price).
    pub collateral_ratio: String,
    /// Whether mints are accepted.
    pub mints_allowed: bool,
    /// Whether burns (refunds into AKT) are accepted.
    pub refunds_allowed: bool,
    /// Current mint epoch length.
    pub epoch_height_diff: u64,
    /// Next mint batch.
    pub next_mint_epoch: u64,
    /// Next burn batch.
    pub next_burn_epoch: u64,
}

/// Builds the status view.
pub fn status_view(state: &dyn StateRead) -> Result<StatusView, AppError> {
    let s = status(state)?;
    let cr = if s.status == MintStatus::HaltOracle {
        "unknown".into()
    } else {
        fmt_cr(s.collateral_ratio_bps)
    };
    Ok(StatusView {
        status: s.status,
        previous_status: s.previous_status,
        collateral_ratio: cr,
        mints_allowed: s.status < MintStatus::HaltCr,
        refunds_allowed: s.status < MintStatus::HaltOracle,
        epoch_height_diff: s.epoch_height_diff,
        next_mint_epoch: s.next_mint_epoch,
        next_burn_epoch: s.next_burn_epoch,
    })
}

// ---------------------------------------------------------------------------------------
// Invariants.

fn inv(msg: String) -> AppError {
    AppError::Invariant(format!("bme: {msg}"))
}

/// Checks supply, vault and ledger reconciliation (see the module docs).
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    if state.get(STATUS_KEY)?.is_none() {
        return Ok(()); // before genesis
    }
    let t = totals(state)?;
    // Supply per denom = genesis + minted − burned.
    for d in [DENOM_AKT, DENOM_ACT] {
        // The mint module's inflation is the only other source of new uakt; gov burns
        // deposits, slashing burns stake.
        let (inflation, gov_burned) = if d == DENOM_AKT {
            let burned = super::gov::total_burned(state)?;
            (
                super::mint::total_minted(state)?,
                super::dec::add(burned, super::staking::total_slashed(state)?)?,
            )
        } else {
            (0, 0)
        };
        let want = t
            .genesis_supply
            .amount_of(d)
            .checked_add(t.total_minted.amount_of(d))
            .and_then(|v| v.checked_add(inflation))
            .and_then(|v| v.checked_sub(t.total_burned.amount_of(d)))
            .and_then(|v| v.checked_sub(gov_burned))
            .ok_or_else(|| inv(format!("supply of {d} under/overflows")))?;
        let have = bank::supply_of(state, d)?;
        if have != want {
            return Err(inv(format!(
                "supply of {d} is {have}, expected genesis + minted − burned = {want}"
            )));
        }
    }
    // The vault holds exactly funded + pending + credits + spreads.
    let vault = bank::balances(state, &vault_address())?;
    for d in [DENOM_AKT, DENOM_ACT] {
        let want = [&t.vault_funded, &t.pending, &t.remint_credits, &t.spread_collected]
            .iter()
            .map(|c| c.amount_of(d))
            .try_fold(0u128, u128::checked_add)
            .ok_or_else(|| inv("vault total overflows".into()))?;
        if vault.amount_of(d) != want {
            return Err(inv(format!(
                "vault holds {}{d}, expected funded + pending + credits + spreads = {want}",
                vault.amount_of(d)
            )));
        }
    }
    // Queue and ledger reconcile with the totals.
    let mut pend: BTreeMap<String, u128> = BTreeMap::new();
    for from in [DENOM_AKT, DENOM_ACT] {
        for r in pending(state, from, usize::MAX)? {
            if r.coins_to_burn.denom != from || r.owner != r.to {
                return Err(inv(format!("malformed pending record {:?}", r.id)));
            }
            *pend.entry(from.into()).or_default() += r.coins_to_burn.amount;
        }
    }
    let mut minted: BTreeMap<String, u128> = BTreeMap::new();
    let mut burned: BTreeMap<String, u128> = BTreeMap::new();
    let mut spreads: BTreeMap<String, u128> = BTreeMap::new();
    let (mut accrued, mut issued) = (0u128, 0u128);
    for r in ledger(state, usize::MAX)? {
        if r.paid.amount + r.spread.amount != r.minted.amount {
            return Err(inv(format!("ledger record {:?}: paid + spread ≠ minted", r.id)));
        }
        *minted.entry(r.bank_minted.denom.clone()).or_default() += r.bank_minted.amount;
        *burned.entry(r.bank_burned.denom.clone()).or_default() += r.bank_burned.amount;
        *spreads.entry(r.spread.denom.clone()).or_default() += r.spread.amount;
        accrued += r.remint_credit_accrued;
        issued += r.remint_credit_issued;
    }
    for d in [DENOM_AKT, DENOM_ACT] {
        let checks = [
            ("pending", t.pending.amount_of(d), pend.get(d).copied().unwrap_or(0)),
            ("total_minted", t.total_minted.amount_of(d), minted.get(d).copied().unwrap_or(0)),
            ("total_burned", t.total_burned.amount_of(d), burned.get(d).copied().unwrap_or(0)),
            (
                "spread_collected",
                t.spread_collected.amount_of(d),
                spreads.get(d).copied().unwrap_or(0),
            ),
        ];
        for (what, total, from_ledger) in checks {
            if total != from_ledger {
                return Err(inv(format!(
                    "{what} of {d} is {total} but the ledger says {from_ledger}"
                )));
            }
        }
    }
    let credits = accrued
        .checked_sub(issued)
        .ok_or_else(|| inv("more credits issued than accrued".into()))?;
    if t.remint_credits.amount_of(DENOM_AKT) != credits
        || t.remint_credits.amount_of(DENOM_ACT) != 0
    {
        return Err(inv(format!(
            "remint credits {} ≠ accrued − issued = {credits}",
            t.remint_credits
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_div_is_exact_with_wide_products() {
        assert_eq!(mul_div(7, 3, 2), Some((10, true)));
        assert_eq!(mul_div(6, 3, 2), Some((9, false)));
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), Some((u128::MAX, false)));
        assert_eq!(mul_div(u128::MAX, 2, 4), Some((u128::MAX / 2, true)));
        assert_eq!(mul_div(u128::MAX, 2, 1), None);
        assert_eq!(mul_div(1, 1, 0), None);
        let (a, b, d) = (123_456_789_012_345_678_901u128, 987_654_321_098_765_432_109u128, ATTO);
        // Cross-check against splitting b.
        let (q, _) = mul_div(a, b, d).unwrap();
        let q2 = mul_div(a, b / 1000, d).unwrap().0 * 1000;
        assert!(q >= q2 && q - q2 < a * 1000 / d + 1000, "{q} {q2}");
        for (x, y, z) in [(10u128, 20u128, 3u128), (99, 1, 7), (1 << 100, 1 << 20, 1 << 60)] {
            assert_eq!(mul_div(x, y, z).unwrap().0, x * y / z);
        }
    }

    #[test]
    fn conversions_round_against_the_requester() {
        let p = BmeParams::default();
        // 100 AKT at $0.4625: 46.25 ACT, spread 25 bp = 0.115625 ACT.
        let (out, spread) = convert(100_000_000, DENOM_AKT, 4_625 * ATTO / 10_000, &p).unwrap();
        assert_eq!((out, spread), (46_250_000, 115_625));
        // Spread rounds up: 1001 × 25 / 10000 = 2.5025 → 3.
        assert_eq!(convert(1_001, DENOM_AKT, ATTO, &p).unwrap(), (1_001, 3));
        // ACT → AKT at $3: 10 uact → 3 uakt (floor of 3.33).
        assert_eq!(convert(10, DENOM_ACT, 3 * ATTO, &p).unwrap(), (3, 0));
        assert!(convert(1, DENOM_ACT, 0, &p).is_err());
    }

    #[test]
    fn the_status_worsens_at_the_thresholds_and_improves_only_past_the_band() {
        use MintStatus::*;
        let p = BmeParams::default(); // warn 9500, halt 9000, band 100
        let s = |cur, cr: u128| evaluate(&p, cur, Some(cr)).0;
        // Worsening: at the thresholds, whatever the band.
        assert_eq!(s(Healthy, 9_501), Healthy);
        assert_eq!(s(Healthy, 9_500), Warning);
        assert_eq!(s(Healthy, 9_000), HaltCr);
        assert_eq!(s(Warning, 9_000), HaltCr);
        // Improving: above threshold + band.
        assert_eq!(s(Warning, 9_501), Warning);
        assert_eq!(s(Warning, 9_600), Warning);
        assert_eq!(s(Warning, 9_601), Healthy);
        assert_eq!(s(HaltCr, 9_100), HaltCr);
        assert_eq!(s(HaltCr, 9_101), Warning);
        assert_eq!(s(HaltCr, 9_600), Warning);
        assert_eq!(s(HaltCr, 9_601), Healthy);
        // No CR before (oracle halt, genesis): the thresholds as they are.
        assert_eq!(s(HaltOracle, 9_050), Warning);
        assert_eq!(s(Unspecified, 9_501), Healthy);
        assert_eq!(evaluate(&p, HaltCr, None).0, Healthy, "no ACT outstanding");
        // A warning held above the threshold does not back off.
        assert_eq!(evaluate(&p, Warning, Some(9_550)), (Warning, Some(10)));
        // Band 0: the plain thresholds.
        let p0 = BmeParams { recovery_band_bps: 0, ..p };
        assert_eq!(evaluate(&p0, Warning, Some(9_501)).0, Healthy);
        assert_eq!(evaluate(&p0, HaltCr, Some(9_001)).0, Warning);
    }

    #[test]
    fn backoff_grows_per_10bp_below_warn_and_is_capped() {
        let p = BmeParams::default();
        assert_eq!(backoff(&p, 9_500), 10);
        assert_eq!(backoff(&p, 9_491), 10);
        assert_eq!(backoff(&p, 9_490), 11);
        assert_eq!(backoff(&p, 9_480), 12);
        let deep = backoff(&p, 9_001); // 49 steps below warn
        assert!(deep > 100 && deep < MAX_EPOCH_BLOCKS, "{deep}");
        let big = BmeParams { epoch_blocks_backoff_percent: 100, ..p };
        assert_eq!(backoff(&big, 0), MAX_EPOCH_BLOCKS);
    }
}

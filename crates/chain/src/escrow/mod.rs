//! The escrow module: accounts holding deposits (one per deployment, one per bid), payments
//! streaming from a deployment account to providers at a per-block rate, lazy settlement,
//! and the exhaustion index.
//!
//! Amounts: balances are whole micro-units (`u128`); rates are atto-units per block
//! (micro-units × 10^18, exact fixed point). Each payment keeps its sub-micro remainder, so
//! after `n` blocks it has earned exactly `floor(rate × n / 10^18)`.
//!
//! State:
//! - `0x28 ‖ account id` → [`Account`] (JSON); account id = scope (1 deployment, 2 bid) ‖ key.
//! - `0x29 ‖ account id ‖ lease key` → [`Payment`] (JSON), only while the payment is open.
//! - `0x2A ‖ height ‖ account id` → `` : the account's funds run out after `height`
//!   (the exhaustion index); `0x2B ‖ height ‖ account id` → `` : low-funds warning due.
//!
//! Each account keeps its unspent deposits in order ([`Depositor`]): settlement spends them
//! first in, first out, and closing refunds each one to whoever funded it (the granter for a
//! deposit drawn from an authz grant, whose spend limit the refund restores).
//!
//! The exhaustion height of an account is the last height whose payments it can cover in
//! full; `end_block` at that height settles it and closes it (see `market::end_block`), so
//! no settlement ever finds an account short. Per-block work touches only due entries.
//!
//! **AKT fallback** (akash-chain.md §7, BME era): the owner may add `uakt` to a `uact`
//! account (`MsgDepositDeployment`); it is kept apart (`akt_balance`) and not used
//! normally. When an account runs dry while the BME status is `halt_cr` or worse and the
//! oracle price is healthy, it stays open and is settled every block ([`settle_due`]):
//! the uact its payments are short is paid from the AKT straight to the provider, at
//! `uakt = ceil(short_uact × 10^18 / price)` (rounding against the tenant, so a covered
//! shortfall is cleared exactly; less the take). If the AKT does not cover it, the rest
//! (`floor(akt × price / 10^18)` uact covered) stays unpaid in `unsettled` and the account
//! closes as overdrawn at that block's end; otherwise (no halt, unhealthy oracle, no AKT)
//! it closes as before. What AKT is left is refunded to the owner on close.

mod module;
pub mod query;
pub use module::EscrowModule;
mod error;
pub use error::{EscrowError, CODESPACE};

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coins, Event, DENOM_ACT, DENOM_AKT};
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::{auth, bank, bme, get_params, oracle};

/// The module name.
pub const NAME: &str = "escrow";
/// The escrow module account.
pub const MODULE_ACCOUNT: &str = "escrow";
/// The community pool module account (receives the take).
pub const COMMUNITY_POOL: &str = "community_pool";
/// 10^18: one micro-unit in atto-units.
pub const ATTO: u128 = 1_000_000_000_000_000_000;
/// Blocks searched ahead for an exhaustion height (beyond it an account counts as
/// never running out).
const MAX_HORIZON: u64 = 1 << 40;

const ACCOUNT: u8 = 0x28;
const PAYMENT: u8 = 0x29;
const DUE: u8 = 0x2A;
const WARN: u8 = 0x2B;

/// Escrow params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscrowParams {
    /// Share of every payout sent to the community pool, in basis points (0..=10000).
    pub take_rate_bps: u64,
    /// Blocks before exhaustion at which `EventEscrowLowFunds` warns the tenant.
    pub low_funds_warning_blocks: u64,
}

impl EscrowParams {
    /// Every broken rule, relative to the params object (empty = valid). The only copy of
    /// escrow's param checks: genesis and gov both call it.
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.take_rate_bps > 10_000 {
            e.push("take_rate_bps must be at most 10000".to_string());
        }
        e
    }
}

impl Default for EscrowParams {
    fn default() -> Self {
        Self { take_rate_bps: 0, low_funds_warning_blocks: 100 }
    }
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<EscrowParams, AppError> {
    get_params(state, NAME)
}

/// Account state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Holding funds.
    Open,
    /// Closed; everything paid out or refunded.
    Closed,
}

/// Where a deposit's funds came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositSource {
    /// The depositor's own balance.
    Balance,
    /// A deposit authorization (authz grant) the granter gave the signer.
    Grant,
}

/// One deposit's unspent part, refunded to `owner` when the account closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Depositor {
    /// Whose funds they are: the signer for a balance deposit, the granter for a grant.
    pub owner: AccAddress,
    /// Height of the deposit.
    pub height: u64,
    /// Where the funds came from.
    pub source: DepositSource,
    /// For a grant: the grantee whose grant paid (the refund restores that grant's limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grantee: Option<AccAddress>,
    /// Unspent (micro-units).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub balance: u128,
}

/// An escrow account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Human-readable id (`deployment/<owner>/<dseq>`, `bid/<owner>/<dseq>/<gseq>/<oseq>/<provider>`).
    pub id: String,
    /// Who deposited (refunds go there).
    pub owner: AccAddress,
    /// The single denom it holds.
    pub denom: String,
    /// State.
    pub state: AccountState,
    /// Unsettled funds (micro-units).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub balance: u128,
    /// Total deposited.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub deposited: u128,
    /// Total moved to payments.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub transferred: u128,
    /// Total refunded to the owner.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub refunded: u128,
    /// Height of the last settlement.
    pub settled_at: u64,
    /// Sum of the open payments' rates (atto-units per block).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub rate_atto: u128,
    /// Last height the funds cover (None when nothing is paid from it).
    pub exhausted_at: Option<u64>,
    /// Height at which the low-funds warning fires (if still ahead).
    pub warn_at: Option<u64>,
    /// Unspent deposits, oldest first (Σ balances = `balance` while open; empty once closed).
    #[serde(default)]
    pub deposits: Vec<Depositor>,
    /// AKT fallback funds (uakt) of a uact account: used only while the BME is halted.
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub akt_balance: u128,
    /// Total uakt deposited as fallback.
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub akt_deposited: u128,
    /// Total uakt paid out of the fallback (to providers and the take).
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub akt_paid: u128,
    /// Total uakt refunded to the owner.
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub akt_refunded: u128,
    /// Owed to payments but unpaid (micro-units of `denom`): the account is overdrawn and
    /// closes at the end of the block.
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub unsettled: u128,
}

/// Spends `amount` from the deposits, oldest first.
fn consume(deposits: &mut Vec<Depositor>, mut amount: u128) {
    let mut spent = 0;
    for d in deposits.iter_mut() {
        if amount == 0 {
            break;
        }
        let take = d.balance.min(amount);
        d.balance -= take;
        amount -= take;
        if d.balance == 0 {
            spent += 1;
        }
    }
    deposits.drain(..spent);
}

fn is_zero(v: &u128) -> bool {
    *v == 0
}

/// A payment from an account to a provider for one lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// The payee.
    pub provider: AccAddress,
    /// Rate in atto-units per block.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub rate_atto: u128,
    /// Sub-micro remainder carried between settlements (< 10^18).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub remainder_atto: u128,
    /// Earned, not yet withdrawn (micro-units, held by the escrow module).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub balance: u128,
    /// Total withdrawn (before take).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub withdrawn: u128,
    /// uakt paid to the provider from the account's AKT fallback (before take).
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub akt_paid: u128,
}

fn acct_key(id: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + id.len());
    k.push(ACCOUNT);
    k.extend_from_slice(id);
    k
}

fn payment_prefix(id: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + id.len() + 64);
    k.push(PAYMENT);
    k.extend_from_slice(id);
    k
}

fn payment_key(id: &[u8], lease: &[u8]) -> Vec<u8> {
    let mut k = payment_prefix(id);
    k.extend_from_slice(lease);
    k
}

fn height_key(prefix: u8, height: u64, id: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(9 + id.len());
    k.push(prefix);
    k.extend_from_slice(&height.to_be_bytes());
    k.extend_from_slice(id);
    k
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::ChainState(format!("corrupt {what}: {e}"))
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

/// Reads an account by its binary id.
pub fn get_account(state: &dyn StateRead, id: &[u8]) -> Result<Option<Account>, AppError> {
    match state.get(&acct_key(id))? {
        Some(b) => serde_json::from_slice(&b).map(Some).map_err(|e| corrupt("escrow account", e)),
        None => Ok(None),
    }
}

fn must_account(state: &dyn StateRead, id: &[u8]) -> Result<Account, AppError> {
    Ok(get_account(state, id)?
        .ok_or_else(|| EscrowError::EscrowAccountNotFound(hex::encode(id)))?)
}

fn put_account(state: &mut dyn StateWrite, id: &[u8], a: &Account) -> Result<(), AppError> {
    state.put(acct_key(id), to_json(a)?);
    Ok(())
}

/// The open payments of an account, in key order: (lease key, payment).
pub fn payments(state: &dyn StateRead, id: &[u8]) -> Result<Vec<(Vec<u8>, Payment)>, AppError> {
    let p = payment_prefix(id);
    state
        .prefix_range(&p, None, 10_000)?
        .into_iter()
        .map(|(k, v)| {
            let pay: Payment = serde_json::from_slice(&v).map_err(|e| corrupt("payment", e))?;
            Ok((k[p.len()..].to_vec(), pay))
        })
        .collect()
}

/// Reads one open payment.
pub fn get_payment(
    state: &dyn StateRead,
    id: &[u8],
    lease: &[u8],
) -> Result<Option<Payment>, AppError> {
    match state.get(&payment_key(id, lease))? {
        Some(b) => serde_json::from_slice(&b).map(Some).map_err(|e| corrupt("payment", e)),
        None => Ok(None),
    }
}

fn escrow_addr() -> AccAddress {
    auth::module_address(MODULE_ACCOUNT)
}

/// Opens an account funded with `amount` of `denom` from `owner`.
#[allow(clippy::too_many_arguments)]
pub fn create_account(
    state: &mut dyn StateWrite,
    id: &[u8],
    label: String,
    owner: &AccAddress,
    denom: &str,
    amount: u128,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let funds = vec![Depositor {
        owner: owner.clone(),
        height,
        source: DepositSource::Balance,
        grantee: None,
        balance: amount,
    }];
    create_account_funded(state, id, label, owner, denom, funds, height, events)
}

/// Opens an account of `owner` funded by `funds` (each depositor's `balance` moves from its
/// `owner` to the escrow module; refunds go back to each).
#[allow(clippy::too_many_arguments)]
pub fn create_account_funded(
    state: &mut dyn StateWrite,
    id: &[u8],
    label: String,
    owner: &AccAddress,
    denom: &str,
    funds: Vec<Depositor>,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if get_account(state, id)?.is_some() {
        return Err(AppError::InvalidRequest(format!("escrow account {label} already exists")));
    }
    let funds: Vec<Depositor> = funds.into_iter().filter(|d| d.balance > 0).collect();
    let mut amount: u128 = 0;
    for d in &funds {
        bank::transfer(state, &d.owner, &escrow_addr(), &Coins::one(d.balance, denom), events)?;
        amount += d.balance;
    }
    let a = Account {
        id: label,
        owner: owner.clone(),
        denom: denom.to_string(),
        state: AccountState::Open,
        balance: amount,
        deposited: amount,
        transferred: 0,
        refunded: 0,
        settled_at: height,
        rate_atto: 0,
        exhausted_at: None,
        warn_at: None,
        deposits: funds,
        akt_balance: 0,
        akt_deposited: 0,
        akt_paid: 0,
        akt_refunded: 0,
        unsettled: 0,
    };
    put_account(state, id, &a)
}

/// What `n` blocks of the given payments cost in total (micro-units), exactly.
fn cost(pays: &[(Vec<u8>, Payment)], n: u64) -> u128 {
    let mut total: u128 = 0;
    for (_, p) in pays {
        let x = p.rate_atto.saturating_mul(u128::from(n)).saturating_add(p.remainder_atto);
        total = total.saturating_add(x / ATTO);
    }
    total
}

/// The AKT price (atto-USD per AKT) at which `a`'s AKT fallback may pay now: the account
/// holds uact and AKT, the BME status is `halt_cr` or worse and the oracle price is
/// healthy. None otherwise.
pub fn fallback_price(state: &dyn StateRead, a: &Account) -> Result<Option<u128>, AppError> {
    if a.akt_balance == 0 || a.denom != DENOM_ACT {
        return Ok(None);
    }
    if bme::status(state)?.status < bme::MintStatus::HaltCr {
        return Ok(None);
    }
    match oracle::price(state) {
        Ok(p) => Ok(Some(p)),
        Err(AppError::PriceUnavailable(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Pays `short` uact owed to payment `p` from the account's AKT at `price`, straight to the
/// provider (less the take). Returns the uact covered (all of `short` when the AKT
/// suffices).
#[allow(clippy::too_many_arguments)]
fn pay_from_akt(
    state: &mut dyn StateWrite,
    a: &mut Account,
    p: &mut Payment,
    short: u128,
    price: u128,
    take_bps: u64,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let overflow = || AppError::ChainState("escrow AKT fallback overflows".into());
    let needed = bme::mul_div(short, ATTO, price)
        .map(|(q, rem)| q + u128::from(rem))
        .ok_or_else(overflow)?;
    let (uakt, covered) = if needed <= a.akt_balance {
        (needed, short)
    } else {
        let c = bme::mul_div(a.akt_balance, price, ATTO).ok_or_else(overflow)?.0;
        (a.akt_balance, c.min(short))
    };
    if uakt == 0 {
        return Ok(0);
    }
    let take = uakt * u128::from(take_bps.min(10_000)) / 10_000;
    let to_provider = uakt - take;
    if to_provider > 0 {
        bank::transfer(
            state,
            &escrow_addr(),
            &p.provider,
            &Coins::one(to_provider, DENOM_AKT),
            events,
        )?;
    }
    if take > 0 {
        let pool = auth::module_address(COMMUNITY_POOL);
        bank::transfer(state, &escrow_addr(), &pool, &Coins::one(take, DENOM_AKT), events)?;
    }
    a.akt_balance -= uakt;
    a.akt_paid += uakt;
    p.akt_paid += uakt;
    events.push(
        Event::new("EventEscrowAktFallback")
            .attr("account", &a.id)
            .attr("provider", &p.provider)
            .attr("owed", format!("{short}{}", a.denom))
            .attr("covered", format!("{covered}{}", a.denom))
            .attr("paid", format!("{to_provider}{DENOM_AKT}"))
            .attr("take", format!("{take}{DENOM_AKT}"))
            .attr("price", fmt_dec18(price))
            .attr("akt_left", format!("{}{DENOM_AKT}", a.akt_balance))
            .attr("height", height),
    );
    Ok(covered)
}

/// Settles an open account up to `height`: every payment earns its share, exactly. What
/// the funds do not cover is paid from the AKT fallback when it may run
/// ([`fallback_price`]); anything still unpaid is added to `unsettled`.
fn settle_inner(
    state: &mut dyn StateWrite,
    id: &[u8],
    a: &mut Account,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    // Funds cover blocks through the exhaustion height only: an account whose closing was
    // carried past that height (end-block cap) is charged for no later block.
    let height = match a.exhausted_at {
        Some(e) if e < height => e,
        _ => height,
    };
    if height <= a.settled_at {
        return Ok(());
    }
    let n = height - a.settled_at;
    a.settled_at = height;
    if a.rate_atto == 0 {
        return Ok(());
    }
    let before = a.balance;
    // Looked up once, at the first shortfall.
    let mut fallback: Option<Option<(u128, u64)>> = None;
    for (lease, mut p) in payments(state, id)? {
        let x = p
            .rate_atto
            .checked_mul(u128::from(n))
            .and_then(|v| v.checked_add(p.remainder_atto))
            .ok_or_else(|| AppError::ChainState("escrow settlement overflow".into()))?;
        let owed = x / ATTO;
        // By the exhaustion index the account covers this, except while it runs on its AKT
        // fallback.
        let paid = owed.min(a.balance);
        a.balance -= paid;
        a.transferred += paid;
        p.balance += paid;
        let mut short = owed - paid;
        if short > 0 {
            let fb = match fallback {
                Some(f) => f,
                None => {
                    let f = match fallback_price(state, a)? {
                        Some(price) => Some((price, params(state)?.take_rate_bps)),
                        None => None,
                    };
                    fallback = Some(f);
                    f
                }
            };
            if let Some((price, take_bps)) = fb {
                if a.akt_balance > 0 {
                    short -=
                        pay_from_akt(state, a, &mut p, short, price, take_bps, height, events)?;
                }
            }
        }
        p.remainder_atto = if short == 0 { x % ATTO } else { 0 };
        a.unsettled += short;
        state.put(payment_key(id, &lease), to_json(&p)?);
    }
    consume(&mut a.deposits, before - a.balance);
    Ok(())
}

/// Recomputes the exhaustion and warning heights of an account settled at
/// `a.settled_at` (`now`, or its exhaustion height if that passed), and moves its index
/// entries.
fn reindex(
    state: &mut dyn StateWrite,
    id: &[u8],
    a: &mut Account,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if let Some(h) = a.exhausted_at.take() {
        state.delete(height_key(DUE, h, id));
    }
    if let Some(h) = a.warn_at.take() {
        state.delete(height_key(WARN, h, id));
    }
    if a.state != AccountState::Open {
        return Ok(());
    }
    if a.unsettled > 0 {
        // Overdrawn: closes at the end of this block.
        a.exhausted_at = Some(now);
        state.put(height_key(DUE, now, id), Vec::new());
        return Ok(());
    }
    if a.rate_atto == 0 {
        return Ok(());
    }
    let pays = payments(state, id)?;
    // Largest n with cost(n) <= balance (cost is monotone; cost(0) = 0).
    if cost(&pays, MAX_HORIZON) <= a.balance {
        return Ok(());
    }
    let (mut lo, mut hi) = (0u64, MAX_HORIZON);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if cost(&pays, mid) <= a.balance {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let due = a.settled_at + lo;
    a.exhausted_at = Some(due);
    state.put(height_key(DUE, due, id), Vec::new());
    let warn_blocks = params(state)?.low_funds_warning_blocks;
    let warn = due.saturating_sub(warn_blocks);
    if warn > now {
        a.warn_at = Some(warn);
        state.put(height_key(WARN, warn, id), Vec::new());
    } else if warn_blocks > 0 {
        events.push(low_funds_event(a, due, now));
    }
    Ok(())
}

fn low_funds_event(a: &Account, due: u64, now: u64) -> Event {
    Event::new("EventEscrowLowFunds")
        .attr("account", &a.id)
        .attr("owner", &a.owner)
        .attr("balance", format!("{}{}", a.balance, a.denom))
        .attr("exhausted_at", due)
        .attr("blocks_remaining", due.saturating_sub(now))
}

/// Settles an account up to `height` (no-op for closed accounts).
pub fn settle(
    state: &mut dyn StateWrite,
    id: &[u8],
    height: u64,
    events: &mut Vec<Event>,
) -> Result<Account, AppError> {
    let mut a = must_account(state, id)?;
    if a.state == AccountState::Open {
        settle_inner(state, id, &mut a, height, events)?;
        put_account(state, id, &a)?;
    }
    Ok(a)
}

/// End-block work for an account due at `height` (its funds cover `height` and no more, or
/// it is overdrawn): settles it, and returns true when it stays open because its AKT
/// fallback may pay the next block ([`fallback_price`]) — it is then due again at
/// `height + 1`. False: the caller closes it (overdrawn when `unsettled > 0`).
pub fn settle_due(
    state: &mut dyn StateWrite,
    id: &[u8],
    height: u64,
    events: &mut Vec<Event>,
) -> Result<bool, AppError> {
    let mut a = must_account(state, id)?;
    if a.state != AccountState::Open {
        return Ok(false);
    }
    settle_inner(state, id, &mut a, height, events)?;
    let keep = a.unsettled == 0 && a.rate_atto > 0 && fallback_price(state, &a)?.is_some();
    if keep {
        if let Some(h) = a.exhausted_at.take() {
            state.delete(height_key(DUE, h, id));
        }
        if let Some(h) = a.warn_at.take() {
            state.delete(height_key(WARN, h, id));
        }
        a.exhausted_at = Some(height + 1);
        state.put(height_key(DUE, height + 1, id), Vec::new());
        events.push(
            Event::new("EventEscrowOnAktFallback")
                .attr("account", &a.id)
                .attr("owner", &a.owner)
                .attr("balance", format!("{}{}", a.balance, a.denom))
                .attr("akt_balance", format!("{}{DENOM_AKT}", a.akt_balance))
                .attr("height", height),
        );
    }
    put_account(state, id, &a)?;
    Ok(keep)
}

/// Whether account `id` is open and takes deposits in `denom`: `Ok(false)` for its own denom,
/// `Ok(true)` for `uakt` into a `uact` account (its AKT fallback), an error otherwise. Lets a
/// caller refuse a deposit before gathering its funds.
pub fn check_deposit(state: &dyn StateRead, id: &[u8], denom: &str) -> Result<bool, AppError> {
    let a = must_account(state, id)?;
    if a.state != AccountState::Open {
        return Err(EscrowError::EscrowAccountClosed(a.id).into());
    }
    accepts_denom(&a, denom)
}

fn accepts_denom(a: &Account, denom: &str) -> Result<bool, AppError> {
    let fallback = a.denom == DENOM_ACT && denom == DENOM_AKT;
    if a.denom != denom && !fallback {
        return Err(EscrowError::EscrowDenom(format!(
            "account {} holds {}, deposit is in {denom}",
            a.id, a.denom
        ))
        .into());
    }
    Ok(fallback)
}

/// Adds funds to an open account: each depositor's `balance` moves from its `owner` to the
/// escrow module and joins the account's deposits (in order); `uakt` into a `uact` account
/// is its AKT fallback instead (from the owner's own balance only; see the module docs).
pub fn deposit(
    state: &mut dyn StateWrite,
    id: &[u8],
    funds: Vec<Depositor>,
    denom: &str,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<Account, AppError> {
    let mut a = must_account(state, id)?;
    if a.state != AccountState::Open {
        return Err(EscrowError::EscrowAccountClosed(a.id).into());
    }
    let fallback = accepts_denom(&a, denom)?;
    if fallback && funds.iter().any(|d| d.owner != a.owner || d.source != DepositSource::Balance) {
        return Err(EscrowError::EscrowDenom(format!(
            "an AKT fallback deposit into account {} comes from its owner's own balance",
            a.id
        ))
        .into());
    }
    settle_inner(state, id, &mut a, height, events)?;
    for d in funds.into_iter().filter(|d| d.balance > 0) {
        bank::transfer(state, &d.owner, &escrow_addr(), &Coins::one(d.balance, denom), events)?;
        if fallback {
            a.akt_balance += d.balance;
            a.akt_deposited += d.balance;
            continue;
        }
        a.balance += d.balance;
        a.deposited += d.balance;
        match a.deposits.last_mut() {
            Some(last)
                if last.owner == d.owner
                    && last.source == d.source
                    && last.grantee == d.grantee =>
            {
                last.balance += d.balance;
            }
            _ => a.deposits.push(d),
        }
    }
    reindex(state, id, &mut a, height, events)?;
    put_account(state, id, &a)?;
    Ok(a)
}

/// Opens a payment of `rate_atto` per block from account `id` to `provider` for `lease`.
pub fn create_payment(
    state: &mut dyn StateWrite,
    id: &[u8],
    lease: &[u8],
    provider: &AccAddress,
    rate_atto: u128,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let mut a = must_account(state, id)?;
    if a.state != AccountState::Open {
        return Err(EscrowError::EscrowAccountClosed(a.id).into());
    }
    if rate_atto == 0 {
        return Err(AppError::InvalidRequest("payment rate is zero".into()));
    }
    settle_inner(state, id, &mut a, height, events)?;
    if a.settled_at < height {
        // Its funds ran out before `height` and its closing was carried (end-block cap): a new
        // payment would be charged for blocks before it existed.
        return Err(EscrowError::EscrowAccountClosed(format!(
            "{} (funds ran out at height {}; it closes at the next end block)",
            a.id, a.settled_at
        ))
        .into());
    }
    let p = Payment {
        provider: provider.clone(),
        rate_atto,
        remainder_atto: 0,
        balance: 0,
        withdrawn: 0,
        akt_paid: 0,
    };
    state.put(payment_key(id, lease), to_json(&p)?);
    a.rate_atto = a.rate_atto.saturating_add(rate_atto);
    reindex(state, id, &mut a, height, events)?;
    put_account(state, id, &a)
}

/// Pays a payment's earned balance to its provider, less the take (to the community pool).
fn payout(
    state: &mut dyn StateWrite,
    denom: &str,
    p: &mut Payment,
    take_bps: u64,
    events: &mut Vec<Event>,
) -> Result<(u128, u128), AppError> {
    let amount = p.balance;
    if amount == 0 {
        return Ok((0, 0));
    }
    let take = amount * u128::from(take_bps.min(10_000)) / 10_000;
    let to_provider = amount - take;
    if to_provider > 0 {
        bank::transfer(
            state,
            &escrow_addr(),
            &p.provider,
            &Coins::one(to_provider, denom),
            events,
        )?;
    }
    if take > 0 {
        let pool = auth::module_address(COMMUNITY_POOL);
        bank::transfer(state, &escrow_addr(), &pool, &Coins::one(take, denom), events)?;
    }
    p.balance = 0;
    p.withdrawn += amount;
    Ok((to_provider, take))
}

/// Settles and pays out a payment's earnings. Returns (to provider, take).
pub fn withdraw_payment(
    state: &mut dyn StateWrite,
    id: &[u8],
    lease: &[u8],
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(u128, u128), AppError> {
    let mut a = must_account(state, id)?;
    settle_inner(state, id, &mut a, height, events)?;
    put_account(state, id, &a)?;
    let mut p = get_payment(state, id, lease)?
        .ok_or_else(|| AppError::InvalidRequest("no open payment for this lease".into()))?;
    let take_bps = params(state)?.take_rate_bps;
    let r = payout(state, &a.denom, &mut p, take_bps, events)?;
    state.put(payment_key(id, lease), to_json(&p)?);
    Ok(r)
}

/// Settles, pays out and removes a payment. Returns its total withdrawn (before take).
pub fn close_payment(
    state: &mut dyn StateWrite,
    id: &[u8],
    lease: &[u8],
    height: u64,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let mut a = must_account(state, id)?;
    settle_inner(state, id, &mut a, height, events)?;
    let Some(mut p) = get_payment(state, id, lease)? else {
        put_account(state, id, &a)?;
        return Ok(0);
    };
    let take_bps = params(state)?.take_rate_bps;
    payout(state, &a.denom, &mut p, take_bps, events)?;
    state.delete(payment_key(id, lease));
    a.rate_atto = a.rate_atto.saturating_sub(p.rate_atto);
    reindex(state, id, &mut a, height, events)?;
    put_account(state, id, &a)?;
    Ok(p.withdrawn)
}

/// Settles and closes an account: every payment paid out and removed, the rest (and what
/// is left of the AKT fallback) refunded to the owner. Returns the refund in the account's
/// denom. Closing a closed account is a no-op.
pub fn close_account(
    state: &mut dyn StateWrite,
    id: &[u8],
    height: u64,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let mut a = must_account(state, id)?;
    if a.state != AccountState::Open {
        return Ok(0);
    }
    settle_inner(state, id, &mut a, height, events)?;
    let take_bps = params(state)?.take_rate_bps;
    for (lease, mut p) in payments(state, id)? {
        payout(state, &a.denom, &mut p, take_bps, events)?;
        state.delete(payment_key(id, &lease));
    }
    let refund = a.balance;
    let mut left = refund;
    for d in std::mem::take(&mut a.deposits) {
        let amount = d.balance.min(left);
        if amount == 0 {
            continue;
        }
        left -= amount;
        bank::transfer(state, &escrow_addr(), &d.owner, &Coins::one(amount, &a.denom), events)?;
        if let (DepositSource::Grant, Some(grantee)) = (d.source, &d.grantee) {
            crate::authz::restore_deposit_limit(state, &d.owner, grantee, &a.denom, amount)?;
        }
    }
    // Accounts written before deposits were tracked: the rest goes to the owner.
    if left > 0 {
        bank::transfer(state, &escrow_addr(), &a.owner, &Coins::one(left, &a.denom), events)?;
    }
    a.balance = 0;
    a.refunded += refund;
    let akt = a.akt_balance;
    if akt > 0 {
        bank::transfer(state, &escrow_addr(), &a.owner, &Coins::one(akt, DENOM_AKT), events)?;
        events.push(
            Event::new("EventEscrowAktRefunded")
                .attr("account", &a.id)
                .attr("owner", &a.owner)
                .attr("amount", format!("{akt}{DENOM_AKT}")),
        );
    }
    a.akt_balance = 0;
    a.akt_refunded += akt;
    a.rate_atto = 0;
    a.state = AccountState::Closed;
    reindex(state, id, &mut a, height, events)?;
    put_account(state, id, &a)?;
    Ok(refund)
}

/// Up to `limit` accounts whose funds ran out at or before `height` and are not closed yet,
/// in key order (oldest exhaustion height first): `(exhaustion height, account id)`.
/// Entries past the per-height cap stay in the index and come first at the next height.
pub fn due_through(
    state: &dyn StateRead,
    height: u64,
    limit: usize,
) -> Result<Vec<(u64, Vec<u8>)>, AppError> {
    Ok(crate::due_entries(state, DUE, height, limit)?
        .into_iter()
        .map(|(h, k)| (h, k[9..].to_vec()))
        .collect())
}

/// Removes the exhaustion-index entry of account `id` at `height` (end block takes it out
/// before closing the account, so an item that fails is not retried at every height).
pub fn unindex_due(state: &mut dyn StateWrite, height: u64, id: &[u8]) {
    state.delete(height_key(DUE, height, id));
}

/// Emits up to `limit` low-funds warnings due at or before `height` (key order) and removes
/// their index entries; the rest stay for the next height.
pub fn warn_due(
    state: &mut dyn StateWrite,
    height: u64,
    limit: usize,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for (due_h, k) in crate::due_entries(state, WARN, height, limit)? {
        let id = &k[9..];
        state.delete(k.clone());
        if let Some(mut a) = get_account(state, id)? {
            if a.state == AccountState::Open && a.warn_at == Some(due_h) {
                a.warn_at = None;
                if let Some(due) = a.exhausted_at {
                    events.push(low_funds_event(&a, due, height));
                }
                put_account(state, id, &a)?;
            }
        }
    }
    Ok(())
}

/// Blocks an account can still pay for after `now` (None: never runs out / nothing to pay).
pub fn blocks_remaining(a: &Account, now: u64) -> Option<u64> {
    a.exhausted_at.map(|h| h.saturating_sub(now))
}

/// Lists accounts in key order after `start_after` (a binary id).
pub fn list_accounts(
    state: &dyn StateRead,
    start_after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<(Vec<u8>, Account)>, AppError> {
    let after = start_after.map(acct_key);
    state
        .prefix_range(&[ACCOUNT], after.as_deref(), limit)?
        .into_iter()
        .map(|(k, v)| {
            let a: Account = serde_json::from_slice(&v).map_err(|e| corrupt("account", e))?;
            Ok((k[1..].to_vec(), a))
        })
        .collect()
}

/// Invariants: the escrow module holds exactly Σ open account balances + Σ open payment
/// Invariants: the escrow module holds exactly Σ open account balances + Σ open payment
/// balances per denom, plus Σ open accounts' AKT fallback in uakt; closed accounts hold
/// nothing and have no payments; each open account's rate is the sum of its payments'
/// rates, its books balance (deposited = balance + transferred + refunded,
/// akt_deposited = akt_balance + akt_paid + akt_refunded) and its deposits add up to its
/// balance; only uact accounts hold AKT fallback; no account stays open overdrawn
/// (`unsettled > 0`) past its block.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let mut held: std::collections::BTreeMap<String, u128> = Default::default();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[ACCOUNT], after.as_deref(), 1000)?;
        for (k, v) in &page {
            let id = &k[1..];
            let a: Account = serde_json::from_slice(v)
                .map_err(|e| AppError::Invariant(format!("undecodable escrow account: {e}")))?;
            let pays = payments(state, id)?;
            if a.deposited != a.balance + a.transferred + a.refunded {
                return Err(AppError::Invariant(format!("escrow account {} books off", a.id)));
            }
            let in_deposits: u128 = a.deposits.iter().map(|d| d.balance).sum();
            if in_deposits != a.balance || a.deposits.iter().any(|d| d.balance == 0) {
                return Err(AppError::Invariant(format!(
                    "escrow account {} balance {} != Σ unspent deposits {in_deposits}",
                    a.id, a.balance
                )));
            }
            if a.akt_deposited != a.akt_balance + a.akt_paid + a.akt_refunded {
                return Err(AppError::Invariant(format!(
                    "escrow account {} AKT fallback books off",
                    a.id
                )));
            }
            if a.akt_deposited > 0 && a.denom != DENOM_ACT {
                return Err(AppError::Invariant(format!(
                    "escrow account {} in {} holds AKT fallback",
                    a.id, a.denom
                )));
            }
            match a.state {
                AccountState::Closed => {
                    if a.balance != 0 || a.akt_balance != 0 || !pays.is_empty() {
                        return Err(AppError::Invariant(format!(
                            "closed escrow account {} holds funds or payments",
                            a.id
                        )));
                    }
                }
                AccountState::Open => {
                    let rate: u128 = pays.iter().map(|(_, p)| p.rate_atto).sum();
                    if rate != a.rate_atto {
                        return Err(AppError::Invariant(format!(
                            "escrow account {} rate {} != Σ payment rates {rate}",
                            a.id, a.rate_atto
                        )));
                    }
                    if rate > 0 && a.exhausted_at.is_none() && cost(&pays, MAX_HORIZON) > a.balance
                    {
                        return Err(AppError::Invariant(format!(
                            "escrow account {} pays out but has no exhaustion height",
                            a.id
                        )));
                    }
                    if a.unsettled > 0 {
                        return Err(AppError::Invariant(format!(
                            "escrow account {} is overdrawn ({}{}) but still open",
                            a.id, a.unsettled, a.denom
                        )));
                    }
                    let e = held.entry(a.denom.clone()).or_default();
                    *e += a.balance + pays.iter().map(|(_, p)| p.balance).sum::<u128>();
                    if a.akt_balance > 0 {
                        *held.entry(DENOM_AKT.to_string()).or_default() += a.akt_balance;
                    }
                }
            }
            after = Some(k.clone());
        }
        if page.len() < 1000 {
            break;
        }
    }
    let module = bank::balances(state, &escrow_addr())?;
    for c in module.iter() {
        if held.get(&c.denom).copied().unwrap_or(0) != c.amount {
            return Err(AppError::Invariant(format!(
                "escrow module holds {c} but open accounts and payments hold {}{}",
                held.get(&c.denom).copied().unwrap_or(0),
                c.denom
            )));
        }
    }
    for (d, v) in &held {
        if *v != module.amount_of(d) {
            return Err(AppError::Invariant(format!(
                "escrow accounts hold {v}{d} but the module holds {}{d}",
                module.amount_of(d)
            )));
        }
    }
    Ok(())
}

/// Parses a decimal string with up to 18 decimals into atto-units (`"0.5"` → 5·10^17).
pub fn parse_dec18(s: &str) -> Result<u128, String> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return Err(format!("malformed decimal {s:?}"));
    }
    if !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 18
        || (s.contains('.') && frac.is_empty())
    {
        return Err(format!("malformed decimal {s:?} (digits with at most 18 decimals)"));
    }
    let i: u128 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| format!("decimal {s:?} too large"))?
    };
    let mut f: u128 = 0;
    for (n, c) in frac.chars().enumerate() {
        f += u128::from(c as u8 - b'0') * 10u128.pow(17 - n as u32);
    }
    i.checked_mul(ATTO)
        .and_then(|v| v.checked_add(f))
        .ok_or_else(|| format!("decimal {s:?} too large"))
}

/// Formats atto-units as a decimal string with 18 decimals.
pub fn fmt_dec18(v: u128) -> String {
    format!("{}.{:018}", v / ATTO, v % ATTO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_dec18("1").unwrap(), ATTO);
        assert_eq!(parse_dec18("0.5").unwrap(), ATTO / 2);
        assert_eq!(parse_dec18("0.000000000000000001").unwrap(), 1);
        assert!(parse_dec18("0.0000000000000000001").is_err());
        assert!(parse_dec18("-1").is_err());
        assert!(parse_dec18("1e3").is_err());
        assert!(parse_dec18("").is_err());
        assert!(parse_dec18("1.").is_err());
        assert_eq!(fmt_dec18(ATTO + 5), "1.000000000000000005");
    }
}

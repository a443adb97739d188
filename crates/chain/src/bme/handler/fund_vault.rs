//! `MsgFundVault`: the BME authority adds AKT collateral to the vault.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Coins, Event, DENOM_AKT};

use crate::bme::events as ev;
use crate::bme::msg::parse_coin;
use crate::bme::state::{add, params, put_totals, totals, vault_address};
use crate::{auth, bank, parse_addr, AppError};

/// Delivers a `MsgFundVault`.
pub fn deliver(
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
    events.push(ev::vault_funded(&authority, &source, &coin));
    Ok(())
}

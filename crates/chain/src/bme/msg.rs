//! Stateless checks of the BME messages (`MsgMintAct`, `MsgBurnAct`, `MsgBurnMint`,
//! `MsgFundVault`).

use dcloud_proto::Msg;
use dcloud_types::{AccAddress, Coin, DENOM_ACT, DENOM_AKT};

use super::BmeError;
use crate::{parse_addr, AppError};

pub(crate) fn parse_coin(
    c: &Option<dcloud_proto::dcloud::bme::Coin>,
    field: &str,
) -> Result<Coin, AppError> {
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
pub type Request = (AccAddress, AccAddress, Coin, String);

pub(crate) fn request_of(msg: &Msg) -> Result<Option<Request>, AppError> {
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

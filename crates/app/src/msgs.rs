//! Message routing: stateless validation and delivery of each message type.

use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::{DecodedTx, Msg};
use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Coin, Coins, Event};

use crate::modules::{audit, bank, cert, provider};
use crate::AppError;

/// Parses proto coins into a valid, positive, duplicate-free set.
pub(crate) fn parse_coins(coins: &[ProtoCoin]) -> Result<Coins, AppError> {
    let mut v = Vec::with_capacity(coins.len());
    for c in coins {
        if c.amount.starts_with('-') {
            return Err(AppError::InvalidCoins(format!("negative amount {}{}", c.amount, c.denom)));
        }
        let amount: u128 = c.amount.parse().map_err(|_| {
            AppError::InvalidCoins(format!(
                "malformed amount {:?} for denom {:?}",
                c.amount, c.denom
            ))
        })?;
        v.push(Coin::new(amount, c.denom.clone()));
    }
    Ok(Coins::from_coins(v)?)
}

fn parse_addr(s: &str, field: &str) -> Result<AccAddress, AppError> {
    s.parse().map_err(|e| AppError::InvalidAddress(format!("{field}: {e}")))
}

/// Checks every message without reading state.
pub(crate) fn validate_basic(tx: &DecodedTx) -> Result<(), AppError> {
    for msg in &tx.msgs {
        match msg {
            Msg::Send(m) => {
                parse_addr(&m.from_address, "from_address")?;
                parse_addr(&m.to_address, "to_address")?;
                let coins = parse_coins(&m.amount)?;
                if coins.is_empty() {
                    return Err(AppError::InvalidCoins("send amount is empty".into()));
                }
            }
            Msg::MultiSend(m) => {
                if m.inputs.len() != 1 {
                    return Err(AppError::InvalidRequest(format!(
                        "multi-send needs exactly one input, got {}",
                        m.inputs.len()
                    )));
                }
                if m.outputs.is_empty() {
                    return Err(AppError::InvalidRequest("multi-send has no outputs".into()));
                }
                let input = &m.inputs[0];
                parse_addr(&input.address, "inputs[0].address")?;
                let total_in = parse_coins(&input.coins)?;
                let mut total_out = Coins::new();
                for (i, o) in m.outputs.iter().enumerate() {
                    parse_addr(&o.address, &format!("outputs[{i}].address"))?;
                    let c = parse_coins(&o.coins)?;
                    if c.is_empty() {
                        return Err(AppError::InvalidCoins(format!("outputs[{i}] is empty")));
                    }
                    total_out = total_out.checked_add(&c)?;
                }
                if total_in != total_out {
                    return Err(AppError::InvalidCoins(format!(
                        "multi-send inputs {total_in} do not equal outputs {total_out}"
                    )));
                }
            }
            Msg::CreateProvider(m) => {
                provider::validate_create(m)?;
            }
            Msg::UpdateProvider(m) => {
                provider::validate_update(m)?;
            }
            Msg::SignProviderAttributes(m) => {
                audit::validate_sign(m)?;
            }
            Msg::DeleteProviderAttributes(m) => {
                audit::validate_delete(m)?;
            }
            Msg::CreateCertificate(m) => {
                cert::validate_create(m)?;
            }
            Msg::RevokeCertificate(m) => {
                cert::validate_revoke(m)?;
            }
            Msg::SubmitPrice(m) => crate::modules::oracle::validate_submit(m)?,
            m if m.module() == "gov" => crate::modules::gov::validate_basic(m)?,
            m if m.module() == "slashing" => crate::modules::slashing::validate_basic(m)?,
            m if m.module() == "bme" => crate::modules::bme::validate_basic(m)?,
            m if m.module() == "staking" => crate::modules::staking::validate_basic(m)?,
            m if m.module() == "distribution" => crate::modules::distribution::validate_basic(m)?,
            m if m.module() == "deployment" => crate::modules::deployment::validate_basic(m)?,
            m if m.module() == "authz" => crate::modules::authz::validate_basic(m)?,
            m => crate::modules::market::validate_basic(m)?,
        }
    }
    Ok(())
}

/// Delivers every message of a tx in order; the first error aborts.
pub(crate) fn deliver_all(
    state: &mut dyn StateWrite,
    tx: &DecodedTx,
    bctx: &crate::modules::BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for msg in &tx.msgs {
        let sender = msg.signers().into_iter().next().unwrap_or_default();
        events.push(
            Event::new("message")
                .attr("action", msg.type_url())
                .attr("sender", &sender)
                .attr("module", msg.module()),
        );
        match msg {
            Msg::Send(m) => {
                let from = parse_addr(&m.from_address, "from_address")?;
                let to = parse_addr(&m.to_address, "to_address")?;
                bank::send_checked(state, &from, &to, &parse_coins(&m.amount)?, events)?;
            }
            Msg::MultiSend(m) => {
                let input =
                    m.inputs.first().ok_or_else(|| AppError::InvalidRequest("no input".into()))?;
                let from = parse_addr(&input.address, "inputs[0].address")?;
                for o in &m.outputs {
                    let to = parse_addr(&o.address, "outputs.address")?;
                    bank::send_checked(state, &from, &to, &parse_coins(&o.coins)?, events)?;
                }
            }
            Msg::CreateProvider(m) => provider::deliver_create(state, m, events)?,
            Msg::UpdateProvider(m) => provider::deliver_update(state, m, events)?,
            Msg::SignProviderAttributes(m) => audit::deliver_sign(state, m, events)?,
            Msg::DeleteProviderAttributes(m) => audit::deliver_delete(state, m, events)?,
            Msg::CreateCertificate(m) => cert::deliver_create(state, m, events)?,
            Msg::RevokeCertificate(m) => cert::deliver_revoke(state, m, events)?,
            Msg::SubmitPrice(m) => crate::modules::oracle::deliver_submit(state, m, bctx, events)?,
            m if m.module() == "gov" => crate::modules::gov::deliver(state, m, bctx, events)?,
            m if m.module() == "slashing" => {
                crate::modules::slashing::deliver(state, m, bctx, events)?;
            }
            m if m.module() == "bme" => crate::modules::bme::deliver(state, m, bctx, events)?,
            m if m.module() == "staking" => {
                crate::modules::staking::deliver(state, m, bctx, events)?;
            }
            m if m.module() == "distribution" => {
                crate::modules::distribution::deliver(state, m, bctx, events)?;
            }
            m if m.module() == "deployment" => {
                crate::modules::deployment::deliver(state, m, bctx, events)?;
            }
            m if m.module() == "authz" => crate::modules::authz::deliver(state, m, bctx, events)?,
            m => crate::modules::market::deliver(state, m, bctx, events)?,
        }
    }
    Ok(())
}

//! Oracle and BME: message builders (price submission, ACT mint/burn, vault funding) and
//! typed queries (oracle price and params, BME params, vault state, status, ledger).

use dcloud_chain::bme::{BmeParams, StatusView, VaultState};
use dcloud_chain::oracle::OracleParams;
use dcloud_chain::query_views::OraclePrice;
use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::dcloud::bme::{MsgBurnAct, MsgFundVault, MsgMintAct};
use dcloud_proto::dcloud::oracle::MsgSubmitPrice;
use dcloud_proto::Msg;
#[cfg(test)]
use dcloud_types::DENOM_AKT;
use dcloud_types::{AccAddress, Coin};

use crate::market::query_json_at;
use crate::{ClientError, RpcClient};

fn proto(c: &Coin) -> Option<ProtoCoin> {
    Some(ProtoCoin { denom: c.denom.clone(), amount: c.amount.to_string() })
}

/// Parses `AMOUNT` + the one denom a command takes (e.g. `100000000uakt`).
pub fn parse_amount(s: &str, denom: &str) -> Result<Coin, ClientError> {
    let c: Coin = s.trim().parse().map_err(|e| {
        ClientError::InvalidInput(format!(
            "invalid amount {s:?}: {e:?} (expected e.g. 1000000{denom})"
        ))
    })?;
    if c.denom != denom {
        return Err(ClientError::InvalidInput(format!(
            "amount {s:?} must be in {denom}, not {}",
            c.denom
        )));
    }
    if c.amount == 0 {
        return Err(ClientError::InvalidInput(format!("amount {s:?} must be positive")));
    }
    Ok(c)
}

/// `MsgMintACT`: convert `uakt` of `owner` into ACT (to the owner).
pub fn mint_act(owner: &AccAddress, uakt: &Coin) -> Msg {
    Msg::MintAct(MsgMintAct {
        owner: owner.to_string(),
        to: owner.to_string(),
        coins_to_burn: proto(uakt),
    })
}

/// `MsgBurnACT`: convert `uact` of `owner` back into AKT (to the owner).
pub fn burn_act(owner: &AccAddress, uact: &Coin) -> Msg {
    Msg::BurnAct(MsgBurnAct {
        owner: owner.to_string(),
        to: owner.to_string(),
        coins_to_burn: proto(uact),
    })
}

/// `MsgFundVault`: the authority moves `uakt` of its own into the vault.
pub fn fund_vault(authority: &AccAddress, uakt: &Coin) -> Msg {
    Msg::FundVault(MsgFundVault {
        authority: authority.to_string(),
        amount: proto(uakt),
        source: authority.to_string(),
    })
}

/// `MsgSubmitPrice`: `source` publishes the AKT/USD price (`"1.234"`), stamped with the
/// block time (`timestamp_ms` 0) or an explicit observation time.
pub fn submit_price(
    source: &AccAddress,
    price: &str,
    timestamp_ms: u64,
) -> Result<Msg, ClientError> {
    let p = dcloud_chain::escrow::parse_dec18(price.trim())
        .map_err(|e| ClientError::InvalidInput(format!("invalid price: {e}")))?;
    if p == 0 {
        return Err(ClientError::InvalidInput("the price must be positive".into()));
    }
    Ok(Msg::SubmitPrice(MsgSubmitPrice {
        source: source.to_string(),
        denom: dcloud_chain::oracle::DENOM.into(),
        base_denom: dcloud_chain::oracle::BASE_DENOM.into(),
        price: price.trim().into(),
        timestamp_ms,
    }))
}

/// `/oracle/price` at `height` (0 = latest).
pub async fn oracle_price(client: &RpcClient, height: u64) -> Result<OraclePrice, ClientError> {
    query_json_at(client, "/oracle/price", &serde_json::Value::Null, height).await
}

/// `/oracle/params`.
pub async fn oracle_params(client: &RpcClient, height: u64) -> Result<OracleParams, ClientError> {
    query_json_at(client, "/oracle/params", &serde_json::Value::Null, height).await
}

/// `/bme/params`.
pub async fn params(client: &RpcClient, height: u64) -> Result<BmeParams, ClientError> {
    query_json_at(client, "/bme/params", &serde_json::Value::Null, height).await
}

/// `/bme/vault-state`.
pub async fn vault_state(client: &RpcClient, height: u64) -> Result<VaultState, ClientError> {
    query_json_at(client, "/bme/vault-state", &serde_json::Value::Null, height).await
}

/// `/bme/status`.
pub async fn status(client: &RpcClient, height: u64) -> Result<StatusView, ClientError> {
    query_json_at(client, "/bme/status", &serde_json::Value::Null, height).await
}

/// `/bme/ledger`: pending, executed and cancelled requests (of `owner` if given).
pub async fn ledger(
    client: &RpcClient,
    owner: Option<&AccAddress>,
    limit: usize,
    height: u64,
) -> Result<serde_json::Value, ClientError> {
    let mut q = serde_json::json!({ "limit": limit });
    if let Some(o) = owner {
        q["owner"] = serde_json::Value::String(o.to_string());
    }
    query_json_at(client, "/bme/ledger", &q, height).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_must_be_positive_in_the_right_denom() {
        assert_eq!(parse_amount("100uakt", DENOM_AKT).unwrap(), Coin::new(100, DENOM_AKT));
        assert!(parse_amount("100uact", DENOM_AKT).is_err());
        assert!(parse_amount("0uakt", DENOM_AKT).is_err());
        assert!(parse_amount("abc", DENOM_AKT).is_err());
        let a = AccAddress::module("x");
        assert!(submit_price(&a, "0", 0).is_err());
        assert!(submit_price(&a, "1.5x", 0).is_err());
        assert!(matches!(submit_price(&a, "1.5", 0).unwrap(), Msg::SubmitPrice(_)));
    }
}

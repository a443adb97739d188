//! Staking, distribution, slashing and mint: message builders (the standard Cosmos types, so Cosmos
//! tools sign the same bytes) and typed queries.

use dcloud_chain::distribution::{DistributionParams, FeePool};
use dcloud_chain::mint::MintParams;
use dcloud_chain::query_views::{DelegationsView, InflationView, PoolView, RewardsView};
use dcloud_chain::slashing::{SigningInfoView, SlashingParams};
use dcloud_chain::staking::{StakingParams, Validator};
use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::cosmos::cosmos::distribution::v1beta1 as dpb;
use dcloud_proto::cosmos::cosmos::staking::v1beta1 as spb;
use dcloud_proto::{Any, Message, Msg, VALOPER_PREFIX};
use dcloud_types::{AccAddress, Coin, Coins, DENOM_AKT};
use serde::Deserialize;
use serde_json::Value;

use crate::market::query_json_at;
use crate::{ClientError, RpcClient};

fn proto(c: &Coin) -> Option<ProtoCoin> {
    Some(ProtoCoin { denom: c.denom.clone(), amount: c.amount.to_string() })
}

/// The `akashvaloper…` address of an operator account.
pub fn valoper(a: &AccAddress) -> String {
    a.to_bech32_with_prefix(VALOPER_PREFIX)
}

/// Parses a validator given as `akashvaloper…` or as its operator's `akash…` account.
pub fn parse_validator(s: &str) -> Result<AccAddress, ClientError> {
    let s = s.trim();
    let r = if s.starts_with(VALOPER_PREFIX) {
        AccAddress::from_bech32_with_prefix(s, VALOPER_PREFIX)
    } else {
        s.parse()
    };
    r.map_err(|e| ClientError::InvalidInput(format!("invalid validator {s:?}: {e}")))
}

/// Checks a decimal rate (`0.1`) and returns it in the proto wire form of `LegacyDec`
/// (the 18-decimal integer), as Cosmos tools send it.
pub fn rate_wire(s: &str) -> Result<String, ClientError> {
    let v = dcloud_chain::dec::parse_dec18(s.trim())
        .map_err(|e| ClientError::InvalidInput(format!("invalid rate: {e}")))?;
    if v > dcloud_chain::dec::ATTO {
        return Err(ClientError::InvalidInput(format!("rate {s} is above 1")));
    }
    Ok(v.to_string())
}

/// What `create-validator` needs.
#[derive(Debug, Clone)]
pub struct NewValidator {
    /// Moniker.
    pub moniker: String,
    /// ed25519 consensus public key (32 bytes).
    pub consensus_pubkey: [u8; 32],
    /// Commission rate (decimal).
    pub rate: String,
    /// Maximum commission rate.
    pub max_rate: String,
    /// Maximum change per day.
    pub max_change_rate: String,
    /// Minimum self-delegation (uakt).
    pub min_self_delegation: u128,
    /// Self-delegation.
    pub amount: Coin,
}

/// `MsgCreateValidator` for `operator`.
pub fn create_validator(operator: &AccAddress, v: &NewValidator) -> Result<Msg, ClientError> {
    let pk =
        dcloud_proto::cosmos::cosmos::crypto::ed25519::PubKey { key: v.consensus_pubkey.to_vec() };
    #[allow(deprecated)]
    let m = spb::MsgCreateValidator {
        description: Some(spb::Description { moniker: v.moniker.clone(), ..Default::default() }),
        commission: Some(spb::CommissionRates {
            rate: rate_wire(&v.rate)?,
            max_rate: rate_wire(&v.max_rate)?,
            max_change_rate: rate_wire(&v.max_change_rate)?,
        }),
        min_self_delegation: v.min_self_delegation.to_string(),
        delegator_address: String::new(),
        validator_address: valoper(operator),
        pubkey: Some(Any {
            type_url: dcloud_proto::ED25519_PUBKEY_URL.into(),
            value: pk.encode_to_vec(),
        }),
        value: proto(&v.amount),
    };
    Ok(Msg::CreateValidator(m))
}

/// `MsgEditValidator` changing the commission rate (and/or the moniker).
pub fn edit_validator(
    operator: &AccAddress,
    rate: Option<&str>,
    moniker: Option<&str>,
) -> Result<Msg, ClientError> {
    Ok(Msg::EditValidator(spb::MsgEditValidator {
        description: moniker.map(|m| spb::Description {
            moniker: m.into(),
            identity: "[do-not-modify]".into(),
            website: "[do-not-modify]".into(),
            security_contact: "[do-not-modify]".into(),
            details: "[do-not-modify]".into(),
        }),
        validator_address: valoper(operator),
        commission_rate: rate.map(rate_wire).transpose()?.unwrap_or_default(),
        min_self_delegation: String::new(),
    }))
}

/// `MsgDelegate`.
pub fn delegate(del: &AccAddress, val: &AccAddress, amount: &Coin) -> Msg {
    Msg::Delegate(spb::MsgDelegate {
        delegator_address: del.to_string(),
        validator_address: valoper(val),
        amount: proto(amount),
    })
}

/// `MsgUndelegate`.
pub fn undelegate(del: &AccAddress, val: &AccAddress, amount: &Coin) -> Msg {
    Msg::Undelegate(spb::MsgUndelegate {
        delegator_address: del.to_string(),
        validator_address: valoper(val),
        amount: proto(amount),
    })
}

/// `MsgBeginRedelegate`.
pub fn redelegate(del: &AccAddress, src: &AccAddress, dst: &AccAddress, amount: &Coin) -> Msg {
    Msg::BeginRedelegate(spb::MsgBeginRedelegate {
        delegator_address: del.to_string(),
        validator_src_address: valoper(src),
        validator_dst_address: valoper(dst),
        amount: proto(amount),
    })
}

/// `MsgWithdrawDelegatorReward`.
pub fn withdraw_rewards(del: &AccAddress, val: &AccAddress) -> Msg {
    Msg::WithdrawDelegatorReward(dpb::MsgWithdrawDelegatorReward {
        delegator_address: del.to_string(),
        validator_address: valoper(val),
    })
}

/// `MsgWithdrawValidatorCommission`.
pub fn withdraw_commission(operator: &AccAddress) -> Msg {
    Msg::WithdrawValidatorCommission(dpb::MsgWithdrawValidatorCommission {
        validator_address: valoper(operator),
    })
}

/// `MsgSetWithdrawAddress`.
pub fn set_withdraw_address(del: &AccAddress, to: &AccAddress) -> Msg {
    Msg::SetWithdrawAddress(dpb::MsgSetWithdrawAddress {
        delegator_address: del.to_string(),
        withdraw_address: to.to_string(),
    })
}

/// `MsgCancelUnbondingDelegation`: `amount` of the unbonding entry created at `height`
/// back to the validator.
pub fn cancel_unbond(del: &AccAddress, val: &AccAddress, amount: &Coin, height: u64) -> Msg {
    Msg::CancelUnbondingDelegation(spb::MsgCancelUnbondingDelegation {
        delegator_address: del.to_string(),
        validator_address: valoper(val),
        amount: proto(amount),
        creation_height: i64::try_from(height).unwrap_or(i64::MAX),
    })
}

/// `MsgFundCommunityPool`.
pub fn fund_community_pool(from: &AccAddress, amount: &Coins) -> Msg {
    Msg::FundCommunityPool(dpb::MsgFundCommunityPool {
        amount: amount
            .iter()
            .map(|c| ProtoCoin { denom: c.denom.clone(), amount: c.amount.to_string() })
            .collect(),
        depositor: from.to_string(),
    })
}

/// `MsgUnjail` of the operator's validator.
pub fn unjail(operator: &AccAddress) -> Msg {
    Msg::Unjail(dcloud_proto::cosmos::cosmos::slashing::v1beta1::MsgUnjail {
        validator_addr: valoper(operator),
    })
}

/// `/slashing/params`.
pub async fn slashing_params(
    client: &RpcClient,
    height: u64,
) -> Result<SlashingParams, ClientError> {
    query_json_at(client, "/slashing/params", &Value::Null, height).await
}

/// `/slashing/signing_info`: by consensus address (hex) or `akashvaloper…`; `None` when the
/// validator has no signing info yet.
pub async fn signing_info(
    client: &RpcClient,
    who: &str,
    height: u64,
) -> Result<Option<SigningInfoView>, ClientError> {
    query_json_at(client, "/slashing/signing_info", &Value::String(who.trim().into()), height).await
}

/// `/slashing/signing_infos`.
pub async fn signing_infos(
    client: &RpcClient,
    height: u64,
) -> Result<Vec<SigningInfoView>, ClientError> {
    query_json_at(client, "/slashing/signing_infos", &Value::Null, height).await
}

/// Parses `AMOUNTuakt`.
pub fn parse_uakt(s: &str) -> Result<Coin, ClientError> {
    crate::bme::parse_amount(s, DENOM_AKT)
}

fn addr(a: &AccAddress) -> Value {
    Value::String(a.to_string())
}

/// `/staking/validators`.
pub async fn validators(client: &RpcClient, height: u64) -> Result<Vec<Validator>, ClientError> {
    query_json_at(client, "/staking/validators", &Value::Null, height).await
}

/// `/staking/validator`.
pub async fn validator(
    client: &RpcClient,
    op: &AccAddress,
    height: u64,
) -> Result<Validator, ClientError> {
    query_json_at(client, "/staking/validator", &addr(op), height).await
}

/// `/staking/delegations`.
pub async fn delegations(
    client: &RpcClient,
    del: &AccAddress,
    height: u64,
) -> Result<DelegationsView, ClientError> {
    query_json_at(client, "/staking/delegations", &addr(del), height).await
}

/// `/staking/pool`.
pub async fn pool(client: &RpcClient, height: u64) -> Result<PoolView, ClientError> {
    query_json_at(client, "/staking/pool", &Value::Null, height).await
}

/// `/staking/params`.
pub async fn staking_params(client: &RpcClient, height: u64) -> Result<StakingParams, ClientError> {
    query_json_at(client, "/staking/params", &Value::Null, height).await
}

/// `/distribution/rewards`.
pub async fn rewards(
    client: &RpcClient,
    del: &AccAddress,
    height: u64,
) -> Result<RewardsView, ClientError> {
    query_json_at(client, "/distribution/rewards", &addr(del), height).await
}

/// A validator's commission and outstanding rewards (decimal uakt).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct ValidatorRewards {
    /// Operator.
    pub validator_address: String,
    /// Accumulated commission.
    pub commission: String,
    /// Outstanding rewards (commission included).
    pub outstanding_rewards: String,
}

/// `/distribution/validator`.
pub async fn validator_rewards(
    client: &RpcClient,
    op: &AccAddress,
    height: u64,
) -> Result<ValidatorRewards, ClientError> {
    query_json_at(client, "/distribution/validator", &addr(op), height).await
}

/// The community pool and the distribution totals.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct CommunityPool {
    /// Coins in the community pool account.
    pub pool: Coins,
    /// Totals.
    pub fee_pool: FeePool,
}

/// `/distribution/community-pool`.
pub async fn community_pool(client: &RpcClient, height: u64) -> Result<CommunityPool, ClientError> {
    query_json_at(client, "/distribution/community-pool", &Value::Null, height).await
}

/// `/distribution/params`.
pub async fn distribution_params(
    client: &RpcClient,
    height: u64,
) -> Result<DistributionParams, ClientError> {
    query_json_at(client, "/distribution/params", &Value::Null, height).await
}

/// `/mint/inflation`.
pub async fn inflation(client: &RpcClient, height: u64) -> Result<InflationView, ClientError> {
    query_json_at(client, "/mint/inflation", &Value::Null, height).await
}

/// `/mint/params`.
pub async fn mint_params(client: &RpcClient, height: u64) -> Result<MintParams, ClientError> {
    query_json_at(client, "/mint/params", &Value::Null, height).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_go_out_in_the_legacy_dec_wire_form_and_validators_parse_both_ways() {
        assert_eq!(rate_wire("0.1").unwrap(), "100000000000000000");
        assert!(rate_wire("1.5").is_err());
        assert!(rate_wire("abc").is_err());
        let a: AccAddress = "akash1g975h6gdx5mryeac72h6lj2nzygugxhy8a9v38".parse().unwrap();
        assert_eq!(parse_validator(&valoper(&a)).unwrap(), a);
        assert_eq!(parse_validator(&a.to_string()).unwrap(), a);
        assert!(parse_validator("cosmosvaloper1xyz").is_err());
    }
}

//! The state query services (auth, bank, staking, distribution, gov, mint, slashing,
//! authz): each method reads one of our JSON query views through `App::query` at the asked
//! height and maps it to the SDK's protobuf message.

use std::sync::Arc;

use cosmos_sdk_proto::cosmos::base::v1beta1::{Coin as PCoin, DecCoin};
use cosmos_sdk_proto::cosmos::{auth, authz, bank, distribution, gov, mint, slashing, staking};
use cosmos_sdk_proto::Any;
use dcloud_app::modules as m;
use dcloud_types::{AccAddress, Coin, Coins};
use prost::Message;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::{answer, dec_atto, dec_str_atto, decode, paginate, timestamp, QResult, QueryError};
use crate::Shared;

/// The methods [`handle`] answers.
pub(crate) const METHODS: &[&str] = &[
    "/cosmos.auth.v1beta1.Query/Account",
    "/cosmos.auth.v1beta1.Query/Accounts",
    "/cosmos.auth.v1beta1.Query/Params",
    "/cosmos.auth.v1beta1.Query/ModuleAccounts",
    "/cosmos.auth.v1beta1.Query/ModuleAccountByName",
    "/cosmos.auth.v1beta1.Query/Bech32Prefix",
    "/cosmos.bank.v1beta1.Query/Balance",
    "/cosmos.bank.v1beta1.Query/AllBalances",
    "/cosmos.bank.v1beta1.Query/SpendableBalances",
    "/cosmos.bank.v1beta1.Query/SpendableBalanceByDenom",
    "/cosmos.bank.v1beta1.Query/TotalSupply",
    "/cosmos.bank.v1beta1.Query/SupplyOf",
    "/cosmos.bank.v1beta1.Query/Params",
    "/cosmos.bank.v1beta1.Query/DenomMetadata",
    "/cosmos.bank.v1beta1.Query/DenomsMetadata",
    "/cosmos.staking.v1beta1.Query/Validators",
    "/cosmos.staking.v1beta1.Query/Validator",
    "/cosmos.staking.v1beta1.Query/Delegation",
    "/cosmos.staking.v1beta1.Query/DelegatorDelegations",
    "/cosmos.staking.v1beta1.Query/Params",
    "/cosmos.staking.v1beta1.Query/Pool",
    "/cosmos.distribution.v1beta1.Query/Params",
    "/cosmos.distribution.v1beta1.Query/DelegationRewards",
    "/cosmos.distribution.v1beta1.Query/DelegationTotalRewards",
    "/cosmos.distribution.v1beta1.Query/CommunityPool",
    "/cosmos.distribution.v1beta1.Query/ValidatorCommission",
    "/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards",
    "/cosmos.gov.v1.Query/Params",
    "/cosmos.gov.v1.Query/Proposal",
    "/cosmos.gov.v1.Query/Proposals",
    "/cosmos.gov.v1.Query/TallyResult",
    "/cosmos.gov.v1beta1.Query/Proposals",
    "/cosmos.gov.v1beta1.Query/Proposal",
    "/cosmos.mint.v1beta1.Query/Params",
    "/cosmos.mint.v1beta1.Query/Inflation",
    "/cosmos.mint.v1beta1.Query/AnnualProvisions",
    "/cosmos.slashing.v1beta1.Query/Params",
    "/cosmos.slashing.v1beta1.Query/SigningInfo",
    "/cosmos.slashing.v1beta1.Query/SigningInfos",
    "/cosmos.authz.v1beta1.Query/Grants",
    "/cosmos.authz.v1beta1.Query/GranterGrants",
    "/cosmos.authz.v1beta1.Query/GranteeGrants",
];

/// The bech32 prefix of account addresses.
const BECH32_PREFIX: &str = "akash";
/// Type URL of the deposit authorization carried by our authz grants.
pub(crate) const DEPOSIT_AUTHORIZATION_URL: &str = "/akash.escrow.v1.DepositAuthorization";

/// One of our JSON views at `height`, typed.
fn view<T: DeserializeOwned>(
    sh: &Shared,
    path: &str,
    data: &[u8],
    height: u64,
) -> Result<(T, u64), QueryError> {
    let r = sh.app.query(path, data, height, false)?;
    let v = serde_json::from_slice(&r.value).map_err(QueryError::internal)?;
    Ok((v, r.height))
}

fn addr(field: &str, s: &str) -> Result<AccAddress, QueryError> {
    if s.is_empty() {
        return Err(QueryError::invalid(format!("empty {field}")));
    }
    s.parse().map_err(|e| QueryError::invalid(format!("invalid {field} {s:?}: {e}")))
}

fn coin(c: &Coin) -> PCoin {
    PCoin { denom: c.denom.clone(), amount: c.amount.to_string() }
}

fn coins(c: &Coins) -> Vec<PCoin> {
    c.iter().map(|c| coin(&c)).collect()
}

/// A decimal amount of uakt (`"12.5"`) as a `DecCoin` list (empty when zero).
fn dec_coins(amount: &str, denom: &str) -> Vec<DecCoin> {
    let a = dec_str_atto(amount);
    if a == "0" {
        return Vec::new();
    }
    vec![DecCoin { denom: denom.into(), amount: a }]
}

fn any<M: Message>(type_url: &str, m: &M) -> Any {
    Any { type_url: type_url.into(), value: m.encode_to_vec() }
}

fn duration_ms(ms: u64) -> cosmos_sdk_proto::tendermint::google::protobuf::Duration {
    cosmos_sdk_proto::tendermint::google::protobuf::Duration {
        seconds: (ms / 1000) as i64,
        nanos: ((ms % 1000) * 1_000_000) as i32,
    }
}

/// `0.334000000000000000`: gov v1's decimal strings.
fn dec18(atto: u128) -> String {
    format!("{}.{:018}", atto / dcloud_types::ATTO, atto % dcloud_types::ATTO)
}

/// Answers a state query method; `None` = not one of ours.
pub(crate) fn handle(sh: &Arc<Shared>, path: &str, data: &[u8], height: u64) -> Option<QResult> {
    let (service, method) = path.trim_start_matches('/').split_once('/')?;
    let r = match service {
        "cosmos.auth.v1beta1.Query" => auth_q(sh, method, data, height)?,
        "cosmos.bank.v1beta1.Query" => bank_q(sh, method, data, height)?,
        "cosmos.staking.v1beta1.Query" => staking_q(sh, method, data, height)?,
        "cosmos.distribution.v1beta1.Query" => distribution_q(sh, method, data, height)?,
        "cosmos.gov.v1.Query" => gov_v1_q(sh, method, data, height)?,
        "cosmos.gov.v1beta1.Query" => gov_v1beta1_q(sh, method, data, height)?,
        "cosmos.mint.v1beta1.Query" => mint_q(sh, method, data, height)?,
        "cosmos.slashing.v1beta1.Query" => slashing_q(sh, method, data, height)?,
        "cosmos.authz.v1beta1.Query" => authz_q(sh, method, data, height)?,
        _ => return None,
    };
    Some(r)
}

// ---- auth ----

fn base_account(a: &m::auth::Account) -> Result<auth::v1beta1::BaseAccount, QueryError> {
    let pub_key = match &a.pub_key {
        Some(h) => {
            let key = hex::decode(h).map_err(QueryError::internal)?;
            Some(any(
                "/cosmos.crypto.secp256k1.PubKey",
                &cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey { key },
            ))
        }
        None => None,
    };
    Ok(auth::v1beta1::BaseAccount {
        address: a.address.to_string(),
        pub_key,
        account_number: a.account_number,
        sequence: a.sequence,
    })
}

/// An account packed as the SDK packs it: `BaseAccount`, or `ModuleAccount` for a module.
fn account_any(a: &m::auth::Account) -> Result<Any, QueryError> {
    let base = base_account(a)?;
    Ok(match &a.module {
        Some(name) => {
            let permissions = m::auth::MODULE_ACCOUNTS
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| p.iter().map(|s| (*s).to_string()).collect())
                .unwrap_or_default();
            any(
                "/cosmos.auth.v1beta1.ModuleAccount",
                &auth::v1beta1::ModuleAccount {
                    base_account: Some(base),
                    name: name.clone(),
                    permissions,
                },
            )
        }
        None => any("/cosmos.auth.v1beta1.BaseAccount", &base),
    })
}

fn get_account(
    sh: &Shared,
    a: &AccAddress,
    height: u64,
) -> Result<(m::auth::Account, u64), QueryError> {
    view(sh, "/auth/account", a.to_string().as_bytes(), height).map_err(|e| {
        if e.code == super::Code::NotFound {
            // The SDK's wording (x/auth/keeper/grpc_query.go).
            QueryError::not_found(format!("account {a} not found"))
        } else {
            e
        }
    })
}

fn auth_q(sh: &Shared, method: &str, data: &[u8], height: u64) -> Option<QResult> {
    use auth::v1beta1::*;
    Some((|| match method {
        "Account" => {
            let req: QueryAccountRequest = decode(data)?;
            let a = addr("address", &req.address)?;
            let (acc, h) = get_account(sh, &a, height)?;
            answer(&QueryAccountResponse { account: Some(account_any(&acc)?) }, h)
        }
        "Accounts" => {
            let req: QueryAccountsRequest = decode(data)?;
            let page = req.pagination.unwrap_or_default();
            let limit = if page.limit == 0 { 100 } else { page.limit.min(1000) };
            let start_after = if page.key.is_empty() {
                Value::Null
            } else {
                Value::String(String::from_utf8(page.key.clone()).map_err(|_| {
                    QueryError::invalid("pagination key is not one this node issued")
                })?)
            };
            let q = json!({"start_after": start_after, "limit": limit});
            let (accs, h): (Vec<m::auth::Account>, u64) =
                view(sh, "/auth/accounts", q.to_string().as_bytes(), height)?;
            let next_key = match accs.last() {
                Some(a) if accs.len() as u64 == limit => a.address.to_string().into_bytes(),
                _ => Vec::new(),
            };
            let accounts = accs.iter().map(account_any).collect::<Result<_, _>>()?;
            answer(
                &QueryAccountsResponse {
                    accounts,
                    pagination: Some(
                        cosmos_sdk_proto::cosmos::base::query::v1beta1::PageResponse {
                            next_key,
                            total: 0,
                        },
                    ),
                },
                h,
            )
        }
        "Params" => {
            let (p, h): (m::auth::AuthParams, u64) = view(sh, "/auth/params", b"", height)?;
            answer(
                &QueryParamsResponse {
                    params: Some(Params {
                        max_memo_characters: p.max_memo_characters,
                        tx_sig_limit: 1,
                        tx_size_cost_per_byte: p.tx_size_cost_per_byte,
                        sig_verify_cost_ed25519: 590,
                        sig_verify_cost_secp256k1: p.sig_verify_cost_secp256k1,
                    }),
                },
                h,
            )
        }
        "ModuleAccounts" => {
            let mut accounts = Vec::new();
            let mut h = height;
            for (name, _) in m::auth::MODULE_ACCOUNTS {
                let (acc, at) = get_account(sh, &m::auth::module_address(name), height)?;
                h = at;
                accounts.push(account_any(&acc)?);
            }
            answer(&QueryModuleAccountsResponse { accounts }, h)
        }
        "ModuleAccountByName" => {
            let req: QueryModuleAccountByNameRequest = decode(data)?;
            if !m::auth::MODULE_ACCOUNTS.iter().any(|(n, _)| *n == req.name) {
                return Err(QueryError::not_found(format!(
                    "account {} not found: module account does not exist",
                    req.name
                )));
            }
            let (acc, h) = get_account(sh, &m::auth::module_address(&req.name), height)?;
            answer(&QueryModuleAccountByNameResponse { account: Some(account_any(&acc)?) }, h)
        }
        "Bech32Prefix" => answer(
            &Bech32PrefixResponse { bech32_prefix: BECH32_PREFIX.into() },
            latest(sh, height)?,
        ),
        _ => Err(unimplemented_method("cosmos.auth.v1beta1.Query", method)),
    })())
}

fn unimplemented_method(service: &str, method: &str) -> QueryError {
    QueryError::new(
        super::Code::Unimplemented,
        format!("unknown method {method} for service {service}"),
    )
}

/// The height a constant answer is for.
fn latest(sh: &Shared, height: u64) -> Result<u64, QueryError> {
    if height > 0 {
        return Ok(height);
    }
    Ok(sh.app.info()?.last_height.unwrap_or(0))
}

// ---- bank ----

fn denom_metadata(denom: &str) -> Option<bank::v1beta1::Metadata> {
    use bank::v1beta1::{DenomUnit, Metadata};
    let (display, name, description) = match denom {
        "uakt" => ("akt", "Akash Token", "The native staking and fee token of the chain."),
        "uact" => ("act", "Akash Compute Token", "The compute credit minted by the BME module."),
        _ => return None,
    };
    Some(Metadata {
        description: description.into(),
        denom_units: vec![
            DenomUnit { denom: denom.into(), exponent: 0, aliases: vec![] },
            DenomUnit { denom: display.into(), exponent: 6, aliases: vec![] },
        ],
        base: denom.into(),
        display: display.into(),
        name: name.into(),
        symbol: display.to_uppercase(),
        uri: String::new(),
        uri_hash: String::new(),
    })
}

fn balances(sh: &Shared, address: &str, height: u64) -> Result<(Coins, u64), QueryError> {
    let a = addr("address", address)?;
    view(sh, "/bank/balances", a.to_string().as_bytes(), height)
}

fn bank_q(sh: &Shared, method: &str, data: &[u8], height: u64) -> Option<QResult> {
    use bank::v1beta1::*;
    Some((|| match method {
        "Balance" | "SpendableBalanceByDenom" => {
            let (address, denom) = if method == "Balance" {
                let r: QueryBalanceRequest = decode(data)?;
                (r.address, r.denom)
            } else {
                let r: QuerySpendableBalanceByDenomRequest = decode(data)?;
                (r.address, r.denom)
            };
            if denom.is_empty() {
                return Err(QueryError::invalid("invalid denom"));
            }
            let (c, h) = balances(sh, &address, height)?;
            let balance = Some(PCoin { amount: c.amount_of(&denom).to_string(), denom });
            if method == "Balance" {
                answer(&QueryBalanceResponse { balance }, h)
            } else {
                answer(&QuerySpendableBalanceByDenomResponse { balance }, h)
            }
        }
        "AllBalances" => {
            let r: QueryAllBalancesRequest = decode(data)?;
            let (c, h) = balances(sh, &r.address, height)?;
            let (page, pagination) = paginate(coins(&c), r.pagination.as_ref());
            answer(&QueryAllBalancesResponse { balances: page, pagination: Some(pagination) }, h)
        }
        "SpendableBalances" => {
            let r: QuerySpendableBalancesRequest = decode(data)?;
            let (c, h) = balances(sh, &r.address, height)?;
            let (page, pagination) = paginate(coins(&c), r.pagination.as_ref());
            answer(
                &QuerySpendableBalancesResponse { balances: page, pagination: Some(pagination) },
                h,
            )
        }
        "TotalSupply" => {
            let r: QueryTotalSupplyRequest = decode(data)?;
            let (c, h): (Coins, u64) = view(sh, "/bank/supply", b"", height)?;
            let (page, pagination) = paginate(coins(&c), r.pagination.as_ref());
            answer(&QueryTotalSupplyResponse { supply: page, pagination: Some(pagination) }, h)
        }
        "SupplyOf" => {
            let r: QuerySupplyOfRequest = decode(data)?;
            if r.denom.is_empty() {
                return Err(QueryError::invalid("invalid denom"));
            }
            let (c, h): (Coins, u64) = view(sh, "/bank/supply", b"", height)?;
            let amount = Some(PCoin { amount: c.amount_of(&r.denom).to_string(), denom: r.denom });
            answer(&QuerySupplyOfResponse { amount }, h)
        }
        "Params" => {
            let (p, h): (m::bank::BankParams, u64) = view(sh, "/bank/params", b"", height)?;
            #[allow(deprecated)]
            let params = Params {
                send_enabled: p
                    .send_enabled
                    .iter()
                    .map(|s| SendEnabled { denom: s.denom.clone(), enabled: s.enabled })
                    .collect(),
                default_send_enabled: p.default_send_enabled,
            };
            answer(&QueryParamsResponse { params: Some(params) }, h)
        }
        "DenomMetadata" => {
            let r: QueryDenomMetadataRequest = decode(data)?;
            let md = denom_metadata(&r.denom).ok_or_else(|| {
                QueryError::not_found(format!("client metadata for denom {}", r.denom))
            })?;
            answer(&QueryDenomMetadataResponse { metadata: Some(md) }, latest(sh, height)?)
        }
        "DenomsMetadata" => {
            let r: QueryDenomsMetadataRequest = decode(data)?;
            let all: Vec<Metadata> =
                ["uact", "uakt"].iter().filter_map(|d| denom_metadata(d)).collect();
            let (page, pagination) = paginate(all, r.pagination.as_ref());
            answer(
                &QueryDenomsMetadataResponse { metadatas: page, pagination: Some(pagination) },
                latest(sh, height)?,
            )
        }
        _ => Err(unimplemented_method("cosmos.bank.v1beta1.Query", method)),
    })())
}

// ---- staking ----

fn bond_status(s: &m::staking::BondStatus) -> i32 {
    match s {
        m::staking::BondStatus::Unbonded => staking::v1beta1::BondStatus::Unbonded as i32,
        m::staking::BondStatus::Unbonding => staking::v1beta1::BondStatus::Unbonding as i32,
        m::staking::BondStatus::Bonded => staking::v1beta1::BondStatus::Bonded as i32,
    }
}

fn validator(v: &m::staking::Validator) -> Result<staking::v1beta1::Validator, QueryError> {
    use base64::Engine;
    use staking::v1beta1::*;
    let key = base64::engine::general_purpose::STANDARD
        .decode(&v.consensus_pubkey)
        .map_err(QueryError::internal)?;
    Ok(Validator {
        operator_address: v.operator_address.clone(),
        consensus_pubkey: Some(any(
            "/cosmos.crypto.ed25519.PubKey",
            &cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey { key },
        )),
        jailed: v.jailed,
        status: bond_status(&v.status),
        tokens: v.tokens.to_string(),
        delegator_shares: dec_atto(v.delegator_shares),
        description: Some(Description {
            moniker: v.description.moniker.clone(),
            identity: v.description.identity.clone(),
            website: v.description.website.clone(),
            security_contact: v.description.security_contact.clone(),
            details: v.description.details.clone(),
        }),
        unbonding_height: v.unbonding_height as i64,
        unbonding_time: Some(timestamp(v.unbonding_time_ms)),
        commission: Some(Commission {
            commission_rates: Some(CommissionRates {
                rate: dec_atto(v.commission.rate),
                max_rate: dec_atto(v.commission.max_rate),
                max_change_rate: dec_atto(v.commission.max_change_rate),
            }),
            update_time: Some(timestamp(v.commission.update_time_ms)),
        }),
        min_self_delegation: v.min_self_delegation.to_string(),
        unbonding_on_hold_ref_count: 0,
        unbonding_ids: vec![],
    })
}

fn delegation_response(d: &m::staking::DelegationView) -> staking::v1beta1::DelegationResponse {
    staking::v1beta1::DelegationResponse {
        delegation: Some(staking::v1beta1::Delegation {
            delegator_address: d.delegation.delegator.to_string(),
            validator_address: d.delegation.validator.clone(),
            shares: dec_atto(d.delegation.shares),
        }),
        balance: Some(coin(&d.balance)),
    }
}

fn staking_q(sh: &Shared, method: &str, data: &[u8], height: u64) -> Option<QResult> {
    use staking::v1beta1::*;
    Some((|| match method {
        "Validators" => {
            let r: QueryValidatorsRequest = decode(data)?;
            let (vals, h): (Vec<m::staking::Validator>, u64) =
                view(sh, "/staking/validators", b"", height)?;
            let want =
                match r.status.as_str() {
                    "" => None,
                    s => Some(BondStatus::from_str_name(s).ok_or_else(|| {
                        QueryError::invalid(format!("invalid validator status {s}"))
                    })? as i32),
                };
            let all: Vec<Validator> = vals
                .iter()
                .filter(|v| want.is_none_or(|w| bond_status(&v.status) == w))
                .map(validator)
                .collect::<Result<_, _>>()?;
            let (page, pagination) = paginate(all, r.pagination.as_ref());
            answer(&QueryValidatorsResponse { validators: page, pagination: Some(pagination) }, h)
        }
        "Validator" => {
            let r: QueryValidatorRequest = decode(data)?;
            if r.validator_addr.is_empty() {
                return Err(QueryError::invalid("validator address cannot be empty"));
            }
            let (v, h): (m::staking::Validator, u64) = view(
                sh,
                "/staking/validator",
                r.validator_addr.as_bytes(),
                height,
            )
            .map_err(|e| {
                if e.code == super::Code::NotFound {
                    QueryError::not_found(format!("validator {} not found", r.validator_addr))
                } else {
                    e
                }
            })?;
            answer(&QueryValidatorResponse { validator: Some(validator(&v)?) }, h)
        }
        "Delegation" => {
            let r: QueryDelegationRequest = decode(data)?;
            let d = addr("delegator address", &r.delegator_addr)?;
            let (ds, h): (m::staking::DelegationsView, u64) =
                view(sh, "/staking/delegations", d.to_string().as_bytes(), height)?;
            let found = ds
                .delegations
                .iter()
                .find(|x| x.delegation.validator == r.validator_addr)
                .ok_or_else(|| {
                    QueryError::not_found(format!(
                        "delegation with delegator {} not found for validator {}",
                        r.delegator_addr, r.validator_addr
                    ))
                })?;
            answer(
                &QueryDelegationResponse { delegation_response: Some(delegation_response(found)) },
                h,
            )
        }
        "DelegatorDelegations" => {
            let r: QueryDelegatorDelegationsRequest = decode(data)?;
            let d = addr("delegator address", &r.delegator_addr)?;
            let (ds, h): (m::staking::DelegationsView, u64) =
                view(sh, "/staking/delegations", d.to_string().as_bytes(), height)?;
            let all: Vec<DelegationResponse> =
                ds.delegations.iter().map(delegation_response).collect();
            let (page, pagination) = paginate(all, r.pagination.as_ref());
            answer(
                &QueryDelegatorDelegationsResponse {
                    delegation_responses: page,
                    pagination: Some(pagination),
                },
                h,
            )
        }
        "Params" => {
            let (p, h): (m::staking::StakingParams, u64) =
                view(sh, "/staking/params", b"", height)?;
            answer(
                &QueryParamsResponse {
                    params: Some(Params {
                        unbonding_time: Some(duration_ms(p.unbonding_time_ms)),
                        max_validators: p.max_validators,
                        max_entries: p.max_entries,
                        historical_entries: 0,
                        bond_denom: p.bond_denom.clone(),
                        min_commission_rate: dec_atto(p.min_commission_rate),
                    }),
                },
                h,
            )
        }
        "Pool" => {
            let (p, h): (m::staking::PoolView, u64) = view(sh, "/staking/pool", b"", height)?;
            answer(
                &QueryPoolResponse {
                    pool: Some(Pool {
                        not_bonded_tokens: p.not_bonded_tokens.to_string(),
                        bonded_tokens: p.bonded_tokens.to_string(),
                    }),
                },
                h,
            )
        }
        _ => Err(unimplemented_method("cosmos.staking.v1beta1.Query", method)),
    })())
}

// ---- distribution ----

fn distribution_q(sh: &Shared, method: &str, data: &[u8], height: u64) -> Option<QResult> {
    use distribution::v1beta1::*;
    let denom = dcloud_types::DENOM_AKT;
    Some((|| match method {
        "Params" => {
            let (p, h): (m::distribution::DistributionParams, u64) =
                view(sh, "/distribution/params", b"", height)?;
            #[allow(deprecated)]
            let params = Params {
                community_tax: dec_atto(p.community_tax),
                base_proposer_reward: "0".into(),
                bonus_proposer_reward: "0".into(),
                withdraw_addr_enabled: p.withdraw_addr_enabled,
            };
            answer(&QueryParamsResponse { params: Some(params) }, h)
        }
        "DelegationTotalRewards" | "DelegationRewards" => {
            let (delegator, validator) = if method == "DelegationRewards" {
                let r: QueryDelegationRewardsRequest = decode(data)?;
                (r.delegator_address, Some(r.validator_address))
            } else {
                let r: QueryDelegationTotalRewardsRequest = decode(data)?;
                (r.delegator_address, None)
            };
            let d = addr("delegator address", &delegator)?;
            let (rv, h): (m::distribution::RewardsView, u64) =
                view(sh, "/distribution/rewards", d.to_string().as_bytes(), height)?;
            match validator {
                Some(v) => {
                    let one =
                        rv.rewards.iter().find(|r| r.validator_address == v).ok_or_else(|| {
                            QueryError::not_found(format!(
                                "delegation does not exist: {delegator} to {v}"
                            ))
                        })?;
                    answer(
                        &QueryDelegationRewardsResponse { rewards: dec_coins(&one.reward, denom) },
                        h,
                    )
                }
                None => answer(
                    &QueryDelegationTotalRewardsResponse {
                        rewards: rv
                            .rewards
                            .iter()
                            .map(|r| DelegationDelegatorReward {
                                validator_address: r.validator_address.clone(),
                                reward: dec_coins(&r.reward, denom),
                            })
                            .collect(),
                        total: dec_coins(&rv.total, denom),
                    },
                    h,
                ),
            }
        }
        "CommunityPool" => {
            let (v, h): (Value, u64) = view(sh, "/distribution/community-pool", b"", height)?;
            let pool: Coins =
                serde_json::from_value(v["pool"].clone()).map_err(QueryError::internal)?;
            let pool = pool
                .iter()
                .map(|c| DecCoin {
                    denom: c.denom.clone(),
                    amount: dec_atto(c.amount.saturating_mul(dcloud_types::ATTO)),
                })
                .collect();
            answer(&QueryCommunityPoolResponse { pool }, h)
        }
        "ValidatorCommission" | "ValidatorOutstandingRewards" => {
            let v = if method == "ValidatorCommission" {
                decode::<QueryValidatorCommissionRequest>(data)?.validator_address
            } else {
                decode::<QueryValidatorOutstandingRewardsRequest>(data)?.validator_address
            };
            let (j, h): (Value, u64) = view(sh, "/distribution/validator", v.as_bytes(), height)?;
            let s = |k: &str| j[k].as_str().unwrap_or("0").to_string();
            if method == "ValidatorCommission" {
                answer(
                    &QueryValidatorCommissionResponse {
                        commission: Some(ValidatorAccumulatedCommission {
                            commission: dec_coins(&s("commission"), denom),
                        }),
                    },
                    h,
                )
            } else {
                answer(
                    &QueryValidatorOutstandingRewardsResponse {
                        rewards: Some(ValidatorOutstandingRewards {
                            rewards: dec_coins(&s("outstanding_rewards"), denom),
                        }),
                    },
                    h,
                )
            }
        }
        _ => Err(unimplemented_method("cosmos.distribution.v1beta1.Query", method)),
    })())
}

// ---- gov ----

fn v1_status(s: &m::gov::ProposalStatus) -> i32 {
    use gov::v1::ProposalStatus as P;
    (match s {
        m::gov::ProposalStatus::DepositPeriod => P::DepositPeriod,
        m::gov::ProposalStatus::VotingPeriod => P::VotingPeriod,
        m::gov::ProposalStatus::Passed => P::Passed,
        m::gov::ProposalStatus::Rejected => P::Rejected,
        m::gov::ProposalStatus::Failed => P::Failed,
    }) as i32
}

fn tally_v1(t: &m::gov::TallyResult) -> gov::v1::TallyResult {
    gov::v1::TallyResult {
        yes_count: t.yes_count.to_string(),
        abstain_count: t.abstain_count.to_string(),
        no_count: t.no_count.to_string(),
        no_with_veto_count: t.no_with_veto_count.to_string(),
    }
}

fn proposal_v1(p: &m::gov::Proposal) -> Result<gov::v1::Proposal, QueryError> {
    use base64::Engine;
    let messages = p
        .messages
        .iter()
        .map(|m| {
            Ok(Any {
                type_url: m.type_url.clone(),
                value: base64::engine::general_purpose::STANDARD
                    .decode(&m.value)
                    .map_err(QueryError::internal)?,
            })
        })
        .collect::<Result<_, QueryError>>()?;
    let denom = dcloud_types::DENOM_AKT;
    Ok(gov::v1::Proposal {
        id: p.id,
        messages,
        status: v1_status(&p.status),
        final_tally_result: Some(p.final_tally_result.as_ref().map(tally_v1).unwrap_or_else(
            || gov::v1::TallyResult {
                yes_count: "0".into(),
                abstain_count: "0".into(),
                no_count: "0".into(),
                no_with_veto_count: "0".into(),
            },
        )),
        submit_time: Some(timestamp(p.submit_time_ms)),
        deposit_end_time: Some(timestamp(p.deposit_end_time_ms)),
        total_deposit: vec![PCoin { denom: denom.into(), amount: p.total_deposit.to_string() }],
        voting_start_time: (p.voting_start_time_ms > 0).then(|| timestamp(p.voting_start_time_ms)),
        voting_end_time: (p.voting_end_time_ms > 0).then(|| timestamp(p.voting_end_time_ms)),
        metadata: p.metadata.clone(),
        title: p.title.clone(),
        summary: p.summary.clone(),
        proposer: p.proposer.to_string(),
        expedited: false,
        failed_reason: p.failed_reason.clone(),
    })
}

fn proposal_not_found(id: u64) -> QueryError {
    QueryError::not_found(format!("proposal {id} doesn't exist"))
}

fn proposals(sh: &Shared, height: u64) -> Result<(Vec<m::gov::Proposal>, u64), QueryError> {
    view(sh, "/gov/proposals", b"", height)
}

fn proposal(sh: &Shared, id: u64, height: u64) -> Result<(m::gov::Proposal, u64), QueryError> {
    if id == 0 {
        return Err(QueryError::invalid("proposal id can not be 0"));
    }
    view(sh, "/gov/proposal", id.to_string().as_bytes(), height).map_err(|e| {
        if e.code == super::Code::NotFound {
            proposal_not_found(id)
        } else {
            e
        }
    })
}

fn gov_v1_q(sh: &Shared, method: &str, data: &[u8], height: u64) -> Option<QResult> {
    use gov::v1::*;
    Some((|| match method {
        "Params" => {
            let (p, h): (m::gov::GovParams, u64) = view(sh, "/gov/params", b"", height)?;
            let min_deposit = vec![PCoin {
                denom: dcloud_types::DENOM_AKT.into(),
                amount: p.min_deposit.to_string(),
            }];
            #[allow(deprecated)]
            let resp = QueryParamsResponse {
                voting_params: Some(VotingParams {
                    voting_period: Some(duration_ms(p.voting_period_ms)),
                }),
                deposit_params: Some(DepositParams {
                    min_deposit: min_deposit.clone(),
                    max_deposit_period: Some(duration_ms(p.max_deposit_period_ms)),
                }),
                tally_params: Some(TallyParams {
                    quorum: dec18(p.quorum),
                    threshold: dec18(p.threshold),
                    veto_threshold: dec18(p.veto_threshold),
                }),
                params: Some(Params {
                    min_deposit,
                    max_deposit_period: Some(duration_ms(p.max_deposit_period_ms)),
                    voting_period: Some(duration_ms(p.voting_period_ms)),
                    quorum: dec18(p.quorum),
                    threshold: dec18(p.threshold),
                    veto_threshold: dec18(p.veto_threshold),
                    min_initial_deposit_ratio: dec18(p.min_initial_deposit_ratio),
                    burn_vote_veto: p.burn_vote_veto,
                    ..Default::default()
                }),
            };
            answer(&resp, h)
        }
        "Proposal" => {
            let r: QueryProposalRequest = decode(data)?;
            let (p, h) = proposal(sh, r.proposal_id, height)?;
            answer(&QueryProposalResponse { proposal: Some(proposal_v1(&p)?) }, h)
        }
        "Proposals" => {
            let r: QueryProposalsRequest = decode(data)?;
            let (ps, h) = proposals(sh, height)?;
            let all: Vec<Proposal> = ps
                .iter()
                .filter(|p| r.proposal_status == 0 || v1_status(&p.status) == r.proposal_status)
                .filter(|p| r.depositor.is_empty() || p.proposer.to_string() == r.depositor)
                .map(proposal_v1)
                .collect::<Result<_, _>>()?;
            let (page, pagination) = paginate(all, r.pagination.as_ref());
            answer(&QueryProposalsResponse { proposals: page, pagination: Some(pagination) }, h)
        }
        "TallyResult" => {
            let r: QueryTallyResultRequest = decode(data)?;
            proposal(sh, r.proposal_id, height)?;
            let (t, h): (m::gov::TallyResult, u64) =
                view(sh, "/gov/tally", r.proposal_id.to_string().as_bytes(), height)?;
            answer(&QueryTallyResultResponse { tally: Some(tally_v1(&t)) }, h)
        }
        _ => Err(unimplemented_method("cosmos.gov.v1.Query", method)),
    })())
}

/// A v1 proposal as v1beta1 shows it: a `TextProposal` content with its title and summary
/// (our proposals carry messages, not legacy content).
fn proposal_v1beta1(p: &m::gov::Proposal) -> gov::v1beta1::Proposal {
    use gov::v1beta1::*;
    let t = p.final_tally_result.as_ref();
    let s = |f: fn(&m::gov::TallyResult) -> u128| t.map_or(0, f).to_string();
    Proposal {
        proposal_id: p.id,
        content: Some(any(
            "/cosmos.gov.v1beta1.TextProposal",
            &TextProposal { title: p.title.clone(), description: p.summary.clone() },
        )),
        status: v1_status(&p.status),
        final_tally_result: Some(TallyResult {
            yes: s(|t| t.yes_count),
            abstain: s(|t| t.abstain_count),
            no: s(|t| t.no_count),
            no_with_veto: s(|t| t.no_with_veto_count),
        }),
        submit_time: Some(timestamp(p.submit_time_ms)),
        deposit_end_time: Some(timestamp(p.deposit_end_time_ms)),
        total_deposit: vec![PCoin {
            denom: dcloud_types::DENOM_AKT.into(),
            amount: p.total_deposit.to_string(),
        }],
        voting_start_time: Some(timestamp(p.voting_start_time_ms)),
        voting_end_time: Some(timestamp(p.voting_end_time_ms)),
    }
}

fn gov_v1beta1_q(sh: &Shared, method: &str, data: &[u8], height: u64) -> Option<QResult> {
    use gov::v1beta1::*;
    Some((|| match method {
        "Proposals" => {
            let r: QueryProposalsRequest = decode(data)?;
            let (ps, h) = proposals(sh, height)?;
            let all: Vec<Proposal> = ps
                .iter()
                .filter(|p| r.proposal_status == 0 || v1_status(&p.status) == r.proposal_status)
                .map(proposal_v1beta1)
                .collect();
            let (page, pagination) = paginate(all, r.pagination.as_ref());
            answer(&QueryProposalsResponse { proposals: page, pagination: Some(pagination) }, h)
        }
        "Proposal" => {
            let r: QueryProposalRequest = decode(data)?;
            let (p, h) = proposal(sh, r.proposal_id, height)?;
            answer(&QueryProposalResponse { proposal: Some(proposal_v1beta1(&p)) }, h)
        }
        _ => Err(unimplemented_method("cosmos.gov.v1beta1.Query", method)),
    })())
}

// ---- mint ----

fn mint_q(sh: &Shared, method: &str, _data: &[u8], height: u64) -> Option<QResult> {
    use mint::v1beta1::*;
    Some((|| match method {
        "Params" => {
            let (p, h): (m::mint::MintParams, u64) = view(sh, "/mint/params", b"", height)?;
            answer(
                &QueryParamsResponse {
                    params: Some(Params {
                        mint_denom: p.mint_denom.clone(),
                        inflation_rate_change: dec_atto(p.inflation_rate_change),
                        inflation_max: dec_atto(p.inflation_max),
                        inflation_min: dec_atto(p.inflation_min),
                        goal_bonded: dec_atto(p.goal_bonded),
                        blocks_per_year: p.blocks_per_year,
                    }),
                },
                h,
            )
        }
        "Inflation" | "AnnualProvisions" => {
            let (v, h): (m::mint::InflationView, u64) = view(sh, "/mint/inflation", b"", height)?;
            // LegacyDec in bytes fields: the text of its 10^-18 integer.
            if method == "Inflation" {
                answer(
                    &QueryInflationResponse { inflation: dec_str_atto(&v.inflation).into_bytes() },
                    h,
                )
            } else {
                answer(
                    &QueryAnnualProvisionsResponse {
                        annual_provisions: dec_str_atto(&v.annual_provisions).into_bytes(),
                    },
                    h,
                )
            }
        }
        _ => Err(unimplemented_method("cosmos.mint.v1beta1.Query", method)),
    })())
}

// ---- slashing ----

/// A hex consensus address as `akashvalcons1…`.
fn valcons(hex_addr: &str) -> String {
    let Ok(bytes) = hex::decode(hex_addr) else { return hex_addr.to_string() };
    let Ok(hrp) = bech32::Hrp::parse("akashvalcons") else { return hex_addr.to_string() };
    bech32::encode::<bech32::Bech32>(hrp, &bytes).unwrap_or_else(|_| hex_addr.to_string())
}

/// An `akashvalcons1…` address as hex (hex passes through).
fn valcons_to_hex(s: &str) -> String {
    match bech32::decode(s) {
        Ok((_, bytes)) => hex::encode_upper(bytes),
        Err(_) => s.to_string(),
    }
}

fn signing_info(v: &m::slashing::SigningInfoView) -> slashing::v1beta1::ValidatorSigningInfo {
    slashing::v1beta1::ValidatorSigningInfo {
        address: valcons(&v.address),
        start_height: v.info.start_height as i64,
        index_offset: v.info.index_offset as i64,
        jailed_until: Some(timestamp(v.info.jailed_until_ms)),
        tombstoned: v.info.tombstoned,
        missed_blocks_counter: v.missed_blocks_counter as i64,
    }
}

fn slashing_q(sh: &Shared, method: &str, data: &[u8], height: u64) -> Option<QResult> {
    use slashing::v1beta1::*;
    Some((|| match method {
        "Params" => {
            let (p, h): (m::slashing::SlashingParams, u64) =
                view(sh, "/slashing/params", b"", height)?;
            let b = |a: u128| dec_atto(a).into_bytes();
            answer(
                &QueryParamsResponse {
                    params: Some(Params {
                        signed_blocks_window: p.signed_blocks_window as i64,
                        min_signed_per_window: b(p.min_signed_per_window),
                        downtime_jail_duration: Some(duration_ms(p.downtime_jail_duration_ms)),
                        slash_fraction_double_sign: b(p.slash_fraction_double_sign),
                        slash_fraction_downtime: b(p.slash_fraction_downtime),
                    }),
                },
                h,
            )
        }
        "SigningInfo" => {
            let r: QuerySigningInfoRequest = decode(data)?;
            if r.cons_address.is_empty() {
                return Err(QueryError::invalid("invalid request"));
            }
            let hex_addr = valcons_to_hex(&r.cons_address);
            let (v, h): (Option<m::slashing::SigningInfoView>, u64) =
                view(sh, "/slashing/signing_info", hex_addr.as_bytes(), height)?;
            let v = v.ok_or_else(|| {
                QueryError::not_found(format!(
                    "SigningInfo not found for validator {}",
                    r.cons_address
                ))
            })?;
            answer(&QuerySigningInfoResponse { val_signing_info: Some(signing_info(&v)) }, h)
        }
        "SigningInfos" => {
            let r: QuerySigningInfosRequest = decode(data)?;
            let (vs, h): (Vec<m::slashing::SigningInfoView>, u64) =
                view(sh, "/slashing/signing_infos", b"", height)?;
            let (page, pagination) =
                paginate(vs.iter().map(signing_info).collect(), r.pagination.as_ref());
            answer(&QuerySigningInfosResponse { info: page, pagination: Some(pagination) }, h)
        }
        _ => Err(unimplemented_method("cosmos.slashing.v1beta1.Query", method)),
    })())
}

// ---- authz ----

/// Our deposit authorization on the wire: `spend_limits` (field 1, coins) and `scopes`
/// (field 2, their names).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct DepositAuthorizationProto {
    /// The most the grantee may take, per denom.
    #[prost(message, repeated, tag = "1")]
    pub spend_limits: Vec<PCoin>,
    /// What the grantee may fund (`deployment`, `bid`).
    #[prost(string, repeated, tag = "2")]
    pub scopes: Vec<String>,
}

fn grant_auth(g: &m::authz::Grant) -> Result<Any, QueryError> {
    let scopes = serde_json::to_value(&g.authorization.scopes).map_err(QueryError::internal)?;
    let scopes = scopes
        .as_array()
        .map(|a| {
            a.iter().map(|s| s.as_str().map_or_else(|| s.to_string(), str::to_string)).collect()
        })
        .unwrap_or_default();
    Ok(any(
        DEPOSIT_AUTHORIZATION_URL,
        &DepositAuthorizationProto { spend_limits: coins(&g.authorization.spend_limits), scopes },
    ))
}

fn authz_q(sh: &Shared, method: &str, data: &[u8], height: u64) -> Option<QResult> {
    use authz::v1beta1::*;
    Some((|| {
        let (granter, grantee, msg_type_url, page) = match method {
            "Grants" => {
                let r: QueryGrantsRequest = decode(data)?;
                addr("granter", &r.granter)?;
                addr("grantee", &r.grantee)?;
                (r.granter, r.grantee, r.msg_type_url, r.pagination)
            }
            "GranterGrants" => {
                let r: QueryGranterGrantsRequest = decode(data)?;
                addr("granter", &r.granter)?;
                (r.granter, String::new(), String::new(), r.pagination)
            }
            "GranteeGrants" => {
                let r: QueryGranteeGrantsRequest = decode(data)?;
                addr("grantee", &r.grantee)?;
                (String::new(), r.grantee, String::new(), r.pagination)
            }
            _ => return Err(unimplemented_method("cosmos.authz.v1beta1.Query", method)),
        };
        let q = json!({
            "granter": (!granter.is_empty()).then_some(&granter),
            "grantee": (!grantee.is_empty()).then_some(&grantee),
        });
        let (gs, h): (Vec<m::authz::Grant>, u64) =
            view(sh, "/authz/grants", q.to_string().as_bytes(), height)?;
        let gs: Vec<&m::authz::Grant> = gs
            .iter()
            .filter(|g| msg_type_url.is_empty() || g.msg_type_url == msg_type_url)
            .collect();
        if method == "Grants" {
            if !msg_type_url.is_empty() && gs.is_empty() {
                return Err(QueryError::not_found(format!(
                    "authorization not found for {msg_type_url} type"
                )));
            }
            let all: Vec<Grant> = gs
                .iter()
                .map(|g| {
                    Ok(Grant {
                        authorization: Some(grant_auth(g)?),
                        expiration: g.expiration_ms.map(timestamp),
                    })
                })
                .collect::<Result<_, QueryError>>()?;
            let (page, pagination) = paginate(all, page.as_ref());
            return answer(&QueryGrantsResponse { grants: page, pagination: Some(pagination) }, h);
        }
        let all: Vec<GrantAuthorization> = gs
            .iter()
            .map(|g| {
                Ok(GrantAuthorization {
                    granter: g.granter.to_string(),
                    grantee: g.grantee.to_string(),
                    authorization: Some(grant_auth(g)?),
                    expiration: g.expiration_ms.map(timestamp),
                })
            })
            .collect::<Result<_, QueryError>>()?;
        let (page, pagination) = paginate(all, page.as_ref());
        if method == "GranterGrants" {
            answer(&QueryGranterGrantsResponse { grants: page, pagination: Some(pagination) }, h)
        } else {
            answer(&QueryGranteeGrantsResponse { grants: page, pagination: Some(pagination) }, h)
        }
    })())
}

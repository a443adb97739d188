//! Query routing. Paths (data in parentheses; answers are JSON unless noted):
//!
//! | path | data | answer |
//! |---|---|---|
//! | `/store` | raw key | raw value (with `prove`: a proof against the app hash of that height) |
//! | `/auth/account` | bech32 address | account |
//! | `/auth/accounts` | `{"start_after"?, "limit"?}` | accounts page |
//! | `/auth/params`, `/bank/params` | – | params |
//! | `/bank/balances` | bech32 address | coins |
//! | `/bank/balance` | `{"address","denom"}` | coin |
//! | `/bank/supply` | – | coins |
//! | `/consensus/validators` | – | validator set |
//! | `/app/simulate` | raw tx | tx result with gas used |
//! | `/provider/list` | `{"start_after"?, "limit"?}` | `{"providers": [...], "next"?}` |
//! | `/provider/get` | bech32 address | provider |
//! | `/audit/list` | `{"provider"?, "auditor"?, "limit"?}` | audit records |
//! | `/cert/list` | `{"owner"?, "state"?, "serial"?, "limit"?}` | certificates |
//! | `/deployment/deployments` | `{"owner"?, "state"?, "start_after"?: {"owner","dseq"}, "limit"?}` | deployments page |
//! | `/deployment/deployment` | `{"owner","dseq"}` | `{deployment, escrow_account, blocks_remaining}` |
//! | `/market/orders`, `/market/bids`, `/market/leases` | `{"owner"?, "provider"?, "state"?, "dseq"?, "start_after"? (hex cursor), "limit"?}` | `{"items", "next"}` |
//! | `/authz/grants` | `{"granter"?, "grantee"?}` | deposit grants (expired ones included, with their expiration) |
//! | `/escrow/account` | `{"owner","dseq"}` (+ `"gseq","oseq","provider"` for a bid deposit) | account |
//! | `/escrow/blocks-remaining` | `{"owner","dseq"}` | `{height, exhausted_at, blocks_remaining, balance, rate_per_block}` |
//! | `/deployment/params`, `/market/params`, `/escrow/params` | – | params |
//! | `/oracle/params`, `/bme/params` | – | params |
//! | `/oracle/price` | – | `{denom, base_denom, health, price?, twap?, last?, sources: [{source, latest?}]}` |
//! | `/bme/vault-state` | – | vault balances, outstanding ACT, totals, credits, pending |
//! | `/bme/status` | – | status, collateral ratio, mints/refunds allowed, epochs |
//! | `/bme/ledger` | `{"owner"?, "limit"?}` | `{"pending", "executed", "canceled"}` (oldest first) |
//! | `/staking/params`, `/distribution/params`, `/mint/params` | – | params |
//! | `/staking/validators` | – | every validator (power-descending) |
//! | `/gov/params`, `/gov/proposals` | – | params; every stored proposal |
//! | `/gov/proposal`, `/gov/tally`, `/gov/votes`, `/gov/deposits` | proposal id | proposal; tally (final, or current); votes; deposits |
//! | `/gov/upgrade_plan` | – | the scheduled upgrade plan or null |
//! | `/slashing/params` | – | params |
//! | `/slashing/signing_info` | consensus address (hex) or operator | signing info (with `address`, `validator`) or null |
//! | `/slashing/signing_infos` | – | every signing info (with `address`, `validator`) |
//! | `/staking/validator` | operator (`akashvaloper…` or `akash…`) | validator |
//! | `/staking/delegations` | delegator address | `{delegations: [{delegation, balance}], unbonding, redelegations}` |
//! | `/staking/pool` | – | `{bonded_tokens, not_bonded_tokens}` |
//! | `/distribution/rewards` | delegator address | `{rewards: [{validator_address, reward}], total}` (decimal uakt) |
//! | `/distribution/validator` | operator | `{commission, outstanding_rewards}` (decimal uakt) |
//! | `/distribution/community-pool` | – | community pool coins and the fee pool totals |
//! | `/mint/inflation` | – | `{inflation, annual_provisions, bonded_ratio, total_minted}` |

use dcloud_store::{Snapshot, StateRead};
use dcloud_types::{AccAddress, Coin};
use serde::{Deserialize, Serialize};

use crate::modules::{
    audit, auth, bank, bme, cert, consensus, dec, deployment, distribution, escrow, market, mint,
    oracle, provider, staking,
};
use crate::{App, AppError, QueryResponse};

fn json<T: Serialize>(v: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

fn addr_arg(data: &[u8]) -> Result<AccAddress, AppError> {
    let s = std::str::from_utf8(data)
        .map_err(|_| AppError::InvalidAddress("address is not UTF-8".into()))?
        .trim()
        .trim_matches('"');
    s.parse().map_err(|e| AppError::InvalidAddress(format!("{e}")))
}

/// The request of `/authz/grants`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct GrantsReq {
    /// Only grants by this granter.
    pub granter: Option<String>,
    /// Only grants to this grantee.
    pub grantee: Option<String>,
}

#[derive(Deserialize)]
struct PageReq {
    start_after: Option<String>,
    limit: Option<usize>,
}

/// `/audit/list` request.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct AuditListReq {
    /// Only records on this provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Only records by this auditor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auditor: Option<String>,
    /// At most this many (default 100, max 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// `/cert/list` request.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct CertListReq {
    /// Filters.
    #[serde(flatten)]
    pub filter: cert::CertFilter,
    /// At most this many (default 100, max 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// `/provider/list` answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProviderPage {
    /// Providers in address-key order.
    pub providers: Vec<provider::Provider>,
    /// Pass as `start_after` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A proposal id argument (decimal ASCII, quotes allowed).
fn id_arg(data: &[u8]) -> Result<u64, AppError> {
    let s = std::str::from_utf8(data)
        .map_err(|_| AppError::InvalidRequest("proposal id is not UTF-8".into()))?
        .trim()
        .trim_matches('"');
    s.parse().map_err(|_| AppError::InvalidRequest(format!("invalid proposal id {s:?}")))
}

fn json_req<T: serde::de::DeserializeOwned + Default>(data: &[u8]) -> Result<T, AppError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(data).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

fn opt_addr(s: Option<&str>, what: &str) -> Result<Option<AccAddress>, AppError> {
    s.map(|a| a.parse().map_err(|e| AppError::InvalidAddress(format!("{what}: {e}")))).transpose()
}

#[derive(Deserialize)]
struct BalanceReq {
    address: String,
    denom: String,
}

#[derive(Deserialize, Default)]
struct MarketQuery {
    owner: Option<String>,
    dseq: Option<u64>,
    gseq: Option<u32>,
    oseq: Option<u32>,
    provider: Option<String>,
    state: Option<String>,
    start_after: Option<serde_json::Value>,
    limit: Option<usize>,
}

impl MarketQuery {
    fn owner_addr(&self) -> Result<Option<AccAddress>, AppError> {
        self.owner
            .as_deref()
            .map(|s| s.parse().map_err(|e| AppError::InvalidAddress(format!("owner: {e}"))))
            .transpose()
    }
}

fn parse_q<T: serde::de::DeserializeOwned + Default>(data: &[u8]) -> Result<T, AppError> {
    if data.is_empty() {
        return Ok(T::default());
    }
    serde_json::from_slice(data).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

/// `/bme/ledger` request.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct LedgerQuery {
    /// Only this owner's records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// At most this many of each kind (the latest; default 100, max 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// One delegation with its current worth.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DelegationView {
    /// The delegation.
    pub delegation: staking::Delegation,
    /// Its tokens now (rounded down).
    pub balance: Coin,
}

/// The `/staking/delegations` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DelegationsView {
    /// Delegations.
    pub delegations: Vec<DelegationView>,
    /// Unbonding delegations.
    pub unbonding: Vec<staking::UnbondingDelegation>,
    /// Maturing redelegations.
    pub redelegations: Vec<staking::Redelegation>,
}

/// The `/staking/pool` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PoolView {
    /// Tokens of bonded validators.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub bonded_tokens: u128,
    /// Tokens of the other validators and of unbonding entries.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub not_bonded_tokens: u128,
}

/// One validator's pending rewards for a delegator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RewardView {
    /// Operator.
    pub validator_address: String,
    /// Pending rewards (decimal uakt; the payout is this rounded down).
    pub reward: String,
}

/// The `/distribution/rewards` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RewardsView {
    /// Per validator.
    pub rewards: Vec<RewardView>,
    /// Sum (decimal uakt).
    pub total: String,
}

/// The `/mint/inflation` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InflationView {
    /// Yearly inflation rate (decimal).
    pub inflation: String,
    /// Annual provisions (decimal uakt).
    pub annual_provisions: String,
    /// Bonded tokens / supply (decimal).
    pub bonded_ratio: String,
    /// Σ uakt minted.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub total_minted: u128,
}

fn operator_arg(data: &[u8]) -> Result<AccAddress, AppError> {
    let s = std::str::from_utf8(data)
        .map_err(|_| AppError::InvalidAddress("address is not UTF-8".into()))?
        .trim()
        .trim_matches('"');
    staking::parse_operator_any(s)
}

/// One source in the `/oracle/price` answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SourcePrice {
    /// The source.
    pub source: String,
    /// Its latest observation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<PriceView>,
}

/// An observation, with the price as a decimal.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PriceView {
    /// Decimal price (18 decimals).
    pub price: String,
    /// Observation time (ms).
    pub timestamp_ms: u64,
    /// Height of the block that included it.
    pub height: u64,
}

/// The `/oracle/price` answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OraclePrice {
    /// `akt`.
    pub denom: String,
    /// `usd`.
    pub base_denom: String,
    /// `healthy`, `stale` or `deviation`.
    pub health: oracle::Health,
    /// The usable price (the healthy TWAP), decimal; absent unless healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    /// The last healthy aggregate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twap: Option<oracle::Aggregate>,
    /// The latest aggregate, whatever its health.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<oracle::Aggregate>,
    /// Every authorised source and its latest observation.
    pub sources: Vec<SourcePrice>,
}

fn oracle_price(snap: &Snapshot) -> Result<OraclePrice, AppError> {
    let st = oracle::oracle_state(snap)?;
    let mut sources = Vec::new();
    for s in oracle::params(snap)?.sources {
        let latest = match s.parse::<AccAddress>() {
            Ok(a) => oracle::latest(snap, &a)?.map(|e| PriceView {
                price: escrow::fmt_dec18(e.price_atto),
                timestamp_ms: e.timestamp_ms,
                height: e.height,
            }),
            Err(_) => None,
        };
        sources.push(SourcePrice { source: s, latest });
    }
    Ok(OraclePrice {
        denom: oracle::DENOM.into(),
        base_denom: oracle::BASE_DENOM.into(),
        health: st.health,
        price: oracle::price(snap).ok().map(escrow::fmt_dec18),
        twap: st.price,
        last: st.last,
        sources,
    })
}

pub(crate) fn route(
    app: &App,
    path: &str,
    data: &[u8],
    height: u64,
    prove: bool,
) -> Result<QueryResponse, AppError> {
    let store = app.store();
    let latest = store
        .latest_version()
        .ok_or_else(|| AppError::ChainState("chain not initialised".into()))?;
    let version = if height == 0 { latest } else { height };
    // Always the snapshot of `version` (not `store.latest()`, which may already be newer if
    // a block committed since `latest_version` was read): the answer must match its height.
    let snap: Snapshot = store.snapshot(version)?;
    let path = path.trim_start_matches('/');
    let mut proof = None;
    let value = match path {
        "store" => {
            if prove {
                let (v, p) = store.get_with_proof(data, version)?;
                proof = Some(p.to_bytes());
                v.unwrap_or_default()
            } else {
                snap.get(data)?.unwrap_or_default()
            }
        }
        "auth/account" => {
            let a = addr_arg(data)?;
            let acc = auth::get_account(&snap, &a)?
                .ok_or_else(|| AppError::UnknownAddress(format!("account {a} not found")))?;
            json(&acc)?
        }
        "auth/accounts" => {
            let req: PageReq = if data.is_empty() {
                PageReq { start_after: None, limit: None }
            } else {
                serde_json::from_slice(data).map_err(|e| AppError::InvalidRequest(e.to_string()))?
            };
            let after = req
                .start_after
                .map(|s| s.parse::<AccAddress>())
                .transpose()
                .map_err(|e| AppError::InvalidAddress(e.to_string()))?;
            json(&auth::list_accounts(&snap, after.as_ref(), req.limit.unwrap_or(100).min(1000))?)?
        }
        "auth/params" => json(&auth::params(&snap)?)?,
        "authz/grants" => {
            let q: GrantsReq = json_req(data)?;
            let granter = opt_addr(q.granter.as_deref(), "granter")?;
            let grantee = opt_addr(q.grantee.as_deref(), "grantee")?;
            json(&crate::modules::authz::grants(&snap, granter.as_ref(), grantee.as_ref())?)?
        }
        "bank/params" => json(&bank::params(&snap)?)?,
        "bank/balances" => json(&bank::balances(&snap, &addr_arg(data)?)?)?,
        "bank/balance" => {
            let req: BalanceReq = serde_json::from_slice(data)
                .map_err(|e| AppError::InvalidRequest(e.to_string()))?;
            let a: AccAddress =
                req.address.parse().map_err(|e| AppError::InvalidAddress(format!("{e}")))?;
            json(&Coin::new(bank::balance(&snap, &a, &req.denom)?, req.denom))?
        }
        "bank/supply" => json(&bank::total_supply(&snap)?)?,
        "consensus/validators" => json(&consensus::validators(&snap)?)?,
        "app/simulate" => json(&app.simulate(data))?,
        "provider/list" => {
            let req: Option<PageReq> = if data.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                Some(
                    serde_json::from_slice(data)
                        .map_err(|e| AppError::InvalidRequest(e.to_string()))?,
                )
            };
            let (after, limit) = match req {
                Some(r) => (r.start_after, r.limit),
                None => (None, None),
            };
            let after = opt_addr(after.as_deref(), "start_after")?;
            let limit = limit.unwrap_or(100).clamp(1, 1000);
            let providers = provider::list_providers(&snap, after.as_ref(), limit)?;
            let next = (providers.len() == limit)
                .then(|| providers.last().map(|p| p.owner.to_string()))
                .flatten();
            json(&ProviderPage { providers, next })?
        }
        "provider/get" => {
            let a = addr_arg(data)?;
            let p = provider::get_provider(&snap, &a)?
                .ok_or_else(|| AppError::ProviderNotFound(format!("{a} is not a provider")))?;
            json(&p)?
        }
        "audit/list" => {
            let req: AuditListReq = json_req(data)?;
            let p = opt_addr(req.provider.as_deref(), "provider")?;
            let a = opt_addr(req.auditor.as_deref(), "auditor")?;
            let limit = req.limit.unwrap_or(100).clamp(1, 1000);
            json(&audit::list(&snap, p.as_ref(), a.as_ref(), limit)?)?
        }
        "cert/list" => {
            let req: CertListReq = json_req(data)?;
            json(&cert::list(&snap, &req.filter, req.limit.unwrap_or(100).clamp(1, 1000))?)?
        }
        "gov/params" => json(&crate::modules::gov::params(&snap)?)?,
        "slashing/params" => json(&crate::modules::slashing::params(&snap)?)?,
        "slashing/signing_info" => {
            let arg = std::str::from_utf8(data)
                .map_err(|_| AppError::InvalidRequest("consensus address is not UTF-8".into()))?
                .trim()
                .trim_matches('"');
            let cons = if arg.starts_with(dcloud_proto::VALOPER_PREFIX) {
                let op = staking::parse_valoper(arg, "validator")?;
                staking::get_validator(&snap, &op)?
                    .ok_or_else(|| AppError::ValidatorNotFound(arg.to_string()))?
                    .consensus_address
            } else {
                arg.to_ascii_uppercase()
            };
            json(&crate::modules::slashing::signing_info_view(&snap, &cons)?)?
        }
        "slashing/signing_infos" => json(&crate::modules::slashing::signing_infos(&snap)?)?,
        "gov/proposals" => json(&crate::modules::gov::proposals(&snap)?)?,
        "gov/proposal" => {
            let id = id_arg(data)?;
            json(&crate::modules::gov::get_proposal(&snap, id)?.ok_or_else(|| {
                AppError::GovUnknownProposal(format!("proposal {id} does not exist"))
            })?)?
        }
        "gov/tally" => {
            let id = id_arg(data)?;
            let p = crate::modules::gov::get_proposal(&snap, id)?.ok_or_else(|| {
                AppError::GovUnknownProposal(format!("proposal {id} does not exist"))
            })?;
            match p.final_tally_result {
                Some(t) => json(&t)?,
                None => json(&crate::modules::gov::tally(&snap, id)?.tally)?,
            }
        }
        "gov/votes" => json(&crate::modules::gov::votes(&snap, id_arg(data)?)?)?,
        "gov/deposits" => json(&crate::modules::gov::deposits(&snap, id_arg(data)?)?)?,
        "gov/upgrade_plan" => json(&crate::modules::gov::upgrade_plan(&snap)?)?,
        "staking/params" => json(&staking::params(&snap)?)?,
        "distribution/params" => json(&distribution::params(&snap)?)?,
        "mint/params" => json(&mint::params(&snap)?)?,
        "staking/validators" => {
            let mut v = staking::validators(&snap)?;
            v.sort_by(|a, b| {
                b.tokens.cmp(&a.tokens).then(a.operator_address.cmp(&b.operator_address))
            });
            json(&v)?
        }
        "staking/validator" => {
            let op = operator_arg(data)?;
            let v = staking::get_validator(&snap, &op)?
                .ok_or_else(|| AppError::ValidatorNotFound(staking::valoper(&op)))?;
            json(&v)?
        }
        "staking/delegations" => {
            let d = addr_arg(data)?;
            let mut delegations = Vec::new();
            for del in staking::delegations_of(&snap, &d)? {
                let op = staking::parse_valoper(&del.validator, "validator")?;
                let bal = staking::delegation_tokens(&snap, &d, &op)?;
                delegations.push(DelegationView {
                    delegation: del,
                    balance: Coin::new(bal, dcloud_types::DENOM_AKT),
                });
            }
            json(&DelegationsView {
                delegations,
                unbonding: staking::unbondings_of(&snap, &d)?,
                redelegations: staking::redelegations_of(&snap, &d)?,
            })?
        }
        "staking/pool" => {
            let nb = bank::balance(
                &snap,
                &auth::module_address(staking::NOT_BONDED_POOL),
                dcloud_types::DENOM_AKT,
            )?;
            json(&PoolView {
                bonded_tokens: staking::bonded_tokens(&snap)?,
                not_bonded_tokens: nb,
            })?
        }
        "distribution/rewards" => {
            let d = addr_arg(data)?;
            let mut rewards = Vec::new();
            let mut total = 0u128;
            for del in staking::delegations_of(&snap, &d)? {
                let op = staking::parse_valoper(&del.validator, "validator")?;
                let r = distribution::pending_rewards(&snap, &d, &op)?;
                total = dec::add(total, r)?;
                rewards.push(RewardView {
                    validator_address: del.validator,
                    reward: dec::fmt_dec18(r),
                });
            }
            json(&RewardsView { rewards, total: dec::fmt_dec18(total) })?
        }
        "distribution/validator" => {
            let op = operator_arg(data)?;
            staking::get_validator(&snap, &op)?
                .ok_or_else(|| AppError::ValidatorNotFound(staking::valoper(&op)))?;
            let vd = distribution::validator_dist(&snap, &op)?;
            json(&serde_json::json!({
                "validator_address": staking::valoper(&op),
                "commission": dec::fmt_dec18(vd.commission),
                "outstanding_rewards": dec::fmt_dec18(vd.outstanding),
            }))?
        }
        "distribution/community-pool" => json(&serde_json::json!({
            "pool": bank::balances(&snap, &auth::module_address(distribution::COMMUNITY_POOL))?,
            "fee_pool": distribution::fee_pool(&snap)?,
        }))?,
        "mint/inflation" => {
            let m = mint::minter(&snap)?;
            let supply = bank::supply_of(&snap, dcloud_types::DENOM_AKT)?;
            let bonded = staking::bonded_tokens(&snap)?;
            let ratio =
                if supply == 0 { 0 } else { dec::mul_div_floor(bonded, dec::ATTO, supply)? };
            json(&InflationView {
                inflation: dec::fmt_dec18(m.inflation),
                annual_provisions: dec::fmt_dec18(m.annual_provisions),
                bonded_ratio: dec::fmt_dec18(ratio),
                total_minted: m.total_minted,
            })?
        }
        "deployment/params" => json(&deployment::params(&snap)?)?,
        "market/params" => json(&market::params(&snap)?)?,
        "escrow/params" => json(&escrow::params(&snap)?)?,
        "oracle/params" => json(&oracle::params(&snap)?)?,
        "bme/params" => json(&bme::params(&snap)?)?,
        "oracle/price" => json(&oracle_price(&snap)?)?,
        "bme/vault-state" => json(&bme::vault_state(&snap)?)?,
        "bme/status" => json(&bme::status_view(&snap)?)?,
        "bme/ledger" => {
            let q: LedgerQuery = json_req(data)?;
            let owner = opt_addr(q.owner.as_deref(), "owner")?;
            let limit = q.limit.unwrap_or(100).clamp(1, 1000);
            let mine = |a: &AccAddress| owner.as_ref().is_none_or(|o| o == a);
            let mut pending = bme::pending(&snap, dcloud_types::DENOM_AKT, usize::MAX)?;
            pending.extend(bme::pending(&snap, dcloud_types::DENOM_ACT, usize::MAX)?);
            pending.retain(|r| mine(&r.owner));
            pending.sort_by_key(|r| (r.id.height, r.id.sequence));
            pending.truncate(limit);
            let mut executed = bme::ledger(&snap, usize::MAX)?;
            executed.retain(|r| mine(&r.owner));
            let skip = executed.len().saturating_sub(limit);
            let executed: Vec<_> = executed.into_iter().skip(skip).collect();
            let mut canceled = bme::canceled(&snap, usize::MAX)?;
            canceled.retain(|r| mine(&r.owner));
            let skip = canceled.len().saturating_sub(limit);
            let canceled: Vec<_> = canceled.into_iter().skip(skip).collect();
            json(&serde_json::json!({
                "pending": pending,
                "executed": executed,
                "canceled": canceled,
            }))?
        }
        "deployment/deployments" => {
            let q: MarketQuery = parse_q(data)?;
            let owner = q.owner_addr()?;
            let st = match q.state.as_deref() {
                None => None,
                Some(s) => Some(
                    serde_json::from_value(serde_json::Value::String(s.into()))
                        .map_err(|_| AppError::InvalidRequest(format!("unknown state {s:?}")))?,
                ),
            };
            let after = match &q.start_after {
                Some(serde_json::Value::Object(o)) => {
                    let ow: AccAddress = o
                        .get("owner")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .parse()
                        .map_err(|e| AppError::InvalidAddress(format!("start_after.owner: {e}")))?;
                    Some((ow, o.get("dseq").and_then(|v| v.as_u64()).unwrap_or(0)))
                }
                _ => None,
            };
            let limit = q.limit.unwrap_or(100).min(1000);
            json(&deployment::list(
                &snap,
                owner.as_ref(),
                st,
                after.as_ref().map(|(o, d)| (o, *d)),
                limit,
            )?)?
        }
        "deployment/deployment" | "escrow/account" | "escrow/blocks-remaining" => {
            let q: MarketQuery = parse_q(data)?;
            let owner = q
                .owner_addr()?
                .ok_or_else(|| AppError::InvalidRequest("owner is required".into()))?;
            let dseq = q.dseq.ok_or_else(|| AppError::InvalidRequest("dseq is required".into()))?;
            let d = deployment::must_get(&snap, &owner, dseq)?;
            let acct_id = match (path, &q.provider, q.gseq, q.oseq) {
                ("escrow/account", Some(p), Some(g), Some(o)) => {
                    let p: AccAddress = p
                        .parse()
                        .map_err(|e| AppError::InvalidAddress(format!("provider: {e}")))?;
                    market::bid_escrow_id(&market::bid_id(
                        &market::order_id(&owner, dseq, g, o),
                        &p,
                    ))
                }
                _ => deployment::escrow_id(&owner, dseq),
            };
            let stored = escrow::get_account(&snap, &acct_id)?
                .ok_or_else(|| AppError::EscrowAccountNotFound(format!("{owner}/{dseq}")))?;
            // Settle in a throw-away overlay so balance and transferred are as of `version`
            // (settlement is lazy on chain); nothing is written.
            let a = {
                let mut scratch = dcloud_store::Overlay::new(&snap);
                escrow::settle(&mut scratch, &acct_id, version, &mut Vec::new()).unwrap_or(stored)
            };
            let remaining = escrow::blocks_remaining(&a, version);
            match path {
                "deployment/deployment" => json(&serde_json::json!({
                    "deployment": d,
                    "escrow_account": a,
                    "blocks_remaining": remaining,
                }))?,
                "escrow/account" => json(&a)?,
                _ => json(&serde_json::json!({
                    "height": version,
                    "exhausted_at": a.exhausted_at,
                    "blocks_remaining": remaining,
                    "balance": a.balance.to_string(),
                    "denom": a.denom,
                    "rate_per_block": escrow::fmt_dec18(a.rate_atto),
                }))?,
            }
        }
        "market/orders" | "market/bids" | "market/leases" => {
            let q: MarketQuery = parse_q(data)?;
            let what = match path {
                "market/orders" => 0x22,
                "market/bids" => 0x23,
                _ => 0x24,
            };
            let owner = q.owner_addr()?;
            let limit = q.limit.unwrap_or(100).clamp(1, 1000);
            let after = match &q.start_after {
                Some(serde_json::Value::String(h)) => Some(
                    hex::decode(h).map_err(|_| AppError::InvalidRequest("bad cursor".into()))?,
                ),
                _ => None,
            };
            let keep = |j: &serde_json::Value| {
                q.state
                    .as_deref()
                    .is_none_or(|s| j.get("state").and_then(|v| v.as_str()) == Some(s))
                    && q.dseq.is_none_or(|d| j.get("dseq").and_then(|v| v.as_u64()) == Some(d))
                    && q.provider
                        .as_deref()
                        .is_none_or(|p| j.get("provider").and_then(|v| v.as_str()) == Some(p))
            };
            let (items, next) = match (&q.provider, what) {
                (Some(p), 0x23 | 0x24) => {
                    let p: AccAddress = p
                        .parse()
                        .map_err(|e| AppError::InvalidAddress(format!("provider: {e}")))?;
                    let mut items = Vec::new();
                    let mut cursor = after.clone();
                    let mut next = None;
                    'outer: loop {
                        let ids = market::provider_ids(&snap, &p, cursor.as_deref(), 500)?;
                        for id in &ids {
                            cursor = Some(id.clone());
                            if let Some(j) = market::get_raw(&snap, what, id)? {
                                if keep(&j)
                                    && owner.as_ref().is_none_or(|o| {
                                        j.get("owner").and_then(|v| v.as_str())
                                            == Some(&o.to_string())
                                    })
                                {
                                    items.push(j);
                                    if items.len() >= limit {
                                        next = Some(id.clone());
                                        break 'outer;
                                    }
                                }
                            }
                        }
                        if ids.len() < 500 {
                            break;
                        }
                    }
                    (items, next)
                }
                _ => market::list_raw(&snap, what, owner.as_ref(), after.as_deref(), limit, &keep)?,
            };
            let items = if what == 0x24 {
                // Active leases show what they have earned so far (settled as of `version`).
                items
                    .into_iter()
                    .map(|j| {
                        let mut l: market::Lease = serde_json::from_value(j).map_err(|e| {
                            AppError::ChainState(format!("corrupt lease record: {e}"))
                        })?;
                        l.paid = market::paid_so_far(&snap, &l, version)?;
                        serde_json::to_value(&l)
                            .map_err(|e| AppError::InvalidRequest(e.to_string()))
                    })
                    .collect::<Result<Vec<_>, AppError>>()?
            } else {
                items
            };
            json(&serde_json::json!({ "items": items, "next": next.map(hex::encode) }))?
        }
        other => {
            return Err(AppError::UnknownRequest(format!("unknown query path /{other}")));
        }
    };
    Ok(QueryResponse { value, proof, height: version })
}

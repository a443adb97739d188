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

use dcloud_store::{Snapshot, StateRead};
use dcloud_types::{AccAddress, Coin};
use serde::{Deserialize, Serialize};

use crate::modules::{audit, auth, bank, cert, consensus, provider};
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
        "bank/params" => json(&bank::params(&snap)?)?,
        "bank/balances" => {
            let addr = addr_arg(data)?;
            if version == latest {
                json(&bank::balances(&snap, &addr)?)?
            } else {
                // Older versions serve point reads only: read each denom that has a supply
                // now (a denom whose supply has since dropped to zero is not listed).
                let denoms = bank::total_supply(&store.latest())?;
                let mut coins = Vec::new();
                for c in denoms.iter() {
                    let amount = bank::balance(&snap, &addr, &c.denom)?;
                    if amount > 0 {
                        coins.push(Coin::new(amount, c.denom));
                    }
                }
                json(&dcloud_types::Coins::from_coins(coins)?)?
            }
        }
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
        other => {
            return Err(AppError::UnknownRequest(format!("unknown query path /{other}")));
        }
    };
    Ok(QueryResponse { value, proof, height: version })
}

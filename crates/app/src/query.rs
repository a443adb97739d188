//! Query routing: `/store` and `/app/simulate` are answered here; every other path
//! `/<module>/<rest>` by the module it names (its `query.rs`). Paths (data in parentheses;
//! answers are JSON unless noted):
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

use crate::modules::{self, QueryCtx};
use crate::{App, AppError, QueryResponse};

pub use crate::modules::audit::query::AuditListReq;
pub use crate::modules::authz::query::GrantsReq;
pub use crate::modules::bme::query::LedgerQuery;
pub use crate::modules::cert::query::CertListReq;
pub use crate::modules::distribution::query::{RewardView, RewardsView};
pub use crate::modules::mint::query::InflationView;
pub use crate::modules::oracle::query::{OraclePrice, PriceView, SourcePrice};
pub use crate::modules::provider::query::ProviderPage;
pub use crate::modules::staking::query::{DelegationView, DelegationsView, PoolView};

fn json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))
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
        "app/simulate" => json(&app.simulate(data))?,
        other => {
            let q = QueryCtx { state: &snap, height: version };
            match modules::query(other, data, &q) {
                Some(r) => r?,
                None => {
                    return Err(AppError::UnknownRequest(format!("unknown query path /{other}")))
                }
            }
        }
    };
    Ok(QueryResponse { value, proof, height: version })
}

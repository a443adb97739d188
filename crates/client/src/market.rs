//! The market side of the chain from a client's point of view: deployments, orders, bids,
//! leases and escrow.
//!
//! * SDL → chain: [`parse_sdl`] (one-line errors), [`groups_from_sdl`] / [`group_to_msg`]
//!   (the SDL crate's [`dcloud_sdl::GroupSpec`] mapped onto the message's
//!   [`pb::GroupSpec`]).
//! * Message builders: [`create_deployment`], [`update_deployment`], [`deposit_deployment`],
//!   [`close_deployment`], [`close_group`], [`pause_group`], [`start_group`],
//!   [`create_bid`], [`close_bid`], [`create_lease`], [`withdraw_lease`], [`close_lease`].
//! * Queries at any height (0 = latest), typed with the app's state objects:
//!   [`deployments`], [`deployment`], [`orders`], [`bids`], [`leases`],
//!   [`escrow_account`], [`blocks_remaining`].

use base64::Engine;
use dcloud_chain::deployment::{Deployment, DeploymentParams};
use dcloud_chain::escrow::Account as EscrowAccount;
use dcloud_chain::market::{Bid, Lease, MarketParams, Order};
use dcloud_proto::dcloud::deployment as pb;
use dcloud_proto::dcloud::market as mpb;
use dcloud_proto::Msg;
use dcloud_types::{AccAddress, BidId, Coin};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{ClientError, RpcClient};

pub use dcloud_sdl::Sdl;

/// Parses and validates an SDL; every problem is listed on one line, separated by `; `.
pub fn parse_sdl(yaml: &str) -> Result<Sdl, ClientError> {
    let sdl = dcloud_sdl::parse(yaml).map_err(|errs| {
        let all: Vec<String> = errs.errors().iter().map(|e| e.to_string()).collect();
        ClientError::InvalidInput(format!("invalid SDL: {}", all.join("; ")))
    })?;
    // The chain accepts at most these; say so before a tx is signed.
    let groups = sdl.groups();
    if groups.is_empty() {
        return Err(ClientError::InvalidInput("invalid SDL: it deploys no service".into()));
    }
    Ok(sdl)
}

fn attr(a: &dcloud_sdl::output::Attribute) -> pb::Attribute {
    pb::Attribute { key: a.key.clone(), value: a.value.clone() }
}

fn auditors(group: &str, which: &str, v: &Option<Vec<String>>) -> Result<Vec<String>, ClientError> {
    let v = v.clone().unwrap_or_default();
    for s in &v {
        s.parse::<AccAddress>().map_err(|e| {
            ClientError::InvalidInput(format!(
                "invalid SDL: profiles.placement.{group}.signedBy.{which}: auditor {s:?} is not an akash1… address ({e})"
            ))
        })?;
    }
    Ok(v)
}

/// Maps one SDL group onto the chain message's group. Auditors in `signedBy` must be
/// addresses (the chain enforces them when providers bid).
pub fn group_to_msg(g: &dcloud_sdl::GroupSpec) -> Result<pb::GroupSpec, ClientError> {
    let req = &g.requirements;
    let signed_by = pb::SignedBy {
        all_of: auditors(&g.name, "allOf", &req.signed_by.all_of)?,
        any_of: auditors(&g.name, "anyOf", &req.signed_by.any_of)?,
    };
    let attributes: Vec<pb::Attribute> =
        req.attributes.as_deref().unwrap_or_default().iter().map(attr).collect();
    let resources = g
        .resources
        .iter()
        .map(|u| {
            let r = &u.resource;
            pb::ResourceUnit {
                resources: Some(pb::Resources {
                    cpu_millis: r.cpu.units.0,
                    memory_bytes: r.memory.quantity.0,
                    storage: r
                        .storage
                        .iter()
                        .map(|s| pb::Storage {
                            name: s.name.clone(),
                            bytes: s.quantity.0,
                            attributes: s.attributes.iter().map(attr).collect(),
                        })
                        .collect(),
                    gpu_units: r.gpu.units.0,
                    gpu_attributes: r.gpu.attributes.iter().map(attr).collect(),
                    endpoints: r
                        .endpoints
                        .iter()
                        .map(|e| pb::Endpoint {
                            kind: e.kind.as_i32(),
                            sequence_number: e.sequence_number,
                        })
                        .collect(),
                }),
                count: u.count,
                price: Some(pb::DecCoin {
                    denom: u.price.denom.clone(),
                    amount: u.price.amount.to_string(),
                }),
            }
        })
        .collect();
    Ok(pb::GroupSpec {
        name: g.name.clone(),
        requirements: Some(pb::PlacementRequirements { signed_by: Some(signed_by), attributes }),
        resources,
    })
}

/// Every group of an SDL, as the chain message carries them.
pub fn groups_from_sdl(sdl: &Sdl) -> Result<Vec<pb::GroupSpec>, ClientError> {
    sdl.groups().iter().map(group_to_msg).collect()
}

/// Parses one coin with an integer amount (`5000000uact`).
pub fn parse_coin(s: &str, what: &str) -> Result<pb::Coin, ClientError> {
    let c: Coin = s.parse().map_err(|e| {
        ClientError::InvalidInput(format!("invalid {what} {s:?}: {e} (expected e.g. 5000000uact)"))
    })?;
    if c.amount == 0 {
        return Err(ClientError::InvalidInput(format!("invalid {what} {s:?}: amount is zero")));
    }
    Ok(pb::Coin { denom: c.denom, amount: c.amount.to_string() })
}

/// Parses a decimal coin (`25uact`, `0.5uact`; at most 18 decimals).
pub fn parse_dec_coin(s: &str, what: &str) -> Result<pb::DecCoin, ClientError> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, denom) = t.split_at(split);
    let bad = |why: String| {
        ClientError::InvalidInput(format!("invalid {what} {s:?}: {why} (expected e.g. 25uact)"))
    };
    dcloud_types::coin::validate_denom(denom).map_err(|e| bad(e.to_string()))?;
    let v = dcloud_chain::escrow::parse_dec18(num).map_err(bad)?;
    if v == 0 {
        return Err(bad("amount is zero".into()));
    }
    Ok(pb::DecCoin { denom: denom.to_string(), amount: num.to_string() })
}

/// `lowest` or `manual`.
pub fn parse_auction(s: &str) -> Result<pb::Auction, ClientError> {
    match s.to_ascii_lowercase().as_str() {
        "lowest" => Ok(pb::Auction::Lowest),
        "manual" => Ok(pb::Auction::Manual),
        _ => Err(ClientError::InvalidInput(format!(
            "invalid auction {s:?}: expected lowest or manual"
        ))),
    }
}

fn dep_id(owner: &AccAddress, dseq: u64) -> Option<pb::DeploymentId> {
    Some(pb::DeploymentId { owner: owner.to_string(), dseq })
}

fn group_id(owner: &AccAddress, dseq: u64, gseq: u32) -> Option<pb::GroupId> {
    Some(pb::GroupId { owner: owner.to_string(), dseq, gseq })
}

/// A bid / lease: order + provider (the workspace's [`BidId`], under its client name).
pub type BidRef = BidId;

fn bid_msg(bid: &BidId) -> Option<mpb::BidId> {
    Some(mpb::BidId {
        owner: bid.owner.to_string(),
        dseq: bid.dseq,
        gseq: bid.gseq,
        oseq: bid.oseq,
        provider: bid.provider.to_string(),
    })
}

/// `MsgCreateDeployment` from a parsed SDL (groups and manifest hash). `bid_window` 0 =
/// the chain's default.
pub fn create_deployment(
    owner: &AccAddress,
    dseq: u64,
    sdl: &Sdl,
    deposit: pb::Coin,
    auction: pb::Auction,
    bid_window: u64,
) -> Result<Msg, ClientError> {
    if dseq == 0 {
        return Err(ClientError::InvalidInput("dseq must be > 0".into()));
    }
    let groups = groups_from_sdl(sdl)?;
    if let Some(p) =
        groups.iter().flat_map(|g| &g.resources).filter_map(|r| r.price.as_ref()).next()
    {
        if p.denom != deposit.denom {
            return Err(ClientError::InvalidInput(format!(
                "deposit is in {} but the SDL prices in {}: deposit {} instead",
                deposit.denom, p.denom, p.denom
            )));
        }
    }
    Ok(Msg::CreateDeployment(pb::MsgCreateDeployment {
        id: dep_id(owner, dseq),
        groups,
        hash: sdl.manifest_hash().to_vec(),
        deposit: Some(deposit),
        auction: auction as i32,
        bid_window,
        reclamation_min_window_s: sdl.reclamation_min_window_secs().unwrap_or(0),
        deposit_sources: Vec::new(),
    }))
}

/// `MsgUpdateDeployment`: the new SDL's manifest hash.
pub fn update_deployment(owner: &AccAddress, dseq: u64, sdl: &Sdl) -> Msg {
    Msg::UpdateDeployment(pb::MsgUpdateDeployment {
        id: dep_id(owner, dseq),
        hash: sdl.manifest_hash().to_vec(),
    })
}

/// `MsgDepositDeployment`.
pub fn deposit_deployment(owner: &AccAddress, dseq: u64, amount: pb::Coin) -> Msg {
    Msg::DepositDeployment(pb::MsgDepositDeployment {
        id: dep_id(owner, dseq),
        amount: Some(amount),
        ..Default::default()
    })
}

/// `MsgCloseDeployment`.
pub fn close_deployment(owner: &AccAddress, dseq: u64) -> Msg {
    Msg::CloseDeployment(pb::MsgCloseDeployment { id: dep_id(owner, dseq) })
}

/// `MsgCloseGroup`.
pub fn close_group(owner: &AccAddress, dseq: u64, gseq: u32) -> Msg {
    Msg::CloseGroup(pb::MsgCloseGroup { id: group_id(owner, dseq, gseq) })
}

/// `MsgPauseGroup`.
pub fn pause_group(owner: &AccAddress, dseq: u64, gseq: u32) -> Msg {
    Msg::PauseGroup(pb::MsgPauseGroup { id: group_id(owner, dseq, gseq) })
}

/// `MsgStartGroup`.
pub fn start_group(owner: &AccAddress, dseq: u64, gseq: u32) -> Msg {
    Msg::StartGroup(pb::MsgStartGroup { id: group_id(owner, dseq, gseq) })
}

/// `MsgCreateBid` offering a reclamation window of `window_s` seconds (0 = none).
pub fn create_bid_with_reclamation(
    bid: &BidRef,
    price: pb::DecCoin,
    deposit: pb::Coin,
    window_s: u64,
) -> Msg {
    match create_bid(bid, price, deposit) {
        Msg::CreateBid(mut m) => {
            m.reclamation_window_s = window_s;
            Msg::CreateBid(m)
        }
        other => other,
    }
}

/// `MsgLeaseStartReclaim` by the provider of the lease `bid`.
pub fn start_reclaim(bid: &BidRef, reason: &str) -> Msg {
    Msg::LeaseStartReclaim(mpb::MsgLeaseStartReclaim { id: bid_msg(bid), reason: reason.into() })
}

/// `MsgCreateBid` by `bid.provider` on the order of `bid`.
pub fn create_bid(bid: &BidRef, price: pb::DecCoin, deposit: pb::Coin) -> Msg {
    Msg::CreateBid(mpb::MsgCreateBid {
        order_id: Some(mpb::OrderId {
            owner: bid.owner.to_string(),
            dseq: bid.dseq,
            gseq: bid.gseq,
            oseq: bid.oseq,
        }),
        provider: bid.provider.to_string(),
        price: Some(price),
        deposit: Some(deposit),
        reclamation_window_s: 0,
        deposit_sources: Vec::new(),
    })
}

/// `MsgCloseBid` (provider signs).
pub fn close_bid(bid: &BidRef) -> Msg {
    close_bid_because(bid, "")
}

/// `MsgCloseBid` with the reason the provider ends the lease (at most 256 bytes, cut at a
/// character boundary), recorded on chain as the lease's close reason `provider: <reason>`.
pub fn close_bid_because(bid: &BidRef, reason: &str) -> Msg {
    let mut end = reason.len().min(256);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Msg::CloseBid(mpb::MsgCloseBid { id: bid_msg(bid), reason: reason[..end].to_string() })
}

/// `MsgCreateLease` (owner signs).
pub fn create_lease(bid: &BidRef) -> Msg {
    Msg::CreateLease(mpb::MsgCreateLease { bid_id: bid_msg(bid) })
}

/// `MsgWithdrawLease` (provider signs).
pub fn withdraw_lease(bid: &BidRef) -> Msg {
    Msg::WithdrawLease(mpb::MsgWithdrawLease { id: bid_msg(bid) })
}

/// `MsgCloseLease` (owner signs).
pub fn close_lease(bid: &BidRef) -> Msg {
    Msg::CloseLease(mpb::MsgCloseLease { id: bid_msg(bid) })
}

// ---------------------------------------------------------------- queries

/// `abci_query` of a JSON path at `height` (0 = latest), decoded into `T`.
pub async fn query_json_at<T: DeserializeOwned>(
    client: &RpcClient,
    path: &str,
    data: &serde_json::Value,
    height: u64,
) -> Result<T, ClientError> {
    let body = if data.is_null() { Vec::new() } else { data.to_string().into_bytes() };
    let r = client.abci_query(path, &body, height, false).await?;
    if r.code != 0 {
        return Err(ClientError::Query {
            path: path.into(),
            code: r.code,
            codespace: r.codespace,
            log: r.log,
        });
    }
    let v = base64::engine::general_purpose::STANDARD
        .decode(&r.value)
        .map_err(|e| ClientError::Decode { what: path.into(), reason: format!("value: {e}") })?;
    serde_json::from_slice(&v)
        .map_err(|e| ClientError::Decode { what: path.into(), reason: e.to_string() })
}

/// Filters of the list queries (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    /// Deployment owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Deployment sequence (orders, bids, leases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dseq: Option<u64>,
    /// Provider (bids, leases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// State (`active`, `open`, `closed`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Page size (chain default 100, at most 1000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// Cursor from a previous page's `next`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_after: Option<serde_json::Value>,
}

/// A page of orders, bids or leases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// Items in key order.
    pub items: Vec<T>,
    /// Cursor for the next page (`None` on the last page).
    pub next: Option<String>,
}

/// `/deployment/deployment`: a deployment with its escrow account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentInfo {
    /// The deployment with its groups.
    pub deployment: Deployment,
    /// Its escrow account.
    pub escrow_account: EscrowAccount,
    /// Blocks until the escrow runs dry (`None`: nothing is being paid).
    pub blocks_remaining: Option<u64>,
}

/// `/escrow/blocks-remaining`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlocksRemaining {
    /// Height the answer is for.
    pub height: u64,
    /// Last height the funds cover (`None`: nothing is being paid).
    pub exhausted_at: Option<u64>,
    /// Blocks left (`None`: nothing is being paid).
    pub blocks_remaining: Option<u64>,
    /// Unsettled balance (micro-units).
    pub balance: String,
    /// Denom.
    pub denom: String,
    /// Total rate per block (decimal).
    pub rate_per_block: String,
}

fn json_filter(f: &Filter) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or(serde_json::Value::Null)
}

/// Deployments (filters: owner, state `active|closed`, limit, start_after `{owner,dseq}`).
pub async fn deployments(
    client: &RpcClient,
    f: &Filter,
    height: u64,
) -> Result<Vec<Deployment>, ClientError> {
    query_json_at(client, "/deployment/deployments", &json_filter(f), height).await
}

/// One deployment with its escrow account.
pub async fn deployment(
    client: &RpcClient,
    owner: &AccAddress,
    dseq: u64,
    height: u64,
) -> Result<DeploymentInfo, ClientError> {
    let q = serde_json::json!({"owner": owner.to_string(), "dseq": dseq});
    query_json_at(client, "/deployment/deployment", &q, height).await
}

/// Orders (filters: owner, dseq, state `open|active|closed`).
pub async fn orders(
    client: &RpcClient,
    f: &Filter,
    height: u64,
) -> Result<Page<Order>, ClientError> {
    query_json_at(client, "/market/orders", &json_filter(f), height).await
}

/// Bids (filters: owner, dseq, provider, state `open|active|lost|closed`).
pub async fn bids(client: &RpcClient, f: &Filter, height: u64) -> Result<Page<Bid>, ClientError> {
    query_json_at(client, "/market/bids", &json_filter(f), height).await
}

/// Leases (filters: owner, dseq, provider, state `active|insufficient_funds|closed`).
pub async fn leases(
    client: &RpcClient,
    f: &Filter,
    height: u64,
) -> Result<Page<Lease>, ClientError> {
    query_json_at(client, "/market/leases", &json_filter(f), height).await
}

/// A deployment's escrow account.
pub async fn escrow_account(
    client: &RpcClient,
    owner: &AccAddress,
    dseq: u64,
    height: u64,
) -> Result<EscrowAccount, ClientError> {
    let q = serde_json::json!({"owner": owner.to_string(), "dseq": dseq});
    query_json_at(client, "/escrow/account", &q, height).await
}

/// The escrow account holding a bid's deposit.
pub async fn bid_escrow_account(
    client: &RpcClient,
    bid: &BidRef,
    height: u64,
) -> Result<EscrowAccount, ClientError> {
    let q = serde_json::json!({
        "owner": bid.owner.to_string(), "dseq": bid.dseq, "gseq": bid.gseq,
        "oseq": bid.oseq, "provider": bid.provider.to_string(),
    });
    query_json_at(client, "/escrow/account", &q, height).await
}

/// How long a deployment's escrow lasts at the current rate.
pub async fn blocks_remaining(
    client: &RpcClient,
    owner: &AccAddress,
    dseq: u64,
    height: u64,
) -> Result<BlocksRemaining, ClientError> {
    let q = serde_json::json!({"owner": owner.to_string(), "dseq": dseq});
    query_json_at(client, "/escrow/blocks-remaining", &q, height).await
}

/// Market params (minimum bid deposits, bids per order, order timeout).
pub async fn market_params(client: &RpcClient, height: u64) -> Result<MarketParams, ClientError> {
    query_json_at(client, "/market/params", &serde_json::Value::Null, height).await
}

/// Deployment params (minimum deposits, bid windows).
pub async fn deployment_params(
    client: &RpcClient,
    height: u64,
) -> Result<DeploymentParams, ClientError> {
    query_json_at(client, "/deployment/params", &serde_json::Value::Null, height).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_proto::Message;

    fn testdata() -> std::path::PathBuf {
        if let Ok(d) = std::env::var("DCLOUD_TESTDATA") {
            return std::path::PathBuf::from(d).join("sdl");
        }
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/sdl")
    }

    fn fixture(name: &str) -> String {
        let p = testdata().join(name);
        std::fs::read_to_string(&p).unwrap_or_else(|e| {
            panic!(
                "SDL fixture {} missing ({e}); set DCLOUD_TESTDATA to shared/testdata",
                p.display()
            )
        })
    }

    #[test]
    fn sdl_groups_map_onto_the_message() {
        let sdl = parse_sdl(&fixture("profile-svc-name-mismatch.yaml")).unwrap();
        let groups = groups_from_sdl(&sdl).unwrap();
        assert_eq!(groups.len(), 1);
        let g = &groups[0];
        assert_eq!(g.name, "san-jose");
        let req = g.requirements.as_ref().unwrap();
        assert_eq!(
            req.attributes,
            vec![pb::Attribute { key: "region".into(), value: "sjc".into() }]
        );
        assert_eq!(req.signed_by, Some(pb::SignedBy::default()));
        assert_eq!(g.resources.len(), 1);
        let u = &g.resources[0];
        assert_eq!(u.count, 1);
        let price = u.price.as_ref().unwrap();
        assert_eq!(price.denom, "uact");
        assert_eq!(dcloud_chain::escrow::parse_dec18(&price.amount).unwrap(), 25 * 10u128.pow(18));
        let r = u.resources.as_ref().unwrap();
        assert_eq!(r.cpu_millis, 100);
        assert_eq!(r.memory_bytes, 512 << 20);
        assert_eq!(r.storage.len(), 1);
        assert_eq!(r.storage[0].name, "default");
        assert_eq!(r.storage[0].bytes, 512 << 20);
        assert_eq!(r.gpu_units, 0);
        // One global HTTP expose: one shared-HTTP endpoint.
        assert_eq!(r.endpoints, vec![pb::Endpoint { kind: 0, sequence_number: 0 }]);

        let owner = AccAddress::from_bytes(&[7u8; 20]).unwrap();
        let msg = create_deployment(
            &owner,
            7,
            &sdl,
            parse_coin("5000000uact", "deposit").unwrap(),
            pb::Auction::Manual,
            0,
        )
        .unwrap();
        let Msg::CreateDeployment(m) = &msg else { panic!("wrong message") };
        assert_eq!(m.hash, sdl.manifest_hash().to_vec());
        assert_eq!(m.auction, pb::Auction::Manual as i32);
        assert_eq!(m.id, dep_id(&owner, 7));
        // Round-trips through the wire and passes the chain's stateless checks.
        let any = msg.to_any();
        let back = Msg::decode_any(&any).unwrap();
        assert_eq!(back, msg);
        assert!(!any.value.is_empty() && m.encode_to_vec() == any.value);
    }

    #[test]
    fn storage_classes_gpus_and_ip_endpoints_are_kept() {
        let sdl = parse_sdl(&fixture("simple4.yaml")).unwrap();
        let sdl_groups = sdl.groups();
        let groups: Vec<pb::GroupSpec> = sdl_groups
            .iter()
            .map(|g| {
                // simple4 has no signedBy, so every group maps.
                group_to_msg(g).unwrap()
            })
            .collect();
        for (s, m) in sdl_groups.iter().zip(&groups) {
            assert_eq!(s.name, m.name);
            assert_eq!(s.resources.len(), m.resources.len());
            for (su, mu) in s.resources.iter().zip(&m.resources) {
                let r = mu.resources.as_ref().unwrap();
                assert_eq!(r.storage.len(), su.resource.storage.len());
                for (ss, ms) in su.resource.storage.iter().zip(&r.storage) {
                    assert_eq!(ss.quantity.0, ms.bytes);
                    assert_eq!(ss.attributes.len(), ms.attributes.len());
                }
            }
        }
        assert!(groups
            .iter()
            .flat_map(|g| &g.resources)
            .flat_map(|u| &u.resources.as_ref().unwrap().storage)
            .any(|s| s.attributes.iter().any(|a| a.key == "persistent" && a.value == "true")));

        let gpu = parse_sdl(&fixture("v2.1-simple-gpu.yaml")).unwrap();
        // Its signedBy lists "1", "2": not addresses, refused with a clear message.
        let e = groups_from_sdl(&gpu).unwrap_err().to_string();
        assert!(e.contains("signedBy") && e.contains("not an akash1"), "{e}");
        let g = gpu.groups();
        let mut g0 = g[0].clone();
        g0.requirements.signed_by = Default::default();
        let m = group_to_msg(&g0).unwrap();
        let r = m.resources[0].resources.as_ref().unwrap();
        assert_eq!(r.gpu_units, 1);
        assert!(r.gpu_attributes.iter().any(|a| a.key.starts_with("vendor/nvidia")), "{r:?}");

        let ip = parse_sdl(&fixture("simple-with-ip.yaml")).unwrap();
        let mut g0 = ip.groups()[0].clone();
        g0.requirements.signed_by = Default::default();
        let m = group_to_msg(&g0).unwrap();
        assert!(m.resources.iter().any(|u| u
            .resources
            .as_ref()
            .unwrap()
            .endpoints
            .iter()
            .any(|e| e.kind == 2 && e.sequence_number > 0)));
    }

    #[test]
    fn invalid_sdl_is_one_line() {
        let e = parse_sdl(&fixture("deployment-svc-mismatch.yaml")).unwrap_err().to_string();
        assert!(e.starts_with("invalid SDL: "), "{e}");
        assert!(!e.contains('\n'), "{e}");
        assert!(parse_sdl("version: \"9.9\"").is_err());
    }

    #[test]
    fn deposit_must_match_the_price_denom() {
        let sdl = parse_sdl(&fixture("profile-svc-name-mismatch.yaml")).unwrap();
        let owner = AccAddress::from_bytes(&[7u8; 20]).unwrap();
        let e = create_deployment(
            &owner,
            1,
            &sdl,
            parse_coin("5000000uakt", "deposit").unwrap(),
            pb::Auction::Lowest,
            0,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("prices in uact"), "{e}");
        assert!(create_deployment(
            &owner,
            0,
            &sdl,
            parse_coin("1uact", "d").unwrap(),
            pb::Auction::Lowest,
            0
        )
        .is_err());
    }

    #[test]
    fn coins_prices_and_auctions_parse() {
        assert_eq!(
            parse_coin("5000000uact", "deposit").unwrap(),
            pb::Coin { denom: "uact".into(), amount: "5000000".into() }
        );
        assert!(parse_coin("0uact", "deposit").unwrap_err().to_string().contains("zero"));
        assert!(parse_coin("5uact,6uakt", "deposit").is_err());
        assert!(parse_coin("uact", "deposit").is_err());
        assert_eq!(
            parse_dec_coin("0.5uact", "price").unwrap(),
            pb::DecCoin { denom: "uact".into(), amount: "0.5".into() }
        );
        assert_eq!(parse_dec_coin("25uakt", "price").unwrap().amount, "25");
        assert!(parse_dec_coin("0uact", "price").is_err());
        assert!(parse_dec_coin("1.2.3uact", "price").is_err());
        assert!(parse_dec_coin("25", "price").is_err());
        assert_eq!(parse_auction("manual").unwrap(), pb::Auction::Manual);
        assert_eq!(parse_auction("Lowest").unwrap(), pb::Auction::Lowest);
        assert!(parse_auction("highest").is_err());
    }

    #[test]
    fn filters_serialize_only_what_is_set() {
        let f = Filter { owner: Some("a".into()), dseq: Some(3), ..Default::default() };
        assert_eq!(json_filter(&f), serde_json::json!({"owner": "a", "dseq": 3}));
        assert_eq!(json_filter(&Filter::default()), serde_json::json!({}));
    }
}

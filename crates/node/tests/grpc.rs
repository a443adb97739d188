//! The gRPC server against a real node, through the standard generated tonic clients of
//! `cosmos-sdk-proto` (what a Rust, Go or TS gRPC client does): bank, auth, staking,
//! distribution, mint, slashing, gov, the tx service (broadcast, get, search, simulate) and
//! the tendermint service; heights via `x-cosmos-block-height`; SDK-worded errors.

use std::time::Duration;

use cosmos_sdk_proto::cosmos::auth::v1beta1 as auth;
use cosmos_sdk_proto::cosmos::bank::v1beta1 as bank;
use cosmos_sdk_proto::cosmos::base::tendermint::v1beta1 as tm;
use cosmos_sdk_proto::cosmos::tx::v1beta1 as tx;
use cosmos_sdk_proto::cosmos::{distribution, gov, mint, slashing, staking};
use dcloud_app::modules::bank::{GenesisBalance, RawCoin};
use dcloud_app::Genesis;
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_node::{init_home, NodeConfig, RunningNode};
use dcloud_proto::{msg_send, SignerData, TxBuilder};
use prost::Message;
use serde_json::json;
use tonic::transport::Channel;

const CHAIN_ID: &str = "grpc-test-1";

fn with_height<T>(msg: T, h: u64) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    r.metadata_mut().insert("x-cosmos-block-height", h.to_string().parse().unwrap());
    r
}

fn height_of<T>(r: &tonic::Response<T>) -> u64 {
    r.metadata().get("x-cosmos-block-height").unwrap().to_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_services_over_grpc() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    init_home(home, "grpc", CHAIN_ID, false).unwrap();
    let key = SigningKey::from_bytes(&[7u8; 32]).unwrap();
    let me = key.public_key().address();
    let bob = SigningKey::from_bytes(&[9u8; 32]).unwrap().public_key().address().to_string();
    let gpath = dcloud_node::genesis_path(home);
    let mut g = Genesis::from_json(&std::fs::read_to_string(&gpath).unwrap()).unwrap();
    g.app_state.bank.balances.push(GenesisBalance {
        address: me.to_string(),
        coins: vec![RawCoin { denom: "uakt".into(), amount: json!("11000000000") }],
    });
    dcloud_testkit::devnet::staking(&mut g, &me).unwrap();
    std::fs::write(&gpath, g.to_json()).unwrap();
    let mut cfg = NodeConfig::default_for(home);
    cfg.rpc_listen = "127.0.0.1:0".parse().unwrap();
    cfg.api_listen = "127.0.0.1:0".parse().unwrap();
    cfg.grpc_listen = Some("127.0.0.1:0".parse().unwrap());
    cfg.block_time = Duration::from_millis(200);
    let node = RunningNode::start(cfg).await.unwrap();
    let url = format!("http://{}", node.grpc_addr.expect("gRPC listens"));
    let rpc = dcloud_client::RpcClient::new(&format!("http://{}", node.rpc_addr)).unwrap();
    rpc.wait_for_height(2, Duration::from_secs(20)).await.unwrap();
    let ch = Channel::from_shared(url).unwrap().connect().await.unwrap();

    // tendermint service
    let mut tmc = tm::service_client::ServiceClient::new(ch.clone());
    let info = tmc.get_node_info(tm::GetNodeInfoRequest {}).await.unwrap().into_inner();
    assert_eq!(info.default_node_info.unwrap().network, CHAIN_ID);
    assert_eq!(info.application_version.unwrap().app_name, "dcloud");
    assert!(!tmc.get_syncing(tm::GetSyncingRequest {}).await.unwrap().into_inner().syncing);
    let latest = tmc.get_latest_block(tm::GetLatestBlockRequest {}).await.unwrap().into_inner();
    let latest_h = latest.sdk_block.unwrap().header.unwrap().height;
    assert!(latest_h >= 2);
    let b1 = tmc
        .get_block_by_height(tm::GetBlockByHeightRequest { height: 1 })
        .await
        .unwrap()
        .into_inner();
    let h1 = b1.sdk_block.unwrap().header.unwrap();
    assert_eq!((h1.height, h1.chain_id.as_str()), (1, CHAIN_ID));
    assert!(h1.proposer_address.starts_with("akashvalcons1"), "{}", h1.proposer_address);
    assert_eq!(b1.block_id.unwrap().hash.len(), 32);
    let far = tmc.get_block_by_height(tm::GetBlockByHeightRequest { height: 1 << 40 }).await;
    assert_eq!(far.unwrap_err().code(), tonic::Code::InvalidArgument);
    let vs = tmc
        .get_latest_validator_set(tm::GetLatestValidatorSetRequest { pagination: None })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(vs.validators.len(), 1);
    assert_eq!(
        vs.validators[0].pub_key.as_ref().unwrap().type_url,
        "/cosmos.crypto.ed25519.PubKey"
    );

    // auth
    let mut authc = auth::query_client::QueryClient::new(ch.clone());
    let acc = authc
        .account(auth::QueryAccountRequest { address: me.to_string() })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert_eq!(acc.type_url, "/cosmos.auth.v1beta1.BaseAccount");
    let base = auth::BaseAccount::decode(acc.value.as_slice()).unwrap();
    assert_eq!(base.address, me.to_string());
    let account_number = base.account_number;
    let unknown = authc.account(auth::QueryAccountRequest { address: bob.clone() }).await;
    let st = unknown.unwrap_err();
    assert_eq!(st.code(), tonic::Code::NotFound);
    assert_eq!(st.message(), format!("account {bob} not found"));
    let bad = authc.account(auth::QueryAccountRequest { address: "akash1nope".into() }).await;
    assert_eq!(bad.unwrap_err().code(), tonic::Code::InvalidArgument);
    let mods =
        authc.module_accounts(auth::QueryModuleAccountsRequest {}).await.unwrap().into_inner();
    assert!(mods.accounts.iter().all(|a| a.type_url == "/cosmos.auth.v1beta1.ModuleAccount"));
    assert!(authc.params(auth::QueryParamsRequest {}).await.unwrap().into_inner().params.is_some());

    // a send through the tx service: simulate, broadcast, get, search
    let send = |seq: u64| {
        let signer = SignerData {
            chain_id: CHAIN_ID.into(),
            account_number,
            sequence: seq,
            pubkey: key.public_key().to_bytes().to_vec(),
        };
        TxBuilder::new()
            .msg(&msg_send(&me.to_string(), &bob, 777, "uakt"))
            .fee(5000, "uakt", 200_000)
            .sign(&signer, |d| key.sign(d))
            .unwrap()
    };
    let mut txc = tx::service_client::ServiceClient::new(ch.clone());
    #[allow(deprecated)]
    let sim = txc
        .simulate(tx::SimulateRequest { tx: None, tx_bytes: send(0) })
        .await
        .unwrap()
        .into_inner();
    assert!(sim.gas_info.unwrap().gas_used > 0);
    let before = tmc.get_latest_block(tm::GetLatestBlockRequest {}).await.unwrap().into_inner();
    let before_h = before.sdk_block.unwrap().header.unwrap().height as u64;
    let sent = txc
        .broadcast_tx(tx::BroadcastTxRequest {
            tx_bytes: send(0),
            mode: tx::BroadcastMode::Sync as i32,
        })
        .await
        .unwrap()
        .into_inner()
        .tx_response
        .unwrap();
    assert_eq!(sent.code, 0, "{}", sent.raw_log);
    let landed = rpc.wait_for_tx(&sent.txhash, Duration::from_secs(20)).await.unwrap();
    let got =
        txc.get_tx(tx::GetTxRequest { hash: sent.txhash.clone() }).await.unwrap().into_inner();
    let resp = got.tx_response.unwrap();
    assert_eq!((resp.height as u64, resp.code), (landed.height, 0));
    assert_eq!(got.tx.unwrap().body.unwrap().messages[0].type_url, "/cosmos.bank.v1beta1.MsgSend");
    let missing = txc.get_tx(tx::GetTxRequest { hash: "AB".repeat(32) }).await.unwrap_err();
    assert_eq!(missing.code(), tonic::Code::NotFound);
    #[allow(deprecated)]
    let found = txc
        .get_txs_event(tx::GetTxsEventRequest {
            query: format!("message.sender='{me}'"),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.total, 1);
    assert_eq!(found.tx_responses[0].txhash, sent.txhash);
    let dup = txc
        .broadcast_tx(tx::BroadcastTxRequest {
            tx_bytes: send(0),
            mode: tx::BroadcastMode::Sync as i32,
        })
        .await
        .unwrap()
        .into_inner();
    assert_ne!(dup.tx_response.unwrap().code, 0, "a replay is refused");

    // bank, at the latest height and before the send
    let mut bankc = bank::query_client::QueryClient::new(ch.clone());
    let now = bankc
        .balance(bank::QueryBalanceRequest { address: bob.clone(), denom: "uakt".into() })
        .await
        .unwrap();
    assert!(height_of(&now) >= landed.height);
    assert_eq!(now.into_inner().balance.unwrap().amount, "777");
    let then = bankc
        .balance(with_height(
            bank::QueryBalanceRequest { address: bob.clone(), denom: "uakt".into() },
            before_h.min(landed.height - 1),
        ))
        .await
        .unwrap();
    assert_eq!(height_of(&then), before_h.min(landed.height - 1));
    assert_eq!(then.into_inner().balance.unwrap().amount, "0");
    let all = bankc
        .all_balances(bank::QueryAllBalancesRequest {
            address: me.to_string(),
            pagination: None,
            resolve_denom: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(all.balances.iter().any(|c| c.denom == "uakt"));
    let supply = bankc
        .supply_of(bank::QuerySupplyOfRequest { denom: "uakt".into() })
        .await
        .unwrap()
        .into_inner();
    assert!(supply.amount.unwrap().amount.parse::<u128>().unwrap() > 0);
    let md = bankc
        .denom_metadata(bank::QueryDenomMetadataRequest { denom: "uact".into() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(md.metadata.unwrap().display, "act");
    let nomd = bankc.denom_metadata(bank::QueryDenomMetadataRequest { denom: "foo".into() }).await;
    assert_eq!(nomd.unwrap_err().code(), tonic::Code::NotFound);

    // staking and the rest
    let mut stc = staking::v1beta1::query_client::QueryClient::new(ch.clone());
    let vals = stc
        .validators(staking::v1beta1::QueryValidatorsRequest {
            status: "BOND_STATUS_BONDED".into(),
            pagination: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(vals.validators.len(), 1);
    let op = vals.validators[0].operator_address.clone();
    let dels = stc
        .delegation(staking::v1beta1::QueryDelegationRequest {
            delegator_addr: me.to_string(),
            validator_addr: op.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(dels.delegation_response.unwrap().balance.unwrap().amount, "1000000000");
    let pool = stc.pool(staking::v1beta1::QueryPoolRequest {}).await.unwrap().into_inner();
    assert_eq!(pool.pool.unwrap().bonded_tokens, "1000000000");
    let mut dc = distribution::v1beta1::query_client::QueryClient::new(ch.clone());
    dc.params(distribution::v1beta1::QueryParamsRequest {}).await.unwrap();
    dc.delegation_total_rewards(distribution::v1beta1::QueryDelegationTotalRewardsRequest {
        delegator_address: me.to_string(),
    })
    .await
    .unwrap();
    let mut mc = mint::v1beta1::query_client::QueryClient::new(ch.clone());
    let infl = mc.inflation(mint::v1beta1::QueryInflationRequest {}).await.unwrap().into_inner();
    assert!(std::str::from_utf8(&infl.inflation).unwrap().parse::<u128>().is_ok());
    let mut sc = slashing::v1beta1::query_client::QueryClient::new(ch.clone());
    sc.params(slashing::v1beta1::QueryParamsRequest {}).await.unwrap();
    let mut gc = gov::v1::query_client::QueryClient::new(ch.clone());
    gc.params(gov::v1::QueryParamsRequest { params_type: String::new() }).await.unwrap();
    let nope = gc.proposal(gov::v1::QueryProposalRequest { proposal_id: 42 }).await.unwrap_err();
    assert_eq!((nope.code(), nope.message()), (tonic::Code::NotFound, "proposal 42 doesn't exist"));

    node.shutdown().await.unwrap();
}

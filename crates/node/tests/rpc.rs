//! The node's servers against a real chain: JSON-RPC, websocket events, REST, metrics, and
//! malformed or oversized requests.

use std::time::Duration;

use base64::Engine;
use dcloud_app::modules::bank::{GenesisBalance, RawCoin};
use dcloud_app::Genesis;
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_node::{init_home, NodeConfig, RunningNode};
use dcloud_proto::{msg_send, SignerData, TxBuilder};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

struct Net {
    node: Option<RunningNode>,
    _dir: tempfile::TempDir,
    rpc: String,
    api: String,
    key: SigningKey,
    http: reqwest::Client,
}

async fn start() -> Net {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    init_home(home, "test", "rpc-test-1", false).unwrap();
    let key = SigningKey::from_bytes(&[7u8; 32]).unwrap();
    let addr = key.public_key().address().to_string();
    let gpath = dcloud_node::genesis_path(home);
    let mut g = Genesis::from_json(&std::fs::read_to_string(&gpath).unwrap()).unwrap();
    g.app_state.bank.balances.push(GenesisBalance {
        address: addr,
        coins: vec![RawCoin { denom: "uakt".into(), amount: json!("1000000000") }],
    });
    std::fs::write(&gpath, g.to_json()).unwrap();
    let mut cfg = NodeConfig::default_for(home);
    cfg.rpc_listen = "127.0.0.1:0".parse().unwrap();
    cfg.api_listen = "127.0.0.1:0".parse().unwrap();
    cfg.block_time = Duration::from_millis(200);
    cfg.check_invariants = true;
    let node = RunningNode::start(cfg).await.unwrap();
    Net {
        rpc: format!("http://{}", node.rpc_addr),
        api: format!("http://{}", node.api_addr),
        node: Some(node),
        _dir: dir,
        key,
        http: reqwest::Client::new(),
    }
}

impl Net {
    async fn call(&self, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        self.http.post(&self.rpc).json(&body).send().await.unwrap().json().await.unwrap()
    }

    fn send_tx(&self, seq: u64, to: &str, amount: u128) -> Vec<u8> {
        let from = self.key.public_key().address().to_string();
        let signer = SignerData {
            chain_id: "rpc-test-1".into(),
            account_number: 3,
            sequence: seq,
            pubkey: self.key.public_key().to_bytes().to_vec(),
        };
        TxBuilder::new()
            .msg(&msg_send(&from, to, amount, "uakt"))
            .fee(5000, "uakt", 200_000)
            .sign(&signer, |d| self.key.sign(d))
            .unwrap()
    }
}

fn bob() -> String {
    SigningKey::from_bytes(&[9u8; 32]).unwrap().public_key().address().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_rest_websocket_and_bad_requests() {
    let net = start().await;

    // Account numbers: 0-2 = module accounts (fee_collector, escrow, community_pool), 3 = our key.
    let acc = net
        .call(
            "abci_query",
            json!({"path": "/auth/account",
        "data": hex::encode(net.key.public_key().address().to_string())}),
        )
        .await;
    let v = B64.decode(acc["result"]["response"]["value"].as_str().unwrap()).unwrap();
    let acc: Value = serde_json::from_slice(&v).unwrap();
    assert_eq!(acc["account_number"], 3);

    // Websocket subscription to transfers to bob, before sending.
    let ws_url = net.rpc.replace("http://", "ws://") + "/websocket";
    let (mut ws, _) = tokio_tungstenite::connect_async(&ws_url).await.unwrap();
    let sub = json!({"jsonrpc": "2.0", "id": 5, "method": "subscribe",
        "params": {"query": format!("tm.event='Tx' AND transfer.recipient='{}'", bob())}});
    ws.send(tokio_tungstenite::tungstenite::Message::Text(sub.to_string().into())).await.unwrap();
    let ack = ws.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("\"result\":{}"), "{ack:?}");

    // broadcast_tx_commit includes the tx.
    let tx = net.send_tx(0, &bob(), 1234);
    let r = net.call("broadcast_tx_commit", json!({"tx": B64.encode(&tx)})).await;
    assert_eq!(r["result"]["check_tx"]["code"], 0, "{r}");
    assert_eq!(r["result"]["tx_result"]["code"], 0, "{r}");
    let height: u64 = r["result"]["height"].as_str().unwrap().parse().unwrap();
    assert!(height >= 1);
    let hash = r["result"]["hash"].as_str().unwrap().to_string();

    // The websocket delivers the event.
    let ev =
        tokio::time::timeout(Duration::from_secs(10), ws.next()).await.unwrap().unwrap().unwrap();
    let ev: Value = serde_json::from_str(ev.to_text().unwrap()).unwrap();
    assert_eq!(ev["id"], 5);
    assert_eq!(ev["result"]["data"]["type"], "tendermint/event/Tx");
    assert_eq!(ev["result"]["events"]["tx.hash"][0], hash.as_str());

    // Replaying the same tx is refused (duplicate sequence), nothing changes.
    let r = net.call("broadcast_tx_sync", json!({"tx": B64.encode(&tx)})).await;
    assert_eq!(r["result"]["code"], 32, "{r}");
    assert!(r["result"]["log"].as_str().unwrap().contains("sequence"));

    // tx by hash, tx_search, block, block_results, validators, status.
    let t = net.call("tx", json!({"hash": hash})).await;
    assert_eq!(t["result"]["height"], height);
    let s =
        net.call("tx_search", json!({"query": format!("transfer.recipient='{}'", bob())})).await;
    assert_eq!(s["result"]["total_count"], "1", "{s}");
    let b = net.call("block", json!({"height": height.to_string()})).await;
    assert_eq!(b["result"]["block"]["txs"].as_array().unwrap().len(), 1);
    let st = net.call("status", json!({})).await;
    let latest: u64 =
        st["result"]["sync_info"]["latest_block_height"].as_str().unwrap().parse().unwrap();
    assert!(latest >= height);
    let vals = net.call("validators", json!({})).await;
    assert_eq!(vals["result"]["count"], "1");
    // URI style GET.
    let g: Value =
        net.http.get(format!("{}/status", net.rpc)).send().await.unwrap().json().await.unwrap();
    assert!(g["result"]["sync_info"]["latest_block_height"].is_string());

    // A proof for bob's balance verifies against the app hash of that height.
    let res = net.call("block_results", json!({"height": height.to_string()})).await;
    let app_hash: [u8; 32] =
        hex::decode(res["result"]["app_hash"].as_str().unwrap()).unwrap().try_into().unwrap();
    let bob_addr: dcloud_types::AccAddress = bob().parse().unwrap();
    let mut key = vec![0x10, 20];
    key.extend_from_slice(bob_addr.as_bytes());
    key.extend_from_slice(b"uakt");
    let q = net
        .call(
            "abci_query",
            json!({"path": "/store", "data": hex::encode(&key),
        "height": height.to_string(), "prove": true}),
        )
        .await;
    let value = B64.decode(q["result"]["response"]["value"].as_str().unwrap()).unwrap();
    assert_eq!(u128::from_be_bytes(value.clone().try_into().unwrap()), 1234);
    let proof = dcloud_store::StateProof::from_bytes(
        &B64.decode(q["result"]["response"]["proof"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    dcloud_store::verify_proof(app_hash, &key, Some(&value), &proof).unwrap();
    assert!(dcloud_store::verify_proof(app_hash, &key, Some(&[0u8; 16]), &proof).is_err());

    // REST.
    let bal: Value = net
        .http
        .get(format!("{}/cosmos/bank/v1beta1/balances/{}", net.api, bob()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bal["balances"][0]["amount"], "1234");
    let bad = net
        .http
        .get(format!("{}/cosmos/bank/v1beta1/balances/cosmos1xyz", net.api))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["code"], 7);
    let spec: Value = net
        .http
        .get(format!("{}/openapi.json", net.api))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.0.3");
    assert!(spec["paths"]["/cosmos/bank/v1beta1/balances/{address}"].is_object());

    // Metrics.
    let m =
        net.http.get(format!("{}/metrics", net.rpc)).send().await.unwrap().text().await.unwrap();
    assert!(m.contains("dcloud_block_height"), "{m}");
    assert!(m.contains("dcloud_txs_total 1"), "{m}");

    // Malformed requests: JSON errors, never a panic.
    let r: Value =
        net.http.post(&net.rpc).body("{not json").send().await.unwrap().json().await.unwrap();
    assert_eq!(r["error"]["code"], -32700);
    let r = net.call("no_such_method", json!({})).await;
    assert_eq!(r["error"]["code"], -32601);
    let r = net.call("broadcast_tx_sync", json!({"tx": "***"})).await;
    assert_eq!(r["error"]["code"], -32602);
    let r = net.call("broadcast_tx_sync", json!({"tx": B64.encode(b"garbage")})).await;
    assert_eq!(r["result"]["code"], 2, "{r}");
    let r = net.call("tx_search", json!({"query": "a.b='x' OR"})).await;
    assert_eq!(r["error"]["code"], -32602);
    let r = net.call("block", json!({"height": "999999"})).await;
    assert_eq!(r["error"]["code"], -32602);
    let huge = "A".repeat(3 * 1024 * 1024);
    let r: Value = net
        .http
        .post(&net.rpc)
        .body(format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_sync","params":{{"tx":"{huge}"}}}}"#
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["error"]["code"], -32600, "{r}");
    // An oversized websocket frame closes that connection; the node stays up.
    let big = tokio_tungstenite::tungstenite::Message::Text("x".repeat(200 * 1024).into());
    let _ = ws.send(big).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) => return true,
                Some(Ok(m)) if m.is_close() => return true,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await
    .unwrap();
    assert!(closed);
    let st = net.call("status", json!({})).await;
    assert!(st["result"].is_object());

    net.node.unwrap().shutdown().await.unwrap();
}

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

    fn send_tx(&self, account_number: u64, seq: u64, to: &str, amount: u128) -> Vec<u8> {
        let from = self.key.public_key().address().to_string();
        let signer = SignerData {
            chain_id: "rpc-test-1".into(),
            account_number,
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

    // Module accounts are numbered first (one per module account), then genesis accounts.
    let acc = net
        .call(
            "abci_query",
            json!({"path": "/auth/account",
        "data": hex::encode(net.key.public_key().address().to_string())}),
        )
        .await;
    let v = B64.decode(acc["result"]["response"]["value"].as_str().unwrap()).unwrap();
    let acc: Value = serde_json::from_slice(&v).unwrap();
    let n_modules = dcloud_app::modules::auth::MODULE_ACCOUNTS.len() as u64;
    assert_eq!(acc["account_number"], n_modules);
    let account_number = n_modules;

    // Websocket subscription to transfers to bob, before sending.
    let ws_url = net.rpc.replace("http://", "ws://") + "/websocket";
    let (mut ws, _) = tokio_tungstenite::connect_async(&ws_url).await.unwrap();
    let sub = json!({"jsonrpc": "2.0", "id": 5, "method": "subscribe",
        "params": {"query": format!("tm.event='Tx' AND transfer.recipient='{}'", bob())}});
    ws.send(tokio_tungstenite::tungstenite::Message::Text(sub.to_string().into())).await.unwrap();
    let ack = ws.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("\"result\":{}"), "{ack:?}");

    // broadcast_tx_commit includes the tx.
    let tx = net.send_tx(account_number, 0, &bob(), 1234);
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
    assert_eq!(t["result"]["height"], height.to_string());
    // cosmjs sends the hash base64-encoded.
    let t64 = net.call("tx", json!({"hash": B64.encode(hex::decode(&hash).unwrap())})).await;
    assert_eq!(t64["result"]["hash"], hash.as_str(), "{t64}");
    let s =
        net.call("tx_search", json!({"query": format!("transfer.recipient='{}'", bob())})).await;
    assert_eq!(s["result"]["total_count"], "1", "{s}");
    let b = net.call("block", json!({"height": height.to_string()})).await;
    assert_eq!(b["result"]["block"]["data"]["txs"].as_array().unwrap().len(), 1);
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
        B64.decode(res["result"]["app_hash"].as_str().unwrap()).unwrap().try_into().unwrap();
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

    // The client's light-client read: proof + next header's app hash + commit signatures.
    let client = dcloud_client::RpcClient::new(&net.rpc).unwrap();
    let (v, h) = client.get_verified(&key, height).await.unwrap();
    assert_eq!(h, height);
    assert_eq!(v, Some(value.clone()));
    let mut absent = key.clone();
    absent.extend_from_slice(b"x");
    assert_eq!(client.get_verified(&absent, 0).await.unwrap().0, None);
    // A commit that does not certify the header, or lacks signatures, is refused.
    let next = client.block(Some(height + 1)).await.unwrap();
    let commit = client.commit(height + 1).await.unwrap();
    assert_eq!(next.block_id.hash, hex::encode_upper(next.block.header.hash()));
    let vals = client.validators().await.unwrap().validators;
    let chain = next.block.header.chain_id.clone();
    dcloud_client::verify::verify_commit(&chain, &next.block.header, &commit, &vals).unwrap();
    let mut forged = next.block.header.clone();
    forged.app_hash = [9; 32];
    assert!(dcloud_client::verify::verify_commit(&chain, &forged, &commit, &vals).is_err());
    let mut unsigned = commit.clone();
    unsigned.signatures.clear();
    assert!(
        dcloud_client::verify::verify_commit(&chain, &next.block.header, &unsigned, &vals).is_err()
    );

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

    // Market and registry REST queries.
    let get = |path: String| {
        let http = net.http.clone();
        async move { http.get(path).send().await.unwrap() }
    };
    let r = get(format!("{}/dcloud/provider/v1/providers", net.api)).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["providers"].as_array().map(Vec::len), Some(0), "{body}");
    let r = get(format!("{}/dcloud/deployment/v1/deployments?owner={}", net.api, bob())).await;
    assert_eq!(r.status(), 200);
    let r = get(format!("{}/dcloud/market/v1/orders?owner=cosmos1xyz", net.api)).await;
    assert_eq!(r.status(), 400);
    let r = get(format!("{}/dcloud/escrow/v1/blocks-remaining?owner={}&dseq=abc", net.api, bob()))
        .await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("dseq"), "{body}");
    let r = get(format!("{}/dcloud/provider/v1/providers/{}", net.api, bob())).await;
    assert_eq!(r.status(), 404, "an unregistered provider is not found");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["codespace"], "provider", "{body}");
    assert!(spec["paths"]["/dcloud/market/v1/leases"].is_object());

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_queries_answer_from_a_past_height_over_json_rpc_and_rest() {
    let net = start().await;
    let account_number = dcloud_app::modules::auth::MODULE_ACCOUNTS.len() as u64;
    let carol = SigningKey::from_bytes(&[11u8; 32]).unwrap().public_key().address().to_string();
    let mut heights = Vec::new();
    for (seq, to) in [(0, bob()), (1, carol.clone())] {
        let tx = net.send_tx(account_number, seq, &to, 77);
        let r = net.call("broadcast_tx_commit", json!({"tx": B64.encode(&tx)})).await;
        assert_eq!(r["result"]["tx_result"]["code"], 0, "{r}");
        heights.push(r["result"]["height"].as_str().unwrap().parse::<u64>().unwrap());
    }
    let (h1, h2) = (heights[0], heights[1]);
    assert!(h2 > h1);

    // Balances (a prefix scan) at a past height: by the Cosmos header or by `?height=`.
    let balances = |h: u64, header: bool| {
        let http = net.http.clone();
        let mut url = format!("{}/cosmos/bank/v1beta1/balances/{carol}", net.api);
        if !header {
            url.push_str(&format!("?height={h}"));
        }
        async move {
            let mut req = http.get(url);
            if header {
                req = req.header("x-cosmos-block-height", h.to_string());
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            v["balances"].as_array().unwrap().len()
        }
    };
    assert_eq!(balances(h1, true).await, 0, "carol had nothing at h1");
    assert_eq!(balances(h1, false).await, 0);
    assert_eq!(balances(h2, true).await, 1);
    assert_eq!(balances(h2, false).await, 1);
    let conflicting = net
        .http
        .get(format!("{}/cosmos/bank/v1beta1/balances/{carol}?height={h2}", net.api))
        .header("x-cosmos-block-height", h1.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(conflicting.status(), 400);

    // A paginated list over JSON-RPC at a past height: the accounts before carol existed.
    for (h, has_carol) in [(h1, false), (h2, true)] {
        let r = net
            .call(
                "abci_query",
                json!({"path": "/auth/accounts", "data": hex::encode(r#"{"limit":1000}"#),
                    "height": h.to_string()}),
            )
            .await;
        assert_eq!(r["result"]["response"]["height"], h.to_string(), "{r}");
        let v = B64.decode(r["result"]["response"]["value"].as_str().unwrap()).unwrap();
        let page = String::from_utf8(v).unwrap();
        assert_eq!(page.contains(&carol), has_carol, "height {h}: {page}");
        assert!(page.contains(&bob()), "height {h}: {page}");
    }
    net.node.unwrap().shutdown().await.unwrap();
}

/// The fields a CometBFT 0.38 client (cosmjs `Comet38Client`) decodes, with their JSON types.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cometbft_038_shapes() {
    let net = start().await;
    let n_modules = dcloud_app::modules::auth::MODULE_ACCOUNTS.len() as u64;
    let mut hashes = Vec::new();
    let mut height = 0;
    for seq in 0..3 {
        let tx = net.send_tx(n_modules, seq, &bob(), 10 + u128::from(seq as u8));
        let r = net.call("broadcast_tx_commit", json!({"tx": B64.encode(&tx)})).await;
        assert_eq!(r["result"]["tx_result"]["code"], 0, "{r}");
        assert!(r["result"]["tx_result"]["gas_used"].as_str().unwrap().parse::<u64>().unwrap() > 0);
        assert!(r["result"]["check_tx"]["gas_wanted"].is_string(), "{r}");
        height = r["result"]["height"].as_str().unwrap().parse::<u64>().unwrap();
        hashes.push(r["result"]["hash"].as_str().unwrap().to_string());
    }
    let is_hex = |v: &Value| v.as_str().is_some_and(|s| hex::decode(s).is_ok());

    let st = &net.call("status", json!({})).await["result"];
    assert!(st["node_info"]["version"].as_str().unwrap().starts_with("0.38."), "{st}");
    assert_eq!(st["node_info"]["network"], "rpc-test-1");
    assert_eq!(st["node_info"]["protocol_version"]["block"], "11");
    assert!(is_hex(&st["node_info"]["id"]) && !st["node_info"]["id"].as_str().unwrap().is_empty());
    assert!(st["node_info"]["listen_addr"].as_str().unwrap().starts_with("tcp://"), "{st}");
    assert_eq!(st["node_info"]["other"]["tx_index"], "on");
    assert_eq!(st["node_info"]["consensus"], "solo", "our extra stays");
    assert_eq!(st["sync_info"]["earliest_block_height"], "1");
    assert!(st["sync_info"]["latest_block_time"].as_str().unwrap().ends_with('Z'));
    assert!(is_hex(&st["sync_info"]["latest_app_hash"]));
    assert_eq!(st["validator_info"]["pub_key"]["type"], "tendermint/PubKeyEd25519");
    assert_eq!(st["validator_info"]["voting_power"].as_str().map(|s| s != "0"), Some(true));

    let b = &net.call("block", json!({"height": height.to_string()})).await["result"];
    let hdr = &b["block"]["header"];
    assert_eq!(hdr["height"], height.to_string());
    assert_eq!(hdr["version"]["block"], "11");
    for k in [
        "last_commit_hash",
        "data_hash",
        "validators_hash",
        "next_validators_hash",
        "consensus_hash",
        "app_hash",
        "evidence_hash",
        "proposer_address",
    ] {
        assert!(is_hex(&hdr[k]), "{k}: {hdr}");
    }
    assert_eq!(b["block_id"]["parts"]["total"], 1);
    assert_eq!(b["block"]["last_commit"]["height"], (height - 1).to_string());
    assert_eq!(b["block"]["last_commit"]["signatures"][0]["block_id_flag"], 2);
    assert!(b["block"]["evidence"]["evidence"].as_array().unwrap().is_empty());
    // The first block has an empty last commit and last block id.
    let b1 = &net.call("block", json!({"height": "1"})).await["result"];
    assert_eq!(b1["block"]["last_commit"]["block_id"]["hash"], "");
    assert_eq!(b1["block"]["header"]["last_block_id"]["hash"], "");

    let c = &net.call("commit", json!({"height": height.to_string()})).await["result"];
    assert_eq!(c["canonical"], true);
    assert_eq!(c["signed_header"]["commit"]["block_id"]["hash"], b["block_id"]["hash"]);
    assert_eq!(c["signed_header"]["header"]["app_hash"], hdr["app_hash"]);

    let r = &net.call("block_results", json!({"height": height.to_string()})).await["result"];
    assert_eq!(r["height"], height.to_string());
    let ev = &r["txs_results"][0]["events"];
    assert!(ev.as_array().unwrap().iter().any(|e| e["type"] == "transfer"), "{r}");
    assert!(ev[0]["attributes"][0]["key"].is_string() && ev[0]["attributes"][0]["index"] == true);
    assert!(r["txs_results"][0]["gas_wanted"].is_string());

    let chain = &net
        .call("blockchain", json!({"minHeight": "1", "maxHeight": height.to_string()}))
        .await["result"];
    let metas = chain["block_metas"].as_array().unwrap();
    assert_eq!(metas.len() as u64, height.min(20));
    assert_eq!(metas[0]["header"]["height"], height.to_string(), "newest first");
    assert_eq!(metas[0]["num_txs"], "1");

    // tx_search: index numeric, height string, paging with the full total_count.
    let sender = net.key.public_key().address().to_string();
    let q = format!("message.sender='{sender}'");
    let p1 =
        &net.call("tx_search", json!({"query": q, "per_page": "2", "page": "1"})).await["result"];
    assert_eq!(p1["total_count"], "3", "{p1}");
    assert_eq!(p1["txs"].as_array().unwrap().len(), 2);
    assert!(p1["txs"][0]["index"].is_number() && p1["txs"][0]["height"].is_string());
    let p2 =
        &net.call("tx_search", json!({"query": q, "per_page": "2", "page": "2"})).await["result"];
    assert_eq!(p2["txs"].as_array().unwrap().len(), 1);
    assert_eq!(p2["txs"][0]["hash"], hashes[2].as_str());
    let by_hash =
        &net.call("tx_search", json!({"query": format!("tx.hash='{}'", hashes[1])})).await;
    assert_eq!(by_hash["result"]["total_count"], "1", "{by_hash}");
    let by_height = &net.call("tx_search", json!({"query": format!("tx.height={height}")})).await;
    assert_eq!(by_height["result"]["txs"][0]["hash"], hashes[2].as_str(), "{by_height}");
    let bad = net.call("tx_search", json!({"query": q, "page": "0"})).await;
    assert_eq!(bad["error"]["code"], -32602);

    let bs = &net
        .call(
            "block_search",
            json!({"query": format!("block.height>={}", height - 1), "order_by": "desc"}),
        )
        .await["result"];
    assert!(bs["total_count"].as_str().unwrap().parse::<u64>().unwrap() >= 2, "{bs}");
    assert_eq!(bs["blocks"][1]["block"]["header"]["height"], (height - 1).to_string(), "{bs}");

    let v = &net.call("validators", json!({})).await["result"];
    assert_eq!(v["validators"][0]["pub_key"]["type"], "tendermint/PubKeyEd25519");
    assert!(v["validators"][0]["voting_power"].is_string());
    assert!(v["validators"][0]["proposer_priority"].is_string());

    let ai = &net.call("abci_info", json!({})).await["result"]["response"];
    assert!(ai["last_block_height"].as_str().unwrap().parse::<u64>().unwrap() >= height);
    assert_eq!(B64.decode(ai["last_block_app_hash"].as_str().unwrap()).unwrap().len(), 32);

    let g = &net.call("genesis", json!({})).await["result"]["genesis"];
    assert_eq!(g["chain_id"], "rpc-test-1");
    assert!(g["consensus_params"]["block"]["max_bytes"].is_string(), "{g}");
    assert!(g["app_state"]["bank"].is_object());
    assert_eq!(g["validators"][0]["pub_key"]["type"], "tendermint/PubKeyEd25519");

    let u = &net.call("num_unconfirmed_txs", json!({})).await["result"];
    assert!(u["total"].is_string() && u["total_bytes"].is_string());
    assert_eq!(net.call("health", json!({})).await["result"], json!({}));

    // The client decodes the wire shapes back into the chain's types.
    let client = dcloud_client::RpcClient::new(&net.rpc).unwrap();
    let blk = client.block(Some(height)).await.unwrap();
    assert_eq!(hex::encode_upper(blk.block.header.hash()), blk.block_id.hash);
    let res = client.block_results(Some(height)).await.unwrap();
    assert_eq!(res.tx_results.len(), 1);
    let found = client.tx_search(&q, 1, 100, "asc").await.unwrap();
    assert_eq!(found.txs.iter().map(|t| t.hash.clone()).collect::<Vec<_>>(), hashes);
    net.node.unwrap().shutdown().await.unwrap();
}

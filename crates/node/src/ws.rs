//! Websocket event subscriptions: JSON-RPC `subscribe {query}`, `unsubscribe {query}`,
//! `unsubscribe_all`. Events: `tm.event='NewBlock'` per block and `tm.event='Tx'` per tx,
//! with every event attribute of the tx queryable (`transfer.recipient='akash1…'`).
//! Frames are size-limited; a connection may hold at most 16 subscriptions.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use base64::Engine;
use dcloud_consensus::query::flatten;
use dcloud_consensus::{CommittedBlock, EventQuery};
use dcloud_rpc_types::{comet, RpcRequest, SubscriptionEvent};
use serde_json::{json, Value};

use crate::Shared;

const MAX_FRAME: usize = 64 * 1024;
const MAX_SUBSCRIPTIONS: usize = 16;

pub(crate) async fn handler(ws: WebSocketUpgrade, State(sh): State<Arc<Shared>>) -> Response {
    ws.max_message_size(MAX_FRAME).max_frame_size(MAX_FRAME).on_upgrade(move |s| serve(s, sh))
}

struct Sub {
    id: Value,
    text: String,
    query: EventQuery,
}

fn err(id: Value, code: i64, msg: &str, data: String) -> Message {
    Message::Text(
        json!({"jsonrpc":"2.0","id":id,"error":{"code":code,"message":msg,"data":data}})
            .to_string()
            .into(),
    )
}

async fn serve(mut socket: WebSocket, sh: Arc<Shared>) {
    let mut rx = sh.events.subscribe();
    let mut subs: Vec<Sub> = Vec::new();
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let Some(Ok(msg)) = msg else { return };
                let text = match msg {
                    Message::Text(t) => t.to_string(),
                    Message::Close(_) => return,
                    Message::Ping(p) => { let _ = socket.send(Message::Pong(p)).await; continue }
                    _ => continue,
                };
                let reply = handle_request(&sh, &text, &mut subs).await;
                if socket.send(reply).await.is_err() {
                    return;
                }
            }
            ev = rx.recv() => {
                let cb = match ev {
                    Ok(cb) => cb,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!("websocket subscriber lagged by {n} blocks");
                        continue;
                    }
                    Err(_) => return,
                };
                for m in events_for(&cb, &subs) {
                    if socket.send(m).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

async fn handle_request(sh: &Arc<Shared>, text: &str, subs: &mut Vec<Sub>) -> Message {
    let req: RpcRequest = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => return err(Value::Null, -32700, "Parse error", e.to_string()),
    };
    let query = req.params.get("query").and_then(Value::as_str).unwrap_or_default().to_string();
    match req.method.as_str() {
        "subscribe" => {
            if subs.len() >= MAX_SUBSCRIPTIONS {
                return err(
                    req.id,
                    -32603,
                    "Internal error",
                    format!("at most {MAX_SUBSCRIPTIONS} subscriptions per connection"),
                );
            }
            match EventQuery::parse(&query) {
                Ok(q) if !q.conditions.is_empty() => {
                    subs.push(Sub { id: req.id.clone(), text: query, query: q });
                    Message::Text(
                        json!({"jsonrpc":"2.0","id":req.id,"result":{}}).to_string().into(),
                    )
                }
                Ok(_) => err(req.id, -32602, "Invalid params", "query must not be empty".into()),
                Err(e) => err(req.id, -32602, "Invalid params", e.to_string()),
            }
        }
        "unsubscribe" => {
            subs.retain(|s| s.text != query);
            Message::Text(json!({"jsonrpc":"2.0","id":req.id,"result":{}}).to_string().into())
        }
        "unsubscribe_all" => {
            subs.clear();
            Message::Text(json!({"jsonrpc":"2.0","id":req.id,"result":{}}).to_string().into())
        }
        _ => {
            // Plain RPC methods work over the websocket too.
            let params = if req.params.is_object() { req.params.clone() } else { json!({}) };
            match crate::rpc::dispatch(sh, &req.method, &params).await {
                Ok(v) => Message::Text(
                    json!({"jsonrpc":"2.0","id":req.id,"result":v}).to_string().into(),
                ),
                Err(_) => err(req.id, -32601, "Method not found", req.method.clone()),
            }
        }
    }
}

fn events_for(cb: &CommittedBlock, subs: &[Sub]) -> Vec<Message> {
    if subs.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let h = cb.block.header.height;
    let block_attrs = flatten(
        &cb.results.finalize_block_events,
        &[("tm.event", "NewBlock".into()), ("block.height", h.to_string())],
    );
    for s in subs {
        if s.query.matches(&block_attrs) {
            let ev = SubscriptionEvent {
                query: s.text.clone(),
                // CometBFT 0.38's EventDataNewBlock (+ our `num_txs`).
                data: json!({"type": "tendermint/event/NewBlock", "value": {
                    "block": comet::CometBlock::from(&cb.block),
                    "block_id": comet::BlockId::of(&cb.commit.block_hash),
                    "result_finalize_block": {
                        "events": cb.results.finalize_block_events.iter()
                            .map(comet::CometEvent::from).collect::<Vec<_>>(),
                        "tx_results": cb.results.tx_results.iter()
                            .map(comet::CometTxResult::from).collect::<Vec<_>>(),
                        "validator_updates": [],
                        "app_hash": base64::engine::general_purpose::STANDARD
                            .encode(cb.results.app_hash),
                    },
                    "num_txs": cb.block.txs.len(),
                }}),
                events: block_attrs.clone(),
            };
            out.push(Message::Text(
                json!({"jsonrpc":"2.0","id":s.id,"result":ev}).to_string().into(),
            ));
        }
    }
    for (i, (tx, r)) in cb.block.txs.iter().zip(&cb.results.tx_results).enumerate() {
        let hash = hex::encode_upper(dcloud_types::sha256(tx));
        let attrs = flatten(
            &r.events,
            &[("tm.event", "Tx".into()), ("tx.height", h.to_string()), ("tx.hash", hash.clone())],
        );
        for s in subs {
            if s.query.matches(&attrs) {
                let ev = SubscriptionEvent {
                    query: s.text.clone(),
                    data: json!({"type": "tendermint/event/Tx", "value": {"TxResult": {
                        "height": h.to_string(), "index": i, "hash": hash,
                        "tx": base64::engine::general_purpose::STANDARD.encode(tx),
                        "result": comet::CometTxResult::from(r),
                    }}}),
                    events: attrs.clone(),
                };
                out.push(Message::Text(
                    json!({"jsonrpc":"2.0","id":s.id,"result":ev}).to_string().into(),
                ));
            }
        }
    }
    out
}

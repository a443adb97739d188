//! Websocket event subscriptions (`subscribe {query}` on `/websocket`).

use futures::channel::mpsc;
use futures::{SinkExt, Stream, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::rpc_types::{RpcResponse, SubscriptionEvent};
use crate::{ClientError, RpcClient};

/// A live subscription: a stream of events. Dropping it closes the websocket.
#[derive(Debug)]
pub struct Subscription {
    rx: mpsc::UnboundedReceiver<Result<SubscriptionEvent, ClientError>>,
    task: tokio::task::JoinHandle<()>,
}

impl Stream for Subscription {
    type Item = Result<SubscriptionEvent, ClientError>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.rx.poll_next_unpin(cx)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RpcClient {
    /// Subscribes to events matching `query` (e.g. `tm.event='Tx' AND
    /// transfer.recipient='akash1…'`). Returns once the node has accepted the subscription.
    pub async fn subscribe(&self, query: &str) -> Result<Subscription, ClientError> {
        let url = self.websocket_url();
        let ws_err =
            |e: tokio_tungstenite::tungstenite::Error| ClientError::WebSocket(e.to_string());
        let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .map_err(|e| ClientError::Http { url: url.clone(), reason: e.to_string() })?;
        let req =
            json!({"jsonrpc": "2.0", "id": 1, "method": "subscribe", "params": {"query": query}});
        ws.send(Message::Text(req.to_string().into())).await.map_err(ws_err)?;
        // The first answer with our id confirms (or refuses) the subscription.
        loop {
            let msg = ws
                .next()
                .await
                .ok_or_else(|| ClientError::WebSocket("closed before subscribing".into()))?
                .map_err(ws_err)?;
            let Message::Text(text) = msg else { continue };
            let resp: RpcResponse = serde_json::from_str(&text).map_err(|e| {
                ClientError::Decode { what: "subscribe".into(), reason: e.to_string() }
            })?;
            if let Some(err) = resp.error {
                return Err(ClientError::Rpc {
                    code: err.code,
                    message: err.message,
                    data: err.data,
                });
            }
            break;
        }
        let (tx, rx) = mpsc::unbounded();
        let task = tokio::spawn(async move {
            while let Some(msg) = ws.next().await {
                let item = match msg {
                    Ok(Message::Text(text)) => match serde_json::from_str::<RpcResponse>(&text) {
                        Ok(RpcResponse { error: Some(e), .. }) => {
                            Err(ClientError::Rpc { code: e.code, message: e.message, data: e.data })
                        }
                        Ok(RpcResponse { result: Some(v), .. }) => {
                            serde_json::from_value::<SubscriptionEvent>(v).map_err(|e| {
                                ClientError::Decode { what: "event".into(), reason: e.to_string() }
                            })
                        }
                        Ok(_) => continue,
                        Err(e) => {
                            Err(ClientError::Decode { what: "event".into(), reason: e.to_string() })
                        }
                    },
                    Ok(Message::Close(_)) => break,
                    Ok(_) => continue,
                    Err(e) => Err(ClientError::WebSocket(e.to_string())),
                };
                let stop = item.is_err();
                if tx.unbounded_send(item).is_err() || stop {
                    break;
                }
            }
        });
        Ok(Subscription { rx, task })
    }
}

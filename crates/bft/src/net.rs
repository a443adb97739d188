//! What the node's `net_info` RPC and `status` report about peers: a state dump of
//! Malachite's network actor (libp2p), reshaped into plain types the RPC layer can
//! serialise in CometBFT's shape.

use malachitebft_app_channel::NetworkRequest;
use tokio::sync::{mpsc, oneshot};

/// One connected peer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PeerSummary {
    /// libp2p peer id (from the peer's ed25519 node key).
    pub id: String,
    /// The peer's moniker.
    pub moniker: String,
    /// The peer's address (multiaddr).
    pub address: String,
    /// The IP part of the address ("" when it has none).
    pub remote_ip: String,
    /// Whether we dialled it.
    pub is_outbound: bool,
    /// Its consensus address, when it proved one that is in the validator set.
    pub consensus_address: Option<String>,
}

/// This node's network view.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NetInfo {
    /// Whether the P2P listener runs.
    pub listening: bool,
    /// Listen addresses (multiaddrs).
    pub listeners: Vec<String>,
    /// Our libp2p peer id.
    pub node_id: String,
    /// Connected peers, sorted by id.
    pub peers: Vec<PeerSummary>,
}

/// Asks the running engine for its network state.
#[derive(Debug, Clone)]
pub struct NetHandle {
    tx: mpsc::Sender<NetworkRequest>,
}

/// The IPv4/IPv6 part of a multiaddr such as `/ip4/127.0.0.1/tcp/26656`.
fn ip_of(addr: &str) -> String {
    let parts: Vec<&str> = addr.split('/').collect();
    parts
        .windows(2)
        .find(|w| matches!(w[0], "ip4" | "ip6" | "dns" | "dns4" | "dns6"))
        .map(|w| w[1].to_string())
        .unwrap_or_default()
}

impl NetHandle {
    pub(crate) fn new(tx: mpsc::Sender<NetworkRequest>) -> Self {
        Self { tx }
    }

    /// The network state now (`None` when the engine is gone or does not answer in 2 s).
    pub async fn net_info(&self) -> Option<NetInfo> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(NetworkRequest::DumpState(reply)).await.ok()?;
        let dump =
            tokio::time::timeout(std::time::Duration::from_secs(2), rx).await.ok()?.ok()??;
        let mut peers: Vec<PeerSummary> = dump
            .peers
            .iter()
            .map(|(id, p)| {
                let address = p.address.to_string();
                PeerSummary {
                    id: id.to_string(),
                    moniker: p.moniker.clone(),
                    remote_ip: ip_of(&address),
                    address,
                    is_outbound: p
                        .connection_direction
                        .as_ref()
                        .is_some_and(|d| format!("{d:?}") == "Outbound"),
                    consensus_address: p.consensus_address.clone(),
                }
            })
            .collect();
        peers.sort_by(|a, b| a.id.cmp(&b.id));
        Some(NetInfo {
            listening: true,
            listeners: vec![dump.local_node.listen_addr.to_string()],
            node_id: dump.local_node.peer_id.to_string(),
            peers,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ip_of_multiaddrs() {
        assert_eq!(super::ip_of("/ip4/10.0.0.7/tcp/26656"), "10.0.0.7");
        assert_eq!(super::ip_of("/ip6/::1/tcp/1"), "::1");
        assert_eq!(super::ip_of("/memory/5"), "");
    }
}

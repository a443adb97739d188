//! The peer-to-peer part of the JSON-RPC: `net_info` in CometBFT's shape and the peer
//! count added to `status` (kept apart from `rpc.rs` so response reshaping there stays
//! independent). Under `solo` there is no P2P: not listening, no peers.

use dcloud_bft::net::NetInfo;
use serde_json::{json, Value};

/// `net_info`: `{listening, listeners, n_peers, peers: [{node_info: {id, moniker,
/// listen_addr, ...}, is_outbound, remote_ip, ...}]}` (counts as strings, as CometBFT).
pub(crate) fn net_info(net: Option<&NetInfo>) -> Value {
    let Some(n) = net else {
        return json!({ "listening": false, "listeners": [], "n_peers": "0", "peers": [] });
    };
    let peers: Vec<Value> = n
        .peers
        .iter()
        .map(|p| {
            json!({
                "node_info": {
                    "id": p.id,
                    "listen_addr": p.address,
                    "moniker": p.moniker,
                    "other": { "consensus_address": p.consensus_address },
                },
                "is_outbound": p.is_outbound,
                "remote_ip": p.remote_ip,
            })
        })
        .collect();
    json!({
        "listening": n.listening,
        "listeners": n.listeners,
        "n_peers": n.peers.len().to_string(),
        "peers": peers,
    })
}

/// Adds our P2P id, listen address and peer count to a `status` result's `node_info`
/// (`node_info.id`, `node_info.listen_addr`, `node_info.other.n_peers`).
pub(crate) fn with_peers(mut status: Value, net: Option<&NetInfo>) -> Value {
    if let Some(ni) = status.get_mut("node_info").and_then(Value::as_object_mut) {
        let n_peers = net.map_or(0, |n| n.peers.len());
        if let Some(n) = net {
            ni.insert("id".into(), json!(n.node_id));
            if let Some(l) = n.listeners.first() {
                ni.insert("listen_addr".into(), json!(l));
            }
        }
        let other = ni.entry("other").or_insert_with(|| json!({}));
        if let Some(o) = other.as_object_mut() {
            o.insert("n_peers".into(), json!(n_peers.to_string()));
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_bft::net::PeerSummary;

    fn info() -> NetInfo {
        NetInfo {
            listening: true,
            listeners: vec!["/ip4/127.0.0.1/tcp/26656".into()],
            node_id: "12D3KooWme".into(),
            peers: vec![PeerSummary {
                id: "12D3KooWpeer".into(),
                moniker: "node1".into(),
                address: "/ip4/127.0.0.2/tcp/26666".into(),
                remote_ip: "127.0.0.2".into(),
                is_outbound: true,
                consensus_address: Some("AB".into()),
            }],
        }
    }

    #[test]
    fn net_info_has_cometbft_shape() {
        let v = net_info(Some(&info()));
        assert_eq!(v["n_peers"], "1");
        assert_eq!(v["listening"], true);
        assert_eq!(v["peers"][0]["node_info"]["id"], "12D3KooWpeer");
        assert_eq!(v["peers"][0]["remote_ip"], "127.0.0.2");
        assert_eq!(v["peers"][0]["is_outbound"], true);
        let solo = net_info(None);
        assert_eq!(solo["n_peers"], "0");
        assert_eq!(solo["listening"], false);
    }

    #[test]
    fn status_gets_peer_count() {
        let s = with_peers(json!({"node_info": {"moniker": "x"}}), Some(&info()));
        assert_eq!(s["node_info"]["other"]["n_peers"], "1");
        assert_eq!(s["node_info"]["id"], "12D3KooWme");
        let s = with_peers(json!({"node_info": {"other": {"tx_index": "on"}}}), None);
        assert_eq!(s["node_info"]["other"]["n_peers"], "0");
        assert_eq!(s["node_info"]["other"]["tx_index"], "on");
    }
}

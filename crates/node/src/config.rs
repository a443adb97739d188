//! Node home layout and settings.
//!
//! ```text
//! <home>/config/config.toml    node settings (this struct)
//! <home>/config/genesis.json   the genesis document
//! <home>/config/node_key.json  ed25519 validator key (mode 0600)
//! <home>/data/state.redb       state, blocks and tx index (one atomic database)
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use dcloud_app::modules::consensus::Validator;
use dcloud_app::Genesis;
use dcloud_crypto::ed25519::NodeKey;
use serde::{Deserialize, Serialize};

use crate::NodeError;

/// Node settings (`config.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeConfig {
    /// Home directory (not stored in the file).
    #[serde(skip)]
    pub home: PathBuf,
    /// Node name.
    pub moniker: String,
    /// JSON-RPC / websocket / metrics listen address.
    pub rpc_listen: SocketAddr,
    /// REST API listen address.
    pub api_listen: SocketAddr,
    /// gRPC listen address (the Cosmos SDK query services, `grpc.rs`); off when absent
    /// (`dcloud node start --grpc.laddr 127.0.0.1:9090`; devnet and testnet turn it on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc_listen: Option<SocketAddr>,
    /// Start without gRPC (with a warning) when `grpc_listen` cannot be bound, instead of
    /// failing: the devnet's default port (not stored).
    #[serde(skip)]
    pub grpc_best_effort: bool,
    /// Longest gap between blocks.
    #[serde(with = "humantime_serde_compat")]
    pub block_time: Duration,
    /// Run all invariants after every block (halts on a broken one).
    pub check_invariants: bool,
    /// Mempool capacity in txs.
    pub mempool_max_txs: usize,
    /// Mempool capacity in bytes.
    pub mempool_max_bytes: usize,
    /// Versions of state kept for historical queries and proofs.
    pub keep_recent_versions: u64,
    /// Consensus driver settings (`[consensus]`).
    #[serde(default)]
    pub consensus: ConsensusSettings,
    /// Peer-to-peer settings (`[p2p]`, used by the `bft` driver).
    #[serde(default)]
    pub p2p: P2pSettings,
}

/// Which consensus driver hosts the app.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DriverKind {
    /// One validator makes every block.
    #[default]
    Solo,
    /// Tendermint BFT over Malachite with peers.
    Bft,
}

/// `[consensus]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsensusSettings {
    /// `solo` (default) or `bft`.
    pub driver: DriverKind,
    /// BFT: base propose timeout.
    #[serde(with = "humantime_serde_compat")]
    pub timeout_propose: Duration,
    /// BFT: base prevote / precommit timeout.
    #[serde(with = "humantime_serde_compat")]
    pub timeout_vote: Duration,
}

impl Default for ConsensusSettings {
    fn default() -> Self {
        Self {
            driver: DriverKind::Solo,
            timeout_propose: Duration::from_secs(2),
            timeout_vote: Duration::from_secs(1),
        }
    }
}

/// `[p2p]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct P2pSettings {
    /// Listen address, a multiaddr.
    pub listen: String,
    /// Peers to keep connected to, multiaddrs (`/ip4/127.0.0.1/tcp/26656`).
    pub persistent_peers: Vec<String>,
    /// Peers' JSON-RPC URLs: admitted txs are forwarded there (tx gossip).
    pub peer_rpc: Vec<String>,
    /// A separate ed25519 key file for the P2P identity (relative to the home), as
    /// CometBFT's `node_key.json` beside `priv_validator_key.json`; empty = the node key
    /// (which always signs consensus messages).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key_file: String,
}

impl Default for P2pSettings {
    fn default() -> Self {
        Self {
            listen: "/ip4/127.0.0.1/tcp/26656".into(),
            persistent_peers: Vec::new(),
            peer_rpc: Vec::new(),
            key_file: String::new(),
        }
    }
}

mod humantime_serde_compat {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(serde::de::Error::custom)
    }
}

impl NodeConfig {
    /// Defaults for a home.
    pub fn default_for(home: &Path) -> Self {
        Self {
            home: home.to_path_buf(),
            moniker: "dcloud-node".into(),
            rpc_listen: SocketAddr::from(([127, 0, 0, 1], 26657)),
            api_listen: SocketAddr::from(([127, 0, 0, 1], 1317)),
            grpc_listen: None,
            grpc_best_effort: false,
            block_time: Duration::from_secs(1),
            check_invariants: false,
            mempool_max_txs: 50_000,
            mempool_max_bytes: 256 * 1024 * 1024,
            keep_recent_versions: 1000,
            consensus: ConsensusSettings::default(),
            p2p: P2pSettings::default(),
        }
    }

    /// Reads `<home>/config/config.toml` (defaults for a missing file or missing keys).
    pub fn load(home: &Path) -> Result<Self, NodeError> {
        let path = config_path(home);
        let mut cfg = match std::fs::read_to_string(&path) {
            Ok(s) => {
                let partial: toml::Value = toml::from_str(&s)
                    .map_err(|e| NodeError::Config(format!("{}: {e}", path.display())))?;
                let mut base = toml::Value::try_from(Self::default_for(home))
                    .map_err(|e| NodeError::Config(e.to_string()))?;
                if let (Some(b), toml::Value::Table(p)) = (base.as_table_mut(), partial) {
                    for (k, v) in p {
                        b.insert(k, v);
                    }
                }
                base.try_into::<Self>()
                    .map_err(|e| NodeError::Config(format!("{}: {e}", path.display())))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::default_for(home),
            Err(e) => return Err(NodeError::Io(format!("{}: {e}", path.display()))),
        };
        cfg.home = home.to_path_buf();
        Ok(cfg)
    }

    /// Writes `<home>/config/config.toml`.
    pub fn save(&self) -> Result<(), NodeError> {
        let path = config_path(&self.home);
        let s = toml::to_string_pretty(self).map_err(|e| NodeError::Config(e.to_string()))?;
        write_file(&path, s.as_bytes())
    }
}

fn write_file(path: &Path, data: &[u8]) -> Result<(), NodeError> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).map_err(|e| NodeError::Io(format!("{}: {e}", p.display())))?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, data).map_err(|e| NodeError::Io(format!("{}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(|e| NodeError::Io(format!("{}: {e}", path.display())))
}

/// `<home>/config/config.toml`.
pub fn config_path(home: &Path) -> PathBuf {
    home.join("config").join("config.toml")
}

/// `<home>/config/genesis.json`.
pub fn genesis_path(home: &Path) -> PathBuf {
    home.join("config").join("genesis.json")
}

pub use dcloud_crypto::ed25519::node_key_path;

/// `<home>/data/state.redb`.
pub fn state_path(home: &Path) -> PathBuf {
    home.join("data").join("state.redb")
}

/// What `init_home` made.
#[derive(Debug, Clone)]
pub struct InitOutput {
    /// The validator's consensus address (hex).
    pub node_key_address: String,
    /// Where the genesis file is.
    pub genesis_path: PathBuf,
}

/// Creates a home: config, validator key and a genesis with that validator and no balances.
pub fn init_home(
    home: &Path,
    moniker: &str,
    chain_id: &str,
    overwrite: bool,
) -> Result<InitOutput, NodeError> {
    let gpath = genesis_path(home);
    if gpath.exists() && !overwrite {
        return Err(NodeError::Config(format!(
            "{} already exists; pass --overwrite to replace it",
            gpath.display()
        )));
    }
    if overwrite {
        let data = home.join("data");
        if data.exists() {
            std::fs::remove_dir_all(&data)
                .map_err(|e| NodeError::Io(format!("{}: {e}", data.display())))?;
        }
    }
    let mut cfg = NodeConfig::default_for(home);
    cfg.moniker = moniker.to_string();
    cfg.save()?;
    let key = NodeKey::generate();
    let kpath = node_key_path(home);
    key.save_json(&kpath).map_err(|e| NodeError::Io(format!("{}: {e}", kpath.display())))?;
    let address = hex::encode_upper(key.address());
    let genesis = Genesis {
        chain_id: chain_id.to_string(),
        genesis_time: String::new(),
        initial_height: 1,
        consensus_params: Default::default(),
        validators: vec![Validator {
            address: address.clone(),
            pub_key: base64::engine::general_purpose::STANDARD.encode(key.public_key()),
            power: 10,
            name: moniker.to_string(),
        }],
        app_state: Default::default(),
    };
    let problems = genesis.validate();
    if problems.iter().any(|p| p.starts_with("chain_id")) {
        return Err(NodeError::Config(problems.join("; ")));
    }
    write_file(&gpath, genesis.to_json().as_bytes())?;
    Ok(InitOutput { node_key_address: address, genesis_path: gpath })
}

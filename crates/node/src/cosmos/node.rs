//! The node-side services: `cosmos.tx.v1beta1.Service` (Simulate, GetTx, GetTxsEvent,
//! BroadcastTx) and `cosmos.base.tendermint.v1beta1.Service` (GetNodeInfo, GetSyncing,
//! GetLatestBlock, GetBlockByHeight, GetLatestValidatorSet, GetValidatorSetByHeight),
//! answered from the app, the block store and the mempool.

use std::sync::Arc;

use base64::Engine;
use cosmos_sdk_proto::cosmos::base::abci::v1beta1 as abci;
use cosmos_sdk_proto::cosmos::base::tendermint::v1beta1 as tm;
use cosmos_sdk_proto::cosmos::tx::v1beta1 as txs;
use cosmos_sdk_proto::tendermint as tmp;
use cosmos_sdk_proto::Any;
use dcloud_consensus::EventQuery;
use dcloud_rpc_types::comet;
use dcloud_rpc_types::{Block, TxRecord, TxResult};
use prost::Message;

use super::{answer, decode, paginate, timestamp, Code, QResult, QueryError};
use crate::Shared;

/// The methods [`handle`] and [`handle_async`] answer.
pub(crate) const METHODS: &[&str] = &[
    "/cosmos.tx.v1beta1.Service/Simulate",
    "/cosmos.tx.v1beta1.Service/GetTx",
    "/cosmos.tx.v1beta1.Service/GetTxsEvent",
    "/cosmos.tx.v1beta1.Service/BroadcastTx",
    "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo",
    "/cosmos.base.tendermint.v1beta1.Service/GetSyncing",
    "/cosmos.base.tendermint.v1beta1.Service/GetLatestBlock",
    "/cosmos.base.tendermint.v1beta1.Service/GetBlockByHeight",
    "/cosmos.base.tendermint.v1beta1.Service/GetLatestValidatorSet",
    "/cosmos.base.tendermint.v1beta1.Service/GetValidatorSetByHeight",
];

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn internal<E: std::fmt::Display>(e: E) -> QueryError {
    QueryError::internal(e)
}

fn events(r: &TxResult) -> Vec<tmp::abci::Event> {
    r.events
        .iter()
        .map(|e| tmp::abci::Event {
            r#type: e.kind.clone(),
            attributes: e
                .attributes
                .iter()
                .map(|a| tmp::abci::EventAttribute {
                    key: a.key.clone(),
                    value: a.value.clone(),
                    index: true,
                })
                .collect(),
        })
        .collect()
}

/// A stored tx as the SDK's `TxResponse` (+ the decoded `Tx`).
fn tx_response(sh: &Shared, r: &TxRecord) -> Result<(txs::Tx, abci::TxResponse), QueryError> {
    let raw = B64.decode(&r.tx).map_err(internal)?;
    // TxRaw and Tx share field numbers (bytes of body / auth info = the messages).
    let tx = txs::Tx::decode(raw.as_slice()).map_err(internal)?;
    let time = sh
        .blocks
        .block(r.height)
        .map_err(internal)?
        .map(|b| {
            humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH + std::time::Duration::from_millis(b.header.time_ms),
            )
            .to_string()
        })
        .unwrap_or_default();
    let resp = abci::TxResponse {
        height: r.height as i64,
        txhash: r.hash.clone(),
        codespace: r.tx_result.codespace.clone(),
        code: r.tx_result.code,
        data: String::new(),
        raw_log: r.tx_result.log.clone(),
        logs: vec![],
        info: String::new(),
        gas_wanted: r.tx_result.gas_wanted as i64,
        gas_used: r.tx_result.gas_used as i64,
        tx: Some(Any { type_url: "/cosmos.tx.v1beta1.Tx".into(), value: tx.encode_to_vec() }),
        timestamp: time,
        events: events(&r.tx_result),
    };
    Ok((tx, resp))
}

fn latest_height(sh: &Shared) -> u64 {
    sh.driver.height()
}

/// The async methods (they wait on the mempool); `None` = not one of them.
pub(crate) async fn handle_async(sh: &Arc<Shared>, path: &str, data: &[u8]) -> Option<QResult> {
    if path != "/cosmos.tx.v1beta1.Service/BroadcastTx" {
        return None;
    }
    Some(
        async {
            let r: txs::BroadcastTxRequest = decode(data)?;
            match txs::BroadcastMode::try_from(r.mode) {
                Ok(txs::BroadcastMode::Sync | txs::BroadcastMode::Async) => {}
                Ok(txs::BroadcastMode::Block) => {
                    return Err(QueryError::invalid(
                        "BROADCAST_MODE_BLOCK is deprecated: use BROADCAST_MODE_SYNC and wait for the tx",
                    ))
                }
                _ => return Err(QueryError::invalid("invalid broadcast mode")),
            }
            if r.tx_bytes.is_empty() {
                return Err(QueryError::invalid("invalid empty tx"));
            }
            let c = crate::rpc::broadcast(sh, r.tx_bytes).await;
            let resp = abci::TxResponse {
                txhash: c.hash,
                codespace: c.codespace,
                code: c.code,
                raw_log: c.log,
                ..Default::default()
            };
            answer(&txs::BroadcastTxResponse { tx_response: Some(resp) }, latest_height(sh))
        }
        .await,
    )
}

/// The blocking methods; `None` = not one of ours.
pub(crate) fn handle(sh: &Arc<Shared>, path: &str, data: &[u8], height: u64) -> Option<QResult> {
    let (service, method) = path.trim_start_matches('/').split_once('/')?;
    match service {
        "cosmos.tx.v1beta1.Service" => Some(tx_service(sh, method, data, height)),
        "cosmos.base.tendermint.v1beta1.Service" => Some(tm_service(sh, method, data)),
        _ => None,
    }
}

fn tx_service(sh: &Shared, method: &str, data: &[u8], height: u64) -> QResult {
    let h = if height > 0 { height } else { latest_height(sh) };
    match method {
        "Simulate" => {
            let r: txs::SimulateRequest = decode(data)?;
            #[allow(deprecated)]
            let raw = match (r.tx_bytes.is_empty(), r.tx) {
                (false, _) => r.tx_bytes,
                (true, Some(tx)) => txs::TxRaw {
                    body_bytes: tx.body.map(|b| b.encode_to_vec()).unwrap_or_default(),
                    auth_info_bytes: tx.auth_info.map(|a| a.encode_to_vec()).unwrap_or_default(),
                    signatures: tx.signatures,
                }
                .encode_to_vec(),
                (true, None) => return Err(QueryError::invalid("empty txBytes is not allowed")),
            };
            let res = sh.app.simulate(&for_simulation(&raw));
            if res.code != 0 {
                // The SDK's wording (x/auth/tx/service.go).
                return Err(QueryError::new(
                    Code::Unknown,
                    format!(
                        "{} With gas wanted: '{}' and gas used: '{}' ",
                        res.log, res.gas_wanted, res.gas_used
                    ),
                ));
            }
            #[allow(deprecated)]
            let resp = txs::SimulateResponse {
                gas_info: Some(abci::GasInfo {
                    gas_wanted: res.gas_wanted,
                    gas_used: res.gas_used,
                }),
                result: Some(abci::Result {
                    data: vec![],
                    log: res.log.clone(),
                    events: events(&res),
                    msg_responses: vec![],
                }),
            };
            answer(&resp, h)
        }
        "GetTx" => {
            let r: txs::GetTxRequest = decode(data)?;
            let bytes = hex::decode(r.hash.trim_start_matches("0x"))
                .map_err(|_| QueryError::invalid(format!("invalid tx hash {:?}", r.hash)))?;
            let hash: [u8; 32] = bytes
                .try_into()
                .map_err(|_| QueryError::invalid("tx hash must be 32 bytes (64 hex characters)"))?;
            let rec = sh.blocks.tx(&hash).map_err(internal)?.ok_or_else(|| {
                QueryError::not_found(format!("tx not found: {}", hex::encode_upper(hash)))
            })?;
            let (tx, resp) = tx_response(sh, &rec)?;
            answer(&txs::GetTxResponse { tx: Some(tx), tx_response: Some(resp) }, h)
        }
        "GetTxsEvent" => {
            let r: txs::GetTxsEventRequest = decode(data)?;
            #[allow(deprecated)]
            let q = if r.query.is_empty() { r.events.join(" AND ") } else { r.query.clone() };
            if q.trim().is_empty() {
                return Err(QueryError::invalid("query cannot be empty"));
            }
            let eq = EventQuery::parse(&q).map_err(|e| QueryError::invalid(e.to_string()))?;
            let page = r.page.max(1) as usize;
            let limit = if r.limit == 0 { 100 } else { r.limit.min(100) } as usize;
            let desc = r.order_by == txs::OrderBy::Desc as i32;
            let (found, total) = sh.blocks.search(&eq, page, limit, desc).map_err(internal)?;
            let mut out_txs = Vec::new();
            let mut out_resps = Vec::new();
            for rec in &found {
                let (tx, resp) = tx_response(sh, rec)?;
                out_txs.push(tx);
                out_resps.push(resp);
            }
            #[allow(deprecated)]
            let resp = txs::GetTxsEventResponse {
                txs: out_txs,
                tx_responses: out_resps,
                pagination: None,
                total: total as u64,
            };
            answer(&resp, h)
        }
        other => Err(QueryError::new(
            Code::Unimplemented,
            format!("unknown method {other} for service cosmos.tx.v1beta1.Service"),
        )),
    }
}

/// A tx as clients send it to Simulate (cosmjs: empty signatures, `SIGN_MODE_UNSPECIFIED`),
/// with each unspecified sign mode read as `SIGN_MODE_DIRECT`: simulation does not verify
/// signatures, and the mode changes no gas. Bytes that do not decode pass through (the app
/// reports the decode error).
fn for_simulation(raw: &[u8]) -> Vec<u8> {
    use txs::mode_info::{Single, Sum};
    let Ok(mut tx) = txs::TxRaw::decode(raw) else { return raw.to_vec() };
    let Ok(mut auth) = txs::AuthInfo::decode(tx.auth_info_bytes.as_slice()) else {
        return raw.to_vec();
    };
    let mut changed = false;
    for si in &mut auth.signer_infos {
        if let Some(txs::ModeInfo { sum: Some(Sum::Single(Single { mode })) }) = &mut si.mode_info {
            if *mode == cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode::Unspecified as i32
            {
                *mode = cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode::Direct as i32;
                changed = true;
            }
        }
    }
    if !changed {
        return raw.to_vec();
    }
    tx.auth_info_bytes = auth.encode_to_vec();
    tx.encode_to_vec()
}

fn hash_bytes(h: &[u8; 32]) -> Vec<u8> {
    if *h == [0; 32] {
        Vec::new()
    } else {
        h.to_vec()
    }
}

fn block_id(hash: &[u8; 32]) -> tmp::types::BlockId {
    if *hash == [0; 32] {
        return tmp::types::BlockId::default();
    }
    tmp::types::BlockId {
        hash: hash.to_vec(),
        part_set_header: Some(tmp::types::PartSetHeader { total: 1, hash: hash.to_vec() }),
    }
}

fn last_commit(b: &Block) -> tmp::types::Commit {
    let Some(c) = &b.last_commit else { return tmp::types::Commit::default() };
    tmp::types::Commit {
        height: c.height as i64,
        round: c.round as i32,
        block_id: Some(block_id(&c.block_hash)),
        signatures: c
            .signatures
            .iter()
            .map(|s| tmp::types::CommitSig {
                block_id_flag: tmp::types::BlockIdFlag::Commit as i32,
                validator_address: hex::decode(&s.validator_address).unwrap_or_default(),
                timestamp: Some(timestamp(b.header.time_ms)),
                signature: B64.decode(&s.signature).unwrap_or_default(),
            })
            .collect(),
    }
}

/// A block as `GetBlockByHeightResponse` carries it: the CometBFT block and the SDK block
/// (the same, with the proposer as `akashvalcons1…`).
fn block_response(b: &Block) -> tm::GetBlockByHeightResponse {
    let h = &b.header;
    let empty = dcloud_types::sha256(&[]).to_vec();
    let version = Some(tmp::version::Consensus { block: 11, app: 0 });
    let proposer = hex::decode(&h.proposer_address).unwrap_or_default();
    let data = Some(tmp::types::Data { txs: b.txs.clone() });
    let evidence = Some(tmp::types::EvidenceList::default());
    let commit = Some(last_commit(b));
    let header = tmp::types::Header {
        version,
        chain_id: h.chain_id.clone(),
        height: h.height as i64,
        time: Some(timestamp(h.time_ms)),
        last_block_id: Some(block_id(&h.last_block_hash)),
        last_commit_hash: hash_bytes(&h.last_commit_hash),
        data_hash: h.data_hash.to_vec(),
        validators_hash: h.validators_hash.to_vec(),
        next_validators_hash: h.validators_hash.to_vec(),
        consensus_hash: empty.clone(),
        app_hash: h.app_hash.to_vec(),
        last_results_hash: Vec::new(),
        evidence_hash: empty.clone(),
        proposer_address: proposer.clone(),
    };
    let sdk_header = tm::Header {
        version,
        chain_id: h.chain_id.clone(),
        height: h.height as i64,
        time: Some(timestamp(h.time_ms)),
        last_block_id: Some(block_id(&h.last_block_hash)),
        last_commit_hash: hash_bytes(&h.last_commit_hash),
        data_hash: h.data_hash.to_vec(),
        validators_hash: h.validators_hash.to_vec(),
        next_validators_hash: h.validators_hash.to_vec(),
        consensus_hash: empty.clone(),
        app_hash: h.app_hash.to_vec(),
        last_results_hash: Vec::new(),
        evidence_hash: empty,
        proposer_address: valcons(&proposer),
    };
    #[allow(deprecated)]
    tm::GetBlockByHeightResponse {
        block_id: Some(block_id(&h.hash())),
        block: Some(tmp::types::Block {
            header: Some(header),
            data: data.clone(),
            evidence: evidence.clone(),
            last_commit: commit.clone(),
        }),
        sdk_block: Some(tm::Block {
            header: Some(sdk_header),
            data,
            evidence,
            last_commit: commit,
        }),
    }
}

fn valcons(bytes: &[u8]) -> String {
    match bech32::Hrp::parse("akashvalcons") {
        Ok(hrp) => bech32::encode::<bech32::Bech32>(hrp, bytes).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

fn validator_set(sh: &Shared) -> Result<Vec<tm::Validator>, QueryError> {
    let vals = sh.app.validators()?;
    vals.iter()
        .map(|v| {
            let key = B64.decode(&v.pub_key).map_err(internal)?;
            Ok(tm::Validator {
                address: valcons(&hex::decode(&v.address).map_err(internal)?),
                pub_key: Some(Any {
                    type_url: "/cosmos.crypto.ed25519.PubKey".into(),
                    value: cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey { key }
                        .encode_to_vec(),
                }),
                voting_power: v.power as i64,
                proposer_priority: 0,
            })
        })
        .collect()
}

fn tm_service(sh: &Shared, method: &str, data: &[u8]) -> QResult {
    let latest = latest_height(sh);
    let get_block = |h: u64| -> QResult {
        if h > latest {
            return Err(QueryError::invalid(
                "requested block height is bigger then the chain length",
            ));
        }
        let b = sh
            .blocks
            .block(h)
            .map_err(internal)?
            .ok_or_else(|| QueryError::not_found(format!("block at height {h} not found")))?;
        Ok(super::Answer { value: block_response(&b).encode_to_vec(), height: latest })
    };
    match method {
        "GetNodeInfo" => {
            let info = tmp::p2p::DefaultNodeInfo {
                protocol_version: Some(tmp::p2p::ProtocolVersion { p2p: 8, block: 11, app: 0 }),
                default_node_id: sh.validator_address.to_lowercase(),
                listen_addr: sh.p2p_listen.clone(),
                network: sh.chain_id.clone(),
                version: comet::COMET_VERSION.into(),
                channels: hex::decode("40202122233038606100").unwrap_or_default(),
                moniker: sh.moniker.clone(),
                other: Some(tmp::p2p::DefaultNodeInfoOther {
                    tx_index: "on".into(),
                    rpc_address: sh.rpc_listen.clone(),
                }),
            };
            let app = tm::VersionInfo {
                name: "dcloud".into(),
                app_name: "dcloud".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                cosmos_sdk_version: "v0.50-compatible".into(),
                ..Default::default()
            };
            answer(
                &tm::GetNodeInfoResponse {
                    default_node_info: Some(info),
                    application_version: Some(app),
                },
                latest,
            )
        }
        "GetSyncing" => answer(&tm::GetSyncingResponse { syncing: false }, latest),
        "GetLatestBlock" => get_block(latest),
        "GetBlockByHeight" => {
            let r: tm::GetBlockByHeightRequest = decode(data)?;
            if r.height <= 0 {
                return Err(QueryError::invalid("block height must be greater than 0"));
            }
            get_block(r.height as u64)
        }
        "GetLatestValidatorSet" | "GetValidatorSetByHeight" => {
            let (page, at) = if method == "GetLatestValidatorSet" {
                let r: tm::GetLatestValidatorSetRequest = decode(data)?;
                (r.pagination, latest)
            } else {
                let r: tm::GetValidatorSetByHeightRequest = decode(data)?;
                if r.height <= 0 || r.height as u64 > latest {
                    return Err(QueryError::invalid(
                        "requested block height is bigger then the chain length",
                    ));
                }
                (r.pagination, r.height as u64)
            };
            let (vals, pagination) = paginate(validator_set(sh)?, page.as_ref());
            if method == "GetLatestValidatorSet" {
                answer(
                    &tm::GetLatestValidatorSetResponse {
                        block_height: at as i64,
                        validators: vals,
                        pagination: Some(pagination),
                    },
                    latest,
                )
            } else {
                answer(
                    &tm::GetValidatorSetByHeightResponse {
                        block_height: at as i64,
                        validators: vals,
                        pagination: Some(pagination),
                    },
                    latest,
                )
            }
        }
        other => Err(QueryError::new(
            Code::Unimplemented,
            format!("unknown method {other} for service cosmos.base.tendermint.v1beta1.Service"),
        )),
    }
}

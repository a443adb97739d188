//! Governance: proposal files, messages and queries.

use dcloud_chain::gov::{GovParams, Proposal, TallyResult, VoteOption};
use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::cosmos::cosmos::distribution::v1beta1::MsgCommunityPoolSpend;
use dcloud_proto::cosmos::cosmos::gov::v1::{MsgDeposit, MsgSubmitProposal, MsgVote};
use dcloud_proto::cosmos::cosmos::upgrade::v1beta1::{MsgSoftwareUpgrade, Plan};
use dcloud_proto::dcloud::gov::{update_params_module, MsgUpdateParams};
use dcloud_proto::Msg;
use dcloud_types::{AccAddress, Coin};
use serde::Deserialize;
use serde_json::Value;

use crate::market::query_json_at;
use crate::rpc::RpcClient;
use crate::ClientError;

/// A proposal file as `dcloud tx gov submit-proposal FILE` reads it (the Cosmos shape):
/// `{"messages": [{"@type": …, …}], "metadata", "deposit": "10000000uakt", "title", "summary"}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProposalFile {
    /// Messages, each a JSON object with `@type` (see [`message_from_json`]).
    #[serde(default)]
    pub messages: Vec<Value>,
    /// Metadata.
    #[serde(default)]
    pub metadata: String,
    /// Initial deposit (`10000000uakt`).
    pub deposit: String,
    /// Title.
    pub title: String,
    /// Summary.
    #[serde(default)]
    pub summary: String,
}

fn bad(m: impl Into<String>) -> ClientError {
    ClientError::InvalidInput(m.into())
}

fn str_field<'a>(v: &'a Value, k: &str) -> Result<&'a str, ClientError> {
    v.get(k).and_then(Value::as_str).ok_or_else(|| bad(format!("message: missing string {k:?}")))
}

fn proto_coins(v: &Value) -> Result<Vec<ProtoCoin>, ClientError> {
    let arr = v.as_array().ok_or_else(|| bad("amount must be a list of {denom, amount}"))?;
    arr.iter()
        .map(|c| {
            let amount = match c.get("amount") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err(bad("coin: missing amount")),
            };
            Ok(ProtoCoin { denom: str_field(c, "denom")?.to_string(), amount })
        })
        .collect()
}

/// One proposal message from its Cosmos JSON: `/dcloud.<module>.v1.MsgUpdateParams`
/// (`params`: the module's params JSON), `/cosmos.distribution.v1beta1.MsgCommunityPoolSpend`
/// (`recipient`, `amount`), `/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade` (`plan`: `name`,
/// `height`, `info`). `authority` defaults to `gov`, the gov module account.
pub fn message_from_json(v: &Value, gov: &AccAddress) -> Result<Msg, ClientError> {
    let ty = str_field(v, "@type")?;
    let authority =
        v.get("authority").and_then(Value::as_str).map_or_else(|| gov.to_string(), str::to_string);
    if let Some(module) = update_params_module(ty) {
        let params = v.get("params").ok_or_else(|| bad(format!("{ty}: missing params")))?;
        return Ok(Msg::UpdateParams(
            module,
            MsgUpdateParams { authority, params_json: params.to_string() },
        ));
    }
    match ty {
        dcloud_proto::tx::MSG_COMMUNITY_POOL_SPEND_URL => {
            Ok(Msg::CommunityPoolSpend(MsgCommunityPoolSpend {
                authority,
                recipient: str_field(v, "recipient")?.to_string(),
                amount: proto_coins(v.get("amount").unwrap_or(&Value::Null))?,
            }))
        }
        dcloud_proto::tx::MSG_SOFTWARE_UPGRADE_URL => {
            let p = v.get("plan").ok_or_else(|| bad("software upgrade: missing plan"))?;
            let height = match p.get("height") {
                Some(Value::String(s)) => {
                    s.parse().map_err(|_| bad("plan.height: not a number"))?
                }
                Some(Value::Number(n)) => n.as_i64().ok_or_else(|| bad("plan.height"))?,
                _ => return Err(bad("plan: missing height")),
            };
            Ok(Msg::SoftwareUpgrade(MsgSoftwareUpgrade {
                authority,
                plan: Some(Plan {
                    name: str_field(p, "name")?.to_string(),
                    height,
                    info: p.get("info").and_then(Value::as_str).unwrap_or_default().to_string(),
                    ..Default::default()
                }),
            }))
        }
        other => Err(bad(format!("unsupported proposal message type {other}"))),
    }
}

fn proto(c: &Coin) -> Vec<ProtoCoin> {
    vec![ProtoCoin { denom: c.denom.clone(), amount: c.amount.to_string() }]
}

/// `MsgSubmitProposal` from a proposal file.
pub fn submit_proposal(
    proposer: &AccAddress,
    file: &ProposalFile,
    gov: &AccAddress,
) -> Result<Msg, ClientError> {
    let deposit = crate::staking::parse_uakt(&file.deposit)?;
    let messages = file
        .messages
        .iter()
        .map(|m| message_from_json(m, gov).map(|m| m.to_any()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Msg::SubmitProposal(MsgSubmitProposal {
        messages,
        initial_deposit: proto(&deposit),
        proposer: proposer.to_string(),
        metadata: file.metadata.clone(),
        title: file.title.clone(),
        summary: file.summary.clone(),
        expedited: false,
    }))
}

/// `MsgDeposit`.
pub fn deposit(depositor: &AccAddress, id: u64, amount: &Coin) -> Msg {
    Msg::GovDeposit(MsgDeposit {
        proposal_id: id,
        depositor: depositor.to_string(),
        amount: proto(amount),
    })
}

/// `MsgVote`.
pub fn vote(voter: &AccAddress, id: u64, option: VoteOption) -> Msg {
    Msg::Vote(MsgVote {
        proposal_id: id,
        voter: voter.to_string(),
        option: option.as_i32(),
        metadata: String::new(),
    })
}

/// `/gov/params`.
pub async fn params(client: &RpcClient, height: u64) -> Result<GovParams, ClientError> {
    query_json_at(client, "/gov/params", &Value::Null, height).await
}

/// `/gov/proposals`.
pub async fn proposals(client: &RpcClient, height: u64) -> Result<Vec<Proposal>, ClientError> {
    query_json_at(client, "/gov/proposals", &Value::Null, height).await
}

/// `/gov/proposal`.
pub async fn proposal(client: &RpcClient, id: u64, height: u64) -> Result<Proposal, ClientError> {
    query_json_at(client, "/gov/proposal", &Value::String(id.to_string()), height).await
}

/// `/gov/tally` (final, or current while voting).
pub async fn tally(client: &RpcClient, id: u64, height: u64) -> Result<TallyResult, ClientError> {
    query_json_at(client, "/gov/tally", &Value::String(id.to_string()), height).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cosmos_style_proposal_file_becomes_a_submit_proposal() {
        let gov = dcloud_chain::gov::authority();
        let f: ProposalFile = serde_json::from_str(
            r#"{"messages": [
                {"@type": "/dcloud.market.v1.MsgUpdateParams",
                 "params": {"bid_min_deposits": [["uakt", "5"]], "order_max_bids": 7, "order_timeout": 10}},
                {"@type": "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade", "plan": {"name": "v2", "height": "100"}}
             ], "deposit": "1000000uakt", "title": "t", "summary": "s"}"#,
        )
        .unwrap();
        let proposer = AccAddress::module("someone");
        let Msg::SubmitProposal(m) = submit_proposal(&proposer, &f, &gov).unwrap() else {
            panic!("not a submit")
        };
        assert_eq!(m.messages.len(), 2);
        let Msg::UpdateParams(module, u) = Msg::decode_any(&m.messages[0]).unwrap() else {
            panic!("not an update")
        };
        assert_eq!((module, u.authority), ("market", gov.to_string()));
        assert!(u.params_json.contains("\"order_max_bids\":7"));
        let Msg::SoftwareUpgrade(s) = Msg::decode_any(&m.messages[1]).unwrap() else {
            panic!("not an upgrade")
        };
        assert_eq!(s.plan.unwrap().height, 100);
        assert_eq!(m.initial_deposit[0].amount, "1000000");
        let bad = serde_json::json!({"@type": "/cosmos.bank.v1beta1.MsgSend"});
        assert!(message_from_json(&bad, &gov).is_err());
    }
}

//! Deposit grants (`cosmos.authz.v1beta1` carrying `/dcloud.escrow.v1.DepositAuthorization`):
//! message builders and the grants query.

use dcloud_chain::authz::{Grant, DEPOSIT_MSG_URL};
use dcloud_proto::cosmos::cosmos::authz::v1beta1::{Grant as PbGrant, MsgGrant, MsgRevoke};
use dcloud_proto::dcloud::deployment as dpb;
use dcloud_proto::dcloud::escrow::{
    DepositAuthorization, DepositScope, DepositSource, DEPOSIT_AUTHORIZATION_URL,
};
use dcloud_proto::{Any, Message as _, Msg};
use dcloud_types::{AccAddress, Coins};

use crate::market::query_json_at;
use crate::{ClientError, RpcClient};

/// `MsgGrant` of a deposit authorization: `grantee` may deposit up to `spend_limits` of
/// `granter`'s funds into escrow accounts of the given scopes, until `expiration_s` (Unix
/// seconds; `None`: no expiry).
pub fn grant_deposit(
    granter: &AccAddress,
    grantee: &AccAddress,
    spend_limits: &Coins,
    scopes: &[DepositScope],
    expiration_s: Option<i64>,
) -> Msg {
    let auth = DepositAuthorization {
        spend_limits: spend_limits
            .iter()
            .map(|c| dpb::Coin { denom: c.denom.clone(), amount: c.amount.to_string() })
            .collect(),
        scopes: scopes.iter().map(|s| *s as i32).collect(),
    };
    Msg::Grant(MsgGrant {
        granter: granter.to_string(),
        grantee: grantee.to_string(),
        grant: Some(PbGrant {
            authorization: Some(Any {
                type_url: DEPOSIT_AUTHORIZATION_URL.into(),
                value: auth.encode_to_vec(),
            }),
            expiration: expiration_s
                .map(|seconds| dcloud_proto::cosmos::Timestamp { seconds, nanos: 0 }),
        }),
    })
}

/// `MsgRevoke` of the deposit grant from `granter` to `grantee`.
pub fn revoke_deposit(granter: &AccAddress, grantee: &AccAddress) -> Msg {
    Msg::Revoke(MsgRevoke {
        granter: granter.to_string(),
        grantee: grantee.to_string(),
        msg_type_url: DEPOSIT_MSG_URL.into(),
    })
}

/// `MsgDepositDeployment` signed by `depositor` into `owner`'s deployment, funded from
/// `sources` in order (empty: the depositor's balance).
pub fn deposit_deployment_from(
    owner: &AccAddress,
    dseq: u64,
    amount: dpb::Coin,
    depositor: &AccAddress,
    sources: &[DepositSource],
) -> Msg {
    Msg::DepositDeployment(dpb::MsgDepositDeployment {
        id: Some(dpb::DeploymentId { owner: owner.to_string(), dseq }),
        amount: Some(amount),
        depositor: if depositor == owner { String::new() } else { depositor.to_string() },
        sources: sources.iter().map(|s| *s as i32).collect(),
    })
}

/// Parses `balance`, `grant` or a comma-separated list of them.
pub fn parse_sources(s: &str) -> Result<Vec<DepositSource>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let src = match part {
            "balance" => DepositSource::Balance,
            "grant" => DepositSource::Grant,
            other => return Err(format!("unknown deposit source {other:?}: use balance or grant")),
        };
        if out.contains(&src) {
            return Err(format!("deposit source {part:?} is listed twice"));
        }
        out.push(src);
    }
    if out.is_empty() {
        return Err("no deposit source given: use balance, grant or balance,grant".into());
    }
    Ok(out)
}

/// Parses a deposit scope: `deployment` or `bid`.
pub fn parse_scope(s: &str) -> Result<DepositScope, String> {
    match s.trim() {
        "deployment" => Ok(DepositScope::Deployment),
        "bid" => Ok(DepositScope::Bid),
        other => Err(format!("unknown deposit scope {other:?}: use deployment or bid")),
    }
}

/// Deposit grants by granter and/or grantee at `height` (0 = latest).
pub async fn grants(
    client: &RpcClient,
    granter: Option<&AccAddress>,
    grantee: Option<&AccAddress>,
    height: u64,
) -> Result<Vec<Grant>, ClientError> {
    let req = serde_json::json!({
        "granter": granter.map(|a| a.to_string()),
        "grantee": grantee.map(|a| a.to_string()),
    });
    query_json_at(client, "/authz/grants", &req, height).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_message_carries_the_deposit_authorization_and_round_trips() {
        let (a, b) =
            (AccAddress::from_bytes(&[1; 20]).unwrap(), AccAddress::from_bytes(&[2; 20]).unwrap());
        let limit: Coins = "5000000uact".parse().unwrap();
        let m = grant_deposit(&a, &b, &limit, &[DepositScope::Deployment], Some(1_800_000_000));
        assert_eq!(Msg::decode_any(&m.to_any()).unwrap(), m);
        assert_eq!(m.signers(), vec![a.to_string()]);
        assert_eq!(m.module(), "authz");
        let Msg::Grant(g) = &m else { panic!("not a grant") };
        let any = g.grant.as_ref().and_then(|g| g.authorization.as_ref()).unwrap();
        assert_eq!(any.type_url, DEPOSIT_AUTHORIZATION_URL);
        let auth = DepositAuthorization::decode(any.value.as_slice()).unwrap();
        assert_eq!(
            (auth.spend_limits[0].amount.as_str(), auth.scopes.as_slice()),
            ("5000000", &[1][..])
        );
        let r = revoke_deposit(&a, &b);
        assert_eq!(r.signers(), vec![a.to_string()]);
        // A deposit by a third party is signed by the depositor, by the owner otherwise.
        let coin = dpb::Coin { denom: "uact".into(), amount: "7".into() };
        let d = deposit_deployment_from(&a, 3, coin.clone(), &b, &[DepositSource::Grant]);
        assert_eq!(d.signers(), vec![b.to_string()]);
        let own = deposit_deployment_from(&a, 3, coin, &a, &[]);
        assert_eq!(own.signers(), vec![a.to_string()]);
    }

    #[test]
    fn sources_and_scopes_parse_or_explain() {
        assert_eq!(
            parse_sources("balance, grant"),
            Ok(vec![DepositSource::Balance, DepositSource::Grant])
        );
        assert!(parse_sources("grant,grant").unwrap_err().contains("twice"));
        assert!(parse_sources("wallet").unwrap_err().contains("unknown deposit source"));
        assert!(parse_sources("").is_err());
        assert_eq!(parse_scope("bid"), Ok(DepositScope::Bid));
        assert!(parse_scope("lease").is_err());
    }
}

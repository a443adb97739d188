//! Stateless checks of `MsgGrant` and `MsgRevoke` (no store access).

use dcloud_proto::cosmos::cosmos::authz::v1beta1::{MsgGrant, MsgRevoke};
use dcloud_proto::dcloud::escrow::{
    DepositAuthorization as PbDepositAuthorization, DepositScope as PbScope,
    DEPOSIT_AUTHORIZATION_URL,
};
use dcloud_proto::{Message as _, Msg};
use dcloud_types::AccAddress;

use super::{AuthzError, DepositAuthorization, DepositScope};
use crate::{parse_addr, AppError};

/// The checked contents of a `MsgGrant`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantParts {
    /// Whose funds.
    pub granter: AccAddress,
    /// Who may spend them.
    pub grantee: AccAddress,
    /// What the grant allows.
    pub authorization: DepositAuthorization,
    /// Block time (ms) from which the grant is void.
    pub expiration_ms: Option<u64>,
}

/// Checks a `MsgGrant` and returns its parts.
pub fn parse_grant(m: &MsgGrant) -> Result<GrantParts, AppError> {
    let granter = parse_addr(&m.granter, "granter")?;
    let grantee = parse_addr(&m.grantee, "grantee")?;
    // Nobody grants to themselves.
    if granter == grantee {
        return Err(AuthzError::GranteeIsGranter(granter.to_string()).into());
    }
    let grant =
        m.grant.as_ref().ok_or_else(|| AppError::InvalidRequest("grant is missing".into()))?;
    let any = grant
        .authorization
        .as_ref()
        .ok_or_else(|| AppError::InvalidRequest("grant.authorization is missing".into()))?;
    // Only deposit authorizations exist on this chain.
    if any.type_url != DEPOSIT_AUTHORIZATION_URL {
        return Err(AuthzError::UnknownType(format!(
            "{} (only {DEPOSIT_AUTHORIZATION_URL} is supported)",
            any.type_url
        ))
        .into());
    }
    let pb = PbDepositAuthorization::decode(any.value.as_slice())
        .map_err(|e| AppError::InvalidRequest(format!("deposit authorization: {e}")))?;
    let spend_limits = crate::parse_coins(&pb.spend_limits)?;
    if spend_limits.is_empty() {
        return Err(AppError::InvalidCoins("deposit authorization has no spend limit".into()));
    }
    let scopes = parse_scopes(&pb.scopes)?;
    let expiration_ms = match &grant.expiration {
        None => None,
        Some(t) => {
            let secs = u64::try_from(t.seconds).map_err(|_| {
                AuthzError::InvalidExpiration(format!("{}s is before 1970", t.seconds))
            })?;
            let nanos = u64::try_from(t.nanos.clamp(0, 999_999_999)).unwrap_or(0);
            Some(secs.saturating_mul(1000).saturating_add(nanos / 1_000_000))
        }
    };
    Ok(GrantParts {
        granter,
        grantee,
        authorization: DepositAuthorization { spend_limits, scopes },
        expiration_ms,
    })
}

/// The scopes of a deposit authorization: known, distinct, at least one; sorted.
fn parse_scopes(raw: &[i32]) -> Result<Vec<DepositScope>, AppError> {
    let mut scopes = Vec::new();
    for s in raw {
        let scope = match PbScope::try_from(*s) {
            Ok(PbScope::Deployment) => DepositScope::Deployment,
            Ok(PbScope::Bid) => DepositScope::Bid,
            _ => return Err(AppError::InvalidRequest(format!("unknown deposit scope {s}"))),
        };
        if scopes.contains(&scope) {
            return Err(AppError::InvalidRequest(format!("duplicate deposit scope {s}")));
        }
        scopes.push(scope);
    }
    if scopes.is_empty() {
        return Err(AppError::InvalidRequest("deposit authorization has no scope".into()));
    }
    scopes.sort();
    Ok(scopes)
}

/// Checks a `MsgRevoke` and returns (granter, grantee).
pub fn revoke_parts(m: &MsgRevoke) -> Result<(AccAddress, AccAddress), AppError> {
    let granter = parse_addr(&m.granter, "granter")?;
    let grantee = parse_addr(&m.grantee, "grantee")?;
    if m.msg_type_url.is_empty() {
        return Err(AppError::InvalidRequest("msg_type_url is empty".into()));
    }
    Ok((granter, grantee))
}

/// Stateless checks of the authz messages.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    match msg {
        Msg::Grant(m) => {
            parse_grant(m)?;
        }
        Msg::Revoke(m) => {
            revoke_parts(m)?;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_and_sorted() {
        let bid = PbScope::Bid as i32;
        let dep = PbScope::Deployment as i32;
        assert_eq!(
            parse_scopes(&[bid, dep]).unwrap(),
            vec![DepositScope::Deployment, DepositScope::Bid]
        );
        assert!(parse_scopes(&[]).is_err());
        assert!(parse_scopes(&[bid, bid]).is_err());
        assert!(parse_scopes(&[99]).is_err());
    }

    #[test]
    fn revoke_needs_a_type_url() {
        let a = AccAddress::from_bytes(&[1; 20]).unwrap().to_string();
        let m = MsgRevoke { granter: a.clone(), grantee: a, msg_type_url: String::new() };
        assert_eq!(
            revoke_parts(&m).unwrap_err().to_string(),
            "invalid request: msg_type_url is empty"
        );
    }
}

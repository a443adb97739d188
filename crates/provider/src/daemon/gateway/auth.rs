//! Who is calling: mutual TLS against on-chain certificates, or an ES256K JWT verified with
//! the issuer's on-chain key (`akash-provider.md` §6, "Authentication"). Both at once is a
//! 400; neither is a 401 on authenticated routes.

use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use dcloud_types::AccAddress;

use super::{ConnInfo, GatewayState};
use crate::daemon::gateway::certs;
use crate::daemon::gateway::jwt::{self, Authorize as _, Claims, Grant, Scope, Target};

/// An error answer of the gateway: a status code and a plain-text message.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// Client certificate and bearer token both presented.
    #[error("ambiguous authentication: both a client certificate and a bearer token were presented; use one")]
    AuthAmbiguous,
    /// Malformed request.
    #[error("{0}")]
    BadRequest(String),
    /// Not authenticated (no, invalid, unpublished or revoked credentials).
    #[error("unauthorized: {0}")]
    Unauthenticated(String),
    /// Authenticated, but not allowed.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Nothing there.
    #[error("{0}")]
    NotFound(String),
    /// The manifest cannot be accepted.
    #[error("{0}")]
    Unprocessable(String),
    /// The manifest was accepted but its workload cannot run (422, JSON body).
    #[error("the workload cannot run: {0}")]
    Workload(crate::cluster::WorkloadFailure),
    /// The chain could not be read.
    #[error("chain query failed: {0}")]
    Chain(String),
    /// Anything else.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            Self::AuthAmbiguous | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unprocessable(_) | Self::Workload(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Chain(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!("gateway: {self}");
        }
        if let Self::Workload(f) = &self {
            let body = serde_json::json!({
                "error": self.to_string(),
                "reason": f.reason,
                "service": f.service,
                "message": f.message,
                "hint": f.reason.hint(),
            });
            return (status, axum::Json(body)).into_response();
        }
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], self.to_string())
            .into_response()
    }
}

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub(crate) enum Method {
    /// A published, valid client certificate: full access for its owner.
    Mtls,
    /// A verified token with these claims.
    Jwt(Box<Claims>),
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// Its address (certificate CN or token issuer).
    pub address: AccAddress,
    /// How.
    pub method: Method,
}

impl Caller {
    /// Whether the caller may do `scope` on `target`.
    pub fn authorize(&self, scope: Scope, target: &Target<'_>) -> Result<Grant, ApiError> {
        match &self.method {
            Method::Mtls => Ok(Grant::All),
            Method::Jwt(c) => c.authorize(scope, target).map_err(ApiError::Forbidden),
        }
    }
}

fn bearer(parts: &Parts) -> Result<Option<String>, ApiError> {
    let Some(v) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .map_err(|_| ApiError::Unauthenticated("Authorization header is not text".into()))?;
    let (scheme, token) = v.trim().split_once(' ').unwrap_or((v, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthenticated(
            "Authorization must be `Bearer <token>` with an ES256K JWT".into(),
        ));
    }
    Ok(Some(token.trim().to_string()))
}

async fn mtls(state: &GatewayState, der: &[u8]) -> Result<Caller, ApiError> {
    let unauth = |m: String| ApiError::Unauthenticated(m);
    let facts = certs::inspect_self_signed_p256(der).map_err(|e| unauth(e.to_string()))?;
    facts.check_validity(certs::unix_now()).map_err(|e| unauth(e.to_string()))?;
    if !facts.client_auth {
        return Err(unauth("the client certificate does not allow client authentication".into()));
    }
    let owner: AccAddress = facts.cn.parse().map_err(|_| {
        unauth(format!("the client certificate's CN {:?} is not an account address", facts.cn))
    })?;
    let published = state.chain.certificates(&owner).await.map_err(ApiError::Chain)?;
    let mut revoked = None;
    for c in published.iter().filter(|c| c.owner == owner) {
        let Ok(d) = certs::cert_pem_to_der(&c.cert_pem) else { continue };
        if d != der {
            continue;
        }
        if c.valid {
            return Ok(Caller { address: owner, method: Method::Mtls });
        }
        revoked = Some(c.serial.clone());
    }
    Err(unauth(match revoked {
        Some(serial) => format!("client certificate {serial} of {owner} is revoked"),
        None => format!("the client certificate is not published on chain by {owner}"),
    }))
}

async fn bearer_jwt(state: &GatewayState, token: &str) -> Result<Caller, ApiError> {
    let unauth = |e: jwt::JwtError| ApiError::Unauthenticated(e.to_string());
    let tok = jwt::decode(token).map_err(unauth)?;
    let iss = tok.claims.issuer().map_err(unauth)?;
    let pk = state.chain.account_pubkey(&iss).await.map_err(ApiError::Chain)?.ok_or_else(|| {
        ApiError::Unauthenticated(format!("token issuer {iss} has no public key on chain"))
    })?;
    let claims = tok.verify(&pk, certs::unix_now()).map_err(unauth)?;
    Ok(Caller { address: iss, method: Method::Jwt(Box::new(claims)) })
}

impl axum::extract::FromRequestParts<GatewayState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &GatewayState,
    ) -> Result<Self, Self::Rejection> {
        let cert = parts.extensions.get::<ConnInfo>().and_then(|c| c.peer_certificate.clone());
        let token = bearer(parts)?;
        match (cert, token) {
            (Some(_), Some(_)) => Err(ApiError::AuthAmbiguous),
            (None, None) => Err(ApiError::Unauthenticated(
                "present a client certificate published on chain or an ES256K bearer token".into(),
            )),
            (Some(der), None) => mtls(state, &der).await,
            (None, Some(t)) => bearer_jwt(state, &t).await,
        }
    }
}

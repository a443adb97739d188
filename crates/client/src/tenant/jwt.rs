//! ES256K JSON Web Tokens, as Akash's provider gateway accepts them (`akash-provider.md` §6).
//!
//! A tenant signs a token with its account key (secp256k1) and sends it as
//! `Authorization: Bearer <token>`; the gateway verifies it with the issuer's public key
//! from chain. This is a hand-written JWS compact serialisation — the `jsonwebtoken` crate
//! has no ES256K — with exactly one accepted form:
//!
//! * header `{"alg":"ES256K","typ":"JWT"}` (`typ` optional; any other `alg`, including
//!   `none`, `HS256`, `ES256` and the ADR-36 variant `ES256KADR36`, is rejected);
//! * signature: ECDSA over secp256k1 of `SHA-256(b64url(header) "." b64url(claims))`,
//!   64 bytes `r ‖ s`, base64url without padding (high-S is accepted and normalised);
//! * claims: `iss` (owner address), `iat`, `nbf`, `exp` (Unix seconds; `exp` required),
//!   `version: "v1"`, `leases: {access, scope, permissions}` as Akash.

use base64::Engine as _;
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

/// The only accepted `alg`.
pub const ALG_ES256K: &str = "ES256K";
/// The only accepted claims `version`.
pub const VERSION: &str = "v1";
/// Longest accepted token, in bytes.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const CLOCK_SKEW_SECS: i64 = 10;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Why a token is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    /// Not three base64url parts of JSON, or too large.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// `alg` is not ES256K.
    #[error("unsupported token algorithm {0:?} (only ES256K is accepted)")]
    Algorithm(String),
    /// The signature does not verify with the issuer's key.
    #[error("token signature does not verify with the issuer's key")]
    Signature,
    /// `exp` is in the past.
    #[error("token has expired")]
    Expired,
    /// `nbf` is in the future.
    #[error("token is not valid yet")]
    NotYetValid,
    /// `iat` is in the future.
    #[error("token is issued in the future")]
    IssuedInFuture,
    /// The claims are not acceptable (version, access, addresses).
    #[error("invalid token claims: {0}")]
    Claims(String),
    /// The public key does not belong to the issuer.
    #[error("the public key does not belong to the issuer {0}")]
    IssuerKey(String),
}

/// How much a token grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Everything on all the issuer's leases.
    Full,
    /// The listed scopes on all the issuer's leases.
    Scoped,
    /// Per provider / per deployment permissions.
    Granular,
}

/// An action on a lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// `PUT /deployment/{dseq}/manifest`.
    SendManifest,
    /// `GET …/manifest`.
    GetManifest,
    /// `…/logs`.
    Logs,
    /// `…/shell`.
    Shell,
    /// `…/kubeevents`.
    Events,
    /// `…/status`, `…/service/{name}/status`.
    Status,
    /// Restarting services.
    Restart,
    /// `POST /hostname/migrate`.
    HostnameMigrate,
    /// `POST /endpoint/migrate`.
    IpMigrate,
    /// TEE attestation.
    Attestation,
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        f.write_str(&s)
    }
}

/// Permissions for one deployment (granular access).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentPermission {
    /// Deployment sequence.
    pub dseq: u64,
    /// Group (0: every group).
    #[serde(default)]
    pub gseq: u32,
    /// Order (0: every order).
    #[serde(default)]
    pub oseq: u32,
    /// Allowed scopes.
    #[serde(default)]
    pub scope: Vec<Scope>,
    /// Only these services (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

/// Permissions on one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeasePermission {
    /// Provider address.
    pub provider: String,
    /// Access on this provider.
    pub access: Access,
    /// Scopes (scoped access).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<Scope>,
    /// Per-deployment permissions (granular access).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deployments: Vec<DeploymentPermission>,
}

/// The `leases` claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leases {
    /// Access kind.
    pub access: Access,
    /// Scopes (scoped access).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<Scope>,
    /// Per-provider permissions (granular access).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<LeasePermission>,
}

/// The token's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer: the owner's address.
    pub iss: String,
    /// Issued at (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not before (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Expires at (Unix seconds).
    pub exp: i64,
    /// Claims version (`v1`).
    pub version: String,
    /// What the token grants.
    pub leases: Leases,
}

impl Claims {
    /// Full access for `owner`, valid from `now` for `ttl_secs`.
    pub fn full_access(owner: &AccAddress, now: i64, ttl_secs: i64) -> Self {
        Self {
            iss: owner.to_string(),
            iat: Some(now),
            nbf: Some(now),
            exp: now.saturating_add(ttl_secs),
            version: VERSION.into(),
            leases: Leases { access: Access::Full, scope: Vec::new(), permissions: Vec::new() },
        }
    }

    /// The issuer address.
    pub fn issuer(&self) -> Result<AccAddress, JwtError> {
        self.iss.parse().map_err(|e| JwtError::Claims(format!("iss {:?}: {e}", self.iss)))
    }

    /// Time and shape checks at `now` (Unix seconds).
    pub fn validate(&self, now: i64) -> Result<(), JwtError> {
        if now > self.exp.saturating_add(CLOCK_SKEW_SECS) {
            return Err(JwtError::Expired);
        }
        if self.nbf.is_some_and(|nbf| nbf > now.saturating_add(CLOCK_SKEW_SECS)) {
            return Err(JwtError::NotYetValid);
        }
        if self.iat.is_some_and(|iat| iat > now.saturating_add(CLOCK_SKEW_SECS)) {
            return Err(JwtError::IssuedInFuture);
        }
        if self.version != VERSION {
            return Err(JwtError::Claims(format!(
                "version {:?} is not supported (expected {VERSION:?})",
                self.version
            )));
        }
        self.issuer()?;
        let l = &self.leases;
        match l.access {
            Access::Full => {}
            Access::Scoped if l.scope.is_empty() => {
                return Err(JwtError::Claims("scoped access with an empty scope".into()))
            }
            Access::Scoped => {}
            Access::Granular if l.permissions.is_empty() => {
                return Err(JwtError::Claims("granular access without permissions".into()))
            }
            Access::Granular => {
                for p in &l.permissions {
                    p.provider.parse::<AccAddress>().map_err(|e| {
                        JwtError::Claims(format!("permission provider {:?}: {e}", p.provider))
                    })?;
                    let ok = match p.access {
                        Access::Full => true,
                        Access::Scoped => !p.scope.is_empty(),
                        Access::Granular => !p.deployments.is_empty(),
                    };
                    if !ok {
                        return Err(JwtError::Claims(format!(
                            "permission for {} grants nothing",
                            p.provider
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
}

/// Signs `claims` with the account key: a compact ES256K JWS.
pub fn encode(claims: &Claims, key: &SigningKey) -> Result<String, JwtError> {
    let header = Header { alg: ALG_ES256K.into(), typ: Some("JWT".into()) };
    let h = serde_json::to_vec(&header).map_err(|e| JwtError::Malformed(e.to_string()))?;
    let c = serde_json::to_vec(claims).map_err(|e| JwtError::Malformed(e.to_string()))?;
    let input = format!("{}.{}", B64.encode(h), B64.encode(c));
    let sig = key.sign(input.as_bytes());
    Ok(format!("{input}.{}", B64.encode(sig)))
}

/// A token whose structure and algorithm are fine but whose signature and times are not
/// checked yet (the issuer's key has to be looked up first).
#[derive(Debug, Clone)]
pub struct UnverifiedToken {
    /// The claims, unverified.
    pub claims: Claims,
    signing_input: String,
    signature: Vec<u8>,
}

/// Splits and parses a compact JWS; checks `alg`.
pub fn decode(token: &str) -> Result<UnverifiedToken, JwtError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::Malformed(format!("longer than {MAX_TOKEN_BYTES} bytes")));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed("expected three dot-separated parts".into()));
    };
    let part = |what: &str, p: &str| {
        B64.decode(p).map_err(|e| JwtError::Malformed(format!("{what} is not base64url: {e}")))
    };
    let header: Header = serde_json::from_slice(&part("header", h)?)
        .map_err(|e| JwtError::Malformed(format!("header: {e}")))?;
    if header.alg != ALG_ES256K {
        return Err(JwtError::Algorithm(header.alg));
    }
    let claims: Claims = serde_json::from_slice(&part("claims", c)?)
        .map_err(|e| JwtError::Malformed(format!("claims: {e}")))?;
    let signature = part("signature", s)?;
    Ok(UnverifiedToken { claims, signing_input: format!("{h}.{c}"), signature })
}

impl UnverifiedToken {
    /// Verifies the signature with `pubkey` (compressed secp256k1, which must hash to the
    /// issuer's address) and the claims at `now`; returns the claims.
    pub fn verify(self, pubkey: &[u8], now: i64) -> Result<Claims, JwtError> {
        let issuer = self.claims.issuer()?;
        if dcloud_crypto::secp256k1::address_of_compressed(pubkey) != issuer {
            return Err(JwtError::IssuerKey(issuer.to_string()));
        }
        use k256::ecdsa::signature::Verifier;
        let vk = k256::ecdsa::VerifyingKey::from_sec1_bytes(pubkey)
            .map_err(|_| JwtError::IssuerKey(issuer.to_string()))?;
        let sig =
            k256::ecdsa::Signature::from_slice(&self.signature).map_err(|_| JwtError::Signature)?;
        let sig = sig.normalize_s().unwrap_or(sig);
        vk.verify(self.signing_input.as_bytes(), &sig).map_err(|_| JwtError::Signature)?;
        self.claims.validate(now)?;
        Ok(self.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::random()
    }

    #[test]
    fn round_trip_and_tampering() {
        let k = key();
        let owner = k.public_key().address();
        let now = 1_700_000_000;
        let t = encode(&Claims::full_access(&owner, now, 300), &k).unwrap();
        let pk = k.public_key().to_bytes();
        let c = decode(&t).unwrap().verify(&pk, now + 1).unwrap();
        assert_eq!(c.issuer().unwrap(), owner);
        assert_eq!(decode(&t).unwrap().verify(&pk, now + 400).unwrap_err(), JwtError::Expired);
        assert_eq!(decode(&t).unwrap().verify(&pk, now - 3600).unwrap_err(), JwtError::NotYetValid);
        // Another key's signature over the same claims.
        let other = key();
        let forged = encode(&Claims::full_access(&owner, now, 300), &other).unwrap();
        assert_eq!(decode(&forged).unwrap().verify(&pk, now).unwrap_err(), JwtError::Signature);
        // The other key presented as the issuer's.
        assert!(matches!(
            decode(&forged).unwrap().verify(&other.public_key().to_bytes(), now),
            Err(JwtError::IssuerKey(_))
        ));
        // Claims changed after signing.
        let mut parts: Vec<String> = t.split('.').map(str::to_string).collect();
        let mut claims = Claims::full_access(&owner, now, 300);
        claims.exp += 1000;
        parts[1] = B64.encode(serde_json::to_vec(&claims).unwrap());
        let changed = parts.join(".");
        assert_eq!(decode(&changed).unwrap().verify(&pk, now).unwrap_err(), JwtError::Signature);
    }

    #[test]
    fn only_es256k() {
        let owner = key().public_key().address();
        let claims = B64
            .encode(serde_json::to_vec(&Claims::full_access(&owner, 1_700_000_000, 300)).unwrap());
        for alg in ["none", "HS256", "ES256", "ES256KADR36"] {
            let h = B64.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
            let t = format!("{h}.{claims}.");
            assert_eq!(decode(&t).unwrap_err(), JwtError::Algorithm(alg.into()));
        }
        assert!(matches!(decode("a.b"), Err(JwtError::Malformed(_))));
        assert!(matches!(decode("a.b.c.d"), Err(JwtError::Malformed(_))));
    }

    #[test]
    fn claims_json_is_akash_shaped() {
        let owner = key().public_key().address();
        let c = Claims::full_access(&owner, 10, 5);
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["leases"], serde_json::json!({"access": "full"}));
        assert_eq!(v["version"], "v1");
        assert_eq!(v["exp"], 15);
        let parsed: Claims = serde_json::from_value(serde_json::json!({
            "iss": owner.to_string(), "iat": 1, "nbf": 1, "exp": 2, "version": "v1",
            "leases": {"access": "granular", "permissions": [{"provider": owner.to_string(),
                "access": "granular", "deployments": [{"dseq": 5, "scope": ["logs", "send-manifest"],
                "services": ["web"]}]}]}
        }))
        .unwrap();
        assert_eq!(
            parsed.leases.permissions[0].deployments[0].scope,
            [Scope::Logs, Scope::SendManifest]
        );
        assert_eq!(Scope::HostnameMigrate.to_string(), "hostname-migrate");
    }
}

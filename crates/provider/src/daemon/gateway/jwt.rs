//! Server-side token authorization: what a verified token allows on a request
//! ([`Authorize::authorize`]). The token format itself (claims, encoding, signature
//! verification) lives in [`dcloud_client::tenant::jwt`] and is re-exported here.

pub use dcloud_client::tenant::jwt::*;
use dcloud_types::AccAddress;

/// What a request acts on, for [`Claims::authorize`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target<'a> {
    /// The provider serving the request.
    pub provider: &'a AccAddress,
    /// Deployment.
    pub dseq: u64,
    /// Group (None: deployment-wide, e.g. sending a manifest).
    pub gseq: Option<u32>,
    /// Order.
    pub oseq: Option<u32>,
}

/// What an authorized request may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// Every service of the lease.
    All,
    /// Only these services.
    Services(Vec<String>),
}

impl Grant {
    /// Whether `service` is covered.
    pub fn covers(&self, service: &str) -> bool {
        match self {
            Self::All => true,
            Self::Services(s) => s.iter().any(|x| x == service),
        }
    }
}

/// Authorization of a request by verified claims.
pub trait Authorize {
    /// Whether the token allows `scope` on `target`; on success, which services.
    fn authorize(&self, scope: Scope, target: &Target<'_>) -> Result<Grant, String>;
}

impl Authorize for Claims {
    fn authorize(&self, scope: Scope, target: &Target<'_>) -> Result<Grant, String> {
        let l = &self.leases;
        match l.access {
            Access::Full => return Ok(Grant::All),
            Access::Scoped => {
                return if l.scope.contains(&scope) {
                    Ok(Grant::All)
                } else {
                    Err(format!("the token's scope does not include {scope}"))
                };
            }
            Access::Granular => {}
        }
        let provider = target.provider.to_string();
        let mut services: Vec<String> = Vec::new();
        let mut any_provider = false;
        for p in l.permissions.iter().filter(|p| p.provider == provider) {
            any_provider = true;
            match p.access {
                Access::Full => return Ok(Grant::All),
                Access::Scoped if p.scope.contains(&scope) => return Ok(Grant::All),
                Access::Scoped => {}
                Access::Granular => {
                    for d in &p.deployments {
                        let group_ok = d.gseq == 0 || Some(d.gseq) == target.gseq;
                        let order_ok = d.oseq == 0 || Some(d.oseq) == target.oseq;
                        if d.dseq != target.dseq || !group_ok || !order_ok {
                            continue;
                        }
                        if !d.scope.contains(&scope) {
                            continue;
                        }
                        if d.services.is_empty() {
                            return Ok(Grant::All);
                        }
                        services.extend(d.services.iter().cloned());
                    }
                }
            }
        }
        if !any_provider {
            return Err(format!("the token grants nothing on provider {provider}"));
        }
        if services.is_empty() {
            return Err(format!(
                "the token does not grant {scope} on deployment {} here",
                target.dseq
            ));
        }
        services.sort();
        services.dedup();
        Ok(Grant::Services(services))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_crypto::secp256k1::SigningKey;

    fn key() -> SigningKey {
        SigningKey::random()
    }

    #[test]
    fn authorization() {
        let provider = key().public_key().address();
        let elsewhere = key().public_key().address();
        let owner = key().public_key().address();
        let target = Target { provider: &provider, dseq: 5, gseq: Some(1), oseq: Some(1) };
        let mut c = Claims::full_access(&owner, 0, 10);
        assert_eq!(c.authorize(Scope::Shell, &target), Ok(Grant::All));

        c.leases =
            Leases { access: Access::Scoped, scope: vec![Scope::Status], permissions: vec![] };
        assert_eq!(c.authorize(Scope::Status, &target), Ok(Grant::All));
        assert!(c.authorize(Scope::Shell, &target).is_err());

        let dep = |dseq, gseq, scope: Vec<Scope>, services: Vec<&str>| DeploymentPermission {
            dseq,
            gseq,
            oseq: 0,
            scope,
            services: services.into_iter().map(str::to_string).collect(),
        };
        c.leases = Leases {
            access: Access::Granular,
            scope: vec![],
            permissions: vec![
                LeasePermission {
                    provider: elsewhere.to_string(),
                    access: Access::Full,
                    scope: vec![],
                    deployments: vec![],
                },
                LeasePermission {
                    provider: provider.to_string(),
                    access: Access::Granular,
                    scope: vec![],
                    deployments: vec![
                        dep(5, 0, vec![Scope::Logs], vec!["web"]),
                        dep(5, 2, vec![Scope::Shell], vec![]),
                    ],
                },
            ],
        };
        c.validate(0).unwrap();
        assert_eq!(c.authorize(Scope::Logs, &target), Ok(Grant::Services(vec!["web".to_string()])));
        // Shell is granted on group 2 only.
        assert!(c.authorize(Scope::Shell, &target).is_err());
        let g2 = Target { gseq: Some(2), ..target.clone() };
        assert_eq!(c.authorize(Scope::Shell, &g2), Ok(Grant::All));
        // Another deployment.
        let d6 = Target { dseq: 6, ..target.clone() };
        assert!(c.authorize(Scope::Logs, &d6).is_err());
        // A provider the token does not name.
        let t3 = Target { provider: &owner, ..target.clone() };
        assert!(c.authorize(Scope::Logs, &t3).unwrap_err().contains("grants nothing"));
    }
}

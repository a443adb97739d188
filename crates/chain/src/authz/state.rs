//! The authz keeper: [`AuthzRead`] (grants by key, by granter, by grantee) and
//! [`AuthzWrite`] (a grant with its index and queue entries), over any state handle.

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;

use super::keys::{expiry_key, grant_key, grantee_prefix, granter_key, granter_prefix, GRANT};
use super::{Grant, MAX_GRANTS};
use crate::AppError;

/// Decodes a stored grant.
pub(crate) fn decode_grant(v: &[u8]) -> Result<Grant, AppError> {
    serde_json::from_slice(v).map_err(|e| AppError::ChainState(format!("corrupt authz grant: {e}")))
}

/// Read access to the authz state.
pub trait AuthzRead {
    /// Reads one grant.
    fn get_grant(
        &self,
        granter: &AccAddress,
        grantee: &AccAddress,
        url: &str,
    ) -> Result<Option<Grant>, AppError>;

    /// Grants by granter and/or grantee (all grants when neither is given), at most 1000.
    fn grants(
        &self,
        granter: Option<&AccAddress>,
        grantee: Option<&AccAddress>,
    ) -> Result<Vec<Grant>, AppError>;
}

impl<S: StateRead + ?Sized> AuthzRead for S {
    fn get_grant(
        &self,
        granter: &AccAddress,
        grantee: &AccAddress,
        url: &str,
    ) -> Result<Option<Grant>, AppError> {
        self.get(&grant_key(granter, grantee, url))?.map(|v| decode_grant(&v)).transpose()
    }

    fn grants(
        &self,
        granter: Option<&AccAddress>,
        grantee: Option<&AccAddress>,
    ) -> Result<Vec<Grant>, AppError> {
        match (granter, grantee) {
            (_, Some(grantee)) => {
                let mut out = Vec::new();
                for (_, v) in self.prefix_range(&grantee_prefix(grantee), None, MAX_GRANTS)? {
                    let g = decode_grant(&v)?;
                    if granter.is_none_or(|a| *a == g.granter) {
                        out.push(g);
                    }
                }
                Ok(out)
            }
            (Some(granter), None) => grants_by_granter(self, granter),
            (None, None) => self
                .prefix_range(&[GRANT], None, MAX_GRANTS)?
                .iter()
                .map(|(_, v)| decode_grant(v))
                .collect(),
        }
    }
}

/// The grants of `granter`, through the by-granter index.
fn grants_by_granter<S: StateRead + ?Sized>(
    state: &S,
    granter: &AccAddress,
) -> Result<Vec<Grant>, AppError> {
    let corrupt = |e: String| AppError::ChainState(format!("corrupt authz index{e}"));
    let prefix = granter_prefix(granter);
    let mut out = Vec::new();
    for (k, _) in state.prefix_range(&prefix, None, MAX_GRANTS)? {
        let rest = &k[prefix.len()..];
        let (len, rest) = rest.split_first().ok_or_else(|| corrupt(String::new()))?;
        let (grantee, url) =
            rest.split_at_checked(usize::from(*len)).ok_or_else(|| corrupt(String::new()))?;
        let grantee = AccAddress::from_bytes(grantee).map_err(|e| corrupt(format!(": {e}")))?;
        let url = std::str::from_utf8(url).map_err(|e| corrupt(format!(": {e}")))?;
        if let Some(g) = state.get_grant(granter, &grantee, url)? {
            out.push(g);
        }
    }
    Ok(out)
}

/// Write access to the authz state (the module's own handlers, begin block and hooks).
pub(crate) trait AuthzWrite: AuthzRead {
    /// Writes a grant, its by-granter index entry and (with an expiration) its expiry queue
    /// entry. A grant replacing another with a different expiration must first be removed
    /// ([`AuthzWrite::remove_grant`]).
    fn put_grant(&mut self, g: &Grant) -> Result<(), AppError>;

    /// Deletes a grant with its index and queue entries.
    fn remove_grant(&mut self, g: &Grant);
}

impl<S: StateWrite + ?Sized> AuthzWrite for S {
    fn put_grant(&mut self, g: &Grant) -> Result<(), AppError> {
        let v = serde_json::to_vec(g).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
        self.put(grant_key(&g.granter, &g.grantee, &g.msg_type_url), v);
        self.put(granter_key(&g.granter, &g.grantee, &g.msg_type_url), Vec::new());
        if let Some(e) = g.expiration_ms {
            self.put(expiry_key(&g.granter, &g.grantee, &g.msg_type_url, e), Vec::new());
        }
        Ok(())
    }

    fn remove_grant(&mut self, g: &Grant) {
        self.delete(grant_key(&g.granter, &g.grantee, &g.msg_type_url));
        self.delete(granter_key(&g.granter, &g.grantee, &g.msg_type_url));
        if let Some(e) = g.expiration_ms {
            self.delete(expiry_key(&g.granter, &g.grantee, &g.msg_type_url, e));
        }
    }
}

//! Light-client style verified reads: a state value with a merkle proof, checked against
//! the app hash in the next block's header, whose commit signatures are checked against the
//! validator set (more than 2/3 of voting power must have signed).

use std::time::Duration;

use base64::Engine;
use dcloud_rpc_types::{Commit, Header, Validator};

use crate::{ClientError, RpcClient};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn invalid(reason: impl Into<String>) -> ClientError {
    ClientError::Decode { what: "verified query".into(), reason: reason.into() }
}

/// Checks that `commit` certifies `header` with more than 2/3 of the validators' power.
pub fn verify_commit(
    chain_id: &str,
    header: &Header,
    commit: &Commit,
    validators: &[Validator],
) -> Result<(), ClientError> {
    let hash = header.hash();
    if commit.block_hash != hash || commit.height != header.height {
        return Err(invalid("the commit is for another block"));
    }
    let msg = Commit::sign_bytes(chain_id, commit.height, commit.round, &hash);
    let total: u128 = validators.iter().map(|v| v.power as u128).sum();
    let mut signed: u128 = 0;
    let mut seen = std::collections::BTreeSet::new();
    for sig in &commit.signatures {
        let Some(v) =
            validators.iter().find(|v| v.address.eq_ignore_ascii_case(&sig.validator_address))
        else {
            continue;
        };
        if !seen.insert(v.address.to_uppercase()) {
            continue;
        }
        let pk: [u8; 32] = B64
            .decode(&v.pub_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| invalid(format!("validator {} has a malformed key", v.address)))?;
        let s = B64.decode(&sig.signature).map_err(|_| invalid("malformed commit signature"))?;
        if dcloud_crypto::ed25519::verify(&pk, &msg, &s).is_ok() {
            signed += v.power as u128;
        }
    }
    if signed * 3 <= total * 2 {
        return Err(invalid(format!(
            "commit signed by {signed} of {total} voting power (more than 2/3 needed)"
        )));
    }
    Ok(())
}

impl RpcClient {
    /// Reads a raw state key at `height` (0 = latest) and verifies it: the proof against the
    /// app hash carried by block `height + 1`, and that block's commit against the validator
    /// set. Waits up to 10 s for block `height + 1` if it is not there yet. Returns the value
    /// (None = proven absent) and the height it is for.
    pub async fn get_verified(
        &self,
        key: &[u8],
        height: u64,
    ) -> Result<(Option<Vec<u8>>, u64), ClientError> {
        let r = self.abci_query("/store", key, height, true).await?;
        if r.code != 0 {
            return Err(ClientError::Query {
                path: "/store".into(),
                code: r.code,
                codespace: r.codespace,
                log: r.log,
            });
        }
        let h = crate::rpc::parse_height(&r.height)?;
        let value = B64.decode(&r.value).map_err(|_| invalid("value is not base64"))?;
        let proof_bytes = B64
            .decode(r.proof.as_deref().unwrap_or_default())
            .map_err(|_| invalid("proof is not base64"))?;
        let proof = dcloud_proof::StateProof::from_bytes(&proof_bytes)
            .map_err(|e| invalid(format!("proof: {e}")))?;
        self.wait_for_height(h + 1, Duration::from_secs(10)).await?;
        let next = self.block(Some(h + 1)).await?.block;
        let commit: Commit = self.commit(h + 1).await?;
        let vals = self.validators().await?.validators;
        verify_commit(&next.header.chain_id, &next.header, &commit, &vals)?;
        // An absent key reads as empty bytes; the proof says which.
        let claimed = if value.is_empty() { None } else { Some(value.as_slice()) };
        match dcloud_proof::verify_proof(next.header.app_hash, key, claimed, &proof) {
            Ok(()) => Ok((claimed.map(<[u8]>::to_vec), h)),
            Err(e) => Err(invalid(format!("proof does not match the app hash: {e}"))),
        }
    }
}

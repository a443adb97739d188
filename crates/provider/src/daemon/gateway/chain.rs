//! [`ChainView`] over the node's RPC.

use async_trait::async_trait;
use dcloud_chain::cert::{CertFilter, CertState};
use dcloud_chain::deployment::Deployment;
use dcloud_client::market::{self, Filter};
use dcloud_client::RpcClient;
use dcloud_types::AccAddress;

use super::{ChainCertificate, ChainView};
use crate::LeaseId;

/// Reads what the gateway needs from a node (latest height).
#[derive(Clone)]
pub struct RpcChainView {
    rpc: RpcClient,
    provider: AccAddress,
}

impl std::fmt::Debug for RpcChainView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcChainView")
            .field("node", &self.rpc.url())
            .field("provider", &self.provider)
            .finish()
    }
}

impl RpcChainView {
    /// A view for `provider` (whose leases [`ChainView::active_leases`] returns).
    pub fn new(rpc: RpcClient, provider: AccAddress) -> Self {
        Self { rpc, provider }
    }
}

/// Most pages read for one lease listing (1000 leases each).
const MAX_PAGES: usize = 100;

#[async_trait]
impl ChainView for RpcChainView {
    async fn deployment(
        &self,
        owner: &AccAddress,
        dseq: u64,
    ) -> Result<Option<Deployment>, String> {
        match market::deployment(&self.rpc, owner, dseq, 0).await {
            Ok(info) => Ok(Some(info.deployment)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    async fn active_leases(&self, owner: &AccAddress, dseq: u64) -> Result<Vec<LeaseId>, String> {
        let mut filter = Filter {
            owner: Some(owner.to_string()),
            dseq: Some(dseq),
            provider: Some(self.provider.to_string()),
            state: Some("active".into()),
            limit: Some(1000),
            start_after: None,
        };
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = market::leases(&self.rpc, &filter, 0).await.map_err(|e| e.to_string())?;
            out.extend(
                page.items
                    .into_iter()
                    .filter(|l| {
                        l.state.is_live()
                            && l.owner == *owner
                            && l.dseq == dseq
                            && l.provider == self.provider
                    })
                    .map(|l| LeaseId {
                        owner: l.owner,
                        dseq: l.dseq,
                        gseq: l.gseq,
                        oseq: l.oseq,
                        provider: l.provider,
                    }),
            );
            match page.next {
                Some(next) => filter.start_after = Some(serde_json::Value::String(next)),
                None => return Ok(out),
            }
        }
        Ok(out)
    }

    async fn certificates(&self, owner: &AccAddress) -> Result<Vec<ChainCertificate>, String> {
        let filter = CertFilter { owner: Some(owner.to_string()), state: None, serial: None };
        let certs = self.rpc.certificates(&filter).await.map_err(|e| e.to_string())?;
        Ok(certs
            .into_iter()
            .map(|c| ChainCertificate {
                owner: c.owner,
                serial: c.serial,
                cert_pem: c.cert,
                valid: c.state == CertState::Valid,
            })
            .collect())
    }

    async fn account_pubkey(&self, addr: &AccAddress) -> Result<Option<Vec<u8>>, String> {
        let Some(acct) = self.rpc.account(addr).await.map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        acct.pub_key
            .map(|h| hex::decode(h).map_err(|e| format!("account {addr}: public key: {e}")))
            .transpose()
    }
}

//! Following the market from the chain.
//!
//! The watcher reads every block's results (transaction events and end-block events) in
//! height order, starting after the last height the daemon processed, so that nothing is
//! missed across disconnects or restarts and nothing is handled twice: the caller persists
//! the height after handling a block. New blocks are noticed through the node's websocket
//! (`tm.event='NewBlock'`), with polling as the fallback when the websocket is down.

use std::time::Duration;

use dcloud_client::RpcClient;
use dcloud_rpc_types::BlockResults;
use dcloud_types::{AccAddress, Event};
use futures::StreamExt;

use crate::{LeaseId, OrderId};

/// A market transition the provider cares about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketEvent {
    /// A new order is open for bids.
    OrderCreated(OrderId),
    /// An order closed (leased elsewhere, no bids, deployment closed, ...).
    OrderClosed(OrderId),
    /// A bid was placed.
    BidCreated(LeaseId),
    /// A bid closed (by its provider, or at lease end).
    BidClosed(LeaseId),
    /// A bid lost the auction.
    BidLost(LeaseId),
    /// A lease was created from a bid.
    LeaseCreated(LeaseId),
    /// A lease closed.
    LeaseClosed(LeaseId),
    /// The tenant updated the deployment (new manifest hash).
    DeploymentUpdated {
        /// Owner.
        owner: AccAddress,
        /// Sequence.
        dseq: u64,
        /// New manifest hash (hex).
        hash: String,
    },
    /// The deployment closed.
    DeploymentClosed {
        /// Owner.
        owner: AccAddress,
        /// Sequence.
        dseq: u64,
    },
}

fn attr<'a>(e: &'a Event, key: &str) -> Option<&'a str> {
    e.attributes.iter().find(|a| a.key == key).map(|a| a.value.as_str())
}

fn order_of(e: &Event) -> Option<OrderId> {
    Some(OrderId {
        owner: attr(e, "owner")?.parse().ok()?,
        dseq: attr(e, "dseq")?.parse().ok()?,
        gseq: attr(e, "gseq")?.parse().ok()?,
        oseq: attr(e, "oseq")?.parse().ok()?,
    })
}

fn lease_of(e: &Event) -> Option<LeaseId> {
    let o = order_of(e)?;
    Some(o.bid_id(&attr(e, "provider")?.parse().ok()?))
}

/// The market events of one event, if it is one.
pub fn parse_event(e: &Event) -> Option<MarketEvent> {
    Some(match e.kind.as_str() {
        "EventOrderCreated" => MarketEvent::OrderCreated(order_of(e)?),
        "EventOrderClosed" => MarketEvent::OrderClosed(order_of(e)?),
        "EventBidCreated" => MarketEvent::BidCreated(lease_of(e)?),
        "EventBidClosed" => MarketEvent::BidClosed(lease_of(e)?),
        "EventBidLost" => MarketEvent::BidLost(lease_of(e)?),
        "EventLeaseCreated" => MarketEvent::LeaseCreated(lease_of(e)?),
        "EventLeaseClosed" => MarketEvent::LeaseClosed(lease_of(e)?),
        "EventDeploymentUpdated" => MarketEvent::DeploymentUpdated {
            owner: attr(e, "owner")?.parse().ok()?,
            dseq: attr(e, "dseq")?.parse().ok()?,
            hash: attr(e, "hash")?.to_string(),
        },
        "EventDeploymentClosed" => MarketEvent::DeploymentClosed {
            owner: attr(e, "owner")?.parse().ok()?,
            dseq: attr(e, "dseq")?.parse().ok()?,
        },
        _ => return None,
    })
}

/// Market events of a block in execution order: successful transactions' events first
/// (in tx order), then the block's own (end-block) events.
pub fn block_events(results: &BlockResults) -> Vec<MarketEvent> {
    results
        .tx_results
        .iter()
        .filter(|r| r.code == 0)
        .flat_map(|r| r.events.iter())
        .chain(results.finalize_block_events.iter())
        .filter_map(parse_event)
        .collect()
}

/// Errors of the watcher (the node is down or answered garbage).
#[derive(Debug, thiserror::Error)]
#[error("watching the chain: {0}")]
pub struct WatchError(#[from] pub dcloud_client::ClientError);

/// Follows blocks after a starting height.
pub struct Watcher {
    client: RpcClient,
    next: u64,
    known_latest: u64,
    sub: Option<dcloud_client::Subscription>,
    poll: Duration,
}

impl Watcher {
    /// A watcher that yields blocks from `after + 1` on.
    pub fn new(client: RpcClient, after: u64) -> Self {
        Self {
            client,
            next: after + 1,
            known_latest: 0,
            sub: None,
            poll: Duration::from_millis(250),
        }
    }

    /// The next height [`Self::next_block`] returns.
    pub fn next_height(&self) -> u64 {
        self.next
    }

    /// Waits for and returns the next block's height and market events. Retries the node
    /// with back-off when it is unreachable (never skips a height).
    pub async fn next_block(&mut self) -> (u64, Vec<MarketEvent>) {
        let mut backoff = Duration::from_millis(200);
        loop {
            match self.try_next().await {
                Ok(Some(r)) => return r,
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(height = self.next, "node unreachable, retrying: {e}");
                    self.sub = None;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    async fn try_next(&mut self) -> Result<Option<(u64, Vec<MarketEvent>)>, WatchError> {
        if self.next > self.known_latest {
            self.known_latest = self.client.latest_height().await?;
        }
        if self.next <= self.known_latest {
            let results = self.client.block_results(Some(self.next)).await?;
            let h = self.next;
            self.next += 1;
            return Ok(Some((h, block_events(&results))));
        }
        self.wait_for_block().await;
        Ok(None)
    }

    /// Waits until a new block is announced (websocket) or the poll interval passes.
    async fn wait_for_block(&mut self) {
        if self.sub.is_none() {
            self.sub = self.client.subscribe("tm.event='NewBlock'").await.ok();
        }
        match self.sub.as_mut() {
            Some(sub) => match tokio::time::timeout(Duration::from_secs(2), sub.next()).await {
                Ok(Some(Ok(_))) | Err(_) => {}
                Ok(Some(Err(_))) | Ok(None) => self.sub = None,
            },
            None => tokio::time::sleep(self.poll).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(n: u8) -> AccAddress {
        AccAddress::from_bytes(&[n; 20]).unwrap()
    }

    #[test]
    fn parses_market_events_with_their_ids() {
        let e = Event::new("EventLeaseCreated")
            .attr("owner", addr(1))
            .attr("dseq", 7)
            .attr("gseq", 1)
            .attr("oseq", 2)
            .attr("provider", addr(2));
        let want = LeaseId { owner: addr(1), dseq: 7, gseq: 1, oseq: 2, provider: addr(2) };
        assert_eq!(parse_event(&e), Some(MarketEvent::LeaseCreated(want)));
        let o = Event::new("EventOrderCreated").attr("owner", addr(1)).attr("dseq", 7);
        assert_eq!(parse_event(&o), None, "missing gseq/oseq is not an order event");
        assert_eq!(parse_event(&Event::new("transfer")), None);
    }

    #[test]
    fn failed_transactions_contribute_no_events() {
        let ev = Event::new("EventOrderCreated")
            .attr("owner", addr(1))
            .attr("dseq", 1)
            .attr("gseq", 1)
            .attr("oseq", 1);
        let ok = dcloud_rpc_types::abci::TxResult {
            code: 0,
            events: vec![ev.clone()],
            ..Default::default()
        };
        let failed = dcloud_rpc_types::abci::TxResult {
            code: 5,
            events: vec![ev.clone()],
            ..Default::default()
        };
        let results = BlockResults {
            height: 3,
            tx_results: vec![failed, ok],
            finalize_block_events: vec![Event::new("EventOrderClosed")
                .attr("owner", addr(1))
                .attr("dseq", 1)
                .attr("gseq", 1)
                .attr("oseq", 1)],
            validator_updates: vec![],
            app_hash: [0; 32],
        };
        let evs = block_events(&results);
        assert_eq!(evs.len(), 2);
        assert!(matches!(evs[0], MarketEvent::OrderCreated(_)));
        assert!(matches!(evs[1], MarketEvent::OrderClosed(_)));
    }
}

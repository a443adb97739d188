//! The per-order state machine the daemon feeds chain events into (sans-IO): it never asks
//! for a second bid on an order and says which reservations to release.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::OrderId;

/// What happened to an order (fed by the daemon).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEvent {
    /// An open order was seen (event or catch-up scan). `existing_bid_at`: when our bid on
    /// it was placed (unix ms), if the catch-up found one open on chain.
    OrderSeen {
        /// The order.
        id: OrderId,
        /// Our open bid's creation time, if any.
        existing_bid_at: Option<u64>,
    },
    /// [`evaluate`](super::evaluate) or pricing declined it (nothing is reserved).
    Declined {
        /// The order.
        id: OrderId,
    },
    /// Capacity is reserved and priced: ready to bid.
    Ready {
        /// The order.
        id: OrderId,
        /// The price (atto per block).
        price_atto: u128,
    },
    /// The bid transaction was committed.
    BidPlaced {
        /// The order.
        id: OrderId,
        /// When (unix ms).
        at_ms: u64,
    },
    /// The bid transaction failed.
    BidFailed {
        /// The order.
        id: OrderId,
    },
    /// A lease was created for the order's group.
    LeaseCreated {
        /// The order.
        id: OrderId,
        /// Whether the lease is ours.
        ours: bool,
    },
    /// Our bid was closed (not by winning).
    BidClosed {
        /// The order.
        id: OrderId,
    },
    /// The order was closed.
    OrderClosed {
        /// The order.
        id: OrderId,
    },
    /// Our lease on the order was closed.
    LeaseClosed {
        /// The order.
        id: OrderId,
    },
    /// Time passed (unix ms): open bids older than the bid timeout are given up.
    Tick {
        /// Now (unix ms).
        now_ms: u64,
    },
}

/// What the daemon should do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum OrderAction {
    /// Fetch the group, [`evaluate`](super::evaluate), reserve and price; then send `Ready` or `Declined`.
    Evaluate(OrderId),
    /// Broadcast `MsgCreateBid` at this price.
    Bid {
        /// The order.
        id: OrderId,
        /// Price (atto per block).
        price_atto: u128,
    },
    /// Broadcast `MsgCloseBid` for our bid.
    CloseBid(OrderId),
    /// Release the order's reservation.
    Release(OrderId),
    /// The lease is ours: keep the reservation (mark it active).
    KeepReservation(OrderId),
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderPhase {
    /// Being evaluated / priced.
    Evaluating,
    /// A bid transaction is being sent (reservation held).
    Bidding,
    /// Our bid is open on chain since this time (unix ms; reservation held).
    BidOpen {
        /// Placed at (unix ms).
        at_ms: u64,
    },
    /// The lease is ours (reservation kept, active).
    Won,
    /// Finished: declined, lost, closed or timed out. Never bid again.
    Done,
}

/// One entry per order: never bids twice, knows which reservations to release.
#[derive(Debug, Clone)]
pub struct OrderTracker {
    bid_timeout_ms: u64,
    orders: BTreeMap<OrderId, OrderPhase>,
}

impl OrderTracker {
    /// A tracker giving up open bids after `bid_timeout`.
    pub fn new(bid_timeout: Duration) -> Self {
        Self {
            bid_timeout_ms: u64::try_from(bid_timeout.as_millis()).unwrap_or(u64::MAX),
            orders: BTreeMap::new(),
        }
    }

    /// The phase of `id`, if tracked.
    pub fn phase(&self, id: &OrderId) -> Option<OrderPhase> {
        self.orders.get(id).copied()
    }

    /// Orders being evaluated or bid on (not won, not done): the bid engine's load.
    pub fn in_flight(&self) -> usize {
        self.orders
            .values()
            .filter(|p| {
                matches!(
                    p,
                    OrderPhase::Evaluating | OrderPhase::Bidding | OrderPhase::BidOpen { .. }
                )
            })
            .count()
    }

    /// Forgets a finished order (e.g. once the chain has pruned it).
    pub fn forget(&mut self, id: &OrderId) {
        if self.orders.get(id) == Some(&OrderPhase::Done) {
            self.orders.remove(id);
        }
    }

    /// Feeds one event; returns what to do.
    pub fn handle(&mut self, ev: OrderEvent) -> Vec<OrderAction> {
        use OrderAction as A;
        use OrderPhase as P;
        match ev {
            OrderEvent::OrderSeen { id, existing_bid_at } => self.seen(id, existing_bid_at),
            OrderEvent::Declined { id } => match self.orders.get(&id).copied() {
                Some(P::Evaluating) => {
                    self.orders.insert(id, P::Done);
                    vec![]
                }
                // A bid we already have on chain that we no longer want.
                Some(P::BidOpen { .. }) => {
                    self.orders.insert(id.clone(), P::Done);
                    vec![A::CloseBid(id.clone()), A::Release(id)]
                }
                _ => vec![],
            },
            OrderEvent::Ready { id, price_atto } => match self.orders.get(&id).copied() {
                Some(P::Evaluating) => {
                    self.orders.insert(id.clone(), P::Bidding);
                    vec![A::Bid { id, price_atto }]
                }
                // Re-reserved for an existing bid: keep it, no second bid.
                Some(P::BidOpen { .. } | P::Bidding) => vec![],
                // Finished or unknown: whatever was reserved is not needed.
                _ => vec![A::Release(id)],
            },
            OrderEvent::BidPlaced { id, at_ms } => match self.orders.get(&id).copied() {
                Some(P::Bidding) => {
                    self.orders.insert(id, P::BidOpen { at_ms });
                    vec![]
                }
                // The order ended while the tx was in flight: take the bid back.
                Some(P::Done) => vec![A::CloseBid(id)],
                _ => vec![],
            },
            OrderEvent::BidFailed { id } => match self.orders.get(&id).copied() {
                Some(P::Bidding) => {
                    self.orders.insert(id.clone(), P::Done);
                    vec![A::Release(id)]
                }
                _ => vec![],
            },
            OrderEvent::LeaseCreated { id, ours } => match self.orders.get(&id).copied() {
                Some(P::Bidding | P::BidOpen { .. }) if ours => {
                    self.orders.insert(id.clone(), P::Won);
                    vec![A::KeepReservation(id)]
                }
                Some(P::Evaluating | P::Bidding | P::BidOpen { .. }) => {
                    self.orders.insert(id.clone(), P::Done);
                    vec![A::Release(id)]
                }
                _ => vec![],
            },
            OrderEvent::BidClosed { id }
            | OrderEvent::OrderClosed { id }
            | OrderEvent::LeaseClosed { id } => match self.orders.get(&id).copied() {
                Some(P::Done) | None => vec![],
                Some(_) => {
                    self.orders.insert(id.clone(), P::Done);
                    vec![A::Release(id)]
                }
            },
            OrderEvent::Tick { now_ms } => self.expire(now_ms),
        }
    }

    /// A new order: evaluate it, or (our bid already on chain) re-reserve for that bid.
    fn seen(&mut self, id: OrderId, existing_bid_at: Option<u64>) -> Vec<OrderAction> {
        if self.orders.contains_key(&id) {
            return vec![];
        }
        match existing_bid_at {
            // Our bid is already on chain: re-reserve for it, but never bid again.
            Some(at_ms) => {
                self.orders.insert(id.clone(), OrderPhase::BidOpen { at_ms });
                vec![OrderAction::Evaluate(id)]
            }
            None => {
                self.orders.insert(id.clone(), OrderPhase::Evaluating);
                vec![OrderAction::Evaluate(id)]
            }
        }
    }

    /// Gives up open bids older than the bid timeout.
    fn expire(&mut self, now_ms: u64) -> Vec<OrderAction> {
        let mut out = Vec::new();
        for (id, phase) in self.orders.iter_mut() {
            if let OrderPhase::BidOpen { at_ms } = *phase {
                if now_ms.saturating_sub(at_ms) >= self.bid_timeout_ms {
                    *phase = OrderPhase::Done;
                    out.push(OrderAction::CloseBid(id.clone()));
                    out.push(OrderAction::Release(id.clone()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bidengine::testutil::order;

    fn tracker() -> OrderTracker {
        OrderTracker::new(Duration::from_secs(300))
    }

    fn bid_on(t: &mut OrderTracker, id: &OrderId, at_ms: u64) {
        assert_eq!(
            t.handle(OrderEvent::OrderSeen { id: id.clone(), existing_bid_at: None }),
            vec![OrderAction::Evaluate(id.clone())]
        );
        assert_eq!(
            t.handle(OrderEvent::Ready { id: id.clone(), price_atto: 7 }),
            vec![OrderAction::Bid { id: id.clone(), price_atto: 7 }]
        );
        assert_eq!(t.handle(OrderEvent::BidPlaced { id: id.clone(), at_ms }), vec![]);
    }

    #[test]
    fn tracker_never_bids_twice() {
        let mut t = tracker();
        let id = order(1);
        bid_on(&mut t, &id, 0);
        assert_eq!(
            t.handle(OrderEvent::OrderSeen { id: id.clone(), existing_bid_at: None }),
            vec![]
        );
        assert_eq!(t.handle(OrderEvent::Ready { id: id.clone(), price_atto: 7 }), vec![]);
        // A declined order is never evaluated again either.
        let id2 = order(2);
        t.handle(OrderEvent::OrderSeen { id: id2.clone(), existing_bid_at: None });
        assert_eq!(t.handle(OrderEvent::Declined { id: id2.clone() }), vec![]);
        assert_eq!(
            t.handle(OrderEvent::OrderSeen { id: id2.clone(), existing_bid_at: None }),
            vec![]
        );
        assert_eq!(
            t.handle(OrderEvent::Ready { id: id2.clone(), price_atto: 1 }),
            vec![OrderAction::Release(id2)]
        );
        // A bid found on chain by the catch-up is re-reserved, not placed again.
        let id3 = order(3);
        assert_eq!(
            t.handle(OrderEvent::OrderSeen { id: id3.clone(), existing_bid_at: Some(5) }),
            vec![OrderAction::Evaluate(id3.clone())]
        );
        assert_eq!(t.handle(OrderEvent::Ready { id: id3.clone(), price_atto: 1 }), vec![]);
        assert_eq!(t.phase(&id3), Some(OrderPhase::BidOpen { at_ms: 5 }));
    }

    #[test]
    fn tracker_keeps_won_and_releases_lost_closed_and_failed() {
        let mut t = tracker();
        let (won, lost, closed, bid_closed, failed) =
            (order(1), order(2), order(3), order(4), order(5));
        for id in [&won, &lost, &closed, &bid_closed] {
            bid_on(&mut t, id, 0);
        }
        assert_eq!(t.in_flight(), 4);
        assert_eq!(
            t.handle(OrderEvent::LeaseCreated { id: won.clone(), ours: true }),
            vec![OrderAction::KeepReservation(won.clone())]
        );
        assert_eq!(
            t.handle(OrderEvent::LeaseCreated { id: lost.clone(), ours: false }),
            vec![OrderAction::Release(lost.clone())]
        );
        assert_eq!(
            t.handle(OrderEvent::OrderClosed { id: closed.clone() }),
            vec![OrderAction::Release(closed.clone())]
        );
        assert_eq!(
            t.handle(OrderEvent::BidClosed { id: bid_closed.clone() }),
            vec![OrderAction::Release(bid_closed.clone())]
        );
        // Duplicate events do nothing.
        assert_eq!(t.handle(OrderEvent::OrderClosed { id: closed.clone() }), vec![]);
        t.handle(OrderEvent::OrderSeen { id: failed.clone(), existing_bid_at: None });
        t.handle(OrderEvent::Ready { id: failed.clone(), price_atto: 1 });
        assert_eq!(
            t.handle(OrderEvent::BidFailed { id: failed.clone() }),
            vec![OrderAction::Release(failed)]
        );
        // The won lease keeps its reservation through ticks until the lease closes.
        assert_eq!(t.handle(OrderEvent::Tick { now_ms: u64::MAX }), vec![]);
        assert_eq!(
            t.handle(OrderEvent::LeaseClosed { id: won.clone() }),
            vec![OrderAction::Release(won.clone())]
        );
        assert_eq!(t.in_flight(), 0);
        t.forget(&won);
        assert_eq!(t.phase(&won), None);
    }

    #[test]
    fn tracker_times_out_open_bids() {
        let mut t = tracker();
        let (old, young) = (order(1), order(2));
        bid_on(&mut t, &old, 1_000);
        bid_on(&mut t, &young, 200_000);
        assert_eq!(t.handle(OrderEvent::Tick { now_ms: 300_999 }), vec![]);
        assert_eq!(
            t.handle(OrderEvent::Tick { now_ms: 301_000 }),
            vec![OrderAction::CloseBid(old.clone()), OrderAction::Release(old.clone())]
        );
        assert_eq!(t.handle(OrderEvent::Tick { now_ms: 301_000 }), vec![]);
        // A lease event for a timed-out order changes nothing.
        assert_eq!(t.handle(OrderEvent::LeaseCreated { id: old, ours: true }), vec![]);
        assert_eq!(t.phase(&young), Some(OrderPhase::BidOpen { at_ms: 200_000 }));
    }

    #[test]
    fn a_bid_landing_after_the_order_ended_is_closed() {
        let mut t = tracker();
        let id = order(1);
        t.handle(OrderEvent::OrderSeen { id: id.clone(), existing_bid_at: None });
        t.handle(OrderEvent::Ready { id: id.clone(), price_atto: 1 });
        assert_eq!(
            t.handle(OrderEvent::OrderClosed { id: id.clone() }),
            vec![OrderAction::Release(id.clone())]
        );
        assert_eq!(
            t.handle(OrderEvent::BidPlaced { id: id.clone(), at_ms: 1 }),
            vec![OrderAction::CloseBid(id)]
        );
    }
}

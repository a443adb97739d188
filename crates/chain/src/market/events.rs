//! The market's events (`EventOrderCreated`, `EventOrderClosed`, `EventBidCreated`,
//! `EventBidClosed`, `EventBidLost`, `EventLeaseCreated`, `EventLeaseClosed`,
//! `EventLeaseReclaimStarted`, `EventLeaseWithdrawn`, and `EventEscrowExhausted` from end
//! block): the attributes every event of a record starts with, and record labels.

use dcloud_types::Event;

use super::types::{Bid, Lease, Order};

/// `owner/dseq/gseq/oseq`.
#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn order_label(o: &Order) -> String {
    format!("{}/{}/{}/{}", o.owner, o.dseq, o.gseq, o.oseq)
}

/// `owner/dseq/gseq/oseq/provider`.
#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn bid_label(b: &Bid) -> String {
    format!("{}/{}/{}/{}/{}", b.owner, b.dseq, b.gseq, b.oseq, b.provider)
}

/// An order event with the order's id attributes.
#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn order_event(kind: &str, o: &Order) -> Event {
    Event::new(kind)
        .attr("owner", &o.owner)
        .attr("dseq", o.dseq)
        .attr("gseq", o.gseq)
        .attr("oseq", o.oseq)
}

/// A bid event with the bid's id attributes.
#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn bid_event(kind: &str, b: &Bid) -> Event {
    Event::new(kind)
        .attr("owner", &b.owner)
        .attr("dseq", b.dseq)
        .attr("gseq", b.gseq)
        .attr("oseq", b.oseq)
        .attr("provider", &b.provider)
}

/// A lease event with the lease's id attributes.
#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn lease_event(kind: &str, l: &Lease) -> Event {
    Event::new(kind)
        .attr("owner", &l.owner)
        .attr("dseq", l.dseq)
        .attr("gseq", l.gseq)
        .attr("oseq", l.oseq)
        .attr("provider", &l.provider)
}

//! Every store key of gov: `0x70 ‖ id(8 BE)` → proposal, `0x71 ‖ id ‖ len ‖ depositor` →
//! deposit, `0x72 ‖ id ‖ len ‖ voter` → vote, `0x73` → next id, `0x74 ‖ id` → active index,
//! `0x75` → upgrade plan, `0x76` → Σ burned.

use dcloud_types::AccAddress;

/// Proposals by id.
pub(crate) const PROPOSAL: u8 = 0x70;
/// Deposits by proposal then depositor.
pub(crate) const DEPOSIT: u8 = 0x71;
/// Votes by proposal then voter.
pub(crate) const VOTE: u8 = 0x72;
/// The next proposal id.
pub(crate) const NEXT_ID: &[u8] = &[0x73];
/// Proposals in their deposit or voting period, by id.
pub(crate) const ACTIVE: u8 = 0x74;
/// The scheduled upgrade plan.
pub(crate) const UPGRADE_PLAN: &[u8] = &[0x75];
/// Σ uakt burned from deposits.
pub(crate) const TOTAL_BURNED: &[u8] = &[0x76];

pub(crate) fn proposal_key(id: u64) -> Vec<u8> {
    let mut k = vec![PROPOSAL];
    k.extend_from_slice(&id.to_be_bytes());
    k
}

pub(crate) fn active_key(id: u64) -> Vec<u8> {
    let mut k = vec![ACTIVE];
    k.extend_from_slice(&id.to_be_bytes());
    k
}

pub(crate) fn sub_prefix(prefix: u8, id: u64) -> Vec<u8> {
    let mut k = vec![prefix];
    k.extend_from_slice(&id.to_be_bytes());
    k
}

pub(crate) fn sub_key(prefix: u8, id: u64, a: &AccAddress) -> Vec<u8> {
    let mut k = sub_prefix(prefix, id);
    k.extend(crate::dec::lp(a.as_bytes()));
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_proposal_id() {
        assert!(proposal_key(1) < proposal_key(2) && proposal_key(255) < proposal_key(256));
        let a = AccAddress::module("x");
        assert!(sub_key(VOTE, 7, &a).starts_with(&sub_prefix(VOTE, 7)));
        assert_eq!(active_key(3)[0], ACTIVE);
    }
}

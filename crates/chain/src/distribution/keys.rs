//! Every store key of the distribution module (see the layout in the module doc); no key
//! bytes anywhere else.

use dcloud_types::AccAddress;

use crate::dec::lp;

pub(crate) const VAL: u8 = 0x60;
pub(crate) const HIST: u8 = 0x61;
pub(crate) const START: u8 = 0x62;
pub(crate) const WITHDRAW: u8 = 0x63;
pub(crate) const FEE_POOL: &[u8] = &[0x64];
pub(crate) const SLASH_EVENT: u8 = 0x65;

pub(crate) fn val_key(v: &AccAddress) -> Vec<u8> {
    let mut k = vec![VAL];
    k.extend(lp(v.as_bytes()));
    k
}

pub(crate) fn hist_key(v: &AccAddress, period: u64) -> Vec<u8> {
    let mut k = vec![HIST];
    k.extend(lp(v.as_bytes()));
    k.extend_from_slice(&period.to_be_bytes());
    k
}

pub(crate) fn start_key(d: &AccAddress, v: &AccAddress) -> Vec<u8> {
    let mut k = vec![START];
    k.extend(lp(d.as_bytes()));
    k.extend(lp(v.as_bytes()));
    k
}

pub(crate) fn slash_prefix(v: &AccAddress) -> Vec<u8> {
    let mut k = vec![SLASH_EVENT];
    k.extend(lp(v.as_bytes()));
    k
}

pub(crate) fn withdraw_key(d: &AccAddress) -> Vec<u8> {
    let mut k = vec![WITHDRAW];
    k.extend(lp(d.as_bytes()));
    k
}

/// The prefix of a validator's historical rewards.
pub(crate) fn hist_prefix(v: &AccAddress) -> Vec<u8> {
    let mut p = vec![HIST];
    p.extend(lp(v.as_bytes()));
    p
}

/// The key of a validator's slash event ending `period`.
pub(crate) fn slash_event_key(v: &AccAddress, period: u64) -> Vec<u8> {
    let mut k = slash_prefix(v);
    k.extend_from_slice(&period.to_be_bytes());
    k
}

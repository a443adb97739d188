//! Every store key of the staking module (see the layout in the module doc); no key bytes
//! anywhere else.

use dcloud_types::AccAddress;

use crate::dec::lp;
use crate::AppError;

pub(crate) const VALIDATOR: u8 = 0x50;
pub(crate) const BY_CONS: u8 = 0x51;
pub(crate) const DELEGATION: u8 = 0x52;
pub(crate) const UNBONDING: u8 = 0x53;
pub(crate) const UNBONDING_QUEUE: u8 = 0x54;
pub(crate) const REDELEGATION: u8 = 0x55;
pub(crate) const REDELEGATION_QUEUE: u8 = 0x56;
pub(crate) const VALIDATOR_QUEUE: u8 = 0x57;
pub(crate) const LAST_POWERS: &[u8] = &[0x58];
pub(crate) const SLASHED_TOTAL: &[u8] = &[0x59];

pub(crate) fn validator_key(op: &AccAddress) -> Vec<u8> {
    let mut k = vec![VALIDATOR];
    k.extend(lp(op.as_bytes()));
    k
}

pub(crate) fn cons_key(cons: &str) -> Vec<u8> {
    let mut k = vec![BY_CONS];
    k.extend_from_slice(cons.to_uppercase().as_bytes());
    k
}

pub(crate) fn pair(a: &AccAddress, b: &AccAddress) -> Vec<u8> {
    let mut k = lp(a.as_bytes());
    k.extend(lp(b.as_bytes()));
    k
}

pub(crate) fn delegation_key(del: &AccAddress, val: &AccAddress) -> Vec<u8> {
    let mut k = vec![DELEGATION];
    k.extend(pair(del, val));
    k
}

pub(crate) fn unbonding_key(del: &AccAddress, val: &AccAddress) -> Vec<u8> {
    let mut k = vec![UNBONDING];
    k.extend(pair(del, val));
    k
}

pub(crate) fn redelegation_key(del: &AccAddress, src: &AccAddress, dst: &AccAddress) -> Vec<u8> {
    let mut k = vec![REDELEGATION];
    k.extend(pair(del, src));
    k.extend(lp(dst.as_bytes()));
    k
}

pub(crate) fn queue_key(prefix: u8, time_ms: u64, rest: &[u8]) -> Vec<u8> {
    let mut k = vec![prefix];
    k.extend_from_slice(&time_ms.to_be_bytes());
    k.extend_from_slice(rest);
    k
}

pub(crate) fn addr_at(k: &[u8], pos: usize) -> Result<(AccAddress, usize), AppError> {
    let len = *k.get(pos).ok_or_else(|| AppError::ChainState("short staking key".into()))?;
    let end = pos + 1 + len as usize;
    let b = k.get(pos + 1..end).ok_or_else(|| AppError::ChainState("short staking key".into()))?;
    let a = AccAddress::from_bytes(b)
        .map_err(|e| AppError::ChainState(format!("bad address in staking key: {e}")))?;
    Ok((a, end))
}

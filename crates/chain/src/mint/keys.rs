//! Every store key of the mint module: the minter record (`0x6A`).

/// The minter record's key.
pub(crate) const MINTER: &[u8] = &[0x6A];

//! The consensus module's store keys (prefix `0xF0`, consensus-visible globals).

/// The validator set.
pub(super) const VALIDATORS: &[u8] = b"\xF0validators";
/// Who signed the previous block.
pub(super) const LAST_COMMIT: &[u8] = b"\xF0last_commit";

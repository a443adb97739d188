//! Deterministic gas metering. Every state access and every tx byte has a fixed price
//! (the Cosmos SDK's KV gas table), so the same tx uses the same gas on every node.

use std::cell::Cell;

use dcloud_store::{KvPair, StateRead, StateWrite, StoreError};

/// The gas table.
#[derive(Debug, Clone, Copy)]
pub struct GasTable {
    /// Flat cost of a read.
    pub read_flat: u64,
    /// Cost per byte read (key + value).
    pub read_per_byte: u64,
    /// Flat cost of a write.
    pub write_flat: u64,
    /// Cost per byte written (key + value).
    pub write_per_byte: u64,
    /// Flat cost of a delete.
    pub delete: u64,
    /// Cost per entry returned by a range scan.
    pub iter_next: u64,
}

/// The gas table in force.
pub const GAS_TABLE: GasTable = GasTable {
    read_flat: 1000,
    read_per_byte: 3,
    write_flat: 2000,
    write_per_byte: 30,
    delete: 1000,
    iter_next: 30,
};

/// Counts gas against a limit. Once exhausted it stays exhausted.
#[derive(Debug)]
pub struct GasMeter {
    limit: u64,
    used: Cell<u64>,
    out: Cell<bool>,
}

impl GasMeter {
    /// A meter with `limit` gas.
    pub fn new(limit: u64) -> Self {
        Self { limit, used: Cell::new(0), out: Cell::new(false) }
    }
    /// An effectively unlimited meter (genesis, begin/end block).
    pub fn infinite() -> Self {
        Self::new(u64::MAX)
    }
    /// Charges `amount`; returns false once the limit is passed.
    pub fn consume(&self, amount: u64) -> bool {
        let used = self.used.get().saturating_add(amount);
        self.used.set(used);
        if used > self.limit {
            self.out.set(true);
        }
        !self.out.get()
    }
    /// Gas consumed so far (may exceed the limit once out of gas).
    pub fn used(&self) -> u64 {
        self.used.get()
    }
    /// Gas reported as used: never above the limit.
    pub fn used_capped(&self) -> u64 {
        self.used.get().min(self.limit)
    }
    /// The limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }
    /// True once the limit was passed.
    pub fn is_out(&self) -> bool {
        self.out.get()
    }
}

/// A state handle that charges gas for every access.
#[derive(Debug)]
pub struct GasState<'m, S> {
    inner: S,
    meter: &'m GasMeter,
}

impl<'m, S> GasState<'m, S> {
    /// Wraps `inner`, charging `meter`.
    pub fn new(inner: S, meter: &'m GasMeter) -> Self {
        Self { inner, meter }
    }
    /// Unwraps.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: StateRead> StateRead for GasState<'_, S> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let v = self.inner.get(key)?;
        let len = key.len() + v.as_ref().map_or(0, Vec::len);
        self.meter.consume(GAS_TABLE.read_flat + GAS_TABLE.read_per_byte * len as u64);
        Ok(v)
    }
    fn prefix_range(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        let v = self.inner.prefix_range(prefix, start_after, limit)?;
        let bytes: usize = v.iter().map(|(k, v)| k.len() + v.len()).sum();
        self.meter.consume(
            GAS_TABLE.read_flat
                + GAS_TABLE.iter_next * v.len() as u64
                + GAS_TABLE.read_per_byte * bytes as u64,
        );
        Ok(v)
    }
}

impl<S: StateWrite> StateWrite for GasState<'_, S> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.meter.consume(
            GAS_TABLE.write_flat + GAS_TABLE.write_per_byte * (key.len() + value.len()) as u64,
        );
        self.inner.put(key, value)
    }
    fn delete(&mut self, key: Vec<u8>) {
        self.meter.consume(GAS_TABLE.delete);
        self.inner.delete(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_store::{EmptyState, Overlay};

    #[test]
    fn meter_runs_out_and_stays_out() {
        let m = GasMeter::new(5000);
        let mut s = GasState::new(Overlay::new(EmptyState), &m);
        s.put(b"k".to_vec(), b"v".to_vec());
        assert_eq!(m.used(), 2000 + 60);
        assert!(!m.is_out());
        s.put(b"k".to_vec(), b"v".to_vec());
        s.put(b"k".to_vec(), b"v".to_vec());
        assert!(m.is_out());
        assert_eq!(m.used_capped(), 5000);
    }
}

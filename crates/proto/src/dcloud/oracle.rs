//! `dcloud.oracle.v1`: authorised price sources publish the AKT/USD price.

/// Type URL of [`MsgSubmitPrice`].
pub const MSG_SUBMIT_PRICE_URL: &str = "/dcloud.oracle.v1.MsgSubmitPrice";

/// An authorised source publishes one price observation.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgSubmitPrice {
    /// The source (signer); must be listed in the oracle params.
    #[prost(string, tag = "1")]
    pub source: String,
    /// Asset denom, normalised (`akt`).
    #[prost(string, tag = "2")]
    pub denom: String,
    /// Quote denom (`usd`).
    #[prost(string, tag = "3")]
    pub base_denom: String,
    /// Price as a decimal string with at most 18 decimals (`"0.4625"`), > 0.
    #[prost(string, tag = "4")]
    pub price: String,
    /// Observation time (ms since the Unix epoch); 0 = the block time of the block that
    /// includes it. Must not be older than the source's previous observation nor too far
    /// ahead of the block time.
    #[prost(uint64, tag = "5")]
    pub timestamp_ms: u64,
}

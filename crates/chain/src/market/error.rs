//! `MarketError`: the errors only the market raises, under the `market` codespace with
//! the Akash `x/market` codes. Converted into [`AppError`](crate::AppError) by `?`.

/// The market's codespace.
pub const CODESPACE: &str = "market";

/// An error only the market raises.
#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    /// Order not found (market 2).
    #[error("order not found: {0}")]
    OrderNotFound(String),
    /// Order not open (market 3).
    #[error("order not open: {0}")]
    OrderNotOpen(String),
    /// Bid already exists (market 4).
    #[error("bid already exists: {0}")]
    BidExists(String),
    /// Bid not found (market 5).
    #[error("bid not found: {0}")]
    BidNotFound(String),
    /// Invalid bid state (market 6).
    #[error("invalid bid state: {0}")]
    BidState(String),
    /// Bid price above the order's maximum (market 7).
    #[error("bid price above the order's maximum: {0}")]
    BidPriceTooHigh(String),
    /// Bid price denom mismatch (market 8).
    #[error("bid price denom mismatch: {0}")]
    BidPriceDenom(String),
    /// Provider not registered (market 9).
    #[error("provider not registered: {0}")]
    ProviderNotRegistered(String),
    /// Provider lacks required attributes (market 10).
    #[error("provider lacks required attributes: {0}")]
    AttributesMismatch(String),
    /// Provider lacks required audits (market 11).
    #[error("provider lacks required audits: {0}")]
    AuditMissing(String),
    /// Bid deposit too low (market 12).
    #[error("bid deposit too low: {0}")]
    BidDepositTooLow(String),
    /// Too many bids (market 13).
    #[error("too many bids: {0}")]
    TooManyBids(String),
    /// Lease not found (market 14).
    #[error("lease not found: {0}")]
    LeaseNotFound(String),
    /// Invalid lease state (market 15).
    #[error("invalid lease state: {0}")]
    LeaseState(String),
    /// Invalid bid (market 16).
    #[error("invalid bid: {0}")]
    InvalidBid(String),
}

impl MarketError {
    /// The ABCI code under [`CODESPACE`] (stable: changing one is a breaking change).
    pub fn code(&self) -> u32 {
        match self {
            MarketError::OrderNotFound(_) => 2,
            MarketError::OrderNotOpen(_) => 3,
            MarketError::BidExists(_) => 4,
            MarketError::BidNotFound(_) => 5,
            MarketError::BidState(_) => 6,
            MarketError::BidPriceTooHigh(_) => 7,
            MarketError::BidPriceDenom(_) => 8,
            MarketError::ProviderNotRegistered(_) => 9,
            MarketError::AttributesMismatch(_) => 10,
            MarketError::AuditMissing(_) => 11,
            MarketError::BidDepositTooLow(_) => 12,
            MarketError::TooManyBids(_) => 13,
            MarketError::LeaseNotFound(_) => 14,
            MarketError::LeaseState(_) => 15,
            MarketError::InvalidBid(_) => 16,
        }
    }

    /// The codespace, `market`.
    pub fn codespace(&self) -> &'static str {
        CODESPACE
    }

    /// Whether the error says a record does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            MarketError::OrderNotFound(_)
                | MarketError::BidNotFound(_)
                | MarketError::LeaseNotFound(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AppError;

    #[test]
    fn text_code_and_codespace_survive_the_conversion() {
        let e: AppError = MarketError::InvalidBid("price is zero".into()).into();
        assert_eq!(e.to_string(), "invalid bid: price is zero");
        assert_eq!((e.code(), e.codespace()), (16, "market"));
        let e: AppError = MarketError::OrderNotFound("x".into()).into();
        assert_eq!((e.code(), e.codespace()), (2, "market"));
    }
}

//! Errors of the state machine. Every error maps to a stable ABCI code under a codespace,
//! numbered as in the Cosmos SDK so that existing tools recognise them.

#[cfg(feature = "state")]
use dcloud_store::StoreError;
use dcloud_types::CoinError;

/// The codespace of the SDK-level errors.
pub const SDK_CODESPACE: &str = "sdk";

/// An error from tx processing, a module or a query.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The tx could not be decoded.
    #[error("tx parse error: {0}")]
    TxDecode(String),
    /// Sequence mismatch (replay or gap).
    #[error(
        "account sequence mismatch, expected {expected}, got {got}: incorrect account sequence"
    )]
    WrongSequence {
        /// Expected sequence.
        expected: u64,
        /// Sequence in the tx.
        got: u64,
    },
    /// Bad signature, or a signer that is not the message sender.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Not enough funds for an amount or fee.
    #[error("insufficient funds: {0}")]
    InsufficientFunds(String),
    /// An unknown query path or message route.
    #[error("unknown request: {0}")]
    UnknownRequest(String),
    /// A malformed or wrong-prefix address.
    #[error("invalid address: {0}")]
    InvalidAddress(String),
    /// A public key that is malformed or does not match the account.
    #[error("invalid pubkey: {0}")]
    InvalidPubKey(String),
    /// An address with no account on chain.
    #[error("unknown address: {0}")]
    UnknownAddress(String),
    /// Zero, negative, malformed or duplicate coins.
    #[error("invalid coins: {0}")]
    InvalidCoins(String),
    /// Gas ran out.
    #[error("out of gas: gas limit {limit}, gas used at least {used}")]
    OutOfGas {
        /// The tx's gas limit.
        limit: u64,
        /// Gas consumed when it ran out.
        used: u64,
    },
    /// The memo is too long.
    #[error("memo too large: {len} bytes, maximum {max}")]
    MemoTooLarge {
        /// Memo length.
        len: usize,
        /// Maximum allowed.
        max: usize,
    },
    /// The fee is below the minimum.
    #[error("insufficient fee: {0}")]
    InsufficientFee(String),
    /// A request that is otherwise malformed.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The tx is too big.
    #[error("tx too large: {0}")]
    TxTooLarge(String),
    /// Sending is disabled for a denom.
    #[error("send is disabled for denom {0}")]
    SendDisabled(String),
    /// The tx's timeout height has passed.
    #[error("tx timeout height {timeout} is below the current height {height}")]
    TxTimeout {
        /// Timeout height in the tx.
        timeout: u64,
        /// Current block height.
        height: u64,
    },
    /// The genesis file is invalid.
    #[error("invalid genesis:\n  - {}", .0.join("\n  - "))]
    InvalidGenesis(Vec<String>),
    /// The chain was already initialised, or not yet.
    #[error("invalid chain state: {0}")]
    ChainState(String),
    /// A chain invariant broke. This halts the node.
    #[error("invariant broken: {0}")]
    Invariant(String),
    /// Staking is not enabled on this chain (a genesis without `app_state.staking`) (staking 1).
    #[error("staking is not enabled on this chain: {0}")]
    StakingDisabled(String),
    /// Staking: no such validator (staking 3).
    #[error("validator does not exist: {0}")]
    ValidatorNotFound(String),
    /// A scheduled software upgrade is due: the chain halts (upgrade 1).
    #[error("{0}")]
    UpgradeNeeded(String),
    // authz, oracle, bme, gov: the module errors (helper h8)
    /// An authz error.
    #[error(transparent)]
    Authz(#[from] crate::authz::AuthzError),
    /// An oracle error.
    #[error(transparent)]
    Oracle(#[from] crate::oracle::OracleError),
    /// A BME error.
    #[error(transparent)]
    Bme(#[from] crate::bme::BmeError),
    /// A gov error.
    #[error(transparent)]
    Gov(#[from] crate::gov::GovError),
    // end authz, oracle, bme, gov
    // market, deployment, escrow
    /// An error only the market module raises (its own codes and codespace).
    #[error(transparent)]
    Market(#[from] crate::market::MarketError),
    /// An error only the deployment module raises (its own codes and codespace).
    #[error(transparent)]
    Deployment(#[from] crate::deployment::DeploymentError),
    /// An error only the escrow module raises (its own codes and codespace).
    #[error(transparent)]
    Escrow(#[from] crate::escrow::EscrowError),
    /// The store failed.
    #[cfg(feature = "state")]
    #[error(transparent)]
    Store(#[from] StoreError),
    // provider
    /// A provider module error (codespace `provider`).
    #[error(transparent)]
    Provider(#[from] crate::provider::ProviderError),
    // audit
    /// An audit module error (codespace `audit`).
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    // cert
    /// A cert module error (codespace `cert`).
    #[error(transparent)]
    Cert(#[from] crate::cert::CertError),
    // staking, slashing, distribution
    /// A failure only the staking module raises (codespace `staking`).
    #[error(transparent)]
    Staking(#[from] crate::staking::StakingError),
    /// A failure only the slashing module raises (codespace `slashing`).
    #[error(transparent)]
    Slashing(#[from] crate::slashing::SlashingError),
    /// A failure only the distribution module raises (codespace `distribution`).
    #[error(transparent)]
    Distribution(#[from] crate::distribution::DistributionError),
}

impl AppError {
    /// The stable ABCI code (Cosmos SDK numbering).
    pub fn code(&self) -> u32 {
        match self {
            // authz, oracle, bme, gov
            AppError::Authz(e) => e.code(),
            AppError::Oracle(e) => e.code(),
            AppError::Bme(e) => e.code(),
            AppError::Gov(e) => e.code(),
            // end authz, oracle, bme, gov
            AppError::Market(e) => e.code(),
            AppError::Deployment(e) => e.code(),
            AppError::Escrow(e) => e.code(),
            AppError::TxDecode(_) => 2,
            AppError::WrongSequence { .. } => 32,
            AppError::Unauthorized(_) => 4,
            AppError::InsufficientFunds(_) => 5,
            AppError::UnknownRequest(_) => 6,
            AppError::InvalidAddress(_) => 7,
            AppError::InvalidPubKey(_) => 8,
            AppError::UnknownAddress(_) => 9,
            AppError::InvalidCoins(_) => 10,
            AppError::OutOfGas { .. } => 11,
            AppError::MemoTooLarge { .. } => 12,
            AppError::InsufficientFee(_) => 13,
            AppError::InvalidRequest(_) => 18,
            AppError::TxTooLarge(_) => 21,
            AppError::SendDisabled(_) => 22,
            AppError::TxTimeout { .. } => 30,
            AppError::InvalidGenesis(_) => 26,
            AppError::ChainState(_) => 27,
            AppError::Invariant(_) => 28,
            #[cfg(feature = "state")]
            AppError::Store(_) => 1,
            // provider
            AppError::Provider(e) => e.code(),
            // audit
            AppError::Audit(e) => e.code(),
            // cert
            AppError::Cert(e) => e.code(),
            AppError::StakingDisabled(_) => 1,
            AppError::ValidatorNotFound(_) => 3,
            AppError::UpgradeNeeded(_) => 1,
            // staking, slashing, distribution
            AppError::Staking(e) => e.code(),
            AppError::Slashing(e) => e.code(),
            AppError::Distribution(e) => e.code(),
        }
    }

    /// The codespace of the code.
    pub fn codespace(&self) -> &'static str {
        match self {
            // authz, oracle, bme, gov
            AppError::Authz(e) => e.codespace(),
            AppError::Oracle(e) => e.codespace(),
            AppError::Bme(e) => e.codespace(),
            AppError::Gov(e) => e.codespace(),
            AppError::Market(e) => e.codespace(),
            AppError::Deployment(e) => e.codespace(),
            AppError::Escrow(e) => e.codespace(),
            // end authz, oracle, bme, gov
            AppError::SendDisabled(_) => "bank",
            // provider
            AppError::Provider(e) => e.codespace(),
            // audit
            AppError::Audit(e) => e.codespace(),
            // cert
            AppError::Cert(e) => e.codespace(),
            AppError::StakingDisabled(_) | AppError::ValidatorNotFound(_) => "staking",
            AppError::UpgradeNeeded(_) => "upgrade",
            // staking, slashing, distribution
            AppError::Staking(e) => e.codespace(),
            AppError::Slashing(e) => e.codespace(),
            AppError::Distribution(e) => e.codespace(),
            _ => SDK_CODESPACE,
        }
    }
}

impl From<CoinError> for AppError {
    fn from(e: CoinError) -> Self {
        match e {
            CoinError::Insufficient { .. } => AppError::InsufficientFunds(e.to_string()),
            other => AppError::InvalidCoins(other.to_string()),
        }
    }
}

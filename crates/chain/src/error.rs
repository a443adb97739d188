//! Errors of the state machine. Every error maps to a stable ABCI code under a codespace,
//! numbered as in the Cosmos SDK so that existing tools recognise them.

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
    /// Provider: the signer is already registered.
    #[error("provider already exists: {0}")]
    ProviderExists(String),
    /// Provider: no such provider.
    #[error("provider not found: {0}")]
    ProviderNotFound(String),
    /// Provider: a host URI that is not `https://host[:port]`.
    #[error("invalid provider host URI: {0}")]
    InvalidProviderUri(String),
    /// Provider: malformed, duplicate or too many attributes.
    #[error("invalid attributes: {0}")]
    InvalidAttributes(String),
    /// Provider: malformed e-mail or website.
    #[error("invalid provider info: {0}")]
    InvalidProviderInfo(String),
    /// Audit: malformed, duplicate or too many attributes or keys.
    #[error("invalid audit attributes: {0}")]
    AuditInvalidAttributes(String),
    /// Audit: the auditor keeps no record on that provider.
    #[error("audit record not found: {0}")]
    AuditRecordNotFound(String),
    /// Audit: a key the auditor did not sign.
    #[error("audited attribute not found: {0}")]
    AuditAttributeNotFound(String),
    /// Cert: malformed PEM or X.509, wrong key type, bad signature.
    #[error("invalid certificate: {0}")]
    InvalidCertificate(String),
    /// Cert: the subject common name is not the owner's address.
    #[error("certificate subject CN does not match the owner: {0}")]
    CertificateCnMismatch(String),
    /// Cert: (owner, serial) already published, in any state.
    #[error("certificate already exists: {0}")]
    CertificateExists(String),
    /// Cert: no such certificate.
    #[error("certificate not found: {0}")]
    CertificateNotFound(String),
    /// Cert: already revoked.
    #[error("certificate already revoked: {0}")]
    CertificateRevoked(String),
    /// Authz: no such grant (authz 2).
    #[error("authorization not found: {0}")]
    AuthzNotFound(String),
    /// Authz: an expiration not after the block time (authz 3).
    #[error("expiration time of authorization should be more than current time: {0}")]
    AuthzInvalidExpiration(String),
    /// Authz: an authorization type the chain does not support (authz 4).
    #[error("unknown authorization type: {0}")]
    AuthzUnknownType(String),
    /// Authz: granter and grantee are the same (authz 7).
    #[error("grantee and granter should be different: {0}")]
    AuthzGranteeIsGranter(String),
    /// Oracle: the signer is not an authorised price source (oracle 2).
    #[error("not authorized oracle provider: {0}")]
    OracleUnauthorized(String),
    /// Oracle: a malformed, zero or out-of-range price, or an unsupported pair (oracle 3).
    #[error("invalid price: {0}")]
    InvalidPrice(String),
    /// Oracle: the aggregated price is stale, deviating or absent (oracle 4).
    #[error("oracle price unavailable: {0}")]
    PriceUnavailable(String),
    /// Oracle: a timestamp older than the source's latest, or too far in the future (oracle 5).
    #[error("invalid price timestamp: {0}")]
    PriceTimestamp(String),
    /// BME: mints are halted by the circuit breaker (bme 2).
    #[error("circuit breaker is active: {0}")]
    CircuitBreakerActive(String),
    /// BME: a denom pair other than uakt↔uact (bme 3).
    #[error("invalid denom: {0}")]
    BmeInvalidDenom(String),
    /// BME: the conversion would mint less than the minimum (bme 4).
    #[error("below minimum mint: {0}")]
    BelowMinimumMint(String),
    /// BME: the conversion rounds to nothing (bme 5).
    #[error("amount too small to convert: {0}")]
    ConversionEpsilon(String),
    /// Staking is not enabled on this chain (a genesis without `app_state.staking`) (staking 1).
    #[error("staking is not enabled on this chain: {0}")]
    StakingDisabled(String),
    /// Staking: no such validator (staking 3).
    #[error("validator does not exist: {0}")]
    ValidatorNotFound(String),
    /// Staking: the operator or the consensus key already has a validator (staking 4).
    #[error("validator already exists: {0}")]
    ValidatorExists(String),
    /// Staking: commission rates out of range (staking 11).
    #[error("invalid commission: {0}")]
    InvalidCommission(String),
    /// Staking: the commission was changed less than 24 h ago (staking 12).
    #[error("commission cannot be changed more than once in 24h: {0}")]
    CommissionUpdateTooSoon(String),
    /// Staking: the commission change exceeds the validator's max change rate (staking 15).
    #[error("commission change exceeds the max change rate: {0}")]
    CommissionChangeTooLarge(String),
    /// Staking: no delegation (staking 19).
    #[error("no delegation for (address, validator) tuple: {0}")]
    DelegationNotFound(String),
    /// Staking: more than is delegated (staking 22).
    #[error("invalid shares amount: {0}")]
    InsufficientShares(String),
    /// Staking: redelegation to the same validator (staking 31).
    #[error("cannot redelegate to the same validator: {0}")]
    SelfRedelegation(String),
    /// Staking: redelegation from a validator whose incoming redelegation is maturing (staking 33).
    #[error("redelegation to this validator already in progress; first redelegation to this validator must complete before next redelegation: {0}")]
    TransitiveRedelegation(String),
    /// Staking: too many unbonding or redelegation entries (staking 34).
    #[error("too many unbonding delegation entries for (delegator, validator) tuple: {0}")]
    MaxEntries(String),
    /// Staking: the validator is jailed (staking 7).
    #[error("validator for this address is currently jailed: {0}")]
    ValidatorJailed(String),
    /// Staking: no unbonding delegation (entry) matches (staking 26).
    #[error("no unbonding delegation found: {0}")]
    NoUnbondingDelegation(String),
    /// Staking: the amount or the validator's state does not allow it (staking 40).
    #[error("invalid staking request: {0}")]
    InvalidStaking(String),
    /// Distribution: no such delegation or validator distribution info (distribution 2).
    #[error("no distribution info: {0}")]
    NoDistributionInfo(String),
    /// Distribution: withdraw-address changes are disabled (distribution 5).
    #[error("set withdraw address disabled: {0}")]
    WithdrawAddressDisabled(String),
    /// Gov: no such proposal (gov 2).
    #[error("unknown proposal: {0}")]
    GovUnknownProposal(String),
    /// Gov: the proposal is not in the right period (gov 3).
    #[error("inactive proposal: {0}")]
    GovInactiveProposal(String),
    /// Gov: a proposal's content or messages are invalid (gov 5).
    #[error("invalid proposal content: {0}")]
    GovInvalidProposal(String),
    /// Gov: an invalid vote option or weight (gov 7).
    #[error("invalid vote option: {0}")]
    GovInvalidVote(String),
    /// Gov: a governance-only message not signed by the gov module account (gov 12).
    #[error("expected gov account as only signer for proposal message: {0}")]
    GovInvalidSigner(String),
    /// Gov: the initial deposit is below the minimum (gov 14).
    #[error("minimum deposit is too small: {0}")]
    GovMinDepositTooSmall(String),
    /// Slashing: the validator is not jailed (slashing 5).
    #[error("validator not jailed; cannot be unjailed: {0}")]
    SlashingNotJailed(String),
    /// Slashing: still jailed (jail time not over, or tombstoned) (slashing 4).
    #[error("validator still jailed; cannot be unjailed: {0}")]
    SlashingStillJailed(String),
    /// A scheduled software upgrade is due: the chain halts (upgrade 1).
    #[error("{0}")]
    UpgradeNeeded(String),
    // market
    /// An error only the market module raises (its own codes and codespace).
    #[error(transparent)]
    Market(#[from] crate::market::MarketError),
    // deployment
    /// An error only the deployment module raises (its own codes and codespace).
    #[error(transparent)]
    Deployment(#[from] crate::deployment::DeploymentError),
    // escrow
    /// An error only the escrow module raises (its own codes and codespace).
    #[error(transparent)]
    Escrow(#[from] crate::escrow::EscrowError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    /// The stable ABCI code (Cosmos SDK numbering).
    pub fn code(&self) -> u32 {
        match self {
            // market
            AppError::Market(e) => e.code(),
            // deployment
            AppError::Deployment(e) => e.code(),
            // escrow
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
            AppError::Store(_) => 1,
            AppError::ProviderExists(_) => 2,
            AppError::ProviderNotFound(_) => 3,
            AppError::InvalidProviderUri(_) => 4,
            AppError::InvalidAttributes(_) => 5,
            AppError::InvalidProviderInfo(_) => 6,
            AppError::AuditInvalidAttributes(_) => 2,
            AppError::AuditRecordNotFound(_) => 3,
            AppError::AuditAttributeNotFound(_) => 4,
            AppError::InvalidCertificate(_) => 2,
            AppError::CertificateCnMismatch(_) => 3,
            AppError::CertificateExists(_) => 4,
            AppError::CertificateNotFound(_) => 5,
            AppError::CertificateRevoked(_) => 6,
            AppError::AuthzNotFound(_) => 2,
            AppError::AuthzInvalidExpiration(_) => 3,
            AppError::AuthzUnknownType(_) => 4,
            AppError::AuthzGranteeIsGranter(_) => 7,
            AppError::OracleUnauthorized(_) => 2,
            AppError::InvalidPrice(_) => 3,
            AppError::PriceUnavailable(_) => 4,
            AppError::PriceTimestamp(_) => 5,
            AppError::CircuitBreakerActive(_) => 2,
            AppError::BmeInvalidDenom(_) => 3,
            AppError::BelowMinimumMint(_) => 4,
            AppError::ConversionEpsilon(_) => 5,
            AppError::StakingDisabled(_) => 1,
            AppError::ValidatorNotFound(_) => 3,
            AppError::ValidatorExists(_) => 4,
            AppError::InvalidCommission(_) => 11,
            AppError::CommissionUpdateTooSoon(_) => 12,
            AppError::CommissionChangeTooLarge(_) => 15,
            AppError::DelegationNotFound(_) => 19,
            AppError::InsufficientShares(_) => 22,
            AppError::SelfRedelegation(_) => 31,
            AppError::TransitiveRedelegation(_) => 33,
            AppError::MaxEntries(_) => 34,
            AppError::InvalidStaking(_) => 40,
            AppError::ValidatorJailed(_) => 7,
            AppError::NoUnbondingDelegation(_) => 26,
            AppError::NoDistributionInfo(_) => 2,
            AppError::WithdrawAddressDisabled(_) => 5,
            AppError::GovUnknownProposal(_) => 2,
            AppError::GovInactiveProposal(_) => 3,
            AppError::GovInvalidProposal(_) => 5,
            AppError::GovInvalidVote(_) => 7,
            AppError::GovInvalidSigner(_) => 12,
            AppError::GovMinDepositTooSmall(_) => 14,
            AppError::UpgradeNeeded(_) => 1,
            AppError::SlashingNotJailed(_) => 5,
            AppError::SlashingStillJailed(_) => 4,
        }
    }

    /// The codespace of the code.
    pub fn codespace(&self) -> &'static str {
        match self {
            // market
            AppError::Market(e) => e.codespace(),
            // deployment
            AppError::Deployment(e) => e.codespace(),
            // escrow
            AppError::Escrow(e) => e.codespace(),
            AppError::SendDisabled(_) => "bank",
            AppError::ProviderExists(_)
            | AppError::ProviderNotFound(_)
            | AppError::InvalidProviderUri(_)
            | AppError::InvalidAttributes(_)
            | AppError::InvalidProviderInfo(_) => "provider",
            AppError::AuditInvalidAttributes(_)
            | AppError::AuditRecordNotFound(_)
            | AppError::AuditAttributeNotFound(_) => "audit",
            AppError::InvalidCertificate(_)
            | AppError::CertificateCnMismatch(_)
            | AppError::CertificateExists(_)
            | AppError::CertificateNotFound(_)
            | AppError::CertificateRevoked(_) => "cert",
            AppError::AuthzNotFound(_)
            | AppError::AuthzInvalidExpiration(_)
            | AppError::AuthzUnknownType(_)
            | AppError::AuthzGranteeIsGranter(_) => "authz",
            AppError::OracleUnauthorized(_)
            | AppError::InvalidPrice(_)
            | AppError::PriceUnavailable(_)
            | AppError::PriceTimestamp(_) => "oracle",
            AppError::CircuitBreakerActive(_)
            | AppError::BmeInvalidDenom(_)
            | AppError::BelowMinimumMint(_)
            | AppError::ConversionEpsilon(_) => "bme",
            AppError::StakingDisabled(_)
            | AppError::ValidatorNotFound(_)
            | AppError::ValidatorExists(_)
            | AppError::InvalidCommission(_)
            | AppError::CommissionUpdateTooSoon(_)
            | AppError::CommissionChangeTooLarge(_)
            | AppError::DelegationNotFound(_)
            | AppError::InsufficientShares(_)
            | AppError::SelfRedelegation(_)
            | AppError::TransitiveRedelegation(_)
            | AppError::MaxEntries(_)
            | AppError::ValidatorJailed(_)
            | AppError::NoUnbondingDelegation(_)
            | AppError::InvalidStaking(_) => "staking",
            AppError::GovUnknownProposal(_)
            | AppError::GovInactiveProposal(_)
            | AppError::GovInvalidProposal(_)
            | AppError::GovInvalidVote(_)
            | AppError::GovInvalidSigner(_)
            | AppError::GovMinDepositTooSmall(_) => "gov",
            AppError::UpgradeNeeded(_) => "upgrade",
            AppError::SlashingNotJailed(_) | AppError::SlashingStillJailed(_) => "slashing",
            AppError::NoDistributionInfo(_) | AppError::WithdrawAddressDisabled(_) => {
                "distribution"
            }
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

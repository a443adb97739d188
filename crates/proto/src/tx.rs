//! The Cosmos tx envelope: decoding with limits, and building + signing.

use cosmos_sdk_proto::cosmos::bank::v1beta1::{MsgMultiSend, MsgSend};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey;
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    mode_info, AuthInfo, Fee, ModeInfo, SignDoc, SignerInfo, TxBody, TxRaw,
};
use cosmos_sdk_proto::Any;
use prost::{Message, Name};

use crate::dcloud::audit::{
    MsgDeleteProviderAttributes, MsgSignProviderAttributes, MSG_DELETE_PROVIDER_ATTRIBUTES_URL,
    MSG_SIGN_PROVIDER_ATTRIBUTES_URL,
};
use crate::dcloud::bme::{
    MsgBurnAct, MsgBurnMint, MsgFundVault, MsgMintAct, MSG_BURN_ACT_URL, MSG_BURN_MINT_URL,
    MSG_FUND_VAULT_URL, MSG_MINT_ACT_URL,
};
use crate::dcloud::cert::{
    MsgCreateCertificate, MsgRevokeCertificate, MSG_CREATE_CERTIFICATE_URL,
    MSG_REVOKE_CERTIFICATE_URL,
};
use crate::dcloud::oracle::{MsgSubmitPrice, MSG_SUBMIT_PRICE_URL};
use crate::dcloud::provider::{
    MsgCreateProvider, MsgUpdateProvider, MSG_CREATE_PROVIDER_URL, MSG_UPDATE_PROVIDER_URL,
};
use cosmos_sdk_proto::cosmos::authz::v1beta1::{MsgGrant, MsgRevoke};
use cosmos_sdk_proto::cosmos::distribution::v1beta1::MsgCommunityPoolSpend;
use cosmos_sdk_proto::cosmos::distribution::v1beta1::{
    MsgFundCommunityPool, MsgSetWithdrawAddress, MsgWithdrawDelegatorReward,
    MsgWithdrawValidatorCommission,
};
use cosmos_sdk_proto::cosmos::gov::v1::{MsgDeposit, MsgSubmitProposal, MsgVote, MsgVoteWeighted};
use cosmos_sdk_proto::cosmos::slashing::v1beta1::MsgUnjail;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    MsgBeginRedelegate, MsgCancelUnbondingDelegation, MsgCreateValidator, MsgDelegate,
    MsgEditValidator, MsgUndelegate,
};
use cosmos_sdk_proto::cosmos::upgrade::v1beta1::MsgSoftwareUpgrade;

/// Largest tx accepted anywhere (mempool, blocks). Bigger txs are rejected before decoding.
pub const MAX_TX_BYTES: usize = 1024 * 1024;
/// Type URL of a Cosmos secp256k1 public key.
pub const SECP256K1_PUBKEY_URL: &str = "/cosmos.crypto.secp256k1.PubKey";
/// Type URL of `MsgSend`.
pub const MSG_SEND_URL: &str = "/cosmos.bank.v1beta1.MsgSend";
/// Type URL of `MsgMultiSend`.
pub const MSG_MULTI_SEND_URL: &str = "/cosmos.bank.v1beta1.MsgMultiSend";
/// Type URL of the standard staking `MsgCreateValidator`.
pub const MSG_CREATE_VALIDATOR_URL: &str = "/cosmos.staking.v1beta1.MsgCreateValidator";
/// Type URL of the standard staking `MsgEditValidator`.
pub const MSG_EDIT_VALIDATOR_URL: &str = "/cosmos.staking.v1beta1.MsgEditValidator";
/// Type URL of the standard staking `MsgDelegate`.
pub const MSG_DELEGATE_URL: &str = "/cosmos.staking.v1beta1.MsgDelegate";
/// Type URL of the standard staking `MsgUndelegate`.
pub const MSG_UNDELEGATE_URL: &str = "/cosmos.staking.v1beta1.MsgUndelegate";
/// Type URL of the standard staking `MsgBeginRedelegate`.
pub const MSG_BEGIN_REDELEGATE_URL: &str = "/cosmos.staking.v1beta1.MsgBeginRedelegate";
/// Type URL of the standard staking `MsgCancelUnbondingDelegation`.
pub const MSG_CANCEL_UNBONDING_DELEGATION_URL: &str =
    "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation";
/// Type URL of the standard distribution `MsgFundCommunityPool`.
pub const MSG_FUND_COMMUNITY_POOL_URL: &str = "/cosmos.distribution.v1beta1.MsgFundCommunityPool";
/// Type URL of the standard distribution `MsgWithdrawDelegatorReward`.
pub const MSG_WITHDRAW_DELEGATOR_REWARD_URL: &str =
    "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward";
/// Type URL of the standard distribution `MsgWithdrawValidatorCommission`.
pub const MSG_WITHDRAW_VALIDATOR_COMMISSION_URL: &str =
    "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission";
/// Type URL of the standard distribution `MsgSetWithdrawAddress`.
pub const MSG_SET_WITHDRAW_ADDRESS_URL: &str = "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress";
/// Type URL of the standard gov `MsgSubmitProposal`.
pub const MSG_SUBMIT_PROPOSAL_URL: &str = "/cosmos.gov.v1.MsgSubmitProposal";
/// Type URL of the standard gov `MsgDeposit`.
pub const MSG_GOV_DEPOSIT_URL: &str = "/cosmos.gov.v1.MsgDeposit";
/// Type URL of the standard gov `MsgVote`.
pub const MSG_VOTE_URL: &str = "/cosmos.gov.v1.MsgVote";
/// Type URL of the standard gov `MsgVoteWeighted`.
pub const MSG_VOTE_WEIGHTED_URL: &str = "/cosmos.gov.v1.MsgVoteWeighted";
/// Type URL of the standard distribution `MsgCommunityPoolSpend` (governance only).
pub const MSG_COMMUNITY_POOL_SPEND_URL: &str = "/cosmos.distribution.v1beta1.MsgCommunityPoolSpend";
/// Type URL of the standard upgrade `MsgSoftwareUpgrade` (governance only).
pub const MSG_SOFTWARE_UPGRADE_URL: &str = "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade";
/// Type URL of the standard slashing `MsgUnjail`.
pub const MSG_UNJAIL_URL: &str = "/cosmos.slashing.v1beta1.MsgUnjail";
/// Type URL of the standard authz `MsgGrant`.
pub const MSG_GRANT_URL: &str = "/cosmos.authz.v1beta1.MsgGrant";
/// Type URL of the standard authz `MsgRevoke`.
pub const MSG_REVOKE_URL: &str = "/cosmos.authz.v1beta1.MsgRevoke";
/// Type URL of an ed25519 consensus public key.
pub const ED25519_PUBKEY_URL: &str = "/cosmos.crypto.ed25519.PubKey";
/// Bech32 prefix of validator operator addresses.
pub const VALOPER_PREFIX: &str = "akashvaloper";

/// The account address (bech32 `akash`) of a validator operator address
/// (`akashvaloper…`); the input unchanged when it does not parse (validation reports it).
pub fn valoper_to_account(s: &str) -> String {
    dcloud_types::AccAddress::from_bech32_with_prefix(s, VALOPER_PREFIX)
        .map(|a| a.to_string())
        .unwrap_or_else(|_| s.to_string())
}

/// Type URL of `MsgCreateDeployment`.
pub const MSG_CREATE_DEPLOYMENT_URL: &str = "/dcloud.deployment.v1.MsgCreateDeployment";
/// Type URL of `MsgUpdateDeployment`.
pub const MSG_UPDATE_DEPLOYMENT_URL: &str = "/dcloud.deployment.v1.MsgUpdateDeployment";
/// Type URL of `MsgDepositDeployment`.
pub const MSG_DEPOSIT_DEPLOYMENT_URL: &str = "/dcloud.deployment.v1.MsgDepositDeployment";
/// Type URL of `MsgCloseDeployment`.
pub const MSG_CLOSE_DEPLOYMENT_URL: &str = "/dcloud.deployment.v1.MsgCloseDeployment";
/// Type URL of `MsgCloseGroup`.
pub const MSG_CLOSE_GROUP_URL: &str = "/dcloud.deployment.v1.MsgCloseGroup";
/// Type URL of `MsgPauseGroup`.
pub const MSG_PAUSE_GROUP_URL: &str = "/dcloud.deployment.v1.MsgPauseGroup";
/// Type URL of `MsgStartGroup`.
pub const MSG_START_GROUP_URL: &str = "/dcloud.deployment.v1.MsgStartGroup";
/// Type URL of `MsgCreateBid`.
pub const MSG_CREATE_BID_URL: &str = "/dcloud.market.v1.MsgCreateBid";
/// Type URL of `MsgCloseBid`.
pub const MSG_CLOSE_BID_URL: &str = "/dcloud.market.v1.MsgCloseBid";
/// Type URL of `MsgCreateLease`.
pub const MSG_CREATE_LEASE_URL: &str = "/dcloud.market.v1.MsgCreateLease";
/// Type URL of `MsgCloseLease`.
pub const MSG_CLOSE_LEASE_URL: &str = "/dcloud.market.v1.MsgCloseLease";
/// Type URL of `MsgWithdrawLease`.
pub const MSG_WITHDRAW_LEASE_URL: &str = "/dcloud.market.v1.MsgWithdrawLease";

/// Why raw bytes are not a well-formed tx.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxDecodeError {
    /// The tx is larger than allowed.
    #[error("tx too large: {size} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Actual size.
        size: usize,
        /// Limit.
        max: usize,
    },
    /// Protobuf decoding failed.
    #[error("malformed tx: {0}")]
    Malformed(String),
    /// A required field is absent.
    #[error("malformed tx: missing {0}")]
    Missing(&'static str),
    /// A message type URL the chain does not know.
    #[error("unknown message type {0:?}")]
    UnknownMessage(String),
    /// Only single-signer SIGN_MODE_DIRECT with secp256k1 keys is supported.
    #[error("unsupported signing: {0}")]
    Unsupported(String),
}

/// A message the chain understands, decoded from its `Any`.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// `/cosmos.bank.v1beta1.MsgSend`.
    Send(MsgSend),
    /// `/cosmos.bank.v1beta1.MsgMultiSend`.
    MultiSend(MsgMultiSend),
    /// `/dcloud.provider.v1.MsgCreateProvider`.
    CreateProvider(MsgCreateProvider),
    /// `/dcloud.provider.v1.MsgUpdateProvider`.
    UpdateProvider(MsgUpdateProvider),
    /// `/dcloud.audit.v1.MsgSignProviderAttributes`.
    SignProviderAttributes(MsgSignProviderAttributes),
    /// `/dcloud.audit.v1.MsgDeleteProviderAttributes`.
    DeleteProviderAttributes(MsgDeleteProviderAttributes),
    /// `/dcloud.cert.v1.MsgCreateCertificate`.
    CreateCertificate(MsgCreateCertificate),
    /// `/dcloud.cert.v1.MsgRevokeCertificate`.
    RevokeCertificate(MsgRevokeCertificate),
    /// `/dcloud.deployment.v1.MsgCreateDeployment`.
    CreateDeployment(crate::dcloud::deployment::MsgCreateDeployment),
    /// `/dcloud.deployment.v1.MsgUpdateDeployment`.
    UpdateDeployment(crate::dcloud::deployment::MsgUpdateDeployment),
    /// `/dcloud.deployment.v1.MsgDepositDeployment`.
    DepositDeployment(crate::dcloud::deployment::MsgDepositDeployment),
    /// `/dcloud.deployment.v1.MsgCloseDeployment`.
    CloseDeployment(crate::dcloud::deployment::MsgCloseDeployment),
    /// `/dcloud.deployment.v1.MsgCloseGroup`.
    CloseGroup(crate::dcloud::deployment::MsgCloseGroup),
    /// `/dcloud.deployment.v1.MsgPauseGroup`.
    PauseGroup(crate::dcloud::deployment::MsgPauseGroup),
    /// `/dcloud.deployment.v1.MsgStartGroup`.
    StartGroup(crate::dcloud::deployment::MsgStartGroup),
    /// `/dcloud.market.v1.MsgCreateBid`.
    CreateBid(crate::dcloud::market::MsgCreateBid),
    /// `/dcloud.market.v1.MsgCloseBid`.
    CloseBid(crate::dcloud::market::MsgCloseBid),
    /// `/dcloud.market.v1.MsgCreateLease`.
    CreateLease(crate::dcloud::market::MsgCreateLease),
    /// `/dcloud.market.v1.MsgCloseLease`.
    CloseLease(crate::dcloud::market::MsgCloseLease),
    /// `/dcloud.market.v1.MsgWithdrawLease`.
    WithdrawLease(crate::dcloud::market::MsgWithdrawLease),
    /// `/dcloud.oracle.v1.MsgSubmitPrice`.
    SubmitPrice(MsgSubmitPrice),
    /// `/dcloud.bme.v1.MsgMintACT`.
    MintAct(MsgMintAct),
    /// `/dcloud.bme.v1.MsgBurnACT`.
    BurnAct(MsgBurnAct),
    /// `/dcloud.bme.v1.MsgBurnMint`.
    BurnMint(MsgBurnMint),
    /// `/dcloud.bme.v1.MsgFundVault`.
    FundVault(MsgFundVault),
    /// `cosmos.staking.v1beta1.MsgCreateValidator`.
    CreateValidator(MsgCreateValidator),
    /// `cosmos.staking.v1beta1.MsgEditValidator`.
    EditValidator(MsgEditValidator),
    /// `cosmos.staking.v1beta1.MsgDelegate`.
    Delegate(MsgDelegate),
    /// `cosmos.staking.v1beta1.MsgUndelegate`.
    Undelegate(MsgUndelegate),
    /// `cosmos.staking.v1beta1.MsgBeginRedelegate`.
    BeginRedelegate(MsgBeginRedelegate),
    /// `cosmos.staking.v1beta1.MsgCancelUnbondingDelegation`.
    CancelUnbondingDelegation(MsgCancelUnbondingDelegation),
    /// `cosmos.distribution.v1beta1.MsgFundCommunityPool`.
    FundCommunityPool(MsgFundCommunityPool),
    /// `cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward`.
    WithdrawDelegatorReward(MsgWithdrawDelegatorReward),
    /// `cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission`.
    WithdrawValidatorCommission(MsgWithdrawValidatorCommission),
    /// `cosmos.distribution.v1beta1.MsgSetWithdrawAddress`.
    SetWithdrawAddress(MsgSetWithdrawAddress),
    /// `cosmos.gov.v1.MsgSubmitProposal`.
    SubmitProposal(MsgSubmitProposal),
    /// `cosmos.gov.v1.MsgDeposit`.
    GovDeposit(MsgDeposit),
    /// `cosmos.gov.v1.MsgVote`.
    Vote(MsgVote),
    /// `cosmos.gov.v1.MsgVoteWeighted`.
    VoteWeighted(MsgVoteWeighted),
    /// `cosmos.distribution.v1beta1.MsgCommunityPoolSpend` (gov authority only).
    CommunityPoolSpend(MsgCommunityPoolSpend),
    /// `cosmos.upgrade.v1beta1.MsgSoftwareUpgrade` (gov authority only).
    SoftwareUpgrade(MsgSoftwareUpgrade),
    /// `cosmos.slashing.v1beta1.MsgUnjail`.
    Unjail(MsgUnjail),
    /// `/dcloud.market.v1.MsgLeaseStartReclaim`.
    LeaseStartReclaim(crate::dcloud::market::MsgLeaseStartReclaim),
    /// `cosmos.authz.v1beta1.MsgGrant`.
    Grant(MsgGrant),
    /// `cosmos.authz.v1beta1.MsgRevoke`.
    Revoke(MsgRevoke),
    /// `dcloud.<module>.v1.MsgUpdateParams` (gov authority only): the module, the message.
    UpdateParams(&'static str, crate::dcloud::gov::MsgUpdateParams),
}

impl Msg {
    /// Decodes one `Any`.
    pub fn decode_any(any: &Any) -> Result<Self, TxDecodeError> {
        let bad =
            |e: prost::DecodeError| TxDecodeError::Malformed(format!("{}: {e}", any.type_url));
        match any.type_url.as_str() {
            MSG_SEND_URL => MsgSend::decode(any.value.as_slice()).map(Msg::Send).map_err(bad),
            MSG_MULTI_SEND_URL => {
                MsgMultiSend::decode(any.value.as_slice()).map(Msg::MultiSend).map_err(bad)
            }
            MSG_CREATE_PROVIDER_URL => MsgCreateProvider::decode(any.value.as_slice())
                .map(Msg::CreateProvider)
                .map_err(bad),
            MSG_UPDATE_PROVIDER_URL => MsgUpdateProvider::decode(any.value.as_slice())
                .map(Msg::UpdateProvider)
                .map_err(bad),
            MSG_SIGN_PROVIDER_ATTRIBUTES_URL => {
                MsgSignProviderAttributes::decode(any.value.as_slice())
                    .map(Msg::SignProviderAttributes)
                    .map_err(bad)
            }
            MSG_DELETE_PROVIDER_ATTRIBUTES_URL => {
                MsgDeleteProviderAttributes::decode(any.value.as_slice())
                    .map(Msg::DeleteProviderAttributes)
                    .map_err(bad)
            }
            MSG_CREATE_CERTIFICATE_URL => MsgCreateCertificate::decode(any.value.as_slice())
                .map(Msg::CreateCertificate)
                .map_err(bad),
            MSG_REVOKE_CERTIFICATE_URL => MsgRevokeCertificate::decode(any.value.as_slice())
                .map(Msg::RevokeCertificate)
                .map_err(bad),
            MSG_CREATE_DEPLOYMENT_URL => {
                crate::dcloud::deployment::MsgCreateDeployment::decode(any.value.as_slice())
                    .map(Msg::CreateDeployment)
                    .map_err(bad)
            }
            MSG_UPDATE_DEPLOYMENT_URL => {
                crate::dcloud::deployment::MsgUpdateDeployment::decode(any.value.as_slice())
                    .map(Msg::UpdateDeployment)
                    .map_err(bad)
            }
            MSG_DEPOSIT_DEPLOYMENT_URL => {
                crate::dcloud::deployment::MsgDepositDeployment::decode(any.value.as_slice())
                    .map(Msg::DepositDeployment)
                    .map_err(bad)
            }
            MSG_CLOSE_DEPLOYMENT_URL => {
                crate::dcloud::deployment::MsgCloseDeployment::decode(any.value.as_slice())
                    .map(Msg::CloseDeployment)
                    .map_err(bad)
            }
            MSG_CLOSE_GROUP_URL => {
                crate::dcloud::deployment::MsgCloseGroup::decode(any.value.as_slice())
                    .map(Msg::CloseGroup)
                    .map_err(bad)
            }
            MSG_PAUSE_GROUP_URL => {
                crate::dcloud::deployment::MsgPauseGroup::decode(any.value.as_slice())
                    .map(Msg::PauseGroup)
                    .map_err(bad)
            }
            MSG_START_GROUP_URL => {
                crate::dcloud::deployment::MsgStartGroup::decode(any.value.as_slice())
                    .map(Msg::StartGroup)
                    .map_err(bad)
            }
            MSG_CREATE_BID_URL => crate::dcloud::market::MsgCreateBid::decode(any.value.as_slice())
                .map(Msg::CreateBid)
                .map_err(bad),
            MSG_CLOSE_BID_URL => crate::dcloud::market::MsgCloseBid::decode(any.value.as_slice())
                .map(Msg::CloseBid)
                .map_err(bad),
            MSG_CREATE_LEASE_URL => {
                crate::dcloud::market::MsgCreateLease::decode(any.value.as_slice())
                    .map(Msg::CreateLease)
                    .map_err(bad)
            }
            MSG_CLOSE_LEASE_URL => {
                crate::dcloud::market::MsgCloseLease::decode(any.value.as_slice())
                    .map(Msg::CloseLease)
                    .map_err(bad)
            }
            MSG_WITHDRAW_LEASE_URL => {
                crate::dcloud::market::MsgWithdrawLease::decode(any.value.as_slice())
                    .map(Msg::WithdrawLease)
                    .map_err(bad)
            }
            MSG_SUBMIT_PRICE_URL => {
                MsgSubmitPrice::decode(any.value.as_slice()).map(Msg::SubmitPrice).map_err(bad)
            }
            MSG_MINT_ACT_URL => {
                MsgMintAct::decode(any.value.as_slice()).map(Msg::MintAct).map_err(bad)
            }
            MSG_BURN_ACT_URL => {
                MsgBurnAct::decode(any.value.as_slice()).map(Msg::BurnAct).map_err(bad)
            }
            MSG_BURN_MINT_URL => {
                MsgBurnMint::decode(any.value.as_slice()).map(Msg::BurnMint).map_err(bad)
            }
            MSG_FUND_VAULT_URL => {
                MsgFundVault::decode(any.value.as_slice()).map(Msg::FundVault).map_err(bad)
            }
            MSG_CREATE_VALIDATOR_URL => MsgCreateValidator::decode(any.value.as_slice())
                .map(Msg::CreateValidator)
                .map_err(bad),
            MSG_EDIT_VALIDATOR_URL => {
                MsgEditValidator::decode(any.value.as_slice()).map(Msg::EditValidator).map_err(bad)
            }
            MSG_DELEGATE_URL => {
                MsgDelegate::decode(any.value.as_slice()).map(Msg::Delegate).map_err(bad)
            }
            MSG_UNDELEGATE_URL => {
                MsgUndelegate::decode(any.value.as_slice()).map(Msg::Undelegate).map_err(bad)
            }
            MSG_BEGIN_REDELEGATE_URL => MsgBeginRedelegate::decode(any.value.as_slice())
                .map(Msg::BeginRedelegate)
                .map_err(bad),
            MSG_CANCEL_UNBONDING_DELEGATION_URL => {
                MsgCancelUnbondingDelegation::decode(any.value.as_slice())
                    .map(Msg::CancelUnbondingDelegation)
                    .map_err(bad)
            }
            MSG_FUND_COMMUNITY_POOL_URL => MsgFundCommunityPool::decode(any.value.as_slice())
                .map(Msg::FundCommunityPool)
                .map_err(bad),
            MSG_WITHDRAW_DELEGATOR_REWARD_URL => {
                MsgWithdrawDelegatorReward::decode(any.value.as_slice())
                    .map(Msg::WithdrawDelegatorReward)
                    .map_err(bad)
            }
            MSG_WITHDRAW_VALIDATOR_COMMISSION_URL => {
                MsgWithdrawValidatorCommission::decode(any.value.as_slice())
                    .map(Msg::WithdrawValidatorCommission)
                    .map_err(bad)
            }
            MSG_SET_WITHDRAW_ADDRESS_URL => MsgSetWithdrawAddress::decode(any.value.as_slice())
                .map(Msg::SetWithdrawAddress)
                .map_err(bad),
            MSG_SUBMIT_PROPOSAL_URL => MsgSubmitProposal::decode(any.value.as_slice())
                .map(Msg::SubmitProposal)
                .map_err(bad),
            MSG_GOV_DEPOSIT_URL => {
                MsgDeposit::decode(any.value.as_slice()).map(Msg::GovDeposit).map_err(bad)
            }
            MSG_VOTE_URL => MsgVote::decode(any.value.as_slice()).map(Msg::Vote).map_err(bad),
            MSG_VOTE_WEIGHTED_URL => {
                MsgVoteWeighted::decode(any.value.as_slice()).map(Msg::VoteWeighted).map_err(bad)
            }
            MSG_COMMUNITY_POOL_SPEND_URL => MsgCommunityPoolSpend::decode(any.value.as_slice())
                .map(Msg::CommunityPoolSpend)
                .map_err(bad),
            MSG_SOFTWARE_UPGRADE_URL => MsgSoftwareUpgrade::decode(any.value.as_slice())
                .map(Msg::SoftwareUpgrade)
                .map_err(bad),
            MSG_UNJAIL_URL => MsgUnjail::decode(any.value.as_slice()).map(Msg::Unjail).map_err(bad),
            MSG_GRANT_URL => MsgGrant::decode(any.value.as_slice()).map(Msg::Grant).map_err(bad),
            crate::dcloud::market::MSG_LEASE_START_RECLAIM_URL => {
                crate::dcloud::market::MsgLeaseStartReclaim::decode(any.value.as_slice())
                    .map(Msg::LeaseStartReclaim)
                    .map_err(bad)
            }
            MSG_REVOKE_URL => MsgRevoke::decode(any.value.as_slice()).map(Msg::Revoke).map_err(bad),
            other => match crate::dcloud::gov::update_params_module(other) {
                Some(module) => crate::dcloud::gov::MsgUpdateParams::decode(any.value.as_slice())
                    .map(|m| Msg::UpdateParams(module, m))
                    .map_err(bad),
                None => Err(TxDecodeError::UnknownMessage(other.to_string())),
            },
        }
    }

    /// Encodes as an `Any`.
    pub fn to_any(&self) -> Any {
        let value = match self {
            Msg::Send(m) => m.encode_to_vec(),
            Msg::MultiSend(m) => m.encode_to_vec(),
            Msg::CreateProvider(m) => m.encode_to_vec(),
            Msg::UpdateProvider(m) => m.encode_to_vec(),
            Msg::SignProviderAttributes(m) => m.encode_to_vec(),
            Msg::DeleteProviderAttributes(m) => m.encode_to_vec(),
            Msg::CreateCertificate(m) => m.encode_to_vec(),
            Msg::RevokeCertificate(m) => m.encode_to_vec(),
            Msg::CreateDeployment(m) => m.encode_to_vec(),
            Msg::UpdateDeployment(m) => m.encode_to_vec(),
            Msg::DepositDeployment(m) => m.encode_to_vec(),
            Msg::CloseDeployment(m) => m.encode_to_vec(),
            Msg::CloseGroup(m) => m.encode_to_vec(),
            Msg::PauseGroup(m) => m.encode_to_vec(),
            Msg::StartGroup(m) => m.encode_to_vec(),
            Msg::CreateBid(m) => m.encode_to_vec(),
            Msg::CloseBid(m) => m.encode_to_vec(),
            Msg::CreateLease(m) => m.encode_to_vec(),
            Msg::CloseLease(m) => m.encode_to_vec(),
            Msg::WithdrawLease(m) => m.encode_to_vec(),
            Msg::SubmitPrice(m) => m.encode_to_vec(),
            Msg::MintAct(m) => m.encode_to_vec(),
            Msg::BurnAct(m) => m.encode_to_vec(),
            Msg::BurnMint(m) => m.encode_to_vec(),
            Msg::FundVault(m) => m.encode_to_vec(),
            Msg::CreateValidator(m) => m.encode_to_vec(),
            Msg::EditValidator(m) => m.encode_to_vec(),
            Msg::Delegate(m) => m.encode_to_vec(),
            Msg::Undelegate(m) => m.encode_to_vec(),
            Msg::BeginRedelegate(m) => m.encode_to_vec(),
            Msg::CancelUnbondingDelegation(m) => m.encode_to_vec(),
            Msg::FundCommunityPool(m) => m.encode_to_vec(),
            Msg::WithdrawDelegatorReward(m) => m.encode_to_vec(),
            Msg::WithdrawValidatorCommission(m) => m.encode_to_vec(),
            Msg::SetWithdrawAddress(m) => m.encode_to_vec(),
            Msg::SubmitProposal(m) => m.encode_to_vec(),
            Msg::GovDeposit(m) => m.encode_to_vec(),
            Msg::Vote(m) => m.encode_to_vec(),
            Msg::VoteWeighted(m) => m.encode_to_vec(),
            Msg::CommunityPoolSpend(m) => m.encode_to_vec(),
            Msg::SoftwareUpgrade(m) => m.encode_to_vec(),
            Msg::Unjail(m) => m.encode_to_vec(),
            Msg::Grant(m) => m.encode_to_vec(),
            Msg::LeaseStartReclaim(m) => m.encode_to_vec(),
            Msg::Revoke(m) => m.encode_to_vec(),
            Msg::UpdateParams(_, m) => m.encode_to_vec(),
        };
        Any { type_url: self.type_url().into(), value }
    }

    /// The module a message belongs to (`bank`, `provider`, `audit`, `cert`, `deployment`,
    /// `market`, `authz`, …).
    pub fn module(&self) -> &'static str {
        match self {
            Msg::UpdateParams(..) | Msg::CommunityPoolSpend(_) | Msg::SoftwareUpgrade(_) => {
                return "gov"
            }
            _ => {}
        }
        match self.type_url().split('.').nth(1) {
            Some("gov") => "gov",
            Some("slashing") => "slashing",
            Some("deployment") => "deployment",
            Some("market") => "market",
            Some("provider") => "provider",
            Some("audit") => "audit",
            Some("cert") => "cert",
            Some("oracle") => "oracle",
            Some("bme") => "bme",
            Some("staking") => "staking",
            Some("distribution") => "distribution",
            Some("authz") => "authz",
            _ => "bank",
        }
    }

    /// The message's type URL.
    pub fn type_url(&self) -> &'static str {
        match self {
            Msg::Send(_) => MSG_SEND_URL,
            Msg::MultiSend(_) => MSG_MULTI_SEND_URL,
            Msg::CreateProvider(_) => MSG_CREATE_PROVIDER_URL,
            Msg::UpdateProvider(_) => MSG_UPDATE_PROVIDER_URL,
            Msg::SignProviderAttributes(_) => MSG_SIGN_PROVIDER_ATTRIBUTES_URL,
            Msg::DeleteProviderAttributes(_) => MSG_DELETE_PROVIDER_ATTRIBUTES_URL,
            Msg::CreateCertificate(_) => MSG_CREATE_CERTIFICATE_URL,
            Msg::RevokeCertificate(_) => MSG_REVOKE_CERTIFICATE_URL,
            Msg::CreateDeployment(_) => MSG_CREATE_DEPLOYMENT_URL,
            Msg::UpdateDeployment(_) => MSG_UPDATE_DEPLOYMENT_URL,
            Msg::DepositDeployment(_) => MSG_DEPOSIT_DEPLOYMENT_URL,
            Msg::CloseDeployment(_) => MSG_CLOSE_DEPLOYMENT_URL,
            Msg::CloseGroup(_) => MSG_CLOSE_GROUP_URL,
            Msg::PauseGroup(_) => MSG_PAUSE_GROUP_URL,
            Msg::StartGroup(_) => MSG_START_GROUP_URL,
            Msg::CreateBid(_) => MSG_CREATE_BID_URL,
            Msg::CloseBid(_) => MSG_CLOSE_BID_URL,
            Msg::CreateLease(_) => MSG_CREATE_LEASE_URL,
            Msg::CloseLease(_) => MSG_CLOSE_LEASE_URL,
            Msg::WithdrawLease(_) => MSG_WITHDRAW_LEASE_URL,
            Msg::SubmitPrice(_) => MSG_SUBMIT_PRICE_URL,
            Msg::MintAct(_) => MSG_MINT_ACT_URL,
            Msg::BurnAct(_) => MSG_BURN_ACT_URL,
            Msg::BurnMint(_) => MSG_BURN_MINT_URL,
            Msg::FundVault(_) => MSG_FUND_VAULT_URL,
            Msg::CreateValidator(_) => MSG_CREATE_VALIDATOR_URL,
            Msg::EditValidator(_) => MSG_EDIT_VALIDATOR_URL,
            Msg::Delegate(_) => MSG_DELEGATE_URL,
            Msg::Undelegate(_) => MSG_UNDELEGATE_URL,
            Msg::BeginRedelegate(_) => MSG_BEGIN_REDELEGATE_URL,
            Msg::CancelUnbondingDelegation(_) => MSG_CANCEL_UNBONDING_DELEGATION_URL,
            Msg::FundCommunityPool(_) => MSG_FUND_COMMUNITY_POOL_URL,
            Msg::WithdrawDelegatorReward(_) => MSG_WITHDRAW_DELEGATOR_REWARD_URL,
            Msg::WithdrawValidatorCommission(_) => MSG_WITHDRAW_VALIDATOR_COMMISSION_URL,
            Msg::SetWithdrawAddress(_) => MSG_SET_WITHDRAW_ADDRESS_URL,
            Msg::SubmitProposal(_) => MSG_SUBMIT_PROPOSAL_URL,
            Msg::GovDeposit(_) => MSG_GOV_DEPOSIT_URL,
            Msg::Vote(_) => MSG_VOTE_URL,
            Msg::VoteWeighted(_) => MSG_VOTE_WEIGHTED_URL,
            Msg::CommunityPoolSpend(_) => MSG_COMMUNITY_POOL_SPEND_URL,
            Msg::SoftwareUpgrade(_) => MSG_SOFTWARE_UPGRADE_URL,
            Msg::Unjail(_) => MSG_UNJAIL_URL,
            Msg::Grant(_) => MSG_GRANT_URL,
            Msg::LeaseStartReclaim(_) => crate::dcloud::market::MSG_LEASE_START_RECLAIM_URL,
            Msg::Revoke(_) => MSG_REVOKE_URL,
            Msg::UpdateParams(module, _) => crate::dcloud::gov::update_params_url(module)
                .unwrap_or("/dcloud.unknown.v1.MsgUpdateParams"),
        }
    }

    /// Addresses (bech32) that must have signed this message.
    pub fn signers(&self) -> Vec<String> {
        match self {
            Msg::Send(m) => vec![m.from_address.clone()],
            Msg::MultiSend(m) => m.inputs.iter().map(|i| i.address.clone()).collect(),
            Msg::CreateProvider(m) => vec![m.owner.clone()],
            Msg::UpdateProvider(m) => vec![m.owner.clone()],
            Msg::SignProviderAttributes(m) => vec![m.auditor.clone()],
            Msg::DeleteProviderAttributes(m) => vec![m.auditor.clone()],
            Msg::CreateCertificate(m) => vec![m.owner.clone()],
            Msg::RevokeCertificate(m) => {
                vec![m.id.as_ref().map(|i| i.owner.clone()).unwrap_or_default()]
            }
            Msg::CreateDeployment(m) => {
                vec![m.id.as_ref().map(|i| i.owner.clone()).unwrap_or_default()]
            }
            Msg::UpdateDeployment(m) => {
                vec![m.id.as_ref().map(|i| i.owner.clone()).unwrap_or_default()]
            }
            Msg::DepositDeployment(m) if !m.depositor.is_empty() => vec![m.depositor.clone()],
            Msg::DepositDeployment(m) => {
                vec![m.id.as_ref().map(|i| i.owner.clone()).unwrap_or_default()]
            }
            Msg::CloseDeployment(m) => {
                vec![m.id.as_ref().map(|i| i.owner.clone()).unwrap_or_default()]
            }
            Msg::CloseGroup(m) => vec![m.id.as_ref().map(|i| i.owner.clone()).unwrap_or_default()],
            Msg::PauseGroup(m) => vec![m.id.as_ref().map(|i| i.owner.clone()).unwrap_or_default()],
            Msg::StartGroup(m) => vec![m.id.as_ref().map(|i| i.owner.clone()).unwrap_or_default()],
            Msg::CreateBid(m) => vec![m.provider.clone()],
            Msg::CloseBid(m) => vec![m.id.as_ref().map(|i| i.provider.clone()).unwrap_or_default()],
            Msg::CreateLease(m) => {
                vec![m.bid_id.as_ref().map(|i| i.owner.clone()).unwrap_or_default()]
            }
            Msg::CloseLease(m) => vec![m.id.as_ref().map(|i| i.owner.clone()).unwrap_or_default()],
            Msg::WithdrawLease(m) => {
                vec![m.id.as_ref().map(|i| i.provider.clone()).unwrap_or_default()]
            }
            Msg::SubmitPrice(m) => vec![m.source.clone()],
            Msg::MintAct(m) => vec![m.owner.clone()],
            Msg::BurnAct(m) => vec![m.owner.clone()],
            Msg::BurnMint(m) => vec![m.owner.clone()],
            Msg::FundVault(m) => vec![m.authority.clone()],
            Msg::CreateValidator(m) => vec![valoper_to_account(&m.validator_address)],
            Msg::EditValidator(m) => vec![valoper_to_account(&m.validator_address)],
            Msg::Delegate(m) => vec![m.delegator_address.clone()],
            Msg::Undelegate(m) => vec![m.delegator_address.clone()],
            Msg::BeginRedelegate(m) => vec![m.delegator_address.clone()],
            Msg::CancelUnbondingDelegation(m) => vec![m.delegator_address.clone()],
            Msg::FundCommunityPool(m) => vec![m.depositor.clone()],
            Msg::WithdrawDelegatorReward(m) => vec![m.delegator_address.clone()],
            Msg::WithdrawValidatorCommission(m) => vec![valoper_to_account(&m.validator_address)],
            Msg::SetWithdrawAddress(m) => vec![m.delegator_address.clone()],
            Msg::SubmitProposal(m) => vec![m.proposer.clone()],
            Msg::GovDeposit(m) => vec![m.depositor.clone()],
            Msg::Vote(m) => vec![m.voter.clone()],
            Msg::VoteWeighted(m) => vec![m.voter.clone()],
            Msg::CommunityPoolSpend(m) => vec![m.authority.clone()],
            Msg::SoftwareUpgrade(m) => vec![m.authority.clone()],
            Msg::Unjail(m) => vec![valoper_to_account(&m.validator_addr)],
            Msg::Grant(m) => vec![m.granter.clone()],
            Msg::LeaseStartReclaim(m) => {
                vec![m.id.as_ref().map(|i| i.provider.clone()).unwrap_or_default()]
            }
            Msg::Revoke(m) => vec![m.granter.clone()],
            Msg::UpdateParams(_, m) => vec![m.authority.clone()],
        }
    }
}

/// A decoded, structurally checked tx (signatures not yet verified).
#[derive(Debug, Clone)]
pub struct DecodedTx {
    /// SHA-256 of the raw bytes: the tx hash.
    pub hash: [u8; 32],
    /// Raw body bytes, exactly as signed.
    pub body_bytes: Vec<u8>,
    /// Raw auth-info bytes, exactly as signed.
    pub auth_info_bytes: Vec<u8>,
    /// The decoded body.
    pub body: TxBody,
    /// The decoded messages, in order.
    pub msgs: Vec<Msg>,
    /// The signer's public key if present in the tx (33-byte compressed secp256k1).
    pub pubkey: Option<Vec<u8>>,
    /// The signer's sequence as claimed in the signer info.
    pub sequence: u64,
    /// Fee coins.
    pub fee: Vec<ProtoCoin>,
    /// Gas limit.
    pub gas_limit: u64,
    /// The single signature.
    pub signature: Vec<u8>,
    /// Size of the raw tx in bytes.
    pub size: usize,
}

impl DecodedTx {
    /// Decodes raw tx bytes, enforcing the size limit and our supported signing shape
    /// (exactly one signer, SIGN_MODE_DIRECT, secp256k1).
    pub fn decode(raw: &[u8]) -> Result<Self, TxDecodeError> {
        if raw.len() > MAX_TX_BYTES {
            return Err(TxDecodeError::TooLarge { size: raw.len(), max: MAX_TX_BYTES });
        }
        let tx = TxRaw::decode(raw).map_err(|e| TxDecodeError::Malformed(e.to_string()))?;
        let body = TxBody::decode(tx.body_bytes.as_slice())
            .map_err(|e| TxDecodeError::Malformed(format!("body: {e}")))?;
        let auth = AuthInfo::decode(tx.auth_info_bytes.as_slice())
            .map_err(|e| TxDecodeError::Malformed(format!("auth_info: {e}")))?;
        if body.messages.is_empty() {
            return Err(TxDecodeError::Missing("messages"));
        }
        if !body.extension_options.is_empty() || !body.non_critical_extension_options.is_empty() {
            return Err(TxDecodeError::Unsupported("extension options".into()));
        }
        let msgs = body.messages.iter().map(Msg::decode_any).collect::<Result<Vec<_>, _>>()?;
        if auth.signer_infos.len() != 1 || tx.signatures.len() != 1 {
            return Err(TxDecodeError::Unsupported(format!(
                "exactly one signer and one signature required, got {} signer infos and {} signatures",
                auth.signer_infos.len(),
                tx.signatures.len()
            )));
        }
        let si = &auth.signer_infos[0];
        match si.mode_info.as_ref().and_then(|m| m.sum.as_ref()) {
            Some(mode_info::Sum::Single(s)) if s.mode == SignMode::Direct as i32 => {}
            _ => {
                return Err(TxDecodeError::Unsupported("only SIGN_MODE_DIRECT is supported".into()))
            }
        }
        let pubkey = match &si.public_key {
            None => None,
            Some(any) if any.type_url == SECP256K1_PUBKEY_URL => Some(
                PubKey::decode(any.value.as_slice())
                    .map_err(|e| TxDecodeError::Malformed(format!("public key: {e}")))?
                    .key,
            ),
            Some(any) => {
                return Err(TxDecodeError::Unsupported(format!("public key type {}", any.type_url)))
            }
        };
        let fee = auth.fee.ok_or(TxDecodeError::Missing("fee"))?;
        #[allow(deprecated)] // tips are rejected, not used
        let has_tip = auth.tip.is_some();
        if has_tip {
            return Err(TxDecodeError::Unsupported("tips".into()));
        }
        if !fee.payer.is_empty() || !fee.granter.is_empty() {
            return Err(TxDecodeError::Unsupported("fee payer / granter".into()));
        }
        let signature = tx.signatures.into_iter().next().unwrap_or_default();
        Ok(Self {
            hash: dcloud_types::sha256(raw),
            body_bytes: tx.body_bytes,
            auth_info_bytes: tx.auth_info_bytes,
            body,
            msgs,
            pubkey,
            sequence: si.sequence,
            fee: fee.amount,
            gas_limit: fee.gas_limit,
            signature,
            size: raw.len(),
        })
    }

    /// The bytes the signer signed, for the given chain and account number.
    pub fn sign_bytes(&self, chain_id: &str, account_number: u64) -> Vec<u8> {
        sign_doc_bytes(&self.body_bytes, &self.auth_info_bytes, chain_id, account_number)
    }
}

/// SignDoc bytes for SIGN_MODE_DIRECT.
pub fn sign_doc_bytes(
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    chain_id: &str,
    account_number: u64,
) -> Vec<u8> {
    SignDoc {
        body_bytes: body_bytes.to_vec(),
        auth_info_bytes: auth_info_bytes.to_vec(),
        chain_id: chain_id.to_string(),
        account_number,
    }
    .encode_to_vec()
}

/// Why a tx could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildTxError {
    /// No messages given.
    #[error("a tx needs at least one message")]
    NoMessages,
}

/// Who signs, and the replay-protection numbers the chain expects.
#[derive(Debug, Clone)]
pub struct SignerData {
    /// Chain id the signature binds to.
    pub chain_id: String,
    /// The signer's account number.
    pub account_number: u64,
    /// The signer's next sequence.
    pub sequence: u64,
    /// 33-byte compressed secp256k1 public key.
    pub pubkey: Vec<u8>,
}

/// Builds a signed tx. Signing is a closure so this crate needs no key material.
#[derive(Debug, Clone, Default)]
pub struct TxBuilder {
    msgs: Vec<Any>,
    memo: String,
    timeout_height: u64,
    fee: Vec<ProtoCoin>,
    gas_limit: u64,
}

impl TxBuilder {
    /// A builder with no messages.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a message.
    pub fn msg(mut self, msg: &Msg) -> Self {
        self.msgs.push(msg.to_any());
        self
    }
    /// Adds a raw `Any` message (for tests of unknown types).
    pub fn any(mut self, any: Any) -> Self {
        self.msgs.push(any);
        self
    }
    /// Sets the memo.
    pub fn memo(mut self, memo: impl Into<String>) -> Self {
        self.memo = memo.into();
        self
    }
    /// Sets the timeout height (0 = none).
    pub fn timeout_height(mut self, h: u64) -> Self {
        self.timeout_height = h;
        self
    }
    /// Sets the fee and gas limit.
    pub fn fee(mut self, amount: u128, denom: &str, gas_limit: u64) -> Self {
        self.fee = if amount == 0 {
            Vec::new()
        } else {
            vec![ProtoCoin { denom: denom.into(), amount: amount.to_string() }]
        };
        self.gas_limit = gas_limit;
        self
    }

    /// Body and auth-info bytes for a signer (what gets signed).
    pub fn unsigned(&self, signer: &SignerData) -> Result<(Vec<u8>, Vec<u8>), BuildTxError> {
        if self.msgs.is_empty() {
            return Err(BuildTxError::NoMessages);
        }
        let body = TxBody {
            messages: self.msgs.clone(),
            memo: self.memo.clone(),
            timeout_height: self.timeout_height,
            extension_options: vec![],
            non_critical_extension_options: vec![],
        };
        let pk = PubKey { key: signer.pubkey.clone() };
        let auth = AuthInfo {
            signer_infos: vec![SignerInfo {
                public_key: Some(Any { type_url: PubKey::type_url(), value: pk.encode_to_vec() }),
                mode_info: Some(ModeInfo {
                    sum: Some(mode_info::Sum::Single(mode_info::Single {
                        mode: SignMode::Direct as i32,
                    })),
                }),
                sequence: signer.sequence,
            }],
            fee: Some(Fee {
                amount: self.fee.clone(),
                gas_limit: self.gas_limit,
                payer: String::new(),
                granter: String::new(),
            }),
            #[allow(deprecated)]
            tip: None,
        };
        Ok((body.encode_to_vec(), auth.encode_to_vec()))
    }

    /// Builds and signs; returns the raw tx bytes (TxRaw).
    pub fn sign(
        &self,
        signer: &SignerData,
        sign: impl FnOnce(&[u8]) -> [u8; 64],
    ) -> Result<Vec<u8>, BuildTxError> {
        let (body_bytes, auth_info_bytes) = self.unsigned(signer)?;
        let doc =
            sign_doc_bytes(&body_bytes, &auth_info_bytes, &signer.chain_id, signer.account_number);
        let sig = sign(&doc);
        Ok(TxRaw { body_bytes, auth_info_bytes, signatures: vec![sig.to_vec()] }.encode_to_vec())
    }
}

/// Convenience: a `MsgSend`.
pub fn msg_send(from: &str, to: &str, amount: u128, denom: &str) -> Msg {
    Msg::Send(MsgSend {
        from_address: from.into(),
        to_address: to.into(),
        amount: vec![ProtoCoin { denom: denom.into(), amount: amount.to_string() }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_and_decode_roundtrip() {
        let signer = SignerData {
            chain_id: "c".into(),
            account_number: 3,
            sequence: 9,
            pubkey: vec![2; 33],
        };
        let raw = TxBuilder::new()
            .msg(&msg_send("a", "b", 5, "uakt"))
            .memo("hi")
            .fee(100, "uakt", 200_000)
            .sign(&signer, |_| [7; 64])
            .unwrap();
        let tx = DecodedTx::decode(&raw).unwrap();
        assert_eq!(tx.sequence, 9);
        assert_eq!(tx.gas_limit, 200_000);
        assert_eq!(tx.body.memo, "hi");
        assert_eq!(tx.pubkey.as_deref(), Some(&[2u8; 33][..]));
        assert_eq!(tx.signature, vec![7; 64]);
        assert!(matches!(tx.msgs[0], Msg::Send(_)));
    }

    #[test]
    fn registry_messages_roundtrip_through_any() {
        use crate::dcloud::cert::CertificateId;
        let msgs = [
            Msg::CreateProvider(MsgCreateProvider {
                owner: "p".into(),
                host_uri: "https://p.example:8443".into(),
                attributes: vec![crate::dcloud::provider::Attribute {
                    key: "region".into(),
                    value: "eu".into(),
                }],
                info: None,
            }),
            Msg::UpdateProvider(MsgUpdateProvider { owner: "p".into(), ..Default::default() }),
            Msg::SignProviderAttributes(MsgSignProviderAttributes {
                owner: "p".into(),
                auditor: "a".into(),
                attributes: vec![],
            }),
            Msg::DeleteProviderAttributes(MsgDeleteProviderAttributes {
                owner: "p".into(),
                auditor: "a".into(),
                keys: vec!["k".into()],
            }),
            Msg::CreateCertificate(MsgCreateCertificate {
                owner: "o".into(),
                cert: b"c".to_vec(),
                pubkey: b"k".to_vec(),
            }),
            Msg::RevokeCertificate(MsgRevokeCertificate {
                id: Some(CertificateId { owner: "o".into(), serial: "1".into() }),
            }),
        ];
        let signers = ["p", "p", "a", "a", "o", "o"];
        for (m, s) in msgs.iter().zip(signers) {
            let any = m.to_any();
            assert!(any.type_url.starts_with("/dcloud."));
            assert_eq!(&Msg::decode_any(&any).unwrap(), m);
            assert_eq!(m.signers(), vec![s.to_string()]);
        }
    }

    #[test]
    fn oracle_and_bme_messages_roundtrip_through_any() {
        let coin = |a: &str, d: &str| ProtoCoin { denom: d.into(), amount: a.into() };
        let msgs = [
            Msg::SubmitPrice(MsgSubmitPrice {
                source: "s".into(),
                denom: "akt".into(),
                base_denom: "usd".into(),
                price: "0.4625".into(),
                timestamp_ms: 7,
            }),
            Msg::MintAct(MsgMintAct {
                owner: "o".into(),
                to: "o".into(),
                coins_to_burn: Some(coin("5", "uakt")),
            }),
            Msg::BurnAct(MsgBurnAct {
                owner: "o".into(),
                to: "o".into(),
                coins_to_burn: Some(coin("5", "uact")),
            }),
            Msg::BurnMint(MsgBurnMint {
                owner: "o".into(),
                to: "o".into(),
                coins_to_burn: Some(coin("5", "uact")),
                denom_to_mint: "uakt".into(),
            }),
            Msg::FundVault(MsgFundVault {
                authority: "g".into(),
                amount: Some(coin("9", "uakt")),
                source: "g".into(),
            }),
        ];
        let expected = [
            ("s", "oracle", MSG_SUBMIT_PRICE_URL),
            ("o", "bme", MSG_MINT_ACT_URL),
            ("o", "bme", MSG_BURN_ACT_URL),
            ("o", "bme", MSG_BURN_MINT_URL),
            ("g", "bme", MSG_FUND_VAULT_URL),
        ];
        for (m, (signer, module, url)) in msgs.iter().zip(expected) {
            let any = m.to_any();
            assert_eq!(any.type_url, url);
            assert_eq!(&Msg::decode_any(&any).unwrap(), m);
            assert_eq!(m.signers(), vec![signer.to_string()]);
            assert_eq!(m.module(), module);
        }
    }

    #[test]
    fn cancel_unbonding_and_fund_community_pool_roundtrip_through_any() {
        let coin = |a: &str| ProtoCoin { denom: "uakt".into(), amount: a.into() };
        let msgs = [
            Msg::CancelUnbondingDelegation(MsgCancelUnbondingDelegation {
                delegator_address: "d".into(),
                validator_address: "v".into(),
                amount: Some(coin("5")),
                creation_height: 42,
            }),
            Msg::FundCommunityPool(MsgFundCommunityPool {
                amount: vec![coin("9")],
                depositor: "f".into(),
            }),
        ];
        let expected = [
            ("d", "staking", MSG_CANCEL_UNBONDING_DELEGATION_URL),
            ("f", "distribution", MSG_FUND_COMMUNITY_POOL_URL),
        ];
        for (m, (signer, module, url)) in msgs.iter().zip(expected) {
            let any = m.to_any();
            assert_eq!(any.type_url, url);
            assert_eq!(&Msg::decode_any(&any).unwrap(), m);
            assert_eq!(m.signers(), vec![signer.to_string()]);
            assert_eq!(m.module(), module);
        }
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(DecodedTx::decode(&[0xff, 0xff, 0xff]), Err(TxDecodeError::Malformed(_))));
        let big = vec![0u8; MAX_TX_BYTES + 1];
        assert!(matches!(DecodedTx::decode(&big), Err(TxDecodeError::TooLarge { .. })));
        let signer = SignerData {
            chain_id: "c".into(),
            account_number: 0,
            sequence: 0,
            pubkey: vec![2; 33],
        };
        let raw = TxBuilder::new()
            .any(Any { type_url: "/foo.Bar".into(), value: vec![] })
            .fee(1, "uakt", 1)
            .sign(&signer, |_| [0; 64])
            .unwrap();
        assert_eq!(
            DecodedTx::decode(&raw).unwrap_err(),
            TxDecodeError::UnknownMessage("/foo.Bar".into())
        );
        assert_eq!(TxBuilder::new().sign(&signer, |_| [0; 64]), Err(BuildTxError::NoMessages));
    }
}

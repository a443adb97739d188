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

/// The message table: one row per message, `Variant(Type) = TYPE_URL, "module", |m| signers;`.
/// It generates [`Msg`] and its `decode_any`, `to_any`, `type_url`, `module` and `signers`,
/// so adding a message is one row here (plus its proto type and its module's handler).
macro_rules! msg_table {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) = $url:path, $module:literal, |$m:ident| $signers:expr; )*) => {
        /// A message the chain understands, decoded from its `Any`.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Msg {
            $( $(#[$doc])* $variant($ty), )*
            /// `dcloud.<module>.v1.MsgUpdateParams` (gov authority only): the module, the message.
            UpdateParams(&'static str, crate::dcloud::gov::MsgUpdateParams),
        }

        impl Msg {
            /// Decodes one `Any`.
            pub fn decode_any(any: &Any) -> Result<Self, TxDecodeError> {
                let bad = |e: prost::DecodeError| {
                    TxDecodeError::Malformed(format!("{}: {e}", any.type_url))
                };
                match any.type_url.as_str() {
                    $( $url => <$ty>::decode(any.value.as_slice()).map(Msg::$variant).map_err(bad), )*
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
                    $( Msg::$variant(m) => m.encode_to_vec(), )*
                    Msg::UpdateParams(_, m) => m.encode_to_vec(),
                };
                Any { type_url: self.type_url().into(), value }
            }

            /// The module a message belongs to (`bank`, `provider`, `audit`, `cert`,
            /// `deployment`, `market`, `authz`, …): the registry entry that handles it.
            pub fn module(&self) -> &'static str {
                match self {
                    $( Msg::$variant(_) => $module, )*
                    Msg::UpdateParams(..) => "gov",
                }
            }

            /// The message's type URL.
            pub fn type_url(&self) -> &'static str {
                match self {
                    $( Msg::$variant(_) => $url, )*
                    Msg::UpdateParams(module, _) => crate::dcloud::gov::update_params_url(module)
                        .unwrap_or("/dcloud.unknown.v1.MsgUpdateParams"),
                }
            }

            /// Addresses (bech32) that must have signed this message.
            pub fn signers(&self) -> Vec<String> {
                match self {
                    $( Msg::$variant($m) => $signers, )*
                    Msg::UpdateParams(_, m) => vec![m.authority.clone()],
                }
            }
        }
    };
}

/// The one signer named by a field of a message's (optional) id; empty when the id is absent.
fn id_field<T>(id: &Option<T>, field: impl Fn(&T) -> &String) -> Vec<String> {
    vec![id.as_ref().map(|i| field(i).clone()).unwrap_or_default()]
}

msg_table! {
    /// `/cosmos.bank.v1beta1.MsgSend`.
    Send(MsgSend) = MSG_SEND_URL, "bank",
        |m| vec![m.from_address.clone()];
    /// `/cosmos.bank.v1beta1.MsgMultiSend`.
    MultiSend(MsgMultiSend) = MSG_MULTI_SEND_URL, "bank",
        |m| m.inputs.iter().map(|i| i.address.clone()).collect();
    /// `/dcloud.provider.v1.MsgCreateProvider`.
    CreateProvider(MsgCreateProvider) = MSG_CREATE_PROVIDER_URL, "provider",
        |m| vec![m.owner.clone()];
    /// `/dcloud.provider.v1.MsgUpdateProvider`.
    UpdateProvider(MsgUpdateProvider) = MSG_UPDATE_PROVIDER_URL, "provider",
        |m| vec![m.owner.clone()];
    /// `/dcloud.audit.v1.MsgSignProviderAttributes`.
    SignProviderAttributes(MsgSignProviderAttributes) = MSG_SIGN_PROVIDER_ATTRIBUTES_URL, "audit",
        |m| vec![m.auditor.clone()];
    /// `/dcloud.audit.v1.MsgDeleteProviderAttributes`.
    DeleteProviderAttributes(MsgDeleteProviderAttributes) = MSG_DELETE_PROVIDER_ATTRIBUTES_URL, "audit",
        |m| vec![m.auditor.clone()];
    /// `/dcloud.cert.v1.MsgCreateCertificate`.
    CreateCertificate(MsgCreateCertificate) = MSG_CREATE_CERTIFICATE_URL, "cert",
        |m| vec![m.owner.clone()];
    /// `/dcloud.cert.v1.MsgRevokeCertificate`.
    RevokeCertificate(MsgRevokeCertificate) = MSG_REVOKE_CERTIFICATE_URL, "cert",
        |m| id_field(&m.id, |i| &i.owner);
    /// `/dcloud.deployment.v1.MsgCreateDeployment`.
    CreateDeployment(crate::dcloud::deployment::MsgCreateDeployment) = MSG_CREATE_DEPLOYMENT_URL, "deployment",
        |m| id_field(&m.id, |i| &i.owner);
    /// `/dcloud.deployment.v1.MsgUpdateDeployment`.
    UpdateDeployment(crate::dcloud::deployment::MsgUpdateDeployment) = MSG_UPDATE_DEPLOYMENT_URL, "deployment",
        |m| id_field(&m.id, |i| &i.owner);
    /// `/dcloud.deployment.v1.MsgDepositDeployment`.
    DepositDeployment(crate::dcloud::deployment::MsgDepositDeployment) = MSG_DEPOSIT_DEPLOYMENT_URL, "deployment",
        |m| if !m.depositor.is_empty() { vec![m.depositor.clone()] } else { id_field(&m.id, |i| &i.owner) };
    /// `/dcloud.deployment.v1.MsgCloseDeployment`.
    CloseDeployment(crate::dcloud::deployment::MsgCloseDeployment) = MSG_CLOSE_DEPLOYMENT_URL, "deployment",
        |m| id_field(&m.id, |i| &i.owner);
    /// `/dcloud.deployment.v1.MsgCloseGroup`.
    CloseGroup(crate::dcloud::deployment::MsgCloseGroup) = MSG_CLOSE_GROUP_URL, "deployment",
        |m| id_field(&m.id, |i| &i.owner);
    /// `/dcloud.deployment.v1.MsgPauseGroup`.
    PauseGroup(crate::dcloud::deployment::MsgPauseGroup) = MSG_PAUSE_GROUP_URL, "deployment",
        |m| id_field(&m.id, |i| &i.owner);
    /// `/dcloud.deployment.v1.MsgStartGroup`.
    StartGroup(crate::dcloud::deployment::MsgStartGroup) = MSG_START_GROUP_URL, "deployment",
        |m| id_field(&m.id, |i| &i.owner);
    /// `/dcloud.market.v1.MsgCreateBid`.
    CreateBid(crate::dcloud::market::MsgCreateBid) = MSG_CREATE_BID_URL, "market",
        |m| vec![m.provider.clone()];
    /// `/dcloud.market.v1.MsgCloseBid`.
    CloseBid(crate::dcloud::market::MsgCloseBid) = MSG_CLOSE_BID_URL, "market",
        |m| id_field(&m.id, |i| &i.provider);
    /// `/dcloud.market.v1.MsgCreateLease`.
    CreateLease(crate::dcloud::market::MsgCreateLease) = MSG_CREATE_LEASE_URL, "market",
        |m| id_field(&m.bid_id, |i| &i.owner);
    /// `/dcloud.market.v1.MsgCloseLease`.
    CloseLease(crate::dcloud::market::MsgCloseLease) = MSG_CLOSE_LEASE_URL, "market",
        |m| id_field(&m.id, |i| &i.owner);
    /// `/dcloud.market.v1.MsgWithdrawLease`.
    WithdrawLease(crate::dcloud::market::MsgWithdrawLease) = MSG_WITHDRAW_LEASE_URL, "market",
        |m| id_field(&m.id, |i| &i.provider);
    /// `/dcloud.oracle.v1.MsgSubmitPrice`.
    SubmitPrice(MsgSubmitPrice) = MSG_SUBMIT_PRICE_URL, "oracle",
        |m| vec![m.source.clone()];
    /// `/dcloud.bme.v1.MsgMintACT`.
    MintAct(MsgMintAct) = MSG_MINT_ACT_URL, "bme",
        |m| vec![m.owner.clone()];
    /// `/dcloud.bme.v1.MsgBurnACT`.
    BurnAct(MsgBurnAct) = MSG_BURN_ACT_URL, "bme",
        |m| vec![m.owner.clone()];
    /// `/dcloud.bme.v1.MsgBurnMint`.
    BurnMint(MsgBurnMint) = MSG_BURN_MINT_URL, "bme",
        |m| vec![m.owner.clone()];
    /// `/dcloud.bme.v1.MsgFundVault`.
    FundVault(MsgFundVault) = MSG_FUND_VAULT_URL, "bme",
        |m| vec![m.authority.clone()];
    /// `cosmos.staking.v1beta1.MsgCreateValidator`.
    CreateValidator(MsgCreateValidator) = MSG_CREATE_VALIDATOR_URL, "staking",
        |m| vec![valoper_to_account(&m.validator_address)];
    /// `cosmos.staking.v1beta1.MsgEditValidator`.
    EditValidator(MsgEditValidator) = MSG_EDIT_VALIDATOR_URL, "staking",
        |m| vec![valoper_to_account(&m.validator_address)];
    /// `cosmos.staking.v1beta1.MsgDelegate`.
    Delegate(MsgDelegate) = MSG_DELEGATE_URL, "staking",
        |m| vec![m.delegator_address.clone()];
    /// `cosmos.staking.v1beta1.MsgUndelegate`.
    Undelegate(MsgUndelegate) = MSG_UNDELEGATE_URL, "staking",
        |m| vec![m.delegator_address.clone()];
    /// `cosmos.staking.v1beta1.MsgBeginRedelegate`.
    BeginRedelegate(MsgBeginRedelegate) = MSG_BEGIN_REDELEGATE_URL, "staking",
        |m| vec![m.delegator_address.clone()];
    /// `cosmos.staking.v1beta1.MsgCancelUnbondingDelegation`.
    CancelUnbondingDelegation(MsgCancelUnbondingDelegation) = MSG_CANCEL_UNBONDING_DELEGATION_URL, "staking",
        |m| vec![m.delegator_address.clone()];
    /// `cosmos.distribution.v1beta1.MsgFundCommunityPool`.
    FundCommunityPool(MsgFundCommunityPool) = MSG_FUND_COMMUNITY_POOL_URL, "distribution",
        |m| vec![m.depositor.clone()];
    /// `cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward`.
    WithdrawDelegatorReward(MsgWithdrawDelegatorReward) = MSG_WITHDRAW_DELEGATOR_REWARD_URL, "distribution",
        |m| vec![m.delegator_address.clone()];
    /// `cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission`.
    WithdrawValidatorCommission(MsgWithdrawValidatorCommission) = MSG_WITHDRAW_VALIDATOR_COMMISSION_URL, "distribution",
        |m| vec![valoper_to_account(&m.validator_address)];
    /// `cosmos.distribution.v1beta1.MsgSetWithdrawAddress`.
    SetWithdrawAddress(MsgSetWithdrawAddress) = MSG_SET_WITHDRAW_ADDRESS_URL, "distribution",
        |m| vec![m.delegator_address.clone()];
    /// `cosmos.gov.v1.MsgSubmitProposal`.
    SubmitProposal(MsgSubmitProposal) = MSG_SUBMIT_PROPOSAL_URL, "gov",
        |m| vec![m.proposer.clone()];
    /// `cosmos.gov.v1.MsgDeposit`.
    GovDeposit(MsgDeposit) = MSG_GOV_DEPOSIT_URL, "gov",
        |m| vec![m.depositor.clone()];
    /// `cosmos.gov.v1.MsgVote`.
    Vote(MsgVote) = MSG_VOTE_URL, "gov",
        |m| vec![m.voter.clone()];
    /// `cosmos.gov.v1.MsgVoteWeighted`.
    VoteWeighted(MsgVoteWeighted) = MSG_VOTE_WEIGHTED_URL, "gov",
        |m| vec![m.voter.clone()];
    /// `cosmos.distribution.v1beta1.MsgCommunityPoolSpend` (gov authority only).
    CommunityPoolSpend(MsgCommunityPoolSpend) = MSG_COMMUNITY_POOL_SPEND_URL, "gov",
        |m| vec![m.authority.clone()];
    /// `cosmos.upgrade.v1beta1.MsgSoftwareUpgrade` (gov authority only).
    SoftwareUpgrade(MsgSoftwareUpgrade) = MSG_SOFTWARE_UPGRADE_URL, "gov",
        |m| vec![m.authority.clone()];
    /// `cosmos.slashing.v1beta1.MsgUnjail`.
    Unjail(MsgUnjail) = MSG_UNJAIL_URL, "slashing",
        |m| vec![valoper_to_account(&m.validator_addr)];
    /// `/dcloud.market.v1.MsgLeaseStartReclaim`.
    LeaseStartReclaim(crate::dcloud::market::MsgLeaseStartReclaim) = crate::dcloud::market::MSG_LEASE_START_RECLAIM_URL, "market",
        |m| id_field(&m.id, |i| &i.provider);
    /// `cosmos.authz.v1beta1.MsgGrant`.
    Grant(MsgGrant) = MSG_GRANT_URL, "authz",
        |m| vec![m.granter.clone()];
    /// `cosmos.authz.v1beta1.MsgRevoke`.
    Revoke(MsgRevoke) = MSG_REVOKE_URL, "authz",
        |m| vec![m.granter.clone()];
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

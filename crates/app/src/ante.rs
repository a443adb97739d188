//! The ante handler: everything checked and charged before a tx's messages run.

use dcloud_crypto::secp256k1::PublicKey;
use dcloud_proto::DecodedTx;
use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event, DENOM_AKT};

use crate::gas::GasMeter;
use crate::modules::{auth, bank};
use crate::{App, AppError};

pub(crate) struct AnteCtx<'a> {
    pub chain_id: &'a str,
    pub height: u64,
    /// Simulation: no minimum-fee check, no signature verification.
    pub simulate: bool,
    pub app: &'a App,
}

pub(crate) struct AnteOut {
    pub signer: AccAddress,
    pub events: Vec<Event>,
}

pub(crate) fn verify_signature(
    pubkey: &[u8],
    tx: &DecodedTx,
    chain_id: &str,
    account_number: u64,
) -> Result<(), AppError> {
    let pk = PublicKey::from_bytes(pubkey).map_err(|e| AppError::InvalidPubKey(e.to_string()))?;
    pk.verify(&tx.sign_bytes(chain_id, account_number), &tx.signature).map_err(|_| {
        AppError::Unauthorized(format!(
            "signature verification failed; please verify account number ({account_number}), \
             sequence ({}) and chain-id ({chain_id})",
            tx.sequence
        ))
    })
}

fn out_of_gas(meter: &GasMeter) -> AppError {
    AppError::OutOfGas { limit: meter.limit(), used: meter.used() }
}

pub(crate) fn run(
    state: &mut dyn StateWrite,
    tx: &DecodedTx,
    meter: &GasMeter,
    ctx: &AnteCtx<'_>,
) -> Result<AnteOut, AppError> {
    let params = auth::params(state)?;
    let memo_len = tx.body.memo.len(); // bytes, as the Cosmos SDK counts
    if memo_len as u64 > params.max_memo_characters {
        return Err(AppError::MemoTooLarge {
            len: memo_len,
            max: params.max_memo_characters as usize,
        });
    }
    if tx.body.timeout_height != 0 && ctx.height > tx.body.timeout_height {
        return Err(AppError::TxTimeout { timeout: tx.body.timeout_height, height: ctx.height });
    }
    // One signer: every message must name the same sender.
    let mut signers: Vec<String> = tx.msgs.iter().flat_map(|m| m.signers()).collect();
    signers.dedup();
    if signers.len() != 1 {
        return Err(AppError::Unauthorized(format!(
            "a tx must have exactly one signer, its messages name {}",
            signers.join(", ")
        )));
    }
    let signer: AccAddress = dcloud_chain::parse_addr(&signers[0], "signer")?;
    let mut acc = auth::get_account(state, &signer)?.ok_or_else(|| {
        AppError::UnknownAddress(format!("account {signer} does not exist: fund it first"))
    })?;
    let pubkey: Vec<u8> = match (&tx.pubkey, &acc.pub_key) {
        (Some(pk), Some(stored)) => {
            if hex::encode(pk) != *stored {
                return Err(AppError::InvalidPubKey(format!(
                    "tx public key does not match the key registered for {signer}"
                )));
            }
            pk.clone()
        }
        (Some(pk), None) => pk.clone(),
        (None, Some(stored)) => {
            hex::decode(stored).map_err(|_| AppError::ChainState("corrupt stored pubkey".into()))?
        }
        (None, None) => {
            return Err(AppError::InvalidPubKey(format!(
                "no public key in the tx and none registered for {signer}"
            )))
        }
    };
    if pubkey.len() != 33 || !matches!(pubkey[0], 2 | 3) {
        return Err(AppError::InvalidPubKey(format!(
            "expected a 33-byte compressed secp256k1 key, got {} bytes",
            pubkey.len()
        )));
    }
    let key_addr = dcloud_crypto::secp256k1::address_of_compressed(&pubkey);
    if key_addr != signer {
        return Err(AppError::Unauthorized(format!(
            "signer's public key belongs to {key_addr}, not to the sender {signer}"
        )));
    }
    if tx.sequence != acc.sequence {
        return Err(AppError::WrongSequence { expected: acc.sequence, got: tx.sequence });
    }
    meter.consume(params.tx_size_cost_per_byte.saturating_mul(tx.size as u64));
    meter.consume(params.sig_verify_cost_secp256k1);
    if meter.is_out() {
        return Err(out_of_gas(meter));
    }
    let fee = crate::modules::parse_coins(&tx.fee)
        .map_err(|e| AppError::InsufficientFee(e.to_string()))?;
    if fee.iter().any(|c| c.denom != DENOM_AKT) {
        return Err(AppError::InsufficientFee(format!(
            "fees must be paid in {DENOM_AKT}, got {fee}"
        )));
    }
    if !ctx.simulate {
        let min = params.min_fee(tx.gas_limit)?;
        if fee.amount_of(DENOM_AKT) < min {
            return Err(AppError::InsufficientFee(format!(
                "got {}{DENOM_AKT}, required at least {min}{DENOM_AKT} for gas {} at {}{DENOM_AKT}/gas",
                fee.amount_of(DENOM_AKT),
                tx.gas_limit,
                params.min_gas_price
            )));
        }
    }
    // Simulation skips verification (clients simulate before signing, e.g. cosmjs sends an
    // empty signature) but has charged its gas above.
    if !ctx.simulate && !ctx.app.sig_cached(tx.hash, acc.account_number) {
        verify_signature(&pubkey, tx, ctx.chain_id, acc.account_number)?;
        ctx.app.cache_sig(tx.hash, acc.account_number);
    }
    let mut events = Vec::new();
    if !fee.is_empty() {
        let collector = auth::module_address(auth::FEE_COLLECTOR);
        bank::transfer(state, &signer, &collector, &fee, &mut events).map_err(|e| match e {
            AppError::InsufficientFunds(m) => {
                AppError::InsufficientFunds(format!("cannot pay fee {fee}: {m}"))
            }
            other => other,
        })?;
    }
    events.push(Event::new("tx").attr("fee", &fee).attr("fee_payer", &signer));
    events.push(Event::new("tx").attr("acc_seq", format!("{signer}/{}", acc.sequence)));
    acc.sequence += 1;
    acc.pub_key = Some(hex::encode(&pubkey));
    auth::set_account(state, &acc)?;
    if meter.is_out() {
        return Err(out_of_gas(meter));
    }
    Ok(AnteOut { signer, events })
}

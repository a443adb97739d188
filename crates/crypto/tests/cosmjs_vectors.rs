//! Byte-for-byte compatibility with cosmjs (`@cosmjs/proto-signing` `DirectSecp256k1HdWallet`).
//!
//! `testdata/cosmjs-vectors.json` is produced by `testdata/gen-cosmjs-vectors.mjs` with the real
//! cosmjs library; see that script for how to regenerate it.

use cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSend;
use cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey as ProtoPubKey;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{AuthInfo, SignDoc, TxBody};
use dcloud_crypto::secp256k1::{PublicKey, SigningKey};
use dcloud_crypto::AccAddress;
use prost::Message;
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    prefix: String,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    mnemonic: String,
    bip39_passphrase: String,
    hd_path: String,
    address: String,
    pubkey_hex: String,
    pubkey_base64: String,
    sign_doc: SignDocJson,
    sign_bytes_hex: String,
    signature_hex: String,
}

#[derive(Deserialize)]
struct SignDocJson {
    body_bytes_hex: String,
    auth_info_bytes_hex: String,
    chain_id: String,
    account_number: u64,
}

fn vectors() -> Vectors {
    let text = include_str!("../testdata/cosmjs-vectors.json");
    serde_json::from_str(text).expect("cosmjs-vectors.json parses")
}

/// Parses `m/44'/118'/{account}'/0/{index}`.
fn account_and_index(path: &str) -> (u32, u32) {
    let parts: Vec<&str> = path.split('/').collect();
    assert_eq!(parts[..3], ["m", "44'", "118'"], "{path}");
    assert_eq!(parts[4], "0", "{path}");
    (parts[3].trim_end_matches('\'').parse().unwrap(), parts[5].parse().unwrap())
}

#[test]
fn there_are_enough_vectors() {
    let v = vectors();
    assert_eq!(v.prefix, "akash");
    assert!(v.vectors.len() >= 3);
    assert!(v.vectors.iter().any(|x| x.mnemonic.split(' ').count() == 12));
    assert!(v.vectors.iter().any(|x| x.mnemonic.split(' ').count() == 24));
    assert!(v.vectors.iter().any(|x| !x.bip39_passphrase.is_empty()));
    assert!(v.vectors.iter().any(|x| x.hd_path != "m/44'/118'/0'/0/0"));
}

#[test]
fn same_mnemonic_gives_same_address_and_pubkey() {
    for v in vectors().vectors {
        let (account, index) = account_and_index(&v.hd_path);
        let key =
            SigningKey::from_mnemonic(&v.mnemonic, &v.bip39_passphrase, account, index).unwrap();
        let pk = key.public_key();
        assert_eq!(hex::encode(pk.to_bytes()), v.pubkey_hex, "{}", v.hd_path);
        assert_eq!(pk.to_base64(), v.pubkey_base64);
        assert_eq!(pk.address().to_string(), v.address);
        assert_eq!(pk.address(), v.address.parse::<AccAddress>().unwrap());
        let via_path =
            SigningKey::from_mnemonic_path(&v.mnemonic, &v.bip39_passphrase, &v.hd_path).unwrap();
        assert_eq!(via_path.public_key(), pk);
    }
}

#[test]
fn sign_doc_encoding_matches_cosmjs() {
    for v in vectors().vectors {
        let doc = SignDoc {
            body_bytes: hex::decode(&v.sign_doc.body_bytes_hex).unwrap(),
            auth_info_bytes: hex::decode(&v.sign_doc.auth_info_bytes_hex).unwrap(),
            chain_id: v.sign_doc.chain_id.clone(),
            account_number: v.sign_doc.account_number,
        };
        assert_eq!(doc.chain_id, "dcloud-devnet-1");
        assert_eq!(doc.account_number, 7);
        assert_eq!(hex::encode(doc.encode_to_vec()), v.sign_bytes_hex);

        // The body and auth info are real transactions from this account.
        let body = TxBody::decode(doc.body_bytes.as_slice()).unwrap();
        assert_eq!(body.encode_to_vec(), doc.body_bytes);
        assert_eq!(body.messages[0].type_url, "/cosmos.bank.v1beta1.MsgSend");
        let send = MsgSend::decode(body.messages[0].value.as_slice()).unwrap();
        assert_eq!(send.from_address, v.address);
        let auth = AuthInfo::decode(doc.auth_info_bytes.as_slice()).unwrap();
        assert_eq!(auth.encode_to_vec(), doc.auth_info_bytes);
        let signer = auth.signer_infos[0].public_key.as_ref().unwrap();
        assert_eq!(signer.type_url, "/cosmos.crypto.secp256k1.PubKey");
        let pk = ProtoPubKey::decode(signer.value.as_slice()).unwrap();
        assert_eq!(hex::encode(pk.key), v.pubkey_hex);
    }
}

#[test]
fn signatures_match_cosmjs_byte_for_byte() {
    for v in vectors().vectors {
        let (account, index) = account_and_index(&v.hd_path);
        let key =
            SigningKey::from_mnemonic(&v.mnemonic, &v.bip39_passphrase, account, index).unwrap();
        let sign_bytes = hex::decode(&v.sign_bytes_hex).unwrap();
        let sig = key.sign(&sign_bytes);
        assert_eq!(hex::encode(sig), v.signature_hex, "{}", v.address);

        let pk = PublicKey::from_bytes(&hex::decode(&v.pubkey_hex).unwrap()).unwrap();
        let cosmjs_sig = hex::decode(&v.signature_hex).unwrap();
        pk.verify(&sign_bytes, &cosmjs_sig).unwrap();
        let mut tampered = sign_bytes.clone();
        *tampered.last_mut().unwrap() ^= 1; // account number 7 -> 6
        assert!(pk.verify(&tampered, &cosmjs_sig).is_err());
    }
}

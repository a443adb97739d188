// Generates crates/crypto/testdata/cosmjs-vectors.json with the real cosmjs library.
//
// Run from a scratch directory OUTSIDE the repository (node_modules must not be committed):
//
//   mkdir -p /tmp/cosmjs-vectors && cd /tmp/cosmjs-vectors
//   npm init -y && npm install @cosmjs/proto-signing @cosmjs/crypto @cosmjs/encoding
//   cp /work/main/crates/crypto/testdata/gen-cosmjs-vectors.mjs .
//   node gen-cosmjs-vectors.mjs > /work/main/crates/crypto/testdata/cosmjs-vectors.json
//
// Everything below is deterministic (BIP39/BIP32 derivation, protobuf encoding, RFC6979
// signatures), so re-running it must reproduce the committed file byte for byte.

import {
  DirectSecp256k1HdWallet,
  Registry,
  encodePubkey,
  makeAuthInfoBytes,
  makeSignBytes,
  makeSignDoc,
} from "@cosmjs/proto-signing";
import { stringToPath, sha256, Secp256k1, Secp256k1Signature } from "@cosmjs/crypto";
import { toBase64, toBech32, toHex, fromBase64 } from "@cosmjs/encoding";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const versions = {};
for (const pkg of ["@cosmjs/proto-signing", "@cosmjs/crypto", "@cosmjs/encoding"]) {
  try {
    // package.json is not in the exports map; read it from disk instead.
    const fs = require("node:fs");
    const path = require("node:path");
    const main = require.resolve(pkg);
    const dir = main.slice(0, main.lastIndexOf(path.join("node_modules", pkg)) + path.join("node_modules", pkg).length);
    versions[pkg] = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
  } catch {
    versions[pkg] = "unknown";
  }
}

const PREFIX = "akash";
const CHAIN_ID = "dcloud-devnet-1";
const ACCOUNT_NUMBER = 7;
const SEQUENCE = 3;

// [mnemonic, bip39 passphrase, hd path]
const cases = [
  // The well-known 12-word all-zero-entropy mnemonic.
  [
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    "",
    "m/44'/118'/0'/0/0",
  ],
  // 24 words, all-zero entropy.
  [
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon " +
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art",
    "",
    "m/44'/118'/0'/0/0",
  ],
  // 24 words, random entropy (drawn once with @cosmjs/crypto Bip39.encode(Random.getBytes(32))).
  [
    "hour maple sample parent good other salt border model claw print special " +
      "adult keen slim giggle spray program future today people pear decide future",
    "",
    "m/44'/118'/0'/0/0",
  ],
  // Same 12 words with a BIP39 passphrase and a non-default account/index.
  [
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    "dcloud",
    "m/44'/118'/1'/0/2",
  ],
];

// The default registry knows MsgSend, the only message used here.
const registry = new Registry();
// Fixed recipient: the 20 bytes 00 01 .. 13.
const RECIPIENT = toBech32(PREFIX, Uint8Array.from({ length: 20 }, (_, i) => i));

const vectors = [];
for (const [mnemonic, bip39Password, path] of cases) {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, {
    prefix: PREFIX,
    bip39Password,
    hdPaths: [stringToPath(path)],
  });
  const [account] = await wallet.getAccounts();

  // A realistic SIGN_MODE_DIRECT SignDoc: one MsgSend from this account, fee in uakt.
  const bodyBytes = registry.encode({
    typeUrl: "/cosmos.tx.v1beta1.TxBody",
    value: {
      messages: [
        {
          typeUrl: "/cosmos.bank.v1beta1.MsgSend",
          value: {
            fromAddress: account.address,
            toAddress: RECIPIENT,
            amount: [{ denom: "uakt", amount: "1234567" }],
          },
        },
      ],
      memo: "dcloud test vector",
    },
  });
  const pubkeyAny = encodePubkey({
    type: "tendermint/PubKeySecp256k1",
    value: toBase64(account.pubkey),
  });
  const authInfoBytes = makeAuthInfoBytes(
    [{ pubkey: pubkeyAny, sequence: SEQUENCE }],
    [{ denom: "uakt", amount: "5000" }],
    200000,
    undefined,
    undefined,
  );
  const signDoc = makeSignDoc(bodyBytes, authInfoBytes, CHAIN_ID, ACCOUNT_NUMBER);
  const signBytes = makeSignBytes(signDoc);
  const { signature } = await wallet.signDirect(account.address, signDoc);
  const sig = fromBase64(signature.signature);

  // Sanity: cosmjs itself verifies it.
  const ok = await Secp256k1.verifySignature(
    Secp256k1Signature.fromFixedLength(sig),
    sha256(signBytes),
    account.pubkey,
  );
  if (!ok) throw new Error("cosmjs failed to verify its own signature");

  vectors.push({
    mnemonic,
    bip39_passphrase: bip39Password,
    hd_path: path,
    address: account.address,
    pubkey_hex: toHex(account.pubkey),
    pubkey_base64: toBase64(account.pubkey),
    sign_doc: {
      body_bytes_hex: toHex(bodyBytes),
      auth_info_bytes_hex: toHex(authInfoBytes),
      chain_id: CHAIN_ID,
      account_number: ACCOUNT_NUMBER,
    },
    sign_bytes_hex: toHex(signBytes),
    signature_hex: toHex(sig),
  });
}

process.stdout.write(
  JSON.stringify(
    {
      generator: "crates/crypto/testdata/gen-cosmjs-vectors.mjs",
      cosmjs_versions: versions,
      prefix: PREFIX,
      vectors,
    },
    null,
    2,
  ) + "\n",
);

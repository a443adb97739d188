// A Web Worker for the wallet's slow steps: cosmjs' Argon2id key derivation (seconds of pure
// JavaScript) runs here so that the page stays responsive. It only ever sees what the page
// sends it and answers with the serialization (encrypt) or the mnemonic (decrypt).

import { DirectSecp256k1HdWallet, makeCosmoshubPath } from "@cosmjs/proto-signing";

/** A job: encrypt a mnemonic, or decrypt a serialization. */
export type KdfJob = { op: "serialize"; mnemonic: string; password: string } | { op: "deserialize"; serialization: string; password: string };
/** A job with its id. */
export type KdfRequest = KdfJob & { id: number };
/** The answer: `ok` (serialization or mnemonic) or `error`. */
export type KdfResponse = { id: number; ok?: string; error?: string };

const options = { prefix: "akash", hdPaths: [makeCosmoshubPath(0)] };

self.onmessage = async (e: MessageEvent<KdfRequest>) => {
  const req = e.data;
  try {
    if (req.op === "serialize") {
      const w = await DirectSecp256k1HdWallet.fromMnemonic(req.mnemonic, options);
      postMessage({ id: req.id, ok: await w.serialize(req.password) } satisfies KdfResponse);
    } else {
      const w = await DirectSecp256k1HdWallet.deserialize(req.serialization, req.password);
      postMessage({ id: req.id, ok: w.mnemonic } satisfies KdfResponse);
    }
  } catch (err) {
    postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) } satisfies KdfResponse);
  }
};

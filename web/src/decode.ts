// Decodes a raw tx (base64 TxRaw bytes) for the tx page: body messages, fee, memo. Known
// Cosmos messages (bank, staking, distribution, gov, …) are decoded with cosmjs' registry;
// dcloud's own messages are shown by type URL until their generated types land.
// Loaded on demand (dynamic import) so the explorer's first load stays small.

import { Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { MSG_MINT_ACT_URL, MsgMintAct } from "./dcloudTypes";
import { fromBase64 } from "./format";

const registry = new Registry([...defaultRegistryTypes, [MSG_MINT_ACT_URL, MsgMintAct]]);

/** One message: its type URL and, when known, its decoded value. */
export interface DecodedMsg {
  typeUrl: string;
  value: unknown;
  bytes: number;
}

/** A decoded tx, or why not. */
export type DecodedTx =
  | { ok: true; messages: DecodedMsg[]; fee: { denom: string; amount: string }[]; gasLimit: string; memo: string }
  | { ok: false; error: string };

/** BigInts (e.g. gas) as strings, so that JSON.stringify works. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? `0x${Array.from(x, (b) => b.toString(16).padStart(2, "0")).join("")}` : x)));
}

/** Decodes base64 TxRaw bytes. */
export function decodeTx(b64: string): DecodedTx {
  try {
    const raw = TxRaw.decode(fromBase64(b64));
    const body = TxBody.decode(raw.bodyBytes);
    const auth = AuthInfo.decode(raw.authInfoBytes);
    const messages = body.messages.map((m) => {
      let value: unknown = null;
      if (registry.lookupType(m.typeUrl)) {
        try {
          value = plain(registry.decode(m));
        } catch {
          value = null;
        }
      }
      return { typeUrl: m.typeUrl, value, bytes: m.value.length };
    });
    return {
      ok: true,
      messages,
      fee: (auth.fee?.amount ?? []).map((c) => ({ denom: c.denom, amount: c.amount })),
      gasLimit: String(auth.fee?.gasLimit ?? ""),
      memo: body.memo,
    };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

// The browser wallet (loaded on demand: it carries cosmjs). A BIP39 key at
// m/44'/118'/0'/0/0 with the `akash` prefix, kept in localStorage only as cosmjs'
// password-encrypted serialization (Argon2id + XChaCha20-Poly1305). Sends are signed here
// (SIGN_MODE_DIRECT, SigningStargateClient offline with explicit signer data) and broadcast
// through the console's proxy to the node's JSON-RPC; nothing secret leaves the browser.

import { fromBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, makeCosmoshubPath, Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate";
import { MSG_MINT_ACT_URL, MsgMintAct } from "./dcloudTypes";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { ConsoleError, rest, rpc } from "./api";
import { int, str, toBase64 } from "./format";
import type { KdfJob, KdfRequest, KdfResponse } from "./kdfWorker";

/** Where the encrypted wallet lives. */
export const STORAGE_KEY = "dcloud.wallet.v1";
/** Bech32 prefix of account addresses. */
export const PREFIX = "akash";
/** Fixed gas limit of a send (a bank send uses far less). */
export const SEND_GAS = 200_000;

const options = { prefix: PREFIX, hdPaths: [makeCosmoshubPath(0)] };
/** cosmjs' Cosmos messages plus the dcloud messages the console signs. */
const registry = new Registry([...defaultRegistryTypes, [MSG_MINT_ACT_URL, MsgMintAct]]);

/** An unlocked wallet. */
export interface Unlocked {
  wallet: DirectSecp256k1HdWallet;
  address: string;
}

async function unlocked(wallet: DirectSecp256k1HdWallet): Promise<Unlocked> {
  const [acc] = await wallet.getAccounts();
  return { wallet, address: acc.address };
}

/** Whether an encrypted wallet is stored in this browser. */
export function hasStored(): boolean {
  return localStorage.getItem(STORAGE_KEY) !== null;
}

/** A password good enough to encrypt a key, or why not. */
export function passwordProblem(pw: string, confirm: string): string | undefined {
  if (pw.length < 8) return "Use a password of at least 8 characters.";
  if (pw !== confirm) return "The two passwords differ: type the same password twice.";
  return undefined;
}

let worker: Worker | undefined;
let nextId = 1;

/**
 * Runs an Argon2id step in the Web Worker (kdfWorker.ts) so the page stays responsive; where
 * workers are unavailable, `fallback` runs it here.
 */
function inWorker(req: KdfJob, fallback: () => Promise<string>): Promise<string> {
  if (typeof Worker === "undefined") return fallback();
  try {
    worker ??= new Worker(new URL("./kdfWorker.ts", import.meta.url), { type: "module" });
  } catch {
    return fallback();
  }
  const w = worker;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (e: MessageEvent<KdfResponse>) => {
      if (e.data.id !== id) return;
      w.removeEventListener("message", onMessage);
      if (e.data.ok !== undefined) resolve(e.data.ok);
      else reject(new Error(e.data.error ?? "key derivation failed"));
    };
    w.addEventListener("message", onMessage);
    w.postMessage({ ...req, id } as KdfRequest);
  });
}

async function store(u: Unlocked, password: string): Promise<void> {
  const s = await inWorker({ op: "serialize", mnemonic: u.wallet.mnemonic, password }, () => u.wallet.serialize(password));
  try {
    localStorage.setItem(STORAGE_KEY, s);
  } catch {
    throw new ConsoleError("This browser refused to store the wallet (storage full or disabled).", "Allow site data for this page, or use another browser profile.");
  }
}

/** Creates a new 24-word key, stores it encrypted; returns it with its mnemonic (show once). */
export async function create(password: string): Promise<Unlocked & { mnemonic: string }> {
  const wallet = await DirectSecp256k1HdWallet.generate(24, options);
  const u = await unlocked(wallet);
  await store(u, password);
  return { ...u, mnemonic: wallet.mnemonic };
}

/** Imports a recovery phrase, stores it encrypted. */
export async function importMnemonic(mnemonic: string, password: string): Promise<Unlocked> {
  const words = mnemonic.trim().toLowerCase().split(/\s+/).join(" ");
  const n = words.split(" ").length;
  if (![12, 15, 18, 21, 24].includes(n)) {
    throw new ConsoleError(`A recovery phrase has 12, 15, 18, 21 or 24 words; this one has ${n}.`, "Check that you copied every word, separated by spaces.");
  }
  let wallet: DirectSecp256k1HdWallet;
  try {
    wallet = await DirectSecp256k1HdWallet.fromMnemonic(words, options);
  } catch {
    throw new ConsoleError("This is not a valid BIP39 recovery phrase (a word is misspelled or its checksum does not match).", "Check each word against the phrase you wrote down.");
  }
  const u = await unlocked(wallet);
  await store(u, password);
  return u;
}

/** Decrypts the stored wallet; a wrong password is a ConsoleError that says so. */
export async function unlock(password: string): Promise<Unlocked> {
  const s = localStorage.getItem(STORAGE_KEY);
  if (s === null) throw new ConsoleError("No wallet is stored in this browser.", "Create one or import your recovery phrase.");
  let mnemonic: string;
  try {
    mnemonic = await inWorker({ op: "deserialize", serialization: s, password }, async () => (await DirectSecp256k1HdWallet.deserialize(s, password)).mnemonic);
  } catch {
    throw new ConsoleError("Wrong password: this wallet could not be decrypted with it.", "Type the password again (it is case-sensitive). If you lost it, remove the wallet and import it again from its recovery phrase.");
  }
  return unlocked(await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, options));
}

/** Removes the stored wallet. */
export function forget(): void {
  localStorage.removeItem(STORAGE_KEY);
}

/** Why `to` is not an akash address, or undefined. */
export function addressProblem(to: string): string | undefined {
  try {
    // An explicit length limit: cosmjs 0.39 passes Infinity to @scure/base, which refuses it.
    const { prefix, data } = fromBech32(to.trim(), 90);
    if (prefix !== PREFIX) return `That address is for another chain (prefix "${prefix}"); a dcloud address starts with akash1.`;
    if (data.length !== 20 && data.length !== 32) return "That address has the wrong length.";
    return undefined;
  } catch {
    return "That is not a valid address: it should start with akash1 and has a checksum; copy it again.";
  }
}

/** ceil(gas × price) for a decimal price string such as "0.025" (exact, no floats). */
export function feeFor(gas: number, price: string): string {
  const m = /^(\d*)(?:\.(\d+))?$/.exec(price.trim());
  if (!m) return "0";
  const frac = m[2] ?? "";
  const scaled = BigInt((m[1] || "0") + frac) * BigInt(gas);
  const div = 10n ** BigInt(frac.length);
  return ((scaled + div - 1n) / div).toString();
}

/** Progress of a send, for the page to show (no blocking modal). */
export type Progress = (step: string) => void;

/** The result of a tx that made it into a block. */
export interface Sent {
  hash: string;
  height: number;
}

/** A message for cosmjs' registry. */
export interface EncodeMsg {
  typeUrl: string;
  value: unknown;
}

/** Signs `msgs` in the browser, broadcasts them, then waits (≤ 30 s) for their block. */
export async function signAndBroadcast(u: Unlocked, msgs: EncodeMsg[], gas: number, progress: Progress): Promise<Sent> {
  progress("Reading your account and the chain's fee…");
  const [status, acc, params] = await Promise.all([
    rpc("status"),
    rest(`/cosmos/auth/v1beta1/accounts/${u.address}`).catch((e: ConsoleError) => {
      if (e.status === 404) throw new ConsoleError("This account is not on chain yet: it has never received coins.", "Fund it first: on a devnet press \"Get devnet funds\", elsewhere ask someone to send you some AKT.");
      throw e;
    }),
    rest("/cosmos/auth/v1beta1/params"),
  ]);
  const chainId = str(status, "node_info.network");
  const accountNumber = BigInt(str(acc, "account.account_number", "account.number") || "0");
  const sequence = int(acc, "account.sequence") ?? 0;
  const fee = { amount: [{ denom: "uakt", amount: feeFor(gas, str(params, "params.min_gas_price") || "0") }], gas: String(gas) };
  progress("Signing in this browser…");
  const client = await SigningStargateClient.offline(u.wallet, { registry });
  const raw = await client.sign(u.address, msgs, fee, "", { accountNumber, sequence, chainId });
  const bytes = TxRaw.encode(raw).finish();
  progress("Broadcasting…");
  const r = await rpc("broadcast_tx_sync", { tx: toBase64(bytes) });
  const code = int(r, "code") ?? 0;
  const hash = str(r, "hash");
  if (code !== 0) {
    throw new ConsoleError(`The node refused the transaction: ${str(r, "log") || `code ${code}`}.`, explainCode(str(r, "log")));
  }
  progress(`Sent (${hash.slice(0, 10)}…), waiting for a block…`);
  for (let i = 0; i < 60; i++) {
    await new Promise((res) => setTimeout(res, 500));
    const t = await rpc("tx", { hash }).catch(() => undefined);
    if (t) {
      const c = int(t, "tx_result.code") ?? 0;
      if (c !== 0) throw new ConsoleError(`The transaction failed in block ${str(t, "height")}: ${str(t, "tx_result.log")}.`, explainCode(str(t, "tx_result.log")));
      return { hash, height: int(t, "height") ?? 0 };
    }
  }
  throw new ConsoleError(`The transaction ${hash.slice(0, 10)}… was accepted but is not in a block after 30 s.`, "The chain may be halted: check that blocks advance on the Blocks page, then look the hash up.");
}

/** Sends coins (MsgSend). */
export function send(u: Unlocked, to: string, micro: string, denom: string, progress: Progress): Promise<Sent> {
  const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: u.address, toAddress: to.trim(), amount: [{ denom, amount: micro }] } };
  return signAndBroadcast(u, [msg], SEND_GAS, progress);
}

/** Gas limit of a staking tx. */
export const STAKE_GAS = 300_000;

/** Delegates (or, with `undelegate`, starts unbonding) `micro` uakt with a validator. */
export function delegate(u: Unlocked, validator: string, micro: string, undelegate: boolean, progress: Progress): Promise<Sent> {
  const typeUrl = undelegate ? "/cosmos.staking.v1beta1.MsgUndelegate" : "/cosmos.staking.v1beta1.MsgDelegate";
  return signAndBroadcast(u, [{ typeUrl, value: { delegatorAddress: u.address, validatorAddress: validator, amount: { denom: "uakt", amount: micro } } }], STAKE_GAS, progress);
}

/** Queues a conversion of `micro` uakt into ACT at the next BME epoch (MsgMintACT). */
export function mintAct(u: Unlocked, micro: string, progress: Progress): Promise<Sent> {
  const msg = { typeUrl: MSG_MINT_ACT_URL, value: { owner: u.address, to: u.address, coinsToBurn: { denom: "uakt", amount: micro } } };
  return signAndBroadcast(u, [msg], STAKE_GAS, progress);
}

/** Withdraws the staking rewards of every validator in `validators`. */
export function claimRewards(u: Unlocked, validators: string[], progress: Progress): Promise<Sent> {
  if (!validators.length) return Promise.reject(new ConsoleError("You have no delegation, so no rewards to claim.", "Delegate first."));
  const msgs = validators.map((v) => ({ typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", value: { delegatorAddress: u.address, validatorAddress: v } }));
  return signAndBroadcast(u, msgs, STAKE_GAS * msgs.length, progress);
}

/** What to do about a refused tx, from its log (pure). */
export function explainCode(log: string): string {
  if (/insufficient (funds|fee)|cannot pay fee/i.test(log)) return "The account has too few coins for the amount plus the fee: lower the amount or fund the account.";
  if (/sequence/i.test(log)) return "Another transaction from this account was sent at the same time: try again.";
  if (/signature/i.test(log)) return "The signature was refused: the chain id or account number may have changed (devnet reset?). Reload and try again.";
  return "Check the amount and the recipient, then try again.";
}

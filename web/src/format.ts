// Pure helpers (no DOM, no network): amounts, hashes, times, search classification and a
// defensive field reader for API shapes that are still moving. Unit-tested in tests/unit.

/** Reads the first present field among dotted paths, e.g. pick(v, "sync_info.latest_block_height", "height"). */
export function pick(obj: unknown, ...paths: string[]): unknown {
  for (const path of paths) {
    let cur: unknown = obj;
    for (const key of path.split(".")) {
      if (cur !== null && typeof cur === "object" && key in (cur as Record<string, unknown>)) {
        cur = (cur as Record<string, unknown>)[key];
      } else {
        cur = undefined;
        break;
      }
    }
    if (cur !== undefined && cur !== null) return cur;
  }
  return undefined;
}

/** A field as a string ("" when absent). */
export function str(obj: unknown, ...paths: string[]): string {
  const v = pick(obj, ...paths);
  if (v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** A field as a non-negative integer (numbers or decimal strings), or undefined. */
export function int(obj: unknown, ...paths: string[]): number | undefined {
  const v = pick(obj, ...paths);
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/** A field as an array ([] when absent or not an array). */
export function arr(obj: unknown, ...paths: string[]): unknown[] {
  const v = pick(obj, ...paths);
  return Array.isArray(v) ? v : [];
}

const MICRO: Record<string, string> = { uakt: "AKT", uact: "ACT" };

/** Groups the integer part with thin spaces: 1234567 → "1 234 567". */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
}

/**
 * A coin for people: "1500000uakt" → "1.5 AKT"; unknown denoms stay as they are.
 * Exact (string arithmetic, no floats), up to 6 decimals, trailing zeros dropped.
 */
export function formatCoin(amount: string | number | bigint, denom: string): string {
  const a = String(amount);
  if (!/^\d+$/.test(a)) return `${a} ${denom}`;
  const unit = MICRO[denom];
  if (!unit) return `${group(a)} ${denom}`;
  const padded = a.padStart(7, "0");
  const whole = padded.slice(0, -6).replace(/^0+(?=\d)/, "");
  const frac = padded.slice(-6).replace(/0+$/, "");
  return `${group(whole)}${frac ? "." + frac : ""} ${unit}`;
}

/** Coins from the many shapes the APIs use: [{denom, amount}], "10uakt,5uact", or {denom, amount}. */
export function coinsOf(v: unknown): { denom: string; amount: string }[] {
  if (Array.isArray(v)) {
    return v.flatMap((c) => coinsOf(c));
  }
  if (typeof v === "string") {
    return v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const m = /^(\d+)([a-zA-Z][a-zA-Z0-9/:._-]*)$/.exec(s);
        return m ? { amount: m[1], denom: m[2] } : { amount: s, denom: "" };
      });
  }
  if (v && typeof v === "object" && "denom" in v && "amount" in v) {
    const c = v as { denom: unknown; amount: unknown };
    return [{ denom: String(c.denom), amount: String(c.amount) }];
  }
  return [];
}

/** "1 AKT, 2 ACT" or "none". */
export function formatCoins(v: unknown): string {
  const cs = coinsOf(v);
  return cs.length ? cs.map((c) => formatCoin(c.amount, c.denom)).join(", ") : "none";
}

/**
 * Parses a human amount ("1.5", "0.000001") of AKT/ACT into micro-units ("1500000").
 * Returns an error message for anything that is not a positive amount with ≤ 6 decimals.
 */
export function parseAmount(input: string): { micro: string } | { error: string } {
  const s = input.trim();
  if (!s) return { error: "Enter an amount." };
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) return { error: `"${s}" is not a number: use digits and at most one dot, e.g. 1.5` };
  const frac = m[2] ?? "";
  if (frac.length > 6) return { error: "At most 6 decimals (1 micro-unit is 0.000001)." };
  const micro = ((m[1] || "0") + frac.padEnd(6, "0")).replace(/^0+(?=\d)/, "");
  if (/^0+$/.test(micro)) return { error: "The amount must be more than zero." };
  return { micro };
}

/** "ABCDEF…7890" for long hashes and addresses. */
export function short(s: string, head = 8, tail = 6): string {
  return s.length > head + tail + 1 ? `${s.slice(0, head)}…${s.slice(-tail)}` : s;
}

/** "3 s ago", "5 min ago", "2 h ago", "4 d ago" (from an RFC 3339 time or epoch ms). */
export function ago(time: string | number, now: number = Date.now()): string {
  const t = typeof time === "number" ? time : Date.parse(time);
  if (!Number.isFinite(t)) return "";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** What a search box entry is. */
export type SearchTarget =
  | { kind: "block"; height: number }
  | { kind: "tx"; hash: string }
  | { kind: "account"; address: string }
  | { kind: "invalid"; message: string };

/** Classifies a search: a height, a 64-hex tx hash or an `akash1…` address. */
export function classifySearch(input: string): SearchTarget {
  const q = input.trim();
  if (!q) return { kind: "invalid", message: "Type a block height, a transaction hash or an address." };
  if (/^\d+$/.test(q)) {
    const h = Number(q);
    if (h < 1 || !Number.isSafeInteger(h)) return { kind: "invalid", message: `Block heights start at 1; "${q}" is not one.` };
    return { kind: "block", height: h };
  }
  const hex = q.replace(/^0x/i, "");
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return { kind: "tx", hash: hex.toUpperCase() };
  if (/^akash(valoper)?1[02-9ac-hj-np-z]{38,58}$/.test(q.toLowerCase())) return { kind: "account", address: q.toLowerCase() };
  if (/^[0-9a-fA-F]+$/.test(hex)) return { kind: "invalid", message: `A transaction hash has 64 hex characters; this one has ${hex.length}.` };
  if (/^akash/i.test(q)) return { kind: "invalid", message: `"${short(q, 12, 4)}" is not a valid akash address (akash1 followed by 38 letters and digits).` };
  return { kind: "invalid", message: `"${short(q, 16, 4)}" is neither a block height, a transaction hash (64 hex characters) nor an akash1… address.` };
}

/** A base64 string's bytes. */
export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes as base64. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Bytes as upper-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/** An attribute value of an event (some APIs give base64 keys and values; plain text stays). */
export function eventAttrs(ev: unknown): { key: string; value: string }[] {
  return arr(ev, "attributes").map((a) => ({ key: str(a, "key"), value: str(a, "value") }));
}

/** "0.100000000000000000" → "10%" (a decimal fraction as a percentage, exact). */
export function percent(dec: string): string {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(dec.trim());
  if (!m) return dec || "—";
  const frac = m[2] ?? "";
  const whole = (m[1] + frac.padEnd(2, "0").slice(0, 2)).replace(/^0+(?=\d)/, "");
  const rest = frac.slice(2).replace(/0+$/, "");
  return `${whole}${rest ? "." + rest : ""}%`;
}

/**
 * A price in atto-units of a micro-denom per block ("2587600000000000000", "uact") as
 * "2.5876 uact/block" (exact: 18 decimals, trailing zeros dropped); "" when not a number.
 */
export function pricePerBlock(atto: string, denom: string): string {
  if (!/^\d+$/.test(atto)) return "";
  const p = atto.padStart(19, "0");
  const whole = p.slice(0, -18).replace(/^0+(?=\d)/, "");
  const frac = p.slice(-18).replace(/0+$/, "");
  return `${whole}${frac ? "." + frac : ""} ${denom || "?"}/block`;
}

/** "99.9% (missed 3 of 3000)" from the missed-blocks counter over the blocks it covers. */
export function uptime(missed: number, of: number): string {
  if (of <= 0) return "—";
  const m = Math.min(missed, of);
  const pct = Math.floor(((of - m) * 1000) / of) / 10;
  return `${pct}%${m ? ` (missed ${m} of ${of})` : ""}`;
}

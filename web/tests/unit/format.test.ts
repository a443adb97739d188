// Unit tests of the console's pure logic: amounts, search, defensive field reads, errors.
import { describe, expect, it } from "vitest";
import { ago, classifySearch, percent, pricePerBlock, uptime, coinsOf, formatCoin, formatCoins, int, parseAmount, pick, short, str, toBase64, fromBase64 } from "../../src/format";
import { explainHttp, rpcResult, ConsoleError } from "../../src/api";

describe("formatCoin", () => {
  it("shows micro-denoms in whole units, exactly", () => {
    expect(formatCoin("1500000", "uakt")).toBe("1.5 AKT");
    expect(formatCoin("1", "uakt")).toBe("0.000001 AKT");
    expect(formatCoin("0", "uact")).toBe("0 ACT");
    expect(formatCoin("1000000000000", "uakt")).toBe("1\u202f000\u202f000 AKT");
    expect(formatCoin("123456789012345678901234567890", "uakt")).toBe("123\u202f456\u202f789\u202f012\u202f345\u202f678\u202f901\u202f234.56789 AKT");
  });
  it("keeps unknown denoms and odd amounts as they are", () => {
    expect(formatCoin("42", "stake")).toBe("42 stake");
    expect(formatCoin("1.5", "uakt")).toBe("1.5 uakt");
  });
});

describe("coinsOf / formatCoins", () => {
  it("reads the shapes the APIs use", () => {
    expect(coinsOf("10uakt,5uact")).toEqual([{ amount: "10", denom: "uakt" }, { amount: "5", denom: "uact" }]);
    expect(coinsOf([{ denom: "uakt", amount: "3" }])).toEqual([{ amount: "3", denom: "uakt" }]);
    expect(coinsOf({ denom: "uakt", amount: 7 })).toEqual([{ amount: "7", denom: "uakt" }]);
    expect(coinsOf(null)).toEqual([]);
    expect(formatCoins([])).toBe("none");
    expect(formatCoins("2000000uakt")).toBe("2 AKT");
  });
});

describe("parseAmount", () => {
  it("turns human amounts into micro-units", () => {
    expect(parseAmount("1.5")).toEqual({ micro: "1500000" });
    expect(parseAmount("0.000001")).toEqual({ micro: "1" });
    expect(parseAmount(" 12 ")).toEqual({ micro: "12000000" });
    expect(parseAmount(".5")).toEqual({ micro: "500000" });
  });
  it("refuses with a reason", () => {
    expect(parseAmount("")).toEqual({ error: "Enter an amount." });
    expect("error" in parseAmount("0")).toBe(true);
    expect(parseAmount("1.0000001")).toEqual({ error: "At most 6 decimals (1 micro-unit is 0.000001)." });
    expect("error" in parseAmount("1,5")).toBe(true);
    expect("error" in parseAmount("-1")).toBe(true);
    expect("error" in parseAmount(".")).toBe(true);
  });
});

describe("classifySearch", () => {
  it("recognizes heights, hashes and addresses", () => {
    expect(classifySearch("42")).toEqual({ kind: "block", height: 42 });
    const hash = "ab".repeat(32);
    expect(classifySearch(hash)).toEqual({ kind: "tx", hash: hash.toUpperCase() });
    expect(classifySearch(`0x${hash}`)).toEqual({ kind: "tx", hash: hash.toUpperCase() });
    const addr = "akash1t678434c5ep2k5j42387d60sgtzec2ar4e2jxl";
    expect(classifySearch(addr)).toEqual({ kind: "account", address: addr });
  });
  it("explains what is wrong", () => {
    expect(classifySearch("0").kind).toBe("invalid");
    expect(classifySearch("abcd")).toMatchObject({ kind: "invalid", message: expect.stringContaining("64 hex characters; this one has 4") });
    expect(classifySearch("akash1xyz")).toMatchObject({ kind: "invalid", message: expect.stringContaining("not a valid akash address") });
    expect(classifySearch("hello")).toMatchObject({ kind: "invalid", message: expect.stringContaining("neither a block height") });
    expect(classifySearch("  ").kind).toBe("invalid");
  });
});

describe("pick / str / int", () => {
  const v = { sync_info: { latest_block_height: "17" }, header: { height: 5 }, nothing: null };
  it("reads the first present path", () => {
    expect(pick(v, "result.sync_info.latest_block_height", "sync_info.latest_block_height")).toBe("17");
    expect(int(v, "sync_info.latest_block_height")).toBe(17);
    expect(int(v, "header.height")).toBe(5);
    expect(int(v, "nothing", "missing")).toBeUndefined();
    expect(str(v, "missing")).toBe("");
    expect(str(v, "header")).toBe('{"height":5}');
  });
});

describe("percent", () => {
  it("shows decimal fractions as exact percentages", () => {
    expect(percent("0.100000000000000000")).toBe("10%");
    expect(percent("0.055")).toBe("5.5%");
    expect(percent("1")).toBe("100%");
    expect(percent("0")).toBe("0%");
    expect(percent("")).toBe("—");
  });
});

describe("pricePerBlock", () => {
  it("shows atto-prices exactly", () => {
    expect(pricePerBlock("2587600000000000000", "uact")).toBe("2.5876 uact/block");
    expect(pricePerBlock("1", "uakt")).toBe("0.000000000000000001 uakt/block");
    expect(pricePerBlock("100000000000000000000", "uact")).toBe("100 uact/block");
    expect(pricePerBlock("x", "uact")).toBe("");
  });
});

describe("uptime", () => {
  it("rounds down, never up to 100%", () => {
    expect(uptime(0, 50)).toBe("100%");
    expect(uptime(1, 3000)).toBe("99.9% (missed 1 of 3000)");
    expect(uptime(1, 100000)).toBe("99.9% (missed 1 of 100000)");
    expect(uptime(5, 5)).toBe("0% (missed 5 of 5)");
    expect(uptime(0, 0)).toBe("—");
  });
});

describe("txHash", () => {
  it("is the upper-case SHA-256 of the raw tx, as the node indexes it", async () => {
    const { txHash } = await import("../../src/explorer");
    expect(txHash(toBase64(new TextEncoder().encode("abc")))).toBe("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  });
});

describe("misc", () => {
  it("shortens and times", () => {
    expect(short("ABCDEFGHIJKLMNOPQRSTUVWXYZ")).toBe("ABCDEFGH…UVWXYZ");
    expect(short("ABC")).toBe("ABC");
    expect(ago(1_000, 61_000)).toBe("1 min ago");
    expect(ago("not a time")).toBe("");
    expect(Array.from(fromBase64(toBase64(new Uint8Array([0, 255, 7]))))).toEqual([0, 255, 7]);
  });
});

describe("errors people can act on", () => {
  it("a proxy 502 keeps the console's message and says what to do", () => {
    const e = explainHttp(502, { error: "the node's JSON-RPC at http://127.0.0.1:1 does not answer: is the node running?" }, "status");
    expect(e.message).toContain("does not answer");
    expect(e.hint).toContain("dcloud devnet");
  });
  it("a 404 says what was not found", () => {
    expect(explainHttp(404, { message: "block 9 not found" }, "/x").message).toBe("Not found: block 9 not found");
  });
  it("JSON-RPC errors become sentences", () => {
    expect(() => rpcResult("block", { error: { message: "Invalid params", data: "height 9 must be less than 3" } })).toThrow(ConsoleError);
    expect(() => rpcResult("block", { error: { message: "Invalid params", data: "x" } })).toThrow("The node could not answer block: Invalid params: x.");
    expect(rpcResult("status", { result: { a: 1 } })).toEqual({ a: 1 });
    expect(() => rpcResult("status", {})).toThrow("not JSON-RPC");
  });
});

// Unit tests of the wallet's pure logic (fees, addresses, passwords, messages) and the key
// derivation path: the same mnemonic gives the address the Rust keyring gives
// (m/44'/118'/0'/0/0, prefix akash).
import { describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet, makeCosmoshubPath } from "@cosmjs/proto-signing";
import { addressProblem, explainCode, feeFor, passwordProblem } from "../../src/wallet";

describe("feeFor", () => {
  it("is ceil(gas × price), exactly", () => {
    expect(feeFor(200_000, "0.025")).toBe("5000");
    expect(feeFor(200_001, "0.025")).toBe("5001");
    expect(feeFor(3, "0.1")).toBe("1");
    expect(feeFor(200_000, "0")).toBe("0");
    expect(feeFor(200_000, "1")).toBe("200000");
    expect(feeFor(7, "0.000000000000000001")).toBe("1");
  });
});

describe("checks", () => {
  it("addresses", () => {
    expect(addressProblem("akash1t678434c5ep2k5j42387d60sgtzec2ar4e2jxl")).toBeUndefined();
    expect(addressProblem("akash1t678434c5ep2k5j42387d60sgtzec2ar4e2jxq")).toContain("not a valid address");
    expect(addressProblem("cosmos1t678434c5ep2k5j42387d60sgtzec2arsd3xfw")).toMatch(/another chain|not a valid/);
  });
  it("passwords", () => {
    expect(passwordProblem("short", "short")).toContain("8 characters");
    expect(passwordProblem("long enough", "long enougH")).toContain("differ");
    expect(passwordProblem("long enough", "long enough")).toBeUndefined();
  });
  it("refusals say what to do", () => {
    expect(explainCode("insufficient funds: 1uakt < 5uakt")).toContain("too few coins");
    expect(explainCode("account sequence mismatch")).toContain("try again");
  });
});

describe("derivation", () => {
  it("the BIP39 test vector gives the same akash address as the Rust keyring", async () => {
    const m = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    const w = await DirectSecp256k1HdWallet.fromMnemonic(m, { prefix: "akash", hdPaths: [makeCosmoshubPath(0)] });
    const [a] = await w.getAccounts();
    // The address crates/crypto/src/keyring/tests.rs pins for this vector.
    expect(a.address).toBe("akash19rl4cm2hmr8afy4kldpxz3fka4jguq0a3mq6x0");
  });
});

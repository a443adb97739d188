// The hand-written dcloud codecs against bytes computed by hand from the prost definitions
// (crates/proto/src/dcloud/bme.rs): field 1 owner, 2 to, 3 coins_to_burn {1 denom, 2 amount}.
import { describe, expect, it } from "vitest";
import { MsgMintAct } from "../../src/dcloudTypes";

describe("MsgMintAct", () => {
  it("encodes field for field and decodes back", () => {
    const m = { owner: "ab", to: "cd", coinsToBurn: { denom: "uakt", amount: "5" } };
    const bytes = MsgMintAct.encode(m).finish();
    // 0a 02 'a' 'b' | 12 02 'c' 'd' | 1a 09 (0a 04 'uakt' 12 01 '5')
    expect(Array.from(bytes)).toEqual([0x0a, 2, 0x61, 0x62, 0x12, 2, 0x63, 0x64, 0x1a, 9, 0x0a, 4, 0x75, 0x61, 0x6b, 0x74, 0x12, 1, 0x35]);
    expect(MsgMintAct.decode(bytes)).toEqual(m);
    expect(MsgMintAct.fromPartial({ owner: "x" })).toEqual({ owner: "x", to: "", coinsToBurn: undefined });
  });
});

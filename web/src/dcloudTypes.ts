// Hand-written protobuf codecs for the few dcloud messages the console signs, until generated
// TypeScript types exist (the ecosystem issue). Each mirrors its prost struct in
// crates/proto/src/dcloud/ field for field; tests/unit/dcloudTypes.test.ts pins the bytes.

import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";

/** `/dcloud.bme.v1.MsgMintACT`: burn `coinsToBurn` uakt, mint uact to `to` (= owner) at the next epoch. */
export interface MsgMintAct {
  owner: string;
  to: string;
  coinsToBurn?: Coin;
}

/** Its type URL. */
export const MSG_MINT_ACT_URL = "/dcloud.bme.v1.MsgMintACT";

/** The codec (cosmjs' TelescopeGeneratedType shape). */
export const MsgMintAct = {
  typeUrl: MSG_MINT_ACT_URL,
  encode(m: MsgMintAct, w: BinaryWriter = BinaryWriter.create()): BinaryWriter {
    if (m.owner !== "") w.uint32(10).string(m.owner);
    if (m.to !== "") w.uint32(18).string(m.to);
    if (m.coinsToBurn !== undefined) Coin.encode(m.coinsToBurn, w.uint32(26).fork()).ldelim();
    return w;
  },
  decode(input: Uint8Array, length?: number): MsgMintAct {
    const r = new BinaryReader(input);
    const end = length === undefined ? r.len : r.pos + length;
    const m: MsgMintAct = { owner: "", to: "" };
    while (r.pos < end) {
      const tag = r.uint32();
      switch (tag >>> 3) {
        case 1:
          m.owner = r.string();
          break;
        case 2:
          m.to = r.string();
          break;
        case 3:
          m.coinsToBurn = Coin.decode(r, r.uint32());
          break;
        default:
          r.skipType(tag & 7);
      }
    }
    return m;
  },
  fromPartial(o: Partial<MsgMintAct>): MsgMintAct {
    return { owner: o.owner ?? "", to: o.to ?? "", coinsToBurn: o.coinsToBurn ? Coin.fromPartial(o.coinsToBurn) : undefined };
  },
};

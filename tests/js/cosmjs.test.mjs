// cosmjs from npm, unmodified, against a running dcloud node: what a TS app or wallet does.
// Run by crates/node/tests/cosmjs.rs (which starts the node and funds DCLOUD_MNEMONIC);
// by hand: DCLOUD_RPC=http://127.0.0.1:26657 DCLOUD_CHAIN_ID=… DCLOUD_MNEMONIC="…" npm test
import assert from "node:assert/strict";
import { test } from "node:test";

import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import {
  GasPrice,
  QueryClient,
  SigningStargateClient,
  StargateClient,
  setupAuthExtension,
  setupBankExtension,
  setupDistributionExtension,
  setupGovExtension,
  setupMintExtension,
  setupSlashingExtension,
  setupStakingExtension,
  setupTxExtension,
} from "@cosmjs/stargate";
import { Comet38Client, connectComet } from "@cosmjs/tendermint-rpc";

const rpc = process.env.DCLOUD_RPC;
const chainId = process.env.DCLOUD_CHAIN_ID;
const mnemonic = process.env.DCLOUD_MNEMONIC;
assert.ok(rpc && chainId && mnemonic, "set DCLOUD_RPC, DCLOUD_CHAIN_ID and DCLOUD_MNEMONIC");

const gasPrice = GasPrice.fromString("0.025uakt");
const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "akash" });
const [{ address: sender }] = await wallet.getAccounts();
const stranger = (await (await DirectSecp256k1HdWallet.generate(12, { prefix: "akash" })).getAccounts())[0].address;

test("connects, reads chain id, height and blocks", async () => {
  const comet = await connectComet(rpc);
  assert.ok(comet instanceof Comet38Client, "a 0.38 node gets the Comet38 adaptor");
  const client = await StargateClient.connect(rpc);
  assert.equal(await client.getChainId(), chainId);
  const height = await client.getHeight();
  assert.ok(height >= 1, `height ${height}`);
  const block = await client.getBlock(height);
  assert.equal(block.header.height, height);
  assert.equal(block.header.chainId, chainId);
  assert.match(block.id, /^[0-9A-F]{64}$/);
  const latest = await client.getBlock();
  assert.ok(latest.header.height >= height);

  const status = await comet.status();
  assert.equal(status.nodeInfo.network, chainId);
  assert.ok(status.validatorInfo.votingPower > 0n);
  const results = await comet.blockResults(height);
  assert.equal(results.height, height);
  const vals = await comet.validatorsAll(height);
  assert.ok(vals.validators.length >= 1);
  assert.equal(vals.validators[0].pubkey.algorithm, "ed25519");
  const commit = await comet.commit(height);
  assert.equal(commit.header.height, height);
  assert.ok(commit.commit.signatures.length >= 1);
  const chain = await comet.blockchain(1, height);
  assert.equal(chain.blockMetas[0].header.height, height);
  const genesis = await comet.genesis();
  assert.equal(genesis.chainId, chainId);
  const info = await comet.abciInfo();
  assert.ok(info.lastBlockHeight >= height);
  await comet.health();
  const unconfirmed = await comet.numUnconfirmedTxs();
  assert.ok(unconfirmed.total >= 0);
  const found = await comet.blockSearchAll({ query: `block.height >= ${Math.max(1, height - 2)}` });
  assert.ok(found.totalCount >= 1, "block_search finds blocks");
  client.disconnect();
  comet.disconnect();
});

test("balances, accounts (null for an unknown one) and the standard query services", async () => {
  const client = await StargateClient.connect(rpc);
  const balances = await client.getAllBalances(sender);
  assert.ok(balances.some((c) => c.denom === "uakt" && BigInt(c.amount) > 0n), JSON.stringify(balances));
  const akt = await client.getBalance(sender, "uakt");
  assert.ok(BigInt(akt.amount) > 0n);
  assert.equal((await client.getBalance(stranger, "uakt")).amount, "0");
  const account = await client.getAccount(sender);
  assert.equal(account.address, sender);
  assert.equal(await client.getAccount(stranger), null);

  const comet = await connectComet(rpc);
  const q = QueryClient.withExtensions(
    comet,
    setupAuthExtension,
    setupBankExtension,
    setupStakingExtension,
    setupDistributionExtension,
    setupGovExtension,
    setupMintExtension,
    setupSlashingExtension,
  );
  const supply = await q.bank.totalSupply();
  assert.ok(supply.supply.some((c) => c.denom === "uakt"));
  assert.ok(BigInt((await q.bank.supplyOf("uakt")).amount) > 0n);
  assert.equal((await q.bank.denomMetadata("uakt")).display, "akt");
  const vals = await q.staking.validators("BOND_STATUS_BONDED");
  assert.ok(vals.validators.length >= 1);
  const one = await q.staking.validator(vals.validators[0].operatorAddress);
  assert.equal(one.validator.operatorAddress, vals.validators[0].operatorAddress);
  assert.equal((await q.staking.params()).params.bondDenom, "uakt");
  assert.ok(BigInt((await q.staking.pool()).pool.bondedTokens) > 0n);
  await q.staking.delegatorDelegations(sender);
  await q.distribution.params();
  await q.distribution.communityPool();
  await q.gov.proposals(0, "", "");
  await q.mint.params();
  await q.mint.inflation();
  await q.slashing.params();
  await q.slashing.signingInfos();
  const acc = await q.auth.account(sender);
  assert.equal(acc.typeUrl, "/cosmos.auth.v1beta1.BaseAccount");
  await assert.rejects(q.auth.account(stranger), /rpc error: code = NotFound/);
  client.disconnect();
  comet.disconnect();
});

test("signs and sends, simulates, finds the tx by hash, sender and height", async () => {
  const client = await SigningStargateClient.connectWithSigner(rpc, wallet, { gasPrice });
  const amount = [{ denom: "uakt", amount: "12345" }];
  const msg = {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: { fromAddress: sender, toAddress: stranger, amount },
  };
  const gas = await client.simulate(sender, [msg], "simulated");
  assert.ok(gas > 0, `simulated gas ${gas}`);

  const before = await client.getAccount(sender);
  const result = await client.sendTokens(sender, stranger, amount, "auto", "from cosmjs");
  assert.equal(result.code, 0, result.rawLog);
  assert.ok(result.height >= 1);
  assert.ok(result.gasUsed > 0n);
  assert.equal((await client.getBalance(stranger, "uakt")).amount, "12345");
  const after = await client.getAccount(sender);
  assert.equal(after.sequence, before.sequence + 1);

  const tx = await client.getTx(result.transactionHash);
  assert.equal(tx.height, result.height);
  assert.equal(tx.code, 0);
  assert.ok(tx.events.some((e) => e.type === "transfer"));
  const bySender = await client.searchTx(`message.sender='${sender}'`);
  assert.ok(bySender.some((t) => t.hash === result.transactionHash), "searchTx by sender");
  const byHeight = await client.searchTx(`tx.height=${result.height}`);
  assert.ok(byHeight.some((t) => t.hash === result.transactionHash), "searchTx by height");

  const comet = await connectComet(rpc);
  const q = QueryClient.withExtensions(comet, setupTxExtension);
  const got = await q.tx.getTx(result.transactionHash);
  assert.equal(got.txResponse.txhash, result.transactionHash);
  assert.equal(Number(got.txResponse.height), result.height);
  comet.disconnect();
  client.disconnect();
});

test("a tx signed for another chain id is refused", async () => {
  const client = await SigningStargateClient.connectWithSigner(rpc, wallet, { gasPrice });
  const { accountNumber, sequence } = await client.getSequence(sender);
  const offline = await SigningStargateClient.offline(wallet);
  const msg = {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: { fromAddress: sender, toAddress: stranger, amount: [{ denom: "uakt", amount: "1" }] },
  };
  const fee = { amount: [{ denom: "uakt", amount: "5000" }], gas: "200000" };
  const raw = await offline.sign(sender, [msg], fee, "", {
    accountNumber,
    sequence,
    chainId: `${chainId}-other`,
  });
  const { TxRaw } = await import("cosmjs-types/cosmos/tx/v1beta1/tx");
  const bytes = TxRaw.encode(raw).finish();
  await assert.rejects(client.broadcastTx(bytes), (e) => {
    assert.match(String(e), /signature verification failed|unauthorized/i);
    return true;
  });
  assert.equal((await client.getSequence(sender)).sequence, sequence, "nothing executed");
  client.disconnect();
});

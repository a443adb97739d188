// End-to-end test of the console in headless Chromium (playwright-core, the system's
// Chromium: no browser download). Run by crates/dcloud/tests/console_e2e.rs against a real
// devnet and a real `dcloud console`; it can also be run by hand:
//
//   CONSOLE_URL=http://127.0.0.1:8800/ DEAD_CONSOLE_URL=… ALICE_MNEMONIC=… BOB=akash1… \
//   SEND_TX=<hash of a MsgSend> ALICE=akash1… DSEQ=<alice's deployment> SHOTS_DIR=/tmp/shots \
//   node web/tests/e2e.mjs
//
// Prints one line per step and, last, a JSON line `{"result": …}` with the measured figures.
// Exits non-zero on the first failed check.

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const env = (k, d) => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`set ${k}`);
  return v;
};
const URL_ = env("CONSOLE_URL").replace(/\/?$/, "/");
const DEAD = env("DEAD_CONSOLE_URL", "");
const ALICE_MNEMONIC = env("ALICE_MNEMONIC", "");
const BOB = env("BOB", "");
const ALICE = env("ALICE", "");
const DSEQ = env("DSEQ", "");
const FAUCET = env("FAUCET", "") === "1";
const SEND_TX = env("SEND_TX", "");
const SHOTS = env("SHOTS_DIR");
const CHROMIUM = env("CHROMIUM", "/usr/bin/chromium");
mkdirSync(SHOTS, { recursive: true });

const PASSWORD = "correct horse battery";
const T = 30_000;
const result = { screenshots: SHOTS, shots: [] };

function check(cond, msg) {
  if (!cond) throw new Error(`check failed: ${msg}`);
}
function step(msg) {
  console.log(`» ${msg}`);
}
async function shot(page, name) {
  const w = page.viewportSize().width;
  const file = join(SHOTS, `${name}-${w <= 500 ? "phone" : "desktop"}.png`);
  await page.screenshot({ path: file, fullPage: true });
  result.shots.push(file);
}
async function text(page, sel) {
  await page.waitForSelector(sel, { timeout: T });
  return (await page.textContent(sel)) ?? "";
}
/** Fails on any uncaught page error or a raw "failed to fetch" on screen. */
function guard(page, errors) {
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) errors.push(`console error: ${m.text()}`);
  });
}
async function noRawErrors(page) {
  const body = (await page.textContent("body")) ?? "";
  check(!/failed to fetch|TypeError|stack trace|undefined|\[object Object\]/i.test(body), `raw error text on ${page.url()}: ${body.slice(0, 300)}`);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const errors = [];
try {
  // ---------------------------------------------------------------- desktop
  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await desk.newPage();
  guard(page, errors);

  step("first load: the latest blocks appear");
  const t0 = Date.now();
  await page.goto(URL_);
  await page.waitForSelector("[data-testid=blocks] tbody tr", { timeout: T });
  result.first_blocks_ms = Date.now() - t0;
  result.blocks_rendered_ms = await page.evaluate(() => Math.round(performance.getEntriesByName("blocks-rendered")[0]?.startTime ?? -1));
  result.dom_content_loaded_ms = await page.evaluate(() => Math.round(performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd));
  result.load_event_ms = await page.evaluate(() => Math.round(performance.getEntriesByType("navigation")[0].loadEventEnd));
  result.js_transferred_bytes = await page.evaluate(() =>
    performance.getEntriesByType("resource").filter((r) => r.name.endsWith(".js")).reduce((s, r) => s + (r.transferSize || r.encodedBodySize || 0), 0),
  );
  const firstTop = Number(await text(page, "[data-testid=blocks] tbody tr td a"));
  check(firstTop >= 1, `a block height, got ${firstTop}`);
  step(`  top height ${firstTop}: blocks on screen ${result.blocks_rendered_ms} ms after navigation start (DOMContentLoaded ${result.dom_content_loaded_ms} ms, load ${result.load_event_ms} ms; ${result.first_blocks_ms} ms as the test driver saw it)`);
  await page.waitForFunction((h) => Number(document.querySelector("[data-testid=blocks] tbody tr td a")?.textContent) > h, firstTop, { timeout: T });
  step("  live: a newer block appeared without a reload");
  await page.waitForFunction(() => document.querySelector(".live")?.getAttribute("data-mode") === "websocket", null, { timeout: T });
  step("  new blocks arrive over the node's websocket (through /api/websocket)");
  check((await text(page, "[data-testid=chain-summary]")).includes("dcloud-devnet-1"), "chain id in the summary");
  await page.waitForSelector("[data-testid=economy] .fact", { timeout: T });
  const econ = await text(page, "[data-testid=economy]");
  check(/\$1\.5/.test(econ) && /BME/.test(econ), `oracle price and BME shown: ${econ}`);
  await shot(page, "blocks");

  step("block page");
  await page.click("[data-testid=blocks] tbody tr td a");
  await page.waitForSelector("[data-testid=block]", { timeout: T });
  check(/Height/.test(await text(page, "[data-testid=block]")), "block fields");
  await noRawErrors(page);
  await shot(page, "block");

  if (SEND_TX) {
    step("tx page: a bank send with its decoded message and events");
    await page.goto(`${URL_}#/tx/${SEND_TX}`);
    await page.waitForSelector("[data-testid=messages]", { timeout: T });
    const msgs = await text(page, "[data-testid=messages]");
    check(msgs.includes("/cosmos.bank.v1beta1.MsgSend"), `MsgSend decoded: ${msgs.slice(0, 200)}`);
    check(msgs.includes(BOB), "recipient in the decoded message");
    check((await text(page, "[data-testid=events]")).includes("transfer"), "transfer event");
    check((await text(page, "[data-testid=tx]")).includes("success"), "tx success");
    await noRawErrors(page);
    await shot(page, "tx");
    step("  the tx's block lists it");
    await page.click("[data-testid=tx] a[href^='#/block/']");
    await page.waitForSelector(`[data-testid=block-txs] a[href='#/tx/${SEND_TX}']`, { timeout: T });
  }

  step("validators page");
  await page.goto(`${URL_}#/validators`);
  await page.waitForSelector("[data-testid=consensus-set] tbody tr", { timeout: T });
  check((await page.$$("[data-testid=validators] tbody tr")).length >= 1, "a staking validator row");
  const vtext = await text(page, "[data-testid=validators]");
  check(/active|bonded/i.test(vtext) && /100%/.test(vtext) && /10%/.test(vtext), `status, uptime and commission shown: ${vtext}`);
  await noRawErrors(page);
  await shot(page, "validators");

  step("governance page (read-only without a wallet)");
  await page.goto(`${URL_}#/gov`);
  await page.waitForSelector("[data-testid=proposal], [data-testid=no-proposals]", { timeout: T });
  await noRawErrors(page);
  await shot(page, "gov");

  step("providers page");
  await page.goto(`${URL_}#/providers`);
  await page.waitForSelector("[data-testid=providers-empty], [data-testid=provider]", { timeout: T });
  await noRawErrors(page);
  await shot(page, "providers");

  if (BOB) {
    step("account page (bob): balances");
    await page.goto(`${URL_}#/account/${BOB}`);
    const bal = await text(page, "[data-testid=balances]");
    check(/AKT/.test(bal), `AKT balance shown: ${bal}`);
    await noRawErrors(page);
    await shot(page, "account");
  }

  if (ALICE && DSEQ) {
    step("account page (alice): her deployment");
    await page.goto(`${URL_}#/account/${ALICE}`);
    const deps = await text(page, "[data-testid=deployments]");
    check(deps.includes(DSEQ) && /active/.test(deps), `deployment ${DSEQ} listed: ${deps}`);
    await noRawErrors(page);
    await shot(page, "account-deployments");
  }

  step("search: height, bad input");
  await page.goto(URL_);
  await page.fill("#search", "1");
  await page.press("#search", "Enter");
  await page.waitForSelector("[data-testid=block]", { timeout: T });
  check(page.url().endsWith("#/block/1"), `search went to block 1: ${page.url()}`);
  await page.fill("#search", "hello");
  await page.press("#search", "Enter");
  check((await text(page, "#search-msg")).includes("neither a block height"), "bad search explained");
  step("a block that does not exist yet");
  await page.goto(`${URL_}#/block/999999999`);
  const missing = await text(page, "[data-testid=error]");
  check(/999999999/.test(missing), `missing block explained: ${missing}`);
  await noRawErrors(page);
  await shot(page, "block-missing");

  step("wallet: create with a password");
  await page.goto(`${URL_}#/wallet`);
  await page.waitForSelector("#create-form", { timeout: T });
  await shot(page, "wallet-setup");
  await page.fill("#new-password", PASSWORD);
  await page.fill("#new-password2", "something else");
  await page.click("#create");
  check((await text(page, "#create-form [data-testid=error]")).includes("differ"), "password mismatch explained");
  await page.fill("#new-password2", PASSWORD);
  const tc = Date.now();
  await page.click("#create");
  // The key derivation runs in a Web Worker: the page answers while it runs (a figure, not a check).
  await page.waitForSelector("#create-form .progress", { timeout: T });
  const probe = Date.now();
  await page.evaluate(() => document.querySelector("#create-form .progress")?.textContent);
  result.main_thread_probe_during_kdf_ms = Date.now() - probe;
  await page.waitForSelector("[data-testid=mnemonic]", { timeout: 60_000 });
  result.wallet_create_ms = Date.now() - tc;
  const words = await page.$$eval("[data-testid=mnemonic] li", (ls) => ls.map((l) => l.textContent));
  check(words.length === 24, `24 words, got ${words.length}`);
  await shot(page, "wallet-mnemonic");
  await page.click("#mnemonic-done");
  const addr = await text(page, "[data-testid=wallet-address]");
  check(/^akash1[0-9a-z]{38}$/.test(addr), `address ${addr}`);
  await page.waitForFunction(() => !/loading/.test(document.querySelector("[data-testid=wallet-balances]")?.textContent ?? "loading"), null, { timeout: T });
  const stored = await page.evaluate(() => localStorage.getItem("dcloud.wallet.v1"));
  check(stored && JSON.parse(stored).type === "directsecp256k1hdwallet-v1" && !stored.includes(words.slice(0, 3).join(" ")), "only the encrypted serialization is stored");
  step(`  created ${addr} in ${result.wallet_create_ms} ms`);
  if (FAUCET) {
    step("wallet: the devnet faucet funds the new key");
    await page.click("#faucet-button");
    await page.waitForSelector("#faucet .ok", { timeout: 60_000 }).catch(async (e) => {
      throw new Error(`faucet did not succeed: ${await page.textContent("#faucet")} (${e.message})`);
    });
    check(/Received 100 AKT in block \d+/.test(await text(page, "#faucet .ok")), "faucet result");
    await page.waitForFunction(() => /100 AKT/.test(document.querySelector("[data-testid=wallet-balances]")?.textContent ?? ""), null, { timeout: T });
    await shot(page, "wallet-funded");
    await page.click("#faucet-button");
    check(/wait \d+ s/.test(await text(page, "#faucet [data-testid=error]")), "faucet cooldown explained");
  }

  step("wallet: reload, wrong password, then the right one");
  await page.reload();
  await page.waitForSelector("#unlock-form", { timeout: T });
  await page.fill("#unlock-password", "not the password");
  await page.click("#unlock");
  const wrong = await text(page, "#unlock-form [data-testid=error]");
  check(/Wrong password/.test(wrong), `wrong password explained: ${wrong}`);
  await noRawErrors(page);
  await shot(page, "wallet-wrong-password");
  await page.fill("#unlock-password", PASSWORD);
  await page.click("#unlock");
  check((await text(page, "[data-testid=wallet-address]")) === addr, "same address after unlock");
  await shot(page, "wallet-unlocked");

  if (ALICE_MNEMONIC && BOB) {
    step("wallet: import alice's phrase and send 1.5 AKT to bob, signed in the browser");
    const ctx2 = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p2 = await ctx2.newPage();
    guard(p2, errors);
    await p2.goto(`${URL_}#/wallet`);
    await p2.waitForSelector("#import-form", { timeout: T });
    await p2.fill("#import-mnemonic", "abandon abandon abandon");
    await p2.fill("#import-password", PASSWORD);
    await p2.fill("#import-password2", PASSWORD);
    await p2.click("#import");
    check((await text(p2, "#import-form [data-testid=error]")).includes("3"), "short phrase explained");
    await p2.fill("#import-mnemonic", ALICE_MNEMONIC);
    await p2.click("#import");
    await p2.waitForSelector("#send-form", { timeout: 60_000 });
    const addrOf2 = await text(p2, "[data-testid=wallet-address]");
    await p2.fill("#send-to", BOB.slice(0, -1) + (BOB.endsWith("q") ? "p" : "q"));
    await p2.fill("#send-amount", "1.5");
    await p2.click("#send");
    check(/not a valid address/.test(await text(p2, "#send-form [data-testid=error]")), "bad checksum explained");
    await p2.fill("#send-to", BOB);
    await p2.fill("#send-amount", "1.5");
    const ts = Date.now();
    await p2.click("#send");
    await p2.waitForSelector("#send-form .ok a", { timeout: 60_000 }).catch(async (e) => {
      throw new Error(`send did not succeed: ${await p2.textContent("#send-form")} (${e.message})`);
    });
    result.send_ms = Date.now() - ts;
    check(/Sent 1\.5 AKT in block \d+/.test(await text(p2, "#send-form .ok")), "send result");
    await shot(p2, "wallet-sent");
    await p2.click("#send-form .ok a");
    const msgs = await text(p2, "[data-testid=messages]");
    check(msgs.includes(BOB) && msgs.includes("1500000"), `the browser-signed MsgSend on its tx page: ${msgs.slice(0, 200)}`);
    step(`  sent and included in ${result.send_ms} ms`);

    step("wallet: mint ACT from 10 AKT (a dcloud message, signed in the browser)");
    const actBefore = await p2.evaluate(async (a) => {
      const b = await (await fetch(`/api/rest/cosmos/bank/v1beta1/balances/${a}`)).json();
      return Number(b.balances.find((c) => c.denom === "uact")?.amount ?? 0);
    }, addrOf2);
    await p2.goto(`${URL_}#/wallet`);
    await p2.fill("#mint-amount", "10");
    await p2.click("#mint");
    await p2.waitForSelector("#mint-form .ok", { timeout: 60_000 }).catch(async (e) => {
      throw new Error(`mint did not succeed: ${await p2.textContent("#mint-form")} (${e.message})`);
    });
    await p2.waitForFunction(
      async ([a, before]) => {
        const b = await (await fetch(`/api/rest/cosmos/bank/v1beta1/balances/${a}`)).json();
        return Number(b.balances.find((c) => c.denom === "uact")?.amount ?? 0) > before;
      },
      [addrOf2, actBefore],
      { timeout: 60_000, polling: 500 },
    );
    step("  the ACT arrived at the BME's epoch");
    await shot(p2, "wallet-minted");

    step("wallet: delegate 2 AKT, claim rewards, undelegate 1 AKT (signed in the browser)");
    await p2.goto(`${URL_}#/wallet`);
    await p2.waitForSelector("#stake-validator option", { state: "attached", timeout: T });
    await p2.fill("#stake-amount", "2");
    await p2.click("#delegate");
    await p2.waitForSelector("#staking .ok", { timeout: 60_000 }).catch(async (e) => {
      throw new Error(`delegate did not succeed: ${await p2.textContent("#staking")} (${e.message})`);
    });
    check(/Delegated 2 AKT in block \d+/.test(await text(p2, "#staking .ok")), "delegate result");
    await p2.waitForFunction(() => /2 AKT staked/.test(document.querySelector("[data-testid=my-delegations]")?.textContent ?? ""), null, { timeout: T });
    await p2.click("#claim");
    await p2.waitForFunction(() => /Rewards claimed in block/.test(document.querySelector("#staking .ok")?.textContent ?? ""), null, { timeout: 60_000 }).catch(async (e) => {
      throw new Error(`claim did not succeed: ${await p2.textContent("#staking")} (${e.message})`);
    });
    await p2.fill("#stake-amount", "1");
    await p2.click("#undelegate");
    await p2.waitForFunction(() => /Unbonding 1 AKT in block/.test(document.querySelector("#staking .ok")?.textContent ?? ""), null, { timeout: 60_000 }).catch(async (e) => {
      throw new Error(`undelegate did not succeed: ${await p2.textContent("#staking")} (${e.message})`);
    });
    await p2.waitForFunction(() => /1 AKT staked/.test(document.querySelector("[data-testid=my-delegations]")?.textContent ?? ""), null, { timeout: T });
    await shot(p2, "wallet-staking");

    step("governance: alice votes yes on the open proposal from the browser");
    await p2.goto(`${URL_}#/gov`);
    await p2.waitForSelector("[data-testid=proposal] [data-vote=yes]", { timeout: T });
    check(/voting period/.test(await text(p2, "[data-testid=proposal-status]")), "proposal in its voting period");
    await p2.click("[data-testid=proposal] [data-vote=yes]");
    await p2.waitForFunction(() => /Voted Yes in block/.test(document.querySelector("[data-testid=proposal] .ok")?.textContent ?? ""), null, { timeout: 60_000 }).catch(async (e) => {
      throw new Error(`vote did not succeed: ${await p2.textContent("[data-testid=proposal]")} (${e.message})`);
    });
    await p2.waitForFunction(() => /\(1 vote\)/.test(document.querySelector("[data-testid=tally]")?.textContent ?? ""), null, { timeout: T });
    await shot(p2, "gov-voted");
    await ctx2.close();
  }

  // ---------------------------------------------------------------- phone
  step("phone width (390x844): every page");
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.addInitScript((s) => localStorage.setItem("dcloud.wallet.v1", s), stored);
  const pp = await phone.newPage();
  guard(pp, errors);
  const pages = [
    ["blocks", "", "[data-testid=blocks] tbody tr"],
    ["block", "#/block/1", "[data-testid=block]"],
    ...(SEND_TX ? [["tx", `#/tx/${SEND_TX}`, "[data-testid=messages]"]] : []),
    ["validators", "#/validators", "[data-testid=validators]"],
    ["gov", "#/gov", "[data-testid=proposal], [data-testid=no-proposals]"],
    ["providers", "#/providers", "[data-testid=providers-empty], [data-testid=provider]"],
    ...(BOB ? [["account", `#/account/${BOB}`, "[data-testid=balances]"]] : []),
    ...(ALICE && DSEQ ? [["account-deployments", `#/account/${ALICE}`, "[data-testid=deployments]"]] : []),
    ["wallet-locked", "#/wallet", "#unlock-form"],
  ];
  for (const [name, hash, sel] of pages) {
    await pp.goto(`${URL_}${hash}`);
    await pp.waitForSelector(sel, { timeout: T });
    const overflow = await pp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `${name}: the page is ${overflow}px wider than the phone`);
    await shot(pp, name);
  }
  step("phone: unlock the stored wallet");
  await pp.fill("#unlock-password", PASSWORD);
  await pp.click("#unlock");
  check((await text(pp, "[data-testid=wallet-address]")) === addr, "same address on the phone");
  await shot(pp, "wallet-unlocked");
  await phone.close();
  const fresh = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const fp = await fresh.newPage();
  guard(fp, errors);
  await fp.goto(`${URL_}#/wallet`);
  await fp.waitForSelector("#create-form", { timeout: T });
  await shot(fp, "wallet-setup");
  await fresh.close();

  if (DEAD) {
    step("a console whose node is down says so");
    for (const vp of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      const c = await browser.newContext({ viewport: vp });
      const p = await c.newPage();
      await p.goto(DEAD);
      const msg = await text(p, "[data-testid=error]");
      check(/does not answer/.test(msg) && /devnet/.test(msg), `node-down message: ${msg}`);
      await noRawErrors(p);
      await shot(p, "node-down");
      await c.close();
    }
  }
  check(errors.length === 0, `no page errors: ${errors.join("; ")}`);
  console.log(JSON.stringify({ result }));
} finally {
  await browser.close();
}

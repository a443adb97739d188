// Explorer pages: latest blocks (live), a block with its txs, a tx with its messages and
// events, an account (balances, deployments, leases, delegations), validators, providers.
// Data: the node's JSON-RPC (status, block, block_results, tx, validators) and REST
// (bank, auth, staking, provider, audit, deployment, market), read defensively with pick().

import { sha256 } from "@noble/hashes/sha2.js";
import { ConsoleError, rest, rpc } from "./api";
import { h, link, mount } from "./dom";
import { ago, arr, eventAttrs, formatCoin, formatCoins, fromBase64, int, percent, pick, pricePerBlock, short, str, toHex, uptime } from "./format";

/** An error box: what happened, and what to do next. */
export function errorBox(e: unknown): HTMLElement {
  const err =
    e instanceof ConsoleError
      ? e
      : new ConsoleError(`Something went wrong in the console: ${e instanceof Error ? e.message : String(e)}.`, "Reload the page; if it happens again, report it with the steps that led here.");
  return h("div", { class: "error", role: "alert", "data-testid": "error" }, h("strong", {}, err.message), err.hint ? h("p", {}, err.hint) : null);
}

/** Runs `load` and renders its result, or an error box, into `el`. */
async function show(el: HTMLElement, load: () => Promise<Node[]>): Promise<void> {
  try {
    mount(el, ...(await load()));
  } catch (e) {
    mount(el, errorBox(e));
  }
}

function loading(what: string): HTMLElement {
  return h("p", { class: "loading" }, `Loading ${what}…`);
}

/** The block time, from CometBFT's `header.time` or dcloud's `header.time_ms`. */
function blockTime(block: unknown): string {
  const t = pick(block, "header.time");
  if (typeof t === "string") return t;
  const ms = int(block, "header.time_ms");
  return ms === undefined ? "" : new Date(ms).toISOString();
}

/** The hash of a raw tx (base64), as the node indexes it: upper-case hex SHA-256. */
export function txHash(b64: string): string {
  return toHex(sha256(fromBase64(b64)));
}

interface BlockRow {
  height: number;
  hash: string;
  time: string;
  txs: number;
  proposer: string;
}

let chainId = "";

/** A row of the blocks table from a `block` answer. */
function blockRow(r: unknown): BlockRow {
  const block = pick(r, "block");
  chainId = str(block, "header.chain_id") || chainId;
  const height = int(block, "header.height");
  if (height === undefined) throw new ConsoleError("The node's block has no height.", "Is --node pointing at a dcloud node's RPC port?");
  return {
    height,
    hash: str(r, "block_id.hash"),
    time: blockTime(block),
    txs: arr(block, "txs", "data.txs").length,
    proposer: str(block, "header.proposer_address"),
  };
}

async function fetchBlock(height: number): Promise<BlockRow> {
  return blockRow(await rpc("block", { height: String(height) }));
}

function table(head: string[], rows: (Node | string)[][], testid: string): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h("table", { "data-testid": testid }, h("thead", {}, h("tr", {}, head.map((c) => h("th", {}, c)))), h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c)))))),
  );
}

const BLOCKS_SHOWN = 20;

/** The oracle's AKT price, the BME's status and vault: one line of cards. */
async function loadEconomy(el: HTMLElement): Promise<void> {
  const [price, status, vault] = await Promise.all([
    rest("/dcloud/oracle/v1/price").catch((e: unknown) => e),
    rest("/dcloud/bme/v1/status").catch((e: unknown) => e),
    rest("/dcloud/bme/v1/vault-state").catch((e: unknown) => e),
  ]);
  const fact = (label: string, value: Node | string, title = "") => h("div", { class: "fact", title }, h("span", {}, label), h("strong", {}, value));
  const failed = (x: unknown) => x instanceof Error;
  if (failed(price) && failed(status) && failed(vault)) {
    mount(el, errorBox(price));
    return;
  }
  const p = str(price, "price");
  const health = str(price, "health");
  const bme = str(status, "status");
  mount(
    el,
    fact("AKT price (oracle)", failed(price) ? "unavailable" : `$${p.replace(/(\.\d{2,4}?)0*$/, "$1")}`, failed(price) ? (price as Error).message : `${health}, ${arr(price, "sources").length} source(s)`),
    fact("BME", failed(status) ? "unavailable" : h("span", { class: bme === "healthy" ? "ok" : "bad" }, bme), failed(status) ? (status as Error).message : `mints ${pick(status, "mints_allowed") === true ? "allowed" : "halted"}`),
    fact("Collateral ratio", failed(status) ? "—" : str(status, "collateral_ratio")),
    fact("Vault", failed(vault) ? "—" : formatCoins(pick(vault, "vault"))),
    fact("ACT outstanding", failed(vault) ? "—" : formatCoin(str(vault, "outstanding_act") || "0", "uact")),
  );
}

/** Latest blocks, polled every second (new heights only). */
export function blocksPage(el: HTMLElement): () => void {
  const live = h("span", { class: "live" }, "live");
  const body = h("div", {}, loading("the latest blocks"));
  const summary = h("p", { class: "summary", "data-testid": "chain-summary" });
  const economy = h("div", { class: "economy", "data-testid": "economy" });
  mount(el, h("h1", {}, "Latest blocks ", live), summary, economy, body);
  void loadEconomy(economy);
  const cache = new Map<number, BlockRow>();
  let stopped = false;
  let first = true;
  let timer: number | undefined;
  let busy = false;
  let again = false;
  let ws: WebSocket | undefined;
  let wsLive = false;
  live.dataset.mode = "polling";
  live.title = "polling the node every second";
  const tick = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    window.clearTimeout(timer);
    try {
      // The latest block (no height) gives the top, the chain id and the time in one call;
      // the first paint shows it alone, older blocks fill in on the next ticks.
      const latest = blockRow(await rpc("block"));
      const top = latest.height;
      cache.set(top, latest);
      summary.textContent = `Chain ${chainId} · height ${top} · ${ago(latest.time)}`;
      const want: number[] = [];
      for (let hgt = top; hgt > Math.max(0, top - BLOCKS_SHOWN); hgt--) want.push(hgt);
      const missing = want.filter((x) => !cache.has(x));
      const got = first ? [] : await Promise.all(missing.map(fetchBlock));
      first = false;
      for (const b of got) cache.set(b.height, b);
      for (const k of [...cache.keys()]) if (!want.includes(k)) cache.delete(k);
      if (stopped) return;
      live.classList.remove("stale");
      live.textContent = "live";
      const rows = want.flatMap((x) => {
        const b = cache.get(x);
        if (!b) return [];
        return [[link(`/block/${b.height}`, String(b.height)), h("span", { title: b.time }, ago(b.time)), String(b.txs), h("code", { title: b.hash }, short(b.hash)), h("code", { title: b.proposer }, short(b.proposer))]];
      });
      mount(body, table(["Height", "Time", "Txs", "Hash", "Proposer"], rows, "blocks"));
      // The first-load figure the browser test reports (time since navigation start).
      if (!performance.getEntriesByName("blocks-rendered").length) performance.mark("blocks-rendered");
    } catch (e) {
      if (stopped) return;
      live.classList.add("stale");
      live.textContent = "offline";
      mount(body, errorBox(e));
    }
    busy = false;
    if (again) {
      again = false;
      void tick();
      return;
    }
    // With the websocket, each new block triggers a tick; polling stays as a slow safety net.
    if (!stopped) timer = window.setTimeout(tick, cache.size < BLOCKS_SHOWN ? 50 : wsLive ? 5000 : 1000);
  };
  /** New blocks over the node's websocket (through the console's /api/websocket). */
  const connect = () => {
    if (stopped || typeof WebSocket === "undefined") return;
    try {
      ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/websocket`);
    } catch {
      return;
    }
    ws.onopen = () => ws?.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { query: "tm.event='NewBlock'" } }));
    ws.onmessage = (e: MessageEvent) => {
      let d: unknown;
      try {
        d = JSON.parse(String(e.data));
      } catch {
        return;
      }
      if (pick(d, "result.data") === undefined) return;
      if (!wsLive) {
        wsLive = true;
        live.dataset.mode = "websocket";
        live.title = "new blocks arrive over the node's websocket";
      }
      void tick();
    };
    ws.onclose = () => {
      if (wsLive) {
        wsLive = false;
        live.dataset.mode = "polling";
        live.title = "the websocket closed: polling the node every second";
      }
      if (!stopped) window.setTimeout(connect, 3000);
    };
  };
  void tick();
  connect();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    ws?.close();
  };
}

function kv(rows: [string, Node | string][], testid?: string): HTMLElement {
  return h("dl", { class: "kv", "data-testid": testid }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

/** One block: header fields and its txs with their results. */
export function blockPage(el: HTMLElement, heightText: string): void {
  const height = Number(heightText);
  mount(el, h("h1", {}, `Block ${heightText}`), loading("the block"));
  const body = h("div", {});
  el.appendChild(body);
  el.querySelector(".loading")?.remove();
  if (!/^\d+$/.test(heightText) || height < 1) {
    mount(body, errorBox(new ConsoleError(`"${heightText}" is not a block height.`, "Heights are whole numbers from 1; use the search box.")));
    return;
  }
  void show(body, async () => {
    const [r, results] = await Promise.all([rpc("block", { height: heightText }), rpc("block_results", { height: heightText }).catch(() => undefined)]);
    const block = pick(r, "block");
    const txs = arr(block, "txs", "data.txs").map(String);
    const txResults = arr(results, "tx_results", "txs_results");
    const time = blockTime(block);
    const nav = h("p", { class: "pager" }, height > 1 ? link(`/block/${height - 1}`, "← previous") : null, " ", link(`/block/${height + 1}`, "next →"));
    const rows = txs.map((t, i) => {
      const hash = txHash(t);
      const res = txResults[i];
      const code = int(res, "code") ?? 0;
      return [link(`/tx/${hash}`, h("code", {}, short(hash, 10, 8))), code === 0 ? h("span", { class: "ok" }, "success") : h("span", { class: "bad" }, `failed (code ${code})`), String(int(res, "gas_used") ?? ""), String(t.length * 3 / 4 | 0)];
    });
    return [
      kv(
        [
          ["Height", String(height)],
          ["Time", `${time} (${ago(time)})`],
          ["Hash", h("code", {}, str(r, "block_id.hash"))],
          ["Chain", str(block, "header.chain_id")],
          ["Proposer", h("code", {}, str(block, "header.proposer_address"))],
          ["App hash", h("code", {}, str(block, "header.app_hash"))],
          ["Signatures", String(arr(block, "last_commit.signatures").length)],
        ],
        "block",
      ),
      h("h2", {}, `Transactions (${txs.length})`),
      txs.length ? table(["Hash", "Result", "Gas used", "Bytes"], rows, "block-txs") : h("p", { class: "muted" }, "No transactions in this block."),
      nav,
    ];
  });
}

function eventsView(events: unknown[]): HTMLElement {
  if (!events.length) return h("p", { class: "muted" }, "No events.");
  return h(
    "div",
    { class: "events", "data-testid": "events" },
    events.map((ev) => h("section", { class: "event" }, h("h3", {}, str(ev, "type")), kv(eventAttrs(ev).map((a) => [a.key, h("code", {}, a.value)] as [string, Node])))),
  );
}

/** The tx's signer from its events (the fee payer, else a message sender). */
export function signerOf(events: unknown[]): string {
  for (const key of ["fee_payer", "sender"]) {
    for (const ev of events) {
      const a = eventAttrs(ev).find((x) => x.key === key && x.value.startsWith("akash1"));
      if (a) return a.value;
    }
  }
  return "";
}

/** One tx: result, fee, decoded messages (known Cosmos types; others by type URL), events. */
export function txPage(el: HTMLElement, hashText: string): void {
  const hash = hashText.replace(/^0x/i, "").toUpperCase();
  mount(el, h("h1", {}, "Transaction"), h("p", {}, h("code", { class: "wrap" }, hash)));
  const body = h("div", {}, loading("the transaction"));
  el.appendChild(body);
  if (!/^[0-9A-F]{64}$/.test(hash)) {
    mount(body, errorBox(new ConsoleError("A transaction hash has 64 hex characters.", "Copy the hash again, or find the tx from its block.")));
    return;
  }
  void show(body, async () => {
    const r = await rpc("tx", { hash }).catch((e: ConsoleError) => {
      if (/not found/i.test(e.message)) throw new ConsoleError(`No transaction ${short(hash)} on this chain.`, "It may not be in a block yet (wait a few seconds and reload), or it was sent to another chain.");
      throw e;
    });
    const result = pick(r, "tx_result");
    const code = int(result, "code") ?? 0;
    const height = int(r, "height") ?? 0;
    const { decodeTx } = await import("./decode");
    const decoded = decodeTx(str(r, "tx"));
    const log = str(result, "log");
    const events = arr(result, "events");
    const signer = signerOf(events);
    return [
      kv(
        [
          ["Result", code === 0 ? h("span", { class: "ok" }, "success") : h("span", { class: "bad" }, `failed: code ${code} (${str(result, "codespace") || "sdk"})`)],
          ...(code !== 0 && log ? ([["Why", log]] as [string, string][]) : []),
          ["Block", link(`/block/${height}`, String(height))],
          ["Gas", `${int(result, "gas_used") ?? "?"} used of ${int(result, "gas_wanted") ?? "?"}`],
          ["Fee", decoded.ok ? formatCoins(decoded.fee) : "?"],
          ["Signer", signer ? link(`/account/${signer}`, h("code", {}, signer)) : "?"],
          ["Memo", decoded.ok ? decoded.memo || "—" : "?"],
        ],
        "tx",
      ),
      h("h2", {}, "Messages"),
      decoded.ok
        ? h(
            "div",
            { "data-testid": "messages" },
            decoded.messages.map((m) => h("section", { class: "msg" }, h("h3", {}, m.typeUrl), m.value ? h("pre", {}, JSON.stringify(m.value, null, 2)) : h("p", { class: "muted" }, `Not decoded in the console yet (${m.bytes} bytes of protobuf).`))),
          )
        : errorBox(new ConsoleError(`The tx bytes could not be decoded: ${decoded.error}`, "The explorer shows its events below.")),
      h("h2", {}, "Events"),
      eventsView(events),
    ];
  });
}

async function optional<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ConsoleError && e.status === 404) return undefined;
    throw e;
  }
}

function stateBadge(state: string): HTMLElement {
  const cls = /^(active|open|bonded)$/i.test(state) ? "ok" : /closed|insufficient|jailed/i.test(state) ? "bad" : "muted";
  return h("span", { class: cls }, state || "—");
}

/** An account: balances, account number and sequence, deployments, leases, delegations. */
export function accountPage(el: HTMLElement, address: string): void {
  mount(el, h("h1", {}, "Account"), h("p", {}, h("code", { class: "wrap", "data-testid": "account-address" }, address)));
  const body = h("div", {}, loading("the account"));
  el.appendChild(body);
  void show(body, async () => {
    const enc = encodeURIComponent(address);
    const [bal, acc, deps, leases, dels] = await Promise.all([
      rest(`/cosmos/bank/v1beta1/balances/${enc}`),
      optional(rest(`/cosmos/auth/v1beta1/accounts/${enc}`)),
      optional(rest(`/dcloud/deployment/v1/deployments?owner=${enc}`)),
      optional(rest(`/dcloud/market/v1/leases?owner=${enc}`)),
      optional(rest(`/dcloud/staking/v1/delegations/${enc}`)),
    ]);
    const balances = arr(bal, "balances");
    const depList = Array.isArray(deps) ? deps : arr(deps, "deployments");
    const leaseList = Array.isArray(leases) ? leases : arr(leases, "items", "leases");
    const delList = Array.isArray(dels) ? dels : arr(dels, "delegations", "delegation_responses");
    return [
      kv(
        [
          ["Balances", h("span", { "data-testid": "balances" }, balances.length ? balances.map((c) => formatCoin(str(c, "amount"), str(c, "denom"))).join(", ") : "none (an account with no coins)")],
          ["Account number", acc ? str(acc, "account.account_number", "account.number") || "—" : "not on chain yet (it appears with its first incoming transfer)"],
          ["Sequence", acc ? str(acc, "account.sequence") || "0" : "—"],
        ],
        "account",
      ),
      h("h2", {}, `Deployments (${depList.length})`),
      depList.length
        ? table(
            ["DSEQ", "State", "Groups", "Created at block"],
            depList.map((d) => [
              h("code", {}, str(d, "dseq", "deployment.id.dseq", "id.dseq", "deployment_id.dseq")),
              stateBadge(str(d, "state", "deployment.state")),
              String(arr(d, "groups").length || "—"),
              str(d, "created_at", "deployment.created_at") || "—",
            ]),
            "deployments",
          )
        : h("p", { class: "muted" }, "No deployments."),
      h("h2", {}, `Leases (${leaseList.length})`),
      leaseList.length
        ? table(
            ["Lease", "Provider", "State", "Price"],
            leaseList.map((l) => [
              h("code", {}, ["dseq", "gseq", "oseq"].map((k) => str(l, k, `lease.id.${k}`, `id.${k}`, `lease_id.${k}`)).join("/")),
              link(`/account/${str(l, "provider", "lease.id.provider", "id.provider")}`, h("code", {}, short(str(l, "provider", "lease.id.provider", "id.provider")))),
              h("span", { title: str(l, "reason") }, stateBadge(str(l, "state", "lease.state")), str(l, "reason") ? ` (${str(l, "reason")})` : ""),
              pricePerBlock(str(l, "price_atto"), str(l, "denom")) || formatCoins(pick(l, "lease.price", "price")),
            ]),
            "leases",
          )
        : h("p", { class: "muted" }, "No leases."),
      h("h2", {}, `Delegations (${delList.length})`),
      delList.length
        ? table(
            ["Validator", "Amount"],
            delList.map((d) => [h("code", {}, short(str(d, "delegation.validator", "validator", "validator_address", "delegation.validator_address"), 14, 6)), formatCoins(pick(d, "balance", "amount", "shares"))]),
            "delegations",
          )
        : h("p", { class: "muted" }, "No delegations."),
    ];
  });
}

/** Validators: power from RPC, stake / jailed / commission from REST staking. */
export function validatorsPage(el: HTMLElement): void {
  mount(el, h("h1", {}, "Validators"));
  const body = h("div", {}, loading("the validators"));
  el.appendChild(body);
  void show(body, async () => {
    const [set, staking, signing, slashParams] = await Promise.all([
      rpc("validators"),
      optional(rest("/cosmos/staking/v1beta1/validators")),
      optional(rest("/cosmos/slashing/v1beta1/signing_infos")),
      optional(rest("/cosmos/slashing/v1beta1/params")),
    ]);
    const infos = Array.isArray(signing) ? signing : arr(signing, "info", "signing_infos");
    const window = int(slashParams, "signed_blocks_window", "params.signed_blocks_window") ?? 0;
    const height = int(set, "block_height") ?? 0;
    const uptimeOf = (op: string, cons: string): string => {
      const i = infos.find((x) => str(x, "validator") === op || str(x, "address") === cons);
      if (!i) return "—";
      const missed = int(i, "missed_blocks_counter") ?? 0;
      const since = Math.max(1, height - (int(i, "start_height") ?? 0) + 1);
      const of = window ? Math.min(window, since) : since;
      return uptime(missed, of);
    };
    const vals = Array.isArray(staking) ? staking : arr(staking, "validators");
    const active = arr(set, "validators");
    const rows = vals.map((v) => {
      const jailed = pick(v, "jailed") === true;
      return [
        str(v, "description.moniker", "moniker", "name") || "—",
        h("code", { title: str(v, "operator_address", "operator", "address") }, short(str(v, "operator_address", "operator", "address"), 12, 6)),
        formatCoins([{ denom: "uakt", amount: str(v, "tokens", "stake", "bonded") || "0" }]),
        percent(str(v, "commission.commission_rates.rate", "commission.rate", "commission")),
        uptimeOf(str(v, "operator_address", "operator", "address"), str(v, "consensus_address")),
        jailed ? h("span", { class: "bad" }, "jailed") : h("span", { class: "ok" }, str(v, "status") || "active"),
      ];
    });
    const activeRows = active.map((v) => [str(v, "name") || "—", h("code", {}, short(str(v, "address"), 10, 6)), String(int(v, "power", "voting_power") ?? "")]);
    return [
      h("p", { class: "summary" }, `${vals.length} validator(s) in staking; ${active.length} in the consensus set at height ${str(set, "block_height")}.`),
      vals.length ? table(["Moniker", "Operator", "Stake", "Commission", "Uptime", "Status"], rows, "validators") : h("p", { class: "muted" }, "The staking module lists no validators."),
      h("h2", {}, "Consensus set"),
      table(["Name", "Address", "Power"], activeRows, "consensus-set"),
    ];
  });
}

/** Providers with their attributes and audits. */
export function providersPage(el: HTMLElement): void {
  mount(el, h("h1", {}, "Providers"));
  const body = h("div", {}, loading("the providers"));
  el.appendChild(body);
  void show(body, async () => {
    const [provs, audits] = await Promise.all([rest("/dcloud/provider/v1/providers"), optional(rest("/dcloud/audit/v1/audits"))]);
    const list = Array.isArray(provs) ? provs : arr(provs, "providers");
    const auditList = Array.isArray(audits) ? audits : arr(audits, "audits", "providers");
    if (!list.length) {
      return [h("p", { class: "muted", "data-testid": "providers-empty" }, "No provider is registered on this chain yet. A devnet started without --no-provider registers one; `dcloud provider create` registers yours.")];
    }
    return list.map((p) => {
      const owner = str(p, "owner", "address");
      const attrs = arr(p, "attributes");
      const mine = auditList.filter((a) => str(a, "owner", "provider") === owner);
      return h(
        "section",
        { class: "card", "data-testid": "provider" },
        h("h2", {}, link(`/account/${owner}`, h("code", {}, short(owner, 14, 6)))),
        kv([
          ["Host", str(p, "host_uri", "hostUri", "info.website") || "—"],
          ["Email", str(p, "info.email", "email") || "—"],
        ]),
        h("h3", {}, "Attributes"),
        attrs.length ? h("ul", { class: "tags" }, attrs.map((a) => h("li", {}, `${str(a, "key")}=${str(a, "value")}`))) : h("p", { class: "muted" }, "none"),
        h("h3", {}, "Audits"),
        mine.length
          ? h(
              "ul",
              {},
              mine.map((a) => h("li", {}, `by ${short(str(a, "auditor"))}: `, arr(a, "attributes").map((x) => `${str(x, "key")}=${str(x, "value")}`).join(", "))),
            )
          : h("p", { class: "muted" }, "Not audited."),
      );
    });
  });
}

// Governance: proposals with their status, deposit, voting period and tally, and voting from
// the unlocked wallet (MsgVote, signed in the browser).

import { rest } from "./api";
import { h, link, mount } from "./dom";
import { errorBox } from "./explorer";
import { arr, formatCoin, int, str } from "./format";
import { currentWallet } from "./walletPage";

const OPTIONS: [string, number, string][] = [
  ["yes", 1, "Yes"],
  ["abstain", 2, "Abstain"],
  ["no", 3, "No"],
  ["no_with_veto", 4, "No with veto"],
];

/** "PROPOSAL_STATUS_VOTING_PERIOD" → "voting period". */
export function statusText(s: string): string {
  return s.replace(/^PROPOSAL_STATUS_/, "").replace(/_/g, " ").toLowerCase() || "—";
}

function when(ms: number | undefined): string {
  return ms ? new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC") : "—";
}

/** The proposals page. */
export function govPage(el: HTMLElement): void {
  mount(el, h("h1", {}, "Governance"));
  const body = h("div", {}, h("p", { class: "loading" }, "Loading the proposals…"));
  el.appendChild(body);
  const load = async () => {
    try {
      const props = await rest("/cosmos/gov/v1/proposals");
      const list = (Array.isArray(props) ? props : arr(props, "proposals")).slice().reverse();
      if (!list.length) {
        mount(body, h("p", { class: "muted", "data-testid": "no-proposals" }, "No proposals yet. `dcloud tx gov submit-proposal` makes one."));
        return;
      }
      const cards = await Promise.all(list.map((p) => card(p, load)));
      mount(body, ...cards);
    } catch (e) {
      mount(body, errorBox(e));
    }
  };
  void load();
}

async function card(p: unknown, reload: () => Promise<void>): Promise<HTMLElement> {
  const id = str(p, "id", "proposal_id");
  const status = str(p, "status");
  const [tally, votes] = await Promise.all([
    rest(`/cosmos/gov/v1/proposals/${id}/tally`).catch(() => undefined),
    rest(`/cosmos/gov/v1/proposals/${id}/votes`).catch(() => undefined),
  ]);
  const t = (k: string) => BigInt(str(tally, `${k}_count`, `tally.${k}_count`, `${k}`) || "0");
  const counts = OPTIONS.map(([k, , label]) => [label, t(k)] as [string, bigint]);
  const total = counts.reduce((s, [, c]) => s + c, 0n);
  const pct = (c: bigint) => (total === 0n ? "0%" : `${(Number((c * 1000n) / total) / 10).toFixed(1)}%`);
  const voteList = Array.isArray(votes) ? votes : arr(votes, "votes");
  const out = h("div", { class: "status", role: "status" });
  const voting = /VOTING_PERIOD/.test(status);
  const wallet = currentWallet();
  const vote = async (option: number, label: string, button: HTMLButtonElement) => {
    if (!wallet) return;
    button.disabled = true;
    try {
      const w = await import("./wallet");
      const msg = { typeUrl: "/cosmos.gov.v1.MsgVote", value: { proposalId: BigInt(id), voter: wallet.address, option, metadata: "" } };
      const r = await w.signAndBroadcast(wallet, [msg], w.STAKE_GAS, (s) => mount(out, h("p", { class: "progress" }, s)));
      mount(out, h("p", { class: "ok" }, `Voted ${label} in block ${r.height}. `, link(`/tx/${r.hash}`, "See the transaction")));
      setTimeout(() => void reload(), 1500);
    } catch (e) {
      mount(out, errorBox(e));
    } finally {
      button.disabled = false;
    }
  };
  return h(
    "section",
    { class: "card", "data-testid": "proposal" },
    h("h2", {}, `#${id} ${str(p, "title") || "(untitled)"}`),
    h("p", {}, str(p, "summary")),
    h(
      "dl",
      { class: "kv" },
      h("dt", {}, "Status"),
      h("dd", { "data-testid": "proposal-status" }, statusText(status), str(p, "failed_reason") ? ` (${str(p, "failed_reason")})` : ""),
      h("dt", {}, "Deposit"),
      h("dd", {}, formatCoin(str(p, "total_deposit") || "0", "uakt")),
      h("dt", {}, "Voting ends"),
      h("dd", {}, when(int(p, "voting_end_time_ms"))),
      h("dt", {}, "Messages"),
      h("dd", {}, arr(p, "messages").map((m) => str(m, "@type", "type_url", "typeUrl")).join(", ") || "none (a text proposal)"),
      h("dt", {}, "Tally"),
      h("dd", { "data-testid": "tally" }, counts.map(([l, c]) => `${l} ${pct(c)}`).join(" · "), ` (${voteList.length} vote${voteList.length === 1 ? "" : "s"})`),
    ),
    voting
      ? wallet
        ? h("p", { class: "buttons" }, OPTIONS.map(([k, opt, label]) => h("button", { type: "button", class: k === "yes" ? "" : "secondary", "data-vote": k, onclick: (e: Event) => void vote(opt, label, e.currentTarget as HTMLButtonElement) }, label)))
        : h("p", { class: "muted" }, link("/wallet", "Unlock your wallet"), " to vote.")
      : null,
    out,
  );
}



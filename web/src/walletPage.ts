// The wallet page: create / import / unlock a key, show address and balances, send coins.
// cosmjs is loaded only when this page is opened (import("./wallet")). The unlocked wallet
// stays in memory until the page is reloaded or "Lock" is pressed.

import { ConsoleError, faucet, getConfig, rest } from "./api";
import { h, link, mount } from "./dom";
import { errorBox } from "./explorer";
import { arr, formatCoin, formatCoins, parseAmount, pick, str } from "./format";
import type { Unlocked } from "./wallet";

type WalletMod = typeof import("./wallet");

let session: Unlocked | undefined;

/** The wallet unlocked in this tab, if any (for voting on the governance page). */
export function currentWallet(): Unlocked | undefined {
  return session;
}

function field(label: string, input: HTMLElement): HTMLElement {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

function status(): HTMLElement {
  return h("div", { class: "status", role: "status", "data-testid": "wallet-status" });
}

function fail(box: HTMLElement, e: unknown): void {
  mount(box, errorBox(e));
}

/** Runs a slow step with its message shown first (the key derivation takes seconds). */
async function slow<T>(box: HTMLElement, message: string, f: () => Promise<T>): Promise<T> {
  mount(box, h("p", { class: "progress" }, message));
  await new Promise((r) => setTimeout(r, 30));
  return f();
}

export function walletPage(el: HTMLElement): void {
  mount(el, h("h1", {}, "Wallet"), h("p", { class: "loading" }, "Loading the wallet…"));
  import("./wallet")
    .then((w) => render(el, w))
    .catch(() => mount(el, h("h1", {}, "Wallet"), errorBox(new ConsoleError("The wallet's code could not be loaded from the console server.", "Check that `dcloud console` still runs, then reload the page."))));
}

function render(el: HTMLElement, w: WalletMod): void {
  if (session) return unlockedView(el, w, session);
  if (w.hasStored()) return lockedView(el, w);
  return setupView(el, w);
}

const ENCRYPT_MSG = "Encrypting your key with your password (Argon2id, about 5 seconds)…";

function setupView(el: HTMLElement, w: WalletMod): void {
  const pw = h("input", { type: "password", id: "new-password", autocomplete: "new-password" });
  const pw2 = h("input", { type: "password", id: "new-password2", autocomplete: "new-password" });
  const out = status();
  const createForm = h(
    "form",
    {
      id: "create-form",
      class: "card",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const problem = w.passwordProblem(pw.value, pw2.value);
        if (problem) return fail(out, new ConsoleError(problem));
        try {
          const made = await slow(out, ENCRYPT_MSG, () => w.create(pw.value));
          session = made;
          showMnemonic(el, w, made.mnemonic);
        } catch (err) {
          fail(out, err);
        }
      },
    },
    h("h2", {}, "Create a new wallet"),
    h("p", {}, "A new key is made in this browser. Its recovery phrase is shown once; the key is stored here encrypted with your password."),
    field("Password (8 characters or more)", pw),
    field("Password again", pw2),
    h("button", { type: "submit", id: "create" }, "Create wallet"),
    out,
  );
  const phrase = h("textarea", { id: "import-mnemonic", rows: 3, autocomplete: "off", spellcheck: "false" });
  const ipw = h("input", { type: "password", id: "import-password", autocomplete: "new-password" });
  const ipw2 = h("input", { type: "password", id: "import-password2", autocomplete: "new-password" });
  const iout = status();
  const importForm = h(
    "form",
    {
      id: "import-form",
      class: "card",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const problem = w.passwordProblem(ipw.value, ipw2.value);
        if (problem) return fail(iout, new ConsoleError(problem));
        try {
          session = await slow(iout, ENCRYPT_MSG, () => w.importMnemonic(phrase.value, ipw.value));
          render(el, w);
        } catch (err) {
          fail(iout, err);
        }
      },
    },
    h("h2", {}, "Import a recovery phrase"),
    field("Recovery phrase (12 or 24 words)", phrase),
    field("Password", ipw),
    field("Password again", ipw2),
    h("button", { type: "submit", id: "import" }, "Import"),
    iout,
  );
  mount(el, h("h1", {}, "Wallet"), h("div", { class: "cards" }, createForm, importForm));
}

function showMnemonic(el: HTMLElement, w: WalletMod, mnemonic: string): void {
  mount(
    el,
    h("h1", {}, "Wallet created"),
    h(
      "div",
      { class: "card" },
      h("h2", {}, "Write down your recovery phrase"),
      h("p", {}, "These 24 words are the only way to get this key back if you forget the password or clear this browser. Nobody, not even the console, can recover them for you."),
      h("ol", { class: "mnemonic", "data-testid": "mnemonic" }, mnemonic.split(" ").map((word) => h("li", {}, word))),
      h("button", { id: "mnemonic-done", onclick: () => render(el, w) }, "I have written it down"),
    ),
  );
}

function lockedView(el: HTMLElement, w: WalletMod): void {
  const pw = h("input", { type: "password", id: "unlock-password", autocomplete: "current-password" });
  const out = status();
  mount(
    el,
    h("h1", {}, "Wallet"),
    h(
      "form",
      {
        id: "unlock-form",
        class: "card",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          try {
            session = await slow(out, "Decrypting your key (about 5 seconds)…", () => w.unlock(pw.value));
            render(el, w);
          } catch (err) {
            fail(out, err);
            pw.select();
          }
        },
      },
      h("h2", {}, "Unlock your wallet"),
      h("p", {}, "A wallet is stored in this browser, encrypted with your password."),
      field("Password", pw),
      h("button", { type: "submit", id: "unlock" }, "Unlock"),
      out,
      h(
        "p",
        { class: "muted" },
        "Lost the password? ",
        h(
          "button",
          {
            type: "button",
            class: "link",
            id: "forget",
            onclick: () => {
              if (confirm("Remove the encrypted wallet from this browser? You need its recovery phrase to get it back.")) {
                w.forget();
                render(el, w);
              }
            },
          },
          "Remove it",
        ),
        " and import it again from its recovery phrase.",
      ),
    ),
  );
}

function unlockedView(el: HTMLElement, w: WalletMod, u: Unlocked): void {
  const balances = h("span", { "data-testid": "wallet-balances" }, "loading…");
  const refresh = () =>
    rest(`/cosmos/bank/v1beta1/balances/${u.address}`)
      .then((b) => {
        const cs = arr(b, "balances");
        balances.textContent = cs.length ? cs.map((c) => formatCoin(str(c, "amount"), str(c, "denom"))).join(", ") : "no coins yet: send some to this address";
      })
      .catch((e) => mount(balances, errorBox(e)));
  void refresh();
  const to = h("input", { id: "send-to", placeholder: "akash1…", autocomplete: "off", spellcheck: "false" });
  const amount = h("input", { id: "send-amount", inputmode: "decimal", placeholder: "1.5" });
  const denom = h("select", { id: "send-denom" }, h("option", { value: "uakt" }, "AKT"));
  const out = status();
  const button = h("button", { type: "submit", id: "send" }, "Send");
  const form = h(
    "form",
    {
      id: "send-form",
      class: "card",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const bad = w.addressProblem(to.value);
        if (bad) return fail(out, new ConsoleError(bad));
        const a = parseAmount(amount.value);
        if ("error" in a) return fail(out, new ConsoleError(a.error));
        button.disabled = true;
        try {
          const sent = await w.send(u, to.value, a.micro, denom.value, (step) => mount(out, h("p", { class: "progress" }, step)));
          mount(out, h("p", { class: "ok" }, `Sent ${formatCoin(a.micro, denom.value)} in block ${sent.height}. `, link(`/tx/${sent.hash}`, "See the transaction")));
          void refresh();
        } catch (err) {
          fail(out, err);
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h2", {}, "Send"),
    field("To", to),
    h("div", { class: "row" }, field("Amount", amount), field("Denom", denom)),
    h("p", { class: "muted" }, `Fee: paid in AKT at the chain's minimum gas price (gas limit ${w.SEND_GAS}). ACT cannot be sent: it is a compute credit, minted from AKT and spent on deployments.`),
    button,
    out,
  );
  const faucetBox = h("div", { id: "faucet" });
  getConfig()
    .then((c) => {
      if (!c.faucet) return;
      const fout = status();
      const fbutton = h("button", { type: "button", id: "faucet-button" }, "Get devnet funds");
      fbutton.addEventListener("click", async () => {
        fbutton.disabled = true;
        mount(fout, h("p", { class: "progress" }, "Asking the devnet's faucet, waiting for the block…"));
        try {
          const r = await faucet(u.address);
          mount(fout, h("p", { class: "ok" }, `Received ${r.amounts.map((a) => formatCoins(a)).join(" and ")} in block ${r.height ?? "?"}. `, link(`/tx/${r.hash}`, "See the transaction")));
          void refresh();
        } catch (err) {
          fail(fout, err);
        } finally {
          fbutton.disabled = false;
        }
      });
      mount(faucetBox, h("p", {}, "This is a devnet: its faucet sends test coins to your address. ", fbutton), fout);
    })
    .catch(() => undefined);
  mount(
    el,
    h("h1", {}, "Wallet"),
    h(
      "div",
      { class: "card" },
      h("dl", { class: "kv" }, h("dt", {}, "Address"), h("dd", {}, h("code", { class: "wrap", "data-testid": "wallet-address" }, u.address)), h("dt", {}, "Balances"), h("dd", {}, balances)),
      faucetBox,
      h("p", {}, link(`/account/${u.address}`, "Account page"), " · ", h("button", { type: "button", class: "link", id: "lock", onclick: () => ((session = undefined), render(el, w)) }, "Lock")),
    ),
    form,
    mintCard(w, u, refresh),
    stakingCard(w, u, refresh),
  );
}

/** ACT from AKT: a BME mint, queued until the module's next epoch. */
function mintCard(w: WalletMod, u: Unlocked, refreshBalances: () => Promise<void>): HTMLElement {
  const amount = h("input", { id: "mint-amount", inputmode: "decimal", placeholder: "10" });
  const out = status();
  const button = h("button", { type: "button", id: "mint" }, "Mint ACT");
  button.addEventListener("click", async () => {
    const a = parseAmount(amount.value);
    if ("error" in a) return fail(out, new ConsoleError(a.error));
    button.disabled = true;
    try {
      const r = await w.mintAct(u, a.micro, (step) => mount(out, h("p", { class: "progress" }, step)));
      mount(
        out,
        h("p", { class: "ok" }, `Queued: ${formatCoin(a.micro, "uakt")} → ACT at the BME's next epoch (block ${r.height}). The ACT arrives within a few blocks. `, link(`/tx/${r.hash}`, "See the transaction")),
      );
      void refreshBalances();
      // The mint settles at the next epoch: refresh the balances a few times.
      for (const delay of [3000, 6000, 12000]) setTimeout(() => void refreshBalances(), delay);
    } catch (e) {
      fail(out, e);
    } finally {
      button.disabled = false;
    }
  });
  return h(
    "div",
    { class: "card", id: "mint-form" },
    h("h2", {}, "Get ACT"),
    h("p", { class: "muted" }, "Deployments are paid in ACT, a compute credit minted by burning AKT at the oracle's price (the Burn-Mint Equilibrium)."),
    h("div", { class: "row" }, field("AKT to convert", amount)),
    button,
    out,
  );
}

/** Delegate, undelegate, claim rewards: the wallet's staking. */
function stakingCard(w: WalletMod, u: Unlocked, refreshBalances: () => Promise<void>): HTMLElement {
  const list = h("div", { "data-testid": "my-delegations" }, h("p", { class: "loading" }, "Loading your delegations…"));
  const validator = h("select", { id: "stake-validator" });
  const amount = h("input", { id: "stake-amount", inputmode: "decimal", placeholder: "10" });
  const out = status();
  let delegated: string[] = [];
  const load = async () => {
    try {
      const [vals, dels, rewards] = await Promise.all([
        rest("/cosmos/staking/v1beta1/validators"),
        rest(`/dcloud/staking/v1/delegations/${u.address}`),
        rest(`/dcloud/distribution/v1/rewards/${u.address}`).catch(() => undefined),
      ]);
      const vlist = Array.isArray(vals) ? vals : arr(vals, "validators");
      const name = (op: string) => str(vlist.find((v) => str(v, "operator_address") === op), "description.moniker") || op.slice(0, 20) + "…";
      const chosen = validator.value;
      mount(
        validator,
        vlist.map((v) => h("option", { value: str(v, "operator_address"), selected: str(v, "operator_address") === chosen }, `${str(v, "description.moniker") || str(v, "operator_address")}${pick(v, "jailed") === true ? " (jailed)" : ""}`)),
      );
      const dlist = arr(dels, "delegations");
      delegated = dlist.map((d) => str(d, "delegation.validator", "validator"));
      const rlist = arr(rewards, "rewards");
      const rewardOf = (op: string) => {
        const r = str(rlist.find((x) => str(x, "validator_address") === op), "reward").split(".")[0];
        return /^\d+$/.test(r) ? formatCoin(r, "uakt") : "—";
      };
      mount(
        list,
        dlist.length
          ? h(
              "dl",
              { class: "kv" },
              dlist.map((d) => {
                const op = str(d, "delegation.validator", "validator");
                return [h("dt", {}, name(op)), h("dd", {}, `${formatCoins(pick(d, "balance"))} staked · rewards ${rewardOf(op)}`)];
              }),
            )
          : h("p", { class: "muted" }, "You have no delegations yet."),
      );
    } catch (e) {
      mount(list, errorBox(e));
    }
  };
  void load();
  const run = async (button: HTMLButtonElement, f: (progress: (s: string) => void) => Promise<{ hash: string; height: number }>, done: string) => {
    button.disabled = true;
    try {
      const r = await f((step) => mount(out, h("p", { class: "progress" }, step)));
      mount(out, h("p", { class: "ok" }, `${done} in block ${r.height}. `, link(`/tx/${r.hash}`, "See the transaction")));
      void load();
      void refreshBalances();
    } catch (e) {
      fail(out, e);
    } finally {
      button.disabled = false;
    }
  };
  const stake = (undelegate: boolean) => (e: Event) => {
    const a = parseAmount(amount.value);
    if ("error" in a) return fail(out, new ConsoleError(a.error));
    if (!validator.value) return fail(out, new ConsoleError("Pick a validator."));
    void run(e.currentTarget as HTMLButtonElement, (p) => w.delegate(u, validator.value, a.micro, undelegate, p), `${undelegate ? "Unbonding" : "Delegated"} ${formatCoin(a.micro, "uakt")}`);
  };
  return h(
    "div",
    { class: "card", id: "staking" },
    h("h2", {}, "Staking"),
    list,
    h("div", { class: "row" }, h("label", { class: "field" }, h("span", {}, "Validator"), validator), h("label", { class: "field" }, h("span", {}, "Amount (AKT)"), amount)),
    h(
      "p",
      { class: "buttons" },
      h("button", { type: "button", id: "delegate", onclick: stake(false) }, "Delegate"),
      " ",
      h("button", { type: "button", id: "undelegate", class: "secondary", onclick: stake(true) }, "Undelegate"),
      " ",
      h("button", { type: "button", id: "claim", class: "secondary", onclick: (e: Event) => void run(e.currentTarget as HTMLButtonElement, (p) => w.claimRewards(u, delegated, p), "Rewards claimed") }, "Claim rewards"),
    ),
    h("p", { class: "muted" }, "Undelegated AKT stays locked for the chain's unbonding period before it returns to your balance."),
    out,
  );
}

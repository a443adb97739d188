// The console's shell: header with navigation and search, a hash router (#/block/12, …),
// and one page at a time. Pages live in explorer.ts and walletPage.ts.

import "./style.css";
import { ConsoleError, getConfig } from "./api";
import { h, link, mount } from "./dom";
import { classifySearch } from "./format";
import * as explorer from "./explorer";
import { walletPage } from "./walletPage";
import { govPage } from "./gov";

/** A page renders into `el`; it may return a cleanup (stops polling). */
export type Page = (el: HTMLElement, ...params: string[]) => (() => void) | void;

const routes: [RegExp, Page, string][] = [
  [/^\/?$/, explorer.blocksPage, "blocks"],
  [/^\/blocks$/, explorer.blocksPage, "blocks"],
  [/^\/block\/([^/]+)$/, explorer.blockPage, "blocks"],
  [/^\/tx\/([^/]+)$/, explorer.txPage, "blocks"],
  [/^\/account\/([^/]+)$/, explorer.accountPage, ""],
  [/^\/validators$/, explorer.validatorsPage, "validators"],
  [/^\/providers$/, explorer.providersPage, "providers"],
  [/^\/gov$/, govPage, "gov"],
  [/^\/wallet$/, walletPage, "wallet"],
];

let cleanup: (() => void) | void;

function notFound(el: HTMLElement, path: string): void {
  mount(el, h("h1", {}, "Page not found"), h("p", {}, `There is no page at ${path}. `, link("/", "Go to the latest blocks"), "."));
}

function render(main: HTMLElement, nav: HTMLElement): void {
  if (cleanup) cleanup();
  cleanup = undefined;
  const path = decodeURIComponent(location.hash.replace(/^#/, "")) || "/";
  const msg = document.getElementById("search-msg");
  if (msg) msg.textContent = "";
  for (const a of nav.querySelectorAll("a")) a.classList.toggle("active", a.dataset.section === sectionOf(path));
  for (const [re, page] of routes) {
    const m = re.exec(path);
    if (m) {
      main.replaceChildren();
      cleanup = page(main, ...m.slice(1));
      window.scrollTo(0, 0);
      return;
    }
  }
  notFound(main, path);
}

function sectionOf(path: string): string {
  for (const [re, , section] of routes) if (re.test(path)) return section;
  return "";
}

function searchBox(): HTMLFormElement {
  const input = h("input", { type: "search", name: "q", placeholder: "Height, tx hash or akash1… address", "aria-label": "Search", id: "search" });
  const msg = h("div", { class: "search-msg", role: "status", id: "search-msg" });
  const form = h(
    "form",
    {
      class: "search",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const t = classifySearch(input.value);
        msg.textContent = "";
        if (t.kind === "block") location.hash = `#/block/${t.height}`;
        else if (t.kind === "tx") location.hash = `#/tx/${t.hash}`;
        else if (t.kind === "account") location.hash = `#/account/${t.address}`;
        else msg.textContent = t.message;
      },
    },
    input,
    h("button", { type: "submit" }, "Search"),
    msg,
  );
  return form;
}

function navLink(route: string, text: string, section: string): HTMLAnchorElement {
  const a = link(route, text);
  a.dataset.section = section;
  return a;
}

function start(): void {
  const root = document.getElementById("app");
  if (!root) return;
  const nav = h("nav", {}, navLink("/", "Blocks", "blocks"), navLink("/validators", "Validators", "validators"), navLink("/providers", "Providers", "providers"), navLink("/gov", "Governance", "gov"), navLink("/wallet", "Wallet", "wallet"));
  const node = h("span", { class: "node", id: "node" });
  const main = h("main", { id: "main" });
  mount(root, h("header", {}, h("div", { class: "bar" }, link("/", h("strong", {}, "dcloud"), "brand"), nav, node), searchBox()), main);
  getConfig()
    .then((c) => {
      node.textContent = c.rpc;
      node.title = `Node RPC ${c.rpc}, REST ${c.rest}`;
    })
    .catch((e: ConsoleError) => {
      node.textContent = "console server unreachable";
      node.title = e.message;
    });
  window.addEventListener("hashchange", () => render(main, nav));
  render(main, nav);
}

start();

// The console's only way out: the node's JSON-RPC and REST through the console server's
// proxy (/api/rpc, /api/rest). Every failure becomes a ConsoleError whose message says what
// happened and what to do next — never "failed to fetch".

/** An error meant for people: `message` says what happened, `hint` what to do next. */
export class ConsoleError extends Error {
  constructor(
    message: string,
    readonly hint: string = "",
    readonly status: number = 0,
  ) {
    super(message);
  }
}

/** What the console server was started with (`/api/config`). */
export interface ConsoleConfig {
  rpc: string;
  rest: string;
  embedded: boolean;
  /** A devnet's console: POST /api/faucet funds an address. */
  faucet?: boolean;
}

let config: ConsoleConfig | undefined;

/** The console's config; the node URLs go into error messages. */
export async function getConfig(): Promise<ConsoleConfig> {
  if (config) return config;
  const r = await send("/api/config", undefined, "console");
  config = (await r.json()) as ConsoleConfig;
  return config;
}

/** The node's URL as far as known (for messages). */
export function nodeName(): string {
  return config?.rpc ?? "the node";
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/**
 * Turns an HTTP answer into a ConsoleError (pure: exported for tests).
 * `body` is the parsed JSON body when there was one.
 */
export function explainHttp(status: number, body: unknown, what: string): ConsoleError {
  const b = (body ?? {}) as Record<string, unknown>;
  const msg = typeof b.error === "string" ? b.error : typeof b.message === "string" ? b.message : "";
  if (status === 502 || status === 504) {
    return new ConsoleError(
      capitalize(msg) || `The node does not answer (${what}).`,
      "Start it (e.g. `dcloud devnet`), or restart `dcloud console --node <rpc url>` pointing at a node that runs. Live pages retry every second; others need a reload.",
      status,
    );
  }
  if (status === 404) {
    return new ConsoleError(msg ? `Not found: ${msg}` : `Not found (${what}).`, "Check the height, hash or address; it may not exist on this chain yet.", status);
  }
  if (status === 503 && !msg) {
    return new ConsoleError("The console server is not ready.", "Wait a moment and reload.", status);
  }
  return new ConsoleError(msg ? `The node refused ${what}: ${msg}` : `The node answered ${status} to ${what}.`, "If this keeps happening, check the node's log.", status);
}

/** The error when the console server itself cannot be reached. */
export function unreachableConsole(): ConsoleError {
  return new ConsoleError(
    "The console server does not answer: `dcloud console` (or the devnet that served this page) has stopped.",
    "Start it again (`dcloud console --node <rpc url>` or `dcloud devnet`), then reload this page.",
  );
}

async function send(url: string, init: RequestInit | undefined, what: string): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(url, init);
  } catch {
    throw unreachableConsole();
  }
  if (!r.ok) {
    let body: unknown;
    try {
      body = await r.json();
    } catch {
      body = undefined;
    }
    throw explainHttp(r.status, body, what);
  }
  return r;
}

/** Reads a JSON-RPC answer's `result` or turns its `error` into a ConsoleError (pure). */
export function rpcResult<T>(method: string, body: unknown): T {
  const b = body as { result?: T; error?: { message?: string; data?: string } };
  if (b && b.error) {
    const detail = [b.error.message, b.error.data].filter(Boolean).join(": ");
    throw new ConsoleError(`The node could not answer ${method}: ${detail || "unknown error"}.`, "Check what you asked for (height, hash); the node's log may say more.");
  }
  if (!b || !("result" in b)) throw new ConsoleError(`The node's answer to ${method} is not JSON-RPC.`, "Is --node pointing at a dcloud node's RPC port?");
  return b.result as T;
}

/** Calls a JSON-RPC method with named params. */
export async function rpc<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  const r = await send(
    "/api/rpc",
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) },
    method,
  );
  let body: unknown;
  try {
    body = await r.json();
  } catch {
    throw new ConsoleError(`The node's answer to ${method} is not JSON.`, "Is --node pointing at a dcloud node's RPC port?");
  }
  return rpcResult<T>(method, body);
}

/** GETs (or POSTs JSON to) a REST path, e.g. rest("/cosmos/bank/v1beta1/balances/akash1…"). */
export async function rest<T = unknown>(path: string, post?: unknown): Promise<T> {
  const init: RequestInit | undefined =
    post === undefined ? undefined : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(post) };
  const r = await send(`/api/rest${path}`, init, path.split("?")[0]);
  try {
    return (await r.json()) as T;
  } catch {
    throw new ConsoleError(`The node's REST answer for ${path} is not JSON.`, "Is the REST URL (--rest) pointing at the node's API port?");
  }
}

/** What the devnet's faucet sent. */
export interface Funded {
  hash: string;
  height?: number;
  amounts: string[];
}

/** Asks the devnet's faucet (the console server signs) to fund `address`. */
export async function faucet(address: string): Promise<Funded> {
  let r: Response;
  try {
    r = await send("/api/faucet", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ address }) }, "the faucet request");
  } catch (e) {
    if (e instanceof ConsoleError && e.status === 429) throw new ConsoleError(capitalize(e.message.replace(/^The node refused the faucet request: /, "")), "The faucet serves each address once every 30 seconds.", 429);
    if (e instanceof ConsoleError && e.status === 502 && /faucet/.test(e.message)) throw new ConsoleError(e.message, "The faucet's key may be out of funds, or the chain stalled: check that blocks advance, then try again.", 502);
    throw e;
  }
  return (await r.json()) as Funded;
}

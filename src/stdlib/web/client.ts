// The HTTP client behind `open url at … and read content|read response|stream response as …`
// and `wait for next line|chunk from …`. Built on Node's global `fetch` (undici).
//
// Semantics decided here (see Docs/http-client.md):
// - Only http: and https: URLs. Redirects are followed (fetch's limit of 20).
// - Certificates are checked against Node's bundled Mozilla roots, the system's store and
//   NODE_EXTRA_CA_CERTS (src/stdlib/trust.ts, shared with e-mail), through an agent of our own.
// - A whole request (connecting, the head, the body) must finish within `timeout_seconds`
//   (default 60). A stream's every read must, and the stream as a whole lives at most
//   `outbound_stream_max_seconds` (default 300; 0: no cap).
// - A body may be at most `web_server_max_response_size` bytes (default 64 MiB), chunked or not.
// - Non-2xx statuses are answers, not errors. Failures (DNS, refused, lost, TLS) are WFL errors
//   of kind "general"; running out of time is kind "timeout".
// - A request that is safe to repeat (GET, HEAD, PUT, DELETE, OPTIONS, TRACE, QUERY, or one
//   with a non-empty Idempotency-Key / X-Idempotency-Key header) is sent once more when its
//   connection was lost before any of the answer arrived.
import { type Value, WflObject, isList } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import type { Closable, RunResources } from "../../runtime/lifetime.js";
import { trustedAuthorities } from "../trust.js";

export interface ClientLimits {
  timeoutMs: number;
  maxBytes: number;
  /** 0: no cap. */
  streamMaxMs: number;
}

const DEFAULT_MAX = 64 * 1024 * 1024;

/** The client's limits from a run's configuration. */
export function clientLimits(config: ReadonlyMap<string, string>): ClientLimits {
  const num = (k: string, d: number, min: number): number => {
    const raw = config.get(k);
    if (raw === undefined) return d;
    const v = Number(raw);
    return Number.isFinite(v) && v >= min ? v : d;
  };
  return {
    timeoutMs: num("timeout_seconds", 60, 0.001) * 1000,
    maxBytes: num("web_server_max_response_size", DEFAULT_MAX, 1),
    streamMaxMs: Math.min(num("outbound_stream_max_seconds", 300, 0), 31_536_000) * 1000,
  };
}

export interface ClientRequest {
  url: Value;
  method: Value | null;
  headers: Value | null;
  body: Value | null;
  limits: ClientLimits;
  /** Aborts when the run ends (the program is stopped). */
  runSignal: AbortSignal | undefined;
}

const SAFE_TO_REPEAT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "QUERY"]);
const LOST = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|SSL_/;
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

interface Prepared {
  url: URL;
  init: RequestInit & { method: string };
  repeatable: boolean;
}

function prepare(r: ClientRequest): Prepared {
  if (typeof r.url !== "string") throw new WflRuntimeError(`A URL must be text, got ${formatValue(r.url)}`, "type");
  let url: URL;
  try {
    url = new URL(r.url);
  } catch {
    throw new WflRuntimeError(`"${r.url}" is not a valid URL`, "general");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new WflRuntimeError(`open url can only fetch http: and https: URLs, not ${url.protocol}`, "general");
  }
  const method = r.method === null ? "GET" : formatValue(r.method).toUpperCase();
  if (!METHOD.test(method)) throw new WflRuntimeError(`"${formatValue(r.method!)}" is not an HTTP method`, "general");
  if (method === "CONNECT" || method === "TRACK") throw new WflRuntimeError(`open url cannot send ${method} requests`, "general");
  const headers = new Headers();
  if (r.headers !== null) {
    if (!(r.headers instanceof WflObject)) throw new WflRuntimeError(`The headers of a request must be a map, got ${formatValue(r.headers)}`, "type");
    for (const [k, v] of r.headers) {
      try {
        if (isList(v)) for (const x of v) headers.append(k, formatValue(x));
        else headers.set(k, formatValue(v));
      } catch {
        throw new WflRuntimeError(`The request header "${k}" has a name or value HTTP does not allow`, "general");
      }
    }
  }
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (r.body !== null) {
    if (method === "GET" || method === "HEAD") throw new WflRuntimeError(`A ${method} request cannot have a body (use POST, PUT or QUERY)`, "general");
    body = r.body instanceof Uint8Array ? new Uint8Array(r.body) : formatValue(r.body);
  }
  const key = headers.get("idempotency-key") ?? headers.get("x-idempotency-key");
  return {
    url,
    init: { method, headers, body, redirect: "follow" },
    repeatable: SAFE_TO_REPEAT.has(method) || (key !== null && key.trim() !== ""),
  };
}

function codeOf(e: unknown): string {
  const x = e as { code?: unknown; cause?: { code?: unknown; cause?: { code?: unknown } } } | null;
  const c = x?.cause?.code ?? x?.cause?.cause?.code ?? x?.code;
  return typeof c === "string" ? c : "";
}

function causeMessage(e: unknown): string {
  const x = e as { message?: unknown; cause?: { message?: unknown } } | null;
  const m = x?.cause?.message ?? x?.message;
  return typeof m === "string" ? m : String(e);
}

/** A failed fetch as a WFL error saying what went wrong. */
function failure(e: unknown, url: URL, timedOut: boolean, limits: ClientLimits, what = "answer"): WflRuntimeError {
  if (e instanceof WflRuntimeError) return e;
  const host = url.host;
  if (timedOut) return new WflRuntimeError(`No ${what} from ${host} within ${limits.timeoutMs / 1000} seconds (timeout_seconds)`, "timeout");
  const code = codeOf(e);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
    return new WflRuntimeError(`Cannot reach ${url.hostname}: the host name could not be resolved`, "general");
  }
  if (code === "ECONNREFUSED") return new WflRuntimeError(`Cannot connect to ${host}: the connection was refused`, "general");
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") return new WflRuntimeError(`Cannot connect to ${host}: the connection timed out`, "timeout");
  if (LOST.has(code)) return new WflRuntimeError(`The connection to ${host} was lost before the answer was complete`, "general");
  if (TLS_CODES.test(code)) return new WflRuntimeError(`The TLS certificate of ${host} could not be verified (${causeMessage(e)})`, "general");
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return new WflRuntimeError(`Cannot reach ${host}: no route to the host`, "general");
  return new WflRuntimeError(`The request to ${host} failed: ${causeMessage(e)}`, "general");
}

const widened = new WeakSet<AbortSignal>();

/**
 * Requests trust what e-mail trusts (src/stdlib/trust.ts): Node's roots, the system's store and
 * NODE_EXTRA_CA_CERTS, through an agent of their own made on the first request.
 */
let dispatcher: Promise<object | undefined> | undefined;

function requestDispatcher(): Promise<object | undefined> {
  dispatcher ??= (async () => {
    const ca = trustedAuthorities();
    // Node's fetch exposes no Agent class; the global dispatcher (made on first use) is one.
    await fetch("data:,").then((r) => r.arrayBuffer()).catch(() => {});
    const global = (globalThis as Record<symbol, unknown>)[Symbol.for("undici.globalDispatcher.1")] as { constructor: new (o: object) => object } | undefined;
    if (!global) return undefined;
    return new global.constructor({ connect: { ca } });
  })();
  return dispatcher;
}

/** A deadline that aborts a request, and the run's own stop. */
class Deadline {
  readonly ctrl = new AbortController();
  timedOut = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly unlisten: () => void;

  constructor(ms: number, runSignal: AbortSignal | undefined) {
    this.arm(ms);
    const onStop = (): void => this.ctrl.abort(new Error("The program has ended"));
    // Many requests and streams may wait on the run's one signal at once: no leak warning.
    if (runSignal && !widened.has(runSignal)) {
      widened.add(runSignal);
      ((process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule("node:events") as typeof import("node:events"))
        .setMaxListeners(0, runSignal);
    }
    if (runSignal?.aborted) onStop();
    runSignal?.addEventListener("abort", onStop, { once: true });
    this.unlisten = () => runSignal?.removeEventListener("abort", onStop);
  }

  arm(ms: number): void {
    this.disarm();
    this.timer = setTimeout(() => { this.timedOut = true; this.ctrl.abort(new Error("timeout")); }, ms);
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  done(): void {
    this.disarm();
    this.unlisten();
  }
}

async function send(p: Prepared, d: Deadline, limits: ClientLimits): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      const via = await requestDispatcher();
      return await fetch(p.url, { ...p.init, signal: d.ctrl.signal, ...(via ? { dispatcher: via } : {}) } as RequestInit);
    } catch (e) {
      if (attempt === 0 && p.repeatable && !d.timedOut && !d.ctrl.signal.aborted && LOST.has(codeOf(e))) continue;
      if (e instanceof TypeError && !("cause" in e && e.cause)) {
        throw new WflRuntimeError(`Cannot send this request: ${e.message}`, "general");
      }
      throw failure(e, p.url, d.timedOut, limits);
    }
  }
}

function tooLarge(url: URL, limits: ClientLimits): WflRuntimeError {
  return new WflRuntimeError(`The answer from ${url.host} is larger than ${limits.maxBytes} bytes (web_server_max_response_size)`, "general");
}

function headersOf(res: Response): WflObject {
  const h = new WflObject();
  res.headers.forEach((v, k) => h.set(k, v));
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 1) h.set("set-cookie", cookies);
  return h;
}

async function readBody(res: Response, url: URL, limits: ClientLimits, d: Deadline): Promise<string> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge(url, limits);
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limits.maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(url, limits);
      }
      chunks.push(value);
    }
  } catch (e) {
    throw failure(e, url, d.timedOut, limits, "complete answer");
  }
  const text = Buffer.concat(chunks, total).toString("utf8");
  if (text.length > limits.maxBytes) throw tooLarge(url, limits);
  return text;
}

/** `open url at U … and read content as v` (`response` false) or `… and read response as r`. */
export async function fetchWhole(r: ClientRequest, response: boolean): Promise<Value> {
  const p = prepare(r);
  const d = new Deadline(r.limits.timeoutMs, r.runSignal);
  try {
    const res = await send(p, d, r.limits);
    const body = await readBody(res, p.url, r.limits, d);
    if (!response) return body;
    const o = new WflObject();
    o.set("status", res.status);
    o.set("ok", res.ok);
    o.set("body", body);
    o.set("headers", headersOf(res));
    return o;
  } finally {
    d.done();
  }
}

/** An answer read piece by piece (`open url … and stream response as s`). */
export class OutboundStream implements Closable {
  private pending: Buffer = Buffer.alloc(0);
  private total = 0;
  /** "open": reading; "drained": the end was reported once; "closed": released. */
  state: "open" | "drained" | "closed" = "open";
  private ended = false;
  private reaper: NodeJS.Timeout | null = null;
  /** The lifetime cap closed the stream. */
  private reaped = false;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly deadline: Deadline,
    private readonly url: URL,
    private readonly limits: ClientLimits,
    private readonly owner: RunResources,
    private readonly endsAt: number,
  ) {
    if (Number.isFinite(endsAt)) {
      this.reaper = setTimeout(() => { this.reaped = true; this.close(); }, Math.max(0, endsAt - Date.now()));
      this.reaper.unref();
    }
  }

  /** The next line without its newline (and a `\r` before it), or null at the end. */
  async nextLine(): Promise<string | null> {
    this.usable();
    for (;;) {
      const nl = this.pending.indexOf(10);
      if (nl >= 0) {
        const end = nl > 0 && this.pending[nl - 1] === 13 ? nl - 1 : nl;
        const line = this.pending.subarray(0, end).toString("utf8");
        this.pending = this.pending.subarray(nl + 1);
        return line;
      }
      if (this.ended) {
        if (this.pending.length > 0) {
          const line = this.pending.toString("utf8");
          this.pending = Buffer.alloc(0);
          return line;
        }
        return this.finish();
      }
      const chunk = await this.read();
      if (chunk) this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    }
  }

  /** The next piece of the body as it arrived, or null at the end. */
  async nextChunk(): Promise<Uint8Array | null> {
    this.usable();
    if (this.pending.length > 0) {
      const c = this.pending;
      this.pending = Buffer.alloc(0);
      return new Uint8Array(c);
    }
    while (!this.ended) {
      const chunk = await this.read();
      if (chunk && chunk.length > 0) return new Uint8Array(chunk);
    }
    return this.finish();
  }

  private usable(): void {
    if (this.reaped) throw new WflRuntimeError(`The stream from ${this.url.host} outlived its ${this.limits.streamMaxMs / 1000} seconds (outbound_stream_max_seconds)`, "timeout");
    if (this.state === "closed") throw new WflRuntimeError(`This stream from ${this.url.host} is closed`, "general");
    if (this.state === "drained") throw new WflRuntimeError(`This stream from ${this.url.host} has already ended`, "general");
  }

  private finish(): null {
    this.release();
    this.state = "drained";
    return null;
  }

  private async read(): Promise<Buffer | null> {
    const left = Number.isFinite(this.endsAt) ? this.endsAt - Date.now() : Infinity;
    if (left <= 0) {
      this.close();
      throw new WflRuntimeError(`The stream from ${this.url.host} outlived its ${this.limits.streamMaxMs / 1000} seconds (outbound_stream_max_seconds)`, "timeout");
    }
    const wait = Math.min(this.limits.timeoutMs, left);
    this.deadline.arm(wait);
    try {
      const { done, value } = await this.reader.read();
      if (done) {
        this.ended = true;
        return null;
      }
      this.total += value.length;
      if (this.total > this.limits.maxBytes) {
        this.close();
        throw tooLarge(this.url, this.limits);
      }
      return Buffer.from(value.buffer, value.byteOffset, value.length);
    } catch (e) {
      const timedOut = this.deadline.timedOut;
      const closedMeanwhile = this.state === "closed";
      this.close();
      if (e instanceof WflRuntimeError) throw e;
      if (this.reaped || (timedOut && wait < this.limits.timeoutMs)) {
        throw new WflRuntimeError(`The stream from ${this.url.host} outlived its ${this.limits.streamMaxMs / 1000} seconds (outbound_stream_max_seconds)`, "timeout");
      }
      if (closedMeanwhile && !timedOut) throw new WflRuntimeError(`This stream from ${this.url.host} is closed`, "general");
      throw failure(e, this.url, timedOut, this.limits, "more data");
    } finally {
      this.deadline.disarm();
    }
  }

  private release(): void {
    if (this.reaper) clearTimeout(this.reaper);
    this.reaper = null;
    this.deadline.done();
    this.owner.delete(this);
  }

  /** Stop reading and cancel the request. Closing twice is harmless. */
  close(): void {
    if (this.state === "closed") return;
    const wasOpen = this.state === "open";
    this.state = "closed";
    this.release();
    if (wasOpen && !this.ended) {
      this.deadline.ctrl.abort(new Error("closed"));
      this.reader.cancel().catch(() => {});
    }
  }
}

/** Each stream handle (a map with `status`, `ok`, `headers`) and its stream. */
const streams = new WeakMap<WflObject, OutboundStream>();

/** `open url … and stream response as s`: returns once the head has arrived. */
export async function openStream(r: ClientRequest, owner: RunResources): Promise<WflObject> {
  const p = prepare(r);
  const d = new Deadline(r.limits.timeoutMs, r.runSignal);
  const endsAt = r.limits.streamMaxMs > 0 ? Date.now() + r.limits.streamMaxMs : Infinity;
  if (Number.isFinite(endsAt) && r.limits.streamMaxMs < r.limits.timeoutMs) d.arm(r.limits.streamMaxMs);
  let res: Response;
  try {
    res = await send(p, d, r.limits);
  } catch (e) {
    d.done();
    throw e;
  }
  d.disarm();
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > r.limits.maxBytes) {
    d.done();
    await res.body?.cancel().catch(() => {});
    throw tooLarge(p.url, r.limits);
  }
  const body = res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const s = new OutboundStream(body.getReader(), d, p.url, r.limits, owner, endsAt);
  owner.add(s);
  const o = new WflObject();
  o.set("status", res.status);
  o.set("ok", res.ok);
  o.set("headers", headersOf(res));
  streams.set(o, s);
  return o;
}

export function outboundStreamOf(v: Value, what: string): OutboundStream {
  const s = v instanceof WflObject ? streams.get(v) : undefined;
  if (!s) throw new WflRuntimeError(`${what} needs a stream from 'open url … and stream response as name', got ${formatValue(v)}`, "type");
  return s;
}

/** `close s` on a stream handle: true when `v` was one. */
export function closeOutbound(v: Value): boolean {
  const s = v instanceof WflObject ? streams.get(v) : undefined;
  if (!s) return false;
  s.close();
  return true;
}

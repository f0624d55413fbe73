// Streaming responses: `start streaming response to req … as out`, `write line|chunk V to out`,
// `flush out`, `close out`. The head goes out at once (no Content-Length: chunked over HTTP/1.1);
// each write waits while the client is slow to read (backpressure), at most
// `web_server_response_timeout_seconds`; a write after the client went away is a WFL error.
// The server core calls `closeStreamsOf(exchange)` when a handler ends, so no stream is left open.
import type http from "node:http";
import { type Value, WflObject, WflOpaque, isList } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { type Exchange, type HeaderMap, exchangeOf, finalHeaders } from "./exchange.js";
import { markAnswered, markStreaming } from "./server.js";

/** Headers a program may not set on a response: the runtime frames the body itself. */
const FRAMING = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "trailer"]);

let httpModule: typeof http | undefined;
function httpLib(): typeof http {
  httpModule ??= (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule("node:http") as typeof http;
  return httpModule;
}

/**
 * The program's headers (a map; a list value is sent as repeated headers) added to `into`,
 * checked the way Node would check them, so a bad one is a WFL error and not a crash.
 */
export function addHeaders(into: HeaderMap, headers: Value | null): void {
  if (headers === null) return;
  if (!(headers instanceof WflObject)) throw new WflRuntimeError(`Response headers must be a map, got ${formatValue(headers)}`, "type");
  const lib = httpLib();
  for (const [k, v] of headers) {
    if (FRAMING.has(k.toLowerCase())) continue;
    const value = isList(v) ? v.map((x) => formatValue(x)) : formatValue(v);
    try {
      lib.validateHeaderName(k);
      for (const x of Array.isArray(value) ? value : [value]) lib.validateHeaderValue(k, x);
    } catch {
      throw new WflRuntimeError(`The response header "${k}" has a name or value HTTP does not allow`, "general");
    }
    // Replace a default of the same name whatever its spelling.
    for (const existing of Object.keys(into)) if (existing.toLowerCase() === k.toLowerCase()) delete into[existing];
    into[k] = value;
  }
}

export class ResponseStream {
  readonly handle: WflOpaque;
  closed = false;
  /** The client went away before the end. */
  gone = false;

  constructor(readonly ex: Exchange, readonly status: number) {
    this.handle = new WflOpaque("ResponseStream", `ResponseStream::${status}`, this);
    const res = ex.res;
    res.once("close", () => { if (!res.writableFinished) this.gone = true; });
  }

  private usable(what: string): http.ServerResponse {
    if (this.closed) throw new WflRuntimeError(`Cannot ${what}: this streaming response is closed`, "general");
    const res = this.ex.res;
    if (this.gone || res.destroyed || res.socket?.destroyed) {
      this.gone = true;
      throw new WflRuntimeError(`Cannot ${what}: the client has disconnected`, "general");
    }
    return res;
  }

  /** Write `data`; waits (at most `timeoutMs`, 0: no limit) while the client is slow to read. */
  async write(data: Uint8Array | string, timeoutMs: number): Promise<void> {
    const res = this.usable("write to the response");
    if (res.write(data)) return;
    await this.drained(res, timeoutMs, "write to the response");
  }

  /** `flush out`: wait until what was written has been handed to the socket. */
  async flush(timeoutMs: number): Promise<void> {
    const res = this.usable("flush the response");
    if (!res.writableNeedDrain) {
      await new Promise<void>((r) => setImmediate(r));
      return;
    }
    await this.drained(res, timeoutMs, "flush the response");
  }

  private drained(res: http.ServerResponse, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const done = (err: WflRuntimeError | null): void => {
        if (timer) clearTimeout(timer);
        res.off("drain", onDrain);
        res.off("close", onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = (): void => done(null);
      const onClose = (): void => {
        this.gone = true;
        done(new WflRuntimeError(`Cannot ${what}: the client has disconnected`, "general"));
      };
      res.on("drain", onDrain);
      res.on("close", onClose);
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          // A client that stopped reading is let go: the response cannot be finished.
          this.closed = true;
          res.destroy();
          done(new WflRuntimeError(`Cannot ${what}: the client read nothing for ${timeoutMs / 1000} seconds (web_server_response_timeout_seconds)`, "timeout"));
        }, timeoutMs);
      }
    });
  }

  /** End the body. Closing twice is harmless. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const set = open.get(this.ex);
    set?.delete(this);
    if (!this.ex.res.writableEnded && !this.ex.res.destroyed) this.ex.res.end();
    markAnswered(this.ex);
  }
}

/** The open streams of each exchange (for `closeStreamsOf`). */
const open = new WeakMap<Exchange, Set<ResponseStream>>();

export interface StreamOptions {
  status: Value | null;
  contentType: Value | null;
  headers: Value | null;
}

/** `start streaming response to req [with status S] [and content type T] [and headers H] as out`. */
export function startStreaming(request: Value, opts: StreamOptions): WflOpaque {
  const ex = exchangeOf(request);
  if (!ex) throw new WflRuntimeError("start streaming response needs a request from 'wait for request … as name'", "type");
  const res = ex.res;
  if (res.headersSent || ex.state !== "waiting") throw new WflRuntimeError("This request has already been answered", "general");
  const status = opts.status === null ? 200 : opts.status;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 999 || status === 204 || status === 304) {
    throw new WflRuntimeError(`${formatValue(status)} is not a status a streamed body can have`, "general");
  }
  const contentType = opts.contentType === null ? "application/octet-stream" : formatValue(opts.contentType);
  const headers: HeaderMap = {
    "Content-Type": contentType,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
  };
  try {
    httpLib().validateHeaderValue("Content-Type", contentType);
  } catch {
    throw new WflRuntimeError("The content type has characters HTTP does not allow", "general");
  }
  addHeaders(headers, opts.headers);
  markStreaming(ex); // the response timeout no longer applies; the server runs onFinish at the end
  finalHeaders(ex, ex.middleware, status, headers);
  res.writeHead(status, headers);
  res.flushHeaders();
  const s = new ResponseStream(ex, status);
  let set = open.get(ex);
  if (!set) open.set(ex, (set = new Set()));
  set.add(s);
  return s.handle;
}

export function responseStreamOf(v: Value): ResponseStream | null {
  return v instanceof WflOpaque && v.handle instanceof ResponseStream ? v.handle : null;
}

/** `close out` on a streaming response: true when `v` was one. */
export function closeResponseStream(v: Value): boolean {
  const s = responseStreamOf(v);
  if (!s) return false;
  s.close();
  return true;
}

/** The handler of this exchange has ended: end every stream it left open. */
export function closeStreamsOf(ex: Exchange): void {
  const set = open.get(ex);
  if (!set) return;
  for (const s of [...set]) s.close();
  open.delete(ex);
}

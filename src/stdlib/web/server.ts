// The HTTP server behind `listen on port …`, `wait for request …` and `respond to …`.
//
// Every request becomes an Exchange (exchange.ts): it is created when the request's head has
// arrived, its body is read (bounded), the server's middleware may answer it (`onRequest`), and
// then it waits in the queue until the program takes it (`wait for request`). Every response —
// the program's `respond`, and the runtime's own 400/404/408/413/500/503/504 answers — is written
// by `sendWhole`, which applies the middleware's headers, then its body transforms, then writes;
// `onFinish` runs when the response is done or the client went away.
//
// Nothing a client sends and nothing a handler does can end the process: request targets are
// split by hand (never `new URL`), unparseable bytes get a 400 (or the connection closed), and a
// header the runtime cannot send is a WFL error in the handler that set it.
import { clientAddress, trustedProxiesFrom } from "./client-address.js";
import type http from "node:http";
import type https from "node:https";
import type net from "node:net";
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { middlewareFor } from "./middleware/index.js";
import { rawHeader } from "./middleware/headers.js";
import { WflObject, WflOpaque, type Value } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import type { RunResources } from "../../runtime/lifetime.js";
import { type FormResult, MultipartForm, formFrom, isMultipart, readMultipart } from "./multipart.js";
import { type Exchange, type ExchangeState, type HeaderMap, type Middleware, exchanges, exchangeOf, finalHeaders } from "./exchange.js";

// node:http(s) are loaded on first use: programs that never listen don't pay for them, and the
// start-up snapshot (scripts/build.mjs) cannot contain them.
type GetBuiltin = (id: string) => unknown;
let httpModule: typeof http | undefined;
let httpsModule: typeof https | undefined;
function httpLib(): typeof http {
  httpModule ??= (process as unknown as { getBuiltinModule: GetBuiltin }).getBuiltinModule("node:http") as typeof http;
  return httpModule;
}
function httpsLib(): typeof https {
  httpsModule ??= (process as unknown as { getBuiltinModule: GetBuiltin }).getBuiltinModule("node:https") as typeof https;
  return httpsModule;
}

export interface ServerLimits {
  /** The run that opens the server: it owns the server and the requests it receives. */
  owner: RunResources;
  bindAddress: string;
  maxBodyBytes: number;
  /** Requests received and not yet taken by the program; past it new ones get 503. */
  queueBound: number;
  /** A multipart/form-data body may be this large (it is read as a form, never held whole)… */
  multipartMaxBytes: number;
  /** …and each file in it this large. */
  multipartMaxFileBytes: number;
  /** `web_server_max_response_size`: the largest body `respond` may send. */
  maxResponseBytes?: number;
  /** `web_server_response_timeout_seconds` in ms: a request not answered by then gets 504 (0: never). */
  responseTimeoutMs?: number;
  /** `web_server_max_concurrent_requests`: handler slots of `main loop concurrently`. */
  maxConcurrent?: number;
  /** `web_server_shutdown_drain_seconds` in ms: how long a shutdown waits for in-flight requests. */
  drainMs?: number;
  /** Called when a server starts listening (the CLI drains servers on SIGINT/SIGTERM). */
  onListen?: () => void;
  /** The run's configuration (`.wflcfg`), for `serverSetups`. */
  config?: ReadonlyMap<string, string>;
}

/**
 * Run on every new HTTP server before it serves its first request: configuration-driven features
 * add their middleware here (`addMiddleware`). A redirect listener (`redirecting to port`) has
 * `redirectToPort` set: only `onHeaders` applies to its answers (they have no exchange).
 */
export const serverSetups: ((server: WebServer, config: ReadonlyMap<string, string>) => void)[] = [];

/** A wait for a request on a server the program has closed (a concurrent `main loop` then ends). */
export class ServerClosedError extends WflRuntimeError {
  constructor() {
    super("This server has been closed", "general");
  }
}

/** How a `listen` statement serves: plain HTTP, TLS from PEM files, or redirecting to HTTPS. */
export interface ListenOptions {
  tls?: { cert: string; key: string };
  redirectToPort?: number;
}

/** The requests one handler slot of a `main loop` iteration took (so its failure answers only them). */
export interface HandlerSlot {
  readonly requests: ServerExchange[];
  /** The loop has ended: this slot takes no more requests. */
  dead: boolean;
}

const DEFAULT_MAX_RESPONSE = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 300_000;
const DEFAULT_DRAIN_MS = 10_000;
/** How long the rest of a refused body is read (and dropped) before the connection is cut. */
const LINGER_MS = 1000;


/** What a server's middleware do, worked out once per middleware list instead of on every request. */
interface MiddlewarePlan {
  readonly onRequest: readonly Middleware[];
  /** Some middleware has an `onRequestAsync`. */
  readonly waits: boolean;
  /** Some middleware has an `onFinish`. */
  readonly finish: boolean;
  readonly transform: readonly Middleware[];
  readonly onHeaders: readonly Middleware[];
}

const plans = new WeakMap<readonly Middleware[], MiddlewarePlan>();
function planOf(mw: readonly Middleware[]): MiddlewarePlan {
  let p = plans.get(mw);
  if (p === undefined) {
    p = {
      onRequest: mw.filter((m) => m.onRequest),
      waits: mw.some((m) => m.onRequestAsync),
      finish: mw.some((m) => m.onFinish),
      transform: mw.filter((m) => m.transformBody),
      onHeaders: mw.filter((m) => m.onHeaders),
    };
    // A list that may still grow (not one of the servers' frozen copies) is not remembered.
    if (Object.isFrozen(mw)) plans.set(mw, p);
  }
  return p;
}

/** One request of a WebServer (the contract is `Exchange`; the rest is the core's bookkeeping). */
export class ServerExchange implements Exchange {
  readonly startedAt: number;
  private idText: string | undefined;
  private localsMap: Map<string, unknown> | undefined;
  state: ExchangeState = "waiting";
  /** Its body has been read and it is queued for (or taken by) the program. */
  delivered = false;
  /** The program took it (`wait for request`). */
  taken = false;
  /** The client went away before the response was done. */
  gone = false;
  /** The runtime answered it (timeout, shutdown, failure), not the program. */
  byRuntime = false;
  /** When the program must have answered (ms, performance.now()); Infinity for never. */
  deadline: number;
  finished = false;
  form: FormResult | undefined;
  /** Its place in its server's `live` list (-1: not in it). */
  liveAt = -1;
  readonly plan: MiddlewarePlan;
  constructor(
    readonly server: WebServer,
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
    readonly request: RequestValue,
    readonly secure: boolean,
    readonly middleware: readonly Middleware[],
    plan: MiddlewarePlan = planOf(middleware),
  ) {
    this.startedAt = performance.now();
    this.plan = plan;
    const t = server.limits.responseTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.deadline = t > 0 ? this.startedAt + t : Infinity;
  }

  // Made on first use: most requests never need them.
  get id(): string {
    return (this.idText ??= randomUUID());
  }

  /** The id if it was made (or set) already, without making one. */
  get idIfMade(): string | undefined {
    return this.idText;
  }

  /** Only the request-id middleware sets it (a sane incoming X-Request-Id), before anyone read it. */
  set id(v: string) {
    this.idText = v;
  }

  get locals(): Map<string, unknown> {
    return (this.localsMap ??= new Map());
  }
}

interface Waiter {
  take(ex: ServerExchange): boolean;
  /** The server was closed while this wait was parked. */
  fail(e: WflRuntimeError): void;
}

/**
 * How a handler slot of `main loop concurrently` parks on a server (see `WebServer.nextNow`):
 * made once per slot, parked again after each request (it is in a server's queue at most once).
 */
export class SlotWaiter implements Waiter {
  /** The server it parked on last. */
  server: WebServer | null = null;
  constructor(
    readonly slot: HandlerSlot,
    private readonly onTake: (o: WflObject) => void,
    private readonly onFail: (e: WflRuntimeError) => void,
  ) {}

  take(ex: ServerExchange): boolean {
    if (this.slot.dead) return false;
    if (ex.gone || ex.state !== "waiting") return true; // consumed: nothing to hand over
    const server = this.server!;
    if (isGone(ex)) {
      server.settled(ex);
      return true;
    }
    server.takeFor(ex, this.slot);
    this.onTake(ex.request);
    return true;
  }

  fail(e: WflRuntimeError): void {
    if (!this.server!.owner.shuttingDown) this.onFail(e);
  }
}

/**
 * The requests of a server not yet answered. A Set of them grew and shrank (rehashing) with every
 * burst of requests; here each exchange knows its place and leaves by a swap with the last.
 * Iterating goes over a copy, so the loop may settle (remove) exchanges as it goes.
 */
class LiveSet {
  private items: ServerExchange[] = [];

  get size(): number {
    return this.items.length;
  }

  add(ex: ServerExchange): void {
    if (ex.liveAt >= 0) return;
    ex.liveAt = this.items.length;
    this.items.push(ex);
  }

  delete(ex: ServerExchange): boolean {
    const i = ex.liveAt;
    const items = this.items;
    if (i < 0 || items[i] !== ex) return false;
    const last = items.pop()!;
    if (last !== ex) {
      items[i] = last;
      last.liveAt = i;
    }
    ex.liveAt = -1;
    return true;
  }

  [Symbol.iterator](): Iterator<ServerExchange> {
    return this.items.slice()[Symbol.iterator]();
  }
}

/**
 * The parked waits, first in first out. With a hundred handler slots parked, `Array.shift` moved
 * them all on every request; a head index does not. A wait that timed out leaves a hole.
 */
class WaiterQueue {
  private items: (Waiter | null)[] = [];
  private head = 0;

  push(w: Waiter): void {
    this.items.push(w);
  }

  shift(): Waiter | undefined {
    const items = this.items;
    while (this.head < items.length) {
      const w = items[this.head];
      items[this.head++] = null;
      if (w !== null) {
        if (this.head === items.length) this.reset();
        else if (this.head > 1024 && this.head * 2 > items.length) {
          // Slots take a request and park again at the end: drop the used front now and then.
          items.splice(0, this.head);
          this.head = 0;
        }
        return w;
      }
    }
    this.reset();
    return undefined;
  }

  remove(w: Waiter): void {
    const i = this.items.indexOf(w, this.head);
    if (i >= 0) this.items[i] = null;
  }

  takeAll(): Waiter[] {
    const all = this.items.slice(this.head).filter((w): w is Waiter => w !== null);
    this.reset();
    return all;
  }

  private reset(): void {
    emptyArray(this.items);
    this.head = 0;
  }
}

export class WebServer {
  private readonly queue: ServerExchange[] = [];
  private queueHead = 0;
  private readonly waiters = new WaiterQueue();
  private readonly sockets = new Set<net.Socket>();
  /** Requests received and not yet answered (queued, being read, or taken by the program). */
  readonly live = new LiveSet();
  /** The server's middleware, copied into each exchange (see `addMiddleware`). */
  middleware: Middleware[] = [];
  private mwCopy: readonly Middleware[] | null = null;
  /** What `mwCopy`'s middleware do (`planOf`), kept with it. */
  private mwPlan: MiddlewarePlan | null = null;
  readonly handle: WflOpaque;
  readonly secure: boolean;
  accepting = true;
  /** A shutdown has begun: queued requests were answered 503, new ones get 503, waits park. */
  draining = false;
  /** A shutdown is announced (`web_server_shutdown_delay_seconds`): serving, but /readyz says 503. */
  notReady = false;
  private closed = false;
  private sweeper: NodeJS.Timeout | null = null;
  private drained: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  /** The reverse proxies whose X-Forwarded-For gives client_ip (web_server_trusted_proxies), or null. */
  private readonly trustedProxies: ReadonlySet<string> | null;

  private constructor(
    private readonly server: http.Server,
    readonly limits: ServerLimits,
    readonly host: string,
    readonly port: number,
    readonly redirectToPort: number | null,
  ) {
    this.secure = redirectToPort === null && "setSecureContext" in server;
    this.trustedProxies = trustedProxiesFrom(limits.config);
    this.handle = new WflOpaque("WebServer", `WebServer::${host}:${port}`, this);
  }

  get owner(): RunResources {
    return this.limits.owner;
  }

  static async listen(port: number, limits: ServerLimits, options: ListenOptions = {}): Promise<WebServer> {
    let server: http.Server;
    const serverOpts: http.ServerOptions = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000 };
    if (options.tls) {
      const cert = readPem(options.tls.cert, "certificate");
      const key = readPem(options.tls.key, "key");
      try {
        server = httpsLib().createServer({ ...serverOpts, cert, key }) as unknown as http.Server;
      } catch (e) {
        throw new WflRuntimeError(`The TLS certificate '${options.tls.cert}' and key '${options.tls.key}' cannot be used: ${(e as Error).message}`, "general");
      }
    } else {
      server = httpLib().createServer(serverOpts);
    }
    await new Promise<void>((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) => {
        reject(new WflRuntimeError(
          e.code === "EADDRINUSE" ? `Port ${port} is already in use` : e.code === "EACCES" ? `Permission denied to listen on port ${port}` : `Cannot listen on port ${port}: ${e.message}`,
          "general",
        ));
      });
      server.listen(port, limits.bindAddress, () => resolve());
    });
    server.on("error", () => {}); // after listening, errors concern single connections
    const addr = server.address();
    const actualPort = typeof addr === "object" && addr ? addr.port : port;
    const ws = new WebServer(server, limits, limits.bindAddress, actualPort, options.redirectToPort ?? null);
    server.on(options.tls ? "secureConnection" : "connection", (s: net.Socket) => {
      ws.sockets.add(s);
      s.on("close", () => ws.sockets.delete(s));
    });
    server.on("tlsClientError", (_e: Error, s: net.Socket) => s.destroy());
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => ws.arrive(req, res, false));
    server.on("checkContinue", (req: http.IncomingMessage, res: http.ServerResponse) => ws.arrive(req, res, true));
    server.on("clientError", (e: NodeJS.ErrnoException, socket: net.Socket) => ws.clientError(e, socket));
    limits.owner.add(ws);
    try {
      // The production middleware the configuration asks for (Docs/web-middleware.md), then
      // what other features add.
      for (const m of middlewareFor(limits.config ?? new Map(), ws)) addMiddleware(ws, m);
      for (const setup of serverSetups) setup(ws, limits.config ?? new Map());
    } catch (e) {
      ws.close();
      throw e instanceof WflRuntimeError ? e : new WflRuntimeError(`The server could not be set up: ${(e as Error).message}`, "general");
    }
    limits.onListen?.();
    return ws;
  }

  /**
   * The middleware list as it is now, for a new exchange: one frozen copy shared by every
   * exchange until a middleware is added (the list only grows: `addMiddleware`, sessions).
   */
  private middlewareNow(): readonly Middleware[] {
    const mw = this.middleware;
    if (mw.length === 0) return NO_MIDDLEWARE;
    if (this.mwCopy === null || this.mwCopy.length !== mw.length) {
      this.mwCopy = Object.freeze([...mw]);
      this.mwPlan = planOf(this.mwCopy);
    }
    return this.mwCopy;
  }

  /** A request whose head has arrived. */
  private arrive(req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean): void {
    if (this.redirectToPort !== null) return this.redirect(req, res);
    const target = splitTarget(req.url ?? "");
    if (target === null) return this.answerBare(res, 400, "Bad request target\n", true);
    if (this.draining || !this.accepting) return this.answerBare(res, 503, "Server is shutting down\n", true, { "Retry-After": "5" });
    const limits = this.limits;
    if (this.queue.length - this.queueHead >= limits.queueBound || this.live.size >= limits.queueBound + (limits.maxConcurrent ?? 1)) {
      return this.answerBare(res, 503, "Server busy\n", false, { "Retry-After": "1" });
    }
    (req.socket as SocketWithAnswer)[ANSWER] = res;
    const raw = req.rawHeaders;
    const request = new RequestValue(req.method ?? "GET", target.path, target.query, clientAddress(req, this.trustedProxies), new RequestHeaders(raw));
    const mw = this.middlewareNow();
    const ex = new ServerExchange(this, req, res, request, this.secure, mw, mw === this.mwCopy ? this.mwPlan! : planOf(mw));
    exchanges.set(request, ex);
    this.live.add(ex);
    // `onFinish` for middleware that wants it, when the response is done or the client went away.
    if (ex.plan.finish) res.once("close", () => this.closed_(ex));
    if (this.sweeper === null) this.ensureSweeper();

    const length = rawHeader(raw, "content-length");
    const chunked = rawHeader(raw, "transfer-encoding") !== undefined;
    const type = rawHeader(raw, "content-type");
    if ((length === undefined || length === "0") && !chunked) {
      if (expectsContinue) res.writeContinue();
      this.deliver(ex, EMPTY);
      return;
    }
    this.readBody(ex, req, res, type, length === undefined ? -1 : Number(length), expectsContinue);
  }

  private readBody(ex: ServerExchange, req: http.IncomingMessage, res: http.ServerResponse, type: string | undefined, declared: number, expectsContinue: boolean): void {
    const limits = this.limits;
    const tooLarge = (): void => {
      // The answer goes out first; the rest of the body is read and dropped for a moment (closing
      // a socket with unread bytes resets it, and the client could lose the 413), then the
      // connection is cut.
      if (res.headersSent) {
        req.destroy();
        return;
      }
      lingerOnClose(req.socket);
      sendRuntime(ex, 413, "Request body too large\n", { Connection: "close" });
      req.removeAllListeners("data");
      req.on("data", () => {});
      req.resume();
      setTimeout(() => req.destroy(), LINGER_MS).unref();
    };
    const multipart = isMultipart(type);
    if (declared > (multipart ? limits.multipartMaxBytes : limits.maxBodyBytes)) return tooLarge();
    if (expectsContinue) res.writeContinue();
    if (multipart) {
      // A form is read as it arrives, up to the multipart limits (not the plain body limit); its
      // raw bytes stay available as body/body_bytes only while they fit the plain body limit.
      readMultipart(
        req,
        { maxBytes: limits.multipartMaxBytes, maxFileBytes: limits.multipartMaxFileBytes, maxFieldBytes: limits.maxBodyBytes },
        limits.maxBodyBytes,
        tooLarge,
        (form, raw) => {
          ex.form = form;
          this.deliver(ex, raw === null ? EMPTY : Buffer.concat(raw));
        },
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limits.maxBodyBytes) {
        over = true;
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!over) this.deliver(ex, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on("error", () => {}); // an aborted upload: `close` cleans up
  }

  /** The body has arrived: middleware sees the request, then it is queued or given to a waiting handler. */
  private deliver(ex: ServerExchange, bytes: Buffer): void {
    if (ex.state !== "waiting" || ex.gone) return;
    const o = ex.request;
    if (bytes.length === 0) o.setBody("", NO_BYTES);
    else o.setBody(bytes.toString("utf8"), new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    ex.delivered = true;
    const plan = ex.plan;
    const checks = plan.onRequest;
    for (let i = 0; i < checks.length; i++) {
      try {
        // true: the middleware answered it (now, or later by itself); the program never sees it.
        if (checks[i]!.onRequest!(ex) || ex.state !== "waiting") return;
      } catch {
        sendRuntime(ex, 500, "Internal Server Error\n");
        return;
      }
    }
    if (plan.waits) void this.deliverAfterChecks(ex);
    else this.enqueue(ex);
  }

  /** Middleware that must wait (a session in a database) has its say; then the request is queued. */
  private async deliverAfterChecks(ex: ServerExchange): Promise<void> {
    for (const m of ex.middleware) {
      if (!m.onRequestAsync) continue;
      try {
        if ((await m.onRequestAsync(ex)) || ex.state !== "waiting") return;
      } catch {
        sendRuntime(ex, 500, "Internal Server Error\n");
        return;
      }
    }
    if (ex.gone || ex.state !== "waiting") return;
    this.enqueue(ex);
  }

  private enqueue(ex: ServerExchange): void {
    for (let w = this.waiters.shift(); w !== undefined; w = this.waiters.shift()) {
      if (w.take(ex)) return;
    }
    this.queue.push(ex);
  }

  /** The next request (skipping those already answered or whose client left), or an error after `timeoutMs`. */
  next(timeoutMs: number | null, slot: HandlerSlot | null = null): Promise<WflObject> {
    if (this.redirectToPort !== null) {
      return Promise.reject(new WflRuntimeError("A redirecting server answers every request itself; wait for requests on the server it redirects to", "general"));
    }
    for (;;) {
      const ready = this.dequeue();
      if (!ready) break;
      this.take(ready, slot);
      return Promise.resolve(ready.request);
    }
    if (this.owner.shuttingDown) return new Promise(() => {}); // the run ends when the drain is done
    if (this.draining || this.closed) return Promise.reject(new ServerClosedError());
    if (!this.accepting) return Promise.reject(new WflRuntimeError("This server has stopped accepting connections", "general"));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const waiter: Waiter = {
        take: (ex) => {
          if (slot?.dead) return false;
          if (ex.gone || ex.state !== "waiting") return true; // consumed: nothing to hand over
          if (isGone(ex)) {
            this.settled(ex);
            return true;
          }
          if (timer) clearTimeout(timer);
          this.take(ex, slot);
          resolve(ex.request);
          return true;
        },
        fail: (e) => {
          if (timer) clearTimeout(timer);
          if (!this.owner.shuttingDown) reject(e);
        },
      };
      this.waiters.push(waiter);
      if (timeoutMs !== null) {
        timer = setTimeout(() => {
          this.waiters.remove(waiter);
          if (!this.draining && !this.owner.shuttingDown) reject(new WflRuntimeError(`No request arrived within ${timeoutMs} ms`, "timeout"));
        }, timeoutMs);
      }
    });
  }

  /**
   * `next` without a promise, for the handler slots of `main loop concurrently`: a request ready
   * now is taken and returned. Otherwise null is returned and the slot parks: `onTake` gets the
   * next request when it arrives, called from the server's own request callback (so the handler
   * runs at once, with no promise in between), and `onFail` the error if the server is closed
   * meanwhile. Throws what `next` rejects with; during the run's shutdown it parks for good.
   */
  nextNow(waiter: SlotWaiter): WflObject | null {
    const slot = waiter.slot;
    if (this.redirectToPort !== null) {
      throw new WflRuntimeError("A redirecting server answers every request itself; wait for requests on the server it redirects to", "general");
    }
    const ready = this.dequeue();
    if (ready) {
      this.take(ready, slot);
      return ready.request;
    }
    if (this.owner.shuttingDown) return null; // the run ends when the drain is done
    if (this.draining || this.closed) throw new ServerClosedError();
    if (!this.accepting) throw new WflRuntimeError("This server has stopped accepting connections", "general");
    waiter.server = this;
    this.waiters.push(waiter);
    return null;
  }

  private dequeue(): ServerExchange | undefined {
    while (this.queueHead < this.queue.length) {
      const ex = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as ServerExchange;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      if (!ex.gone && ex.state === "waiting") {
        if (!isGone(ex)) return ex;
        this.settled(ex);
      }
    }
    if (this.queueHead > 0) {
      emptyArray(this.queue);
      this.queueHead = 0;
    }
    return undefined;
  }

  /** For `SlotWaiter`: the program takes `ex` in `slot`. */
  takeFor(ex: ServerExchange, slot: HandlerSlot): void {
    this.take(ex, slot);
  }

  private take(ex: ServerExchange, slot: HandlerSlot | null): void {
    if (!ex.taken) this.owner.inFlight.add(ex); // once: a ChurnSet does not look for duplicates
    ex.taken = true;
    this.owner.received++;
    if (slot) slot.requests.push(ex);
  }

  /** The exchange needs no more bookkeeping: it was answered, or its client went away. */
  settled(ex: ServerExchange): void {
    this.live.delete(ex);
    this.owner.inFlight.delete(ex);
    if (ex.state === "waiting" && isGone(ex)) {
      ex.gone = true;
      ex.state = "answered";
    }
    if (this.wake !== null && this.takenCount() === 0) this.wake();
  }

  /** The response is done, or the client went away: bookkeeping, then `onFinish`. */
  private closed_(ex: ServerExchange): void {
    if (ex.state !== "answered") {
      ex.gone = true;
      ex.state = "answered";
    }
    this.settled(ex);
    if (!ex.finished) {
      ex.finished = true;
      const status = ex.gone && !ex.res.headersSent ? 499 : ex.res.statusCode;
      for (const m of ex.middleware) {
        try {
          m.onFinish?.(ex, status);
        } catch {
          // a failing log line must not affect the server
        }
      }
    }
  }

  private takenCount(): number {
    let n = 0;
    for (const ex of this.live) if (ex.taken && ex.state === "waiting") n++;
    return n;
  }

  /** Answers requests past their deadline: 408 while the body is still arriving, 504 once the program has it. */
  private ensureSweeper(): void {
    if (this.sweeper || this.closed) return;
    const t = this.limits.responseTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(t > 0)) return;
    const every = Math.min(1000, Math.max(25, Math.floor(t / 8)));
    this.sweeper = setInterval(() => {
      if (this.live.size === 0) return;
      const now = performance.now();
      for (const ex of this.live) {
        if (ex.state !== "waiting" || isGone(ex)) {
          this.settled(ex);
          continue;
        }
        if (now < ex.deadline) continue;
        ex.byRuntime = true;
        if (!ex.delivered) sendRuntime(ex, 408, "Request timeout\n", { Connection: "close" });
        else sendRuntime(ex, 504, "The request handler did not answer in time\n");
      }
    }, every);
    this.sweeper.unref();
  }

  /** A listener started with `redirecting to port M`: 301 (GET/HEAD) or 308 to the same place over HTTPS. */
  private redirect(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = req.url ?? "/";
    const given = req.headers.host;
    const host = given !== undefined ? hostOnly(given) : hostOnly(this.host);
    if (host === null || !target.startsWith("/")) return this.answerBare(res, 400, "Bad request\n", true);
    const port = this.redirectToPort === 443 ? "" : `:${this.redirectToPort}`;
    const method = req.method ?? "GET";
    const status = method === "GET" || method === "HEAD" ? 301 : 308;
    req.resume();
    this.answerBare(res, status, "", false, { Location: `https://${host}${port}${target}` });
  }

  /** An answer given before an exchange exists (a bad target, a busy or closing server). */
  private answerBare(res: http.ServerResponse, status: number, text: string, close: boolean, extra?: HeaderMap): void {
    const headers: HeaderMap = { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", ...extra };
    if (close || this.draining) headers.Connection = "close";
    try {
      finalHeaders(null, this.middleware, status, headers);
    } catch {
      // middleware failures never stop an answer
    }
    writeSafely(res, status, headers, text, null);
    res.req?.resume();
  }

  /** Bytes Node's parser could not read as HTTP: 400 (431 for huge heads), then the connection closes. */
  private clientError(e: NodeJS.ErrnoException, socket: net.Socket): void {
    if (e.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = e.code === "HPE_HEADER_OVERFLOW" ? 431 : e.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const text = status === 431 ? "Request header fields too large\n" : status === 408 ? "Request timeout\n" : "Bad request\n";
    const headers: HeaderMap = { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", Connection: "close" };
    try {
      finalHeaders(null, this.middleware, status, headers);
    } catch {
      // as above
    }
    let head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\n`;
    for (const [k, v] of Object.entries(headers)) {
      if (!TOKEN.test(k) || k.toLowerCase() === "content-length") continue;
      for (const one of Array.isArray(v) ? v : [v]) if (!BAD_VALUE.test(one)) head += `${k}: ${one}\r\n`;
    }
    head += `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n`;
    socket.end(head + text);
  }

  /** Waits parked on this server end with an error (during a shutdown they stay parked). */
  private failWaiters(): void {
    const parked = this.waiters.takeAll();
    const e = new ServerClosedError();
    for (const w of parked) w.fail(e);
  }

  stopAccepting(): void {
    this.accepting = false;
    this.server.close();
  }

  /**
   * `close server`, and shutdown: stop listening, answer queued requests 503, let requests the
   * program has taken finish (up to `graceMs`), then close every connection. Resolves when done.
   */
  announceShutdown(): void {
    this.notReady = true;
  }

  drain(graceMs: number = this.limits.drainMs ?? DEFAULT_DRAIN_MS): Promise<void> {
    if (this.drained) return this.drained;
    this.draining = true;
    this.accepting = false;
    this.server.close();
    this.server.closeIdleConnections?.();
    for (let ex = this.dequeue(); ex; ex = this.dequeue()) {
      ex.byRuntime = true;
      sendRuntime(ex, 503, "Server is shutting down\n", { "Retry-After": "5", Connection: "close" });
    }
    this.failWaiters();
    for (const ex of this.live) if (!ex.taken && ex.state === "waiting") {
      ex.byRuntime = true;
      sendRuntime(ex, 503, "Server is shutting down\n", { "Retry-After": "5", Connection: "close" });
    }
    this.drained = new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.wake = null;
        this.close();
        resolve();
      };
      if (this.takenCount() === 0) return done();
      this.wake = done;
      timer = setTimeout(done, Math.max(0, graceMs));
    });
    return this.drained;
  }

  /** Close now: requests still unanswered get 503, connections are closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.accepting = false;
    this.draining = true;
    this.server.close();
    if (this.sweeper) clearInterval(this.sweeper);
    for (let ex = this.dequeue(); ex; ex = this.dequeue()) void ex;
    this.failWaiters();
    for (const ex of [...this.live]) {
      if (ex.state === "waiting") {
        ex.byRuntime = true;
        sendRuntime(ex, 503, "Server is shutting down\n", { Connection: "close" });
      }
    }
    // Connections end once what was written has been sent. One still sending an answer (a file
    // streaming from disk: its request is settled, but its bytes are still going out) ends when
    // that answer is done, within the drain time. A connection whose client does not close its
    // side is cut a second after it was ended.
    const graceMs = this.limits.drainMs ?? DEFAULT_DRAIN_MS;
    const end = (s: net.Socket): void => {
      s.end();
      setTimeout(() => s.destroy(), 1000).unref();
    };
    for (const s of this.sockets) {
      const res = (s as SocketWithAnswer)[ANSWER];
      if (res === undefined || res.writableFinished || res.destroyed) {
        end(s);
        continue;
      }
      res.once("close", () => end(s));
      setTimeout(() => s.destroy(), graceMs).unref();
    }
    this.owner.delete(this);
  }
}

/**
 * Empties an array that is filled again at once (per request): `length = 0` gives up its storage,
 * so the next push allocates anew; popping keeps it.
 */
export function emptyArray(a: unknown[]): void {
  while (a.length > 0) a.pop();
}

/**
 * For an answer that closes the connection while the client may still be sending (a 413 for a
 * body still arriving): once the answer is written, Node ends the connection with
 * `socket.destroySoon()`, which closes it as soon as the answer has gone out, and closing a socket
 * with unread bytes makes the kernel reset the connection, which can make the client lose the
 * answer it has not read yet. Here `destroySoon` only half-closes the connection (end of the
 * answer); what still arrives is read and dropped, and the connection is closed LINGER_MS later,
 * or when the client closes it (a "lingering close", as nginx calls it).
 */
function lingerOnClose(socket: net.Socket | null): void {
  if (socket === null) return;
  (socket as net.Socket & { destroySoon(): void }).destroySoon = function (this: net.Socket): void {
    if (this.writable) this.end();
    setTimeout(() => this.destroy(), LINGER_MS).unref();
  };
}

/** The client of a request that has not been answered has gone away. */
function isGone(ex: ServerExchange): boolean {
  const socket = ex.req.socket as net.Socket | null;
  return socket === null || socket.destroyed;
}

/** On each connection, the answer to its latest request (see `WebServer.close`). */
const ANSWER: unique symbol = Symbol("wfl.answer");
type SocketWithAnswer = net.Socket & { [ANSWER]?: http.ServerResponse };

const NO_MIDDLEWARE: readonly Middleware[] = Object.freeze([]) as readonly Middleware[];
const EMPTY = Buffer.alloc(0);
const NO_BYTES = new Uint8Array(0);

/** Add a middleware to a server: every exchange created afterwards passes through it (in order). */
export function addMiddleware(server: WebServer, m: Middleware): void {
  server.middleware.push(m);
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WflRuntimeError(`Cannot read the TLS ${what} file '${path}'${code === "ENOENT" ? ": no such file" : code ? ` (${code})` : ""}`, "file not found");
  }
}

/** The host of a Host header, or null when it is not a plain host name or address. */
function hostOnly(h: string): string | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return m ? m[1]! : null;
}

/**
 * The path and query of a request target, verbatim: the path is everything before the first `?`
 * (`//evil.com/admin` stays `//evil.com/admin`), the query everything after it. An absolute
 * target (`http://host/p?q`) gives its path and query. Null for a target that is neither.
 */
export function splitTarget(target: string): { path: string; query: string } | null {
  let t = target;
  if (t.charCodeAt(0) !== 47 /* / */) {
    if (t === "*") return { path: "*", query: "" };
    const m = /^https?:\/\/([^/?#]*)/i.exec(t);
    if (!m) return null;
    const authority = m[1]!;
    if (authority === "" || authority.includes("@") || hostOnly(authority) === null) return null;
    t = t.slice(m[0].length);
    if (t === "" || t.charCodeAt(0) === 63 /* ? */) t = "/" + t;
    else if (t.charCodeAt(0) !== 47) return null;
  }
  const hash = t.indexOf("#");
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf("?");
  return q < 0 ? { path: t, query: "" } : { path: t.slice(0, q), query: t.slice(q + 1) };
}

/**
 * A map filled on first use: every read and change fills it first (subclasses add fast paths for
 * reads that need no map). The request value and its headers are both made for every request,
 * and most handlers never need either map.
 */
abstract class LazyObject extends WflObject {
  private pending = true;

  /** Puts the entries in (once, through `super.set`). */
  protected abstract load(): void;

  /** The map has not been filled yet. */
  protected get unfilled(): boolean {
    return this.pending;
  }

  /** Fills the map (once) and returns it. */
  fill(): this {
    if (this.pending) {
      this.pending = false;
      this.load();
    }
    return this;
  }

  override get(k: string): Value | undefined {
    this.fill();
    return super.get(k);
  }
  override has(k: string): boolean {
    this.fill();
    return super.has(k);
  }
  override set(k: string, v: Value): this {
    this.fill();
    return super.set(k, v);
  }
  override delete(k: string): boolean {
    this.fill();
    return super.delete(k);
  }
  override clear(): void {
    this.pending = false;
    super.clear();
  }
  override forEach(cb: (value: Value, key: string, map: Map<string, Value>) => void, thisArg?: unknown): void {
    this.fill();
    super.forEach(cb, thisArg);
  }
  override keys(): MapIterator<string> {
    this.fill();
    return super.keys();
  }
  override values(): MapIterator<Value> {
    this.fill();
    return super.values();
  }
  override entries(): MapIterator<[string, Value]> {
    this.fill();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, Value]> {
    this.fill();
    return super[Symbol.iterator]();
  }
}
// `size` is a property of Map in TypeScript's eyes, so its getter is replaced here.
{
  const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, "size")!.get!;
  Object.defineProperty(LazyObject.prototype, "size", {
    get(this: LazyObject): number {
      return mapSize.call(this.fill()) as number;
    },
    configurable: true,
  });
}

/**
 * A request value: a map of `method`, `path`, `query`, `client_ip`, `headers`, `body` and
 * `body_bytes`, in that order once the body has arrived. The fields start out as plain properties,
 * which `get` and `has` read; the map itself is filled only when something else (a display, a loop
 * over it, a change) needs it. `wait for request` reads every field of every request, and most
 * handlers never need the map: filling it cost several times what the rest of the value does.
 */
export class RequestValue extends LazyObject {
  private body: string | null = null;
  private bodyBytes: Uint8Array | null = null;
  constructor(
    private readonly method: string,
    private readonly path: string,
    private readonly query: string,
    private readonly clientIp: string,
    private readonly headers: RequestHeaders,
  ) {
    super();
  }

  /** The body has arrived (before the program or any middleware sees the request). */
  setBody(text: string, bytes: Uint8Array): void {
    if (!this.unfilled) {
      this.set("body", text);
      this.set("body_bytes", bytes);
      return;
    }
    this.body = text;
    this.bodyBytes = bytes;
  }

  protected load(): void {
    super.set("method", this.method);
    super.set("path", this.path);
    super.set("query", this.query);
    super.set("client_ip", this.clientIp);
    super.set("headers", this.headers);
    if (this.body !== null) {
      super.set("body", this.body);
      super.set("body_bytes", this.bodyBytes!);
    }
  }

  override get(k: string): Value | undefined {
    if (!this.unfilled) return super.get(k);
    switch (k) {
      case "method": return this.method;
      case "path": return this.path;
      case "query": return this.query;
      case "client_ip": return this.clientIp;
      case "headers": return this.headers;
      case "body": return this.body ?? undefined;
      case "body_bytes": return this.bodyBytes ?? undefined;
      default: return undefined;
    }
  }
  override has(k: string): boolean {
    return this.unfilled ? this.get(k) !== undefined : super.has(k);
  }
}

/**
 * The request's headers as the program sees them: lower-case names, repeated ones joined with
 * ", " (cookies with "; "). The map is filled from Node's raw list the first time anything reads
 * it or changes it — most handlers never look at their request's headers.
 */
class RequestHeaders extends LazyObject {
  constructor(private readonly raw: readonly string[]) {
    super();
  }

  protected load(): void {
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) {
      const k = raw[i]!.toLowerCase();
      const v = raw[i + 1]!;
      const had = super.get(k);
      super.set(k, had === undefined ? v : `${had as string}${k === "cookie" ? "; " : ", "}${v}`);
    }
  }
}

/** The multipart form each multipart/form-data request carried (read while it arrived). */
export function multipartOf(request: Value): MultipartForm {
  const ex = exchangeOf(request);
  if (!(ex instanceof ServerExchange)) {
    throw new WflRuntimeError("parse multipart from … needs a request from 'wait for request … as name'", "type");
  }
  const headers = ex.request.get("headers");
  return formFrom(ex.form, headers instanceof WflObject ? (headers.get("content-type") ?? null) : null);
}

/**
 * A request handler failed: answer every request of this run still waiting for its response with
 * 500, so no client hangs (other runs' requests are theirs to answer). Returns how many were answered.
 */
export function failInFlight(owner: RunResources, answered?: Exchange[]): number {
  let n = 0;
  for (const ex of [...owner.inFlight]) {
    if (!failExchange(ex as ServerExchange)) continue;
    n++;
    answered?.push(ex as ServerExchange);
  }
  owner.inFlight.clear();
  return n;
}

/** A request's path as an error report shows it: never its query (which may carry a token), and not at any length. */
function pathForReport(request: WflObject): string {
  const path = String(request.get("path") ?? "/");
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/**
 * What a failed handler's error report says about its requests: the method and path of each one
 * its failure answered with 500, and the request id that answer carried, so the answer a user saw
 * leads to the error without an access log. The id is the one the request-id middleware sent, or
 * the one the access log will write.
 */
export function answeredNote(answered: readonly Exchange[]): string {
  if (answered.length === 0) return "after the response was sent; the server goes on";
  const described = answered.map((ex) => {
    const what = `${String(ex.request.get("method") ?? "GET")} ${pathForReport(ex.request)}`;
    const id = ex instanceof ServerExchange ? ex.idIfMade ?? (ex.middleware.some((m) => m.name === "access-log") ? ex.id : undefined) : undefined;
    return { what, id };
  });
  if (described.length === 1) {
    const { what, id } = described[0]!;
    return `the request ${what} was answered with 500${id === undefined ? "" : `, request id ${id}`}; the server goes on`;
  }
  const list = described.map(({ what, id }) => (id === undefined ? what : `${what} (request id ${id})`)).join(", ");
  return `${described.length} requests were answered with 500: ${list}; the server goes on`;
}

/** Answer one taken request with 500 if nothing answered it yet; true if it was answered now. */
export function failExchange(ex: ServerExchange): boolean {
  ex.server.owner.inFlight.delete(ex);
  if (ex.state !== "waiting" || ex.gone) {
    if (ex.state === "streaming") endStreaming(ex);
    return false;
  }
  ex.byRuntime = true;
  sendRuntime(ex, 500, "Internal Server Error\n");
  return true;
}

/** A streaming response whose handler failed: the body ends early (the status is already sent). */
function endStreaming(ex: ServerExchange): void {
  try {
    if (!ex.res.writableEnded) ex.res.end();
  } catch {
    ex.res.destroy();
  }
}

export function serverOf(v: Value): WebServer {
  if (v instanceof WflOpaque && v.handle instanceof WebServer) return v.handle;
  throw new WflRuntimeError(`Expected a web server (from 'listen on port … as name'), got ${formatValue(v)}`, "type");
}

// ── writing responses ──────────────────────────────────────────────────────────────────────

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Characters an HTTP header value cannot carry (Node sends Latin-1; CR, LF and NUL split headers). */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large", 431: "Request Header Fields Too Large" };

/** Throws a WFL error naming the header that cannot be sent, and why. */
export function checkHeader(name: string, value: string): void {
  if (!TOKEN.test(name)) {
    throw new WflRuntimeError(`'${name}' cannot be a header name: a name is letters, digits and !#$%&'*+-.^_\`|~ only, with no spaces`, "general");
  }
  const bad = BAD_VALUE.exec(value);
  if (bad) {
    const c = bad[0];
    const what = c === "\r" || c === "\n" ? "a line break" : c.charCodeAt(0) < 0x20 || c === "\x7f" ? `the control character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}` : `'${c}', which is not Latin-1`;
    throw new WflRuntimeError(`The header '${name}' cannot be sent: its value has ${what} (encode it first, for example with url_encode)`, "general");
  }
}

/**
 * The headers after the middleware had its say. Most of them are the same strings on every
 * response (a policy from the configuration), so a value already found sendable under its name is
 * not scanned again (a long CSP would otherwise be, on every request).
 */
const sendable = new Map<string, string>();
function checkMiddlewareHeaders(headers: HeaderMap, id: string | undefined): void {
  for (const k in headers) {
    const v = headers[k]!;
    if (typeof v !== "string") {
      for (const one of v) checkHeader(k, one);
      continue;
    }
    if (sendable.get(k) === v) continue;
    // The exchange's own id (a UUID, or an incoming one the request-id middleware found sane) is
    // sendable, and new on every response: neither scanned nor remembered.
    if (v === id) continue;
    checkHeader(k, v);
    if (sendable.size > 512) sendable.clear();
    sendable.set(k, v);
  }
}

/** Throws a WFL error for the first header that cannot be sent. */
export function checkHeaders(headers: HeaderMap): void {
  for (const k in headers) {
    const v = headers[k]!;
    if (typeof v === "string") checkHeader(k, v);
    else for (const one of v) checkHeader(k, one);
  }
}

/** Marks an exchange as streaming: its head is written by the caller; the response timeout no longer applies. */
export function markStreaming(ex: Exchange): void {
  ex.state = "streaming";
  if (ex instanceof ServerExchange) ex.deadline = Infinity;
}

/** A streamed response has been ended by the program: the exchange is answered. */
export function markAnswered(ex: Exchange): void {
  ex.state = "answered";
  if (ex instanceof ServerExchange) ex.server.settled(ex);
}

/**
 * Write a whole response: the middleware's headers (`onHeaders`), then its body transforms, then
 * the head and body. 204/304 (and 1xx) carry no body and no length; every other response has a
 * Content-Length. Header names and values are checked first: one that cannot be sent is a WFL
 * error and nothing is written. A client that went away is not written to.
 */
export function sendWhole(ex: Exchange, status: number, headers: HeaderMap, body: Buffer | string): void {
  const mw = ex.middleware;
  const sx = ex instanceof ServerExchange ? ex : null;
  if (mw.length > 0) {
    const plan = sx !== null ? sx.plan : planOf(mw);
    const onHeaders = plan.onHeaders;
    for (let i = 0; i < onHeaders.length; i++) onHeaders[i]!.onHeaders!(ex, status, headers);
    const transform = plan.transform;
    if (transform.length > 0) {
      let b = typeof body === "string" ? Buffer.from(body, "utf8") : body;
      for (let i = 0; i < transform.length; i++) b = transform[i]!.transformBody!(ex, status, headers, b);
      body = b;
    }
    checkMiddlewareHeaders(headers, sx?.idIfMade); // `respond` checked the program's own
  }
  if (sx?.server.draining) headers.Connection = "close";
  ex.state = "answered";
  writeSafely(ex.res, status, headers, body, ex);
  if (sx) sx.server.settled(sx);
}

/** Writes status, headers (with the right Content-Length) and body; never throws. */
function writeSafely(res: http.ServerResponse, status: number, headers: HeaderMap, body: Buffer | string, ex: Exchange | null): void {
  if (res.destroyed || res.headersSent || res.socket?.destroyed === true) return;
  const noBody = status === 204 || status === 304 || status < 200;
  // Node takes the head as a flat [name, value, …] list with less work than an object (no
  // own-property check per name). The length is the runtime's, never a handler's or a
  // middleware's; `headers` is left as it was sent (the access log reads its Content-Length).
  const flat: (string | string[])[] = [];
  for (const k in headers) {
    const l = k.length === 14 || k.length === 17 ? k.toLowerCase() : "";
    if (l === "content-length" || l === "transfer-encoding") {
      delete headers[k];
      continue;
    }
    flat.push(k, headers[k]!);
  }
  if (!noBody) {
    const length = String(typeof body === "string" ? Buffer.byteLength(body) : body.length);
    headers["Content-Length"] = length;
    flat.push("Content-Length", length);
  }
  try {
    res.writeHead(status, flat as unknown as http.OutgoingHttpHeaders);
    if (noBody) res.end();
    else res.end(body);
  } catch {
    // Headers the checks let through but Node refused (middleware): answer without them.
    if (!res.headersSent) {
      try {
        res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": "22" }).end("Internal Server Error\n");
      } catch {
        res.destroy();
      }
    }
    if (ex) ex.state = "answered";
  }
}

/** The runtime's own answers (400/404/408/413/500/503/504): through the middleware like any other. */
export function sendRuntime(ex: Exchange, status: number, text: string, extra?: HeaderMap): void {
  if (ex.state !== "waiting" || ex.res.headersSent) return;
  const headers: HeaderMap = { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", ...extra };
  try {
    sendWhole(ex, status, headers, text);
  } catch {
    ex.state = "answered";
    writeSafely(ex.res, status, { "Content-Type": "text/plain; charset=utf-8", ...extra }, text, ex);
  }
}

export interface ResponseOptions {
  status: number;
  contentType: string | null;
  headers: Value;
}

const IGNORED_HEADERS = new Set(["content-type", "content-length", "transfer-encoding"]);

function headerText(v: Value): string {
  return typeof v === "string" ? v : formatValue(v);
}

/** `respond to req with content [and status …] [and content_type …] [and headers …]`. */
export function respond(request: Value, content: Value, opts: ResponseOptions): void {
  const ex = exchangeOf(request);
  if (!ex) throw new WflRuntimeError("respond to needs a request from 'wait for request … as name'", "type");
  if (ex.state !== "waiting") {
    // The runtime already answered it (its time ran out, the client left, the server shut down):
    // the program's answer has nowhere to go. A second answer by the program is its mistake.
    if (ex instanceof ServerExchange && (ex.byRuntime || ex.gone)) return;
    throw new WflRuntimeError("This request has already been answered", "general");
  }
  const status = opts.status;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new WflRuntimeError(`${formatValue(status)} is not a valid HTTP status`, "general");
  }
  const binary = content instanceof Uint8Array;
  const body: Buffer | string = binary
    ? Buffer.from(content.buffer, content.byteOffset, content.byteLength)
    : typeof content === "string" ? content : formatValue(content);
  const max = ex instanceof ServerExchange ? ex.server.limits.maxResponseBytes ?? DEFAULT_MAX_RESPONSE : DEFAULT_MAX_RESPONSE;
  const size = typeof body === "string" ? (body.length * 3 <= max ? 0 : Buffer.byteLength(body)) : body.length;
  if (size > max) {
    throw new WflRuntimeError(`The response is ${size} bytes, more than web_server_max_response_size allows (${max})`, "general");
  }
  const headers: HeaderMap = {
    "Content-Type": opts.contentType ?? (binary ? "application/octet-stream" : "text/plain; charset=utf-8"),
    "X-Content-Type-Options": "nosniff",
  };
  if (opts.contentType !== null && sendable.get("Content-Type") !== opts.contentType) {
    checkHeader("Content-Type", opts.contentType);
    sendable.set("Content-Type", opts.contentType);
  }
  const extra = opts.headers;
  if (extra instanceof WflObject) {
    for (const [k, v] of extra) {
      if (IGNORED_HEADERS.has(k.toLowerCase())) continue;
      const value = Array.isArray(v) ? v.map(headerText) : headerText(v);
      if (typeof value === "string") checkHeader(k, value);
      else for (const one of value) checkHeader(k, one);
      headers[k] = value;
    }
  } else if (extra !== null && extra !== undefined) {
    throw new WflRuntimeError(`and headers … needs a map of header names to values, got ${formatValue(extra)}`, "type");
  }
  sendWhole(ex, status, headers, body);
}

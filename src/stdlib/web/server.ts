// The HTTP server behind `listen on port …`, `wait for request …` and `respond to …`.
// Requests queue until the program asks for one; each is answered exactly once.
import type http from "node:http";

// node:http is loaded on first use: programs that never listen don't pay for it, and the
// start-up snapshot (scripts/build.mjs) cannot contain it.
let httpModule: typeof http | undefined;
function httpLib(): typeof http {
  httpModule ??= (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule("node:http") as typeof http;
  return httpModule;
}
import { WflObject, WflOpaque, type Value } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import type { RunResources } from "../../runtime/lifetime.js";
import { type FormResult, MultipartForm, formFrom, isMultipart, readMultipart } from "./multipart.js";
// [sessions helper] the exchange contract: an Exchange per request, middleware hooks.
import { type Exchange, type Middleware, exchanges, exchangeOf, finalHeaders } from "./exchange.js";

/** [sessions helper] A middleware whose request check may wait (the sessions' CSRF check on a database store). */
export interface AsyncRequestMiddleware extends Middleware {
  onRequestAsync?(ex: Exchange): Promise<boolean>;
}
let exchangeCounter = 0;

export interface ServerLimits {
  /** The run that opens the server: it owns the server and the requests it receives. */
  owner: RunResources;
  bindAddress: string;
  maxBodyBytes: number;
  queueBound: number;
  /** A multipart/form-data body may be this large (it is read as a form, never held whole)… */
  multipartMaxBytes: number;
  /** …and each file in it this large. */
  multipartMaxFileBytes: number;
}

interface Pending {
  req: WflObject;
  res: http.ServerResponse;
}

export class WebServer {
  private readonly queue: Pending[] = [];
  private readonly waiters: ((p: Pending) => void)[] = [];
  private readonly sockets = new Set<import("node:net").Socket>();
  readonly handle: WflOpaque;
  accepting = true;
  /** [sessions helper] This server's middleware, in order (sessions add theirs). */
  readonly middleware: AsyncRequestMiddleware[] = [];

  private constructor(private readonly server: http.Server, readonly owner: RunResources, readonly host: string, readonly port: number) {
    this.handle = new WflOpaque("WebServer", `WebServer::${host}:${port}`, this);
  }

  static async listen(port: number, limits: ServerLimits): Promise<WebServer> {
    const server = httpLib().createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) => {
        reject(new WflRuntimeError(
          e.code === "EADDRINUSE" ? `Port ${port} is already in use` : e.code === "EACCES" ? `Permission denied to listen on port ${port}` : `Cannot listen on port ${port}: ${e.message}`,
          "general",
        ));
      });
      server.listen(port, limits.bindAddress, () => resolve());
    });
    const addr = server.address();
    const actualPort = typeof addr === "object" && addr ? addr.port : port;
    const ws = new WebServer(server, limits.owner, limits.bindAddress, actualPort);
    server.on("connection", (s) => { ws.sockets.add(s); s.on("close", () => ws.sockets.delete(s)); });
    server.on("request", (req, res) => ws.accept(req, res, limits));
    limits.owner.add(ws);
    return ws;
  }

  private accept(req: http.IncomingMessage, res: http.ServerResponse, limits: ServerLimits): void {
    if (this.queue.length >= limits.queueBound) {
      res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8", "Retry-After": "1" }).end("Server busy\n");
      return;
    }
    const tooLargeAnswer = (): void => {
      // The answer goes out first; then the connection (and the rest of the body) is dropped.
      if (res.headersSent) req.destroy();
      else res.writeHead(413, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" }).end("Request body too large\n", () => req.destroy());
    };
    if (isMultipart(req.headers["content-type"])) {
      // A form is read as it arrives, up to the multipart limits (not the plain body limit); its
      // raw bytes stay available as body/body_bytes only while they fit the plain body limit.
      readMultipart(
        req,
        { maxBytes: limits.multipartMaxBytes, maxFileBytes: limits.multipartMaxFileBytes, maxFieldBytes: limits.maxBodyBytes },
        limits.maxBodyBytes,
        tooLargeAnswer,
        (form, raw) => this.deliver(req, res, raw === null ? Buffer.alloc(0) : Buffer.concat(raw), form),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limits.maxBodyBytes) {
        if (!tooLarge) {
          tooLarge = true;
          tooLargeAnswer();
        }
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (tooLarge) return;
      this.deliver(req, res, Buffer.concat(chunks), undefined);
    });
  }

  private deliver(req: http.IncomingMessage, res: http.ServerResponse, bytes: Buffer, form: FormResult | undefined): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    const headers = new WflObject();
    for (const [k, v] of Object.entries(req.headers)) headers.set(k.toLowerCase(), Array.isArray(v) ? v.join(", ") : (v ?? ""));
    const o = new WflObject();
    o.set("method", req.method ?? "GET");
    o.set("path", url.pathname);
    o.set("query", url.search.startsWith("?") ? url.search.slice(1) : url.search);
    o.set("client_ip", req.socket.remoteAddress ?? "");
    o.set("body", bytes.toString("utf8"));
    o.set("body_bytes", new Uint8Array(bytes));
    o.set("headers", headers);
    const p: Pending = { req: o, res };
    responses.set(o, { res, owner: this.owner });
    if (form !== undefined) forms.set(o, form);
    // [sessions helper] begin: an Exchange per request; middleware may answer before the program sees it.
    const ex: Exchange = {
      req, res, request: o, id: `${process.pid.toString(36)}-${(++exchangeCounter).toString(36)}`, startedAt: performance.now(),
      secure: (req.socket as { encrypted?: boolean }).encrypted === true, middleware: this.middleware, locals: new Map(), state: "waiting",
    };
    exchanges.set(o, ex);
    for (const m of this.middleware) if (m.onRequest?.(ex)) return;
    const waiting = this.middleware.filter((m) => m.onRequestAsync);
    if (waiting.length > 0) {
      void (async () => {
        try {
          for (const m of waiting) if (await m.onRequestAsync!(ex)) return;
        } catch {
          if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end("Internal Server Error\n");
          return;
        }
        this.enqueue(p);
      })();
      return;
    }
    this.enqueue(p);
  }

  private enqueue(p: Pending): void {
    // [sessions helper] end
    const w = this.waiters.shift();
    if (w) w(p);
    else this.queue.push(p);
  }

  /** The next request, or an error after `timeoutMs`. */
  next(timeoutMs: number | null): Promise<WflObject> {
    const ready = this.queue.shift();
    if (ready) {
      this.owner.inFlight.add(ready.res);
      return Promise.resolve(ready.req);
    }
    if (!this.accepting) return Promise.reject(new WflRuntimeError("This server has stopped accepting connections", "general"));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const waiter = (p: Pending): void => {
        if (timer) clearTimeout(timer);
        this.owner.inFlight.add(p.res);
        resolve(p.req);
      };
      this.waiters.push(waiter);
      if (timeoutMs !== null) {
        timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new WflRuntimeError(`No request arrived within ${timeoutMs} ms`, "timeout"));
        }, timeoutMs);
      }
    });
  }

  stopAccepting(): void {
    this.accepting = false;
    this.server.close();
  }

  close(): void {
    this.accepting = false;
    this.server.close();
    for (const p of this.queue.splice(0)) answerUnhandled(p.res);
    for (const s of this.sockets) s.destroy();
    this.owner.delete(this);
  }
}

/** The multipart form each multipart/form-data request carried (read while it arrived). */
const forms = new WeakMap<WflObject, FormResult>();

/** `parse multipart from req`: the request's form, or a WFL error saying why there is none. */
export function multipartOf(request: Value): MultipartForm {
  if (!(request instanceof WflObject) || !responses.has(request)) {
    throw new WflRuntimeError("parse multipart from … needs a request from 'wait for request … as name'", "type");
  }
  const headers = request.get("headers");
  return formFrom(forms.get(request), headers instanceof WflObject ? (headers.get("content-type") ?? null) : null);
}

/** Each request's response, and the run that received it. */
const responses = new WeakMap<WflObject, { res: http.ServerResponse; owner: RunResources }>();

/**
 * A request handler failed: answer every request of this run still waiting for its response with
 * 500, so no client hangs (other runs' requests are theirs to answer). Returns how many were answered.
 */
export function failInFlight(owner: RunResources): number {
  const inFlight = owner.inFlight;
  let n = 0;
  for (const res of inFlight) {
    if (!res.headersSent && !res.writableEnded) {
      res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end("Internal Server Error\n");
      n++;
    }
  }
  inFlight.clear();
  return n;
}

function answerUnhandled(res: http.ServerResponse): void {
  if (!res.headersSent) res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" }).end("Server is shutting down\n");
}

export function serverOf(v: Value): WebServer {
  if (v instanceof WflOpaque && v.handle instanceof WebServer) return v.handle;
  throw new WflRuntimeError(`Expected a web server (from 'listen on port … as name'), got ${formatValue(v)}`, "type");
}

export interface ResponseOptions {
  status: number;
  contentType: string | null;
  headers: Value;
}

const IGNORED_HEADERS = new Set(["content-type", "content-length", "transfer-encoding"]);

export function respond(request: Value, content: Value, opts: ResponseOptions): void {
  const r = request instanceof WflObject ? responses.get(request) : undefined;
  if (!r) throw new WflRuntimeError("respond to needs a request from 'wait for request … as name'", "type");
  const res = r.res;
  if (res.headersSent) throw new WflRuntimeError("This request has already been answered", "general");
  const binary = content instanceof Uint8Array;
  const body = binary ? Buffer.from(content) : Buffer.from(formatValue(content), "utf8");
  const headers: Record<string, string | string[]> = {
    "Content-Type": opts.contentType ?? (binary ? "application/octet-stream" : "text/plain; charset=utf-8"),
    "Content-Length": String(body.length),
    "X-Content-Type-Options": "nosniff",
  };
  if (opts.headers instanceof WflObject) {
    for (const [k, v] of opts.headers) if (!IGNORED_HEADERS.has(k.toLowerCase())) headers[k] = formatValue(v);
  }
  if (!Number.isInteger(opts.status) || opts.status < 100 || opts.status > 999) {
    throw new WflRuntimeError(`${opts.status} is not a valid HTTP status`, "general");
  }
  // [sessions helper] every response passes the server's middleware (session cookies).
  const ex = exchangeOf(request);
  if (ex) {
    finalHeaders(ex, ex.middleware, opts.status, headers);
    ex.state = "answered";
  }
  res.writeHead(opts.status, headers).end(body);
  r.owner.inFlight.delete(res);
}

// Web servers and WebSockets: `listen`, `wait for request`, `respond`, `main loop`, signal handlers.
import type { Stmt } from "../../ast/nodes.js";
import type { Frame } from "../../runtime/frame.js";
import { Signal } from "../../runtime/frame.js";
import { type Value, WflObject, WflOpaque } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { BlockScope } from "../../compiler/scope.js";
import { type CStmt, type StmtResult, combine, readBinding, loopExit, sequence } from "../../compiler/closures.js";
import type { Span } from "../../ast/span.js";
import type { Compiler } from "../../compiler/compile.js";
import { WebServer, ServerClosedError, SlotWaiter, emptyArray, serverOf, respond as respondTo, failInFlight, failExchange, answeredNote, type HandlerSlot, type ListenOptions } from "../../stdlib/web/server.js";
import { type Exchange, exchangeOf } from "../../stdlib/web/exchange.js";
import { FunctionScope } from "../../compiler/scope.js";
import { frameAt } from "../../compiler/closures.js";
import { newFrame, RET } from "../../runtime/frame.js";
import { resolve as resolvePath } from "node:path";
import { closeStreamsOf } from "../../stdlib/web/streaming.js";
import { managerOfRequest, sessionOf } from "../../stdlib/web/sessions.js";
import { WsServer, wsServerOf, sendTo } from "../../stdlib/web/websocket.js";
import type { StmtCompilers } from "../../compiler/tables.js";
import type { ExprCompilers } from "../../compiler/tables.js";
import type { WebExpr, WebStmt } from "./nodes.js";
import { multipartOf } from "../../stdlib/web/server.js";
import { formOf } from "../../stdlib/web/multipart.js";
import { typeName } from "../../runtime/values.js";

/**
 * A handler has ended (its iteration finished): a streaming response it left open is closed, so
 * the client gets the end of the body (Docs: "closed automatically when the handler ends").
 */
function endOfHandler(slot: HandlerSlot): void {
  for (const ex of slot.requests) if (ex.state === "streaming") closeStreamsOf(ex);
}

/** A plain `wait for request` (server from a plain expression, no timeout), as `main loop concurrently` runs it. */
interface DirectWait {
  server: (f: Frame) => Value;
  /** Puts the request and its fields in the frame, as the wait does. */
  bind: (f: Frame, o: WflObject) => void;
  span: Span;
}
const directWaits = new WeakMap<Stmt, DirectWait>();

/** The hidden variable through which `wait for request` tells its `main loop` iteration what it took. */
const SLOT_NAME = "%handler-slot";

/**
 * `main loop:` repeats like `repeat forever`, but it is a server's loop: when an iteration that
 * took a request fails, the error is reported, that iteration's unanswered request gets a 500
 * (an error after the answer was sent is only reported), and the loop goes on serving. An error
 * in an iteration that took no request ends the program as usual, and so does any error of a loop
 * written inside a `try`: that try's handlers get it (once the request has its 500).
 *
 * `main loop concurrently:` runs `web_server_max_concurrent_requests` handler slots, each
 * iteration in its own frame (its variables are its own), so a handler that waits (a database,
 * a password hash, an outbound call) does not hold up the others. Its body must begin with
 * `wait for request`.
 */
export function mainLoop(c: Compiler, s: Stmt & { kind: "MainLoop" }, scope: BlockScope): CStmt {
  return s.concurrently ? concurrentLoop(c, s, scope) : serialLoop(c, s, scope);
}

function serialLoop(c: Compiler, s: Stmt & { kind: "MainLoop" }, scope: BlockScope): CStmt {
  // A loop written inside a `try` hands its errors to that try (after the request got its 500),
  // as the docs' "Main Loop with Error Handling" shows; otherwise the server goes on.
  const handledByTry = c.tryDepth > 0;
  const inner = new BlockScope(scope.fn, scope);
  const slotIdx = scope.fn.allocate();
  inner.names.set(SLOT_NAME, { kind: "var", slot: slotIdx, fn: scope.fn, constant: false, name: SLOT_NAME });
  const [body, outermost] = c.loopBody(s.body, inner);
  const bf = body.fn;
  const rt = c.rt;
  return {
    fn: async (f) => {
      const slot: HandlerSlot = { requests: [], dead: false };
      f[slotIdx] = slot as unknown as Value;
      for (;;) {
        rt.tick();
        const depth = rt.depth;
        const before = rt.resources.received;
        endOfHandler(slot);
        emptyArray(slot.requests);
        let r: StmtResult;
        try {
          r = await bf(f);
        } catch (e) {
          const err = rt.asCatchable(e);
          if (!err || rt.resources.received === before) throw e;
          const answered: Exchange[] = [];
          for (const ex of slot.requests) if (failExchange(ex)) answered.push(ex);
          failInFlight(rt.resources, answered); // serial: a request taken inside an action is this one's too
          if (handledByTry) throw e;
          rt.depth = depth;
          rt.reportError(err, answeredNote(answered));
          continue;
        }
        if (r !== undefined && r !== Signal.Continue) {
          endOfHandler(slot);
          slot.dead = true;
          return loopExit(r, outermost);
        }
      }
    },
    async: true,
  };
}

function concurrentLoop(c: Compiler, s: Stmt & { kind: "MainLoop" }, scope: BlockScope): CStmt {
  const first = s.body[0];
  if (!first || first.kind !== "WaitRequest") {
    c.error("A 'main loop concurrently:' body must begin with 'wait for request': its handler slots all start at once, so anything before the wait would run once per slot. Put set-up above the loop", first?.span ?? s.span);
  }
  const handledByTry = c.tryDepth > 0; // as in serialLoop
  const fn = new FunctionScope(scope.fn, "main loop");
  const inner = new BlockScope(fn, scope);
  const slotIdx = fn.allocate();
  inner.names.set(SLOT_NAME, { kind: "var", slot: slotIdx, fn, constant: false, name: SLOT_NAME });
  // The wait, then the handler: compiled apart, so a plain wait (`wait for request comes in on
  // srv as req`) can hand its request straight to the handler (see `direct` below).
  let waitC: CStmt | null = null;
  let direct: DirectWait | undefined;
  let restStmts = s.body;
  if (first && first.kind === "WaitRequest") {
    c.loopDepth++;
    try {
      waitC = c.stmt(first, inner);
    } finally {
      c.loopDepth--;
    }
    direct = directWaits.get(first);
    restStmts = s.body.slice(1);
  }
  const [rest, outermost] = c.loopBody(restStmts, inner);
  const body = waitC ? sequence([waitC, rest]) : rest;
  const bf = body.fn;
  const restFn = rest.fn;
  const rt = c.rt;
  return {
    fn: (f) => new Promise<StmtResult>((resolve, reject) => {
      const count = rt.serverLimits().maxConcurrent ?? 100;
      const baseDepth = rt.depth;
      const slots: HandlerSlot[] = [];
      let ended = false;
      const end = (settle: () => void): void => {
        if (ended) return;
        ended = true;
        for (const sl of slots) sl.dead = true;
        settle();
      };
      const idle = (): boolean => slots.every((sl) => sl.requests.length === 0);
      /** An iteration of `slot` failed with `e`: true when the slot goes on serving. */
      const failed = (slot: HandlerSlot, e: unknown): boolean => {
        const err = rt.asCatchable(e);
        if (ended) return false;
        if (e instanceof ServerClosedError && slot.requests.length === 0) {
          // The program closed the server: the loop ends when its handlers have finished.
          slot.dead = true;
          if (slots.every((sl) => sl.dead)) end(() => resolve(undefined));
          return false;
        }
        if (!err || slot.requests.length === 0) {
          end(() => reject(e));
          return false;
        }
        const answered: Exchange[] = [];
        for (const ex of slot.requests) if (failExchange(ex)) answered.push(ex);
        emptyArray(slot.requests);
        if (handledByTry) {
          end(() => reject(e));
          return false;
        }
        if (idle()) rt.depth = baseDepth; // an error thrown out of actions leaves the count high
        rt.reportError(err, answeredNote(answered));
        return true;
      };
      /** An iteration of `slot` ended with `r`: true when the slot goes on serving. */
      const finished = (slot: HandlerSlot, nf: Frame, r: StmtResult): boolean => {
        if (r !== undefined && r !== Signal.Continue) {
          endOfHandler(slot);
          if (r === Signal.Return) f[RET] = nf[RET];
          end(() => resolve(loopExit(r, outermost)));
          return false;
        }
        return true;
      };
      /** A slot's frame for its next request, after closing what its last one left open. */
      const nextFrame = (slot: HandlerSlot): Frame => {
        rt.tick();
        endOfHandler(slot);
        emptyArray(slot.requests);
        const nf = newFrame(fn.size, f);
        nf[slotIdx] = slot as unknown as Value;
        return nf;
      };
      const runSlot = async (slot: HandlerSlot): Promise<void> => {
        while (!ended) {
          const nf = nextFrame(slot);
          let r: StmtResult;
          try {
            r = await bf(nf);
          } catch (e) {
            if (failed(slot, e)) continue;
            return;
          }
          if (!finished(slot, nf, r)) return;
        }
      };
      // A plain wait: no promise between a request's arrival and its handler. A slot takes a
      // request that is ready, or parks on the server, which calls it back with the next one
      // from its own request callback; a handler that finishes without waiting goes straight
      // on to the next request. A handler that waits (a database, a call) goes on when it is done.
      const d = direct;
      /** Each slot's frame for its next request, and how it parks (made once per slot). */
      const frames: Frame[] = [];
      const parkers: SlotWaiter[] = [];
      const drive = (slot: HandlerSlot, i: number): void => {
        while (!ended) {
          const nf = nextFrame(slot);
          frames[i] = nf;
          let o: WflObject | null;
          try {
            const srv = serverOf(d!.server(nf));
            rt.flush();
            o = srv.nextNow(parkers[i]!);
          } catch (e) {
            if (failed(slot, rt.locate(e, d!.span))) continue;
            return;
          }
          if (o === null) return; // parked
          if (!handle(slot, i, nf, o)) return;
        }
      };
      /** Runs the handler on request `o`: true when it finished at once and the slot goes on. */
      const handle = (slot: HandlerSlot, i: number, nf: Frame, o: WflObject): boolean => {
        d!.bind(nf, o);
        let r: StmtResult | Promise<StmtResult>;
        try {
          r = restFn(nf);
        } catch (e) {
          return failed(slot, e);
        }
        if (r instanceof Promise) {
          r.then(
            (v) => { if (finished(slot, nf, v)) safely(slot, i); },
            (e: unknown) => { if (failed(slot, e)) safely(slot, i); },
          );
          return false;
        }
        return finished(slot, nf, r);
      };
      const safely = (slot: HandlerSlot, i: number): void => {
        try {
          drive(slot, i);
        } catch (e) {
          end(() => reject(e));
        }
      };
      for (let i = 0; i < count; i++) {
        const slot: HandlerSlot = { requests: [], dead: false };
        slots.push(slot);
        if (d) {
          parkers.push(new SlotWaiter(
            slot,
            (o) => {
              // A request for the parked slot, from the server's request callback.
              try {
                if (handle(slot, i, frames[i]!, o)) drive(slot, i);
              } catch (e) {
                end(() => reject(e));
              }
            },
            (e) => { if (failed(slot, rt.locate(e, d.span))) safely(slot, i); },
          ));
          safely(slot, i);
        } else {
          runSlot(slot).catch((e: unknown) => end(() => reject(e)));
        }
      }
    }),
    async: true,
  };
}

export function listen(c: Compiler, s: Stmt & { kind: "Listen" }, scope: BlockScope): CStmt {
  const port = c.expr(s.port, scope);
  const cert = s.certificate ? c.expr(s.certificate, scope) : null;
  const key = s.key ? c.expr(s.key, scope) : null;
  const redirect = s.redirectTo ? c.expr(s.redirectTo, scope) : null;
  const secured = s.secured === true;
  const websockets = s.websockets;
  const rt = c.rt;
  const span = s.span;
  const portOf = (p: Value): number => {
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 65535) {
      throw new WflRuntimeError(`A port must be a whole number from 0 to 65535, got ${formatValue(p)}`, "type", span);
    }
    return p;
  };
  if (websockets && (secured || redirect)) c.error("'listen for websockets' cannot be 'secured' or 'redirecting' (yet)", span);
  return c.declareCompiled(s.name, span, {
    fn: async (f) => {
      const p = portOf(await port.fn(f));
      const options: ListenOptions = {};
      if (secured) {
        const certFile = cert ? formatValue(await cert.fn(f)) : rt.config.get("web_server_tls_cert_file");
        const keyFile = key ? formatValue(await key.fn(f)) : rt.config.get("web_server_tls_key_file");
        if (!certFile || !keyFile) {
          throw new WflRuntimeError("A 'secured' server needs a certificate and a key: write 'secured with certificate \"cert.pem\" and key \"key.pem\"', or set web_server_tls_cert_file and web_server_tls_key_file in .wflcfg", "general", span);
        }
        options.tls = { cert: resolvePath(rt.options.scriptDir, certFile), key: resolvePath(rt.options.scriptDir, keyFile) };
      }
      if (redirect) options.redirectToPort = portOf(await redirect.fn(f));
      return rt.locatedAsync(span, async () => {
        if (websockets) {
          const max = Number(rt.config.get("web_socket_max_message_size") ?? 1024 * 1024);
          return (await WsServer.listen(p, rt.serverLimits(), Number.isFinite(max) && max > 0 ? max : 1024 * 1024)).handle;
        }
        return (await WebServer.listen(p, rt.serverLimits(), options)).handle;
      });
    },
    async: true,
  }, scope);
}

export function waitRequest(c: Compiler, s: Stmt & { kind: "WaitRequest" }, scope: BlockScope): CStmt {
  const server = c.expr(s.server, scope);
  const timeout = s.timeout ? c.expr(s.timeout, scope) : null;
  const rt = c.rt;
  const span = s.span;
  // Inside a `main loop`, the iteration's handler slot learns which request it took.
  const slotB = scope.lookup(SLOT_NAME);
  const slotDepth = slotB ? scope.depthOf(slotB) : 0;
  const slotIdx = slotB ? slotB.slot : -1;
  // The request's fields are also plain variables after the wait (`path`, `method`, …).
  const existing = scope.names.get(s.name); // a redefinition is reported by the resolver
  const reqSlot = existing && existing.kind === "var" ? existing.slot : scope.fn.allocate();
  scope.names.set(s.name, { kind: "var", slot: reqSlot, fn: scope.fn, constant: false, name: s.name });
  const fields = ["method", "path", "query", "client_ip", "body", "body_bytes", "headers"];
  const setters = fields.map((name) => {
    const existing = scope.lookup(name);
    if (existing && existing.kind !== "var") return null;
    let slot: number;
    if (existing && existing.fn === scope.fn) slot = existing.slot;
    else {
      slot = scope.fn.allocate();
      scope.names.set(name, { kind: "var", slot, fn: scope.fn, constant: false, name });
    }
    return { name, slot };
  }).filter((x): x is { name: string; slot: number } => x !== null);
  const names = setters.map((st) => st.name);
  const slots = setters.map((st) => st.slot);
  const n = setters.length;
  const serverFn = server.fn;
  const serverAsync = server.async;
  const slotOf = (f: Frame): HandlerSlot | null =>
    slotIdx >= 0 ? (frameAt(f, slotDepth)[slotIdx] as unknown as HandlerSlot | undefined) ?? null : null;
  const bind = (f: Frame, o: WflObject): void => {
    f[reqSlot] = o;
    for (let i = 0; i < n; i++) f[slots[i]!] = o.get(names[i]!) ?? null;
  };
  if (!serverAsync && !timeout) {
    directWaits.set(s, { server: serverFn as (f: Frame) => Value, bind, span });
    // The usual `wait for request comes in on srv as req`: no async function of its own, the
    // request is handed over in the one callback of the server's promise.
    return {
      fn: (f) => {
        let p: Promise<WflObject>;
        try {
          const srv = serverOf(serverFn(f) as Value);
          rt.flush();
          p = srv.next(null, slotOf(f));
        } catch (e) {
          return Promise.reject(rt.locate(e, span));
        }
        return p.then((o) => {
          bind(f, o);
          return undefined;
        }, (e: unknown) => {
          throw rt.locate(e, span);
        });
      },
      async: true,
    };
  }
  return {
    fn: async (f) => {
      try {
        const srv = serverOf(serverAsync ? await serverFn(f) : (serverFn(f) as Value));
        const t = timeout ? await timeout.fn(f) : null;
        rt.flush();
        const slot = slotIdx >= 0 ? (frameAt(f, slotDepth)[slotIdx] as unknown as HandlerSlot | undefined) ?? null : null;
        const o = await srv.next(typeof t === "number" ? t : null, slot);
        f[reqSlot] = o;
        for (let i = 0; i < n; i++) f[slots[i]!] = o.get(names[i]!) ?? null;
      } catch (e) {
        throw rt.locate(e, span);
      }
      return undefined;
    },
    async: true,
  };
}

export function respond(c: Compiler, s: Stmt & { kind: "Respond" }, scope: BlockScope): CStmt {
  const parts = [
    c.expr(s.request, scope), c.expr(s.content, scope),
    c.optionalExpr(s.status, scope),
    c.optionalExpr(s.contentType, scope),
    c.optionalExpr(s.headers, scope),
    c.optionalExpr(s.session, scope),
  ];
  const rt = c.rt;
  const span = s.span;
  const setting = s.session !== null;
  const clearing = s.clearSession;
  const answer = (req: Value, content: Value, status: Value, ct: Value, headers: Value, session: Value): void => {
    try {
      if (setting || clearing) {
        // `and set session S` / `and clear session`: the session's cookie goes with this answer.
        const m = managerOfRequest(req, setting ? "respond … and set session" : "respond … and clear session");
        if (setting) m.markSet(req, sessionOf(session, "respond … and set session"));
        if (clearing) m.markClear(req);
      }
      respondTo(req, content, {
        status: status === null ? 200 : (status as number),
        contentType: ct === null ? null : typeof ct === "string" ? ct : formatValue(ct),
        headers,
      });
    } catch (e) {
      throw rt.locate(e, span);
    }
  };
  if (!parts.some((p) => p.async)) {
    const [a, b, st, ct, h, se] = parts.map((p) => p.fn as (f: Frame) => Value) as [(f: Frame) => Value, (f: Frame) => Value, (f: Frame) => Value, (f: Frame) => Value, (f: Frame) => Value, (f: Frame) => Value];
    return { fn: (f) => { answer(a(f), b(f), st(f), ct(f), h(f), se(f)); return undefined; }, async: false };
  }
  const run = combine(parts, ([req, content, status, ct, headers, session]) => {
    answer(req!, content!, status!, ct!, headers!, session!);
    return null;
  });
  return c.withValue(run, () => {}, false);
}

export function serverOp(c: Compiler, s: Stmt & { kind: "ServerOp" }, scope: BlockScope): CStmt {
  const server = c.expr(s.server, scope);
  const rt = c.rt;
  const span = s.span;
  const op = s.op;
  return c.withValue(server, (_f, v) => rt.located(span, () => {
    if (v instanceof WflOpaque && v.handle instanceof WsServer) {
      v.handle.close();
      return;
    }
    const srv = serverOf(v);
    // `close server` is graceful: requests the program has taken may still be answered.
    if (op === "close") void srv.drain();
    else srv.stopAccepting();
  }), false);
}

/** Handlers run from the event loop while the program waits; their errors are reported, not fatal. */
export function onWebSocket(c: Compiler, s: Stmt & { kind: "OnWebSocket" }, scope: BlockScope): CStmt {
  const server = c.expr(s.server, scope);
  const inner = new BlockScope(scope.fn, scope);
  const slot = scope.fn.allocate();
  inner.names.set(s.name, { kind: "var", slot, fn: scope.fn, constant: false, name: s.name });
  const body = c.block(s.body, inner);
  const rt = c.rt;
  const event = s.event;
  const span = s.span;
  return c.withValue(server, (f, v) => rt.located(span, () => {
    wsServerOf(v).on(event, async (obj) => {
      try {
        f[slot] = obj;
        await body.fn(f);
        rt.flush();
      } catch (e) {
        const err = rt.asCatchable(e);
        if (!err) throw e;
        rt.reportError(err, "in a WebSocket handler; the server goes on");
      }
    });
  }), false);
}

export function webSocketSend(c: Compiler, s: Stmt & { kind: "WebSocketSend" }, scope: BlockScope): CStmt {
  const parts = [c.expr(s.message, scope), c.expr(s.target, scope)];
  const rt = c.rt;
  const span = s.span;
  const broadcast = s.broadcast;
  const run = combine(parts, ([m, t]) => {
    rt.located(span, () => {
      if (broadcast) wsServerOf(t!).broadcast(m!);
      else sendTo(t!, m!);
    });
    return null;
  });
  return c.withValue(run, () => {}, false);
}

export function registerSignal(c: Compiler, s: Stmt & { kind: "RegisterSignal" }, scope: BlockScope): CStmt {
  const b = scope.lookup(s.handler);
  const read = b ? (readBinding(b, scope, s.span).fn as (f: Frame) => Value) : null;
  const rt = c.rt;
  const signal = s.signal;
  const span = s.span;
  if (!["SIGINT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2"].includes(signal)) {
    c.error(`'${signal}' is not a signal WFL can handle; use SIGINT, SIGTERM, SIGHUP, SIGUSR1 or SIGUSR2`, span);
  }
  return {
    fn: (f) => {
      rt.onSignal(signal, read ? () => read(f) : null, span);
      return undefined;
    },
    async: false,
  };
}

export const webCompilers: StmtCompilers<WebStmt> = {
  MainLoop: mainLoop,
  Listen: listen,
  WaitRequest: waitRequest,
  Respond: respond,
  ServerOp: serverOp,
  RegisterSignal: registerSignal,
  OnWebSocket: onWebSocket,
  WebSocketSend: webSocketSend,
};

/** A form key: a text, or a number as `display` shows it. */
function formKeyText(k: Value, span: import("../../ast/span.js").Span): string {
  if (typeof k === "string") return k;
  if (typeof k === "number") return formatValue(k);
  throw new WflRuntimeError(`A field name must be text, got ${typeName(k)}`, "type", span);
}

const PART_WORDS = { file: "file", filename: "filename", contentType: "content type" } as const;

export const webExpressions: ExprCompilers<WebExpr> = {
  ParseMultipart: (c, e, scope) => {
    const rt = c.rt;
    const span = e.span;
    return combine([c.expr(e.request, scope)], ([r]) => rt.located(span, () => multipartOf(r!)));
  },
  FormPart: (c, e, scope) => {
    const rt = c.rt;
    const span = e.span;
    const part = e.part;
    return combine([c.expr(e.form, scope), c.expr(e.key, scope)], ([f, k]) => rt.located(span, () => {
      const key = formKeyText(k!, span);
      const p = formOf(f!, `${PART_WORDS[part]} "${key}" of …`).files.get(key);
      if (!p) return null;
      return part === "file" ? p.data : part === "filename" ? p.filename : p.contentType;
    }));
  },
  RequestHeader: (c, e, scope) => {
    const span = e.span;
    return combine([c.expr(e.request, scope), c.expr(e.name, scope)], ([r, n]) => {
      const name = formKeyText(n!, span).toLowerCase();
      const ex = exchangeOf(r);
      const headers = ex ? ex.request.get("headers") : r instanceof WflObject ? r.get("headers") : undefined;
      if (!(headers instanceof WflObject)) {
        throw new WflRuntimeError(`header "${name}" of … needs a request (from 'wait for request … as name'), got ${typeName(r!)}`, "type", span);
      }
      return headers.get(name) ?? null;
    });
  },
  HasField: (c, e, scope) => {
    const span = e.span;
    return combine([c.expr(e.target, scope), c.expr(e.key, scope)], ([t, k]) => {
      const key = formKeyText(k!, span);
      if (t instanceof WflObject) return t.has(key);
      const inst = t as { kind?: string; props?: Map<string, Value> } | null;
      if (inst !== null && typeof inst === "object" && inst.kind === "instance" && inst.props) return inst.props.has(key);
      throw new WflRuntimeError(`has field "${key}" in … needs a form or an object, got ${typeName(t!)}`, "type", span);
    });
  },
};

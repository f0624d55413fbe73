// Web servers and WebSockets: `listen`, `wait for request`, `respond`, `main loop`, signal handlers.
import type { Stmt } from "../../ast/nodes.js";
import type { Frame } from "../../runtime/frame.js";
import { Signal } from "../../runtime/frame.js";
import { type Value, WflObject, WflOpaque } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { BlockScope } from "../../compiler/scope.js";
import { type CExpr, type CStmt, type StmtResult, combine, readBinding, loopExit } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import { WebServer, serverOf, respond as respondTo, failInFlight } from "../../stdlib/web/server.js";
import { WsServer, wsServerOf, sendTo } from "../../stdlib/web/websocket.js";
import type { StmtCompilers } from "../../compiler/tables.js";
import type { ExprCompilers } from "../../compiler/tables.js";
import type { WebExpr, WebStmt } from "./nodes.js";
import { multipartOf } from "../../stdlib/web/server.js";
import { formOf } from "../../stdlib/web/multipart.js";
import { typeName } from "../../runtime/values.js";

/**
 * `main loop:` repeats like `repeat forever`, but it is a server's loop: when an iteration fails
 * while a request is waiting for its answer, that request gets a 500, the error is reported, and
 * the loop goes on serving. Other errors end the program as usual.
 */
export function mainLoop(c: Compiler, s: Stmt & { kind: "MainLoop" }, scope: BlockScope): CStmt {
  const [body, outermost] = c.loopBody(s.body, new BlockScope(scope.fn, scope));
  const bf = body.fn;
  const rt = c.rt;
  return {
    fn: async (f) => {
      for (;;) {
        rt.tick();
        const depth = rt.depth;
        let r: StmtResult;
        try {
          r = await bf(f);
        } catch (e) {
          const err = rt.asCatchable(e);
          if (!err || failInFlight(rt.resources) === 0) throw e;
          rt.depth = depth;
          rt.reportError(err, "the request was answered with 500; the server goes on");
          continue;
        }
        if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
      }
      return undefined;
    },
    async: true,
  };
}

export function listen(c: Compiler, s: Stmt & { kind: "Listen" }, scope: BlockScope): CStmt {
  const port = c.expr(s.port, scope);
  const websockets = s.websockets;
  const rt = c.rt;
  const span = s.span;
  return c.declareCompiled(s.name, span, {
    fn: async (f) => {
      const p = await port.fn(f);
      if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 65535) {
        throw new WflRuntimeError(`A port must be a whole number from 0 to 65535, got ${formatValue(p)}`, "type", span);
      }
      return rt.locatedAsync(span, async () => {
        if (websockets) {
          const max = Number(rt.config.get("web_socket_max_message_size") ?? 1024 * 1024);
          return (await WsServer.listen(p, rt.serverLimits(), Number.isFinite(max) && max > 0 ? max : 1024 * 1024)).handle;
        }
        return (await WebServer.listen(p, rt.serverLimits())).handle;
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
  const req: CExpr = {
    fn: (f) => rt.locatedAsync(span, async () => {
      const srv = serverOf(await server.fn(f));
      const t = timeout ? await timeout.fn(f) : null;
      rt.flush();
      return await srv.next(typeof t === "number" ? t : null);
    }),
    async: true,
  };
  // The request's fields are also plain variables after the wait (`path`, `method`, …).
  const store = c.declareCompiled(s.name, span, req, scope);
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
  const reqBinding = scope.lookup(s.name)!;
  const reqSlot = reqBinding.slot;
  return {
    fn: async (f) => {
      await store.fn(f);
      const o = f[reqSlot] as WflObject;
      for (const st of setters) f[st.slot] = o.get(st.name) ?? null;
      return undefined;
    },
    async: true,
  };
}

export function respond(c: Compiler, s: Stmt & { kind: "Respond" }, scope: BlockScope): CStmt {
  const none: CExpr = { fn: () => null, async: false };
  const parts = [
    c.expr(s.request, scope), c.expr(s.content, scope),
    s.status ? c.expr(s.status, scope) : none,
    s.contentType ? c.expr(s.contentType, scope) : none,
    s.headers ? c.expr(s.headers, scope) : none,
  ];
  const rt = c.rt;
  const span = s.span;
  const run = combine(parts, ([req, content, status, ct, headers]) => {
    rt.located(span, () => respondTo(req!, content!, {
      status: status === null ? 200 : (status as number),
      contentType: ct === null ? null : formatValue(ct!),
      headers: headers!,
    }));
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
    if (op === "close") srv.close();
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

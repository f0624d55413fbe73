// Server-side sessions and CSRF (seed 003, section 3.6): compiling the statements of the sessions
// room. The runtime is src/stdlib/web/sessions.ts; the session manager is one of a server's
// middlewares (src/stdlib/web/exchange.ts).
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";
import { type CStmt, combine } from "../../compiler/closures.js";
import type { StmtCompilers, ExprCompilers } from "../../compiler/tables.js";
import { type Value, WflObject } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { RunResources } from "../../runtime/lifetime.js";
import { listen } from "../web/compile.js";
import { type WebServer, serverOf } from "../../stdlib/web/server.js";
import {
  DEFAULT_MAX_SESSIONS, SessionManager, type SessionRecord, csrfToken, managerOf, managerOfRequest, sessionFromRequest,
  sessionOf, sessionValue, setSessionValue, storeFor,
} from "../../stdlib/web/sessions.js";
import type { SessionsExpr, SessionsStmt } from "./nodes.js";

/** The last session manager a run enabled (what the TDD program's `storage` forms use). */
const lastManager = new WeakMap<RunResources, SessionManager>();

function maxSessions(rt: Runtime): number {
  const v = Number(rt.config.get("web_server_max_sessions"));
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_SESSIONS;
}

/** The server's session manager, made (and its middleware added) on first use. */
export function enableSessions(srv: WebServer, rt: Runtime): SessionManager {
  let m = managerOf(srv.middleware);
  if (!m) {
    m = new SessionManager(maxSessions(rt));
    srv.middleware.push(m);
    rt.resources.add(m);
  }
  lastManager.set(rt.resources, m);
  return m;
}

function keyText(k: Value, span: Span): string {
  if (typeof k === "string") return k;
  if (typeof k === "number") return formatValue(k);
  throw new WflRuntimeError(`A session value's name must be text, got ${formatValue(k)}`, "type", span);
}

function storageManager(rt: Runtime, span: Span): SessionManager {
  const m = lastManager.get(rt.resources);
  if (!m) throw new WflRuntimeError("There is no session storage yet: listen with 'listen on port … as server with sessions enabled' first", "general", span);
  return m;
}

const asyncStmt = (fn: (f: import("../../runtime/frame.js").Frame) => Promise<void>): CStmt => ({
  fn: async (f) => { await fn(f); return undefined; },
  async: true,
});

export const sessionsCompilers: StmtCompilers<SessionsStmt> = {
  SessionListen: (c, s, scope) => {
    const base = listen(c, { kind: "Listen", port: s.port, name: s.name, nameSpan: s.nameSpan, websockets: false, span: s.span }, scope);
    const server = c.expr({ kind: "Var", name: s.name, span: s.nameSpan } as Expr, scope);
    const rt = c.rt;
    return asyncStmt(async (f) => {
      await base.fn(f);
      const v = await server.fn(f);
      rt.located(s.span, () => enableSessions(serverOf(v), rt));
    });
  },
  ConfigureSessions: (c, s, scope) => {
    const server = c.expr(s.server, scope);
    const timeout = s.timeout ? c.expr(s.timeout, scope) : null;
    const storage = s.storage ? c.expr(s.storage, scope) : null;
    const database = s.database ? c.expr(s.database, scope) : null;
    const rt = c.rt;
    return asyncStmt(async (f) => {
      const srv = await server.fn(f);
      const t = timeout ? await timeout.fn(f) : null;
      const st = storage ? await storage.fn(f) : null;
      const d = database ? await database.fn(f) : null;
      await rt.locatedAsync(s.span, async () => {
        const m = enableSessions(serverOf(srv), rt);
        if (t !== null && (typeof t !== "number" || !Number.isFinite(t) || t <= 0)) {
          throw new WflRuntimeError(`A session timeout is a number of milliseconds above 0, got ${formatValue(t)}`, "type");
        }
        const store = st !== null ? await storeFor(st, d, maxSessions(rt)) : null;
        m.configure(t as number | null, store);
      });
    });
  },
  EnableSessionOption: (c, s, scope) => {
    const rt = c.rt;
    return c.withValue(c.expr(s.server, scope), (_f, v) => rt.located(s.span, () => {
      const m = enableSessions(serverOf(v), rt);
      if (s.option === "csrf") m.csrfProtection = true;
      else m.secureCookies = true;
    }), false);
  },
  SetSessionValue: (c, s, scope) => {
    const key = c.expr(s.key, scope);
    const value = c.expr(s.value, scope);
    const session = c.expr(s.session, scope);
    const rt = c.rt;
    return asyncStmt(async (f) => {
      const k = await key.fn(f);
      const v = await value.fn(f);
      const sv = await session.fn(f);
      await rt.locatedAsync(s.span, async () => setSessionValue(sessionOf(sv, "set session value … in"), keyText(k, s.span), v));
    });
  },
  DestroySession: (c, s, scope) => {
    const session = c.expr(s.session, scope);
    const rt = c.rt;
    return asyncStmt(async (f) => {
      const sv = await session.fn(f);
      await rt.locatedAsync(s.span, async () => {
        const ses = sessionOf(sv, "destroy session");
        await ses.manager.destroy(ses);
      });
    });
  },
  SessionData: (c, s, scope) => {
    const key = c.expr(s.key, scope);
    const data = s.data ? c.expr(s.data, scope) : null;
    const rt = c.rt;
    return asyncStmt(async (f) => {
      const k = await key.fn(f);
      const d = data ? await data.fn(f) : null;
      await rt.locatedAsync(s.span, async () => {
        const m = storageManager(rt, s.span);
        const id = `data:${keyText(k, s.span)}`;
        if (s.op === "delete") return void await m.store.delete(id);
        const now = Date.now();
        const rec: SessionRecord = { data: new WflObject([["data", d]]), csrf: null, createdAt: now, expiresAt: now + m.timeoutMs };
        await m.store.put(id, rec);
      });
    });
  },
};

export const sessionsExpressions: ExprCompilers<SessionsExpr> = {
  CreateSession: (c, e, scope) => {
    const request = c.expr(e.request, scope);
    const rt = c.rt;
    return { fn: async (f) => { const r = await request.fn(f); return rt.locatedAsync(e.span, async () => managerOfRequest(r, "create session for").create()); }, async: true };
  },
  GetSession: (c, e, scope) => {
    const request = c.expr(e.request, scope);
    const rt = c.rt;
    return { fn: async (f) => { const r = await request.fn(f); return rt.locatedAsync(e.span, async () => sessionFromRequest(r)); }, async: true };
  },
  GetSessionValue: (c, e, scope) => {
    const rt = c.rt;
    return combine([c.expr(e.key, scope), c.expr(e.session, scope)], ([k, s]) =>
      rt.located(e.span, () => sessionValue(sessionOf(s!, "get session value … from"), keyText(k!, e.span))));
  },
  CsrfToken: (c, e, scope) => {
    const session = c.expr(e.session, scope);
    const rt = c.rt;
    return { fn: async (f) => { const s = await session.fn(f); return rt.locatedAsync(e.span, async () => csrfToken(sessionOf(s, "generate csrf token for"))); }, async: true };
  },
  SessionQuery: (c, e, scope) => {
    const server = c.expr(e.server, scope);
    const rt = c.rt;
    return {
      fn: async (f) => {
        const v = await server.fn(f);
        return rt.locatedAsync(e.span, async () => {
          const m = managerOf(serverOf(v).middleware);
          if (!m) throw new WflRuntimeError("Sessions are not enabled on this server: listen with 'listen on port … as server with sessions enabled'", "general");
          return e.op === "expired" ? (await m.expired()) as Value : await m.statistics();
        });
      },
      async: true,
    };
  },
  LoadSessionData: (c, e, scope) => {
    const key = c.expr(e.key, scope);
    const rt = c.rt;
    return {
      fn: async (f) => {
        const k = await key.fn(f);
        return rt.locatedAsync(e.span, async () => {
          const m = storageManager(rt, e.span);
          const rec = await m.store.get(`data:${keyText(k, e.span)}`);
          return rec && rec.expiresAt > Date.now() ? (rec.data.get("data") ?? null) : null;
        });
      },
      async: true,
    };
  },
};

// Server-side sessions and CSRF protection (seed 003, section 3.6): the session store of a server
// ("memory" or "database"), the session cookie, and the CSRF middleware. Everything here works on
// the exchange contract (exchange.ts): a `SessionManager` is one of a server's middlewares; it
// refuses unsafe requests without the session's CSRF token before the program sees them
// (`onRequest`, or `onRequestAsync` when the store is a database), and adds the session cookie to
// the response the program marked with `and set session s` / `and clear session` (`onHeaders`).
import type { Value } from "../../runtime/values.js";
import { WflObject } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import { type Exchange, type HeaderMap, type Middleware, exchangeOf } from "./exchange.js";
import { parseCookies, parseQueryString } from "./index.js";
import { type MultipartForm, isMultipart } from "./multipart.js";
import { multipartOf, sendWhole } from "./server.js";
import { parseJson, stringifyJson } from "../json/index.js";
import * as db from "../database/index.js";

// node:crypto is loaded on first use (the start-up snapshot cannot contain it).
let cryptoModule: typeof import("node:crypto") | undefined;
function nodeCrypto(): typeof import("node:crypto") {
  cryptoModule ??= (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule("node:crypto") as typeof import("node:crypto");
  return cryptoModule;
}

export const SESSION_COOKIE = "wfl_session";
/** Default idle timeout: 30 minutes. */
export const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;
/** Default bound of a memory store (live sessions); the oldest are dropped beyond it. */
export const DEFAULT_MAX_SESSIONS = 100_000;
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const LOCAL_COOKIE = "sessions.cookie";
const LOCAL_CHECKED = "sessions.csrfChecked";

/** 32 random bytes, base64url (43 characters): a session id or a CSRF token. */
export function randomToken(): string {
  return nodeCrypto().randomBytes(32).toString("base64url");
}

/** Constant-time comparison of two tokens (of any lengths: both are hashed to 32 bytes first). */
export function tokensEqual(a: string, b: string): boolean {
  const c = nodeCrypto();
  const ha = c.createHash("sha256").update(a, "utf8").digest();
  const hb = c.createHash("sha256").update(b, "utf8").digest();
  return c.timingSafeEqual(ha, hb) && a.length === b.length;
}

/** One session as the store keeps it. */
export interface SessionRecord {
  data: WflObject;
  csrf: string | null;
  createdAt: number;
  expiresAt: number;
}

/** Where a server's sessions live. Memory answers at once; a database may wait. */
export interface SessionStore {
  readonly kind: "memory" | "database";
  get(id: string): SessionRecord | undefined | Promise<SessionRecord | undefined>;
  /** Creates or replaces the session. */
  put(id: string, rec: SessionRecord): void | Promise<void>;
  /** Writes an existing session's values; false (and nothing written) when it is gone (destroyed, swept). */
  update(id: string, rec: SessionRecord): boolean | Promise<boolean>;
  /** Moves the expiry (a session was used). */
  touch(id: string, rec: SessionRecord): void | Promise<void>;
  delete(id: string): void | Promise<void>;
  /** Expired sessions still stored (not yet swept). */
  expired(now: number): [string, SessionRecord][] | Promise<[string, SessionRecord][]>;
  /** Removes expired sessions; returns how many. */
  sweep(now: number): number | Promise<number>;
  size(): number | Promise<number>;
  close(): void;
}

/** Sessions in this process's memory: bounded (the oldest sessions go first) and swept. */
export class MemorySessionStore implements SessionStore {
  readonly kind = "memory" as const;
  private readonly map = new Map<string, SessionRecord>();
  constructor(readonly maxSessions: number = DEFAULT_MAX_SESSIONS) {}
  get(id: string): SessionRecord | undefined {
    return this.map.get(id);
  }
  put(id: string, rec: SessionRecord): void {
    if (!this.map.has(id) && this.map.size >= this.maxSessions) {
      this.sweep(Date.now());
      // Still full: drop the oldest sessions (insertion order) to stay within the bound.
      while (this.map.size >= this.maxSessions) {
        const first = this.map.keys().next();
        if (first.done) break;
        this.map.delete(first.value);
      }
    }
    this.map.set(id, rec);
  }
  update(id: string, rec: SessionRecord): boolean {
    const cur = this.map.get(id);
    if (cur === undefined) return false;
    if (cur !== rec) this.map.set(id, rec);
    return true;
  }
  touch(): void {}
  delete(id: string): void {
    this.map.delete(id);
  }
  expired(now: number): [string, SessionRecord][] {
    const out: [string, SessionRecord][] = [];
    for (const e of this.map) if (e[1].expiresAt <= now) out.push(e);
    return out;
  }
  sweep(now: number): number {
    let n = 0;
    for (const [id, rec] of this.map) {
      if (rec.expiresAt <= now) {
        this.map.delete(id);
        n++;
      }
    }
    return n;
  }
  size(): number {
    return this.map.size;
  }
  close(): void {
    this.map.clear();
  }
}

/** A database's table name for sessions (created if missing). */
export const SESSION_TABLE = "wfl_sessions";

/**
 * Sessions in a table of a SQLite or PostgreSQL database (`configure sessions … and storage
 * "database" using db`): every server process using the same database shares them. Values are
 * kept as JSON (text, numbers, yes/no, nothing, lists and maps).
 */
export class DatabaseSessionStore implements SessionStore {
  readonly kind = "database" as const;
  private constructor(private readonly dbv: Value) {}

  static async open(dbv: Value): Promise<DatabaseSessionStore> {
    try {
      await db.executeQuery(dbv,
        `CREATE TABLE IF NOT EXISTS ${SESSION_TABLE} (id TEXT PRIMARY KEY, data TEXT NOT NULL, csrf_token TEXT, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)`, null);
    } catch (e) {
      // Two processes starting at once: PostgreSQL may refuse the second CREATE TABLE IF NOT EXISTS
      // (a duplicate type) while the first makes the table. The table being there is what counts.
      try {
        await db.executeQuery(dbv, `SELECT id FROM ${SESSION_TABLE} WHERE 1 = 0`, null);
      } catch {
        throw e;
      }
    }
    return new DatabaseSessionStore(dbv);
  }

  private async run(sql: string, params: Value[]): Promise<Value> {
    return await db.executeQuery(this.dbv, sql, params);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const rows = await this.run(`SELECT data, csrf_token, created_at, expires_at FROM ${SESSION_TABLE} WHERE id = $1`, [id]);
    const row = Array.isArray(rows) ? rows[0] : undefined;
    if (!(row instanceof WflObject)) return undefined;
    return recordOf(row);
  }

  async put(id: string, rec: SessionRecord): Promise<void> {
    await this.run(
      `INSERT INTO ${SESSION_TABLE} (id, data, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) ` +
      `ON CONFLICT (id) DO UPDATE SET data = excluded.data, csrf_token = excluded.csrf_token, expires_at = excluded.expires_at`,
      [id, dataText(rec.data), rec.csrf, rec.createdAt, rec.expiresAt],
    );
  }

  async update(id: string, rec: SessionRecord): Promise<boolean> {
    const n = await this.run(`UPDATE ${SESSION_TABLE} SET data = $1, csrf_token = $2 WHERE id = $3`, [dataText(rec.data), rec.csrf, id]);
    return typeof n === "number" && n > 0;
  }

  async touch(id: string, rec: SessionRecord): Promise<void> {
    await this.run(`UPDATE ${SESSION_TABLE} SET expires_at = $1 WHERE id = $2`, [rec.expiresAt, id]);
  }

  async delete(id: string): Promise<void> {
    await this.run(`DELETE FROM ${SESSION_TABLE} WHERE id = $1`, [id]);
  }

  async expired(now: number): Promise<[string, SessionRecord][]> {
    const rows = await this.run(`SELECT id, data, csrf_token, created_at, expires_at FROM ${SESSION_TABLE} WHERE expires_at <= $1`, [now]);
    const out: [string, SessionRecord][] = [];
    if (Array.isArray(rows)) for (const r of rows) if (r instanceof WflObject) out.push([String(r.get("id")), recordOf(r)]);
    return out;
  }

  async sweep(now: number): Promise<number> {
    const n = await this.run(`DELETE FROM ${SESSION_TABLE} WHERE expires_at <= $1`, [now]);
    return typeof n === "number" ? n : 0;
  }

  async size(): Promise<number> {
    const rows = await this.run(`SELECT COUNT(*) AS n FROM ${SESSION_TABLE}`, []);
    const r = Array.isArray(rows) ? rows[0] : undefined;
    return r instanceof WflObject ? Number(r.get("n")) : 0;
  }

  close(): void {}
}

function dataText(data: WflObject): string {
  try {
    return stringifyJson(data, false);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new WflRuntimeError(`A session kept in a database holds only text, numbers, yes/no, nothing, lists and maps (${why})`, "type");
  }
}

function recordOf(row: WflObject): SessionRecord {
  const parsed = parseJson(String(row.get("data") ?? "{}"));
  const csrf = row.get("csrf_token");
  return {
    data: parsed instanceof WflObject ? parsed : new WflObject(),
    csrf: typeof csrf === "string" && csrf !== "" ? csrf : null,
    createdAt: Number(row.get("created_at")),
    expiresAt: Number(row.get("expires_at")),
  };
}

/**
 * A session as a program holds it: a map with its `id` (so `id of s` works), bound to its server's
 * manager and its stored record (values are read with `get session value`, not from the map).
 */
export class SessionValue extends WflObject {
  destroyed = false;
  constructor(readonly manager: SessionManager, readonly sid: string, public rec: SessionRecord) {
    super();
    this.set("id", sid);
  }
}

export function sessionOf(v: Value, what: string): SessionValue {
  if (v instanceof SessionValue) return v;
  throw new WflRuntimeError(`${what} needs a session (from 'create session for req' or 'get session from req'), got ${v === null ? "nothing" : formatValue(v)}`, "type");
}

/** What a server's sessions do: configured by `configure sessions`, `enable csrf protection`, …. */
export class SessionManager implements Middleware {
  readonly name = "sessions";
  timeoutMs = DEFAULT_TIMEOUT_MS;
  store: SessionStore;
  csrfProtection = false;
  secureCookies = false;
  totalCreated = 0;
  expiredCount = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly maxSessions: number = DEFAULT_MAX_SESSIONS) {
    this.store = new MemorySessionStore(maxSessions);
    this.schedule();
  }

  /**
   * Expired sessions are swept every timeout, but at most once every 5 seconds and at least once a
   * minute (a full memory store also sweeps before it takes a new session).
   */
  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    const every = Math.max(5000, Math.min(60_000, Math.floor(this.timeoutMs)));
    this.timer = setInterval(() => {
      void (async () => {
        try {
          this.expiredCount += await this.store.sweep(Date.now());
        } catch {
          // A database that is gone: the next sweep tries again; requests report their own errors.
        }
      })();
    }, every);
    this.timer.unref();
  }

  configure(timeoutMs: number | null, store: SessionStore | null): void {
    if (timeoutMs !== null) this.timeoutMs = timeoutMs;
    if (store !== null) {
      this.store.close();
      this.store = store;
    }
    this.schedule();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.store.close();
  }

  async create(): Promise<SessionValue> {
    const id = randomToken();
    const now = Date.now();
    const rec: SessionRecord = { data: new WflObject(), csrf: null, createdAt: now, expiresAt: now + this.timeoutMs };
    await this.store.put(id, rec);
    this.totalCreated++;
    return new SessionValue(this, id, rec);
  }

  /** The session the request's cookie names, or null (no cookie; unknown, destroyed or expired). */
  async fromRequest(request: WflObject): Promise<SessionValue | null> {
    const id = cookieId(request);
    if (id === null) return null;
    const rec = await this.store.get(id);
    const now = Date.now();
    if (!rec) return null;
    if (rec.expiresAt <= now) return null;
    rec.expiresAt = now + this.timeoutMs;
    await this.store.touch(id, rec);
    return new SessionValue(this, id, rec);
  }

  /**
   * Writes the session's values. A session destroyed meanwhile (by another request or process) is
   * not brought back: the write is dropped and the session counts as destroyed.
   */
  async save(s: SessionValue): Promise<void> {
    if (!(await this.store.update(s.sid, s.rec))) s.destroyed = true;
  }

  async destroy(s: SessionValue): Promise<void> {
    s.destroyed = true;
    await this.store.delete(s.sid);
  }

  async expired(): Promise<SessionValue[]> {
    return (await this.store.expired(Date.now())).map(([id, rec]) => new SessionValue(this, id, rec));
  }

  async statistics(): Promise<WflObject> {
    const o = new WflObject();
    o.set("active_sessions", await this.store.size());
    o.set("total_created", this.totalCreated);
    o.set("expired_count", this.expiredCount);
    o.set("storage_type", this.store.kind);
    o.set("timeout", this.timeoutMs);
    o.set("csrf_protection", this.csrfProtection);
    o.set("secure_cookies", this.secureCookies);
    return o;
  }

  // ── middleware ─────────────────────────────────────────────────────────

  /** CSRF: answered here when the store answers at once (memory); a database store waits (below). */
  onRequest(ex: Exchange): boolean {
    if (!this.needsCsrfCheck(ex)) {
      ex.locals.set(LOCAL_CHECKED, true);
      return false;
    }
    if (this.store.kind !== "memory") return false;
    const id = cookieId(ex.request);
    const rec = id === null ? undefined : (this.store.get(id) as SessionRecord | undefined);
    ex.locals.set(LOCAL_CHECKED, true);
    return this.refuseUnlessValid(ex, rec);
  }

  /** The same check for a database store (the server calls this after `onRequest`, and waits). */
  async onRequestAsync(ex: Exchange): Promise<boolean> {
    if (ex.locals.get(LOCAL_CHECKED) === true) return false;
    const id = cookieId(ex.request);
    const rec = id === null ? undefined : await this.store.get(id);
    ex.locals.set(LOCAL_CHECKED, true);
    return this.refuseUnlessValid(ex, rec);
  }

  onHeaders(ex: Exchange | null, _status: number, headers: HeaderMap): void {
    const cookie = ex?.locals.get(LOCAL_COOKIE);
    if (typeof cookie !== "string") return;
    const key = Object.keys(headers).find((k) => k.toLowerCase() === "set-cookie");
    if (key === undefined) headers["Set-Cookie"] = cookie;
    else {
      const prev = headers[key]!;
      headers[key] = [...(Array.isArray(prev) ? prev : [prev]), cookie];
    }
  }

  private needsCsrfCheck(ex: Exchange): boolean {
    return this.csrfProtection && UNSAFE_METHODS.has((ex.req.method ?? "GET").toUpperCase());
  }

  /** Answers 403 (and returns true) when the session holds a CSRF token the request does not carry. */
  private refuseUnlessValid(ex: Exchange, rec: SessionRecord | undefined): boolean {
    if (!rec || rec.expiresAt <= Date.now() || rec.csrf === null) return false;
    const given = csrfTokenOf(ex.request);
    if (given !== null && tokensEqual(given, rec.csrf)) return false;
    answer(ex, 403, "CSRF token missing or invalid\n");
    return true;
  }

  /** Whether the CSRF check still has to run for this request (a server that did not call the hooks). */
  unchecked(request: WflObject): Exchange | null {
    const ex = exchangeOf(request);
    if (!ex || ex.locals.get(LOCAL_CHECKED) === true) return null;
    return this.needsCsrfCheck(ex) ? ex : null;
  }

  // ── cookies ────────────────────────────────────────────────────────────

  private flags(ex: Exchange): string {
    return `; Path=/; HttpOnly; SameSite=Lax${this.secureCookies || ex.secure ? "; Secure" : ""}`;
  }

  /** `respond … and set session s`: the response carries the session's cookie. */
  markSet(request: Value, s: SessionValue): void {
    const ex = exchangeOrFail(request);
    if (s.destroyed) throw new WflRuntimeError("This session has been destroyed; create a new one to set it", "general");
    ex.locals.set(LOCAL_COOKIE, `${SESSION_COOKIE}=${s.sid}${this.flags(ex)}`);
  }

  /** `respond … and clear session`: the response carries an expired cookie. */
  markClear(request: Value): void {
    const ex = exchangeOrFail(request);
    ex.locals.set(LOCAL_COOKIE, `${SESSION_COOKIE}=${this.flags(ex)}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`);
  }
}

function exchangeOrFail(request: Value): Exchange {
  const ex = exchangeOf(request);
  if (!ex) throw new WflRuntimeError("respond … and set session / and clear session need a request from 'wait for request … as name'", "type");
  return ex;
}

/** The session id the request's cookie names, if any. */
function cookieId(request: WflObject): string | null {
  const headers = request.get("headers");
  const raw = headers instanceof WflObject ? headers.get("cookie") : undefined;
  if (typeof raw !== "string" || raw === "") return null;
  const v = parseCookies(raw).get(SESSION_COOKIE);
  return typeof v === "string" && v !== "" ? v : null;
}

/** The CSRF token a request carries: the `X-CSRF-Token` header, or a `csrf_token` form field. */
function csrfTokenOf(request: WflObject): string | null {
  const headers = request.get("headers");
  const h = headers instanceof WflObject ? headers.get("x-csrf-token") : undefined;
  if (typeof h === "string" && h !== "") return h;
  const ct = headers instanceof WflObject ? headers.get("content-type") : undefined;
  const ctype = typeof ct === "string" ? ct : "";
  if (/^\s*application\/x-www-form-urlencoded\b/i.test(ctype)) {
    const body = request.get("body");
    const v = parseQueryString(typeof body === "string" ? body : "").get("csrf_token");
    return typeof v === "string" && v !== "" ? v : null;
  }
  if (isMultipart(ctype)) {
    const form = multipartFormOf(request);
    const v = form?.get("csrf_token");
    return typeof v === "string" && v !== "" ? v : null;
  }
  return null;
}

/** The multipart form a request carried (parsed while it arrived), or null. */
function multipartFormOf(request: WflObject): MultipartForm | null {
  try {
    return multipartOf(request);
  } catch {
    return null; // not a form, or a malformed one: no token
  }
}

/** Answers a request from middleware (through the server's one writer: every middleware's headers). */
export function answer(ex: Exchange, status: number, text: string): void {
  sendWhole(ex, status, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" }, text);
}

// ── servers ────────────────────────────────────────────────────────────────

/** A server's session manager: among its middlewares. */
export function managerOf(middleware: readonly Middleware[]): SessionManager | undefined {
  for (const m of middleware) if (m instanceof SessionManager) return m;
  return undefined;
}

/** The session manager of the server a request arrived on. */
export function managerOfRequest(request: Value, what: string): SessionManager {
  const ex = exchangeOf(request);
  if (!ex) throw new WflRuntimeError(`${what} needs a request from 'wait for request … as name'`, "type");
  const m = managerOf(ex.middleware);
  if (!m) throw new WflRuntimeError("Sessions are not enabled on this server: listen with 'listen on port … as server with sessions enabled'", "general");
  return m;
}

/** `get session from req`: the session, or nothing; refuses an unchecked unsafe request without its token. */
export async function sessionFromRequest(request: Value): Promise<SessionValue | null> {
  const m = managerOfRequest(request, "get session from");
  const r = request as WflObject;
  const ex = m.unchecked(r);
  if (ex && await m.onRequestAsync(ex)) {
    throw new WflRuntimeError("The request was refused with 403: its CSRF token is missing or invalid", "general");
  }
  return m.fromRequest(r);
}

/** A session's value for `key` (nothing when it has none, or when the session was destroyed). */
export function sessionValue(s: SessionValue, key: string): Value {
  if (s.destroyed) return null;
  return s.rec.data.get(key) ?? null;
}

export async function setSessionValue(s: SessionValue, key: string, v: Value): Promise<void> {
  if (s.destroyed) throw new WflRuntimeError("This session has been destroyed; its values cannot be set", "general");
  s.rec.data.set(key, v);
  await s.manager.save(s);
}

/** `generate csrf token for s`: the session's CSRF token (made on first use, then the same). */
export async function csrfToken(s: SessionValue): Promise<string> {
  if (s.destroyed) throw new WflRuntimeError("This session has been destroyed; it has no CSRF token", "general");
  if (s.rec.csrf === null) {
    s.rec.csrf = randomToken();
    await s.manager.save(s);
  }
  return s.rec.csrf;
}

/** Options given by `configure sessions on S with …`. */
export async function storeFor(kind: Value, database: Value | null, maxSessions: number): Promise<SessionStore> {
  const k = typeof kind === "string" ? kind.toLowerCase() : kind;
  if (k === "memory") {
    if (database !== null) throw new WflRuntimeError("Storage \"memory\" takes no database; use storage \"database\" using db", "general");
    return new MemorySessionStore(maxSessions);
  }
  if (k === "database") {
    if (database === null) throw new WflRuntimeError("Storage \"database\" needs a database: … and storage \"database\" using db", "general");
    return DatabaseSessionStore.open(database);
  }
  throw new WflRuntimeError(`Session storage must be "memory" or "database", got ${formatValue(kind)}`, "general");
}

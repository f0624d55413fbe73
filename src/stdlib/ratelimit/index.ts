// Rate limiting (seed 003, section 3.8): sliding-window limiters, in memory or in a database shared
// by several processes.
//
// Decided here (see Docs/ratelimit.md):
// - A sliding log: a request is allowed when fewer than `limit` requests of the same key were
//   allowed within the last window (now − window, now]; an allowed request is counted, a refused one
//   is not. `remaining requests` is limit − (requests counted in the window).
// - Memory limiters keep keys in order of their last counted request, so the expired ones (no
//   request in the last window) are at the front: every check prunes a few of them, and a timer
//   (every window, at most every minute) prunes the rest. At most `max keys` keys are tracked
//   (default 1,000,000): past that, the key whose last request is oldest is forgotten.
// - A key holding one request in the window is stored as one number (the common case of a flood of
//   distinct keys); more requests, as a list of times.
// - Database limiters keep one row per counted request in the table `wfl_rate_limit_hits`, and do
//   each check in one transaction: SQLite `BEGIN IMMEDIATE` (one writer at a time across
//   processes), PostgreSQL a transaction holding an advisory lock on the (limiter, key) pair, with
//   the server's clock. Expired rows are deleted as checks go (the key's own at every check, the
//   limiter's others at most once a window).
import { WflObject, WflOpaque, type Value } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import type { RunResources } from "../../runtime/lifetime.js";
import * as database from "../database/index.js";

export const UNITS: Record<string, number> = {
  second: 1000, seconds: 1000, minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000,
};
export const DEFAULT_MAX_KEYS = 1_000_000;
/** Keys longer than this are refused (a key is an IP address, a user name, …). */
export const MAX_KEY_LENGTH = 1024;
/** Expired keys pruned by one check at most (the timer prunes the rest). */
const PRUNE_PER_CHECK = 64;

function fail(message: string): WflRuntimeError {
  return new WflRuntimeError(message, "general");
}

/** What every limiter answers. Times are milliseconds. */
export interface State {
  /** Requests counted in the window. */
  count: number;
  /** How long until the oldest counted request leaves the window (0 when none is counted). */
  resetMs: number;
}

export abstract class Limiter {
  constructor(readonly limit: number, readonly windowMs: number, readonly unit: string, readonly label: string) {}
  abstract check(key: string): boolean | Promise<boolean>;
  abstract state(key: string): State | Promise<State>;
  abstract reset(key: string): void | Promise<void>;
}

/** Times of one key's counted requests, oldest first (`times[head..]` are live). */
class Hits {
  head = 0;
  constructor(public times: number[]) {}
  get size(): number { return this.times.length - this.head; }
  get oldest(): number { return this.times[this.head]!; }
  get newest(): number { return this.times[this.times.length - 1]!; }
  /** Drop the times at or before `cutoff`. */
  drop(cutoff: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) this.head++;
    if (this.head > 32 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

/** Monotonic milliseconds (immune to changes of the wall clock). */
const monotonic = (): number => performance.now();

export class MemoryLimiter extends Limiter {
  /** Key → its counted requests in the window (one request: its time, as a number). */
  readonly keys = new Map<string, number | Hits>();
  /**
   * Every counted request, oldest first (`queueKeys[head..]`, `queueTimes[head..]`): the order in
   * which keys can expire, so pruning and evicting never search. An entry is stale when its key
   * has been counted again since (its newest time is later) or reset.
   */
  private queueKeys: string[] = [];
  private queueTimes: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(limit: number, windowMs: number, unit: string, label: string, readonly maxKeys: number, private readonly owner: RunResources | null, private readonly now: () => number = monotonic) {
    super(limit, windowMs, unit, label);
  }

  /**
   * The pruning timer runs only while requests are counted (every window, at most every minute;
   * it never keeps the program alive), and the run closes a limiter only while it runs: an idle
   * limiter holds nothing.
   */
  private startTimer(): void {
    if (this.timer) return;
    const every = Math.max(1000, Math.min(this.windowMs, 60_000));
    this.timer = setInterval(() => this.prune(Infinity), every);
    this.timer.unref();
    this.owner?.add(this);
  }

  private stopTimer(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.owner?.delete(this);
  }

  close(): void {
    this.stopTimer();
    this.keys.clear();
    this.queueKeys = [];
    this.queueTimes = [];
    this.head = 0;
  }

  /** Requests counted and not yet pruned (tests and measurements). */
  get queued(): number {
    return this.queueKeys.length - this.head;
  }

  private newestOf(key: string): number | undefined {
    const v = this.keys.get(key);
    return v === undefined ? undefined : typeof v === "number" ? v : v.newest;
  }

  /** Takes the oldest queue entry off; forgets its key when that was the key's newest request. */
  private popOldest(): void {
    const key = this.queueKeys[this.head]!;
    const t = this.queueTimes[this.head]!;
    this.queueKeys[this.head] = "";
    this.head++;
    if (this.newestOf(key) === t) this.keys.delete(key);
    if (this.head > 1024 && this.head * 2 > this.queueKeys.length) {
      this.queueKeys = this.queueKeys.slice(this.head);
      this.queueTimes = this.queueTimes.slice(this.head);
      this.head = 0;
    }
  }

  /** Forgets keys with no request in the window, taking at most `max` queue entries. */
  prune(max: number, t = this.now()): number {
    const cutoff = t - this.windowMs;
    let n = 0;
    while (n < max && this.head < this.queueKeys.length && this.queueTimes[this.head]! <= cutoff) {
      this.popOldest();
      n++;
    }
    if (this.head === this.queueKeys.length) {
      if (this.head > 0) {
        this.queueKeys = [];
        this.queueTimes = [];
        this.head = 0;
      }
      this.stopTimer();
    }
    return n;
  }

  check(key: string): boolean {
    const t = this.now();
    this.prune(PRUNE_PER_CHECK, t);
    const cutoff = t - this.windowMs;
    const v = this.keys.get(key);
    if (v === undefined || (typeof v === "number" && v <= cutoff)) {
      if (this.limit < 1) return false;
      this.keys.set(key, t);
      this.enqueue(key, t);
      // Past the cap: forget keys in order of their newest request, oldest first.
      while (this.keys.size > this.maxKeys && this.head < this.queueKeys.length) this.popOldest();
      return true;
    }
    let hits: Hits;
    if (typeof v === "number") {
      if (this.limit <= 1) return false;
      hits = new Hits([v]);
      this.keys.set(key, hits);
    } else {
      hits = v;
      hits.drop(cutoff);
      if (hits.size >= this.limit) return false;
    }
    hits.times.push(t);
    this.enqueue(key, t);
    return true;
  }

  private enqueue(key: string, t: number): void {
    this.queueKeys.push(key);
    this.queueTimes.push(t);
    this.startTimer();
  }

  state(key: string): State {
    const t = this.now();
    const cutoff = t - this.windowMs;
    const v = this.keys.get(key);
    if (v === undefined) return { count: 0, resetMs: 0 };
    if (typeof v === "number") return v <= cutoff ? { count: 0, resetMs: 0 } : { count: 1, resetMs: v + this.windowMs - t };
    v.drop(cutoff);
    if (v.size === 0) return { count: 0, resetMs: 0 };
    return { count: v.size, resetMs: v.oldest + this.windowMs - t };
  }

  reset(key: string): void {
    // Its queue entries become stale (the key is gone) and are skipped as they come up.
    this.keys.delete(key);
  }
}

const TABLE = "wfl_rate_limit_hits";

export class DatabaseLimiter extends Limiter {
  private lastSweep = 0;
  constructor(limit: number, windowMs: number, unit: string, label: string, readonly dbv: Value) {
    super(limit, windowMs, unit, label);
  }

  /** Makes the table (once per database, idempotent across processes). */
  async setup(): Promise<void> {
    const e = database.engineOf(this.dbv);
    if (e.kind === "sqlite") {
      try {
        e.db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (limiter TEXT NOT NULL, rl_key TEXT NOT NULL, hit_at INTEGER NOT NULL);
          CREATE INDEX IF NOT EXISTS ${TABLE}_by_key ON ${TABLE} (limiter, rl_key, hit_at);`);
      } catch (err) {
        throw fail(`Cannot make the rate-limit table in ${e.url}: ${database.messageOf(err)}`);
      }
      return;
    }
    const client = await this.pgClient(e.db);
    try {
      // Two processes starting together: the advisory lock makes the second wait for the first.
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext('wfl_rate_limit_hits'))");
      await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (limiter TEXT NOT NULL, rl_key TEXT NOT NULL, hit_at BIGINT NOT NULL)`);
      await client.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_by_key ON ${TABLE} (limiter, rl_key, hit_at)`);
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw e.db.error(`cannot make the rate-limit table: ${database.messageOf(err)}`);
    } finally {
      client.release();
    }
  }

  private async pgClient(d: import("../database/postgres.js").PgDatabase): Promise<import("pg").PoolClient> {
    try {
      return await d.pool.connect();
    } catch (err) {
      throw d.error(database.messageOf(err));
    }
  }

  /**
   * Runs `body` in one transaction with the key locked. `body` is a generator that yields SQL (with
   * `?` placeholders) and receives its rows, so the same steps run synchronously on SQLite (inside
   * `BEGIN IMMEDIATE`) and asynchronously on PostgreSQL. `t` is the time now, in milliseconds.
   */
  private async atomically<T>(key: string, body: (t: number) => Generator<Sql, T, Rows>): Promise<T> {
    const e = database.engineOf(this.dbv);
    if (e.kind === "sqlite") {
      const db = e.db;
      const run = db.transaction((): T => {
        const g = body(Date.now());
        let step = g.next();
        while (!step.done) {
          const stmt = db.prepare(step.value.sql);
          const rows = stmt.reader ? (stmt.all(...step.value.args) as Rows) : (stmt.run(...step.value.args), []);
          step = g.next(rows);
        }
        return step.value;
      });
      try {
        return run.immediate();
      } catch (err) {
        if (err instanceof WflRuntimeError) throw err;
        throw fail(`SQL error in the rate limiter on ${e.url}: ${database.messageOf(err)}`);
      }
    }
    const client = await this.pgClient(e.db);
    try {
      await client.query("BEGIN");
      const lock = await client.query("SELECT pg_advisory_xact_lock(hashtext($1)), floor(extract(epoch from clock_timestamp()) * 1000)::bigint AS now", [JSON.stringify([this.label, key])]);
      const g = body(Number((lock.rows[0] as { now: string }).now));
      let step = g.next();
      while (!step.done) {
        let n = 0;
        const rows = (await client.query(step.value.sql.replace(/\?/g, () => `$${++n}`), step.value.args)).rows as Rows;
        step = g.next(rows);
      }
      await client.query("COMMIT");
      return step.value;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      if (err instanceof WflRuntimeError) throw err;
      throw e.db.error(database.messageOf(err));
    } finally {
      client.release();
    }
  }

  check(key: string): Promise<boolean> {
    const self = this;
    return this.atomically(key, function* (t) {
      const cutoff = t - self.windowMs;
      if (t - self.lastSweep >= Math.min(self.windowMs, 60_000)) {
        self.lastSweep = t;
        yield { sql: `DELETE FROM ${TABLE} WHERE limiter = ? AND hit_at <= ?`, args: [self.label, cutoff] };
      } else {
        yield { sql: `DELETE FROM ${TABLE} WHERE limiter = ? AND rl_key = ? AND hit_at <= ?`, args: [self.label, key, cutoff] };
      }
      const rows = yield { sql: `SELECT COUNT(*) AS n FROM ${TABLE} WHERE limiter = ? AND rl_key = ?`, args: [self.label, key] };
      if (Number(rows[0]!.n) >= self.limit) return false;
      yield { sql: `INSERT INTO ${TABLE} (limiter, rl_key, hit_at) VALUES (?, ?, ?)`, args: [self.label, key, t] };
      return true;
    });
  }

  state(key: string): Promise<State> {
    const self = this;
    return this.atomically(key, function* (t) {
      const rows = yield { sql: `SELECT COUNT(*) AS n, MIN(hit_at) AS oldest FROM ${TABLE} WHERE limiter = ? AND rl_key = ? AND hit_at > ?`, args: [self.label, key, t - self.windowMs] };
      const n = Number(rows[0]!.n);
      return n === 0 ? { count: 0, resetMs: 0 } : { count: n, resetMs: Number(rows[0]!.oldest) + self.windowMs - t };
    });
  }

  async reset(key: string): Promise<void> {
    const self = this;
    await this.atomically(key, function* () {
      yield { sql: `DELETE FROM ${TABLE} WHERE limiter = ? AND rl_key = ?`, args: [self.label, key] };
    });
  }
}

type Sql = { sql: string; args: unknown[] };
type Rows = Record<string, unknown>[];

function positiveInteger(v: Value, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > Number.MAX_SAFE_INTEGER) {
    throw new WflRuntimeError(`${what} must be a whole number of at least 1, got ${formatValue(v)}`, "type");
  }
  return v;
}

/** `create rate limiter with limit N per UNIT [and max keys M] [using database DB] [called NAME]`. */
export async function createLimiter(limitV: Value, unitV: Value, maxKeysV: Value | undefined, dbv: Value | undefined, labelV: Value | undefined, owner: RunResources): Promise<Value> {
  const limit = positiveInteger(limitV, "The limit of a rate limiter");
  const unit = typeof unitV === "string" ? unitV.trim().toLowerCase() : "";
  const windowMs = UNITS[unit];
  if (windowMs === undefined) throw fail(`A rate limiter counts per "second", "minute", "hour" or "day", not ${formatValue(unitV)}`);
  const singular = unit.endsWith("s") ? unit.slice(0, -1) : unit;
  const label = labelV === undefined ? `${limit} per ${singular}` : formatValue(labelV);
  if (dbv !== undefined) {
    if (maxKeysV !== undefined) throw fail("'max keys' is for rate limiters in memory; a database limiter deletes expired rows instead");
    const l = new DatabaseLimiter(limit, windowMs, singular, label, dbv);
    await l.setup();
    return new WflOpaque("RateLimiter", `[RateLimiter: ${limit} per ${singular}, in ${describeDb(dbv)}${labelV === undefined ? "" : `, called ${label}`}]`, l);
  }
  const maxKeys = maxKeysV === undefined ? DEFAULT_MAX_KEYS : positiveInteger(maxKeysV, "'max keys' of a rate limiter");
  const l = new MemoryLimiter(limit, windowMs, singular, label, maxKeys, owner);
  return new WflOpaque("RateLimiter", `[RateLimiter: ${limit} per ${singular}${labelV === undefined ? "" : `, called ${label}`}]`, l);
}

function describeDb(dbv: Value): string {
  const e = database.engineOf(dbv);
  return e.kind === "sqlite" ? e.url : e.db.url;
}

function limiterOf(v: Value): Limiter {
  if (v instanceof WflOpaque && v.handle instanceof Limiter) return v.handle;
  throw new WflRuntimeError(`Expected a rate limiter (from 'create rate limiter with limit N per "minute"'), got ${formatValue(v)}`, "type");
}

function keyOf(v: Value): string {
  if (v === null) throw new WflRuntimeError("A rate-limit key cannot be nothing (use the client's address, a user name, …)", "type");
  const k = typeof v === "string" ? v : typeof v === "number" ? formatValue(v) : null;
  if (k === null) throw new WflRuntimeError(`A rate-limit key must be text or a number, got ${formatValue(v)}`, "type");
  if (k.length > MAX_KEY_LENGTH) throw fail(`A rate-limit key is longer than ${MAX_KEY_LENGTH} characters`);
  return k;
}

export function check(lv: Value, kv: Value): Promise<Value> | Value {
  return limiterOf(lv).check(keyOf(kv));
}

export async function remaining(lv: Value, kv: Value): Promise<Value> {
  const l = limiterOf(lv);
  const s = await l.state(keyOf(kv));
  return Math.max(0, l.limit - s.count);
}

export async function reset(lv: Value, kv: Value): Promise<void> {
  await limiterOf(lv).reset(keyOf(kv));
}

/**
 * `rate limit headers on L for K`: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`
 * (seconds until the oldest counted request leaves the window), and `Retry-After` (the same, at
 * least 1) when no request is left.
 */
export async function headers(lv: Value, kv: Value): Promise<Value> {
  const l = limiterOf(lv);
  const s = await l.state(keyOf(kv));
  const left = Math.max(0, l.limit - s.count);
  const resetS = Math.max(0, Math.ceil(s.resetMs / 1000));
  const o = new WflObject([
    ["RateLimit-Limit", String(l.limit)],
    ["RateLimit-Remaining", String(left)],
    ["RateLimit-Reset", String(resetS)],
  ]);
  if (left === 0) o.set("Retry-After", String(Math.max(1, resetS)));
  return o;
}

// PostgreSQL through `pg` (node-postgres): one pool per `connect to database at "postgres://…"`.
// Every call is asynchronous (the event loop keeps running while a query waits), so the statements
// that reach a database are waiting statements (src/features/database/nodes.ts `databaseWaits`).
//
// Decided here (see Docs/databases.md):
// - The pool is checked at connect time (one connection is made and given back), so a wrong host,
//   user or password is an error at the `connect` line.
// - Placeholders are the same as for SQLite: `$1` goes to PostgreSQL as it is; `?` and `:name` are
//   renumbered to `$n` (outside strings, quoted names and comments; `x::int` is a cast).
// - Every statement goes through the extended protocol (`queryMode: "extended"`), which refuses
//   several statements in one text, so parameters can never smuggle a second statement in.
// - Values read back: int2/int4/float/numeric are numbers, int8 is a number within ±(2^53 − 1) and
//   its exact digits (text) beyond, booleans are yes/no, bytea is binary, everything else (dates,
//   json, uuid, …) is its PostgreSQL text.
// - Errors name the database by its URL with the password replaced by `****`.
import type * as Pg from "pg";
import { WflObject, WflOpaque, WflDate, WflTime, WflDateTime, typeName, type Value } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import { requirePackage } from "../../runtime/packages.js";
import type { RunResources } from "../../runtime/lifetime.js";
import { assignParams, dbError, messageOf, toValue } from "./index.js";

type PgModule = typeof Pg;

/** The URL with its password (if any) replaced by `****`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:)([^@/?#]*)@/i, "$1****@");
}

export class PgTransaction {
  done = false;
  constructor(readonly db: PgDatabase, readonly client: Pg.PoolClient) {}
}

export class PgDatabase {
  closed = false;
  /** The connection of an `in transaction on db:` block while it runs: the db's statements use it. */
  blockClient: Pg.PoolClient | null = null;
  /** Transactions begun with `begin transaction on db as tx` and not yet ended. */
  readonly open = new Set<PgTransaction>();
  constructor(readonly pool: Pg.Pool, readonly url: string, readonly owner: RunResources) {}

  /** The run ended (or failed): give up open transactions (PostgreSQL rolls them back) and end the pool. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const tx of this.open) {
      tx.done = true;
      tx.client.release(true);
    }
    this.open.clear();
    if (this.blockClient) {
      this.blockClient.release(true);
      this.blockClient = null;
    }
    this.pool.end().catch(() => {});
    this.owner.delete(this);
  }

  /** `close database db`: roll back what is still open, then wait for the pool to end. */
  async closeCleanly(): Promise<void> {
    if (this.closed) return;
    if (this.blockClient) {
      throw dbError("A database cannot be closed inside its own transaction; close it after 'end transaction'");
    }
    for (const tx of [...this.open]) {
      tx.done = true;
      this.open.delete(tx);
      try {
        await tx.client.query("ROLLBACK");
        tx.client.release();
      } catch {
        tx.client.release(true);
      }
    }
    this.closed = true;
    this.owner.delete(this);
    await this.pool.end();
  }

  /** A WFL error about this database, naming it (password redacted) and, if given, the statement. */
  error(message: string, sql?: string): WflRuntimeError {
    const clean = this.scrub(message);
    const where = sql === undefined ? "" : ` in the statement: ${oneLine(sql)}`;
    return dbError(`PostgreSQL error on ${this.url}: ${clean}${where}`);
  }

  /** Never let the password through, even if a driver message repeats it. */
  scrub(message: string): string {
    return this.password ? message.split(this.password).join("****") : message;
  }
  password = "";
}

function oneLine(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

let pgModule: PgModule | null = null;
function loadPg(): PgModule {
  if (pgModule) return pgModule;
  try {
    pgModule = requirePackage<PgModule>("pg");
  } catch (e) {
    throw dbError(`PostgreSQL is not available (the pg package could not be loaded: ${messageOf(e)})`);
  }
  return pgModule;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** How column values are read (text format): see the header. */
function typeParsers(pg: PgModule): Pg.CustomTypesConfig {
  const bytea = pg.types.getTypeParser(17, "text");
  const exactInt = (s: string): Value => {
    const b = BigInt(s);
    return b <= MAX_SAFE && b >= -MAX_SAFE ? Number(b) : s;
  };
  return {
    getTypeParser: ((oid: number, format?: string) => {
      if (format === "binary") return pg.types.getTypeParser(oid, "binary");
      switch (oid) {
        case 16: return (s: string) => s === "t";
        case 20: return exactInt;
        case 21: case 23: case 26: case 700: case 701: case 1700: return (s: string) => Number(s);
        case 17: return bytea;
        default: return (s: string) => s;
      }
    }) as Pg.CustomTypesConfig["getTypeParser"],
  };
}

/** `connect to database at "postgres://…" as db`: a pool, checked by making one connection. */
export async function openPostgres(url: string, owner: RunResources): Promise<Value> {
  const pg = loadPg();
  const shown = redactUrl(url);
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    throw dbError(`'${shown}' is not a valid PostgreSQL URL (expected postgres://user:password@host:port/database)`);
  }
  const pool = new pg.Pool({ connectionString: url, max: 10, application_name: "wfl", idleTimeoutMillis: 10_000, connectionTimeoutMillis: 10_000, types: typeParsers(pg) });
  const d = new PgDatabase(pool, shown, owner);
  d.password = password;
  // An idle connection that breaks (the server restarts) must not crash the process.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (e) {
    pool.end().catch(() => {});
    throw dbError(`Cannot connect to the database at ${shown}: ${d.scrub(messageOf(e))}`);
  }
  owner.add(d);
  return new WflOpaque("Database", `[Database: ${shown}]`, d);
}

/** Transaction control belongs to the transaction statements (checked by the statement's first word). */
const CONTROL = /^(begin|start|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i;

function leadingWord(sql: string): string {
  let s = sql;
  for (;;) {
    const t = s.replace(/^[\s(;]+/, "");
    if (t.startsWith("--")) { const j = t.indexOf("\n"); s = j < 0 ? "" : t.slice(j + 1); continue; }
    if (t.startsWith("/*")) { const j = t.indexOf("*/"); s = j < 0 ? "" : t.slice(j + 2); continue; }
    return t;
  }
}

/** One parameter value as PostgreSQL should see it. */
function pgValue(v: Value, position: string): unknown {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (v instanceof WflDate || v instanceof WflTime || v instanceof WflDateTime) return formatValue(v);
  const kind = Array.isArray(v) ? "a list" : v instanceof WflObject ? "a map" : `a ${typeName(v)}`;
  throw new WflRuntimeError(`SQL parameter ${position} is ${kind}; parameters must be text, numbers, yes/no, nothing, binary or dates`, "type");
}

/** The SQL with `?` and `:name` renumbered to `$n`, and the values in `$n` order. */
export function pgBind(text: string, params: Value): { text: string; values: unknown[] } {
  const { style, marks } = assignParams(text, params);
  if (style === "numbered") {
    const values: unknown[] = [];
    for (const m of marks) values[Number(m.mark.key) - 1] = pgValue(m.value, m.position);
    // `?1` is SQLite's spelling of `$1`.
    let out = "";
    let last = 0;
    for (const m of marks) {
      out += text.slice(last, m.mark.at) + `$${Number(m.mark.key)}`;
      last = m.mark.at + m.mark.text.length;
    }
    return { text: out + text.slice(last), values };
  }
  const values: unknown[] = [];
  const numberOf = new Map<string, number>();
  let out = "";
  let last = 0;
  for (const m of marks) {
    let n: number;
    if (style === "named" && numberOf.has(m.mark.key!)) n = numberOf.get(m.mark.key!)!;
    else {
      values.push(pgValue(m.value, m.position));
      n = values.length;
      if (style === "named") numberOf.set(m.mark.key!, n);
    }
    out += text.slice(last, m.mark.at) + `$${n}`;
    last = m.mark.at + m.mark.text.length;
  }
  return { text: out + text.slice(last), values };
}

export interface PgOutcome {
  rows: WflObject[] | null;
  count: number;
}

/** Run one statement on `db` (or on the connection of `tx`); rows when it returns any columns. */
export async function run(d: PgDatabase, tx: PgTransaction | null, sqlValue: Value, params: Value): Promise<PgOutcome> {
  if (d.closed) throw dbError("This database has been closed");
  if (tx?.done) throw dbError("This transaction has already been committed or rolled back");
  const sql = formatValue(sqlValue);
  if (CONTROL.test(leadingWord(sql))) {
    throw dbError("Use 'in transaction on db:' … 'end transaction' instead of sending BEGIN, COMMIT, ROLLBACK, SAVEPOINT or RELEASE as SQL");
  }
  const bound = pgBind(sql, params);
  const target: Pg.Pool | Pg.PoolClient = tx ? tx.client : d.blockClient ?? d.pool;
  let result: Pg.QueryResult;
  try {
    result = await target.query({ text: bound.text, values: bound.values, queryMode: "extended" } as Pg.QueryConfig);
  } catch (e) {
    throw d.error(messageOf(e), sql);
  }
  if (result.fields && result.fields.length > 0) {
    const rows = result.rows.map((row: Record<string, unknown>) => {
      const o = new WflObject();
      for (const f of result.fields) o.set(f.name, toValue(row[f.name]));
      return o;
    });
    return { rows, count: result.rowCount ?? rows.length };
  }
  return { rows: null, count: result.rowCount ?? 0 };
}

/** `begin transaction on db as tx`: a connection of its own from the pool, with BEGIN sent. */
export async function beginTx(d: PgDatabase): Promise<PgTransaction> {
  if (d.closed) throw dbError("This database has been closed");
  let client: Pg.PoolClient;
  try {
    client = await d.pool.connect();
  } catch (e) {
    throw d.error(messageOf(e));
  }
  try {
    await client.query("BEGIN");
  } catch (e) {
    client.release(true);
    throw d.error(`the transaction could not begin: ${messageOf(e)}`);
  }
  const tx = new PgTransaction(d, client);
  d.open.add(tx);
  return tx;
}

/** `commit transaction tx` / `rollback transaction tx`. A COMMIT that PostgreSQL turns into a ROLLBACK is an error. */
export async function endTx(tx: PgTransaction, commit: boolean): Promise<void> {
  const d = tx.db;
  if (tx.done) throw dbError("This transaction has already been committed or rolled back");
  tx.done = true;
  d.open.delete(tx);
  if (d.closed) throw dbError("The database was closed before the transaction ended, so its changes were discarded");
  let result: Pg.QueryResult;
  try {
    result = await tx.client.query(commit ? "COMMIT" : "ROLLBACK");
  } catch (e) {
    tx.client.release(true); // dropping the connection rolls back whatever is left
    throw d.error(commit ? `the transaction could not be committed and was rolled back: ${messageOf(e)}` : `the transaction could not be rolled back: ${messageOf(e)}`);
  }
  tx.client.release();
  if (commit && result.command === "ROLLBACK") {
    throw dbError("The transaction could not be committed and was rolled back, because a statement in it failed");
  }
}

/** `in transaction on db:` on PostgreSQL: the block's statements on db use one connection. */
export async function beginBlock(d: PgDatabase): Promise<{ commit(): Promise<void>; rollback(): Promise<void> }> {
  if (d.blockClient) throw dbError("This database is already in a transaction; transactions cannot be nested");
  const tx = await beginTx(d);
  d.open.delete(tx);
  d.blockClient = tx.client;
  const finish = async (commit: boolean) => {
    if (d.blockClient === tx.client) d.blockClient = null;
    if (d.closed) {
      tx.done = true;
      throw dbError("The database was closed before the transaction ended, so its changes were discarded");
    }
    d.open.add(tx);
    await endTx(tx, commit);
  };
  return { commit: () => finish(true), rollback: () => finish(false) };
}

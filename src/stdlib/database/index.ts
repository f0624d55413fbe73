// Databases: `open database at "sqlite://file.db" as db`, `query db with SQL [and parameters [..]]`,
// `execute db with SQL [and parameters [..]]`, `in transaction on db:` … `end transaction`,
// `close database db`. SQLite through better-sqlite3 (synchronous, so database code stays
// synchronous too). SQL text is always separate from its values: parameters are bound, never
// spliced into the text.
//
// Semantics decided here (see Docs/databases.md):
// - URLs: `sqlite://path`, `sqlite:path`, `sqlite::memory:`; the only option is `?mode=ro|rw|rwc`.
// - Placeholders: `?` (in order), `$1`/`?1` (numbered, from the list), or `:name`/`@name`/`$name`
//   (from a map). Parameter values must be text, numbers, yes/no, nothing, binary or dates/times.
// - Whole numbers bind as INTEGER, others as REAL. Integers read back exactly: those within
//   ±(2^53 − 1) as numbers, larger ones as their exact digits (text).
// - Transaction control belongs to `in transaction on db:`; raw BEGIN/COMMIT/ROLLBACK/SAVEPOINT/
//   RELEASE is refused by what SQLite compiles the statement to, not by how its text starts.
// - A transaction always ends committed or rolled back; a failed COMMIT rolls back and raises a
//   catchable error. A database cannot be closed inside its own transaction.
import type BetterSqlite3 from "better-sqlite3";
import { WflDate, WflDateTime, WflObject, WflOpaque, WflTime, typeName, type Value } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import { requirePackage } from "../../runtime/packages.js";
import type { RunResources } from "../../runtime/lifetime.js";
import * as pg from "./postgres.js";

class Database {
  inTransaction = false;
  /** The transaction of `begin transaction on db as tx`, until it is committed or rolled back. */
  openTx: SqliteTransaction | null = null;
  /** Whether a statement's SQL is transaction control, by its text (bounded cache). */
  readonly controlCache = new Map<string, boolean>();
  constructor(readonly db: BetterSqlite3.Database, readonly url: string, readonly owner: RunResources) {}
  /** Closing rolls back uncommitted work. */
  close(): void {
    if (this.db.open) this.db.close();
    this.owner.delete(this);
  }
}

export function dbError(message: string): WflRuntimeError {
  return new WflRuntimeError(message, "general");
}

export function messageOf(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0]!;
}

type Mode = "ro" | "rw" | "rwc";

/** The file and open mode of a sqlite URL; null when it is not one. */
function sqliteTarget(url: string): { file: string; mode: Mode } | null {
  const m = /^sqlite:(?:\/\/)?([^?]+)(?:\?(.*))?$/.exec(url);
  if (!m) return null;
  let mode: Mode = "rwc";
  for (const option of (m[2] ?? "").split("&").filter(Boolean)) {
    const eq = option.indexOf("=");
    const key = eq < 0 ? option : option.slice(0, eq);
    const value = eq < 0 ? "" : option.slice(eq + 1);
    if (key !== "mode") throw dbError(`Unknown database URL option '${key}' in '${url}' (the only option is mode=ro, mode=rw or mode=rwc)`);
    if (value !== "ro" && value !== "rw" && value !== "rwc") throw dbError(`Unknown database mode '${value}' in '${url}' (use mode=ro, mode=rw or mode=rwc)`);
    mode = value;
  }
  const file = m[1] === ":memory:" ? ":memory:" : m[1]!;
  return { file, mode };
}

/** Open a database for the run that `owner` stands for: the run's end closes it. */
export function openDatabase(urlValue: Value, owner: RunResources): Value | Promise<Value> {
  const url = formatValue(urlValue);
  if (/^(postgres|postgresql):\/\//i.test(url)) return pg.openPostgres(url, owner);
  if (/^(mysql|mariadb):\/\//.test(url)) {
    throw dbError(`This runtime cannot connect to ${url.split(":")[0]} databases yet; use a sqlite:// URL`);
  }
  const target = sqliteTarget(url);
  if (target === null) throw dbError(`'${pg.redactUrl(url)}' is not a database URL (expected sqlite://path/to/file.db, sqlite::memory: or postgres://user:password@host/database)`);
  let Ctor: typeof BetterSqlite3;
  try {
    Ctor = requirePackage<typeof BetterSqlite3>("better-sqlite3");
  } catch (e) {
    throw dbError(`SQLite is not available (the better-sqlite3 package could not be loaded: ${messageOf(e)})`);
  }
  let d: Database;
  try {
    const db = new Ctor(target.file, { readonly: target.mode === "ro", fileMustExist: target.mode !== "rwc" });
    if (target.mode !== "ro") db.pragma("foreign_keys = ON");
    d = new Database(db, url, owner);
  } catch (e) {
    throw dbError(`Cannot open the database at '${url}': ${messageOf(e)}`);
  }
  owner.add(d);
  return new WflOpaque("Database", `[Database: ${url}]`, d);
}

function databaseOf(v: Value): Database {
  if (v instanceof WflOpaque && v.handle instanceof SqliteTransaction) {
    if (v.handle.done) throw dbError("This transaction has already been committed or rolled back");
    return databaseOf(v.handle.dbv);
  }
  if (v instanceof WflOpaque && v.handle instanceof Database) {
    if (!v.handle.db.open) throw dbError("This database has been closed");
    return v.handle;
  }
  throw new WflRuntimeError(`Expected a database (from 'open database at … as name'), got ${formatValue(v)}`, "type");
}

// ---- transaction control ----------------------------------------------------------------------

/**
 * Whether SQLite compiles this statement to transaction control: BEGIN/COMMIT/END/ROLLBACK become
 * the AutoCommit opcode, SAVEPOINT/RELEASE/ROLLBACK TO the Savepoint opcode. Asking SQLite (through
 * EXPLAIN) rather than reading the text means comments or odd spacing cannot hide them.
 */
function isTransactionControl(d: Database, stmt: BetterSqlite3.Statement, text: string): boolean {
  if (stmt.reader) return false;
  const cached = d.controlCache.get(text);
  if (cached !== undefined) return cached;
  let control = false;
  try {
    const ops = d.db.prepare(`EXPLAIN ${text}`).all() as { opcode: string }[];
    control = ops.some((op) => op.opcode === "AutoCommit" || op.opcode === "Savepoint");
  } catch {
    // EXPLAIN could not run without parameter values: transaction control never has parameters.
    control = false;
  }
  if (d.controlCache.size >= 256) d.controlCache.clear();
  d.controlCache.set(text, control);
  return control;
}

function prepare(d: Database, sql: Value): BetterSqlite3.Statement {
  if (d.inTransaction && !d.db.inTransaction) {
    // SQLite ended the transaction itself (INSERT OR ROLLBACK, RAISE(ROLLBACK), a full disk): what
    // ran before is gone, and anything run now would commit on its own, outside the transaction.
    throw dbError("SQLite already rolled this transaction back after an earlier error, so nothing more can run in it");
  }
  const text = formatValue(sql);
  let stmt: BetterSqlite3.Statement;
  try {
    stmt = d.db.prepare(text);
  } catch (e) {
    throw dbError(`SQL error: ${messageOf(e)}`);
  }
  if (isTransactionControl(d, stmt, text)) {
    throw dbError("Use 'in transaction on db:' … 'end transaction' instead of sending BEGIN, COMMIT, ROLLBACK, SAVEPOINT or RELEASE as SQL");
  }
  stmt.safeIntegers(true);
  return stmt;
}

// ---- parameters -------------------------------------------------------------------------------

export interface Placeholder {
  text: string;
  /** Where it starts in the SQL text. */
  at: number;
  /** The name better-sqlite3 binds it by (`$1` → "1", `:a` → "a"); null for a bare `?`. */
  key: string | null;
}

const ID_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/** The parameter placeholders of SQL text, skipping strings, quoted names and comments. */
export function placeholders(sql: string): Placeholder[] {
  const out: Placeholder[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === "`") {
      i++;
      while (i < n) {
        if (sql[i] === c) {
          if (sql[i + 1] === c) { i += 2; continue; }
          i++;
          break;
        }
        i++;
      }
    } else if (c === "[") {
      const j = sql.indexOf("]", i + 1);
      i = j < 0 ? n : j + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const j = sql.indexOf("\n", i);
      i = j < 0 ? n : j + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const j = sql.indexOf("*/", i + 2);
      i = j < 0 ? n : j + 2;
    } else if (c === "?") {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j]!)) j++;
      out.push({ text: sql.slice(i, j), at: i, key: j > i + 1 ? sql.slice(i + 1, j) : null });
      i = j;
    } else if (c === ":" && sql[i + 1] === ":") {
      i += 2; // a PostgreSQL cast (`x::int`), not a placeholder
    } else if (c === ":" || c === "@" || c === "$") {
      let j = i + 1;
      while (j < n && ID_CHAR.test(sql[j]!)) j++;
      if (j > i + 1) out.push({ text: sql.slice(i, j), at: i, key: sql.slice(i + 1, j) });
      i = Math.max(j, i + 1);
    } else if (ID_CHAR.test(c)) {
      // A name or number; `$` may appear inside names (a$b), so it is not a placeholder there.
      while (i < n && ID_CHAR.test(sql[i]!)) i++;
    } else {
      i++;
    }
  }
  return out;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MIN = -(2 ** 63);
const INT64_LIMIT = 2 ** 63;

/** One parameter value as SQLite should see it; `position` names it in errors ("2", "'a'"). */
function bindValue(v: Value, position: string): unknown {
  if (v === null || typeof v === "string") return v;
  if (typeof v === "number") {
    // Whole numbers are INTEGER (typeof(?) = 'integer'), others REAL.
    return Number.isInteger(v) && v >= INT64_MIN && v < INT64_LIMIT ? BigInt(v) : v;
  }
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (v instanceof WflDate || v instanceof WflTime || v instanceof WflDateTime) return formatValue(v);
  const kind = Array.isArray(v) ? "a list" : v instanceof WflObject ? "a map" : `a ${typeName(v)}`;
  throw new WflRuntimeError(
    `SQL parameter ${position} is ${kind}; parameters must be text, numbers, yes/no, nothing, binary or dates`,
    "type",
  );
}

/**
 * Which value each placeholder of `text` takes: checks the placeholders against the parameters (a
 * list for `?` and `$1`, a map for `:name`) and returns the placeholders with their values.
 */
export function assignParams(text: string, params: Value): { style: "bare" | "numbered" | "named"; marks: { mark: Placeholder; value: Value; position: string }[] } {
  const marks = placeholders(text);
  const bare = marks.filter((p) => p.key === null);
  const numbered = marks.filter((p) => p.key !== null && /^\d+$/.test(p.key));
  const named = marks.filter((p) => p.key !== null && !/^\d+$/.test(p.key));
  if (named.length > 0) {
    if (bare.length > 0 || numbered.length > 0) {
      throw dbError(`The SQL mixes named placeholders such as '${named[0]!.text}' with numbered ones; use one kind`);
    }
    if (!(params instanceof WflObject)) {
      throw dbError(`The SQL uses the named placeholder '${named[0]!.text}', so give the parameters as a map with an entry '${named[0]!.key}' (or use ? or $1 placeholders with a list)`);
    }
    return {
      style: "named",
      marks: named.map((p) => {
        if (!params.has(p.key!)) throw dbError(`The SQL uses '${p.text}' but the parameters map has no entry '${p.key}'`);
        return { mark: p, value: params.get(p.key!)!, position: `'${p.key}'` };
      }),
    };
  }
  if (params instanceof WflObject) {
    throw dbError("Parameters given as a map need named placeholders such as :name in the SQL");
  }
  const list = params === null ? [] : Array.isArray(params) ? params : [params];
  if (numbered.length > 0) {
    if (bare.length > 0) throw dbError("The SQL mixes ? with numbered placeholders such as $1; use one kind");
    const highest = Math.max(...numbered.map((p) => Number(p.key)));
    if (list.length !== highest) {
      throw dbError(`The SQL uses placeholders up to $${highest} but ${list.length} parameter value${list.length === 1 ? " was" : "s were"} given`);
    }
    return { style: "numbered", marks: numbered.map((p) => ({ mark: p, value: list[Number(p.key) - 1]!, position: String(Number(p.key)) })) };
  }
  if (list.length !== bare.length) {
    throw dbError(`The SQL has ${bare.length} ? placeholder${bare.length === 1 ? "" : "s"} but ${list.length} parameter value${list.length === 1 ? " was" : "s were"} given`);
  }
  return { style: "bare", marks: bare.map((p, i) => ({ mark: p, value: list[i]!, position: String(i + 1) })) };
}

/** The arguments for better-sqlite3: a positional list, or one object for numbered/named placeholders. */
function bind(text: string, params: Value): unknown[] {
  const { style, marks } = assignParams(text, params);
  if (style === "bare") return marks.map((m) => bindValue(m.value, m.position));
  const obj: Record<string, unknown> = {};
  for (const m of marks) obj[style === "numbered" ? String(Number(m.mark.key)) : m.mark.key!] = bindValue(m.value, m.position);
  return [obj];
}

/** A value read from SQLite (integers arrive as BigInt: exact). */
/**
 * A value read back from either engine: numbers, text and yes/no as they are, 64-bit integers as a
 * number within ±(2^53 − 1) and their exact digits (text) beyond, bytes as binary, anything else
 * as its text.
 */
export function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return v <= MAX_EXACT && v >= -MAX_EXACT ? Number(v) : v.toString();
  if (Buffer.isBuffer(v)) return new Uint8Array(v);
  return String(v);
}

/** A PostgreSQL database or transaction, or null for SQLite ones. */
function postgresOf(v: Value): { d: pg.PgDatabase; tx: pg.PgTransaction | null } | null {
  if (v instanceof WflOpaque && v.handle instanceof pg.PgDatabase) return { d: v.handle, tx: null };
  if (v instanceof WflOpaque && v.handle instanceof pg.PgTransaction) return { d: v.handle.db, tx: v.handle };
  return null;
}

/** `query db with SQL [and parameters [..]]`: the rows, as a list of objects keyed by column. */
export function query(dbv: Value, sql: Value, params: Value): Value | Promise<Value> {
  const p = postgresOf(dbv);
  if (p) return pg.run(p.d, p.tx, sql, params).then((r) => r.rows ?? []);
  const d = databaseOf(dbv);
  const stmt = prepare(d, sql);
  const args = bind(stmt.source, params);
  try {
    if (!stmt.reader) {
      stmt.run(...args);
      return [];
    }
    return rowsOf(stmt.all(...args) as Record<string, unknown>[]);
  } catch (e) {
    throw dbError(`SQL error: ${messageOf(e)}`);
  }
}

/** `execute db with SQL [and parameters [..]]`: `{affected_rows, last_insert_id}` (PostgreSQL: no id, nothing). */
export function execute(dbv: Value, sql: Value, params: Value): Value | Promise<Value> {
  const p = postgresOf(dbv);
  if (p) return pg.run(p.d, p.tx, sql, params).then((r) => new WflObject([["affected_rows", r.rows ? 0 : r.count], ["last_insert_id", null]]));
  const d = databaseOf(dbv);
  const stmt = prepare(d, sql);
  const args = bind(stmt.source, params);
  try {
    if (stmt.reader) {
      stmt.all(...args);
      return new WflObject([["affected_rows", 0], ["last_insert_id", 0]]);
    }
    const r = stmt.run(...args);
    return new WflObject([["affected_rows", r.changes], ["last_insert_id", toValue(r.lastInsertRowid)]]);
  } catch (e) {
    throw dbError(`SQL error: ${messageOf(e)}`);
  }
}

/** Result rows as WFL maps (column → value). */
function rowsOf(rows: Record<string, unknown>[]): WflObject[] {
  return rows.map((row) => {
    const o = new WflObject();
    for (const [k, v] of Object.entries(row)) o.set(k, toValue(v));
    return o;
  });
}

// ---- transactions -----------------------------------------------------------------------------

/** Roll back whatever is open; if SQLite cannot, close the connection (which rolls back). */
function rollbackNow(d: Database): string | null {
  if (!d.db.open || !d.db.inTransaction) return null;
  try {
    d.db.exec("ROLLBACK");
    return null;
  } catch (e) {
    if (d.db.inTransaction) d.close();
    return messageOf(e);
  }
}

/** Begin a transaction for `in transaction on db:`; returns the commit and rollback steps. */
export function begin(dbv: Value): { commit(): void; rollback(): void } {
  const d = databaseOf(dbv);
  if (d.openTx) throw dbError("This database is already in a transaction (begun with 'begin transaction'); commit or roll it back first");
  if (d.inTransaction) throw dbError("This database is already in a transaction; transactions cannot be nested");
  try {
    d.db.exec("BEGIN");
  } catch (e) {
    throw dbError(`The transaction could not begin: ${messageOf(e)}`);
  }
  d.inTransaction = true;
  return {
    /** Commit; when SQLite refuses (say, a deferred foreign key), roll back and raise a WFL error. */
    commit: () => {
      d.inTransaction = false;
      if (!d.db.open) throw dbError("The database was closed before the transaction ended, so its changes were discarded");
      if (!d.db.inTransaction) throw dbError("SQLite rolled this transaction back after an error inside it, so nothing was committed");
      try {
        d.db.exec("COMMIT");
      } catch (e) {
        const failed = rollbackNow(d);
        throw dbError(failed === null
          ? `The transaction could not be committed and was rolled back: ${messageOf(e)}`
          : `The transaction could not be committed (${messageOf(e)}) nor rolled back (${failed}); the database was closed, which discards the changes`);
      }
    },
    /** Roll back after an error in the block; raises a WFL error only if SQLite cannot. */
    rollback: () => {
      d.inTransaction = false;
      const failed = rollbackNow(d);
      if (failed !== null) throw dbError(`The transaction could not be rolled back (${failed}); the database was closed, which discards the changes`);
    },
  };
}

export function closeDatabase(dbv: Value): void | Promise<void> {
  if (dbv instanceof WflOpaque && dbv.handle instanceof pg.PgDatabase) return dbv.handle.closeCleanly();
  if (dbv instanceof WflOpaque && dbv.handle instanceof Database) {
    const d = dbv.handle;
    if (d.openTx) {
      // `close database db` with a `begin transaction … as tx` still open: roll it back, then close.
      d.openTx.done = true;
      d.openTx.ctl.rollback();
      d.openTx = null;
    }
    if (d.inTransaction) {
      throw dbError("A database cannot be closed inside its own transaction; close it after 'end transaction'");
    }
    d.close();
    return;
  }
  databaseOf(dbv);
}

// ---- the seed's statements: `execute query … on db|tx [with parameters L] [as v]`, `begin/commit/rollback transaction` ----

/** A transaction of `begin transaction on db as tx` on SQLite (the database's one connection). */
class SqliteTransaction {
  done = false;
  constructor(readonly dbv: Value, readonly ctl: { commit(): void; rollback(): void }) {}
}

/** `in transaction on db:`: the commit and rollback steps (asynchronous on PostgreSQL). */
export function beginBlock(dbv: Value): { commit(): void | Promise<void>; rollback(): void | Promise<void> } | Promise<{ commit(): Promise<void>; rollback(): Promise<void> }> {
  const p = postgresOf(dbv);
  if (p && !p.tx) return pg.beginBlock(p.d);
  if (p) throw dbError("'in transaction on' takes a database, not a transaction");
  return begin(dbv);
}

/**
 * `execute query SQL on db|tx [with parameters L]`: a statement that returns rows (SELECT, or
 * INSERT … RETURNING) gives the rows, a list of maps keyed by column; any other statement gives the
 * number of rows it changed.
 */
export function executeQuery(target: Value, sql: Value, params: Value): Value | Promise<Value> {
  const p = postgresOf(target);
  if (p) return pg.run(p.d, p.tx, sql, params).then((r) => r.rows ?? r.count);
  const d = databaseOf(target);
  const stmt = prepare(d, sql);
  const args = bind(stmt.source, params);
  try {
    if (!stmt.reader) return stmt.run(...args).changes;
    return rowsOf(stmt.all(...args) as Record<string, unknown>[]);
  } catch (e) {
    throw dbError(`SQL error: ${messageOf(e)}`);
  }
}

/** `begin transaction on db as tx`. */
export function beginTransaction(dbv: Value): Value | Promise<Value> {
  const p = postgresOf(dbv);
  if (p && p.tx) throw dbError("'begin transaction on' takes a database, not a transaction");
  if (p) return pg.beginTx(p.d).then((tx) => new WflOpaque("Transaction", `[Transaction on ${p.d.url}]`, tx));
  const d = databaseOf(dbv);
  if (dbv instanceof WflOpaque && dbv.handle instanceof SqliteTransaction) throw dbError("'begin transaction on' takes a database, not a transaction");
  const ctl = begin(dbv);
  const tx = new SqliteTransaction(dbv, ctl);
  d.openTx = tx;
  return new WflOpaque("Transaction", `[Transaction on ${d.url}]`, tx);
}

/** `commit transaction tx` / `rollback transaction tx`. */
export function endTransaction(txv: Value, commit: boolean): void | Promise<void> {
  if (txv instanceof WflOpaque && txv.handle instanceof pg.PgTransaction) return pg.endTx(txv.handle, commit);
  if (!(txv instanceof WflOpaque && txv.handle instanceof SqliteTransaction)) {
    throw new WflRuntimeError(`Expected a transaction (from 'begin transaction on db as tx'), got ${formatValue(txv)}`, "type");
  }
  const tx = txv.handle;
  if (tx.done) throw dbError("This transaction has already been committed or rolled back");
  tx.done = true;
  const d = (tx.dbv as WflOpaque).handle as Database;
  if (d.openTx === tx) d.openTx = null;
  if (commit) tx.ctl.commit();
  else tx.ctl.rollback();
}

/**
 * The engine behind a database value, for other rooms that keep their own tables in a program's
 * database (the database-backed rate limiter): SQLite's one connection, or PostgreSQL's pool.
 * Errors as every database statement's: closed databases, transactions and other values refused.
 */
export function engineOf(v: Value): { kind: "sqlite"; db: BetterSqlite3.Database; url: string } | { kind: "postgres"; db: pg.PgDatabase } {
  const p = postgresOf(v);
  if (p) {
    if (p.tx) throw new WflRuntimeError("Expected a database (from 'connect to database at … as db'), got a transaction", "type");
    if (p.d.closed) throw dbError("This database has been closed");
    return { kind: "postgres", db: p.d };
  }
  const d = databaseOf(v);
  if (v instanceof WflOpaque && v.handle instanceof SqliteTransaction) throw new WflRuntimeError("Expected a database (from 'connect to database at … as db'), got a transaction", "type");
  return { kind: "sqlite", db: d.db, url: d.url };
}

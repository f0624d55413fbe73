// Databases: `open database at "sqlite://file.db" as db`, `query db with SQL [and parameters [..]]`,
// `execute db with SQL [and parameters [..]]`, `in transaction on db:` … `end transaction`,
// `close database db`. SQLite through better-sqlite3 (synchronous, so database code stays
// synchronous too). SQL text is always separate from its values: parameters are bound, never
// spliced into the text.
import type BetterSqlite3 from "better-sqlite3";
import { WflObject, WflOpaque, type Value } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import { requirePackage } from "../../runtime/packages.js";
import type { RunResources } from "../../runtime/lifetime.js";

class Database {
  inTransaction = false;
  constructor(readonly db: BetterSqlite3.Database, readonly url: string, readonly owner: RunResources) {}
  /** Closing rolls back uncommitted work. */
  close(): void {
    if (this.db.open) this.db.close();
    this.owner.delete(this);
  }
}

function sqliteFile(url: string): string | null {
  if (url === "sqlite::memory:" || url === "sqlite://:memory:") return ":memory:";
  const m = /^sqlite:(?:\/\/)?(.+)$/.exec(url);
  return m ? m[1]!.replace(/\?.*$/, "") : null;
}

/** Open a database for the run that `owner` stands for: the run's end closes it. */
export function openDatabase(urlValue: Value, owner: RunResources): Value {
  const url = formatValue(urlValue);
  if (/^(postgres|postgresql|mysql|mariadb):\/\//.test(url)) {
    throw new WflRuntimeError(`This runtime cannot connect to ${url.split(":")[0]} databases yet; use a sqlite:// URL`, "general");
  }
  const file = sqliteFile(url);
  if (file === null) throw new WflRuntimeError(`'${url}' is not a database URL (expected sqlite://path/to/file.db or sqlite::memory:)`, "general");
  let Ctor: typeof BetterSqlite3;
  try {
    Ctor = requirePackage<typeof BetterSqlite3>("better-sqlite3");
  } catch (e) {
    throw new WflRuntimeError(`SQLite is not available (the better-sqlite3 package could not be loaded: ${String((e as Error).message).split("\n")[0]})`, "general");
  }
  let d: Database;
  try {
    const db = new Ctor(file);
    db.pragma("foreign_keys = ON");
    d = new Database(db, url, owner);
  } catch (e) {
    throw new WflRuntimeError(`Cannot open the database at '${url}': ${(e as Error).message}`, "general");
  }
  owner.add(d);
  return new WflOpaque("Database", `[Database: ${url}]`, d);
}

function databaseOf(v: Value): Database {
  if (v instanceof WflOpaque && v.handle instanceof Database) {
    if (!v.handle.db.open) throw new WflRuntimeError("This database has been closed", "general");
    return v.handle;
  }
  throw new WflRuntimeError(`Expected a database (from 'open database at … as name'), got ${formatValue(v)}`, "type");
}

/** Transactions are the `in transaction on db:` block's job, not raw SQL's. */
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|END)\b/i;

function bind(params: Value): unknown[] {
  if (params === null) return [];
  const list = Array.isArray(params) ? params : [params];
  return list.map((v) => {
    if (v === null || typeof v === "number" || typeof v === "string") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (v instanceof Uint8Array) return Buffer.from(v);
    return formatValue(v);
  });
}

function prepare(d: Database, sql: Value): BetterSqlite3.Statement {
  const text = formatValue(sql);
  if (TRANSACTION_CONTROL.test(text)) {
    throw new WflRuntimeError("Use 'in transaction on db:' … 'end transaction' instead of sending BEGIN, COMMIT or ROLLBACK as SQL", "general");
  }
  try {
    return d.db.prepare(text);
  } catch (e) {
    throw new WflRuntimeError(`SQL error: ${(e as Error).message}`, "general");
  }
}

function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "string") return v;
  if (typeof v === "bigint") return Number(v);
  if (Buffer.isBuffer(v)) return new Uint8Array(v);
  return String(v);
}

/** `query db with SQL [and parameters [..]]`: the rows, as a list of objects keyed by column. */
export function query(dbv: Value, sql: Value, params: Value): Value {
  const stmt = prepare(databaseOf(dbv), sql);
  try {
    if (!stmt.reader) {
      stmt.run(...bind(params));
      return [];
    }
    return (stmt.all(...bind(params)) as Record<string, unknown>[]).map((row) => {
      const o = new WflObject();
      for (const [k, v] of Object.entries(row)) o.set(k, toValue(v));
      return o;
    });
  } catch (e) {
    throw new WflRuntimeError(`SQL error: ${(e as Error).message}`, "general");
  }
}

/** `execute db with SQL [and parameters [..]]`: `{affected_rows, last_insert_id}`. */
export function execute(dbv: Value, sql: Value, params: Value): Value {
  const stmt = prepare(databaseOf(dbv), sql);
  try {
    const r = stmt.reader ? { changes: 0, lastInsertRowid: 0 } : stmt.run(...bind(params));
    if (stmt.reader) stmt.all(...bind(params));
    return new WflObject([["affected_rows", r.changes], ["last_insert_id", toValue(r.lastInsertRowid)]]);
  } catch (e) {
    throw new WflRuntimeError(`SQL error: ${(e as Error).message}`, "general");
  }
}

/** Begin a transaction for `in transaction on db:`; returns the commit and rollback steps. */
export function begin(dbv: Value): { commit(): void; rollback(): void } {
  const d = databaseOf(dbv);
  if (d.inTransaction) throw new WflRuntimeError("This database is already in a transaction; transactions cannot be nested", "general");
  d.db.exec("BEGIN");
  d.inTransaction = true;
  return {
    commit: () => { d.inTransaction = false; d.db.exec("COMMIT"); },
    rollback: () => { d.inTransaction = false; if (d.db.inTransaction) d.db.exec("ROLLBACK"); },
  };
}

export function closeDatabase(dbv: Value): void {
  if (dbv instanceof WflOpaque && dbv.handle instanceof Database) {
    dbv.handle.close();
    return;
  }
  databaseOf(dbv);
}

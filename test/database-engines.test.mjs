// The WFLHub SQL gap (seed 003, section 3.2): the seed's statements on SQLite AND on a real,
// throw-away PostgreSQL 15 (scripts/pg-test-server.mjs), started once for this file and stopped at
// the end (also when a test fails). Every acceptance criterion of 3.2 is a test named after it, run
// on both engines; the programs of TestPrograms/database-engines/ run on both and must print their
// .out on each. Set WFL_SKIP_POSTGRES=1 to skip the PostgreSQL half where PostgreSQL is missing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import * as http from "node:http";
import { fileURLToPath } from "node:url";
import { startPostgres, PG_BIN } from "../scripts/pg-test-server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const programs = path.join(root, "TestPrograms/database-engines");
const skipPg = process.env.WFL_SKIP_POSTGRES === "1";
let pg = null;
let dir;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-engines-"));
  if (skipPg) return;
  pg = await startPostgres();
  if (!pg) throw new Error(`PostgreSQL 15 is not installed (${PG_BIN}/initdb is missing): .ci/run installs it; set WFL_SKIP_POSTGRES=1 to skip`);
});
after(async () => {
  if (pg) await pg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** Run a WFL program file with args, in its own directory; resolves with {status, stdout, stderr}. */
function runFile(file, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "bin/wfl"), [file, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
/** Run program text with the database URL as args[0]. */
function run(lines, url) {
  const cwd = fs.mkdtempSync(path.join(dir, "p"));
  const file = path.join(cwd, `p${++n}.wfl`);
  fs.writeFileSync(file, Array.isArray(lines) ? lines.join("\n") + "\n" : lines);
  return runFile(file, [url], cwd);
}
const ok = (r) => {
  assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /INTERNAL/);
  return r.stdout;
};

/** The engines a test runs on: SQLite (a file, so several connections see the same data) and PostgreSQL. */
function engines() {
  const list = [{ name: "sqlite", url: () => `sqlite://${path.join(fs.mkdtempSync(path.join(dir, "db")), "test.db")}` }];
  if (!skipPg) list.push({ name: "postgresql", url: () => pg.url });
  return list;
}
/** Run `body(url)` as one subtest per engine; PostgreSQL tables are dropped between programs. */
async function onBoth(t, body) {
  for (const e of engines()) {
    await t.test(e.name, async () => {
      const url = e.url();
      if (e.name === "postgresql") await resetPg();
      await body(url, e.name);
    });
  }
}
async function resetPg() {
  ok(await run([
    "connect to database at args[0] as db",
    'execute query "DROP SCHEMA public CASCADE" on db',
    'execute query "CREATE SCHEMA public" on db',
    "close database db",
  ], pg.url));
}

const SETUP = [
  "connect to database at args[0] as db",
  'execute query "CREATE TABLE packages (id INTEGER PRIMARY KEY, name TEXT NOT NULL, downloads_total INTEGER NOT NULL)" on db',
  'execute query "INSERT INTO packages (id, name, downloads_total) VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9)" on db with parameters [1, "web-kit", 10, 2, "db-kit", 20, 3, "cli-kit", 30]',
];

// ---- every program of TestPrograms/database-engines on both engines ----------------------------

test("the database-engines programs print their .out on SQLite and on PostgreSQL", async (t) => {
  const files = fs.readdirSync(programs).filter((f) => f.endsWith(".wfl")).sort();
  assert.ok(files.length >= 5);
  for (const f of files) {
    const expected = fs.readFileSync(path.join(programs, f.replace(/\.wfl$/, ".out")), "utf8");
    await onBoth({ test: (name, fn) => t.test(`${f} on ${name}`, fn) }, async (url) => {
      const cwd = fs.mkdtempSync(path.join(dir, "prog"));
      const r = await runFile(path.join(programs, f), [url], cwd);
      assert.equal(ok(r), expected);
    });
  }
});

// ---- the acceptance criteria of 3.2 -------------------------------------------------------------

test("`connect to database at <url> as db` establishes a connection pool", async (t) => {
  await onBoth(t, async (url, engine) => {
    const out = ok(await run([...SETUP, "display db", 'execute query "SELECT COUNT(*) AS n FROM packages" on db as c', 'display field "n" of c[0]'], url));
    assert.match(out, /^\[Database: (sqlite|postgres):\/\/.*\]\n3\n$/);
    if (engine !== "postgresql") return;
    assert.ok(!out.includes(pg.password), "the password is not shown");
    // A pool: two transactions on one db run on two connections at once, each isolated.
    await resetPg();
    const iso = ok(await run([
      ...SETUP,
      "begin transaction on db as t1",
      "begin transaction on db as t2",
      'execute query "INSERT INTO packages (id, name, downloads_total) VALUES (4, $1, 0)" on t1 with parameters ["new-kit"]',
      'execute query "SELECT COUNT(*) AS n FROM packages" on t1 as a',
      'execute query "SELECT COUNT(*) AS n FROM packages" on t2 as b',
      'execute query "SELECT COUNT(*) AS n FROM packages" on db as c',
      'execute query "SELECT pg_backend_pid() AS pid" on t1 as p1',
      'execute query "SELECT pg_backend_pid() AS pid" on t2 as p2',
      'display field "n" of a[0] with " " with field "n" of b[0] with " " with field "n" of c[0]',
      'display "separate connections: " with (field "pid" of p1[0] is not field "pid" of p2[0])',
      "commit transaction t1",
      'execute query "SELECT COUNT(*) AS n FROM packages" on t2 as after',
      'display field "n" of after[0]',
      "rollback transaction t2",
      "close database db",
    ], url));
    assert.equal(iso, "4 3 3\nseparate connections: yes\n4\n");
    // A wrong address is an error at the connect line, naming the database without its password.
    const bad = await run(["connect to database at args[0] as db"], "postgres://someone:hunter2-secret@127.0.0.1:1/nowhere");
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /error\[RUNTIME\]: Cannot connect to the database at postgres:\/\/someone:\*\*\*\*@127\.0\.0\.1:1\/nowhere: /);
    assert.match(bad.stderr, /:1:1/);
    assert.ok(!bad.stderr.includes("hunter2-secret"));
    assert.doesNotMatch(bad.stderr, /\n\s+at /, "no host stack trace");
  });
});

test("`execute query ... on db with parameters [...] as results` runs a parameterized SELECT and returns rows", async (t) => {
  await onBoth(t, async (url) => {
    const out = ok(await run([
      ...SETUP,
      'execute query "SELECT id, name FROM packages WHERE downloads_total >= $1 ORDER BY id" on db with parameters [20] as results',
      "display typeof of results",
      "display length of results",
      "display results[0]",
      'display results[1]["name"]',
    ], url));
    assert.equal(out, "List\n2\n{id: 2, name: db-kit}\ncli-kit\n");
  });
});

test("`execute query ... on db with parameters [...]` runs INSERT/UPDATE/DELETE and returns affected row count", async (t) => {
  await onBoth(t, async (url) => {
    const out = ok(await run([
      ...SETUP,
      'execute query "INSERT INTO packages (id, name, downloads_total) VALUES ($1, $2, $3)" on db with parameters [9, "x", 0]',
      'execute query "UPDATE packages SET downloads_total = downloads_total + $1 WHERE id < $2" on db with parameters [1, 3] as updated',
      'execute query "DELETE FROM packages WHERE downloads_total > $1" on db with parameters [15] as deleted',
      'execute query "INSERT INTO packages (id, name, downloads_total) VALUES ($1, $2, $3)" on db with parameters [8, "y", 0] as inserted',
      'display updated with " " with deleted with " " with inserted',
      'execute query "SELECT id FROM packages ORDER BY id" on db as left',
      "display length of left",
    ], url));
    assert.equal(out, "2 2 1\n3\n");
  });
});

test('`field "column_name" of row` extracts a column value from a result row', async (t) => {
  await onBoth(t, async (url) => {
    const out = ok(await run([
      ...SETUP,
      'execute query "SELECT id, name, downloads_total FROM packages WHERE id = $1" on db with parameters [2] as rows',
      "store row as rows[0]",
      'display field "name" of row',
      'display field "downloads_total" of row + 1',
      'store col as "id"',
      "display field col of row",
      'display field "nope" of row',
      'display field "name" of row',
    ], url));
    assert.equal(out, "db-kit\n21\n2\nnothing\ndb-kit\n");
  });
});

test("Result rows support iteration with `count through`", async (t) => {
  await onBoth(t, async (url) => {
    const out = ok(await run([
      ...SETUP,
      'execute query "SELECT name FROM packages ORDER BY id DESC" on db as results',
      "count through results as row:",
      '    display field "name" of row',
      "end count",
      'execute query "SELECT name FROM packages WHERE id > $1" on db with parameters [100] as none',
      "count through none as row:",
      '    display "never"',
      "end count",
      // `count from` is unchanged, and a count-through loop can break early.
      "count from 1 to 2:",
      "    display count",
      "end count",
      "count through results as r:",
      '    check if field "name" of r is "db-kit":',
      "        break",
      "    end check",
      '    display "before " with field "name" of r',
      "end count",
    ], url));
    assert.equal(out, "cli-kit\ndb-kit\nweb-kit\n1\n2\nbefore cli-kit\n");
  });
});

test("`close database db` cleanly shuts down the connection pool", async (t) => {
  await onBoth(t, async (url, engine) => {
    const out = ok(await run([
      ...SETUP,
      "begin transaction on db as open_tx",
      'execute query "DELETE FROM packages" on open_tx',
      "close database db",
      "try:",
      '    execute query "SELECT 1 AS one" on db as late',
      "catch:",
      '    display "after close: " with error_message',
      "end try",
      "connect to database at args[0] as again",
      'execute query "SELECT COUNT(*) AS n FROM packages" on again as c',
      'display "rows kept: " with field "n" of c[0]',
      "close database again",
    ], url));
    assert.equal(out, "after close: This database has been closed\nrows kept: 3\n");
    if (engine !== "postgresql") return;
    // The pool's connections are gone from the server once `close database` has finished.
    const gone = ok(await run([
      "connect to database at args[0] as watcher",
      "connect to database at args[0] as db",
      "begin transaction on db as t1",
      "begin transaction on db as t2",
      'store sql as "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()"',
      'execute query sql on watcher with parameters ["wfl"] as before',
      'display "before close: " with field "n" of before[0]',
      "close database db",
      "store left as 99",
      "count from 1 to 40:",
      '    execute query sql on watcher with parameters ["wfl"] as now',
      '    change left to field "n" of now[0]',
      "    check if left is 0:",
      "        break",
      "    end check",
      "    wait for 50 milliseconds",
      "end count",
      'display "after close: " with left',
    ], url));
    assert.match(gone, /^before close: [23]\nafter close: 0\n$/);
  });
});

test("Transactions: begin/commit/rollback work correctly", async (t) => {
  await onBoth(t, async (url) => {
    const out = ok(await run([
      ...SETUP,
      "connect to database at args[0] as other",
      "begin transaction on db as tx",
      'execute query "UPDATE packages SET downloads_total = downloads_total + 1 WHERE id = $1" on tx with parameters [1]',
      'execute query "SELECT downloads_total AS d FROM packages WHERE id = 1" on tx as inside',
      "commit transaction tx",
      'execute query "SELECT downloads_total AS d FROM packages WHERE id = 1" on other as committed',
      'display "inside " with field "d" of inside[0] with ", committed " with field "d" of committed[0]',
      "begin transaction on db as tx2",
      'execute query "DELETE FROM packages" on tx2 as gone',
      "rollback transaction tx2",
      'execute query "SELECT COUNT(*) AS n FROM packages" on other as kept',
      'display "deleted " with gone with ", rolled back to " with field "n" of kept[0]',
      "try:",
      "    rollback transaction tx2",
      "catch:",
      '    display "twice: " with error_message',
      "end try",
      // A block that fails is rolled back; the error is catchable.
      "try:",
      "    in transaction on db:",
      '        execute query "DELETE FROM packages" on db',
      '        execute query "SELECT * FROM missing_table" on db',
      "    end transaction",
      "catch:",
      '    display "block failed"',
      "end try",
      'execute query "SELECT COUNT(*) AS n FROM packages" on other as still',
      'display "after the failed block " with field "n" of still[0]',
      "close database other",
      "close database db",
    ], url));
    assert.equal(out, "inside 11, committed 11\ndeleted 3, rolled back to 3\ntwice: This transaction has already been committed or rolled back\nblock failed\nafter the failed block 3\n");
  });
});

test("SQL injection is impossible — all queries use parameterized bindings", async (t) => {
  await onBoth(t, async (url) => {
    const out = ok(await run([
      ...SETUP,
      `store evil as "x'); DROP TABLE packages; --"`,
      'execute query "SELECT id FROM packages WHERE name = $1" on db with parameters [evil] as none',
      'execute query "INSERT INTO packages (id, name, downloads_total) VALUES ($1, $2, $3)" on db with parameters [7, evil, 0]',
      'execute query "SELECT name FROM packages WHERE id = $1" on db with parameters [7] as back',
      `display length of none with " " with (field "name" of back[0] is evil)`,
      "try:",
      '    execute query "SELECT 1 AS one; DROP TABLE packages" on db',
      "catch:",
      '    display "second statement refused"',
      "end try",
      'execute query "SELECT COUNT(*) AS n FROM packages" on db as c',
      'display field "n" of c[0]',
    ], url));
    assert.equal(out, "0 yes\nsecond statement refused\n4\n");
  });
  // Structurally: SQL text must be one expression, and a parameter is never spliced into it.
  const text = fs.readFileSync(path.join(root, "src/stdlib/database/postgres.ts"), "utf8");
  assert.match(text, /queryMode: "extended"/, "PostgreSQL statements use the extended protocol (one statement, bound values)");
});

// ---- the seed's own example ---------------------------------------------------------------------

/** Section 3.2's example, as the seed writes it. */
const SEED_EXAMPLE = `// Connect to a database
connect to database at "postgres://user:pass@host/db" as db

// Execute a query that returns rows
execute query "SELECT id, name FROM packages WHERE name = $1" on db with parameters [package_name] as results

// Execute a mutation (INSERT, UPDATE, DELETE)
execute query "INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3)" on db with parameters [username, email, hash]

// Iterate over result rows
count through results as row:
    store pkg_id as field "id" of row
    store pkg_name as field "name" of row
    display pkg_name
end count

// Close connection
close database db

// Transaction support
begin transaction on db as tx
execute query "UPDATE packages SET downloads_total = downloads_total + 1 WHERE id = $1" on tx with parameters [package_id]
commit transaction tx
// Or: rollback transaction tx
`;

test("the seed's 3.2 example runs on SQLite and PostgreSQL (its URL from args, close moved last)", async (t) => {
  const source = fs.readFileSync(path.join(programs, "seed_example.wfl"), "utf8");
  const pasted = source.slice(source.indexOf("// Connect to a database"), source.indexOf("// --- end of the seed's example"));
  // The only changes: the placeholder URL, and the close after the transaction part that uses db.
  const expected = SEED_EXAMPLE
    .replace('"postgres://user:pass@host/db"', "args[0]")
    .replace("// Close connection\nclose database db\n\n", "")
    .concat("\n// Close connection\nclose database db\n");
  assert.equal(pasted, expected);
  await onBoth(t, async (url) => {
    const r = await runFile(path.join(programs, "seed_example.wfl"), [url], fs.mkdtempSync(path.join(dir, "seed")));
    assert.equal(ok(r), "web-kit\nuser: ada <ada@example.com>\ndownloads: 42\n");
  });
});

// ---- PostgreSQL only ----------------------------------------------------------------------------

test("PostgreSQL errors are WFL errors naming the database (password redacted) and the failing statement", { skip: skipPg }, async () => {
  await resetPg();
  const r = await run([
    "connect to database at args[0] as db",
    'execute query "SELECT name FROM no_such_table WHERE id = $1" on db with parameters [1] as rows',
  ], pg.url);
  assert.equal(r.status, 1);
  const port = pg.port;
  assert.ok(r.stderr.includes(`error[RUNTIME]: PostgreSQL error on postgres://wfl_test:****@127.0.0.1:${port}/wfl_test: relation "no_such_table" does not exist in the statement: SELECT name FROM no_such_table WHERE id = $1`), r.stderr);
  assert.match(r.stderr, /:2:1/);
  assert.ok(!r.stderr.includes(pg.password));
  assert.doesNotMatch(r.stderr, /INTERNAL|\n\s+at /);
  // Caught, it is an ordinary error message.
  const caught = ok(await run([
    "connect to database at args[0] as db",
    "try:",
    '    execute query "INSERT INTO nope VALUES ($1)" on db with parameters [1]',
    "catch:",
    "    display error_message",
    "end try",
  ], pg.url));
  assert.ok(caught.startsWith(`PostgreSQL error on postgres://wfl_test:****@127.0.0.1:${port}/wfl_test: relation "nope" does not exist`));
  assert.ok(!caught.includes(pg.password));
});

// The property is relative, so it holds on a loaded machine too: the server answers while the
// query is still sleeping (a blocking driver would hold every answer until the 2 s were over).
test("PostgreSQL queries do not block the event loop: a timer and a server keep running during SELECT pg_sleep(2)", { skip: skipPg }, async () => {
  const { run: runWfl } = await import("../dist/index.js");
  const ticks = [];
  const timer = setInterval(() => ticks.push(Date.now()), 20);
  // A server in the same process, asked while the query sleeps, answers at once.
  const server = http.createServer((_req, res) => res.end("still here"));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const started = Date.now();
  let answered = null;
  const ask = new Promise((resolve) => setTimeout(resolve, 400)).then(async () => {
    const t0 = Date.now();
    const body = await (await fetch(`http://127.0.0.1:${server.address().port}/`)).text();
    answered = { body, at: Date.now() - started, took: Date.now() - t0 };
  });
  let result;
  try {
    result = await runWfl([
      "connect to database at args[0] as db",
      'execute query "SELECT pg_sleep(2)" on db',
      'execute query "SELECT 42 AS answer" on db as a',
      'display field "answer" of a[0]',
      "close database db",
    ].join("\n"), { args: [pg.url] });
    await ask;
  } finally {
    clearInterval(timer);
    server.close();
  }
  const took = Date.now() - started;
  assert.equal(answered.body, "still here");
  assert.equal(result.exitCode, 0, result.diagnostics);
  assert.equal(result.output, "42\n");
  assert.ok(took >= 2000, `pg_sleep(2) took ${took} ms`);
  assert.ok(answered.at < took - 500, `the server answered ${answered.at} ms into a ${took} ms run (after ${answered.took} ms): not while the query slept`);
  const during = ticks.filter((x) => x > started && x < started + took);
  let gap = 0;
  for (let i = 1; i < during.length; i++) gap = Math.max(gap, during[i] - during[i - 1]);
  assert.ok(during.length >= 20, `only ${during.length} timer ticks in ${took} ms`);
  assert.ok(gap < 1000, `the event loop stalled for ${gap} ms`);
});

test("a PostgreSQL transaction whose block fails is rolled back, even when the error ends the program", { skip: skipPg }, async () => {
  await resetPg();
  ok(await run([...SETUP, "close database db"], pg.url));
  const r = await run([
    "connect to database at args[0] as db",
    "in transaction on db:",
    '    execute query "DELETE FROM packages" on db',
    '    execute query "SELECT 1/0 AS boom" on db',
    "end transaction",
  ], pg.url);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error\[RUNTIME\]: PostgreSQL error on .*: division by zero in the statement: SELECT 1\/0 AS boom/);
  const kept = ok(await run([
    "connect to database at args[0] as db",
    "begin transaction on db as open_tx",
    'execute query "DELETE FROM packages" on open_tx',
    // The program ends with the transaction open: it is rolled back.
  ], pg.url));
  assert.equal(kept, "");
  const count = ok(await run(["connect to database at args[0] as db", 'execute query "SELECT COUNT(*) AS n FROM packages" on db as c', 'display field "n" of c[0]'], pg.url));
  assert.equal(count, "3\n");
});

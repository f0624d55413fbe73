// SQLite: transactions that always end, the raw transaction-control guard, exact values,
// placeholders and open modes. Each test runs a real WFL program through bin/wfl.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
let dir;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-db-test-")); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Run a WFL program (lines joined) in the temp directory. */
function run(lines) {
  const file = path.join(dir, `p${++n}.wfl`);
  fs.writeFileSync(file, Array.isArray(lines) ? lines.join("\n") + "\n" : lines);
  return spawnSync(path.join(root, "bin/wfl"), [file], { cwd: dir, encoding: "utf8" });
}
const ok = (r) => {
  assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /INTERNAL/);
  return r.stdout;
};

const FK_SCHEMA = [
  'open database at "sqlite::memory:" as db',
  'store s1 as execute db with "CREATE TABLE parent (id INTEGER PRIMARY KEY)"',
  'store s2 as execute db with "CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"',
];

test("a deferred foreign-key failure at COMMIT is a catchable error and the transaction is rolled back", () => {
  const out = ok(run([...FK_SCHEMA,
    "try:",
    "    in transaction on db:",
    '        store a as execute db with "INSERT INTO child (pid) VALUES (42)"',
    '        store b as execute db with "INSERT INTO parent (id) VALUES (7)"',
    "    end transaction",
    "catch:",
    '    display "caught: " with error_message',
    "end try",
    // No partial rows, and the database still works (a new transaction can begin and commit).
    'store c as query db with "SELECT (SELECT COUNT(*) FROM child) AS c, (SELECT COUNT(*) FROM parent) AS p"',
    'display "rows: " with c[0]["c"] with " " with c[0]["p"]',
    "in transaction on db:",
    '    store d as execute db with "INSERT INTO parent (id) VALUES (42)"',
    '    store e as execute db with "INSERT INTO child (pid) VALUES (42)"',
    "end transaction",
    'store f as query db with "SELECT COUNT(*) AS n FROM child"',
    'display "after: " with f[0]["n"]',
  ]));
  assert.match(out, /^caught: The transaction could not be committed and was rolled back: FOREIGN KEY constraint failed$/m);
  assert.match(out, /^rows: 0 0$/m);
  assert.match(out, /^after: 1$/m);
});

test("an uncaught COMMIT failure is a located WFL error, not INTERNAL", () => {
  const r = run([...FK_SCHEMA, "in transaction on db:", '    store a as execute db with "INSERT INTO child (pid) VALUES (42)"', "end transaction"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[RUNTIME\]: The transaction could not be committed and was rolled back: FOREIGN KEY constraint failed/m);
  assert.match(r.stderr, /p\d+\.wfl:4:1/);
  assert.doesNotMatch(r.stderr, /INTERNAL|    at /);
});

test("closing a database inside its own transaction is a catchable error and rolls the transaction back", () => {
  const out = ok(run([
    'open database at "sqlite::memory:" as db',
    'store s as execute db with "CREATE TABLE t (x INTEGER)"',
    "try:",
    "    in transaction on db:",
    '        store a as execute db with "INSERT INTO t VALUES (1)"',
    "        close database db",
    "    end transaction",
    "catch:",
    '    display "caught: " with error_message',
    "end try",
    'store c as query db with "SELECT COUNT(*) AS n FROM t"',
    'display "rows: " with c[0]["n"]',
    "close database db",
    'display "closed"',
  ]));
  assert.match(out, /^caught: A database cannot be closed inside its own transaction; close it after 'end transaction'$/m);
  assert.match(out, /^rows: 0$/m);
  assert.match(out, /^closed$/m);
});

test("raw transaction control cannot bypass the guard with comments, inside or outside a transaction", () => {
  const forms = ["BEGIN", "/* x */ COMMIT", "-- c\\nROLLBACK", "/**/SAVEPOINT sp1", "  end", "RELEASE sp1",
    "ROLLBACK TO sp1", "BEGIN IMMEDIATE", "/* a */ /* b */ begin exclusive", "COMMIT;"];
  const lines = ['open database at "sqlite::memory:" as db', 'store s as execute db with "CREATE TABLE t (x INTEGER)"'];
  forms.forEach((sql, i) => {
    const lit = JSON.stringify(sql).replace(/\\\\n/g, "\\n");
    lines.push("try:", `    store r${i} as execute db with ${lit}`, `    display "ran ${i}"`, "catch:", `    display "refused ${i}: " with error_message`, "end try");
    lines.push("try:", "    in transaction on db:", '        store a as execute db with "INSERT INTO t VALUES (1)"',
      `        store q${i} as query db with ${lit}`, "    end transaction", "catch:", `    display "refused in ${i}: " with error_message`, "end try");
  });
  lines.push('store c as query db with "SELECT COUNT(*) AS n FROM t"', 'display "rows: " with c[0]["n"]');
  const out = ok(run(lines));
  for (let i = 0; i < forms.length; i++) {
    const guard = "Use 'in transaction on db:' … 'end transaction' instead of sending BEGIN, COMMIT, ROLLBACK, SAVEPOINT or RELEASE as SQL";
    assert.ok(out.includes(`refused ${i}: ${guard}\n`), forms[i]);
    assert.ok(out.includes(`refused in ${i}: ${guard}\n`), forms[i]);
  }
  assert.doesNotMatch(out, /^ran /m);
  assert.match(out, /^rows: 0$/m);
});

test("statements that merely mention transaction words still run", () => {
  const out = ok(run([
    'open database at "sqlite::memory:" as db',
    'store s as execute db with "/* BEGIN */ CREATE TABLE commits (savepoint TEXT, \\"rollback\\" TEXT)"',
    'store i as execute db with "-- COMMIT\\nINSERT INTO commits VALUES (?, ?)" and parameters ["BEGIN", "END"]',
    'store r as query db with "SELECT savepoint, \\"rollback\\" FROM commits"',
    'display r[0]["savepoint"] with " " with r[0]["rollback"]',
  ]));
  assert.match(out, /^BEGIN END$/m);
});

test("integers above 2^53 are read exactly (as text) and safe integers stay numbers", () => {
  const out = ok(run([
    'open database at "sqlite::memory:" as db',
    'store r as query db with "SELECT 9223372036854775807 AS big, -9223372036854775808 AS small, 9007199254740991 AS edge, 9007199254740993 AS over, 42 AS n, 2.5 AS x"',
    "for each k in [\"big\", \"small\", \"edge\", \"over\", \"n\", \"x\"]:",
    '    display k with "=" with r[0][k] with " " with typeof of r[0][k]',
    "end for",
    'store s as execute db with "CREATE TABLE t (id INTEGER PRIMARY KEY)"',
    'store i as execute db with "INSERT INTO t VALUES (9223372036854775000)"',
    'display "id " with i["last_insert_id"]',
  ]));
  assert.match(out, /^big=9223372036854775807 Text$/m);
  assert.match(out, /^small=-9223372036854775808 Text$/m);
  assert.match(out, /^edge=9007199254740991 Number$/m);
  assert.match(out, /^over=9007199254740993 Text$/m);
  assert.match(out, /^n=42 Number$/m);
  assert.match(out, /^x=2\.5 Number$/m);
  assert.match(out, /^id 9223372036854775000$/m);
});

test("whole numbers bind as INTEGER, fractions as REAL, yes/no as integers", () => {
  const out = ok(run([
    'open database at "sqlite::memory:" as db',
    'store r as query db with "SELECT typeof(?) AS a, typeof(?) AS b, typeof(?) AS c, typeof(?) AS d, ? AS e" and parameters [3, 3.5, yes, -0, 3]',
    'display r[0]["a"] with " " with r[0]["b"] with " " with r[0]["c"] with " " with r[0]["d"] with " " with r[0]["e"]',
  ]));
  assert.match(out, /^integer real integer integer 3$/m);
});

test("lists and maps as parameter values are refused, naming the position", () => {
  const out = ok(run([
    'open database at "sqlite::memory:" as db',
    "try:",
    '    store r as query db with "SELECT ?, ?" and parameters [1, [2, 3]]',
    "catch:",
    '    display "caught: " with error_message',
    "end try",
    "create map m:",
    '    a is 1',
    "end map",
    "try:",
    '    store r2 as query db with "SELECT ?" and parameters [m]',
    "catch:",
    '    display "caught: " with error_message',
    "end try",
  ]));
  assert.match(out, /^caught: SQL parameter 2 is a list; parameters must be text, numbers, yes\/no, nothing, binary or dates$/m);
  assert.match(out, /^caught: SQL parameter 1 is a map; /m);
});

test("$1 placeholders bind from the list; named placeholders bind from a map or get a clear error", () => {
  const out = ok(run([
    'open database at "sqlite::memory:" as db',
    'store r as query db with "SELECT $2 AS b, $1 AS a, $2 || \'$1\' AS c" and parameters ["x", "y"]',
    'display r[0]["a"] with r[0]["b"] with " " with r[0]["c"]',
    "create map named:",
    '    name is "Ada"',
    "    n is 2",
    "end map",
    'store r2 as query db with "SELECT :name AS who, @n * 2 AS twice" and parameters named',
    'display r2[0]["who"] with " " with r2[0]["twice"]',
    "try:",
    '    store r3 as query db with "SELECT :name" and parameters ["Ada"]',
    "catch:",
    '    display "caught: " with error_message',
    "end try",
    "try:",
    '    store r4 as query db with "SELECT $1, $2" and parameters ["only one"]',
    "catch:",
    '    display "caught: " with error_message',
    "end try",
    "try:",
    '    store r5 as query db with "SELECT ?" and parameters [1, 2]',
    "catch:",
    '    display "caught: " with error_message',
    "end try",
  ]));
  assert.match(out, /^xy y\$1$/m);
  assert.match(out, /^Ada 4$/m);
  assert.match(out, /^caught: The SQL uses the named placeholder ':name', so give the parameters as a map with an entry 'name'/m);
  assert.match(out, /^caught: The SQL uses placeholders up to \$2 but 1 parameter value was given$/m);
  assert.match(out, /^caught: The SQL has 1 \? placeholder but 2 parameter values were given$/m);
  assert.doesNotMatch(out, /Too many parameter values/);
});

test("sqlite URL mode=ro opens read-only, mode=rw needs the file, unknown options are refused", () => {
  const out = ok(run([
    'open database at "sqlite://made.db" as w',
    'store s as execute w with "CREATE TABLE t (x INTEGER)"',
    "close database w",
    'open database at "sqlite://made.db?mode=ro" as ro',
    "try:",
    '    store i as execute ro with "INSERT INTO t VALUES (1)"',
    "catch:",
    '    display "ro: " with error_message',
    "end try",
    'store c as query ro with "SELECT COUNT(*) AS n FROM t"',
    'display "ro rows: " with c[0]["n"]',
    'open database at "sqlite://made.db?mode=rw" as rw',
    'store i2 as execute rw with "INSERT INTO t VALUES (1)"',
    'display "rw inserted " with i2["affected_rows"]',
    "try:",
    '    open database at "sqlite://missing.db?mode=rw" as nope',
    "catch:",
    '    display "rw missing: " with error_message',
    "end try",
    "try:",
    '    open database at "sqlite://made.db?mode=ro&cache=shared" as bad',
    "catch:",
    '    display "option: " with error_message',
    "end try",
    "try:",
    '    open database at "sqlite://made.db?mode=readonly" as bad2',
    "catch:",
    '    display "mode: " with error_message',
    "end try",
  ]));
  assert.match(out, /^ro: SQL error: attempt to write a readonly database$/m);
  assert.match(out, /^ro rows: 0$/m);
  assert.match(out, /^rw inserted 1$/m);
  assert.match(out, /^rw missing: Cannot open the database at 'sqlite:\/\/missing\.db\?mode=rw'/m);
  assert.ok(!fs.existsSync(path.join(dir, "missing.db")), "mode=rw does not create the file");
  assert.match(out, /^option: Unknown database URL option 'cache'/m);
  assert.match(out, /^mode: Unknown database mode 'readonly'/m);
});

test("after SQLite rolls a transaction back itself (INSERT OR ROLLBACK), nothing more runs outside it", () => {
  const out = ok(run([
    'open database at "sqlite::memory:" as db',
    'store s as execute db with "CREATE TABLE t (x INTEGER PRIMARY KEY)"',
    'store s2 as execute db with "INSERT INTO t VALUES (1)"',
    "try:",
    "    in transaction on db:",
    '        store a as execute db with "INSERT INTO t VALUES (2)"',
    "        try:",
    '            store b as execute db with "INSERT OR ROLLBACK INTO t VALUES (1)"',
    "        catch:",
    '            display "inner: " with error_message',
    "        end try",
    '        store c as execute db with "INSERT INTO t VALUES (3)"',
    "    end transaction",
    "catch:",
    '    display "caught: " with error_message',
    "end try",
    "try:",
    "    in transaction on db:",
    "        try:",
    '            store d as execute db with "INSERT OR ROLLBACK INTO t VALUES (1)"',
    "        catch:",
    '            display "inner: " with error_message',
    "        end try",
    "    end transaction",
    "catch:",
    '    display "caught: " with error_message',
    "end try",
    'store r as query db with "SELECT group_concat(x) AS xs FROM t"',
    'display "rows: " with r[0]["xs"]',
  ]));
  assert.match(out, /^inner: SQL error: UNIQUE constraint failed: t\.x$/m);
  assert.match(out, /^caught: SQLite already rolled this transaction back after an earlier error, so nothing more can run in it$/m);
  assert.match(out, /^caught: SQLite rolled this transaction back after an error inside it, so nothing was committed$/m);
  assert.match(out, /^rows: 1$/m);
});

test("a COMMIT failure after the block waited (the asynchronous path) is caught and rolled back too", () => {
  const out = ok(run([...FK_SCHEMA,
    "try:",
    "    in transaction on db:",
    '        store a as execute db with "INSERT INTO child (pid) VALUES (42)"',
    "        wait for 5 milliseconds",
    "    end transaction",
    "catch:",
    '    display "caught: " with error_message',
    "end try",
    "try:",
    "    in transaction on db:",
    "        wait for 5 milliseconds",
    "        close database db",
    "    end transaction",
    "catch:",
    '    display "caught: " with error_message',
    "end try",
    'store c as query db with "SELECT COUNT(*) AS n FROM child"',
    'display "rows: " with c[0]["n"]',
  ]));
  assert.match(out, /^caught: The transaction could not be committed and was rolled back: FOREIGN KEY constraint failed$/m);
  assert.match(out, /^caught: A database cannot be closed inside its own transaction/m);
  assert.match(out, /^rows: 0$/m);
});

test("placeholder counting skips strings, quoted names and comments", () => {
  const out = ok(run([
    'open database at "sqlite::memory:" as db',
    'store r as query db with "SELECT \'?\' AS q, \'x$1\' AS \\"?\\", ? AS v /* ? :a */ -- $2" and parameters [5]',
    'display r[0]["q"] with " " with r[0]["?"] with " " with r[0]["v"]',
    'store s as execute db with "CREATE TABLE t (a$1 INTEGER, [b?] TEXT)"',
    'store i as execute db with "INSERT INTO t VALUES ($1, $2)" and parameters [7, ":x"]',
    'store r2 as query db with "SELECT a$1 AS a, [b?] AS b FROM t"',
    'display r2[0]["a"] with " " with r2[0]["b"]',
  ]));
  assert.match(out, /^\? x\$1 5$/m);
  assert.match(out, /^7 :x$/m);
});

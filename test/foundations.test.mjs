// The foundations issue's defects, each named after what was wrong: spans, contextual words,
// `when` kinds, line endings, names with keywords inside, and the grammar's own checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wfl-foundations-"));
let n = 0;

/** Runs `bin/wfl [flags] file` on `source`; returns exit code, stdout and stderr. */
function wfl(source, flags = [], env = {}) {
  const file = join(dir, `p${++n}.wfl`);
  writeFileSync(file, source);
  const r = spawnSync("bin/wfl", [...flags, file], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr.replaceAll(file, "prog.wfl") };
}

/** The caret line of a diagnostic (the last line with a `^`). */
function caretLine(stderr) {
  return stderr.split("\n").filter((l) => l.includes("^")).pop();
}

test("spans are one character wide: a parse error underlines the whole offending token", () => {
  const r = wfl('listen on banana 8080 as web\n', ["--parse"]);
  assert.equal(r.code, 1);
  assert.equal(r.err, [
    "error[PARSE]: Expected 'port' here, but found 'banana'.",
    "  ┌─ prog.wfl:1:11",
    "  │",
    "1 │ listen on banana 8080 as web",
    "  │           ^^^^^^",
    "",
  ].join("\n"));
});

test("spans are one character wide: an undefined name underlines the whole name", () => {
  const r = wfl("store total as 1\ndisplay total plus missing_value\n");
  assert.equal(r.code, 1);
  assert.match(r.err, /Variable 'missing_value' is not defined/);
  assert.equal(caretLine(r.err), "  │                    ^^^^^^^^^^^^^");
});

test("spans are one character wide: a runtime error underlines its operator", () => {
  const r = wfl("store x as 0\ndisplay 10 divided by x\n");
  assert.equal(r.code, 1);
  assert.match(r.err, /prog\.wfl:2:12/);
  assert.equal(caretLine(r.err), "  │            ^^^^^^^");
});

test("the AST carries real start..end spans", () => {
  const r = wfl('store greeting as "hello"\n', ["--parse"]);
  assert.equal(r.code, 0, r.err);
  const ast = JSON.parse(r.out);
  const store = (ast.body ?? ast)[0];
  assert.deepEqual(store.nameSpan, { start: 6, end: 14 });
  assert.deepEqual(store.value.span, { start: 18, end: 25 });
  assert.deepEqual(store.span, { start: 0, end: 25 });
});

test("fixed words are accepted as any identifier: `listen on banana 8080` is a syntax error", () => {
  const r = wfl("listen on banana 8080 as web\n", ["--parse"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /Expected 'port' here, but found 'banana'/);
});

test("fixed words are accepted as any identifier: `open file at p for banana` does not mean write", () => {
  const r = wfl('open file at "x.txt" for banana as h\n', ["--parse"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /Expected 'reading', 'writing', 'appending', 'read' or 'append' here, but found 'banana'/);
});

test("fixed words are accepted as any identifier: `for reading quickly` does not mean binary", () => {
  const r = wfl('open file at "x.txt" for reading quickly as h\n', ["--parse"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /Expected 'binary' here, but found 'quickly'/);
});

test("fixed words are accepted as any identifier: `respond … and colour` does not set the content type", () => {
  const r = wfl('respond to req with "x" and colour "red"\n', ["--parse"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /Expected 'status', 'content type', 'content_type', 'headers' or 'header' here, but found 'colour'/);
});

test("fixed words are accepted as any identifier: the documented words still parse", () => {
  const r = wfl([
    'open file at "x.txt" for writing as h',
    'open file at "x.txt" for reading binary as b',
    'respond to req with "x" and status 201 and content type "text/plain" and headers h',
    "listen on port 8080 as web",
    "wait for request comes in on web as req with timeout 100",
    "",
  ].join("\n"), ["--parse"]);
  assert.equal(r.code, 0, r.err);
});

test("names that contain fixed or soft words keep working (`store page count as 1`)", () => {
  const r = wfl([
    "store page count as 1",
    "change page count to page count plus 2",
    "display page count",
    "store port as 8080",
    "display port",
    "store count as 5",
    "display count",
    "",
  ].join("\n"));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "3\n8080\n5\n");
});

test("unknown `when` phrases catch everything: a misspelt kind is an analysis error", () => {
  const r = wfl("try:\n  display 1 divided by 0\nwhen file not fund:\n  display \"caught\"\nend try\n");
  assert.equal(r.code, 1);
  assert.equal(r.out, "");
  assert.match(r.err, /^error\[ANALYZE-SEMANTIC\]: 'when file not fund' names no kind of error; use one of: error, error occurs, /);
  assert.equal(caretLine(r.err), "  │      ^^^^^^^^^^^^^");
});

test("unknown `when` phrases catch everything: `when timeout` catches only timeouts", () => {
  const r = wfl([
    "try:",
    "  display 1 divided by 0",
    "when timeout:",
    '  display "wrong handler"',
    "when error:",
    '  display "caught: " with error_message',
    "end try",
    "",
  ].join("\n"));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "caught: Division by zero\n");
});

test("unknown `when` phrases catch everything: `when file not found` catches only a missing file", () => {
  const r = wfl([
    "try:",
    '  open file at "/no/such/dir/x.txt" for reading as h',
    "when permission denied:",
    '  display "wrong handler"',
    "when file not found:",
    '  display "not found"',
    "end try",
    "",
  ].join("\n"));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "not found\n");
});

test("CR-only line endings: errors are reported at the right line and column", () => {
  const r = wfl("store x as 1\rdisplay y\r");
  assert.equal(r.code, 1);
  assert.match(r.err, /prog\.wfl:2:9/);
  assert.match(r.err, /2 │ display y\n/);
});

test("CRLF and CR line endings parse and report like LF", () => {
  for (const nl of ["\n", "\r\n", "\r"]) {
    const lines = ["store a as 2", "check if a is 2:", '  display "two"', "end check"];
    const ok = wfl([...lines, ""].join(nl));
    assert.equal(ok.out, "two\n", JSON.stringify(nl));
    const bad = wfl([...lines, "display b", ""].join(nl));
    assert.match(bad.err, /prog\.wfl:5:9\n  │\n5 │ display b\n  │         \^\n/, JSON.stringify(nl));
  }
});

test("a grammar test that cannot fail: the unsnapshotted parser passes Chevrotain's validations", () => {
  // dist/cli.js builds the parser itself (no start-up snapshot); WFL_PARSER_VALIDATE=1 turns on
  // every definition check (ambiguities, duplicate occurrences, left recursion).
  const file = join(dir, "v.wfl");
  writeFileSync(file, 'display "ok"\n');
  const r = spawnSync(process.execPath, ["dist/cli.js", file], { cwd: root, encoding: "utf8", env: { ...process.env, WFL_PARSER_VALIDATE: "1" } });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "ok\n");
});

test("the parser recovers and reports every syntax error of a file, in order", () => {
  const r = wfl([
    "store x as 1",
    "display x plus",
    "store y as 2",
    "listen on banana 80 as w",
    "check if y is 2:",
    '  display "a" with',
    "end check",
    "end action",
    "display y",
    "",
  ].join("\n"));
  assert.equal(r.code, 1);
  assert.equal(r.out, "");
  const heads = r.err.split("\n").filter((l) => l.startsWith("error[") || l.includes("┌─"));
  assert.deepEqual(heads, [
    "error[PARSE]: Expected a value (a number, text in quotes, a variable or a call), but found the end of the line.",
    "  ┌─ prog.wfl:2:15",
    "error[PARSE]: Expected 'port' here, but found 'banana'.",
    "  ┌─ prog.wfl:4:11",
    "error[PARSE]: Expected a value (a number, text in quotes, a variable or a call), but found the end of the line.",
    "  ┌─ prog.wfl:6:19",
    "error[PARSE]: This 'end' line has no block to close: there is no matching 'check if', 'count', 'for each', 'define action' … above it.",
    "  ┌─ prog.wfl:8:1",
  ]);
});

test("the parser's error count is capped", () => {
  const r = wfl(Array.from({ length: 100 }, (_, i) => `listen on banana${i} 80 as w`).join("\n") + "\n");
  assert.equal(r.code, 1);
  assert.equal(r.err.split("\n").filter((l) => l.startsWith("error[PARSE]")).length, 25);
});

test("documented forms: `exit with code N` ends the program with that status", () => {
  const r = wfl('display "before"\nexit with code 3\ndisplay "after"\n');
  assert.equal(r.code, 3);
  assert.equal(r.out, "before\n");
  assert.equal(r.err, "");
  const bad = wfl("exit with code 300\n");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^error\[RUNTIME\]: An exit code must be a whole number from 0 to 255, got 300/);
});

test("documented forms: `execute command … with arguments … as result` needs no `wait for`", () => {
  const r = wfl('execute command "echo" with arguments ["hi"] as result\n', ["--parse"]);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out)[0].kind, "RunCommand");
});

test("every binder name carries a real start..end span", () => {
  const source = [
    "store page count as 1",
    "for each item in [1, 2]:",
    "    display item",
    "end for",
    "count from 1 to 2 as step number:",
    "    display step number",
    "end count",
    "define action called sum up with first value and second value:",
    "    return first value plus second value",
    "end action",
    "create list shopping items:",
    '    add "milk"',
    "end list",
    "create map user info:",
    '    name is "Ada"',
    "end map",
    "try:",
    "    display 1 divided by 0",
    "when error as problem:",
    "    display problem",
    "end try",
    'open file at "x.txt" for writing as output handle',
    'execute command "ls" as listing',
    "listen on port 8080 as web server",
    "wait for request comes in on web server as the request",
    'connect to database at "sqlite::memory:" as the db',
    'begin transaction on the db as tx',
    'execute query "SELECT 1" on tx as result rows',
    "",
  ].join("\n");
  const r = wfl(source, ["--parse"]);
  assert.equal(r.code, 0, r.err);
  const seen = [];
  const visit = (n) => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!n || typeof n !== "object") return;
    for (const [nameKey, spanKey] of [["name", "nameSpan"], ["varName", "varNameSpan"], ["bind", "bindSpan"], ["output", "outputSpan"]]) {
      if (typeof n[nameKey] === "string" && n[spanKey]) {
        seen.push(n[nameKey]);
        assert.equal(source.slice(n[spanKey].start, n[spanKey].end).split(/\s+/).join(" "), n[nameKey], `${n.kind ?? "node"}.${spanKey}`);
      }
    }
    for (const v of Object.values(n)) visit(v);
  };
  visit(JSON.parse(r.out));
  assert.deepEqual(seen.sort(), [
    "first value", "item", "listing", "output handle", "page count", "problem", "result rows", "second value",
    "shopping items", "step number", "sum up", "the db", "the request", "tx", "user info", "web server",
  ]);
});

test("many diagnostics are shown without rescanning the source for each (30,000 in well under 10 s)", () => {
  const lines = Array.from({ length: 30000 }, (_, i) => `display undefined_name_${i}`);
  const t0 = Date.now();
  const r = wfl(lines.join("\n") + "\n");
  assert.equal(r.code, 1);
  assert.equal(r.err.split("\n").filter((l) => l.startsWith("error[")).length, 30000);
  assert.match(r.err, /prog\.wfl:30000:9/);
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
});

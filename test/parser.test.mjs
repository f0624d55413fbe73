// The grammar itself: Chevrotain's definition checks, and how sample lines parse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wfl-parse-"));

function parse(source) {
  const file = join(dir, "p.wfl");
  writeFileSync(file, source);
  const r = spawnSync("bin/wfl", ["--parse", file], { cwd: root, encoding: "utf8" });
  return { code: r.status, ast: r.status === 0 ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

// Built in a fresh Node from the plain module (dist/internal.js, never the start-up snapshot, whose
// parser was built with validations off), with WFL_PARSER_VALIDATE=1 so that Chevrotain's
// performSelfAnalysis runs every definition check and throws on the first report.
function grammarDefinitionErrors() {
  const script = `
    const { grammarProductions } = await import(${JSON.stringify(new URL("../dist/internal.js", import.meta.url).href)});
    try { grammarProductions(); console.log(JSON.stringify({ ok: true })); }
    catch (e) { console.log(JSON.stringify({ ok: false, message: String(e && e.message) })); }`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root, encoding: "utf8", env: { ...process.env, WFL_PARSER_VALIDATE: "1" },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

test("the grammar passes Chevrotain's definition checks (no ambiguity, no duplicate occurrences, no left recursion)", () => {
  const r = grammarDefinitionErrors();
  assert.equal(r.ok, true, `Chevrotain reports definition errors:\n${r.message}`);
});

const shape = (e) => {
  switch (e.kind) {
    case "Binary": return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
    case "Logical": return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
    case "Concat": return `(${shape(e.left)} with ${shape(e.right)})`;
    case "Call": return `${e.callee}(${e.args.map(shape).join(", ")})`;
    case "Var": return e.name;
    case "Number": return String(e.value);
    case "Text": return JSON.stringify(e.value);
    case "Not": return `not ${shape(e.operand)}`;
    case "Between": return `between(${shape(e.value)}, ${shape(e.low)}, ${shape(e.high)})`;
    case "Index": return `${shape(e.target)}[${shape(e.index)}]`;
    case "ListLit": return `[${e.items.map(shape).join(", ")}]`;
    default: return e.kind;
  }
};

const cases = [
  ["1 plus 2 times 3", "(1 + (2 * 3))"],
  ["(1 plus 2) times 3", "((1 + 2) * 3)"],
  ["10 - 4 - 3", "((10 - 4) - 3)"],
  ['"a" with x plus 1', '("a" with (x + 1))'],
  ["f of n minus 1", "f((n - 1))"],
  ["n times f of n minus 1", "(n * f((n - 1)))"],
  ['padleft of "42" and 6 with "x"', '(padleft("42", 6) with "x")'],
  ["a is greater than or equal to b", "(a >= b)"],
  ["a is not equal to b", "(a != b)"],
  ["x is between 1 and 10", "between(x, 1, 10)"],
  ["a and b or c", "((a and b) or c)"],
  ["a or b and c", "(a or (b and c))"],
  ["length of items minus 1", "(length(items) - 1)"],
  ["numbers 1", "numbers[1]"],
  ["user name is 5", "(user name == 5)"],
  ["[1 and 2 and 3]", "[1, 2, 3]"],
  ["xs[0] plus 1", "(xs[0] + 1)"],
  ["typeof of user name", "typeof(user name)"],
  ["substring of t from 0 length 5", "substring(t, 0, 5)"],
  ["text contains \"x\"", '(text contains "x")'],
];

for (const [src, want] of cases) {
  test(`parses: ${src}`, () => {
    const r = parse(`display ${src}\n`);
    assert.equal(r.code, 0, r.stderr);
    const e = r.ast[0].values[0];
    // `display a with b` keeps concatenation; compare the shape of the whole first value.
    assert.equal(shape(e).replace(/^\((.*) with \)$/, "$1"), want);
  });
}

test("identifiers may contain spaces and soft keywords may name variables", () => {
  const r = parse("store user name as 1\nstore count as 2\nstore list as [1]\n");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.ast.map((s) => s.name), ["user name", "count", "list"]);
});

test("a parse error names the file, line and column, shows a caret and exits 1", () => {
  const r = parse("store x as 5\nstore z as\n");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /p\.wfl:2:11/);
  assert.match(r.stderr, /Expected a value/);
  assert.match(r.stderr, /\n2 │ store z as\n/);
  assert.match(r.stderr, /\^/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test("block-ending mistakes are explained in plain words", () => {
  assert.match(parse("check if 1 is 1:\n  display 1\n").stderr, /Expected 'end check' to close the 'check if' block, but found the end of the file\./);
  assert.match(parse("define action called greet:\n  display 1\nend check\n").stderr, /This 'define action' block must end with 'end action', but found 'end check'\./);
  assert.match(parse("end check\n").stderr, /This 'end' line has no block to close/);
  assert.match(parse("otherwise:\n").stderr, /This 'otherwise' has no 'check if'/);
});

test("--lex lists tokens with the line and column diagnostics use (columns count characters)", () => {
  const file = join(dir, "lex.wfl");
  writeFileSync(file, 'store x as 1\n  display "é" with x // note\n\nstore y as "a\\"b"\n');
  const r = spawnSync("bin/wfl", ["--lex", file], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split("\n"), [
    '1:1 Kw_store "store"', '1:7 Identifier "x"', '1:9 Kw_as "as"', '1:12 NumberLiteral "1"', '1:13 Newline "\\n"',
    '2:3 Kw_display "display"', '2:11 StringLiteral "\\"é\\""', '2:15 Kw_with "with"', '2:20 Identifier "x"', '2:29 Newline "\\n"',
    '4:1 Kw_store "store"', '4:7 Identifier "y"', '4:9 Kw_as "as"', '4:12 StringLiteral "\\"a\\\\\\"b\\""', '4:18 Newline "\\n"',
  ]);
});

test("the seed's SQL statements parse (execute query … on, begin/commit/rollback transaction, count through, field … of)", () => {
  const r = parse([
    "connect to database at args[0] as db",
    'execute query "SELECT id FROM t WHERE a = $1" on db with parameters [x] as results',
    'execute query "DELETE FROM t" on db',
    "count through results as row:",
    '    store v as field "id" of row',
    "end count",
    "count from 1 to 3:",
    "    display count",
    "end count",
    "begin transaction on db as tx",
    'execute query "UPDATE t SET a = 1" on tx with parameters [] as changed',
    "commit transaction tx",
    "rollback transaction tx",
    'store old as query db with "SELECT 1"',
    "close database db",
  ].join("\n") + "\n");
  assert.equal(r.code, 0, r.stderr);
  const kinds = r.ast.map((s) => s.kind);
  assert.deepEqual(kinds, ["OpenDatabase", "ExecuteQuery", "ExecuteQuery", "ForEach", "CountLoop", "BeginTransaction", "ExecuteQuery", "EndTransaction", "EndTransaction", "Store", "CloseDatabase"]);
  assert.equal(r.ast[1].name, "results");
  assert.equal(r.ast[2].name, null);
  assert.equal(r.ast[3].name, "row");
  assert.equal(r.ast[3].body[0].value.kind, "FieldOf");
  assert.equal(r.ast[7].commit, true);
  assert.equal(r.ast[8].commit, false);
  assert.equal(r.ast[9].value.kind, "DbQuery");
  // The fixed words stay free as variable names.
  const names = parse('store field as 1\nstore query as 2\nstore begin as 3\nstore commit as 4\nstore through as 5\ndisplay field with query with begin\n');
  assert.equal(names.code, 0, names.stderr);
});

test("the seed's template, rate-limit and e-mail forms parse (sections 3.7-3.9), and their words stay free as names", () => {
  const r = parse([
    'store templates as load templates from "templates/"',
    'store html as render template "home.html" with data using templates',
    'store page as render template string "<h1>{{ title }}</h1>" with data',
    'store limiter as create rate limiter with limit 60 per "minute"',
    'store shared as create rate limiter with limit 5 per "minute" and max keys 100 using database db called "login"',
    "store allowed as check rate limit on limiter for client_ip",
    'store left as remaining requests on limiter for "user:" with name',
    "store hs as rate limit headers on limiter for ip",
    "reset rate limit on limiter for client_ip",
    'store mailer as connect to email server at "smtp.example.com" with port 587 and username "u" and password smtp_password',
    'connect to email server at "localhost" with port 1025 without tls as dev',
    'store email as create email with from "a@example.com" and to user_email and subject "Hi " with name and body email_body',
    "send email using mailer",
    "close email server mailer",
  ].join("\n") + "\n");
  assert.equal(r.code, 0, r.stderr);
  const values = r.ast.map((s) => (s.kind === "Store" ? s.value.kind : s.kind));
  assert.deepEqual(values, ["LoadTemplates", "RenderTemplate", "RenderTemplateString", "CreateRateLimiter", "CreateRateLimiter", "CheckRateLimit",
    "RemainingRequests", "RateLimitHeaders", "ResetRateLimit", "ConnectEmail", "ConnectEmail", "CreateEmail", "SendEmail", "CloseMailer"]);
  assert.equal(r.ast[1].value.data.name, "data");
  assert.equal(r.ast[4].value.maxKeys.value, 100);
  assert.equal(r.ast[6].value.key.kind, "Concat");
  assert.equal(r.ast[10].name, "dev");
  assert.equal(r.ast[10].value.tls, false);
  assert.deepEqual(r.ast[11].value.fields.map((f) => f.name), ["from", "to", "subject", "body"]);
  assert.equal(r.ast[11].value.fields[2].value.kind, "Concat");
  const names = parse('store rate as 1\nstore email as 2\nstore send as 3\nstore render as 4\nstore remaining as 5\nstore templates as 6\ndisplay rate with email with send with render with remaining with templates\n');
  assert.equal(names.code, 0, names.stderr);
});

// The grammar of sessions (seed 3.6) and route registration (3.10) beside the rest of the language:
// the words they use stay usable as names, the forms they share a first word with parse as before,
// and their runtime errors are plain sentences at the failing line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wfl-sessions-syntax-"));
let n = 0;

function run(source, ...flags) {
  const file = join(dir, `p${n++}.wfl`);
  writeFileSync(file, source);
  const r = spawnSync("bin/wfl", [...flags, file], { cwd: root, encoding: "utf8", env: { ...process.env, WFL_PARSER_VALIDATE: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const kinds = (out) => [...out.matchAll(/"kind": *"([A-Za-z]+)"/g)].map((m) => m[1]);

test("start, set, get, session, parameter and enable remain usable as variable names", () => {
  const r = run("store start as 1\nstore set as 2\nstore get as 3\nstore session as 4\nstore parameter as 5\nstore enable as 6\ndisplay start plus set plus get plus session plus parameter plus enable\n");
  assert.deepEqual([r.code, r.out, r.err], [0, "21\n", ""]);
});

test("`create list with A, B` makes a list; `create list` and `create list items` are unchanged", () => {
  const r = run('store xs as create list with "read", "write", 1 plus 2\ndisplay xs\nstore e as create list\ndisplay length of e\ncreate list items\ndisplay length of items\n');
  assert.deepEqual([r.code, r.out], [0, "[read, write, 3]\n0\n0\n"]);
});

test("`store x to 5` is still the error that asks for 'as'", () => {
  const r = run("store x to 5\n");
  assert.equal(r.code, 1);
  assert.match(r.err, /Expected 'as' here, but found 'to'/);
});

test("plain `respond`, `listen` and `register signal handler` parse as the web room's statements", () => {
  const r = run('define action called h:\n    display 1\nend action\nregister signal handler for SIGINT as h\nlisten on port 0 as s\nstore r as 1\nrespond to r with "x" and status 200\n', "--parse");
  assert.equal(r.code, 0, r.err);
  const k = kinds(r.out);
  for (const kind of ["RegisterSignal", "Listen", "Respond"]) assert.ok(k.includes(kind), kind);
  assert.ok(!k.includes("SessionListen") && !k.includes("RegisterRoute"));
  assert.match(r.out, /"session": *null/, "a plain respond sets no session");
});

test("the session and route forms parse to their own nodes", () => {
  const src = [
    "listen on port 0 as server with sessions enabled",
    'configure sessions on server with storage "memory" and timeout 5000',
    "enable csrf protection on server",
    "enable secure cookies on server",
    'register route "GET" at "/a/:b" on server as h',
    "define action called h with parameters request:",
    "    store s as create session for request",
    '    set session value "k" to current time in milliseconds in s',
    '    store v as get session value "k" from s',
    "    store t as generate csrf token for s",
    '    store q as parameter "q" of request',
    '    store b as route parameter "b" of request',
    '    store ua as header "User-Agent" of request',
    '    respond to request with v and set session s and status 201',
    "end action",
    "store e as find expired sessions on server",
    "start server",
  ].join("\n") + "\n";
  const r = run(src, "--parse");
  assert.equal(r.code, 0, r.err);
  const k = kinds(r.out);
  for (const kind of ["SessionListen", "ConfigureSessions", "EnableSessionOption", "RegisterRoute", "CreateSession", "SetSessionValue",
    "GetSessionValue", "CsrfToken", "RequestParameter", "RequestHeader", "Respond", "SessionQuery", "StartServer"]) {
    assert.ok(k.includes(kind), kind);
  }
  // `and set session s` is an option of the one respond statement.
  const responds = [];
  JSON.stringify(JSON.parse(r.out), (key, v) => { if (v && v.kind === "Respond") responds.push(v); return v; });
  assert.equal(responds.length, 1);
  assert.equal(responds[0].session.name, "s");
  assert.equal(responds[0].status.value, 201);
});

test("`respond … and set session` / `and clear session` take the same content as any respond: joined text, a builtin call, then options", () => {
  const src = [
    "listen on port 0 as server with sessions enabled",
    "define action called h with parameters request:",
    "    store s as create session for request",
    '    store name as "Ada"',
    '    check if name is "Ada":',
    '        respond to request with "Hi " with name and set session s',
    "    otherwise:",
    '        respond to request with stringify_json of name and content_type "application/json" and clear session',
    "    end check",
    "end action",
  ].join("\n") + "\n";
  const r = run(src, "--parse");
  assert.equal(r.code, 0, r.err);
  const responds = [];
  JSON.stringify(JSON.parse(r.out), (key, v) => { if (v && v.kind === "Respond") responds.push(v); return v; });
  assert.equal(responds.length, 2);
  assert.equal(responds[0].session.name, "s");
  assert.equal(responds[0].clearSession, false);
  assert.match(JSON.stringify(responds[0].content), /"Hi "/);
  assert.equal(responds[1].session, null);
  assert.equal(responds[1].clearSession, true);
  assert.equal(responds[1].contentType.value, "application/json");
});

test("a route handler that is not an action, or a session statement without a request, is a plain error at its line", () => {
  const a = run('listen on port 0 as server\nstore h as 5\nregister route "GET" at "/" on server as h\n');
  assert.equal(a.code, 1);
  assert.match(a.err, /'h' is not an action, so it cannot handle a route/);
  assert.match(a.err, /:3:/);
  const b = run("store r as 5\nstore s as get session from r\n");
  assert.equal(b.code, 1);
  assert.match(b.err, /get session from needs a request from 'wait for request … as name'/);
  const c = run('listen on port 0 as server\nstore e as find expired sessions on server\n');
  assert.equal(c.code, 1);
  assert.match(c.err, /Sessions are not enabled on this server/);
  const d = run('listen on port 0 as server\nregister route "GET" at "/" on server as nowhere\n');
  assert.equal(d.code, 1);
  assert.match(d.err, /nowhere/);
});

test("`set session value K to V in S` takes a value joined with `with` (as `store … as` does), and the session after `in`", () => {
  const src = [
    "listen on port 0 as server with sessions enabled",
    "define action called h with parameters request:",
    "    store s as create session for request",
    '    store name as "Ada"',
    '    set session value "notice" to "Welcome, " with name with "." in s',
    '    set session value "k" to "at " with current time in milliseconds in s',
    "end action",
  ].join("\n") + "\n";
  const r = run(src, "--parse");
  assert.equal(r.code, 0, r.err);
  const ast = JSON.parse(r.out);
  const sets = [];
  JSON.stringify(ast, (k, v) => { if (v && v.kind === "SetSessionValue") sets.push(v); return v; });
  assert.equal(sets.length, 2);
  for (const s of sets) {
    assert.equal(s.value.kind, "Concat");
    assert.deepEqual([s.session.kind, s.session.name], ["Var", "s"]);
  }
});

test("`register fallback route on S as h` parses to its own node, and `fallback` stays usable as a name", () => {
  const r = run('listen on port 0 as server\ndefine action called h with parameters request:\n    respond to request with "x"\nend action\nregister fallback route on server as h\nstore fallback as 3\ndisplay fallback\n', "--parse");
  assert.equal(r.code, 0, r.err);
  const k = kinds(r.out);
  assert.ok(k.includes("RegisterFallback"));
  assert.ok(!k.includes("RegisterRoute"));
  const plain = run("store fallback as 3\ndisplay fallback plus 1\n");
  assert.deepEqual([plain.code, plain.out, plain.err], [0, "4\n", ""]);
});

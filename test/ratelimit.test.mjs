// Seed 003, section 3.8 (Rate Limiting): one test per acceptance criterion, named after it, plus
// issue 10's extras (a cap on tracked keys, database limiters shared by processes, RateLimit-*
// headers). Programs run through bin/wfl (servers answered by real HTTP requests), the memory
// measurements in a child Node with --expose-gc.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startPostgres } from "../scripts/pg-test-server.mjs";
import { startServer, killServers } from "./support/server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const SEED = fs.readFileSync(path.join(root, "../shared/seeds/003_f58ccd719845dba9.txt"), "utf8");
const skipPg = process.env.WFL_SKIP_POSTGRES === "1";
let dir;
let pg = null;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-ratelimit-")); });
after(async () => {
  killServers();
  if (pg) await pg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function write(lines) {
  const file = path.join(dir, `r${++n}.wfl`);
  fs.writeFileSync(file, Array.isArray(lines) ? lines.join("\n") + "\n" : lines);
  return file;
}
function run(lines, args = []) {
  return spawnSync(path.join(root, "bin/wfl"), [write(lines), ...args], { cwd: dir, encoding: "utf8" });
}
function runAsync(file, args = []) {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "bin/wfl"), [file, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}
const ok = (r) => {
  assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /INTERNAL|at .*\.js:\d+/);
  return r.stdout;
};
const lines = (r) => ok(r).trimEnd().split("\n");

/** Starts a server program (in the test's folder); resolves with its port, output and exit promise. */
const serve = (lines) => startServer(write(lines), { cwd: dir });

test('`create rate limiter with limit 60 per "minute"` creates a limiter allowing 60 requests/minute', () => {
  const out = lines(run([
    'store limiter as create rate limiter with limit 60 per "minute"',
    "display limiter",
    "store allowed_count as 0",
    "count from 1 to 61:",
    '    check if check rate limit on limiter for "client" is yes:',
    "        add 1 to allowed_count",
    "    end check",
    "end count",
    'display "allowed: " with allowed_count',
    'display "remaining: " with remaining requests on limiter for "client"',
  ]));
  assert.deepEqual(out, ["[RateLimiter: 60 per minute]", "allowed: 60", "remaining: 0"]);
  // Other units, and the plural spelling.
  assert.deepEqual(lines(run([
    'display create rate limiter with limit 10 per "hour"',
    'display create rate limiter with limit 5 per "days"',
    'display create rate limiter with limit 1 per "second"',
  ])), ["[RateLimiter: 10 per hour]", "[RateLimiter: 5 per day]", "[RateLimiter: 1 per second]"]);
});

test('`check rate limit on limiter for "key"` returns `true` when under limit, `false` when exceeded', () => {
  const out = lines(run([
    'store limiter as create rate limiter with limit 3 per "minute"',
    "count from 1 to 5:",
    '    store allowed as check rate limit on limiter for "key"',
    "    display allowed",
    "end count",
    'display typeof of check rate limit on limiter for "key"',
  ]));
  assert.deepEqual(out, ["yes", "yes", "yes", "no", "no", "Boolean"]);
});

test("Sliding window: requests from >1 window ago don't count against current limit", () => {
  // Limit 2 per second. Requests at 0 s and 0.5 s; at 1.1 s the first has left the window (one
  // more is allowed) but the second has not (a fixed window starting at 1 s would allow two).
  const out = lines(run([
    'store limiter as create rate limiter with limit 2 per "second"',
    'display "t0: " with check rate limit on limiter for "k"',
    "wait for 500 milliseconds",
    'display "t0.5: " with check rate limit on limiter for "k"',
    'display "t0.5 again: " with check rate limit on limiter for "k"',
    "wait for 620 milliseconds",
    'display "t1.1: " with check rate limit on limiter for "k"',
    'display "t1.1 again: " with check rate limit on limiter for "k"',
    "wait for 1100 milliseconds",
    'display "t2.2 remaining: " with remaining requests on limiter for "k"',
  ]));
  assert.deepEqual(out, ["t0: yes", "t0.5: yes", "t0.5 again: no", "t1.1: yes", "t1.1 again: no", "t2.2 remaining: 2"]);
});

test('`remaining requests on limiter for "key"` returns correct count', () => {
  const out = lines(run([
    'store limiter as create rate limiter with limit 5 per "minute"',
    'display remaining requests on limiter for "k"',
    'store a as check rate limit on limiter for "k"',
    'store b as check rate limit on limiter for "k"',
    'display remaining requests on limiter for "k"',
    "count from 1 to 6:",
    '    store c as check rate limit on limiter for "k"',
    "end count",
    // Refused requests are not counted: still 0, not negative.
    'display remaining requests on limiter for "k"',
    'reset rate limit on limiter for "k"',
    'display remaining requests on limiter for "k"',
    // Asking does not count a request.
    'display remaining requests on limiter for "k"',
  ]));
  assert.deepEqual(out, ["5", "3", "0", "5", "5"]);
});

test("Different keys are tracked independently", () => {
  const out = lines(run([
    'store limiter as create rate limiter with limit 2 per "minute"',
    'store ips as ["10.0.0.1", "10.0.0.2"]',
    "for each ip in ips:",
    "    store first as check rate limit on limiter for ip",
    "end for",
    'store x as check rate limit on limiter for "10.0.0.1"',
    'display check rate limit on limiter for "10.0.0.1"',
    'display remaining requests on limiter for "10.0.0.2"',
    'display check rate limit on limiter for "10.0.0.2"',
    'display check rate limit on limiter for "user:" with "ada"',
    'reset rate limit on limiter for "10.0.0.1"',
    'display remaining requests on limiter for "10.0.0.1"',
    'display remaining requests on limiter for "10.0.0.2"',
    // Two limiters never share counts.
    'store other as create rate limiter with limit 2 per "minute"',
    'display remaining requests on other for "10.0.0.2"',
  ]));
  assert.deepEqual(out, ["no", "1", "yes", "yes", "2", "0", "2"]);
});

/** A server that answers `count` requests through one limiter, 429 with headers when refused. */
const limitedServer = (limit, count, limiterLine = `store limiter as create rate limiter with limit ${limit} per "minute"`) => [
  limiterLine,
  "listen on port 0 as srv",
  "display srv",
  `count from 1 to ${count}:`,
  "    wait for request comes in on srv as request with timeout 20000",
  "    store client_ip as client_ip of request",
  "    store allowed as check rate limit on limiter for client_ip",
  "    store headers_out as rate limit headers on limiter for client_ip",
  "    check if allowed is false:",
  '        respond to request with "Rate limit exceeded" and status 429 and headers headers_out',
  "    otherwise:",
  '        respond to request with "ok" and headers headers_out',
  "    end check",
  "end count",
];

test("Limiter is safe for concurrent use within WFL's async runtime", async (t) => {
  await t.test("30 concurrent HTTP requests through a limit of 10: exactly 10 allowed", async () => {
    const { port, io, exited } = await serve(limitedServer(10, 30));
    const responses = await Promise.all(Array.from({ length: 30 }, () => fetch(`http://127.0.0.1:${port}/`).then(async (r) => ({ status: r.status, headers: r.headers, body: await r.text() }))));
    const allowed = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    assert.equal(allowed.length, 10);
    assert.equal(refused.length, 20);
    assert.deepEqual(allowed.map((r) => Number(r.headers.get("ratelimit-remaining"))).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(await exited, 0, io.err);
  });
  await t.test("two processes sharing a SQLite database limiter allow exactly the limit between them", async () => {
    await sharedDatabase(`sqlite://${path.join(dir, "shared.db")}`);
  });
  await t.test("two processes sharing a PostgreSQL database limiter allow exactly the limit between them", { skip: skipPg && "WFL_SKIP_POSTGRES=1" }, async () => {
    pg ??= await startPostgres();
    assert.ok(pg, "PostgreSQL 15 is not installed (.ci/run installs it; WFL_SKIP_POSTGRES=1 skips this)");
    await sharedDatabase(pg.url);
  });
});

/** Two processes each try 120 requests on one key of a 150-per-minute database limiter. */
async function sharedDatabase(url) {
  const file = write([
    "connect to database at args[0] as db",
    'store limiter as create rate limiter with limit 150 per "minute" using database db called "shared-test"',
    "store allowed_count as 0",
    "count from 1 to 120:",
    '    check if check rate limit on limiter for "one-key" is yes:',
    "        add 1 to allowed_count",
    "    end check",
    "end count",
    "display allowed_count",
    "close database db",
  ]);
  const [a, b] = await Promise.all([runAsync(file, [url]), runAsync(file, [url])]);
  const total = Number(ok(a).trim()) + Number(ok(b).trim());
  assert.equal(total, 150, `allowed ${a.stdout.trim()} + ${b.stdout.trim()}`);
  // A third process sees the shared state.
  assert.deepEqual(lines(run([
    "connect to database at args[0] as db",
    'store limiter as create rate limiter with limit 150 per "minute" using database db called "shared-test"',
    "display limiter",
    'display remaining requests on limiter for "one-key"',
    'display check rate limit on limiter for "one-key"',
    'display rate limit headers on limiter for "one-key"',
    'reset rate limit on limiter for "one-key"',
    'display remaining requests on limiter for "one-key"',
    'display remaining requests on limiter for "another-key"',
  ], [url])).map((l) => l.replace(/Reset: \d+, Retry-After: \d+/, "Reset: R, Retry-After: R")), [
    `[RateLimiter: 150 per minute, in ${url.replace(/:[^:@/]*@/, ":****@")}, called shared-test]`, "0", "no",
    "{RateLimit-Limit: 150, RateLimit-Remaining: 0, RateLimit-Reset: R, Retry-After: R}", "150", "150",
  ]);
}

/** Runs `script` (an ES module) in a child Node with --expose-gc; resolves with its JSON output. */
function measure(script) {
  const file = path.join(dir, `m${++n}.mjs`);
  fs.writeFileSync(file, script);
  const r = spawnSync(process.execPath, ["--expose-gc", file], { cwd: root, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

test("Memory is bounded — expired entries are pruned automatically", async (t) => {
  await t.test("1,000,000 distinct keys in a one-second window: the heap returns to its size before once the window has passed", () => {
    // A clock the test moves: every key is live at once, then the window passes.
    const m = measure(`
      import { rateLimit } from ${JSON.stringify(path.join(root, "dist/internal.js"))};
      const heap = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed; };
      let clock = 0;
      const l = new rateLimit.MemoryLimiter(10, 1000, "second", "t", 2_000_000, null, () => clock);
      const before = heap();
      for (let i = 0; i < 1_000_000; i++) { clock = i / 1_000_000 * 999; l.check("client-" + i); }
      const live = l.keys.size;
      const full = heap();
      clock = 2000;
      l.check("late-arrival");
      const oneCheck = l.keys.size;
      l.prune(Infinity);
      const after = heap();
      const result = { before, full, after, live, afterOneCheck: oneCheck, afterPrune: l.keys.size, queued: l.queued };
      l.close();
      console.log(JSON.stringify(result));
    `);
    const mb = (b) => (b / 1048576).toFixed(1);
    t.diagnostic(`1,000,000 keys live: heap ${mb(m.before)} MB before, ${mb(m.full)} MB with every key live, ${mb(m.after)} MB after the window`);
    assert.equal(m.live, 1_000_000);
    assert.ok(m.full - m.before > 20 * 1048576, "the keys took memory while live");
    assert.ok(m.afterOneCheck < 1_000_000, "a check prunes expired keys as it goes");
    assert.equal(m.afterPrune, 1);
    assert.equal(m.queued, 1);
    assert.ok(m.after - m.before < 2 * 1048576, `heap after ${mb(m.after)} MB vs before ${mb(m.before)} MB`);
  });

  await t.test("a WFL program checking 1,000,000 distinct keys: the timer prunes them after the window, with no further checks", () => {
    const m = measure(`
      import { run } from ${JSON.stringify(path.join(root, "dist/index.js"))};
      const heap = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed; };
      const marks = {};
      const program = [
        'store limiter as create rate limiter with limit 10 per "second"',
        'mark of "before"',
        'count from 1 to 1000000:',
        '    store allowed as check rate limit on limiter for "client-" with count',
        'end count',
        'mark of "filled"',
        'wait for 2200 milliseconds',
        'mark of "after"',
        'display remaining requests on limiter for "client-1000000"',
      ].join("\\n");
      const r = await run(program, { actions: { mark: (name) => { marks[name] = heap(); return null; } } });
      console.log(JSON.stringify({ ...marks, output: r.output, exit: r.exitCode, diagnostics: r.diagnostics }));
    `);
    const mb = (b) => (b / 1048576).toFixed(1);
    t.diagnostic(`WFL program, 1,000,000 keys: heap ${mb(m.before)} MB before, ${mb(m.filled)} MB after the last check, ${mb(m.after)} MB 2.2 s later`);
    assert.equal(m.exit, 0, m.diagnostics);
    assert.equal(m.output, "10\n");
    assert.ok(m.after - m.before < 2 * 1048576, `heap after ${mb(m.after)} MB vs before ${mb(m.before)} MB`);
  });

  await t.test("`and max keys N` caps the keys tracked: past it, the key whose last request is oldest is forgotten", () => {
    const out = lines(run([
      'store limiter as create rate limiter with limit 1 per "hour" and max keys 3',
      'store a as check rate limit on limiter for "k1"',
      'store b as check rate limit on limiter for "k2"',
      'store c as check rate limit on limiter for "k3"',
      'display check rate limit on limiter for "k1"',
      'store d as check rate limit on limiter for "k4"',
      'display remaining requests on limiter for "k1"',
      'display remaining requests on limiter for "k2"',
      'display remaining requests on limiter for "k4"',
    ]));
    assert.deepEqual(out, ["no", "1", "0", "0"]);
  });
});

test("refused responses carry Retry-After and RateLimit-Limit/Remaining/Reset headers", async () => {
  const { port, io, exited } = await serve(limitedServer(2, 3));
  const got = [];
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/`);
    got.push({ status: r.status, limit: r.headers.get("ratelimit-limit"), remaining: r.headers.get("ratelimit-remaining"), reset: r.headers.get("ratelimit-reset"), retry: r.headers.get("retry-after"), body: await r.text() });
  }
  assert.deepEqual(got.map((g) => [g.status, g.limit, g.remaining, g.retry === null ? null : "set"]), [[200, "2", "1", null], [200, "2", "0", "set"], [429, "2", "0", "set"]]);
  assert.equal(got[2].body, "Rate limit exceeded");
  assert.ok(Number(got[2].retry) >= 59 && Number(got[2].retry) <= 60, got[2].retry);
  assert.ok(Number(got[2].reset) >= 59 && Number(got[2].reset) <= 60, got[2].reset);
  assert.equal(await exited, 0, io.err);
});

test("mistakes are WFL errors at their line", () => {
  const cases = [
    [['store l as create rate limiter with limit 10 per "fortnight"'], /per "second", "minute", "hour" or "day", not fortnight/],
    [['store l as create rate limiter with limit 0 per "minute"'], /limit of a rate limiter must be a whole number of at least 1, got 0/],
    [['store l as create rate limiter with limit 2.5 per "minute"'], /whole number/],
    [['store l as "not a limiter"', 'store x as check rate limit on l for "k"'], /Expected a rate limiter/],
    [['store l as create rate limiter with limit 1 per "minute"', "store x as check rate limit on l for nothing"], /key cannot be nothing/],
    [['store l as create rate limiter with limit 1 per "minute"', "reset rate limit on l for [1, 2]"], /key must be text or a number/],
  ];
  for (const [program, re] of cases) {
    const r = run(program);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, re);
    assert.match(r.stderr, new RegExp(`:${program.length}:\\d+`));
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  }
});

test("the seed's example (section 3.8) runs unchanged, inside a request handler", async () => {
  const block = /#### Proposed WFL Syntax\n\n```wfl\n(\/\/ Create a rate limiter\n[\s\S]*?)```/.exec(SEED)[1];
  const program = [
    "listen on port 0 as srv",
    "display srv",
    "wait for request comes in on srv as request with timeout 20000",
    block,
    // After the seed's lines (not part of the seed): answer an allowed request.
    'display "remaining: " with remaining',
    'store reply as "ok, remaining " with remaining',
    "respond to request with reply",
  ];
  const { port, io, exited } = await serve(program);
  const r = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), "ok, remaining 59");
  assert.equal(await exited, 0, io.err);
  assert.match(io.out, /remaining: 59\n$/);
});

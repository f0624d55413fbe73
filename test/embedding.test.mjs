// The embedding API (dist/index.js): runs in one process are independent, host actions, limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { run } from "../dist/index.js";
import { startServerRun, outputMatches, namedServer } from "./support/embed.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The status and body of GET `path`, or "refused" when nothing listens. */
async function get(port, path) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return `${r.status} ${await r.text()}`;
  } catch {
    return "refused";
  }
}

/** Run test/support/two-runs.mjs (it sends itself SIGINT, so it gets a process of its own). */
function twoRuns(mode) {
  const r = spawnSync(process.execPath, ["test/support/two-runs.mjs", ...(mode ? [mode] : [])], { cwd: root, encoding: "utf8", timeout: 30000, env: { ...process.env, WFL_TWO_RUNS: "1" } });
  assert.equal(r.stderr, "");
  return { status: r.status, report: JSON.parse(r.stdout) };
}

test("two programs run concurrently through the embedding API, each with a web server and a SIGINT handler, end independently, and each one's output is its own", () => {
  const { status, report } = twoRuns();
  const s = report.steps;
  assert.equal(s.aFirst, "200 A");
  assert.equal(s.bFirst, "200 B");
  assert.equal(s.aStop, "200 A");
  // A has ended: its server is closed, B's still answers.
  assert.equal(s.aAfterEnd, "refused");
  assert.equal(s.bAfterAEnded, "200 B");
  // One process listener for SIGINT while B has a handler; none once B has ended.
  assert.equal(s.sigintListenersBefore, 1);
  assert.equal(s.bAfterEnd, "refused");
  assert.equal(s.sigintListenersAfter, 0);
  assert.deepEqual(report.a, { exitCode: 0, output: "WebServer::127.0.0.1:PORT\nA got /one\nA got /stop\nA done\n", diagnostics: "" });
  assert.deepEqual(report.b, { exitCode: 0, output: "WebServer::127.0.0.1:PORT\nB got /one\nB got /two\nB stopping\n", diagnostics: "" });
  // The host process ended on its own, with the exit code it chose.
  assert.equal(status, 7);
});

test("one SIGINT reaches every run that registered a handler, each running its own", () => {
  const { report } = twoRuns("both");
  assert.equal(report.before, 1);
  assert.equal(report.after, 0);
  assert.equal(report.a.exitCode, 0);
  assert.equal(report.b.exitCode, 0);
  assert.match(report.a.output, /^WebServer::127\.0\.0\.1:\d+\nA stopping\n$/);
  assert.match(report.b.output, /^WebServer::127\.0\.0\.1:\d+\nB stopping\n$/);
});

test("a run's signal handler does not remove the host's own listeners or exit the host process", () => {
  const { status, report } = twoRuns("with-host-listener");
  const s = report.steps;
  assert.equal(s.sigintListenersBefore, 2); // the host's and the one dispatching to runs
  assert.deepEqual(s.hostSigint, ["host"]); // the host's listener heard the SIGINT too
  assert.equal(s.hostListenerKept, true);
  assert.equal(s.sigintListenersAfter, 1);
  assert.equal(report.b.exitCode, 0);
  assert.match(report.b.output, /B stopping\n$/);
  assert.equal(status, 7);
});

test("ending one run does not close another run's server", async () => {
  const b = await startServerRun(namedServer("B"));
  // A opens a server and a database and ends at once: only its own are closed.
  const a = await run(`listen on port 0 as s
open database at "sqlite::memory:" as db
display "A done"`);
  assert.equal(a.exitCode, 0, a.diagnostics);
  assert.equal(a.output, "A done\n");
  assert.equal(await get(b.port, "/still"), "200 B");
  assert.equal(await get(b.port, "/stop"), "200 B");
  assert.equal((await b.result).exitCode, 0);
});

test("a failing handler in one run does not answer 500 to another run's in-flight request", async () => {
  // B holds its first request unanswered until a second one arrives.
  const b = await startServerRun(`listen on port 0 as srv
display srv
wait for request comes in on srv as first
display "got first"
wait for request comes in on srv as second
respond to second with "second"
respond to first with "first ok"
`);
  const a = await startServerRun(`listen on port 0 as srv
display srv
main loop:
    wait for request comes in on srv as req
    check if path is "/boom":
        store zero as 0
        display 1 divided by zero
    end check
    respond to req with "fine"
    break
end loop
`);
  const bFirst = get(b.port, "/first");
  await outputMatches(b.io, /got first\n/);
  assert.equal(await get(a.port, "/boom"), "500 Internal Server Error\n");
  assert.equal(await get(a.port, "/ok"), "200 fine");
  assert.equal(await get(b.port, "/second"), "200 second");
  assert.equal(await bFirst, "200 first ok");
  const ra = await a.result;
  assert.equal(ra.exitCode, 0);
  assert.match(ra.diagnostics, /Division by zero/);
  assert.equal((await b.result).exitCode, 0);
});

test("a host action is callable from WFL and its result converts", async () => {
  const seen = [];
  const r = await run(`store r as lookup of "ada" and 21
display r
display r["name"] with " " with r["n"]
display typeof of r["items"]
display later of "hi"
call lookup with [1, 2] and 0.5
`, {
    actions: {
      lookup: (name, n) => {
        seen.push([name, n]);
        return { name, n: typeof n === "number" ? n * 2 : n, items: [1, "two", true, null, undefined], map: new Map([["k", 1]]) };
      },
      later: async (x) => `${x}!`,
    },
  });
  assert.equal(r.exitCode, 0, r.diagnostics);
  assert.equal(r.output, "{name: ada, n: 42, items: [1, two, yes, nothing, nothing], map: {k: 1}}\nada 42\nList\nhi!\n");
  assert.deepEqual(seen, [["ada", 21], [[1, 2], 0.5]]);
});

test("a host action that throws is a WFL error the program can catch, and an unusable result is a WFL error", async () => {
  const r = await run(`try:
    display boom
catch:
    display error_message
end try
display bad of 1
`, { actions: { boom: () => { throw new Error("nope"); }, bad: () => () => 1 } });
  assert.equal(r.output, "The host action 'boom' failed: nope\n");
  assert.equal(r.exitCode, 1);
  assert.match(r.diagnostics, /^error\[RUNTIME\]: The result of 'bad' is a function, which WFL cannot hold\n.*program\.wfl:6:9/s);
});

for (const fast of ["1", "0"]) {
  test(`a time limit stops a \`repeat forever\` loop with a WFL error (WFL_FAST_LOOPS=${fast})`, async () => {
    const saved = process.env.WFL_FAST_LOOPS;
    process.env.WFL_FAST_LOOPS = fast;
    try {
      const t0 = Date.now();
      const r = await run("store n as 0\nrepeat forever:\n    add 1 to n\nend repeat\n", { timeoutMs: 300 });
      assert.equal(r.exitCode, 1);
      assert.match(r.diagnostics, /^error\[TIMEOUT\]: The program ran longer than its 300 ms limit\n/);
      assert.doesNotMatch(r.diagnostics, /\n\s+at /);
      assert.ok(Date.now() - t0 < 5000);
    } finally {
      if (saved === undefined) delete process.env.WFL_FAST_LOOPS;
      else process.env.WFL_FAST_LOOPS = saved;
    }
  });
}

test("a time limit stops a run that is waiting, and recursion without loops", async () => {
  const t0 = Date.now();
  const waiting = await run('display "a"\nwait for 60 seconds\ndisplay "b"\n', { timeoutMs: 2000 });
  assert.equal(waiting.exitCode, 1);
  assert.equal(waiting.output, "a\n");
  assert.match(waiting.diagnostics, /^error\[TIMEOUT\]: The program ran longer than its 2 s limit\n/);
  assert.ok(Date.now() - t0 < 10000);
  const fib = await run(`define action called fib with parameters n:
    check if n is less than 2:
        return n
    otherwise:
        return (fib of n minus 1) plus (fib of n minus 2)
    end check
end action
display fib of 60
`, { timeoutMs: 200 });
  assert.equal(fib.exitCode, 1);
  assert.match(fib.diagnostics, /^error\[TIMEOUT\]/);
});

test("an AbortSignal stops a run", async () => {
  const ac = new AbortController();
  const s = await startServerRun(namedServer("S"), { signal: ac.signal });
  assert.equal(await get(s.port, "/x"), "200 S");
  ac.abort();
  const r = await s.result;
  assert.equal(r.exitCode, 1);
  assert.match(r.diagnostics, /^error\[ABORTED\]: The host stopped the program\n/);
  assert.equal(await get(s.port, "/y"), "refused");
  // Already aborted: the program does not start.
  const early = await run('display "never"', { signal: AbortSignal.abort() });
  assert.equal(early.exitCode, 1);
  assert.equal(early.output, "");
});

test("a memory cap stops a run with an out-of-memory error", async () => {
  const r = await run("store n as 0\nrepeat forever:\n    add 1 to n\nend repeat\n", { maxHeapMB: 1 });
  assert.equal(r.exitCode, 1);
  assert.match(r.diagnostics, /^error\[RUNTIME\]: Out of memory: the program is using \d+ MB, over its 1 MB limit/);
});

test("configuration from the host replaces .wflcfg", async () => {
  const r = await run(`define action called down with parameters n:
    check if n is greater than 0:
        call down with n minus 1
    end check
end action
call down with 50
display "ok"
`, { config: { max_call_depth: 10 } });
  assert.equal(r.exitCode, 1);
  assert.match(r.diagnostics, /more than 10 nested action calls/);
});

test("the CLI still ends with exit code 0 after a program's SIGINT handler runs", async () => {
  const child = spawn("bin/wfl", ["test/fixtures/signal_server.wfl"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const io = { out: "", err: "" };
  child.stderr.on("data", (d) => (io.err += d));
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const port = await new Promise((resolve) => child.stdout.on("data", (d) => {
    io.out += d;
    const m = /WebServer::127\.0\.0\.1:(\d+)/.exec(io.out);
    if (m) resolve(Number(m[1]));
  }));
  assert.equal(await get(port, "/"), "200 up");
  child.kill("SIGINT");
  assert.equal(await exited, 0, io.err);
  assert.match(io.out, /stopping\n$/);
  assert.equal(io.err, "");
});

test("random_seed in one run does not change the numbers of another run", async () => {
  const seededThenWaits = 'call random_seed with 42\nwait for 100 milliseconds\ndisplay random\n';
  const alone = await run(seededThenWaits);
  assert.equal(alone.exitCode, 0, alone.diagnostics);
  // Another run seeds with 7 while the first is waiting: the first still draws from its own seed.
  const [a, b] = await Promise.all([run(seededThenWaits), run("call random_seed with 7\ndisplay random\n")]);
  assert.equal(a.output, alone.output);
  assert.notEqual(b.output, alone.output);
});

test("a page run by `execute wfl file` does not close its caller's server when it ends", async () => {
  const s = await startServerRun(`listen on port 0 as srv
display srv
count from 1 to 2:
    wait for request comes in on srv as req
    execute wfl file at "pages/page.wfl" with req and read output as page
    respond to req with page
end count
`, { file: `${root}test/fixtures/server.wfl` });
  assert.equal(await get(s.port, "/one"), "200 page for /one");
  assert.equal(await get(s.port, "/two"), "200 page for /two");
  const r = await s.result;
  assert.equal(r.exitCode, 0, r.diagnostics);
});

test("a time limit stops a `main loop` that never waits", async () => {
  const r = await run("store n as 0\nmain loop:\n    add 1 to n\nend loop\n", { timeoutMs: 200 });
  assert.equal(r.exitCode, 1);
  assert.match(r.diagnostics, /^error\[TIMEOUT\]: The program ran longer than its 200 ms limit\n/);
});

#!/usr/bin/env node
// Web throughput: a hello-world and a JSON-echo server in WFL (bench/web/*.wfl) and the same two
// in bare node:http (bench/web/*.mjs), driven alternately with autocannon on loopback. The node
// twins also run a second time sending the headers the WFL server sends beyond node's own (its
// security headers, request id and nosniff: read from its answer), for an equal-work comparison.
//
//   node bench/web.mjs [--duration S] [--rounds N] [--connections C] [--warmup S] [--no-middleware]
//
// --no-middleware runs the WFL servers with a `.wflcfg` that turns off the middleware that is on by
// default (security headers, request id), to see what they cost.
// Every server runs as its own process; for each round and each bench the WFL server and its
// node:http twins are measured one after the other (the order reversing by round), each with a
// warm-up that is not counted. Prints requests/second and p99 latency (mean of the rounds) and the
// WFL/node ratios, and writes reports/bench-web.json. Timings never fail anything; the exit code is
// 1 only when a server does not start or answers with errors.
// Also prints the server's CPU time per request (from /proc), steadier than requests/second when
// the load generator shares the machine.
// $WFL_BIN replaces `bin/wfl`; $WFL_BENCH_WEB_DURATION, $WFL_BENCH_WEB_ROUNDS set the defaults.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import autocannon from "autocannon";
import { REPO_ROOT, wflCommand } from "../conformance/lib.mjs";

const WEB_DIR = path.join(REPO_ROOT, "bench", "web");
const JSON_BODY = JSON.stringify({ id: 12345, name: "Ada Lovelace", tags: ["math", "engines", "notes"], active: true, score: 98.5, address: { city: "London", zip: "W1" } });

export const WEB_BENCHES = [
  { name: "hello", what: "GET /, answer \"Hello, World!\"", request: { method: "GET", path: "/" }, expect: "Hello, World!" },
  { name: "json-echo", file: "echo", what: "POST a 140-byte JSON body, parse it and send it back", request: { method: "POST", path: "/", headers: { "content-type": "application/json" }, body: JSON_BODY }, expect: JSON_BODY },
];

function parseArgs(argv) {
  const opts = {
    duration: Number(process.env.WFL_BENCH_WEB_DURATION) || 3,
    rounds: Number(process.env.WFL_BENCH_WEB_ROUNDS) || 2,
    warmup: 1,
    connections: 32,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => Number(a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i]);
    if (a.startsWith("--duration")) opts.duration = value();
    else if (a.startsWith("--rounds")) opts.rounds = value();
    else if (a.startsWith("--warmup")) opts.warmup = value();
    else if (a.startsWith("--connections")) opts.connections = value();
    else if (a === "--no-middleware") opts.noMiddleware = true;
    else if (a === "-h" || a === "--help") opts.help = true;
  }
  return opts;
}

/** Starts a server process; resolves with its port and a stop function once it prints its address. */
function startProcess(cmd, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: WEB_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /WebServer::[^:\s]+:(\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), child, stop: () => stop(child), stderr: () => err });
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`exited (${code}) before listening: ${err.trim().split("\n")[0] ?? ""}`)));
  });
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGKILL");
  });
}

/** The WFL program to run: as written, or (--no-middleware) a copy beside a `.wflcfg` turning the default middleware off. */
function wflProgram(file, noMiddleware) {
  const original = path.join(WEB_DIR, `${file}.wfl`);
  if (!noMiddleware) return original;
  const dir = mkdtempSync(path.join(os.tmpdir(), "wfl-bench-web-"));
  const copy = path.join(dir, `${file}.wfl`);
  writeFileSync(copy, readFileSync(original, "utf8"));
  writeFileSync(path.join(dir, ".wflcfg"), "web_server_security_headers = false\nweb_server_request_id = false\n");
  return copy;
}

/** CPU seconds a process has used (user + system), from /proc (Linux; NaN elsewhere). */
function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Headers node:http writes itself, or that both servers send: not "extra". */
const OWN_HEADERS = new Set(["date", "connection", "keep-alive", "content-length", "content-type", "transfer-encoding"]);

/** Checks the answer; returns its headers beyond node's own, as [name, value] pairs. */
async function check(port, bench) {
  const r = bench.request;
  const res = await fetch(`http://127.0.0.1:${port}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
  const text = await res.text();
  // JSON is compared as values (WFL writes an object's keys in its own order).
  const same = bench.name === "json-echo" ? isDeepStrictEqual(JSON.parse(text), JSON.parse(bench.expect)) : text === bench.expect;
  if (res.status !== 200 || !same) throw new Error(`answered ${res.status} ${JSON.stringify(text.slice(0, 80))}`);
  return [...res.headers].filter(([name]) => !OWN_HEADERS.has(name));
}

/** The WFL server's extra headers (see `check`), from one answer of a server started for it. */
async function wflHeaders(bench, opts) {
  const server = await startProcess(wflCommand()[0], [...wflCommand().slice(1), wflProgram(bench.file ?? bench.name, opts.noMiddleware)]);
  try {
    return await check(server.port, bench);
  } finally {
    await server.stop();
  }
}

function drive(port, bench, seconds, connections) {
  const r = bench.request;
  return autocannon({
    url: `http://127.0.0.1:${port}${r.path}`,
    method: r.method,
    headers: r.headers,
    body: r.body,
    connections,
    duration: seconds,
  });
}

/** kind: "wfl", "node" (bare) or "same" (node:http sending `extra` too). */
async function measure(kind, bench, opts, extra) {
  const file = bench.file ?? bench.name;
  const server = kind === "wfl"
    ? await startProcess(wflCommand()[0], [...wflCommand().slice(1), wflProgram(file, opts.noMiddleware)])
    // The same V8 heap setting bin/wfl gives WFL programs (a larger young generation).
    : await startProcess(process.execPath, ["--max-semi-space-size=32", path.join(WEB_DIR, `${file}.mjs`)], {
      ...process.env,
      WFL_BENCH_SAME_HEADERS: kind === "same" ? JSON.stringify(extra) : "",
    });
  try {
    await check(server.port, bench);
    if (opts.warmup > 0) await drive(server.port, bench, opts.warmup, opts.connections);
    const cpu0 = cpuOf(server.child.pid);
    const r = await drive(server.port, bench, opts.duration, opts.connections);
    const cpuUs = ((cpuOf(server.child.pid) - cpu0) * 1e6) / Math.max(1, r.requests.total);
    const bad = r.errors + r.timeouts + r.non2xx;
    return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, total: r.requests.total, cpuUs, errors: bad };
  } finally {
    await server.stop();
  }
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export async function runWebBench(opts = parseArgs([])) {
  console.log(`web bench: ${WEB_BENCHES.length} servers × (WFL, node:http, node:http with WFL's headers), ${opts.rounds} round(s) of ${opts.duration} s each (after ${opts.warmup} s warm-up), ${opts.connections} connections, autocannon on loopback`);
  if (opts.noMiddleware) console.log("WFL servers without the default middleware (security headers and request id off)");
  const results = [];
  let failed = false;
  for (const bench of WEB_BENCHES) {
    const entry = { name: bench.name, what: bench.what, extraHeaders: [], wfl: [], node: [], same: [], error: null };
    try {
      entry.extraHeaders = await wflHeaders(bench, opts);
    } catch (e) {
      entry.error = `wfl: ${e.message}`;
      failed = true;
    }
    results.push(entry);
  }
  for (const r of results) if (!r.error) console.log(`${r.name}: WFL's headers beyond node's own: ${r.extraHeaders.map(([k]) => k).join(", ") || "none"}`);
  for (let round = 0; round < opts.rounds; round++) {
    for (const [i, bench] of WEB_BENCHES.entries()) {
      const entry = results[i];
      if (entry.error) continue;
      // Reverse the order every round, so a drift in machine load hits all alike.
      const order = round % 2 === 0 ? ["wfl", "node", "same"] : ["same", "node", "wfl"];
      for (const kind of order) {
        if (process.stdout.isTTY) process.stdout.write(`round ${round + 1}: ${bench.name} ${kind}…`);
        try {
          const m = await measure(kind, bench, opts, entry.extraHeaders);
          if (m.errors > 0) throw new Error(`${m.errors} requests failed (errors, timeouts or non-2xx)`);
          entry[kind].push(m);
        } catch (e) {
          entry.error = `${kind}: ${e.message}`;
          failed = true;
        }
        if (process.stdout.isTTY) process.stdout.write("\r\x1b[K");
      }
    }
  }

  const rows = results.map((r) => {
    const wRps = mean(r.wfl.map((m) => m.rps));
    const nRps = mean(r.node.map((m) => m.rps));
    const wP99 = mean(r.wfl.map((m) => m.p99));
    const nP99 = mean(r.node.map((m) => m.p99));
    const wCpu = mean(r.wfl.map((m) => m.cpuUs));
    const nCpu = mean(r.node.map((m) => m.cpuUs));
    const sRps = mean(r.same.map((m) => m.rps));
    const sCpu = mean(r.same.map((m) => m.cpuUs));
    r.summary = {
      wflRps: wRps, nodeRps: nRps, wflP99Ms: wP99, nodeP99Ms: nP99, rpsRatio: wRps && nRps ? wRps / nRps : null, p99Ratio: wP99 && nP99 ? wP99 / nP99 : null, wflCpuUsPerRequest: wCpu, nodeCpuUsPerRequest: nCpu,
      sameHeadersRps: sRps, sameHeadersRpsRatio: wRps && sRps ? wRps / sRps : null, sameHeadersCpuUsPerRequest: sCpu,
    };
    const f = (x, d = 0) => (x === null || Number.isNaN(x) ? "—" : x.toFixed(d));
    const pct = (x) => (x === null ? "—" : `${(x * 100).toFixed(0)}%`);
    return [r.name, f(wRps), f(nRps), pct(r.summary.rpsRatio), f(sRps), pct(r.summary.sameHeadersRpsRatio), `${f(wP99, 1)} ms`, `${f(nP99, 1)} ms`, r.summary.p99Ratio === null ? "—" : `${r.summary.p99Ratio.toFixed(2)}×`, `${f(wCpu, 1)} µs`, `${f(nCpu, 1)} µs`, `${f(sCpu, 1)} µs`];
  });
  // "node+h": node:http sending the same headers as the WFL server (equal work).
  const header = ["server", "WFL req/s", "node req/s", "WFL/node", "node+h req/s", "WFL/node+h", "WFL p99", "node p99", "p99 WFL/node", "WFL CPU/req", "node CPU/req", "node+h CPU/req"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  console.log("node+h: the node:http twin sending the WFL server's extra headers too (equal work)");
  for (const r of results) if (r.error) console.log(`${r.name}: ${r.error}`);

  const reportPath = path.join(REPO_ROOT, "reports", "bench-web.json");
  mkdirSync(path.dirname(reportPath), { recursive: true });
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}; node ${process.version}`;
  writeFileSync(reportPath, `${JSON.stringify({ generatedAt: new Date().toISOString(), machine, options: opts, results }, null, 2)}\n`);
  console.log(`report: ${path.relative(REPO_ROOT, reportPath)}`);
  return { results, failed };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    const lines = readFileSync(new URL(import.meta.url), "utf8").split("\n").slice(1);
    const end = lines.findIndex((l) => !l.startsWith("//"));
    console.log(lines.slice(0, end).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
  } else {
    const { failed } = await runWebBench(opts);
    process.exitCode = failed ? 1 : 0;
  }
}

#!/usr/bin/env node
// Benchmarks: each bench/<name>.wfl has a .js and a .py twin that prints the same
// output. Every program runs as a fresh process (start-up included), best of N.
//
//   node bench/run.mjs [--runs N] [NAME...]
//
// $WFL_BIN replaces `node bin/wfl`; $PYTHON replaces python3; $WFL_BENCH_RUNS sets
// the default number of runs (3); $WFL_BENCH_TIMEOUT_MS the per-run limit (300 s).
// Prints a table of wall times and WFL/JS, WFL/Python ratios from the same run and
// writes reports/bench.json. Timings never fail anything; the exit code is 1 only
// if a program fails or the three languages print different output.
//
// Then the web throughput bench (bench/web.mjs: WFL servers against bare node:http under
// autocannon) runs, unless NAMEs are given without `web` or `--no-web` is passed; `web` alone
// runs only it. Its options: --web-duration S, --web-rounds N.
//
// Last, the WFLHub bench (bench/wflhub.mjs: seeds 10,000 packages, search latency p50/p95/p99 and a
// 10 MB publish), unless NAMEs are given without `wflhub` or `--no-wflhub` is passed (it takes a
// minute or two); `wflhub` alone runs only it.
import { spawnSync } from "node:child_process";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT, runProcess, stripAnsi, wflCommand, wflCommandProblem } from "../conformance/lib.mjs";

const BENCH_DIR = path.join(REPO_ROOT, "bench");
const ORDER = ["startup", "fib", "loop", "strings", "lists"];
const TIMEOUT_MS = Number(process.env.WFL_BENCH_TIMEOUT_MS) || 300_000;
// Measure CPython itself, not a launcher in front of it (a pyenv shim adds ~90 ms per start).
const PYTHON = resolvePython(process.env.PYTHON || "python3");
function resolvePython(cmd) {
  const r = spawnSync(cmd, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
  const exe = r.status === 0 ? r.stdout.trim() : "";
  return exe || cmd;
}

function parseArgs(argv) {
  const opts = { runs: Number(process.env.WFL_BENCH_RUNS) || 3, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") opts.runs = Number(argv[++i]);
    else if (a.startsWith("--runs=")) opts.runs = Number(a.slice(7));
    else if (a === "-h" || a === "--help") opts.help = true;
    else if (a === "--no-web") opts.noWeb = true;
    else if (a === "--no-wflhub") opts.noWflhub = true;
    else if (a === "--web-duration") opts.webDuration = Number(argv[++i]);
    else if (a === "--web-rounds") opts.webRounds = Number(argv[++i]);
    else opts.names.push(a.replace(/\.(wfl|js|py)$/, ""));
  }
  if (!Number.isFinite(opts.runs) || opts.runs < 1) opts.runs = 3;
  return opts;
}

function benchNames(filter) {
  const found = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".wfl"))
    .map((f) => f.slice(0, -4));
  const ordered = [...ORDER.filter((n) => found.includes(n)), ...found.filter((n) => !ORDER.includes(n)).sort()];
  return filter.length ? ordered.filter((n) => filter.includes(n)) : ordered;
}

function version(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    return null;
  }
}

// Node reads every certificate named by NODE_EXTRA_CA_CERTS as it starts (about 30 ms on a machine
// that points it at the system bundle). bin/wfl defers that (see there); so that the JavaScript twin
// does not pay for what a machine happens to set either, every program runs without it.
const BENCH_ENV = { ...process.env };
delete BENCH_ENV.NODE_EXTRA_CA_CERTS;

const LANGS = [
  { key: "wfl", label: "WFL", ext: "wfl", command: (file) => [...wflCommand(), file] },
  { key: "js", label: "JS", ext: "js", command: (file) => [process.execPath, file] },
  { key: "py", label: "Python", ext: "py", command: (file) => [PYTHON, file] },
];

function normalise(out) {
  return stripAnsi(out).replace(/\r\n/g, "\n");
}

function firstDifference(a, b) {
  const x = a.split("\n");
  const y = b.split("\n");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: ${JSON.stringify(x[i] ?? "<end>")} vs ${JSON.stringify(y[i] ?? "<end>")}`;
  }
  return "";
}

async function runBench(name, runs) {
  const result = { name, langs: {} };
  for (const lang of LANGS) result.langs[lang.key] = { timesMs: [], output: null, error: null };
  // Interleave the languages run by run so machine load drifts affect them alike.
  for (let r = 0; r < runs; r++) {
    for (const lang of LANGS) {
      const entry = result.langs[lang.key];
      if (entry.error) continue;
      const file = path.join(BENCH_DIR, `${name}.${lang.ext}`);
      if (!existsSync(file)) {
        entry.error = `missing ${path.relative(REPO_ROOT, file)}`;
        continue;
      }
      const [cmd, ...args] = lang.command(file);
      const res = await runProcess(cmd, args, { cwd: BENCH_DIR, env: BENCH_ENV, timeoutMs: TIMEOUT_MS, maxOutputBytes: 64 << 20 });
      if (res.spawnError || res.timedOut || res.signal || res.code !== 0) {
        const why = res.spawnError || (res.timedOut ? `timeout after ${TIMEOUT_MS / 1000}s` : res.signal ? `killed by ${res.signal}` : `exit ${res.code}`);
        const detail = stripAnsi(res.stderr).trim().split("\n")[0] ?? "";
        entry.error = detail ? `${why}: ${detail.slice(0, 120)}` : why;
        continue;
      }
      const out = normalise(res.stdout);
      if (entry.output === null) entry.output = out;
      else if (entry.output !== out) entry.error = `output changed between runs (${firstDifference(entry.output, out)})`;
      entry.timesMs.push(res.durationMs);
    }
  }
  for (const lang of LANGS) {
    const e = result.langs[lang.key];
    e.bestMs = e.timesMs.length && !e.error ? Math.min(...e.timesMs) : null;
  }
  const ref = result.langs.js.output ?? result.langs.py.output;
  result.mismatches = [];
  for (const lang of LANGS) {
    const e = result.langs[lang.key];
    if (e.error || ref === null || e.output === null) continue;
    if (e.output !== ref) result.mismatches.push(`${lang.label} differs (${firstDifference(ref, e.output)})`);
  }
  const { wfl, js, py } = result.langs;
  result.wflPerJs = wfl.bestMs && js.bestMs ? wfl.bestMs / js.bestMs : null;
  result.wflPerPy = wfl.bestMs && py.bestMs ? wfl.bestMs / py.bestMs : null;
  return result;
}

function fmtMs(ms) {
  return ms === null ? "—" : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function fmtRatio(r) {
  return r === null ? "—" : `${r >= 100 ? Math.round(r) : r.toFixed(r >= 10 ? 1 : 2)}×`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    const { readFileSync } = await import("node:fs");
    console.log(
      (() => {
        const lines = readFileSync(new URL(import.meta.url), "utf8").split("\n").slice(1);
        const end = lines.findIndex((l) => !l.startsWith("//"));
        return lines
          .slice(0, end === -1 ? undefined : end)
          .map((l) => l.replace(/^\/\/ ?/, ""))
          .join("\n");
      })(),
    );
    return;
  }
  const web = !opts.noWeb && (opts.names.length === 0 || opts.names.includes("web"));
  const hub = !opts.noWflhub && (opts.names.length === 0 || opts.names.includes("wflhub"));
  const onlyServers = opts.names.length > 0 && opts.names.every((n) => n === "web" || n === "wflhub");
  if (onlyServers) {
    if (web) await webBench(opts);
    if (hub) await wflhubBench();
    return;
  }
  const names = benchNames(opts.names.filter((n) => n !== "web" && n !== "wflhub"));
  const pyVersion = version(PYTHON, ["--version"]);
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}; node ${process.version}; ${pyVersion ?? `${PYTHON} not found`}`;
  console.log(`bench: ${names.length} programs, best of ${opts.runs}, wall time per process (start-up included)`);
  console.log(`machine: ${machine}`);
  if (process.env.NODE_EXTRA_CA_CERTS) console.log("note: NODE_EXTRA_CA_CERTS is unset for every program (Node would load it at each start)");
  const problem = wflCommandProblem();
  if (problem) console.log(`warning: ${problem}`);
  console.log("");

  const results = [];
  for (const name of names) {
    if (process.stdout.isTTY) process.stdout.write(`running ${name}…`);
    results.push(await runBench(name, opts.runs));
    if (process.stdout.isTTY) process.stdout.write("\r\x1b[K");
  }

  const header = ["bench", "WFL", "JS", "Python", "WFL/JS", "WFL/Py", "output"];
  const rows = results.map((r) => {
    const errors = Object.entries(r.langs).filter(([, e]) => e.error);
    const status = errors.length ? "ERROR" : r.mismatches.length ? "MISMATCH" : "same";
    return [r.name, fmtMs(r.langs.wfl.bestMs), fmtMs(r.langs.js.bestMs), fmtMs(r.langs.py.bestMs), fmtRatio(r.wflPerJs), fmtRatio(r.wflPerPy), status];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));

  let bad = false;
  for (const r of results) {
    for (const lang of LANGS) {
      const e = r.langs[lang.key];
      if (e.error) {
        bad = true;
        console.log(`${r.name}: ${lang.label} ${e.error}`);
      }
    }
    for (const m of r.mismatches) {
      bad = true;
      console.log(`${r.name}: ${m}`);
    }
  }

  const reportPath = path.join(REPO_ROOT, "reports", "bench.json");
  mkdirSync(path.dirname(reportPath), { recursive: true });
  writeFileSync(
    reportPath,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), machine, runs: opts.runs, wfl: wflCommand(), results }, null, 2)}\n`,
  );
  console.log(`\nreport: ${path.relative(REPO_ROOT, reportPath)}`);
  process.exitCode = bad ? 1 : 0;
  if (web) {
    console.log("");
    await webBench(opts);
  }
  if (hub) {
    console.log("");
    await wflhubBench();
  }
}

async function wflhubBench() {
  const { runWflhubBench } = await import("./wflhub.mjs");
  try {
    await runWflhubBench({});
  } catch (e) {
    console.log(`wflhub bench failed: ${e.message}`);
    process.exitCode = 1;
  }
}

async function webBench(opts) {
  const { runWebBench } = await import("./web.mjs");
  const { failed } = await runWebBench({
    duration: opts.webDuration || Number(process.env.WFL_BENCH_WEB_DURATION) || 3,
    rounds: opts.webRounds || Number(process.env.WFL_BENCH_WEB_ROUNDS) || 2,
    warmup: 1,
    connections: 32,
  });
  if (failed) process.exitCode = 1;
}

await main();

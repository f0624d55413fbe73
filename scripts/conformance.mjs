#!/usr/bin/env node
// Conformance runner: runs WFL programs through the CLI and judges them.
//
//   node scripts/conformance.mjs [options] [FILTER...]
//
//   (no suite flag)   upstream corpus, then our TestPrograms
//   --upstream        only the upstream corpus (../shared/wfl-upstream or $WFL_UPSTREAM)
//   --ours            only our TestPrograms/**/*.wfl (golden .out/.err/.args files)
//   --unit            first run the unit tests (`node --test test/`) and count them too
//   --write           (re)write each of our .out files from the current stdout (implies --ours)
//   --update-floor    raise conformance/floor.json to the upstream pass count (never lowers it)
//   --update-record   rewrite conformance/record.json (each upstream program's pass/fail/skip and
//                     why) from this run, printing every entry that changes; a filtered run
//                     rewrites only the programs it ran
//   --jobs N          parallel programs (default $WFL_CONFORMANCE_JOBS or 2)
//   --keep            keep the scratch copies (their path is printed)
//   FILTER            only programs whose path contains one of the FILTER strings
//                     (a filtered upstream run never checks or updates the floor, but is
//                     compared with the record)
//
// The upstream run fails when a program conformance/record.json records as passing does not
// pass now, and when the pass count is below conformance/floor.json.
//
// $WFL_BIN replaces `node bin/wfl` (a .js/.mjs file runs under this node).
// Output: one `PASS path` / `FAIL path: reason` / `SKIP path` line per program in
// corpus order, a summary line per suite, and finally `N passed, N failed, N skipped`.
// Full details go to reports/conformance.json.
import { cpSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { execFile, spawn } from "node:child_process";
import { cp, rm } from "node:fs/promises";
import { promisify } from "node:util";
import os from "node:os";
import path from "node:path";
import {
  REPO_ROOT,
  errorDiagnostics,
  expectedErrorProblems,
  findHostTrace,
  goldenErrorProblems,
  killActiveProcessGroups,
  runProcess,
  stripAnsi,
  upstreamDir,
  wflCommand,
  wflCommandProblem,
} from "../conformance/lib.mjs";

const execFileAsync = promisify(execFile);
const TIMEOUT_MS = Number(process.env.WFL_CONFORMANCE_TIMEOUT_MS) || 30_000; // the upstream CI limit
const RULES_PATH = path.join(REPO_ROOT, "conformance", "corpus-rules.json");
const FLOOR_PATH = path.join(REPO_ROOT, "conformance", "floor.json");
// $WFL_CONFORMANCE_RECORD replaces it (to test this runner itself).
const RECORD_PATH = path.resolve(REPO_ROOT, process.env.WFL_CONFORMANCE_RECORD || "conformance/record.json");
const REPORT_PATH = path.join(REPO_ROOT, "reports", "conformance.json");
const DESCRIBE_RE = /^[ \t]*describe "/m; // the upstream CI rule for adding --test
// A program that binds a fixed TCP port (port 0 lets the OS choose, so it never clashes).
const FIXED_PORT_RE = /^[ \t]*listen\b[^\n]*\bport\s+(?!0\b)\S/m;

// ---------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const opts = { upstream: false, ours: false, unit: false, write: false, updateFloor: false, updateRecord: false, keep: false, jobs: null, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--upstream") opts.upstream = true;
    else if (a === "--ours") opts.ours = true;
    else if (a === "--unit") opts.unit = true;
    else if (a === "--write") opts.write = true;
    else if (a === "--update-floor") opts.updateFloor = true;
    else if (a === "--update-record") opts.updateRecord = true;
    else if (a === "--keep") opts.keep = true;
    else if (a === "--jobs") opts.jobs = Number(argv[++i]);
    else if (a.startsWith("--jobs=")) opts.jobs = Number(a.slice(7));
    else if (a === "--filter") opts.filters.push(argv[++i] ?? "");
    else if (a === "-h" || a === "--help") opts.help = true;
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else opts.filters.push(a);
  }
  if (opts.write && !opts.upstream) opts.ours = true;
  if ((opts.updateFloor || opts.updateRecord) && !opts.ours) opts.upstream = true;
  if (!opts.upstream && !opts.ours) opts.upstream = opts.ours = true;
  const jobs = opts.jobs ?? Number(process.env.WFL_CONFORMANCE_JOBS || 2);
  opts.jobs = Number.isFinite(jobs) && jobs >= 1 ? Math.floor(jobs) : 2;
  return opts;
}

function usage() {
  const text = readFileSync(new URL(import.meta.url), "utf8");
  const lines = text.split("\n").slice(1);
  const end = lines.findIndex((l) => !l.startsWith("//"));
  return lines
    .slice(0, end === -1 ? undefined : end)
    .map((l) => l.replace(/^\/\/ ?/, ""))
    .join("\n");
}

// ---------------------------------------------------------------------------
// File helpers

function listWfl(root, sub = "") {
  const dir = path.join(root, sub);
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    // A folder whose name starts with `_` holds files other programs load (modules), not programs.
    if (entry.isDirectory()) { if (!entry.name.startsWith("_")) out.push(...listWfl(root, rel)); }
    else if (entry.isFile() && entry.name.endsWith(".wfl")) out.push(rel);
  }
  return out.sort();
}

/** The corpus is checked in read-only; scratch copies must be writable. */
function makeWritable(p) {
  const st = statSync(p);
  if (st.isDirectory()) {
    chmodSync(p, (st.mode & 0o777) | 0o700);
    for (const name of readdirSync(p)) makeWritable(path.join(p, name));
  } else {
    chmodSync(p, (st.mode & 0o777) | 0o600);
  }
}

function shellQuote(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

/** corpus programs spawn `target/release/wfl` (the upstream binary path): point it at our CLI. */
function writeReleaseShim(root) {
  const dir = path.join(root, "target", "release");
  mkdirSync(dir, { recursive: true });
  const shim = path.join(dir, "wfl");
  writeFileSync(shim, `#!/bin/sh\nexec ${wflCommand().map(shellQuote).join(" ")} "$@"\n`);
  chmodSync(shim, 0o755);
}

function readOptional(file) {
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

function firstLine(text) {
  const line = stripAnsi(text)
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line ? clip(line, 100) : "";
}

function clip(s, n) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function tail(text, n = 2000) {
  return text.length > n ? `…${text.slice(-n)}` : text;
}

// ---------------------------------------------------------------------------
// Reading a program's source

/** Decodes a WFL text literal body; null if it holds an escape WFL does not define. */
function decodeLiteral(body) {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    const map = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', 0: "\0" };
    if (!(e in map)) return null;
    out += map[e];
  }
  return out;
}

/**
 * Column-0 `display "literal"` lines (nothing after the literal but whitespace or a
 * comment). Lines that begin inside a multi-line text literal are not statements and
 * are ignored.
 */
function topLevelDisplayLiterals(source) {
  const literals = [];
  let inString = false;
  for (const line of source.split(/\r?\n/)) {
    const startsInString = inString;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "#" || (c === "/" && line[i + 1] === "/")) break;
    }
    if (startsInString) continue;
    const m = /^display[ \t]+"((?:[^"\\]|\\.)*)"[ \t]*(?:(?:\/\/|#).*)?$/.exec(line);
    if (!m) continue;
    const text = decodeLiteral(m[1]);
    if (text !== null) literals.push(text);
  }
  return literals;
}

// ---------------------------------------------------------------------------
// Running programs

let scratchRoot = null;

function newScratchRoot() {
  if (!scratchRoot) scratchRoot = mkdtempSync(path.join(os.tmpdir(), "wfl-conformance-"));
  return scratchRoot;
}

let portLock = Promise.resolve();
/** Programs that bind fixed ports run one at a time (several share 8080/8092/8094). */
async function withPortLock(fn) {
  const previous = portLock;
  let release;
  portLock = new Promise((r) => (release = r));
  await previous;
  try {
    return await fn();
  } finally {
    release();
  }
}

/**
 * Runs every program through `runOne` with `jobs` workers and prints each result
 * line in corpus order as soon as it and all earlier ones are known.
 */
async function runAll(programs, jobs, runOne, printLine) {
  const results = new Array(programs.length);
  let nextToPrint = 0;
  let next = 0;
  const flush = () => {
    while (nextToPrint < programs.length && results[nextToPrint]) printLine(results[nextToPrint++]);
  };
  const worker = async () => {
    while (next < programs.length) {
      const i = next++;
      const prog = programs[i];
      results[i] = prog.skip ? { ...prog, status: "skip" } : await (prog.exclusive ? withPortLock(() => runOne(prog, i)) : runOne(prog, i));
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, programs.length)) }, worker));
  flush();
  return results;
}

/** Copies a directory tree without blocking the event loop (`cp -R` is ~10x faster than fs.cp). */
async function copyTree(src, dst) {
  try {
    await execFileAsync("cp", ["-R", src, dst]);
  } catch {
    rmSync(dst, { recursive: true, force: true });
    await cp(src, dst, { recursive: true });
  }
}

/** Copies the pristine tree, runs `rel` inside the copy, removes the copy (unless --keep). */
async function runInCopy(pristine, tag, rel, extraFlags, progArgs, keep) {
  const dir = path.join(scratchRoot, tag);
  await copyTree(pristine, dir);
  const [cmd, ...lead] = wflCommand();
  const res = await runProcess(cmd, [...lead, ...extraFlags, rel, ...progArgs], { cwd: dir, timeoutMs: TIMEOUT_MS });
  if (!keep) await rm(dir, { recursive: true, force: true });
  return res;
}

/** Problems every run can have, whatever the program expects. */
function processProblems(res) {
  const problems = [];
  if (res.spawnError) problems.push(`could not start the CLI: ${res.spawnError}`);
  if (res.timedOut) problems.push(`timeout after ${TIMEOUT_MS / 1000}s`);
  else if (res.overflow) problems.push("output exceeded 16 MB");
  else if (res.signal) problems.push(`killed by ${res.signal}`);
  return problems;
}

function resultRecord(prog, res, problems, extra = {}) {
  return {
    path: prog.rel,
    status: problems.length ? "fail" : "pass",
    reason: problems.length ? problems[0] + (problems.length > 1 ? ` (+${problems.length - 1} more)` : "") : undefined,
    problems: problems.length ? problems : undefined,
    mode: prog.mode,
    flags: prog.flags,
    exitCode: res.code,
    signal: res.signal ?? undefined,
    durationMs: Math.round(res.durationMs),
    stderrTail: tail(res.stderr),
    stdoutTail: problems.length ? tail(res.stdout) : undefined,
    ...extra,
  };
}

// ---------------------------------------------------------------------------
// Upstream corpus

function loadRules() {
  const rules = JSON.parse(readFileSync(RULES_PATH, "utf8"));
  return {
    skip: rules.skip ?? {},
    expectError: rules.expectError ?? {},
    expectErrorDirs: rules.expectErrorDirs ?? {},
    allowedMarkerLines: rules.allowedMarkerLines ?? {},
    forbiddenDisplays: rules.forbiddenDisplays ?? {},
    notes: rules.notes ?? {},
  };
}

function classifyUpstream(root, rules) {
  return listWfl(root, "TestPrograms").map((sub) => {
    const rel = sub;
    const source = readFileSync(path.join(root, rel), "utf8");
    const first = source.split(/\r?\n/, 1)[0] ?? "";
    const prog = { rel, source };
    if (first.includes("CI-SKIP")) return { ...prog, skip: true, skipReason: first.replace(/^.*CI-SKIP:?\s*/, "CI-SKIP: ") };
    if (rules.skip[rel]) return { ...prog, skip: true, skipReason: rules.skip[rel] };
    const dirRule = Object.keys(rules.expectErrorDirs).find((d) => rel.startsWith(d));
    const errRule = rules.expectError[rel] ?? (dirRule ? { reason: rules.expectErrorDirs[dirRule] } : null);
    const flags = DESCRIBE_RE.test(source) ? ["--test"] : [];
    return {
      ...prog,
      mode: errRule ? "expect-error" : flags.length ? "test" : "run",
      flags,
      expectErrorRule: errRule,
      exclusive: FIXED_PORT_RE.test(source),
    };
  });
}

function staleRules(rules, files) {
  const known = new Set(files);
  const keys = [
    ...Object.keys(rules.skip),
    ...Object.keys(rules.expectError),
    ...Object.keys(rules.allowedMarkerLines),
    ...Object.keys(rules.forbiddenDisplays),
    ...Object.keys(rules.notes),
  ];
  return keys.filter((k) => !known.has(k));
}

function judgeUpstream(prog, res, rules) {
  const problems = processProblems(res);
  const stdout = stripAnsi(res.stdout).replace(/\r\n/g, "\n");
  const hostTrace = findHostTrace(res.stderr);
  if (hostTrace) problems.push(`host stack trace in stderr: ${clip(hostTrace, 100)}`);
  if (problems.length === 0 || (hostTrace && problems.length === 1)) {
    if (prog.mode === "expect-error") {
      if (res.code === 0) problems.push("expected a non-zero exit (intentional-error program), got 0");
      else problems.push(...expectedErrorProblems(prog.expectErrorRule?.expect, res.stderr));
    } else if (res.code !== 0) {
      problems.push(`exit ${res.code}${firstLine(res.stderr) ? `: ${firstLine(res.stderr)}` : ""}`);
    }
  }
  if (prog.mode === "expect-error") return problems;

  if (prog.mode === "test") {
    const total = /^\s*Total:\s*(\d+)/m.exec(stdout);
    const passed = /^\s*Passed:\s*(\d+)/m.exec(stdout);
    if (!stdout.includes("Test Results")) problems.push("no 'Test Results' summary in --test output");
    else if (!total || !passed) problems.push("test summary lacks Total:/Passed: lines");
    else if (Number(total[1]) === 0) problems.push("test summary reports 0 tests");
    else if (passed[1] !== total[1]) problems.push(`Passed: ${passed[1]} of Total: ${total[1]}`);
  }

  const allowed = new Set((rules.allowedMarkerLines[prog.rel]?.lines ?? []).map((l) => l.trim()));
  const lines = stdout.split("\n");
  const marker = lines.find((l) => {
    const t = l.trimStart();
    return (t.startsWith("✗") || t.startsWith("FAIL")) && !allowed.has(l.trim());
  });
  if (marker !== undefined) problems.push(`failure line in stdout: ${clip(marker.trim(), 90)}`);

  const forbidden = rules.forbiddenDisplays[prog.rel]?.lines ?? [];
  const haystack = `\n${stdout}\n`;
  const missing = topLevelDisplayLiterals(prog.source).filter((lit) => !forbidden.includes(lit) && !haystack.includes(`\n${lit}\n`));
  if (missing.length) problems.push(`missing display line ${JSON.stringify(clip(missing[0], 70))}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ""}`);
  for (const lit of forbidden) if (haystack.includes(`\n${lit}\n`)) problems.push(`displayed a line that must not run: ${JSON.stringify(clip(lit, 70))}`);
  return problems;
}

async function runUpstream(opts, printLine) {
  const root = upstreamDir();
  if (!existsSync(path.join(root, "TestPrograms"))) {
    console.log(`FAIL upstream corpus: ${root}/TestPrograms not found (set WFL_UPSTREAM)`);
    return { suite: "upstream", dir: root, passed: 0, failed: 1, skipped: 0, programs: [], missingCorpus: true };
  }
  const rules = loadRules();
  let programs = classifyUpstream(root, rules);
  for (const stale of staleRules(rules, programs.map((p) => p.rel))) console.log(`warning: corpus-rules.json names ${stale}, which is not in the corpus`);
  const filtered = opts.filters.length > 0;
  if (filtered) programs = programs.filter((p) => opts.filters.some((f) => p.rel.includes(f)));

  const runnable = programs.filter((p) => !p.skip);
  const shown = path.relative(REPO_ROOT, root) || root;
  console.log(
    `== upstream corpus ${shown}: ${programs.length} programs, ${runnable.length} runnable ` +
      `(${runnable.filter((p) => p.mode === "expect-error").length} must fail), ${opts.jobs} jobs`,
  );

  newScratchRoot();
  const pristine = path.join(scratchRoot, "upstream");
  cpSync(root, pristine, { recursive: true });
  makeWritable(pristine);
  writeReleaseShim(pristine);

  const display = (rel) => path.join(shown, rel);
  const results = await runAll(
    programs,
    opts.jobs,
    async (prog, i) => {
      const res = await runInCopy(pristine, `u${i}`, prog.rel, prog.flags, [], opts.keep);
      const problems = judgeUpstream(prog, res, rules);
      const extra = {};
      const hint = prog.expectErrorRule?.upstreamExit;
      if (hint !== undefined && problems.length === 0 && res.code !== hint) extra.note = `upstream exits ${hint} here, we exit ${res.code}`;
      return resultRecord(prog, res, problems, extra);
    },
    (r) => printLine(r, display),
  );
  const records = results.map((r) => (r.status === "skip" ? { path: r.rel, status: "skip", reason: r.skipReason } : r));
  const summary = {
    suite: "upstream",
    dir: root,
    filtered,
    passed: records.filter((r) => r.status === "pass").length,
    failed: records.filter((r) => r.status === "fail").length,
    skipped: records.filter((r) => r.status === "skip").length,
    programs: records,
  };

  Object.assign(summary, checkRecord(records, programs.map((p) => p.rel), opts, filtered));

  const floor = JSON.parse(readFileSync(FLOOR_PATH, "utf8")).upstream ?? 0;
  summary.floor = floor;
  if (!filtered) {
    if (opts.updateFloor && summary.passed > floor) {
      writeFileSync(FLOOR_PATH, `${JSON.stringify({ upstream: summary.passed }, null, 2)}\n`);
      console.log(`floor raised from ${floor} to ${summary.passed} (conformance/floor.json)`);
      summary.floor = summary.passed;
    }
    summary.belowFloor = summary.passed < summary.floor;
  }
  return summary;
}

// ---------------------------------------------------------------------------
// The per-program record (conformance/record.json)

const RECORD_ABOUT = [
  "Each upstream program's last recorded result: pass, fail or skip, and for fail/skip why (the runner's reason).",
  "scripts/conformance.mjs fails when a program recorded as pass does not pass. Rewrite with `node scripts/conformance.mjs --upstream --update-record`,",
  "which prints every entry it changes; a pass that became a fail is printed as a REGRESSION and still fails that run.",
];

function loadRecord() {
  if (!existsSync(RECORD_PATH)) return {};
  return JSON.parse(readFileSync(RECORD_PATH, "utf8")).programs ?? {};
}

function recordEntry(r) {
  if (r.status === "pass") return { status: "pass" };
  return { status: r.status, reason: clip(r.problems?.length ? r.problems.join("; ") : String(r.reason ?? "no reason given"), 240) };
}

const showEntry = (e) => (e ? `${e.status}${e.reason ? ` (${e.reason})` : ""}` : "not recorded");

/**
 * Compares this run with the record: a recorded pass that does not pass now is a regression.
 * With --update-record, writes the new record and prints every change.
 */
function checkRecord(records, corpusFiles, opts, filtered) {
  const old = loadRecord();
  const regressions = [];
  const improvements = [];
  const unrecorded = [];
  for (const r of records) {
    const was = old[r.path];
    if (!was) unrecorded.push(r.path);
    else if (was.status === "pass" && r.status !== "pass") regressions.push({ path: r.path, was, now: recordEntry(r) });
    else if (was.status !== "pass" && r.status === "pass") improvements.push(r.path);
  }
  const vanished = filtered ? [] : Object.keys(old).filter((k) => !corpusFiles.includes(k));
  for (const g of regressions) console.log(`REGRESSION ${g.path}: recorded as passing, now ${showEntry(g.now)}`);
  if (!opts.updateRecord) {
    for (const p of improvements) console.log(`note: ${p} now passes but is recorded as ${old[p].status} (run with --update-record)`);
    for (const p of unrecorded) console.log(`note: ${p} is not in conformance/record.json (run with --update-record)`);
    for (const p of vanished) console.log(`note: conformance/record.json names ${p}, which is not in the corpus (run with --update-record)`);
  } else {
    const next = filtered ? { ...old } : {};
    for (const r of records) next[r.path] = recordEntry(r);
    const changes = [];
    for (const k of new Set([...Object.keys(old), ...Object.keys(next)])) {
      const a = old[k], b = next[k];
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      const tag = a?.status === "pass" && b?.status !== "pass" ? "REGRESSION recorded" : "record";
      changes.push(`${tag}: ${k}: ${showEntry(a)} -> ${b ? showEntry(b) : "removed (no longer in the corpus)"}`);
    }
    const sorted = Object.fromEntries(Object.keys(next).sort().map((k) => [k, next[k]]));
    // One program per line, so a change to the record reads as a one-line diff.
    const body = Object.entries(sorted).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(",\n");
    writeFileSync(RECORD_PATH, `{\n  "_about": ${JSON.stringify(RECORD_ABOUT, null, 4).replace(/\n\]$/, "\n  ]")},\n  "programs": {\n${body}\n  }\n}\n`);
    for (const c of changes) console.log(c);
    console.log(`conformance/record.json: ${changes.length} entr${changes.length === 1 ? "y" : "ies"} changed`);
  }
  return { regressions, improvements, unrecorded };
}

// ---------------------------------------------------------------------------
// Our programs (golden files)

function argsFromFile(text) {
  if (text === null) return [];
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

function firstDifference(expected, actual) {
  const e = expected.split("\n");
  const a = actual.split("\n");
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      const show = (s) => (s === undefined ? "<end of output>" : JSON.stringify(clip(s, 60)));
      return `stdout differs at line ${i + 1}: expected ${show(e[i])}, got ${show(a[i])}`;
    }
  }
  return "stdout differs";
}

async function runOurs(opts, printLine) {
  // $WFL_OURS_ROOT (a folder holding TestPrograms/) exists to test this runner itself.
  const root = path.resolve(REPO_ROOT, process.env.WFL_OURS_ROOT || ".");
  let programs = listWfl(root, "TestPrograms").map((rel) => {
    const source = readFileSync(path.join(root, rel), "utf8");
    const base = path.join(root, rel.replace(/\.wfl$/, ""));
    const flags = DESCRIBE_RE.test(source) ? ["--test"] : [];
    const err = readOptional(`${base}.err`);
    return {
      rel,
      base,
      flags,
      mode: err !== null ? "expect-error" : flags.length ? "test" : "run",
      args: argsFromFile(readOptional(`${base}.args`)),
      exclusive: FIXED_PORT_RE.test(source),
    };
  });
  if (opts.filters.length) programs = programs.filter((p) => opts.filters.some((f) => p.rel.includes(f)));
  console.log(`== our TestPrograms: ${programs.length} programs${opts.write ? " (--write: accepting current stdout as .out)" : ""}, ${opts.jobs} jobs`);

  newScratchRoot();
  const pristine = path.join(scratchRoot, "ours");
  mkdirSync(pristine, { recursive: true });
  if (existsSync(path.join(root, "TestPrograms"))) cpSync(path.join(root, "TestPrograms"), path.join(pristine, "TestPrograms"), { recursive: true });
  writeReleaseShim(pristine);

  const written = [];
  const results = await runAll(
    programs,
    opts.jobs,
    async (prog, i) => {
      const res = await runInCopy(pristine, `o${i}`, prog.rel, prog.flags, prog.args, opts.keep);
      const problems = processProblems(res);
      const hostTrace = findHostTrace(res.stderr);
      if (hostTrace) problems.push(`host stack trace in stderr: ${clip(hostTrace, 100)}`);
      const outFile = `${prog.base}.out`;
      let expectedOut = readOptional(outFile);
      if (opts.write && problems.length === 0 && expectedOut !== res.stdout) {
        writeFileSync(outFile, res.stdout);
        written.push(path.relative(REPO_ROOT, outFile));
        expectedOut = res.stdout;
      }
      const errText = readOptional(`${prog.base}.err`);
      if (problems.length === (hostTrace ? 1 : 0)) {
        if (errText !== null) {
          if (res.code === 0) problems.push("expected a non-zero exit (.err exists), got 0");
          problems.push(...goldenErrorProblems(errText, res.stderr));
        } else if (res.code !== 0) {
          problems.push(`exit ${res.code}${firstLine(res.stderr) ? `: ${firstLine(res.stderr)}` : ""}`);
        }
      }
      if (expectedOut === null) problems.push(`no ${path.basename(outFile)} (accept the current output with --write)`);
      else if (expectedOut !== res.stdout) problems.push(firstDifference(expectedOut, res.stdout));
      return resultRecord(prog, res, problems, { args: prog.args.length ? prog.args : undefined });
    },
    (r) => printLine(r, (rel) => rel),
  );
  for (const w of written) console.log(`WROTE ${w}`);
  return {
    suite: "ours",
    passed: results.filter((r) => r.status === "pass").length,
    failed: results.filter((r) => r.status === "fail").length,
    skipped: 0,
    written,
    programs: results,
  };
}

// ---------------------------------------------------------------------------
// Unit tests (node --test), so the closing line counts everything

function runUnit() {
  console.log("== unit tests: node --test test/");
  return new Promise((resolve) => {
    const env = { ...process.env };
    if (process.stdout.isTTY && !env.NO_COLOR) env.FORCE_COLOR = "1";
    const child = spawn(process.execPath, ["--test", "--test-reporter=spec", "test/"], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks = [];
    child.stdout.on("data", (d) => {
      process.stdout.write(d);
      chunks.push(d);
    });
    child.stderr.on("data", (d) => process.stderr.write(d));
    child.on("close", (code) => {
      const text = stripAnsi(Buffer.concat(chunks).toString("utf8"));
      const count = (name) => {
        const all = [...text.matchAll(new RegExp(`^[ℹ#] ${name} (\\d+)`, "gm"))];
        return all.length ? Number(all.at(-1)[1]) : 0;
      };
      const summary = {
        suite: "unit",
        exitCode: code,
        passed: count("pass"),
        failed: count("fail") + count("cancelled"),
        skipped: count("skipped") + count("todo"),
      };
      if (code !== 0 && summary.failed === 0) {
        summary.failed = 1;
        summary.note = `node --test exited ${code} without reporting a failed test`;
      }
      resolve(summary);
    });
  });
}

// ---------------------------------------------------------------------------

function printLine(r, display) {
  const p = display(r.path ?? r.rel);
  if (r.status === "skip") console.log(`SKIP ${p}`);
  else if (r.status === "pass") console.log(`PASS ${p}${r.note ? ` (note: ${r.note})` : ""}`);
  else console.log(`FAIL ${p}: ${r.reason}`);
}

function cleanup(keep) {
  if (!scratchRoot) return;
  if (keep) console.log(`scratch copies kept in ${scratchRoot}`);
  else rmSync(scratchRoot, { recursive: true, force: true });
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`conformance: ${err.message}\n\n${usage()}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(usage());
    return;
  }
  for (const sig of ["SIGINT", "SIGTERM"]) {
    process.on(sig, () => {
      killActiveProcessGroups();
      cleanup(false);
      process.exit(130);
    });
  }

  const report = { generatedAt: new Date().toISOString(), cli: wflCommand(), timeoutMs: TIMEOUT_MS, jobs: opts.jobs, suites: {} };
  const problem = wflCommandProblem();
  if (problem && (opts.upstream || opts.ours)) console.log(`warning: ${problem}; every program will fail`);

  const suites = [];
  let failedRun = false;
  try {
    if (opts.unit) suites.push(await runUnit());
    if (opts.upstream) suites.push(await runUpstream(opts, printLine));
    if (opts.ours) suites.push(await runOurs(opts, printLine));
  } finally {
    cleanup(opts.keep);
  }

  console.log("");
  for (const s of suites) {
    report.suites[s.suite] = s;
    let line = `${s.suite}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`;
    if (s.suite === "upstream" && !s.missingCorpus) {
      line += s.filtered ? " (filtered run: floor not checked)" : ` (floor ${s.floor}${s.belowFloor ? `: BELOW FLOOR by ${s.floor - s.passed}` : ""})`;
      if (s.regressions.length) line += ` (${s.regressions.length} REGRESSION${s.regressions.length === 1 ? "" : "S"} against conformance/record.json)`;
      if (s.belowFloor || s.missingCorpus || s.regressions.length) failedRun = true;
    }
    if (s.suite === "upstream" && s.missingCorpus) failedRun = true;
    if (s.suite !== "upstream" && s.failed > 0) failedRun = true;
    if (s.note) line += ` (${s.note})`;
    console.log(line);
  }

  const totals = suites.reduce((t, s) => ({ passed: t.passed + s.passed, failed: t.failed + s.failed, skipped: t.skipped + s.skipped }), { passed: 0, failed: 0, skipped: 0 });
  report.totals = totals;
  report.ok = !failedRun;
  mkdirSync(path.dirname(REPORT_PATH), { recursive: true });
  writeFileSync(REPORT_PATH, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`report: ${path.relative(REPO_ROOT, REPORT_PATH)}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exitCode = failedRun ? 1 : 0;
}

await main();

// Plumbing for test/upstream-web-drivers.test.mjs: runs one upstream corpus program (a web
// server the conformance runner skips because it needs a client) in a scratch folder, waits
// until its fixed port accepts connections, and stops it afterwards.
//
//   const dir = prepare("simple_web_test.wfl");          // copy into a fresh temp folder
//   const prog = await startProgram(dir, "simple_web_test.wfl", { ports: [8095] });
//   ... fetch(`http://127.0.0.1:8095/`) ...
//   const end = await prog.waitForExit();                // or: await prog.stop()
//   assertCleanExit(end);
//
// The corpus (../shared/wfl-upstream, or $WFL_UPSTREAM) is read-only: programs always run in a
// copy. Programs bind fixed ports (8080, 8095, ...), so the tests using this run serially, and a
// port some other process holds fails the test with a message naming the port.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import assert from "node:assert/strict";
import { findHostTrace, stripAnsi, upstreamDir, wflCommand, wflCommandProblem } from "../../conformance/lib.mjs";

export const CORPUS = path.join(upstreamDir(), "TestPrograms");

/** Why the drivers cannot run here (no corpus, no build), or null. */
export function missingPrerequisite() {
  if (!existsSync(CORPUS)) return `the upstream corpus is not at ${CORPUS}`;
  return wflCommandProblem();
}

const scratch = [];
const running = new Set();

/**
 * A fresh temp folder holding `rel` (a path under TestPrograms/, kept with its folders) and the
 * extra corpus files named in `extra`; `files` maps further relative names to contents.
 */
export function prepare(rel, { extra = [], files = {} } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wfl-upstream-driver-"));
  scratch.push(dir);
  for (const r of [rel, ...extra]) {
    const to = path.join(dir, r);
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(path.join(CORPUS, r), to, { recursive: true });
  }
  for (const [name, text] of Object.entries(files)) {
    const to = path.join(dir, name);
    mkdirSync(path.dirname(to), { recursive: true });
    writeFileSync(to, text);
  }
  return dir;
}

/** Stops every program still running (for an `afterEach` hook: a failed test frees its port). */
export async function stopAll() {
  await Promise.all([...running].map((p) => p.stop(500)));
}

/** Stops what is still running and removes the scratch folders (for an `after` hook). */
export async function cleanup() {
  await stopAll();
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves true when something accepts a TCP connection on 127.0.0.1:port. */
function accepts(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
    s.setTimeout(500, () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** Resolves true when this process can bind 127.0.0.1:port (nobody else holds it). */
function bindable(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ host: "127.0.0.1", port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

const busyMessage = (port) =>
  `port ${port} is busy: another process is listening on 127.0.0.1:${port}. ` +
  `This upstream program binds that fixed port; stop the other process and run the test again.`;

/** Waits up to `ms` for every port to be free; throws naming the busy one. */
async function ensureFree(ports, ms = 8000) {
  for (const port of ports) {
    const deadline = Date.now() + ms;
    while (!(await bindable(port)) || (await accepts(port))) {
      if (Date.now() > deadline) throw new Error(busyMessage(port));
      await sleep(100);
    }
  }
}

/**
 * Starts `bin/wfl [flags] file` in `dir` (the launcher of the built dist/cli.js, which starts from
 * the start-up snapshot: about a fifth of the start-up time; $WFL_BIN replaces it, as for the
 * conformance runner) and resolves once every port in `ports`
 * accepts connections (or, with `ready`, once stdout matches it). Rejects, with the program's
 * output, if it exits first or is not ready within `readyMs`.
 */
export async function startProgram(dir, file, { ports = [], flags = [], ready = null, readyMs = 8000 } = {}) {
  await ensureFree(ports);
  // The upstream CI rule: a program with a describe block runs under --test.
  if (/^[ \t]*describe "/m.test(readFileSync(path.join(dir, file), "utf8")) && !flags.includes("--test")) flags = ["--test", ...flags];
  const [cmd, ...lead] = wflCommand();
  const child = spawn(cmd, [...lead, ...flags, file], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prog = new Program(child, file);
  running.add(prog);
  const deadline = Date.now() + readyMs;
  try {
    for (const port of ports) {
      while (!(await accepts(port))) {
        if (prog.result) throw new Error(`${file} exited before port ${port} accepted connections\n${prog.describe()}`);
        if (Date.now() > deadline) throw new Error(`${file}: port ${port} did not accept connections within ${readyMs} ms\n${prog.describe()}`);
        await sleep(25);
      }
    }
    if (ready) await prog.waitForOutput(ready, Math.max(100, deadline - Date.now()));
    // Another process may have taken the port between the check and the program's listen; then
    // the connections above reached it, and the program stops with "Port N is already in use".
    await sleep(20);
    const lost = /Port (\d+) is already in use/.exec(prog.err);
    if (lost) throw new Error(busyMessage(lost[1]));
  } catch (err) {
    await prog.stop(500);
    throw err;
  }
  return prog;
}

export class Program {
  constructor(child, file) {
    this.child = child;
    this.file = file;
    this.out = "";
    this.err = "";
    this.result = null;
    this.waiters = new Set();
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d) => {
      this.out += d;
      for (const w of this.waiters) w();
    });
    child.stderr.on("data", (d) => (this.err += d));
    this.exited = new Promise((resolve) => {
      child.on("close", (code, signal) => {
        this.result = { code, signal, out: stripAnsi(this.out), err: stripAnsi(this.err), killed: this.killed ?? false };
        running.delete(this);
        for (const w of this.waiters) w();
        resolve(this.result);
      });
    });
  }

  /** stdout and stderr so far, for failure messages. */
  describe() {
    return `--- stdout ---\n${stripAnsi(this.out).slice(-3000)}\n--- stderr ---\n${stripAnsi(this.err).slice(-3000)}`;
  }

  /** Resolves when stdout (so far) matches `pattern` (text or RegExp); rejects after `ms`. */
  waitForOutput(pattern, ms = 5000) {
    const hit = () => (typeof pattern === "string" ? this.out.includes(pattern) : pattern.test(this.out));
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const check = () => {
        if (hit()) {
          done();
          resolve(this.out);
        } else if (this.result) {
          done();
          reject(new Error(`${this.file} exited without printing ${pattern}\n${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.file} did not print ${pattern} within ${ms} ms\n${this.describe()}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves with the exit result; after `ms`, stops the program and rejects. */
  async waitForExit(ms = 5000) {
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(null), ms)));
    const r = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (r) return r;
    const out = this.describe();
    await this.stop(500);
    throw new Error(`${this.file} did not exit within ${ms} ms\n${out}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit result (`killed` if SIGKILL was needed). */
  async stop(graceMs = 2000) {
    if (this.result) return this.result;
    this.child.kill("SIGTERM");
    let timer;
    const r = await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(() => resolve(null), graceMs)))]);
    clearTimeout(timer);
    if (r) return r;
    this.killed = true;
    this.child.kill("SIGKILL");
    return this.exited;
  }
}

/**
 * The program ended on its own terms: not SIGKILLed after the grace period, no host stack trace
 * or Node internals on stderr, and the given exit code (`null`: any; `"stopped"`, for a program
 * stopped with SIGTERM: exit 0 after a graceful shutdown, or the default end by SIGTERM).
 */
export function assertCleanExit(r, { code = 0 } = {}) {
  const where = `\n--- stdout ---\n${r.out.slice(-2000)}\n--- stderr ---\n${r.err.slice(-2000)}`;
  assert.ok(!r.killed, `the program ignored SIGTERM and had to be killed${where}`);
  const trace = findHostTrace(r.err);
  assert.equal(trace, null, `host stack trace on stderr: ${trace}${where}`);
  assert.doesNotMatch(r.err, /error\[INTERNAL\]/, `internal error${where}`);
  if (code === "stopped") assert.ok(r.code === 0 || (r.code === null && r.signal === "SIGTERM"), `exit ${r.code} / ${r.signal} after SIGTERM${where}`);
  else if (code !== null) assert.equal(r.code, code, `exit code${where}`);
}

/** Asserts every line in `lines` appears as a whole line of `out` (trailing spaces ignored). */
export function assertLines(out, lines) {
  const have = new Set(out.split("\n").map((l) => l.trimEnd()));
  for (const l of lines) assert.ok(have.has(l), `expected the line ${JSON.stringify(l)} in stdout:\n${out.slice(-3000)}`);
}

/** No stdout line starts with ✗ or ❌ (the corpus's failure markers). */
export function assertNoFailureLines(out, allowed = []) {
  const bad = out.split("\n").filter((l) => /^\s*(✗|❌|FAIL)/.test(l) && !allowed.includes(l.trim()));
  assert.deepEqual(bad, [], `failure lines in stdout:\n${out.slice(-3000)}`);
}

/** `fetch` with a time limit; resolves with { status, headers, text, bytes }. */
export async function get(url, init = {}, ms = 4000) {
  const res = await fetch(url, { redirect: "manual", ...init, signal: AbortSignal.timeout(ms) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: new TextDecoder().decode(bytes) };
}

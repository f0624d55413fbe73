// Helpers shared by scripts/conformance.mjs, bench/run.mjs and
// test/cli-robustness.test.mjs: how to start the CLI, how to run a process with
// a hard time limit, and how to recognise host (Node) internals leaking out.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The upstream corpus: $WFL_UPSTREAM, else ../shared/wfl-upstream beside the repo. */
export function upstreamDir() {
  return path.resolve(REPO_ROOT, process.env.WFL_UPSTREAM || "../shared/wfl-upstream");
}

/**
 * The command that runs the WFL CLI, as [executable, ...leading args].
 * Default: `node bin/wfl`. $WFL_BIN overrides it (a .js/.mjs/.cjs file is run
 * with this node; anything else must be an executable).
 */
export function wflCommand() {
  const override = process.env.WFL_BIN;
  if (override) {
    const abs = path.resolve(REPO_ROOT, override);
    return /\.(c|m)?js$/.test(abs) ? [process.execPath, abs] : [abs];
  }
  return [path.join(REPO_ROOT, "bin", "wfl")];
}

/** Human-readable note when the default CLI entry point is missing (null if fine). */
export function wflCommandProblem() {
  const cmd = wflCommand();
  const script = cmd.length > 1 ? cmd[1] : cmd[0];
  // bin/wfl is a shell script that picks the start-up snapshot or the bundle.
  return existsSync(script) ? null : `WFL CLI not found at ${path.relative(REPO_ROOT, script) || script}`;
}

const ANSI_RE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
export function stripAnsi(text) {
  return text.replace(ANSI_RE, "");
}

// A V8 stack frame: "    at fn (/path/file.js:1:2)", "    at /path/file.js:1:2",
// "    at new Promise (<anonymous>)", "    at async Promise.all (index 0)".
// WFL's own "   at line 45" (test failures) has neither parentheses nor :line:col.
const STACK_FRAME_RE = /^\s+at\s+(?:async\s+)?\S.*(?:\(.*\)|:\d+:\d+)\s*$/m;
// A host error header at the start of a line: "TypeError: x", "Uncaught RangeError [ERR_X]: y",
// "Error [ERR_MODULE_NOT_FOUND]: …". Mid-line mentions (inside a WFL message) are allowed.
const HOST_ERROR_RE =
  /^(?:Uncaught\s+)?(?:(?:Type|Range|Reference|Syntax|Eval|URI|Aggregate|Internal)Error(?:\s*\[[A-Z0-9_]+\])?|Error\s*\[ERR_[A-Z0-9_]+\]):/m;
const OTHER_HOST_RES = [
  /node:internal/,
  /^\(node:\d+\) /m, // process warnings: "(node:123) ExperimentalWarning: …"
  /FATAL ERROR:|JavaScript heap out of memory/,
  /^(?:file:\/\/)?\/\S+\.(?:c|m)?js:\d+\s*$/m, // uncaught-exception source location header
];

/** Returns the first line showing host internals (stack frame, node:internal, host error), or null. */
export function findHostTrace(stderrText) {
  const text = stripAnsi(stderrText);
  for (const re of [STACK_FRAME_RE, HOST_ERROR_RE, ...OTHER_HOST_RES]) {
    const m = re.exec(text);
    if (m) {
      const start = text.lastIndexOf("\n", m.index) + 1;
      const end = text.indexOf("\n", m.index);
      return text.slice(start, end === -1 ? undefined : end).trim().slice(0, 200) || m[0].trim();
    }
  }
  return null;
}

// A WFL diagnostic header, `error[KIND]: message`, and the location line under it, `┌─ file:L:C`.
const ERROR_HEADER_RE = /^error\[([A-Z][A-Z0-9-]*)\]: ?(.*)$/;
const LOCATION_RE = /^\s*┌─ (.*):(\d+):(\d+)\s*$/;

/**
 * The WFL error diagnostics in stderr, in order: {kind, message, line, file, lineNo}
 * (`lineNo` is the program line the diagnostic points at, or null when it shows no location).
 */
export function errorDiagnostics(stderrText) {
  const lines = stripAnsi(stderrText).replace(/\r\n/g, "\n").split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = ERROR_HEADER_RE.exec(lines[i]);
    if (!m) continue;
    const loc = LOCATION_RE.exec(lines[i + 1] ?? "");
    out.push({ kind: m[1], message: m[2], line: lines[i], file: loc ? loc[1] : null, lineNo: loc ? Number(loc[2]) : null });
  }
  return out;
}

const clipText = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const firstNonEmptyLine = (text) => clipText(stripAnsi(text).split("\n").map((l) => l.trim()).find((l) => l) ?? "", 100);

/**
 * Whether a failing run failed the way an intentional-error program is declared to fail
 * (`expect` in corpus-rules.json): the first `error[KIND]` diagnostic has one of the expected
 * kinds (any kind but INTERNAL when none is given), its message holds every fragment (ignoring
 * case), and it points at the expected line. An error[INTERNAL] anywhere is never the expected error.
 */
export function expectedErrorProblems(expect, stderr) {
  const diags = errorDiagnostics(stderr);
  const internal = diags.find((d) => d.kind === "INTERNAL");
  if (internal) return [`crashed (${clipText(internal.line, 90)}) instead of failing with the expected error`];
  if (!expect) return ["no expected error is declared for this program (corpus-rules.json, expectError … expect)"];
  const kinds = expect.kind === undefined ? [] : [expect.kind].flat();
  const want = kinds.length ? `error[${kinds.join("|")}]` : "an error[KIND] diagnostic";
  const first = diags[0];
  if (!first) return [`stderr shows no error[KIND] diagnostic; expected ${want}${firstNonEmptyLine(stderr) ? `, got ${JSON.stringify(firstNonEmptyLine(stderr))}` : ""}`];
  if (kinds.length && !kinds.includes(first.kind)) return [`expected ${want}, got ${clipText(first.line, 100)}`];
  const lacking = (expect.message ?? []).filter((f) => !first.message.toLowerCase().includes(f.toLowerCase()));
  if (lacking.length) return [`the error message lacks ${JSON.stringify(lacking[0])}: ${clipText(first.line, 100)}`];
  if (expect.line !== undefined && first.lineNo !== expect.line)
    return [`expected the error at line ${expect.line}, got ${first.lineNo === null ? "no location" : `line ${first.lineNo}`}: ${clipText(first.line, 80)}`];
  return [];
}

/**
 * Whether a failing run of one of our programs failed as its `.err` golden says: the golden's first
 * non-empty line is the `error[KIND]: message` line (a prefix of it is enough) and the first
 * diagnostic in stderr begins with it; every other non-empty golden line appears in stderr; and
 * no error[INTERNAL] appears anywhere.
 */
export function goldenErrorProblems(errText, stderr) {
  const golden = stripAnsi(errText).split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== "");
  const diags = errorDiagnostics(stderr);
  const internal = diags.find((d) => d.kind === "INTERNAL");
  if (internal) return [`crashed (${clipText(internal.line, 90)}) instead of failing with the expected error`];
  if (!golden.length || !ERROR_HEADER_RE.test(golden[0])) return ["the .err golden must begin with the error[KIND]: line the program fails with"];
  if (!diags.length) return [`stderr shows no error[KIND] diagnostic; expected ${JSON.stringify(clipText(golden[0], 70))}`];
  if (!diags[0].line.startsWith(golden[0])) return [`expected ${JSON.stringify(clipText(golden[0], 60))} first, got ${JSON.stringify(clipText(diags[0].line, 60))}`];
  const text = stripAnsi(stderr);
  const lacking = golden.slice(1).filter((l) => !text.includes(l));
  if (lacking.length) return [`stderr lacks ${JSON.stringify(clipText(lacking[0], 70))}${lacking.length > 1 ? ` (and ${lacking.length - 1} more lines)` : ""}`];
  return [];
}

// Process groups of children still running, so an interrupted runner can reap them.
const activeGroups = new Set();

/** Kills every process group started by runProcess that is still running. */
export function killActiveProcessGroups() {
  for (const pid of activeGroups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  activeGroups.clear();
}

/**
 * Runs a command with a hard time limit. The child gets its own process group,
 * which is killed on timeout and again after exit (so stray grandchildren do
 * not outlive it). Resolves to {code, signal, stdout, stderr, timedOut,
 * overflow, durationMs, spawnError}.
 */
export function runProcess(cmd, args, { cwd, env, timeoutMs = 30_000, maxOutputBytes = 16 << 20, input } = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    let child;
    try {
      child = spawn(cmd, args, {
        cwd,
        env: env ?? process.env,
        stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        detached: true,
      });
    } catch (err) {
      resolve({ code: null, signal: null, stdout: "", stderr: "", timedOut: false, overflow: false, durationMs: 0, spawnError: String(err) });
      return;
    }
    if (child.pid) activeGroups.add(child.pid);
    const out = [];
    const errChunks = [];
    let outBytes = 0;
    let timedOut = false;
    let overflow = false;
    let spawnError = null;
    let exited = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    };
    const onData = (bucket) => (chunk) => {
      outBytes += chunk.length;
      if (outBytes > maxOutputBytes) {
        if (!overflow) {
          overflow = true;
          killGroup();
        }
        return;
      }
      bucket.push(chunk);
    };
    child.stdout.on("data", onData(out));
    child.stderr.on("data", onData(errChunks));
    if (input !== undefined) {
      child.stdin.on("error", () => {});
      child.stdin.end(input);
    }
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.on("error", (err) => {
      spawnError = String(err);
    });
    child.on("exit", () => {
      exited = true;
      // Reap whatever the program left running in its group (spawned helpers, servers).
      killGroup();
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (!exited) killGroup();
      activeGroups.delete(child.pid);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(errChunks).toString("utf8"),
        timedOut,
        overflow,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        spawnError,
      });
    });
  });
}

/** Runs async jobs over items with at most `limit` in flight; results keep item order. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

// `wfl --test` over several files and folders: every `*.wfl` with `describe` blocks (folders are
// searched recursively), one run each, a line per file with its timing, a summary, and JUnit XML
// for CI (`--reporter junit [--output FILE]`). One file on its own keeps the classic output
// (src/cli/main.ts runs it directly). Documented in Docs/testing.md.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { runProgram, type TestCaseReport } from "../host/run.js";

export interface TestRunOptions {
  paths: string[];
  reporter: "text" | "junit";
  output?: string;
  color: boolean;
}

interface FileResult {
  file: string;
  exitCode: number;
  ms: number;
  cases: TestCaseReport[];
  output: string;
  diagnostics: string;
}

const SKIP_DIRS = new Set(["node_modules", ".git"]);

/** The test files named by `paths`: files as given, folders searched for `*.wfl` with `describe`. */
export function collectTestFiles(paths: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) walk(p);
      } else if (e.isFile() && e.name.endsWith(".wfl") && hasDescribe(p)) {
        files.push(p);
      }
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files: [...new Set(files)], missing };
}

function hasDescribe(file: string): boolean {
  try {
    return /^[ \t]*describe\b/im.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

const ms = (n: number): string => (n < 10 ? n.toFixed(1) : Math.round(n).toString());

export async function runTests(o: TestRunOptions): Promise<number> {
  const { files, missing } = collectTestFiles(o.paths);
  // With JUnit on standard output, the human-readable report goes to standard error.
  const say = o.reporter === "junit" && !o.output ? (t: string) => process.stderr.write(t) : (t: string) => process.stdout.write(t);
  for (const m of missing) process.stderr.write(`error[FILE]: Cannot find '${m}'\n`);
  if (files.length === 0) {
    process.stderr.write("error[TEST]: No test files found (a test file is a .wfl file with describe blocks)\n");
    return 1;
  }
  const results: FileResult[] = [];
  const t0 = performance.now();
  for (const file of files) {
    let output = "";
    let diagnostics = "";
    let cases: TestCaseReport[] = [];
    const started = performance.now();
    const exitCode = await runProgram({
      file,
      testMode: true,
      color: o.color,
      write: (t) => { output += t; },
      writeError: (t) => { diagnostics += t; },
      onTests: (c) => { cases = c; },
    });
    const r: FileResult = { file, exitCode, ms: performance.now() - started, cases, output, diagnostics };
    results.push(r);
    const failed = cases.filter((c) => c.failure).length;
    const name = relative(process.cwd(), file) || file;
    if (exitCode === 0) {
      say(`PASS ${name} (${cases.length} test${cases.length === 1 ? "" : "s"}, ${ms(r.ms)} ms)\n`);
    } else {
      const why = failed > 0 ? `${failed} of ${cases.length} tests failed` : "the file did not run to its end";
      say(`FAIL ${name} (${why}, ${ms(r.ms)} ms)\n`);
      for (const c of cases.filter((x) => x.failure)) {
        say(`  ✗ ${[...c.context, c.name].join(" > ")}\n      ${c.failure!.message}\n      at ${name}:${c.failure!.line}\n`);
      }
      if (diagnostics) say(diagnostics.replace(/^error\[TEST\]: .*\n/m, "").replace(/^/gm, "  ").replace(/ +$/gm, ""));
    }
  }
  const total = results.reduce((n, r) => n + r.cases.length, 0);
  const failedTests = results.reduce((n, r) => n + r.cases.filter((c) => c.failure).length, 0);
  const failedFiles = results.filter((r) => r.exitCode !== 0).length;
  const elapsed = performance.now() - t0;
  const bar = "=".repeat(60);
  say([
    "",
    bar,
    "Test Results",
    bar,
    `Files:  ${results.length}${failedFiles ? ` (${failedFiles} failed)` : ""}`,
    `Total:  ${total}`,
    `Passed: ${total - failedTests} ✓`,
    `Failed: ${failedTests} ✗`,
    `Time:   ${ms(elapsed)} ms`,
    bar,
    "",
  ].join("\n"));
  if (o.reporter === "junit") {
    const xml = junitXml(results, elapsed);
    if (o.output) {
      try {
        writeFileSync(o.output, xml);
      } catch (e) {
        process.stderr.write(`error[FILE]: Cannot write '${o.output}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        return 1;
      }
    } else {
      process.stdout.write(xml);
    }
  }
  return failedFiles > 0 || missing.length > 0 ? 1 : 0;
}

function esc(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const sec = (n: number): string => (n / 1000).toFixed(3);

/** JUnit XML: a testsuite per file, a testcase per test; a file that failed outside its tests has an error case. */
export function junitXml(results: FileResult[], elapsedMs: number): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  let tests = 0, failures = 0, errors = 0;
  const suites: string[] = [];
  for (const r of results) {
    const name = relative(process.cwd(), r.file) || r.file;
    const failed = r.cases.filter((c) => c.failure).length;
    const fileError = r.exitCode !== 0 && failed === 0;
    const n = r.cases.length + (fileError ? 1 : 0);
    tests += n;
    failures += failed;
    errors += fileError ? 1 : 0;
    const lines = [`  <testsuite name="${esc(name)}" file="${esc(name)}" tests="${n}" failures="${failed}" errors="${fileError ? 1 : 0}" skipped="0" time="${sec(r.ms)}">`];
    for (const c of r.cases) {
      const classname = [name, ...c.context].join(" > ");
      if (!c.failure) {
        lines.push(`    <testcase name="${esc(c.name)}" classname="${esc(classname)}" time="${sec(c.ms)}"/>`);
      } else {
        lines.push(`    <testcase name="${esc(c.name)}" classname="${esc(classname)}" time="${sec(c.ms)}">`);
        lines.push(`      <failure message="${esc(c.failure.message)}" type="AssertionFailure">${esc(`${c.failure.message}\nat ${name}:${c.failure.line}`)}</failure>`);
        lines.push("    </testcase>");
      }
    }
    if (fileError) {
      const first = r.diagnostics.split("\n")[0]?.replace(/^error\[[A-Z-]+\]: /, "") || "The file did not run to its end";
      lines.push(`    <testcase name="(file)" classname="${esc(name)}" time="0.000">`);
      lines.push(`      <error message="${esc(first)}" type="Error">${esc(r.diagnostics)}</error>`);
      lines.push("    </testcase>");
    }
    if (r.output) lines.push(`    <system-out>${esc(r.output)}</system-out>`);
    lines.push("  </testsuite>");
    suites.push(lines.join("\n"));
  }
  out.push(`<testsuites name="wfl" tests="${tests}" failures="${failures}" errors="${errors}" time="${sec(elapsedMs)}">`);
  out.push(...suites);
  out.push("</testsuites>", "");
  return out.join("\n");
}

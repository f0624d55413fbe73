// Running a WFL program end to end: read → parse → compile (with analysis) → execute → report.
// Used by the CLI and by the embedding API (through `run` in api.ts); it never lets a host stack
// trace reach the user. Each call is one run with its own Engine (see runtime/engine.ts).
import { closeSync, openSync, readSync, statSync } from "node:fs";
import v8 from "node:v8";
import { dirname, resolve, basename, isAbsolute } from "node:path";
import { parse } from "../parser/parse.js";
import { Compiler } from "../compiler/compile.js";
import { Runtime } from "../runtime/runtime.js";
import { newFrame, ExitProgram } from "../runtime/frame.js";
import { setListLimit } from "../runtime/memory.js";
import { WflRuntimeError } from "../runtime/errors.js";
import { loadConfig, narrowConfig } from "../runtime/config.js";
import { Engine, type EarlyEnd, type EngineLimits } from "../runtime/engine.js";
import { RunStopped } from "../runtime/lifetime.js";
import type { HostAction } from "../runtime/host-actions.js";
import { formatDiagnostic, positionOf } from "../diagnostics/format.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Program } from "../ast/nodes.js";
import { type Value, WflObject } from "../runtime/values.js";

export interface RunOptions {
  file: string;
  /** Program text; read from `file` when absent. */
  source?: string;
  args?: string[];
  testMode?: boolean;
  /** Program output (display). Defaults to stdout. */
  write?: (text: string) => void;
  /** Diagnostics. Defaults to stderr. */
  writeError?: (text: string) => void;
  color?: boolean;
  /** How many `execute wfl file` levels deep this run is. */
  executeDepth?: number;
  /** Stop after compiling (used to warm up the start-up snapshot). */
  compileOnly?: boolean;
  /** Variables the executed page sees (method, path, body, …). */
  pageGlobals?: Map<string, Value>;
  /** Configuration from the host; `.wflcfg` next to the program when absent. */
  config?: ReadonlyMap<string, string>;
  /** Time limit, AbortSignal, memory cap. */
  limits?: EngineLimits;
  /** Actions the host provides, callable from WFL. */
  actions?: Readonly<Record<string, HostAction>>;
  /** In test mode: receives every test that ran, with the line of each failure (the multi-file runner). */
  onTests?: (cases: TestCaseReport[]) => void;
  /** SIGINT/SIGTERM drain the run's web servers and end it with exit code 0 (the CLI). */
  drainOnSignals?: boolean;
}

export interface TestCaseReport {
  name: string;
  context: string[];
  ms: number;
  failure: { message: string; line: number } | null;
}

/** Largest program file read (bytes); `sourceLimits` sets the real limit, lower, from the heap. */
const MAX_SOURCE = 64 * 1024 * 1024;

/**
 * How large a program this process can parse and compile. V8 aborts the process when the heap
 * runs out, and the front end holds the whole program at once (tokens, syntax tree, compiled
 * closures), which costs, measured, 350 to 600 bytes of heap per token (a word, number, text
 * or symbol, or a line break). So a program may have as many tokens as the heap limit has
 * kilobytes, which leaves the heap about half free at the limit, and as many characters as it
 * has bytes divided by 16 (long texts cost little more than their characters), at most 64 MB
 * (see test/memory-exhaustion.test.mjs).
 */
export function sourceLimits(): { tokens: number; chars: number } {
  const heap = v8.getHeapStatistics().heap_size_limit;
  return { tokens: Math.floor(heap / 1024), chars: Math.min(MAX_SOURCE, Math.floor(heap / 16)) };
}

/** A token as `checkSourceSize` counts them: a little more often than the lexer does, never less. */
const ROUGH_TOKEN = /"[^"\n]*"|[A-Za-z0-9_.]+|\n|[^\sA-Za-z0-9_.]/g;

/** Why a program's text cannot be run, with where when there is a place to point at. */
export interface SourceProblem {
  error: string;
  /** The diagnostic kind (FILE when absent). */
  kind?: string;
  /** The text to show the line from, and where in it. */
  text?: string;
  span?: { start: number; end: number };
}

/** A program too large for this heap to parse: an error at the first token or character past the limit. */
export function checkSourceSize(source: string): SourceProblem | null {
  const { tokens, chars } = sourceLimits();
  if (source.length > chars) {
    return {
      kind: "FILE",
      error: `The program is too large: it has more than the ${chars} characters this process can parse (its memory limit decides how many)`,
      text: source,
      span: { start: chars, end: chars + 1 },
    };
  }
  if (source.length <= tokens) return null; // fewer characters than the limit has tokens
  const re = ROUGH_TOKEN;
  re.lastIndex = 0;
  let n = 0;
  while (re.test(source)) {
    if (++n > tokens) {
      const end = re.lastIndex;
      re.lastIndex = 0;
      let start = end - 1;
      while (start > 0 && !/\s/.test(source[start - 1]!)) start--;
      return {
        kind: "FILE",
        error: `The program is too large: it has more than the ${tokens} words, numbers and symbols this process can parse (its memory limit decides how many)`,
        text: source,
        span: { start, end: start + 1 },
      };
    }
  }
  re.lastIndex = 0;
  return null;
}

function showProblem(p: SourceProblem, file: string, color: boolean): string {
  return formatDiagnostic(p.kind ?? "FILE", p.error, file, p.text ?? null, p.span, { color });
}

export async function runProgram(opts: RunOptions): Promise<number> {
  const writeError = opts.writeError ?? ((t: string) => process.stderr.write(t));
  const write = opts.write ?? ((t: string) => process.stdout.write(t));
  const color = opts.color ?? false;
  const sources = new Map<string, string>();
  const report = (kind: string, d: { message: string; span?: { start: number; end: number }; file?: string }): void => {
    const file = d.file ?? opts.file;
    writeError(formatDiagnostic(kind, d.message, file, sources.get(file) ?? null, d.span, { color }));
  };

  let source = opts.source;
  if (source === undefined) {
    const read = readSource(opts.file);
    if (typeof read !== "string") {
      writeError(showProblem(read ?? { error: "Cannot read the file" }, opts.file, color));
      return 1;
    }
    source = read;
  }
  const tooLarge = checkSourceSize(source);
  if (tooLarge) {
    writeError(showProblem(tooLarge, opts.file, color));
    return 1;
  }
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  sources.set(opts.file, source);

  setListLimit();
  const timing = process.env.WFL_TIMING === "1";
  const t0 = performance.now();
  const parsed = parse(source, opts.file);
  const t1 = performance.now();
  if (!parsed.program) {
    for (const d of parsed.diagnostics) report("PARSE", d);
    return 1;
  }

  const scriptPath = resolve(opts.file);
  const scriptDir = dirname(scriptPath);
  const config = opts.config ?? loadConfig(scriptDir);
  const maxDepth = Number(config.get("max_call_depth") ?? "1000");
  const engine = new Engine({ config, write, writeError, limits: opts.limits, actions: opts.actions, drainOnSignals: opts.drainOnSignals });
  const rt = new Runtime({
    engine,
    scriptDir,
    testMode: opts.testMode ?? false,
    maxCallDepth: Number.isFinite(maxDepth) && maxDepth > 0 ? maxDepth : 1000,
    reportError: (err, note) => report("RUNTIME", { message: `${err.message} (${note})`, span: err.span, file: (err as { file?: string }).file }),
    executeFile: async (path, request, capture, globals) => {
      const depth = (opts.executeDepth ?? 0) + 1;
      const maxExec = Number(config.get("max_execute_file_depth") ?? "4");
      if (depth > maxExec) throw new WflRuntimeError(`execute file is nested more than ${maxExec} levels deep`, "general");
      const target = isAbsolute(path) ? path : [resolve(scriptDir, path), resolve(path)].find((c) => readSource(c, true) !== null);
      if (!target || readSource(target, true) === null) throw new WflRuntimeError(`File not found: ${path}`, "file not found");
      let out = "";
      let err = "";
      const page = new Map<string, Value>();
      if (globals) for (const [k, v] of globals) page.set(k, v);
      if (request instanceof WflObject) for (const k of ["method", "path", "client_ip", "body", "headers"]) page.set(k, request.get(k) ?? null);
      const code = await runProgram({
        file: target,
        write: capture ? (t) => { out += t; } : write,
        writeError: (t) => { err += t; },
        executeDepth: depth,
        pageGlobals: page,
        color: false,
        // Never more than this run allows: a host's configuration as it is, or this run's
        // `.wflcfg` narrowed by the child's own (src/runtime/config.ts).
        config: opts.config ?? narrowConfig(config, loadConfig(dirname(resolve(target)))),
        limits: engine.childLimits(),
        actions: engine.actions,
      });
      engine.check(); // this run's own time limit or abort (the file inherited them) comes first
      if (code !== 0) throw new WflRuntimeError(`The executed file '${path}' failed: ${err.split("\n")[0]?.replace(/^error\[[A-Z-]+\]: /, "") ?? ""}`, "general");
      return capture ? out.replace(/\n$/, "") : null;
    },
  });
  const registry = engine.registry;
  const includeDiagnostics: Diagnostic[] = [];
  const loadInclude = (path: string, fromFile: string, span: { start: number; end: number }): Program | null => {
    const candidates = isAbsolute(path) ? [path] : [resolve(dirname(fromFile), path), resolve(path)];
    const found = candidates.find((c) => readSource(c, true) !== null);
    if (!found) {
      includeDiagnostics.push({ code: "ANALYZE-SEMANTIC", message: `Cannot include '${path}': no such file`, span, file: fromFile });
      return null;
    }
    const text = readSource(found);
    if (typeof text !== "string") {
      const p = text ?? { error: `Cannot read '${found}'` };
      if (p.text !== undefined && p.span) includeDiagnostics.push({ code: p.kind ?? "FILE", message: p.error, span: p.span, file: found });
      else includeDiagnostics.push({ code: "ANALYZE-SEMANTIC", message: `Cannot include '${path}': ${p.error}`, span, file: fromFile });
      if (p.text !== undefined) sources.set(found, p.text);
      return null;
    }
    const tooLarge = checkSourceSize(text);
    if (tooLarge) {
      includeDiagnostics.push({ code: "FILE", message: tooLarge.error, span: tooLarge.span!, file: found });
      sources.set(found, text);
      return null;
    }
    sources.set(found, text);
    const p = parse(text, found);
    if (!p.program) {
      for (const d of p.diagnostics) includeDiagnostics.push({ ...d, file: found });
      return null;
    }
    return p.program;
  };

  const args = opts.args ?? [];
  const globals = new Map<string, Value>([
    ["args", [...args]],
    ["arg_count", args.length],
    ["positional_args", args.filter((a) => !a.startsWith("-"))],
    ["program_name", basename(opts.file)],
    ["script_path", scriptPath],
    ["script_directory", scriptDir],
    ["current_directory", process.cwd()],
  ]);
  for (const [k, v] of opts.pageGlobals ?? []) globals.set(k, v);

  const compiler = new Compiler(rt, registry, loadInclude);
  let compiled;
  try {
    compiled = compiler.compileProgram(parsed.program, globals);
  } catch (e) {
    if (e instanceof RangeError) {
      writeError(formatDiagnostic("ANALYZE-SEMANTIC", "This program nests too deeply to compile", opts.file, source, { start: 0, end: 1 }, { color }));
      return 1;
    }
    throw e;
  }
  const problems = [...includeDiagnostics, ...compiled.diagnostics];
  if (problems.length > 0) {
    for (const d of problems.sort((a, b) => a.span.start - b.span.start)) report(d.code, d);
    return 1;
  }

  if (opts.compileOnly) return 0;
  const t2 = performance.now();
  let exitCode = 0;
  try {
    engine.start();
    let early: EarlyEnd | null = null;
    try {
      engine.check();
      const r = compiled.body(newFrame(compiled.frameSize, null));
      // The run ends when its code finishes, or earlier: its time limit, the host's AbortSignal,
      // a signal handler that has run. Code still waiting then meets a RunStopped when it resumes.
      if (r instanceof Promise) early = await Promise.race([r.then(() => null), engine.endedEarly]);
    } catch (e) {
      rt.flush();
      if (e instanceof ExitProgram) exitCode = e.code;
      else if (e instanceof RunStopped) early = engine.earlyEnd ?? { kind: "stopped", stop: e };
      else {
        const err = rt.asCatchable(e);
        if (!err) throw e;
        const file = (err as { file?: string }).file ?? opts.file;
        report("RUNTIME", { message: err.message, span: err.span, file });
        return 1;
      }
    }
    if (early) {
      rt.flush();
      if (early.kind === "exit") return early.code;
      if (early.kind === "stopped") {
        report(early.stop.kind, { message: early.stop.message });
        return 1;
      }
      const err = rt.asCatchable(early.error);
      if (!err) throw early.error;
      report("RUNTIME", { message: err.message, span: err.span, file: (err as { file?: string }).file });
      return 1;
    }
    if (opts.testMode && compiled.hasTests) {
      rt.writeLine(rt.tests.summary((span) => positionOf(source!, span.start).line));
      if (rt.tests.failures.length > 0) {
        exitCode = 1;
        rt.flush();
        writeError(`error[TEST]: ${rt.tests.failures.length} of ${rt.tests.total} tests failed\n`);
      }
    }
  } finally {
    if (opts.testMode && opts.onTests) {
      opts.onTests(rt.tests.cases.map((c) => ({
        name: c.name, context: c.context, ms: c.ms,
        failure: c.failure ? { message: c.failure.message, line: positionOf(source!, c.failure.span.start).line } : null,
      })));
    }
    rt.flush();
    // From here on the run's output is dropped, and what it opened is closed (only what it opened).
    rt.muted = true;
    engine.release();
  }
  if (timing) {
    const t3 = performance.now();
    writeError(`timing: parse ${(t1 - t0).toFixed(1)} ms, compile ${(t2 - t1).toFixed(1)} ms, run ${(t3 - t2).toFixed(1)} ms\n`);
  }
  return exitCode;
}

/**
 * A program's text, read safely (size-capped, never hanging on devices, only valid UTF-8), or
 * why it cannot be read.
 */
export function readProgramText(file: string): string | SourceProblem {
  return readSource(file) ?? { error: `Cannot read '${file}'` };
}

export { showProblem as formatSourceProblem };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * The program's bytes as text. Bytes that are not UTF-8 are an error at the first of them (its
 * line and column), never silently replaced by U+FFFD.
 */
export function decodeSource(bytes: Uint8Array): string | SourceProblem {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const start = lenientUtf8.decode(bytes.subarray(0, bad)).length;
    return {
      kind: "PARSE",
      error: `The file is not valid UTF-8: the byte 0x${bytes[bad]!.toString(16).padStart(2, "0")} here is not part of any character`,
      text: lenientUtf8.decode(bytes),
      span: { start, end: start + 1 },
    };
  }
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) { i++; continue; }
    let n: number;
    let lo = 0x80, hi = 0xbf; // the range of the byte after the first
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) { n = 2; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}

function readSource(file: string, probeOnly = false): string | SourceProblem | null {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return probeOnly ? null : { error: `'${file}' is a directory, not a WFL program` };
    if (probeOnly) return "";
    if (st.size > MAX_SOURCE) return { error: `The program is too large (over ${MAX_SOURCE / 1024 / 1024} MB)` };
    // Read in chunks up to the limit: devices and pipes report size 0 and may never end.
    const fd = openSync(file, "r");
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for (;;) {
        const chunk = Buffer.allocUnsafe(1 << 20);
        const n = readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) break;
        total += n;
        if (total > MAX_SOURCE) return { error: `The program is too large (over ${MAX_SOURCE / 1024 / 1024} MB)` };
        chunks.push(chunk.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
    return decodeSource(Buffer.concat(chunks));
  } catch (e) {
    if (probeOnly) return null;
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") return { error: `Cannot find the file '${file}'` };
    if (code === "EACCES") return { error: `Permission denied reading '${file}'` };
    return { error: `Cannot read '${file}': ${(e as Error).message}` };
  }
}

export { WflRuntimeError };

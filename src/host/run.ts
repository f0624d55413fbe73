// Running a WFL program end to end: read → parse → compile (with analysis) → execute → report.
// Used by the CLI and by the embedding API (through `run` in api.ts); it never lets a host stack
// trace reach the user. Each call is one run with its own Engine (see runtime/engine.ts).
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { dirname, resolve, basename, isAbsolute } from "node:path";
import { parse } from "../parser/parse.js";
import { Compiler } from "../compiler/compile.js";
import { Runtime } from "../runtime/runtime.js";
import { newFrame, ExitProgram } from "../runtime/frame.js";
import { setListLimit } from "../runtime/memory.js";
import { WflRuntimeError } from "../runtime/errors.js";
import { loadConfig } from "../runtime/config.js";
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
}

/** Largest program accepted (bytes). */
const MAX_SOURCE = 64 * 1024 * 1024;

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
      writeError(formatDiagnostic("FILE", read?.error ?? "Cannot read the file", opts.file, null, undefined, { color }));
      return 1;
    }
    source = read;
  }
  if (source.length > MAX_SOURCE) {
    writeError(formatDiagnostic("FILE", `The program is too large (over ${MAX_SOURCE / 1024 / 1024} MB)`, opts.file, null, undefined, { color }));
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
  const engine = new Engine({ config, write, writeError, limits: opts.limits, actions: opts.actions });
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
        config: opts.config,
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
    const text = readSource(found) as string;
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

/** A program's text, read safely (size-capped, never hanging on devices), or why it cannot be read. */
export function readProgramText(file: string): string | { error: string } {
  return readSource(file) ?? { error: `Cannot read '${file}'` };
}

function readSource(file: string, probeOnly = false): string | { error: string } | null {
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
    return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
  } catch (e) {
    if (probeOnly) return null;
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") return { error: `Cannot find the file '${file}'` };
    if (code === "EACCES") return { error: `Permission denied reading '${file}'` };
    return { error: `Cannot read '${file}': ${(e as Error).message}` };
  }
}

export { WflRuntimeError };

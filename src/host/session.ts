// An interactive session (the REPL's engine): entries run one after another against one
// persistent state. Used by src/cli/repl-worker.ts; independent of any terminal.
//
// How state persists. Every entry that compiled is appended to the session's text (`source`),
// and each new entry is parsed as the end of that text, so every position in a diagnostic is a
// line of the session (the text `.save` writes). From the earlier entries only the definitions
// (actions, containers, interfaces) are compiled again, and not run: so the resolver and the
// compiler see every action with its parameters and which of them can wait, exactly as in a
// program. Variables are carried as values: after an entry runs, every top-level variable is read
// back from its frame slot, and the next entry starts with them as runtime globals.
// A definition entered again replaces the earlier one. An earlier entry's `include` brings the
// included file's definitions again (its other statements ran once, when it was entered).
import { resolve } from "node:path";
import { parse } from "../parser/parse.js";
import { Compiler } from "../compiler/compile.js";
import { Runtime } from "../runtime/runtime.js";
import { newFrame, ExitProgram } from "../runtime/frame.js";
import { Engine } from "../runtime/engine.js";
import { RunStopped } from "../runtime/lifetime.js";
import { WflRuntimeError } from "../runtime/errors.js";
import { loadConfig } from "../runtime/config.js";
import { formatDiagnostic } from "../diagnostics/format.js";
import { formatValue } from "../runtime/display.js";
import type { Program, Stmt } from "../ast/nodes.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Value } from "../runtime/values.js";
import { readProgramText } from "./run.js";

export const SESSION_FILE = "<repl>";
/** The hidden variable an expression entry's value is stored in. */
const RESULT = "\u0000result";
const DEFINITIONS = new Set(["ActionDef", "ContainerDef", "InterfaceDef"]);

export interface SessionOptions {
  write: (text: string) => void;
  writeError: (text: string) => void;
  color?: boolean;
  /** Ctrl-C: element 0 set non-zero (from any thread) interrupts the running entry. */
  interrupt?: Int32Array;
  /** The directory includes and files are relative to (default: the current one). */
  directory?: string;
}

/** What an entry did (the caller decides first, with `isIncomplete`, that the entry is complete). */
export type EntryResult =
  /** Ran (or failed with a diagnostic already written); `value` is an expression's value shown. */
  | { kind: "done"; ok: boolean; value?: string }
  /** `exit program`: the session ends with this code. */
  | { kind: "exit"; code: number };

/**
 * Whether `text` is an entry that is not finished: the parser met the end of the input while a
 * block (or a bracket, or an expression) was still open. Decided by the parser, not indentation.
 */
export function isIncomplete(text: string): boolean {
  // The entry's last line has ended (Enter was pressed): a statement cut short at the end of
  // its line is an error, as in a file; only an open block or bracket asks for more.
  const r = parse(text + "\n", SESSION_FILE);
  if (r.program) return false;
  const end = text.trimEnd().length;
  return r.diagnostics.some((d) => d.span.start >= end && /end of the file/.test(d.message));
}

export class Session {
  /** The text of every entry that compiled, in order (what `.save` writes). */
  source = "";
  /** Where each entry of `source` starts. */
  private entryStarts: number[] = [];
  private values = new Map<string, Value>();
  private engine!: Engine;
  private rt!: Runtime;
  private readonly dir: string;

  constructor(private readonly options: SessionOptions) {
    this.dir = options.directory ?? process.cwd();
    this.reset();
  }

  /** `.clear`: forget every variable and definition and release what the session opened. */
  reset(): void {
    this.engine?.release();
    this.source = "";
    this.entryStarts = [];
    this.values = new Map();
    const config = loadConfig(this.dir);
    this.engine = new Engine({
      config,
      write: this.options.write,
      writeError: this.options.writeError,
      limits: { interrupt: this.options.interrupt ?? new Int32Array(new SharedArrayBuffer(4)) },
    });
    this.rt = new Runtime({
      engine: this.engine,
      scriptDir: this.dir,
      testMode: false,
      maxCallDepth: Number(config.get("max_call_depth") ?? "1000") || 1000,
      reportError: (err, note) => this.report("RUNTIME", `${err.message} (${note})`, err.span, this.source),
      executeFile: async () => {
        throw new WflRuntimeError("'execute wfl file' is not available in the REPL; run the program with 'wfl FILE'", "general");
      },
    });
    this.engine.start();
  }

  /** Names of the variables and actions defined so far (for completion). */
  names(): string[] {
    const names = new Set([...this.values.keys()].filter((n) => n !== RESULT));
    const parsed = this.source ? parse(this.source, SESSION_FILE).program : null;
    for (const s of parsed?.body ?? []) if (DEFINITIONS.has(s.kind)) names.add((s as { name: string }).name);
    return [...names].sort();
  }

  /** Ctrl-C: stop the running entry (its loop at the next tick, its pause at once). */
  interrupt(): void {
    this.engine.interrupt();
  }

  /** Release everything the session opened (servers, files, processes). */
  close(): void {
    this.engine.release();
  }

  private report(kind: string, message: string, span: { start: number; end: number } | undefined, text: string, file = SESSION_FILE): void {
    this.options.writeError(formatDiagnostic(kind, message, file, text, span, { color: this.options.color ?? false }));
  }

  /** Run one entry (one or more lines). */
  async evaluate(entry: string): Promise<EntryResult> {
    if (entry.trim() === "") return { kind: "done", ok: true };
    const joined = this.source === "" ? entry : this.source + "\n" + entry;
    const offset = joined.length - entry.length;
    const parsed = parse(joined, SESSION_FILE);
    if (!parsed.program) {
      const mine = parsed.diagnostics.filter((d) => d.span.start >= offset);
      for (const d of mine.length ? mine : parsed.diagnostics) this.report("PARSE", d.message, d.span, joined);
      return { kind: "done", ok: false };
    }
    const current = parsed.program.body.filter((s) => s.span.start >= offset);
    const redefined = new Set(current.filter((s) => DEFINITIONS.has(s.kind)).map((s) => (s as { name: string }).name));
    // Of the earlier definitions of a name (directly or through an `include`), those of the last
    // entry that defined it: an entry may define several overloads of one action, and a later
    // entry replaces them all. An earlier `include` brings its file's definitions again (not
    // its other statements: they ran when it was entered).
    const entryOf = (at: number): number => {
      let i = 0;
      while (i + 1 < this.entryStarts.length && this.entryStarts[i + 1]! <= at) i++;
      return i;
    };
    const nameOf = (d: Stmt): string => (d as { name: string }).name;
    const latest = new Map<string, number>();
    const loaded = new Map<number, Program>();
    for (const s of parsed.program.body) {
      if (s.span.start >= offset) continue;
      if (DEFINITIONS.has(s.kind)) latest.set(nameOf(s), entryOf(s.span.start));
      if (s.kind === "Include" && !s.isolated) {
        const p = this.loadInclude(s.path, s.span, []);
        if (!p) continue;
        loaded.set(s.span.start, p);
        for (const d of p.body) if (DEFINITIONS.has(d.kind)) latest.set(nameOf(d), entryOf(s.span.start));
      }
    }
    const keep = (d: Stmt, at: number): boolean => !redefined.has(nameOf(d)) && latest.get(nameOf(d)) === entryOf(at);
    const included = new Map<number, Program>();
    const earlier: Stmt[] = [];
    for (const s of parsed.program.body) {
      if (s.span.start >= offset) continue;
      if (DEFINITIONS.has(s.kind) && keep(s, s.span.start)) earlier.push(s);
      const p = loaded.get(s.span.start);
      if (s.kind === "Include" && p) {
        included.set(s.span.start, { ...p, body: p.body.filter((d) => DEFINITIONS.has(d.kind) && keep(d, s.span.start)) });
        earlier.push(s);
      }
    }
    const all = [...earlier, ...current, ...[...included.values()].flatMap((p) => p.body)];
    const defined = new Set(all.filter((d) => DEFINITIONS.has(d.kind)).map(nameOf));
    const actions = new Set(all.filter((d) => d.kind === "ActionDef").map(nameOf));

    // An expression entered on its own: its value is kept in a hidden variable and shown.
    const body: Stmt[] = [...earlier, ...current];
    const last = current[current.length - 1];
    let showsValue = false;
    if (last?.kind === "ExprStmt") {
      let expr = last.expr;
      if (expr.kind === "Var" && actions.has(expr.name)) {
        expr = { kind: "Call", callee: expr.name, calleeSpan: expr.span, args: [], style: "call", span: expr.span };
      }
      body[body.length - 1] = { kind: "Store", name: RESULT, nameSpan: last.span, value: expr, constant: false, span: last.span };
      showsValue = true;
    }

    const globals = new Map<string, Value>(this.runtimeGlobals());
    for (const [k, v] of this.values) if (!defined.has(k) && k !== RESULT) globals.set(k, v);
    const program: Program = { body, source: joined, file: SESSION_FILE };
    const includeProblems: Diagnostic[] = [];
    const compiler = new Compiler(this.rt, this.engine.registry, (path, fromFile, span) =>
      span.start < offset && fromFile === SESSION_FILE ? included.get(span.start) ?? null : this.loadInclude(path, span, includeProblems));
    let compiled;
    try {
      compiled = compiler.compileProgram(program, globals);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.report("ANALYZE-SEMANTIC", "This entry nests too deeply to compile", { start: offset, end: offset + 1 }, joined);
      return { kind: "done", ok: false };
    }
    const problems = [...includeProblems, ...compiled.diagnostics];
    if (problems.length > 0) {
      for (const d of problems.sort((a, b) => a.span.start - b.span.start)) {
        this.report(d.code, d.message, d.span, d.file && d.file !== SESSION_FILE ? (readText(d.file) ?? joined) : joined, d.file ?? SESSION_FILE);
      }
      return { kind: "done", ok: false };
    }

    this.source = joined;
    this.entryStarts.push(offset);
    const frame = newFrame(compiled.frameSize, null);
    const flag = this.engine.limits.interrupt!;
    Atomics.store(flag, 0, 0);
    let ok = true;
    try {
      const r = compiled.body(frame);
      if (r instanceof Promise) await r;
    } catch (e) {
      this.rt.flush();
      ok = false;
      if (e instanceof ExitProgram) return { kind: "exit", code: e.code };
      if (e instanceof RunStopped) {
        this.options.writeError(e.kind === "INTERRUPTED" ? "Interrupted\n" : formatDiagnostic(e.kind, e.message, SESSION_FILE, null, undefined, { color: this.options.color ?? false }));
      } else {
        const err = this.rt.asCatchable(e);
        if (!err) throw e;
        const file = (err as { file?: string }).file;
        this.report("RUNTIME", err.message, err.span, file && file !== SESSION_FILE ? (readText(file) ?? joined) : joined, file ?? SESSION_FILE);
      }
    } finally {
      this.rt.flush();
      // Whatever the entry stored, even if it then failed, is there for the next one.
      for (const [name, slot] of compiled.topLevel) {
        const v = frame[slot];
        if (v !== undefined) this.values.set(name, v as Value);
      }
    }
    const value = this.values.get(RESULT);
    this.values.delete(RESULT);
    if (ok && showsValue && value !== null && value !== undefined) return { kind: "done", ok, value: formatValue(value) };
    return { kind: "done", ok };
  }

  private runtimeGlobals(): [string, Value][] {
    return [
      ["args", []],
      ["arg_count", 0],
      ["positional_args", []],
      ["program_name", SESSION_FILE],
      ["script_path", resolve(this.dir, SESSION_FILE)],
      ["script_directory", this.dir],
      ["current_directory", process.cwd()],
    ];
  }

  private loadInclude(path: string, span: { start: number; end: number }, problems: Diagnostic[]): Program | null {
    const file = resolve(this.dir, path);
    const text = readText(file);
    if (text === null) {
      problems.push({ code: "ANALYZE-SEMANTIC", message: `Cannot include '${path}': no such file`, span, file: SESSION_FILE });
      return null;
    }
    const p = parse(text, file);
    if (!p.program) {
      for (const d of p.diagnostics) problems.push({ ...d, file });
      return null;
    }
    return p.program;
  }
}

function readText(file: string): string | null {
  const r = readProgramText(file);
  return typeof r === "string" ? r : null;
}

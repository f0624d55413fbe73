// The embedding API: run a WFL program from a Node.js program (documented in Docs/embedding.md).
// Every call is one run with its own Engine (runtime/engine.ts): its own builtins, configuration,
// output, servers, processes, signal handlers and limits. The CLI goes through here too.
import { runProgram } from "./run.js";
import type { HostAction } from "../runtime/host-actions.js";
import type { JsValue } from "../runtime/convert.js";

export type { HostAction, JsValue };

export interface RunOptions {
  /**
   * The program's file name, for messages, relative includes and finding `.wflcfg` (when
   * running source text; default `program.wfl` in the current directory).
   */
  file?: string;
  /** Command-line arguments the program sees as `args`. */
  args?: string[];
  /** Configuration, as `.wflcfg` would give it (`{ allow_shell_execution: true }`); replaces `.wflcfg`. */
  config?: Readonly<Record<string, string | number | boolean>>;
  /** Receives the program's output (`display`) as it is written. When absent it is captured in `output`. */
  write?: (text: string) => void;
  /** Receives diagnostics (`error[KIND]: …`) as they are written; they are in `diagnostics` either way. */
  writeError?: (text: string) => void;
  /** Stop the run with `error[TIMEOUT]` after this many milliseconds. */
  timeoutMs?: number;
  /** Stop the run with `error[ABORTED]` when this signal aborts. */
  signal?: AbortSignal;
  /** Fail with an out-of-memory error when the process's JavaScript heap passes this many MB. */
  maxHeapMB?: number;
  /** Actions the program can call by name; see Docs/embedding.md for how values convert. */
  actions?: Readonly<Record<string, HostAction>>;
  /** Run the program's `describe`/`test` blocks and print a summary (`wfl --test`). */
  test?: boolean;
  /** Colour the diagnostics (ANSI escapes). */
  color?: boolean;
  /**
   * SIGINT and SIGTERM drain the program's web servers (in-flight requests finish, queued ones
   * get 503) and end the run with exit code 0, even without a `register signal handler`. The
   * `wfl` command sets it; an embedding host keeps its own signal handling by default.
   */
  drainOnSignals?: boolean;
}

export interface RunResult {
  /** 0 on success; 1 after an error, a failed test, a time limit or an abort; or `exit program`'s code. */
  exitCode: number;
  /** Everything written as diagnostics. */
  diagnostics: string;
  /** The program's output, when no `write` was given. */
  output?: string;
}

const MAX_KEPT_DIAGNOSTICS = 1 << 20;

/**
 * Run a WFL program: source text, or `{ file }` to read it from a file. Resolves when the run has
 * ended and released everything it opened. Program errors are in the result, never thrown.
 */
export async function run(program: string | { file: string }, options: RunOptions = {}): Promise<RunResult> {
  const fromFile = typeof program !== "string";
  const file = fromFile ? program.file : options.file ?? "program.wfl";
  let diagnostics = "";
  let output: string | undefined;
  const write = options.write ?? ((t: string) => { output += t; });
  if (!options.write) output = "";
  const writeError = options.writeError;
  const config = options.config
    ? new Map(Object.entries(options.config).map(([k, v]) => [k, String(v)]))
    : undefined;
  const exitCode = await runProgram({
    file,
    source: fromFile ? undefined : program,
    args: options.args ?? [],
    testMode: options.test ?? false,
    color: options.color ?? false,
    write,
    writeError: (t) => {
      // A long-running server reports every failed request: keep the first MiB in the result.
      if (diagnostics.length < MAX_KEPT_DIAGNOSTICS) diagnostics += t;
      writeError?.(t);
    },
    config,
    limits: {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      maxHeapBytes: options.maxHeapMB !== undefined ? options.maxHeapMB * 1024 * 1024 : undefined,
    },
    actions: options.actions,
    drainOnSignals: options.drainOnSignals,
  });
  return output === undefined ? { exitCode, diagnostics } : { exitCode, diagnostics, output };
}

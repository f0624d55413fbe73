// Subprocesses: `execute command`, `spawn command`, `wait for process`, `read output`, `kill process`.
// Off by default: `.wflcfg` must say `allow_shell_execution = true` and choose a mode
// (`sanitized` or `allowlist_only` with `allowed_shell_commands`). Commands run without a shell
// (no pipes, expansion or chaining) unless the mode is `unrestricted` and the program asks for
// `using shell`.
import type { ChildProcess } from "node:child_process";
import { WflOpaque, type Value } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import type { RunResources } from "../../runtime/lifetime.js";

type Mode = "forbidden" | "sanitized" | "allowlist_only" | "unrestricted";

export interface ProcessPolicy {
  /** The run that starts the processes: its end stops those still running. */
  owner: RunResources;
  allowed: boolean;
  mode: Mode;
  allowlist: string[];
  maxBufferBytes: number;
}

export function policyFrom(config: ReadonlyMap<string, string>, owner: RunResources): ProcessPolicy {
  const mode = (config.get("shell_execution_mode") ?? "forbidden").trim() as Mode;
  const buf = Number(config.get("max_buffer_size_bytes"));
  return {
    owner,
    allowed: /^(true|yes|1)$/i.test(config.get("allow_shell_execution") ?? "false"),
    mode: ["forbidden", "sanitized", "allowlist_only", "unrestricted"].includes(mode) ? mode : "forbidden",
    allowlist: (config.get("allowed_shell_commands") ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    maxBufferBytes: Number.isFinite(buf) && buf > 0 ? buf : 10 * 1024 * 1024,
  };
}

class ProcessState {
  stdout = "";
  stderr = "";
  exitCode: number | null = null;
  killed = false;
  readonly done: Promise<number>;
  constructor(readonly child: ChildProcess, readonly command: string, maxBuffer: number, owner: RunResources) {
    const keep = (s: string, add: string): string => {
      const t = s + add;
      return t.length > maxBuffer ? t.slice(t.length - maxBuffer) : t;
    };
    child.stdout?.setEncoding("utf8").on("data", (d: string) => { this.stdout = keep(this.stdout, d); });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => { this.stderr = keep(this.stderr, d); });
    this.done = new Promise((resolve, reject) => {
      child.on("error", (e: NodeJS.ErrnoException) => {
        reject(new WflRuntimeError(
          e.code === "ENOENT" ? `Command not found: ${command}` : `Cannot start '${command}': ${e.message}`,
          e.code === "ENOENT" ? "command not found" : "spawn failed",
        ));
      });
      child.on("close", (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : 1);
        resolve(this.exitCode);
      });
    });
    this.done.catch(() => {}); // observed by whoever waits; never an unhandled rejection
    owner.add(this);
    void this.done.finally(() => owner.delete(this)).catch(() => {});
  }
  /** The run ended: a process it started and left running is stopped. */
  close(): void {
    if (this.isRunning) this.child.kill("SIGTERM");
  }
  get isRunning(): boolean {
    return this.exitCode === null && !this.killed;
  }
}

/** Split a command line into words, honouring simple '…' and "…" quoting; no shell features. */
function words(command: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** POSIX single-quoting: `it's` → `'it'\''s'`; the shell expands nothing inside '…'. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** No command line can carry a NUL character (the OS would cut the word there). */
function refuseNul(command: string, args: string[]): void {
  if (command.includes("\0")) throw new WflRuntimeError("The command contains a NUL character, which no command line can carry", "spawn failed");
  const i = args.findIndex((a) => a.includes("\0"));
  if (i >= 0) throw new WflRuntimeError(`Argument ${i + 1} contains a NUL character, which no command line can carry`, "spawn failed");
}

const SHELL_SYNTAX = /[|&;<>()$`\\\n*?{}[\]~]/;

function launch(command: string, args: Value, shell: boolean, policy: ProcessPolicy): ProcessState {
  if (!policy.allowed || policy.mode === "forbidden") {
    throw new WflRuntimeError(
      "Running commands is turned off. To allow it, set 'allow_shell_execution = true' and 'shell_execution_mode = sanitized' (or 'allowlist_only') in .wflcfg",
      "spawn failed",
    );
  }
  const extra = args === null ? [] : Array.isArray(args) ? args.map((a) => formatValue(a)) : [formatValue(args)];
  refuseNul(command, extra);
  if (shell && policy.mode !== "unrestricted") {
    throw new WflRuntimeError("'using shell' needs 'shell_execution_mode = unrestricted' in .wflcfg", "spawn failed");
  }
  let file: string;
  let argv: string[];
  if (shell) {
    file = "/bin/sh";
    // Only the command text is shell syntax; each argument reaches the command as one literal word.
    argv = ["-c", [command, ...extra.map(shellQuote)].join(" ")];
  } else {
    if (policy.mode === "allowlist_only" && SHELL_SYNTAX.test(command)) {
      throw new WflRuntimeError(`'${command}' uses shell syntax, which allowlist_only mode does not allow`, "spawn failed");
    }
    const w = words(command);
    if (w.length === 0) throw new WflRuntimeError("The command is empty", "spawn failed");
    file = w[0]!;
    argv = [...w.slice(1), ...extra];
    if (policy.mode === "allowlist_only" && !policy.allowlist.includes(file)) {
      throw new WflRuntimeError(`'${file}' is not in allowed_shell_commands`, "spawn failed");
    }
  }
  const cp = (process as unknown as { getBuiltinModule(id: string): typeof import("node:child_process") }).getBuiltinModule("node:child_process");
  const child = cp.spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
  return new ProcessState(child, command, policy.maxBufferBytes, policy.owner);
}

/** `wait for execute command C [with arguments L] [using shell]`: its output (stdout) as text. */
export async function executeCommand(command: Value, args: Value, shell: boolean, policy: ProcessPolicy): Promise<Value> {
  const p = launch(formatValue(command), args, shell, policy);
  await p.done;
  return p.stdout;
}

/** `wait for spawn command C … as p`: a handle to the running process. */
export function spawnCommand(command: Value, args: Value, shell: boolean, policy: ProcessPolicy): Value {
  const p = launch(formatValue(command), args, shell, policy);
  return new WflOpaque("Process", `[Process: ${p.command}]`, p);
}

function stateOf(v: Value): ProcessState {
  if (v instanceof WflOpaque && v.handle instanceof ProcessState) return v.handle;
  throw new WflRuntimeError(`Expected a process (from 'spawn command … as name'), got ${formatValue(v)}`, "process not found");
}

/** `wait for process p to complete [as code]`: its exit code. */
export async function waitForProcess(v: Value): Promise<Value> {
  return stateOf(v).done;
}

/** `wait for read output from process p as out`: what it has written so far (taken from the buffer). */
export function readOutput(v: Value): Value {
  const p = stateOf(v);
  const out = p.stdout;
  p.stdout = "";
  return out;
}

export function killProcess(v: Value): void {
  const p = stateOf(v);
  if (!p.isRunning) return;
  p.killed = true;
  if (!p.child.kill("SIGTERM")) throw new WflRuntimeError(`Could not stop '${p.command}'`, "kill failed");
}

export function isRunning(v: Value): boolean {
  return stateOf(v).isRunning;
}

// The state of one running program: output, call depth, the test harness, and how values are called.
import type { Value } from "./values.js";
import { typeName, isObject } from "./values.js";
import { type Frame, newFrame, parentOf, Signal, ExitProgram, RET, FIRST_SLOT } from "./frame.js";
import { WflAction, selectOverload, type Overload } from "./action.js";
import { WflRuntimeError } from "./errors.js";
import type { Span } from "../ast/span.js";
import type { NativeContext, NativeFunction } from "../stdlib/registry.js";
import { arityMessage } from "../stdlib/registry.js";
import { TestHarness } from "./tests.js";
import { InstanceValue } from "./container.js";
import type { ServerLimits } from "../stdlib/web/server.js";
import { policyFrom, type ProcessPolicy } from "../stdlib/process/index.js";
import type { Engine } from "./engine.js";
import type { RunResources } from "./lifetime.js";
import { CHECK_EVERY } from "./memory.js";

export interface RuntimeOptions {
  /** The run this runtime executes: its builtins, configuration, output, resources and limits. */
  engine: Engine;
  scriptDir: string;
  testMode: boolean;
  maxCallDepth?: number;
  /** Reports an error the program survives (a failed request in a main loop); provided by the host. */
  reportError?: (err: WflRuntimeError, note: string) => void;
  /** Runs another WFL file (`execute wfl file at …`); provided by the host. */
  /** Runs another WFL file; `globals` are extra variables it sees (a `load module` with a computed path). */
  executeFile?: (path: string, request: Value, capture: boolean, globals?: Map<string, Value>) => Promise<Value>;
}

export class Runtime {
  private buffer = "";
  readonly engine: Engine;
  readonly config: ReadonlyMap<string, string>;
  /** Set when the run has ended: output of its stale code (if any still runs) is dropped. */
  muted = false;
  /** Loop iterations and action calls left before the next check of the run's limits. */
  private budget = CHECK_EVERY;
  /**
   * Called on every loop back-edge (compiled code and fast loops) and action call: every
   * CHECK_EVERY calls it checks the heap, the time limit and whether the run was stopped.
   */
  readonly tick = (): void => {
    if (--this.budget <= 0) this.checkLimits();
  };
  /** `tick` for the back-edge of the loop at `span`: a limit it meets is reported there. */
  tickAt(span: Span | undefined): () => void {
    if (!span) return this.tick;
    return () => {
      if (--this.budget <= 0) this.checkLimits(span);
    };
  }
  /** Nested action calls in progress. Catch sites save and restore it (errors skip the decrement). */
  depth = 0;
  private readonly maxDepth: number;
  private readonly sink: (text: string) => void;
  readonly nativeContext: NativeContext;
  readonly tests: TestHarness;
  /** The file whose code is running (included files report their own positions). */
  currentFile: string | null = null;

  constructor(readonly options: RuntimeOptions) {
    this.engine = options.engine;
    this.config = this.engine.config;
    this.sink = this.engine.write;
    this.maxDepth = options.maxCallDepth ?? 1000;
    this.engine.wake = () => { this.budget = 0; };
    const { timeoutMs, signal } = this.engine.limits;
    if (timeoutMs === undefined && signal === undefined) this.enterSync = this.enterSyncUncounted;
    const self = this;
    this.nativeContext = {
      scriptDir: options.scriptDir,
      config: this.config,
      writeLine: (t) => self.writeLine(t),
    };
    this.tests = new TestHarness(this, options.testMode);
  }

  writeLine(text: string): void {
    this.buffer += text + "\n";
    if (this.buffer.length > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.buffer.length > 0) {
      const b = this.buffer;
      this.buffer = "";
      if (!this.muted) this.sink(b);
    }
  }

  /** See `tick`. */
  checkLimits(span?: Span): void {
    this.budget = CHECK_EVERY;
    if (!span) return this.engine.check();
    try {
      this.engine.check();
    } catch (e) {
      throw this.locate(e, span); // "Out of memory" at the statement that met it
    }
  }

  /** What this run owns (servers, processes, …): released, and only it, when the run ends. */
  get resources(): RunResources {
    return this.engine.resources;
  }

  /** `wait for N seconds`: ends early when the run is stopped. */
  sleep(ms: number): Promise<void> {
    return this.engine.sleep(ms);
  }

  /** Call a user action from code that is known not to wait. */
  callActionSync(a: WflAction, args: Value[], span: Span): Value {
    if (!(a instanceof WflAction)) return this.callValue(a, "", args, span) as Value;
    const o = selectOverload(a, args, span);
    const f = newFrame(o.frameSize, a.closure);
    this.bindArgs(o, f, args);
    return this.enterSync(a, o, f, span);
  }

  /**
   * Run an overload's body in a frame whose arguments are already in place. No try/finally on
   * this hot path: a thrown error leaves `depth` high, and every place that catches an error
   * (WFL `try`, the test harness) puts it back to what it was (see `depth`).
   */
  enterSync(a: WflAction, o: Overload, f: Frame, span: Span): Value {
    if (this.depth >= this.maxDepth) this.overflow(a.name, span);
    if (--this.budget <= 0) this.checkLimits(span);
    this.depth++;
    const r = o.body(f);
    this.depth--;
    if (r === undefined) return null;
    if (r instanceof Promise) throw new Error(`internal: action '${a.name}' waited in a synchronous call`);
    return r === Signal.Return ? f[RET]! : null;
  }

  /**
   * `enterSync` for a run without a time limit or AbortSignal (the CLI's): nothing can stop it
   * in the middle of synchronous calls, so they are not counted (counting costs a recursive
   * program about a tenth of its time). Loops still check the heap.
   */
  private enterSyncUncounted(a: WflAction, o: Overload, f: Frame, span: Span): Value {
    if (this.depth >= this.maxDepth) this.overflow(a.name, span);
    this.depth++;
    const r = o.body(f);
    this.depth--;
    if (r === undefined) return null;
    if (r instanceof Promise) throw new Error(`internal: action '${a.name}' waited in a synchronous call`);
    return r === Signal.Return ? f[RET]! : null;
  }

  private overflow(name: string, span: Span): never {
    throw new WflRuntimeError(`Stack overflow: more than ${this.maxDepth} nested action calls (is '${name}' recursing without end?)`, "general", span);
  }

  async callAction(a: WflAction, args: Value[], span: Span): Promise<Value> {
    if (!(a instanceof WflAction)) return this.callValue(a, "", args, span);
    const o = selectOverload(a, args, span);
    const f = newFrame(o.frameSize, a.closure);
    this.bindArgs(o, f, args);
    if (this.depth >= this.maxDepth) this.overflow(a.name, span);
    if (--this.budget <= 0) this.checkLimits(span);
    this.depth++;
    try {
      const r = await o.body(f);
      return r === Signal.Return ? f[RET]! : null;
    } finally {
      this.depth--;
    }
  }

  private bindArgs(o: WflAction["overloads"][number], f: Frame, args: Value[]): void {
    const ps = o.params;
    for (let i = 0; i < ps.length; i++) {
      if (i < args.length) f[FIRST_SLOT + i] = args[i]!;
      else {
        const d = ps[i]!.defaultValue;
        f[FIRST_SLOT + i] = d ? d(parentOf(f) ?? f) : null;
      }
    }
  }

  /** Call whatever a variable holds: an action, a builtin, or read a property (`name of obj`). */
  callValue(callee: Value, name: string, args: Value[], span: Span): Value | Promise<Value> {
    if (callee instanceof WflAction) {
      return callee.isAsync ? this.callAction(callee, args, span) : this.callActionSync(callee, args, span);
    }
    if (callee !== null && typeof callee === "object" && (callee as { kind?: string }).kind === "native") {
      const n = callee as NativeFunction;
      if (args.length < n.minArity || args.length > n.maxArity) {
        throw new WflRuntimeError(arityMessage(n.name, n.minArity, n.maxArity, args.length), "general", span);
      }
      try {
        return n.impl(args, this.nativeContext);
      } catch (e) {
        throw this.locate(e, span);
      }
    }
    if (args.length === 0) return callee;
    if (args.length === 1 && isObject(args[0]!) && (args[0] as Map<string, Value>).has(name)) {
      return (args[0] as Map<string, Value>).get(name)!;
    }
    throw new WflRuntimeError(`'${name}' is a ${typeName(callee)}, not an action, so it cannot be called`, "type", span);
  }

  callMethod(target: Value, name: string, args: Value[], span: Span): Value | Promise<Value> {
    if (!(target instanceof InstanceValue)) {
      throw new WflRuntimeError(`${typeName(target)} has no action '${name}'`, "type", span);
    }
    const m = target.container.findMethod(name);
    if (!m) throw new WflRuntimeError(`${target.container.name} has no action '${name}'`, "general", span);
    if (args.length !== m.paramCount) {
      throw new WflRuntimeError(`${target.container.name}.${name} expects ${m.paramCount} argument${m.paramCount === 1 ? "" : "s"}, got ${args.length}`, "general", span);
    }
    const f = newFrame(m.frameSize, target.container.closure);
    f[FIRST_SLOT] = target;
    for (let i = 0; i < args.length; i++) f[FIRST_SLOT + 1 + i] = args[i]!;
    if (this.depth >= this.maxDepth) this.overflow(`${target.container.name}.${name}`, span);
    if (--this.budget <= 0) this.checkLimits(span);
    this.depth++;
    if (m.isAsync) {
      return (async () => {
        try {
          const r = await m.body(f);
          return r === Signal.Return ? f[RET]! : null;
        } finally {
          this.depth--;
        }
      })();
    }
    try {
      const r = m.body(f);
      return r === Signal.Return ? f[RET]! : null;
    } finally {
      this.depth--;
    }
  }

  /** Runs `run`; an error it throws gets the position `span` if it has none (see `locate`). */
  located<T>(span: Span, run: () => T): T {
    try {
      return run();
    } catch (e) {
      throw this.locate(e, span);
    }
  }

  /** As `located`, for work that waits. */
  async locatedAsync<T>(span: Span, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw this.locate(e, span);
    }
  }

  /** Give an error from a native function the position of its call. */
  locate(e: unknown, span: Span): unknown {
    if (e instanceof WflRuntimeError) {
      if (!e.span) e.span = span;
      return e;
    }
    const w = this.asCatchable(e);
    if (w) {
      if (!w.span) w.span = span;
      return w;
    }
    return e;
  }

  /** Errors a WFL `try` may catch: WFL runtime errors and host resource exhaustion. */
  asCatchable(e: unknown): WflRuntimeError | null {
    if (e instanceof WflRuntimeError) return e;
    if (e instanceof RangeError) {
      if (/call stack/i.test(e.message)) return new WflRuntimeError("Stack overflow: a value or a chain of calls is nested too deeply", "general");
      if (/string length/i.test(e.message)) return new WflRuntimeError("This text would be too long (over about 500 million characters)", "general");
      return new WflRuntimeError(`Value out of range: ${e.message}`, "general");
    }
    return null;
  }

  serverLimits(): ServerLimits {
    const num = (k: string, d: number): number => {
      const v = Number(this.config.get(k));
      return Number.isFinite(v) && v > 0 ? v : d;
    };
    return {
      owner: this.resources,
      bindAddress: this.config.get("web_server_bind_address") ?? "127.0.0.1",
      maxBodyBytes: num("web_server_max_body_size", 1024 * 1024),
      queueBound: num("web_server_request_queue_bound", 256),
      multipartMaxBytes: num("web_server_multipart_max_size", 50 * 1024 * 1024),
      multipartMaxFileBytes: num("web_server_multipart_max_file_size", 50 * 1024 * 1024),
      config: this.config, // [middleware] the server's middleware is built from it
    };
  }

  /** What this run may do with subprocesses (from its configuration); they belong to this run. */
  processPolicy(): ProcessPolicy {
    return policyFrom(this.config, this.resources);
  }

  /**
   * `register signal handler for SIGINT as h`: when the signal arrives, run h (if it is an
   * action), then end this run (exit code 0). Other runs and the host's own listeners are left alone.
   */
  onSignal(signal: string, handler: (() => Value) | null, span: Span): void {
    this.engine.onSignal(signal, async () => {
      try {
        const h = handler?.();
        if (h instanceof WflAction) await this.callAction(h, [], span);
      } finally {
        this.flush();
      }
    }, (e) => (e instanceof ExitProgram ? e.code : null));
  }

  /** Report an error the program survives; `note` says what happened instead of stopping. */
  reportError(err: WflRuntimeError, note: string): void {
    this.flush();
    if (this.options.reportError) this.options.reportError(err, note);
    else this.engine.writeError(`error[RUNTIME]: ${err.message} (${note})\n`);
  }

  async executeFile(path: string, request: Value, capture: boolean, globals?: Map<string, Value>): Promise<Value> {
    if (!this.options.executeFile) throw new WflRuntimeError("Executing other WFL files is not available here", "general");
    this.flush();
    return this.options.executeFile(path, request, capture, globals);
  }

  inFile<T>(file: string, run: () => T): T {
    const saved = this.currentFile;
    this.currentFile = file;
    try {
      return run();
    } catch (e) {
      if (e instanceof WflRuntimeError && !(e as { file?: string }).file) (e as { file?: string }).file = file;
      throw e;
    } finally {
      this.currentFile = saved;
    }
  }

  async inFileAsync<T>(file: string, run: () => Promise<T>): Promise<T> {
    const saved = this.currentFile;
    this.currentFile = file;
    try {
      return await run();
    } catch (e) {
      if (e instanceof WflRuntimeError && !(e as { file?: string }).file) (e as { file?: string }).file = file;
      throw e;
    } finally {
      this.currentFile = saved;
    }
  }
}

export { ExitProgram };

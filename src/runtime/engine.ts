// One run of a WFL program, and everything it owns. Every run (the CLI's, each embedding call,
// each `execute wfl file`) has its own Engine; nothing a run opens or registers is process-global:
// - the builtins it sees (the standard library plus the host's actions),
// - its configuration (the host's object, or `.wflcfg` next to the program),
// - where its output and its diagnostics go,
// - its servers, WebSockets, databases and processes (released, and only they, when it ends),
// - its signal handlers (through the process-wide dispatcher in signals.ts),
// - its limits: a time limit, the host's AbortSignal and a memory cap, checked every few
//   thousand loop iterations or action calls (`Runtime.tick`) and whenever the run waits.
// The compiled code reaches its Engine through the Runtime it already holds (`rt.engine`).
import type { Registry } from "../stdlib/registry.js";
import { standardLibrary } from "../stdlib/index.js";
import { registryWithActions, type HostAction } from "./host-actions.js";
import { failInFlight } from "../stdlib/web/server.js";
import { RunResources, RunStopped } from "./lifetime.js";
import { addSignalHandler } from "./signals.js";
import { checkHeap } from "./memory.js";

export interface EngineLimits {
  /** The run stops with `error[TIMEOUT]` after this many milliseconds. */
  timeoutMs?: number;
  /** When the time limit started counting (ms since the epoch); now, unless inherited. */
  startedAt?: number;
  /** The run stops with `error[ABORTED]` when this signal aborts. */
  signal?: AbortSignal;
  /** Loops and calls fail with an out-of-memory error once the (process's) heap passes this. */
  maxHeapBytes?: number;
  /**
   * An interrupt flag (the REPL's Ctrl-C): when element 0 is non-zero, the code running now stops
   * with RunStopped("INTERRUPTED") at its next check and the flag is cleared; the run goes on
   * (unlike a stop). Shared memory, so another thread can set it while this one runs a loop.
   */
  interrupt?: Int32Array;
}

/** How a run ended before its main code finished. */
export type EarlyEnd =
  | { kind: "stopped"; stop: RunStopped } // its time limit or the host's AbortSignal
  | { kind: "exit"; code: number } // a signal handler finished (or said `exit program`)
  | { kind: "error"; error: unknown }; // a signal handler failed

export interface EngineOptions {
  /** Actions the host provides, callable from WFL by name (see host-actions.ts). */
  actions?: Readonly<Record<string, HostAction>>;
  config: ReadonlyMap<string, string>;
  write: (text: string) => void;
  writeError: (text: string) => void;
  limits?: EngineLimits;
  /**
   * SIGINT and SIGTERM drain this run's web servers and end it with exit code 0, even without a
   * `register signal handler` (the CLI's runs; an embedding host keeps its own signal handling).
   */
  drainOnSignals?: boolean;
}

/** What stale code of a run that has ended meets at its next check. */
const ENDED = new RunStopped("ABORTED", "The program has already ended");

export class Engine {
  readonly resources = new RunResources();
  readonly registry: Registry;
  readonly actions: Readonly<Record<string, HostAction>>;
  readonly config: ReadonlyMap<string, string>;
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  readonly limits: EngineLimits;
  /** Settles when the run ends before its main code finishes (see `EarlyEnd`). */
  readonly endedEarly: Promise<EarlyEnd>;
  /** Set by the Runtime: makes its next tick check the limits at once. */
  wake: () => void = () => {};
  /** How the run ended early, once it has. */
  earlyEnd: EarlyEnd | null = null;
  private endEarly!: (e: EarlyEnd) => void;
  private stopped: RunStopped | null = null;
  /** A signal arrived and the servers are in their `web_server_shutdown_delay_seconds`. */
  private shutdownAnnounced = false;
  private released = false;
  private deadline: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unlistenAbort: (() => void) | undefined;
  private readonly signalHandlers = new Map<string, () => void>();
  private readonly drainOnSignals: boolean;
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; reject: (e: unknown) => void }>();
  /** Aborted when this run ends; runs it starts (`execute wfl file`) stop with it. */
  private readonly children = new AbortController();

  constructor(options: EngineOptions) {
    this.actions = options.actions ?? {};
    this.registry = options.actions && Object.keys(options.actions).length > 0
      ? registryWithActions(standardLibrary(), options.actions, () => this.check())
      : standardLibrary();
    this.config = options.config;
    this.write = options.write;
    this.writeError = options.writeError;
    this.limits = options.limits ?? {};
    this.drainOnSignals = options.drainOnSignals ?? false;
    this.endedEarly = new Promise((resolve) => { this.endEarly = resolve; });
  }

  /** Start the clock and listen for the host's AbortSignal (nothing is armed before this). */
  start(): void {
    const { timeoutMs, signal } = this.limits;
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs >= 0) {
      this.deadline = (this.limits.startedAt ?? Date.now()) + timeoutMs;
      this.timer = setTimeout(() => this.timeOut(), Math.max(0, this.deadline - Date.now()));
    }
    if (signal) {
      const onAbort = (): void => this.stop(new RunStopped("ABORTED", "The host stopped the program"));
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        this.unlistenAbort = () => signal.removeEventListener("abort", onAbort);
      }
    }
  }

  /** Throws if the run must stop: it was stopped or ended, its time is up, or memory is short. */
  check(): void {
    if (this.stopped) throw this.stopped;
    const flag = this.limits.interrupt;
    if (flag !== undefined && Atomics.load(flag, 0) !== 0) {
      Atomics.store(flag, 0, 0);
      throw new RunStopped("INTERRUPTED", "Interrupted");
    }
    if (this.deadline !== undefined && Date.now() >= this.deadline) {
      this.timeOut();
      throw this.stopped!;
    }
    checkHeap(this.limits.maxHeapBytes);
  }

  private timeOut(): void {
    const ms = this.limits.timeoutMs ?? 0;
    const limit = ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
    this.stop(new RunStopped("TIMEOUT", `The program ran longer than its ${limit} limit`));
  }

  /** End the run now with `error[KIND]` (its time limit, the host's AbortSignal). */
  stop(reason: RunStopped): void {
    this.endWith({ kind: "stopped", stop: reason }, reason);
  }

  /** End the run now with this outcome (a signal handler finished or failed). */
  finish(end: EarlyEnd): void {
    this.endWith(end, ENDED);
  }

  private endWith(end: EarlyEnd, reason: RunStopped): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.earlyEnd = end;
    this.endEarly(end);
    this.wake();
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.reject(reason);
    }
    this.sleeps.clear();
    this.children.abort();
  }

  /**
   * Interrupt the code running now without ending the run (the REPL's Ctrl-C): pauses end at
   * once and loops stop at their next check (see `EngineLimits.interrupt`).
   */
  interrupt(): void {
    const stop = new RunStopped("INTERRUPTED", "Interrupted");
    const flag = this.limits.interrupt;
    if (flag !== undefined) Atomics.store(flag, 0, 1);
    this.wake();
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.reject(stop);
    }
    this.sleeps.clear();
  }

  /** `wait for N seconds`: a pause that ends early (with RunStopped) when the run is stopped. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      this.sleeps.add(entry);
    });
  }

  /**
   * `register signal handler for SIG as h`: when the signal arrives, `handler` runs and then the
   * run ends with exit code 0. A later registration for the same signal replaces this one.
   */
  onSignal(signal: string, handler: () => Promise<void>, isExit: (e: unknown) => number | null): void {
    if (this.released) return;
    this.signalHandlers.get(signal)?.();
    const remove = addSignalHandler(signal, () => {
      if (this.stopped) return;
      if (this.resources.shuttingDown || this.shutdownAnnounced) {
        // A second signal while draining (or during the delay before it): end now (what is still
        // unanswered gets 503).
        this.finish({ kind: "exit", code: 0 });
        return;
      }
      // `web_server_shutdown_delay_seconds`: first keep serving for that long while readiness
      // checks answer 503, so that a load balancer stops sending before connections are refused.
      const delay = this.shutdownDelayMs();
      if (delay > 0) {
        this.shutdownAnnounced = true;
        this.resources.announceShutdown();
        this.sleep(delay).then(begin, () => {});
        return;
      }
      begin();
    });
    const begin = (): void => {
      if (this.stopped) return;
      // From here on waits for requests park, and the run's servers drain once the handler is done.
      this.resources.shuttingDown = true;
      handler().then(
        async () => {
          await this.resources.drain(this.drainMs());
          this.finish({ kind: "exit", code: 0 });
        },
        (e: unknown) => {
          if (e instanceof RunStopped) return; // the run was stopped meanwhile
          const code = isExit(e);
          this.finish(code !== null ? { kind: "exit", code } : { kind: "error", error: e });
        },
      );
    };
    this.signalHandlers.set(signal, remove);
  }

  /** `web_server_shutdown_delay_seconds` (default 0): how long a shutdown serves on, "not ready", before draining. */
  shutdownDelayMs(): number {
    const v = Number(this.config.get("web_server_shutdown_delay_seconds") ?? 0);
    return Number.isFinite(v) && v > 0 ? v * 1000 : 0;
  }

  /** `web_server_shutdown_drain_seconds` (default 10): how long a shutdown lets in-flight requests finish. */
  drainMs(): number {
    const v = Number(this.config.get("web_server_shutdown_drain_seconds"));
    return Number.isFinite(v) && v >= 0 ? v * 1000 : 10_000;
  }

  /**
   * A server started listening: when this run drains on signals, SIGINT and SIGTERM without a
   * program handler now drain its servers and end it with exit code 0.
   */
  serverListening(): void {
    if (!this.drainOnSignals || this.released) return;
    for (const sig of ["SIGINT", "SIGTERM"]) {
      if (!this.signalHandlers.has(sig)) this.onSignal(sig, async () => {}, () => null);
    }
  }

  /** The limits a run started by this one (`execute wfl file`) inherits. */
  childLimits(): EngineLimits {
    return {
      timeoutMs: this.limits.timeoutMs,
      startedAt: this.deadline !== undefined ? this.deadline - (this.limits.timeoutMs ?? 0) : undefined,
      signal: this.children.signal,
      maxHeapBytes: this.limits.maxHeapBytes,
    };
  }

  /**
   * The run has ended: answer its unanswered requests, close its servers, WebSockets and
   * databases, stop its processes, drop its signal handlers and timers. Nothing of other runs.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    this.unlistenAbort?.();
    for (const remove of this.signalHandlers.values()) remove();
    this.signalHandlers.clear();
    if (!this.stopped) this.endWith({ kind: "exit", code: 0 }, ENDED);
    this.earlyEnd = null;
    failInFlight(this.resources);
    this.resources.closeAll(this.stopped ?? ENDED);
  }
}

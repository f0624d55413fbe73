// What one run owns and must release when it ends (servers, WebSockets, processes, databases),
// and how a run is stopped from outside (a time limit, the host's AbortSignal, a signal handler).
/** Anything a run opens and must close when it ends. */
export interface Closable {
  close(): void;
  /** A graceful end (servers): finish what is in flight, up to `graceMs`, then close. */
  drain?(graceMs?: number): Promise<void>;
  /** A shutdown is coming (servers): keep serving, but tell readiness checks "not ready". */
  announceShutdown?(): void;
}

/**
 * A run was stopped from outside: its code unwinds (a WFL `try` does not catch this) and the
 * host reports `error[KIND]: message`.
 */
export class RunStopped {
  constructor(readonly kind: "TIMEOUT" | "ABORTED" | "INTERRUPTED", readonly message: string) {}
}

/**
 * A set that fills and empties all the time: a run's requests in flight, most often one or none,
 * at most a few hundred. A JavaScript Set reallocates its table as it churns (every time it
 * becomes empty, and as deleted entries pile up), which came to a few hundred bytes of garbage
 * per request; a list searched from its end (where the newest, most often the next to go, is)
 * makes none. Each item is added at most once.
 */
export class ChurnSet<T> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  has(x: T): boolean {
    return this.items.lastIndexOf(x) >= 0;
  }

  add(x: T): this {
    this.items.push(x);
    return this;
  }

  delete(x: T): boolean {
    const items = this.items;
    const i = items.lastIndexOf(x);
    if (i < 0) return false;
    const last = items.pop()!;
    if (i < items.length) items[i] = last;
    return true;
  }

  clear(): void {
    this.items.length = 0;
  }

  /** Over a copy: the loop may delete as it goes. */
  [Symbol.iterator](): Iterator<T> {
    return this.items.slice()[Symbol.iterator]();
  }
}

/** The resources of one run. Each is added when opened and removed when the program closes it. */
export class RunResources {
  private readonly open = new Set<Closable>();
  /** Requests this run has received and not yet answered (see `failInFlight`). */
  readonly inFlight = new ChurnSet<object>();
  /** How many requests this run's programs have taken (`wait for request`). */
  received = 0;
  /** A shutdown (SIGINT/SIGTERM) has begun: servers drain, waits for requests park. */
  shuttingDown = false;
  /** Why the run ended, once it has: a resource opened after that is closed at once. */
  private endedBy: RunStopped | null = null;

  add(c: Closable): void {
    if (this.endedBy) {
      c.close();
      throw this.endedBy;
    }
    this.open.add(c);
  }

  delete(c: Closable): void {
    this.open.delete(c);
  }

  /** Tell every server still open that a shutdown is coming (its readiness check answers 503). */
  announceShutdown(): void {
    for (const c of this.open) c.announceShutdown?.();
  }

  /** Drain every server still open (in parallel), each for at most `graceMs`. */
  async drain(graceMs?: number): Promise<void> {
    await Promise.all([...this.open].map((c) => (c.drain ? c.drain(graceMs).catch(() => {}) : undefined)));
  }

  /** Close everything still open; nothing can be added afterwards. */
  closeAll(reason: RunStopped): void {
    this.endedBy ??= reason;
    for (const c of [...this.open]) {
      try {
        c.close();
      } catch {
        // Closing is best effort: one failure must not keep the others open.
      }
    }
    this.open.clear();
  }
}

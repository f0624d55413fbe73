// The `describe` / `test` / `expect` harness behind `wfl --test`.
import type { Frame } from "./frame.js";
import { WflRuntimeError } from "./errors.js";
import type { Span } from "../ast/span.js";
import type { Runtime } from "./runtime.js";

type Body = (f: Frame) => unknown;

/** Thrown by a failed `expect`; ends the current test only. */
export class AssertionFailure {
  constructor(readonly message: string, readonly span: Span) {}
}

export interface TestFailure {
  name: string;
  context: string[];
  message: string;
  span: Span;
}

/** One test as it ran (for reports such as JUnit XML). */
export interface TestCase {
  name: string;
  context: string[];
  ms: number;
  failure: { message: string; span: Span } | null;
}

export class TestHarness {
  total = 0;
  passed = 0;
  readonly failures: TestFailure[] = [];
  readonly cases: TestCase[] = [];
  private context: string[] = [];
  private inTest = false;

  constructor(private readonly rt: Runtime, readonly enabled: boolean) {}

  async describe(name: string, setups: Body[], teardowns: Body[], body: () => Promise<unknown>, _f: Frame, span: Span): Promise<undefined> {
    if (!this.enabled) {
      throw new WflRuntimeError("describe blocks run only in test mode: run this file with 'wfl --test'", "general", span);
    }
    this.rt.writeLine(`${"  ".repeat(this.context.length)}${name}`);
    this.context.push(name);
    // Setup and teardown run once per describe block, around all of its tests.
    try {
      for (const s of setups) await s(_f);
      await body();
    } finally {
      try {
        for (const s of teardowns) await s(_f);
      } finally {
        this.context.pop();
      }
    }
    return undefined;
  }

  async test(name: string, body: () => Promise<unknown>, _f: Frame, span: Span): Promise<undefined> {
    if (!this.enabled) {
      throw new WflRuntimeError("test blocks run only in test mode: run this file with 'wfl --test'", "general", span);
    }
    this.total++;
    const indent = "  ".repeat(this.context.length);
    let failure: { message: string; span: Span } | null = null;
    this.inTest = true;
    const depth = this.rt.depth;
    const started = performance.now();
    try {
      await body();
    } catch (e) {
      this.rt.depth = depth;
      if (e instanceof AssertionFailure) failure = e;
      else {
        const w = this.rt.asCatchable(e);
        if (!w) throw e;
        failure = { message: `Error: ${w.message}`, span: w.span ?? span };
      }
    } finally {
      this.inTest = false;
    }
    this.cases.push({ name, context: [...this.context], ms: performance.now() - started, failure });
    if (failure) {
      this.failures.push({ name, context: [...this.context], message: failure.message, span: failure.span });
      this.rt.writeLine(`${indent}✗ ${name}`);
    } else {
      this.passed++;
      this.rt.writeLine(`${indent}✓ ${name}`);
    }
    return undefined;
  }

  fail(message: string, span: Span): never {
    if (!this.inTest && !this.enabled) throw new WflRuntimeError(message, "general", span);
    if (!this.inTest) throw new WflRuntimeError(message, "general", span);
    throw new AssertionFailure(message, span);
  }

  /** The documented summary block. */
  summary(lineOf: (span: Span) => number): string {
    const bar = "=".repeat(60);
    const thin = "─".repeat(60);
    const lines = [
      "",
      bar,
      "Test Results",
      bar,
      `Total:  ${this.total}`,
      `Passed: ${this.passed} ✓`,
      `Failed: ${this.failures.length} ✗`,
    ];
    if (this.failures.length > 0) {
      lines.push("", thin, "Failures:", thin, "");
      this.failures.forEach((f, i) => {
        lines.push(`${i + 1}. ${f.name}`);
        if (f.context.length) lines.push(`   Context: ${f.context.join(" > ")}`);
        lines.push(`   ${f.message}`);
        lines.push(`   at line ${lineOf(f.span)}`);
        lines.push("");
      });
    }
    lines.push(bar);
    return lines.join("\n");
  }
}

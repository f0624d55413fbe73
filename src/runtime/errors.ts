// Errors a WFL program can raise or catch. The span is filled in by the compiler
// at the statement or expression that failed, so natives throw without positions.
import type { Span } from "../ast/span.js";

import type { ErrorKind } from "../diagnostics/catalogue.js";

/** The kinds `when <kind>:` handlers match (src/diagnostics/catalogue.ts lists them). */
export type { ErrorKind };

export class WflRuntimeError extends Error {
  span: Span | undefined;
  constructor(message: string, readonly errorKind: ErrorKind = "general", span?: Span) {
    super(message);
    this.span = span;
  }
}

/** Shorthand for natives: `throw fail("...")`. */
export function fail(message: string, kind: ErrorKind = "general"): WflRuntimeError {
  return new WflRuntimeError(message, kind);
}

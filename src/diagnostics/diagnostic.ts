// Diagnostics are data: a code, a message in one plain sentence, and a span of offsets.
import type { Span } from "../ast/span.js";

export interface Diagnostic {
  /** LEX, PARSE, ANALYZE-SEMANTIC, RUNTIME, … */
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  readonly severity?: "error" | "warning";
  /** The file the span refers to, when it is not the main program (includes). */
  readonly file?: string;
}

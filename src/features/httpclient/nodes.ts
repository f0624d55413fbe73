// The syntax tree nodes of the HTTP client room: `open url …` and reading a streamed answer.
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type HttpClientStmt =
  /** `open url at U [with method M] [and headers H] [and body B] and read content|read response|stream response as name`. */
  | {
    kind: "OpenUrl"; url: Expr; method: Expr | null; headers: Expr | null; body: Expr | null;
    mode: "content" | "response" | "stream"; name: string; nameSpan: Span; span: Span;
  }
  /** `wait for next line|chunk from s as name`. */
  | { kind: "StreamRead"; what: "line" | "chunk"; source: Expr; name: string; nameSpan: Span; span: Span };

/** Statements that always wait (see src/features/waits.ts). */
export const httpClientWaits: HttpClientStmt["kind"][] = ["OpenUrl", "StreamRead"];

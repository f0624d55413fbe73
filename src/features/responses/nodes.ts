// The syntax tree nodes of the responses room: streaming responses and files as responses.
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type ResponsesStmt =
  /** `start streaming response to req [with status S] [and content type T] [and headers H] as out`. */
  | { kind: "StartStreaming"; request: Expr; status: Expr | null; contentType: Expr | null; headers: Expr | null; name: string; nameSpan: Span; span: Span }
  /**
   * `write line V to out`, `write chunk V to out`. When V starts with a plain name, the statement
   * also reads as the classic file write of the variable `line <name>…` (`fileValue`, with
   * `fileName` its leading name; `leadName` is V's): the resolver and compiler keep the readings
   * whose names exist, and at run time a target that is not a stream takes the file reading.
   */
  | {
    kind: "StreamWrite"; what: "line" | "chunk"; value: Expr; target: Expr;
    leadName: string | null; fileName: string | null; fileValue: Expr | null; span: Span;
  }
  /** `flush out`. */
  | { kind: "StreamFlush"; target: Expr; span: Span }
  /** `serve static files from DIR for req [under PREFIX]`. */
  | { kind: "ServeStatic"; dir: Expr; request: Expr; prefix: Expr | null; span: Span }
  /** `respond to req with file at PATH [and content type T] [and headers H]`. */
  | { kind: "RespondFile"; request: Expr; path: Expr; contentType: Expr | null; headers: Expr | null; span: Span };

/** Statements that always wait (see src/features/waits.ts). */
export const responsesWaits: ResponsesStmt["kind"][] = ["StreamWrite", "StreamFlush", "ServeStatic", "RespondFile"];

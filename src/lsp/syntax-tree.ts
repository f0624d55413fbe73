// Walks over the syntax tree for the language server: every statement (with its nesting), and the
// blocks inside handlers, route arms and container methods.
import type { Program, Stmt } from "../ast/nodes.js";
import type { Span } from "../ast/span.js";

const BODY_KEYS = ["body", "then", "otherwise", "finally"];

/** Something with a body of statements: a statement, a `when` handler, a route arm, a method. */
export interface BlockOwner {
  readonly span: Span;
  readonly kind?: string;
  readonly name?: unknown;
}

/** Calls `on` for each statement and each block owner nested anywhere in `stmts` (pre-order). */
export function walkStatements(stmts: readonly Stmt[], on: (s: Stmt | BlockOwner, depth: number, parent: BlockOwner | null) => void, depth = 0, parent: BlockOwner | null = null): void {
  for (const s of stmts ?? []) {
    if (!s || typeof s !== "object") continue;
    on(s, depth, parent);
    inner(s, on, depth, s);
  }
}

function inner(node: object, on: (s: Stmt | BlockOwner, depth: number, parent: BlockOwner | null) => void, depth: number, owner: BlockOwner): void {
  for (const key of Object.keys(node)) {
    const v = (node as Record<string, unknown>)[key];
    if (key === "stmt" && v && typeof v === "object" && "kind" in v) {
      inner(v, on, depth, owner);
      continue;
    }
    if (!Array.isArray(v)) continue;
    if (BODY_KEYS.includes(key)) {
      walkStatements(v as Stmt[], on, depth + 1, owner);
    } else if (key === "handlers" || key === "arms" || key === "methods") {
      for (const h of v as (BlockOwner & { body?: Stmt[] })[]) {
        if (!h || typeof h !== "object" || !Array.isArray(h.body)) continue;
        on(h, depth + 1, owner);
        walkStatements(h.body, on, depth + 2, h);
      }
    }
  }
}

/** Every program the analysis saw: the file itself and its includes. */
export function allStatements(programs: Iterable<Program>, on: (s: Stmt | BlockOwner) => void): void {
  for (const p of programs) walkStatements(p.body, (s) => on(s));
}

// The one walker over the syntax tree. It finds a node's children by shape (any object with a
// `kind` and a `span` is a node; arrays and plain objects such as handlers, route arms, parameters
// and assertions are looked through; spans are skipped), so a new node kind needs no entry here.
// Statement and expression kinds never share a name, so callers tell them apart by `kind`.
import type { Expr, Stmt } from "./nodes.js";

export type Node = Stmt | Expr;

function isSpanLike(v: object): boolean {
  return typeof (v as { start?: unknown }).start === "number" && typeof (v as { end?: unknown }).end === "number" && !("kind" in v);
}

function isNode(v: object): v is Node {
  return "kind" in v && "span" in v;
}

function visitValue(v: unknown, on: (child: Node) => void): void {
  if (Array.isArray(v)) {
    for (const x of v) visitValue(x, on);
  } else if (typeof v === "object" && v !== null) {
    if (isNode(v)) on(v);
    else if (!isSpanLike(v)) forEachChild(v, on);
  }
}

/** Calls `on` for each direct child node of `node` (statements and expressions), in field order. */
export function forEachChild(node: object, on: (child: Node) => void): void {
  for (const key in node) {
    const v = (node as Record<string, unknown>)[key];
    if (typeof v === "object" && v !== null) visitValue(v, on);
  }
}

/**
 * Fields that hold statement lists (a new scope for the resolver and compiler). A room that adds
 * a statement with a body names its field one of these.
 */
const BODY_KEYS: ReadonlySet<string> = new Set(["body", "then", "otherwise", "finally"]);

/**
 * The parts of a statement: `onExpr` for each expression in it, `onBody` for each statement list
 * (`body`, `then`, `otherwise`, `finally`, also inside handlers, route arms and container
 * methods). A statement nested whole (`wait for STATEMENT`) is walked in place, as its parts.
 */
export function forEachPart(s: Stmt, onExpr: (e: Expr) => void, onBody: (b: Stmt[]) => void): void {
  parts(s, onExpr, onBody);
}

function parts(obj: object, onExpr: (e: Expr) => void, onBody: (b: Stmt[]) => void): void {
  for (const key in obj) {
    const v = (obj as Record<string, unknown>)[key];
    if (typeof v !== "object" || v === null) continue;
    if (BODY_KEYS.has(key) && Array.isArray(v)) onBody(v as Stmt[]);
    else if (key === "stmt" && isNode(v)) parts(v, onExpr, onBody);
    else partValue(v, onExpr, onBody);
  }
}

function partValue(v: object, onExpr: (e: Expr) => void, onBody: (b: Stmt[]) => void): void {
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === "object" && x !== null) partValue(x, onExpr, onBody);
  } else if (isNode(v)) {
    onExpr(v as Expr);
  } else if (!isSpanLike(v)) {
    parts(v, onExpr, onBody);
  }
}

/** Each direct sub-expression of an expression. */
export function forEachExprChild(e: Expr, on: (e: Expr) => void): void {
  forEachChild(e, (c) => on(c as Expr));
}

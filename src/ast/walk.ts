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

/** Calls `on` for `node` and every node below it, parents first. Return false to skip a subtree. */
export function walk(node: Node, on: (n: Node) => boolean | void): void {
  if (on(node) === false) return;
  forEachChild(node, (c) => walk(c, on));
}

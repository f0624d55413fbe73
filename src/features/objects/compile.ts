// Objects: `create object with "k" as v and …` builds a map; `field "k" of obj` reads one key.
import { type Value, WflObject, isObject, typeName } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import type { Span } from "../../ast/span.js";
import { type CExpr, combine } from "../../compiler/closures.js";
import type { ExprCompilers } from "../../compiler/tables.js";
import type { ObjectsExpr } from "./nodes.js";

/** A key: text as it is, a number as `display` shows it; anything else is a mistake. */
function keyText(k: Value, span: Span): string {
  if (typeof k === "string") return k;
  if (typeof k === "number") return formatValue(k);
  throw new WflRuntimeError(`An object key must be text, got ${typeName(k)}`, "type", span);
}

/** `field K of O`: the value under K, or nothing when O has no such key. Container objects too. */
export function fieldOf(target: Value, key: Value, span: Span): Value {
  const k = keyText(key, span);
  if (isObject(target)) return target.get(k) ?? null;
  const inst = target as { kind?: string; props?: Map<string, Value> } | null;
  if (inst !== null && typeof inst === "object" && inst.kind === "instance" && inst.props) return inst.props.get(k) ?? null;
  throw new WflRuntimeError(`field "${k}" of … needs an object, got ${typeName(target)}`, "type", span);
}

export const objectsExpressions: ExprCompilers<ObjectsExpr> = {
  ObjectLit: (c, e, scope) => {
    const parts: CExpr[] = [];
    const spans: Span[] = [];
    for (const { key, value } of e.entries) {
      parts.push(c.expr(key, scope), c.expr(value, scope));
      spans.push(key.span);
    }
    return combine(parts, (vals) => {
      const o = new WflObject();
      // A key given twice keeps the later value, as `change` would.
      for (let i = 0; i < vals.length; i += 2) o.set(keyText(vals[i]!, spans[i / 2]!), vals[i + 1]!);
      return o;
    });
  },
  FieldOf: (c, e, scope) => {
    const span = e.span;
    return combine([c.expr(e.target, scope), c.expr(e.key, scope)], ([t, k]) => fieldOf(t!, k!, span));
  },
};

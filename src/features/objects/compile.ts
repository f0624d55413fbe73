// Reading objects: `field "name" of row`.
import { combine } from "../../compiler/closures.js";
import type { ExprCompilers } from "../../compiler/tables.js";
import { WflObject } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import type { ObjectsExpr } from "./nodes.js";

export const objectsExpressions: ExprCompilers<ObjectsExpr> = {
  FieldOf: (c, e, scope) => {
    const span = e.span;
    return combine([c.expr(e.field, scope), c.expr(e.target, scope)], ([name, target]) => c.rt.located(span, () => {
      const key = formatValue(name!);
      if (!(target instanceof WflObject)) {
        throw new WflRuntimeError(`'field "${key}" of …' needs a map (such as a database row), got ${formatValue(target!)}`, "type");
      }
      if (!target.has(key)) {
        const known = [...target.keys()];
        throw new WflRuntimeError(`There is no field '${key}' here${known.length ? ` (its fields are ${known.join(", ")})` : ""}`, "general");
      }
      return target.get(key)!;
    }));
  },
};

// Compiling the time room: `current time in milliseconds`, `current time formatted as "…"`.
import { formatValue } from "../../runtime/display.js";
import { map1 } from "../../compiler/closures.js";
import type { ExprCompilers } from "../../compiler/tables.js";
import { currentTimeMillis, formatCurrentTime } from "../../stdlib/time/index.js";
import type { TimeExpr } from "./nodes.js";

export const timeExpressions: ExprCompilers<TimeExpr> = {
  CurrentTimeMs: () => ({ fn: () => currentTimeMillis(), async: false }),
  CurrentTimeFormatted: (c, e, scope) => {
    const fmt = c.expr(e.format, scope);
    return map1(fmt, (v) => formatCurrentTime(formatValue(v)));
  },
};

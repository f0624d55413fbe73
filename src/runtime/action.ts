// User-defined actions as runtime values, with overload dispatch.
import type { Value, WflCallable } from "./values.js";
import { typeName } from "./values.js";
import { Frame, Signal } from "./frame.js";
import { WflRuntimeError } from "./errors.js";
import type { Span } from "../ast/span.js";

export type BodyFn = (f: Frame) => Signal | undefined | Promise<Signal | undefined>;

export interface Overload {
  readonly params: { name: string; type: string | null; defaultValue: ((f: Frame) => Value) | null }[];
  readonly frameSize: number;
  readonly body: BodyFn;
  readonly isAsync: boolean;
}

export class WflAction implements WflCallable {
  readonly kind = "action" as const;
  constructor(
    readonly name: string,
    readonly overloads: Overload[],
    /** The frame the action was defined in (its closure). */
    readonly closure: Frame,
  ) {}
  get isAsync(): boolean {
    return this.overloads.some((o) => o.isAsync);
  }
}

const TYPE_ALIASES: Record<string, string> = {
  number: "Number", text: "Text", string: "Text", boolean: "Boolean", bool: "Boolean", list: "List",
  object: "Object", map: "Object", nothing: "Null", null: "Null", date: "Date", time: "Time",
  datetime: "DateTime", binary: "Binary", pattern: "Pattern", action: "Function", function: "Function",
};

/** How well a value fits a declared parameter type: 2 exact, 1 compatible (untyped or nothing), 0 no. */
function fit(type: string | null, v: Value): number {
  if (type === null) return 1;
  const want = TYPE_ALIASES[type.toLowerCase()] ?? type;
  if (v === null) return want === "Null" ? 2 : 1;
  const got = typeName(v);
  if (got === want) return 2;
  if (got === "ContainerInstance") {
    let c = (v as { container: { name: string; parent?: unknown } }).container as { name: string; parent?: unknown } | undefined;
    while (c) {
      if (c.name === want) return 2;
      c = c.parent as typeof c;
    }
  }
  return 0;
}

export function selectOverload(a: WflAction, args: Value[], span: Span): Overload {
  const ovs = a.overloads;
  if (ovs.length === 1) {
    const o = ovs[0]!;
    if (args.length === o.params.length) return o; // the common case, checked without allocating
    const required = o.params.filter((p) => !p.defaultValue).length;
    if (args.length > o.params.length || args.length < required) {
      throw new WflRuntimeError(
        `${a.name} expects ${o.params.length} argument${o.params.length === 1 ? "" : "s"}, got ${args.length}`,
        "general",
        span,
      );
    }
    return o;
  }
  let best: Overload | null = null;
  let bestScore = -1;
  for (const o of ovs) {
    if (o.params.length !== args.length) continue;
    let score = 0;
    let ok = true;
    for (let i = 0; i < args.length; i++) {
      const f = fit(o.params[i]!.type, args[i]!);
      if (f === 0) { ok = false; break; }
      score += f;
    }
    if (ok && score > bestScore) { best = o; bestScore = score; }
  }
  if (!best) {
    const types = args.map((x) => typeName(x)).join(", ");
    throw new WflRuntimeError(`No version of ${a.name} accepts (${types})`, "type", span);
  }
  return best;
}

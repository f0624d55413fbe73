// Host actions: JavaScript functions an embedding host gives a run, callable from WFL by name
// like builtins (`lookup of "x"`, `call lookup with "x"`). Arguments and results convert as
// convert.ts says; a host function that throws (or rejects) is a WFL error at the call.
import { Registry } from "../stdlib/registry.js";
import { toJs, toWfl, type JsValue } from "./convert.js";
import { WflRuntimeError } from "./errors.js";

/** A host action: called with the WFL arguments converted to JavaScript. */
export type HostAction = (...args: JsValue[]) => unknown;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The standard library plus the host's actions, as one registry for one run. `check` runs
 * before and after each call (the run's limits: a stopped run does not call its host).
 */
export function registryWithActions(base: Registry, actions: Readonly<Record<string, HostAction>>, check: () => void): Registry {
  const r = new Registry();
  for (const [k, v] of base.functions) r.functions.set(k, v);
  for (const [k, v] of base.constants) r.constants.set(k, v);
  for (const [name, fn] of Object.entries(actions)) {
    if (!NAME.test(name)) throw new TypeError(`Host action name '${name}' is not a WFL name (letters, digits and _; not starting with a digit)`);
    if (base.functions.has(name) || base.constants.has(name)) throw new TypeError(`Host action '${name}' has the name of a WFL builtin`);
    if (typeof fn !== "function") throw new TypeError(`Host action '${name}' is not a function`);
    // At least as many arguments as the function declares (`fn.length`); a bare name of one
    // that declares none calls it, like a zero-argument builtin.
    const params = [...Array.from({ length: fn.length }, () => "any"), "...any?"];
    r.fn(name, { params, async: true }, async (args) => {
      check();
      let result: unknown;
      try {
        result = await fn(...args.map((a) => toJs(a)));
      } catch (e) {
        if (e instanceof WflRuntimeError) throw e;
        const why = e instanceof Error ? e.message : String(e);
        throw new WflRuntimeError(`The host action '${name}' failed: ${why}`, "general");
      }
      check();
      return toWfl(result, `The result of '${name}'`);
    });
  }
  return r;
}

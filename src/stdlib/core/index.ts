// Core module: type introspection, nothing checks, print, and the always-defined constants.
import type { Registry } from "../registry.js";
import { typeName } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";

/** The interpreter version `wfl_version` reports (the upstream release this runtime implements). */
export const WFL_VERSION = "26.8.8";

export function register(r: Registry): void {
  r.fn("typeof", { params: ["any"], aliases: ["type_of"] }, (args) => typeName(args[0]!));

  r.fn("isnothing", { params: ["any"], aliases: ["is_nothing"] }, (args) => args[0] === null);

  // print joins its arguments with single spaces, each shown as `display` would show it.
  r.fn("print", { params: ["...any?"] }, (args, ctx) => {
    let line = "";
    for (let i = 0; i < args.length; i++) {
      if (i > 0) line += " ";
      line += formatValue(args[i]!);
    }
    ctx.writeLine(line);
    return null;
  });

  r.constant("newline", "\n");
  r.constant("tab", "\t");
  // `null` is another name for `nothing` (`check if decoded is not null:`, as the WFLHub requirements write it).
  r.constant("null", null);
  r.constant("wfl_version", WFL_VERSION);
}

// Environment: the variables the program was started with (`WFLHUB_PORT=9000 wfl main.wfl`), so a
// program can be configured the way servers usually are. Read-only: a program cannot change the
// environment its subprocesses or host see.
import type { Registry } from "../registry.js";
import { WflRuntimeError } from "../../runtime/errors.js";

function variableName(fn: string, v: unknown): string {
  if (typeof v !== "string" || v === "" || v.includes("=") || v.includes("\0"))
    throw new WflRuntimeError(`${fn} expects the name of an environment variable (text without "=")`, "type");
  return v;
}

export function register(r: Registry): void {
  // The value of one variable, or nothing when it is not set (an empty value is the text "").
  r.fn("environment_variable", { params: ["text"], aliases: ["get_env"] }, (args) => {
    const value = process.env[variableName("environment_variable", args[0])];
    return value === undefined ? null : value;
  });

  // The value of a variable, or the default when it is not set or empty.
  r.fn("environment_variable_or", { params: ["text", "any"] }, (args) => {
    const value = process.env[variableName("environment_variable_or", args[0])];
    const fallback = args[1]!;
    if (typeof fallback === "number" && !Number.isFinite(fallback))
      throw new WflRuntimeError("environment_variable_or expects a default that is a finite number, a text or another plain value", "type");
    return value === undefined || value === "" ? fallback : value;
  });
}

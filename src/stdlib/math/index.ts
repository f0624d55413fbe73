// Math module. Numbers are f64 throughout; where JS and Rust's f64 methods differ
// (round, min/max with NaN, pow edge cases) we follow Rust, which WFL programs were written against.
import type { Registry } from "../registry.js";
import { num } from "../args.js";
import { fail } from "../../runtime/errors.js";
import { formatNumber } from "../../runtime/display.js";

/** Round half away from zero (Rust `f64::round`); JS Math.round rounds -2.5 to -2. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export function register(r: Registry): void {
  r.fn("abs", { params: ["number"] }, (a) => Math.abs(num("abs", a[0]!)));
  r.fn("round", { params: ["number"] }, (a) => roundHalfAway(num("round", a[0]!)));
  r.fn("floor", { params: ["number"] }, (a) => Math.floor(num("floor", a[0]!)));
  r.fn("ceil", { params: ["number"] }, (a) => Math.ceil(num("ceil", a[0]!)));

  r.fn("sqrt", { params: ["number"] }, (a) => {
    const x = num("sqrt", a[0]!);
    if (x < 0) throw fail(`sqrt of negative number: ${formatNumber(x)}`);
    return Math.sqrt(x);
  });

  r.fn("sin", { params: ["number"] }, (a) => Math.sin(num("sin", a[0]!)));
  r.fn("cos", { params: ["number"] }, (a) => Math.cos(num("cos", a[0]!)));
  r.fn("tan", { params: ["number"] }, (a) => Math.tan(num("tan", a[0]!)));

  // Rust's f64::min/max ignore a NaN operand instead of propagating it.
  r.fn("min", { params: ["number", "number"] }, (a) => {
    const x = num("min", a[0]!);
    const y = num("min", a[1]!);
    return x !== x ? y : y !== y ? x : x < y ? x : y;
  });
  r.fn("max", { params: ["number", "number"] }, (a) => {
    const x = num("max", a[0]!);
    const y = num("max", a[1]!);
    return x !== x ? y : y !== y ? x : x > y ? x : y;
  });

  r.fn("power", { params: ["number", "number"] }, (a) => {
    const base = num("power", a[0]!);
    const exp = num("power", a[1]!);
    // powf(1, NaN) and powf(-1, ±inf) are 1 in Rust (IEEE pow); JS gives NaN.
    if (base === 1 || (base === -1 && (exp === Infinity || exp === -Infinity))) return 1;
    return Math.pow(base, exp);
  });

  r.fn("clamp", { params: ["real", "real", "real"] }, (a) => {
    const v = num("clamp", a[0]!);
    const lo = num("clamp", a[1]!);
    const hi = num("clamp", a[2]!);
    if (lo > hi) throw fail(`clamp expects the minimum (${formatNumber(lo)}) to be no greater than the maximum (${formatNumber(hi)})`);
    return v < lo ? lo : v > hi ? hi : v;
  });
}

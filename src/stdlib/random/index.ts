// Random module. Until a program calls random_seed, numbers come from the operating system's
// CSPRNG (read in blocks, so each call is cheap), as the docs promise cryptographic quality.
// random_seed switches to xoshiro128** seeded from the given number, so later calls repeat exactly.
// The seeded generator belongs to the run that seeded it (keyed by its NativeContext): other runs
// in the process keep drawing from the CSPRNG.
import { randomFillSync, randomUUID } from "node:crypto";
import type { NativeContext, Registry } from "../registry.js";
import { num, list } from "../args.js";
import { fail } from "../../runtime/errors.js";
import { formatNumber } from "../../runtime/display.js";

const pool = new Uint32Array(1024);
let poolPos = pool.length;

/** xoshiro128** state. */
class Seeded {
  constructor(private s0: number, private s1: number, private s2: number, private s3: number) {}
  /** One step: 32 random bits. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }
}

/** Each run's seeded generator, once it has called random_seed. */
const seededRuns = new WeakMap<NativeContext, Seeded>();

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** 32 uniformly random bits as an unsigned integer. */
function next32(ctx: NativeContext): number {
  const seeded = seededRuns.get(ctx);
  if (seeded) return seeded.next();
  if (poolPos === pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  return pool[poolPos++]!;
}

/** Uniform in [0, 1) with 53 random bits. */
export function randomUnit(ctx: NativeContext): number {
  const hi = next32(ctx) >>> 5; // 27 bits
  const lo = next32(ctx) >>> 6; // 26 bits
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** splitmix32: spreads one 32-bit word into well-mixed state words. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [state, (z ^ (z >>> 16)) >>> 0];
}

/** Make the generator deterministic from a number (all 64 bits of the f64 take part). */
export function seedRandom(ctx: NativeContext, seed: number): void {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, Object.is(seed, -0) ? 0 : seed);
  let st = bits.getUint32(0) ^ Math.imul(bits.getUint32(4), 0x27d4eb2d);
  let s0: number, s1: number, s2: number, s3: number;
  [st, s0] = splitmix32(st);
  [st, s1] = splitmix32(st);
  [st, s2] = splitmix32(st);
  [st, s3] = splitmix32(st);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state never leaves zero
  seededRuns.set(ctx, new Seeded(s0, s1, s2, s3));
}

function checkRange(fn: string, lo: number, hi: number): void {
  if (!(lo <= hi))
    throw fail(`${fn} expects the minimum (${formatNumber(lo)}) to be no greater than the maximum (${formatNumber(hi)})`);
}

export function register(r: Registry): void {
  r.fn("random", { params: [] }, (_a, ctx) => randomUnit(ctx));

  r.fn("random_boolean", { params: [] }, (_a, ctx) => (next32(ctx) & 1) === 1);

  r.fn("generate_uuid", { params: [] }, () => randomUUID());

  r.fn("random_between", { params: ["finite", "finite"] }, (a, ctx) => {
    const lo = num("random_between", a[0]!);
    const hi = num("random_between", a[1]!);
    checkRange("random_between", lo, hi);
    const u = randomUnit(ctx);
    // Bounds further apart than the largest number (-1e308 and 1e308) are mixed, not subtracted.
    const x = Number.isFinite(hi - lo) ? lo + u * (hi - lo) : lo * (1 - u) + hi * u;
    return x > hi ? hi : x;
  });

  // Whole numbers from min to max inclusive; fractional bounds are truncated.
  r.fn("random_int", { params: ["integer", "integer"] }, (a, ctx) => {
    const lo = Math.trunc(num("random_int", a[0]!));
    const hi = Math.trunc(num("random_int", a[1]!));
    checkRange("random_int", lo, hi);
    // Whole numbers within ±(2^53 - 1) (the declaration), so hi - lo + 1 is finite.
    const x = lo + Math.floor(randomUnit(ctx) * (hi - lo + 1));
    return x > hi ? hi : x; // rounding can reach hi + 1 on ranges wider than 2^53
  });

  r.fn("random_from", { params: ["list"] }, (a, ctx) => {
    const xs = list("random_from", a[0]!);
    if (xs.length === 0) throw fail("random_from expects a non-empty list");
    return xs[Math.floor(randomUnit(ctx) * xs.length)]!;
  });

  r.fn("random_seed", { params: ["number"] }, (a, ctx) => {
    seedRandom(ctx, num("random_seed", a[0]!));
    return null;
  });
}

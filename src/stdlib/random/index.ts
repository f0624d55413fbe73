// Random module. Until a program calls random_seed, numbers come from the operating system's
// CSPRNG (read in blocks, so each call is cheap), as the docs promise cryptographic quality.
// random_seed switches to xoshiro128** seeded from the given number, so later calls repeat exactly.
import { randomFillSync, randomUUID } from "node:crypto";
import type { Registry } from "../registry.js";
import { num, list } from "../args.js";
import { fail } from "../../runtime/errors.js";
import { formatNumber } from "../../runtime/display.js";

const pool = new Uint32Array(1024);
let poolPos = pool.length;
let seeded = false;
let s0 = 0, s1 = 0, s2 = 0, s3 = 0;

/** xoshiro128** step: 32 random bits. */
function nextSeeded(): number {
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** 32 uniformly random bits as an unsigned integer. */
function next32(): number {
  if (seeded) return nextSeeded();
  if (poolPos === pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  return pool[poolPos++]!;
}

/** Uniform in [0, 1) with 53 random bits. */
export function randomUnit(): number {
  const hi = next32() >>> 5; // 27 bits
  const lo = next32() >>> 6; // 26 bits
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
export function seedRandom(seed: number): void {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, Object.is(seed, -0) ? 0 : seed);
  let st = bits.getUint32(0) ^ Math.imul(bits.getUint32(4), 0x27d4eb2d);
  [st, s0] = splitmix32(st);
  [st, s1] = splitmix32(st);
  [st, s2] = splitmix32(st);
  [st, s3] = splitmix32(st);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state never leaves zero
  seeded = true;
}

function checkRange(fn: string, lo: number, hi: number): void {
  if (!(lo <= hi))
    throw fail(`${fn} expects the minimum (${formatNumber(lo)}) to be no greater than the maximum (${formatNumber(hi)})`);
}

export function register(r: Registry): void {
  r.fn("random", { params: [] }, () => randomUnit());

  r.fn("random_boolean", { params: [] }, () => (next32() & 1) === 1);

  r.fn("generate_uuid", { params: [] }, () => randomUUID());

  r.fn("random_between", { params: ["finite", "finite"] }, (a) => {
    const lo = num("random_between", a[0]!);
    const hi = num("random_between", a[1]!);
    checkRange("random_between", lo, hi);
    const u = randomUnit();
    // Bounds further apart than the largest number (-1e308 and 1e308) are mixed, not subtracted.
    const x = Number.isFinite(hi - lo) ? lo + u * (hi - lo) : lo * (1 - u) + hi * u;
    return x > hi ? hi : x;
  });

  // Whole numbers from min to max inclusive; fractional bounds are truncated.
  r.fn("random_int", { params: ["integer", "integer"] }, (a) => {
    const lo = Math.trunc(num("random_int", a[0]!));
    const hi = Math.trunc(num("random_int", a[1]!));
    checkRange("random_int", lo, hi);
    // Whole numbers within ±(2^53 - 1) (the declaration), so hi - lo + 1 is finite.
    const x = lo + Math.floor(randomUnit() * (hi - lo + 1));
    return x > hi ? hi : x; // rounding can reach hi + 1 on ranges wider than 2^53
  });

  r.fn("random_from", { params: ["list"] }, (a) => {
    const xs = list("random_from", a[0]!);
    if (xs.length === 0) throw fail("random_from expects a non-empty list");
    return xs[Math.floor(randomUnit() * xs.length)]!;
  });

  r.fn("random_seed", { params: ["number"] }, (a) => {
    seedRandom(num("random_seed", a[0]!));
    return null;
  });
}

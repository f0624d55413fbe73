// Argon2 password hashing through the `argon2` package (a native addon).
//
// Loading: the addon cannot be part of the start-up snapshot, and the bundles keep it external,
// so it is loaded on first use, from the node_modules next to wfl-ts itself:
// - started from the snapshot (`node --snapshot-blob dist/wfl-<ver>.blob`), the snapshot's own
//   `require` only knows built-in modules, so a require function is made with
//   `module.createRequire` anchored at the blob file (which lives in dist/);
// - otherwise (dist/cli.js, dist/index.js) a dynamic `import("argon2")` resolves from the bundle.
//
// Hashes are Argon2id PHC strings `$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>` (64 MiB, 2 passes,
// 1 lane: above OWASP's minimum of m=19 MiB, t=2 or m=46 MiB, t=1, chosen so that one hash costs
// at least 100 ms, as the WFLHub requirements ask; 16-byte salt, 32-byte hash, unpadded base64), written here rather than
// by the package so the parameters appear in the canonical m, t, p order. Verification accepts
// argon2id, argon2i and argon2d hashes, refuses costs above ARGON2_LIMITS (a crafted stored hash
// must not stall or exhaust the program: false, with a warning) and answers false for anything
// malformed. The addon hashes on libuv's thread pool, off the main thread.
import type * as Argon2 from "argon2";
import * as nodeCrypto from "node:crypto";
import { lazyPackage } from "../../runtime/packages.js";
import { b64, overCap, parseParams, intParam, safeEqual, unb64, unreadable } from "./phc.js";

type Argon2Lib = typeof Argon2;

export const ARGON2 = { m: 65_536, t: 2, p: 1, saltLen: 16, hashLen: 32 };
const TYPES = { argon2d: 0, argon2i: 1, argon2id: 2 } as const;
/**
 * Verification limits (OWASP's Argon2id minimum is m=19 MiB, t=2, p=1; RFC 9106's second
 * recommendation m=64 MiB, t=3, p=4 fits): memory at most 256 MiB, at most 10 passes and 8 lanes,
 * and at most 1 GiB of memory passes in all (m=256 MiB, t=4 takes about 1.3 s).
 */
export const ARGON2_LIMITS = { m: 256 * 1024, t: 10, p: 8, mTimesT: 1024 * 1024 };

/** The argon2 package, loaded on first use (it is a native addon the start-up snapshot cannot hold). */
const argon2Package = lazyPackage<Argon2Lib>("argon2", async () => {
  const m = (await import("argon2")) as Argon2Lib & { default?: Argon2Lib };
  return m.default ?? m;
});

function argon2Lib(fn: string): Promise<Argon2Lib> {
  return argon2Package(fn, "Argon2");
}

export async function argon2Hash(fn: string, password: Uint8Array): Promise<string> {
  const lib = await argon2Lib(fn);
  const salt = nodeCrypto.randomBytes(ARGON2.saltLen);
  const hash = await lib.hash(Buffer.from(password), {
    raw: true, type: TYPES.argon2id, version: 0x13, salt,
    memoryCost: ARGON2.m, timeCost: ARGON2.t, parallelism: ARGON2.p, hashLength: ARGON2.hashLen,
  });
  return `$argon2id$v=19$m=${ARGON2.m},t=${ARGON2.t},p=${ARGON2.p}$${b64(salt)}$${b64(hash)}`;
}

interface Argon2Params {
  type: 0 | 1 | 2;
  version: number;
  m: number;
  t: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/**
 * Parse an Argon2 PHC string; undefined when malformed, the reason when its costs are above
 * ARGON2_LIMITS.
 */
export function parseArgon2(stored: string): Argon2Params | string | undefined {
  const parts = stored.split("$");
  if (parts[0] !== "" || (parts.length !== 5 && parts.length !== 6)) return undefined;
  const id = parts[1]!;
  if (id !== "argon2id" && id !== "argon2i" && id !== "argon2d") return undefined;
  let version = 0x10;
  if (parts.length === 6) {
    const v = /^v=(\d+)$/.exec(parts[2]!);
    if (!v || (v[1] !== "16" && v[1] !== "19")) return undefined;
    version = Number(v[1]);
  }
  const [paramText, saltText, hashText] = parts.slice(-3) as [string, string, string];
  const params = parseParams(paramText);
  if (!params || params.size !== 3) return undefined;
  const m = intParam(params, "m", 8, 2 ** 32 - 1);
  const t = intParam(params, "t", 1, 2 ** 32 - 1);
  const p = intParam(params, "p", 1, 2 ** 24 - 1);
  const salt = unb64(saltText);
  const hash = unb64(hashText);
  if (m === undefined || t === undefined || p === undefined || !salt || !hash) return undefined;
  if (m < 8 * p) return undefined;
  if (salt.length < 8 || salt.length > 1024 || hash.length < 4 || hash.length > 1024) return undefined;
  const L = ARGON2_LIMITS;
  if (m > L.m || t > L.t || p > L.p || m * t > L.mTimesT) {
    return `m=${m} KiB, t=${t}, p=${p}; the limits are m ≤ ${L.m} KiB, t ≤ ${L.t}, p ≤ ${L.p} and m×t ≤ ${L.mTimesT} KiB`;
  }
  return { type: TYPES[id], version, m, t, p, salt, hash };
}

export async function argon2Verify(fn: string, password: Uint8Array, stored: string): Promise<boolean> {
  const h = parseArgon2(stored);
  if (!h) return unreadable(fn);
  if (typeof h === "string") return overCap(fn, "Argon2", h);
  const lib = await argon2Lib(fn);
  try {
    const actual = await lib.hash(Buffer.from(password), {
      raw: true, type: h.type, version: h.version, salt: h.salt,
      memoryCost: h.m, timeCost: h.t, parallelism: h.p, hashLength: h.hash.length,
    });
    return safeEqual(actual, h.hash);
  } catch {
    return false;
  }
}

// JSON Web Tokens (RFC 7519) through the `jose` package: `sign jwt with claims C and secret S`
// (`sign_jwt of C and S`) and `verify jwt T with secret S` (`verify_jwt of T and S`).
//
// - HS256 (HMAC-SHA256) with a text secret: a token is signed with header {"alg":"HS256","typ":"JWT"},
//   and a token whose header names any other algorithm (HS384, RS256, `none`, …) does not verify.
// - In place of the secret, a PEM key (text starting `-----BEGIN `): RS256 for an RSA key (at least
//   2048 bits), ES256 for an EC P-256 key. Signing needs the private key; verifying takes the
//   public key (or a certificate, or the private key), and accepts only that key's algorithm.
// - The secret must be text of at least 32 bytes (UTF-8; RFC 7518 §3.2 asks for a key as long as
//   the hash, 256 bits); anything else is an error, not a failed verification.
// - Verification answers the claims (a map, as parse_json would give them) or `nothing` for a bad
//   signature, another algorithm, a malformed token, or a token that is expired (`exp`), not yet
//   valid (`nbf`) or issued in the future (`iat`), each checked with CLOCK_TOLERANCE_S seconds of
//   tolerance for clocks that disagree a little.
// - Claims are written as stringify_json writes a map (so Binary values are refused); `exp`,
//   `nbf` and `iat`, when present, must be numbers (seconds since 1970, NumericDate).
//
// Loading: jose is an ES module kept outside the bundles and the start-up snapshot; it is loaded on
// first use (from the snapshot through a require anchored at the blob: Node 20.19+ can require an
// ES module without top-level await), so programs that never use JWTs never load it.
import type * as Jose from "jose";
import * as nodeCrypto from "node:crypto";
import { type Value, isObject, typeName } from "../../runtime/values.js";
import { fail } from "../../runtime/errors.js";
import { lazyPackage } from "../../runtime/packages.js";
import { parseJson, stringifyJson } from "../json/index.js";

type JoseLib = typeof Jose;

/** Seconds of clock difference allowed when checking `exp`, `nbf` and `iat`. */
export const CLOCK_TOLERANCE_S = 5;
/** The shortest secret accepted, in bytes (256 bits, the size of the HS256 hash). */
export const MIN_SECRET_BYTES = 32;
/** The longest token verified, in characters (a larger one is not a token anyone sent honestly). */
const MAX_TOKEN_CHARS = 64 * 1024;

/** The jose package, loaded on first use (kept out of the bundles and the start-up snapshot). */
const josePackage = lazyPackage<JoseLib>("jose", () => import("jose"));

function jose(fn: string): Promise<JoseLib> {
  return josePackage(fn, "JSON Web Tokens");
}

/** A PEM key in place of the secret: RS256 for an RSA key, ES256 for a P-256 key. */
interface PemKey { alg: "RS256" | "ES256"; pem: string }

function isPem(v: Value): v is string {
  return typeof v === "string" && v.trimStart().startsWith("-----BEGIN ");
}

/** The PEM key for signing (a private key) or verifying (a public key, or the public half of a private one). */
function pemKey(fn: string, text: string, use: "sign" | "verify"): PemKey {
  let key: nodeCrypto.KeyObject;
  try {
    key = use === "sign" ? nodeCrypto.createPrivateKey(text) : nodeCrypto.createPublicKey(text);
  } catch {
    throw fail(use === "sign"
      ? `${fn}: the key is not a PEM private key this runtime can read (RSA or EC P-256)`
      : `${fn}: the key is not a PEM public key, private key or certificate this runtime can read (RSA or EC P-256)`);
  }
  const type = key.asymmetricKeyType;
  let alg: PemKey["alg"];
  if (type === "rsa") {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw fail(`${fn}: an RSA key must be at least 2048 bits long`);
    alg = "RS256";
  } else if (type === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") {
    alg = "ES256";
  } else {
    throw fail(`${fn}: only RSA (RS256) and EC P-256 (ES256) keys are supported, got a ${type ?? "unknown"} key`);
  }
  const pem = key.export({ type: use === "sign" ? "pkcs8" : "spki", format: "pem" }) as string;
  return { alg, pem };
}

function secretBytes(fn: string, v: Value): Uint8Array {
  if (typeof v !== "string") throw fail(`${fn}: the secret must be text, got ${typeName(v)}`, "type");
  const b = Buffer.from(v, "utf8");
  if (b.length < MIN_SECRET_BYTES) throw fail(`${fn}: the secret must be at least ${MIN_SECRET_BYTES} bytes long, got ${b.length}`);
  return new Uint8Array(b);
}

export async function signJwt(fn: string, claims: Value, secret: Value): Promise<string> {
  if (!isObject(claims)) throw fail(`${fn}: the claims must be an object (a map), got ${typeName(claims)}`, "type");
  const pem = isPem(secret) ? pemKey(fn, secret, "sign") : null;
  const key = pem ? null : secretBytes(fn, secret);
  const payload = JSON.parse(stringifyJson(claims, false)) as Record<string, unknown>;
  for (const c of ["exp", "nbf", "iat"]) {
    if (c in payload && (typeof payload[c] !== "number" || !Number.isFinite(payload[c] as number)))
      throw fail(`${fn}: the "${c}" claim must be a number of seconds since 1970, got ${typeName(claims.get(c)!)}`, "type");
  }
  const lib = await jose(fn);
  const jwt = new lib.SignJWT(payload as Jose.JWTPayload);
  if (pem) return jwt.setProtectedHeader({ alg: pem.alg, typ: "JWT" }).sign(await lib.importPKCS8(pem.pem, pem.alg));
  return jwt.setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(key!);
}

export async function verifyJwt(fn: string, token: Value, secret: Value): Promise<Value> {
  const pem = isPem(secret) ? pemKey(fn, secret, "verify") : null;
  const key = pem ? null : secretBytes(fn, secret);
  if (typeof token !== "string" || token.length > MAX_TOKEN_CHARS) return null;
  const lib = await jose(fn);
  let payload: Jose.JWTPayload;
  try {
    // One algorithm per key: HS256 for a secret, the key's own for a PEM key (no confusion between them).
    const k = pem ? await lib.importSPKI(pem.pem, pem.alg) : key!;
    ({ payload } = await lib.jwtVerify(token, k, { algorithms: [pem ? pem.alg : "HS256"], clockTolerance: CLOCK_TOLERANCE_S }));
  } catch {
    return null; // bad signature, other algorithm, malformed, expired, not yet valid
  }
  if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_S) return null;
  return parseJson(JSON.stringify(payload));
}

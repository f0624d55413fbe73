// Crypto module: standard hashes and MACs, key derivation, timing-safe comparison, CSPRNG
// tokens, salted password hashing and authenticated encryption (`seal` / `unseal`).
//
// Semantics decided here:
// - `hmac_sha256 of message and key` (message first, as the docs and corpus vectors use it).
// - Text is hashed as UTF-8; `sha256` and `hmac_sha256` also accept Binary values.
// - Password hashes are PHC strings: `$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>` (argon2.ts),
//   `$2b$12$…` (bcrypt.ts), `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` and
//   `$pbkdf2-sha256$i=600000,l=32$<salt>$<hash>` (salt and hash in unpadded standard base64).
//   `hash_password` uses Argon2id; `verify_password` detects the algorithm from the stored text
//   and answers `no` for anything it cannot read.
// - Verification never fails on a malformed hash, and refuses cost parameters above documented
//   limits (SCRYPT_LIMITS, MAX_PBKDF2_ITERATIONS, ARGON2_LIMITS, MAX_BCRYPT_COST; see
//   Docs/crypto.md) before doing any work, answering false with a one-time warning on stderr, so a
//   crafted stored hash cannot stall or exhaust the program.
// - Every password hash and key derivation runs off the main thread (scrypt and PBKDF2 on libuv's
//   thread pool, Argon2 in its native addon, bcrypt in a worker thread), so those functions are
//   registered `async` and a server keeps answering while a hash is computed.
import * as nodeCrypto from "node:crypto";
import type { Registry } from "../registry.js";
import { type Value, typeName } from "../../runtime/values.js";
import { fail } from "../../runtime/errors.js";
import { int, text } from "../args.js";
import { MAX_PASSWORD_BYTES, b64, intParam, overCap, parsePhc, passwordBytes, safeEqual, unreadable } from "./phc.js";
import { argon2Hash, argon2Verify } from "./argon2.js";
import { bcryptHash, bcryptVerify, isBcryptHash } from "./bcrypt.js";
import { seal, unseal } from "./seal.js";
import { signJwt, verifyJwt } from "./jwt.js";

function bytesOf(fn: string, v: Value): Uint8Array {
  if (typeof v === "string") return Buffer.from(v, "utf8");
  if (v instanceof Uint8Array) return v;
  throw fail(`${fn} expects text, got ${typeName(v)}`, "type");
}

// ---- scrypt -----------------------------------------------------------------------------------
// Node's async scrypt and pbkdf2 run on libuv's thread pool, off the main thread.

const SCRYPT = { ln: 17, r: 8, p: 1, saltLen: 16, keyLen: 32 };
/**
 * Verification limits. OWASP's scrypt minimum is N=2^17, r=8, p=1 (128 MiB), or the same work
 * spread as N=2^13..2^16 with p=10..2. Accepted: N ≤ 2^17, memory 128·N·r ≤ 128 MiB, p ≤ 16 and
 * work N·r·p ≤ 2^21 (twice that minimum; about 1.4 s here).
 */
export const SCRYPT_LIMITS = { ln: 17, memory: 128 * 1024 * 1024, p: 16, work: 2 ** 21 };

function scryptRaw(pw: Uint8Array, salt: Uint8Array, ln: number, r: number, p: number, len: number): Promise<Buffer> {
  const maxmem = 128 * (2 ** ln) * r + 128 * r * p + 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    nodeCrypto.scrypt(pw, salt, len, { N: 2 ** ln, r, p, maxmem }, (e, key) => (e ? reject(e) : resolve(key)));
  });
}

export async function scryptHash(password: Uint8Array): Promise<string> {
  const salt = nodeCrypto.randomBytes(SCRYPT.saltLen);
  const key = await scryptRaw(password, salt, SCRYPT.ln, SCRYPT.r, SCRYPT.p, SCRYPT.keyLen);
  return `$scrypt$ln=${SCRYPT.ln},r=${SCRYPT.r},p=${SCRYPT.p}$${b64(salt)}$${b64(key)}`;
}

export async function scryptVerify(fn: string, password: Uint8Array, stored: string): Promise<boolean> {
  const phc = parsePhc(stored, "scrypt");
  if (!phc) return unreadable(fn);
  const ln = intParam(phc.params, "ln", 1, 63);
  const r = intParam(phc.params, "r", 1, 2 ** 30);
  const p = intParam(phc.params, "p", 1, 2 ** 30);
  if (ln === undefined || r === undefined || p === undefined || phc.hash.length > 1024) return false;
  const L = SCRYPT_LIMITS;
  if (ln > L.ln || 128 * 2 ** ln * r > L.memory || p > L.p || 2 ** ln * r * p > L.work) {
    return overCap(fn, "scrypt", `ln=${ln}, r=${r}, p=${p}; the limits are N ≤ 2^${L.ln}, 128·N·r ≤ 128 MiB, p ≤ ${L.p} and N·r·p ≤ 2^21`);
  }
  try {
    return safeEqual(await scryptRaw(password, phc.salt, ln, r, p, phc.hash.length), phc.hash);
  } catch {
    return false;
  }
}

// ---- PBKDF2 -----------------------------------------------------------------------------------

const PBKDF2 = { iterations: 600_000, saltLen: 16, keyLen: 32 };
/** OWASP asks for 600,000 iterations of PBKDF2-HMAC-SHA256; verification accepts up to 2,000,000 (about 1 s here). */
export const MAX_PBKDF2_ITERATIONS = 2_000_000;

function pbkdf2(pw: Uint8Array, salt: Uint8Array, iterations: number, len: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    nodeCrypto.pbkdf2(pw, salt, iterations, len, "sha256", (e, key) => (e ? reject(e) : resolve(key)));
  });
}

export async function pbkdf2Hash(password: Uint8Array): Promise<string> {
  const salt = nodeCrypto.randomBytes(PBKDF2.saltLen);
  const key = await pbkdf2(password, salt, PBKDF2.iterations, PBKDF2.keyLen);
  return `$pbkdf2-sha256$i=${PBKDF2.iterations},l=${PBKDF2.keyLen}$${b64(salt)}$${b64(key)}`;
}

export async function pbkdf2Verify(fn: string, password: Uint8Array, stored: string): Promise<boolean> {
  const phc = parsePhc(stored, "pbkdf2-sha256");
  if (!phc) return unreadable(fn);
  const i = intParam(phc.params, "i", 1, 2 ** 32 - 1);
  const l = phc.params.has("l") ? intParam(phc.params, "l", 1, 1024) : phc.hash.length;
  if (i === undefined || l === undefined || l !== phc.hash.length) return false;
  if (i > MAX_PBKDF2_ITERATIONS) return overCap(fn, "PBKDF2", `${i} iterations; the limit is ${MAX_PBKDF2_ITERATIONS}`);
  try {
    return safeEqual(await pbkdf2(password, phc.salt, i, l), phc.hash);
  } catch {
    return false;
  }
}

/** Verify against any stored hash this runtime can read; unknown formats answer false. */
export function verifyAnyPassword(fn: string, password: Uint8Array, stored: string): Promise<boolean> {
  if (stored.startsWith("$argon2")) return argon2Verify(fn, password, stored);
  if (isBcryptHash(stored)) return bcryptVerify(fn, Buffer.from(password).toString("utf8"), stored);
  if (stored.startsWith("$scrypt$")) return scryptVerify(fn, password, stored);
  if (stored.startsWith("$pbkdf2-sha256$")) return pbkdf2Verify(fn, password, stored);
  return Promise.resolve(unreadable(fn));
}

function verifier(fn: string, check: (fn: string, pw: Uint8Array, stored: string) => Promise<boolean>) {
  return ([pw, stored]: Value[]): boolean | Promise<boolean> => {
    const p = Buffer.from(text(fn, pw!), "utf8");
    // A stored hash that is not even text is just another unreadable record.
    if (p.length > MAX_PASSWORD_BYTES) return false;
    if (typeof stored !== "string") return unreadable(fn);
    return check(fn, p, stored);
  };
}

export function register(r: Registry): void {
  r.fn("sha256", { params: ["text|binary"] }, ([v]) =>
    nodeCrypto.createHash("sha256").update(bytesOf("sha256", v!)).digest("hex"),
  );
  r.fn("hmac_sha256", { params: ["text|binary", "text|binary"] }, ([message, key]) =>
    nodeCrypto.createHmac("sha256", bytesOf("hmac_sha256", key!)).update(bytesOf("hmac_sha256", message!)).digest("hex"),
  );
  r.fn("pbkdf2_hmac_sha256", { params: ["text|binary", "text|binary", "integer", "integer"], async: true }, ([pw, salt, it, len]) => {
    const fn = "pbkdf2_hmac_sha256";
    const iterations = int(fn, it!);
    const length = int(fn, len!);
    if (iterations < 1) throw fail(`${fn}: the iteration count must be at least 1, got ${iterations}`);
    if (iterations > 100_000_000) throw fail(`${fn}: ${iterations} iterations is more than the limit of 100000000`);
    if (length < 1 || length > 1024) throw fail(`${fn}: the key length must be 1 to 1024 bytes, got ${length}`);
    return pbkdf2(bytesOf(fn, pw!), bytesOf(fn, salt!), iterations, length).then((key) => key.toString("hex"));
  });
  r.fn("constant_time_equals", { params: ["text|binary", "text|binary"] }, ([a, b]) =>
    safeEqual(bytesOf("constant_time_equals", a!), bytesOf("constant_time_equals", b!)),
  );
  r.fn("secure_random_bytes", { params: ["integer"] }, ([n]) => {
    const count = int("secure_random_bytes", n!);
    if (count < 1 || count > 4096) throw fail(`secure_random_bytes: the byte count must be 1 to 4096, got ${count}`);
    return nodeCrypto.randomBytes(count).toString("hex");
  });
  r.fn("generate_csrf_token", { params: [] }, () => nodeCrypto.randomBytes(32).toString("hex"));

  // `hash_password of X` and `hash password X` (src/features/crypto) are the same function.
  r.fn("hash_password", { params: ["text"], async: true }, ([pw]) => {
    if (pw === "") throw fail("hash_password: the password is empty; an empty password cannot be stored safely");
    return argon2Hash("hash_password", passwordBytes("hash_password", pw!));
  });
  r.fn("verify_password", { params: ["text", "any"], async: true }, verifier("verify_password", verifyAnyPassword));
  r.fn("argon2_hash", { params: ["text"], async: true }, ([pw]) => argon2Hash("argon2_hash", passwordBytes("argon2_hash", pw!)));
  r.fn("argon2_verify", { params: ["text", "any"], async: true }, verifier("argon2_verify", argon2Verify));
  r.fn("bcrypt_hash", { params: ["text"], async: true }, ([pw]) => {
    // Through UTF-8 and back, exactly as the verifiers see it (lone surrogates become U+FFFD).
    return bcryptHash(passwordBytes("bcrypt_hash", pw!).toString("utf8"));
  });
  r.fn("bcrypt_verify", { params: ["text", "any"], async: true }, verifier("bcrypt_verify", (fn, pw, stored) => bcryptVerify(fn, Buffer.from(pw).toString("utf8"), stored)));
  r.fn("scrypt_hash", { params: ["text"], async: true }, ([pw]) => scryptHash(passwordBytes("scrypt_hash", pw!)));
  r.fn("scrypt_verify", { params: ["text", "any"], async: true }, verifier("scrypt_verify", scryptVerify));
  r.fn("pbkdf2_hash", { params: ["text"], async: true }, ([pw]) => pbkdf2Hash(passwordBytes("pbkdf2_hash", pw!)));
  r.fn("pbkdf2_verify", { params: ["text", "any"], async: true }, verifier("pbkdf2_verify", pbkdf2Verify));

  // `sign jwt with claims C and secret S` / `verify jwt T with secret S` (src/features/crypto).
  r.fn("sign_jwt", { params: ["any", "any"], async: true }, ([claims, secret]) => signJwt("sign_jwt", claims!, secret!));
  r.fn("verify_jwt", { params: ["any", "any"], async: true }, ([token, secret]) => verifyJwt("verify_jwt", token!, secret!));

  r.fn("seal", { params: ["text", "text", "text?"] }, (args) => seal(args));
  r.fn("unseal", { params: ["text", "text", "text?"] }, (args) => unseal(args));
}

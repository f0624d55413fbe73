// `seal` / `unseal`: XChaCha20-Poly1305 authenticated encryption for secrets kept at rest.
//
// Node's crypto has the IETF ChaCha20-Poly1305 AEAD (96-bit nonce). XChaCha20-Poly1305
// (draft-irtf-cfrg-xchacha-03) is that AEAD under a subkey derived with HChaCha20 from the key
// and the first 16 nonce bytes, with the nonce `00000000 || nonce[16..24]`.
//
// Sealed format: `wflseal1:` followed by lowercase hex of `nonce (24) || ciphertext || tag (16)`.
// The optional context is the AEAD associated data (UTF-8); it must not be empty when given.
// Every failure to open a sealed value reports one message, whatever the cause.
import * as nodeCrypto from "node:crypto";
import { fail } from "../../runtime/errors.js";
import type { Value } from "../../runtime/values.js";
import { text } from "../args.js";

export const SEAL_PREFIX = "wflseal1:";
const NONCE_LEN = 24;
const TAG_LEN = 16;
const UNSEAL_FAILED = "unseal: the value could not be unsealed (wrong key, wrong context, or a damaged or modified value)";

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** HChaCha20 (draft-irtf-cfrg-xchacha-03 §2.2): a 32-byte subkey from a 32-byte key and a 16-byte input. */
export function hchacha20(key: Uint8Array, input: Uint8Array): Uint8Array {
  if (key.length !== 32 || input.length !== 16) throw new RangeError("hchacha20: needs a 32-byte key and a 16-byte input");
  const kv = new DataView(key.buffer, key.byteOffset, 32);
  const nv = new DataView(input.buffer, input.byteOffset, 16);
  const s = new Uint32Array(16);
  s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574;
  for (let i = 0; i < 8; i++) s[4 + i] = kv.getUint32(i * 4, true);
  for (let i = 0; i < 4; i++) s[12 + i] = nv.getUint32(i * 4, true);
  const qr = (a: number, b: number, c: number, d: number): void => {
    s[a] = s[a]! + s[b]!; s[d] = rotl(s[d]! ^ s[a]!, 16);
    s[c] = s[c]! + s[d]!; s[b] = rotl(s[b]! ^ s[c]!, 12);
    s[a] = s[a]! + s[b]!; s[d] = rotl(s[d]! ^ s[a]!, 8);
    s[c] = s[c]! + s[d]!; s[b] = rotl(s[b]! ^ s[c]!, 7);
  };
  for (let round = 0; round < 10; round++) {
    qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
    qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) ov.setUint32(i * 4, s[i]!, true);
  for (let i = 0; i < 4; i++) ov.setUint32(16 + i * 4, s[12 + i]!, true);
  s.fill(0);
  return out;
}

function subkeyAndIv(key: Uint8Array, nonce: Uint8Array): [Uint8Array, Buffer] {
  if (key.length !== 32 || nonce.length !== NONCE_LEN) throw new RangeError("xchacha20poly1305: needs a 32-byte key and a 24-byte nonce");
  const iv = Buffer.alloc(12);
  iv.set(nonce.subarray(16, 24), 4);
  return [hchacha20(key, nonce.subarray(0, 16)), iv];
}

/** XChaCha20-Poly1305 encryption: returns `ciphertext || tag`. */
export function xchachaEncrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const [subkey, iv] = subkeyAndIv(key, nonce);
  try {
    const c = nodeCrypto.createCipheriv("chacha20-poly1305", subkey, iv, { authTagLength: TAG_LEN });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  } finally {
    subkey.fill(0);
  }
}

/** XChaCha20-Poly1305 decryption of `ciphertext || tag`; undefined when authentication fails. */
export function xchachaDecrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < TAG_LEN) return undefined;
  const [subkey, iv] = subkeyAndIv(key, nonce);
  try {
    const d = nodeCrypto.createDecipheriv("chacha20-poly1305", subkey, iv, { authTagLength: TAG_LEN });
    d.setAAD(aad, { plaintextLength: sealed.length - TAG_LEN });
    d.setAuthTag(sealed.subarray(sealed.length - TAG_LEN));
    const out = d.update(sealed.subarray(0, sealed.length - TAG_LEN));
    d.final(); // throws when the tag does not match
    return out;
  } catch {
    return undefined;
  } finally {
    subkey.fill(0);
  }
}

function keyBytes(fn: string, v: Value): Buffer {
  const k = text(fn, v);
  if (!/^[0-9a-fA-F]{64}$/.test(k)) {
    throw fail(`${fn}: the key must be 64 hexadecimal characters (32 bytes), as made by secure_random_bytes of 32`);
  }
  return Buffer.from(k, "hex");
}

function contextBytes(fn: string, args: Value[]): Uint8Array {
  if (args.length < 3) return new Uint8Array(0);
  const ctx = text(fn, args[2]!);
  if (ctx === "") throw fail(`${fn}: the context must not be empty; leave it out to ${fn} without one`);
  return Buffer.from(ctx, "utf8");
}

/** `seal of plaintext and key [and context]`. */
export function seal(args: Value[]): string {
  const fn = "seal";
  const plaintext = Buffer.from(text(fn, args[0]!), "utf8");
  const key = keyBytes(fn, args[1]!);
  const aad = contextBytes(fn, args);
  const nonce = nodeCrypto.randomBytes(NONCE_LEN);
  const body = xchachaEncrypt(key, nonce, aad, plaintext);
  key.fill(0);
  return SEAL_PREFIX + nonce.toString("hex") + body.toString("hex");
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** `unseal of sealed and key [and context]`. */
export function unseal(args: Value[]): string {
  const fn = "unseal";
  const sealed = text(fn, args[0]!);
  const key = keyBytes(fn, args[1]!);
  const aad = contextBytes(fn, args);
  try {
    const hex = sealed.startsWith(SEAL_PREFIX) ? sealed.slice(SEAL_PREFIX.length) : "";
    if (hex.length < 2 * (NONCE_LEN + TAG_LEN) || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw fail(UNSEAL_FAILED);
    const raw = Buffer.from(hex, "hex");
    const plain = xchachaDecrypt(key, raw.subarray(0, NONCE_LEN), aad, raw.subarray(NONCE_LEN));
    if (!plain) throw fail(UNSEAL_FAILED);
    try {
      return utf8.decode(plain);
    } catch {
      throw fail(UNSEAL_FAILED);
    } finally {
      plain.fill(0);
    }
  } finally {
    key.fill(0);
  }
}

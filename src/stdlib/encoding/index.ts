// Encoding module: base64, hexadecimal, UTF-8, URL (percent) encoding and the raw SHA-256 digest.
// Decoders are strict: input that is not exactly what the matching encoder produces (base64 with
// its padding, an even count of hex digits, valid UTF-8, well-formed percent escapes) is an error
// rather than something quietly skipped.
import * as nodeCrypto from "node:crypto";
import type { Registry } from "../registry.js";
import { fail } from "../../runtime/errors.js";

const bytes = (v: unknown): Uint8Array => (typeof v === "string" ? new Uint8Array(Buffer.from(v, "utf8")) : (v as Uint8Array));
const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length);
// A plain Uint8Array of its own (small Buffers share a pooled ArrayBuffer).
const binary = (b: Buffer): Uint8Array => new Uint8Array(b);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function register(r: Registry): void {
  r.fn("base64_encode", { params: ["binary|text"] }, ([v]) => buf(bytes(v)).toString("base64"));

  r.fn("base64_decode", { params: ["text"] }, ([v]) => {
    const s = v as string;
    if (!BASE64.test(s)) throw fail("base64_decode: the text is not valid base64 (standard alphabet A-Z a-z 0-9 + /, padded with = to a multiple of 4, no spaces)");
    const out = Buffer.from(s, "base64");
    // Unused bits in the last character must be zero, so that each value has one encoding.
    if (out.toString("base64") !== s) throw fail("base64_decode: the text is not valid base64 (its last character has bits set that encode nothing)");
    return binary(out);
  });

  r.fn("hex_encode", { params: ["binary|text"] }, ([v]) => buf(bytes(v)).toString("hex"));

  r.fn("hex_decode", { params: ["text"] }, ([v]) => {
    const s = v as string;
    if (s.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(s)) throw fail("hex_decode: the text is not valid hexadecimal (an even count of the digits 0-9 and a-f)");
    return binary(Buffer.from(s, "hex"));
  });

  r.fn("text_to_binary", { params: ["text"] }, ([v]) => bytes(v));

  r.fn("binary_to_text", { params: ["binary"] }, ([v]) => {
    try {
      return utf8.decode(v as Uint8Array);
    } catch {
      throw fail("binary_to_text: the data is not valid UTF-8 text");
    }
  });

  r.fn("sha256_bytes", { params: ["binary|text"] }, ([v]) => binary(nodeCrypto.createHash("sha256").update(bytes(v)).digest()));

  r.fn("url_encode", { params: ["text"] }, ([v]) => {
    try {
      return encodeURIComponent(v as string);
    } catch {
      throw fail("url_encode: the text has a lone surrogate (half of a character), which has no UTF-8 encoding");
    }
  });

  r.fn("url_decode", { params: ["text"] }, ([v]) => {
    try {
      return decodeURIComponent(v as string);
    } catch {
      throw fail("url_decode: the text has a malformed percent escape (each % must be followed by two hex digits that, together, spell valid UTF-8)");
    }
  });
}

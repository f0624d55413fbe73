// Gate B of the wflpkg manifest grammar (wflpkg-data-literal-grammar 1.0.0, §6): checks on the raw
// bytes, before the shared lexer runs. A hand-written UTF-8 walk, so that each kind of bad byte
// gets its own code (a decoder that only says "invalid" cannot tell an overlong form from a
// surrogate), then the NFC check on the decoded text.
import { ManifestError, LIMITS } from "./errors.js";

/** The decoded text of well-formed bytes, or the first Gate B rejection. */
export function gateB(bytes: Uint8Array): string {
  if (bytes.length > LIMITS.documentBytes) {
    throw new ManifestError("MG-B06", `The manifest is ${bytes.length} bytes long; the limit is ${LIMITS.documentBytes} bytes.`, LIMITS.documentBytes);
  }
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0x0d) {
        const crlf = bytes[i + 1] === 0x0a;
        throw new ManifestError("MG-B07", crlf
          ? "Lines end with CR LF here; a manifest ends its lines with LF only."
          : "A bare carriage return (CR) is here; a manifest ends its lines with LF only.", i);
      }
      i++;
      continue;
    }
    // Lead bytes C0 and C1 can only start an overlong two-byte form.
    if (b === 0xc0 || b === 0xc1) throw new ManifestError("MG-B02", "An overlong UTF-8 encoding starts here.", i);
    if (b < 0xc0) throw new ManifestError("MG-B01", "A UTF-8 continuation byte appears here without a lead byte.", i);
    let len: number;
    let cp: number;
    if (b < 0xe0) { len = 2; cp = b & 0x1f; }
    else if (b < 0xf0) { len = 3; cp = b & 0x0f; }
    else if (b < 0xf8) { len = 4; cp = b & 0x07; }
    else throw new ManifestError("MG-B01", `The byte 0x${b.toString(16).toUpperCase()} never appears in UTF-8.`, i);
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) throw new ManifestError("MG-B01", "A UTF-8 sequence starting here is cut short.", i);
      cp = (cp << 6) | (c & 0x3f);
    }
    if ((len === 3 && cp < 0x800) || (len === 4 && cp < 0x10000)) throw new ManifestError("MG-B02", "An overlong UTF-8 encoding starts here.", i);
    if (cp >= 0xd800 && cp <= 0xdfff) throw new ManifestError("MG-B03", "A UTF-8 encoded surrogate (U+D800 to U+DFFF) is here; it is not a character.", i);
    if (cp > 0x10ffff) throw new ManifestError("MG-B03", "A UTF-8 sequence here encodes a value beyond U+10FFFF.", i);
    if (cp === 0xfeff) throw new ManifestError("MG-B04", "A byte-order mark (U+FEFF) is here; a manifest has none, not even at the start.", i);
    i += len;
  }
  const s = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  const nfc = s.normalize("NFC");
  if (nfc !== s) {
    let k = 0;
    while (k < s.length && s[k] === nfc[k]) k++;
    // Point at the start of the character that normalization changes (its base, not the mark).
    throw new ManifestError("MG-B05", "The text here is not in Unicode normalization form C (NFC); compose it first, the manifest is not normalized for you.", utf8Length(s, k));
  }
  return s;
}

/** Bytes of `s.slice(0, end)` in UTF-8 (s is well formed). */
export function utf8Length(s: string, end = s.length): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/**
 * Text given as a WFL text value is encoded to UTF-8 first. JavaScript text can hold a lone
 * surrogate, which an encoder would silently replace: that is rejected here as MG-B03.
 */
export function encodeText(s: string): Uint8Array {
  if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    let k = 0;
    for (; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = s.charCodeAt(k + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { k++; continue; }
        break;
      }
      if (c >= 0xdc00 && c <= 0xdfff) break;
    }
    const offset = utf8Length(s, k);
    const bytes = Buffer.from(s.slice(0, k), "utf8");
    throw new ManifestError("MG-B03", "The text holds a lone surrogate here; it is not a character.", offset, bytes);
  }
  return new TextEncoder().encode(s);
}

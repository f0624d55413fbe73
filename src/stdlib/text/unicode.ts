// Code-point indexing for Text. WFL counts Unicode scalar values (Rust `chars()`), while JS
// strings index UTF-16 units, so every length and index crosses this module. Texts without
// surrogates (nearly all) take the direct UTF-16 path.

const SURROGATE = /[\uD800-\uDFFF]/;

// One-entry cache: loops call length/substring on the same text again and again.
let cachedText = "";
let cachedSimple = true;
// For a cached text with surrogate pairs: UTF-16 offset of each code point, plus the end.
let cachedOffsets: Uint32Array | undefined;

/** True when the text has no surrogate pairs, so UTF-16 indices are code-point indices. */
export function isSimple(s: string): boolean {
  if (s.length < 2) return true;
  if (s === cachedText) return cachedSimple;
  cachedSimple = !SURROGATE.test(s);
  cachedText = s;
  cachedOffsets = undefined;
  return cachedSimple;
}

/** Code-point offsets of a non-simple text, built once per cached text so character loops stay linear. */
function offsets(s: string): Uint32Array {
  if (s === cachedText && cachedOffsets) return cachedOffsets;
  const tmp = new Uint32Array(s.length + 1);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    tmp[n++] = i;
    if (isPairAt(s, i)) i++;
  }
  tmp[n] = s.length;
  const table = tmp.slice(0, n + 1);
  if (s === cachedText) cachedOffsets = table;
  return table;
}

function isPairAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) return false;
  const d = s.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff;
}

/** Number of code points (a lone surrogate counts as one). */
export function cpLength(s: string): number {
  if (isSimple(s)) return s.length;
  return offsets(s).length - 1;
}

/** UTF-16 offset of code point `cp` (≥ 0), clamped to the text's end. */
export function cpToUnit(s: string, cp: number): number {
  if (isSimple(s)) return cp < s.length ? cp : s.length;
  const t = offsets(s);
  return t[cp < t.length - 1 ? cp : t.length - 1]!;
}

/** Code-point index of UTF-16 offset `unit`. */
export function unitToCp(s: string, unit: number): number {
  if (unit <= 0 || isSimple(s)) return unit;
  let n = 0;
  for (let i = 0; i < unit; i++) {
    if (isPairAt(s, i)) i++;
    n++;
  }
  return n;
}

/** `length` code points starting at code point `start` (both already clamped to ≥ 0). */
export function cpSlice(s: string, start: number, length: number): string {
  if (isSimple(s)) return s.slice(start, start + length);
  const t = offsets(s);
  const last = t.length - 1;
  const end = start + length;
  return s.slice(t[start < last ? start : last]!, t[end < last ? end : last]!);
}

/** Code points from `start` (inclusive) to `end` (exclusive), both ≥ 0. */
export function cpRange(s: string, start: number, end: number): string {
  return end <= start ? "" : cpSlice(s, start, end - start);
}

/** Compare texts by code point (Rust's `str` ordering); JS `<` compares UTF-16 units instead. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Surrogates (U+10000 and above) sort after U+E000–U+FFFF.
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Rust's `char::is_whitespace` (Unicode White_Space). JS `trim` differs: it strips U+FEFF and keeps U+0085. */
export function isWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

export function trimText(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWhitespace(s.charCodeAt(a))) a++;
  while (b > a && isWhitespace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

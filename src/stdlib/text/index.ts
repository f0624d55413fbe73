// Text module. Lengths and indices count code points (see unicode.ts). `length`, `contains`
// and `indexof` also take lists, so they live in the list module.
import type { Registry } from "../registry.js";
import { type Value, WflPattern, isList, valuesEqual } from "../../runtime/values.js";
import { formatNumber } from "../../runtime/display.js";
import { fail } from "../../runtime/errors.js";
import { MAX_TEXT_LENGTH } from "../../runtime/access.js";
import { checkAllocation, checkNewList, limits } from "../../runtime/memory.js";
import type { Span } from "../../ast/span.js";
import { text, int, num, wrongType } from "../args.js";
import { cpLength, cpSlice, cpToUnit, isSimple, trimText, unitToCp } from "./unicode.js";

/**
 * Fixed-point formatting like Rust's `{:.N}`: the exact binary value rounded to N decimals,
 * exact ties to even. JS toFixed is exact too but breaks ties upward (0.25 → "0.3", Rust "0.2").
 */
export function formatFixed(x: number, places: number): string {
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  let s: string;
  if (ax >= 1e21) {
    // toFixed switches to exponent form here; such doubles are all whole numbers.
    s = BigInt(ax).toString() + (places > 0 ? "." + "0".repeat(places) : "");
  } else {
    s = ax.toFixed(places);
    // ax is an exact tie at `places` decimals iff ax·2^(places+1) is an odd integer
    // (the scaling is exact). toFixed then chose the upper neighbour; step down if it is odd.
    if ((ax * 2 ** (places + 1)) % 2 === 1) {
      const last = s.charCodeAt(s.length - 1);
      if (last & 1) s = s.slice(0, -1) + String.fromCharCode(last - 1);
    }
  }
  return neg ? "-" + s : s;
}

/** Text for padleft/padright: text as is, numbers as `display` shows them. */
function padSubject(fn: string, v: Value): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatNumber(v);
  return wrongType(fn, "text", v);
}

/** A padding width: whole characters, no wider than the longest text there can be. */
function padWidth(fn: string, v: Value): number {
  const n = int(fn, v);
  if (n > MAX_TEXT_LENGTH) throw fail(`${fn}: a width of ${formatNumber(n)} would make the text too long (over about 500 million characters)`);
  return n;
}

const globalRegexes = new WeakMap<WflPattern, RegExp>();
function globalRegex(p: WflPattern): RegExp {
  let re = globalRegexes.get(p);
  if (!re) {
    const flags = p.regex.flags.includes("g") ? p.regex.flags : p.regex.flags + "g";
    re = new RegExp(p.regex.source, flags);
    globalRegexes.set(p, re);
  }
  re.lastIndex = 0;
  return re;
}

/** How many times `needle` (not empty) occurs in `s`, counting no further than `stopAt`. */
function countOccurrences(s: string, needle: string, stopAt: number): number {
  let n = 0;
  for (let i = s.indexOf(needle); i >= 0 && n <= stopAt; i = s.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** A list item: its slot, and a small text's header and characters (an upper bound). */
const BYTES_PER_PIECE = 40;

/**
 * How many pieces splitting `s` at `delim` gives, checked against the list limit and the heap
 * before any is made: V8 aborts the process when the list it builds at once is too long.
 */
export function checkSplit(s: string, delim: string, span?: Span): number {
  let pieces: number;
  if (delim === "") pieces = s.length > limits.listItems ? cpLength(s) : s.length;
  else if (s.length < 1 << 20) return 0; // fewer than a million pieces: nothing to fear
  else pieces = countOccurrences(s, delim, limits.listItems) + 1;
  checkNewList(pieces, span);
  checkAllocation(pieces * BYTES_PER_PIECE, span);
  return pieces;
}

/**
 * A long text about to change case: the heap must hold the new text (ASCII stays one byte a
 * character; other text may grow, `ß` to `SS`, and take two bytes a character).
 */
function checkCaseChange(s: string): string {
  if (s.length >= 1 << 20) {
    const ascii = !/[^\u0000-\u007f]/.test(s);
    checkAllocation(ascii ? s.length : s.length * 6);
  }
  return s;
}

/** Split text on a literal delimiter; an empty delimiter splits into single characters. */
export function splitText(s: string, delim: string, span?: Span): Value[] {
  checkSplit(s, delim, span);
  if (delim === "") return Array.from(s);
  return s.split(delim);
}

/**
 * Text that will be `length` UTF-16 units long, made of `parts` (and spaces), checked before it
 * is made: V8 stores text with only Latin-1 characters at one byte a character, other text at two.
 */
function checkTextSize(length: number, ...parts: string[]): void {
  if (length > MAX_TEXT_LENGTH) throw fail("This text would be too long (over about 500 million characters)");
  checkAllocation(parts.some((p) => /[^\u0000-\u00ff]/.test(p)) ? length * 2 : length);
}

/** Last code-point index of `needle` in `s`, or -1. */
export function lastIndexOfText(s: string, needle: string): number {
  const i = s.lastIndexOf(needle);
  return i < 0 ? -1 : unitToCp(s, i);
}

export function register(r: Registry): void {
  r.fn("touppercase", { params: ["text"], aliases: ["to_uppercase"] }, (a) => checkCaseChange(text("touppercase", a[0]!)).toUpperCase());
  r.fn("tolowercase", { params: ["text"], aliases: ["to_lowercase"] }, (a) => checkCaseChange(text("tolowercase", a[0]!)).toLowerCase());
  r.fn("trim", { params: ["text"] }, (a) => trimText(text("trim", a[0]!)));

  // A text that is a plain decimal number ("42", " -3.5 ", "1e3") as a number; anything else
  // (including "", "0x10", "NaN", "Infinity") is nothing, so form fields and query parameters can be
  // checked without a try. A number is given back unchanged.
  r.fn("to_number", { params: ["any"] }, (a) => {
    const v = a[0]!;
    if (typeof v === "number") return Number.isFinite(v) ? v : null;
    if (typeof v !== "string") return null;
    const t = v.trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
    const n = Number(t);
    return Number.isFinite(n) ? n : null;
  });

  // Uppercases the first character and leaves the rest as written.
  r.fn("capitalize", { params: ["text"] }, (a) => {
    const s = text("capitalize", a[0]!);
    if (s === "") return s;
    const n = s.codePointAt(0)! > 0xffff ? 2 : 1;
    return s.slice(0, n).toUpperCase() + s.slice(n);
  });

  r.fn("reverse", { params: ["text"], aliases: ["reverse_text"] }, (a) => {
    const s = text("reverse", a[0]!);
    if (s.length >= 1 << 16) checkTextSize(s.length, s);
    if (isSimple(s)) {
      if (s.length < 64) {
        let out = "";
        for (let i = s.length - 1; i >= 0; i--) out += s[i];
        return out;
      }
      // A few thousand characters at a time, each made flat at once: joined one character at a
      // time, a long text would take a piece's worth of heap per character.
      const CHUNK = 1 << 13;
      const codes = new Uint16Array(CHUNK);
      const chunks: string[] = [];
      for (let end = s.length; end > 0; end -= CHUNK) {
        const n = Math.min(CHUNK, end);
        for (let k = 0; k < n; k++) codes[k] = s.charCodeAt(end - 1 - k);
        chunks.push(String.fromCharCode.apply(null, codes.subarray(0, n) as unknown as number[]));
      }
      return chunks.length === 1 ? chunks[0]! : chunks.join("");
    }
    checkSplit(s, "");
    return Array.from(s).reverse().join("");
  });

  r.fn("starts_with", { params: ["text", "text"], aliases: ["startswith"] }, (a) =>
    text("starts_with", a[0]!).startsWith(text("starts_with", a[1]!)));
  r.fn("ends_with", { params: ["text", "text"], aliases: ["endswith"] }, (a) =>
    text("ends_with", a[0]!).endsWith(text("ends_with", a[1]!)));

  r.fn("split", { params: ["text", "text"], aliases: ["string_split"] }, (a) =>
    splitText(text("split", a[0]!), text("split", a[1]!)));

  // Text: last code-point index of a substring. Lists are accepted too, like indexof.
  r.fn("lastindexof", { params: ["text|list", "any"], aliases: ["last_index_of"] }, (a) => {
    const hay = a[0]!;
    if (typeof hay === "string") return lastIndexOfText(hay, text("lastindexof", a[1]!));
    if (isList(hay)) {
      for (let i = hay.length - 1; i >= 0; i--) if (valuesEqual(hay[i]!, a[1]!)) return i;
      return -1;
    }
    return wrongType("lastindexof", "text or a list", hay);
  });

  // Pad with spaces up to a width in characters; longer text is returned unchanged.
  r.fn("padleft", { params: ["text|finite", "integer"] }, (a) => {
    const s = padSubject("padleft", a[0]!);
    const n = padWidth("padleft", a[1]!) - cpLength(s);
    if (n > 0) checkTextSize(n + s.length, s);
    return n > 0 ? " ".repeat(n) + s : s;
  });
  r.fn("padright", { params: ["text|finite", "integer"] }, (a) => {
    const s = padSubject("padright", a[0]!);
    const n = padWidth("padright", a[1]!) - cpLength(s);
    if (n > 0) checkTextSize(n + s.length, s);
    return n > 0 ? s + " ".repeat(n) : s;
  });

  r.fn("format_number", { params: ["finite", "number"] }, (a) => {
    const x = num("format_number", a[0]!);
    const p = num("format_number", a[1]!);
    if (!Number.isFinite(x)) throw fail(`format_number expects a finite number, got ${formatNumber(x)}`);
    if (!Number.isInteger(p) || p < 0 || p > 17)
      throw fail(`format_number expects a precision that is a whole number from 0 to 17, got ${formatNumber(p)}`);
    return formatFixed(x, p);
  });

  // substring of text and start and length: code points; out-of-range parts are clipped,
  // never an error. Without a length it runs to the end (`substring of path from 8`).
  r.fn("substring", { params: ["text", "finite", "finite?"] }, (a) => {
    const s = text("substring", a[0]!);
    const start = int("substring", a[1]!);
    const st = start > 0 ? start : 0;
    if (a.length < 3) return isSimple(s) ? s.slice(st) : s.slice(cpToUnit(s, st));
    const len = int("substring", a[2]!);
    return len > 0 ? cpSlice(s, st, len) : "";
  });

  // replace of text and needle and replacement: every non-overlapping occurrence, left to right.
  // The needle is matched literally; a pattern value matches as a pattern.
  r.fn("replace", { params: ["text", "text|pattern", "text"] }, (a) => {
    const s = text("replace", a[0]!);
    const needle = a[1]!;
    const rep = text("replace", a[2]!);
    if (needle instanceof WflPattern) return s.replace(globalRegex(needle), () => rep);
    const n = text("replace", needle);
    if (n === "") {
      // Insert between characters (code points, never between surrogate halves) and at both ends.
      const chars = cpLength(s);
      checkTextSize(s.length + (chars + 1) * rep.length, s, rep);
      checkSplit(s, "");
      return rep + Array.from(s).join(rep) + (s === "" ? "" : rep);
    }
    // replaceAll builds the result as it goes (no list of every piece, which could be too long);
    // `$` in the replacement is doubled so it stays literal.
    return s.replaceAll(n, rep.includes("$") ? rep.replaceAll("$", "$$$$") : rep);
  });
}

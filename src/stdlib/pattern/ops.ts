// Operations on patterns: matches, find, find all, replace, split.
// A pattern argument may be a WflPattern or a text (matched literally).
// Positions in match objects count Unicode code points, like every WFL text index.
import { WflPattern, makeObject, typeName, type Value, WflObject } from "../../runtime/values.js";
import { fail } from "../../runtime/errors.js";
import { decodeGroupName } from "./compile.js";
import { GROWTH_CHECK_EVERY, checkGrowing, checkHeap } from "../../runtime/memory.js";
import { joinText } from "../../runtime/access.js";
import { splitText } from "../text/index.js";

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

const globalCache = new WeakMap<RegExp, RegExp>();
const literalCache = new Map<string, RegExp>();

function toGlobal(re: RegExp): RegExp {
  let g = globalCache.get(re);
  if (!g) {
    const flags = re.flags.includes("g") ? re.flags : re.flags + "g";
    g = new RegExp(re.source, flags.includes("u") || flags.includes("v") ? flags : flags + "u");
    globalCache.set(re, g);
  }
  return g;
}

function literalRegex(s: string): RegExp {
  let re = literalCache.get(s);
  if (!re) {
    re = new RegExp(escapeLiteral(s), "gu");
    if (literalCache.size > 500) literalCache.clear();
    literalCache.set(s, re);
  }
  return re;
}

function needText(fn: string, v: Value): string {
  if (typeof v !== "string") throw fail(`${fn} expects text to search, got ${typeName(v)}`, "type");
  return v;
}

/** The global RegExp for a pattern argument (a WflPattern, or a text matched literally). */
function globalRegexOf(fn: string, p: Value): RegExp {
  if (p instanceof WflPattern) return toGlobal(p.regex);
  if (typeof p === "string") return literalRegex(p);
  throw fail(`${fn} expects a pattern or a text, got ${typeName(p)}`, "type");
}

/** Iterate non-overlapping matches left to right; an empty match advances one code point. */
function* eachMatch(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  while (re.lastIndex <= text.length) {
    const m = re.exec(text);
    if (!m) break;
    if (m[0].length === 0) {
      const cp = text.codePointAt(m.index);
      re.lastIndex = m.index + (cp !== undefined && cp > 0xffff ? 2 : 1);
    }
    const resume = re.lastIndex;
    yield m;
    re.lastIndex = resume;
  }
  re.lastIndex = 0;
}

/** Converts UTF-16 indices, visited in increasing order, to code-point indices. */
class CodePointCounter {
  private u16 = 0;
  private cps = 0;
  constructor(private readonly text: string) {}
  at(index: number): number {
    if (index < this.u16) {
      this.u16 = 0;
      this.cps = 0;
    }
    const t = this.text;
    while (this.u16 < index) {
      const c = t.charCodeAt(this.u16);
      const d = t.charCodeAt(this.u16 + 1);
      this.u16 += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
      this.cps++;
    }
    return this.cps;
  }
}

function matchObject(m: RegExpExecArray, counter: CodePointCounter): WflObject {
  const captures = new WflObject();
  if (m.groups) {
    for (const [k, v] of Object.entries(m.groups)) captures.set(decodeGroupName(k), v ?? null);
  }
  const start = counter.at(m.index);
  const end = counter.at(m.index + m[0].length);
  return makeObject({ matched_text: m[0], start, end, captures });
}

/** `text matches pattern`: true when the pattern matches anywhere in the text. */
export function patternMatches(text: Value, pattern: Value, fn = "matches"): boolean {
  const t = needText(fn, text);
  if (typeof pattern === "string") return t.includes(pattern);
  if (pattern instanceof WflPattern) {
    const re = pattern.regex;
    if (re.global || re.sticky) re.lastIndex = 0;
    const ok = re.test(t);
    if (re.global || re.sticky) re.lastIndex = 0;
    return ok;
  }
  throw fail(`${fn} expects a pattern or a text, got ${typeName(pattern)}`, "type");
}

/** `find pattern in text`: the first match as {matched_text, start, end, captures}, or nothing. */
export function patternFind(pattern: Value, text: Value, fn = "find"): Value {
  const t = needText(fn, text);
  const re = globalRegexOf(fn, pattern);
  for (const m of eachMatch(re, t)) {
    re.lastIndex = 0;
    return matchObject(m, new CodePointCounter(t));
  }
  return null;
}

/** `find all pattern in text`: every non-overlapping match, left to right. */
export function patternFindAll(text: Value, pattern: Value, fn = "find all"): Value[] {
  const t = needText(fn, text);
  const re = globalRegexOf(fn, pattern);
  const counter = new CodePointCounter(t);
  const out: Value[] = [];
  for (const m of eachMatch(re, t)) {
    if (out.length % GROWTH_CHECK_EVERY === GROWTH_CHECK_EVERY - 1) checkGrowing(out);
    out.push(matchObject(m, counter));
  }
  return out;
}

/** `replace pattern with replacement in text`: every match replaced by the literal replacement. */
export function patternReplace(pattern: Value, replacement: Value, text: Value, fn = "replace"): string {
  const t = needText(fn, text);
  if (typeof replacement !== "string") throw fail(`${fn} expects the replacement to be text, got ${typeName(replacement)}`, "type");
  if (typeof pattern === "string" && pattern.length > 0) {
    // replaceAll builds the result as it goes (no list of every piece, which could be too long).
    return t.replaceAll(pattern, replacement.includes("$") ? replacement.replaceAll("$", "$$$$") : replacement);
  }
  const re = globalRegexOf(fn, pattern);
  // The result is built a few thousand pieces at a time (one flat text each), checking the heap
  // in between: a text of millions of small pieces could outgrow the heap before any check.
  let out = "";
  let parts: string[] = [];
  let last = 0;
  for (const m of eachMatch(re, t)) {
    parts.push(t.slice(last, m.index), replacement);
    last = m.index + m[0].length;
    if (parts.length >= 2 * GROWTH_CHECK_EVERY) {
      out = joinText(out, parts.join(""));
      parts = [];
      checkHeap();
    }
  }
  parts.push(t.slice(last));
  return joinText(out, parts.join(""));
}

/** `split text on pattern`: the pieces between matches (an empty text gives one empty piece). */
export function patternSplit(text: Value, pattern: Value, fn = "split"): string[] {
  const t = needText(fn, text);
  if (typeof pattern === "string" && pattern.length > 0) return splitText(t, pattern) as string[];
  const re = globalRegexOf(fn, pattern);
  const out: string[] = [];
  let last = 0;
  for (const m of eachMatch(re, t)) {
    if (out.length % GROWTH_CHECK_EVERY === GROWTH_CHECK_EVERY - 1) checkGrowing(out);
    const end = m.index + m[0].length;
    // An empty match at the very start or end splits nothing.
    if (m[0].length === 0 && (m.index === 0 || m.index >= t.length)) continue;
    out.push(t.slice(last, m.index));
    last = end;
  }
  out.push(t.slice(last));
  return out;
}

// Gates L and S of the wflpkg manifest grammar: an acceptance predicate over the (token, span)
// stream of OUR lexer (src/lexer), which never executes anything and never asks the lexer for a
// token it does not already produce. Gate L walks every token and every gap between tokens
// (comments and odd whitespace are skipped by the lexer, so they only show up as gap text); Gate S
// then reads the records. Both report the first problem in document order.
import type { IToken } from "chevrotain";
import { tokenize } from "../../lexer/lexer.js";
import {
  StringLiteral, NumberLiteral, Newline, Identifier, Colon, Comma, LBracket, RBracket, LParen, RParen, LBrace, RBrace,
  Dot, Plus, Minus, kw,
} from "../../lexer/tokens.js";
import { ManifestError, LIMITS, type ManifestCode } from "./errors.js";
import { utf8Length } from "./bytes.js";

export type Scalar =
  | { readonly t: "text"; readonly v: string; readonly at: number }
  | { readonly t: "int"; readonly v: number; readonly at: number }
  | { readonly t: "bool"; readonly v: boolean; readonly at: number };
export type MValue = Scalar | { readonly t: "list"; readonly items: readonly Scalar[]; readonly at: number };

export interface Entry {
  readonly key: string;
  /** UTF-16 index of the key and of the value in the decoded text. */
  readonly keyAt: number;
  readonly value: MValue;
}

export interface MRecord {
  readonly kind: string;
  /** UTF-16 index of `create`. */
  readonly at: number;
  readonly entries: readonly Entry[];
}

const K_CREATE = kw("create");
const K_MAP = kw("map");
const K_IS = kw("is");
const K_END = kw("end");
const K_AND = kw("and");

/** Bidi controls (the Bidi_Control property: §6 MG-L05's list plus U+061C, the Arabic letter mark). */
export function isBidi(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f || c === 0x061c;
}
/**
 * Zero-width and invisible characters of MG-L06: §6's list (U+200B–U+200D, U+2060, U+FEFF), plus
 * the invisible operators U+2061–U+2064 and the tag characters U+E0000–U+E007F (invisible text
 * that some readers, AI agents among them, still read: "ASCII smuggling").
 */
export function isZeroWidth(c: number): boolean {
  return (c >= 0x200b && c <= 0x200d) || (c >= 0x2060 && c <= 0x2064) || c === 0xfeff || (c >= 0xe0000 && c <= 0xe007f);
}
/** Unicode spaces other than space and tab (the lexer skips U+00A0 as whitespace). */
function isOddSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

const isWordToken = (t: IToken): boolean => /^[A-Za-z_]/.test(t.image) && t.tokenType !== StringLiteral;
const end = (t: IToken): number => t.startOffset + t.image.length;
const u = (c: number): string => `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;

/** Bare keys and record names: lowercase ASCII words that the lexer reads as identifiers. */
export const BARE_NAME = /^[a-z][a-z0-9_]*$/;

export class Reader {
  private readonly tokens: IToken[];

  constructor(private readonly s: string) {
    this.tokens = tokenize(s).tokens;
  }

  private fail(code: ManifestCode, message: string, index: number): never {
    throw new ManifestError(code, message, utf8Length(this.s, index));
  }

  /** Gates L and S: the records of the document. */
  read(): MRecord[] {
    this.gateL();
    return this.gateS();
  }

  // ---- Gate L ---------------------------------------------------------------------------------

  private gateL(): void {
    const ts = this.tokens;
    let pos = 0;
    let depth = 0;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      this.gap(pos, t.startOffset, depth);
      this.token(t, ts[i - 1], ts[i + 1]);
      const type = t.tokenType;
      if (type === LBracket || type === LParen || type === LBrace) depth++;
      else if ((type === RBracket || type === RParen || type === RBrace) && depth > 0) depth--;
      pos = end(t);
    }
    this.gap(pos, this.s.length, depth);
  }

  /** Text the lexer skipped between two tokens: only spaces, tabs and (outside brackets) LF. */
  private gap(from: number, to: number, depth: number): void {
    const s = this.s;
    for (let i = from; i < to; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x09) continue;
      if (c === 0x0a) {
        if (depth > 0) this.fail("MG-L02", "A line ends inside brackets here; a list is written on one line and closed with ].", i);
        continue;
      }
      if (c === 0x2f || c === 0x23) this.fail("MG-L01", "A comment starts here; a manifest has no comments, put annotations in a notes field.", i);
      if (c === 0x22) this.fail("MG-S05", "This text is never closed; add a closing \" on the same line.", i);
      if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)) this.fail("MG-L02", `The control character ${u(c)} is here between tokens; only spaces, tabs and line feeds may separate them.`, i);
      if (isBidi(c)) this.fail("MG-L05", `The bidirectional control ${u(c)} is here; it can make the text display differently from what it is.`, i);
      const cp0 = s.codePointAt(i)!;
      if (isZeroWidth(cp0)) this.fail("MG-L06", `The invisible character ${u(cp0)} is here.`, i);
      if (isOddSpace(c)) this.fail("MG-L02", `The space character ${u(c)} is here; only spaces, tabs and line feeds may separate tokens.`, i);
      const cp = s.codePointAt(i)!;
      const shown = String.fromCodePoint(cp);
      this.fail("MG-S01", `The character '${shown}' (${u(cp)}) is not part of a manifest outside quoted text.`, i);
    }
  }

  private token(t: IToken, prev: IToken | undefined, next: IToken | undefined): void {
    const type = t.tokenType;
    const glued = (a: IToken | undefined, b: IToken | undefined): boolean => !!a && !!b && end(a) === b.startOffset;
    if (type === StringLiteral) return this.text(t);
    if (type === NumberLiteral) {
      if (next && glued(t, next) && isWordToken(next)) {
        this.fail("MG-L10", `The number '${t.image}${next.image}' is not a plain whole number; hex, exponent and other number forms are not allowed.`, t.startOffset);
      }
      if (t.image.includes(".")) {
        // `26.2.1` lexes as 26.2 · . · 1: a dotted run, which Gate S reports as an unquoted version.
        if ((next && glued(t, next) && next.tokenType === Dot) || (prev && glued(prev, t) && prev.tokenType === Dot)) return;
        this.fail("MG-L10", `The number ${t.image} has a fractional part; a manifest holds whole numbers only (quote versions: "${t.image}").`, t.startOffset);
      }
      if (t.image.length > 1 && t.image[0] === "0") this.fail("MG-L11", `The whole number ${t.image} has a leading zero.`, t.startOffset);
      if (t.image.length > 16 || Number(t.image) > Number.MAX_SAFE_INTEGER) {
        this.fail("MG-L11", `The whole number ${t.image.length > 24 ? `${t.image.slice(0, 20)}…` : t.image} is larger than 9007199254740991 (2^53 - 1).`, t.startOffset);
      }
      return;
    }
    if (type === Minus || type === Plus) {
      const afterWord = prev && glued(prev, t) && (isWordToken(prev) || prev.tokenType === NumberLiteral);
      if (!afterWord && next && glued(t, next) && next.tokenType === NumberLiteral) {
        this.fail("MG-L10", `The number ${t.image}${next.image} has a sign; a manifest holds whole numbers without signs.`, t.startOffset);
      }
      return;
    }
    if (isWordToken(t)) {
      const img = t.image;
      const lower = img.toLowerCase();
      if ((lower === "yes" || lower === "no" || lower === "true" || lower === "false") && img !== "yes" && img !== "no") {
        this.fail("MG-L07", `'${img}' is not a manifest boolean; write yes or no in lowercase.`, t.startOffset);
      }
      if (lower === "nothing" || lower === "missing" || lower === "undefined") {
        this.fail("MG-L09", `'${img}' is a null value; a manifest has none, leave the key out instead.`, t.startOffset);
      }
      if (img.length > LIMITS.keyBytes) this.fail("MG-L12", `This word is ${img.length} bytes long; keys and names are at most ${LIMITS.keyBytes} bytes.`, t.startOffset);
    }
  }

  /** A text literal: escapes, controls, invisibles and length. */
  private text(t: IToken): void {
    const img = t.image;
    const base = t.startOffset;
    let decodedBytes = 0;
    for (let j = 1; j < img.length - 1; j++) {
      const c = img.charCodeAt(j);
      if (c === 0x5c) {
        const n = img[j + 1];
        if (n === "n" || n === "t" || n === "\\" || n === '"') { j++; decodedBytes++; continue; }
        const shown = n === "\n" ? "a line break" : n === undefined ? "nothing" : `'${n}'`;
        this.fail("MG-L08", `The escape \\ followed by ${shown} is not allowed; a manifest knows only \\n, \\t, \\\\ and \\".`, base + j);
      }
      if (c === 0x0a) this.fail("MG-L04", "A line break is inside this text; manifest text stays on one line, write \\n instead.", base + j);
      if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)) {
        this.fail("MG-L03", `The control character ${u(c)} is inside this text${c === 9 ? "; write a tab as \\t" : ""}.`, base + j);
      }
      if (isBidi(c)) this.fail("MG-L05", `The bidirectional control ${u(c)} is inside this text; it can make the text display differently from what it is.`, base + j);
      if (isZeroWidth(c)) this.fail("MG-L06", `The invisible character ${u(c)} is inside this text.`, base + j);
      if (c >= 0xd800 && c <= 0xdbff) {
        const cp = img.codePointAt(j)!;
        if (isZeroWidth(cp)) this.fail("MG-L06", `The invisible character ${u(cp)} is inside this text.`, base + j);
      }
      decodedBytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : c >= 0xdc00 && c <= 0xdfff ? 0 : 3;
    }
    if (decodedBytes > LIMITS.stringBytes) {
      this.fail("MG-L12", `This text is ${decodedBytes} bytes long; the limit is ${LIMITS.stringBytes} bytes (64 KiB).`, base);
    }
  }

  // ---- Gate S ---------------------------------------------------------------------------------

  private gateS(): MRecord[] {
    const ts = this.tokens;
    const records: MRecord[] = [];
    let nodes = 0;
    let i = 0;
    const at = (k: number): IToken | undefined => ts[k];
    const is = (k: number, type: unknown): boolean => ts[k]?.tokenType === type;
    const where = (k: number): number => ts[k]?.startOffset ?? this.s.length;
    while (i < ts.length) {
      if (is(i, Newline)) { i++; continue; }
      const start = i;
      if (!is(i, K_CREATE) || !is(i + 1, K_MAP)) {
        this.fail("MG-S04", `Only 'create map … end map' records may stand at the top level of a manifest, and this line starts with '${at(i)!.image}'.`, where(i));
      }
      i += 2;
      const nameTok = at(i);
      if (!nameTok || nameTok.tokenType === Newline) this.fail("MG-S05", "A record needs a name after 'create map'.", where(i));
      if (nameTok.tokenType !== Identifier) {
        if (isWordToken(nameTok)) this.fail("MG-S05", `'${nameTok.image}' is a reserved WFL word and cannot name a record.`, where(i));
        this.fail("MG-S05", "A record needs a lowercase name after 'create map'.", where(i));
      }
      if (!BARE_NAME.test(nameTok.image)) this.fail("MG-S05", `The record name '${nameTok.image}' must be lowercase ASCII letters, digits and _, starting with a letter.`, where(i));
      i++;
      if (!is(i, Colon)) this.fail("MG-S05", `Expected ':' after 'create map ${nameTok.image}'.`, where(i));
      i++;
      if (i >= ts.length) this.fail("MG-S05", `The record '${nameTok.image}' is never closed; add 'end map'.`, where(start));
      if (!is(i, Newline)) this.fail("MG-S05", `The entries of a record start on the line after 'create map ${nameTok.image}:'.`, where(i));
      i++;
      const entries: Entry[] = [];
      const keys = new Set<string>();
      for (;;) {
        const t = at(i);
        if (!t) this.fail("MG-S05", `The record '${nameTok.image}' is never closed; add 'end map'.`, where(start));
        if (t.tokenType === K_END) {
          if (!is(i + 1, K_MAP)) this.fail("MG-S05", "'end' must be followed by 'map' to close a record.", where(i + 1));
          i += 2;
          if (i < ts.length && !is(i, Newline)) this.fail("MG-S05", "Nothing may follow 'end map' on its line.", where(i));
          break;
        }
        if (t.tokenType === K_CREATE) this.fail("MG-S05", `The record '${nameTok.image}' is not closed before the next one begins; add 'end map'.`, where(i));
        const keyAt = t.startOffset;
        const key = this.key(t);
        i++;
        if (!is(i, K_IS)) this.fail("MG-S05", `Expected 'is' after the key '${key}'.`, where(i));
        i++;
        let j = i;
        while (j < ts.length && !is(j, Newline)) j++;
        if (j === i) this.fail("MG-S05", `The key '${key}' has no value after 'is'.`, where(i));
        const value = this.value(ts.slice(i, j));
        if (keys.has(key)) this.fail("MG-S02", `The key '${key}' appears twice in this record; each key is given once.`, keyAt);
        keys.add(key);
        entries.push({ key, keyAt, value });
        nodes += 1 + (value.t === "list" ? value.items.length : 0);
        if (entries.length > LIMITS.entriesPerRecord) this.fail("MG-S07", `This record has more than ${LIMITS.entriesPerRecord} entries.`, keyAt);
        if (nodes > LIMITS.nodes) this.fail("MG-S07", `The manifest has more than ${LIMITS.nodes} values.`, keyAt);
        i = j + 1;
      }
      records.push({ kind: nameTok.image, at: where(start), entries });
      if (records.length > LIMITS.records) this.fail("MG-S07", `The manifest has more than ${LIMITS.records} records.`, where(start));
    }
    if (records.length === 0) this.fail("MG-S04", "A manifest needs at least one 'create map … end map' record.", 0);
    return records;
  }

  private key(t: IToken): string {
    if (t.tokenType === Identifier) {
      if (!BARE_NAME.test(t.image)) this.fail("MG-S05", `The key '${t.image}' must be lowercase ASCII letters, digits and _, starting with a letter (or quoted text).`, t.startOffset);
      return t.image;
    }
    if (t.tokenType === StringLiteral) {
      const key = decode(t.image);
      if (Buffer.byteLength(key) > LIMITS.keyBytes) this.fail("MG-L12", `This key is ${Buffer.byteLength(key)} bytes long; keys are at most ${LIMITS.keyBytes} bytes.`, t.startOffset);
      if (!/^[\x20-\x7e]+$/.test(key)) this.fail("MG-S05", "A quoted key must be non-empty printable ASCII text.", t.startOffset);
      return key;
    }
    if (isWordToken(t)) this.fail("MG-S05", `'${t.image}' is a reserved WFL word; quote it to use it as a key ("${t.image}" is …).`, t.startOffset);
    this.fail("MG-S05", `Expected a key or 'end map', found '${t.tokenType === Newline ? "a line break" : t.image}'.`, t.startOffset);
  }

  /** The value of an entry: the tokens from after `is` to the end of the line. */
  private value(v: IToken[]): MValue {
    const first = v[0]!;
    if (first.tokenType === LBracket) {
      const items: Scalar[] = [];
      let k = 1;
      let expectItem = true;
      for (;;) {
        const t = v[k];
        if (!t) this.fail("MG-S05", "This list is never closed; add ].", first.startOffset);
        if (expectItem) {
          if (t.tokenType === RBracket) {
            if (items.length > 0) this.fail("MG-S03", "A list has no comma after its last item.", v[k - 1]!.startOffset);
            break;
          }
          if (t.tokenType === LBracket) this.fail("MG-S03", "A list item cannot be a list; lists hold text, whole numbers, yes and no.", t.startOffset);
          if (t.tokenType === Comma) this.fail("MG-S03", "A list item is missing before this comma.", t.startOffset);
          if (t.tokenType === K_AND || t.tokenType === Colon) this.fail("MG-S03", `List items are separated by commas, not '${t.image}'.`, t.startOffset);
          items.push(this.scalar(t, "A list item"));
          if (items.length > LIMITS.listItems) this.fail("MG-S07", `This list has more than ${LIMITS.listItems} items.`, t.startOffset);
          expectItem = false;
        } else {
          if (t.tokenType === RBracket) break;
          if (t.tokenType === Comma) { expectItem = true; k++; continue; }
          if (t.tokenType === K_AND || t.tokenType === Colon) this.fail("MG-S03", `List items are separated by commas, not '${t.image}'.`, t.startOffset);
          if (t.tokenType === LBracket) this.fail("MG-S03", "A list item cannot be a list; lists hold text, whole numbers, yes and no.", t.startOffset);
          this.fail("MG-S03", "List items are separated by commas; one is missing here.", t.startOffset);
        }
        k++;
      }
      if (k + 1 < v.length) this.fail("MG-S01", "Nothing may follow a list on its line; a value is one literal, without operators.", v[k + 1]!.startOffset);
      return { t: "list", items, at: first.startOffset };
    }
    if (v.length === 1) return this.scalar(first, "A value");
    if (first.tokenType === K_CREATE) this.fail("MG-S01", "Records cannot be nested; a value is text, a whole number, yes, no or a list.", first.startOffset);
    if (first.tokenType === NumberLiteral && v[1]!.tokenType === Dot) {
      const shown = this.s.slice(first.startOffset, end(v[v.length - 1]!)).split(/\s/)[0];
      this.fail("MG-S01", `An unquoted version is not a value; write versions as text ("${shown}").`, first.startOffset);
    }
    const desc = v.length <= 6 ? this.s.slice(first.startOffset, end(v[v.length - 1]!)) : `${this.s.slice(first.startOffset, end(v[3]!))} …`;
    this.fail("MG-S01", `The value '${desc}' is not a single literal; a manifest value is text, a whole number, yes, no or a list, with no names, operators or calls.`, first.startOffset);
  }

  private scalar(t: IToken, what: string): Scalar {
    const type = t.tokenType;
    if (type === StringLiteral) return { t: "text", v: decode(t.image), at: t.startOffset };
    if (type === NumberLiteral) {
      // Only a dotted run (`26.2.1`) lets a fractional number through Gate L.
      if (t.image.includes(".")) this.fail("MG-S01", "An unquoted version is not a value; write versions as text.", t.startOffset);
      return { t: "int", v: Number(t.image), at: t.startOffset };
    }
    if (t.image === "yes" || t.image === "no") return { t: "bool", v: t.image === "yes", at: t.startOffset };
    if (type === Identifier) {
      this.fail("MG-S01", `'${t.image}' is a name, not a value; quote text ("${t.image}"). ${what} is text, a whole number, yes or no.`, t.startOffset);
    }
    if (type === K_CREATE) this.fail("MG-S01", "Records cannot be nested; a value is text, a whole number, yes, no or a list.", t.startOffset);
    this.fail("MG-S01", `'${t.image}' is not a value; ${what.toLowerCase()} is text, a whole number, yes or no.`, t.startOffset);
  }
}

/** The value of a text literal Gate L accepted (escapes are only \n \t \\ \"). */
export function decode(image: string): string {
  const body = image.slice(1, -1);
  if (!body.includes("\\")) return body;
  return body.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

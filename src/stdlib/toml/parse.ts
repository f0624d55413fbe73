// A TOML 1.0 reader producing WFL values: tables → Object, arrays → List, strings → Text,
// integers and floats → Number, booleans → Boolean, and dates/times → Text exactly as written.
//
// The spec's "define once" rules are tracked per table: a table made by a `[header]` is
// "explicit", one that only exists because a longer header passed through it is "implicit"
// (a later `[header]` may still define it), one made by dotted keys is "dotted" (no header may
// define it later), and inline tables are closed once written.
import { type Value, WflObject } from "../../runtime/values.js";
import { fail, type WflRuntimeError } from "../../runtime/errors.js";

type TableKind = "explicit" | "implicit" | "dotted" | "inline";

export function parseToml(src: string): WflObject {
  return new TomlReader(src).document();
}

const BARE_KEY = /[A-Za-z0-9_-]/;
const DATE_TIME = /(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))?)?/y;
const LOCAL_TIME = /(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?/y;
const NUMBER_TOKEN = /[+-]?[0-9A-Za-z_.]+(?:(?<=[eE])[+-][0-9A-Za-z_.]+)?/y;

class TomlReader {
  private i = 0;
  private readonly kinds = new WeakMap<WflObject, TableKind>();
  /** Lists made by `[[header]]` (arrays of tables); other lists are closed values. */
  private readonly tableArrays = new WeakSet<Value[]>();

  constructor(private readonly src: string) {}

  document(): WflObject {
    const root = new WflObject();
    this.kinds.set(root, "explicit");
    let current = root;
    for (;;) {
      this.skipSpace();
      if (this.eof()) break;
      const c = this.peek();
      if (c === "#" || c === "\n" || c === "\r") {
        this.endOfLine();
        continue;
      }
      if (c === "[") {
        current = this.src[this.i + 1] === "[" ? this.arrayTableHeader(root) : this.tableHeader(root);
      } else {
        this.keyValue(current);
      }
      this.skipSpace();
      this.endOfLine();
    }
    return root;
  }

  // ---- errors and low-level scanning ---------------------------------------------------------

  private error(message: string, at = this.i): WflRuntimeError {
    let line = 1;
    let col = 1;
    for (let k = 0; k < at && k < this.src.length; k++) {
      if (this.src[k] === "\n") {
        line++;
        col = 1;
      } else col++;
    }
    return fail(`Invalid TOML at line ${line}, column ${col}: ${message}`);
  }

  private eof(): boolean {
    return this.i >= this.src.length;
  }
  private peek(): string {
    return this.src[this.i] ?? "";
  }
  private skipSpace(): void {
    while (this.src[this.i] === " " || this.src[this.i] === "\t") this.i++;
  }
  private comment(): void {
    if (this.src[this.i] !== "#") return;
    for (this.i++; !this.eof(); this.i++) {
      const ch = this.src.charCodeAt(this.i);
      if (ch === 10 || (ch === 13 && this.src[this.i + 1] === "\n")) break;
      if ((ch < 32 && ch !== 9) || ch === 127) throw this.error("control characters are not allowed in comments");
    }
  }
  /** Consume a newline if one is here; returns whether it did. */
  private newline(): boolean {
    if (this.src[this.i] === "\n") {
      this.i++;
      return true;
    }
    if (this.src[this.i] === "\r" && this.src[this.i + 1] === "\n") {
      this.i += 2;
      return true;
    }
    return false;
  }
  /** After a statement: optional comment, then a newline or the end of the document. */
  private endOfLine(): void {
    this.comment();
    if (this.eof()) return;
    if (!this.newline()) throw this.error(`expected the end of the line, found ${describe(this.peek())}`);
  }
  /** Whitespace, newlines and comments, as allowed inside arrays. */
  private skipBlank(): void {
    for (;;) {
      this.skipSpace();
      if (this.src[this.i] === "#") this.comment();
      if (!this.newline()) return;
    }
  }
  private expect(ch: string): void {
    if (this.src[this.i] !== ch) throw this.error(`expected '${ch}', found ${describe(this.peek())}`);
    this.i++;
  }

  // ---- keys and tables -----------------------------------------------------------------------

  private key(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skipSpace();
      parts.push(this.simpleKey());
      this.skipSpace();
      if (this.src[this.i] !== ".") return parts;
      this.i++;
    }
  }

  private simpleKey(): string {
    const c = this.peek();
    if (c === '"') {
      if (this.src.startsWith('"""', this.i)) throw this.error("a key cannot be a multi-line string");
      return this.basicString();
    }
    if (c === "'") {
      if (this.src.startsWith("'''", this.i)) throw this.error("a key cannot be a multi-line string");
      return this.literalString();
    }
    const start = this.i;
    while (!this.eof() && BARE_KEY.test(this.peek())) this.i++;
    if (this.i === start) throw this.error(`expected a key, found ${describe(c)}`);
    return this.src.slice(start, this.i);
  }

  private tableHeader(root: WflObject): WflObject {
    const at = this.i;
    this.i++;
    const keys = this.key();
    this.expect("]");
    const last = keys[keys.length - 1]!;
    const parent = this.walkHeader(root, keys.slice(0, -1), at);
    const existing = parent.get(last);
    if (existing === undefined) {
      const t = new WflObject();
      this.kinds.set(t, "explicit");
      parent.set(last, t);
      return t;
    }
    if (existing instanceof WflObject && this.kinds.get(existing) === "implicit") {
      this.kinds.set(existing, "explicit");
      return existing;
    }
    throw this.error(`the table [${keys.join(".")}] is defined more than once`, at);
  }

  private arrayTableHeader(root: WflObject): WflObject {
    const at = this.i;
    this.i += 2;
    const keys = this.key();
    this.expect("]");
    this.expect("]");
    const last = keys[keys.length - 1]!;
    const parent = this.walkHeader(root, keys.slice(0, -1), at);
    const existing = parent.get(last);
    const t = new WflObject();
    this.kinds.set(t, "explicit");
    if (existing === undefined) {
      const arr: Value[] = [t];
      this.tableArrays.add(arr);
      parent.set(last, arr);
    } else if (Array.isArray(existing) && this.tableArrays.has(existing)) {
      existing.push(t);
    } else {
      throw this.error(`[[${keys.join(".")}]] conflicts with a value already defined`, at);
    }
    return t;
  }

  /** Follow a header's leading keys, creating implicit tables; an array of tables means its last table. */
  private walkHeader(root: WflObject, keys: string[], at: number): WflObject {
    let t = root;
    for (const k of keys) {
      const v = t.get(k);
      if (v === undefined) {
        const nt = new WflObject();
        this.kinds.set(nt, "implicit");
        t.set(k, nt);
        t = nt;
      } else if (v instanceof WflObject && this.kinds.get(v) !== "inline") {
        t = v;
      } else if (Array.isArray(v) && this.tableArrays.has(v)) {
        t = v[v.length - 1] as WflObject;
      } else {
        throw this.error(`'${k}' is already defined as a value, not a table`, at);
      }
    }
    return t;
  }

  private keyValue(table: WflObject): void {
    const at = this.i;
    const keys = this.key();
    this.expect("=");
    this.skipSpace();
    const value = this.value();
    let t = table;
    for (const k of keys.slice(0, -1)) {
      const v = t.get(k);
      if (v === undefined) {
        const nt = new WflObject();
        this.kinds.set(nt, "dotted");
        t.set(k, nt);
        t = nt;
      } else if (v instanceof WflObject && (this.kinds.get(v) === "dotted" || this.kinds.get(v) === "implicit")) {
        t = v;
      } else {
        throw this.error(`cannot add keys to '${k}': it is already defined`, at);
      }
    }
    const last = keys[keys.length - 1]!;
    if (t.has(last)) throw this.error(`duplicate key '${keys.join(".")}'`, at);
    t.set(last, value);
  }

  // ---- values ---------------------------------------------------------------------------------

  private value(): Value {
    const c = this.peek();
    switch (c) {
      case '"':
        return this.src.startsWith('"""', this.i) ? this.multilineBasicString() : this.basicString();
      case "'":
        return this.src.startsWith("'''", this.i) ? this.multilineLiteralString() : this.literalString();
      case "[":
        return this.array();
      case "{":
        return this.inlineTable();
      case "t":
      case "f":
        for (const [word, v] of [["true", true], ["false", false]] as const) {
          if (this.src.startsWith(word, this.i)) {
            this.i += word.length;
            this.terminated();
            return v;
          }
        }
        throw this.error(`unexpected ${describe(c)}`);
      case "":
        throw this.error("expected a value, found the end of the document");
    }
    return this.dateOrNumber();
  }

  /** A scalar must be followed by something that can end it. */
  private terminated(): void {
    const c = this.peek();
    if (c === "" || c === " " || c === "\t" || c === "\n" || c === "\r" || c === "," || c === "]" || c === "}" || c === "#")
      return;
    throw this.error(`unexpected ${describe(c)} after a value`);
  }

  private dateOrNumber(): Value {
    const start = this.i;
    DATE_TIME.lastIndex = start;
    let m = DATE_TIME.exec(this.src);
    if (m) {
      const [, y, mo, d, h, mi, s, off, oh, om] = m;
      if (!validDate(+y!, +mo!, +d!)) throw this.error(`${m[0]} is not a valid date`, start);
      if (h !== undefined && !validTime(+h, +mi!, +s!)) throw this.error(`${m[0]} is not a valid time`, start);
      if (off !== undefined && oh !== undefined && (+oh > 23 || +om! > 59)) throw this.error(`${m[0]} has an invalid offset`, start);
      this.i += m[0].length;
      this.terminated();
      return m[0];
    }
    LOCAL_TIME.lastIndex = start;
    m = LOCAL_TIME.exec(this.src);
    if (m) {
      if (!validTime(+m[1]!, +m[2]!, +m[3]!)) throw this.error(`${m[0]} is not a valid time`, start);
      this.i += m[0].length;
      this.terminated();
      return m[0];
    }
    NUMBER_TOKEN.lastIndex = start;
    m = NUMBER_TOKEN.exec(this.src);
    if (!m) throw this.error(`expected a value, found ${describe(this.peek())}`);
    const tok = m[0];
    const n = numberValue(tok);
    if (n === undefined) throw this.error(`'${tok}' is not a valid value`, start);
    this.i += tok.length;
    this.terminated();
    return n;
  }

  private array(): Value[] {
    this.i++;
    const out: Value[] = [];
    for (;;) {
      this.skipBlank();
      if (this.peek() === "]") {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.skipBlank();
      if (this.peek() === ",") {
        this.i++;
        continue;
      }
      if (this.peek() === "]") {
        this.i++;
        return out;
      }
      throw this.error(`expected ',' or ']' in an array, found ${describe(this.peek())}`);
    }
  }

  private inlineTable(): WflObject {
    this.i++;
    const t = new WflObject();
    this.kinds.set(t, "dotted");
    this.skipSpace();
    if (this.peek() === "}") {
      this.i++;
      this.kinds.set(t, "inline");
      return t;
    }
    for (;;) {
      this.skipSpace();
      this.keyValue(t);
      this.skipSpace();
      if (this.peek() === ",") {
        this.i++;
        this.skipSpace();
        if (this.peek() === "}") throw this.error("a trailing comma is not allowed in an inline table");
        continue;
      }
      if (this.peek() === "}") {
        this.i++;
        this.close(t);
        return t;
      }
      throw this.error(`expected ',' or '}' in an inline table, found ${describe(this.peek())}`);
    }
  }

  /** Inline tables (and the tables dotted keys made inside them) cannot be extended later. */
  private close(t: WflObject): void {
    this.kinds.set(t, "inline");
    for (const v of t.values()) if (v instanceof WflObject && this.kinds.get(v) === "dotted") this.close(v);
  }

  // ---- strings --------------------------------------------------------------------------------

  private basicString(): string {
    const start = this.i;
    this.i++;
    let out = "";
    for (;;) {
      if (this.eof()) throw this.error("unterminated string", start);
      const c = this.src[this.i]!;
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === "\\") {
        out += this.escape();
        continue;
      }
      if (c === "\n" || c === "\r") throw this.error("unterminated string (a basic string cannot span lines)", start);
      this.checkControl(c);
      out += c;
      this.i++;
    }
  }

  /**
   * At a closing triple quote: up to two more quotes belong to the string's content (`""""` ends
   * with one `"` of content). Consumes them and returns that content.
   */
  private closeMultiline(quote: string, what: string): string {
    let q = 3;
    while (this.src[this.i + q] === quote) q++;
    if (q > 5) throw this.error(`too many quotes at the end of a ${what}`);
    this.i += q;
    return quote.repeat(q - 3);
  }

  private multilineBasicString(): string {
    const start = this.i;
    this.i += 3;
    this.newline();
    let out = "";
    for (;;) {
      if (this.eof()) throw this.error("unterminated multi-line string", start);
      const c = this.src[this.i]!;
      if (c === '"' && this.src.startsWith('"""', this.i)) return out + this.closeMultiline('"', "multi-line string");
      if (c === "\\") {
        // A backslash at the end of a line trims the newline and the whitespace after it.
        let j = this.i + 1;
        while (this.src[j] === " " || this.src[j] === "\t") j++;
        if (this.src[j] === "\n" || (this.src[j] === "\r" && this.src[j + 1] === "\n")) {
          this.i = j;
          for (;;) {
            if (this.newline()) continue;
            if (this.peek() !== " " && this.peek() !== "\t") break;
            this.i++;
          }
          continue;
        }
        out += this.escape();
        continue;
      }
      if (this.newline()) {
        out += "\n";
        continue;
      }
      this.checkControl(c);
      out += c;
      this.i++;
    }
  }

  private literalString(): string {
    const start = this.i;
    this.i++;
    const end = this.src.indexOf("'", this.i);
    const nl = this.src.slice(this.i, end < 0 ? undefined : end).search(/[\r\n]/);
    if (end < 0 || nl >= 0) throw this.error("unterminated literal string", start);
    const body = this.src.slice(this.i, end);
    for (const ch of body) this.checkControl(ch);
    this.i = end + 1;
    return body;
  }

  private multilineLiteralString(): string {
    const start = this.i;
    this.i += 3;
    this.newline();
    let out = "";
    for (;;) {
      if (this.eof()) throw this.error("unterminated multi-line literal string", start);
      const c = this.src[this.i]!;
      if (c === "'" && this.src.startsWith("'''", this.i)) return out + this.closeMultiline("'", "multi-line literal string");
      if (this.newline()) {
        out += "\n";
        continue;
      }
      this.checkControl(c);
      out += c;
      this.i++;
    }
  }

  private checkControl(c: string): void {
    const code = c.charCodeAt(0);
    if ((code < 32 && code !== 9) || code === 127)
      throw this.error(`control character U+${code.toString(16).toUpperCase().padStart(4, "0")} must be escaped`);
  }

  private escape(): string {
    const at = this.i;
    const e = this.src[this.i + 1];
    this.i += 2;
    switch (e) {
      case "b": return "\b";
      case "t": return "\t";
      case "n": return "\n";
      case "f": return "\f";
      case "r": return "\r";
      case '"': return '"';
      case "\\": return "\\";
      case "u":
      case "U": {
        const len = e === "u" ? 4 : 8;
        const hex = this.src.slice(this.i, this.i + len);
        if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) throw this.error(`\\${e} needs ${len} hex digits`, at);
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw this.error(`\\${e}${hex} is not a Unicode scalar value`, at);
        this.i += len;
        return String.fromCodePoint(cp);
      }
    }
    throw this.error(`invalid escape sequence \\${e ?? ""}`, at);
  }
}

function describe(c: string): string {
  if (c === "") return "the end of the document";
  if (c === "\n" || c === "\r") return "a line break";
  return `'${c}'`;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= dim;
}
function validTime(h: number, m: number, s: number): boolean {
  return h <= 23 && m <= 59 && s <= 60; // 60 allows a leap second
}

const DEC_INT = /^[+-]?(?:0|[1-9](?:_?[0-9])*)$/;
const FLOAT = /^[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/;
const RADIX: Record<string, [RegExp, number]> = {
  x: [/^0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*$/, 16],
  o: [/^0o[0-7](?:_?[0-7])*$/, 8],
  b: [/^0b[01](?:_?[01])*$/, 2],
};

function numberValue(tok: string): number | undefined {
  const unsigned = tok.replace(/^[+-]/, "");
  const neg = tok.startsWith("-");
  if (unsigned === "inf") return neg ? -Infinity : Infinity;
  if (unsigned === "nan") return NaN;
  const radix = RADIX[tok[1] ?? ""];
  if (tok[0] === "0" && radix) {
    if (!radix[0].test(tok)) return undefined;
    const digits = tok.slice(2).replace(/_/g, "");
    return Number(BigInt((radix[1] === 16 ? "0x" : radix[1] === 8 ? "0o" : "0b") + digits));
  }
  if (DEC_INT.test(tok)) return Number(tok.replace(/_/g, ""));
  if (FLOAT.test(tok) && /[.eE]/.test(tok)) return Number(tok.replace(/_/g, ""));
  return undefined;
}

// Translates WFL's English pattern language into a JavaScript RegExp (always with the `u` flag).
//
//   pattern      := sequence
//   sequence     := element ( ["then" | "followed by"] element )*      (line breaks are just spaces)
//   element      := quantified ( "or" quantified )*                    ("or" binds tighter than "then")
//   quantified   := ["lazy" | "greedy"] quantifier element  |  atom     (a quantifier covers the whole "or" list after it)
//   quantifier   := "one or more" | "zero or more" | "optional" | "exactly" N | N "to" M | "between" N "and" M
//                 | "at least" N | "at most" N | N "or more" | N "or fewer" | N "or less" | N
//   atom         := "quoted text" | "{" sequence "}" | "(" sequence ")" | class | anchor
//                 | "capture" quantified "as" NAME | "same as" ["captured"] NAME
//                 | "check" ["not"] ("ahead" | "behind") "for" quantified | "not" atom | reference
import { WflPattern, WflObject, type Value } from "../../runtime/values.js";
import { PatternSyntaxError, tokenize, type Tok } from "./tokens.js";

export { PatternSyntaxError };

/** Looks up a name used inside a pattern body (a text, a list of texts, or another pattern). */
export type PatternResolver = (name: string) => Value | undefined;

type Node =
  | { t: "lit"; text: string }
  | { t: "set"; body: string; neg: boolean }
  | { t: "seq"; items: Node[] }
  | { t: "alt"; items: Node[] }
  | { t: "rep"; min: number; max: number; lazy: boolean; item: Node }
  | { t: "cap"; name: string; item: Node }
  | { t: "look"; behind: boolean; neg: boolean; item: Node }
  | { t: "backref"; name: string }
  | { t: "raw"; src: string; prec: number };

const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19, twenty: 20,
};

/** Words with a meaning inside patterns; any other word is a reference to a variable or pattern. */
const KEYWORDS = new Set([
  "one", "or", "more", "zero", "optional", "exactly", "at", "least", "most", "between", "and", "to",
  "fewer", "less", "then", "followed", "by", "digit", "digits", "letter", "letters", "whitespace",
  "whitespaces", "space", "spaces", "tab", "tabs", "newline", "newlines", "any", "character", "characters",
  "char", "chars", "unicode", "category", "script", "capture", "as", "same", "captured", "check", "not",
  "ahead", "behind", "for", "start", "end", "of", "text", "line", "lazy", "greedy", "word", "boundary",
  "uppercase", "lowercase", "punctuation", "symbol", "symbols", "number", "numbers", "alphanumeric",
  ...Object.keys(NUMBER_WORDS),
]);

const CLASS_WORDS = new Set([
  "digit", "digits", "letter", "letters", "whitespace", "whitespaces", "alphanumeric", "punctuation",
  "space", "spaces", "tab", "tabs", "newline", "newlines", "character", "characters", "char", "chars",
  "uppercase", "lowercase",
]);

const DIGIT = "0-9";
const LETTER = "A-Za-z";
const PUNCT = "!-\\/:-@\\[-`\\{-~";

/** Escape text for use outside a character class (u-mode allows escaping syntax characters only). */
function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}
/** Escape text for use inside a character class. */
function escapeClass(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}
function cpLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Capture names may contain spaces in WFL; RegExp group names may not, and may contain `$`, which WFL names never do. */
export function encodeGroupName(name: string): string {
  return name.replace(/ /g, "$");
}
export function decodeGroupName(name: string): string {
  return name.replace(/\$/g, " ");
}

function describe(t: Tok): string {
  switch (t.kind) {
    case "eof":
      return "the end of the pattern";
    case "str":
      return `the text "${t.value}"`;
    case "num":
      return `the number ${t.value}`;
    default:
      return `"${t.value}"`;
  }
}

const SOMETHING = 'a quoted text, digit, letter, whitespace, any character or a group in { }';

class Parser {
  private i = 0;
  readonly captures = new Map<string, number>();
  readonly backrefs: { name: string; pos: number }[] = [];
  readonly references: string[] = [];

  constructor(private readonly toks: Tok[], private readonly resolve: PatternResolver | undefined, private readonly collectOnly = false) {}

  private peek(k = 0): Tok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Tok {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  private isWord(w: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "word" && t.value === w;
  }
  private fail(message: string, at: Tok | number): never {
    if (typeof at === "number") throw new PatternSyntaxError(message, at);
    // At the end of the body, point just after the last thing written (on its line).
    const last = this.toks.length >= 2 ? this.toks[this.toks.length - 2]! : undefined;
    throw new PatternSyntaxError(message, at.kind === "eof" ? (last ? last.end : 0) : at.pos);
  }
  /** True where an element cannot start: the end, a closing bracket, or a joining word. */
  private atElementEnd(): boolean {
    const t = this.peek();
    return t.kind === "eof" || t.kind === "close" || this.isWord("then") || this.isWord("followed") || this.isWord("or");
  }

  parsePattern(): Node {
    const first = this.peek();
    if (first.kind === "eof") {
      this.fail('This pattern is empty. Write what it should match, for example: one or more digit, or "hello".', 0);
    }
    const node = this.parseSequence();
    const t = this.peek();
    if (t.kind === "close") this.fail(`There is a "${t.value}" here with no matching "${t.value === "}" ? "{" : "("}" before it.`, t);
    if (t.kind !== "eof") this.fail(`Expected the pattern to continue or end, but found ${describe(t)}.`, t);
    for (const b of this.backrefs) {
      if (!this.captures.has(b.name)) {
        this.fail(
          `There is no capture called "${b.name}". Name one first with: capture { … } as ${b.name}`,
          b.pos,
        );
      }
    }
    return node;
  }

  private parseSequence(): Node {
    const items: Node[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof" || t.kind === "close") break;
      if (this.isWord("then") || this.isWord("followed")) {
        const op = this.next();
        let label = "then";
        if (op.value === "followed") {
          if (!this.isWord("by")) this.fail('Expected "by" after "followed", as in: followed by "@".', this.peek());
          this.next();
          label = "followed by";
        }
        if (items.length === 0) this.fail(`"${label}" needs something before it to follow on from.`, op);
        if (this.atElementEnd()) this.fail(`Expected something to match after "${label}", such as ${SOMETHING}.`, this.peek());
        items.push(this.parseElement());
        continue;
      }
      if (this.isWord("or")) {
        this.fail(`"or" needs a choice before it, for example: "a" or "b".`, t);
      }
      items.push(this.parseElement());
    }
    return items.length === 1 ? items[0]! : { t: "seq", items };
  }

  /** quantified ( "or" quantified )* */
  private parseElement(): Node {
    const items = [this.parseQuantified()];
    while (this.isWord("or")) {
      const orTok = this.next();
      if (this.atElementEnd()) {
        this.fail(`Expected another choice after "or", such as ${SOMETHING}.`, this.peek().kind === "eof" ? orTok : this.peek());
      }
      items.push(this.parseQuantified());
    }
    return items.length === 1 ? items[0]! : { t: "alt", items };
  }

  private readCount(after: string): number {
    const t = this.peek();
    if (t.kind === "num") {
      this.next();
      return Number.parseInt(t.value, 10);
    }
    if (t.kind === "word" && t.value in NUMBER_WORDS) {
      this.next();
      return NUMBER_WORDS[t.value]!;
    }
    return this.fail(`Expected a number after "${after}", but found ${describe(t)}.`, t);
  }

  private isCountAt(k: number): boolean {
    const t = this.peek(k);
    return t.kind === "num" || (t.kind === "word" && t.value in NUMBER_WORDS);
  }

  /** Reads a quantifier if one starts here. */
  private tryQuantifier(): { min: number; max: number; label: string } | undefined {
    const t = this.peek();
    if (t.kind === "word") {
      if ((t.value === "one" || t.value === "zero") && this.isWord("or", 1) && this.isWord("more", 2)) {
        this.next(); this.next(); this.next();
        return { min: t.value === "one" ? 1 : 0, max: Infinity, label: `${t.value} or more` };
      }
      switch (t.value) {
        case "optional":
          this.next();
          return { min: 0, max: 1, label: "optional" };
        case "exactly": {
          this.next();
          const n = this.readCount("exactly");
          return { min: n, max: n, label: `exactly ${n}` };
        }
        case "at": {
          if (this.isWord("least", 1) || this.isWord("most", 1)) {
            this.next();
            const which = this.next().value;
            const n = this.readCount(`at ${which}`);
            return which === "least" ? { min: n, max: Infinity, label: `at least ${n}` } : { min: 0, max: n, label: `at most ${n}` };
          }
          return this.fail('Expected "least" or "most" after "at", as in: at least 2 digits.', this.peek(1));
        }
        case "between": {
          this.next();
          const a = this.readCount("between");
          if (!this.isWord("and")) this.fail(`Expected "and" after "between ${a}", as in: between 2 and 4 letters.`, this.peek());
          this.next();
          const numTok = this.peek();
          const b = this.readCount("and");
          if (b < a) this.fail(`The range "between ${a} and ${b}" is backwards: put the smaller number first.`, numTok);
          return { min: a, max: b, label: `between ${a} and ${b}` };
        }
      }
    }
    if (this.isCountAt(0)) {
      // A count only starts a quantifier when something follows it; "zero"/"one" alone may still be names.
      const n = t.kind === "num" ? Number.parseInt(t.value, 10) : NUMBER_WORDS[t.value]!;
      if (this.isWord("to", 1)) {
        this.next(); this.next();
        const numTok = this.peek();
        const m = this.readCount(`${t.value} to`);
        if (m < n) this.fail(`The range "${n} to ${m}" is backwards: put the smaller number first.`, numTok);
        return { min: n, max: m, label: `${n} to ${m}` };
      }
      if (this.isWord("or", 1) && (this.isWord("more", 2) || this.isWord("fewer", 2) || this.isWord("less", 2))) {
        this.next(); this.next();
        const w = this.next().value;
        return w === "more" ? { min: n, max: Infinity, label: `${n} or more` } : { min: 0, max: n, label: `${n} or ${w}` };
      }
      this.next();
      return { min: n, max: n, label: t.value };
    }
    return undefined;
  }

  private parseQuantified(): Node {
    let lazy: boolean | undefined;
    const t = this.peek();
    if (this.isWord("lazy") || this.isWord("greedy")) {
      lazy = this.next().value === "lazy";
    }
    const q = this.tryQuantifier();
    if (!q) {
      if (lazy !== undefined) {
        this.fail(`Expected a repeat such as "one or more" after "${t.value}", as in: ${t.value} one or more any character.`, this.peek());
      }
      return this.parseAtom();
    }
    if (this.atElementEnd()) {
      const at = this.peek();
      this.fail(`Expected what to repeat after "${q.label}", as in: ${q.label} digit.` +
        (/^\d+$/.test(q.label) ? ` To match the number itself, put it in quotes: "${q.label}".` : ""), at.kind === "eof" ? t : at);
    }
    const item = this.parseElement();
    return { t: "rep", min: q.min, max: q.max, lazy: lazy ?? false, item };
  }

  /** A capture or back-reference name: a quoted text, or words on the same line (the first may be any word). */
  private readName(context: string): { name: string; pos: number } {
    const t = this.peek();
    if (t.kind === "str") {
      this.next();
      const name = t.value.trim().replace(/\s+/g, " ");
      if (!/^[\p{L}_][\p{L}\p{N}_ ]*$/u.test(name)) {
        this.fail(`"${t.value}" cannot be used as a capture name: use letters, digits and underscores, starting with a letter.`, t);
      }
      return { name, pos: t.pos };
    }
    if (t.kind !== "word") return this.fail(`Expected a name after "${context}", but found ${describe(t)}.`, t);
    this.next();
    const words = [t.value];
    while (this.peek().kind === "word" && this.peek().line === t.line && !KEYWORDS.has(this.peek().value)) {
      words.push(this.next().value);
    }
    return { name: words.join(" "), pos: t.pos };
  }

  /** A character-class word; call after consuming it (it may consume a following "letter"). */
  private classOf(word: string): Node | undefined {
    switch (word) {
      case "digit":
      case "digits":
        return { t: "set", body: DIGIT, neg: false };
      case "letter":
      case "letters":
        return { t: "set", body: LETTER, neg: false };
      case "whitespace":
      case "whitespaces":
        return { t: "set", body: "\\s", neg: false };
      case "alphanumeric":
        return { t: "set", body: LETTER + DIGIT, neg: false };
      case "punctuation":
        return { t: "set", body: PUNCT, neg: false };
      case "space":
      case "spaces":
        return { t: "lit", text: " " };
      case "tab":
      case "tabs":
        return { t: "lit", text: "\t" };
      case "newline":
      case "newlines":
        return { t: "lit", text: "\n" };
      case "character":
      case "characters":
      case "char":
      case "chars":
        return { t: "set", body: "\\s\\S", neg: false };
      case "uppercase":
      case "lowercase": {
        if (this.isWord("letter") || this.isWord("letters")) this.next();
        return { t: "set", body: word === "uppercase" ? "A-Z" : "a-z", neg: false };
      }
    }
    return undefined;
  }

  private parseUnicode(u: Tok): Node {
    const t = this.next();
    const prop = (p: string): Node => ({ t: "set", body: `\\p{${p}}`, neg: false });
    if (t.kind === "word") {
      switch (t.value) {
        case "letter":
        case "letters":
          return prop("L");
        case "digit":
        case "digits":
          return prop("Nd");
        case "number":
        case "numbers":
          return prop("N");
        case "uppercase":
        case "lowercase":
          if (this.isWord("letter") || this.isWord("letters")) this.next();
          return prop(t.value === "uppercase" ? "Lu" : "Ll");
        case "whitespace":
          return prop("White_Space");
        case "punctuation":
          return prop("P");
        case "symbol":
        case "symbols":
          return prop("S");
        case "category":
        case "script": {
          const nt = this.peek();
          if (nt.kind !== "str" && nt.kind !== "word") {
            this.fail(`Expected a Unicode ${t.value} name after "unicode ${t.value}", as in: unicode ${t.value} ${t.value === "script" ? '"Greek"' : '"Lu"'}.`, nt);
          }
          this.next();
          const name = nt.value.trim().replace(/\s+/g, "_");
          const body = t.value === "category" ? `\\p{${name}}` : `\\p{Script=${name}}`;
          let ok = /^[A-Za-z_]+$/.test(name) || /^[A-Za-z_]+=[A-Za-z_]+$/.test(name);
          if (ok) {
            try {
              new RegExp(`[${body}]`, "u");
            } catch {
              ok = false;
            }
          }
          if (!ok) {
            this.fail(
              t.value === "category"
                ? `"${nt.value}" is not a Unicode category. Try one such as "L" (letter), "Lu" (uppercase letter), "Nd" (decimal digit), "P" (punctuation) or "Emoji".`
                : `"${nt.value}" is not a Unicode script. Try one such as "Latin", "Greek", "Cyrillic", "Han" or "Arabic".`,
              nt,
            );
          }
          return { t: "set", body, neg: false };
        }
      }
    }
    return this.fail(
      `Expected letter, digit, uppercase letter, lowercase letter, whitespace, punctuation, symbol, category or script after "unicode", but found ${describe(t)}.`,
      t.kind === "eof" ? u : t,
    );
  }

  private parseAtom(): Node {
    const t = this.peek();
    switch (t.kind) {
      case "str":
        this.next();
        return { t: "lit", text: t.value };
      case "open": {
        this.next();
        const closer = t.value === "{" ? "}" : ")";
        if (this.peek().kind === "close" && this.peek().value === closer) {
          this.fail(`This group is empty. Put something to match between "${t.value}" and "${closer}".`, t);
        }
        const inner = this.parseSequence();
        const c = this.peek();
        if (c.kind !== "close" || c.value !== closer) {
          this.fail(`Expected "${closer}" to close the group opened with "${t.value}", but found ${describe(c)}.`, c.kind === "eof" ? t : c);
        }
        this.next();
        return inner;
      }
      case "close":
        return this.fail(`There is a "${t.value}" here with no matching "${t.value === "}" ? "{" : "("}" before it.`, t);
      case "eof":
        return this.fail(`Expected something to match, such as ${SOMETHING}, but the pattern ended.`, t);
      case "num":
        return this.fail(`Expected something to match, but found ${describe(t)}.`, t);
    }
    // A word.
    const w = t.value;
    if (CLASS_WORDS.has(w)) {
      this.next();
      return this.classOf(w)!;
    }
    switch (w) {
      case "any": {
        this.next();
        const n = this.peek();
        if (n.kind === "word") {
          if (n.value === "of") {
            this.next();
            const s = this.peek();
            if (s.kind !== "str" || s.value.length === 0) {
              this.fail('Expected quoted characters after "any of", as in: any of "aeiou".', s);
            }
            this.next();
            return { t: "set", body: escapeClass(s.value), neg: false };
          }
          if (CLASS_WORDS.has(n.value) && n.value !== "space" && n.value !== "tab" && n.value !== "newline") {
            this.next();
            return this.classOf(n.value)!;
          }
        }
        return this.fail(`Expected "character" after "any" (or a kind such as "any digit" or "any of \\"abc\\""), but found ${describe(n)}.`, n.kind === "eof" ? t : n);
      }
      case "unicode":
        this.next();
        return this.parseUnicode(t);
      case "start":
      case "end": {
        this.next();
        if (this.isWord("of") && (this.isWord("text", 1) || this.isWord("line", 1))) {
          this.next();
          const which = this.next().value;
          if (which === "text") return { t: "raw", src: w === "start" ? "^" : "$", prec: 1 };
          return { t: "raw", src: w === "start" ? "(?<![^\\n])" : "(?![^\\r\\n])", prec: 1 };
        }
        return this.fail(`Expected "of text" or "of line" after "${w}", as in: ${w} of text.`, this.peek().kind === "eof" ? t : this.peek());
      }
      case "word":
        if (this.isWord("boundary", 1)) {
          this.next(); this.next();
          return { t: "raw", src: "\\b", prec: 1 };
        }
        break;
      case "capture": {
        this.next();
        if (this.atElementEnd() || this.isWord("as")) {
          this.fail('Expected what to capture after "capture", as in: capture { one or more letter } as word.', this.peek().kind === "eof" ? t : this.peek());
        }
        const item = this.parseQuantified();
        if (!this.isWord("as")) {
          this.fail(`Expected "as" and a name after the captured part, as in: capture { one or more letter } as word. Found ${describe(this.peek())}.`, this.peek().kind === "eof" ? t : this.peek());
        }
        this.next();
        const { name, pos } = this.readName("as");
        if (this.captures.has(name)) this.fail(`There is already a capture called "${name}". Give each capture its own name.`, pos);
        this.captures.set(name, pos);
        return { t: "cap", name, item };
      }
      case "same": {
        this.next();
        if (!this.isWord("as")) this.fail('Expected "as captured" after "same", as in: same as captured "word".', this.peek().kind === "eof" ? t : this.peek());
        this.next();
        if (this.isWord("captured")) this.next();
        const { name, pos } = this.readName("same as captured");
        this.backrefs.push({ name, pos });
        return { t: "backref", name };
      }
      case "check": {
        this.next();
        let neg = false;
        if (this.isWord("not")) {
          this.next();
          neg = true;
        }
        if (!this.isWord("ahead") && !this.isWord("behind")) {
          this.fail(`Expected "ahead" or "behind" after "check${neg ? " not" : ""}", as in: check${neg ? " not" : ""} ahead for { "x" }.`, this.peek().kind === "eof" ? t : this.peek());
        }
        const behind = this.next().value === "behind";
        if (!this.isWord("for")) {
          this.fail(`Expected "for" after "check${neg ? " not" : ""} ${behind ? "behind" : "ahead"}", as in: check ${behind ? "behind" : "ahead"} for { "x" }.`, this.peek().kind === "eof" ? t : this.peek());
        }
        const forTok = this.next();
        if (this.atElementEnd()) this.fail('Expected what to check for after "for", as in: check ahead for { "x" }.', this.peek().kind === "eof" ? forTok : this.peek());
        const item = this.parseQuantified();
        return { t: "look", behind, neg, item };
      }
      case "not": {
        this.next();
        if (this.atElementEnd()) this.fail('Expected a character or kind of character after "not", as in: not digit.', this.peek().kind === "eof" ? t : this.peek());
        const inner = this.parseAtom();
        if (inner.t === "set") return { t: "set", body: inner.body, neg: !inner.neg };
        if (inner.t === "lit" && cpLength(inner.text) === 1) return { t: "set", body: escapeClass(inner.text), neg: true };
        if (inner.t === "alt" && inner.items.every(isSingleChar)) {
          return { t: "set", body: inner.items.map(classBody).join(""), neg: true };
        }
        return this.fail('Only a single character or a kind of character can follow "not", as in: not digit, or not "x".', t);
      }
    }
    if (KEYWORDS.has(w) && !(w in NUMBER_WORDS)) {
      return this.fail(`Expected something to match, such as ${SOMETHING}, but found "${w}".`, t);
    }
    return this.parseReference();
  }

  /** Consecutive ordinary words on one line name a variable: a text, a list of texts, or another pattern. */
  private parseReference(): Node {
    const t = this.next();
    const words = [t.value];
    while (this.peek().kind === "word" && this.peek().line === t.line && !KEYWORDS.has(this.peek().value)) {
      words.push(this.next().value);
    }
    const name = words.join(" ");
    this.references.push(name);
    if (this.collectOnly) return { t: "lit", text: "" };
    const v = this.resolve ? this.resolve(name) : undefined;
    if (v === undefined) {
      this.fail(`"${name}" is not a pattern word or a known variable. To match it literally, put it in quotes: "${name}".`, t);
    }
    const node = valueToNode(v);
    if (!node) {
      this.fail(`"${name}" cannot be used inside a pattern: only a text, a number, a list of texts or another pattern can.`, t);
    }
    return node;
  }
}

function isSingleChar(n: Node): boolean {
  return (n.t === "set" && !n.neg) || (n.t === "lit" && cpLength(n.text) === 1);
}
function classBody(n: Node): string {
  return n.t === "set" ? n.body : escapeClass((n as { text: string }).text);
}

function valueToNode(v: Value): Node | undefined {
  if (typeof v === "string") return { t: "lit", text: v };
  if (typeof v === "number") return { t: "lit", text: String(v) };
  if (v instanceof WflPattern) return { t: "raw", src: `(?:${v.regex.source})`, prec: 2 };
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    const items: Node[] = [];
    for (const x of v) {
      if (Array.isArray(x) || x instanceof WflObject) return undefined;
      const n = valueToNode(x);
      if (!n) return undefined;
      items.push(n);
    }
    return items.length === 1 ? items[0] : { t: "alt", items };
  }
  return undefined;
}

interface Emitted {
  src: string;
  /** 0: alternation, 1: sequence (or something not directly quantifiable), 2: a quantifiable atom. */
  prec: number;
}

function wrap(e: Emitted, need: number): string {
  return e.prec >= need ? e.src : `(?:${e.src})`;
}

function emit(n: Node): Emitted {
  switch (n.t) {
    case "lit":
      return { src: escapeLiteral(n.text), prec: cpLength(n.text) === 1 ? 2 : 1 };
    case "set":
      if (n.body === "\\s\\S") return { src: n.neg ? "[^\\s\\S]" : "[\\s\\S]", prec: 2 };
      if (!n.neg && /^(?:\\[pP]\{[^}]+\}|\\[sSdDwW])$/.test(n.body)) return { src: n.body, prec: 2 };
      return { src: `[${n.neg ? "^" : ""}${n.body}]`, prec: 2 };
    case "seq":
      if (n.items.length === 0) return { src: "", prec: 1 };
      if (n.items.length === 1) return emit(n.items[0]!);
      return { src: n.items.map((x) => wrap(emit(x), 1)).join(""), prec: 1 };
    case "alt":
      if (n.items.every(isSingleChar)) {
        return { src: `[${n.items.map(classBody).join("")}]`, prec: 2 };
      }
      return { src: n.items.map((x) => emit(x).src).join("|"), prec: 0 };
    case "rep": {
      const inner = wrap(emit(n.item), 2);
      let q: string;
      if (n.min === 0 && n.max === 1) q = "?";
      else if (n.min === 0 && n.max === Infinity) q = "*";
      else if (n.min === 1 && n.max === Infinity) q = "+";
      else if (n.max === Infinity) q = `{${n.min},}`;
      else if (n.min === n.max) q = `{${n.min}}`;
      else q = `{${n.min},${n.max}}`;
      return { src: inner + q + (n.lazy ? "?" : ""), prec: 1 };
    }
    case "cap":
      return { src: `(?<${encodeGroupName(n.name)}>${emit(n.item).src})`, prec: 2 };
    case "look":
      return { src: `(?${n.behind ? "<" : ""}${n.neg ? "!" : "="}${emit(n.item).src})`, prec: 1 };
    case "backref":
      return { src: `\\k<${encodeGroupName(n.name)}>`, prec: 2 };
    case "raw":
      return { src: n.src, prec: n.prec };
  }
}

/** The regular-expression source (for the `u` flag) a pattern body translates to. */
export function patternToRegexSource(body: string, resolve?: PatternResolver): string {
  const p = new Parser(tokenize(body), resolve);
  return emit(p.parsePattern()).src;
}

const cache = new Map<string, WflPattern>();
const CACHE_LIMIT = 1000;

/**
 * Compile a pattern body (the lines between `create pattern NAME:` and `end pattern`).
 * Throws PatternSyntaxError with an offset into `body`. Words that are not pattern words
 * are looked up with `resolve` (a text, number, list of texts or pattern); without a
 * resolver they are an error.
 */
export function compilePattern(body: string, resolve?: PatternResolver): WflPattern {
  if (!resolve) {
    const hit = cache.get(body);
    if (hit) return hit;
  }
  const src = patternToRegexSource(body, resolve);
  let regex: RegExp;
  try {
    regex = new RegExp(src, "u");
  } catch (e) {
    throw new PatternSyntaxError(`This pattern could not be built: ${(e as Error).message}`, 0);
  }
  const pat = new WflPattern(regex, body);
  if (!resolve) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(body, pat);
  }
  return pat;
}

/** Names (variables or patterns) a body refers to; throws PatternSyntaxError like compilePattern for other mistakes. */
export function patternReferences(body: string): string[] {
  const p = new Parser(tokenize(body), undefined, true);
  p.parsePattern();
  return [...new Set(p.references)];
}

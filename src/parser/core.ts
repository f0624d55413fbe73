// The core of the grammar, with Chevrotain's embedded-actions parser (no CST: rules build nodes
// directly). Feature rooms (`src/features/<area>/syntax.ts`) extend this class with their own rules
// and contribute alternatives to the tables below; `src/features/syntax.ts` composes them.
// Spans come from tokens only, because during Chevrotain's grammar-recording phase sub-rule results
// are placeholders and must not be inspected.
import { EmbeddedActionsParser, EOF, MismatchedTokenException, NotAllInputParsedException, isRecognitionException, tokenMatcher, type IOrAlt, type IToken, type TokenType } from "chevrotain";
import * as T from "../lexer/tokens.js";
import { KEYWORDS } from "../lexer/tokens.js";
import { K } from "./keywords.js";
import type { Expr, Stmt, Param, Handler, RouteArm, BinaryOp } from "../ast/nodes.js";
import { kindOfWhenPhrase } from "../diagnostics/catalogue.js";
import type { Span } from "../ast/span.js";
import { wflErrorMessageProvider, describeToken } from "./messages.js";

/** Soft keywords that may begin a multi-word name (`default value`, `new total`, `main menu`). */
const SOFT_RUN_STARTERS = new Set(["default", "defaults", "new", "back", "main", "static", "event", "called", "needs", "down", "program", "module", "url", "setup", "teardown"]);

/** Builtins that take arguments after `with` (`push with L and v`); `count` is excluded, as upstream. */
const WITH_CALLABLE = new Set(["push", "join", "length", "substring", "replace_text", "contains", "indexof"]);

/** At most this many syntax errors are reported for one file; parsing stops after that. */
export const MAX_SYNTAX_ERRORS = 25;

/** What a feature room adds to the grammar's alternations. */
export interface Contribution {
  /** Statement alternatives (tried before the expression statement). */
  statements?: IOrAlt<Stmt>[];
  /** Statement alternatives tried after every other statement but before expression statements. */
  fallbackStatements?: IOrAlt<Stmt>[];
  /** Value alternatives (tried before a plain name). */
  primaries?: IOrAlt<Expr>[];
  /** What may follow `wait for` (the `wait` token is `waitStart`). */
  waitFor?: IOrAlt<Stmt>[];
}

/** The parser class a room extends (abstract: the composed parser is built in src/features/syntax.ts). */
export type ParserClass = abstract new (...args: any[]) => CoreParser;

export abstract class CoreParser extends EmbeddedActionsParser {
  constructor(protected readonly builtinNames: ReadonlySet<string> = new Set()) {
    super(T.allTokens, {
      maxLookahead: 1,
      recoveryEnabled: false,
      errorMessageProvider: wflErrorMessageProvider,
      // Ambiguities in this grammar are resolved by alternative order and gates, on purpose.
      skipValidations: process.env.WFL_PARSER_VALIDATE !== "1",
    });
  }

  // ── the tables feature rooms contribute to ──────────────────────────────

  private readonly statementAlts: IOrAlt<Stmt>[] = [];
  private readonly fallbackAlts: IOrAlt<Stmt>[] = [];
  private readonly primaryAlts: IOrAlt<Expr>[] = [];
  private readonly waitForAlts: IOrAlt<Stmt>[] = [];
  /** The `wait` token of the `wait for …` being parsed (for the spans of `waitFor` tails). */
  protected waitStart: IToken | undefined;

  /** Adds a room's alternatives (called from the room's field initialisers). */
  protected contribute(c: Contribution): Contribution {
    if (c.statements) this.statementAlts.push(...c.statements);
    if (c.fallbackStatements) this.fallbackAlts.push(...c.fallbackStatements);
    if (c.primaries) this.primaryAlts.push(...c.primaries);
    if (c.waitFor) this.waitForAlts.push(...c.waitFor);
    return c;
  }

  /** Closes the tables and analyses the grammar: called once, by the composed parser's constructor. */
  protected finish(): void {
    this.statementAlts.push(...this.fallbackAlts, { ALT: () => this.SUBRULE(this.exprStmt) });
    this.primaryAlts.push({ ALT: () => this.SUBRULE(this.namedValue) });
    this.waitForAlts.push({
      ALT: () => {
        const start = this.waitStart;
        const stmt = this.SUBRULE2(this.statement);
        return { kind: "WaitFor", stmt, span: this.spanFrom(start) } as Stmt;
      },
    });
    this.performSelfAnalysis();
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  protected spanFrom(start: IToken | undefined): Span {
    if (!start || !Number.isFinite(start.startOffset)) return { start: 0, end: 1 };
    // The statement's last token, not the newline that ended it.
    let last = this.LA(0);
    if (last && last.tokenType === T.Newline) last = this.LA(-1);
    const s = start.startOffset;
    const e = last && Number.isFinite(last.endOffset) ? (last.endOffset as number) + 1 : s + 1;
    return { start: s, end: Math.max(e, s + 1) };
  }
  protected tokSpan(t: IToken | undefined): Span {
    if (!t || !Number.isFinite(t.startOffset)) return { start: 0, end: 1 };
    return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
  }
  protected isWord(k: number, word: string): boolean {
    const t = this.LA(k);
    return t.tokenType !== EOF && t.image === word;
  }
  /** True when one of `words` occurs on the rest of this line, from token k on (rooms' gates). */
  protected lineHasWord(k: number, ...words: string[]): boolean {
    for (let i = k; i < 256; i++) {
      const t = this.LA(i);
      if (t.tokenType === T.Newline || t.tokenType === EOF) return false;
      if (words.includes(t.image)) return true;
    }
    return false;
  }
  /** True when token k is one of `words` (a plain word, matched by its text). */
  protected isOneOf(k: number, words: readonly string[]): boolean {
    const t = this.LA(k);
    return t.tokenType !== EOF && words.includes(t.image);
  }
  /**
   * A fixed word of a statement that is not a keyword (`port` in `listen on port`): consumed as a
   * plain word and checked by its text, so `listen on banana 8080` is a syntax error. `idx` is the
   * occurrence index (1–9), as for CONSUME1…CONSUME9. Several words: any one of them.
   */
  protected word(idx: number, ...words: string[]): IToken {
    return this.wordOf(idx, words);
  }
  /** `word`, with what the error message lists as expected (when other alternatives exist too). */
  protected wordOf(idx: number, words: readonly string[], expected: readonly string[] = words): IToken {
    const t = this.consume(idx, T.Identifier);
    if (!this.RECORDING_PHASE && !words.includes(t.image)) this.reject(t, expected);
    return t;
  }
  /** A syntax error at token `t`: "Expected 'x' here, but found …". */
  protected reject(t: IToken, words: readonly string[]): never {
    const wanted = words.map((w) => `'${w}'`);
    const list = wanted.length === 1 ? wanted[0] : `${wanted.slice(0, -1).join(", ")} or ${wanted[wanted.length - 1]}`;
    const err = new MismatchedTokenException(`Expected ${list} here, but found ${describeToken(t)}.`, t, this.LA(0));
    throw (this as unknown as { SAVE_ERROR(e: Error): Error }).SAVE_ERROR(err);
  }
  /** The end of a statement: a newline, or the end of the file. */
  protected eos(): void {
    this.OR9([
      { ALT: () => { this.CONSUME9(T.Newline); } },
      { GATE: () => this.LA(1).tokenType === EOF, ALT: () => {} },
    ]);
  }
  /** `:` then the end of the line (a statement may also follow on the same line). */
  protected blockOpen(): void {
    this.CONSUME8(T.Colon);
    this.OPTION9(() => this.CONSUME8(T.Newline));
  }
  protected endOf(t: TokenType): void {
    this.CONSUME7(K.end);
    this.CONSUME7(t);
    this.eos();
  }

  // ── program and blocks ──────────────────────────────────────────────────

  program = this.RULE("program", (): Stmt[] => {
    this.OPTION(() => this.CONSUME(T.Newline));
    const body = this.SUBRULE(this.block);
    // Recovery: a line no statement can start (a stray `end`, `otherwise`, …) is reported and
    // skipped, and parsing goes on with the next line.
    while (!this.RECORDING_PHASE && this.LA(1).tokenType !== EOF && this.errors.length < MAX_SYNTAX_ERRORS) {
      const t = this.LA(1);
      this.reportHere(new NotAllInputParsedException(wflErrorMessageProvider.buildNotAllInputParsedMessage({ firstRedundant: t, ruleName: "program" }), t));
      this.skipLine();
      body.push(...this.SUBRULE2(this.block));
    }
    return body;
  });

  block = this.RULE("block", (): Stmt[] => {
    const body: Stmt[] = [];
    // A statement that failed to parse (and was skipped: see `statement`) adds nothing.
    this.MANY(() => { const s = this.SUBRULE(this.statement); if (s) body.push(s); });
    return body;
  });

  /** Saves a syntax error as Chevrotain's own are saved (with the rule stack, for messages). */
  private reportHere(e: Error): void {
    (this as unknown as { SAVE_ERROR(e: Error): Error }).SAVE_ERROR(e);
  }

  /** Skips to the start of the next line (recovery after a syntax error). */
  private skipLine(): void {
    while (this.LA(1).tokenType !== EOF && this.LA(1).tokenType !== T.Newline) this.SKIP_TOKEN();
    if (this.LA(1).tokenType === T.Newline) this.SKIP_TOKEN();
  }

  /** An identifier: a run of plain words (`user name`), or one soft keyword (`count`). */
  identifier = this.RULE("identifier", (): string => {
    const first = this.LA(1);
    let name: string = this.OR({ IGNORE_AMBIGUITIES: true, DEF: [
      {
        ALT: () => {
          let name = this.CONSUME(T.Identifier).image;
          this.MANY({
            GATE: () => this.identifierStops.size === 0 || !this.identifierStops.has(this.LA(1).image),
            DEF: () => { name += " " + this.CONSUME2(T.Identifier).image; },
          });
          return name;
        },
      },
      {
        ALT: () => {
          const first = this.CONSUME(T.AnyIdent).image;
          let name = first;
          // A few soft keywords read as ordinary words when a plain word follows (`default value`).
          this.MANY2({
            GATE: () => SOFT_RUN_STARTERS.has(first) && this.LA(1).tokenType === T.Identifier,
            DEF: () => { name += " " + this.CONSUME3(T.Identifier).image; },
          });
          return name;
        },
      },
    ] });
    // A name declared with a keyword inside it (`store page count as 1`) reads as one name again.
    this.MANY3({
      GATE: () => this.continuesDeclaredName(name),
      DEF: () => { name += " " + this.CONSUME2(T.AnyIdent).image; },
    });
    this.ACTION(() => { this.lastNameSpan = this.spanFrom(first); });
    return name;
  });

  /** The span of the name the last `identifier` read (binders take it right after reading one). */
  protected lastNameSpan: Span = { start: 0, end: 0 };

  /**
   * Words that end a multi-word name while a rule needs them (`verify password attempt against h`
   * sets `against`); empty otherwise.
   */
  protected identifierStops: ReadonlySet<string> = new Set();
  protected withIdentifierStops<T>(words: ReadonlySet<string>, run: () => T): T {
    const saved = this.identifierStops;
    this.identifierStops = words;
    try {
      return run();
    } finally {
      this.identifierStops = saved;
    }
  }

  /**
   * Names declared with a soft keyword inside (`page count`), so later uses read as one name.
   * Filled as `store` lines are parsed (a name is declared before it is used); reset per parse.
   */
  declaredNames = new Set<string>();
  private continuesDeclaredName(name: string): boolean {
    if (this.declaredNames.size === 0) return false;
    const t = this.LA(1);
    if (!tokenMatcher(t, T.AnyIdent)) return false;
    const prefix = `${name} ${t.image}`;
    for (const d of this.declaredNames) if (d === prefix || d.startsWith(prefix + " ")) return true;
    return false;
  }

  /** A declared name: an identifier, continued through soft keywords up to `as` (`store page count as 1`). */
  declaredName = this.RULE("declaredName", (): string => {
    const first = this.LA(1);
    let name = this.SUBRULE(this.identifier);
    this.MANY({
      GATE: () => this.softWordsThenAs(),
      DEF: () => { name += " " + this.CONSUME(T.AnyIdent).image; },
    });
    // Names with a soft keyword in them (`page count`, `file name`) are remembered, so later uses
    // read as one name (`identifier`).
    this.ACTION(() => {
      if (name.split(" ").some((w) => KEYWORDS.has(w))) this.declaredNames.add(name);
      this.lastNameSpan = this.spanFrom(first);
    });
    return name;
  });
  /** True when the next tokens are names or soft keywords up to `as` (`store file name as …`). */
  private softWordsThenAs(): boolean {
    for (let k = 1; k < 16; k++) {
      const t = this.LA(k);
      if (t.tokenType === K.as) return k > 1;
      if (!tokenMatcher(t, T.AnyIdent)) return false;
    }
    return false;
  }

  statement = this.RULE("statement", (): Stmt => {
    // Alternatives that share a first word are told apart by their gates; expression statements come last.
    if (this.RECORDING_PHASE) return this.OR({ IGNORE_AMBIGUITIES: true, MAX_LOOKAHEAD: 1, DEF: this.statementAlts });
    try {
      return this.OR({ IGNORE_AMBIGUITIES: true, MAX_LOOKAHEAD: 1, DEF: this.statementAlts });
    } catch (e) {
      // Recovery: the error is already saved; skip the rest of the line and go on, so one parse
      // reports every syntax error of a file (up to MAX_SYNTAX_ERRORS) and tools get a partial tree.
      if (!isRecognitionException(e as Error) || this.errors.length >= MAX_SYNTAX_ERRORS) throw e;
      this.skipLine();
      // The caller (`block`) drops the missing statement.
      return undefined as unknown as Stmt;
    }
  });

  /** The core language's statements (feature rooms add theirs through `contribute`). */
  protected readonly coreStatements = this.contribute({
    statements: [
      // (`store session_data to storage …` is the sessions room's, from the upstream TDD program.)
      { GATE: () => !(this.isWord(2, "session_data") && this.LA(3).tokenType === K.to), ALT: () => this.SUBRULE(this.storeStmt) },
      { ALT: () => this.SUBRULE(this.changeStmt) },
      { ALT: () => this.SUBRULE(this.displayStmt) },
      { ALT: () => this.SUBRULE(this.checkStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { GATE: () => this.LA(2).tokenType === K.from, ALT: () => this.SUBRULE(this.countStmt) },
      { GATE: () => this.LA(1).tokenType === K.count && this.isWord(2, "through"), ALT: () => this.SUBRULE(this.countThroughStmt) },
      { ALT: () => this.SUBRULE(this.forEachStmt) },
      { ALT: () => this.SUBRULE(this.repeatStmt) },
      { ALT: () => this.SUBRULE(this.loopControlStmt) },
      { ALT: () => this.SUBRULE(this.defineStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.tryStmt) },
      { ALT: () => this.SUBRULE(this.routeStmt) },
      { ALT: () => this.SUBRULE(this.mutateStmt) },
      { GATE: () => this.LA(2).tokenType === K.list && this.LA(3).tokenType !== T.Newline, ALT: () => this.SUBRULE(this.createList) },
      { GATE: () => this.LA(2).tokenType === K.map && this.LA(3).tokenType !== T.Newline, ALT: () => this.SUBRULE(this.createMap) },
      { GATE: () => this.LA(2).tokenType === K.new && this.LA(3).tokenType === K.constant, ALT: () => this.SUBRULE(this.createConstant) },
      { ALT: () => this.SUBRULE(this.waitStmt) },
      { ALT: () => this.SUBRULE(this.exportStmt) },
    ],
  });

  // ── variables ───────────────────────────────────────────────────────────

  storeStmt = this.RULE("storeStmt", (): Stmt => {
    const start = this.CONSUME(K.store);
    let constant = false;
    this.OPTION({
      GATE: () => this.LA(1).tokenType === K.new && this.LA(2).tokenType === K.constant,
      DEF: () => { this.CONSUME(K.new); this.CONSUME(K.constant); constant = true; },
    });
    const nameTok = this.LA(1);
    const name = this.SUBRULE(this.declaredName);
    const nameSpan = this.spanFrom(nameTok);
    this.CONSUME(K.as);
    const value = this.SUBRULE(this.expression);
    this.eos();
    return { kind: "Store", name, nameSpan, value, constant, span: this.spanFrom(start) };
  });

  changeStmt = this.RULE("changeStmt", (): Stmt => {
    const start = this.CONSUME(K.change);
    const target = this.SUBRULE(this.postfix);
    this.CONSUME(K.to);
    const value = this.SUBRULE(this.expression);
    this.eos();
    return { kind: "Change", target, value, span: this.spanFrom(start) };
  });

  displayStmt = this.RULE("displayStmt", (): Stmt => {
    const start = this.CONSUME(K.display);
    const values: Expr[] = [];
    this.AT_LEAST_ONE(() => { values.push(this.SUBRULE(this.expression)); });
    this.eos();
    return { kind: "Display", values, span: this.spanFrom(start) };
  });

  // ── conditionals ────────────────────────────────────────────────────────

  checkStmt = this.RULE("checkStmt", (): Stmt => {
    const start = this.LA(1);
    const node = this.SUBRULE(this.checkChain);
    this.endOf(K.check);
    return this.ACTION(() => ({ ...node, span: this.spanFrom(start) }));
  });

  /** `check if c: … [otherwise check if …] [otherwise: …]` without the closing `end check`. */
  checkChain = this.RULE("checkChain", (): Stmt & { kind: "If" } => {
    const start = this.CONSUME(K.check);
    this.CONSUME(K.if);
    const cond = this.SUBRULE(this.expression);
    this.blockOpen();
    const then = this.SUBRULE(this.block);
    let otherwise: Stmt[] | null = null;
    this.OPTION(() => {
      this.CONSUME(K.otherwise);
      this.OR({ IGNORE_AMBIGUITIES: true, DEF: [
        { ALT: () => { otherwise = [this.SUBRULE(this.checkChain)]; } },
        {
          ALT: () => {
            this.OPTION2(() => this.CONSUME(T.Colon));
            this.OPTION3(() => this.CONSUME(T.Newline));
            otherwise = this.SUBRULE2(this.block);
          },
        },
      ] });
    });
    return { kind: "If", cond, then, otherwise, span: this.spanFrom(start) };
  });

  /** `if c then stmt` on one line, or `if c then|:` … [`otherwise` …] `end if`. */
  ifStmt = this.RULE("ifStmt", (): Stmt => {
    const start = this.CONSUME(K.if);
    const cond = this.SUBRULE(this.expression);
    let then: Stmt[] = [];
    let otherwise: Stmt[] | null = null;
    this.OR([
      { ALT: () => { this.CONSUME(K.then); } },
      { ALT: () => { this.CONSUME(T.Colon); } },
    ]);
    this.OR2([
      {
        ALT: () => {
          this.CONSUME(T.Newline);
          then = this.SUBRULE(this.block);
          this.OPTION(() => {
            this.CONSUME(K.otherwise);
            this.OPTION2(() => this.CONSUME2(T.Colon));
            this.OPTION3(() => this.CONSUME2(T.Newline));
            otherwise = this.SUBRULE2(this.block);
          });
          this.endOf(K.if);
        },
      },
      { ALT: () => { then = [this.SUBRULE(this.statement)]; } },
    ]);
    return { kind: "If", cond, then, otherwise, span: this.spanFrom(start) };
  });

  // ── loops ───────────────────────────────────────────────────────────────

  countStmt = this.RULE("countStmt", (): Stmt => {
    const start = this.CONSUME(K.count);
    this.CONSUME(K.from);
    const from = this.SUBRULE(this.additive);
    let down = false;
    this.OPTION(() => { this.CONSUME(K.down); down = true; });
    this.CONSUME(K.to);
    const to = this.SUBRULE2(this.additive);
    let step: Expr | null = null;
    this.OPTION2(() => { this.CONSUME(K.by); step = this.SUBRULE3(this.additive); });
    let varName = "count";
    let varNameSpan: Span | null = null;
    this.OPTION3(() => { this.CONSUME(K.as); varName = this.SUBRULE(this.identifier); varNameSpan = this.lastNameSpan; });
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.count);
    return { kind: "CountLoop", from, to, step, down, varName, varNameSpan, body, span: this.spanFrom(start) };
  });

  /** `count through L as item:` … `end count`: `for each item in L` spelled as a count loop. */
  countThroughStmt = this.RULE("countThroughStmt", (): Stmt => {
    const start = this.CONSUME(K.count);
    this.word(1, "through");
    const iterable = this.SUBRULE(this.expression);
    this.CONSUME(K.as);
    const name = this.SUBRULE(this.identifier);
    const nameSpan = this.lastNameSpan;
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.count);
    return { kind: "ForEach", name, nameSpan, iterable, reversed: false, body, span: this.spanFrom(start) };
  });

  forEachStmt = this.RULE("forEachStmt", (): Stmt => {
    const start = this.CONSUME(K.for);
    this.CONSUME(K.each);
    const name = this.SUBRULE(this.identifier);
    const nameSpan = this.lastNameSpan;
    this.CONSUME(K.in);
    let reversed = false;
    this.OPTION({
      GATE: () => this.LA(2).tokenType !== T.Colon,
      DEF: () => { this.CONSUME(K.reversed); reversed = true; },
    });
    const iterable = this.SUBRULE(this.expression);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.for);
    return { kind: "ForEach", name, nameSpan, iterable, reversed, body, span: this.spanFrom(start) };
  });

  repeatStmt = this.RULE("repeatStmt", (): Stmt => {
    return this.OR([
      { GATE: () => this.LA(2).tokenType === K.while, ALT: () => this.SUBRULE(this.repeatWhile) },
      { GATE: () => this.LA(2).tokenType === K.until, ALT: () => this.SUBRULE(this.repeatUntil) },
      { GATE: () => this.LA(2).tokenType === K.forever, ALT: () => this.SUBRULE(this.repeatForever) },
      { ALT: () => this.SUBRULE(this.repeatDoUntil) },
    ]);
  });

  repeatWhile = this.RULE("repeatWhile", (): Stmt => {
    const start = this.CONSUME(K.repeat);
    this.CONSUME(K.while);
    const cond = this.SUBRULE(this.expression);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.repeat);
    return { kind: "While", cond, until: false, body, span: this.spanFrom(start) };
  });

  repeatUntil = this.RULE("repeatUntil", (): Stmt => {
    const start = this.CONSUME(K.repeat);
    this.CONSUME(K.until);
    const cond = this.SUBRULE(this.expression);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.repeat);
    return { kind: "While", cond, until: true, body, span: this.spanFrom(start) };
  });

  repeatForever = this.RULE("repeatForever", (): Stmt => {
    const start = this.CONSUME(K.repeat);
    this.CONSUME(K.forever);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.repeat);
    return { kind: "Forever", body, span: this.spanFrom(start) };
  });

  /** `repeat:` … `until c` */
  repeatDoUntil = this.RULE("repeatDoUntil", (): Stmt => {
    const start = this.CONSUME(K.repeat);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.CONSUME(K.until);
    const cond = this.SUBRULE(this.expression);
    this.eos();
    return { kind: "DoUntil", cond, body, span: this.spanFrom(start) };
  });


  loopControlStmt = this.RULE("loopControlStmt", (): Stmt => {
    const start = this.LA(1);
    const node = this.OR([
      { ALT: () => { this.CONSUME(K.break); return { kind: "Break" } as const; } },
      { ALT: () => { this.CONSUME(K.continue); return { kind: "Continue" } as const; } },
      { ALT: () => { this.CONSUME(K.skip); return { kind: "Continue" } as const; } },
      {
        ALT: () => {
          this.CONSUME(K.exit);
          return this.OR2([
            { ALT: () => { this.CONSUME(K.program); return { kind: "ExitProgram", code: null } as const; } },
            { ALT: () => { this.CONSUME(K.loop); return { kind: "ExitLoop" } as const; } },
            {
              // `exit with code N`: end the program with exit status N.
              ALT: () => {
                this.CONSUME(K.with);
                this.word(1, "code");
                const code = this.SUBRULE(this.additive);
                return { kind: "ExitProgram", code } as const;
              },
            },
            { ALT: () => ({ kind: "ExitLoop" }) as const },
          ]);
        },
      },
    ]);
    this.eos();
    return { ...node, span: this.spanFrom(start) };
  });

  // ── actions ─────────────────────────────────────────────────────────────

  defineStmt = this.RULE("defineStmt", (): Stmt => {
    const start = this.CONSUME(K.define);
    this.CONSUME(K.action);
    this.CONSUME(K.called);
    const nameTok = this.LA(1);
    const name = this.SUBRULE(this.identifier);
    const nameSpan = this.spanFrom(nameTok);
    const params = this.SUBRULE(this.actionParams);
    let returnType: string | null = null;
    this.OPTION3({
      GATE: () => this.LA(2).tokenType !== T.Newline,
      DEF: () => {
        this.CONSUME(T.Colon);
        returnType = this.SUBRULE2(this.identifier);
      },
    });
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.action);
    return { kind: "ActionDef", name, nameSpan, params, returnType, body, span: this.spanFrom(start) };
  });

  /** An action's parameters, if any: `with [parameters] a and b` or `needs a: T, b: T`. */
  actionParams = this.RULE("actionParams", (): Param[] => {
    let params: Param[] = [];
    this.OPTION(() => {
      this.OR([
        { ALT: () => { this.CONSUME(K.with); this.OPTION2(() => this.CONSUME(K.parameters)); } },
        { ALT: () => { this.CONSUME(K.needs); } },
      ]);
      params = this.SUBRULE(this.paramList);
    });
    return params;
  });

  paramList = this.RULE("paramList", (): Param[] => {
    const params: Param[] = [this.SUBRULE(this.param)];
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(K.and) }, { ALT: () => this.CONSUME(T.Comma) }]);
      params.push(this.SUBRULE2(this.param));
    });
    return params;
  });

  param = this.RULE("param", (): Param => {
    const start = this.LA(1);
    const name = this.SUBRULE(this.identifier);
    const nameSpan = this.lastNameSpan;
    let type: string | null = null;
    let defaultValue: Expr | null = null;
    this.OPTION({
      // `n as number`, or the container form `n: Number` (a `:` before a newline opens the body instead).
      GATE: () => this.LA(1).tokenType === K.as || (this.LA(1).tokenType === T.Colon && this.LA(2).tokenType !== T.Newline),
      DEF: () => {
      this.OR([{ ALT: () => this.CONSUME(K.as) }, { ALT: () => this.CONSUME(T.Colon) }]);
      type = this.OR2([
        { ALT: () => this.SUBRULE2(this.identifier) },
        { ALT: () => this.CONSUME(K.nothing).image },
      ]);
      },
    });
    this.OPTION2(() => {
      this.CONSUME(K.default);
      defaultValue = this.SUBRULE(this.additive);
    });
    return { name, nameSpan, type, defaultValue, span: this.spanFrom(start) };
  });

  returnStmt = this.RULE("returnStmt", (): Stmt => {
    const start = this.LA(1);
    this.OR([
      { ALT: () => this.CONSUME(K.return) },
      { ALT: () => { this.CONSUME(K.give); this.CONSUME(K.back); } },
    ]);
    let value: Expr | null = null;
    this.OPTION(() => { value = this.SUBRULE(this.expression); });
    this.eos();
    return { kind: "Return", value, span: this.spanFrom(start) };
  });

  // ── errors ──────────────────────────────────────────────────────────────

  tryStmt = this.RULE("tryStmt", (): Stmt => {
    const start = this.CONSUME(K.try);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    const handlers: Handler[] = [];
    let fin: Stmt[] | null = null;
    this.MANY(() => {
      this.OR([
        { ALT: () => { handlers.push(this.SUBRULE(this.whenHandler)); } },
        {
          ALT: () => {
            const s = this.CONSUME(K.catch);
            let bind: string | null = null;
            let bindSpan: Span | undefined;
            this.OPTION(() => {
              this.OR2([{ ALT: () => this.CONSUME(K.with) }, { ALT: () => this.CONSUME(K.as) }]);
              bind = this.SUBRULE(this.identifier);
              bindSpan = this.lastNameSpan;
            });
            this.CONSUME(T.Colon);
            this.OPTION2(() => this.CONSUME(T.Newline));
            const hbody = this.SUBRULE2(this.block);
            handlers.push({ kind: "catch", phrase: null, phraseSpan: null, catches: "any", bind, bindSpan, body: hbody, span: this.spanFrom(s) });
          },
        },
        {
          ALT: () => {
            const s = this.CONSUME(K.otherwise);
            this.CONSUME2(T.Colon);
            this.OPTION3(() => this.CONSUME2(T.Newline));
            const hbody = this.SUBRULE3(this.block);
            handlers.push({ kind: "otherwise", phrase: null, phraseSpan: null, catches: "any", bind: null, body: hbody, span: this.spanFrom(s) });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.finally);
            this.CONSUME3(T.Colon);
            this.OPTION4(() => this.CONSUME3(T.Newline));
            fin = this.SUBRULE4(this.block);
          },
        },
      ]);
    });
    this.endOf(K.try);
    return { kind: "Try", body, handlers, finally: fin, span: this.spanFrom(start) };
  });

  /** `when error [as e]:`, `when file not found:`, `when permission denied:`, … */
  whenHandler = this.RULE("whenHandler", (): Handler => {
    const start = this.CONSUME(K.when);
    const phraseStart = this.LA(1);
    const words: string[] = [];
    let bind: string | null = null;
    this.AT_LEAST_ONE(() => {
      this.OR([
        { ALT: () => { words.push(this.CONSUME(T.AnyIdent).image); } },
        { ALT: () => { words.push(this.CONSUME(K.not).image); } },
      ]);
    });
    const phraseSpan = this.spanFrom(phraseStart);
    let bindSpan: Span | undefined;
    this.OPTION(() => {
      this.CONSUME(K.as);
      bind = this.SUBRULE(this.identifier);
      bindSpan = this.lastNameSpan;
    });
    this.CONSUME(T.Colon);
    this.OPTION2(() => this.CONSUME(T.Newline));
    const body = this.SUBRULE(this.block);
    return this.ACTION(() => {
      const phrase = words.join(" ");
      return { kind: "when", phrase, phraseSpan, catches: kindOfWhenPhrase(phrase), bind, bindSpan, body, span: this.spanFrom(start) } as Handler;
    });
  });

  routeStmt = this.RULE("routeStmt", (): Stmt => {
    const start = this.CONSUME(K.route);
    const subject = this.SUBRULE(this.expression);
    this.blockOpen();
    const arms: RouteArm[] = [];
    let otherwise: Stmt[] | null = null;
    this.MANY(() => {
      const s = this.CONSUME(K.when);
      const matchers: RouteArm["matchers"] = [];
      this.AT_LEAST_ONE_SEP({
        SEP: K.or,
        DEF: () => { matchers.push(this.SUBRULE(this.routeMatcher)); },
      });
      this.CONSUME2(T.Colon);
      const body = this.SUBRULE(this.armBody);
      arms.push({ matchers, body, span: this.spanFrom(s) });
    });
    this.OPTION(() => {
      this.CONSUME(K.otherwise);
      this.CONSUME3(T.Colon);
      otherwise = this.SUBRULE2(this.armBody);
    });
    this.endOf(K.route);
    return { kind: "Route", subject, arms, otherwise, span: this.spanFrom(start) };
  });

  armBody = this.RULE("armBody", (): Stmt[] => {
    return this.OR([
      { ALT: () => { this.CONSUME(T.Newline); return this.SUBRULE(this.block); } },
      { ALT: () => [this.SUBRULE(this.statement)] },
    ]);
  });

  routeMatcher = this.RULE("routeMatcher", (): RouteArm["matchers"][number] => {
    return this.OR({ IGNORE_AMBIGUITIES: true, DEF: [
      { ALT: () => { this.CONSUME(K.contains); return { mode: "contains", value: this.SUBRULE(this.additive) } as const; } },
      { ALT: () => { this.CONSUME(K.starts); this.CONSUME(K.with); return { mode: "starts with", value: this.SUBRULE2(this.additive) } as const; } },
      { ALT: () => { this.CONSUME(K.ends); this.CONSUME2(K.with); return { mode: "ends with", value: this.SUBRULE3(this.additive) } as const; } },
      {
        GATE: () => this.isWord(1, "one") && this.LA(2).tokenType === K.of,
        ALT: () => { this.CONSUME(T.Identifier); this.CONSUME(K.of); return { mode: "one of", value: this.SUBRULE4(this.additive) } as const; },
      },
      { ALT: () => ({ mode: "equals", value: this.SUBRULE5(this.additive) }) as const },
    ] });
  });

  // ── tests ───────────────────────────────────────────────────────────────







  // ── in-place mutation ───────────────────────────────────────────────────

  mutateStmt = this.RULE("mutateStmt", (): Stmt => {
    const start = this.LA(1);
    const node = this.OR([
      {
        ALT: () => {
          this.CONSUME(K.add);
          const value = this.SUBRULE(this.expression);
          this.CONSUME(K.to);
          const target = this.SUBRULE(this.postfix);
          return { kind: "AddTo", value, target } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.subtract);
          const value = this.SUBRULE2(this.expression);
          this.CONSUME(K.from);
          const target = this.SUBRULE2(this.postfix);
          return { kind: "SubtractFrom", value, target } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.multiply);
          const target = this.SUBRULE3(this.postfix);
          this.CONSUME(K.by);
          const value = this.SUBRULE3(this.expression);
          return { kind: "MultiplyBy", target, value } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.divide);
          const target = this.SUBRULE4(this.postfix);
          this.CONSUME2(K.by);
          const value = this.SUBRULE4(this.expression);
          return { kind: "DivideBy", target, value } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.remove);
          const value = this.SUBRULE5(this.expression);
          this.CONSUME2(K.from);
          const target = this.SUBRULE5(this.postfix);
          return { kind: "RemoveFrom", value, target } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.clear);
          const target = this.SUBRULE6(this.postfix);
          return { kind: "Clear", target } as const;
        },
      },
    ]);
    this.eos();
    return { ...node, span: this.spanFrom(start) } as Stmt;
  });

  // ── create … ────────────────────────────────────────────────────────────


  createList = this.RULE("createList", (): Stmt => {
    const start = this.CONSUME(K.create);
    this.CONSUME(K.list);
    // `create list called items` (the reference pages' form) names the list like `create list items`.
    this.OPTION({ GATE: () => this.LA(2).tokenType !== T.Colon, DEF: () => this.CONSUME(K.called) });
    const name = this.SUBRULE(this.identifier);
    const nameSpan = this.lastNameSpan;
    const items: Expr[] = [];
    this.OR([
      {
        ALT: () => {
          this.blockOpen();
          this.MANY(() => {
            this.CONSUME(K.add);
            items.push(this.SUBRULE(this.expression));
            this.CONSUME(T.Newline);
          });
          this.endOf(K.list);
        },
      },
      // No `:` and no body: an empty list.
      { ALT: () => { this.CONSUME2(T.Newline); } },
      { GATE: () => this.LA(1).tokenType === EOF, ALT: () => {} },
    ]);
    return { kind: "CreateList", name, nameSpan, items, span: this.spanFrom(start) };
  });

  createMap = this.RULE("createMap", (): Stmt => {
    const start = this.CONSUME(K.create);
    this.CONSUME(K.map);
    const name = this.SUBRULE(this.identifier);
    const nameSpan = this.lastNameSpan;
    this.blockOpen();
    const entries: { key: string; value: Expr }[] = [];
    this.MANY(() => {
      const key = this.OR([
        { ALT: () => this.SUBRULE2(this.identifier) },
        { ALT: () => { const t = this.CONSUME(T.StringLiteral); return this.ACTION(() => decodeString(t.image)); } },
      ]);
      this.CONSUME(K.is);
      const value = this.SUBRULE(this.expression);
      this.CONSUME(T.Newline);
      entries.push({ key, value });
    });
    this.endOf(K.map);
    return { kind: "CreateMap", name, nameSpan, entries, span: this.spanFrom(start) };
  });


  /** Deprecated: `create new constant NAME as value`. */
  createConstant = this.RULE("createConstant", (): Stmt => {
    const start = this.CONSUME(K.create);
    this.CONSUME(K.new);
    this.CONSUME(K.constant);
    const nameTok = this.LA(1);
    const name = this.SUBRULE(this.identifier);
    const nameSpan = this.spanFrom(nameTok);
    this.CONSUME(K.as);
    const value = this.SUBRULE(this.expression);
    this.eos();
    return { kind: "Store", name, nameSpan, value, constant: true, span: this.spanFrom(start) };
  });




  /** `wait for N seconds`, and every `wait for …` form feature rooms add (`waitFor` alternatives). */
  waitStmt = this.RULE("waitStmt", (): Stmt => {
    const start = this.CONSUME(K.wait);
    this.CONSUME(K.for);
    this.waitStart = start;
    return this.OR({ IGNORE_AMBIGUITIES: true, MAX_LOOKAHEAD: 1, DEF: this.waitForAlts });
  });

  protected readonly coreWaits = this.contribute({
    waitFor: [
      {
        GATE: () => this.isOneOf(2, ["seconds", "second", "milliseconds", "millisecond", "ms"]),
        ALT: () => {
          const start = this.waitStart;
          const amount = this.SUBRULE(this.primary);
          const unitTok = this.CONSUME(T.Identifier);
          this.eos();
          return this.ACTION(() => ({
            kind: "WaitDuration",
            amount,
            unit: unitTok.image.startsWith("milli") || unitTok.image === "ms" ? "milliseconds" : "seconds",
            span: this.spanFrom(start),
          }) as Stmt);
        },
      },
    ],
  });




  // ── databases ───────────────────────────────────────────────────────────





  exportStmt = this.RULE("exportStmt", (): Stmt => {
    const start = this.CONSUME(K.export);
    this.MANY(() => this.CONSUME(T.AnyIdentOrKw));
    this.eos();
    return { kind: "Export", span: this.spanFrom(start) };
  });

  exprStmt = this.RULE("exprStmt", (): Stmt => {
    const start = this.LA(1);
    let expr = this.SUBRULE(this.expression);
    // Command form: a bare name followed by arguments (`print "hi"`, `makedirs "out"`).
    this.OPTION({
      GATE: () => expr.kind === "Var" && this.LA(1).tokenType !== T.Newline && this.LA(1).tokenType !== EOF,
      DEF: () => {
        const args: Expr[] = [];
        // `copy_file from A to B`, `remove_file at P`, `remove_dir P with yes`.
        this.OPTION2(() => this.OR([{ ALT: () => this.CONSUME(K.from) }, { ALT: () => this.CONSUME(K.at) }]));
        this.withArgsMode(true, () => {
          args.push(this.SUBRULE(this.additive));
          this.MANY(() => {
            this.OR2([
              { ALT: () => this.CONSUME(K.and) },
              { ALT: () => this.CONSUME(K.to) },
              { ALT: () => this.CONSUME(K.with) },
              // `remove_dir at P recursive yes`: a named flag, passed as the next argument.
              { GATE: () => this.isWord(1, "recursive"), ALT: () => this.word(1, "recursive") },
            ]);
            args.push(this.SUBRULE2(this.additive));
          });
        });
        expr = this.ACTION(() => {
          const v = expr as Expr & { kind: "Var" };
          return { kind: "Call", callee: v.name, calleeSpan: v.span, args, style: "call", span: this.spanFrom(start) } as Expr;
        });
      },
    });
    this.eos();
    return { kind: "ExprStmt", expr, span: this.spanFrom(start) };
  });



  // ── containers ──────────────────────────────────────────────────────────







  // ── files ───────────────────────────────────────────────────────────────



  // ── web ─────────────────────────────────────────────────────────────────











  // ── expressions, loosest first ──────────────────────────────────────────

  /** Level 0: `or`. `and` binds tighter, as the documentation specifies. */
  expression = this.RULE("expression", (): Expr => {
    const start = this.LA(1);
    let left = this.SUBRULE(this.conjunction);
    this.MANY(() => {
      this.CONSUME(K.or);
      const right = this.SUBRULE2(this.conjunction);
      left = { kind: "Logical", op: "or", left, right, span: this.spanFrom(start) };
    });
    return left;
  });

  /** `and`. */
  conjunction = this.RULE("conjunction", (): Expr => {
    const start = this.LA(1);
    let left = this.SUBRULE(this.comparison);
    this.MANY(() => {
      this.CONSUME(K.and);
      const right = this.SUBRULE2(this.comparison);
      left = { kind: "Logical", op: "and", left, right, span: this.spanFrom(start) };
    });
    return left;
  });

  /** Level 1: comparisons and text tests. */
  comparison = this.RULE("comparison", (): Expr => {
    const start = this.LA(1);
    const left = this.SUBRULE(this.additive);
    let result: Expr = left;
    this.OPTION(() => {
      const opTok = this.LA(1);
      result = this.OR([
        { ALT: () => { this.CONSUME(K.is); return this.SUBRULE(this.isTail, { ARGS: [left, start, opTok] }); } },
        {
          ALT: () => {
            const op = this.OR2([
              { ALT: () => { this.CONSUME(T.Equals); return "==" as const; } },
              { ALT: () => { this.CONSUME(T.EqEq); return "==" as const; } },
              { ALT: () => { this.CONSUME(T.NotEq); return "!=" as const; } },
              { ALT: () => { this.CONSUME(T.Greater); return ">" as const; } },
              { ALT: () => { this.CONSUME(T.Less); return "<" as const; } },
              { ALT: () => { this.CONSUME(T.GreaterEq); return ">=" as const; } },
              { ALT: () => { this.CONSUME(T.LessEq); return "<=" as const; } },
              { ALT: () => { this.CONSUME(K.contains); return "contains" as const; } },
              { ALT: () => { this.CONSUME(K.matches); return "matches" as const; } },
              { ALT: () => { this.CONSUME(K.starts); this.CONSUME(K.with); return "starts with" as const; } },
              { ALT: () => { this.CONSUME(K.ends); this.CONSUME2(K.with); return "ends with" as const; } },
            ]);
            const right = this.SUBRULE2(this.additive);
            return this.bin(op, left, right, start, opTok);
          },
        },
      ]);
    });
    return result;
  });

  protected bin(op: BinaryOp, left: Expr, right: Expr, start: IToken, opTok: IToken): Expr {
    return { kind: "Binary", op, left, right, span: this.spanFrom(start), opSpan: this.tokSpan(opTok) };
  }

  /** What follows `is`: `equal to`, `greater than [or equal to]`, `between A and B`, `not …`, or a value. */
  isTail = this.RULE("isTail", (left: Expr, start: IToken, opTok: IToken): Expr => {
    let negate = false;
    this.OPTION(() => { this.CONSUME(K.not); negate = true; });
    const e = this.OR([
      { ALT: () => { this.CONSUME(K.equal); this.CONSUME(K.to); return this.bin("==", left, this.SUBRULE(this.additive), start, opTok); } },
      {
        ALT: () => {
          this.CONSUME(K.greater); this.CONSUME(K.than);
          let op: BinaryOp = ">";
          this.OPTION2(() => { this.CONSUME(K.or); this.CONSUME2(K.equal); this.OPTION4(() => this.CONSUME2(K.to)); op = ">="; });
          return this.bin(op, left, this.SUBRULE2(this.additive), start, opTok);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.less); this.CONSUME2(K.than);
          let op: BinaryOp = "<";
          this.OPTION3(() => { this.CONSUME2(K.or); this.CONSUME3(K.equal); this.OPTION5(() => this.CONSUME3(K.to)); op = "<="; });
          return this.bin(op, left, this.SUBRULE3(this.additive), start, opTok);
        },
      },
      { ALT: () => { this.CONSUME(K.above); return this.bin(">", left, this.SUBRULE4(this.additive), start, opTok); } },
      { ALT: () => { this.CONSUME(K.below); return this.bin("<", left, this.SUBRULE5(this.additive), start, opTok); } },
      {
        ALT: () => {
          this.CONSUME(K.between);
          const low = this.SUBRULE6(this.additive);
          this.CONSUME(K.and);
          const high = this.SUBRULE7(this.additive);
          return { kind: "Between", value: left, low, high, span: this.spanFrom(start) } as Expr;
        },
      },
      { ALT: () => this.bin("==", left, this.SUBRULE8(this.additive), start, opTok) },
    ]);
    return this.ACTION(() => {
      if (!negate) return e;
      if (e.kind === "Binary" && e.op === "==") return { ...e, op: "!=" as BinaryOp };
      return { kind: "Not", operand: e, span: e.span } as Expr;
    });
  });

  /** Level 2: `plus minus + -`. */
  additive = this.RULE("additive", (): Expr => {
    const start = this.LA(1);
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const opTok = this.LA(1);
      const op = this.OR([
        { ALT: () => { this.CONSUME(T.Plus); return "+" as const; } },
        { ALT: () => { this.CONSUME(K.plus); return "+" as const; } },
        { ALT: () => { this.CONSUME(T.Minus); return "-" as const; } },
        { ALT: () => { this.CONSUME(K.minus); return "-" as const; } },
      ]);
      const right = this.SUBRULE2(this.multiplicative);
      left = this.bin(op, left, right, start, opTok);
    });
    return left;
  });

  /** Level 3: `times divided by / * % modulo`. */
  multiplicative = this.RULE("multiplicative", (): Expr => {
    const start = this.LA(1);
    let left = this.SUBRULE(this.operand);
    this.MANY(() => {
      const opTok = this.LA(1);
      const op = this.OR([
        { ALT: () => { this.CONSUME(K.times); return "*" as const; } },
        { ALT: () => { this.CONSUME(T.Star); return "*" as const; } },
        { ALT: () => { this.CONSUME(T.Slash); return "/" as const; } },
        { ALT: () => { this.CONSUME(K.divided); this.CONSUME(K.by); return "/" as const; } },
        { ALT: () => { this.CONSUME(T.Percent); return "%" as const; } },
        { ALT: () => { this.CONSUME(K.modulo); return "%" as const; } },
      ]);
      const right = this.SUBRULE2(this.operand);
      left = this.bin(op, left, right, start, opTok);
    });
    return left;
  });

  /** An operand, optionally followed by `with …`, which takes everything after it. */
  operand = this.RULE("operand", (): Expr => {
    const start = this.LA(1);
    const left = this.SUBRULE(this.unary);
    let result = left;
    this.OPTION({
      // Inside call arguments `with` ends the call: `padleft of "42" and 6 with "'"`; a statement's
      // clause word after `with` ends the value (`open url at u with method "POST"`).
      GATE: () => !this.inCallArgs && (this.withStops === null || !this.withStops.has(this.LA(2).image)),
      DEF: () => {
      this.CONSUME(K.with);
      const right = this.withArgsMode(false, () =>
        this.OR({
          IGNORE_AMBIGUITIES: true,
          MAX_LOOKAHEAD: 1,
          DEF: [
            { GATE: () => this.shortConcat, ALT: () => this.SUBRULE(this.comparison) },
            { ALT: () => this.SUBRULE(this.expression) },
          ],
        }));
      result = { kind: "Concat", left, right, span: this.spanFrom(start) };
      },
    });
    return result;
  });

  /**
   * A file path: arithmetic and `with` joins (`open file at dir with "/a.txt" for reading`), where a
   * join's right side stops before `and`/`or` so `… and read content as v` keeps its meaning.
   */
  pathExpr = this.RULE("pathExpr", (): Expr => {
    const saved = this.shortConcat;
    this.shortConcat = true;
    try {
      return this.SUBRULE(this.additive);
    } finally {
      this.shortConcat = saved;
    }
  });

  protected shortConcat = false;

  /**
   * True inside `respond to … with …`: a call's arguments end before `and status`,
   * `and content_type`, `and content type` or `and headers` (they are the statement's options).
   */
  protected respondOption = false;
  protected respondOptions<T>(run: () => T): T {
    const saved = this.respondOption;
    const savedArgs = this.inCallArgs;
    this.respondOption = true;
    this.inCallArgs = false;
    try {
      return run();
    } finally {
      this.respondOption = saved;
      this.inCallArgs = savedArgs;
    }
  }
  /** Tokens k… are `and` and a respond option (see `respondOption`). */
  protected atRespondOption(k: number): boolean {
    if (!this.respondOption || this.LA(k).tokenType !== K.and) return false;
    return this.isOneOf(k + 1, ["status", "content_type", "headers", "header"]) ||
      (this.LA(k + 1).tokenType === K.content && this.isWord(k + 2, "type")) ||
      this.atSessionClause(k + 1);
  }
  /** Tokens k… are `set session` or `clear session` (a respond option of the sessions room). */
  protected atSessionClause(k: number): boolean {
    return (this.isWord(k, "set") || this.LA(k).tokenType === K.clear) && this.isWord(k + 1, "session");
  }
  /** Words that, right after `with`, end the value being parsed instead of joining text to it. */
  protected withStops: ReadonlySet<string> | null = null;

  /** True while parsing the arguments of an `of`/`with` call (parentheses reset it). */
  protected inCallArgs = false;
  protected withArgsMode<T>(on: boolean, run: () => T): T {
    const saved = this.inCallArgs;
    this.inCallArgs = on;
    try {
      return run();
    } finally {
      this.inCallArgs = saved;
    }
  }

  unary = this.RULE("unary", (): Expr => {
    const start = this.LA(1);
    return this.OR([
      { ALT: () => { this.CONSUME(K.not); const operand = this.SUBRULE(this.unary); return { kind: "Not", operand, span: this.spanFrom(start) } as Expr; } },
      { ALT: () => { this.CONSUME(T.Minus); const operand = this.SUBRULE2(this.unary); return { kind: "Negate", operand, span: this.spanFrom(start) } as Expr; } },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]);
  });

  /** A primary followed by `[index]`, `.member` or `.method(args)`. */
  postfix = this.RULE("postfix", (): Expr => {
    const start = this.LA(1);
    let e = this.SUBRULE(this.primary);
    // `remove_dir at "x"` is a builtin called in command form (exprStmt), not an index.
    const builtinAt = (): boolean => this.LA(1).tokenType === K.at && e.kind === "Var" && this.builtinNames.has(e.name);
    this.MANY({ GATE: () => !builtinAt(), DEF: () => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            const index = this.withArgsMode(false, () => this.SUBRULE(this.expression));
            this.CONSUME(T.RBracket);
            e = { kind: "Index", target: e, index, span: this.spanFrom(start) };
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            const name = this.CONSUME(T.AnyIdentOrKw).image;
            let args: Expr[] | null = null;
            this.OPTION(() => {
              this.CONSUME(T.LParen);
              args = [];
              this.MANY_SEP({ SEP: T.Comma, DEF: () => { args!.push(this.SUBRULE2(this.expression)); } });
              this.CONSUME(T.RParen);
            });
            e = args
              ? { kind: "MethodCall", target: e, name, args, span: this.spanFrom(start) }
              : { kind: "Member", target: e, name, span: this.spanFrom(start) };
          },
        },
        {
          // Direct index: `numbers 1` (an integer right after a variable name).
          GATE: () => e.kind === "Var" && /^\d+$/.test(this.LA(1).image) && this.LA(1).tokenType === T.NumberLiteral,
          ALT: () => {
            const t = this.CONSUME(T.NumberLiteral);
            e = { kind: "Index", target: e, index: { kind: "Number", value: Number(t.image), span: this.tokSpan(t) }, span: this.spanFrom(start) };
          },
        },
        {
          // `numbers at 0`
          GATE: () => this.LA(1).tokenType === K.at,
          ALT: () => {
            this.CONSUME(K.at);
            const index = this.SUBRULE2(this.primary);
            e = { kind: "Index", target: e, index, span: this.spanFrom(start) };
          },
        },
      ]);
    } });
    return e;
  });

  primary = this.RULE("primary", (): Expr => {
    // One token of lookahead: alternatives that share a first token are told apart by their gates.
    return this.OR({ IGNORE_AMBIGUITIES: true, MAX_LOOKAHEAD: 1, DEF: this.primaryAlts });
  });

  /** The core language's values (feature rooms add theirs through `contribute`; a name comes last). */
  protected readonly corePrimaries = this.contribute({
    primaries: [
      { ALT: () => { const t = this.CONSUME(T.NumberLiteral); return { kind: "Number", value: Number(t.image), span: this.tokSpan(t) } as Expr; } },
      { ALT: () => { const t = this.CONSUME(T.StringLiteral); return this.ACTION(() => this.stringNode(t)); } },
      { ALT: () => { const t = this.OR2([{ ALT: () => this.CONSUME(K.yes) }, { ALT: () => this.CONSUME(K.true) }]); return { kind: "Boolean", value: true, span: this.tokSpan(t) } as Expr; } },
      { ALT: () => { const t = this.OR3([{ ALT: () => this.CONSUME(K.no) }, { ALT: () => this.CONSUME(K.false) }]); return { kind: "Boolean", value: false, span: this.tokSpan(t) } as Expr; } },
      {
        ALT: () => {
          const t = this.OR4([{ ALT: () => this.CONSUME(K.nothing) }, { ALT: () => this.CONSUME(K.missing) }, { ALT: () => this.CONSUME(K.undefined) }]);
          return { kind: "Nothing", span: this.tokSpan(t) } as Expr;
        },
      },
      { ALT: () => this.SUBRULE(this.listLiteral) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const savedShort = this.shortConcat;
          this.shortConcat = false;
          const e = this.withArgsMode(false, () => this.SUBRULE(this.expression));
          this.shortConcat = savedShort;
          this.CONSUME(T.RParen);
          return e;
        },
      },
      { ALT: () => this.SUBRULE(this.callExpr) },
      {
        // `create object`, `create rate limiter`, `create email`, `create session for` are rooms' values;
        // `create list with a, b` is the core's list value.
        GATE: () => this.LA(2).tokenType !== T.Colon && this.LA(2).tokenType !== T.Newline && !this.isOneOf(2, ["object", "rate", "email", "session"]) &&
          !(this.LA(2).tokenType === K.list && this.LA(3).tokenType === K.with),
        ALT: () => {
          const start = this.CONSUME(K.create);
          return this.OR5([
            { ALT: () => { this.CONSUME(K.list); return { kind: "EmptyList", span: this.spanFrom(start) } as Expr; } },
            { ALT: () => { this.CONSUME(K.map); return { kind: "EmptyMap", span: this.spanFrom(start) } as Expr; } },
          ]);
        },
      },
      {
        // `push with L and v` / `push of L and v`: a builtin named by a keyword.
        ALT: () => {
          const t = this.CONSUME(K.push);
          return this.SUBRULE(this.callArgs, { ARGS: ["push", this.tokSpan(t), t] });
        },
      },
      {
        // `find of L and x`, `replace of T and a and b`, `clear of L`: builtins whose names are also
        // statement keywords, called with `of` (`find P in T`, `replace … in …`, `clear L` stay).
        GATE: () => this.LA(2).tokenType === K.of,
        ALT: () => {
          const t = this.OR6([{ ALT: () => this.CONSUME(K.find) }, { ALT: () => this.CONSUME(K.replace) }, { ALT: () => this.CONSUME(K.clear) }]);
          return this.SUBRULE2(this.callArgs, { ARGS: [t.image, this.tokSpan(t), t] });
        },
      },
    ],
  });

  protected lineHas(t: TokenType): boolean {
    for (let k = 2; k < 64; k++) {
      const tt = this.LA(k).tokenType;
      if (tt === t) return true;
      if (tt === T.Newline || tt === EOF) return false;
    }
    return false;
  }

  /** An identifier, possibly called: `f of a and b`, `push with L and v`, or a variable. */
  namedValue = this.RULE("namedValue", (): Expr => {
    const start = this.LA(1);
    const name = this.SUBRULE(this.identifier);
    const nameSpan = this.spanFrom(start);
    let result: Expr = { kind: "Var", name, span: nameSpan };
    this.OPTION({
      GATE: () => this.LA(1).tokenType === K.of || (this.LA(1).tokenType === K.with && WITH_CALLABLE.has(name)),
      DEF: () => { result = this.SUBRULE(this.callArgs, { ARGS: [name, nameSpan, start] }); },
    });
    this.OPTION2({
      // `contains X in T` (the `contains of T and X` form is the call above).
      GATE: () => name === "contains" && result.kind === "Var" && this.lineHas(K.in),
      DEF: () => {
        const needle = this.SUBRULE(this.additive);
        const inTok = this.CONSUME(K.in);
        const hay = this.SUBRULE2(this.additive);
        result = this.bin("contains", hay, needle, start, inTok);
      },
    });
    return result;
  });

  /** `of a and b` or `with a and b` after a callee name. Arguments take arithmetic (`f of n minus 1`). */
  callArgs = this.RULE("callArgs", (name: string, calleeSpan: Span, start: IToken): Expr => {
    const style = this.OR([
      { ALT: () => { this.CONSUME(K.of); return "of" as const; } },
      { ALT: () => { this.CONSUME(K.with); return "with" as const; } },
    ]);
    const args: Expr[] = [];
    // After `of`, a builtin's arguments are single terms (`length of items minus 1` is
    // length(items) − 1); a user action's arguments, and `push with L and v` forms, take
    // arithmetic (`factorial of n minus 1` is factorial(n − 1)).
    const builtin = style === "of" && this.builtinNames.has(name);
    const arg = (): Expr =>
      this.OR3({
        IGNORE_AMBIGUITIES: true,
        MAX_LOOKAHEAD: 1,
        DEF: [
          { GATE: () => builtin, ALT: () => this.SUBRULE(this.unary) },
          { ALT: () => this.SUBRULE(this.additive) },
        ],
      });
    this.withArgsMode(true, () => {
      args.push(arg());
      this.MANY({ GATE: () => !this.atRespondOption(1), DEF: () => {
        this.OR2([
          { ALT: () => this.CONSUME(K.and) },
          { ALT: () => this.CONSUME(K.from) },
          { ALT: () => this.CONSUME(K.by) },
          { GATE: () => this.isWord(1, "length"), ALT: () => this.CONSUME(T.Identifier) },
        ]);
        args.push(this.SUBRULE(this.callArg, { ARGS: [builtin] }));
      } });
    });
    return { kind: "Call", callee: name, calleeSpan, args, style, span: this.spanFrom(start) };
  });

  /** One later argument of a call (see callArgs). */
  callArg = this.RULE("callArg", (builtin: boolean): Expr => {
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { GATE: () => builtin, ALT: () => this.SUBRULE(this.unary) },
        { ALT: () => this.SUBRULE(this.additive) },
      ],
    });
  });

  /** `call f [with a and b]`. */
  callExpr = this.RULE("callExpr", (): Expr => {
    const start = this.CONSUME(K.call);
    const nameTok = this.LA(1);
    const callee = this.SUBRULE(this.identifier);
    const calleeSpan = this.spanFrom(nameTok);
    const args: Expr[] = [];
    this.OPTION(() => {
      this.CONSUME(K.with);
      this.AT_LEAST_ONE_SEP({ SEP: K.and, DEF: () => { args.push(this.SUBRULE(this.additive)); } });
    });
    return { kind: "Call", callee, calleeSpan, args, style: "call", span: this.spanFrom(start) };
  });

  listLiteral = this.RULE("listLiteral", (): Expr => {
    const start = this.CONSUME(T.LBracket);
    const items: Expr[] = [];
    this.OPTION(() => {
      items.push(this.SUBRULE(this.comparison));
      this.MANY(() => {
        this.OR([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(K.and) }]);
        items.push(this.SUBRULE2(this.comparison));
      });
    });
    this.CONSUME(T.RBracket);
    return { kind: "ListLit", items, span: this.spanFrom(start) };
  });



  // ── literals ────────────────────────────────────────────────────────────

  source = "";
  /** Escape problems found while decoding text literals (reported as parse errors). */
  stringErrors: { message: string; offset: number }[] = [];

  protected stringNode(t: IToken): Expr {
    const value = decodeString(t.image, (msg, rel) => this.stringErrors.push({ message: msg, offset: t.startOffset + rel }));
    return { kind: "Text", value, span: this.tokSpan(t) };
  }
}

/** Decode a text literal's escapes: `\n \t \r \\ \0 \"`; any other escape is an error. */
export function decodeString(image: string, onError?: (message: string, offset: number) => void): string {
  const body = image.slice(1, -1);
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") { out += c; continue; }
    const n = body[++i];
    switch (n) {
      case "n": out += "\n"; break;
      case "t": out += "\t"; break;
      case "r": out += "\r"; break;
      case "\\": out += "\\"; break;
      case "0": out += "\0"; break;
      case '"': out += '"'; break;
      default:
        onError?.(`Unknown escape '\\${n ?? ""}' in text: use \\n, \\t, \\r, \\\\, \\0 or \\".`, i);
        out += n ?? "";
    }
  }
  return out;
}



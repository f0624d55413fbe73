// Tokens → AST, with Chevrotain's embedded-actions parser (no CST: the rules build nodes directly).
// Rules are named after the grammar they parse. Spans come from tokens only, because during
// Chevrotain's grammar-recording phase sub-rule results are placeholders and must not be inspected.
import { EmbeddedActionsParser, EOF, type IToken, type TokenType } from "chevrotain";
import * as T from "../lexer/tokens.js";
import { kw } from "../lexer/tokens.js";
import type {
  Expr, Stmt, Param, Handler, HandlerKind, RouteArm, Assertion, BinaryOp, FileQueryOp, ContainerMethod, ContainerProperty,
  InterfaceRequirement,
} from "../ast/nodes.js";
import type { Span } from "../ast/span.js";
import { wflErrorMessageProvider } from "./messages.js";

const K = {
  store: kw("store"), change: kw("change"), display: kw("display"), check: kw("check"), if: kw("if"),
  otherwise: kw("otherwise"), end: kw("end"), for: kw("for"), each: kw("each"), in: kw("in"),
  repeat: kw("repeat"), while: kw("while"), until: kw("until"), forever: kw("forever"), break: kw("break"),
  continue: kw("continue"), skip: kw("skip"), exit: kw("exit"), define: kw("define"), action: kw("action"),
  return: kw("return"), give: kw("give"), call: kw("call"), try: kw("try"), when: kw("when"),
  catch: kw("catch"), finally: kw("finally"), describe: kw("describe"), expect: kw("expect"), add: kw("add"),
  subtract: kw("subtract"), multiply: kw("multiply"), divide: kw("divide"), push: kw("push"),
  remove: kw("remove"), clear: kw("clear"), create: kw("create"), with: kw("with"), and: kw("and"),
  or: kw("or"), not: kw("not"), is: kw("is"), of: kw("of"), plus: kw("plus"), minus: kw("minus"),
  times: kw("times"), divided: kw("divided"), modulo: kw("modulo"), as: kw("as"), to: kw("to"),
  from: kw("from"), by: kw("by"), then: kw("then"), route: kw("route"), yes: kw("yes"), no: kw("no"),
  true: kw("true"), false: kw("false"), nothing: kw("nothing"), missing: kw("missing"),
  undefined: kw("undefined"), wait: kw("wait"), include: kw("include"), export: kw("export"),
  equal: kw("equal"), greater: kw("greater"), less: kw("less"), than: kw("than"), above: kw("above"),
  below: kw("below"), between: kw("between"), matches: kw("matches"), find: kw("find"),
  replace: kw("replace"), split: kw("split"), constant: kw("constant"), starts: kw("starts"),
  ends: kw("ends"), current: kw("current"), open: kw("open"), close: kw("close"), write: kw("write"),
  append: kw("append"), delete: kw("delete"), file: kw("file"), directory: kw("directory"), content: kw("content"),
  into: kw("into"), container: kw("container"), interface: kw("interface"), property: kw("property"),
  extends: kw("extends"), implements: kw("implements"), requires: kw("requires"), event: kw("event"),
  trigger: kw("trigger"), static: kw("static"), load: kw("load"), module: kw("module"), execute: kw("execute"),
  listen: kw("listen"), respond: kw("respond"), register: kw("register"), stop: kw("stop"),
  spawn: kw("spawn"), kill: kw("kill"),
  // soft
  count: kw("count"), list: kw("list"), map: kw("map"), contains: kw("contains"), test: kw("test"),
  pattern: kw("pattern"), at: kw("at"), called: kw("called"), needs: kw("needs"), new: kw("new"),
  setup: kw("setup"), teardown: kw("teardown"), down: kw("down"), on: kw("on"), main: kw("main"),
  program: kw("program"), loop: kw("loop"), reversed: kw("reversed"), back: kw("back"),
  default: kw("default"), defaults: kw("defaults"), parameters: kw("parameters"),
};

/** Soft keywords that may begin a multi-word name (`default value`, `new total`, `main menu`). */
const SOFT_RUN_STARTERS = new Set(["default", "defaults", "new", "back", "main", "static", "event", "called", "needs", "down", "program", "module", "url", "setup", "teardown"]);

/** Builtins that take arguments after `with` (`push with L and v`); `count` is excluded, as upstream. */
const WITH_CALLABLE = new Set(["push", "join", "length", "substring", "replace_text", "contains", "indexof"]);

type ExprRule = (idx?: number) => Expr;

export class WflParser extends EmbeddedActionsParser {
  constructor(private readonly builtinNames: ReadonlySet<string> = new Set()) {
    super(T.allTokens, {
      maxLookahead: 1,
      recoveryEnabled: false,
      errorMessageProvider: wflErrorMessageProvider,
      // Ambiguities in this grammar are resolved by alternative order and gates, on purpose.
      skipValidations: process.env.WFL_PARSER_VALIDATE !== "1",
    });
    this.performSelfAnalysis();
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  private spanFrom(start: IToken | undefined): Span {
    if (!start || !Number.isFinite(start.startOffset)) return { start: 0, end: 1 };
    const last = this.LA(0);
    const s = start.startOffset;
    const e = last && Number.isFinite(last.endOffset) ? (last.endOffset as number) + 1 : s + 1;
    return { start: s, end: Math.max(e, s + 1) };
  }
  private tokSpan(t: IToken | undefined): Span {
    if (!t || !Number.isFinite(t.startOffset)) return { start: 0, end: 1 };
    return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
  }
  private isWord(k: number, word: string): boolean {
    const t = this.LA(k);
    return t.tokenType !== EOF && t.image === word;
  }
  /** The end of a statement: a newline, or the end of the file. */
  private eos(): void {
    this.OR9([
      { ALT: () => { this.CONSUME9(T.Newline); } },
      { GATE: () => this.LA(1).tokenType === EOF, ALT: () => {} },
    ]);
  }
  /** `:` then the end of the line (a statement may also follow on the same line). */
  private blockOpen(): void {
    this.CONSUME8(T.Colon);
    this.OPTION9(() => this.CONSUME8(T.Newline));
  }
  private endOf(t: TokenType): void {
    this.CONSUME7(K.end);
    this.CONSUME7(t);
    this.eos();
  }

  // ── program and blocks ──────────────────────────────────────────────────

  program = this.RULE("program", (): Stmt[] => {
    const body: Stmt[] = [];
    this.OPTION(() => this.CONSUME(T.Newline));
    this.MANY(() => { body.push(this.SUBRULE(this.statement)); });
    return body;
  });

  block = this.RULE("block", (): Stmt[] => {
    const body: Stmt[] = [];
    this.MANY(() => { body.push(this.SUBRULE(this.statement)); });
    return body;
  });

  /** An identifier: a run of plain words (`user name`), or one soft keyword (`count`). */
  identifier = this.RULE("identifier", (): string => {
    return this.OR({ IGNORE_AMBIGUITIES: true, DEF: [
      {
        ALT: () => {
          let name = this.CONSUME(T.Identifier).image;
          this.MANY(() => { name += " " + this.CONSUME2(T.Identifier).image; });
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
  });

  statement = this.RULE("statement", (): Stmt => {
    // Alternatives are ordered: statement keywords first, expression statements last.
    return this.OR({ IGNORE_AMBIGUITIES: true, MAX_LOOKAHEAD: 1, DEF: [
      { ALT: () => this.SUBRULE(this.storeStmt) },
      { ALT: () => this.SUBRULE(this.changeStmt) },
      { ALT: () => this.SUBRULE(this.displayStmt) },
      { ALT: () => this.SUBRULE(this.checkStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { GATE: () => this.LA(2).tokenType === K.from, ALT: () => this.SUBRULE(this.countStmt) },
      { ALT: () => this.SUBRULE(this.forEachStmt) },
      { ALT: () => this.SUBRULE(this.repeatStmt) },
      { GATE: () => this.LA(2).tokenType === K.loop, ALT: () => this.SUBRULE(this.mainLoopStmt) },
      { ALT: () => this.SUBRULE(this.loopControlStmt) },
      { ALT: () => this.SUBRULE(this.defineStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.tryStmt) },
      { ALT: () => this.SUBRULE(this.routeStmt) },
      { ALT: () => this.SUBRULE(this.describeStmt) },
      { GATE: () => this.LA(2).tokenType === T.StringLiteral, ALT: () => this.SUBRULE(this.testStmt) },
      { GATE: () => this.LA(2).tokenType === T.Colon, ALT: () => this.SUBRULE(this.setupStmt) },
      { ALT: () => this.SUBRULE(this.expectStmt) },
      { ALT: () => this.SUBRULE(this.mutateStmt) },
      { ALT: () => this.SUBRULE(this.createStmt) },
      { ALT: () => this.SUBRULE(this.includeStmt) },
      { ALT: () => this.SUBRULE(this.loadModuleStmt) },
      { ALT: () => this.SUBRULE(this.executeFileStmt) },
      { ALT: () => this.SUBRULE(this.waitStmt) },
      { ALT: () => this.SUBRULE(this.exportStmt) },
      { GATE: () => this.LA(2).tokenType === K.file, ALT: () => this.SUBRULE(this.openStmt) },
      { ALT: () => this.SUBRULE(this.listenStmt) },
      { ALT: () => this.SUBRULE(this.respondStmt) },
      { ALT: () => this.SUBRULE(this.stopAcceptingStmt) },
      { ALT: () => this.SUBRULE(this.registerSignalStmt) },
      { ALT: () => this.SUBRULE(this.killStmt) },
      {
        GATE: () => (this.LA(1).tokenType === K.open && this.isWord(2, "database")) || (this.isWord(1, "connect") && this.isWord(3, "database")),
        ALT: () => this.SUBRULE(this.openDatabaseStmt),
      },
      { GATE: () => this.LA(1).tokenType === K.in && this.isWord(2, "transaction"), ALT: () => this.SUBRULE(this.transactionStmt) },
      { GATE: () => this.isWord(2, "websocket"), ALT: () => this.SUBRULE(this.onWebSocketStmt) },
      { GATE: () => (this.isWord(1, "send") || this.isWord(1, "broadcast")) && this.isWord(2, "websocket"), ALT: () => this.SUBRULE(this.webSocketSendStmt) },
      { GATE: () => this.LA(2).tokenType !== T.Newline, ALT: () => this.SUBRULE(this.triggerStmt) },
      { ALT: () => this.SUBRULE(this.closeStmt) },
      { ALT: () => this.SUBRULE(this.writeStmt) },
      { ALT: () => this.SUBRULE(this.deleteStmt) },
      { ALT: () => this.SUBRULE(this.exprStmt) },
    ] });
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
    const name = this.SUBRULE(this.identifier);
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
    this.OPTION3(() => { this.CONSUME(K.as); varName = this.SUBRULE(this.identifier); });
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.count);
    return { kind: "CountLoop", from, to, step, down, varName, body, span: this.spanFrom(start) };
  });

  forEachStmt = this.RULE("forEachStmt", (): Stmt => {
    const start = this.CONSUME(K.for);
    this.CONSUME(K.each);
    const name = this.SUBRULE(this.identifier);
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
    return { kind: "ForEach", name, iterable, reversed, body, span: this.spanFrom(start) };
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

  mainLoopStmt = this.RULE("mainLoopStmt", (): Stmt => {
    const start = this.CONSUME(K.main);
    this.CONSUME(K.loop);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.loop);
    return { kind: "MainLoop", body, span: this.spanFrom(start) };
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
            { ALT: () => { this.CONSUME(K.program); return { kind: "ExitProgram" } as const; } },
            { ALT: () => { this.CONSUME(K.loop); return { kind: "ExitLoop" } as const; } },
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
    let params: Param[] = [];
    this.OPTION(() => {
      this.OR([
        { ALT: () => { this.CONSUME(K.with); this.OPTION2(() => this.CONSUME(K.parameters)); } },
        { ALT: () => { this.CONSUME(K.needs); } },
      ]);
      params = this.SUBRULE(this.paramList);
    });
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
    return { name, type, defaultValue, span: this.spanFrom(start) };
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
            this.OPTION(() => {
              this.OR2([{ ALT: () => this.CONSUME(K.with) }, { ALT: () => this.CONSUME(K.as) }]);
              bind = this.SUBRULE(this.identifier);
            });
            this.CONSUME(T.Colon);
            this.OPTION2(() => this.CONSUME(T.Newline));
            const hbody = this.SUBRULE2(this.block);
            handlers.push({ kind: "catch", bind, body: hbody, span: this.spanFrom(s) });
          },
        },
        {
          ALT: () => {
            const s = this.CONSUME(K.otherwise);
            this.CONSUME2(T.Colon);
            this.OPTION3(() => this.CONSUME2(T.Newline));
            const hbody = this.SUBRULE3(this.block);
            handlers.push({ kind: "otherwise", bind: null, body: hbody, span: this.spanFrom(s) });
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
    const words: string[] = [];
    let bind: string | null = null;
    this.AT_LEAST_ONE(() => {
      this.OR([
        { ALT: () => { words.push(this.CONSUME(T.AnyIdent).image); } },
        { ALT: () => { words.push(this.CONSUME(K.not).image); } },
      ]);
    });
    this.OPTION(() => {
      this.CONSUME(K.as);
      bind = this.SUBRULE(this.identifier);
    });
    this.CONSUME(T.Colon);
    this.OPTION2(() => this.CONSUME(T.Newline));
    const body = this.SUBRULE(this.block);
    return this.ACTION(() => {
      const phrase = words.join(" ");
      let kind: HandlerKind = "error";
      for (const k of ["file not found", "permission denied", "process not found", "spawn failed", "kill failed", "command not found"] as const) {
        if (phrase.startsWith(k)) kind = k;
      }
      return { kind, bind, body, span: this.spanFrom(start) };
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

  describeStmt = this.RULE("describeStmt", (): Stmt => {
    const start = this.CONSUME(K.describe);
    const name = this.SUBRULE(this.primary);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.describe);
    return { kind: "Describe", name, body, span: this.spanFrom(start) };
  });

  testStmt = this.RULE("testStmt", (): Stmt => {
    const start = this.CONSUME(K.test);
    const name = this.SUBRULE(this.primary);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.test);
    return { kind: "Test", name, body, span: this.spanFrom(start) };
  });

  setupStmt = this.RULE("setupStmt", (): Stmt => {
    const start = this.LA(1);
    let teardown = false;
    this.OR([
      { ALT: () => this.CONSUME(K.setup) },
      { ALT: () => { this.CONSUME(K.teardown); teardown = true; } },
    ]);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.CONSUME(K.end);
    this.OR2([{ ALT: () => this.CONSUME2(K.setup) }, { ALT: () => this.CONSUME2(K.teardown) }]);
    this.eos();
    return { kind: "Setup", body, teardown, span: this.spanFrom(start) };
  });

  expectStmt = this.RULE("expectStmt", (): Stmt => {
    const start = this.CONSUME(K.expect);
    const subject = this.SUBRULE(this.additive);
    this.CONSUME(K.to);
    let negated = false;
    this.OPTION(() => { this.CONSUME(K.not); negated = true; });
    const assertion = this.SUBRULE(this.assertion);
    this.eos();
    return { kind: "Expect", subject, negated, assertion, span: this.spanFrom(start) };
  });

  assertion = this.RULE("assertion", (): Assertion => {
    return this.OR([
      { ALT: () => { this.CONSUME(K.equal); this.OPTION(() => this.CONSUME(K.to)); return { kind: "equal", expected: this.SUBRULE(this.additive) } as Assertion; } },
      {
        GATE: () => this.isWord(1, "be"),
        ALT: () => {
          this.CONSUME(T.Identifier);
          return this.OR2([
            { ALT: () => { this.CONSUME(K.greater); this.CONSUME(K.than); return this.SUBRULE(this.orEqual, { ARGS: ["greater"] }); } },
            { ALT: () => { this.CONSUME(K.less); this.CONSUME2(K.than); return this.SUBRULE2(this.orEqual, { ARGS: ["less"] }); } },
            { ALT: () => { this.CONSUME2(K.equal); this.CONSUME2(K.to); return { kind: "equal", expected: this.SUBRULE2(this.additive) } as Assertion; } },
            {
              // `to be yes` / `to be no` test truthiness.
              GATE: () => this.LA(2).tokenType === T.Newline || this.LA(2).tokenType === EOF,
              ALT: () => {
                const t = this.OR3([
                  { ALT: () => this.CONSUME(K.yes) }, { ALT: () => this.CONSUME(K.true) },
                  { ALT: () => this.CONSUME(K.no) }, { ALT: () => this.CONSUME(K.false) },
                ]);
                return this.ACTION(() => ({ kind: "truthy", expected: /^(yes|true)$/i.test(t.image) }) as Assertion);
              },
            },
            {
              GATE: () => this.isWord(1, "empty") && this.LA(2).tokenType !== K.of,
              ALT: () => { this.CONSUME2(T.Identifier); return { kind: "empty" } as Assertion; },
            },
            {
              GATE: () => this.isWord(1, "of") || (this.LA(1).tokenType === K.of && this.isWord(2, "type")),
              ALT: () => { this.CONSUME(K.of); this.CONSUME3(T.Identifier); return { kind: "type", expected: this.SUBRULE3(this.additive) } as Assertion; },
            },
            { ALT: () => ({ kind: "equal", expected: this.SUBRULE4(this.additive) }) as Assertion },
          ]);
        },
      },
      {
        GATE: () => this.isWord(1, "exist"),
        ALT: () => { this.CONSUME4(T.Identifier); return { kind: "exist" } as Assertion; },
      },
      {
        GATE: () => this.isWord(1, "contain"),
        ALT: () => { this.CONSUME5(T.Identifier); return { kind: "contain", expected: this.SUBRULE5(this.additive) } as Assertion; },
      },
      {
        GATE: () => this.isWord(1, "have") && this.isWord(2, "length"),
        ALT: () => { this.CONSUME6(T.Identifier); this.CONSUME7(T.Identifier); return { kind: "length", expected: this.SUBRULE6(this.additive) } as Assertion; },
      },
    ]);
  });

  orEqual = this.RULE("orEqual", (base: "greater" | "less"): Assertion => {
    let eq = false;
    this.OPTION(() => { this.CONSUME(K.or); this.CONSUME(K.equal); this.OPTION2(() => this.CONSUME(K.to)); eq = true; });
    const expected = this.SUBRULE(this.additive);
    if (base === "greater") return (eq ? { kind: "greaterEq", expected } : { kind: "greater", expected }) as Assertion;
    return (eq ? { kind: "lessEq", expected } : { kind: "less", expected }) as Assertion;
  });

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

  createStmt = this.RULE("createStmt", (): Stmt => {
    return this.OR([
      { GATE: () => this.LA(2).tokenType === K.list, ALT: () => this.SUBRULE(this.createList) },
      { GATE: () => this.LA(2).tokenType === K.map, ALT: () => this.SUBRULE(this.createMap) },
      { GATE: () => this.LA(2).tokenType === K.pattern, ALT: () => this.SUBRULE(this.createPattern) },
      { GATE: () => this.LA(2).tokenType === K.file || this.LA(2).tokenType === K.directory, ALT: () => this.SUBRULE(this.createFileStmt) },
      { GATE: () => this.LA(2).tokenType === K.container, ALT: () => this.SUBRULE(this.containerDef) },
      { GATE: () => this.LA(2).tokenType === K.interface, ALT: () => this.SUBRULE(this.interfaceDef) },
      { GATE: () => this.LA(2).tokenType === K.new && this.LA(3).tokenType !== K.constant, ALT: () => this.SUBRULE(this.createInstance) },
      { ALT: () => this.SUBRULE(this.createConstant) },
    ]);
  });

  createList = this.RULE("createList", (): Stmt => {
    const start = this.CONSUME(K.create);
    this.CONSUME(K.list);
    const name = this.SUBRULE(this.identifier);
    this.blockOpen();
    const items: Expr[] = [];
    this.MANY(() => {
      this.CONSUME(K.add);
      items.push(this.SUBRULE(this.expression));
      this.CONSUME(T.Newline);
    });
    this.endOf(K.list);
    return { kind: "CreateList", name, items, span: this.spanFrom(start) };
  });

  createMap = this.RULE("createMap", (): Stmt => {
    const start = this.CONSUME(K.create);
    this.CONSUME(K.map);
    const name = this.SUBRULE(this.identifier);
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
    return { kind: "CreateMap", name, entries, span: this.spanFrom(start) };
  });

  createPattern = this.RULE("createPattern", (): Stmt => {
    const start = this.CONSUME(K.create);
    this.CONSUME(K.pattern);
    const name = this.SUBRULE(this.identifier);
    this.CONSUME(T.Colon);
    const bodyStart = this.LA(1);
    this.MANY({
      // Any token but `end pattern`: one token of lookahead (with the gate) is enough, and keeps
      // Chevrotain from expanding every pair of tokens while it analyses the grammar.
      MAX_LOOKAHEAD: 1,
      GATE: () => !(this.LA(1).tokenType === K.end && this.LA(2).tokenType === K.pattern),
      DEF: () => { this.CONSUME(T.AnyToken); },
    });
    const bodyEnd = this.LA(1);
    this.endOf(K.pattern);
    return this.ACTION(() => {
      const bodyOffset = bodyStart.startOffset;
      const body = this.source.slice(bodyOffset, bodyEnd.startOffset);
      return { kind: "CreatePattern", name, body, bodyOffset, span: this.spanFrom(start) } as Stmt;
    });
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

  includeStmt = this.RULE("includeStmt", (): Stmt => {
    const start = this.CONSUME(K.include);
    this.CONSUME(K.from);
    const pathTok = this.CONSUME(T.StringLiteral);
    this.eos();
    return { kind: "Include", path: this.ACTION(() => decodeString(pathTok.image)), isolated: false, span: this.spanFrom(start) };
  });

  /** `load module from "x.wfl"`: runs the file in an isolated child scope. */
  loadModuleStmt = this.RULE("loadModuleStmt", (): Stmt => {
    const start = this.CONSUME(K.load);
    this.CONSUME(K.module);
    this.CONSUME(K.from);
    const pathTok = this.CONSUME(T.StringLiteral);
    this.eos();
    return { kind: "Include", path: this.ACTION(() => decodeString(pathTok.image)), isolated: true, span: this.spanFrom(start) };
  });

  /** `execute [wfl] file at P [with req] [and read output as v]`. */
  executeFileStmt = this.RULE("executeFileStmt", (): Stmt => {
    const start = this.CONSUME(K.execute);
    this.OPTION(() => this.CONSUME(T.Identifier)); // wfl
    this.CONSUME(K.file);
    this.CONSUME(K.at);
    const path = this.SUBRULE(this.postfix);
    let request: Expr | null = null;
    let output: string | null = null;
    this.OPTION2(() => { this.CONSUME(K.with); request = this.SUBRULE2(this.postfix); });
    this.OPTION3(() => {
      this.CONSUME(K.and);
      this.CONSUME2(T.Identifier); // read
      this.CONSUME3(T.Identifier); // output
      this.CONSUME(K.as);
      output = this.SUBRULE(this.identifier);
    });
    this.eos();
    return { kind: "ExecuteFile", path, request, output, span: this.spanFrom(start) };
  });

  waitStmt = this.RULE("waitStmt", (): Stmt => {
    const start = this.CONSUME(K.wait);
    this.CONSUME(K.for);
    return this.OR([
      {
        GATE: () => this.isWord(2, "seconds") || this.isWord(2, "second") || this.isWord(2, "milliseconds") || this.isWord(2, "millisecond") || this.isWord(2, "ms"),
        ALT: () => {
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
      { GATE: () => this.isWord(1, "request"), ALT: () => this.SUBRULE(this.waitRequestTail, { ARGS: [start] }) },
      {
        GATE: () => (this.LA(1).tokenType === K.execute || this.LA(1).tokenType === K.spawn) && this.isWord(2, "command"),
        ALT: () => this.SUBRULE(this.runCommandTail, { ARGS: [start] }),
      },
      {
        GATE: () => (this.isWord(1, "process") && this.LA(3).tokenType === K.to) || (this.isWord(1, "read") && this.isWord(2, "output")),
        ALT: () => this.SUBRULE(this.processWaitTail, { ARGS: [start] }),
      },
      {
        ALT: () => {
          const stmt = this.SUBRULE(this.statement);
          return { kind: "WaitFor", stmt, span: this.spanFrom(start) } as Stmt;
        },
      },
    ]);
  });

  /** After `wait for`: `request [that] comes in on srv as req [with timeout ms]`. */
  waitRequestTail = this.RULE("waitRequestTail", (start: IToken): Stmt => {
    this.CONSUME(T.Identifier); // request
    this.OPTION({ GATE: () => this.isWord(1, "that"), DEF: () => { this.CONSUME2(T.Identifier); } });
    this.CONSUME3(T.Identifier); // comes
    this.CONSUME(K.in);
    this.CONSUME(K.on);
    const server = this.SUBRULE(this.postfix);
    this.CONSUME(K.as);
    const name = this.SUBRULE(this.identifier);
    let timeout: Expr | null = null;
    this.OPTION2(() => { this.CONSUME(K.with); this.CONSUME4(T.Identifier); timeout = this.SUBRULE2(this.postfix); });
    this.eos();
    return { kind: "WaitRequest", server, name, timeout, span: this.spanFrom(start) };
  });

  /** After `wait for`: `execute|spawn command C [with arguments L] [using shell] [as v]`. */
  runCommandTail = this.RULE("runCommandTail", (start: IToken): Stmt => {
    const spawn = this.OR([
      { ALT: () => { this.CONSUME(K.execute); return false; } },
      { ALT: () => { this.CONSUME(K.spawn); return true; } },
    ]);
    this.CONSUME(T.Identifier); // command
    const command = this.SUBRULE(this.postfix);
    let args: Expr | null = null;
    let shell = false;
    let name: string | null = null;
    this.OPTION(() => { this.CONSUME(K.with); this.CONSUME2(T.Identifier); args = this.SUBRULE2(this.postfix); }); // with arguments
    this.OPTION2({ GATE: () => this.isWord(1, "using"), DEF: () => { this.CONSUME3(T.Identifier); this.CONSUME4(T.Identifier); shell = true; } });
    this.OPTION3(() => { this.CONSUME(K.as); name = this.SUBRULE(this.identifier); });
    this.eos();
    return { kind: "RunCommand", spawn, command, args, shell, name, span: this.spanFrom(start) };
  });

  /** After `wait for`: `process p to complete [as v]` or `read output from process p as v`. */
  processWaitTail = this.RULE("processWaitTail", (start: IToken): Stmt => {
    const node = this.OR([
      {
        GATE: () => this.isWord(1, "process"),
        ALT: () => {
          this.CONSUME(T.Identifier); // process
          const proc = this.SUBRULE(this.primary);
          this.CONSUME(K.to);
          this.CONSUME2(T.Identifier); // complete
          let name: string | null = null;
          this.OPTION(() => { this.CONSUME(K.as); name = this.SUBRULE(this.identifier); });
          return { kind: "ProcessOp", op: "wait", process: proc, name, span: this.spanFrom(start) } as Stmt;
        },
      },
      {
        ALT: () => {
          this.CONSUME3(T.Identifier); // read
          this.CONSUME4(T.Identifier); // output
          this.CONSUME(K.from);
          this.CONSUME5(T.Identifier); // process
          const proc = this.SUBRULE2(this.primary);
          this.CONSUME2(K.as);
          const name = this.SUBRULE2(this.identifier);
          return { kind: "ProcessOp", op: "read", process: proc, name, span: this.spanFrom(start) } as Stmt;
        },
      },
    ]);
    this.eos();
    return node;
  });

  // ── databases ───────────────────────────────────────────────────────────

  /** `open database at U as db` / `connect to database at U as db`. */
  openDatabaseStmt = this.RULE("openDatabaseStmt", (): Stmt => {
    const start = this.LA(1);
    this.OR([
      { ALT: () => { this.CONSUME(K.open); this.CONSUME(T.Identifier); } }, // open database
      { ALT: () => { this.CONSUME2(T.Identifier); this.CONSUME(K.to); this.CONSUME3(T.Identifier); } }, // connect to database
    ]);
    this.CONSUME(K.at);
    const url = this.SUBRULE(this.pathExpr);
    this.CONSUME(K.as);
    const name = this.SUBRULE(this.identifier);
    this.eos();
    return { kind: "OpenDatabase", url, name, span: this.spanFrom(start) };
  });

  /** `in transaction on db:` … `end transaction`. */
  transactionStmt = this.RULE("transactionStmt", (): Stmt => {
    const start = this.CONSUME(K.in);
    this.CONSUME(T.Identifier); // transaction
    this.CONSUME(K.on);
    const db = this.SUBRULE(this.postfix);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.CONSUME(K.end);
    this.CONSUME2(T.Identifier); // transaction
    this.eos();
    return { kind: "Transaction", db, body, span: this.spanFrom(start) };
  });

  /** `query db with SQL [and parameters L]`, `execute db with SQL [and parameters L]`. */
  dbQuery = this.RULE("dbQuery", (): Expr => {
    const start = this.LA(1);
    const execute = this.OR([
      { ALT: () => { this.CONSUME(T.Identifier); return false; } }, // query
      { ALT: () => { this.CONSUME(K.execute); return true; } },
    ]);
    const db = this.SUBRULE(this.namedValue);
    this.CONSUME(K.with);
    const sql = this.withArgsMode(true, () => this.SUBRULE(this.additive));
    let params: Expr | null = null;
    this.OPTION({
      GATE: () => this.LA(1).tokenType === K.and && this.isWord(2, "parameters") || this.LA(1).tokenType === K.and && this.LA(2).tokenType === K.parameters,
      DEF: () => {
        this.CONSUME(K.and);
        this.CONSUME(K.parameters);
        params = this.SUBRULE(this.postfix);
      },
    });
    return { kind: "DbQuery", execute, db, sql, params, span: this.spanFrom(start) };
  });

  /** `kill process p`. */
  killStmt = this.RULE("killStmt", (): Stmt => {
    const start = this.CONSUME(K.kill);
    this.CONSUME(T.Identifier); // process
    const proc = this.SUBRULE(this.primary);
    this.eos();
    return { kind: "ProcessOp", op: "kill", process: proc, name: null, span: this.spanFrom(start) };
  });

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

  /** `create container Name [extends P] [implements I, J]:` members `end`. */
  containerDef = this.RULE("containerDef", (): Stmt => {
    const start = this.CONSUME(K.create);
    this.CONSUME(K.container);
    const name = this.SUBRULE(this.identifier);
    let parent: string | null = null;
    const interfaces: string[] = [];
    this.OPTION(() => { this.CONSUME(K.extends); parent = this.SUBRULE2(this.identifier); });
    this.OPTION2(() => {
      this.CONSUME(K.implements);
      interfaces.push(this.SUBRULE3(this.identifier));
      this.MANY(() => { this.OR([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(K.and) }]); interfaces.push(this.SUBRULE4(this.identifier)); });
    });
    this.blockOpen();
    const properties: ContainerProperty[] = [];
    const methods: ContainerMethod[] = [];
    const events: string[] = [];
    this.MANY2(() => {
      this.OPTION3(() => this.CONSUME(K.static));
      this.OR2([
        { ALT: () => { properties.push(this.SUBRULE(this.propertyDecl)); } },
        { ALT: () => { methods.push(this.SUBRULE(this.methodDef)); } },
        {
          ALT: () => {
            this.CONSUME(K.event);
            events.push(this.SUBRULE5(this.identifier));
            this.OPTION4(() => { this.CONSUME(K.needs); this.SUBRULE(this.paramList); });
            this.CONSUME(T.Newline);
          },
        },
      ]);
    });
    this.CONSUME(K.end);
    this.OPTION5(() => this.CONSUME2(K.container));
    this.eos();
    return { kind: "ContainerDef", name, parent, interfaces, properties, methods, events, span: this.spanFrom(start) };
  });

  propertyDecl = this.RULE("propertyDecl", (): ContainerProperty => {
    const start = this.CONSUME(K.property);
    const name = this.SUBRULE(this.identifier);
    let type: string | null = null;
    let defaultValue: Expr | null = null;
    this.OPTION(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Colon) }, { ALT: () => this.CONSUME(K.as) }]);
      type = this.SUBRULE2(this.identifier);
    });
    this.OPTION2(() => {
      this.OR2([{ ALT: () => this.CONSUME(K.defaults) }, { ALT: () => this.CONSUME(K.default) }]);
      this.OPTION3(() => this.CONSUME(K.to));
      defaultValue = this.SUBRULE(this.expression);
    });
    this.CONSUME(T.Newline);
    return { name, type, defaultValue, span: this.spanFrom(start) };
  });

  /** `action name [needs a: T, b: T] [: RetType]` (`:` or newline) body `end [action]`. */
  methodDef = this.RULE("methodDef", (): ContainerMethod => {
    const start = this.CONSUME(K.action);
    const name = this.SUBRULE(this.identifier);
    let params: Param[] = [];
    this.OPTION(() => {
      this.OR([
        { ALT: () => { this.CONSUME(K.with); this.OPTION2(() => this.CONSUME(K.parameters)); } },
        { ALT: () => { this.CONSUME(K.needs); } },
      ]);
      params = this.SUBRULE(this.paramList);
    });
    let returnType: string | null = null;
    this.OPTION3({
      GATE: () => this.LA(1).tokenType === T.Colon && this.LA(2).tokenType !== T.Newline,
      DEF: () => { this.CONSUME(T.Colon); returnType = this.SUBRULE2(this.identifier); },
    });
    this.OPTION4(() => this.CONSUME2(T.Colon));
    this.CONSUME(T.Newline);
    const body = this.SUBRULE(this.block);
    this.CONSUME(K.end);
    this.OPTION5(() => this.CONSUME2(K.action));
    this.CONSUME2(T.Newline);
    return { name, params, returnType, body, span: this.spanFrom(start) };
  });

  /** `create interface Name [extends A, B]:` `requires action m [needs …] [: T]` … `end`. */
  interfaceDef = this.RULE("interfaceDef", (): Stmt => {
    const start = this.CONSUME(K.create);
    this.CONSUME(K.interface);
    const name = this.SUBRULE(this.identifier);
    const parents: string[] = [];
    this.OPTION(() => {
      this.CONSUME(K.extends);
      parents.push(this.SUBRULE2(this.identifier));
      this.MANY(() => { this.OR([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(K.and) }]); parents.push(this.SUBRULE3(this.identifier)); });
    });
    const requires: InterfaceRequirement[] = [];
    this.OR2([
      {
        ALT: () => {
          this.CONSUME(T.Colon);
          this.CONSUME(T.Newline);
          this.MANY2(() => {
            const rs = this.CONSUME(K.requires);
            this.CONSUME(K.action);
            const rname = this.SUBRULE4(this.identifier);
            let params: Param[] = [];
            this.OPTION2(() => { this.CONSUME(K.needs); params = this.SUBRULE(this.paramList); });
            this.OPTION3(() => { this.CONSUME2(T.Colon); this.SUBRULE5(this.identifier); });
            this.CONSUME2(T.Newline);
            requires.push({ name: rname, params, span: this.spanFrom(rs) });
          });
          this.CONSUME(K.end);
          this.OPTION4(() => this.CONSUME2(K.interface));
        },
      },
      { ALT: () => {} },
    ]);
    this.eos();
    return { kind: "InterfaceDef", name, parents, requires, span: this.spanFrom(start) };
  });

  /** `create new Person as alice:` `name is "Alice"` … `end`. */
  createInstance = this.RULE("createInstance", (): Stmt => {
    const start = this.CONSUME(K.create);
    this.CONSUME(K.new);
    const container = this.SUBRULE(this.identifier);
    this.CONSUME(K.as);
    const nameTok = this.LA(1);
    const name = this.SUBRULE2(this.identifier);
    const nameSpan = this.spanFrom(nameTok);
    const values: { key: string; value: Expr; span: Span }[] = [];
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Colon);
          this.CONSUME(T.Newline);
          this.MANY(() => {
            const ks = this.LA(1);
            const key = this.SUBRULE3(this.identifier);
            this.CONSUME(K.is);
            const value = this.SUBRULE(this.expression);
            this.CONSUME2(T.Newline);
            values.push({ key, value, span: this.spanFrom(ks) });
          });
          this.CONSUME(K.end);
        },
      },
      { ALT: () => {} },
    ]);
    this.eos();
    return { kind: "CreateInstance", container, name, nameSpan, values, span: this.spanFrom(start) };
  });

  triggerStmt = this.RULE("triggerStmt", (): Stmt => {
    const start = this.CONSUME(K.trigger);
    const event = this.SUBRULE(this.identifier);
    this.OPTION(() => { this.CONSUME(K.with); this.SUBRULE(this.expression); });
    this.eos();
    return { kind: "Trigger", event, span: this.spanFrom(start) };
  });

  // ── files ───────────────────────────────────────────────────────────────

  /** `open file at P for reading|writing|appending [binary] as h`, `open file at P and read content as v`. */
  openStmt = this.RULE("openStmt", (): Stmt => {
    const start = this.CONSUME(K.open);
    this.CONSUME(K.file);
    this.CONSUME(K.at);
    const path = this.SUBRULE(this.pathExpr);
    const node = this.OR([
      {
        ALT: () => {
          this.CONSUME(K.for);
          const modeTok = this.OR2([
            { ALT: () => this.CONSUME(T.Identifier) },
            { ALT: () => this.CONSUME(K.write) },
            { ALT: () => this.CONSUME(K.append) },
          ]);
          let binary = false;
          this.OPTION(() => { this.CONSUME2(T.Identifier); binary = true; });
          this.CONSUME(K.as);
          const name = this.SUBRULE(this.identifier);
          return this.ACTION(() => {
            const m = modeTok.image;
            const mode: "read" | "write" | "append" = m.startsWith("read") ? "read" : m.startsWith("append") ? "append" : "write";
            return { kind: "FileOp", op: "open", args: [path], name, mode, binary, span: this.spanFrom(start) } as Stmt;
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.and);
          this.CONSUME3(T.Identifier); // read
          this.CONSUME(K.content);
          this.CONSUME2(K.as);
          const name = this.SUBRULE2(this.identifier);
          return { kind: "FileOp", op: "openRead", args: [path], name, mode: "read", binary: false, span: this.spanFrom(start) } as Stmt;
        },
      },
    ]);
    this.eos();
    return node;
  });

  /** `close file h`, `close h` (also databases and servers later). */
  closeStmt = this.RULE("closeStmt", (): Stmt => {
    const start = this.CONSUME(K.close);
    let server = false;
    let database = false;
    this.OPTION({
      GATE: () => this.LA(2).tokenType !== T.Newline && this.LA(2).tokenType !== EOF && (this.LA(1).tokenType === K.file || ["server", "database"].includes(this.LA(1).image)),
      DEF: () => {
        this.OR([
          { ALT: () => this.CONSUME(K.file) },
          {
            ALT: () => {
              const w = this.CONSUME(T.Identifier).image;
              server = w === "server";
              database = w === "database";
            },
          },
        ]);
      },
    });
    const h = this.SUBRULE(this.postfix);
    this.eos();
    if (server) return { kind: "ServerOp", op: "close", server: h, span: this.spanFrom(start) };
    if (database) return { kind: "CloseDatabase", db: h, span: this.spanFrom(start) };
    return { kind: "FileOp", op: "close", args: [h], name: null, mode: "read", binary: false, span: this.spanFrom(start) };
  });

  // ── web ─────────────────────────────────────────────────────────────────

  /** `listen on port P as server`. */
  listenStmt = this.RULE("listenStmt", (): Stmt => {
    const start = this.CONSUME(K.listen);
    let websockets = false;
    this.OPTION(() => { this.CONSUME(K.for); this.CONSUME2(T.Identifier); websockets = true; }); // for websockets
    this.CONSUME(K.on);
    this.CONSUME(T.Identifier); // port
    const port = this.SUBRULE(this.postfix);
    this.CONSUME(K.as);
    const name = this.SUBRULE(this.identifier);
    this.eos();
    return { kind: "Listen", port, name, websockets, span: this.spanFrom(start) };
  });

  /** `on websocket connect to s as c:` / `message from s as m:` / `disconnect from s as c:` … `end on`. */
  onWebSocketStmt = this.RULE("onWebSocketStmt", (): Stmt => {
    const start = this.CONSUME(K.on);
    this.CONSUME(T.Identifier); // websocket
    const eventTok = this.CONSUME2(T.Identifier);
    this.OR([{ ALT: () => this.CONSUME(K.to) }, { ALT: () => this.CONSUME(K.from) }]);
    const server = this.SUBRULE(this.postfix);
    this.CONSUME(K.as);
    const name = this.SUBRULE(this.identifier);
    this.blockOpen();
    const body = this.SUBRULE(this.block);
    this.endOf(K.on);
    return this.ACTION(() => {
      const ev = eventTok.image;
      const event = ev === "message" ? "message" : ev === "disconnect" ? "disconnect" : "connect";
      return { kind: "OnWebSocket", event, server, name, body, span: this.spanFrom(start) } as Stmt;
    });
  });

  /** `send websocket message v to c`, `broadcast websocket message v to s`. */
  webSocketSendStmt = this.RULE("webSocketSendStmt", (): Stmt => {
    const start = this.CONSUME(T.Identifier); // send | broadcast
    this.CONSUME2(T.Identifier); // websocket
    this.CONSUME3(T.Identifier); // message
    const message = this.withArgsMode(true, () => this.SUBRULE(this.additive));
    this.CONSUME(K.to);
    const target = this.SUBRULE(this.postfix);
    this.eos();
    return { kind: "WebSocketSend", broadcast: start.image === "broadcast", message, target, span: this.spanFrom(start) };
  });

  /** `respond to req with content [and status N] [and content_type T] [and headers H]`. */
  respondStmt = this.RULE("respondStmt", (): Stmt => {
    const start = this.CONSUME(K.respond);
    this.CONSUME(K.to);
    const request = this.SUBRULE(this.postfix);
    this.CONSUME(K.with);
    const content = this.withArgsMode(true, () => this.SUBRULE(this.additive));
    let status: Expr | null = null;
    let contentType: Expr | null = null;
    let headers: Expr | null = null;
    this.MANY(() => {
      this.CONSUME(K.and);
      const word = this.CONSUME2(T.Identifier).image;
      this.OPTION({ GATE: () => word === "content" || this.isWord(1, "type"), DEF: () => { this.CONSUME3(T.Identifier); } });
      const value = this.withArgsMode(true, () => this.SUBRULE2(this.additive));
      this.ACTION(() => {
        if (word === "status") status = value;
        else if (word === "headers" || word === "header") headers = value;
        else contentType = value;
      });
    });
    this.eos();
    return { kind: "Respond", request, content, status, contentType, headers, span: this.spanFrom(start) };
  });

  /** `stop accepting connections on server`. */
  stopAcceptingStmt = this.RULE("stopAcceptingStmt", (): Stmt => {
    const start = this.CONSUME(K.stop);
    this.CONSUME(T.Identifier); // accepting
    this.CONSUME2(T.Identifier); // connections
    this.CONSUME(K.on);
    const server = this.SUBRULE(this.postfix);
    this.eos();
    return { kind: "ServerOp", op: "stop", server, span: this.spanFrom(start) };
  });

  /** `register signal handler for SIGINT as action_name`. */
  registerSignalStmt = this.RULE("registerSignalStmt", (): Stmt => {
    const start = this.CONSUME(K.register);
    this.CONSUME(T.Identifier); // signal
    this.CONSUME2(T.Identifier); // handler
    this.CONSUME(K.for);
    const signal = this.CONSUME3(T.Identifier).image;
    this.CONSUME(K.as);
    const handler = this.SUBRULE(this.identifier);
    this.eos();
    return { kind: "RegisterSignal", signal, handler, span: this.spanFrom(start) };
  });

  /** `write content X into h`, `write binary X into h`, `write X to h`, `append content X into h`. */
  writeStmt = this.RULE("writeStmt", (): Stmt => {
    const start = this.LA(1);
    let op = "write" as "write" | "append" | "writeBinary";
    this.OR([
      { ALT: () => this.CONSUME(K.write) },
      { ALT: () => { this.CONSUME(K.append); op = "append"; } },
    ]);
    this.OR2([
      { ALT: () => this.CONSUME(K.content) },
      { GATE: () => this.isWord(1, "binary"), ALT: () => { this.CONSUME(T.Identifier); op = "writeBinary"; } },
      { ALT: () => {} },
    ]);
    const value = this.SUBRULE(this.expression);
    this.OR3([{ ALT: () => this.CONSUME(K.into) }, { ALT: () => this.CONSUME(K.to) }]);
    const h = this.SUBRULE(this.postfix);
    this.eos();
    return { kind: "FileOp", op, args: [value, h], name: null, mode: "write", binary: op === "writeBinary", span: this.spanFrom(start) };
  });

  deleteStmt = this.RULE("deleteStmt", (): Stmt => {
    const start = this.CONSUME(K.delete);
    const op = this.OR([
      { ALT: () => { this.CONSUME(K.file); return "deleteFile" as const; } },
      { ALT: () => { this.CONSUME(K.directory); return "deleteDir" as const; } },
    ]);
    this.CONSUME(K.at);
    const path = this.SUBRULE(this.expression);
    this.eos();
    return { kind: "FileOp", op, args: [path], name: null, mode: "write", binary: false, span: this.spanFrom(start) };
  });

  /** `create file at P with C`, `create directory at P`. */
  createFileStmt = this.RULE("createFileStmt", (): Stmt => {
    const start = this.CONSUME(K.create);
    const node = this.OR([
      {
        ALT: () => {
          this.CONSUME(K.file);
          this.CONSUME(K.at);
          const path = this.SUBRULE(this.postfix);
          const args: Expr[] = [path];
          this.OPTION(() => { this.CONSUME(K.with); args.push(this.SUBRULE(this.expression)); });
          return { kind: "FileOp", op: "createFile", args, name: null, mode: "write", binary: false, span: this.spanFrom(start) } as Stmt;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.directory);
          this.CONSUME2(K.at);
          const path = this.SUBRULE2(this.expression);
          return { kind: "FileOp", op: "createDir", args: [path], name: null, mode: "write", binary: false, span: this.spanFrom(start) } as Stmt;
        },
      },
    ]);
    this.eos();
    return node;
  });

  /** Expressions about files: `read content from h`, `file exists at p`, `list files in d …`, `file size of p`. */
  fileQuery = this.RULE("fileQuery", (): Expr => {
    const start = this.LA(1);
    const q = (op: FileQueryOp, args: Expr[], recursive = false, filter: "extension" | "extensions" | "pattern" | null = null): Expr =>
      ({ kind: "FileQuery", op, args, recursive, filter, span: this.spanFrom(start) });
    return this.OR([
      {
        GATE: () => this.isWord(1, "read"),
        ALT: () => {
          this.CONSUME(T.Identifier); // read
          return this.OR2([
            { ALT: () => { this.CONSUME(K.content); this.CONSUME(K.from); return q("readContent", [this.SUBRULE(this.postfix)]); } },
            {
              GATE: () => this.isWord(1, "binary"),
              ALT: () => { this.CONSUME2(T.Identifier); this.CONSUME2(K.from); return q("readBinary", [this.SUBRULE2(this.postfix)]); },
            },
            {
              ALT: () => {
                const n = this.SUBRULE3(this.postfix);
                this.CONSUME3(T.Identifier); // bytes
                this.CONSUME3(K.from);
                const h = this.SUBRULE4(this.postfix);
                return q("readBytes", [h, n]);
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.file);
          return this.OR3([
            {
              GATE: () => this.isWord(1, "exists"),
              ALT: () => { this.CONSUME4(T.Identifier); this.CONSUME(K.at); return q("fileExists", [this.SUBRULE(this.pathExpr)]); },
            },
            {
              ALT: () => { this.CONSUME5(T.Identifier); this.CONSUME(K.of); return q("fileSize", [this.SUBRULE6(this.postfix)]); },
            },
          ]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.directory);
          this.CONSUME6(T.Identifier); // exists
          this.CONSUME2(K.at);
          return q("dirExists", [this.SUBRULE2(this.pathExpr)]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.list);
          this.CONSUME7(T.Identifier); // files
          let recursive = false;
          this.OPTION(() => { this.CONSUME8(T.Identifier); recursive = true; });
          this.CONSUME(K.in);
          const dir = this.SUBRULE8(this.postfix);
          const args: Expr[] = [dir];
          let filter: "extension" | "extensions" | "pattern" | null = null;
          this.OPTION2(() => {
            this.CONSUME(K.with);
            const w = this.OR4([
              { ALT: () => this.CONSUME9(T.Identifier).image },
              { ALT: () => this.CONSUME2(K.pattern).image },
            ]);
            filter = this.ACTION(() => (w === "pattern" ? "pattern" : w === "extensions" ? "extensions" : "extension"));
            args.push(this.SUBRULE9(this.postfix));
          });
          return q("listFiles", args, recursive, filter);
        },
      },
    ]);
  });

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

  private bin(op: BinaryOp, left: Expr, right: Expr, start: IToken, opTok: IToken): Expr {
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
      // Inside call arguments `with` ends the call: `padleft of "42" and 6 with "'"`.
      GATE: () => !this.inCallArgs,
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

  private shortConcat = false;

  /** True while parsing the arguments of an `of`/`with` call (parentheses reset it). */
  private inCallArgs = false;
  private withArgsMode<T>(on: boolean, run: () => T): T {
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
    this.MANY(() => {
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
    });
    return e;
  });

  primary = this.RULE("primary", (): Expr => {
    const start = this.LA(1);
    // One token of lookahead: alternatives that share a first token are told apart by their gates.
    return this.OR({ IGNORE_AMBIGUITIES: true, MAX_LOOKAHEAD: 1, DEF: [
      { ALT: () => { const t = this.CONSUME(T.NumberLiteral); return { kind: "Number", value: Number(t.image), span: this.tokSpan(t) } as Expr; } },
      { ALT: () => { const t = this.CONSUME(T.StringLiteral); return this.ACTION(() => this.stringNode(t)); } },
      { ALT: () => { this.OR2([{ ALT: () => this.CONSUME(K.yes) }, { ALT: () => this.CONSUME(K.true) }]); return { kind: "Boolean", value: true, span: this.spanFrom(start) } as Expr; } },
      { ALT: () => { this.OR3([{ ALT: () => this.CONSUME(K.no) }, { ALT: () => this.CONSUME(K.false) }]); return { kind: "Boolean", value: false, span: this.spanFrom(start) } as Expr; } },
      {
        ALT: () => {
          this.OR4([{ ALT: () => this.CONSUME(K.nothing) }, { ALT: () => this.CONSUME(K.missing) }, { ALT: () => this.CONSUME(K.undefined) }]);
          return { kind: "Nothing", span: this.spanFrom(start) } as Expr;
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
      { ALT: () => this.SUBRULE(this.currentTime) },
      { ALT: () => this.SUBRULE(this.callExpr) },
      { ALT: () => this.SUBRULE(this.patternExpr) },
      {
        GATE: () => this.LA(2).tokenType !== T.Colon && this.LA(2).tokenType !== T.Newline,
        ALT: () => {
          this.CONSUME(K.create);
          return this.OR5([
            { ALT: () => { this.CONSUME(K.list); return { kind: "EmptyList", span: this.spanFrom(start) } as Expr; } },
            { ALT: () => { this.CONSUME(K.map); return { kind: "EmptyMap", span: this.spanFrom(start) } as Expr; } },
          ]);
        },
      },
      {
        GATE: () => (this.isWord(1, "query") || this.LA(1).tokenType === K.execute) && this.LA(3).tokenType === K.with,
        ALT: () => this.SUBRULE(this.dbQuery),
      },
      {
        // `process p is running`
        GATE: () => this.isWord(1, "process") && this.LA(3).tokenType === K.is && this.isWord(4, "running"),
        ALT: () => {
          this.CONSUME3(T.Identifier); // process
          const proc = this.SUBRULE3(this.namedValue);
          this.CONSUME(K.is);
          this.CONSUME4(T.Identifier); // running
          return { kind: "ProcessRunning", process: proc, span: this.spanFrom(start) } as Expr;
        },
      },
      {
        GATE: () => this.startsFileQuery(),
        ALT: () => this.SUBRULE(this.fileQuery),
      },
      {
        // `push with L and v` / `push of L and v`: a builtin named by a keyword.
        ALT: () => {
          const t = this.CONSUME(K.push);
          return this.SUBRULE(this.callArgs, { ARGS: ["push", this.tokSpan(t), start] });
        },
      },
      { ALT: () => this.SUBRULE(this.namedValue) },
    ] });
  });

  private startsFileQuery(): boolean {
    const t1 = this.LA(1).tokenType;
    if (t1 === T.Identifier) {
      if (this.LA(1).image !== "read") return false;
      const t2 = this.LA(2);
      return t2.tokenType === K.content || t2.image === "binary" || this.isWord(3, "bytes");
    }
    if (t1 === K.file) return this.isWord(2, "exists") || this.isWord(2, "size");
    if (t1 === K.directory) return this.isWord(2, "exists");
    if (t1 === K.list) return this.isWord(2, "files");
    return false;
  }

  private lineHas(t: TokenType): boolean {
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
      this.MANY(() => {
        this.OR2([
          { ALT: () => this.CONSUME(K.and) },
          { ALT: () => this.CONSUME(K.from) },
          { ALT: () => this.CONSUME(K.by) },
          { GATE: () => this.isWord(1, "length"), ALT: () => this.CONSUME(T.Identifier) },
        ]);
        args.push(this.SUBRULE(this.callArg, { ARGS: [builtin] }));
      });
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

  /** `current time in milliseconds`, `current time formatted as "fmt"`. */
  currentTime = this.RULE("currentTime", (): Expr => {
    const start = this.CONSUME(K.current);
    this.CONSUME(T.Identifier); // time
    return this.OR([
      { ALT: () => { this.CONSUME(K.in); this.CONSUME2(T.Identifier); return { kind: "CurrentTimeMs", span: this.spanFrom(start) } as Expr; } },
      {
        ALT: () => {
          this.CONSUME3(T.Identifier); // formatted
          this.CONSUME(K.as);
          const format = this.SUBRULE(this.additive);
          return { kind: "CurrentTimeFormatted", format, span: this.spanFrom(start) } as Expr;
        },
      },
    ]);
  });

  /** `find P in T`, `replace P with R in T`, `split T by D`, `split T on [pattern] P`. */
  patternExpr = this.RULE("patternExpr", (): Expr => {
    const start = this.LA(1);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.find);
          const pattern = this.SUBRULE(this.additive);
          this.CONSUME(K.in);
          const text = this.SUBRULE2(this.additive);
          return { kind: "PatternFind", pattern, text, span: this.spanFrom(start) } as Expr;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.replace);
          const pattern = this.SUBRULE(this.unary);
          this.CONSUME(K.with);
          const replacement = this.SUBRULE2(this.unary);
          this.CONSUME2(K.in);
          const text = this.SUBRULE3(this.additive);
          return { kind: "PatternReplace", pattern, replacement, text, span: this.spanFrom(start) } as Expr;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.split);
          this.OPTION(() => this.CONSUME(K.of));
          const text = this.SUBRULE4(this.additive);
          return this.OR2([
            { ALT: () => { this.CONSUME(K.by); return { kind: "PatternSplit", text, separator: this.SUBRULE5(this.additive), byPattern: false, span: this.spanFrom(start) } as Expr; } },
            {
              ALT: () => {
                this.CONSUME(K.on);
                this.OPTION2(() => this.CONSUME(K.pattern));
                return { kind: "PatternSplit", text, separator: this.SUBRULE6(this.additive), byPattern: true, span: this.spanFrom(start) } as Expr;
              },
            },
            { ALT: () => { this.CONSUME(K.and); return { kind: "PatternSplit", text, separator: this.SUBRULE7(this.additive), byPattern: false, span: this.spanFrom(start) } as Expr; } },
          ]);
        },
      },
    ]);
  });

  // ── literals ────────────────────────────────────────────────────────────

  source = "";
  /** Escape problems found while decoding text literals (reported as parse errors). */
  stringErrors: { message: string; offset: number }[] = [];

  private stringNode(t: IToken): Expr {
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

export type { ExprRule };

// The resolver: a pass after parsing and before compiling that binds every name to its symbol,
// without running anything (no Runtime). It scopes names exactly as the compiler does
// (src/compiler/scope.ts, compile.ts), loads included files once, decides which `NAME with …` are
// calls, finds which actions can wait (across includes), and reports the errors it can see.
// The compiler consumes its result; a language server can use it alone, so it never throws on
// odd input and works on programs with errors.
import type { Expr, Program, Stmt } from "../ast/nodes.js";
import type { Span } from "../ast/span.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Registry } from "../stdlib/registry.js";
import { standardLibrary } from "../stdlib/index.js";
import { patternReferences } from "../stdlib/pattern/compile.js";
import { forEachPart, forEachExprChild } from "../ast/walk.js";
import { WAITING_STMTS, WAITING_EXPRS } from "../features/waits.js";

/** Loads and parses an included file; returns null (after reporting) when it cannot. */
export type IncludeLoader = (path: string, fromFile: string, span: Span) => Program | null;

export type SymbolKind =
  | "variable" | "constant" | "action" | "parameter" | "loop variable" | "container" | "interface"
  | "pattern" | "property" | "implicit";

export interface ResolvedSymbol {
  readonly id: number;
  readonly kind: SymbolKind;
  readonly name: string;
  /** Where it is declared (null for names the runtime provides: `args`, `program_name`, …). */
  readonly span: Span | null;
  readonly file: string;
  readonly scope: ResolvedScope;
  /** For actions: every definition (overloads); for methods, the container's name. */
  readonly definitions?: (Stmt & { kind: "ActionDef" })[];
}

export type ScopeKind = "program" | "action" | "container" | "method" | "block" | "loop" | "handler" | "include";

export interface ResolvedScope {
  readonly id: number;
  readonly kind: ScopeKind;
  readonly file: string;
  readonly span: Span | null;
  readonly parent: ResolvedScope | null;
  /** The names declared directly in this scope (the last declaration of each name). */
  readonly names: Map<string, ResolvedSymbol>;
}

export interface Reference {
  readonly name: string;
  readonly span: Span;
  readonly file: string;
  /** null when the name is a builtin or is not defined. */
  readonly symbol: ResolvedSymbol | null;
  readonly builtin: boolean;
  readonly use: "read" | "call" | "write";
}

/** `NAME with a and b` where NAME is an action: a call, with the arguments split at `and`. */
export interface CallDecision {
  readonly callee: string;
  readonly calleeSpan: Span;
  readonly args: Expr[];
}

export interface Resolution {
  readonly program: Program;
  readonly scopes: ResolvedScope[];
  readonly symbols: ResolvedSymbol[];
  readonly references: Reference[];
  /** The reference a `Var` or `Call` node (or a decided `Concat`) makes. */
  readonly referenceOf: Map<Expr, Reference>;
  /** Included programs, by the `include` statement that names them (each loaded once). */
  readonly includes: Map<Stmt, Program>;
  /** Names of actions (and `Container.method`s) that can wait, across includes. */
  readonly mayWait: Set<string>;
  /** `Concat` nodes that are calls. */
  readonly calls: Map<Expr, CallDecision>;
  readonly diagnostics: Diagnostic[];
  /** True when part of the program could not be analysed (nested too deeply, or malformed). */
  readonly incomplete: boolean;
}

export interface ResolveOptions {
  loadInclude?: IncludeLoader;
  /** Names the runtime defines before the program starts (defaults to RUNTIME_GLOBALS). */
  globals?: Iterable<string>;
  registry?: Registry;
}

/** What every run defines (see `src/host/run.ts`); executed pages add their request's fields. */
export const RUNTIME_GLOBALS = ["args", "arg_count", "positional_args", "program_name", "script_path", "script_directory", "current_directory"];

/** The variables `wait for request … as req` also sets (see `src/features/web/compile.ts`). */
export const REQUEST_FIELDS = ["method", "path", "query", "client_ip", "body", "body_bytes", "headers"];

const MAX_INCLUDE_DEPTH = 16;

interface Fn {
  readonly parent: Fn | null;
}

interface Block {
  readonly fn: Fn;
  readonly parent: Block | null;
  readonly scope: ResolvedScope;
  readonly names: Map<string, ResolvedSymbol>;
}

interface Facts {
  waits: boolean;
  calls: Set<ResolvedSymbol>;
  dynamic: boolean;
}

export function resolveProgram(program: Program, options: ResolveOptions = {}): Resolution {
  return new Resolver(program ?? { body: [], source: "", file: "" }, options ?? {}).run();
}

class Resolver {
  private readonly registry: Registry;
  private readonly scopes: ResolvedScope[] = [];
  private readonly symbols: ResolvedSymbol[] = [];
  private readonly references: Reference[] = [];
  private readonly referenceOf = new Map<Expr, Reference>();
  private readonly includes = new Map<Stmt, Program>();
  private readonly calls = new Map<Expr, CallDecision>();
  private readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  private readonly pending: (() => void)[][] = [];
  private readonly includeStack: string[] = [];
  private readonly facts = new Map<string | ResolvedSymbol, Facts>();
  private current: Facts = { waits: false, calls: new Set(), dynamic: false };
  private file: string;
  private tryDepth = 0;
  private incomplete = false;

  constructor(private readonly program: Program, private readonly options: ResolveOptions) {
    this.registry = options.registry ?? standardLibrary();
    this.file = program.file ?? "";
  }

  run(): Resolution {
    const fn: Fn = { parent: null };
    const top = this.newBlock(fn, null, "program", null);
    for (const g of this.options.globals ?? RUNTIME_GLOBALS) this.declareSymbol(top, "implicit", g, null);
    this.includeStack.push(this.program.file);
    this.guard(() => this.block(this.program.body ?? [], top));
    return {
      program: this.program,
      scopes: this.scopes,
      symbols: this.symbols,
      references: this.references,
      referenceOf: this.referenceOf,
      includes: this.includes,
      mayWait: this.waitingNames(),
      calls: this.calls,
      diagnostics: this.diagnostics,
      incomplete: this.incomplete,
    };
  }

  /** Never throw: an analysis that meets something unexpected stops that part and goes on. */
  private guard(run: () => void): void {
    try {
      run();
    } catch {
      // e.g. a program nested too deeply for the stack: what was resolved so far stands.
      this.incomplete = true;
    }
  }

  // ── scopes and symbols ──────────────────────────────────────────────────

  private newBlock(fn: Fn, parent: Block | null, kind: ScopeKind, span: Span | null): Block {
    const scope: ResolvedScope = { id: this.scopes.length, kind, file: this.file, span, parent: parent?.scope ?? null, names: new Map() };
    this.scopes.push(scope);
    return { fn, parent, scope, names: new Map() };
  }

  private declareSymbol(b: Block, kind: SymbolKind, name: string, span: Span | null, definitions?: (Stmt & { kind: "ActionDef" })[]): ResolvedSymbol {
    const sym: ResolvedSymbol = definitions
      ? { id: this.symbols.length, kind, name, span, file: this.file, scope: b.scope, definitions }
      : { id: this.symbols.length, kind, name, span, file: this.file, scope: b.scope };
    this.symbols.push(sym);
    b.names.set(name, sym);
    b.scope.names.set(name, sym);
    return sym;
  }

  private lookup(b: Block, name: string): { sym: ResolvedSymbol; block: Block } | undefined {
    for (let s: Block | null = b; s; s = s.parent) {
      const sym = s.names.get(name);
      if (sym) return { sym, block: s };
    }
    return undefined;
  }

  private error(message: string, span: Span): void {
    const key = `${this.file}\0${span.start}\0${span.end}\0${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push({ code: "ANALYZE-SEMANTIC", message, span, file: this.file });
  }

  private refer(e: Expr | null, name: string, span: Span, sym: ResolvedSymbol | null, builtin: boolean, use: Reference["use"]): void {
    const r: Reference = { name, span, file: this.file, symbol: sym, builtin, use };
    this.references.push(r);
    if (e) this.referenceOf.set(e, r);
    if (sym && (sym.kind === "action")) this.current.calls.add(sym);
  }

  // ── blocks ──────────────────────────────────────────────────────────────

  private block(stmts: Stmt[], b: Block): void {
    this.pending.push([]);
    this.guard(() => this.hoist(stmts, b));
    for (const s of stmts ?? []) {
      try {
        this.stmt(s, b);
      } catch {
        this.incomplete = true; // (see guard)
      }
    }
    for (const job of this.pending.pop()!) this.guard(job);
  }

  private hoist(stmts: Stmt[], b: Block): void {
    const groups = new Map<string, (Stmt & { kind: "ActionDef" })[]>();
    for (const s of stmts ?? []) {
      if (s?.kind !== "ActionDef") continue;
      const g = groups.get(s.name);
      if (g) g.push(s);
      else groups.set(s.name, [s]);
    }
    for (const [name, defs] of groups) {
      const existing = b.names.get(name);
      if (existing && existing.kind !== "action") {
        this.error(`'${name}' is already a variable here; an action cannot have the same name`, defs[0]!.nameSpan);
        continue;
      }
      const sym = this.declareSymbol(b, "action", name, defs[0]!.nameSpan, defs);
      const facts = this.factsOf(sym);
      for (const d of defs) this.actionBody(d, b, facts);
    }
  }

  private factsOf(key: string | ResolvedSymbol): Facts {
    let f = this.facts.get(key);
    if (!f) this.facts.set(key, (f = { waits: false, calls: new Set(), dynamic: false }));
    return f;
  }

  /** An action's body is resolved when its block is complete, so it sees later names too. */
  private actionBody(d: Stmt & { kind: "ActionDef" }, b: Block, facts: Facts): void {
    const fn: Fn = { parent: b.fn };
    const inner = this.newBlock(fn, b, "action", d.span);
    for (const p of d.params ?? []) this.declareSymbol(inner, "parameter", p.name, p.span);
    const file = this.file;
    this.pending[this.pending.length - 1]!.push(() => this.within(file, facts, () => {
      for (const p of d.params ?? []) if (p.defaultValue) this.expr(p.defaultValue, b);
      this.block(d.body ?? [], inner);
    }));
  }

  private within(file: string, facts: Facts, run: () => void): void {
    const savedFile = this.file, savedFacts = this.current;
    this.file = file;
    this.current = facts;
    try {
      run();
    } finally {
      this.file = savedFile;
      this.current = savedFacts;
    }
  }

  private sub(b: Block, kind: ScopeKind, span: Span | null): Block {
    return this.newBlock(b.fn, b, kind, span);
  }

  // ── statements ──────────────────────────────────────────────────────────

  private stmt(s: Stmt, b: Block): void {
    if (!s) return;
    if (WAITING_STMTS.has(s.kind)) this.current.waits = true;
    switch (s.kind) {
      case "Store": this.declare(s.name, s.nameSpan, s.value, b, s.constant ? "constant" : "variable", true); return;
      case "Change": this.expr(s.value, b); this.setter(s.target, b, s.span); return;
      case "If":
        this.expr(s.cond, b);
        this.block(s.then ?? [], this.sub(b, "block", s.span));
        if (s.otherwise) this.block(s.otherwise, this.sub(b, "block", s.span));
        return;
      case "CountLoop": {
        this.expr(s.from, b); this.expr(s.to, b); if (s.step) this.expr(s.step, b);
        const inner = this.sub(b, "loop", s.span);
        this.declareSymbol(inner, "loop variable", s.varName, s.span);
        this.block(s.body ?? [], inner);
        return;
      }
      case "ForEach": {
        this.expr(s.iterable, b);
        const inner = this.sub(b, "loop", s.span);
        this.declareSymbol(inner, "loop variable", s.name, s.span);
        this.block(s.body ?? [], inner);
        return;
      }
      case "While": this.expr(s.cond, b); this.block(s.body ?? [], this.sub(b, "loop", s.span)); return;
      case "DoUntil": {
        const inner = this.sub(b, "loop", s.span);
        this.block(s.body ?? [], inner);
        this.expr(s.cond, inner);
        return;
      }
      case "Forever": case "MainLoop": this.block(s.body ?? [], this.sub(b, "loop", s.span)); return;
      case "ActionDef": return; // hoisted
      case "ExprStmt":
        if (s.expr?.kind === "Var") this.callByName(s.expr, s.expr.name, [], s.expr.span, b, true, "of");
        else this.expr(s.expr, b);
        return;
      case "Try": {
        this.tryDepth++;
        try {
          this.block(s.body ?? [], this.sub(b, "block", s.span));
        } finally {
          this.tryDepth--;
        }
        for (const h of s.handlers ?? []) {
          const inner = this.sub(b, "handler", h.span);
          if (h.bind) {
            this.declareSymbol(inner, "variable", h.bind, h.span);
            this.declareSymbol(inner, "implicit", "error_message", null);
            this.declareSymbol(inner, "implicit", "error", null);
          } else {
            this.declareSymbol(inner, "implicit", "error", null);
            this.declareSymbol(inner, "implicit", "error_message", null);
          }
          this.block(h.body ?? [], inner);
        }
        if (s.finally) this.block(s.finally, this.sub(b, "block", s.span));
        return;
      }
      case "Route":
        this.expr(s.subject, b);
        for (const a of s.arms ?? []) {
          for (const m of a.matchers) this.expr(m.value, b);
          this.block(a.body ?? [], this.sub(b, "block", a.span));
        }
        if (s.otherwise) this.block(s.otherwise, this.sub(b, "block", s.span));
        return;
      case "Describe": {
        this.expr(s.name, b);
        const inner = this.sub(b, "block", s.span);
        const body = s.body ?? [];
        for (const x of body) if (x.kind === "Setup") this.block(x.body ?? [], inner);
        this.block(body.filter((x) => x.kind !== "Setup"), inner);
        return;
      }
      case "Test": this.expr(s.name, b); this.block(s.body ?? [], this.sub(b, "block", s.span)); return;
      case "Setup": this.block(s.body ?? [], this.sub(b, "block", s.span)); return;
      case "AddTo": case "SubtractFrom": case "MultiplyBy": case "DivideBy":
        this.expr(s.target, b); this.setter(s.target, b, s.span); this.expr(s.value, b);
        return;
      case "CreateList":
        this.declare(s.name, s.span, { kind: "ListLit", items: s.items ?? [], span: s.span }, b, "variable", true);
        return;
      case "CreateMap":
        for (const e of s.entries ?? []) this.expr(e.value, b);
        this.declareName(s.name, s.span, b, "variable");
        return;
      case "CreatePattern": {
        let refs: string[] = [];
        try {
          refs = patternReferences(s.body);
        } catch {
          // An unreadable pattern is the compiler's to report.
        }
        for (const n of refs) {
          const found = this.lookup(b, n);
          if (found) this.refer(null, n, s.span, found.sym, false, "read");
        }
        this.declareName(s.name, s.span, b, "pattern");
        return;
      }
      case "Include": this.include(s, s.isolated ? this.sub(b, "include", s.span) : b); return;
      case "WaitFor": this.stmt(s.stmt, b); return;
      case "ContainerDef": this.containerDef(s, b); return;
      case "InterfaceDef": {
        // Interfaces live in their own namespace (the compiler keeps them out of scope).
        const sym: ResolvedSymbol = { id: this.symbols.length, kind: "interface", name: s.name, span: s.span, file: this.file, scope: b.scope };
        this.symbols.push(sym);
        return;
      }
      case "CreateInstance": {
        const c = this.lookup(b, s.container);
        if (c) this.refer(null, s.container, s.span, c.sym, false, "read");
        for (const v of s.values ?? []) this.expr(v.value, b);
        this.declareName(s.name, s.nameSpan, b, "variable");
        return;
      }
      case "Listen":
        this.expr(s.port, b);
        if (s.certificate) this.expr(s.certificate, b);
        if (s.key) this.expr(s.key, b);
        if (s.redirectTo) this.expr(s.redirectTo, b);
        this.declareName(s.name, s.span, b, "variable");
        return;
      case "SessionListen": this.expr(s.port, b); this.declareName(s.name, s.span, b, "variable"); return;
      case "RegisterRoute": {
        this.expr(s.method, b); this.expr(s.path, b); this.expr(s.server, b);
        const found = this.lookup(b, s.handler);
        if (found) this.refer(null, s.handler, s.handlerSpan, found.sym, false, "read");
        return;
      }
      case "WaitRequest": {
        this.expr(s.server, b);
        if (s.timeout) this.expr(s.timeout, b);
        this.declareName(s.name, s.span, b, "variable");
        for (const f of REQUEST_FIELDS) {
          const found = this.lookup(b, f);
          if (found && !isVariableKind(found.sym.kind)) continue;
          if (found && found.block.fn === b.fn) continue; // the same variable is written again
          this.declareSymbol(b, "implicit", f, s.span);
        }
        return;
      }
      case "OnWebSocket": {
        this.expr(s.server, b);
        const inner = this.sub(b, "handler", s.span);
        this.declareSymbol(inner, "variable", s.name, s.span);
        this.block(s.body ?? [], inner);
        return;
      }
      case "RegisterSignal": {
        const found = this.lookup(b, s.handler);
        if (found) this.refer(null, s.handler, s.span, found.sym, false, "read");
        return;
      }
      case "OpenDatabase": this.expr(s.url, b); this.declareName(s.name, s.span, b, "variable"); return;
      case "Transaction": this.expr(s.db, b); this.block(s.body ?? [], b); return;
      case "ExecuteQuery":
        this.expr(s.sql, b); this.expr(s.target, b); if (s.params) this.expr(s.params, b);
        if (s.name) this.declareName(s.name, s.span, b, "variable");
        return;
      case "BeginTransaction": this.expr(s.db, b); this.declareName(s.name, s.span, b, "variable"); return;
      case "RunCommand":
        this.expr(s.command, b); if (s.args) this.expr(s.args, b);
        if (s.name) this.declareName(s.name, s.span, b, "variable");
        return;
      case "ProcessOp": this.expr(s.process, b); if (s.name) this.declareName(s.name, s.span, b, "variable"); return;
      case "FileOp": for (const a of s.args ?? []) this.expr(a, b); if (s.name) this.declareName(s.name, s.span, b, "variable"); return;
      case "ExecuteFile":
        this.expr(s.path, b); if (s.request) this.expr(s.request, b);
        if (s.output) this.declareName(s.output, s.span, b, "variable");
        return;
      case "OpenUrl":
        this.expr(s.url, b);
        if (s.method) this.expr(s.method, b);
        if (s.headers) this.expr(s.headers, b);
        if (s.body) this.expr(s.body, b);
        this.declareName(s.name, s.span, b, "variable");
        return;
      case "StreamRead": this.expr(s.source, b); this.declareName(s.name, s.span, b, "variable"); return;
      case "StartStreaming":
        this.expr(s.request, b);
        if (s.status) this.expr(s.status, b);
        if (s.contentType) this.expr(s.contentType, b);
        if (s.headers) this.expr(s.headers, b);
        this.declareName(s.name, s.span, b, "variable");
        return;
      case "StreamWrite": {
        // `write line x … to out` also reads as the file write of the variable `line x`: keep the
        // readings whose leading name exists (the compiler chooses the same way).
        this.expr(s.target, b);
        const fileOk = s.fileName !== null && s.fileValue !== null && this.lookup(b, s.fileName) !== undefined;
        const streamOk = s.leadName === null || this.lookup(b, s.leadName) !== undefined ||
          this.registry.functions.has(s.leadName) || this.registry.constants.has(s.leadName) || !fileOk;
        if (streamOk) this.expr(s.value, b);
        if (fileOk) this.expr(s.fileValue!, b);
        return;
      }
      default:
        // Statements that bind nothing: visit their expressions and bodies in this scope.
        forEachPart(s, (e) => this.expr(e, b), (body) => this.block(body, this.sub(b, "block", s.span)));
    }
  }

  /** `store name as value` (compile.ts `declare`). */
  private declare(name: string, span: Span, value: Expr, b: Block, kind: SymbolKind, checkAction: boolean): void {
    const outer = this.lookup(b, name);
    if (outer && outer.sym.kind === "property") {
      this.expr(value, b);
      this.refer(null, name, span, outer.sym, false, "write");
      return;
    }
    const existing = b.names.get(name);
    // A request field a `wait for request` made a variable (`client_ip`, `path`, …) may be stored
    // again: `store client_ip as client_ip of request` (seed 003, section 3.8) names it explicitly.
    if (existing && !(existing.kind === "implicit" && REQUEST_FIELDS.includes(name))) {
      if (checkAction && existing.kind === "action") this.error(`'${name}' is already an action; choose another name for this variable`, span);
      else this.error(`Variable '${name}' is already defined. Use 'change ${name} to …' to give it a new value`, span);
    }
    this.expr(value, b);
    this.declareSymbol(b, kind, name, span);
  }

  /** A name bound by a statement whose value is computed already (compile.ts `declareCompiled`). */
  private declareName(name: string, span: Span, b: Block, kind: SymbolKind): void {
    if (b.names.has(name)) this.error(`Variable '${name}' is already defined. Use 'change ${name} to …' to give it a new value`, span);
    this.declareSymbol(b, kind, name, span);
  }

  /** The target of `change`, `add … to`, … (compile.ts `setter`). */
  private setter(target: Expr, b: Block, span: Span): void {
    if (!target) return;
    if (target.kind === "Var") {
      const found = this.lookup(b, target.name);
      if (!found) {
        this.refer(target, target.name, target.span, null, false, "write");
        this.error(`Variable '${target.name}' is not defined. Use 'store ${target.name} as …' to create it first`, target.span);
        return;
      }
      this.refer(target, target.name, target.span, found.sym, false, "write");
      if (found.sym.kind === "action") this.error(`'${target.name}' is an action and cannot be changed`, target.span);
      else if (found.sym.kind === "constant") this.error(`Cannot modify constant '${target.name}'`, span);
      return;
    }
    if (target.kind === "Index") { this.expr(target.target, b); this.expr(target.index, b); return; }
    if (target.kind === "Member") { this.expr(target.target, b); return; }
    this.expr(target, b);
  }

  private include(s: Stmt & { kind: "Include" }, b: Block): void {
    if (this.includeStack.length > MAX_INCLUDE_DEPTH) {
      this.error("Includes nest too deeply (more than 16 levels)", s.span);
      return;
    }
    const load = this.options.loadInclude;
    if (!load) return;
    let program: Program | null = null;
    try {
      program = load(s.path, this.file, s.span);
    } catch {
      program = null;
    }
    if (!program) return;
    if (this.includeStack.includes(program.file)) {
      this.error(`Circular include: '${s.path}' is already being included`, s.span);
      return;
    }
    this.includes.set(s, program);
    const saved = this.file;
    this.includeStack.push(program.file);
    this.file = program.file;
    try {
      // Included definitions join the including scope.
      this.block(program.body ?? [], b);
    } finally {
      this.includeStack.pop();
      this.file = saved;
    }
  }

  private containerDef(s: Stmt & { kind: "ContainerDef" }, b: Block): void {
    if (s.parent) {
      const p = this.lookup(b, s.parent);
      if (p) this.refer(null, s.parent, s.span, p.sym, false, "read");
    }
    for (const p of s.properties ?? []) if (p.defaultValue) this.expr(p.defaultValue, b);
    // A container's properties are symbols of its own scope; its methods see them (and inherited ones).
    const own = this.sub(b, "container", s.span);
    for (const p of s.properties ?? []) this.declareSymbol(own, "property", p.name, p.span);
    const props = new Map<string, ResolvedSymbol>();
    const chain: string[] = [];
    for (let c: string | null = s.parent; c && !chain.includes(c); c = this.containers.get(c)?.parent ?? null) chain.unshift(c);
    for (const c of chain) for (const [n, sym] of this.containers.get(c)?.props ?? []) props.set(n, sym);
    for (const [n, sym] of own.names) props.set(n, sym);
    this.containers.set(s.name, { parent: s.parent, props });
    for (const m of s.methods ?? []) {
      const fn: Fn = { parent: b.fn };
      const inner = this.newBlock(fn, b, "method", m.span);
      for (const [n, sym] of props) { inner.names.set(n, sym); inner.scope.names.set(n, sym); }
      for (const p of m.params ?? []) this.declareSymbol(inner, "parameter", p.name, p.span);
      const facts = this.factsOf(`${s.name}.${m.name}`);
      const file = this.file;
      this.pending[this.pending.length - 1]!.push(() => this.within(file, facts, () => {
        this.block(m.body ?? [], this.newBlock(fn, inner, "block", m.span));
      }));
    }
    this.declareName(s.name, s.span, b, "container");
  }

  private readonly containers = new Map<string, { parent: string | null; props: Map<string, ResolvedSymbol> }>();

  // ── expressions ─────────────────────────────────────────────────────────

  private expr(e: Expr, b: Block): void {
    if (!e) return;
    if (WAITING_EXPRS.has(e.kind)) this.current.waits = true;
    switch (e.kind) {
      case "Var": this.varRef(e, b); return;
      case "Call":
        this.callByName(e, e.callee, e.args ?? [], e.calleeSpan, b, false, e.style);
        return;
      case "Concat": {
        // `NAME with a and b` is a call when NAME is an action here (local, hoisted or included).
        const left = e.left;
        if (left?.kind === "Var") {
          const found = this.lookup(b, left.name);
          if (found && found.sym.kind === "action") {
            const args = splitAnd(e.right);
            this.calls.set(e, { callee: left.name, calleeSpan: left.span, args });
            this.callByName(e, left.name, args, left.span, b, false, "with");
            return;
          }
        }
        this.expr(e.left, b);
        this.expr(e.right, b);
        return;
      }
      case "Number": case "Text": case "Boolean": case "Nothing": case "EmptyList": case "EmptyMap": case "CurrentTimeMs": return;
      case "Binary": case "Logical": this.expr(e.left, b); this.expr(e.right, b); return;
      case "Not": case "Negate": this.expr(e.operand, b); return;
      case "ListLit": for (const i of e.items ?? []) this.expr(i, b); return;
      case "Index": this.expr(e.target, b); this.expr(e.index, b); return;
      case "Member": this.expr(e.target, b); return;
      case "MethodCall":
        this.current.dynamic = true;
        break;
      case "DbQuery":
        this.current.waits = true; // PostgreSQL queries are asynchronous
        break;
    }
    forEachExprChild(e, (c) => this.expr(c, b));
  }

  /** compile.ts `varRef`. */
  private varRef(e: Expr & { kind: "Var" }, b: Block): void {
    const found = this.lookup(b, e.name);
    if (found) {
      this.refer(e, e.name, e.span, found.sym, false, "read");
      return;
    }
    const native = this.registry.functions.get(e.name);
    if (native || this.registry.constants.has(e.name)) {
      if (native?.isAsync && native.minArity === 0) this.current.waits = true;
      this.refer(e, e.name, e.span, null, true, "read");
      return;
    }
    this.refer(e, e.name, e.span, null, false, "read");
    if (this.tryDepth > 0) return;
    this.error(e.name === "count"
      ? "Variable 'count' can only be used inside count loops (or after 'store count as …')"
      : `Variable '${e.name}' is not defined`, e.span);
  }

  /** compile.ts `callByName`: a user action, a variable holding one, a builtin, or `prop of object`. */
  private callByName(node: Expr, name: string, args: Expr[], calleeSpan: Span, b: Block, bare: boolean, style: "of" | "with" | "call"): void {
    for (const a of args) this.expr(a, b);
    const found = this.lookup(b, name);
    if (found) {
      if (found.sym.kind !== "action") this.current.dynamic = true;
      this.refer(node, name, calleeSpan, found.sym, false, "call");
      return;
    }
    const native = this.registry.functions.get(name);
    if (native) {
      if (native.isAsync) this.current.waits = true;
      this.refer(node, name, calleeSpan, null, true, "call");
      return;
    }
    this.current.dynamic = true;
    this.refer(node, name, calleeSpan, null, false, "call");
    if (args.length === 1 && !bare && style !== "call") return; // `path of req` reads a property
    if (this.tryDepth > 0) return;
    this.error(`Action '${name}' is not defined`, calleeSpan);
  }

  // ── may-wait ────────────────────────────────────────────────────────────

  /** A fixpoint over the call graph: an action can wait if it waits or calls one that can. */
  private waitingNames(): Set<string> {
    const waiting = new Set<string | ResolvedSymbol>();
    for (const [k, f] of this.facts) if (f.waits) waiting.add(k);
    let changed = true;
    while (changed) {
      changed = false;
      for (const [k, f] of this.facts) {
        if (waiting.has(k)) continue;
        if ([...f.calls].some((c) => waiting.has(c)) || (f.dynamic && waiting.size > 0)) {
          waiting.add(k);
          changed = true;
        }
      }
    }
    const names = new Set<string>();
    for (const k of waiting) names.add(typeof k === "string" ? k : k.name);
    return names;
  }
}

/** Names the compiler binds as plain variables (actions and container properties are not). */
function isVariableKind(k: SymbolKind): boolean {
  return k !== "action" && k !== "property";
}

/** The arguments of `NAME with a and b and c`: the right side split at its top-level `and`s. */
export function splitAnd(e: Expr): Expr[] {
  if (e && e.kind === "Logical" && e.op === "and") return [...splitAnd(e.left), ...splitAnd(e.right)];
  return [e];
}

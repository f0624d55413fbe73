// The linter's rules: style and likely-bug checks over the syntax tree and the resolver's
// symbols and references (src/analysis/resolve.ts); nothing is run. Each rule has a code and a
// rationale (Docs/lint.md says why each exists); some carry a safe fix, a text edit.
import type { Expr, Program, Stmt } from "../ast/nodes.js";
import type { Span } from "../ast/span.js";
import type { Resolution, ResolvedSymbol } from "../analysis/resolve.js";
import { tokenize } from "../lexer/lexer.js";

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface Finding {
  code: string;
  message: string;
  span: Span;
  /** A safe fix: replacing the source between start and end with text. */
  fix?: Edit;
}

export interface LintOptions {
  /** `.wflcfg`'s snake_case_variables (default true): LINT-NAME on or off. */
  snakeCase?: boolean;
  /** `.wflcfg`'s max_line_length (default 100): LINT-LENGTH. */
  maxLineLength?: number;
  /** `.wflcfg`'s max_nesting_depth (default 5): LINT-COMPLEX. */
  maxNesting?: number;
  /** `.wflcfg`'s trailing_whitespace (default false, not allowed): LINT-WHITESPACE off when true. */
  trailingWhitespace?: boolean;
}

export interface Rule {
  code: string;
  summary: string;
}

/** Every rule, by code (the table Docs/lint.md documents). */
export const RULES: readonly Rule[] = [
  { code: "LINT-UNUSED", summary: "a variable is stored but never read" },
  { code: "LINT-SHADOW", summary: "a name hides one of the same name in an enclosing scope" },
  { code: "LINT-UNREACHABLE", summary: "statements after return, exit or break never run" },
  { code: "LINT-BOOL", summary: "a comparison with yes or no (`x is equal to yes`)" },
  { code: "LINT-NAME", summary: "a variable, constant, action or parameter name that is not snake_case" },
  { code: "LINT-END", summary: "a bare `end` where the block's label may be written (`end action`)" },
  { code: "LINT-WHITESPACE", summary: "spaces or tabs at the end of a line" },
  { code: "LINT-LENGTH", summary: "a line longer than max_line_length (100)" },
  { code: "LINT-COMPLEX", summary: "blocks nested deeper than max_nesting_depth (5)" },
];

const BLOCK_KEYS = ["body", "then", "otherwise", "finally", "handlers", "arms"];

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const DECLARED: ReadonlySet<string> = new Set(["variable", "constant"]);
const NAMED: ReadonlySet<string> = new Set(["variable", "constant", "action", "parameter", "loop variable"]);
const TERMINATORS: Record<string, string> = {
  Return: "return", Break: "break", Continue: "continue", ExitLoop: "exit loop", ExitProgram: "exit program",
};

type Node = (Stmt | Expr) & { span: Span };

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && "kind" in v && "span" in v;
}

/** Visit every node under `root`; `onList` sees every array of nodes (statement lists among them). */
function walk(root: unknown, on: (n: Node) => void, onList: (xs: Node[]) => void): void {
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (typeof v !== "object" || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      if (v.length > 0 && v.every(isNode)) onList(v as Node[]);
      for (const x of v) visit(x);
      return;
    }
    if (isNode(v)) on(v);
    for (const key in v) {
      if (key === "span" || key === "nameSpan" || key === "calleeSpan" || key === "opSpan") continue;
      visit((v as Record<string, unknown>)[key]);
    }
  };
  visit(root);
}

export function lintProgram(program: Program, resolution: Resolution, options: LintOptions = {}): Finding[] {
  const source = program.source;
  const file = program.file;
  const findings: Finding[] = [];
  const mine = (s: ResolvedSymbol): boolean => s.span !== null && s.file === file;

  // LINT-UNUSED: stored, never read (a name starting with `_` says it is unused on purpose).
  const used = new Set<ResolvedSymbol>();
  for (const r of resolution.references) if (r.symbol && r.use !== "write") used.add(r.symbol);
  for (const s of resolution.symbols) {
    if (!mine(s) || !DECLARED.has(s.kind) || used.has(s) || s.name.startsWith("_")) continue;
    if (s.scope.kind === "program" && s.scope.parent === null && isExported(program, s.name)) continue;
    findings.push({ code: "LINT-UNUSED", message: `'${s.name}' is stored but never used`, span: s.span! });
  }

  // LINT-SHADOW: a declaration hiding the same name in an enclosing scope.
  for (const s of resolution.symbols) {
    if (!mine(s) || !NAMED.has(s.kind) || s.kind === "action") continue;
    for (let sc = s.scope.parent; sc; sc = sc.parent) {
      const outer = sc.names.get(s.name);
      if (outer && outer !== s && outer.kind !== "implicit" && outer.kind !== "property") {
        findings.push({ code: "LINT-SHADOW", message: `'${s.name}' hides the ${outer.kind} of the same name declared in an enclosing scope`, span: s.span! });
        break;
      }
    }
  }

  // LINT-NAME: snake_case for variables, constants, actions, parameters and loop variables.
  if (options.snakeCase !== false) {
    const reported = new Set<string>();
    for (const s of resolution.symbols) {
      if (!mine(s) || !NAMED.has(s.kind) || SNAKE.test(s.name)) continue;
      const key = `${s.name}\0${s.span!.start}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const suggestion = snakeCase(s.name);
      findings.push({ code: "LINT-NAME", message: `The ${s.kind} name '${s.name}' is not snake_case${suggestion && suggestion !== s.name ? ` (for example '${suggestion}')` : ""}`, span: s.span! });
    }
  }

  // LINT-UNREACHABLE and LINT-BOOL, over the tree.
  const conditions = new Set<Expr>();
  walk(program.body, (n) => {
    if ((n.kind === "If" || n.kind === "While" || n.kind === "DoUntil") && "cond" in n) conditions.add(n.cond as Expr);
  }, () => {});
  walk(program.body, (n) => {
    if (n.kind !== "Binary" || (n.op !== "==" && n.op !== "!=")) return;
    const boolSide = n.right.kind === "Boolean" ? n.right : n.left.kind === "Boolean" ? n.left : null;
    if (!boolSide || boolSide.kind !== "Boolean") return;
    const other = boolSide === n.right ? n.left : n.right;
    if (other.kind === "Boolean") return;
    const positive = (boolSide.value === true) === (n.op === "==");
    const otherText = source.slice(other.span.start, other.span.end);
    const simple = other.kind === "Var" || other.kind === "Call" || other.kind === "Member" || other.kind === "Index";
    const replacement = positive ? otherText : `not ${simple ? otherText : `(${otherText})`}`;
    const finding: Finding = {
      code: "LINT-BOOL",
      message: `Comparing with ${boolSide.value ? "yes" : "no"} is redundant: write '${replacement}'`,
      span: n.span,
    };
    if (conditions.has(n) && other.span.end <= source.length) finding.fix = { start: n.span.start, end: n.span.end, text: replacement };
    findings.push(finding);
  }, (list) => {
    for (let i = 0; i < list.length - 1; i++) {
      const word = TERMINATORS[list[i]!.kind];
      if (!word) continue;
      const next = list[i + 1]!;
      findings.push({ code: "LINT-UNREACHABLE", message: `This code never runs: it follows '${word}'`, span: next.span });
      break;
    }
  });

  // LINT-END: a bare `end` closing a container, a container's action or an interface.
  findings.push(...bareEnds(program));

  // LINT-WHITESPACE and LINT-LENGTH, line by line.
  const maxLength = options.maxLineLength ?? 100;
  let at = 0;
  for (const line of source.split("\n")) {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    const trimmed = text.replace(/[ \t]+$/, "");
    if (options.trailingWhitespace !== true && trimmed.length < text.length) {
      const span = { start: at + trimmed.length, end: at + text.length };
      findings.push({ code: "LINT-WHITESPACE", message: "Trailing whitespace", span, fix: { ...span, text: "" } });
    }
    const chars = Array.from(trimmed).length;
    if (maxLength > 0 && chars > maxLength) {
      findings.push({ code: "LINT-LENGTH", message: `This line is ${chars} characters long, more than ${maxLength}`, span: { start: at, end: at + trimmed.length } });
    }
    at += line.length + 1;
  }

  // LINT-COMPLEX: statements nested more than max_nesting_depth blocks deep (reported once per outermost offender).
  const maxNesting = options.maxNesting ?? 5;
  const nest = (stmts: unknown, depth: number): void => {
    if (!Array.isArray(stmts)) return;
    for (const st of stmts) {
      if (!isNode(st)) continue;
      const blocks: unknown[] = [];
      for (const k of BLOCK_KEYS) {
        const v = (st as unknown as Record<string, unknown>)[k];
        if (k === "handlers" || k === "arms") for (const h of (Array.isArray(v) ? v : [])) blocks.push((h as { body?: unknown }).body);
        else if (Array.isArray(v)) blocks.push(v);
      }
      if (blocks.length === 0) continue;
      if (depth + 1 > maxNesting) {
        findings.push({ code: "LINT-COMPLEX", message: `This block is nested ${depth + 1} levels deep, more than ${maxNesting}: move part of it into an action`, span: st.span });
        continue;
      }
      for (const b of blocks) nest(b, depth + 1);
    }
  };
  if (maxNesting > 0) nest(program.body, 0);

  return findings
    .filter((f) => f.span.start >= 0 && f.span.start <= source.length)
    .sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
}

/** Top-level names other files can see (`export`), which are used elsewhere. */
function isExported(program: Program, name: string): boolean {
  return program.body.some((s) => s.kind === "Export" && (s as { names?: string[] }).names?.includes(name));
}

function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[\s-]+/g, "_")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
}

function bareEnds(program: Program): Finding[] {
  const source = program.source;
  let tokens;
  try {
    tokens = tokenize(source).tokens;
  } catch {
    return [];
  }
  // Offsets of `end` tokens with nothing after them on their line.
  const bare: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.image.toLowerCase() !== "end") continue;
    const next = tokens[i + 1];
    if (!next || next.tokenType.name === "Newline") bare.push(t.startOffset);
  }
  if (bare.length === 0) return [];
  const out: Finding[] = [];
  const check = (span: Span, label: string): void => {
    // The block's own `end` is the last `end` inside its span.
    let last = -1;
    for (const o of bare) if (o >= span.start && o < span.end) last = o;
    const text = source.slice(last, span.end);
    if (last < 0 || !/^end\s*$/i.test(text.trimEnd())) return;
    out.push({
      code: "LINT-END",
      message: `Write 'end ${label}' to say which block this 'end' closes`,
      span: { start: last, end: last + 3 },
      fix: { start: last + 3, end: last + 3, text: ` ${label}` },
    });
  };
  walk(program.body, (n) => {
    if (n.kind === "ContainerDef") {
      for (const m of (n as { methods?: { span: Span }[] }).methods ?? []) check(m.span, "action");
      check(n.span, "container");
    } else if (n.kind === "InterfaceDef") {
      check(n.span, "interface");
    }
  }, () => {});
  return out;
}

/** Apply non-overlapping edits to `source` (later ones first). */
export function applyEdits(source: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = source;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit) continue; // overlaps one already applied: left for the next round
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

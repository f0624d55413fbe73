// `wfl --lint FILE…` (with `--fix`, `--in-place`) and `wfl --analyze FILE…`: the linter's and the
// static analyser's command-line side. Neither runs the program. Documented in Docs/lint.md.
import { writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse } from "../parser/parse.js";
import { resolveProgram, type Resolution } from "../analysis/resolve.js";
import { formatDiagnostic } from "../diagnostics/format.js";
import { readProgramText, formatSourceProblem } from "../host/run.js";
import { loadConfig } from "../runtime/config.js";
import type { Program } from "../ast/nodes.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { applyEdits, lintProgram, type Finding } from "./rules.js";

export interface LintCliOptions {
  fix: boolean;
  inPlace: boolean;
  color: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

interface Analysed {
  source: string;
  program: Program | null;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  resolution?: Resolution;
}

/** Parse and resolve a file (with its includes), reporting nothing yet. */
function analyse(file: string, source: string): Analysed {
  const sources = new Map([[file, source]]);
  const parsed = parse(source, file);
  if (!parsed.program) return { source, program: null, diagnostics: parsed.diagnostics.map((d) => ({ ...d, code: "PARSE" })), sources };
  const problems: Diagnostic[] = [];
  const resolution = resolveProgram(parsed.program, {
    loadInclude: (path, fromFile, span) => {
      const target = isAbsolute(path) ? path : resolve(dirname(fromFile), path);
      const text = readProgramText(target);
      if (typeof text !== "string") {
        problems.push({ code: "ANALYZE-SEMANTIC", message: `Cannot include '${path}': ${text.error}`, span, file: fromFile });
        return null;
      }
      sources.set(target, text);
      const p = parse(text, target);
      if (!p.program) {
        for (const d of p.diagnostics) problems.push({ ...d, code: "PARSE", file: target });
        return null;
      }
      return p.program;
    },
  });
  return { source, program: parsed.program, diagnostics: [...problems, ...resolution.diagnostics], sources, resolution };
}

function show(kind: string, d: { message: string; span: { start: number; end: number }; file?: string }, file: string, a: Analysed, color: boolean, warning = false): string {
  const f = d.file ?? file;
  const text = formatDiagnostic(kind, d.message, f, a.sources.get(f) ?? null, d.span, { color });
  return warning ? text.replace(/^(\x1b\[[0-9;]*m)?error\[/, (_m, esc: string | undefined) => `${esc ?? ""}warning[`) : text;
}

function read(file: string, o: LintCliOptions): string | null {
  const text = readProgramText(file);
  if (typeof text !== "string") {
    o.err(formatSourceProblem(text, file, o.color));
    return null;
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `wfl --analyze FILE…`: the resolver's diagnostics (undefined names, redefinitions, …). */
export function analyzeFiles(files: string[], o: LintCliOptions): number {
  let failed = false;
  for (const file of files) {
    const source = read(file, o);
    if (source === null) { failed = true; continue; }
    const a = analyse(file, source);
    for (const d of a.diagnostics.sort((x, y) => x.span.start - y.span.start)) {
      o.err(show(d.code, d, file, a, o.color));
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

function lintText(file: string, source: string): { a: Analysed; findings: Finding[] } {
  const a = analyse(file, source);
  if (!a.program || !a.resolution) return { a, findings: [] };
  const config = loadConfig(dirname(resolve(file)));
  const snake = config.get("snake_case_variables");
  const num = (key: string): number | undefined => {
    const v = Number(config.get(key));
    return config.has(key) && Number.isFinite(v) ? v : undefined;
  };
  return {
    a,
    findings: lintProgram(a.program, a.resolution, {
      snakeCase: snake === undefined ? true : snake !== "false",
      maxLineLength: num("max_line_length"),
      maxNesting: num("max_nesting_depth"),
      trailingWhitespace: config.get("trailing_whitespace") === "true",
    }),
  };
}

/**
 * `wfl --lint FILE…`: every finding as a warning with file:line:col; exit 1 when anything is
 * reported (a file that does not parse reports its syntax errors). `--fix` applies the safe
 * fixes and prints the fixed text; with `--in-place` it rewrites the file and lints it again.
 */
export function lintFiles(files: string[], o: LintCliOptions): number {
  let reported = false;
  for (const file of files) {
    let source = read(file, o);
    if (source === null) { reported = true; continue; }
    let { a, findings } = lintText(file, source);
    if (!a.program) {
      for (const d of a.diagnostics) o.err(show(d.code, d, file, a, o.color));
      reported = true;
      continue;
    }
    if (o.fix) {
      // Fixes are applied in rounds until none is left (overlapping ones wait for the next round).
      for (let round = 0; round < 10; round++) {
        const edits = findings.flatMap((f) => (f.fix ? [f.fix] : []));
        if (edits.length === 0) break;
        const next = applyEdits(source, edits);
        const again = lintText(file, next);
        if (!again.a.program) break; // never write a fix that does not parse
        source = next;
        ({ a, findings } = again);
      }
      if (o.inPlace) writeFileSync(file, source);
      else o.out(source);
    }
    for (const f of findings) {
      o.err(show(f.code, f, file, a, o.color, true));
      reported = true;
    }
  }
  return reported ? 1 : 0;
}

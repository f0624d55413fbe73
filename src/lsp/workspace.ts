// The language server's view of the files it knows: open documents (the editor's text) and files
// on disk (read when an open document includes them). Each document is analysed once per version
// (tokens, the recovering parse, the resolver's result) and the analysis is cached, so completion,
// hover and the rest answer from the cache. Nothing here runs a program.
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { IToken } from "chevrotain";
import { TextDocument } from "vscode-languageserver-textdocument";
import { tokenize } from "../lexer/lexer.js";
import { parse, sharedParser, type ParseResult } from "../parser/parse.js";
import { resolveProgram, type Resolution, type ResolvedSymbol, type Reference } from "../analysis/resolve.js";
import type { Program } from "../ast/nodes.js";
import type { Span } from "../ast/span.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

export interface Analysis {
  readonly uri: string;
  readonly file: string;
  readonly version: number;
  readonly doc: TextDocument;
  readonly text: string;
  /** The lexer's tokens (computed on first use). */
  readonly tokens: IToken[];
  readonly parsed: ParseResult;
  /** Names with a keyword inside that the parse declared (for the next partial re-parse). */
  readonly declaredNames: ReadonlySet<string>;
  /**
   * True when only the changed part was re-parsed and it has syntax errors: a full analysis
   * follows shortly (the recovery of a whole-file parse can differ).
   */
  readonly approximate: boolean;
  /** How the text was parsed: the whole file, or only the top-level statements an edit touched. */
  readonly parseMode: "full" | "partial";
  readonly resolution: Resolution;
  /** Every diagnostic for this file (syntax, then analysis), deduplicated. */
  readonly diagnostics: Diagnostic[];
  /** The files this one includes, directly or not. */
  readonly includedFiles: Set<string>;
  /** Milliseconds the analysis took. */
  readonly millis: number;
}

export function uriToPath(uri: string): string {
  try {
    return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

interface DiskFile {
  mtimeMs: number;
  text: string;
}

export class Workspace {
  readonly open = new Map<string, TextDocument>();
  private readonly uriOfPath = new Map<string, string>();
  private readonly cache = new Map<string, Analysis>();
  /** The last analysis of each document whose parse had no syntax error (for completion while typing). */
  readonly lastGood = new Map<string, Analysis>();
  private readonly disk = new Map<string, DiskFile>();
  private readonly includeCache = new Map<string, { text: string; program: Program; diagnostics: Diagnostic[] }>();

  openDocument(doc: TextDocument): void {
    this.open.set(doc.uri, doc);
    this.uriOfPath.set(uriToPath(doc.uri), doc.uri);
  }

  closeDocument(uri: string): void {
    this.open.delete(uri);
    this.cache.delete(uri);
    this.lastGood.delete(uri);
    this.uriOfPath.delete(uriToPath(uri));
  }

  uriFor(path: string): string {
    return this.uriOfPath.get(path) ?? pathToUri(path);
  }

  /** The text of a file: the open document's, or what is on disk (null when unreadable). */
  textOf(path: string): string | null {
    const uri = this.uriOfPath.get(path);
    const doc = uri ? this.open.get(uri) : undefined;
    if (doc) return doc.getText();
    try {
      const st = statSync(path);
      if (!st.isFile() || st.size > 16 * 1024 * 1024) return null;
      const known = this.disk.get(path);
      if (known && known.mtimeMs === st.mtimeMs) return known.text;
      let text = readFileSync(path, "utf8");
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.disk.set(path, { mtimeMs: st.mtimeMs, text });
      return text;
    } catch {
      return null;
    }
  }

  /** The analysis of a document (open, or read from disk), computed once per version. */
  analyse(uri: string, full = false): Analysis | null {
    const doc = this.open.get(uri) ?? this.diskDocument(uri);
    if (!doc) return null;
    const cached = this.cache.get(uri);
    if (cached && cached.version === doc.version && cached.text === doc.getText() && !(full && cached.approximate)) return cached;
    const a = this.compute(doc, full ? undefined : cached);
    this.cache.set(uri, a);
    if (a.parsed.program) this.lastGood.set(uri, a);
    return a;
  }

  /** The analysis in the cache, if it matches the document's current version. */
  cached(uri: string): Analysis | undefined {
    const a = this.cache.get(uri);
    const doc = this.open.get(uri);
    return a && doc && a.version === doc.version ? a : undefined;
  }

  private diskDocument(uri: string): TextDocument | null {
    const path = uriToPath(uri);
    const text = this.textOf(path);
    if (text === null) return null;
    const cached = this.cache.get(uri);
    if (cached && cached.text === text) return cached.doc;
    return TextDocument.create(uri, "wfl", (cached?.version ?? 0) + 1, text);
  }

  private compute(doc: TextDocument, previous?: Analysis): Analysis {
    const t0 = performance.now();
    const text = doc.getText();
    const file = uriToPath(doc.uri);
    const incremental = previous ? reparse(previous, text, file) : null;
    let parsed: ParseResult, declaredNames: ReadonlySet<string>;
    if (incremental) {
      ({ parsed, declaredNames } = incremental);
    } else {
      parsed = parse(text, file);
      declaredNames = new Set(sharedParser().declaredNames);
    }
    const includedFiles = new Set<string>();
    const includeDiagnostics: Diagnostic[] = [];
    const loadInclude = (path: string, fromFile: string, span: Span): Program | null => {
      const candidates = isAbsolute(path) ? [path] : [resolvePath(dirname(fromFile), path), resolvePath(path)];
      for (const c of candidates) {
        const t = this.textOf(c);
        if (t === null) continue;
        includedFiles.add(c);
        let entry = this.includeCache.get(c);
        if (!entry || entry.text !== t) {
          const p = parse(t, c);
          entry = { text: t, program: p.partial, diagnostics: p.diagnostics };
          this.includeCache.set(c, entry);
        }
        if (entry.diagnostics.length > 0 && fromFile === file) {
          includeDiagnostics.push({ code: "ANALYZE-SEMANTIC", severity: "warning", message: `The included file '${path}' has syntax errors (the first: ${entry.diagnostics[0]!.message})`, span, file: fromFile });
        }
        return entry.program;
      }
      includeDiagnostics.push({ code: "ANALYZE-SEMANTIC", message: `Cannot include '${path}': no such file`, span, file: fromFile });
      return null;
    };
    const resolution = resolveProgram(parsed.partial, { loadInclude });
    const seen = new Set<string>();
    const diagnostics: Diagnostic[] = [];
    for (const d of [...parsed.diagnostics, ...resolution.diagnostics, ...includeDiagnostics]) {
      if (d.file !== undefined && d.file !== file) continue;
      const key = `${d.span.start}:${d.span.end}:${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(d);
    }
    let tokens: IToken[] | undefined;
    return {
      uri: doc.uri, file, version: doc.version, doc, text, parsed, resolution, diagnostics, declaredNames,
      get tokens() { return (tokens ??= tokenize(text).tokens); },
      approximate: incremental !== null && parsed.diagnostics.length > 0,
      parseMode: incremental ? "partial" : "full",
      includedFiles, millis: performance.now() - t0,
    };
  }
}

/**
 * Re-parses only the top-level statements an edit touched, when the previous version parsed
 * without error: the statements before the change are kept, those after it are kept with their
 * spans moved, and the text between is parsed on its own (with the multi-word names declared
 * before it). Null when the whole file must be parsed again.
 */
function reparse(prev: Analysis, text: string, file: string): { parsed: ParseResult; declaredNames: ReadonlySet<string> } | null {
  if (!prev.parsed.program || prev.approximate) return null;
  const old = prev.text;
  const body = prev.parsed.program.body;
  if (body.length < 8) return null; // small files: a full parse is as quick
  let p = 0;
  const max = Math.min(old.length, text.length);
  while (p < max && old.charCodeAt(p) === text.charCodeAt(p)) p++;
  let sfx = 0;
  while (sfx < max - p && old.charCodeAt(old.length - 1 - sfx) === text.charCodeAt(text.length - 1 - sfx)) sfx++;
  const oldEnd = old.length - sfx;
  const delta = text.length - old.length;
  const isBreak = (c: string | undefined): boolean => c === "\n" || c === "\r";
  // Statements wholly before the change, each ending with its line break.
  let i = 0;
  // (A statement's span ends before its line break, or, for some, just after it.)
  const endsBefore = (e: number): boolean => (e <= p && isBreak(old[e - 1])) || (e < p && isBreak(old[e]));
  while (i < body.length && endsBefore(body[i]!.span.end)) i++;
  // Statements wholly after it, with a line break between the change and their start.
  let j = body.length;
  while (j > i && body[j - 1]!.span.start >= oldEnd && /[\r\n]/.test(old.slice(oldEnd, body[j - 1]!.span.start))) j--;
  const regionStart = i > 0 ? body[i - 1]!.span.end : 0;
  const regionEndOld = j < body.length ? body[j]!.span.start : old.length;
  const regionEndNew = regionEndOld + delta;
  if (regionEndNew < regionStart) return null;
  // Only worth it when most of the file is kept.
  if (regionEndNew - regionStart > text.length / 2) return null;
  const region = parse(text.slice(regionStart, regionEndNew), file, { declaredNames: prev.declaredNames });
  const declared = new Set(sharedParser().declaredNames);
  for (const n of declared) if (!prev.declaredNames.has(n)) return null; // a new such name may change later lines
  const middle = region.partial.body.map((s) => shifted(s, regionStart));
  const after = body.slice(j).map((s) => (delta === 0 ? s : shifted(s, delta)));
  const program = { body: [...body.slice(0, i), ...middle, ...after], source: text, file };
  const diagnostics = region.diagnostics.map((d) => ({ ...d, span: { start: d.span.start + regionStart, end: d.span.end + regionStart } }));
  return {
    parsed: { program: diagnostics.length ? null : program, diagnostics, partial: program },
    declaredNames: declared,
  };
}

/** A copy of a syntax tree node with every span (and offset) moved by `delta`. */
function shifted<T>(node: T, delta: number): T {
  if (Array.isArray(node)) return node.map((x) => shifted(x, delta)) as T;
  if (node === null || typeof node !== "object") return node;
  const o = node as Record<string, unknown>;
  if (typeof o.start === "number" && typeof o.end === "number" && !("kind" in o)) {
    return { ...o, start: (o.start as number) + delta, end: (o.end as number) + delta } as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const v = o[k];
    out[k] = k === "bodyOffset" && typeof v === "number" ? v + delta : typeof v === "object" && v !== null ? shifted(v, delta) : v;
  }
  return out as T;
}

/** The span of `name` itself inside a declaration or reference span (which may cover a whole statement). */
export function nameSpan(source: string, span: Span, name: string): Span {
  if (source.slice(span.start, span.end) === name) return span;
  const text = source.slice(span.start, span.end);
  const words = name.split(" ").map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp(`(?<![A-Za-z0-9_])${words.join("[ \\t]+")}(?![A-Za-z0-9_])`);
  const m = re.exec(text);
  if (!m) return span;
  // In a declaration statement the first match after the keywords is the name (`for each item in items`).
  return { start: span.start + m.index, end: span.start + m.index + m[0].length };
}

/** A symbol's identity across analyses of different files: where it is declared. */
export function symbolKey(sym: ResolvedSymbol, sourceOf: (file: string) => string | null): string | null {
  if (!sym.span) return null;
  const src = sourceOf(sym.file);
  const s = src === null ? sym.span : nameSpan(src, sym.span, sym.name);
  return `${sym.file}\0${s.start}\0${sym.name}`;
}

export function referenceSpan(source: string, r: Reference): Span {
  return nameSpan(source, r.span, r.name);
}

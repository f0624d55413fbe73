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
import { parse, type ParseResult } from "../parser/parse.js";
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
  readonly tokens: IToken[];
  readonly parsed: ParseResult;
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
  analyse(uri: string): Analysis | null {
    const doc = this.open.get(uri) ?? this.diskDocument(uri);
    if (!doc) return null;
    const cached = this.cache.get(uri);
    if (cached && cached.version === doc.version && cached.text === doc.getText()) return cached;
    const a = this.compute(doc);
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

  private compute(doc: TextDocument): Analysis {
    const t0 = performance.now();
    const text = doc.getText();
    const file = uriToPath(doc.uri);
    const parsed = parse(text, file);
    const lexed = tokenize(text);
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
    return {
      uri: doc.uri, file, version: doc.version, doc, text, tokens: lexed.tokens, parsed, resolution, diagnostics,
      includedFiles, millis: performance.now() - t0,
    };
  }
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

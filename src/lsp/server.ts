// The WFL language server (`wfl lsp --stdio`, `wfl-lsp`). It answers from the recovering parser and
// the resolver only and never runs the program. See Docs/lsp.md.
import {
  createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, DiagnosticSeverity, CompletionItemKind,
  SymbolKind as LspSymbolKind, FoldingRangeKind, MarkupKind, InsertTextFormat,
  type Connection, type Diagnostic as LspDiagnostic, type CompletionItem, type Hover, type Location,
  type DocumentSymbol, type FoldingRange, type SignatureHelp, type TextEdit, type WorkspaceEdit, type Range,
  type InitializeResult, ResponseError, ErrorCodes,
} from "vscode-languageserver/node";
import { StreamMessageReader, StreamMessageWriter } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import type { IToken } from "chevrotain";
import { Workspace, uriToPath, symbolKey, nameSpan, type Analysis } from "./workspace.js";
import { sitesOf, siteAt } from "./index-of.js";
import { walkStatements, type BlockOwner } from "./syntax-tree.js";
import { semanticTokens, SEMANTIC_LEGEND } from "./semantic.js";
import { keywordsAt } from "./keywords.js";
import { DIAGNOSTIC_KINDS } from "../diagnostics/catalogue.js";
import { standardLibrary } from "../stdlib/index.js";
import { builtinMarkdown, signatureText, parameterLabels, builtinDoc } from "../stdlib/docs-render.js";
import { formatSource } from "../format/format.js";
import type { ResolvedScope, ResolvedSymbol } from "../analysis/resolve.js";
import type { Program, Stmt, Param } from "../ast/nodes.js";
import type { Span } from "../ast/span.js";
import { KEYWORDS } from "../lexer/tokens.js";

export const LSP_VERSION = "26.8.8";

/** Milliseconds between the last edit and the diagnostics run (published well inside 200 ms). */
const DEBOUNCE_MS = 30;

/** After a partial re-parse that found syntax errors, the whole file is analysed again this much later. */
const FULL_AFTER_MS = 250;

export interface ServerOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

export function startLanguageServer(opts: ServerOptions = { input: process.stdin, output: process.stdout }): Connection {
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(opts.input), new StreamMessageWriter(opts.output));
  const server = new WflLanguageServer(connection);
  server.listen();
  return connection;
}

class WflLanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly ws = new Workspace();
  private readonly registry = standardLibrary();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private roots: string[] = [];

  constructor(private readonly connection: Connection) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((params): InitializeResult => {
      for (const f of params.workspaceFolders ?? []) this.roots.push(uriToPath(f.uri));
      if (this.roots.length === 0 && params.rootUri) this.roots.push(uriToPath(params.rootUri));
      return {
        capabilities: {
          textDocumentSync: TextDocumentSyncKind.Incremental,
          completionProvider: { triggerCharacters: [".", " "], resolveProvider: true },
          hoverProvider: true,
          definitionProvider: true,
          referencesProvider: true,
          renameProvider: { prepareProvider: true },
          documentSymbolProvider: true,
          foldingRangeProvider: true,
          semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true, range: false },
          signatureHelpProvider: { triggerCharacters: [" "], retriggerCharacters: [" "] },
          documentFormattingProvider: true,
        },
        serverInfo: { name: "wfl-lsp", version: LSP_VERSION },
      };
    });
    this.documents.onDidOpen((e) => {
      this.ws.openDocument(e.document);
      this.validateNow(e.document.uri);
    });
    this.documents.onDidChangeContent((e) => {
      this.ws.openDocument(e.document);
      this.schedule(e.document.uri);
    });
    this.documents.onDidClose((e) => {
      this.ws.closeDocument(e.document.uri);
      c.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    c.onCompletion((p) => this.safe(() => this.completion(p.textDocument.uri, p.position), []));
    c.onCompletionResolve((item) => this.safe(() => {
      // A builtin's documentation is sent when the editor shows the item, not with every list.
      const name = (item.data as { builtin?: string } | undefined)?.builtin;
      const doc = name ? builtinDoc(this.registry, name) : undefined;
      if (doc) item.documentation = { kind: MarkupKind.Markdown, value: doc.example ? `${doc.summary}\n\n\`\`\`wfl\n${doc.example}\n\`\`\`` : doc.summary };
      return item;
    }, item));
    c.onHover((p) => this.safe(() => this.hover(p.textDocument.uri, p.position), null));
    c.onDefinition((p) => this.safe(() => this.definition(p.textDocument.uri, p.position), null));
    c.onReferences((p) => this.safe(() => this.references(p.textDocument.uri, p.position, p.context.includeDeclaration), []));
    c.onPrepareRename((p) => this.safe(() => this.prepareRename(p.textDocument.uri, p.position), null));
    c.onRenameRequest((p) => {
      if (!isValidName(p.newName)) return new ResponseError(ErrorCodes.InvalidParams, `'${p.newName}' cannot name a variable or action (use words of letters, digits and _, not keywords)`);
      return this.safe(() => this.rename(p.textDocument.uri, p.position, p.newName), null);
    });
    c.onDocumentSymbol((p) => this.safe(() => this.documentSymbols(p.textDocument.uri), []));
    c.onFoldingRanges((p) => this.safe(() => this.folding(p.textDocument.uri), []));
    c.languages.semanticTokens.on((p) => this.safe(() => {
      const a = this.ws.analyse(p.textDocument.uri);
      return { data: a ? semanticTokens(a) : [] };
    }, { data: [] }));
    c.onSignatureHelp((p) => this.safe(() => this.signatureHelp(p.textDocument.uri, p.position), null));
    c.onDocumentFormatting((p) => this.safe(() => this.format(p.textDocument.uri), []));
    this.documents.listen(c);
    c.listen();
  }

  /** A request never fails because of odd input: it answers with nothing instead. */
  private safe<T>(run: () => T, fallback: T): T {
    try {
      return run();
    } catch (e) {
      this.connection.console.error(`wfl-lsp: ${(e as Error)?.stack ?? String(e)}`);
      return fallback;
    }
  }

  // ── diagnostics ─────────────────────────────────────────────────────────

  private schedule(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => {
      this.timers.delete(uri);
      this.validateNow(uri);
    }, DEBOUNCE_MS));
  }

  private validateNow(uri: string): void {
    this.safe(() => {
      this.publish(uri);
      // Open documents that include this one see its new text too.
      const path = uriToPath(uri);
      for (const other of this.ws.open.keys()) {
        if (other === uri) continue;
        const a = this.ws.cached(other) ?? this.ws.analyse(other);
        if (a?.includedFiles.has(path)) this.schedule(other);
      }
    }, undefined);
  }

  private publish(uri: string, full = false): void {
    const a = this.ws.analyse(uri, full);
    if (!a) return;
    if (a.approximate) {
      const key = `${uri}#full`;
      clearTimeout(this.timers.get(key));
      this.timers.set(key, setTimeout(() => {
        this.timers.delete(key);
        this.safe(() => this.publish(uri, true), undefined);
      }, FULL_AFTER_MS));
    }
    const diagnostics: LspDiagnostic[] = a.diagnostics.map((d) => ({
      range: this.range(a, d.span),
      severity: d.severity === "warning" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
      code: (DIAGNOSTIC_KINDS as Record<string, { code: string }>)[d.code]?.code ?? d.code,
      source: "wfl",
      message: d.message,
      data: { kind: d.code },
    }));
    this.connection.sendDiagnostics({ uri, version: a.version, diagnostics });
  }

  // ── positions ───────────────────────────────────────────────────────────

  private range(a: Analysis, span: Span): Range {
    return { start: a.doc.positionAt(span.start), end: a.doc.positionAt(Math.max(span.start, span.end)) };
  }

  /** A range in any file (open, or read from disk). */
  private rangeIn(file: string, span: Span): Range {
    const uri = this.ws.uriFor(file);
    const doc = this.ws.open.get(uri);
    if (doc) return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
    const text = this.ws.textOf(file) ?? "";
    const d = TextDocument.create(uri, "wfl", 0, text);
    return { start: d.positionAt(span.start), end: d.positionAt(span.end) };
  }

  private sourceOf = (file: string): string | null => this.ws.textOf(file);

  // ── hover ───────────────────────────────────────────────────────────────

  private hover(uri: string, pos: { line: number; character: number }): Hover | null {
    const a = this.ws.analyse(uri);
    if (!a) return null;
    const offset = a.doc.offsetAt(pos);
    const site = siteAt(a, offset);
    if (!site) {
      const word = wordAt(a.text, offset);
      if (!word) return null;
      const md = builtinMarkdown(this.registry, word.text);
      if (md) return { contents: { kind: MarkupKind.Markdown, value: md }, range: this.range(a, word.span) };
      if (KEYWORDS.has(word.text)) return { contents: { kind: MarkupKind.Markdown, value: `\`${word.text}\` (keyword)` }, range: this.range(a, word.span) };
      return null;
    }
    if (site.builtin || (!site.symbol && builtinMarkdown(this.registry, site.name))) {
      const md = builtinMarkdown(this.registry, site.name);
      if (md) return { contents: { kind: MarkupKind.Markdown, value: md }, range: this.range(a, site.span) };
    }
    if (!site.symbol) {
      return { contents: { kind: MarkupKind.Markdown, value: `\`${site.name}\` is not defined here` }, range: this.range(a, site.span) };
    }
    return { contents: { kind: MarkupKind.Markdown, value: this.describeSymbol(site.symbol, a) }, range: this.range(a, site.span) };
  }

  private describeSymbol(sym: ResolvedSymbol, from: Analysis): string {
    const lines = [`(${sym.kind}) **${sym.name}**`];
    if (sym.kind === "action" && sym.definitions?.length) {
      for (const def of sym.definitions) lines.push("```wfl", actionHeader(def.name, def.params), "```");
    } else if (sym.span) {
      const src = this.ws.textOf(sym.file) ?? "";
      const lineStart = src.lastIndexOf("\n", sym.span.start - 1) + 1;
      let lineEnd = src.indexOf("\n", sym.span.start);
      if (lineEnd < 0) lineEnd = src.length;
      lines.push("```wfl", src.slice(lineStart, lineEnd).trim(), "```");
    } else {
      lines.push("", "Set by the runtime before the program starts.");
    }
    if (sym.span) {
      const r = this.rangeIn(sym.file, sym.span);
      const where = sym.file === from.file ? `line ${r.start.line + 1}` : `${relativeName(from.file, sym.file)}, line ${r.start.line + 1}`;
      lines.push("", `Declared at ${where}.`);
    }
    return lines.join("\n");
  }

  // ── definition, references, rename ──────────────────────────────────────

  private definition(uri: string, pos: { line: number; character: number }): Location[] | null {
    const a = this.ws.analyse(uri);
    if (!a) return null;
    const site = siteAt(a, a.doc.offsetAt(pos));
    const sym = site?.symbol;
    if (!sym || !sym.span) return null;
    const src = this.ws.textOf(sym.file) ?? "";
    const spans = sym.kind === "action" && sym.definitions?.length ? sym.definitions.map((d) => d.nameSpan) : [nameSpan(src, sym.span, sym.name)];
    return spans.map((s) => ({ uri: this.ws.uriFor(sym.file), range: this.rangeIn(sym.file, s) }));
  }

  /** Files whose analyses may mention a symbol: open documents, the files they include, and .wfl files nearby. */
  private candidateFiles(from: Analysis): string[] {
    const files = new Set<string>();
    for (const uri of this.ws.open.keys()) files.add(uriToPath(uri));
    for (const f of from.includedFiles) files.add(f);
    const dirs = new Set<string>([dirname(from.file), ...this.roots]);
    for (const d of dirs) {
      for (const f of listWfl(d, 3, 400)) files.add(f);
    }
    return [...files];
  }

  private occurrences(uri: string, pos: { line: number; character: number }): { key: string; name: string; locations: Map<string, Location> } | null {
    const a = this.ws.analyse(uri);
    if (!a) return null;
    const site = siteAt(a, a.doc.offsetAt(pos));
    if (!site?.symbol) return null;
    const key = symbolKey(site.symbol, this.sourceOf);
    if (!key) return null;
    const locations = new Map<string, Location>();
    const add = (file: string, span: Span): void => {
      const loc = { uri: this.ws.uriFor(file), range: this.rangeIn(file, span) };
      locations.set(`${loc.uri}:${span.start}:${span.end}`, loc);
    };
    const declFile = site.symbol.file;
    for (const file of this.candidateFiles(a)) {
      // A file without an `include` or `load module` cannot see the declaring file.
      if (file !== a.file && file !== declFile && !/\b(include|load)\b/.test(this.ws.textOf(file) ?? "")) continue;
      const other = file === a.file ? a : this.ws.analyse(this.ws.uriFor(file));
      if (!other) continue;
      if (file !== declFile && !other.includedFiles.has(declFile)) continue;
      for (const s of sitesOf(other)) {
        if (!s.symbol || s.name !== site.symbol.name) continue;
        if (symbolKey(s.symbol, this.sourceOf) !== key) continue;
        add(other.file, s.span);
      }
      // Action overloads are declared once per definition.
      for (const sym of other.resolution.symbols) {
        if (sym.kind !== "action" || !sym.definitions || symbolKey(sym, this.sourceOf) !== key) continue;
        for (const d of sym.definitions) if (d.span && sym.file === declFile) add(declFile, d.nameSpan);
      }
    }
    return { key, name: site.symbol.name, locations };
  }

  private references(uri: string, pos: { line: number; character: number }, includeDeclaration: boolean): Location[] {
    const occ = this.occurrences(uri, pos);
    if (!occ) return [];
    const a = this.ws.analyse(uri)!;
    const site = siteAt(a, a.doc.offsetAt(pos))!;
    const declSrc = this.ws.textOf(site.symbol!.file) ?? "";
    const decl = site.symbol!.span ? nameSpan(declSrc, site.symbol!.span, site.symbol!.name) : null;
    const declUri = this.ws.uriFor(site.symbol!.file);
    return [...occ.locations.values()].filter((l) => includeDeclaration || !decl || l.uri !== declUri || this.rangeIn(site.symbol!.file, decl).start.line !== l.range.start.line || this.rangeIn(site.symbol!.file, decl).start.character !== l.range.start.character);
  }

  private prepareRename(uri: string, pos: { line: number; character: number }): Range | null {
    const a = this.ws.analyse(uri);
    if (!a) return null;
    const site = siteAt(a, a.doc.offsetAt(pos));
    if (!site?.symbol || !site.symbol.span) return null;
    return this.range(a, site.span);
  }

  private rename(uri: string, pos: { line: number; character: number }, newName: string): WorkspaceEdit | null {
    const occ = this.occurrences(uri, pos);
    if (!occ) return null;
    const changes: Record<string, TextEdit[]> = {};
    for (const loc of occ.locations.values()) (changes[loc.uri] ??= []).push({ range: loc.range, newText: newName });
    return { changes };
  }

  // ── completion ──────────────────────────────────────────────────────────

  private completion(uri: string, pos: { line: number; character: number }): CompletionItem[] {
    const a = this.ws.analyse(uri);
    if (!a) return [];
    const offset = a.doc.offsetAt(pos);
    const lineStart = a.text.lastIndexOf("\n", offset - 1) + 1;
    const before = a.text.slice(lineStart, offset);
    // `object.` completes the members of the object's container.
    const member = /([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_0-9]*)$/.exec(before);
    if (member) return this.memberCompletions(a, member[1]!);
    const partial = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before)?.[0] ?? "";
    const items: CompletionItem[] = [];
    const seen = new Set<string>();
    const push = (item: CompletionItem): void => {
      if (seen.has(item.label)) return;
      seen.add(item.label);
      items.push(item);
    };
    const kw = keywordsAt(before.slice(0, before.length - partial.length));
    for (const k of kw.keywords) push({ label: k, kind: CompletionItemKind.Keyword, sortText: `2${k}` });
    if (kw.names) {
      for (const sym of this.namesInScope(a, offset)) push(this.symbolItem(sym));
      for (const [name, sig] of this.registry.signatures) {
        push({ label: name, kind: CompletionItemKind.Function, detail: signatureText(sig), sortText: `3${name}`, data: { builtin: name } });
      }
      for (const c of this.registry.constants.keys()) push({ label: c, kind: CompletionItemKind.Constant, detail: "builtin constant", sortText: `3${c}` });
    }
    return items;
  }

  private symbolItem(sym: ResolvedSymbol): CompletionItem {
    if (sym.kind === "action") {
      const def = sym.definitions?.[0];
      const params = def?.params ?? [];
      const snippet = params.length === 0 ? sym.name : `${sym.name} with ${params.map((p, i) => `\${${i + 1}:${p.name}}`).join(" and ")}`;
      return {
        label: sym.name, kind: CompletionItemKind.Function, sortText: `0${sym.name}`,
        detail: def ? actionHeader(def.name, def.params) : "action",
        insertText: snippet, insertTextFormat: InsertTextFormat.Snippet,
      };
    }
    const kind = sym.kind === "container" ? CompletionItemKind.Class
      : sym.kind === "constant" ? CompletionItemKind.Constant
      : sym.kind === "property" ? CompletionItemKind.Property
      : sym.kind === "pattern" ? CompletionItemKind.Value
      : CompletionItemKind.Variable;
    return { label: sym.name, kind, detail: sym.kind, sortText: `1${sym.name}` };
  }

  /** Names visible at an offset: the innermost scope there and its parents (actions are visible everywhere in their scope). */
  private namesInScope(a: Analysis, offset: number): ResolvedSymbol[] {
    const out = new Map<string, ResolvedSymbol>();
    const collect = (an: Analysis, off: number): void => {
      let best: ResolvedScope | null = null;
      for (const s of an.resolution.scopes) {
        if (s.file !== an.file) continue;
        if (!s.span) { if (!best) best = s; continue; }
        if (s.span.start <= off && off <= s.span.end && (!best || !best.span || s.span.start >= best.span.start)) best = s;
      }
      for (let s: ResolvedScope | null = best; s; s = s.parent) {
        for (const [name, sym] of s.names) {
          if (out.has(name)) continue;
          if (sym.kind !== "action" && sym.kind !== "container" && sym.span && sym.file === an.file && sym.span.start > off) continue;
          out.set(name, sym);
        }
      }
    };
    collect(a, offset);
    // While the line being typed does not parse, the last analysis that did knows the names.
    const good = this.ws.lastGood.get(a.uri);
    if (good && good !== a) collect(good, Math.min(offset, good.text.length));
    return [...out.values()];
  }

  private memberCompletions(a: Analysis, objectName: string): CompletionItem[] {
    const programs = [a.parsed.partial, ...a.resolution.includes.values()];
    const containers = new Map<string, Stmt & { kind: "ContainerDef" }>();
    let containerName: string | null = null;
    for (const p of programs) {
      walkStatements(p.body, (s) => {
        const st = s as Stmt;
        if (st.kind === "ContainerDef") containers.set(st.name, st);
        if (st.kind === "CreateInstance" && st.name === objectName) containerName = st.container;
      });
    }
    // A container's own name (static access) works too.
    if (!containerName && containers.has(objectName)) containerName = objectName;
    const items: CompletionItem[] = [];
    const seen = new Set<string>();
    for (let c: string | null = containerName, guard = 0; c && guard < 32; guard++) {
      const def = containers.get(c);
      if (!def) break;
      for (const p of def.properties ?? []) {
        if (seen.has(p.name)) continue;
        seen.add(p.name);
        items.push({ label: p.name, kind: CompletionItemKind.Property, detail: `property of ${def.name}${p.type ? ` (${p.type})` : ""}` });
      }
      for (const m of def.methods ?? []) {
        if (seen.has(m.name)) continue;
        seen.add(m.name);
        items.push({ label: m.name, kind: CompletionItemKind.Method, detail: `action ${m.name}${m.params.length ? ` with ${m.params.map((p) => p.name).join(" and ")}` : ""} (${def.name})` });
      }
      c = def.parent;
    }
    return items;
  }

  // ── signature help ──────────────────────────────────────────────────────

  private signatureHelp(uri: string, pos: { line: number; character: number }): SignatureHelp | null {
    const a = this.ws.analyse(uri);
    if (!a) return null;
    const offset = a.doc.offsetAt(pos);
    const lineStart = a.text.lastIndexOf("\n", offset - 1) + 1;
    // Text literals could hold `with` or `and`: blank them out first.
    const before = a.text.slice(lineStart, offset).replace(/"(?:[^"\\]|\\.)*"?/g, (m) => `"${" ".repeat(Math.max(0, m.length - 2))}"`);
    const re = /(?:^|[^A-Za-z0-9_])((?:[A-Za-z_][A-Za-z0-9_]* )*?[A-Za-z_][A-Za-z0-9_]*) (with|of) /g;
    const scope = new Map(this.namesInScope(a, offset).map((s) => [s.name, s]));
    let best: { name: string; at: number } | null = null;
    for (let m = re.exec(before); m; m = re.exec(before)) {
      // The callee is the longest run of trailing words that names an action or a builtin.
      const words = m[1]!.split(" ");
      for (let i = 0; i < words.length; i++) {
        const name = words.slice(i).join(" ");
        if (scope.get(name)?.kind === "action" || this.registry.signatures.has(name)) {
          best = { name, at: m.index + m[0].length };
          break;
        }
      }
      re.lastIndex = m.index + m[0].length - 1;
    }
    if (!best) return null;
    const rest = before.slice(best.at);
    const active = (rest.match(/(?:^|\s)and\s|,/g) ?? []).length;
    const sym = scope.get(best.name);
    if (sym?.kind === "action") {
      const defs = sym.definitions ?? [];
      if (defs.length === 0) return null;
      return {
        signatures: defs.map((d) => ({
          label: actionHeader(d.name, d.params),
          parameters: d.params.map((p) => ({ label: p.name })),
        })),
        activeSignature: 0,
        activeParameter: active,
      };
    }
    const sig = this.registry.signatures.get(best.name)!;
    const labels = parameterLabels(sig);
    return {
      signatures: [{
        label: `${best.name} of ${labels.join(" and ")}`,
        documentation: { kind: MarkupKind.Markdown, value: builtinDoc(this.registry, best.name)?.summary ?? "" },
        parameters: labels.map((l) => ({ label: l })),
      }],
      activeSignature: 0,
      activeParameter: Math.min(active, Math.max(0, labels.length - 1)),
    };
  }

  // ── symbols, folding, formatting ────────────────────────────────────────

  private documentSymbols(uri: string): DocumentSymbol[] {
    const a = this.ws.analyse(uri);
    if (!a) return [];
    const out: DocumentSymbol[] = [];
    const sym = (name: string, kind: LspSymbolKind, span: Span, sel: Span, detail?: string, children?: DocumentSymbol[]): DocumentSymbol => {
      const range = this.range(a, trimSpan(a.text, span));
      const selectionRange = this.range(a, sel);
      return { name, kind, range, selectionRange: within(selectionRange, range) ? selectionRange : range, ...(detail ? { detail } : {}), ...(children ? { children } : {}) };
    };
    for (const s of a.parsed.partial.body) {
      switch (s.kind) {
        case "ActionDef":
          out.push(sym(s.name, LspSymbolKind.Function, s.span, s.nameSpan, s.params.length ? `with ${s.params.map((p) => p.name).join(" and ")}` : undefined));
          break;
        case "ContainerDef": {
          const children: DocumentSymbol[] = [
            ...(s.properties ?? []).map((p) => sym(p.name, LspSymbolKind.Property, p.span, nameSpan(a.text, p.nameSpan ?? p.span, p.name), p.type ?? undefined)),
            ...(s.methods ?? []).map((m) => sym(m.name, LspSymbolKind.Method, m.span, nameSpan(a.text, m.nameSpan ?? m.span, m.name))),
          ];
          out.push(sym(s.name, LspSymbolKind.Class, s.span, nameSpan(a.text, s.nameSpan ?? s.span, s.name), s.parent ? `extends ${s.parent}` : undefined, children));
          break;
        }
        case "InterfaceDef":
          out.push(sym(s.name, LspSymbolKind.Interface, s.span, nameSpan(a.text, s.nameSpan ?? s.span, s.name)));
          break;
        case "Store":
          out.push(sym(s.name, s.constant ? LspSymbolKind.Constant : LspSymbolKind.Variable, s.span, s.nameSpan));
          break;
        case "CreateList": case "CreateMap": case "CreatePattern": case "CreateInstance":
          out.push(sym(s.name, LspSymbolKind.Variable, s.span, nameSpan(a.text, (s as { nameSpan?: Span }).nameSpan ?? s.span, s.name)));
          break;
        default: {
          // Other statements that bind a top-level name (open file … as f, listen … as server, …).
          const named = s as unknown as { name?: unknown; span: Span };
          if (typeof named.name === "string" && named.name) out.push(sym(named.name, LspSymbolKind.Variable, s.span, nameSpan(a.text, s.span, named.name)));
        }
      }
    }
    return out;
  }

  private folding(uri: string): FoldingRange[] {
    const a = this.ws.analyse(uri);
    if (!a) return [];
    const out: FoldingRange[] = [];
    const seen = new Set<string>();
    walkStatements(a.parsed.partial.body, (s: Stmt | BlockOwner) => {
      const hasBody = ["body", "then", "handlers", "arms", "methods", "properties", "entries", "items"].some((k) => Array.isArray((s as unknown as Record<string, unknown>)[k]));
      if (!hasBody && (s as Stmt).kind !== "CreatePattern") return;
      const span = trimSpan(a.text, s.span);
      const start = a.doc.positionAt(span.start).line;
      const end = a.doc.positionAt(span.end).line;
      if (end > start && !seen.has(`${start}:${end}`)) {
        seen.add(`${start}:${end}`);
        out.push({ startLine: start, endLine: end });
      }
    });
    // Runs of comment lines fold too.
    const lines = a.text.split(/\r?\n|\r/);
    let runStart = -1;
    for (let i = 0; i <= lines.length; i++) {
      const isComment = i < lines.length && /^\s*(\/\/|#)/.test(lines[i]!);
      if (isComment && runStart < 0) runStart = i;
      if (!isComment && runStart >= 0) {
        if (i - 1 > runStart) out.push({ startLine: runStart, endLine: i - 1, kind: FoldingRangeKind.Comment });
        runStart = -1;
      }
    }
    return out;
  }

  private format(uri: string): TextEdit[] {
    const a = this.ws.analyse(uri);
    if (!a) return [];
    const r = formatSource(a.text, a.file);
    if (!r.ok || r.text === a.text) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: a.doc.positionAt(a.text.length) }, newText: r.text }];
  }
}

function actionHeader(name: string, params: readonly Param[]): string {
  return params.length ? `define action called ${name} with ${params.map((p) => p.name).join(" and ")}` : `define action called ${name}`;
}

function isValidName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*(?: [A-Za-z_][A-Za-z0-9_]*)*$/.test(name) && !name.split(" ").some((w) => KEYWORDS.has(w));
}

function wordAt(text: string, offset: number): { text: string; span: Span } | null {
  let s = offset, e = offset;
  while (s > 0 && /[A-Za-z0-9_]/.test(text[s - 1]!)) s--;
  while (e < text.length && /[A-Za-z0-9_]/.test(text[e]!)) e++;
  return e > s ? { text: text.slice(s, e), span: { start: s, end: e } } : null;
}

/** A statement's span without the line break (and blank lines) its last token may include. */
function trimSpan(text: string, span: Span): Span {
  let end = span.end;
  while (end > span.start + 1 && /\s/.test(text[end - 1] ?? "")) end--;
  return { start: span.start, end };
}

function within(inner: Range, outer: Range): boolean {
  const le = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return le(outer.start, inner.start) && le(inner.end, outer.end);
}

function relativeName(from: string, file: string): string {
  const d = dirname(from);
  return file.startsWith(d + "/") ? file.slice(d.length + 1) : file;
}

/** .wfl files under a directory (a few levels deep, skipping node_modules and hidden folders). */
function listWfl(dir: string, depth: number, max: number, out: string[] = []): string[] {
  if (depth < 0 || out.length >= max) return out;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (out.length >= max) break;
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) listWfl(p, depth - 1, max, out);
    else if (e.isFile() && e.name.endsWith(".wfl")) out.push(p);
  }
  return out;
}

export type { IToken, Program };

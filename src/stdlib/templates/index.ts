// Templates (seed 003, section 3.7) through nunjucks: `load templates from "dir/"` gives a template
// engine over one folder; `render template "x.html" with data using engine` and `render template
// string "…" with data` render with WFL values.
//
// Decided here (see Docs/templates.md):
// - Autoescaping is on: every `{{ value }}` is HTML-escaped unless marked `| safe`.
// - An undefined variable written out (`{{ nope }}`, `{{ user.nmae }}`) is an error naming the
//   template, the line and the expression; `nothing` writes out as the empty text. Tests such as
//   `{% if x %}` and `{% if x is defined %}` still see undefined names as false / not defined.
// - Loading reads and compiles every template file of the folder (and its subfolders), so a syntax
//   error is an error at the `load templates` line naming the file and line.
// - Templates cannot reach outside their folder: every name (`include`, `extends`, `import`, and
//   the name given to `render template`) is resolved inside the folder, symbolic links included
//   (by real path); anything else is an error.
// - Relative folders are relative to the current directory, as file paths are.
import * as fs from "node:fs";
import * as nodePath from "node:path";
import type * as Nunjucks from "nunjucks";
import { WflObject, WflOpaque, type Value } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import { requirePackage } from "../../runtime/packages.js";

/** A template file larger than this is refused (a template is code, not data). */
export const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;
/** At most this many template files in one folder. */
export const MAX_TEMPLATE_FILES = 10_000;
/** Extensions compiled when a folder is loaded (other files may still be included by name). */
const TEMPLATE_EXTENSIONS = new Set([".html", ".htm", ".njk", ".nunjucks", ".jinja", ".j2", ".xml", ".txt", ".svg", ".md"]);
const INLINE = "inline template";

function fail(message: string): WflRuntimeError {
  return new WflRuntimeError(message, "general");
}

type NunjucksModule = typeof Nunjucks;
let nj: NunjucksModule | null = null;
function nunjucks(): NunjucksModule {
  if (nj) return nj;
  try {
    nj = requirePackage<NunjucksModule>("nunjucks");
  } catch (e) {
    throw fail(`Templates are not available (the nunjucks package could not be loaded: ${String(e instanceof Error ? e.message : e).split("\n")[0]})`);
  }
  // Writing out an undefined value is an error (throwOnUndefined); writing out `nothing` (null) is
  // the empty text. nunjucks' own check refuses both, so the runtime's check is replaced by one
  // that refuses only undefined (compiled templates call `runtime.ensureDefined`).
  const runtime = requirePackage<{ ensureDefined: (v: unknown, l: number, c: number) => unknown }>("nunjucks/src/runtime");
  const lib = requirePackage<{ TemplateError: new (m: string, l: number, c: number) => Error }>("nunjucks/src/lib");
  runtime.ensureDefined = (val: unknown, lineno: number, colno: number): unknown => {
    if (val === undefined) throw new lib.TemplateError(UNDEFINED, lineno + 1, colno + 1);
    return val;
  };
  return nj;
}
const UNDEFINED = "wfl:undefined";

/** One loaded folder of templates. */
export class TemplateEngine {
  /** Each template's text, by name (for the line an error shows). */
  constructor(readonly root: string, readonly shown: string, readonly env: Nunjucks.Environment, readonly sources: Map<string, string>) {}
}

/** Resolves template names inside the folder only (by real path), reading them from disk. */
function makeLoader(root: string, shown: string, sources: Map<string, string>): Nunjucks.ILoaderAny {
  return {
    getSource(name: string): Nunjucks.LoaderSource {
      const file = insideRoot(root, shown, name);
      const stat = fs.statSync(file);
      if (!stat.isFile()) throw fail(`The template '${name}' in ${shown} is not a file`);
      if (stat.size > MAX_TEMPLATE_BYTES) throw fail(`The template '${name}' in ${shown} is larger than ${MAX_TEMPLATE_BYTES} bytes`);
      const src = fs.readFileSync(file, "utf8");
      const rel = nodePath.relative(root, file).split(nodePath.sep).join("/");
      sources.set(rel, src);
      return { src, path: rel, noCache: false };
    },
    // `{% include "./x.html" %}` and `../x.html` are relative to the including template, inside the folder.
    resolve(from: string, to: string): string {
      return nodePath.posix.join(nodePath.posix.dirname(from), to);
    },
    isRelative(name: string): boolean {
      return name.startsWith("./") || name.startsWith("../");
    },
  } as unknown as Nunjucks.ILoaderAny;
}

/** The real path of template `name` inside `root`, or an error when it is outside or missing. */
function insideRoot(root: string, shown: string, name: string): string {
  if (typeof name !== "string" || name === "" || name.includes("\0")) throw fail(`'${String(name)}' is not a template name`);
  if (nodePath.isAbsolute(name)) throw fail(`The template '${name}' is outside the template folder ${shown} (template names are relative to the folder)`);
  const candidate = nodePath.resolve(root, name);
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    if (!within(root, candidate)) throw fail(`The template '${name}' is outside the template folder ${shown}`);
    throw fail(`There is no template '${name}' in ${shown}`);
  }
  if (!within(root, real)) throw fail(`The template '${name}' is outside the template folder ${shown}`);
  return real;
}

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(nodePath.sep) ? root : root + nodePath.sep);
}

function newEnvironment(loader: Nunjucks.ILoaderAny | null): Nunjucks.Environment {
  const n = nunjucks();
  return new n.Environment(loader ?? [], { autoescape: true, throwOnUndefined: true, trimBlocks: false, lstripBlocks: false });
}

/** `load templates from DIR`: compiles every template file of the folder now. */
export function loadTemplates(dirValue: Value): Value {
  if (typeof dirValue !== "string") throw new WflRuntimeError(`'load templates from' needs a folder path (text), got ${formatValue(dirValue)}`, "type");
  const shown = dirValue;
  let root: string;
  try {
    root = fs.realpathSync(nodePath.resolve(dirValue));
  } catch {
    throw fail(`The template folder ${shown} does not exist`);
  }
  if (!fs.statSync(root).isDirectory()) throw fail(`${shown} is not a folder`);
  const sources = new Map<string, string>();
  const env = newEnvironment(makeLoader(root, shown, sources));
  const engine = new TemplateEngine(root, shown, env, sources);
  for (const name of templateFiles(root, shown)) {
    try {
      env.getTemplate(name, true);
    } catch (e) {
      throw templateError(e, engine, name, "load");
    }
  }
  return new WflOpaque("TemplateEngine", `[Templates: ${shown}]`, engine);
}

/** The template files of the folder (relative names with `/`), subfolders included; dot files skipped. */
function templateFiles(root: string, shown: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (ent.name.startsWith(".")) continue;
      const rel = prefix + ent.name;
      if (ent.isDirectory()) walk(nodePath.join(dir, ent.name), rel + "/");
      else if ((ent.isFile() || ent.isSymbolicLink()) && TEMPLATE_EXTENSIONS.has(nodePath.extname(ent.name).toLowerCase())) {
        out.push(rel);
        if (out.length > MAX_TEMPLATE_FILES) throw fail(`The template folder ${shown} holds more than ${MAX_TEMPLATE_FILES} templates`);
      }
    }
  };
  walk(root, "");
  return out;
}

function engineOf(v: Value): TemplateEngine {
  if (v instanceof WflOpaque && v.handle instanceof TemplateEngine) return v.handle;
  throw new WflRuntimeError(`Expected templates (from 'load templates from "folder/"'), got ${formatValue(v)}`, "type");
}

/** `render template NAME with DATA using ENGINE`. */
export function renderTemplate(nameValue: Value, data: Value, engineValue: Value): Value {
  const engine = engineOf(engineValue);
  if (typeof nameValue !== "string") throw new WflRuntimeError(`'render template' needs a template name (text), got ${formatValue(nameValue)}`, "type");
  const context = contextOf(data);
  try {
    // The name must resolve inside the folder before nunjucks sees it.
    insideRoot(engine.root, engine.shown, nameValue);
    return engine.env.render(nameValue, context);
  } catch (e) {
    throw templateError(e, engine, nameValue, "render");
  }
}

let inlineEnv: Nunjucks.Environment | null = null;
/** `render template string SOURCE with DATA` (no folder: `include` and `extends` are errors). */
export function renderTemplateString(source: Value, data: Value): Value {
  if (typeof source !== "string") throw new WflRuntimeError(`'render template string' needs a template (text), got ${formatValue(source)}`, "type");
  const context = contextOf(data);
  inlineEnv ??= newEnvironment(null);
  let template: Nunjucks.Template;
  try {
    // Compiled first, so a syntax error is reported as one.
    template = new (nunjucks().Template)(source, inlineEnv, INLINE, true);
  } catch (e) {
    throw templateError(e, null, INLINE, "load", source);
  }
  try {
    return template.render(context);
  } catch (e) {
    throw templateError(e, null, INLINE, "render", source);
  }
}

/** The data of a render: a map (or nothing, for none). */
function contextOf(data: Value): Record<string, unknown> {
  if (data === null) return Object.create(null) as Record<string, unknown>;
  if (!(data instanceof WflObject)) throw new WflRuntimeError(`The data of a template must be a map (an object), got ${formatValue(data)}`, "type");
  return toTemplateValue(data, 0) as Record<string, unknown>;
}

/**
 * A WFL value as template data: maps become objects with no prototype (so `{{ x.constructor }}` is
 * undefined), lists arrays, texts/numbers/yes-no as they are, `nothing` null; other values (dates,
 * binary, …) the text `display` shows for them.
 */
function toTemplateValue(v: Value, depth: number): unknown {
  if (depth > 64) throw fail("The data of a template is nested more than 64 levels deep (or contains itself)");
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((x) => toTemplateValue(x, depth + 1));
  if (v instanceof WflObject) {
    const o = Object.create(null) as Record<string, unknown>;
    for (const [k, x] of v) o[k] = toTemplateValue(x, depth + 1);
    // `{{ map }}` shows the map as `display` would.
    Object.defineProperty(o, "toString", { value: () => formatValue(v), enumerable: false });
    return o;
  }
  return formatValue(v);
}

/**
 * A nunjucks error as a WFL error: `Template error in home.html, line 3: …`, with the line's text.
 * `phase` is "load" for syntax errors found while loading.
 */
function templateError(e: unknown, engine: TemplateEngine | null, name: string, phase: "load" | "render", inline?: string): unknown {
  if (e instanceof WflRuntimeError) return e;
  if (!(e instanceof Error)) return e;
  const raw = e.message;
  // nunjucks: "(file) [Line 3, Column 5]\n  message" (file and position optional; nested for includes).
  const m = /^\(([^)]*)\)(?:\s*\[Line (\d+), Column (\d+)\])?\s*\n?\s*([\s\S]*)$/.exec(raw);
  let file = name;
  let line: number | null = null;
  let col: number | null = null;
  let message = raw;
  if (m) {
    if (m[1] && m[1] !== "unknown path") file = m[1];
    if (m[2]) { line = Number(m[2]); col = Number(m[3]); }
    message = m[4]!.trim();
    // A nested error (from an included template) may carry its own position: keep the innermost.
    const inner = /\(([^)]*)\)\s*\[Line (\d+), Column (\d+)\]\s*\n?\s*([\s\S]*)$/.exec(message);
    if (inner) { file = inner[1]!; line = Number(inner[2]); col = Number(inner[3]); message = inner[4]!.trim(); }
  }
  message = message.replace(/^Error: /, "").replace(/^Template render error: /, "").split("\n")[0]!.trim();
  const source = file === INLINE ? inline : engine?.sources.get(file);
  const lineText = source !== undefined && line !== null ? (source.split(/\r?\n/)[line - 1] ?? "").trim() : "";
  const where = file === INLINE ? "the template string" : `the template ${file}`;
  // nunjucks gives no position for an error at the end of the text (a block never closed).
  if (line === null && source !== undefined && /end of file/i.test(message)) line = source.replace(/\r?\n$/, "").split(/\r?\n/).length;
  const at = line !== null ? `, line ${line}` : "";
  if (message === UNDEFINED) {
    const expr = lineText && col !== null ? expressionAt(source!.split(/\r?\n/)[line! - 1] ?? "", col) : "";
    const what = expr ? `'${expr}' is not defined` : "a value written out is not defined";
    return fail(`Template error in ${where}${at}: ${what} (pass it in the data, or test it with {% if … is defined %})`);
  }
  if (/^(template not found|Error: template not found)/.test(message)) {
    return fail(`Template error in ${where}${at}: ${message}`);
  }
  const kind = phase === "load" ? "Template syntax error" : "Template error";
  return fail(`${kind} in ${where}${at}: ${message}${lineText ? ` (in: ${lineText.length > 120 ? lineText.slice(0, 117) + "..." : lineText})` : ""}`);
}

/** The `{{ … }}` expression around column `col` (1-based) of a line, without the braces. */
function expressionAt(line: string, col: number): string {
  const i = Math.max(0, Math.min(line.length, col - 1));
  const open = line.lastIndexOf("{{", i);
  const close = line.indexOf("}}", i);
  if (open >= 0 && close > open) return line.slice(open + 2, close).trim();
  const word = /[\w.]+/.exec(line.slice(i));
  return word ? word[0] : "";
}

// Manifest module: the wflpkg package manifest and lockfile (wflpkg-data-literal-grammar 1.0.0,
// ../shared/seeds/wflhub/wflpkg-manifest-grammar-1.0.md; Docs/manifests.md).
//
// A manifest is read, never run: the bytes pass Gate B (bytes.ts), then OUR lexer tokenizes them
// and an acceptance predicate over the (token, span) stream applies Gates L and S (grammar.ts),
// then the envelope, Gate I and the registry schema (schema.ts). Bad input never throws: the
// parse builtins answer `{"ok": no, "code", "message", "offset", "line", "column"}`.
import type { Registry } from "../registry.js";
import { type Value, WflObject, makeObject } from "../../runtime/values.js";
import { fail } from "../../runtime/errors.js";
import { gateB, encodeText } from "./bytes.js";
import { ManifestError, lineColumn } from "./errors.js";
import { Reader, type MRecord, type MValue } from "./grammar.js";
import { Checker, GRAMMAR_VERSION, type DocumentKind } from "./schema.js";
import { canonicalJson, canonicalText, orderedEntries, sha256Tagged } from "./canonical.js";
import { fullParserAgrees } from "./subset.js";
import { isExactVersion, isPackageName, parseConstraint } from "./identity.js";

export { MANIFEST_CODES, LIMITS } from "./errors.js";

export type Analysis =
  | { ok: true; records: MRecord[]; kind: DocumentKind }
  | { ok: false; error: ManifestError; bytes: Uint8Array };

/** Every gate, in order; a rejection comes back as a value, never as a thrown error. */
export function analyse(input: string | Uint8Array, expect: "manifest" | "lockfile"): Analysis {
  let bytes: Uint8Array = typeof input === "string" ? new Uint8Array(0) : input;
  try {
    if (typeof input === "string") bytes = encodeText(input);
    const s = gateB(bytes);
    const checker = new Checker(s);
    const all = new Reader(s).read();
    if (!fullParserAgrees(s, all)) {
      throw new ManifestError("MG-S06", "The full WFL parser does not read this manifest as the same records; the manifest grammar and the language disagree about it.", 0);
    }
    const records = checker.envelope(all);
    checker.identity(records);
    const kind = checker.schema(records, expect);
    return { ok: true, records, kind };
  } catch (e) {
    if (e instanceof ManifestError) return { ok: false, error: e, bytes: e.prefix ?? bytes };
    throw e;
  }
}

function wflValue(v: MValue): Value {
  return v.t === "list" ? v.items.map((i) => i.v) : v.v;
}

function entriesObject(r: MRecord): WflObject {
  return makeObject(orderedEntries(r).map((e) => [e.key, wflValue(e.value)] as [string, Value]));
}

function rejection(a: Extract<Analysis, { ok: false }>): WflObject {
  const { line, column } = lineColumn(a.bytes, a.error.offset);
  return makeObject({ ok: false, code: a.error.code, message: a.error.message, offset: a.error.offset, line, column });
}

function accepted(records: MRecord[], extra: [string, Value][]): WflObject {
  const json = canonicalJson(records);
  return makeObject([
    ["ok", true],
    ["grammar", GRAMMAR_VERSION],
    ["records", records.map((r) => makeObject({ kind: r.kind, entries: entriesObject(r) }))],
    ...extra,
    ["json", json],
    ["file_hash", sha256Tagged(canonicalText(records))],
    ["content_hash", sha256Tagged(json)],
  ]);
}

function input(fn: string, v: Value): string | Uint8Array {
  if (typeof v === "string" || v instanceof Uint8Array) return v;
  throw fail(`${fn} expects text or binary data`, "type");
}

/** parse_manifest: a manifest (or a document of `locked` records only, whose package is nothing). */
export function parseManifest(v: string | Uint8Array): WflObject {
  const a = analyse(v, "manifest");
  if (!a.ok) return rejection(a);
  const pkg = a.records.find((r) => r.kind === "package");
  const perms = pkg?.entries.find((e) => e.key === "permissions")?.value;
  return accepted(a.records, [
    ["package", pkg ? entriesObject(pkg) : null],
    ["dependencies", a.records.filter((r) => r.kind === "dependency").map(entriesObject)],
    ["permissions", perms ? wflValue(perms) : []],
  ]);
}

/** parse_lockfile: a document of `locked` records only. */
export function parseLockfile(v: string | Uint8Array): WflObject {
  const a = analyse(v, "lockfile");
  if (!a.ok) return rejection(a);
  return accepted(a.records, [["locked", a.records.map(entriesObject)]]);
}

/** format_manifest: the canonical form, or a thrown error naming the code and line. */
export function formatManifest(v: string | Uint8Array): string {
  const a = analyse(v, "manifest");
  if (!a.ok) {
    const { line, column } = lineColumn(a.bytes, a.error.offset);
    throw fail(`${a.error.message.replace(/\.$/, "")} (${a.error.code}, line ${line}, column ${column}).`);
  }
  return canonicalText(a.records);
}

export function register(r: Registry): void {
  r.fn("parse_manifest", { params: ["text|binary"] }, ([v]) => parseManifest(input("parse_manifest", v!)));
  r.fn("parse_lockfile", { params: ["text|binary"] }, ([v]) => parseLockfile(input("parse_lockfile", v!)));
  r.fn("format_manifest", { params: ["text|binary"] }, ([v]) => formatManifest(input("format_manifest", v!)));
  r.fn("check_package_name", { params: ["text"] }, ([v]) => isPackageName(v as string));
  r.fn("check_package_version", { params: ["text"] }, ([v]) => isExactVersion(v as string));
  r.fn("parse_version_constraint", { params: ["text"] }, ([v]) => {
    const c = parseConstraint(v as string);
    return c ? makeObject(Object.entries(c) as [string, Value][]) : null;
  });
}

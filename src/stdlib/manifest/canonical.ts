// Layer 3 of the grammar (§7): the canonical on-disk form (what `format_manifest` writes and
// `file_hash` covers) and the JCS (RFC 8785) JSON projection (what `content_hash` covers).
import { createHash } from "node:crypto";
import { KEYWORDS } from "../../lexer/tokens.js";
import { BARE_NAME, type MRecord, type MValue, type Scalar, type Entry } from "./grammar.js";
import { GRAMMAR_VERSION, SCHEMAS } from "./schema.js";
import { LIMITS } from "./errors.js";

/** A record's entries in canonical order: the schema's order, then any others by key. */
export function orderedEntries(r: MRecord): Entry[] {
  const order = SCHEMAS[r.kind]?.fields.map(([k]) => k) ?? [];
  const rank = (k: string): number => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  return [...r.entries].sort((a, b) => rank(a.key) - rank(b.key) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function quote(s: string): string {
  return `"${s.replace(/[\\"\n\t]/g, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : `\\${c}`))}"`;
}

function keyText(k: string): string {
  return BARE_NAME.test(k) && !KEYWORDS.has(k) && k.length <= LIMITS.keyBytes ? k : quote(k);
}

function scalarText(v: Scalar): string {
  return v.t === "text" ? quote(v.v) : v.t === "int" ? String(v.v) : v.v ? "yes" : "no";
}

function valueText(v: MValue): string {
  return v.t === "list" ? `[${v.items.map(scalarText).join(", ")}]` : scalarText(v);
}

/**
 * The canonical form, the ABNF of the grammar's Appendix A: the `wflpkg` envelope first, one blank
 * line between records, entries one per line without indentation, `key is value`, lists with
 * ", ", a final LF.
 */
export function canonicalText(records: readonly MRecord[]): string {
  const blocks = [`create map wflpkg:\ngrammar is ${quote(GRAMMAR_VERSION)}\nend map\n`];
  for (const r of records) {
    const lines = orderedEntries(r).map((e) => `${keyText(e.key)} is ${valueText(e.value)}\n`);
    blocks.push(`create map ${r.kind}:\n${lines.join("")}end map\n`);
  }
  return blocks.join("\n");
}

/** JCS: object keys sorted by UTF-16 code units; JSON.stringify's string escaping is JCS's. */
function jcsValue(v: MValue): string {
  if (v.t === "list") return `[${v.items.map(jcsValue).join(",")}]`;
  return v.t === "text" ? JSON.stringify(v.v) : String(v.v);
}

function jcsEntries(r: MRecord): string {
  const sorted = [...r.entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return `{${sorted.map((e) => `${JSON.stringify(e.key)}:${jcsValue(e.value)}`).join(",")}}`;
}

/**
 * The JSON projection: `{"grammar":"1.0.0","records":[{"entries":{…},"kind":"package"},…]}`,
 * records in document order (the envelope is the `grammar` member, not a record).
 */
export function canonicalJson(records: readonly MRecord[]): string {
  const rs = records.map((r) => `{"entries":${jcsEntries(r)},"kind":${JSON.stringify(r.kind)}}`);
  return `{"grammar":${JSON.stringify(GRAMMAR_VERSION)},"records":[${rs.join(",")}]}`;
}

export function sha256Tagged(text: string): string {
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}

// MG-S06, the belt-and-suspenders subset assertion (§6, §9): every document the manifest grammar
// accepts must also parse under our full WFL parser, to the same data (same record kinds, keys,
// scalar values and list order). A failure here means the grammar and the language drifted apart:
// the input is rejected rather than trusted.
import { parse } from "../../parser/parse.js";
import type { Expr } from "../../ast/nodes.js";
import type { MRecord, MValue } from "./grammar.js";

type Plain = string | number | boolean | Plain[];

function literal(e: Expr): Plain | undefined {
  switch (e.kind) {
    case "Text": case "Number": case "Boolean": return e.value;
    case "ListLit": {
      const items = e.items.map(literal);
      return items.every((x) => x !== undefined) ? (items as Plain[]) : undefined;
    }
    default: return undefined;
  }
}

function plain(v: MValue): Plain {
  return v.t === "list" ? v.items.map((i) => i.v) : v.v;
}

/** True when the full parser reads `s` as exactly these records (the envelope included). */
export function fullParserAgrees(s: string, records: readonly MRecord[]): boolean {
  const { program } = parse(s, "project.wfl");
  if (!program || program.body.length !== records.length) return false;
  return program.body.every((stmt, i) => {
    const r = records[i]!;
    if (stmt.kind !== "CreateMap" || stmt.name !== r.kind || stmt.entries.length !== r.entries.length) return false;
    return stmt.entries.every((e, k) => {
      const mine = r.entries[k]!;
      return e.key === mine.key && JSON.stringify(literal(e.value)) === JSON.stringify(plain(mine.value));
    });
  });
}

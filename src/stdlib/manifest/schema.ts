// After the grammar: the version envelope (§9), Gate I (identity fields, §8) and the registry's
// schema (which record kinds exist and what each holds). Codes MG-E01/E02 and MG-R01…R07 are ours
// (Docs/manifests.md lists them).
import { ManifestError, type ManifestCode } from "./errors.js";
import { utf8Length } from "./bytes.js";
import type { MRecord, MValue, Entry } from "./grammar.js";
import { isExactVersion, isPackageName, parseConstraint, passesRestrictionLevel } from "./identity.js";

export const GRAMMAR_VERSION = "1.0.0";

/** What a document is: a manifest (`package` and `dependency` records) or a lockfile (`locked`). */
export type DocumentKind = "manifest" | "lockfile";

type FieldType = "text" | "texts";
interface KindSchema {
  /** Fields in canonical order, with their types. */
  readonly fields: readonly (readonly [string, FieldType])[];
  readonly required: readonly string[];
}

export const SCHEMAS: Readonly<Record<string, KindSchema>> = {
  package: {
    fields: [
      ["name", "text"], ["version", "text"], ["description", "text"], ["authors", "texts"], ["license", "text"],
      ["keywords", "texts"], ["repository", "text"], ["homepage", "text"], ["notes", "text"], ["permissions", "texts"],
    ],
    required: ["name", "version"],
  },
  dependency: { fields: [["name", "text"], ["version", "text"], ["scope", "text"]], required: ["name", "version"] },
  locked: { fields: [["name", "text"], ["version", "text"], ["hash", "text"], ["deps", "texts"]], required: ["name", "version", "hash"] },
};

export const PERMISSIONS = ["file-access", "network-access", "system-access"];

export class Checker {
  constructor(private readonly s: string) {}

  private fail(code: ManifestCode, message: string, index: number): never {
    throw new ManifestError(code, message, utf8Length(this.s, index));
  }

  /** Takes the `wflpkg` envelope off the front (absent: grammar 1.0.0) and checks it. */
  envelope(records: MRecord[]): MRecord[] {
    records.slice(1).forEach((r) => {
      if (r.kind === "wflpkg") this.fail("MG-E01", "The 'wflpkg' record must be the first record of the file, and there is only one.", r.at);
    });
    const first = records[0]!;
    if (first.kind !== "wflpkg") return records;
    const grammar = first.entries.find((e) => e.key === "grammar");
    const other = first.entries.find((e) => e.key !== "grammar");
    if (other) this.fail("MG-E01", `The 'wflpkg' record holds only 'grammar', not '${other.key}'.`, other.keyAt);
    if (!grammar) this.fail("MG-E01", "The 'wflpkg' record needs 'grammar is \"1.0.0\"'.", first.at);
    if (grammar.value.t !== "text") this.fail("MG-E01", "The grammar version is quoted text, such as \"1.0.0\".", grammar.value.at);
    if (grammar.value.v !== GRAMMAR_VERSION) {
      this.fail("MG-E02", `This file declares grammar version ${JSON.stringify(grammar.value.v)}; only "${GRAMMAR_VERSION}" is supported.`, grammar.value.at);
    }
    return records.slice(1);
  }

  /** Gate I: every `name`, `scope` and `version` entry, whatever record carries it. */
  identity(records: readonly MRecord[]): void {
    for (const r of records) {
      for (const e of r.entries) {
        if (e.key === "name" || e.key === "scope") {
          const v = e.value;
          if (v.t !== "text") this.fail("MG-I01", `The ${e.key} must be quoted text.`, v.at);
          if (!isPackageName(v.v)) {
            this.fail("MG-I01", `The ${e.key} ${JSON.stringify(v.v)} is not allowed: use lowercase ASCII letters and digits with single hyphens between them (at most 64), starting with a letter.`, v.at);
          }
          if (!passesRestrictionLevel(v.v)) this.fail("MG-I03", `The ${e.key} ${JSON.stringify(v.v)} fails the script restriction check.`, v.at);
        } else if (e.key === "version") {
          const v = e.value;
          if (v.t !== "text") this.fail("MG-I02", "A version must be quoted text.", v.at);
          const constraint = r.kind === "dependency";
          const exact = r.kind === "package" || r.kind === "locked";
          const ok = constraint ? parseConstraint(v.v) !== null : exact ? isExactVersion(v.v) : isExactVersion(v.v) || parseConstraint(v.v) !== null;
          if (!ok) {
            this.fail("MG-I02", constraint
              ? `The version constraint ${JSON.stringify(v.v)} is not one of the forms "26.1 or newer", "26.1.3 exactly", "between 25.12 and 26.2", "any version", "26.1 or newer but below 27", "above 25.6" or "below 27".`
              : `The version ${JSON.stringify(v.v)} is not an exact version YY.MM.BUILD such as "26.2.1".`, v.at);
          }
          if (!passesRestrictionLevel(v.v)) this.fail("MG-I03", "The version fails the script restriction check.", v.at);
        }
      }
    }
  }

  /**
   * The registry's schema. `expect` says what the caller wants: "manifest" accepts a manifest or a
   * document of `locked` records only; "lockfile" accepts only `locked` records. Returns what the
   * document is.
   */
  schema(records: readonly MRecord[], expect: "manifest" | "lockfile"): DocumentKind {
    for (const r of records) {
      if (!(r.kind in SCHEMAS)) {
        this.fail("MG-R02", `There is no record kind '${r.kind}'; a manifest has 'package' and 'dependency' records, a lockfile 'locked' records.`, r.at);
      }
    }
    const locked = records.filter((r) => r.kind === "locked");
    const rest = records.filter((r) => r.kind !== "locked");
    let kind: DocumentKind;
    if (expect === "lockfile") {
      if (rest.length > 0) this.fail("MG-R02", `A lockfile holds only 'locked' records, not '${rest[0]!.kind}'.`, rest[0]!.at);
      if (locked.length === 0) this.fail("MG-R01", "A lockfile needs at least one 'locked' record.", 0);
      kind = "lockfile";
    } else if (rest.length === 0 && locked.length > 0) {
      kind = "lockfile";
    } else {
      if (locked.length > 0) this.fail("MG-R02", "'locked' records belong in the lockfile (project.lock), not beside 'package' and 'dependency' records.", locked[0]!.at);
      const packages = records.filter((r) => r.kind === "package");
      if (packages.length === 0) this.fail("MG-R01", "The manifest has no 'package' record; it needs exactly one.", 0);
      if (packages.length > 1) this.fail("MG-R01", "The manifest has a second 'package' record; it needs exactly one.", packages[1]!.at);
      kind = "manifest";
    }
    const seen = new Map<string, Set<string>>();
    for (const r of records) {
      const sch = SCHEMAS[r.kind]!;
      for (const e of r.entries) {
        const field = sch.fields.find(([k]) => k === e.key);
        if (!field) {
          this.fail("MG-R04", `A '${r.kind}' record has no field '${e.key}'; its fields are ${sch.fields.map(([k]) => k).join(", ")}.`, e.keyAt);
        }
        this.type(r.kind, e, field[1]);
      }
      for (const req of sch.required) {
        if (!r.entries.some((e) => e.key === req)) this.fail("MG-R03", `This '${r.kind}' record needs a '${req}'.`, r.at);
      }
      const get = (k: string): MValue | undefined => r.entries.find((e) => e.key === k)?.value;
      const textOf = (v: MValue): string => (v.t === "list" ? "" : String(v.v));
      if (r.kind === "package") {
        const perms = get("permissions");
        if (perms && perms.t === "list") {
          const had = new Set<string>();
          for (const p of perms.items) {
            const name = p.v as string;
            if (!PERMISSIONS.includes(name)) {
              this.fail("MG-R05", `${JSON.stringify(name)} is not a permission; a package may ask for ${PERMISSIONS.map((x) => `"${x}"`).join(", ")}.`, p.at);
            }
            if (had.has(name)) this.fail("MG-R05", `The permission ${JSON.stringify(name)} is listed twice.`, p.at);
            had.add(name);
          }
        }
      } else if (r.kind === "dependency") {
        const scope = get("scope");
        if (scope && textOf(scope) !== "dev") this.fail("MG-R06", `The dependency scope ${JSON.stringify(textOf(scope))} is not known; it is "dev" or left out.`, scope.at);
      } else if (r.kind === "locked") {
        const hash = get("hash")!;
        if (!/^sha256:[0-9a-f]{64}$/.test(textOf(hash))) this.fail("MG-R04", "A locked hash is \"sha256:\" followed by 64 lowercase hexadecimal digits.", hash.at);
        const deps = get("deps");
        if (deps && deps.t === "list") {
          for (const d of deps.items) {
            if (!isPackageName(d.v as string)) this.fail("MG-I01", `The dependency name ${JSON.stringify(d.v)} is not a valid package name.`, d.at);
          }
        }
      }
      if (r.kind === "dependency" || r.kind === "locked") {
        const name = textOf(get("name")!);
        const names = seen.get(r.kind) ?? new Set<string>();
        seen.set(r.kind, names);
        if (names.has(name)) this.fail("MG-R07", `The package ${JSON.stringify(name)} has a second '${r.kind}' record.`, r.at);
        names.add(name);
      }
    }
    return kind;
  }

  private type(kind: string, e: Entry, type: FieldType): void {
    const v = e.value;
    if (type === "text") {
      if (v.t !== "text") this.fail("MG-R04", `The '${e.key}' of a '${kind}' record is quoted text.`, v.at);
      return;
    }
    if (v.t !== "list") this.fail("MG-R04", `The '${e.key}' of a '${kind}' record is a list of quoted texts.`, v.at);
    for (const item of v.items) if (item.t !== "text") this.fail("MG-R04", `The '${e.key}' of a '${kind}' record is a list of quoted texts.`, item.at);
  }
}

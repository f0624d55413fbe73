// Identity fields (§8 of the grammar): package names and scopes, exact versions, and the version
// constraints a dependency states (§5).

/** `[a-z][a-z0-9]*(-[a-z0-9]+)*`, at most 64 characters: package names and scopes (MG-I01). */
export function isPackageName(s: string): boolean {
  return s.length <= 64 && /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(s);
}

const NUM = "(?:0|[1-9][0-9]{0,8})";
const EXACT = new RegExp(`^(${NUM})\\.(${NUM})\\.(${NUM})(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?$`);
const PARTIAL = new RegExp(`^(${NUM})(?:\\.(${NUM}))?(?:\\.(${NUM}))?$`);
/** Longest version text accepted (our limit; the grammar names none). */
export const MAX_VERSION_LENGTH = 64;

/**
 * An exact version, `version-exact` of the grammar's ABNF: MAJOR.MINOR.PATCH, no leading zeros,
 * MAJOR below 256, an optional `-prerelease` and `+build` of ASCII letters, digits, `-` and `.`.
 * For wflpkg that is the calendar version YY.MM.BUILD (the month range is not checked: the grammar
 * does not).
 */
export function isExactVersion(s: string): boolean {
  if (s.length > MAX_VERSION_LENGTH) return false;
  const m = EXACT.exec(s);
  return !!m && Number(m[1]) < 256;
}

/** 26, 26.1 or 26.1.3 (no prerelease or build), MAJOR below 256: the versions inside constraints. */
function partial(s: string): number[] | null {
  const m = PARTIAL.exec(s);
  if (!m || Number(m[1]) >= 256) return null;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function less(a: number[], b: number[]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/**
 * What a version constraint allows, or null when it is not one. Keys (only those that apply):
 * `any` (yes: any version), `exact`, `min` (that version or newer), `above` (newer than it),
 * `max` (that version or older), `max_below` (older than it).
 */
export type Constraint = { any?: true; exact?: string; min?: string; above?: string; max?: string; max_below?: string };

export function parseConstraint(s: string): Constraint | null {
  if (s.length > 2 * MAX_VERSION_LENGTH) return null;
  if (s === "any version") return { any: true };
  let m: RegExpExecArray | null;
  if ((m = /^(\S+) exactly$/.exec(s))) return isExactVersion(m[1]!) ? { exact: m[1]! } : null;
  if ((m = /^(\S+) or newer but below (\S+)$/.exec(s))) {
    const a = partial(m[1]!);
    const b = partial(m[2]!);
    return a && b && less(a, b) ? { min: m[1]!, max_below: m[2]! } : null;
  }
  if ((m = /^(\S+) or newer$/.exec(s))) return partial(m[1]!) ? { min: m[1]! } : null;
  if ((m = /^between (\S+) and (\S+)$/.exec(s))) {
    const a = partial(m[1]!);
    const b = partial(m[2]!);
    return a && b && less(a, b) ? { min: m[1]!, max: m[2]! } : null;
  }
  if ((m = /^above (\S+)$/.exec(s))) return partial(m[1]!) ? { above: m[1]! } : null;
  if ((m = /^below (\S+)$/.exec(s))) return partial(m[1]!) ? { max_below: m[1]! } : null;
  return null;
}

/**
 * The UTS #39 restriction-level tripwire (MG-I03). Identity fields are ASCII-only (MG-I01 runs
 * first), which is the strictest restriction level, so this can only fail if the allowlist is ever
 * relaxed: it is wired so a relaxation cannot skip it.
 */
export function passesRestrictionLevel(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

// Where names are in one analysed file: every declaration and reference with the exact span of
// the name, sorted by position (built once per analysis, on first use).
import type { Analysis } from "./workspace.js";
import { nameSpan } from "./workspace.js";
import type { Reference, ResolvedSymbol } from "../analysis/resolve.js";
import type { Span } from "../ast/span.js";

export interface NameSite {
  readonly span: Span;
  readonly name: string;
  /** The symbol named here (null for builtins and undefined names). */
  readonly symbol: ResolvedSymbol | null;
  readonly ref: Reference | null;
  readonly declaration: boolean;
  readonly builtin: boolean;
}

const indexes = new WeakMap<Analysis, NameSite[]>();

export function sitesOf(a: Analysis): NameSite[] {
  let sites = indexes.get(a);
  if (sites) return sites;
  sites = [];
  for (const sym of a.resolution.symbols) {
    if (!sym.span || sym.file !== a.file || sym.kind === "implicit") continue;
    sites.push({ span: nameSpan(a.text, sym.span, sym.name), name: sym.name, symbol: sym, ref: null, declaration: true, builtin: false });
  }
  for (const r of a.resolution.references) {
    if (r.file !== a.file) continue;
    sites.push({ span: nameSpan(a.text, r.span, r.name), name: r.name, symbol: r.symbol, ref: r, declaration: false, builtin: r.builtin });
  }
  sites.sort((x, y) => x.span.start - y.span.start || (x.declaration ? -1 : 1));
  indexes.set(a, sites);
  return sites;
}

/** The name at an offset (the cursor may sit just after its last character). */
export function siteAt(a: Analysis, offset: number): NameSite | undefined {
  const sites = sitesOf(a);
  // Binary search for the last site starting at or before offset.
  let lo = 0, hi = sites.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sites[mid]!.span.start <= offset) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  for (let i = found; i >= 0 && i > found - 8; i--) {
    const s = sites[i]!;
    if (s.span.start <= offset && offset <= s.span.end) {
      // Prefer a declaration sharing this position.
      const decl = sites.slice(Math.max(0, i - 3), i + 1).find((x) => x.declaration && x.span.start === s.span.start && x.span.end === s.span.end);
      return decl ?? s;
    }
  }
  return undefined;
}

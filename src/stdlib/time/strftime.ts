// strftime-style formatting and parsing (the `%Y-%m-%d` formats the time module
// documents), plus the `yyyy-MM-dd HH:mm:ss` style some programs pass to
// `current time formatted as`.
import { fail } from "../../runtime/errors.js";
import { daysFromCivil, weekday, dayOfYear, isoWeek } from "./calendar.js";

export interface DatePart {
  y: number;
  m: number;
  d: number;
}
export interface TimePart {
  h: number;
  mi: number;
  s: number;
  /** Fraction of the second in nanoseconds (0 for WFL values, set for the clock). */
  nanos: number;
}
/** What a format string can draw on: a date, a time of day, or both. */
export interface Moment {
  date?: DatePart;
  time?: TimePart;
  /** Offset from UTC in minutes, for %z (0 when absent). */
  offsetMinutes?: number;
}

export const MONTH_NAMES = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];
export const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

type Pad = "0" | " " | "";

function pad(n: number, width: number, padChar: Pad): string {
  const neg = n < 0;
  let s = String(Math.abs(n));
  if (padChar !== "") while (s.length < width) s = padChar + s;
  return (neg ? "-" : "") + s;
}

/** Expand a strftime format. `what` names the value in errors ("a Date"). */
export function strftime(fmt: string, mo: Moment, fn: string, what: string): string {
  let out = "";
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== "%") {
      out += c;
      continue;
    }
    let j = i + 1;
    let padOverride: Pad | undefined;
    const flag = fmt[j];
    if (flag === "-" || flag === "_" || flag === "0") {
      padOverride = flag === "-" ? "" : flag === "_" ? " " : "0";
      j++;
    }
    // chrono's fractional-second forms: %f, %.f, %.3f, %.6f, %.9f, %3f, %6f, %9f
    let fracDot = false;
    let fracDigits = 0;
    if (fmt[j] === ".") {
      fracDot = true;
      j++;
    }
    if (fmt[j] === "3" || fmt[j] === "6" || fmt[j] === "9") {
      if (fmt[j + 1] === "f") {
        fracDigits = Number(fmt[j]);
        j++;
      }
    }
    const spec = fmt[j];
    if (spec === undefined) throw fail(`${fn}: the format ends with a lone %`);
    if ((fracDot || fracDigits) && spec !== "f") throw fail(`${fn}: unknown format specifier %${fmt.slice(i + 1, j + 1)}`);
    i = j;
    const num = (n: number, width: number, dflt: Pad = "0"): string => pad(n, width, padOverride ?? dflt);
    const needDate = (): DatePart => {
      if (!mo.date) throw fail(`${fn}: %${spec} needs a date, but ${what} has none`);
      return mo.date;
    };
    const needTime = (): TimePart => {
      if (!mo.time) throw fail(`${fn}: %${spec} needs a time of day, but ${what} has none`);
      return mo.time;
    };
    switch (spec) {
      case "%": out += "%"; break;
      case "n": out += "\n"; break;
      case "t": out += "\t"; break;
      case "Y": {
        const { y } = needDate();
        out += y >= 0 && y <= 9999 ? num(y, 4) : (y > 0 ? "+" : "") + String(y);
        break;
      }
      case "C": out += num(Math.floor(needDate().y / 100), 2); break;
      case "y": out += num(((needDate().y % 100) + 100) % 100, 2); break;
      case "m": out += num(needDate().m, 2); break;
      case "b": case "h": out += MONTH_NAMES[needDate().m - 1]!.slice(0, 3); break;
      case "B": out += MONTH_NAMES[needDate().m - 1]!; break;
      case "d": out += num(needDate().d, 2); break;
      case "e": out += num(needDate().d, 2, " "); break;
      case "a": { const d = needDate(); out += DAY_NAMES[weekday(d.y, d.m, d.d)]!.slice(0, 3); break; }
      case "A": { const d = needDate(); out += DAY_NAMES[weekday(d.y, d.m, d.d)]!; break; }
      case "w": { const d = needDate(); out += String(weekday(d.y, d.m, d.d)); break; }
      case "u": { const d = needDate(); out += String(weekday(d.y, d.m, d.d) || 7); break; }
      case "j": { const d = needDate(); out += num(dayOfYear(d.y, d.m, d.d), 3); break; }
      case "U": case "W": {
        // Week of the year, weeks starting on Sunday (%U) or Monday (%W); days before the first such day are week 0.
        const d = needDate();
        const doy0 = dayOfYear(d.y, d.m, d.d) - 1;
        const wd = spec === "U" ? weekday(d.y, d.m, d.d) : (weekday(d.y, d.m, d.d) + 6) % 7;
        out += num(Math.floor((doy0 - wd + 7) / 7), 2);
        break;
      }
      case "G": { const d = needDate(); out += num(isoWeek(d.y, d.m, d.d)[0], 4); break; }
      case "g": { const d = needDate(); out += num(((isoWeek(d.y, d.m, d.d)[0] % 100) + 100) % 100, 2); break; }
      case "V": { const d = needDate(); out += num(isoWeek(d.y, d.m, d.d)[1], 2); break; }
      case "D": case "x": out += strftime("%m/%d/%y", mo, fn, what); break;
      case "F": out += strftime("%Y-%m-%d", mo, fn, what); break;
      case "v": out += strftime("%e-%b-%Y", mo, fn, what); break;
      case "H": out += num(needTime().h, 2); break;
      case "k": out += num(needTime().h, 2, " "); break;
      case "I": out += num(needTime().h % 12 || 12, 2); break;
      case "l": out += num(needTime().h % 12 || 12, 2, " "); break;
      case "p": out += needTime().h < 12 ? "AM" : "PM"; break;
      case "P": out += needTime().h < 12 ? "am" : "pm"; break;
      case "M": out += num(needTime().mi, 2); break;
      case "S": out += num(needTime().s, 2); break;
      case "f": {
        const nanos = needTime().nanos;
        if (fracDigits === 0 && !fracDot) out += pad(nanos, 9, "0");
        else if (fracDigits === 0) {
          // %.f: as many digits as needed (3, 6 or 9), nothing when whole
          if (nanos === 0) break;
          const digits = nanos % 1_000_000 === 0 ? 3 : nanos % 1000 === 0 ? 6 : 9;
          out += "." + pad(nanos, 9, "0").slice(0, digits);
        } else out += (fracDot ? "." : "") + pad(nanos, 9, "0").slice(0, fracDigits);
        break;
      }
      case "R": out += strftime("%H:%M", mo, fn, what); break;
      case "T": case "X": out += strftime("%H:%M:%S", mo, fn, what); break;
      case "r": out += strftime("%I:%M:%S %p", mo, fn, what); break;
      case "c": out += strftime("%a %b %e %H:%M:%S %Y", mo, fn, what); break;
      case "s": {
        const d = needDate();
        const t = mo.time ?? { h: 0, mi: 0, s: 0, nanos: 0 };
        const secs = daysFromCivil(d.y, d.m, d.d) * 86400 + t.h * 3600 + t.mi * 60 + t.s - (mo.offsetMinutes ?? 0) * 60;
        out += String(secs);
        break;
      }
      case "z": case "Z": {
        const off = mo.offsetMinutes ?? 0;
        if (spec === "Z" && off === 0) {
          out += "UTC";
          break;
        }
        const a = Math.abs(off);
        out += (off < 0 ? "-" : "+") + pad(Math.floor(a / 60), 2, "0") + pad(a % 60, 2, "0");
        break;
      }
      default:
        throw fail(`${fn}: unknown format specifier %${spec}`);
    }
  }
  return out;
}

/**
 * Translate a `yyyy-MM-dd HH:mm:ss` (Java/.NET style) pattern to strftime.
 * Runs of one letter are fields; text in single quotes is literal; other letters are kept as written.
 */
export function patternToStrftime(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const lit = end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      out += lit === "" && end === i + 1 ? "'" : lit.replace(/%/g, "%%");
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    let j = i;
    while (j < pattern.length && pattern[j] === c) j++;
    const n = j - i;
    i = j;
    let rep: string | undefined;
    switch (c) {
      case "y": rep = n === 2 ? "%y" : "%Y"; break;
      case "M": rep = n >= 4 ? "%B" : n === 3 ? "%b" : n === 2 ? "%m" : "%-m"; break;
      case "d": rep = n >= 2 ? "%d" : "%-d"; break;
      case "D": rep = "%j"; break;
      case "H": rep = n >= 2 ? "%H" : "%-H"; break;
      case "h": rep = n >= 2 ? "%I" : "%-I"; break;
      case "m": rep = n >= 2 ? "%M" : "%-M"; break;
      case "s": rep = n >= 2 ? "%S" : "%-S"; break;
      case "S": rep = n <= 3 ? "%3f" : n <= 6 ? "%6f" : "%9f"; break;
      case "a": rep = "%p"; break;
      case "E": rep = n >= 4 ? "%A" : "%a"; break;
      case "Z": rep = "%z"; break;
      case "%": rep = "%%".repeat(n); break;
    }
    out += rep ?? c.repeat(n);
  }
  return out;
}

/** Result of reading text against a strptime format. */
export interface Parsed {
  y?: number;
  m?: number;
  d?: number;
  doy?: number;
  h?: number;
  h12?: number;
  pm?: boolean;
  mi?: number;
  s?: number;
}

/**
 * Read `input` against a strptime-style format. Whitespace in the format matches any run of
 * whitespace (including none); every other character must match exactly, and the whole input
 * must be used. Returns undefined when the text does not fit.
 */
export function strptime(input: string, fmt: string): Parsed | undefined {
  const r: Parsed = {};
  let p = 0;
  const digits = (min: number, max: number, signed = false): number | undefined => {
    let q = p;
    let sign = 1;
    if (signed && (input[q] === "+" || input[q] === "-")) {
      if (input[q] === "-") sign = -1;
      q++;
    }
    const start = q;
    while (q < input.length && q - start < max && input[q]! >= "0" && input[q]! <= "9") q++;
    if (q - start < min) return undefined;
    const v = Number(input.slice(start, q)) * sign;
    p = q;
    return v;
  };
  const name = (names: string[]): number | undefined => {
    const rest = input.slice(p).toLowerCase();
    for (let k = 0; k < names.length; k++) {
      const full = names[k]!.toLowerCase();
      if (rest.startsWith(full)) {
        p += full.length;
        return k;
      }
    }
    for (let k = 0; k < names.length; k++) {
      const short = names[k]!.slice(0, 3).toLowerCase();
      if (rest.startsWith(short)) {
        p += 3;
        return k;
      }
    }
    return undefined;
  };
  const expand: Record<string, string> = {
    D: "%m/%d/%y", x: "%m/%d/%y", F: "%Y-%m-%d", R: "%H:%M", T: "%H:%M:%S", X: "%H:%M:%S",
    r: "%I:%M:%S %p", v: "%e-%b-%Y", c: "%a %b %e %H:%M:%S %Y",
  };
  const run = (f: string): boolean => {
    for (let i = 0; i < f.length; i++) {
      const c = f[i]!;
      if (/\s/.test(c)) {
        while (p < input.length && /\s/.test(input[p]!)) p++;
        continue;
      }
      if (c !== "%") {
        if (input[p] !== c) return false;
        p++;
        continue;
      }
      i++;
      let spec = f[i];
      if (spec === "-" || spec === "_" || spec === "0") spec = f[++i];
      if (spec === undefined) return false;
      if (spec in expand) {
        if (!run(expand[spec]!)) return false;
        continue;
      }
      // Numeric fields allow leading spaces, as the space-padded forms print them.
      if ("YCymdejHkIlMS".includes(spec)) while (input[p] === " ") p++;
      let v: number | undefined;
      switch (spec) {
        case "%": if (input[p] !== "%") return false; p++; break;
        case "n": case "t": while (p < input.length && /\s/.test(input[p]!)) p++; break;
        case "Y": v = digits(1, 4, true); if (v === undefined) return false; r.y = v; break;
        case "y": v = digits(1, 2); if (v === undefined) return false; r.y = v < 70 ? 2000 + v : 1900 + v; break;
        case "m": v = digits(1, 2); if (v === undefined) return false; r.m = v; break;
        case "d": case "e": v = digits(1, 2); if (v === undefined) return false; r.d = v; break;
        case "j": v = digits(1, 3); if (v === undefined) return false; r.doy = v; break;
        case "b": case "h": case "B": v = name(MONTH_NAMES); if (v === undefined) return false; r.m = v + 1; break;
        case "a": case "A": if (name(DAY_NAMES) === undefined) return false; break;
        case "H": case "k": v = digits(1, 2); if (v === undefined) return false; r.h = v; break;
        case "I": case "l": v = digits(1, 2); if (v === undefined) return false; r.h12 = v; break;
        case "p": case "P": {
          const two = input.slice(p, p + 2).toLowerCase();
          if (two !== "am" && two !== "pm") return false;
          r.pm = two === "pm";
          p += 2;
          break;
        }
        case "M": v = digits(1, 2); if (v === undefined) return false; r.mi = v; break;
        case "S": v = digits(1, 2); if (v === undefined) return false; r.s = v; break;
        case "f": while (p < input.length && input[p]! >= "0" && input[p]! <= "9") p++; break;
        case ".":
          // %.f / %.3f: an optional fraction
          while (i + 1 < f.length && f[i] !== "f") i++;
          if (input[p] === ".") {
            p++;
            while (p < input.length && input[p]! >= "0" && input[p]! <= "9") p++;
          }
          break;
        case "z": {
          const m = /^(?:Z|[+-]\d{2}:?\d{2})/.exec(input.slice(p));
          if (!m) return false;
          p += m[0].length;
          break;
        }
        default:
          return false;
      }
    }
    return true;
  };
  if (!run(fmt) || p !== input.length) return undefined;
  if (r.h12 !== undefined) {
    if (r.h12 < 1 || r.h12 > 12) return undefined;
    r.h = (r.h12 % 12) + (r.pm ? 12 : 0);
  } else if (r.pm !== undefined && r.h !== undefined && r.h < 12 && r.pm) {
    r.h += 12;
  }
  return r;
}

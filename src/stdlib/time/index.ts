// Time module: Date, Time and DateTime values, calendar arithmetic and strftime formatting.
//
// Semantics decided here:
// - `today`, `now`, `datetime_now`, `current_date` read the local clock; `utc_now` reads UTC.
// - Date/Time/DateTime values carry no zone. Conversions to and from Unix timestamps
//   (`timestamp`, `datetime_from_timestamp`, `%s`) treat them as UTC, so the two round-trip.
// - Differences run from the first argument to the second: `days_between of a and b` and
//   `time_diff of a and b` are both `b − a` (days, and seconds).
// - Component readers accept any value that has the component: `year of` a Date or DateTime,
//   `hour of` a Time or DateTime.
import type { Registry } from "../registry.js";
import { type Value, WflDate, WflTime, WflDateTime, typeName } from "../../runtime/values.js";
import { fail } from "../../runtime/errors.js";
import { formatNumber } from "../../runtime/display.js";
import { int, num, text } from "../args.js";
import {
  isLeapYear, daysInMonth, daysFromCivil, civilFromDays, weekday, dayOfYear, isoWeek,
  isValidDate, isValidTime,
} from "./calendar.js";
import { type Moment, strftime, strptime, patternToStrftime } from "./strftime.js";

// ---- the clock ------------------------------------------------------------------------------

/** Milliseconds since the Unix epoch (`current time in milliseconds`). */
export function currentTimeMillis(): number {
  return Date.now();
}

function localMoment(now: Date): Moment {
  return {
    date: { y: now.getFullYear(), m: now.getMonth() + 1, d: now.getDate() },
    time: { h: now.getHours(), mi: now.getMinutes(), s: now.getSeconds(), nanos: now.getMilliseconds() * 1_000_000 },
    offsetMinutes: -now.getTimezoneOffset(),
  };
}

/**
 * The local time formatted (`current time formatted as "fmt"`). A format containing `%` is
 * strftime (`%Y-%m-%d %H:%M:%S`); otherwise it is read as a `yyyy-MM-dd HH:mm:ss` pattern
 * (y year, M month, d day, H hour, h 12-hour, m minute, s second, S fraction, a AM/PM, E weekday).
 */
export function formatCurrentTime(fmt: string): string {
  const f = fmt.includes("%") ? fmt : patternToStrftime(fmt);
  return strftime(f, localMoment(new Date()), "current time formatted as", "the current time");
}

function localToday(): WflDate {
  const n = new Date();
  return new WflDate(n.getFullYear(), n.getMonth() + 1, n.getDate());
}
function localNow(): WflTime {
  const n = new Date();
  return new WflTime(n.getHours(), n.getMinutes(), n.getSeconds());
}
function localDateTime(): WflDateTime {
  const n = new Date();
  return new WflDateTime(n.getFullYear(), n.getMonth() + 1, n.getDate(), n.getHours(), n.getMinutes(), n.getSeconds());
}
function utcDateTime(ms: number): WflDateTime {
  const days = Math.floor(ms / 86_400_000);
  const [y, m, d] = civilFromDays(days);
  let rest = Math.floor((ms - days * 86_400_000) / 1000);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const mi = Math.floor(rest / 60);
  return new WflDateTime(y, m, d, h, mi, rest - mi * 60);
}

// ---- value helpers --------------------------------------------------------------------------

const p2 = (n: number): string => (n >= 0 && n < 10 ? "0" : "") + String(n);

/** Dates hold years from -262143 to 262143, so every day count and timestamp stays exact. */
export const MAX_YEAR = 262143;
function checkYear(fn: string, y: number): void {
  if (y > MAX_YEAR || y < -MAX_YEAR)
    throw fail(`${fn}: the year ${formatNumber(y)} is outside the years a date can hold (-${MAX_YEAR} to ${MAX_YEAR})`);
}

function makeDate(fn: string, y: number, m: number, d: number): WflDate {
  checkYear(fn, y);
  if (!isValidDate(y, m, d)) throw fail(`${fn}: ${y}-${p2(m)}-${p2(d)} is not a valid date`);
  return new WflDate(y, m, d);
}
function makeTime(fn: string, h: number, mi: number, s: number): WflTime {
  if (!isValidTime(h, mi, s)) throw fail(`${fn}: ${p2(h)}:${p2(mi)}:${p2(s)} is not a valid time`);
  return new WflTime(h, mi, s);
}

function hasDate(fn: string, v: Value): WflDate | WflDateTime {
  if (v instanceof WflDate || v instanceof WflDateTime) return v;
  throw fail(`${fn} expects a Date or DateTime, got ${typeName(v)}`, "type");
}
function hasTime(fn: string, v: Value): WflTime | WflDateTime {
  if (v instanceof WflTime || v instanceof WflDateTime) return v;
  throw fail(`${fn} expects a Time or DateTime, got ${typeName(v)}`, "type");
}

/** Seconds since the epoch, reading a zone-less value as UTC (a Date is its midnight). */
function epochSeconds(v: WflDate | WflDateTime): number {
  const base = daysFromCivil(v.year, v.month, v.day) * 86400;
  return v instanceof WflDateTime ? base + v.hour * 3600 + v.minute * 60 + v.second : base;
}
function secondsOfDay(v: WflTime | WflDateTime): number {
  return v.hour * 3600 + v.minute * 60 + v.second;
}

function shiftDays(fn: string, v: Value, n: number): WflDate | WflDateTime {
  const base = hasDate(fn, v);
  // Far beyond the years a date can hold; checked before the arithmetic loses exactness.
  if (Math.abs(n) > 2 * 366 * MAX_YEAR) checkYear(fn, n > 0 ? Infinity : -Infinity);
  const [y, m, d] = civilFromDays(daysFromCivil(base.year, base.month, base.day) + n);
  checkYear(fn, y);
  return base instanceof WflDateTime ? new WflDateTime(y, m, d, base.hour, base.minute, base.second) : new WflDate(y, m, d);
}

function momentOf(v: WflDate | WflTime | WflDateTime): Moment {
  const mo: Moment = {};
  if (v instanceof WflDate || v instanceof WflDateTime) mo.date = { y: v.year, m: v.month, d: v.day };
  if (v instanceof WflTime || v instanceof WflDateTime) mo.time = { h: v.hour, mi: v.minute, s: v.second, nanos: 0 };
  return mo;
}

function yearArg(fn: string, v: Value): number {
  if (v instanceof WflDate || v instanceof WflDateTime) return v.year;
  return int(fn, v);
}

export function register(r: Registry): void {
  r.fn("today", { params: [] }, () => localToday());
  r.fn("current_date", { params: [] }, () => localToday());
  r.fn("now", { params: [] }, () => localNow());
  r.fn("datetime_now", { params: [] }, () => localDateTime());
  r.fn("utc_now", { params: [] }, () => utcDateTime(Date.now()));

  r.fn("year", { params: ["date|datetime"] }, ([v]) => hasDate("year", v!).year);
  r.fn("month", { params: ["date|datetime"] }, ([v]) => hasDate("month", v!).month);
  r.fn("day", { params: ["date|datetime"] }, ([v]) => hasDate("day", v!).day);
  r.fn("hour", { params: ["time|datetime"] }, ([v]) => hasTime("hour", v!).hour);
  r.fn("minute", { params: ["time|datetime"] }, ([v]) => hasTime("minute", v!).minute);
  r.fn("second", { params: ["time|datetime"] }, ([v]) => hasTime("second", v!).second);

  r.fn("dayofweek", { params: ["date|datetime"], aliases: ["day_of_week"] }, ([v]) => {
    const d = hasDate("dayofweek", v!);
    return weekday(d.year, d.month, d.day);
  });
  r.fn("dayofyear", { params: ["date|datetime"], aliases: ["day_of_year"] }, ([v]) => {
    const d = hasDate("dayofyear", v!);
    return dayOfYear(d.year, d.month, d.day);
  });
  r.fn("week_of_year", { params: ["date|datetime"] }, ([v]) => {
    const d = hasDate("week_of_year", v!);
    return isoWeek(d.year, d.month, d.day)[1];
  });
  r.fn("date_part", { params: ["date|datetime"] }, ([v]) => {
    const d = hasDate("date_part", v!);
    return new WflDate(d.year, d.month, d.day);
  });
  r.fn("time_part", { params: ["time|datetime"] }, ([v]) => {
    const t = hasTime("time_part", v!);
    return new WflTime(t.hour, t.minute, t.second);
  });
  r.fn("datetime_from_timestamp", { params: ["finite"] }, ([v]) => {
    const secs = num("datetime_from_timestamp", v!);
    if (!Number.isFinite(secs) || Math.abs(secs) > 8.64e12) throw fail(`datetime_from_timestamp: ${formatNumber(secs)} is out of range`);
    return utcDateTime(Math.floor(secs) * 1000);
  });
  r.fn("is_leap_year", { params: ["date|datetime|integer"], aliases: ["isleapyear"] }, ([v]) => isLeapYear(yearArg("is_leap_year", v!)));
  r.fn("timestamp", { params: ["date|datetime?"] }, (args) => {
    if (args.length === 0) return Math.floor(Date.now() / 1000);
    return epochSeconds(hasDate("timestamp", args[0]!));
  });

  r.fn("format_date", { params: ["date|datetime", "text"] }, ([v, f]) => {
    const d = hasDate("format_date", v!);
    return strftime(text("format_date", f!), momentOf(d), "format_date", `a ${typeName(d)}`);
  });
  r.fn("format_time", { params: ["time|datetime", "text"] }, ([v, f]) => {
    const t = hasTime("format_time", v!);
    return strftime(text("format_time", f!), momentOf(t), "format_time", `a ${typeName(t)}`);
  });
  r.fn("format_datetime", { params: ["datetime|date|time", "text"] }, ([v, f]) => {
    const x = v!;
    if (!(x instanceof WflDateTime || x instanceof WflDate || x instanceof WflTime))
      throw fail(`format_datetime expects a DateTime, got ${typeName(x)}`, "type");
    return strftime(text("format_datetime", f!), momentOf(x), "format_datetime", `a ${typeName(x)}`);
  });

  r.fn("parse_date", { params: ["text", "text"] }, ([s, f]) => {
    const input = text("parse_date", s!);
    const fmt = text("parse_date", f!);
    const p = strptime(input, fmt);
    if (!p) throw fail(`parse_date: "${input}" does not match the format "${fmt}"`);
    if (p.y === undefined) throw fail(`parse_date: the format "${fmt}" has no year`);
    if (p.m === undefined && p.d === undefined && p.doy !== undefined) {
      if (p.doy < 1 || p.doy > (isLeapYear(p.y) ? 366 : 365)) throw fail(`parse_date: day ${p.doy} of ${p.y} does not exist`);
      const [y, m, d] = civilFromDays(daysFromCivil(p.y, 1, 1) + p.doy - 1);
      return new WflDate(y, m, d);
    }
    if (p.m === undefined || p.d === undefined) throw fail(`parse_date: the format "${fmt}" needs a month and a day`);
    return makeDate("parse_date", p.y, p.m, p.d);
  });
  r.fn("parse_time", { params: ["text", "text"] }, ([s, f]) => {
    const input = text("parse_time", s!);
    const fmt = text("parse_time", f!);
    const p = strptime(input, fmt);
    if (!p) throw fail(`parse_time: "${input}" does not match the format "${fmt}"`);
    if (p.h === undefined || p.mi === undefined) throw fail(`parse_time: the format "${fmt}" needs an hour and a minute`);
    return makeTime("parse_time", p.h, p.mi, p.s ?? 0);
  });

  r.fn("add_days", { params: ["date|datetime", "integer"] }, ([v, n]) => shiftDays("add_days", v!, int("add_days", n!)));
  r.fn("subtract_days", { params: ["date|datetime", "integer"] }, ([v, n]) => shiftDays("subtract_days", v!, -int("subtract_days", n!)));
  r.fn("days_between", { params: ["date|datetime", "date|datetime"] }, ([a, b]) => {
    const secs = epochSeconds(hasDate("days_between", b!)) - epochSeconds(hasDate("days_between", a!));
    return Math.trunc(secs / 86400);
  });
  r.fn("days_in_month", { params: ["integer", "integer"] }, ([y, m]) => {
    const year = int("days_in_month", y!);
    const month = int("days_in_month", m!);
    if (month < 1 || month > 12) throw fail(`days_in_month: ${month} is not a month (1 to 12)`);
    return daysInMonth(year, month);
  });
  r.fn("time_diff", { params: ["date|datetime|time", "date|datetime|time"] }, ([a, b]) => {
    const x = a!;
    const y = b!;
    if (x instanceof WflTime && y instanceof WflTime) return secondsOfDay(y) - secondsOfDay(x);
    if ((x instanceof WflDate || x instanceof WflDateTime) && (y instanceof WflDate || y instanceof WflDateTime))
      return epochSeconds(y) - epochSeconds(x);
    throw fail(`time_diff expects two Times or two Dates/DateTimes, got ${typeName(x)} and ${typeName(y)}`, "type");
  });

  r.fn("create_date", { params: ["integer", "integer", "integer"] }, ([y, m, d]) =>
    makeDate("create_date", int("create_date", y!), int("create_date", m!), int("create_date", d!)),
  );
  r.fn("create_time", { params: ["integer", "integer", "integer?"] }, ([h, mi, s]) =>
    makeTime("create_time", int("create_time", h!), int("create_time", mi!), s === undefined ? 0 : int("create_time", s)),
  );
  r.fn("create_datetime", { params: ["integer", "integer", "integer", "integer?", "integer?", "integer?"] }, (args) => {
    const [y, mo, d, h, mi, s] = [0, 1, 2, 3, 4, 5].map((i) => (args[i] === undefined ? 0 : int("create_datetime", args[i]!)));
    makeDate("create_datetime", y!, mo!, d!);
    makeTime("create_datetime", h!, mi!, s!);
    return new WflDateTime(y!, mo!, d!, h!, mi!, s!);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatValue, WflDate, WflTime, WflDateTime, WflRuntimeError, formatCurrentTime, currentTimeMillis } from "../dist/internal.js";
import { call } from "./support/natives.mjs";

const show = (v) => formatValue(v);

test("create_date / create_time / create_datetime build values that display canonically", () => {
  assert.equal(show(call("create_date", 2026, 1, 9)), "2026-01-09");
  assert.equal(show(call("create_time", 14, 45, 30)), "14:45:30");
  assert.equal(show(call("create_time", 8, 5)), "08:05:00");
  assert.equal(show(call("create_datetime", 2026, 1, 9, 14, 30, 0)), "2026-01-09 14:30:00");
  assert.equal(show(call("create_datetime", 2026, 1, 9)), "2026-01-09 00:00:00");
  assert.ok(call("create_date", 2024, 2, 29) instanceof WflDate);
});

test("invalid dates and times are errors", () => {
  assert.throws(() => call("create_date", 2025, 2, 29), WflRuntimeError);
  assert.throws(() => call("create_date", 2025, 13, 1), WflRuntimeError);
  assert.throws(() => call("create_time", 24, 0, 0), WflRuntimeError);
  assert.throws(() => call("create_datetime", 2025, 1, 1, 10, 60), WflRuntimeError);
  assert.throws(() => call("year", "2025-01-01"), /expects a Date or DateTime/);
});

test("component readers", () => {
  const d = call("create_date", 2025, 8, 9);
  assert.deepEqual([call("year", d), call("month", d), call("day", d)], [2025, 8, 9]);
  const t = call("create_time", 14, 45, 30);
  assert.deepEqual([call("hour", t), call("minute", t), call("second", t)], [14, 45, 30]);
  const dt = call("create_datetime", 2026, 3, 4, 5, 6, 7);
  assert.deepEqual([call("year", dt), call("hour", dt), call("second", dt)], [2026, 5, 7]);
  assert.equal(show(call("date_part", dt)), "2026-03-04");
  assert.equal(show(call("time_part", dt)), "05:06:07");
});

test("day of week / year, ISO week", () => {
  assert.equal(call("dayofweek", call("create_date", 2026, 1, 9)), 5); // a Friday
  assert.equal(call("day_of_week", call("create_date", 2023, 1, 1)), 0); // a Sunday
  assert.equal(call("dayofyear", call("create_date", 2024, 12, 31)), 366);
  assert.equal(call("day_of_year", call("create_date", 2025, 3, 1)), 60);
  assert.equal(call("week_of_year", call("create_date", 2021, 1, 1)), 53);
  assert.equal(call("week_of_year", call("create_date", 2026, 1, 1)), 1);
  assert.equal(call("week_of_year", call("create_date", 2024, 12, 30)), 1);
});

test("leap years and month lengths", () => {
  assert.equal(call("is_leap_year", 2024), true);
  assert.equal(call("isleapyear", 1900), false);
  assert.equal(call("is_leap_year", 2000), true);
  assert.equal(call("is_leap_year", 2023), false);
  assert.equal(call("is_leap_year", call("create_date", 2028, 5, 1)), true);
  assert.equal(call("days_in_month", 2024, 2), 29);
  assert.equal(call("days_in_month", 2023, 2), 28);
  assert.equal(call("days_in_month", 2023, 4), 30);
  assert.throws(() => call("days_in_month", 2023, 13), WflRuntimeError);
});

test("date arithmetic", () => {
  const d = call("create_date", 2026, 1, 9);
  assert.equal(show(call("add_days", d, 7)), "2026-01-16");
  assert.equal(show(call("add_days", d, 365)), "2027-01-09");
  assert.equal(show(call("subtract_days", call("create_date", 2024, 3, 1), 1)), "2024-02-29");
  assert.equal(show(call("subtract_days", d, 7)), "2026-01-02");
  assert.equal(call("days_between", call("create_date", 2026, 1, 1), call("create_date", 2026, 1, 31)), 30);
  assert.equal(call("days_between", call("create_date", 2026, 1, 31), call("create_date", 2026, 1, 1)), -30);
  assert.equal(call("days_between", call("create_date", 2024, 1, 1), call("create_date", 2025, 1, 1)), 366);
  const dt = call("add_days", call("create_datetime", 2025, 12, 31, 23, 0, 0), 1);
  assert.ok(dt instanceof WflDateTime);
  assert.equal(show(dt), "2026-01-01 23:00:00");
  assert.equal(call("time_diff", call("create_time", 8, 0), call("create_time", 9, 30, 15)), 5415);
  assert.equal(
    call("time_diff", call("create_datetime", 2026, 1, 1, 0, 0, 0), call("create_datetime", 2026, 1, 2, 0, 0, 1)),
    86401,
  );
});

test("timestamps treat zone-less values as UTC and round-trip", () => {
  assert.equal(call("timestamp", call("create_datetime", 2001, 9, 9, 1, 46, 40)), 1_000_000_000);
  assert.equal(call("timestamp", call("create_date", 1970, 1, 2)), 86400);
  assert.equal(show(call("datetime_from_timestamp", 1_000_000_000)), "2001-09-09 01:46:40");
  assert.equal(show(call("datetime_from_timestamp", -1)), "1969-12-31 23:59:59");
  const now = call("timestamp");
  assert.ok(Math.abs(now - Date.now() / 1000) < 5);
});

test("strftime formatting", () => {
  const d = call("create_date", 2026, 1, 9);
  assert.equal(call("format_date", d, "%Y-%m-%d"), "2026-01-09");
  assert.equal(call("format_date", d, "%m/%d/%Y"), "01/09/2026");
  assert.equal(call("format_date", d, "%A, %B %-d %Y (%a %b %e) day %j"), "Friday, January 9 2026 (Fri Jan  9) day 009");
  assert.equal(call("format_date", d, "%F %D 100%%"), "2026-01-09 01/09/26 100%");
  const t = call("create_time", 14, 30, 45);
  assert.equal(call("format_time", t, "%H:%M:%S"), "14:30:45");
  assert.equal(call("format_time", t, "%H:%M"), "14:30");
  assert.equal(call("format_time", t, "%I:%M %p / %l%P"), "02:30 PM /  2pm");
  const dt = call("create_datetime", 2026, 1, 9, 14, 30, 0);
  assert.equal(call("format_datetime", dt, "%Y-%m-%d %H:%M:%S"), "2026-01-09 14:30:00");
  assert.equal(call("format_datetime", dt, "%Y-%m-%dT%H:%M:%S%z %s"), "2026-01-09T14:30:00+0000 1767969000");
  assert.throws(() => call("format_date", d, "%H"), /needs a time/);
  assert.throws(() => call("format_time", t, "%Y"), /needs a date/);
  assert.throws(() => call("format_date", d, "%Q"), /unknown format specifier/);
});

test("parse_date and parse_time", () => {
  assert.equal(show(call("parse_date", "2026-01-09", "%Y-%m-%d")), "2026-01-09");
  assert.equal(show(call("parse_date", "9 Jan 2026", "%d %b %Y")), "2026-01-09");
  assert.equal(show(call("parse_date", "January 9, 2026", "%B %d, %Y")), "2026-01-09");
  assert.equal(show(call("parse_date", "01/09/26", "%m/%d/%y")), "2026-01-09");
  assert.equal(show(call("parse_date", "2026-060", "%Y-%j")), "2026-03-01");
  assert.equal(show(call("parse_time", "14:30:45", "%H:%M:%S")), "14:30:45");
  assert.equal(show(call("parse_time", "2:05 pm", "%I:%M %p")), "14:05:00");
  assert.equal(show(call("parse_time", "12:00 AM", "%I:%M %p")), "00:00:00");
  assert.ok(call("parse_time", "09:15", "%H:%M") instanceof WflTime);
  assert.throws(() => call("parse_date", "2026-02-30", "%Y-%m-%d"), /not a valid date/);
  assert.throws(() => call("parse_date", "2026-01-09x", "%Y-%m-%d"), /does not match/);
  assert.throws(() => call("parse_date", "hello", "%Y-%m-%d"), /does not match/);
  assert.throws(() => call("parse_time", "25:00", "%H:%M"), /not a valid time/);
});

test("the clock", () => {
  const today = call("today");
  const now = new Date();
  assert.ok(today instanceof WflDate);
  assert.equal(today.year, now.getFullYear());
  assert.ok(call("current_date") instanceof WflDate);
  assert.ok(call("now") instanceof WflTime);
  assert.ok(call("datetime_now") instanceof WflDateTime);
  assert.ok(call("utc_now") instanceof WflDateTime);
  assert.ok(Math.abs(currentTimeMillis() - Date.now()) < 1000);
  assert.match(formatCurrentTime("%Y-%m-%d %H:%M:%S"), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.match(formatCurrentTime("yyyy-MM-dd HH:mm:ss"), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.match(formatCurrentTime("yyyy-MM-dd'T'HH:mm:ss.SSS"), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
  assert.equal(formatCurrentTime("yyyy"), String(new Date().getFullYear()));
});

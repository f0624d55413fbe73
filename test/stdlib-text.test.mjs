// Text module (and the text side of length/contains/indexof/slice).
import { test } from "node:test";
import assert from "node:assert/strict";
import { WflPattern } from "../dist/internal.js";
import { call, throwsWfl } from "./support/natives.mjs";


const CRAB = "Héllo 🦀 World";

test("case conversion, with aliases", () => {
  assert.equal(call("touppercase", "WFL Rocks"), "WFL ROCKS");
  assert.equal(call("to_uppercase", "straße"), "STRASSE");
  assert.equal(call("tolowercase", "ABC 123"), "abc 123");
  assert.equal(call("to_lowercase", "ΟΔΟΣ"), "οδος");
  throwsWfl(() => call("touppercase", 5), /^touppercase expects text, got Number$/);
});

test("trim uses Unicode White_Space like Rust (U+0085 yes, U+FEFF no)", () => {
  assert.equal(call("trim", "  spaced text  "), "spaced text");
  assert.equal(call("trim", "\t\n x \r\n"), "x");
  assert.equal(call("trim", "\u0085x\u3000"), "x");
  assert.equal(call("trim", "\uFEFFx"), "\uFEFFx");
  assert.equal(call("trim", "   "), "");
});

test("capitalize and reverse", () => {
  assert.equal(call("capitalize", "hello"), "Hello");
  assert.equal(call("capitalize", ""), "");
  assert.equal(call("capitalize", "hELLO"), "HELLO");
  assert.equal(call("capitalize", "éa"), "Éa");
  assert.equal(call("reverse", "abcdef"), "fedcba");
  assert.equal(call("reverse_text", "a🦀b"), "b🦀a");
});

test("length counts code points, not UTF-16 units", () => {
  assert.equal(call("length", "Hello, World!"), 13);
  assert.equal(call("length", ""), 0);
  assert.equal(call("length", CRAB), 13);
  assert.equal(call("length", "🦀🦀"), 2);
  assert.equal(call("size", "abc"), 3);
});

test("substring takes start and length in code points and clips instead of failing", () => {
  assert.equal(call("substring", "Hello, World!", 0, 5), "Hello");
  assert.equal(call("substring", "Hello, World!", 7, 5), "World");
  assert.equal(call("substring", "", 0, 1), "");
  assert.equal(call("substring", "Hi", 3, 1), "");
  assert.equal(call("substring", "Hi", 2, 1), "");
  assert.equal(call("substring", "Hi", 0, 10), "Hi");
  assert.equal(call("substring", CRAB, 1, 1), "é");
  assert.equal(call("substring", CRAB, 6, 1), "🦀");
  assert.equal(call("substring", CRAB, 5, 4), " 🦀 W");
  assert.equal(call("substring", CRAB, 8, 100), "World");
  assert.equal(call("substring", "abc", -2, 2), "ab");
  assert.equal(call("substring", "abc", 1, -1), "");
  // Two-argument form runs to the end (corpus: `substring of request_path from 8`).
  assert.equal(call("substring", "/static/app.css", 8), "app.css");
  assert.equal(call("substring", "🦀🦀xyz", 2), "xyz");
  const large = "0123456789".repeat(100);
  assert.equal(call("substring", large, 500, 10), "0123456789");
  assert.equal(call("substring", large, 2000, 5), "");
});

test("contains / includes on text", () => {
  assert.equal(call("contains", "Hello, World!", "World"), true);
  assert.equal(call("contains", "Hello, World!", "world"), false);
  assert.equal(call("includes", "test.rs", ".rs"), true);
  assert.equal(call("contains", "abc", ""), true);
  throwsWfl(() => call("contains", "abc", 1), /^contains expects text, got Number$/);
  throwsWfl(() => call("contains", 5, 1), /^contains expects a list or text, got Number$/);
});

test("indexof and lastindexof on text count code points", () => {
  assert.equal(call("indexof", "hello", "l"), 2);
  assert.equal(call("index_of", "a🦀b🦀c", "c"), 4);
  assert.equal(call("indexof", "hello", "z"), -1);
  assert.equal(call("last_index_of", "abcabc", "bc"), 4);
  assert.equal(call("lastindexof", "hello", "xyz"), -1);
  assert.equal(call("lastindexof", "🦀a🦀a", "a"), 3);
  assert.equal(call("lastindexof", [1, 2, 1], 1), 2);
});

test("starts_with / ends_with and aliases", () => {
  assert.equal(call("starts_with", "report.pdf", "report"), true);
  assert.equal(call("startswith", "report.pdf", "Report"), false);
  assert.equal(call("ends_with", "document.pdf", ".pdf"), true);
  assert.equal(call("endswith", "document.pdf", ".PDF"), false);
});

test("split keeps empty pieces (text_split_edge_cases.wfl)", () => {
  assert.deepEqual(call("split", "", ","), [""]);
  assert.deepEqual(call("split", "hello", ","), ["hello"]);
  assert.deepEqual(call("split", "a,,b", ","), ["a", "", "b"]);
  assert.deepEqual(call("split", "a,b,", ","), ["a", "b", ""]);
  assert.deepEqual(call("split", ",a,b", ","), ["", "a", "b"]);
  assert.equal(call("split", ",,,", ",").length, 4);
  assert.deepEqual(call("string_split", "foo::bar::baz", "::"), ["foo", "bar", "baz"]);
  assert.deepEqual(call("split", "line1\nline2", "\n"), ["line1", "line2"]);
  assert.deepEqual(call("split", "a🦀", ""), ["a", "🦀"]);
});

test("padleft / padright pad to a width in characters", () => {
  assert.equal(call("padleft", "42", 6), "    42");
  assert.equal(call("padright", "hi", 6), "hi    ");
  assert.equal(call("padleft", "longtext", 3), "longtext");
  assert.equal(call("padleft", "🦀", 3), "  🦀");
  assert.equal(call("padleft", 7, 3), "  7");
  assert.equal(call("padright", "x", -4), "x");
});

test("format_number rounds exact ties half-to-even like Rust {:.N}", () => {
  assert.equal(call("format_number", 0.25, 1), "0.2");
  assert.equal(call("format_number", 0.35, 1), "0.3"); // 0.35 is really 0.34999…
  assert.equal(call("format_number", 0.75, 1), "0.8");
  assert.equal(call("format_number", 12.5, 0), "12");
  assert.equal(call("format_number", 13.5, 0), "14");
  assert.equal(call("format_number", 0.5, 0), "0");
  assert.equal(call("format_number", 0.125, 2), "0.12");
  assert.equal(call("format_number", -2.5, 0), "-2");
  assert.equal(call("format_number", 1.005, 2), "1.00");
  assert.equal(call("format_number", 2.675, 2), "2.67");
  assert.equal(call("format_number", 2 / 3, 2), "0.67");
  assert.equal(call("format_number", 45, 1), "45.0");
  assert.equal(call("format_number", -0.04, 1), "-0.0");
  assert.equal(call("format_number", 1e21, 2), "1000000000000000000000.00");
  assert.equal(call("format_number", 0.1, 17), "0.10000000000000001");
  throwsWfl(() => call("format_number", 1, 18), /^format_number expects a precision/);
  throwsWfl(() => call("format_number", 1, 1.5), /^format_number expects a precision/);
  throwsWfl(() => call("format_number", Infinity, 1), /^format_number expects a finite number/);
});

test("replace swaps every literal occurrence, left to right", () => {
  assert.equal(call("replace", "hello world world", "world", "there"), "hello there there");
  assert.equal(call("replace", "a.b.c", ".", "-"), "a-b-c");
  assert.equal(call("replace", "home/user", "/", "\\"), "home\\user");
  assert.equal(call("replace", "aaa", "aa", "b"), "ba");
  assert.equal(call("replace", "x", "y", "$&"), "x");
  assert.equal(call("replace", "a$b", "$", "$$"), "a$$b");
  assert.equal(call("replace", "ab", "", "-"), "-a-b-");
  assert.equal(call("replace", "🦀", "", "-"), "-🦀-");
  assert.equal(call("replace", "a1b22", new WflPattern(/\d+/, "digits"), "#"), "a#b#");
});

test("slice works on text by code points", () => {
  assert.equal(call("slice", "a🦀bcd", 1, 3), "🦀b");
  assert.equal(call("slice", "abc", 2, 1), "");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { WflObject, WflDate, WflDateTime, WflTime, makeObject, valuesEqual } from "../dist/internal.js";
import { call } from "./support/natives.mjs";

const parse = (s) => call("parse_toml", s);
/** A WFL value as plain JSON-able data, for deepEqual. */
const plain = (v) => (v instanceof WflObject ? Object.fromEntries([...v].map(([k, x]) => [k, plain(x)])) : Array.isArray(v) ? v.map(plain) : v);

test("scalars come through with the right types", () => {
  const c = parse('title = "my project"\nlisten_port = 8080\ndebug_mode = true\nratio = 0.25\n');
  assert.deepEqual(plain(c), { title: "my project", listen_port: 8080, debug_mode: true, ratio: 0.25 });
});

test("tables, nested tables, arrays and arrays of tables", () => {
  const c = parse(
    '[database]\nhost = "localhost"\n\n[database.tls]\nenabled = true\n\nhosts = 1\n[[project]]\nslug = "alpha"\n\n[[project]]\nslug = "beta"\n',
  );
  assert.deepEqual(plain(c), {
    database: { host: "localhost", tls: { enabled: true, hosts: 1 } },
    project: [{ slug: "alpha" }, { slug: "beta" }],
  });
  assert.deepEqual(plain(parse('hosts = ["a", "b", "c"]\n')), { hosts: ["a", "b", "c"] });
  assert.deepEqual(plain(parse("a.b.c = 1\na.d = 'x'\np = { x = 1, y.z = 2 }\n")), { a: { b: { c: 1 }, d: "x" }, p: { x: 1, y: { z: 2 } } });
});

test("strings, numbers and dates", () => {
  const c = parse(
    [
      'basic = "tab\\there \\u00e9 \\U0001F600 \\"q\\""',
      "literal = 'C:\\Users\\x'",
      'multi = """\nline one\nline two \\\n    joined"""',
      "raw = '''\nfirst\n  second'''",
      "hex = 0xff",
      "oct = 0o17",
      "bin = 0b101",
      "big = 1_000_000",
      "neg = -17",
      "exp = 6.626e-34",
      "inf = -inf",
      "odt = 1979-05-27T07:32:00Z",
      "ld = 1979-05-27",
      "lt = 07:32:00",
      "ldt = 1979-05-27 07:32:00.5",
    ].join("\n"),
  );
  assert.equal(c.get("basic"), 'tab\there é 😀 "q"');
  assert.equal(c.get("literal"), "C:\\Users\\x");
  assert.equal(c.get("multi"), "line one\nline two joined");
  assert.equal(c.get("raw"), "first\n  second");
  assert.deepEqual([c.get("hex"), c.get("oct"), c.get("bin"), c.get("big"), c.get("neg")], [255, 15, 5, 1000000, -17]);
  assert.equal(c.get("exp"), 6.626e-34);
  assert.equal(c.get("inf"), -Infinity);
  // Dates and times come back as text, exactly as written.
  assert.equal(c.get("odt"), "1979-05-27T07:32:00Z");
  assert.equal(c.get("ld"), "1979-05-27");
  assert.equal(c.get("lt"), "07:32:00");
  assert.equal(c.get("ldt"), "1979-05-27 07:32:00.5");
  assert.ok(Number.isNaN(parse("n = nan").get("n")));
});

test("an empty document is an empty table, and writes back as empty text", () => {
  const c = parse("");
  assert.ok(c instanceof WflObject);
  assert.equal(c.size, 0);
  assert.equal(call("stringify_toml", c), "");
  assert.equal(parse("# just a comment\n\n").size, 0);
});

test("malformed TOML and redefinitions are errors", () => {
  const bad = [
    "[unclosed",
    "a = 1\na = 2\n",
    "[a]\n[a]\n",
    "a = {b = 1}\n[a.c]",
    "[fruit]\napple.color = 'red'\n[fruit.apple]",
    "arr = []\n[[arr]]",
    "x = 01",
    "x = 1__0",
    "x = .5",
    "s = \"unterminated",
    "s = \"bad \\q escape\"",
    "d = 2025-02-30",
    "a = [1 2]",
    "t = {a = 1,}",
    "a = 1 b = 2",
    "= 1",
    "b = TRUE",
  ];
  for (const src of bad) assert.throws(() => parse(src), /^Error: Invalid TOML at line \d+, column \d+: /, JSON.stringify(src));
  assert.throws(() => parse("a = 1\na = 2\n"), /line 2, column 1: duplicate key 'a'/);
});

test("valid table rules from the spec", () => {
  assert.deepEqual(plain(parse("[x.y.z.w]\n[x]\n")), { x: { y: { z: { w: {} } } } });
  assert.deepEqual(plain(parse("[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n")), {
    fruit: { apple: { color: "red", texture: { smooth: true } } },
  });
  assert.deepEqual(
    plain(parse("[[fruits]]\nname = 'apple'\n[fruits.physical]\ncolor = 'red'\n[[fruits.varieties]]\nname = 'rd'\n[[fruits]]\nname = 'banana'\n")),
    { fruits: [{ name: "apple", physical: { color: "red" }, varieties: [{ name: "rd" }] }, { name: "banana" }] },
  );
  assert.deepEqual(plain(parse("a = 1\r\nb = [\r\n  1, # one\r\n  2,\r\n]\r\n")), { a: 1, b: [1, 2] });
});

test("stringify_toml: sorted keys, integers stay integers, tables after values", () => {
  const c = parse('name = "wfl"\nlisten_port = 8080\ndebug_mode = false\n');
  assert.equal(call("stringify_toml", c), 'debug_mode = false\nlisten_port = 8080\nname = "wfl"\n');
  const nested = makeObject({
    title: "x",
    ratio: 0.5,
    whole: 3,
    skip: null,
    server: makeObject({ host: "localhost", ports: [1, 2], tls: makeObject({ on: true }) }),
    only_tables: makeObject({ inner: makeObject({ k: "v" }) }),
    items: [makeObject({ slug: "a" }), makeObject({ slug: "b", tags: ["x"] })],
    mixed: [1, "two", makeObject({ three: 3 })],
    "key with space": "q\"uote\\",
    date: new WflDate(2026, 1, 9),
    time: new WflTime(7, 5, 0),
    dt: new WflDateTime(2026, 1, 9, 14, 30, 0),
    empty: makeObject({}),
  });
  const out = call("stringify_toml", nested);
  assert.equal(
    out,
    [
      "date = 2026-01-09",
      "dt = 2026-01-09T14:30:00",
      '"key with space" = "q\\"uote\\\\"',
      'mixed = [1, "two", { three = 3 }]',
      "ratio = 0.5",
      "time = 07:05:00",
      'title = "x"',
      "whole = 3",
      "",
      "[empty]",
      "",
      "[[items]]",
      'slug = "a"',
      "",
      "[[items]]",
      'slug = "b"',
      'tags = ["x"]',
      "",
      "[only_tables.inner]",
      'k = "v"',
      "",
      "[server]",
      'host = "localhost"',
      "ports = [1, 2]",
      "",
      "[server.tls]",
      "on = true",
      "",
    ].join("\n"),
  );
  // Everything but the dates (which read back as text) survives a round trip.
  const back = parse(out);
  assert.equal(back.get("date"), "2026-01-09");
  nested.delete("skip");
  for (const k of ["date", "time", "dt"]) {
    nested.delete(k);
    back.delete(k);
  }
  assert.ok(valuesEqual(back, nested));
});

test("stringify_toml_pretty spreads arrays over lines and round-trips", () => {
  const c = parse('[server_config]\nhost = "localhost"\nports = [1, 2]\nempty = []\n');
  const out = call("stringify_toml_pretty", c);
  assert.equal(out, '[server_config]\nempty = []\nhost = "localhost"\nports = [\n    1,\n    2,\n]\n');
  const back = parse(out);
  assert.equal(back.get("server_config").get("host"), "localhost");
  assert.equal(back.get("server_config").get("ports").length, 2);
});

test("stringify_toml refuses what TOML cannot hold", () => {
  assert.throws(() => call("stringify_toml", [1, 2, 3]), /always a table/);
  assert.throws(() => call("stringify_toml", "text"), /always a table/);
  assert.throws(() => call("stringify_toml", makeObject({ l: [1, null] })), /no null/);
  assert.throws(() => call("stringify_toml", makeObject({ b: new Uint8Array(2) })), /cannot hold a Binary/);
  const self = makeObject({});
  self.set("me", self);
  assert.throws(() => call("stringify_toml", self), /contains itself/);
  assert.equal(call("stringify_toml", makeObject({ big: 2 ** 64, f: 1e21, nan: NaN, ninf: -Infinity })), "big = 18446744073709552000.0\nf = 1000000000000000000000.0\nnan = nan\nninf = -inf\n");
});

test("control characters and unicode keys are written safely", () => {
  const v = makeObject({ "ключ": "a\u0001b\nc", "a.b": 1 });
  const out = call("stringify_toml", v);
  assert.equal(out, '"a.b" = 1\n"ключ" = "a\\u0001b\\nc"\n');
  assert.deepEqual(plain(parse(out)), { "a.b": 1, "ключ": "a\u0001b\nc" });
});

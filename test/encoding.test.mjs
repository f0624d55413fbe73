// The encoding builtins (base64, hex, UTF-8, URL encoding, the raw SHA-256 digest), run from WFL
// programs through the embedding API and checked against Node's own encoders.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { run } from "../dist/internal.js";

let dir;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-encoding-")); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function ok(lines) {
  const file = path.join(dir, `p${++n}.wfl`);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  const r = await run({ file });
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\n${r.output}\n${r.diagnostics}`);
  assert.doesNotMatch(r.diagnostics + r.output, /INTERNAL|at .*\.js:\d+|node:internal/);
  return r.output.trimEnd().split("\n");
}
/** WFL lines that display the error message of `expr`, or "accepted". */
const caught = (expr) => ["try:", `    store v as ${expr}`, '    display "accepted"', "catch:", "    display error_message", "end try"];

test("base64_encode and base64_decode round-trip text and binary (RFC 4648 vectors)", async () => {
  const out = await ok([
    'for each s in ["", "f", "fo", "foo", "foob", "fooba", "foobar"]:',
    "    display base64_encode of s",
    "end for",
    'display base64_encode of (hex_decode of "00fffe80")',
    'display hex_encode of base64_decode of "AP/+gA=="',
    'display binary_to_text of base64_decode of "Zm9vYmFy"',
    'display length of base64_decode of ""',
  ]);
  assert.deepEqual(out, ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy", "AP/+gA==", "00fffe80", "foobar", "0"]);
});

test("base64_decode is strict: no missing padding, spaces, URL alphabet or stray bits", async () => {
  const out = await ok(['for each s in ["Zg", "Zm9v YmFy", "Zm9v\\n", "_-8=", "Zh==", "Zm9=", "====", "Z==="]:', ...caught("base64_decode of s").map((l) => "    " + l), "end for"]);
  assert.equal(out.length, 8);
  for (const line of out) assert.match(line, /^base64_decode: the text is not valid base64/);
});

test("hex_encode is lowercase; hex_decode is strict", async () => {
  const out = await ok([
    'display hex_encode of "hi"',
    'display hex_encode of (hex_decode of "DEADbeef")',
    'display length of hex_decode of ""',
    ...caught('hex_decode of "abc"'),
    ...caught('hex_decode of "zz"'),
    ...caught('hex_decode of "0x00"'),
  ]);
  assert.deepEqual(out.slice(0, 3), ["6869", "deadbeef", "0"]);
  for (const line of out.slice(3)) assert.match(line, /^hex_decode: the text is not valid hexadecimal/);
});

test("text_to_binary gives UTF-8; binary_to_text refuses invalid UTF-8 and keeps a BOM", async () => {
  const out = await ok([
    'display hex_encode of text_to_binary of "hé€😀"',
    'display binary_to_text of (hex_decode of "68c3a9e282acf09f9880")',
    'display length of binary_to_text of (hex_decode of "efbbbf41")',
    ...caught('binary_to_text of (hex_decode of "c328")'),
    ...caught('binary_to_text of (hex_decode of "eda080")'),
    ...caught('binary_to_text of (hex_decode of "ff")'),
  ]);
  assert.deepEqual(out.slice(0, 3), [Buffer.from("hé€😀").toString("hex"), "hé€😀", "2"]);
  for (const line of out.slice(3)) assert.equal(line, "binary_to_text: the data is not valid UTF-8 text");
});

test("sha256_bytes is the raw 32-byte digest, and builds a Content-Digest header", async () => {
  const out = await ok([
    'store d as sha256_bytes of "abc"',
    "display length of d",
    "display hex_encode of d",
    'display hex_encode of sha256_bytes of (text_to_binary of "abc")',
    'display "sha-256=:" with base64_encode of sha256_bytes of "hello" with ":"',
  ]);
  const abc = createHash("sha256").update("abc").digest("hex");
  assert.deepEqual(out, ["32", abc, abc, `sha-256=:${createHash("sha256").update("hello").digest("base64")}:`]);
});

test("url_encode is encodeURIComponent; url_decode refuses malformed escapes", async () => {
  const out = await ok([
    'display url_encode of "a b&c=d/é?"',
    "display url_encode of \"-_.!~*'()\"",
    'display url_decode of "a%20b%26c%3Dd%2F%C3%A9%3F"',
    'display url_decode of "a+b"',
    ...caught('url_decode of "%"'),
    ...caught('url_decode of "%zz"'),
    ...caught('url_decode of "%C3"'),
  ]);
  assert.deepEqual(out.slice(0, 4), [encodeURIComponent("a b&c=d/é?"), "-_.!~*'()", "a b&c=d/é?", "a+b"]);
  for (const line of out.slice(4)) assert.match(line, /^url_decode: the text has a malformed percent escape/);
});

test("the encoders refuse other types with the standard message", async () => {
  const out = await ok([...caught("base64_encode of 5"), ...caught("hex_decode of 5"), ...caught("binary_to_text of \"x\"")]);
  assert.deepEqual(out, ["base64_encode expects binary data or text, got Number", "hex_decode expects text, got Number", "binary_to_text expects binary data, got Text"]);
});

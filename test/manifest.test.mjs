// The wflpkg manifest grammar (wflpkg-data-literal-grammar 1.0.0): the illustrative files of §3,
// every entry of the §10 malicious-input reject corpus with its code, the canonical form and its
// hashes, the subset guard against our full WFL parser, and a seeded fuzz loop.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { WflObject, parse as parseWfl, WflRuntimeError, tokenize } from "../dist/internal.js";
import { call, throwsWfl } from "./support/natives.mjs";

const plain = (v) => (v instanceof WflObject ? Object.fromEntries([...v].map(([k, x]) => [k, plain(x)])) : Array.isArray(v) ? v.map(plain) : v);
/** Every input some test saw accepted: the subset guard (last test) runs the full parser on all of them. */
const acceptedInputs = new Set();
const noteAccepted = (x, r) => {
  if (r.ok && acceptedInputs.size < 2000) acceptedInputs.add(typeof x === "string" ? x : Buffer.from(x).toString("utf8"));
  return r;
};
const parseM = (x) => noteAccepted(x, plain(call("parse_manifest", x)));
const parseL = (x) => noteAccepted(x, plain(call("parse_lockfile", x)));
const fmt = (x) => call("format_manifest", x);
const bytes = (...parts) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...Buffer.from(p, "utf8")] : p)));

const MANIFEST = `create map package:
    name is "greeting"
    version is "26.2.1"
    description is "A friendly command-line greeter"
    authors is ["Alice Smith", "Bob Jones"]
    license is "MIT"
    keywords is ["cli", "greeting"]
    notes is "Human-readable annotations live here, inside the hash."
end map

create map dependency:
    name is "http-client"
    version is "26.1 or newer"
end map

create map dependency:
    name is "json-parser"
    version is "25.12 or newer"
    scope is "dev"
end map
`;

const LOCKFILE = `create map locked:
    name is "http-client"
    version is "26.1.3"
    hash is "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    deps is ["text-utils"]
end map

create map locked:
    name is "text-utils"
    version is "25.11.2"
    hash is "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
    deps is []
end map
`;

/** A package record with the given entry lines (indented), then nothing else. */
const pkg = (...lines) => `create map package:\n${lines.map((l) => `    ${l}\n`).join("")}end map\n`;
const basePkg = (...lines) => pkg('name is "greeting"', 'version is "26.2.1"', ...lines);
const dep = (...lines) => `create map dependency:\n${lines.map((l) => `    ${l}\n`).join("")}end map\n`;
const withDep = (...lines) => `${basePkg()}\n${dep(...lines)}`;

function rejects(input, code, label) {
  const r = parseM(input);
  assert.equal(r.ok, false, `${label ?? JSON.stringify(input)} is rejected`);
  const codes = Array.isArray(code) ? code : [code];
  assert.ok(codes.includes(r.code), `${label ?? JSON.stringify(input)}: expected ${codes.join(" or ")}, got ${r.code} (${r.message})`);
  assert.equal(typeof r.message, "string");
  assert.ok(Number.isInteger(r.offset) && r.offset >= 0);
  assert.ok(r.line >= 1 && r.column >= 1);
  return r;
}

// ---- the illustrative files --------------------------------------------------------------------

test("the §3.1 illustrative manifest is accepted with the documented shape", () => {
  const r = parseM(MANIFEST);
  assert.equal(r.ok, true, r.message);
  assert.equal(r.grammar, "1.0.0");
  assert.deepEqual(r.package, {
    name: "greeting", version: "26.2.1", description: "A friendly command-line greeter", authors: ["Alice Smith", "Bob Jones"],
    license: "MIT", keywords: ["cli", "greeting"], notes: "Human-readable annotations live here, inside the hash.",
  });
  assert.deepEqual(r.dependencies, [
    { name: "http-client", version: "26.1 or newer" },
    { name: "json-parser", version: "25.12 or newer", scope: "dev" },
  ]);
  assert.deepEqual(r.permissions, []);
  assert.deepEqual(r.records.map((x) => x.kind), ["package", "dependency", "dependency"]);
  assert.deepEqual(r.records[0].entries, r.package);
  assert.match(r.file_hash, /^sha256:[0-9a-f]{64}$/);
  assert.equal(r.content_hash, `sha256:${createHash("sha256").update(r.json).digest("hex")}`);
  assert.equal(r.file_hash, `sha256:${createHash("sha256").update(fmt(MANIFEST)).digest("hex")}`);
  const json = JSON.parse(r.json);
  assert.equal(json.grammar, "1.0.0");
  assert.deepEqual(json.records[2], { entries: { name: "json-parser", scope: "dev", version: "25.12 or newer" }, kind: "dependency" });
  assert.ok(r.json.startsWith('{"grammar":"1.0.0","records":[{"entries":{"authors":["Alice Smith","Bob Jones"],"description"'));
});

test("the §3.2 illustrative lockfile is accepted by parse_lockfile and by parse_manifest (package nothing)", () => {
  const l = parseL(LOCKFILE);
  assert.equal(l.ok, true, l.message);
  assert.deepEqual(l.locked.map((x) => x.name), ["http-client", "text-utils"]);
  assert.deepEqual(l.locked[1].deps, []);
  assert.equal(l.package, undefined);
  const m = parseM(LOCKFILE);
  assert.equal(m.ok, true, m.message);
  assert.equal(m.package, null);
  assert.deepEqual(m.dependencies, []);
  assert.equal(m.content_hash, l.content_hash);
  // A manifest is not a lockfile.
  assert.equal(parseL(MANIFEST).code, "MG-R02");
});

test("binary input is the same document as text input", () => {
  const a = parseM(MANIFEST);
  const b = parseM(new Uint8Array(Buffer.from(MANIFEST)));
  assert.deepEqual(a, b);
});

test("the wflpkg envelope: accepted first, absent means 1.0.0, other versions and places rejected", () => {
  const env = (g) => `create map wflpkg:\n    grammar is ${g}\nend map\n\n`;
  const withEnv = parseM(env('"1.0.0"') + MANIFEST);
  assert.equal(withEnv.ok, true, withEnv.message);
  assert.equal(withEnv.content_hash, parseM(MANIFEST).content_hash);
  assert.equal(withEnv.file_hash, parseM(MANIFEST).file_hash);
  assert.deepEqual(withEnv.records.map((x) => x.kind), ["package", "dependency", "dependency"]);
  rejects(env('"1.1.0"') + MANIFEST, "MG-E02");
  rejects(env('"2.0.0"') + MANIFEST, "MG-E02");
  rejects(env("1") + MANIFEST, "MG-E01");
  rejects(MANIFEST + "\n" + env('"1.0.0"'), "MG-E01");
  rejects(`create map wflpkg:\n    grammar is "1.0.0"\n    extra is 1\nend map\n` + MANIFEST, "MG-E01");
  rejects(env('"1.0.0"'), "MG-R01", "an envelope alone");
});

// ---- the §10 malicious-input reject corpus ----------------------------------------------------

test("corpus: BOM-prefixed input is MG-B04 (and a BOM anywhere)", () => {
  rejects(bytes([0xef, 0xbb, 0xbf], MANIFEST), "MG-B04");
  rejects("\ufeff" + MANIFEST, "MG-B04");
  rejects(basePkg('notes is "a\ufeffb"'), "MG-B04");
});

test("corpus: overlong C0 80, E0 80 80 and F0 80 80 80 are MG-B02", () => {
  for (const seq of [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xf0, 0x80, 0x80, 0x80], [0xc1, 0xbf], [0xe0, 0x9f, 0xbf]]) {
    const r = rejects(bytes(basePkg('notes is "x'), seq, '"\n'), "MG-B02", seq.map((b) => b.toString(16)).join(" "));
    assert.equal(r.offset, Buffer.byteLength(basePkg('notes is "x')));
  }
});

test("corpus: a lone surrogate ED A0 80 is MG-B03 (and in text input)", () => {
  rejects(bytes('create map package:\n    notes is "', [0xed, 0xa0, 0x80], '"\nend map\n'), "MG-B03");
  rejects(bytes('create map package:\n    notes is "', [0xf4, 0x90, 0x80, 0x80], '"\nend map\n'), "MG-B03", "beyond U+10FFFF");
  const r = rejects(basePkg('notes is "a\ud800b"'), "MG-B03", "a lone surrogate in WFL text");
  assert.equal(r.line, 4);
});

test("ill-formed UTF-8 is MG-B01", () => {
  rejects(bytes(basePkg('notes is "'), [0x80], '"\n'), "MG-B01");
  rejects(bytes(basePkg('notes is "'), [0xe2, 0x82], '"\n'), "MG-B01");
  rejects(bytes(basePkg('notes is "'), [0xff], '"\n'), "MG-B01");
});

test("corpus: non-NFC decomposed é is MG-B05, composed é is accepted", () => {
  const r = rejects(basePkg('description is "caf\u0065\u0301"'), "MG-B05");
  assert.equal(r.line, 4);
  assert.equal(parseM(basePkg('description is "caf\u00e9"')).ok, true);
});

test("corpus: bare CR and CRLF are MG-B07", () => {
  rejects(MANIFEST.replace("\n", "\r\n"), "MG-B07");
  rejects(MANIFEST.replaceAll("\n", "\r\n"), "MG-B07");
  rejects(MANIFEST.replace("\n", "\r"), "MG-B07");
});

test("an over-size document is MG-B06", () => {
  rejects(basePkg(`notes is "${"x".repeat(60000)}"`).repeat(20), "MG-B06");
});

test("corpus: // and # comments, including a bidi payload in a comment, are MG-L01", () => {
  rejects(`// a comment\n${MANIFEST}`, "MG-L01");
  rejects(`# a comment\n${MANIFEST}`, "MG-L01");
  rejects(basePkg('license is "MIT" # trailing'), "MG-L01");
  rejects(basePkg('license is "MIT" // trailing'), "MG-L01");
  rejects(basePkg('license is "MIT" // \u202eevil\u202c'), "MG-L01");
  // In text, // and # are just characters.
  const ok = parseM(basePkg('homepage is "https://example.org/#top"'));
  assert.equal(ok.ok, true, ok.message);
});

test("corpus: form feed between tokens is MG-L02 (and vertical tab, NBSP, a line break inside a list)", () => {
  rejects(basePkg('license\fis "MIT"'), "MG-L02");
  rejects(`\f${MANIFEST}`, "MG-L02");
  rejects(basePkg('license\vis "MIT"'), "MG-L02");
  rejects(basePkg('license\u00a0is "MIT"'), "MG-L02");
  rejects(basePkg('keywords is ["a",\n "b"]'), "MG-L02");
});

test("corpus: raw NUL, C0, DEL and C1 in a string are MG-L03 (a raw tab too)", () => {
  for (const c of ["\0", "\x01", "\x1b", "\x7f", "\u0085", "\t"]) rejects(basePkg(`notes is "a${c}b"`), "MG-L03", JSON.stringify(c));
});

test("corpus: a raw newline in a string is MG-L04", () => {
  rejects(basePkg('notes is "line one\nline two"'), "MG-L04");
  assert.equal(parseM(basePkg('notes is "line one\\nline two"')).package.notes, "line one\nline two");
});

test("corpus: RLO U+202E and other bidi controls in a string are MG-L05 (Trojan Source)", () => {
  for (const c of ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"]) rejects(basePkg(`notes is "a${c}b"`), "MG-L05", `U+${c.charCodeAt(0).toString(16)}`);
  rejects(basePkg('notes is "ok"', '\u202e'), "MG-L05", "bidi outside text");
});

test("corpus: zero-width U+200B, U+200C, U+200D and U+FEFF are MG-L06 (U+FEFF is caught as a BOM first)", () => {
  for (const c of ["\u200b", "\u200c", "\u200d", "\u2060", "\u2062", "\u{e0041}", "\u{e007f}"]) rejects(basePkg(`notes is "a${c}b"`), "MG-L06", `U+${c.codePointAt(0).toString(16)}`);
  rejects(basePkg('notes is "x"', "\u200b"), "MG-L06", "outside text");
  rejects(basePkg('notes is "x"', "\u{e0041}"), "MG-L06", "a tag character outside text");
  // Emoji and their variation selectors stay fine.
  assert.equal(parseM(basePkg('notes is "\u2764\ufe0f \u{1f600}"')).ok, true);
  // §6 lists U+FEFF under both MG-B04 and MG-L06; Gate B runs first, so a U+FEFF is MG-B04.
  rejects(basePkg('notes is "a\ufeffb"'), ["MG-B04", "MG-L06"]);
});

test("corpus: true, TRUE and Yes booleans are MG-L07; yes and no are accepted", () => {
  for (const b of ["true", "TRUE", "Yes", "false", "NO", "YeS"]) rejects(basePkg(`notes is "x"`, `flag is ${b}`), "MG-L07", b);
  const r = parseM(`create map locked:\n    name is "a"\n    version is "1.0.0"\n    hash is "sha256:${"0".repeat(64)}"\nend map\ncreate map other:\n    flag is yes\nend map\n`);
  assert.equal(r.code, "MG-R02", "yes is a boolean; the unknown kind is what fails");
});

test("corpus: \\r, \\0 and unknown escapes are MG-L08", () => {
  for (const e of ["\\r", "\\0", "\\A", "\\u0041", "\\x41", "\\'"]) rejects(basePkg(`notes is "a${e}b"`), "MG-L08", e);
});

test("corpus: nothing, missing and undefined values are MG-L09", () => {
  for (const n of ["nothing", "missing", "undefined", "Nothing"]) rejects(basePkg(`license is ${n}`), "MG-L09", n);
});

test("corpus: float, signed, hex and exponent numbers are MG-L10", () => {
  for (const v of ["1.5", "0.0", "-1", "+1", "0x1F", "1e5", "1.5e3", "1E10", "0b101"]) rejects(basePkg(`notes is "x"`, `n is ${v}`), "MG-L10", v);
});

test("corpus: 007 and a 20-digit integer are MG-L11", () => {
  rejects(basePkg("n is 007"), "MG-L11");
  rejects(basePkg("n is 12345678901234567890"), "MG-L11");
  rejects(basePkg("n is 9007199254740992"), "MG-L11", "2^53");
  rejects(basePkg(`n is ${"9".repeat(400)}`), "MG-L11", "400 digits");
});

test("corpus: an over-length string or key is MG-L12", () => {
  rejects(basePkg(`notes is "${"x".repeat(64 * 1024 + 1)}"`), "MG-L12");
  rejects(basePkg(`${"k".repeat(257)} is 1`), "MG-L12");
  rejects(basePkg(`"${"k".repeat(257)}" is 1`), "MG-L12");
});

test("corpus: a reference as a value (name is greeting) is MG-S01", () => {
  rejects(pkg("name is greeting", 'version is "26.2.1"'), "MG-S01");
});

test("corpus: arithmetic (port is 1 plus 1) is MG-S01, and calls, operators, interpolation", () => {
  rejects(basePkg("port is 1 plus 1"), "MG-S01");
  rejects(basePkg("port is 1 + 1"), "MG-S01");
  rejects(basePkg('notes is "a" with "b"'), "MG-S01");
  rejects(basePkg("notes is length of x"), "MG-S01");
  rejects(basePkg("notes is (1)"), "MG-S01");
  rejects(basePkg('notes is "a" plus name'), "MG-S01");
  rejects(basePkg("notes is create map x"), "MG-S01");
});

test("corpus: a duplicate key is MG-S02 (bare and quoted spellings are the same key)", () => {
  const r = rejects(basePkg('license is "MIT"', 'license is "MIT"'), "MG-S02");
  assert.equal(r.line, 5);
  rejects(basePkg('license is "MIT"', '"license" is "MIT"'), "MG-S02");
});

test("corpus: a list with and, :, a trailing comma or a nested list is MG-S03", () => {
  rejects(basePkg('keywords is ["a" and "b"]'), "MG-S03");
  rejects(basePkg('keywords is ["a": "b"]'), "MG-S03");
  rejects(basePkg('keywords is ["a", "b",]'), "MG-S03");
  rejects(basePkg('keywords is ["a", ["b"]]'), "MG-S03");
  rejects(basePkg('keywords is [["b"]]'), "MG-S03");
  rejects(basePkg('keywords is [, "a"]'), "MG-S03");
  rejects(basePkg('keywords is ["a" "b"]'), "MG-S03");
});

test("corpus: a top-level non-record statement is MG-S04", () => {
  rejects(`display "hello"\n${MANIFEST}`, "MG-S04");
  rejects(`${MANIFEST}\nstore x as 1\n`, "MG-S04");
  rejects(`create list things:\n    add 1\nend list\n`, "MG-S04");
  rejects("", "MG-S04", "an empty document");
  rejects("\n\n  \n", "MG-S04", "blank lines only");
});

test("corpus: a missing end map is MG-S05, with the other malformed blocks", () => {
  rejects('create map package:\n    name is "greeting"\n    version is "26.2.1"\n', "MG-S05");
  assert.match(rejects("create map package:", "MG-S05").message, /never closed/);
  rejects(`create map package:\n    name is "greeting"\n${dep('name is "a"', 'version is "any version"')}`, "MG-S05", "a record opened inside another");
  rejects('create map package\n    name is "greeting"\nend map\n', "MG-S05", "missing :");
  rejects('create map package:\n    name "greeting"\nend map\n', "MG-S05", "missing is");
  rejects('create map package:\n    name is "greeting"\nend\n', "MG-S05", "end without map");
  rejects('create map package:\n    name is "greeting"\nend list\n', "MG-S05", "end list");
  rejects('create map requires:\n    name is "x"\nend map\n', "MG-S05", "a reserved word as record name");
  rejects(basePkg('requires is "x"'), "MG-S05", "a reserved word as a bare key");
  rejects(basePkg('notes is "never closed'), "MG-S05", "unterminated text");
  rejects(basePkg("notes is"), "MG-S05", "no value");
  rejects('create map package: name is "x"\nend map\n', "MG-S05", "entries on the create line");
  rejects(basePkg('Notes is "x"'), "MG-S05", "an upper-case key");
  rejects('create map Package:\n    name is "x"\nend map\n', "MG-S05", "an upper-case record name");
});

test("a reserved word as key is fine when quoted, but the schema still decides", () => {
  const r = parseM(basePkg('"requires" is "x"'));
  assert.equal(r.code, "MG-R04");
});

test("corpus: a Cyrillic-homoglyph name (CVE-2021-42694) is MG-I01", () => {
  rejects(pkg('name is "gr\u0435eting"', 'version is "26.2.1"'), "MG-I01"); // U+0435 CYRILLIC SMALL LETTER IE
  rejects(withDep('name is "http-\u0441lient"', 'version is "26.1 or newer"'), "MG-I01");
});

test("corpus: an underscore in a name is MG-I01, with the other identity rules", () => {
  rejects(pkg('name is "my_package"', 'version is "26.2.1"'), "MG-I01");
  for (const n of ["", "-a", "a-", "a--b", "1abc", "ABC", "a".repeat(65), "a b"]) rejects(pkg(`name is "${n}"`, 'version is "26.2.1"'), "MG-I01", n);
  rejects(pkg("name is 7", 'version is "26.2.1"'), "MG-I01", "a number as name");
  rejects(withDep('name is "ok"', 'version is "any version"', 'scope is "Dev"'), "MG-I01", "scope is an identity field");
});

test("corpus: a bare version 26.2.1 is MG-L10 / MG-I02", () => {
  rejects(pkg('name is "greeting"', "version is 26.2"), "MG-L10", "an unquoted two-part version lexes as a float");
  rejects(withDep('name is "http-client"', 'version is "26.2.1"'), "MG-I02", "a bare version where a constraint is due");
});

test("corpus: the now-rejected prose forms version is 26.2.1 and requires http-client 26.1 or newer are MG-S01 / MG-I02", () => {
  rejects(pkg('name is "greeting"', "version is 26.2.1"), ["MG-S01", "MG-I02"]);
  rejects(withDep('name is "http-client"', "version is 26.1.3 or newer"), ["MG-S01", "MG-I02"]);
  // Unquoted, a two-part version lexes as the float 26.1, which Gate L rejects before Gate S reads
  // the value (Docs/manifests.md, "Choices").
  rejects(withDep('name is "http-client"', "version is 26.1 or newer"), "MG-L10");
  rejects(withDep('name is "http-client"', 'version is "requires http-client 26.1 or newer"'), ["MG-S01", "MG-I02"]);
  // The same prose elsewhere: as a top-level line it is not a record (MG-S04); inside a record
  // `requires` is a reserved word in key position (MG-S05).
  rejects(`${MANIFEST}\nrequires http-client 26.1.3 or newer\n`, "MG-S04");
  rejects(basePkg("requires http-client 26.1.3 or newer"), "MG-S05");
  rejects(`${MANIFEST}\nrequires http-client 26.1 or newer\n`, "MG-L10", "Gate L sees the float 26.1 before Gate S sees the line");
});

// ---- registry schema ------------------------------------------------------------------------

test("schema: exactly one package record (MG-R01), known kinds only (MG-R02)", () => {
  rejects(dep('name is "a"', 'version is "any version"'), "MG-R01");
  rejects(MANIFEST + "\n" + basePkg(), "MG-R01");
  rejects(MANIFEST + "\ncreate map plugin:\n    name is \"x\"\nend map\n", "MG-R02");
  rejects(MANIFEST + "\n" + LOCKFILE, "MG-R02", "locked records beside a package");
});

test("schema: required fields (MG-R03), unknown fields and types (MG-R04)", () => {
  rejects(pkg('name is "greeting"'), "MG-R03");
  rejects(pkg('version is "26.2.1"'), "MG-R03");
  rejects(withDep('name is "a"'), "MG-R03");
  rejects(basePkg('colour is "blue"'), "MG-R04");
  rejects(basePkg("description is 7"), "MG-R04");
  rejects(basePkg('authors is "Alice"'), "MG-R04");
  rejects(basePkg('authors is ["Alice", 7]'), "MG-R04");
  rejects(basePkg("license is yes"), "MG-R04");
  rejects(LOCKFILE.replace("sha256:9f86", "sha1:9f86"), "MG-R04");
});

test("schema: permissions (MG-R05), dependency scope (MG-R06), repeated dependency (MG-R07)", () => {
  const ok = parseM(basePkg('permissions is ["network-access", "file-access"]'));
  assert.equal(ok.ok, true, ok.message);
  assert.deepEqual(ok.permissions, ["network-access", "file-access"]);
  rejects(basePkg('permissions is ["root-access"]'), "MG-R05");
  rejects(basePkg('permissions is ["file-access", "file-access"]'), "MG-R05");
  rejects(withDep('name is "a"', 'version is "any version"', 'scope is "test"'), "MG-R06");
  rejects(`${withDep('name is "a"', 'version is "any version"')}\n${dep('name is "a"', 'version is "below 27"')}`, "MG-R07");
});

test("schema: versions are exact in package and locked records, constraints in dependency records (MG-I02)", () => {
  for (const v of ["26.2", "26.02.1", "256.1.1", "v26.2.1", "26.2.1 ", "26.1 or newer"]) rejects(pkg('name is "greeting"', `version is "${v}"`), "MG-I02", v);
  for (const v of ["26.1", "newer than 26.1", "26.1 or older", "between 27 and 26", "26.1 or newer but below 26", "26.1 exactly", "ANY VERSION", "26.1  or newer"]) {
    rejects(withDep('name is "a"', `version is "${v}"`), "MG-I02", v);
  }
  rejects(pkg('name is "greeting"', "version is 26"), "MG-I02", "a number as version");
  for (const v of ["26.1 or newer", "26.1.3 exactly", "between 25.12 and 26.2", "any version", "26.1 or newer but below 27", "above 25.6", "below 27"]) {
    const r = parseM(withDep('name is "a"', `version is "${v}"`));
    assert.equal(r.ok, true, `${v}: ${r.message}`);
  }
  assert.equal(parseM(pkg('name is "greeting"', 'version is "26.2.1-beta.1+build.5"')).ok, true);
});

// ---- helpers ---------------------------------------------------------------------------------

test("check_package_name, check_package_version and parse_version_constraint", () => {
  assert.equal(call("check_package_name", "http-client"), true);
  assert.equal(call("check_package_name", "http_client"), false);
  assert.equal(call("check_package_name", "gr\u0435eting"), false);
  assert.equal(call("check_package_name", "a".repeat(64)), true);
  assert.equal(call("check_package_name", "a".repeat(65)), false);
  assert.equal(call("check_package_version", "26.2.1"), true);
  assert.equal(call("check_package_version", "26.2"), false);
  assert.equal(call("check_package_version", "026.2.1"), false);
  const c = (s) => plain(call("parse_version_constraint", s));
  assert.deepEqual(c("26.1 or newer"), { min: "26.1" });
  assert.deepEqual(c("26.1.3 exactly"), { exact: "26.1.3" });
  assert.deepEqual(c("between 25.12 and 26.2"), { min: "25.12", max: "26.2" });
  assert.deepEqual(c("any version"), { any: true });
  assert.deepEqual(c("26.1 or newer but below 27"), { min: "26.1", max_below: "27" });
  assert.deepEqual(c("above 25.6"), { above: "25.6" });
  assert.deepEqual(c("below 27"), { max_below: "27" });
  assert.equal(c("whatever"), null);
  throwsWfl(() => call("parse_manifest", 7), /parse_manifest expects text or binary data, got/);
});

// ---- canonical form, idempotence, round trip, subset guard -------------------------------------

const ACCEPTED = [
  MANIFEST,
  LOCKFILE,
  `create map wflpkg:\n    grammar is "1.0.0"\nend map\n\n${MANIFEST}`,
  basePkg('permissions is ["system-access"]', 'keywords is []', 'notes is "tab\\there \\"quoted\\" back\\\\slash\\nnew line ü 日本 😀"'),
  `\n\n${basePkg()}\n\n\n${dep('name is "a"', 'version is "any version"')}`,
  `create map package:\nversion is "26.2.1"\n\t name   is\t"x"\nend map`,
  basePkg('"homepage" is "https://example.org/#a"', 'repository is "https://example.org/r.git"'),
  basePkg('description is ""', 'authors is ["A"]'),
];

const normal = (r) => ({ ...r, records: r.records });

test("the canonical form: the ABNF layout, idempotent, and parse(format(x)) equals parse(x)", () => {
  const f = fmt(MANIFEST);
  assert.equal(f, `create map wflpkg:
grammar is "1.0.0"
end map

create map package:
name is "greeting"
version is "26.2.1"
description is "A friendly command-line greeter"
authors is ["Alice Smith", "Bob Jones"]
license is "MIT"
keywords is ["cli", "greeting"]
notes is "Human-readable annotations live here, inside the hash."
end map

create map dependency:
name is "http-client"
version is "26.1 or newer"
end map

create map dependency:
name is "json-parser"
version is "25.12 or newer"
scope is "dev"
end map
`);
  for (const x of ACCEPTED) {
    const once = fmt(x);
    assert.equal(fmt(once), once, `idempotent: ${JSON.stringify(x).slice(0, 60)}`);
    assert.deepEqual(normal(parseM(once)), normal(parseM(x)), `round trip: ${JSON.stringify(x).slice(0, 60)}`);
  }
  // Collapse-freedom over these inputs: equal canonical forms exactly when equal content hashes.
  const forms = ACCEPTED.map((x) => [fmt(x), parseM(x).content_hash]);
  for (const [f1, h1] of forms) for (const [f2, h2] of forms) assert.equal(f1 === f2, h1 === h2);
  // Key order in the file does not change the canonical form or either hash.
  const swapped = pkg('version is "26.2.1"', 'name is "greeting"');
  assert.equal(fmt(swapped), fmt(basePkg()));
  assert.equal(parseM(swapped).content_hash, parseM(basePkg()).content_hash);
  // A different value changes both hashes.
  assert.notEqual(parseM(basePkg('license is "MIT"')).file_hash, parseM(basePkg('license is "MPL"')).file_hash);
  assert.notEqual(parseM(basePkg('license is "MIT"')).content_hash, parseM(basePkg('license is "MPL"')).content_hash);
});

test("format_manifest of rejected input is a WFL error naming the code and line", () => {
  assert.throws(() => fmt(basePkg("port is 1 plus 1")), (e) => e instanceof WflRuntimeError && /MG-S01, line 4, column/.test(e.message));
  assert.throws(() => fmt(bytes([0xef, 0xbb, 0xbf], MANIFEST)), (e) => e instanceof WflRuntimeError && /MG-B04, line 1, column 1/.test(e.message));
});

/** The data tree our full WFL parser builds for a document of `create map` statements. */
function wflTree(src) {
  const { program, diagnostics } = parseWfl(src, "manifest.wfl");
  assert.equal(diagnostics.length, 0, `the full WFL parser accepts it: ${diagnostics.map((d) => d.message).join("; ")}`);
  const lit = (e) => {
    switch (e.kind) {
      case "Text": return e.value;
      case "Number": return e.value;
      case "Bool": case "Boolean": return e.value;
      case "ListLit": case "List": return e.items.map(lit);
      default: throw new Error(`not a literal: ${e.kind}`);
    }
  };
  return program.body.map((s) => {
    assert.equal(s.kind, "CreateMap");
    return { kind: s.name, entries: Object.fromEntries(s.entries.map((e) => [e.key, lit(e.value)])) };
  });
}

/** The same from parse_manifest, with the envelope put back as the full parser sees it. */
function manifestTree(src, r) {
  const recs = r.records.map((x) => ({ kind: x.kind, entries: x.entries }));
  return /^\s*create map wflpkg:/.test(src) ? [{ kind: "wflpkg", entries: { grammar: r.grammar } }, ...recs] : recs;
}

const sortKeys = (t) => t.map((r) => ({ kind: r.kind, entries: Object.fromEntries(Object.entries(r.entries).sort(([a], [b]) => (a < b ? -1 : 1))) }));

// ---- drift lock (§9) -------------------------------------------------------------------------

const lexed = (src) => tokenize(src).tokens.map((t) => [t.tokenType.name, t.image]);

test("drift lock: the token surface the grammar admits is the pinned one", () => {
  // Any change here is a lexer change that touches the manifest grammar: decide consciously
  // whether it is grammar 1.0.0 still, and update Docs/manifests.md with the snapshot.
  assert.deepEqual(lexed('create map package:\n    name is "x\\\\ \\n \\t \\""\n    n is 7\n    l is [yes, no]\n    "k" is 0\nend map\n'), [
    ["Kw_create", "create"], ["Kw_map", "map"], ["Identifier", "package"], ["Colon", ":"], ["Newline", "\n"],
    ["Identifier", "name"], ["Kw_is", "is"], ["StringLiteral", '"x\\\\ \\n \\t \\""'], ["Newline", "\n"],
    ["Identifier", "n"], ["Kw_is", "is"], ["NumberLiteral", "7"], ["Newline", "\n"],
    ["Identifier", "l"], ["Kw_is", "is"], ["LBracket", "["], ["Kw_yes", "yes"], ["Comma", ","], ["Kw_no", "no"], ["RBracket", "]"], ["Newline", "\n"],
    ["StringLiteral", '"k"'], ["Kw_is", "is"], ["NumberLiteral", "0"], ["Newline", "\n"],
    ["Kw_end", "end"], ["Kw_map", "map"], ["Newline", "\n"],
  ]);
  // The collapses Gate L must see through the spans: the lexer keeps these as one token each.
  assert.deepEqual(lexed("26.2"), [["NumberLiteral", "26.2"]]);
  assert.deepEqual(lexed("TRUE Yes"), [["Kw_true", "TRUE"], ["Kw_yes", "Yes"]]);
  assert.deepEqual(lexed("007"), [["NumberLiteral", "007"]]);
  assert.deepEqual(lexed('"a\\qb"'), [["StringLiteral", '"a\\qb"']]);
  // What the lexer skips (so Gate L finds it in the gaps).
  assert.deepEqual(lexed("a // b"), [["Identifier", "a"]]);
  assert.deepEqual(lexed("a # b"), [["Identifier", "a"]]);
  assert.deepEqual(lexed("a\fb"), [["Identifier", "a"], ["Identifier", "b"]]);
  // Every record kind and schema key is a plain identifier, never a keyword.
  for (const w of ["package", "dependency", "locked", "wflpkg", "grammar", "name", "version", "description", "authors", "license", "keywords",
    "repository", "homepage", "notes", "permissions", "scope", "hash", "deps"]) {
    assert.deepEqual(lexed(w), [["Identifier", w]], w);
  }
  // NFC is checked with the host's Unicode data; it must be at least the pinned 16.0.0.
  assert.ok(Number.parseFloat(process.versions.unicode) >= 16, `Unicode ${process.versions.unicode}`);
});

// ---- fuzz ------------------------------------------------------------------------------------

const CODES = new Set([
  "MG-B01", "MG-B02", "MG-B03", "MG-B04", "MG-B05", "MG-B06", "MG-B07",
  "MG-L01", "MG-L02", "MG-L03", "MG-L04", "MG-L05", "MG-L06", "MG-L07", "MG-L08", "MG-L09", "MG-L10", "MG-L11", "MG-L12",
  "MG-S01", "MG-S02", "MG-S03", "MG-S04", "MG-S05", "MG-S06", "MG-S07", "MG-I01", "MG-I02", "MG-I03",
  "MG-E01", "MG-E02", "MG-R01", "MG-R02", "MG-R03", "MG-R04", "MG-R05", "MG-R06", "MG-R07",
]);

test("fuzz: thousands of seeded mutations never throw and always answer ok or a known code", () => {
  let seed = 0x5eed1234;
  const rnd = (n) => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const pieces = [..."\"\\[],:#/\n\r\t\f -+.0123456789azAZ_", "yes", "no", "TRUE", "nothing", "is", "end map", "create map x:\n", " and ", "plus",
    "\u202e", "\u200b", "\u00e9", "e\u0301", "\ufeff", "\u0435", "26.1.3", "\"26.1 or newer\"", "007", "\\r", "\\n"];
  const seeds = ACCEPTED.map((s) => Buffer.from(s));
  const started = Date.now();
  let accepted = 0;
  let n = 0;
  for (; n < 4000 && Date.now() - started < 8000; n++) {
    let b = Buffer.from(seeds[rnd(seeds.length)]);
    const edits = 1 + rnd(4);
    for (let k = 0; k < edits; k++) {
      const at = rnd(b.length + 1);
      switch (rnd(5)) {
        case 0: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rnd(8)))]); break;
        case 1: b = Buffer.concat([b.subarray(0, at), Buffer.from(pieces[rnd(pieces.length)]), b.subarray(at)]); break;
        case 2: if (b.length) b[Math.min(at, b.length - 1)] = rnd(256); break;
        case 3: { const from = rnd(b.length + 1); b = Buffer.concat([b.subarray(0, at), b.subarray(from, from + rnd(30)), b.subarray(at)]); break; }
        default: if (b.length) b[Math.min(at, b.length - 1)] ^= 1 << rnd(8);
      }
    }
    const input = rnd(2) ? new Uint8Array(b) : b.toString("utf8");
    let r;
    try {
      r = parseM(input);
    } catch (e) {
      assert.fail(`parse_manifest threw on ${JSON.stringify(b.toString("latin1"))}: ${e.stack}`);
    }
    if (r.ok) {
      accepted++;
      // Whatever is accepted formats, and formats to a fixed point with the same data.
      const f = fmt(input);
      assert.equal(fmt(f), f);
      assert.equal(parseM(f).content_hash, r.content_hash);
    } else {
      assert.ok(CODES.has(r.code), `unknown code ${r.code}`);
      assert.ok(r.offset >= 0 && r.offset <= b.length, `offset ${r.offset} within ${b.length} bytes`);
    }
  }
  assert.ok(n >= 1000, `ran ${n} inputs`);
  assert.ok(accepted > 0, "some mutations are still accepted");
  if (process.env.WFL_FUZZ_STATS) console.log(`fuzz: ${n} inputs, ${accepted} accepted, ${Date.now() - started} ms`);
});

// ---- generated valid documents --------------------------------------------------------------

test("generated manifests and lockfiles (random values, layout, key order, quoting) are accepted and round-trip", () => {
  let seed = 0xc0ffee;
  const rnd = (n) => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const pick = (xs) => xs[rnd(xs.length)];
  const sp = () => pick([" ", " ", "  ", "\t", " \t "]);
  const indent = () => pick(["", "    ", "\t", "  "]);
  const name = () => {
    const seg = () => Array.from({ length: 1 + rnd(6) }, () => pick([..."abcdefghijklmnopqrstuvwxyz0123456789"])).join("");
    let n = pick([..."abcdefghijklmnopqrstuvwxyz"]) + seg();
    for (let k = rnd(3); k > 0; k--) n += `-${seg()}`;
    return n.slice(0, 64).replace(/-+$/, "");
  };
  const chars = [..."abc XYZ 019 !$%&'()*+,-./:;<=>?@[]^_`{|}~#", "é", "ü", "日本", "😀", "ß", "\\n", "\\t", "\\\\", '\\"'];
  const text = () => `"${Array.from({ length: rnd(12) }, () => pick(chars)).join("")}"`;
  const texts = () => `[${Array.from({ length: rnd(4) }, text).join(", ")}]`;
  const num = () => String(1 + rnd(30));
  const version = () => `"${rnd(100)}.${1 + rnd(12)}.${rnd(50)}${pick(["", "", "-beta.1", "+b7", "-rc-1+x.y"])}"`;
  const constraint = () => pick([
    () => `"${num()}.${num()} or newer"`, () => `"${num()}.${num()}.${num()} exactly"`, () => `"between ${num()} and ${31 + rnd(5)}.${num()}"`,
    () => '"any version"', () => `"${num()}.${num()} or newer but below ${31 + rnd(9)}"`, () => `"above ${num()}.${num()}"`, () => `"below ${num()}"`,
  ])();
  const key = (k) => (rnd(4) === 0 ? `"${k}"` : k);
  const record = (kind, fields) => {
    const order = fields.sort(() => rnd(3) - 1);
    const blank = () => (rnd(5) === 0 ? "\n" : "");
    return `create map ${kind}:\n${order.map(([k, v]) => `${blank()}${indent()}${key(k)}${sp()}is${sp()}${v}${pick(["", " ", "\t"])}\n`).join("")}${indent()}end map${pick(["", " "])}\n`;
  };
  let checked = 0;
  for (let n = 0; n < 300; n++) {
    const parts = [];
    if (rnd(3) === 0) parts.push(record("wflpkg", [["grammar", '"1.0.0"']]));
    if (rnd(5) === 0) {
      for (let k = 1 + rnd(4); k > 0; k--) {
        const fields = [["name", `"${name()}${k}"`], ["version", version()], ["hash", `"sha256:${createHash("sha256").update(String(rnd(1e9))).digest("hex")}"`]];
        if (rnd(2)) fields.push(["deps", `[${Array.from({ length: rnd(3) }, () => `"${name()}"`).join(", ")}]`]);
        parts.push(record("locked", fields));
      }
    } else {
      const fields = [["name", `"${name()}"`], ["version", version()]];
      for (const [k, v] of [["description", text], ["authors", texts], ["license", text], ["keywords", texts], ["repository", text], ["homepage", text], ["notes", text]]) {
        if (rnd(2)) fields.push([k, v()]);
      }
      if (rnd(2)) fields.push(["permissions", `[${["file-access", "network-access", "system-access"].filter(() => rnd(2)).map((p) => `"${p}"`).join(", ")}]`]);
      parts.push(record("package", fields));
      for (let k = rnd(4); k > 0; k--) {
        const fields = [["name", `"${name()}${k}"`], ["version", constraint()]];
        if (rnd(2)) fields.push(["scope", '"dev"']);
        parts.push(record("dependency", fields));
      }
    }
    const doc = pick(["", "\n"]) + parts.join(pick(["\n", "", "\n\n"]));
    if (process.env.WFL_GEN_SHOW && n < 2) console.log(doc);
    const r = parseM(doc);
    assert.equal(r.ok, true, `${r.code} ${r.message}\n${doc}`);
    const f = fmt(doc);
    assert.equal(fmt(f), f);
    const again = parseM(f);
    assert.deepEqual(again.records, r.records);
    assert.equal(again.file_hash, r.file_hash);
    assert.equal(again.content_hash, r.content_hash);
    checked++;
  }
  assert.equal(checked, 300);
});

// ---- subset guard (last: it checks every input the tests above saw accepted) ----------------

test("subset guard: every input accepted anywhere in this file parses under the full WFL parser to the same data", () => {
  for (const x of ACCEPTED) parseM(x);
  assert.ok(acceptedInputs.size > 30, `${acceptedInputs.size} accepted inputs`);
  for (const x of acceptedInputs) {
    const r = parseM(x);
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(sortKeys(wflTree(x)), sortKeys(manifestTree(x, r)), JSON.stringify(x).slice(0, 80));
    const f = fmt(x);
    assert.deepEqual(sortKeys(wflTree(f)), sortKeys(manifestTree(f, parseM(f))));
  }
});

// Seed 003 (WFLHub language gaps), sections 3.1 Binary File I/O, 3.3 Password Hashing and
// 3.4 JWT Sign / Verify: one test per acceptance criterion, named after it, plus the extra
// guarantees of our issue 8. Each runs real WFL programs through bin/wfl.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { createHash, createHmac } from "node:crypto";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
let dir;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-seed003-")); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function run(lines, opts = {}) {
  const file = path.join(dir, `p${++n}.wfl`);
  fs.writeFileSync(file, Array.isArray(lines) ? lines.join("\n") + "\n" : lines);
  return spawnSync(path.join(root, "bin/wfl"), [file], { cwd: dir, encoding: "utf8", ...opts });
}
const ok = (r) => {
  assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /INTERNAL|at .*\.js:\d+/);
  return r.stdout;
};
const lines = (r) => ok(r).trimEnd().split("\n");
const sha = (b) => createHash("sha256").update(b).digest("hex");
// Bytes that are not UTF-8: any decoding and re-encoding would change them.
const RAW = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x80, 0x00, 0xc3, 0x28, 0x0d, 0x0a, 0xf0, 0x9f]);
const SECRET = "wflhub-test-secret-0123456789abcdef";

// ---- 3.1 Binary File I/O ----------------------------------------------------------------------

test('`open file at "test.bin" for writing binary as f` creates a binary file handle', () => {
  const out = lines(run(['open file at "test.bin" for writing binary as f', "display f", "display typeof of f", "close file f", 'display file exists at "test.bin"']));
  assert.deepEqual(out, ["[File: test.bin]", "File", "yes"]);
  assert.equal(fs.statSync(path.join(dir, "test.bin")).size, 0);
});

test("`write binary data into f` writes raw bytes without encoding transformation", () => {
  fs.writeFileSync(path.join(dir, "raw.bin"), RAW);
  ok(run([
    'open file at "raw.bin" for reading binary as src',
    "store data as read binary from src",
    "close file src",
    'open file at "test.bin" for writing binary as f',
    "write binary data into f",
    "write binary [0, 255, 10] into f",
    "close file f",
  ]));
  assert.deepEqual(fs.readFileSync(path.join(dir, "test.bin")), Buffer.concat([RAW, Buffer.from([0, 255, 10])]));
});

test("`read binary from f` returns a `Value::Binary` containing the exact bytes", () => {
  fs.writeFileSync(path.join(dir, "exact.bin"), RAW);
  const out = lines(run([
    'open file at "exact.bin" for reading binary as f',
    "store data as read binary from f",
    "close file f",
    "display data", "display typeof of data", "display length of data", "display sha256 of data",
    "display data at 0", "display data at 4", "display data at 13",
  ]));
  assert.deepEqual(out, [`[Binary: ${RAW.length} bytes]`, "Binary", String(RAW.length), sha(RAW), "31", "255", "159"]);
});

test("Round-trip: write then read a `.wflpkg` tar.gz file produces identical content (SHA-256 match)", () => {
  // A real tar.gz: a tar archive of two files made with `tar`, gzip-compressed.
  const src = path.join(dir, "pkg");
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, "main.wfl"), 'display "hello"\n');
  fs.writeFileSync(path.join(src, "blob.bin"), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256)));
  const tar = spawnSync("tar", ["-cf", "-", "-C", src, "."], { maxBuffer: 1 << 26 });
  assert.equal(tar.status, 0);
  const pkg = zlib.gzipSync(tar.stdout);
  fs.writeFileSync(path.join(dir, "package.wflpkg"), pkg);
  const out = lines(run([
    'open file at "package.wflpkg" for reading binary as archive_handle',
    "store contents as read binary from archive_handle",
    "close file archive_handle",
    'open file at "copy.wflpkg" for writing binary as output_handle',
    "write binary contents into output_handle",
    "close file output_handle",
    'open file at "copy.wflpkg" for reading binary as again',
    "store back as read binary from again",
    "close file again",
    "display sha256 of contents", "display sha256 of back", "display back is equal to contents",
  ]));
  assert.deepEqual(out, [sha(pkg), sha(pkg), "yes"]);
  assert.equal(sha(fs.readFileSync(path.join(dir, "copy.wflpkg"))), sha(pkg));
  assert.equal(zlib.gunzipSync(fs.readFileSync(path.join(dir, "copy.wflpkg"))).length, tar.stdout.length);
});

test("`read N bytes from f` returns exactly N bytes (or fewer at EOF)", () => {
  fs.writeFileSync(path.join(dir, "ten.bin"), Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  const out = lines(run([
    'open file at "ten.bin" for reading binary as f',
    "store a as read 4 bytes from f", "store b as read 4 bytes from f", "store c as read 4 bytes from f", "store d as read 4 bytes from f",
    "store z as read 0 bytes from f",
    "close file f",
    'display length of a with " " with length of b with " " with length of c with " " with length of d with " " with length of z',
    'display a at 0 with " " with b at 0 with " " with c at 1',
  ]));
  assert.deepEqual(out, ["4 4 2 0 0", "0 4 9"]);
});

test("`size of handle` returns file size in bytes", () => {
  fs.writeFileSync(path.join(dir, "sized.bin"), Buffer.alloc(12_345, 0xab));
  const out = lines(run([
    'open file at "sized.bin" for reading binary as archive_handle',
    "store s as size of archive_handle",
    "display s",
    "store part as read 100 bytes from archive_handle",
    "display size of archive_handle",
    "display length of archive_handle",
    "close file archive_handle",
    'open file at "grow.bin" for writing binary as w',
    "write binary [1, 2, 3] into w",
    "display size of w",
    "close file w",
  ]));
  assert.deepEqual(out, ["12345", "12345", "12345", "3"]);
});

test("Text I/O continues to work unchanged (backward compatibility)", () => {
  const out = lines(run([
    'open file at "notes.txt" for writing as f',
    'write content "héllo wörld 🌍" into f',
    "close file f",
    'open file at "notes.txt" for appending as g',
    'append content "\\nsecond line" into g',
    "close file g",
    'open file at "notes.txt" for reading as r',
    "store text as read content from r",
    "close file r",
    "display text",
    "display length of text",
    'open file at "notes.txt" and read content as again',
    "display again is equal to text",
  ]));
  assert.deepEqual(out, ["héllo wörld 🌍", "second line", "25", "yes"]);
  assert.equal(fs.readFileSync(path.join(dir, "notes.txt"), "utf8"), "héllo wörld 🌍\nsecond line");
});

test("reading a 200 MB file in 1 MB chunks keeps memory flat (bounded heap)", () => {
  const big = path.join(dir, "big.bin");
  fs.writeFileSync(big, "");
  fs.truncateSync(big, 200 * 1024 * 1024); // sparse: no disk space used
  const prog = path.join(dir, "chunks.wfl");
  fs.writeFileSync(prog, [
    'open file at "big.bin" for reading binary as h',
    "store total as 0",
    "store chunk as read 1048576 bytes from h",
    "repeat while length of chunk is greater than 0:",
    "    change total to total + length of chunk",
    "    change chunk to read 1048576 bytes from h",
    "end repeat",
    "close file h",
    "display total",
  ].join("\n") + "\n");
  // Runs the CLI bundle in a Node whose heap is capped at 64 MB and reports its peak RSS.
  const wrapper = path.join(dir, "rss.mjs");
  const cli = path.join(root, "dist/cli.js");
  fs.writeFileSync(wrapper, [
    'process.on("exit", () => process.stderr.write(`MAXRSS_KB ${process.resourceUsage().maxRSS}\\n`));',
    `process.argv = [process.argv[0], ${JSON.stringify(cli)}, ...process.argv.slice(2)];`,
    `await import(${JSON.stringify(cli)});`,
  ].join("\n"));
  const r = spawnSync(process.execPath, ["--max-old-space-size=64", wrapper, prog], { cwd: dir, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), String(200 * 1024 * 1024));
  const peakMb = Number(/MAXRSS_KB (\d+)/.exec(r.stderr)[1]) / 1024;
  // About 115 MB here (a program that reads 1 MB is about 70 MB): far below the 200 MB read.
  assert.ok(peakMb < 160, `peak RSS ${peakMb.toFixed(0)} MB`);
});

// ---- 3.3 Password Hashing --------------------------------------------------------------------

test('`hash password "mysecret"` returns a string starting with `$argon2id$`', () => {
  const [h] = lines(run(['store hashed as hash password "mysecret"', "display hashed"]));
  assert.ok(h.startsWith("$argon2id$"), h);
  assert.match(h, /^\$argon2id\$v=19\$m=65536,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
});

test('`verify password "mysecret" against hashed` returns `true`; `verify password "wrong" against hashed` returns `false`', () => {
  const out = lines(run([
    'store hashed as hash password "mysecret"',
    'display verify password "mysecret" against hashed',
    'display verify password "wrong" against hashed',
    'store attempt as "mysecret"',
    "store stored_hash as hashed",
    "store is_valid as verify password attempt against stored_hash",
    "display is_valid",
  ]));
  assert.deepEqual(out, ["yes", "no", "yes"]);
});

test('`verify password "wrong" against hashed` returns `false`', () => {
  const out = lines(run(['store hashed as hash password "mysecret"', 'display verify password "wrong" against hashed', 'display verify password "mysecreT" against hashed']));
  assert.deepEqual(out, ["no", "no"]);
});

test("Different calls to `hash password` with the same input produce different hashes (random salt)", () => {
  const out = lines(run(['store a as hash password "mysecret"', 'store b as hash password "mysecret"', "display a is equal to b",
    'display verify password "mysecret" against a', 'display verify password "mysecret" against b']));
  assert.deepEqual(out, ["no", "yes", "yes"]);
});

test("Hashing takes at least 100ms (proof of computational cost)", () => {
  // Timed inside the program, so start-up does not count; the first hash loads the addon, so the
  // second is the one measured.
  const out = lines(run([
    'store warm as hash password "warm-up"',
    "store t0 as current time in milliseconds",
    'store hashed as hash password "mysecret"',
    "display current time in milliseconds - t0",
  ]));
  assert.ok(Number(out[0]) >= 100, `hashing took ${out[0]} ms`);
});

test("Empty password is rejected with a clear error", () => {
  const r = run(['store hashed as hash password ""']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[RUNTIME\]: hash_password: the password is empty; an empty password cannot be stored safely/m);
  assert.match(r.stderr, /:1:/);
  const b = run(['store hashed as hash_password of ""']);
  assert.match(b.stderr, /the password is empty/);
});

test("a malformed stored hash verifies as `no` with a warning, never a crash", () => {
  const r = run([
    'display verify password "x" against "$argon2id$v=19$m=19456,t=2,p=1$bad"',
    'display verify password "x" against "not a hash at all"',
    'display verify password "x" against 42',
    'display verify password "x" against nothing',
  ]);
  assert.deepEqual(lines(r), ["no", "no", "no", "no"]);
  assert.match(r.stderr, /warning: verify_password: a stored password hash could not be read/);
});

test("the seed form and the builtin form give the same results", () => {
  const out = lines(run([
    'store a as hash password "pw-one"',
    'store b as hash_password of "pw-one"',
    'display verify_password of "pw-one" and a',
    'display verify password "pw-one" against b',
    'display verify_password of "pw-two" and a',
    'display verify password "pw-two" against b',
  ]));
  assert.deepEqual(out, ["yes", "yes", "no", "no"]);
});

// ---- 3.4 JWT ----------------------------------------------------------------------------------

const b64url = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
function hs(alg, header, payload, secret = SECRET) {
  const h = b64url(header), p = b64url(payload);
  const sig = createHmac(alg, secret).update(`${h}.${p}`).digest("base64url");
  return `${h}.${p}.${sig}`;
}

test('`sign jwt with claims obj and secret "key"` returns a valid JWT string (3 dot-separated Base64 segments)', () => {
  const [token] = lines(run([`store key as "${SECRET}"`, 'store obj as create object with "sub" as "user123" and "scope" as "publish"',
    "store token as sign jwt with claims obj and secret key", "display token"]));
  const parts = token.split(".");
  assert.equal(parts.length, 3);
  for (const p of parts) assert.match(p, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(JSON.parse(Buffer.from(parts[0], "base64url")), { alg: "HS256", typ: "JWT" });
  assert.deepEqual(JSON.parse(Buffer.from(parts[1], "base64url")), { scope: "publish", sub: "user123" });
  // The signature is HMAC-SHA256 of the first two parts under the secret (checked independently).
  assert.equal(parts[2], createHmac("sha256", SECRET).update(`${parts[0]}.${parts[1]}`).digest("base64url"));
});

test('`verify jwt token with secret "key"` returns the original claims object', () => {
  const out = lines(run([`store key as "${SECRET}"`,
    'store obj as create object with "sub" as "user123" and "exp" as timestamp + 600 and "scope" as "publish"',
    "store token as sign jwt with claims obj and secret key",
    "store decoded as verify jwt token with secret key",
    "display decoded is equal to obj", "display typeof of decoded", 'display field "sub" of decoded',
  ]));
  assert.deepEqual(out, ["yes", "Object", "user123"]);
});

test("Verification with wrong secret returns `nothing`", () => {
  const out = lines(run([`store key as "${SECRET}"`, 'store obj as create object with "sub" as "u"',
    "store token as sign jwt with claims obj and secret key",
    'display verify jwt token with secret "a-different-secret-that-is-32-bytes!"',
    `display verify jwt "${hs("sha256", { alg: "HS256", typ: "JWT" }, { sub: "u" }, "another-secret-another-secret-xyz")}" with secret key`,
  ]));
  assert.deepEqual(out, ["nothing", "nothing"]);
});

test("Expired tokens (past `exp` claim) return `nothing`", () => {
  const now = Math.floor(Date.now() / 1000);
  const out = lines(run([`store key as "${SECRET}"`,
    'store old as create object with "sub" as "u" and "exp" as timestamp - 60',
    "display verify jwt (sign jwt with claims old and secret key) with secret key",
    // Within the 5-second clock tolerance a just-expired token still verifies.
    'store edge as create object with "sub" as "u" and "exp" as timestamp - 2',
    'display field "sub" of (verify jwt (sign jwt with claims edge and secret key) with secret key)',
    `display verify jwt "${hs("sha256", { alg: "HS256", typ: "JWT" }, { sub: "u", exp: now - 3600 })}" with secret key`,
  ]));
  assert.deepEqual(out, ["nothing", "u", "nothing"]);
});

test("Claims support standard fields: `sub`, `exp`, `iat`, `scope`, and custom fields", () => {
  const now = Math.floor(Date.now() / 1000);
  const out = lines(run([`store key as "${SECRET}"`,
    'store c as create object with "sub" as "user123" and "exp" as timestamp + 3600 and "iat" as timestamp and "scope" as "publish" and "roles" as ["admin", "dev"] and "org" as (create object with "id" as 7) and "beta" as yes',
    "store d as verify jwt (sign jwt with claims c and secret key) with secret key",
    "display d is equal to c",
    'display field "sub" of d', 'display field "scope" of d', 'display field "roles" of d', 'display field "id" of (field "org" of d)', 'display field "beta" of d',
    'display field "exp" of d - field "iat" of d',
  ]));
  assert.deepEqual(out, ["yes", "user123", "publish", "[admin, dev]", "7", "yes", "3600"]);
  // A token from elsewhere carrying nbf in the future, or iat in the future, does not verify.
  const out2 = lines(run([`store key as "${SECRET}"`,
    `display verify jwt "${hs("sha256", { alg: "HS256", typ: "JWT" }, { sub: "u", nbf: now + 3600 })}" with secret key`,
    `display verify jwt "${hs("sha256", { alg: "HS256", typ: "JWT" }, { sub: "u", iat: now + 3600 })}" with secret key`,
    `display field "sub" of (verify jwt "${hs("sha256", { alg: "HS256", typ: "JWT" }, { sub: "u", nbf: now - 10, iat: now - 10 })}" with secret key)`,
  ]));
  assert.deepEqual(out2, ["nothing", "nothing", "u"]);
});

test("a different algorithm, `alg: none` or a malformed token verify as `nothing`", () => {
  const none = `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "u" })}.`;
  const out = lines(run([`store key as "${SECRET}"`,
    `display verify jwt "${hs("sha512", { alg: "HS512", typ: "JWT" }, { sub: "u" })}" with secret key`,
    `display verify jwt "${hs("sha384", { alg: "HS384", typ: "JWT" }, { sub: "u" })}" with secret key`,
    `display verify jwt "${none}" with secret key`,
    `display verify jwt "${none}x" with secret key`,
    'display verify jwt "not-a-token" with secret key',
    'display verify jwt "a.b.c" with secret key',
    'display verify jwt "" with secret key',
    "display verify jwt nothing with secret key",
    "display verify jwt 42 with secret key",
  ]));
  assert.deepEqual(out, Array(9).fill("nothing"));
});

test("Non-string secrets are rejected with a clear error", () => {
  const r = run(['store obj as create object with "sub" as "u"', "store token as sign jwt with claims obj and secret 12345"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[[A-Z-]+\]: sign_jwt: the secret must be text, got Number/m);
  const v = run(['display verify jwt "a.b.c" with secret [1, 2]']);
  assert.match(v.stderr, /verify_jwt: the secret must be text, got List/);
  const bin = run(['open file at "k.bin" for writing binary as f', "write binary [1, 2, 3] into f", "close file f",
    'open file at "k.bin" for reading binary as g', "store k as read binary from g", 'display verify jwt "a.b.c" with secret k']);
  assert.match(bin.stderr, /the secret must be text, got Binary/);
});

test("secrets shorter than 32 bytes are refused with a clear error", () => {
  const r = run(['store obj as create object with "sub" as "u"', 'store token as sign jwt with claims obj and secret "key"']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[RUNTIME\]: sign_jwt: the secret must be at least 32 bytes long, got 3/m);
  const v = run(['display verify jwt "a.b.c" with secret "0123456789abcdef0123456789abcde"']);
  assert.match(v.stderr, /at least 32 bytes long, got 31/);
  // 32 bytes is enough (here 11 characters of 3 bytes each, UTF-8).
  ok(run(['store obj as create object with "sub" as "u"', 'display length of (sign jwt with claims obj and secret "€€€€€€€€€€€") > 0']));
});

test("the seed's examples from sections 3.1, 3.3, 3.4 and 3.5 (parse_multipart) run unchanged (TestPrograms/seed003)", () => {
  const r = spawnSync(process.execPath, [path.join(root, "scripts/conformance.mjs"), "--ours", "seed003/"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ours: 5 passed, 0 failed/);
});

test("RS256 and ES256 with PEM key files (extension): sign with the private key, verify with the public key", async () => {
  const { generateKeyPairSync } = await import("node:crypto");
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const small = generateKeyPairSync("rsa", { modulusLength: 1024 });
  fs.writeFileSync(path.join(dir, "rsa.pem"), rsa.privateKey.export({ type: "pkcs1", format: "pem" }));
  fs.writeFileSync(path.join(dir, "rsa.pub.pem"), rsa.publicKey.export({ type: "spki", format: "pem" }));
  fs.writeFileSync(path.join(dir, "ec.pem"), ec.privateKey.export({ type: "sec1", format: "pem" }));
  fs.writeFileSync(path.join(dir, "ec.pub.pem"), ec.publicKey.export({ type: "spki", format: "pem" }));
  fs.writeFileSync(path.join(dir, "small.pem"), small.privateKey.export({ type: "pkcs8", format: "pem" }));
  const out = lines(run([
    `store hs as "${SECRET}"`,
    'store c as create object with "sub" as "user123" and "exp" as timestamp + 60',
    'store rsa_token as sign jwt with claims c and secret (read content from "rsa.pem")',
    'store ec_token as sign jwt with claims c and secret (read content from "ec.pem")',
    'display field "sub" of (verify jwt rsa_token with secret (read content from "rsa.pub.pem"))',
    'display field "sub" of (verify jwt ec_token with secret (read content from "ec.pub.pem"))',
    // A token never verifies under another key type or algorithm (no algorithm confusion).
    'display verify jwt rsa_token with secret (read content from "ec.pub.pem")',
    'display verify jwt ec_token with secret (read content from "rsa.pub.pem")',
    "display verify jwt rsa_token with secret hs",
    'display verify jwt (sign jwt with claims c and secret hs) with secret (read content from "rsa.pub.pem")',
    "try:",
    '    store x as sign jwt with claims c and secret (read content from "rsa.pub.pem")',
    "catch:",
    "    display error_message",
    "end try",
    "try:",
    '    store y as sign jwt with claims c and secret (read content from "small.pem")',
    "catch:",
    "    display error_message",
    "end try",
  ]));
  assert.deepEqual(out, ["user123", "user123", "nothing", "nothing", "nothing", "nothing",
    "sign_jwt: the key is not a PEM private key this runtime can read (RSA or EC P-256)",
    "sign_jwt: an RSA key must be at least 2048 bits long"]);
  const rsaHeader = JSON.parse(Buffer.from(lines(run(['store c as create object with "sub" as "u"', 'display sign jwt with claims c and secret (read content from "rsa.pem")']))[0].split(".")[0], "base64url"));
  assert.deepEqual(rsaHeader, { alg: "RS256", typ: "JWT" });
});

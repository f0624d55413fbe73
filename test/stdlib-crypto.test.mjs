import { test } from "node:test";
import assert from "node:assert/strict";
import { standardLibrary } from "../dist/index.js";

const ctx = { scriptDir: process.cwd(), config: new Map(), writeLine() {} };
const call = (name, ...args) => {
  const f = standardLibrary().functions.get(name);
  assert.ok(f, `${name} is registered`);
  return f.impl(args, ctx);
};

test("sha256 (FIPS 180-4 vectors)", () => {
  assert.equal(call("sha256", ""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(call("sha256", "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(call("sha256", "hello world"), "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  assert.equal(call("sha256", new Uint8Array([0x61, 0x62, 0x63])), call("sha256", "abc"));
  // UTF-8 text (same as `printf é | sha256sum`)
  assert.equal(call("sha256", "é"), "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
  assert.throws(() => call("sha256", 5), /expects text/);
});

test("hmac_sha256 of message and key (RFC 2104 / 4231 vectors)", () => {
  assert.equal(
    call("hmac_sha256", "The quick brown fox jumps over the lazy dog", "key"),
    "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
  );
  assert.equal(call("hmac_sha256", "", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  // RFC 4231 test case 2
  assert.equal(
    call("hmac_sha256", "what do ya want for nothing?", "Jefe"),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
});

test("pbkdf2_hmac_sha256 vectors and limits", () => {
  assert.equal(call("pbkdf2_hmac_sha256", "password", "salt", 1, 32), "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  assert.equal(call("pbkdf2_hmac_sha256", "password", "salt", 4096, 32), "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  assert.equal(call("pbkdf2_hmac_sha256", "password", "salt", 1, 16).length, 32);
  assert.notEqual(call("pbkdf2_hmac_sha256", "password", "pepper", 1, 32), call("pbkdf2_hmac_sha256", "password", "salt", 1, 32));
  assert.throws(() => call("pbkdf2_hmac_sha256", "p", "s", 0, 32), /at least 1/);
  assert.throws(() => call("pbkdf2_hmac_sha256", "p", "s", 1, 0), /1 to 1024/);
  assert.throws(() => call("pbkdf2_hmac_sha256", "p", "s", 1, 1025), /1 to 1024/);
});

test("constant_time_equals", () => {
  assert.equal(call("constant_time_equals", "s3cr3t-token", "s3cr3t-token"), true);
  assert.equal(call("constant_time_equals", "s3cr3t-token", "s3cr3t-toKen"), false);
  assert.equal(call("constant_time_equals", "short", "longer"), false);
  assert.equal(call("constant_time_equals", "", ""), true);
});

test("secure_random_bytes and generate_csrf_token", () => {
  const a = call("secure_random_bytes", 16);
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.notEqual(a, call("secure_random_bytes", 16));
  assert.equal(call("secure_random_bytes", 1).length, 2);
  assert.throws(() => call("secure_random_bytes", 0), /1 to 4096/);
  assert.throws(() => call("secure_random_bytes", 4097), /1 to 4096/);
  const t = call("generate_csrf_token");
  assert.match(t, /^[0-9a-f]{64}$/);
  assert.notEqual(t, call("generate_csrf_token"));
});

test("password hashing: scrypt (hash_password default)", () => {
  const stored = call("hash_password", "correct horse battery staple");
  assert.match(stored, /^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  assert.equal(call("verify_password", "correct horse battery staple", stored), true);
  assert.equal(call("verify_password", "wrong password", stored), false);
  assert.notEqual(call("scrypt_hash", "correct horse battery staple"), stored); // fresh salt
  const s2 = call("scrypt_hash", "scrypt-secret");
  assert.equal(call("scrypt_verify", "scrypt-secret", s2), true);
  assert.equal(call("scrypt_verify", "other", s2), false);
});

test("password hashing: PBKDF2 and auto-detection", () => {
  const stored = call("pbkdf2_hash", "pbkdf2-secret");
  assert.match(stored, /^\$pbkdf2-sha256\$i=600000,l=32\$/);
  assert.equal(call("pbkdf2_verify", "pbkdf2-secret", stored), true);
  assert.equal(call("pbkdf2_verify", "nope", stored), false);
  assert.equal(call("verify_password", "pbkdf2-secret", stored), true);
  assert.equal(call("scrypt_verify", "pbkdf2-secret", stored), false); // wrong algorithm
});

test("verification answers no for malformed or unsupported hashes", () => {
  for (const bad of ["", "garbage", "$scrypt$", "$scrypt$ln=17$abc$def", "$scrypt$ln=30,r=8,p=1$c2FsdA$aGFzaA",
    "$pbkdf2-sha256$i=0,l=32$c2FsdA$aGFzaA", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "$2b$12$abcdefghijklmnopqrstuu"])
    assert.equal(call("verify_password", "pw", bad), false, bad);
  assert.equal(call("verify_password", "pw", null), false);
  assert.throws(() => call("hash_password", "x".repeat(4097)), /longer than 4096/);
});

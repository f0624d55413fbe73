import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { scryptSync } from "node:crypto";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import argon2 from "argon2";
import { standardLibrary, WflRuntimeError } from "../dist/internal.js";
import { ctx, call } from "./support/natives.mjs";


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

test("pbkdf2_hmac_sha256 vectors and limits", async () => {
  assert.equal(await call("pbkdf2_hmac_sha256", "password", "salt", 1, 32), "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  assert.equal(await call("pbkdf2_hmac_sha256", "password", "salt", 4096, 32), "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  assert.equal((await call("pbkdf2_hmac_sha256", "password", "salt", 1, 16)).length, 32);
  assert.notEqual(await call("pbkdf2_hmac_sha256", "password", "pepper", 1, 32), await call("pbkdf2_hmac_sha256", "password", "salt", 1, 32));
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

// The XChaCha20 internals are not part of the public API: bundle them from source for the vectors.
const sealImpl = await (async () => {
  const out = await build({
    entryPoints: [new URL("../src/stdlib/crypto/seal.ts", import.meta.url).pathname],
    bundle: true, write: false, format: "esm", platform: "node", target: "node20", logLevel: "silent",
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`);
})();
const hex = (s) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const range = (start, n) => Uint8Array.from({ length: n }, (_, i) => start + i);
const b64 = (buf) => Buffer.from(buf).toString("base64").replace(/=+$/, "");

// A WFL error (what `try … when error` catches), never a host exception, with the message matched.
const wflError = (re) => (e) => e instanceof WflRuntimeError && re.test(e.message);

test("HChaCha20: draft-irtf-cfrg-xchacha-03 §2.2.1 vector", () => {
  const subkey = sealImpl.hchacha20(range(0, 32), hex("000000090000004a0000000031415927"));
  assert.equal(Buffer.from(subkey).toString("hex"), "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
});

const A31 = {
  plaintext: Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."),
  aad: hex("50515253c0c1c2c3c4c5c6c7"),
  key: range(0x80, 32),
  nonce: range(0x40, 24),
  ciphertext: hex(`bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
    731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e
    3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e`),
  tag: hex("c0875924c1c7987947deafd8780acf49"),
};

test("XChaCha20-Poly1305: draft-irtf-cfrg-xchacha-03 §A.3.1 AEAD vector", () => {
  const sealed = sealImpl.xchachaEncrypt(A31.key, A31.nonce, A31.aad, A31.plaintext);
  assert.equal(sealed.toString("hex"), Buffer.concat([A31.ciphertext, A31.tag]).toString("hex"));
  assert.deepEqual(sealImpl.xchachaDecrypt(A31.key, A31.nonce, A31.aad, sealed), A31.plaintext);
  // Any change to the ciphertext, tag, AAD, nonce or key fails authentication.
  const flipped = Buffer.from(sealed); flipped[3] ^= 1;
  assert.equal(sealImpl.xchachaDecrypt(A31.key, A31.nonce, A31.aad, flipped), undefined);
  const badTag = Buffer.from(sealed); badTag[badTag.length - 1] ^= 0x80;
  assert.equal(sealImpl.xchachaDecrypt(A31.key, A31.nonce, A31.aad, badTag), undefined);
  assert.equal(sealImpl.xchachaDecrypt(A31.key, A31.nonce, hex("50515253c0c1c2c3c4c5c6c8"), sealed), undefined);
  const otherNonce = Uint8Array.from(A31.nonce); otherNonce[23] ^= 1;
  assert.equal(sealImpl.xchachaDecrypt(A31.key, otherNonce, A31.aad, sealed), undefined);
  assert.equal(sealImpl.xchachaDecrypt(range(0x81, 32), A31.nonce, A31.aad, sealed), undefined);
  assert.equal(sealImpl.xchachaDecrypt(A31.key, A31.nonce, A31.aad, sealed.subarray(0, 15)), undefined);
});

test("seal / unseal: format is wflseal1: + hex(nonce || ciphertext || tag)", () => {
  // A value sealed by hand with the vector's key and nonce (and a text context) opens through unseal.
  const context = "project:acme/api_key";
  const body = sealImpl.xchachaEncrypt(A31.key, A31.nonce, Buffer.from(context), A31.plaintext);
  const handMade = "wflseal1:" + Buffer.from(A31.nonce).toString("hex") + body.toString("hex");
  const key = Buffer.from(A31.key).toString("hex");
  assert.equal(call("unseal", handMade, key, context), A31.plaintext.toString());
  assert.equal(call("unseal", handMade, key.toUpperCase(), context), A31.plaintext.toString());
  assert.throws(() => call("unseal", handMade, key), wflError(/could not be unsealed/));

  const sealed = call("seal", "sk-live-provider-token", key);
  assert.match(sealed, /^wflseal1:[0-9a-f]+$/);
  // 24-byte nonce, 22 bytes of ciphertext, 16-byte tag.
  assert.equal(sealed.length, "wflseal1:".length + 2 * (24 + 22 + 16));
  assert.equal(call("unseal", sealed, key), "sk-live-provider-token");
});

test("seal / unseal: round trips, fresh nonces, context binding", () => {
  const key = call("secure_random_bytes", 32);
  for (const plain of ["", "x", "cafe 🌍", "ünïcödé\nlines\ttabs", "long ".repeat(10_000)]) {
    assert.equal(call("unseal", call("seal", plain, key), key), plain);
    assert.equal(call("unseal", call("seal", plain, key, "ctx"), key, "ctx"), plain);
  }
  const a = call("seal", "same message", key);
  const b = call("seal", "same message", key);
  assert.notEqual(a, b);
  assert.notEqual(a.slice(9, 57), b.slice(9, 57)); // different nonces
  assert.ok(!call("seal", "correct-horse-battery-staple", key).includes("correct-horse"));

  const bound = call("seal", "provider token", key, "project:acme/api_key");
  assert.equal(call("unseal", bound, key, "project:acme/api_key"), "provider token");
  assert.throws(() => call("unseal", bound, key, "project:evil/api_key"), wflError(/could not be unsealed/));
  assert.throws(() => call("unseal", bound, key), wflError(/could not be unsealed/));
  // A value sealed without a context does not open with one.
  assert.throws(() => call("unseal", call("seal", "p", key), key, "ctx"), wflError(/could not be unsealed/));
});

test("unseal fails closed, with one message for every way the value is wrong", () => {
  const key = call("secure_random_bytes", 32);
  const other = call("secure_random_bytes", 32);
  const sealed = call("seal", "top secret", key);
  const messages = new Set();
  const refused = (...args) => {
    assert.throws(() => call("unseal", ...args), (e) => {
      assert.ok(e instanceof WflRuntimeError, `a WFL error, got ${e}`);
      messages.add(e.message);
      return true;
    });
  };
  refused(sealed, other);
  refused("just some text a user typed", key);
  refused("wflseal1:", key);
  refused(sealed.slice(0, -2), key); // truncated
  refused(sealed.slice(0, 9 + 48 + 30), key); // shorter than nonce + tag
  refused(sealed + "00", key); // extended
  refused(sealed.slice(0, -1) + (sealed.endsWith("0") ? "1" : "0"), key); // tag modified
  refused(sealed.slice(0, 70) + (sealed[70] === "0" ? "1" : "0") + sealed.slice(71), key); // body modified
  refused(sealed.replace("wflseal1:", "wflseal2:"), key);
  refused(sealed + "z", key);
  assert.deepEqual([...messages], ["unseal: the value could not be unsealed (wrong key, wrong context, or a damaged or modified value)"]);
});

test("seal / unseal: key and context checks", () => {
  const key = call("secure_random_bytes", 32);
  for (const bad of ["tooshort", "", key.slice(2), key + "00", "g".repeat(64), call("secure_random_bytes", 16)]) {
    assert.throws(() => call("seal", "secret", bad), wflError(/key must be 64 hexadecimal characters/), bad);
    assert.throws(() => call("unseal", call("seal", "s", key), bad), wflError(/key must be 64 hexadecimal characters/), bad);
  }
  assert.throws(() => call("seal", "secret", key, ""), wflError(/context must not be empty/));
  assert.throws(() => call("unseal", call("seal", "s", key), key, ""), wflError(/context must not be empty/));
  assert.throws(() => call("seal", 42, key), wflError(/seal expects text/));
  assert.throws(() => call("seal", "s", 42), wflError(/seal expects text/));
  assert.throws(() => call("unseal", null, key), wflError(/unseal expects text/));
  const f = standardLibrary().functions.get("seal");
  assert.deepEqual([f.minArity, f.maxArity, f.isAsync], [2, 3, false]);
});

test("password hashing: Argon2id (hash_password default)", async () => {
  const stored = await call("hash_password", "correct horse battery staple");
  assert.match(stored, /^\$argon2id\$v=19\$m=65536,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.equal(await call("verify_password", "correct horse battery staple", stored), true);
  assert.equal(await call("verify_password", "wrong password", stored), false);
  assert.notEqual(await call("hash_password", "correct horse battery staple"), stored); // fresh salt
  const a = await call("argon2_hash", "argon-secret");
  assert.match(a, /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
  assert.equal(await call("argon2_verify", "argon-secret", a), true);
  assert.equal(await call("argon2_verify", "argon-secreT", a), false);
  assert.equal(await call("argon2_verify", "", await call("argon2_hash", "")), true);
  assert.equal(await call("argon2_verify", "cafe 🌍", await call("argon2_hash", "cafe 🌍")), true);
  for (const name of ["hash_password", "verify_password", "argon2_hash", "argon2_verify"])
    assert.equal(standardLibrary().functions.get(name).isAsync, true, name);
});

test("password hashing: Argon2 reference vectors (phc-winner-argon2)", async () => {
  const vectors = [
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
    "$argon2i$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$sDV8zPvvkfOGCw26RHsjSMvv7K2vmQq/6cxAcmxSEnE",
  ];
  for (const v of vectors) {
    assert.equal(await call("argon2_verify", "password", v), true, v);
    assert.equal(await call("verify_password", "password", v), true, v);
    assert.equal(await call("verify_password", "passwore", v), false, v);
  }
  // One bit of the stored hash changed.
  assert.equal(await call("argon2_verify", "password", vectors[0].replace("CTFh", "CTFi")), false);
  // The same vector with its parameters in another order is still read.
  assert.equal(await call("argon2_verify", "password", vectors[0].replace("m=65536,t=2,p=1", "p=1,t=2,m=65536")), true);
});

test("password hashing: bcrypt", async () => {
  const stored = await call("bcrypt_hash", "bcrypt-secret");
  assert.match(stored, /^\$2b\$12\$[./A-Za-z0-9]{53}$/);
  assert.equal(await call("bcrypt_verify", "bcrypt-secret", stored), true);
  assert.equal(await call("bcrypt_verify", "bcrypt-secreT", stored), false);
  assert.equal(await call("verify_password", "bcrypt-secret", stored), true);
  assert.equal(await call("verify_password", "nope", stored), false);
  assert.equal(await call("argon2_verify", "bcrypt-secret", stored), false); // wrong algorithm
  // OpenBSD / jBCrypt known answer, in each accepted prefix form.
  const v = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
  for (const form of [v, v.replace("$2a$", "$2b$"), v.replace("$2a$", "$2y$")]) {
    assert.equal(await call("bcrypt_verify", "U*U", form), true, form);
    assert.equal(await call("bcrypt_verify", "U*V", form), false, form);
  }
  // Only the first 72 bytes count (a property of bcrypt).
  const long = "a".repeat(72);
  assert.equal(await call("bcrypt_verify", long + "different tail", await call("bcrypt_hash", long + "tail")), true);
  assert.throws(() => call("bcrypt_hash", "x".repeat(4097)), wflError(/longer than 4096/));
});

test("password hashing: scrypt", async () => {
  const s2 = await call("scrypt_hash", "scrypt-secret");
  assert.match(s2, /^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  assert.equal(await call("scrypt_verify", "scrypt-secret", s2), true);
  assert.equal(await call("scrypt_verify", "other", s2), false);
  assert.equal(await call("verify_password", "scrypt-secret", s2), true);
  // RFC 7914 §12: scrypt("password", "NaCl", N=1024, r=8, p=16, 64 bytes).
  const rfc = `$scrypt$ln=10,r=8,p=16$${b64(Buffer.from("NaCl"))}$${b64(hex(`fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b37316
    22eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640`))}`;
  assert.equal(await call("scrypt_verify", "password", rfc), true);
  assert.equal(await call("scrypt_verify", "passwore", rfc), false);
});
test("password hashing: PBKDF2 and auto-detection", async () => {
  const stored = await call("pbkdf2_hash", "pbkdf2-secret");
  assert.match(stored, /^\$pbkdf2-sha256\$i=600000,l=32\$/);
  assert.equal(await call("pbkdf2_verify", "pbkdf2-secret", stored), true);
  assert.equal(await call("pbkdf2_verify", "nope", stored), false);
  assert.equal(await call("verify_password", "pbkdf2-secret", stored), true);
  assert.equal(await call("scrypt_verify", "pbkdf2-secret", stored), false); // wrong algorithm
  // RFC 7914 §11 / PBKDF2-HMAC-SHA256 known answer ("password", "salt", 1 iteration).
  const known = `$pbkdf2-sha256$i=1,l=32$${b64(Buffer.from("salt"))}$${b64(hex("120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"))}`;
  assert.equal(await call("pbkdf2_verify", "password", known), true);
  assert.equal(await call("verify_password", "password", known), true);
  assert.equal(await call("pbkdf2_verify", "Password", known), false);
});

test("verification answers no for malformed, unsupported or over-costly hashes", async () => {
  for (const bad of ["", "garbage", "$scrypt$", "$scrypt$ln=17$abc$def", "$scrypt$ln=30,r=8,p=1$c2FsdA$aGFzaA",
    "$pbkdf2-sha256$i=0,l=32$c2FsdA$aGFzaA", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "$2b$12$abcdefghijklmnopqrstuu",
    "$argon2id$", "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ", "$argon2id$v=18$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2g",
    "$argon2id$v=19$m=19456,t=2$c29tZXNhbHQ$aGFzaGhhc2g", "$argon2id$v=19$m=19456,t=2,p=1,x=1$c29tZXNhbHQ$aGFzaGhhc2g",
    "$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2g", "$argon2id$v=19$m=19456,t=2,p=1$c29t*XNhbHQ$aGFzaGhhc2g",
    "$argon2x$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2g",
    // Costs far above the defaults are refused before any work is done.
    "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2g", "$argon2id$v=19$m=1048576,t=100,p=1$c29tZXNhbHQ$aGFzaGhhc2g",
    "$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
    "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe"]) {
    assert.equal(await call("verify_password", "pw", bad), false, bad);
  }
  const started = Date.now();
  assert.equal(await call("argon2_verify", "pw", "$argon2id$v=19$m=1048576,t=1000,p=1$c29tZXNhbHQ$aGFzaGhhc2g"), false);
  assert.ok(Date.now() - started < 1000);
  assert.equal(await call("verify_password", "pw", null), false);
  assert.equal(await call("argon2_verify", "pw", 42), false);
  assert.equal(await call("bcrypt_verify", "pw", "garbage"), false);
  await assert.rejects(async () => call("hash_password", "x".repeat(4097)), wflError(/longer than 4096/));
  await assert.rejects(async () => call("argon2_hash", 42), wflError(/argon2_hash expects text/));
  assert.throws(() => call("verify_password", 42, "$argon2id$"), wflError(/verify_password expects text/));
});

// A stored hash at the highest costs the runtime used to accept cost seconds and up to a gigabyte
// per check; above the documented limits it is refused before any work.
test("crafted stored hash over the cost limits verifies as no, fast", async () => {
  const salt = b64(Buffer.from("saltsaltsaltsalt"));
  const hash = b64(Buffer.alloc(32, 7));
  const crafted = [
    `$pbkdf2-sha256$i=10000000,l=32$${salt}$${hash}`,
    `$pbkdf2-sha256$i=2000001,l=32$${salt}$${hash}`,
    `$scrypt$ln=20,r=8,p=1$${salt}$${hash}`,
    `$scrypt$ln=18,r=1,p=1$${salt}$${hash}`, // N over 2^17
    `$scrypt$ln=17,r=16,p=1$${salt}$${hash}`, // 256 MiB
    `$scrypt$ln=14,r=8,p=17$${salt}$${hash}`, // p over 16
    `$argon2id$v=19$m=1048576,t=4,p=1$${salt}$${hash}`,
    `$argon2id$v=19$m=262145,t=1,p=1$${salt}$${hash}`,
    `$argon2id$v=19$m=19456,t=11,p=1$${salt}$${hash}`,
    `$argon2id$v=19$m=19456,t=2,p=9$${salt}$${hash}`,
    `$argon2id$v=19$m=262144,t=5,p=1$${salt}$${hash}`, // m×t over 1 GiB
    "$2b$15$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
  ];
  for (const stored of crafted) {
    const started = performance.now();
    assert.equal(await call("verify_password", "pw", stored), false, stored);
    const ms = performance.now() - started;
    assert.ok(ms < 1000, `${stored} took ${ms} ms`);
  }
  assert.equal(await call("pbkdf2_verify", "pw", crafted[0]), false);
  assert.equal(await call("scrypt_verify", "pw", crafted[2]), false);
  assert.equal(await call("argon2_verify", "pw", crafted[6]), false);
  assert.equal(await call("bcrypt_verify", "pw", crafted.at(-1)), false);
});

test("hashes within the limits still verify: OWASP's scrypt N=2^13,r=8,p=10 and RFC 9106's Argon2id m=64 MiB,t=3,p=4", async () => {
  const salt = Buffer.from("saltsaltsaltsalt");
  const key = scryptSync("pw", salt, 32, { N: 2 ** 13, r: 8, p: 10, maxmem: 64 * 1024 * 1024 });
  const scrypt = `$scrypt$ln=13,r=8,p=10$${b64(salt)}$${b64(key)}`;
  assert.equal(await call("verify_password", "pw", scrypt), true);
  assert.equal(await call("verify_password", "pW", scrypt), false);
  const raw = await argon2.hash("pw", { raw: true, type: argon2.argon2id, salt, memoryCost: 65536, timeCost: 3, parallelism: 4, hashLength: 32 });
  const a2 = `$argon2id$v=19$m=65536,t=3,p=4$${b64(salt)}$${b64(raw)}`;
  assert.equal(await call("verify_password", "pw", a2), true);
  assert.equal(await call("verify_password", "pW", a2), false);
});

/** The longest gap between ticks of a 5 ms interval while `work` runs, and how long it ran. */
async function gapsWhile(work) {
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return { maxGap, ms: performance.now() - started };
}

test("password hashing does not block the event loop: a timer keeps firing while each hash is computed", async () => {
  const pbkdf2 = await call("pbkdf2_hash", "pw");
  const scrypt = await call("scrypt_hash", "pw");
  const bcrypt = await call("bcrypt_hash", "pw");
  const work = {
    pbkdf2_verify: () => call("pbkdf2_verify", "pw", pbkdf2),
    scrypt_verify: () => call("scrypt_verify", "pw", scrypt),
    bcrypt_verify: () => call("bcrypt_verify", "pw", bcrypt),
    bcrypt_hash: () => call("bcrypt_hash", "pw"),
    pbkdf2_hmac_sha256: () => call("pbkdf2_hmac_sha256", "pw", "salt", 600000, 32),
    argon2_verify: () => call("argon2_verify", "password", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"),
  };
  for (const [name, fn] of Object.entries(work)) {
    const { maxGap, ms } = await gapsWhile(fn);
    // Run on the main thread, the longest gap would be the whole hash (0.1–0.7 s).
    assert.ok(maxGap < Math.max(100, ms / 3), `${name}: the timer stalled for ${maxGap.toFixed(0)} ms of ${ms.toFixed(0)} ms`);
  }
  for (const name of ["bcrypt_hash", "bcrypt_verify", "scrypt_hash", "scrypt_verify", "pbkdf2_hash", "pbkdf2_verify", "pbkdf2_hmac_sha256"])
    assert.equal(standardLibrary().functions.get(name).isAsync, true, name);
});

test("an over-cap stored hash answers no in a program, with one warning per algorithm on stderr", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-crypto-test-"));
  try {
    const salt = b64(Buffer.from("saltsaltsaltsalt"));
    const hash = b64(Buffer.alloc(32, 7));
    const file = path.join(dir, "limits.wfl");
    fs.writeFileSync(file, [
      `display verify_password of "pw" and "$pbkdf2-sha256$i=10000000,l=32$${salt}$${hash}"`,
      `display verify_password of "pw" and "$pbkdf2-sha256$i=9000000,l=32$${salt}$${hash}"`,
      `display verify_password of "pw" and "$scrypt$ln=20,r=8,p=1$${salt}$${hash}"`,
      'display "done"',
    ].join("\n") + "\n");
    const started = performance.now();
    const r = spawnSync(fileURLToPath(new URL("../bin/wfl", import.meta.url)), [file], { encoding: "utf8" });
    assert.ok(performance.now() - started < 5000);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "no\nno\nno\ndone\n");
    assert.equal(r.stderr,
      "warning: verify_password: a stored PBKDF2 hash asks for more work than this runtime allows (10000000 iterations; the limit is 2000000), so it does not verify\n" +
      "warning: verify_password: a stored scrypt hash asks for more work than this runtime allows (ln=20, r=8, p=1; the limits are N ≤ 2^17, 128·N·r ≤ 128 MiB, p ≤ 16 and N·r·p ≤ 2^21), so it does not verify\n");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

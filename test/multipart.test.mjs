// Multipart forms (seed 3.5): real multipart bodies posted to a running WFL server.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync, copyFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { startServer, killServers } from "./support/server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const SERVER = join(root, "test/fixtures/multipart/server.wfl");

// A failing test leaves no server behind (it would keep the test run waiting).
after(killServers);

/** Start the fixture server (in `dir`, with its `.wflcfg`, when given). */
async function startFixture(config) {
  let program = SERVER;
  if (config) {
    const dir = mkdtempSync(join(tmpdir(), "wfl-multipart-"));
    program = join(dir, "server.wfl");
    copyFileSync(SERVER, program);
    writeFileSync(join(dir, ".wflcfg"), config);
  }
  const { port, io, child, exited } = await startServer(program);
  const stop = async () => {
    await (await fetch(`http://127.0.0.1:${port}/stop`)).text();
    return await exited;
  };
  return { port, io, child, stop };
}

/** Post a FormData; the status and the text of the answer. */
async function post(port, path, form) {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", body: form });
  return { status: r.status, text: await r.text() };
}

/** Send raw bytes on a socket; resolves with everything the server answered before closing. */
function raw(port, chunks) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    let got = "";
    s.on("data", (d) => { got += d; if (/\r\n\r\n/.test(got) && /Content-Length: (\d+)/i.test(got)) {
      const len = Number(/Content-Length: (\d+)/i.exec(got)[1]);
      const body = got.slice(got.indexOf("\r\n\r\n") + 4);
      if (Buffer.byteLength(body) >= len) s.end();
    } });
    s.on("error", () => {});
    s.on("close", () => resolve(got));
    (async () => {
      for (const c of chunks) {
        if (s.destroyed) break;
        await new Promise((res) => s.write(c, () => res()));
      }
    })().catch(() => {});
  });
}

function sampleForm() {
  const form = new FormData();
  form.append("name", "wfl-http");
  form.append("version", "1.2.3");
  form.append("archive", new Blob([new Uint8Array([104, 105, 0, 255, 1])], { type: "application/gzip" }), "wfl-http-1.2.3.tgz");
  return form;
}

test("`parse multipart from req` extracts all form fields", async () => {
  const srv = await startFixture();
  const r = await post(srv.port, "/", sampleForm());
  assert.equal(r.status, 200, srv.io.err);
  const [name, version, fname, ct, len] = r.text.split("|");
  assert.deepEqual([name, version, fname, ct, len], ["wfl-http", "1.2.3", "wfl-http-1.2.3.tgz", "application/gzip", "[Binary: 5 bytes]"]);
  assert.equal(await srv.stop(), 0, srv.io.err);
});

test("Text fields accessible via `field \"name\" of form`", async () => {
  const srv = await startFixture();
  const form = new FormData();
  form.append("name", "héllo wörld ✓");
  form.append("version", "");
  const r = await post(srv.port, "/", form);
  assert.equal(r.status, 200, srv.io.err);
  assert.match(r.text, /^héllo wörld ✓\|\|/);
  assert.equal(await srv.stop(), 0, srv.io.err);
});

test("File fields accessible via `file \"archive\" of form` as `Value::Binary`", async () => {
  const srv = await startFixture();
  const r = await post(srv.port, "/", sampleForm());
  // `field "archive" of form` displays the same value: a Binary of the file's bytes.
  assert.match(r.text, /\|\[Binary: 5 bytes\]$/);
  const bytes = randomBytes(70000);
  const form = new FormData();
  form.append("archive", new Blob([bytes]), "data.bin");
  const u = await post(srv.port, "/upload", form);
  assert.equal(u.text, `70000|${createHash("sha256").update(bytes).digest("hex")}|data.bin|application/octet-stream`);
  assert.equal(await srv.stop(), 0, srv.io.err);
});

test("`filename \"archive\" of form` returns the original filename", async () => {
  const srv = await startFixture();
  const form = new FormData();
  form.append("archive", new Blob(["x"], { type: "text/plain" }), "my archive (1).tar.gz");
  assert.equal((await post(srv.port, "/upload", form)).text.split("|")[2], "my archive (1).tar.gz");
  // File names are never used as paths: a name with directories is only its last part.
  const boundary = "b0undary";
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="archive"; filename="../../etc/passwd"\r\n` +
    `Content-Type: text/plain\r\n\r\nroot\r\n--${boundary}--\r\n`;
  const r = await fetch(`http://127.0.0.1:${srv.port}/upload`, { method: "POST", body, headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` } });
  assert.equal((await r.text()).split("|")[2], "passwd");
  assert.equal(await srv.stop(), 0, srv.io.err);
});

test("Missing fields return `nothing` (not an error)", async () => {
  const srv = await startFixture();
  const form = new FormData();
  form.append("name", "only-a-name");
  const r = await post(srv.port, "/", form);
  assert.equal(r.status, 200, srv.io.err);
  // version, filename, content type, file length (of nothing), field "nope", file "name" (a text
  // field is not a file), has field "archive", has field "zzz", field "archive".
  const parts = r.text.split("|");
  assert.equal(parts[0], "only-a-name");
  assert.equal(parts[1], "nothing");
  assert.equal(parts[2], "nothing");
  assert.equal(parts[3], "nothing");
  assert.equal(parts[5], "nothing");
  assert.equal(parts[6], "nothing");
  assert.equal(parts[7], "no");
  assert.equal(parts[8], "no");
  assert.equal(parts[9], "nothing");
  assert.equal(await srv.stop(), 0, srv.io.err);
});

test("Malformed multipart data produces a clear runtime error", async () => {
  const srv = await startFixture();
  const truncated = `--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue without an end`;
  // Caught by the program's `try`.
  const caught = await fetch(`http://127.0.0.1:${srv.port}/caught`, { method: "POST", body: truncated, headers: { "Content-Type": "multipart/form-data; boundary=XX" } });
  assert.equal(caught.status, 400);
  assert.equal(await caught.text(), "caught: The multipart form could not be read: unexpected end of form");
  // Not caught: the request is answered 500 and the server goes on.
  const uncaught = await fetch(`http://127.0.0.1:${srv.port}/`, { method: "POST", body: truncated, headers: { "Content-Type": "multipart/form-data; boundary=XX" } });
  assert.equal(uncaught.status, 500);
  await uncaught.text();
  const noBoundary = await fetch(`http://127.0.0.1:${srv.port}/`, { method: "POST", body: "abc", headers: { "Content-Type": "multipart/form-data" } });
  assert.equal(noBoundary.status, 500);
  await noBoundary.text();
  const notAForm = await fetch(`http://127.0.0.1:${srv.port}/`, { method: "POST", body: "a=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  assert.equal(notAForm.status, 500);
  await notAForm.text();
  // A raw, truncated body whose headers promise more than the connection carries before it ends.
  const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=YY\r\nContent-Length: 1000\r\n\r\n`;
  const partial = raw(srv.port, [head, `--YY\r\nContent-Disposition: form-data; name="a"\r\n\r\nabc`]);
  await new Promise((r) => setTimeout(r, 200));
  // The server still serves.
  const ok = await post(srv.port, "/", sampleForm());
  assert.equal(ok.status, 200);
  void partial;
  assert.equal(await srv.stop(), 0, srv.io.err);
  assert.match(srv.io.err, /error\[RUNTIME\]: The multipart form could not be read: unexpected end of form \(the request POST \/ was answered with 500, request id [0-9a-f-]{36}; the server goes on\)/);
  assert.match(srv.io.err, /The multipart form could not be read: boundary not found/);
  assert.match(srv.io.err, /The request is not a multipart form \(its Content-Type is application\/x-www-form-urlencoded\)/);
  assert.match(srv.io.err, /server\.wfl:\d+:\d+/);
  assert.doesNotMatch(srv.io.err, /\n\s+at /);
});

test("Oversized multipart bodies and files are answered 413 while they are read; other bodies keep the 1 MiB cap", async () => {
  const srv = await startFixture("web_server_multipart_max_size = 3000000\nweb_server_multipart_max_file_size = 2000000\n");
  // A 1.5 MB form passes although it is over the plain 1 MiB body limit.
  const mid = randomBytes(1500000);
  const f1 = new FormData();
  f1.append("archive", new Blob([mid]), "mid.bin");
  const r1 = await post(srv.port, "/upload", f1);
  assert.equal(r1.status, 200);
  assert.equal(r1.text.split("|")[1], createHash("sha256").update(mid).digest("hex"));
  // A plain 1.5 MB body is still refused.
  const plain = await fetch(`http://127.0.0.1:${srv.port}/`, { method: "POST", body: mid, headers: { "Content-Type": "application/octet-stream" } }).catch((e) => e);
  if (!(plain instanceof Error)) assert.equal(plain.status, 413);
  // A file over the per-file limit, streamed chunked (no Content-Length): 413 while reading.
  const boundary = "ZZ";
  const chunk = (s) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
  const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="archive"; filename="big.bin"\r\n\r\n`;
  const pieces = [`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n`, chunk(fileHead)];
  for (let i = 0; i < 30; i++) pieces.push(chunk("x".repeat(100000)));
  const bigFile = await raw(srv.port, pieces);
  assert.match(bigFile, /^HTTP\/1\.1 413 /);
  // A whole body over the total limit (two files, each under the per-file limit).
  const f3 = new FormData();
  f3.append("a", new Blob([randomBytes(1800000)]), "a.bin");
  f3.append("archive", new Blob([randomBytes(1800000)]), "b.bin");
  const r3 = await fetch(`http://127.0.0.1:${srv.port}/upload`, { method: "POST", body: f3 }).catch((e) => e);
  if (!(r3 instanceof Error)) assert.equal(r3.status, 413);
  // The server keeps serving.
  const ok = await post(srv.port, "/", sampleForm());
  assert.equal(ok.status, 200);
  assert.equal(await srv.stop(), 0, srv.io.err);
});

test("Archives up to 50 MB parse successfully without memory issues", async () => {
  const srv = await startFixture();
  const bytes = randomBytes(50 * 1000 * 1000);
  const form = new FormData();
  form.append("name", "big");
  form.append("archive", new Blob([bytes], { type: "application/gzip" }), "big.tgz");
  const started = Date.now();
  const r = await post(srv.port, "/upload", form);
  const ms = Date.now() - started;
  assert.equal(r.status, 200, srv.io.err);
  assert.equal(r.text, `50000000|${createHash("sha256").update(bytes).digest("hex")}|big.tgz|application/gzip`);
  const status = readFileSync(`/proc/${srv.child.pid}/status`, "utf8");
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]);
  console.log(`# 50 MB upload round-trip: ${ms} ms, server peak resident memory (VmHWM) ${(hwm / 1024).toFixed(0)} MiB`);
  // The upload is held once (plus the parser's chunks), not copied over and over.
  assert.ok(hwm < 400 * 1024, `VmHWM ${hwm} kB`);
  assert.equal(await srv.stop(), 0, srv.io.err);
});

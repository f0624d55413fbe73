// `serve static files from DIR for req under PREFIX` and `respond to req with file at P`, served by
// a real listening WFL server; traversal attempts go through raw sockets (fetch would normalise them).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, killServers } from "./support/server.mjs";
import { staticSegments, parseRange } from "../dist/internal.js";

let dir, srv, big;
const SECRET = "TOP-SECRET-OUTSIDE";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "wfl-static-"));
  const pub = join(dir, "public");
  mkdirSync(join(pub, "sub"), { recursive: true });
  writeFileSync(join(pub, "hello.txt"), "Hello, static world!\n");
  writeFileSync(join(pub, "style.css"), "body { color: red }\n");
  writeFileSync(join(pub, "sub", "index.html"), "<h1>sub</h1>\n");
  writeFileSync(join(pub, ".env"), "PASSWORD=x\n");
  writeFileSync(join(pub, "empty.txt"), "");
  big = randomBytes(3 * 1024 * 1024 + 17);
  writeFileSync(join(pub, "big.bin"), big);
  writeFileSync(join(dir, "outside.txt"), SECRET);
  symlinkSync(join(dir, "outside.txt"), join(pub, "link-out.txt"));
  symlinkSync(join(dir), join(pub, "dir-out"));
  symlinkSync(join(pub, "hello.txt"), join(pub, "link-in.txt"));
  const old = new Date("2024-01-02T03:04:05Z");
  utimesSync(join(pub, "hello.txt"), old, old);
  writeFileSync(join(dir, "static.wfl"), `
listen on port 0 as server
display server
main loop:
    wait for request comes in on server as req
    check if path is "/file":
        respond to req with file at "${join(dir, "outside.txt")}" and content type "text/x-secret"
    otherwise:
        check if path is "/missing-file":
            try:
                respond to req with file at "${join(dir, "nope.txt")}"
            when file not found:
                respond to req with "no such file" and status 404
            end try
        otherwise:
            serve static files from "${pub}" for req under "/static/"
        end check
    end check
end loop
`);
  srv = await startServer(join(dir, "static.wfl"));
});

after(() => {
  killServers();
  rmSync(dir, { recursive: true, force: true });
});

/** One request over a raw socket, the target sent exactly as given. */
function raw(target, method = "GET", headers = "") {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, "127.0.0.1");
    const chunks = [];
    sock.on("data", (d) => chunks.push(d));
    sock.on("error", reject);
    sock.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const [head, ...rest] = text.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), head, body: rest.join("\r\n\r\n") });
    });
    sock.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`);
  });
}

const url = (p) => `http://127.0.0.1:${srv.port}${p}`;

test("a file under the prefix is served with its content type, length, Last-Modified, ETag and Accept-Ranges", async () => {
  const res = await fetch(url("/static/hello.txt"));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "Hello, static world!\n");
  assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(res.headers.get("content-length"), "21");
  assert.equal(res.headers.get("last-modified"), "Tue, 02 Jan 2024 03:04:05 GMT");
  assert.match(res.headers.get("etag"), /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
  assert.equal(res.headers.get("accept-ranges"), "bytes");
  const css = await fetch(url("/static/style.css"));
  assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
  await css.text();
});

test("a directory serves its index.html; a path outside the prefix, a missing file and a dotfile are 404", async () => {
  const idx = await fetch(url("/static/sub/"));
  assert.equal(idx.status, 200);
  assert.equal(await idx.text(), "<h1>sub</h1>\n");
  const bare = await raw("/static/sub?x=1");
  assert.equal(bare.status, 301);
  assert.match(bare.head, /\r\nLocation: \/static\/sub\/\?x=1\r\n/i);
  const twice = await raw("//static/sub");
  assert.equal(twice.status, 404, "a double slash is not under the prefix");
  for (const p of ["/other/hello.txt", "/static/nope.txt", "/static/.env", "/static/sub/.hidden"]) {
    const r = await fetch(url(p));
    assert.equal(r.status, 404, p);
    assert.doesNotMatch(await r.text(), /PASSWORD/);
  }
});

test("traversal attempts never leave the root: .., encoded forms, backslashes, NUL, symlinks out", async () => {
  const attempts = {
    "/static/../outside.txt": 400,
    "/static/sub/../../outside.txt": 400,
    "/static/%2e%2e/outside.txt": 400,
    "/static/%2E%2E%2Foutside.txt": 400,
    "/static/..%2foutside.txt": 400,
    "/static/..%5coutside.txt": 400,
    "/static/..\\outside.txt": 400,
    "/static/sub%2f..%2f..%2foutside.txt": 400,
    "/static/hello.txt%00.png": 400,
    "/static/%zz": 400,
    "/static/%c0%ae%c0%ae/outside.txt": 400,
    "/static/link-out.txt": 403,
    "/static/dir-out/outside.txt": 403,
    "/static//../outside.txt": 400,
  };
  for (const [target, status] of Object.entries(attempts)) {
    const r = await raw(target);
    assert.equal(r.status, status, `${target} → ${r.head.split("\r\n")[0]}`);
    assert.ok(!r.body.includes(SECRET), `${target} leaked the file outside the root`);
  }
  const inside = await raw("/static/link-in.txt");
  assert.equal(inside.status, 200);
  assert.match(inside.body, /Hello, static world!/);
});

test("If-None-Match with the ETag, or If-Modified-Since, gives 304 without a body", async () => {
  const first = await fetch(url("/static/hello.txt"));
  const etag = first.headers.get("etag");
  await first.text();
  const again = await raw("/static/hello.txt", "GET", `If-None-Match: "other", ${etag}\r\n`);
  assert.equal(again.status, 304);
  assert.equal(again.body, "");
  assert.match(again.head, new RegExp(`ETag: ${etag.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`, "i"));
  const since = await raw("/static/hello.txt", "GET", "If-Modified-Since: Tue, 02 Jan 2024 03:04:05 GMT\r\n");
  assert.equal(since.status, 304);
  const changed = await raw("/static/hello.txt", "GET", 'If-None-Match: "nope"\r\n');
  assert.equal(changed.status, 200);
});

test("Range: one range gives 206 with Content-Range, a suffix range the tail, an unsatisfiable one 416", async () => {
  const part = await fetch(url("/static/hello.txt"), { headers: { Range: "bytes=0-4" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), "bytes 0-4/21");
  assert.equal(await part.text(), "Hello");
  const tail = await fetch(url("/static/hello.txt"), { headers: { Range: "bytes=-7" } });
  assert.equal(tail.status, 206);
  assert.equal(await tail.text(), "world!\n".slice(-7));
  const open = await fetch(url("/static/big.bin"), { headers: { Range: `bytes=${big.length - 10}-` } });
  assert.equal(open.status, 206);
  assert.deepEqual(Buffer.from(await open.arrayBuffer()), big.subarray(big.length - 10));
  const bad = await fetch(url("/static/hello.txt"), { headers: { Range: "bytes=100-200" } });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers.get("content-range"), "bytes */21");
  await bad.text();
  const many = await fetch(url("/static/hello.txt"), { headers: { Range: "bytes=0-1,3-4" } });
  assert.equal(many.status, 200, "several ranges get the whole file");
  await many.text();
  const stale = await fetch(url("/static/hello.txt"), { headers: { Range: "bytes=0-4", "If-Range": '"old"' } });
  assert.equal(stale.status, 200, "an If-Range that does not match gets the whole file");
  assert.equal(await stale.text(), "Hello, static world!\n");
});

test("HEAD gives the headers without the body; other methods get 405 with Allow", async () => {
  const head = await raw("/static/hello.txt", "HEAD");
  assert.equal(head.status, 200);
  assert.match(head.head, /Content-Length: 21/i);
  assert.equal(head.body, "");
  const post = await raw("/static/hello.txt", "POST", "Content-Length: 0\r\n");
  assert.equal(post.status, 405);
  assert.match(post.head, /Allow: GET, HEAD/i);
});

test("a large file is streamed whole and intact; an empty file is an empty 200", async () => {
  const res = await fetch(url("/static/big.bin"));
  assert.equal(res.headers.get("content-type"), "application/octet-stream");
  const got = Buffer.from(await res.arrayBuffer());
  assert.equal(createHash("sha256").update(got).digest("hex"), createHash("sha256").update(big).digest("hex"));
  const empty = await fetch(url("/static/empty.txt"));
  assert.equal(empty.status, 200);
  assert.equal(await empty.text(), "");
});

test("respond to req with file at P sends a file the program chose (with ranges); a missing one is `file not found`", async () => {
  const res = await fetch(url("/file"));
  assert.equal(res.headers.get("content-type"), "text/x-secret");
  assert.equal(await res.text(), SECRET);
  const part = await fetch(url("/file"), { headers: { Range: "bytes=0-2" } });
  assert.equal(part.status, 206);
  assert.equal(await part.text(), "TOP");
  const missing = await fetch(url("/missing-file"));
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), "no such file");
});

test("staticSegments and parseRange decide each case", () => {
  assert.deepEqual(staticSegments("/static/a/b.txt?x=1", "/static/"), ["a", "b.txt"]);
  assert.deepEqual(staticSegments("/static", "/static/"), []);
  assert.equal(staticSegments("/staticx/a", "/static/"), 404);
  assert.equal(staticSegments("http://evil/a", null), 400);
  assert.deepEqual(staticSegments("/a/./b", null), ["a", "b"]);
  assert.deepEqual(parseRange("bytes=5-", 10), [5, 9]);
  assert.deepEqual(parseRange("bytes=0-100", 10), [0, 9]);
  assert.equal(parseRange("bytes=10-", 10), "unsatisfiable");
  assert.equal(parseRange("bytes=-0", 10), "unsatisfiable");
  assert.equal(parseRange("items=0-1", 10), null);
  assert.equal(parseRange("bytes=5-2", 10), null);
});

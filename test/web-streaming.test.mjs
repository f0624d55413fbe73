// Streaming responses from a real listening WFL server, read by real clients (fetch, raw sockets).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, killServers } from "./support/server.mjs";
import { run } from "../dist/internal.js";

let dir;
before(() => { dir = mkdtempSync(join(tmpdir(), "wfl-stream-")); });
after(() => { killServers(); rmSync(dir, { recursive: true, force: true }); });

const PROGRAM = `
create map extra:
    "X-Stream" is "yes"
end map
listen on port 0 as server
display server
main loop:
    wait for request comes in on server as req
    check if path is "/ndjson":
        start streaming response to req with status 201 and content type "application/x-ndjson" and headers extra as out
        write line "{\\"event\\": \\"start\\"}" to out
        flush out
        wait for 400 milliseconds
        store n as 41
        write line n plus 1 to out
        write chunk "tail" to out
        close out
    otherwise:
        check if path is "/gone":
            start streaming response to req as out
            count from 1 to 100000:
                try:
                    write line "tick " with count to out
                    wait for 5 milliseconds
                catch:
                    display "write failed: " with error_message
                    break
                end try
            end count
        otherwise:
            check if path is "/stall":
                start streaming response to req as out
                store piece as ""
                count from 1 to 65536:
                    change piece to piece with "xxxxxxxxxxxxxxxx"
                end count
                count from 1 to 400:
                    try:
                        write chunk piece to out
                    when timeout:
                        display "stalled: " with error_message
                        break
                    end try
                end count
            otherwise:
              check if path is "/proxy":
                open url at "http://127.0.0.1:" with query with "/generate" with method "POST" and body "prompt" and stream response as upstream
                start streaming response to req with status 200 and content type "application/x-ndjson" as out
                count from 1 to 1000000:
                    wait for next line from upstream as line
                    check if line is nothing:
                        break
                    otherwise:
                        write line line to out
                    end check
                end count
                close upstream
                close out
              otherwise:
                check if path is "/twice":
                    start streaming response to req as out
                    try:
                        respond to req with "again"
                    catch:
                        write line "second answer refused: " with error_message to out
                    end try
                    close out
                    close out
                    try:
                        write line "late" to out
                    catch:
                        display "after close: " with error_message
                    end try
                otherwise:
                    respond to req with "bye"
                    break
                end check
              end check
            end check
        end check
    end check
end loop
display "done"
`;

let srv;
before(async () => {
  writeFileSync(join(dir, "stream.wfl"), PROGRAM);
  writeFileSync(join(dir, ".wflcfg"), "web_server_response_timeout_seconds = 1\n");
  srv = await startServer(join(dir, "stream.wfl"));
});

test("start streaming response sends status, content type and headers at once, then the body as it is written", async () => {
  const t0 = Date.now();
  const res = await fetch(`http://127.0.0.1:${srv.port}/ndjson`);
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("content-type"), "application/x-ndjson");
  assert.equal(res.headers.get("x-stream"), "yes");
  assert.equal(res.headers.get("content-length"), null);
  assert.equal(res.headers.get("transfer-encoding"), "chunked");
  const reader = res.body.getReader();
  const first = await reader.read();
  const firstAt = Date.now() - t0;
  assert.equal(Buffer.from(first.value).toString(), '{"event": "start"}\n');
  let rest = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += Buffer.from(value).toString();
  }
  const endAt = Date.now() - t0;
  assert.equal(rest, "42\ntail");
  assert.ok(endAt - firstAt >= 300, `the first line came ${endAt - firstAt} ms before the end`);
});

test("the documented proxy: an upstream's lines streamed to the client as they arrive", async () => {
  const http = await import("node:http");
  const up = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write(`{"got": "${req.method} ${body}"}\n`);
      setTimeout(() => res.end('{"n": 2}\n{"n": 3}'), 300);
    });
  });
  await new Promise((r) => up.listen(0, "127.0.0.1", r));
  try {
    const res = await fetch(`http://127.0.0.1:${srv.port}/proxy?${up.address().port}`);
    assert.equal(res.status, 200);
    const reader = res.body.getReader();
    const first = Buffer.from((await reader.read()).value).toString();
    assert.equal(first, '{"got": "POST prompt"}\n', "the first line arrives before the upstream has finished");
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += Buffer.from(value).toString();
    }
    assert.equal(rest, '{"n": 2}\n{"n": 3}\n');
  } finally {
    up.close();
  }
});

test("a write after the client disconnected is a catchable error, and the server goes on", async () => {
  const ctrl = new AbortController();
  const res = await fetch(`http://127.0.0.1:${srv.port}/gone`, { signal: ctrl.signal });
  const reader = res.body.getReader();
  await reader.read();
  ctrl.abort();
  for (let i = 0; i < 100 && !srv.io.out.includes("write failed"); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(srv.io.out, /write failed: Cannot write to the response: the client has disconnected\n/);
  const next = await fetch(`http://127.0.0.1:${srv.port}/twice`);
  assert.equal(await next.text(), "second answer refused: This request has already been answered\n");
  for (let i = 0; i < 50 && !srv.io.out.includes("after close"); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(srv.io.out, /after close: Cannot write to the response: this streaming response is closed\n/);
});

test("backpressure: a client that stops reading fails the write after web_server_response_timeout_seconds", async () => {
  const sock = net.connect(srv.port, "127.0.0.1");
  await new Promise((r) => sock.once("connect", r));
  sock.write("GET /stall HTTP/1.1\r\nHost: x\r\n\r\n");
  sock.pause(); // never read
  const t0 = Date.now();
  for (let i = 0; i < 300 && !srv.io.out.includes("stalled"); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(srv.io.out, /stalled: Cannot write to the response: the client read nothing for 1 seconds \(web_server_response_timeout_seconds\)\n/);
  assert.ok(Date.now() - t0 < 5000);
  sock.destroy();
  const bye = await fetch(`http://127.0.0.1:${srv.port}/stop`);
  assert.equal(await bye.text(), "bye");
  assert.equal(await srv.exited, 0, srv.io.err);
  assert.match(srv.io.out, /done\n$/);
});

test("write line <name> to a file handle or path keeps the classic file write of the variable `line <name>`", async () => {
  const f = join(dir, "classic.txt");
  const g = join(dir, "classic2.txt");
  const r = await run(`
store line note as "hello"
open file at "${f}" for writing as fh
write line note to fh
close file fh
write line note with "!" to "${g}"
display read content from "${f}"
display read content from "${g}"
`);
  assert.equal(r.exitCode, 0, r.diagnostics);
  assert.equal(r.output, "hello\nhello!\n");
  assert.equal(readFileSync(g, "utf8"), "hello!");
});

test("write line with a literal to something that is not a stream is an error saying what it needs", async () => {
  const r = await run(`
open file at "${join(dir, "x.txt")}" for writing as fh
write line "x" to fh
`);
  assert.equal(r.exitCode, 1);
  assert.match(r.diagnostics, /write line … to needs a streaming response from 'start streaming response … as name'/);
  assert.match(r.diagnostics, /:3:/);
});

test("the new forms parse to their statements, and the older forms sharing their first words keep theirs", async () => {
  const { parse } = await import("../dist/internal.js");
  const kindOf = (src) => {
    const p = parse(src, "forms.wfl");
    assert.deepEqual(p.diagnostics.map((d) => d.message), [], src);
    return p.program.body[0].kind;
  };
  assert.equal(kindOf('start streaming response to req with status 200 and content type "application/x-ndjson" as out'), "StartStreaming");
  assert.equal(kindOf("start streaming response to req\n    with status 200\n    and headers h\n    as out"), "StartStreaming");
  assert.equal(kindOf("start streaming response to req as out"), "StartStreaming");
  assert.equal(kindOf('write line "x" to out'), "StreamWrite");
  assert.equal(kindOf("write line upstream.status to out"), "StreamWrite");
  assert.equal(kindOf("write chunk payload[1] to out"), "StreamWrite");
  assert.equal(kindOf("flush out"), "StreamFlush");
  assert.equal(kindOf('serve static files from "public" for req'), "ServeStatic");
  assert.equal(kindOf('serve static files from "public" for req under "/static/"'), "ServeStatic");
  assert.equal(kindOf('respond to req with file at "a.pdf" and content type "application/pdf"'), "RespondFile");
  // Older forms.
  assert.equal(kindOf("write line to f"), "FileOp");
  assert.equal(kindOf("write line note into f"), "FileOp");
  assert.equal(kindOf('write content "x" into f'), "FileOp");
  assert.equal(kindOf('respond to req with file "avatar" of form'), "Respond");
  assert.equal(kindOf('respond to req with "hi" and status 200'), "Respond");
  assert.equal(kindOf("close out"), "FileOp");
});

test("streams and static files go through the exchange: middleware headers, closeStreamsOf ends a forgotten stream (onFinish is the server core's, on the response's close)", async () => {
  const http = await import("node:http");
  const { startStreaming, closeStreamsOf, responseStreamOf, serveStatic, exchanges, WflObject } = await import("../dist/internal.js");
  const calls = [];
  const mw = {
    name: "probe",
    onHeaders: (_ex, status, headers) => { calls.push(`headers ${status}`); headers["X-Probe"] = "1"; },
    onFinish: (_ex, status) => calls.push(`finish ${status}`),
  };
  const pub = join(dir, "pub");
  (await import("node:fs")).mkdirSync(pub, { recursive: true });
  writeFileSync(join(pub, "a.txt"), "A");
  const server = http.createServer(async (req, res) => {
    const request = new WflObject();
    const ex = { req, res, request, id: "1", startedAt: 0, secure: false, middleware: [mw], locals: new Map(), state: "waiting" };
    exchanges.set(request, ex);
    if (req.url === "/s") {
      const out = startStreaming(request, { status: null, contentType: null, headers: null });
      assert.equal(ex.state, "streaming");
      await responseStreamOf(out).write("partial", 0);
      closeStreamsOf(ex); // the handler ended without `close out`
    } else {
      await serveStatic(request, pub, null);
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const s = await fetch(`http://127.0.0.1:${server.address().port}/s`);
    assert.equal(s.headers.get("x-probe"), "1");
    assert.equal(await s.text(), "partial");
    const f = await fetch(`http://127.0.0.1:${server.address().port}/a.txt`);
    assert.equal(f.headers.get("x-probe"), "1");
    assert.equal(await f.text(), "A");
    assert.deepEqual(calls, ["headers 200", "headers 200"]);
  } finally {
    server.close();
  }
});

test("a stream the handler leaves open is closed when the handler ends (serial and concurrent loops), and the access log sees it", async () => {
  for (const loop of ["main loop:", "main loop concurrently:"]) {
    const sub = mkdtempSync(join(dir, "forgot-"));
    writeFileSync(join(sub, "p.wfl"), [
      "listen on port 0 as server",
      "display server",
      loop,
      "    wait for request comes in on server as req",
      '    start streaming response to req with content type "text/plain" as out',
      '    write line "one" to out',
      '    write line "two" to out',
      "end loop",
    ].join("\n") + "\n");
    writeFileSync(join(sub, ".wflcfg"), "web_server_access_log = true\n");
    const s = await startServer(join(sub, "p.wfl"));
    try {
      const res = await fetch(`http://127.0.0.1:${s.port}/x`, { signal: AbortSignal.timeout(5000) });
      assert.equal(await res.text(), "one\ntwo\n", loop);
      for (let i = 0; i < 100 && !/"path":"\/x"/.test(s.io.err); i++) await new Promise((r) => setTimeout(r, 10));
      assert.match(s.io.err, /"status":200/, `${loop}: the access log has the streamed request`);
    } finally {
      s.child.kill();
      await s.exited;
    }
  }
});

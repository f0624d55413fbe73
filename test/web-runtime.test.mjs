// The production web runtime (issue 9): each defect named in the issue has a test named after it,
// against a real WFL server (bin/wfl) and real clients (fetch, node:net raw sockets, node:https).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as net from "node:net";
import * as https from "node:https";
import { execFileSync } from "node:child_process";
import { startServer, killServers } from "./support/server.mjs";
import { run, serverSetups, addMiddleware } from "../dist/internal.js";

after(killServers);

/** Write `source` (and a .wflcfg from `config`, and `files`) to a fresh directory and start it. */
async function serve(source, config = {}, files = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-web-"));
  fs.writeFileSync(path.join(dir, ".wflcfg"), Object.entries(config).map(([k, v]) => `${k} = ${v}\n`).join(""));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const file = path.join(dir, "main.wfl");
  fs.writeFileSync(file, source);
  const s = await startServer(file);
  return { ...s, dir, url: `http://127.0.0.1:${s.port}` };
}

/** Send raw bytes; resolves with everything the server sent back before closing (or `ms` passing). */
function raw(port, bytes, ms = 1500, { endAfterWrite = false } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    let got = "";
    const done = () => { clearTimeout(timer); sock.destroy(); resolve(got); };
    const timer = setTimeout(done, ms);
    sock.on("data", (d) => { got += d.toString("latin1"); });
    sock.on("error", () => {});
    sock.on("close", done);
    sock.write(bytes, () => { if (endAfterWrite) sock.end(); });
  });
}

const statusOf = (response) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

/** SIGTERM, and the server program ends with status 0 (a graceful stop). */
async function stopsCleanly(s) {
  s.child.kill("SIGTERM");
  assert.equal(await s.exited, 0);
}

function assertNoHostTrace(err) {
  assert.doesNotMatch(err, /\n\s+at [^\n]*\(/, "a host stack trace reached stderr");
  assert.doesNotMatch(err, /error\[INTERNAL\]/);
}

/** Answers 404 except on /ok; shows the path it saw on /show. */
const ECHO = `listen on port 0 as srv
display srv
main loop:
    wait for request comes in on srv as req
    check if path is "/ok":
        respond to req with "ok"
    otherwise:
        respond to req with "path=" with path with " query=" with query and status 404
    end check
end loop
`;

test("request target //evil.com/admin gives that path verbatim, and the query is split on the first ?", async () => {
  const s = await serve(ECHO);
  const r1 = await raw(s.port, "GET //evil.com/admin/secret?a=1?b=2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert.match(r1, /path=\/\/evil\.com\/admin\/secret query=a=1\?b=2$/);
  const r2 = await raw(s.port, "GET //admin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert.match(r2, /path=\/\/admin query=$/);
  const r3 = await raw(s.port, "GET http://example.com/abs?q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert.match(r3, /path=\/abs query=q$/);
  await stopsCleanly(s);
  assertNoHostTrace(s.io.err);
});

test("bad request targets (//, ///, //[, //x:99999/, //%zz/, http://a:b@/) never crash the server: 400 or the program's answer", async () => {
  const s = await serve(ECHO);
  for (const target of ["//", "///", "//[", "//x:99999/", "//%zz/", "http://a:b@/", "http://[/", "ftp://x/", "x"]) {
    const r = await raw(s.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const status = statusOf(r);
    assert.ok(status >= 400 && status < 500, `${target}: ${r}`);
    if (!target.startsWith("/")) assert.equal(status, 400, target);
    else assert.match(r, new RegExp(`path=${target.replace(/[[\]]/g, "\\$&")} `));
  }
  assert.equal((await fetch(`${s.url}/ok`)).status, 200);
  await stopsCleanly(s);
  assertNoHostTrace(s.io.err);
});

test("a header the runtime cannot send (CR/LF, non-Latin-1, a space in a name) is a WFL error in that handler: 500, and the server stays up", async () => {
  const s = await serve(`listen on port 0 as srv
display srv
main loop:
    wait for request comes in on srv as req
    check if path is "/location":
        store params as parse_query_string of query
        create map location:
            "Location" is params["to"]
        end map
        respond to req with "answer" and status 302 and headers location
    otherwise:
        check if path is "/name":
            create map badname:
                "Bad Name" is "v"
            end map
            respond to req with "answer" and status 302 and headers badname
        otherwise:
            create map good:
                "X-Ok" is "fine"
            end map
            respond to req with "answer" and status 302 and headers good
        end check
    end check
end loop
`);
  for (const q of ["/location?to=%0d%0aSet-Cookie:%20evil=1", "/location?to=%E2%82%AC", "/name"]) {
    const r = await fetch(s.url + q, { redirect: "manual" });
    assert.equal(r.status, 500, q);
    assert.equal(r.headers.get("set-cookie"), null);
    assert.equal(await r.text(), "Internal Server Error\n");
  }
  const ok = await fetch(`${s.url}/other`, { redirect: "manual" });
  assert.equal(ok.status, 302);
  assert.equal(ok.headers.get("x-ok"), "fine");
  await stopsCleanly(s);
  assert.match(s.io.err, /The header 'Location' cannot be sent: its value has a line break/);
  assert.match(s.io.err, /'€', which is not Latin-1/);
  assert.match(s.io.err, /'Bad Name' cannot be a header name/);
  assertNoHostTrace(s.io.err);
});

test("errors after the response was sent (division by zero after respond, a second respond) are reported and a main loop server goes on", async () => {
  const s = await serve(`listen on port 0 as srv
display srv
main loop:
    wait for request comes in on srv as req
    respond to req with "first"
    check if path is "/divide":
        store zero as 0
        display 1 divided by zero
    end check
    check if path is "/twice":
        respond to req with "second"
    end check
end loop
`);
  assert.equal(await (await fetch(`${s.url}/divide`)).text(), "first");
  assert.equal(await (await fetch(`${s.url}/twice`)).text(), "first");
  assert.equal(await (await fetch(`${s.url}/after`)).text(), "first");
  await stopsCleanly(s);
  assert.match(s.io.err, /Division by zero \(after the response was sent; the server goes on\)/);
  assert.match(s.io.err, /This request has already been answered \(after the response was sent; the server goes on\)/);
  assertNoHostTrace(s.io.err);
});

test("execute wfl file … with req inside a handler does not close the parent's server or databases", async () => {
  const s = await serve(`listen on port 0 as srv
display srv
open database at "sqlite::memory:" as db
execute query "CREATE TABLE t (n INTEGER)" on db
main loop:
    wait for request comes in on srv as req
    execute wfl file at "pages/page.wfl" with req and read output as page
    execute query "INSERT INTO t (n) VALUES (1)" on db
    execute query "SELECT count(*) AS c FROM t" on db as rows
    respond to req with page with " rows=" with rows[0]["c"]
end loop
`, {}, { "pages/page.wfl": `listen on port 0 as own\ndisplay "page for " with path\n` });
  assert.equal(await (await fetch(`${s.url}/one`)).text(), "page for /one rows=1");
  assert.equal(await (await fetch(`${s.url}/two`)).text(), "page for /two rows=2");
  await stopsCleanly(s);
  assertNoHostTrace(s.io.err);
});

test("web_server_response_timeout_seconds answers 504 for a handler that never answers", async () => {
  const s = await serve(`listen on port 0 as srv
display srv
main loop concurrently:
    wait for request comes in on srv as req
    check if path is "/never":
        wait for 3 seconds
    end check
    respond to req with "late or quick"
end loop
`, { web_server_response_timeout_seconds: "0.3" });
  const t0 = performance.now();
  const r = await fetch(`${s.url}/never`);
  const took = performance.now() - t0;
  assert.equal(r.status, 504);
  assert.match(r.headers.get("content-length"), /^\d+$/);
  await r.text();
  assert.ok(took < 2000, `504 after ${took} ms`);
  assert.equal(await (await fetch(`${s.url}/quick`)).text(), "late or quick");
  await stopsCleanly(s);
  assertNoHostTrace(s.io.err);
});

test("requests whose client already disconnected are skipped", async () => {
  const s = await serve(`listen on port 0 as srv
display srv
main loop:
    wait for request comes in on srv as req
    display "handling " with path
    check if path is "/slow":
        wait for 400 milliseconds
    end check
    respond to req with "done " with path
end loop
`);
  const slow = fetch(`${s.url}/slow`).then((r) => r.text());
  await new Promise((r) => setTimeout(r, 100));
  // Queued behind /slow, then the client goes away.
  await raw(s.port, "GET /gone HTTP/1.1\r\nHost: x\r\n\r\n", 100);
  assert.equal(await slow, "done /slow");
  assert.equal(await (await fetch(`${s.url}/after`)).text(), "done /after");
  await stopsCleanly(s);
  assert.match(s.io.out, /handling \/slow\nhandling \/after\n/);
  assert.doesNotMatch(s.io.out, /handling \/gone/);
});

test("a list given as a Set-Cookie header value is sent as repeated headers; 204 and 304 carry no body or length", async () => {
  const s = await serve(`listen on port 0 as srv
display srv
main loop:
    wait for request comes in on srv as req
    create map h:
        "Set-Cookie" is ["a=1; HttpOnly", "b=2"]
        "X-Count" is 3
    end map
    check if path is "/204":
        respond to req with "ignored body" and status 204 and headers h
    otherwise:
        check if path is "/304":
            respond to req with "ignored body" and status 304
        otherwise:
            respond to req with "cookies" and headers h
        end check
    end check
end loop
`);
  const r = await fetch(`${s.url}/cookies`);
  assert.deepEqual(r.headers.getSetCookie(), ["a=1; HttpOnly", "b=2"]);
  assert.equal(r.headers.get("x-count"), "3");
  await r.text();
  const r204 = await raw(s.port, "GET /204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert.equal(statusOf(r204), 204);
  assert.doesNotMatch(r204, /content-length|transfer-encoding/i);
  assert.match(r204, /\r\n\r\n$/);
  assert.match(r204, /Set-Cookie: a=1; HttpOnly\r\nSet-Cookie: b=2/);
  const r304 = await raw(s.port, "GET /304 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert.equal(statusOf(r304), 304);
  assert.doesNotMatch(r304, /content-length|transfer-encoding|ignored/i);
  await stopsCleanly(s);
});

test("Expect: 100-continue with an oversized Content-Length gets 413 without 100 Continue", async () => {
  const s = await serve(ECHO, { web_server_max_body_size: 1000 });
  const r = await raw(s.port, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  assert.equal(statusOf(r), 413);
  assert.doesNotMatch(r, /100 Continue/);
  assert.match(r, /Content-Length: \d+/);
  assert.doesNotMatch(r, /chunked/i);
  // Within the limit, 100 Continue comes first.
  const sock = net.connect(s.port, "127.0.0.1");
  let got = "";
  sock.on("data", (d) => { got += d; });
  sock.write("POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
  await new Promise((res) => setTimeout(res, 200));
  assert.match(got, /^HTTP\/1\.1 100 Continue/);
  sock.end("hello");
  await new Promise((res) => sock.on("close", res));
  assert.match(got, /200 OK[\s\S]*ok$/);
  await stopsCleanly(s);
});

test("a client still sending a body over the limit reads its 413: the connection is half-closed and drained, not reset", async () => {
  const s = await serve(ECHO, { web_server_max_body_size: 1000 });
  // Twenty clients each declare 4 MB and send it in 64 KB pieces as fast as the socket takes them,
  // reading only at the end. Closing the connection at once after the 413 (with their bytes still
  // unread on the server) resets it, and a reset throws away the 413 the client has not read.
  const piece = Buffer.alloc(64 * 1024, 120);
  const one = () => new Promise((resolve) => {
    const sock = net.connect(s.port, "127.0.0.1");
    let got = "";
    sock.on("data", (d) => { got += d; });
    sock.on("error", () => {});
    sock.on("close", () => resolve(got));
    sock.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${64 * piece.length}\r\n\r\n`);
    let sent = 0;
    const more = () => {
      while (sent < 64 && !sock.destroyed) {
        sent++;
        if (!sock.write(piece)) return void sock.once("drain", more);
      }
    };
    more();
  });
  const answers = await Promise.all(Array.from({ length: 20 }, one));
  for (const a of answers) assert.equal(statusOf(a), 413, JSON.stringify(a.slice(0, 80)));
  await stopsCleanly(s);
});

test("the runtime's own 500/503/413 answers have a Content-Length (not chunked) and go through the middleware's headers, and every exchange reaches onFinish", async () => {
  const finished = [];
  const setup = (server) => {
    addMiddleware(server, {
      name: "test",
      onHeaders(ex, status, headers) { headers["X-Mw"] = ex ? `ex-${status}` : `bare-${status}`; },
      transformBody(ex, status, headers, body) { return status === 200 ? Buffer.from(body.toString().toUpperCase()) : body; },
      onFinish(ex, status) { finished.push(status); },
    });
  };
  serverSetups.push(setup);
  const abort = new AbortController();
  let out = "";
  let portSeen;
  const port = new Promise((r) => { portSeen = r; });
  const done = run(`listen on port 0 as srv
display srv
main loop concurrently:
    wait for request comes in on srv as req
    check if path is "/fail":
        store zero as 0
        display 1 divided by zero
    end check
    check if path is "/slow":
        wait for 500 milliseconds
    end check
    respond to req with "hello"
end loop
`, {
    signal: abort.signal,
    config: { web_server_max_body_size: 100, web_server_max_concurrent_requests: 1, web_server_request_queue_bound: 1 },
    write: (t) => { out += t; const m = /:(\d+)\n/.exec(out); if (m) portSeen(Number(m[1])); },
  });
  try {
    const p = await port;
    const base = `http://127.0.0.1:${p}`;
    const ok = await fetch(`${base}/`);
    assert.equal(await ok.text(), "HELLO");
    assert.equal(ok.headers.get("x-mw"), "ex-200");
    const r500 = await raw(p, "GET /fail HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.equal(statusOf(r500), 500);
    assert.match(r500, /Content-Length: 22\r\n/);
    assert.match(r500, /X-Mw: ex-500/);
    assert.doesNotMatch(r500, /chunked/i);
    const r413 = await raw(p, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n${"x".repeat(500)}`);
    assert.equal(statusOf(r413), 413);
    assert.match(r413, /Content-Length: \d+\r\n/);
    assert.match(r413, /X-Mw: ex-413/);
    // One slot busy, one queued: the third is shed with 503 and Retry-After.
    const slow = [fetch(`${base}/slow`), fetch(`${base}/slow`)];
    await new Promise((r) => setTimeout(r, 100));
    const r503 = await raw(p, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.equal(statusOf(r503), 503);
    assert.match(r503, /Retry-After: 1\r\n/);
    assert.match(r503, /Content-Length: \d+\r\n/);
    assert.match(r503, /X-Mw: bare-503/);
    for (const r of await Promise.all(slow)) assert.equal(await r.text(), "HELLO");
    const r400 = await raw(p, "GET nonsense HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.equal(statusOf(r400), 400);
    assert.match(r400, /X-Mw: bare-400/);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(finished.includes(200) && finished.includes(500) && finished.includes(413), String(finished));
  } finally {
    serverSetups.splice(serverSetups.indexOf(setup), 1);
    abort.abort();
    await done;
  }
});

test("documented forms parse and run: respond with joined content, stringify_json of … and content_type, header \"User-Agent\" of req, web_server_max_response_size", async () => {
  const s = await serve(`listen on port 0 as web_server
display web_server
main loop:
    wait for request comes in on web_server as req
    store params as parse_query_string of query
    check if path is "/json":
        create map reply:
            "ok" is yes
        end map
        respond to req with stringify_json of reply and content_type "application/json"
    otherwise:
        check if path is "/big":
            respond to req with "x" times 1 with "y"
            store big as ""
            respond to req with big
        otherwise:
            check if path is "/huge":
                respond to req with "${"0123456789".repeat(256)}"
            otherwise:
                store page as params["page"]
                respond to req with "Page: " with page with " UA: " with header "User-Agent" of req and status 200
            end check
        end check
    end check
end loop
`, { web_server_max_response_size: 1024 });
  const page = await fetch(`${s.url}/?page=3`, { headers: { "User-Agent": "tester/1" } });
  assert.equal(await page.text(), "Page: 3 UA: tester/1");
  const json = await fetch(`${s.url}/json`);
  assert.equal(json.headers.get("content-type"), "application/json");
  assert.deepEqual(await json.json(), { ok: true });
  const huge = await fetch(`${s.url}/huge`);
  assert.equal(huge.status, 500);
  await huge.text();
  await stopsCleanly(s);
  assert.match(s.io.err, /The response is 2560 bytes, more than web_server_max_response_size allows \(1024\)/);
});

test("listen … secured with certificate … and key … serves HTTPS, and listen … redirecting to port … answers 301/308", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-tls-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=localhost"], { stdio: "ignore" });
  } catch {
    test.skip?.("openssl is not available");
    return;
  }
  const s = await serve(`listen on port 0 secured with certificate "cert.pem" and key "key.pem" as secure_server
display secure_server
store https_port as 0
listen on port 0 redirecting to port 8443 as redirect_server
display redirect_server
main loop:
    wait for request comes in on secure_server as req
    respond to req with "secure " with path
end loop
`, {}, {
    "cert.pem": fs.readFileSync(path.join(dir, "cert.pem"), "utf8"),
    "key.pem": fs.readFileSync(path.join(dir, "key.pem"), "utf8"),
  });
  const ca = fs.readFileSync(path.join(dir, "cert.pem"));
  const body = await new Promise((resolve, reject) => {
    https.get({ host: "127.0.0.1", port: s.port, path: "/hello", ca, servername: "localhost", checkServerIdentity: () => undefined }, (res) => {
      let b = "";
      res.on("data", (d) => (b += d));
      res.on("end", () => resolve(`${res.statusCode} ${b}`));
    }).on("error", reject);
  });
  assert.equal(body, "200 secure /hello");
  const redirectPort = Number([...s.io.out.matchAll(/WebServer::127\.0\.0\.1:(\d+)/g)][1][1]);
  const r = await raw(redirectPort, "GET /a/b?c=1 HTTP/1.1\r\nHost: example.test:8080\r\nConnection: close\r\n\r\n");
  assert.equal(statusOf(r), 301);
  assert.match(r, /\r\nLocation: https:\/\/example\.test:8443\/a\/b\?c=1\r\n/);
  const evil = await raw(redirectPort, "GET / HTTP/1.1\r\nHost: evil.test/x?\r\nConnection: close\r\n\r\n");
  assert.equal(statusOf(evil), 400);
  const post = await fetch(`http://127.0.0.1:${redirectPort}/form`, { method: "POST", body: "x", redirect: "manual" });
  assert.equal(post.status, 308);
  await stopsCleanly(s);
  assertNoHostTrace(s.io.err);
});

test("exchanges of a secured server are secure (exchange.secure), of a plain one not", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-tls-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=localhost"], { stdio: "ignore" });
  } catch {
    return; // no openssl here: the CLI test above says so
  }
  const seen = [];
  const setup = (server) => addMiddleware(server, { name: "spy", onHeaders(ex) { if (ex) seen.push(ex.secure); } });
  serverSetups.push(setup);
  const abort = new AbortController();
  let out = "";
  let ports;
  const got = new Promise((r) => { ports = r; });
  const done = run(`listen on port 0 secured with certificate "${path.join(dir, "cert.pem")}" and key "${path.join(dir, "key.pem")}" as tls
display tls
listen on port 0 as plain
display plain
wait for request comes in on tls as a
respond to a with "tls"
wait for request comes in on plain as b
respond to b with "plain"
`, { signal: abort.signal, write: (t) => { out += t; const m = [...out.matchAll(/127\.0\.0\.1:(\d+)/g)]; if (m.length === 2) ports(m.map((x) => Number(x[1]))); } });
  try {
    const [tlsPort, plainPort] = await got;
    const text = await new Promise((resolve, reject) => {
      https.get({ host: "127.0.0.1", port: tlsPort, path: "/", rejectUnauthorized: false }, (res) => {
        let b = "";
        res.on("data", (d) => (b += d));
        res.on("end", () => resolve(b));
      }).on("error", reject);
    });
    assert.equal(text, "tls");
    assert.equal(await (await fetch(`http://127.0.0.1:${plainPort}/`)).text(), "plain");
    assert.deepEqual(seen, [true, false]);
    assert.equal((await done).exitCode, 0);
  } finally {
    serverSetups.splice(serverSetups.indexOf(setup), 1);
    abort.abort();
    await done;
  }
});

test("a missing certificate file stops the program at listen with the path in the message", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-tls-"));
  const file = path.join(dir, "main.wfl");
  fs.writeFileSync(file, `listen on port 0 secured with certificate "nope.pem" and key "nope-key.pem" as s\n`);
  const out = await new Promise((resolve) => {
    import("node:child_process").then(({ execFile }) => execFile(path.resolve("bin/wfl"), [file], (e, so, se) => resolve({ code: e?.code ?? 0, se })));
  });
  assert.equal(out.code, 1);
  assert.match(out.se, /Cannot read the TLS certificate file '.*nope\.pem': no such file/);
});

test("main loop concurrently: a body that does not begin with wait for request is an analysis-time error", async () => {
  let diagnostics = "";
  const r = await run(`listen on port 0 as srv
main loop concurrently:
    display "before"
    wait for request comes in on srv as req
    respond to req with "x"
end loop
`, { writeError: (t) => (diagnostics += t) });
  assert.equal(r.exitCode, 1);
  assert.match(diagnostics, /A 'main loop concurrently:' body must begin with 'wait for request'/);
  assert.doesNotMatch(r.output ?? "", /before/);
});

test("main loop concurrently: each iteration has its own variables, a failing handler is contained (500), past the in-flight cap 503 with Retry-After", async () => {
  const s = await serve(`listen on port 0 as srv
display srv
store served as 0
main loop concurrently:
    wait for request comes in on srv as req
    store mine as path
    add 1 to served
    check if path is "/fail":
        store zero as 0
        display 1 divided by zero
    end check
    wait for 200 milliseconds
    respond to req with mine
end loop
`, { web_server_max_concurrent_requests: 4, web_server_request_queue_bound: 2 });
  const paths = Array.from({ length: 4 }, (_, i) => `/p${i}`);
  const answers = await Promise.all(paths.map((p) => fetch(s.url + p).then((r) => r.text())));
  assert.deepEqual(answers, paths); // four at once, none clobbered another's `mine`
  const fail = await fetch(`${s.url}/fail`);
  assert.equal(fail.status, 500);
  await fail.text();
  const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => fetch(`${s.url}/b${i}`).then(async (r) => [r.status, r.headers.get("retry-after"), await r.text()])));
  const shed = burst.filter(([st]) => st === 503);
  assert.ok(shed.length >= 3, JSON.stringify(burst));
  for (const [, retry] of shed) assert.equal(retry, "1");
  assert.ok(burst.filter(([st]) => st === 200).length >= 4, JSON.stringify(burst));
  await stopsCleanly(s);
  assertNoHostTrace(s.io.err);
});

test("close server inside main loop concurrently ends the loop once its handlers are done; in a serial loop the next wait is an error", async () => {
  const s = await serve(`listen on port 0 as srv
display srv
main loop concurrently:
    wait for request comes in on srv as req
    check if path is "/stop":
        respond to req with "stopping"
        close server srv
    otherwise:
        respond to req with "hello"
    end check
end loop
display "loop ended"
`);
  assert.equal(await (await fetch(`${s.url}/a`)).text(), "hello");
  assert.equal(await (await fetch(`${s.url}/stop`)).text(), "stopping");
  assert.equal(await s.exited, 0, s.io.err);
  assert.match(s.io.out, /loop ended\n$/);
  const serial = await serve(`listen on port 0 as srv
display srv
main loop:
    wait for request comes in on srv as req
    respond to req with "bye"
    close server srv
end loop
`);
  assert.equal(await (await fetch(`${serial.url}/`)).text(), "bye");
  assert.equal(await serial.exited, 1);
  assert.match(serial.io.err, /This server has been closed/);
  assertNoHostTrace(serial.io.err);
});

test("main loop concurrently: a handler that waits midway answers, and a handler's return or exit loop ends the loop with its value", async () => {
  const program = (ending) => `listen on port 0 as srv
display srv
store served as 0
define action called serve_until_stop:
    main loop concurrently:
        wait for request comes in on srv as req
        change served to served plus 1
        check if path is "/stop":
            respond to req with "stopping"
            ${ending}
        end check
        wait for 20 milliseconds
        respond to req with "hello " with served
    end loop
    return "loop exited after " with served
end action
store result as serve_until_stop
display result
`;
  for (const [ending, expected] of [["return \"returned after \" with served", "returned after 3"], ["exit loop", "loop exited after 3"]]) {
    const s = await serve(program(ending));
    const [a, b] = await Promise.all([fetch(`${s.url}/a`), fetch(`${s.url}/b`)]);
    for (const r of [a, b]) assert.match(await r.text(), /^hello [12]$/);
    assert.equal(await (await fetch(`${s.url}/stop`)).text(), "stopping");
    assert.equal(await s.exited, 0, s.io.err);
    assert.match(s.io.out, new RegExp(`${expected}\n$`));
  }
});

/** Time a plain request while `busy` is in flight; the best of a few tries (the machine is shared). */
async function quickWhileBusy(url, busyPath) {
  let best = Infinity;
  for (let i = 0; i < 3 && best >= 50; i++) {
    let busyDone = false;
    const busy = fetch(url + busyPath).then(async (r) => { await r.text(); busyDone = true; return r.status; });
    await new Promise((r) => setTimeout(r, 30));
    const t0 = performance.now();
    const r = await fetch(`${url}/plain`);
    await r.text();
    const took = performance.now() - t0;
    assert.ok(!busyDone, `${busyPath} finished before the plain request; the test proves nothing`);
    best = Math.min(best, took);
    assert.equal(await busy, 200);
  }
  return best;
}

test("main loop concurrently answers a plain request within 50 ms while another request hashes a password", async () => {
  const s = await serve(`listen on port 0 as srv
display srv
main loop concurrently:
    wait for request comes in on srv as req
    check if path is "/hash":
        store h as hash password "correct horse battery staple"
        store h2 as hash password "again"
        respond to req with "hashed"
    otherwise:
        respond to req with "plain"
    end check
end loop
`);
  const ms = await quickWhileBusy(s.url, "/hash");
  assert.ok(ms < 50, `plain request took ${ms} ms`);
  await stopsCleanly(s);
});

test("main loop concurrently answers a plain request within 50 ms while another runs SELECT pg_sleep(1) on PostgreSQL", { skip: process.env.WFL_SKIP_POSTGRES === "1" }, async () => {
  const { startPostgres } = await import("../scripts/pg-test-server.mjs");
  const pg = await startPostgres();
  if (!pg) throw new Error("PostgreSQL 15 is not installed; set WFL_SKIP_POSTGRES=1 to skip");
  try {
    const s = await serve(`connect to database at "${pg.url}" as db
listen on port 0 as srv
display srv
main loop concurrently:
    wait for request comes in on srv as req
    check if path is "/sleep":
        execute query "SELECT pg_sleep(1)" on db
        respond to req with "slept"
    otherwise:
        respond to req with "plain"
    end check
end loop
`);
    const ms = await quickWhileBusy(s.url, "/sleep");
    assert.ok(ms < 50, `plain request took ${ms} ms`);
    await stopsCleanly(s);
  } finally {
    await pg.stop();
  }
});

const SLOW_SERVER = (withHandler) => `listen on port 0 as web_server
display web_server
${withHandler ? "register signal handler for SIGTERM as shutdown_handler\n" : ""}main loop concurrently:
    wait for request comes in on web_server as req
    wait for 700 milliseconds
    respond to req with "finished " with path
end loop
${withHandler ? `define action called shutdown_handler:
    display "Shutting down gracefully..."
    stop accepting connections on web_server
    close server web_server
end action
` : ""}`;

for (const withHandler of [false, true]) {
  test(`SIGTERM during load (${withHandler ? "with" : "without"} a shutdown handler): every request gets a response, in-flight ones finish, queued ones get 503, exit code 0`, async () => {
    const s = await serve(SLOW_SERVER(withHandler), { web_server_max_concurrent_requests: 8, web_server_request_queue_bound: 100 });
    const all = Array.from({ length: 30 }, (_, i) => fetch(`${s.url}/r${i}`).then(async (r) => [r.status, await r.text()], (e) => ["error", String(e.cause ?? e)]));
    await new Promise((r) => setTimeout(r, 300));
    s.child.kill("SIGTERM");
    const results = await Promise.all(all);
    const code = await s.exited;
    assert.equal(code, 0, s.io.err);
    for (const [st, text] of results) assert.ok(st === 200 || st === 503, `${st} ${text}`);
    const finished = results.filter(([st]) => st === 200);
    assert.equal(finished.length, 8, JSON.stringify(results));
    for (const [, text] of finished) assert.match(text, /^finished \/r\d+$/);
    if (withHandler) assert.match(s.io.out, /Shutting down gracefully\.\.\./);
    assertNoHostTrace(s.io.err);
  });
}

test("raw-socket fuzz: malformed requests each get a 4xx or a closed connection, and the server stays up with no host stack trace", async () => {
  const s = await serve(ECHO, { web_server_max_body_size: 1000 });
  const H = "Host: x\r\nConnection: close\r\n";
  const cases = [
    "GET // HTTP/1.1\r\n" + H + "\r\n",
    "GET /// HTTP/1.1\r\n" + H + "\r\n",
    "GET //[ HTTP/1.1\r\n" + H + "\r\n",
    "GET //x:99999/ HTTP/1.1\r\n" + H + "\r\n",
    "GET //%zz/ HTTP/1.1\r\n" + H + "\r\n",
    "GET http://a:b@/ HTTP/1.1\r\n" + H + "\r\n",
    "GET /%zz%%%ff%c3%28 HTTP/1.1\r\n" + H + "\r\n",
    "GET /../../../etc/passwd HTTP/1.1\r\n" + H + "\r\n",
    "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n" + H + "\r\n",
    "GET /..%2f..%2fetc%2fpasswd HTTP/1.1\r\n" + H + "\r\n",
    "GET /\\..\\..\\windows HTTP/1.1\r\n" + H + "\r\n",
    "BREW /pot HTTP/1.1\r\n" + H + "\r\n",
    "G@T / HTTP/1.1\r\n" + H + "\r\n",
    "GET / HTTP/9.9\r\n" + H + "\r\n",
    "GET /\x00nul HTTP/1.1\r\n" + H + "\r\n",
    "GET / HTTP/1.1\r\nX-Huge: " + "a".repeat(70000) + "\r\n\r\n",
    "GET / HTTP/1.1\r\n" + Array.from({ length: 3000 }, (_, i) => `X-${i}: v`).join("\r\n") + "\r\n\r\n",
    "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
    "GET / HTTP/1.1\r\n" + H + " folded continuation\r\n\r\n",
    "POST / HTTP/1.1\r\n" + H + "Content-Length: abc\r\n\r\n",
    "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nzz\r\ngarbage\r\n",
    "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n",
    "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n" + "3e8\r\n" + "x".repeat(1000) + "\r\n3e8\r\n" + "x".repeat(1000) + "\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\n" + H + "Content-Length: 100000\r\n\r\nshort",
    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    "\r\n\r\n\r\n",
    "GET\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n",
    "GET /caf\xc3\xa9 HTTP/1.1\r\n" + H + "\r\n",
  ];
  for (const c of cases) {
    const r = await raw(s.port, Buffer.from(c, "latin1"), 800);
    const status = statusOf(r);
    assert.ok(r === "" || (status >= 400 && status < 500), `${JSON.stringify(c.slice(0, 60))} → ${JSON.stringify(r.slice(0, 80))}`);
  }
  // Truncated bodies: the client stops sending and goes away.
  await raw(s.port, "POST / HTTP/1.1\r\n" + H + "Content-Length: 50\r\n\r\nonly-part", 200, { endAfterWrite: true });
  await raw(s.port, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5\r\nhel", 200, { endAfterWrite: true });
  const ok = await fetch(`${s.url}/ok`);
  assert.equal(await ok.text(), "ok");
  await stopsCleanly(s);
  assertNoHostTrace(s.io.err);
});

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

test("50,000 requests through a main loop concurrently handler that fails half the time leave the server up with resident memory flat after warm-up", async () => {
  const { default: autocannon } = await import("autocannon");
  const s = await serve(`listen on port 0 as srv
display srv
main loop concurrently:
    wait for request comes in on srv as req
    check if path is "/fail":
        store zero as 0
        display 1 divided by zero
    end check
    respond to req with "ok"
end loop
`);
  const blast = (amount) => new Promise((resolve, reject) => {
    autocannon({ url: s.url, amount, connections: 32, requests: [{ path: "/ok" }, { path: "/fail" }] }, (e, r) => (e ? reject(e) : resolve(r)));
  });
  // Warm-up (the heap settles at its working size), then two more rounds.
  const rounds = [];
  const samples = [];
  for (const amount of [20_000, 15_000, 15_000]) {
    rounds.push(await blast(amount));
    samples.push(rssKb(s.child.pid) / 1024);
  }
  const ok = rounds.reduce((n, r) => n + r["2xx"], 0);
  const failed = rounds.reduce((n, r) => n + r["5xx"], 0);
  const other = rounds.reduce((n, r) => n + r["1xx"] + r["3xx"] + r["4xx"] + r.errors + r.timeouts, 0);
  // autocannon alternates the two paths per connection, so the halves are nearly even.
  assert.equal(ok + failed, 50_000);
  assert.ok(Math.abs(failed - 25_000) < 500, `${failed} failed`);
  assert.equal(other, 0);
  const grew = Math.max(samples[1], samples[2]) - samples[0];
  console.log(`# RSS after 20,000 requests ${samples[0].toFixed(1)} MB, after 35,000 ${samples[1].toFixed(1)} MB, after 50,000 ${samples[2].toFixed(1)} MB; ${Math.round(rounds.reduce((n, r) => n + r.requests.average, 0) / 3)} req/s`);
  assert.ok(grew < 20, `resident memory grew ${grew.toFixed(1)} MB over 30,000 requests after warm-up`);
  assert.equal(await (await fetch(`${s.url}/ok`)).text(), "ok");
  await stopsCleanly(s);
  assert.equal((s.io.err.match(/Division by zero/g) ?? []).length, failed);
  assertNoHostTrace(s.io.err);
});

// Helpers for WFLHub's operations tests (test/wflhub-ops.test.mjs, test/wflhub-load.test.mjs) and
// bench/wflhub.mjs: a round-robin TCP proxy in front of several instances, an HTTP client that
// opens one connection per request (so a proxy spreads them) and reports which instance answered,
// a .wflpkg (ustar + gzip) writer, and a multipart body builder.
import * as crypto from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import * as zlib from "node:zlib";

/**
 * A round-robin TCP proxy on a free loopback port in front of `backends` (a list of {port}; the
 * list may be changed while it runs, e.g. a restarted instance's new port). Each new connection
 * goes to the next backend; when that one refuses (it is shutting down or gone) the next is tried,
 * as a load balancer with health checks would. `whoServed(clientPort)` is the index of the backend
 * a connection went to; `counts[i]` how many connections each took.
 */
export async function startProxy(backends) {
  let next = 0;
  const served = new Map();
  const counts = backends.map(() => 0);
  const sockets = new Set();
  const server = net.createServer((client) => {
    sockets.add(client);
    // The client's bytes are kept until the backend answers anything: a backend that closes the
    // connection without a byte of answer (it was shutting down as the connection arrived) gets
    // the same bytes replayed to the next one (HAProxy's `retry-on conn-failure empty-response`).
    const buffered = [];
    let replied = false;
    let clientGone = false;
    let current = null;
    client.on("data", (d) => {
      if (!replied) buffered.push(d);
      if (current) current.write(d);
    });
    client.on("error", () => {});
    client.on("close", () => {
      clientGone = true;
      sockets.delete(client);
      current?.destroy();
    });
    // A retry goes to the backend after the one that failed (not to the shared next one, which
    // other connections move on meanwhile).
    const attempt = (tries, i) => {
      if (clientGone) return;
      if (tries >= 2 * backends.length) return client.destroy();
      const up = net.connect(backends[i].port, "127.0.0.1");
      sockets.add(up);
      up.once("connect", () => {
        served.set(client.remotePort, i);
        counts[i] = (counts[i] ?? 0) + 1;
        for (const d of buffered) up.write(d);
        current = up;
      });
      up.on("data", (d) => {
        replied = true;
        buffered.length = 0;
        client.write(d);
      });
      up.on("error", () => {});
      up.on("close", () => {
        sockets.delete(up);
        if (current === up) current = null;
        if (!replied && !clientGone) attempt(tries + 1, (i + 1) % backends.length);
        else client.end();
      });
    };
    const first = next % backends.length;
    next = (next + 1) % backends.length;
    attempt(0, first);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    counts,
    whoServed: (clientPort) => served.get(clientPort),
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/**
 * One HTTP request on a connection of its own (no keep-alive pool), so that consecutive requests
 * through the proxy go to alternating instances. Resolves with {status, headers, text, json(),
 * backend} (backend: the proxy's index of the instance that answered, when `proxy` is given);
 * rejects only when no HTTP answer came at all.
 */
export function request(base, path, { method = "GET", headers = {}, body, proxy } = {}) {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    let localPort;
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent: false,
      headers: { ...headers, ...(body !== undefined ? { "content-length": Buffer.byteLength(body) } : {}) },
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString("utf8");
        resolve({
          status: res.statusCode, headers: res.headers, text, bytes: buf,
          json: () => JSON.parse(text),
          backend: proxy ? proxy.whoServed(localPort) : undefined,
        });
      });
    });
    req.on("socket", (s) => s.once("connect", () => (localPort = s.localPort)));
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** JSON request helper on top of `request`. */
export function requestJson(base, path, value, opts = {}) {
  return request(base, path, {
    method: "POST", ...opts,
    headers: { "content-type": "application/json", ...(opts.headers ?? {}) },
    body: JSON.stringify(value),
  });
}

/** A ustar archive of `files` ({path: text|Buffer}), gzipped: what `wflpkg` publishes. */
export function makeWflpkg(files) {
  const blocks = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8");
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, "utf8");
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write("0", 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}

/** `wflhash:<sha256 hex>` of a buffer (the checksum field of a publish). */
export function wflhash(buf) {
  return "wflhash:" + crypto.createHash("sha256").update(buf).digest("hex");
}

/** A project.wfl manifest (grammar 1.0) for a package. */
export function manifest({ name, version, description = "A test package", license = "MIT", keywords = [], permissions, dependencies = [] }) {
  const q = (s) => JSON.stringify(s);
  const lines = ["create map package:", `    name is ${q(name)}`, `    version is ${q(version)}`, `    description is ${q(description)}`,
    `    authors is ["Test Author"]`, `    license is ${q(license)}`, `    keywords is [${keywords.map(q).join(", ")}]`];
  if (permissions) lines.push(`    permissions is [${permissions.map(q).join(", ")}]`);
  lines.push("end map");
  for (const d of dependencies) {
    lines.push("", "create map dependency:", `    name is ${q(d.name)}`, `    version is ${q(d.version)}`, "end map");
  }
  return lines.join("\n") + "\n";
}

/** A multipart/form-data body of `fields` ({name: text | {filename, content: Buffer}}): {body: Buffer, contentType}. */
export function multipart(fields) {
  const boundary = "----wflhub" + crypto.randomBytes(12).toString("hex");
  const parts = [];
  for (const [name, v] of Object.entries(fields)) {
    if (typeof v === "string") {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
    } else {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\nContent-Type: application/gzip\r\n\r\n`), v.content, Buffer.from("\r\n"));
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** p-th percentile (0–100) of a list of numbers. */
export function percentile(values, p) {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

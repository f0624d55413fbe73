#!/usr/bin/env node
// WFLHub measurements (issue 12: search over 10,000 packages under 50 ms at p95 on SQLite; a 10 MB
// publish under 1 s). Prints them and writes reports/wflhub-bench.json; timings never fail anything.
//
//   node bench/wflhub.mjs [--packages N] [--searches N] [--duration S] [--publishes N]
//
// 1. Seeds N packages (default 10,000) into a fresh SQLite data folder with apps/wflhub/seed.wfl
//    (each through publish_package with a real archive) and reports how long that took.
// 2. Starts the app on it (search limit raised), warms up, then sends --searches (default 1,000)
//    varied /api/v1/search requests one after another (names, words of descriptions, keywords,
//    misses, the three sorts, pages 1–3) and reports p50/p95/p99 latency as the client sees it;
//    then autocannon with 8 connections for --duration seconds (default 5) over the same queries
//    for throughput.
// 3. Publishes --publishes (default 3) archives of 10 MB (incompressible content, a project.wfl and
//    a README) through POST /api/v1/packages, timed end to end (request start to the answer).
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { startServer } from "../test/support/server.mjs";
import { request, requestJson, makeWflpkg, wflhash, manifest, multipart, percentile } from "../test/support/hub-ops.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const SECRET = "bench-secret-bench-secret-bench-secret-0123";

function option(name, fallback) {
  const i = process.argv.indexOf("--" + name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, "bin/wfl"), args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (process.stdout.isTTY) process.stdout.write(String(d));
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(" ")} exited ${code}: ${err.slice(-2000)}`))));
  });
}

const ms = (x) => `${x.toFixed(1)} ms`;

export async function runWflhubBench({ packages = 10_000, searches = 1000, duration = 5, publishes = 3 } = {}) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-bench-"));
  const env = {
    ...process.env, WFLHUB_PORT: "0", WFLHUB_DATA: data, WFLHUB_SECRET: SECRET,
    WFLHUB_LIMIT_SEARCH_PER_MINUTE: "100000000", WFLHUB_LIMIT_DOWNLOAD_PER_MINUTE: "100000000", WFLHUB_LIMIT_PUBLISH_PER_HOUR: "100000",
  };
  delete env.WFLHUB_DATABASE_URL;
  delete env.WFLHUB_SMTP_URL;
  const report = { generatedAt: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}; node ${process.version}`, packages };
  let hub = null;
  try {
    console.log(`wflhub bench: seeding ${packages} packages (apps/wflhub/seed.wfl) into ${data}`);
    let t = performance.now();
    const seedOut = await run([path.join(root, "apps/wflhub/seed.wfl"), String(packages)], env);
    report.seedSeconds = (performance.now() - t) / 1000;
    console.log(seedOut.trim().split("\n").pop());
    console.log(`seed: ${report.seedSeconds.toFixed(1)} s (${(report.seedSeconds * 1000 / packages).toFixed(2)} ms per package)`);

    hub = await startServer(path.join(root, "apps/wflhub/main.wfl"), { env });
    const base = hub.base;

    // Queries: exact names, topic words, keywords, two words, misses; sorts and pages.
    const words = ["json", "http", "csv", "markdown", "date", "color", "cli", "test", "template", "sql", "config", "log", "uuid",
      "math", "router", "cache", "queue", "image", "yaml", "crypto", "mail", "html", "xml", "zip", "auth", "graph", "stats", "string", "money", "geo"];
    const extra = ["fast json", "tiny-http-kit", "http-client", "web servers", "parser", "streaming", "kit", "helpers", "nothing-matches-this", "a", "text-utils", "friendly error"];
    const sorts = ["relevance", "downloads", "recent"];
    const queries = [];
    for (let i = 0; i < 300; i++) {
      const q = i % 4 === 3 ? extra[i % extra.length] : words[(i * 7) % words.length];
      queries.push(`/api/v1/search?q=${encodeURIComponent(q)}&sort=${sorts[i % 3]}&page=${(i % 5 === 4) ? 2 + (i % 2) : 1}`);
    }
    for (let i = 0; i < 50; i++) await request(base, queries[i % queries.length]);
    const sample = await request(base, "/api/v1/search?q=json");
    report.sampleTotal = sample.json().total;

    const lat = [];
    const statuses = {};
    for (let i = 0; i < searches; i++) {
      const s = performance.now();
      const r = await request(base, queries[i % queries.length]);
      lat.push(performance.now() - s);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }
    report.search = { requests: searches, statuses, p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), max: Math.max(...lat) };
    console.log(`search over ${packages} packages, one at a time: ${searches} requests ${JSON.stringify(statuses)}; p50 ${ms(report.search.p50)}, p95 ${ms(report.search.p95)} (target < 50 ms), p99 ${ms(report.search.p99)}, max ${ms(report.search.max)}`);

    let n = 0;
    const cannon = await autocannon({
      url: base, connections: 8, duration,
      requests: [{ setupRequest: (req) => ({ ...req, path: queries[n++ % queries.length] }) }],
    });
    report.searchThroughput = { connections: 8, duration, rps: cannon.requests.average, p50: cannon.latency.p50, p97_5: cannon.latency.p97_5, p99: cannon.latency.p99, non2xx: cannon.non2xx, errors: cannon.errors };
    console.log(`search under autocannon (8 connections, ${duration} s): ${cannon.requests.average.toFixed(0)} req/s, latency p50 ${cannon.latency.p50} ms, p97.5 ${cannon.latency.p97_5} ms, p99 ${cannon.latency.p99} ms, non-2xx ${cannon.non2xx}, errors ${cannon.errors}`);

    // A publisher: registered through the API, verified in the database (no mail server here), logged in.
    const username = "bench-" + crypto.randomBytes(3).toString("hex");
    const password = "bench password 123";
    const reg = await requestJson(base, "/api/v1/register", { username, email: `${username}@example.test`, password });
    if (reg.status >= 300) throw new Error(`register: ${reg.status} ${reg.text}`);
    const db = new Database(path.join(data, "wflhub.db"));
    db.prepare("UPDATE users SET email_verified = 1 WHERE username = ?").run(username);
    db.close();
    const login = await requestJson(base, "/api/v1/login", { username, password });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
    const token = login.json().token;
    const times = [];
    for (let i = 0; i < publishes; i++) {
      const name = "bench-big";
      const version = `26.3.${i + 1}`;
      const archive = makeWflpkg({
        "project.wfl": manifest({ name, version, description: "A 10 MB package for the publish benchmark", keywords: ["bench"] }),
        "README.md": "# bench-big\n\nTen megabytes of data.\n",
        "assets/blob.bin": crypto.randomBytes(10 * 1024 * 1024),
      });
      const form = multipart({ name, version, checksum: wflhash(archive), archive: { filename: `${name}.wflpkg`, content: archive } });
      const s = performance.now();
      const r = await request(base, "/api/v1/packages", { method: "POST", body: form.body, headers: { "content-type": form.contentType, authorization: "Bearer " + token } });
      const took = performance.now() - s;
      if (r.status >= 300) throw new Error(`publish: ${r.status} ${r.text}`);
      times.push(took);
      console.log(`publish of ${(archive.length / 1048576).toFixed(2)} MiB (${version}): ${ms(took)} end to end (target < 1 s)`);
    }
    report.publish10MB = { runs: times, best: Math.min(...times), median: percentile(times, 50) };
  } finally {
    if (hub && hub.child.exitCode === null) {
      hub.child.kill("SIGTERM");
      await hub.exited;
    }
    fs.rmSync(data, { recursive: true, force: true });
  }
  const out = path.join(root, "reports", "wflhub-bench.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
  console.log(`report: ${path.relative(root, out)}`);
  return report;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runWflhubBench({
    packages: option("packages", 10_000),
    searches: option("searches", 1000),
    duration: option("duration", 5),
    publishes: option("publishes", 3),
  });
}

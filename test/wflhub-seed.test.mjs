// apps/wflhub/seed.wfl loads example packages through the registry's own publish_package (real
// archives with a project.wfl manifest and a README), and the app then serves them: details with
// dependencies, dependents, permissions, a rendered README and downloads; search finds them; the
// archives download with their checksums. Running it again adds nothing. Settings come from the
// environment as the app's do (here a fresh SQLite data folder); a TOML file named by WFLHUB_CONFIG
// works too, with the environment winning over it.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startHub, root, TEST_SECRET, hubProgram } from "./support/wflhub.mjs";
import { killServers, startServer } from "./support/server.mjs";
import { request, wflhash } from "./support/hub-ops.mjs";
import * as crypto from "node:crypto";
import * as zlib from "node:zlib";

after(() => killServers());

function seed(args, env) {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "bin/wfl"), [path.join(root, "apps/wflhub/seed.wfl"), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

test("seed.wfl 25 publishes the examples and generated packages through publish_package; the app serves them; a second run adds nothing", async (t) => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-seed-"));
  try {
    const env = { ...process.env, WFLHUB_DATA: data, WFLHUB_SECRET: TEST_SECRET };
    delete env.WFLHUB_DATABASE_URL;
    delete env.WFLHUB_SMTP_URL;
    const probe = await startHub({ dataDir: data });
    const hasRegistry = (await request(probe.base, "/api/v1/search?q=x")).status !== 404;
    assert.equal(await probe.stop(), 0);
    if (!hasRegistry) return t.skip("the registry has not landed yet");

    const first = await seed(["25"], env);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /Seeded WFLHub \(sqlite\): 33 versions published, 0 already there, 0 failed; 25 packages in all\./);
    const again = await seed(["25"], env);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /0 versions published, 33 already there, 0 failed; 25 packages in all\./);
    const bad = await seed(["many"], env);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /Usage: wfl apps\/wflhub\/seed\.wfl \[NUMBER OF PACKAGES\]/);

    const hub = await startHub({ dataDir: data });
    try {
      const info = await request(hub.base, "/api/v1/packages/http-client");
      assert.equal(info.status, 200);
      const pkg = info.json();
      assert.equal(pkg.author, "seed");
      assert.equal(pkg.latest_version, "26.2.1");
      assert.deepEqual(pkg.versions, ["26.2.1", "26.1.3", "25.12.8"]);
      assert.deepEqual(pkg.permissions, ["network-access"]);
      assert.equal(pkg.license, "MIT");
      assert.equal(pkg.downloads, 21305);
      assert.deepEqual(pkg.dependencies.map((d) => [d.name, d.version]), [["json-parser", "25.12 or newer"]]);
      const logger = (await request(hub.base, "/api/v1/packages/logger")).json();
      assert.deepEqual(logger.dependencies.map((d) => d.name).sort(), ["date-time", "json-parser"]);
      const found = (await request(hub.base, "/api/v1/search?q=json&sort=downloads")).json();
      const results = Array.isArray(found) ? found : found.results;
      assert.ok(results.length >= 3);
      assert.deepEqual(results.slice(0, 3).map((r) => r.name), ["http-client", "logger", "json-parser"], "by downloads, the most downloaded matches first");
      const generated = (await request(hub.base, "/api/v1/packages/fast-json-kit")).json();
      assert.equal(generated.description, "The fast json kit for WFL with a small footprint");
      const versions = await request(hub.base, "/api/v1/packages/text-utils/versions");
      const list = versions.json().versions ?? versions.json();
      const dl = await request(hub.base, "/api/v1/packages/text-utils/26.1.1/download");
      assert.equal(dl.status, 200);
      assert.equal(wflhash(dl.bytes), list.find((v) => v.version === "26.1.1").checksum, "the archive is what was published");
      const tar = zlib.gunzipSync(dl.bytes).toString("utf8");
      for (const piece of ["project.wfl", "README.md", "src/main.wfl", 'create map package:\n    name is "text-utils"\n    version is "26.1.1"', "wflpkg add text-utils"]) {
        assert.ok(tar.includes(piece), `the archive holds ${JSON.stringify(piece)}`);
      }
    } finally {
      assert.equal(await hub.stop(), 0);
    }
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
});

test("settings come from a TOML file named by WFLHUB_CONFIG, and the environment wins over the file", async () => {
  const fromFile = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-conf-file-"));
  const fromEnv = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-conf-env-"));
  const config = path.join(fromFile, "wflhub.toml");
  const secret = crypto.randomBytes(24).toString("hex");
  fs.writeFileSync(config, `port = 0\ndata = ${JSON.stringify(fromFile)}\nsecret = ${JSON.stringify(secret)}\nbase_url = "https://hub.example.test"\n`);
  const env = { ...process.env, WFLHUB_CONFIG: config };
  for (const k of Object.keys(env)) if (k.startsWith("WFLHUB_") && k !== "WFLHUB_CONFIG") delete env[k];
  try {
    const a = await startServer(hubProgram, { env });
    assert.ok((await request(a.base, "/healthz")).status === 200);
    a.child.kill("SIGTERM");
    assert.equal(await a.exited, 0);
    assert.ok(fs.existsSync(path.join(fromFile, "wflhub.db")), "the data folder of the file");
    assert.ok(!fs.existsSync(path.join(fromFile, "secret.key")), "the secret of the file (none made)");
    const b = await startServer(hubProgram, { env: { ...env, WFLHUB_DATA: fromEnv } });
    b.child.kill("SIGTERM");
    assert.equal(await b.exited, 0);
    assert.ok(fs.existsSync(path.join(fromEnv, "wflhub.db")), "the environment's data folder wins");
  } finally {
    fs.rmSync(fromFile, { recursive: true, force: true });
    fs.rmSync(fromEnv, { recursive: true, force: true });
  }
});

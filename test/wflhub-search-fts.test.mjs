// WFLHub search through its full-text index (lib/registry_search.wfl, the migration in lib/db.wfl):
// SQLite FTS5 (trigram) and a PostgreSQL tsvector GIN index narrow the candidates; the results must
// be those of the plain LIKE search (test/wflhub-api.test.mjs holds the ranking contract). Here:
// query text that is FTS syntax is plain text, the index follows publish / new description / yank,
// as-you-type prefixes, and that the PostgreSQL index is the one the query can use.
// Real app, real HTTP, real SQLite and PostgreSQL 15 (WFL_SKIP_POSTGRES=1 skips the latter).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { startHub, postgresForTests, openHubDb, makeUser, makeToken } from "./support/wflhub.mjs";
import { killServers } from "./support/server.mjs";
import { wflpkg, manifest, publish } from "./support/wflpkg.mjs";

const skipPg = process.env.WFL_SKIP_POSTGRES === "1"; // (postgresForTests skips the same way)
const RAISED = { WFLHUB_LIMIT_SEARCH_PER_MINUTE: "100000", WFLHUB_LIMIT_DOWNLOAD_PER_MINUTE: "100000", WFLHUB_LIMIT_PUBLISH_PER_HOUR: "100000" };
// The PostgreSQL expression lib/db.wfl indexes and lib/registry_search.wfl queries.
const PG_VECTOR = "to_tsvector('simple', regexp_replace(p.name || ' ' || p.description || ' ' || p.keywords, '[!-/:-@[-`{-~]+', ' ', 'g'))";
after(() => killServers()); // registered first: the hubs stop before their PostgreSQL does
const pgTest = postgresForTests();

const pkg = (name, version, opts = {}) => wflpkg({ "project.wfl": manifest({ name, version, ...opts }), "src/main.wfl": `display "${name}"\n` });
const names = async (base, q) => {
  const res = await fetch(base + "/api/v1/search?q=" + encodeURIComponent(q));
  const body = await res.json();
  assert.equal(res.status, 200, `q=${q}: ${JSON.stringify(body)}`);
  return body.map((r) => r.name);
};

for (const engine of ["sqlite", "postgresql"]) {
  describe(`WFLHub full-text search on ${engine}`, { concurrency: 1, skip: engine === "postgresql" && skipPg ? "WFL_SKIP_POSTGRES=1" : false }, () => {
    let hub, db, url, token;
    before(async () => {
      if (engine === "postgresql") {
        url = await pgTest.freshDatabase(`wflhub_fts_${process.pid}`);
      }
      hub = await startHub({ databaseUrl: url, env: RAISED });
      db = await openHubDb(engine, hub, url);
      token = await makeToken(db, await makeUser(db, "fts-user"), "full");
      const list = [
        ["json-stream", { description: "Streams JSON documents", keywords: ["json", "stream"] }],
        ["cpp-bridge", { description: "Calls C++ (beta): 'quoted' NEAR* text-mode a-b", keywords: ["ffi"] }],
        ["config-loader", { description: "Loads settings from config.json files", keywords: ["config"] }],
      ];
      for (const [name, opts] of list) {
        const r = await publish(hub.base, token, { name, version: "26.1.1", archive: pkg(name, "26.1.1", opts) });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
    });
    after(async () => {
      await db?.close();
      await hub?.stop();
    });

    test("FTS syntax in a query is plain text: quotes, *, NEAR, -, :, unbalanced parentheses answer 200 with only literal matches", async () => {
      assert.deepEqual(await names(hub.base, '"quoted"'), [], "double quotes are characters, not an FTS phrase");
      assert.deepEqual(await names(hub.base, '"quoted'), []);
      assert.deepEqual(await names(hub.base, "'quoted'"), ["cpp-bridge"]);
      assert.ok((await names(hub.base, '"')).includes("cpp-bridge"), "a lone quote is a character (keywords are stored as JSON text, so it is in every package with keywords)");
      assert.deepEqual(await names(hub.base, 'quo"ted'), []);
      assert.deepEqual(await names(hub.base, "NEAR*"), ["cpp-bridge"]);
      assert.deepEqual(await names(hub.base, "json*"), []);
      assert.deepEqual(await names(hub.base, "*"), ["cpp-bridge"]);
      assert.deepEqual(await names(hub.base, "NEAR(json stream)"), []);
      assert.deepEqual(await names(hub.base, "(beta):"), ["cpp-bridge"]);
      assert.deepEqual(await names(hub.base, "(beta"), ["cpp-bridge"]);
      assert.deepEqual(await names(hub.base, "beta)"), ["cpp-bridge"]);
      assert.deepEqual(await names(hub.base, "(("), []);
      assert.deepEqual(await names(hub.base, "name:json"), []);
      assert.deepEqual(await names(hub.base, "description:streams"), []);
      assert.deepEqual(await names(hub.base, "json -stream"), ["json-stream"], "- is a character, not NOT: json-stream contains -stream");
      assert.deepEqual(await names(hub.base, "json -yaml"), []);
      assert.deepEqual(await names(hub.base, "text-mode"), ["cpp-bridge"]);
      assert.deepEqual(await names(hub.base, "C++"), ["cpp-bridge"]);
      assert.deepEqual(await names(hub.base, "json OR ffi"), []);
      assert.deepEqual(await names(hub.base, "json AND stream"), []);
      assert.deepEqual(await names(hub.base, "NOT ffi"), []);
      assert.deepEqual(await names(hub.base, "^json"), []);
      assert.deepEqual(await names(hub.base, "{name}: json"), []);
    });

    test("words are found in names, descriptions and keywords through the index; a word typed so far finds by prefix", async () => {
      assert.deepEqual(await names(hub.base, "json"), ["json-stream", "config-loader"]);
      assert.deepEqual(await names(hub.base, "jso"), ["json-stream", "config-loader"], "as-you-type: a prefix");
      assert.deepEqual(await names(hub.base, "JSON Stre"), ["json-stream"]);
      assert.deepEqual(await names(hub.base, "conf load"), ["config-loader"]);
      assert.deepEqual(await names(hub.base, "ffi"), ["cpp-bridge"]);
      assert.deepEqual(await names(hub.base, "js"), ["json-stream", "config-loader"], "a word shorter than the index's terms still matches");
    });

    test("the index follows the packages: a new version's description replaces the old words, a fully yanked package leaves search", async () => {
      const first = await publish(hub.base, token, { name: "zoo-keeper", version: "26.1.1", archive: pkg("zoo-keeper", "26.1.1", { description: "Feeds the zebras", keywords: ["animals"] }) });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.deepEqual(await names(hub.base, "zebras"), ["zoo-keeper"]);
      const second = await publish(hub.base, token, { name: "zoo-keeper", version: "26.1.2", archive: pkg("zoo-keeper", "26.1.2", { description: "Feeds the okapis", keywords: ["savanna"] }) });
      assert.equal(second.status, 201, JSON.stringify(second.body));
      assert.deepEqual(await names(hub.base, "zebras"), []);
      assert.deepEqual(await names(hub.base, "animals"), []);
      assert.deepEqual(await names(hub.base, "okapis savanna"), ["zoo-keeper"]);
      // A description changed in the database directly (an admin's fix) is followed too.
      await db.run("UPDATE packages SET description = 'Grooms the giraffes' WHERE name = 'zoo-keeper'");
      assert.deepEqual(await names(hub.base, "okapis"), []);
      assert.deepEqual(await names(hub.base, "giraffes"), ["zoo-keeper"]);
      for (const v of ["26.1.2", "26.1.1"]) {
        const res = await fetch(`${hub.base}/api/v1/packages/zoo-keeper/${v}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 200, await res.text());
      }
      assert.deepEqual(await names(hub.base, "giraffes"), []);
      if (engine === "sqlite") {
        const [{ n }] = await db.all("SELECT COUNT(*) AS n FROM packages_fts");
        const [{ m }] = await db.all("SELECT COUNT(*) AS m FROM packages");
        assert.equal(n, m, "one index row per package");
        const rows = await db.all("SELECT f.description FROM packages_fts f JOIN packages p ON p.id = f.package_id WHERE p.name = 'zoo-keeper'");
        assert.deepEqual(rows.map((r) => r.description), ["Grooms the giraffes"]);
        await db.run("DELETE FROM versions WHERE package_id = (SELECT id FROM packages WHERE name = 'zoo-keeper')");
        await db.run("DELETE FROM packages WHERE name = 'zoo-keeper'");
        const [{ k }] = await db.all("SELECT COUNT(*) AS k FROM packages_fts");
        assert.equal(k, m - 1, "a deleted package leaves the index");
      }
    });

    test("the full-text index exists and the search's condition can use it", async () => {
      if (engine === "sqlite") {
        const [row] = await db.all("SELECT sql FROM sqlite_master WHERE name = 'packages_fts'");
        assert.match(row.sql, /fts5/i);
        assert.match(row.sql, /trigram/);
        const triggers = (await db.all("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'packages' ORDER BY name")).map((r) => r.name);
        assert.deepEqual(triggers, ["packages_fts_delete", "packages_fts_insert", "packages_fts_update"]);
        const plan = (await db.all("EXPLAIN QUERY PLAN SELECT p.name FROM packages p WHERE p.id IN (SELECT package_id FROM packages_fts WHERE packages_fts MATCH $1)", ['"json"'])).map((r) => r.detail).join("\n");
        assert.match(plan, /VIRTUAL TABLE INDEX/, plan);
        assert.doesNotMatch(plan, /SCAN p\b/, plan);
      } else {
        const idx = await db.all("SELECT indexdef FROM pg_indexes WHERE indexname = 'packages_search'");
        assert.equal(idx.length, 1);
        assert.match(idx[0].indexdef, /gin/i);
        await db.run("SET enable_seqscan = off");
        const plan = (await db.all(`EXPLAIN SELECT p.name FROM packages p WHERE ${PG_VECTOR} @@ to_tsquery('simple', $1)`, ["json:*"])).map((r) => r["QUERY PLAN"]).join("\n");
        await db.run("SET enable_seqscan = on");
        assert.match(plan, /packages_search/, plan);
      }
    });
  });
}

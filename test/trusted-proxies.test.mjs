// client_ip behind a reverse proxy: with web_server_trusted_proxies in .wflcfg, a request whose
// connection comes from a listed proxy takes its address from X-Forwarded-For (the nearest
// address that is not a trusted proxy); from anywhere else, or without the setting, the header
// is ignored, so a client cannot pick its own address. Real servers, real HTTP, raw headers.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServer, killServers } from "./support/server.mjs";

after(() => killServers());

const program = `listen on port 0 as server
display server
define action called who with parameters request:
    respond to request with client_ip of request
end action
register route "GET" at "/who" on server as who
start server
`;

async function serverWith(config) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-proxies-"));
  fs.writeFileSync(path.join(dir, "who.wfl"), program);
  if (config) fs.writeFileSync(path.join(dir, ".wflcfg"), config);
  const s = await startServer(path.join(dir, "who.wfl"), { cwd: dir });
  s.dir = dir;
  return s;
}
const who = async (s, forwarded) => (await fetch(s.base + "/who", { headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded } })).text();

test("without web_server_trusted_proxies, X-Forwarded-For is ignored: client_ip is the connection's address", async () => {
  const s = await serverWith(null);
  assert.equal(await who(s), "127.0.0.1");
  assert.equal(await who(s, "203.0.113.9"), "127.0.0.1");
  s.child.kill();
});

test("from a trusted proxy, client_ip is the nearest untrusted address in X-Forwarded-For; garbage and all-trusted chains keep the proxy's", async () => {
  const s = await serverWith("web_server_trusted_proxies = 127.0.0.1, ::1\nweb_server_access_log = true\n");
  assert.equal(await who(s), "127.0.0.1", "no header: the connection's address");
  assert.equal(await who(s, "203.0.113.9"), "203.0.113.9");
  assert.equal(await who(s, "198.51.100.7, 203.0.113.9"), "203.0.113.9", "the client's own claim (left) is not believed past the proxy's");
  assert.equal(await who(s, "203.0.113.9, 127.0.0.1"), "203.0.113.9", "a second trusted proxy is skipped");
  assert.equal(await who(s, "::ffff:203.0.113.10"), "203.0.113.10", "IPv4-mapped IPv6 as plain IPv4");
  assert.equal(await who(s, "not-an-address"), "127.0.0.1");
  assert.equal(await who(s, "127.0.0.1"), "127.0.0.1");
  // The access log names the same client.
  await new Promise((r) => setTimeout(r, 100));
  assert.match(s.io.err, /"client_ip":"203\.0\.113\.9"/);
  s.child.kill();
});

test("a proxy that is not listed is not trusted", async () => {
  const s = await serverWith("web_server_trusted_proxies = 10.0.0.1\n");
  assert.equal(await who(s, "203.0.113.9"), "127.0.0.1");
  s.child.kill();
});

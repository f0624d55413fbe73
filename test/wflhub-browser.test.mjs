// The WFLHub portal in a real browser: Playwright (playwright-core) driving Debian's Chromium
// (/usr/bin/chromium, which .ci/run installs; CHROMIUM_PATH names another), against the app started
// as an operator would (test/support/wflhub.mjs) with its e-mail going to a real SMTP server on
// loopback (test/support/smtp.mjs).
//
// The journey: register, open the verification link from the captured e-mail, log in (a new
// session), create an API token on the dashboard (shown once), publish two versions of a package
// through the API with that token (a .wflpkg tar.gz built here: project.wfl + README.md), find it
// by search, open its page (README rendered, install line), its author's profile, yank a version
// from the dashboard and see it marked yanked. Every page passes axe-core (no violation of impact
// serious or critical), and the search and log-in also work in a context with JavaScript disabled.
//
// Screenshots: a full-page PNG of each portal page is written to test-artifacts/wflhub/<page>.png
// (gitignored), for people to look at.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as crypto from "node:crypto";
import * as zlib from "node:zlib";
import { createRequire } from "node:module";
import tar from "tar-stream";
import { startHub, root } from "./support/wflhub.mjs";
import { startMailServer } from "./support/smtp.mjs";
import { killServers } from "./support/server.mjs";

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(root, "test-artifacts/wflhub");
const haveChromium = fs.existsSync(CHROMIUM);

after(() => killServers());

/** A .wflpkg: a gzipped tar archive (tar-stream) of the given files (path → text). */
async function wflpkg(files) {
  const pack = tar.pack();
  const chunks = [];
  pack.on("data", (c) => chunks.push(c));
  const done = new Promise((resolve, reject) => { pack.on("end", resolve); pack.on("error", reject); });
  for (const [name, text] of Object.entries(files)) pack.entry({ name, mode: 0o644, mtime: new Date(0) }, text);
  pack.finalize();
  await done;
  return zlib.gzipSync(Buffer.concat(chunks));
}

function manifest(name, version, dependsOn) {
  const dependency = dependsOn ? ["", "create map dependency:", `    name is "${dependsOn}"`, '    version is "26.1 or newer"', "end map"] : [];
  return [
    "create map package:",
    `    name is "${name}"`,
    `    version is "${version}"`,
    '    description is "Friendly greetings for WFL programs"',
    '    authors is ["Ada Browser"]',
    '    license is "MIT"',
    '    keywords is ["greeting", "cli"]',
    '    repository is "https://example.org/ada/greeter"',
    '    permissions is ["network-access"]',
    "end map",
    ...dependency,
    "",
  ].join("\n");
}

const README = "# Greeter\n\nSays **hello** to the world.\n\n## Usage\n\n```\ngreet \"Ada\"\n```\n\n<script>alert(1)</script>\n";

async function publish(base, token, name, version, dependsOn) {
  const archive = await wflpkg({ "project.wfl": manifest(name, version, dependsOn), "README.md": README, "src/main.wfl": 'display "hello"\n' });
  const form = new FormData();
  form.set("name", name);
  form.set("version", version);
  form.set("checksum", "wflhash:" + crypto.createHash("sha256").update(archive).digest("hex"));
  form.set("archive", new Blob([archive], { type: "application/gzip" }), `${name}-${version}.wflpkg`);
  const res = await fetch(base + "/api/v1/packages", { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  assert.ok(res.status === 201 || res.status === 200, `publish ${name} ${version}: ${res.status} ${text}`);
}

test("the portal journey in Chromium: register, verify by e-mail, log in, token, publish, search, package page, yank; every page accessible, and usable without JavaScript", { skip: !haveChromium && `no Chromium at ${CHROMIUM}`, timeout: 120_000 }, async () => {
  const { chromium } = await import("playwright-core");
  const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const mail = await startMailServer();
  const hub = await startHub({ mail });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const checked = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));

    /** axe-core on the current page (no serious/critical violation) and a full-page screenshot. */
    const look = async (name) => {
      await page.evaluate(axeSource);
      const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
      const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], `accessibility of ${name} (${page.url()})`);
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
      checked.push(name);
    };
    const main = () => page.locator("main");

    // Home.
    await page.goto(hub.base + "/");
    assert.equal(await page.locator("html").getAttribute("lang"), "en");
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Find WFL packages");
    await look("home");

    // Register.
    const username = "ada-browser";
    const email = "ada@browser.test";
    const password = "correct horse battery";
    await page.getByRole("link", { name: "Register" }).click();
    await look("register");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("E-mail address").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your e-mail" }).waitFor();
    await look("register-done");

    // The verification link from the e-mail the SMTP server received.
    const message = await mail.next((m) => m.to.includes(email));
    const link = /https?:\/\/[^\s"<>]+\/verify-email\?token=[^\s"<>]+/.exec(message.text);
    assert.ok(link, `a verification link in the e-mail:\n${message.text}`);
    const verify = new URL(link[0]);
    await page.goto(hub.base + verify.pathname + verify.search);
    await page.getByRole("heading", { name: "E-mail address confirmed" }).waitFor();
    await look("verify-email");

    // Log in: a new session.
    await page.goto(hub.base + "/login");
    await look("login");
    const before = (await context.cookies()).find((c) => c.name === "wfl_session")?.value;
    assert.ok(before, "the log-in form made a session for its CSRF token");
    await page.getByLabel("Username or e-mail address").fill(username);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(/\/dashboard/);
    const afterLogin = (await context.cookies()).find((c) => c.name === "wfl_session")?.value;
    assert.ok(afterLogin && afterLogin !== before, "logging in gives a new session id");
    assert.match(await main().textContent(), /Welcome, ada-browser/);

    // A POST without the CSRF token is refused.
    const forged = await page.request.post(hub.base + "/dashboard/tokens", { form: { name: "forged", scope: "full" }, maxRedirects: 0 });
    assert.equal(forged.status(), 403);

    // Create a token: shown once.
    await page.getByLabel("Name", { exact: true }).fill("browser test");
    await page.getByLabel(/^Publish/).check();
    await page.getByRole("button", { name: "Create token" }).click();
    const token = await page.getByLabel("Token", { exact: true }).inputValue();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, "a JWT");
    assert.match(await main().textContent(), /shown only once/);
    await look("dashboard-new-token");
    await page.goto(hub.base + "/dashboard");
    assert.equal(await page.getByLabel("Token", { exact: true }).count(), 0, "the token is not shown again");
    assert.match(await page.locator("#tokens").textContent(), /browser test/);

    // Account settings: a bio, shown on the profile.
    await page.getByLabel("Bio").fill("Writes WFL in the browser.");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/dashboard/);
    assert.match(await main().textContent(), /Your profile is saved/);

    // Publish two versions through the API with that token, and a package that depends on it.
    const pkg = "browser-greeter";
    await publish(hub.base, token, pkg, "26.1.1");
    await publish(hub.base, token, pkg, "26.1.2");
    await publish(hub.base, token, "greeter-cli", "26.1.1", pkg);
    await page.reload();
    assert.match(await page.locator("#tokens").textContent(), /browser test/);
    assert.doesNotMatch(await page.locator("#tokens tbody tr").first().textContent(), /never/, "the token's last use is shown");
    await look("dashboard");

    // A download makes it trending; the home page lists it, with the counts.
    const download = await fetch(hub.base + `/api/v1/packages/${pkg}/26.1.1/download`);
    assert.equal(download.status, 200);
    await download.arrayBuffer();

    // Find it by search.
    await page.goto(hub.base + "/");
    assert.match(await page.locator("section", { has: page.getByRole("heading", { name: "Trending this week" }) }).textContent(), new RegExp(pkg));
    assert.match(await page.locator("section", { has: page.getByRole("heading", { name: "Recently published" }) }).textContent(), /greeter-cli/);
    assert.match(await page.locator(".stats").textContent(), /2\s*packages\s*1\s*users\s*1\s*downloads/);
    await look("home-with-packages");
    await page.getByLabel(/Search packages by name/).fill("greeter");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/search\?q=greeter/);
    const card = page.getByRole("link", { name: pkg, exact: true });
    await card.waitFor();
    await look("search");
    // Filters are a GET form: a permission the package does not ask for finds nothing; its own does.
    await page.getByLabel("Permissions required").selectOption("system-access");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/permission=system-access/);
    assert.match(await main().textContent(), /No package matches/);
    await page.getByLabel("Permissions required").selectOption("network-access");
    await page.getByLabel("Sort by").selectOption("downloads");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/permission=network-access/);
    assert.match(await main().textContent(), /2 packages found/);

    // Its page: README rendered (raw HTML not), install line, versions, permissions.
    await page.getByRole("link", { name: pkg, exact: true }).click();
    await page.waitForURL(new RegExp(`/packages/${pkg}`));
    assert.equal(await page.locator(".readme h1").textContent(), "Greeter");
    assert.equal(await page.locator(".readme strong").textContent(), "hello");
    assert.equal(await page.locator(".readme script").count(), 0, "raw HTML in the README is not rendered");
    assert.equal((await page.locator(".install code").textContent()).trim(), `wflpkg add ${pkg}`);
    assert.match(await page.locator("#versions").textContent(), /26\.1\.2[\s\S]*26\.1\.1/);
    assert.match(await page.locator("#permissions").textContent(), /network-access\s*Can connect to other computers over the network/);
    assert.match(await page.locator("#dependents").textContent(), /greeter-cli\s+26\.1\.1\s+needs 26\.1 or newer/);
    const repo = page.locator(".package-side a[href='https://example.org/ada/greeter']");
    assert.equal(await repo.getAttribute("rel"), "nofollow noopener");
    await look("package");
    await page.getByLabel("Version", { exact: true }).selectOption("26.1.1");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/version=26\.1\.1/);
    assert.match(await page.locator(".selected-version").textContent(), /of version 26\.1\.1\. Version 26\.1\.1, published/);
    assert.equal(await page.locator(".readme h1").textContent(), "Greeter");
    // The dependent's page lists its dependency.
    await page.locator("#dependents").getByRole("link", { name: "greeter-cli" }).click();
    await page.waitForURL(/\/packages\/greeter-cli$/);
    assert.match(await page.locator("#dependencies").textContent(), /browser-greeter\s+26\.1 or newer/);
    await page.goto(hub.base + `/packages/${pkg}?version=26.1.1`);

    // The author's profile.
    await page.locator(".package-side").getByRole("link", { name: username }).click();
    await page.waitForURL(new RegExp(`/users/${username}`));
    assert.match(await main().textContent(), new RegExp(pkg));
    assert.match(await main().textContent(), /Writes WFL in the browser\./);
    await look("user");

    // Yank 26.1.2 from the dashboard; the package page marks it.
    await page.goto(hub.base + "/dashboard");
    await page.getByLabel(`Version of ${pkg} to yank`).selectOption("26.1.2");
    await page.locator("form", { has: page.getByLabel(`Version of ${pkg} to yank`) }).getByRole("button", { name: "Yank" }).click();
    await page.waitForURL(/\/dashboard/);
    assert.match(await main().textContent(), /26\.1\.2 of browser-greeter is yanked/);
    await page.goto(hub.base + `/packages/${pkg}`);
    const yankedRow = page.locator("#versions tbody tr", { hasText: "26.1.2" });
    assert.match(await yankedRow.textContent(), /Yanked/);
    assert.match(await page.locator("#versions tbody tr", { hasText: "26.1.1" }).textContent(), /Available/);
    await look("package-yanked");

    // Unknown package and user: the 404 page.
    const missing = await page.goto(hub.base + "/packages/no-such-package");
    assert.equal(missing.status(), 404);
    await look("not-found");
    assert.equal((await page.goto(hub.base + "/users/no-such-user")).status(), 404);

    // Log out (a POST form).
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(hub.base + "/");
    assert.equal(await page.getByRole("link", { name: "Log in" }).count(), 1);
    assert.deepEqual(errors, []);

    // Without JavaScript: search and log in.
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const p2 = await plain.newPage();
    await p2.goto(hub.base + "/");
    await p2.getByLabel(/Search packages by name/).fill("greeter");
    await p2.getByRole("button", { name: "Search" }).click();
    await p2.getByRole("link", { name: pkg, exact: true }).waitFor();
    await p2.goto(hub.base + "/login");
    await p2.getByLabel("Username or e-mail address").fill(email);
    await p2.getByLabel("Password").fill(password);
    await p2.getByRole("button", { name: "Log in" }).click();
    await p2.waitForURL(/\/dashboard/);
    assert.match(await p2.locator("main").textContent(), /My packages[\s\S]*browser-greeter/);
    await plain.close();
  } finally {
    await browser.close();
    await hub.stop();
    await mail.close();
  }
  assert.deepEqual(checked, ["home", "register", "register-done", "verify-email", "login", "dashboard-new-token", "dashboard", "home-with-packages", "search", "package", "user", "package-yanked", "not-found"]);
});

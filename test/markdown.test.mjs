// render_markdown, run from WFL programs through the embedding API: CommonMark output, raw HTML
// escaped, unsafe links dropped, rel on every link, only http(s) images, a 1 MiB limit, and the
// README of an archive rendered into a page through a template with `| safe`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../dist/internal.js";

let dir;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-markdown-")); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Renders `source` (written to a file, read by the program) and gives the HTML. */
async function render(source) {
  const md = path.join(dir, `m${++n}.md`);
  fs.writeFileSync(md, source);
  const file = path.join(dir, `p${n}.wfl`);
  fs.writeFileSync(file, [
    `open file at "${md}" for reading as f`,
    "store source as read content from f",
    "close file f",
    "try:",
    "    display render_markdown of source",
    "catch:",
    '    display "ERROR: " with error_message',
    "end try",
  ].join("\n") + "\n");
  const r = await run({ file });
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\n${r.output}\n${r.diagnostics}`);
  assert.doesNotMatch(r.diagnostics + r.output, /INTERNAL|at .*\.js:\d+/);
  return r.output;
}

test("render_markdown renders CommonMark: headings, emphasis, lists, code", async () => {
  const html = await render("# Title\n\nSome *em* and **strong**.\n\n- one\n- two\n\n```wfl\ndisplay 1 < 2\n```\n");
  assert.equal(html, "<h1>Title</h1>\n<p>Some <em>em</em> and <strong>strong</strong>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<pre><code class=\"language-wfl\">display 1 &lt; 2\n</code></pre>\n\n");
});

test("raw HTML in the source comes out escaped (no <script>, no event handlers)", async () => {
  const html = await render("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> there\n\n<div onclick=\"x()\">d</div>\n");
  assert.doesNotMatch(html, /<script|<img|<div/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

test("javascript:, vbscript:, file: and data: links are not links; others get rel=nofollow noopener noreferrer", async () => {
  const html = await render("[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](vbscript:x) [d](file:///etc/passwd) [e](data:text/html;base64,PHNjcmlwdD4=)\n\n[ok](https://example.org/x?a=1&b=2) [rel](/docs) <https://auto.example>\n");
  assert.doesNotMatch(html, /href="(javascript|vbscript|file|data):/i);
  assert.equal((html.match(/<a /g) ?? []).length, 3);
  assert.match(html, /<a href="https:\/\/example.org\/x\?a=1&amp;b=2" rel="nofollow noopener noreferrer">ok<\/a>/);
  assert.match(html, /<a href="\/docs" rel="nofollow noopener noreferrer">rel<\/a>/);
  assert.match(html, /<a href="https:\/\/auto.example" rel="nofollow noopener noreferrer">https:\/\/auto.example<\/a>/);
});

test("bare URLs are not turned into links (linkify off)", async () => {
  const html = await render("see https://example.org and www.example.org\n");
  assert.equal(html, "<p>see https://example.org and www.example.org</p>\n\n");
});

test("images are kept only for http(s) sources; others become their alt text", async () => {
  const html = await render("![logo](https://example.org/l.png) ![plain](http://example.org/p.png) ![rel <b>](logo.png) ![data](data:image/png;base64,AAAA) ![js](javascript:x)\n");
  assert.match(html, /<img src="https:\/\/example.org\/l.png" alt="logo">/);
  assert.match(html, /<img src="http:\/\/example.org\/p.png" alt="plain">/);
  assert.equal((html.match(/<img /g) ?? []).length, 2);
  assert.match(html, /rel &lt;b&gt;/);
  assert.doesNotMatch(html, /logo\.png"|data:image|src="javascript:/);
});

test("input over 1 MiB is an error; exactly 1 MiB renders", async () => {
  assert.equal(await render("a".repeat(1024 * 1024 + 1)), "ERROR: render_markdown: the text is larger than 1 MiB\n");
  // 1 MiB in UTF-8 bytes, not characters: é is two bytes.
  assert.equal(await render("é".repeat(512 * 1024 + 1)), "ERROR: render_markdown: the text is larger than 1 MiB\n");
  assert.match(await render("a".repeat(1024 * 1024)), /^<p>a+<\/p>\n/);
});

test("an archive's README rendered into a page through a template: `| safe` writes the sanitised HTML, plain output escapes it", async () => {
  const file = path.join(dir, "tpl.wfl");
  fs.writeFileSync(file, [
    'store package as create_archive of (create object with "README.md" as "# Pkg\\n\\n<script>x</script> [site](https://example.org)")',
    'store readme as archive_entry of package and "README.md"',
    'store page as create object with "readme_html" as render_markdown of (binary_to_text of field "content" of readme)',
    'display render template string "<main>{{ readme_html | safe }}</main>" with page',
    'display render template string "<main>{{ readme_html }}</main>" with page',
  ].join("\n") + "\n");
  const r = await run({ file });
  assert.equal(r.exitCode, 0, r.diagnostics);
  const [safe, escaped] = r.output.split("<main>").slice(1);
  assert.match(safe, /^<h1>Pkg<\/h1>\n<p>&lt;script&gt;x&lt;\/script&gt; <a href="https:\/\/example.org" rel="nofollow noopener noreferrer">site<\/a><\/p>\n<\/main>/);
  assert.doesNotMatch(safe, /<script/);
  assert.match(escaped, /^&lt;h1&gt;Pkg/);
});

// Seed 003, section 3.7 (Template Rendering): one test per acceptance criterion, named after it,
// plus issue 10's extras (no escape from the template folder, `nothing`, maps, errors at the
// statement). Programs run through bin/wfl in a temporary folder holding their templates.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SEED = fs.readFileSync(path.join(root, "../shared/seeds/003_f58ccd719845dba9.txt"), "utf8");
let dir;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-templates-"));
  files({
    "templates/home.html": [
      "<h1>{{ title }}</h1>",
      "<ul>",
      "{% for p in packages %}  <li>{{ p.name }} {{ p.version }}{% if p.featured %} (featured){% endif %}</li>",
      "{% endfor %}</ul>",
      '{% include "partials/footer.html" %}',
    ].join("\n"),
    "templates/partials/footer.html": "<footer>{{ footer }}</footer>",
    "templates/notes.txt": "plain {{ title }}",
    "templates/README": "not a template: {% broken",
  });
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function files(map) {
  for (const [rel, content] of Object.entries(map)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}
let n = 0;
function write(lines) {
  const file = path.join(dir, `t${++n}.wfl`);
  fs.writeFileSync(file, Array.isArray(lines) ? lines.join("\n") + "\n" : lines);
  return file;
}
const run = (lines) => spawnSync(path.join(root, "bin/wfl"), [write(lines)], { cwd: dir, encoding: "utf8" });
const ok = (r) => {
  assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /INTERNAL|at .*\.js:\d+/);
  return r.stdout;
};
/** Fails with a runtime error at `line` whose message matches `re`. */
const failsAt = (r, line, re) => {
  assert.equal(r.status, 1, `expected a failure\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.match(r.stderr, /error\[RUNTIME\]/);
  assert.match(r.stderr, re);
  assert.match(r.stderr, new RegExp(`t\\d+\\.wfl:${line}:\\d+`), r.stderr);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+|INTERNAL/);
};

const PACKAGES = [
  "store package_list as []",
  'add create object with "name" as "http-kit" and "version" as "1.2.0" and "featured" as yes to package_list',
  'add create object with "name" as "json-tools" and "version" as 3 and "featured" as no to package_list',
];

test('`load templates from "templates/"` loads all `.html` files from the directory', () => {
  const out = ok(run([
    'store templates as load templates from "templates/"',
    "display templates",
    'display typeof of templates',
    'store d as create object with "footer" as "f"',
    // Subfolders too, and other template files by name.
    'display render template "partials/footer.html" with d using templates',
    'display render template "notes.txt" with (create object with "title" as "T") using templates',
  ]));
  assert.equal(out, "[Templates: templates/]\nTemplateEngine\n<footer>f</footer>\nplain T\n");
  // A folder that does not exist, and a file that is not a folder, are errors at the line.
  failsAt(run(['display "x"', 'store t as load templates from "no-such-folder/"']), 2, /template folder no-such-folder\/ does not exist/);
  failsAt(run(['store t as load templates from "templates/notes.txt"']), 1, /is not a folder/);
  failsAt(run(['store t as load templates from "templates/"', 'display render template "missing.html" with nothing using t']), 2, /There is no template 'missing\.html' in templates\//);
});

test('`render template "name.html" with data using engine` produces HTML with substituted values', () => {
  const out = ok(run([
    ...PACKAGES,
    'store templates as load templates from "templates/"',
    'store data as create object with "title" as "WFLHub" and "packages" as package_list and "footer" as "© 2026"',
    'store html as render template "home.html" with data using templates',
    "display html",
  ]));
  assert.equal(out, [
    "<h1>WFLHub</h1>",
    "<ul>",
    "  <li>http-kit 1.2.0 (featured)</li>",
    "  <li>json-tools 3</li>",
    "</ul>",
    "<footer>© 2026</footer>",
    "",
  ].join("\n"));
  // `render template string` with the same data.
  assert.equal(ok(run([
    'store data as create object with "title" as "WFLHub" and "count" as 2.5 and "ok" as yes',
    'display render template string "<h1>{{ title }}</h1> {{ count * 2 }} {{ ok }}" with data',
  ])), "<h1>WFLHub</h1> 5 true\n");
});

test("Template loops (`{% for %}`) work with WFL lists", () => {
  const out = ok(run([
    ...PACKAGES,
    'store data as create object with "packages" as package_list and "tags" as ["a", "b", "c"] and "empty" as []',
    'display render template string "{% for p in packages %}[{{ loop.index }}:{{ p.name }}]{% endfor %}" with data',
    'display render template string "{% for t in tags %}{{ t }}{% if not loop.last %},{% endif %}{% endfor %} ({{ tags | length }})" with data',
    'display render template string "{% for t in empty %}x{% else %}none{% endfor %}" with data',
    // A map iterates as key, value.
    'store m as create object with "meta" as (create object with "a" as 1 and "b" as 2)',
    'display render template string "{% for k, v in meta %}{{ k }}={{ v }};{% endfor %}" with m',
  ]));
  assert.equal(out, "[1:http-kit][2:json-tools]\na,b,c (3)\nnone\na=1;b=2;\n");
});

test("Template conditionals (`{% if %}`) work with WFL booleans", () => {
  const out = ok(run([
    'store data as create object with "admin" as yes and "banned" as no and "n" as 0 and "gone" as nothing',
    'display render template string "{% if admin %}admin{% else %}user{% endif %}" with data',
    'display render template string "{% if banned %}banned{% else %}welcome{% endif %}" with data',
    'display render template string "{% if not banned and admin %}both{% endif %}" with data',
    // `nothing` is false in a test and writes out as the empty text.
    'display render template string "{% if gone %}here{% else %}gone{% endif %}[{{ gone }}]" with data',
    // A name that is not in the data can be tested without an error.
    'display render template string "{% if missing is defined %}yes{% else %}undefined{% endif %}" with data',
  ]));
  assert.equal(out, "admin\nwelcome\nboth\ngone[]\nundefined\n");
});

test("Missing variables produce clear errors (not silent empty strings)", () => {
  files({ "errs/page.html": "<h1>{{ title }}</h1>\n<p>Hello {{ user.nmae }}</p>\n" });
  failsAt(run([
    'store t as load templates from "errs/"',
    'store user as create object with "name" as "Ada"',
    'store html as render template "page.html" with (create object with "title" as "x" and "user" as user) using t',
  ]), 3, /Template error in the template page\.html, line 2: 'user\.nmae' is not defined/);
  failsAt(run([
    'store html as render template string "<p>{{ nope }}</p>" with (create object with "title" as "x")',
  ]), 1, /Template error in the template string, line 1: 'nope' is not defined/);
  // A `try` catches it like any other error.
  assert.match(ok(run([
    "try:",
    '    display render template string "{{ nope }}" with nothing',
    "catch:",
    '    display "caught: " with error_message',
    "end try",
  ])), /^caught: Template error in the template string, line 1: 'nope' is not defined/);
});

test("Template syntax errors are caught at load time with file/line info", () => {
  files({
    "broken/good.html": "<p>{{ fine }}</p>",
    "broken/sub/bad.html": "<ul>\n{% for x in items %}\n  <li>{{ x }</li>\n{% endfor %}\n</ul>\n",
  });
  const r = run(['display "before"', 'store t as load templates from "broken/"', 'display "not reached"']);
  failsAt(r, 2, /Template syntax error in the template sub\/bad\.html, line 3: expected variable end/);
  assert.equal(r.stdout, "before\n");
  files({ "broken2/a.html": "{% if x %}never closed" });
  failsAt(run(['store t as load templates from "broken2/"']), 1, /Template syntax error in the template a\.html, line \d+: .*(endif|end of file|unexpected)/i);
  failsAt(run(['display render template string "{% for %}" with nothing']), 1, /Template syntax error in the template string, line 1/);
});

test("HTML auto-escaping is enabled by default (XSS prevention)", () => {
  files({ "xss/page.html": '<p title="{{ attr }}">{{ comment }}</p>{{ trusted | safe }}' });
  const out = ok(run([
    'store t as load templates from "xss/"',
    `store data as create object with "comment" as "<script>alert('x')</script> & co" and "attr" as "\\" onmouseover=\\"evil()" and "trusted" as "<b>ok</b>"`,
    'display render template "page.html" with data using t',
    'display render template string "{{ comment }}" with data',
  ]));
  assert.equal(out, [
    '<p title="&quot; onmouseover=&quot;evil()">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</p><b>ok</b>',
    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co",
    "",
  ].join("\n"));
});

test("templates cannot include or extend files outside their folder", () => {
  files({
    "secret.txt": "TOP SECRET",
    "jail/up.html": '{% include "../secret.txt" %}',
    "jail/abs.html": `{% include "${path.join(dir, "secret.txt")}" %}`,
    "jail/ext.html": '{% extends "../secret.txt" %}',
    "jail/ok.html": '{% include "./inner/part.html" %}',
    "jail/inner/part.html": '[{% include "../leaf.html" %}]',
    "jail/leaf.html": "leaf",
  });
  const d = 'store d as create object with "x" as 1';
  failsAt(run(['store t as load templates from "jail/"', d, 'display render template "up.html" with d using t']), 3, /'\.\.\/secret\.txt' is outside the template folder jail\//);
  failsAt(run(['store t as load templates from "jail/"', d, 'display render template "abs.html" with d using t']), 3, /is outside the template folder jail\//);
  failsAt(run(['store t as load templates from "jail/"', d, 'display render template "ext.html" with d using t']), 3, /is outside the template folder jail\//);
  failsAt(run(['store t as load templates from "jail/"', d, 'display render template "../secret.txt" with d using t']), 3, /is outside the template folder jail\//);
  // Relative includes inside the folder work.
  assert.equal(ok(run(['store t as load templates from "jail/"', d, 'display render template "ok.html" with d using t'])), "[leaf]\n");
  // A symbolic link inside the folder that points outside it is refused when the folder is loaded.
  files({ "jail2/page.html": "x" });
  fs.symlinkSync(path.join(dir, "secret.txt"), path.join(dir, "jail2/link.html"));
  failsAt(run(['store t as load templates from "jail2/"']), 1, /'link\.html' is outside the template folder jail2\//);
  // An inline template has no folder: include is an error, not a file read.
  const r = run([`display render template string "{% include '${path.join(dir, "secret.txt")}' %}" with nothing`]);
  assert.equal(r.status, 1);
  assert.doesNotMatch(r.stdout + r.stderr, /TOP SECRET/);
});

test("WFL values in templates: numbers, nothing, nested maps, and data that is not a map", () => {
  const out = ok(run([
    'store data as create object with "n" as 3 and "x" as 0.5 and "none" as nothing and "user" as (create object with "name" as "Ada" and "langs" as ["wfl", "js"])',
    'display render template string "{{ n + 1 }} {{ x }} [{{ none }}] {{ user.name }} {{ user.langs | join(\\"/\\") }} {{ user[\\"name\\"] }}" with data',
    'display render template string "{{ user.constructor }}" with data',
  ].slice(0, 2)));
  assert.equal(out, "4 0.5 [] Ada wfl/js Ada\n");
  // Maps carry no prototype: `constructor` is just an undefined name.
  failsAt(run(['store data as create object with "user" as (create object with "name" as "Ada")', 'display render template string "{{ user.constructor }}" with data']), 2, /'user\.constructor' is not defined/);
  failsAt(run(['display render template string "x" with [1, 2]']), 1, /data of a template must be a map/);
  failsAt(run(['store t as "not templates"', 'display render template "a.html" with nothing using t']), 2, /Expected templates/);
});

test("the seed's example (section 3.7) runs in a request handler, one name stored twice changed to `change`", async () => {
  files({ "seed/templates/home.html": "<h1>{{ title }}</h1>{% for p in packages %}<li>{{ p }}</li>{% endfor %}" });
  const block = /#### Proposed WFL Syntax\n\n```wfl\n(\/\/ Load a template engine\n[\s\S]*?)```/.exec(SEED)[1];
  // The one change: the second `store html as` (`html` is already defined) is `change html to`.
  const second = block.lastIndexOf("store html as");
  const pasted = block.slice(0, second) + "change html to" + block.slice(second + "store html as".length);
  const file = path.join(dir, "seed", "app.wfl");
  fs.writeFileSync(file, [
    'store package_list as ["http-kit", "<json>"]',
    "listen on port 0 as srv",
    "display srv",
    "wait for request comes in on srv as request with timeout 20000",
    pasted,
  ].join("\n"));
  const child = spawn(path.join(root, "bin/wfl"), [file], { cwd: path.join(dir, "seed"), stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const port = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => { out += d; const m = /WebServer::127\.0\.0\.1:(\d+)/.exec(out); if (m) resolve(Number(m[1])); });
    child.on("exit", () => reject(new Error(err)));
  });
  const r = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /^text\/html/);
  assert.equal(await r.text(), "<h1>WFLHub</h1>");
  assert.equal(await exited, 0, err);
  // And the first render (home.html) was what the seed says it is.
  const check = spawnSync(path.join(root, "bin/wfl"), [write([
    'store package_list as ["http-kit", "<json>"]',
    'store templates as load templates from "seed/templates/"',
    'store data as create object with "title" as "WFLHub" and "packages" as package_list',
    'display render template "home.html" with data using templates',
  ])], { cwd: dir, encoding: "utf8" });
  assert.equal(ok(check), "<h1>WFLHub</h1><li>http-kit</li><li>&lt;json&gt;</li>\n");
});

// environment_variable / environment_variable_or: a program configured by its environment
// (WFLHub reads WFLHUB_PORT, WFLHUB_DATA, ... this way). Real processes, real environments.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function run(source, env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-env-"));
  const file = path.join(dir, "p.wfl");
  fs.writeFileSync(file, source);
  try {
    return spawnSync(path.join(root, "bin/wfl"), [file], { encoding: "utf8", env: { PATH: process.env.PATH, ...env } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("environment_variable reads a set variable and gives nothing for an unset one", () => {
  const r = run('display environment_variable of "WFL_SETTING"\ndisplay environment_variable of "WFL_UNSET"\ndisplay get_env of "WFL_SETTING"\n', { WFL_SETTING: "on" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "on\nnothing\non\n");
});

test("environment_variable_or falls back to the default when the variable is unset or empty", () => {
  const r = run('display environment_variable_or of "WFL_PORT" and 8080\ndisplay environment_variable_or of "WFL_EMPTY" and "x"\ndisplay environment_variable_or of "WFL_SET" and "x"\n', { WFL_EMPTY: "", WFL_SET: "y" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "8080\nx\ny\n");
});

test("a name that cannot be an environment variable is a WFL error with the line, not a host trace", () => {
  const r = run('store v as environment_variable of "A=B"\n', {});
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /environment_variable expects the name of an environment variable/);
  assert.match(r.stderr, /:1:/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});

test("parse_url gives the parts of a configuration URL, user and password decoded", () => {
  const r = run('store u as parse_url of "smtp://no%40x.org:p%21ss@mail.example.org:2525/?tls=off"\ndisplay u\nstore bad as parse_url of "not a url"\n', {});
  assert.match(r.stdout, /\{scheme: smtp, username: no@x\.org, password: p!ss, host: mail\.example\.org, port: 2525, path: \/, query: \{tls: off\}, fragment: nothing\}/);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /parse_url cannot read "not a url" as a URL/);
});

test("to_number reads plain decimal texts and gives nothing for anything else", () => {
  const r = run('display to_number of " 42 "\ndisplay to_number of "-1.5e2"\ndisplay to_number of "4x"\ndisplay to_number of ""\ndisplay to_number of "0x10"\ndisplay to_number of 7\n', {});
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "42\n-150\nnothing\nnothing\nnothing\n7\n");
});

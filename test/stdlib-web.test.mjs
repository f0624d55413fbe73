import { test } from "node:test";
import assert from "node:assert/strict";
import { WflObject, percentDecode } from "../dist/internal.js";
import { call } from "./support/natives.mjs";

const plain = (o) => (o instanceof WflObject ? Object.fromEntries(o) : o);

test("mime_type by extension", () => {
  assert.equal(call("mime_type", "Alegreya-Regular.ttf"), "font/ttf");
  assert.equal(call("mime_type", "favicon.png"), "image/png");
  assert.equal(call("mime_type", "public/fonts/x.WOFF2"), "font/woff2");
  assert.equal(call("mime_type", "logo.svg"), "image/svg+xml");
  assert.equal(call("mime_type", "favicon.ico"), "image/x-icon");
  assert.equal(call("mime_type", "index.html"), "text/html");
  assert.equal(call("mime_type", "app.js"), "application/javascript");
  assert.equal(call("mime_type", "data.json"), "application/json");
  assert.equal(call("mime_type", "notes"), "application/octet-stream");
  assert.equal(call("mime_type", "archive.unknownext"), "application/octet-stream");
  assert.equal(call("mime_type", "dir.d/file"), "application/octet-stream");
});

test("path_params and path_matches", () => {
  assert.deepEqual(plain(call("path_params", "/users/42", "/users/:id")), { id: "42" });
  assert.deepEqual(plain(call("path_params", "/users/John%20Doe", "/users/:id")), { id: "John Doe" });
  assert.deepEqual(plain(call("path_params", "/users/7/posts/9?x=1", "/users/:user_id/posts/:post_id")), { user_id: "7", post_id: "9" });
  assert.deepEqual(plain(call("path_params", "/static/css/main.css", "/static/*filepath")), { filepath: "css/main.css" });
  assert.equal(call("path_params", "/users", "/users/:id"), null);
  assert.equal(call("path_params", "/users/", "/users/:id"), null);
  assert.equal(call("path_params", "/users/42/extra", "/users/:id"), null);
  assert.equal(call("path_params", "/people/42", "/users/:id"), null);
  assert.deepEqual(plain(call("path_params", "/about", "/about")), {});
  assert.equal(call("path_matches", "/users/42", "/users/:id"), true);
  assert.equal(call("path_matches", "/users", "/users/:id"), false);
});

test("parse_query_string decodes percent escapes and plus signs", () => {
  assert.deepEqual(plain(call("parse_query_string", "?name=John%20Doe&city=New%20York")), { name: "John Doe", city: "New York" });
  assert.deepEqual(plain(call("parse_query_string", "search=hello+world&email=test%2Buser%40example.com")), {
    search: "hello world",
    email: "test+user@example.com",
  });
  assert.deepEqual(plain(call("parse_query_string", "?data=a%3Db%26c%3Dd&special=%3F%21%40%23")), { data: "a=b&c=d", special: "?!@#" });
  assert.deepEqual(plain(call("parse_query_string", "?bad1=%GG&bad2=%2&bad3=%&ok=test")), { bad1: "%GG", bad2: "%2", bad3: "%", ok: "test" });
  assert.deepEqual(plain(call("parse_query_string", "?name=Jos%C3%A9&e=%F0%9F%98%80&c=%E4%B8%AD%E6%96%87")), { name: "José", e: "😀", c: "中文" });
  assert.deepEqual(plain(call("parse_query_string", "?flag1&key=value&flag2")), { flag1: "", key: "value", flag2: "" });
  assert.deepEqual(plain(call("parse_query_string", "?my%20key=value&encoded%2Bkey=data")), { "my key": "value", "encoded+key": "data" });
  assert.deepEqual(plain(call("parse_query_string", "?value=100%25&t=test%")), { value: "100%", t: "test%" });
  assert.deepEqual(plain(call("parse_query_string", "a=1&a=2")), { a: "2" });
  const empty = call("parse_query_string", "");
  assert.ok(empty instanceof WflObject);
  assert.equal(empty.size, 0);
  assert.equal(call("parse_query_string", null).size, 0);
});

test("parse_form_urlencoded", () => {
  assert.deepEqual(plain(call("parse_form_urlencoded", "name=John%20Doe&message=Hello%2C%20World%21")), {
    name: "John Doe",
    message: "Hello, World!",
  });
  assert.deepEqual(plain(call("parse_form_urlencoded", "search=hello+world+test&category=web+dev")), {
    search: "hello world test",
    category: "web dev",
  });
  assert.deepEqual(plain(call("parse_form_urlencoded", new TextEncoder().encode("a=1"))), { a: "1" });
});

test("parse_cookies", () => {
  assert.deepEqual(plain(call("parse_cookies", "user=John%20Doe; session=abc%2B123; lang=%C3%A9n")), {
    user: "John Doe",
    session: "abc+123",
    lang: "én",
  });
  assert.deepEqual(plain(call("parse_cookies", "email=test%40example.com; path=%2Fhome")), { email: "test@example.com", path: "/home" });
  assert.deepEqual(plain(call("parse_cookies", "session_id=abc123;user=alice ;  theme=dark; junk; q=\"quoted\"; plus=a+b")), {
    session_id: "abc123",
    user: "alice",
    theme: "dark",
    q: "quoted",
    plus: "a+b",
  });
  assert.equal(call("parse_cookies", "").size, 0);
});

test("percentDecode leaves malformed escapes and replaces invalid UTF-8", () => {
  assert.equal(percentDecode("%zz%4"), "%zz%4");
  assert.equal(percentDecode("%ff"), "\ufffd");
  assert.equal(percentDecode("a+b"), "a+b");
  assert.equal(percentDecode("a+b", true), "a b");
});

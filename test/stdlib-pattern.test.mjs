// Pattern engine: compiling `create pattern` bodies and the pattern operations.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { patterns as P, WflPattern, WflObject, standardLibrary } from "../dist/internal.js";

const CORPUS = new URL("../../shared/wfl-upstream/TestPrograms/", import.meta.url);
const corpusFile = (name) => new URL(name, CORPUS);

/** name → body for every `create pattern` block of a corpus program. */
function patternsIn(file) {
  const src = readFileSync(corpusFile(file), "utf8");
  const out = new Map();
  for (const m of src.matchAll(/^[ \t]*create pattern ([^:\n]+):[ \t]*\n([\s\S]*?)^[ \t]*end pattern/gm)) {
    out.set(m[1].trim(), m[2]);
  }
  return out;
}

const matches = (text, body) => P.patternMatches(text, P.compilePattern(body));
const find = (body, text) => P.patternFind(P.compilePattern(body), text);
const syntaxError = (body) => {
  try {
    P.compilePattern(body);
  } catch (e) {
    assert.ok(e instanceof P.PatternSyntaxError, `expected PatternSyntaxError, got ${e}`);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(body)} to be rejected`);
};

const haveCorpus = existsSync(corpusFile("patterns_comprehensive.wfl"));

describe("corpus: patterns_comprehensive.wfl", { skip: !haveCorpus }, () => {
  const pats = haveCorpus ? patternsIn("patterns_comprehensive.wfl") : new Map();
  const m = (text, name) => P.patternMatches(text, P.compilePattern(pats.get(name)));

  test("every pattern body compiles", () => {
    assert.equal(pats.size, 15);
    for (const [name, body] of pats) {
      assert.ok(P.compilePattern(body) instanceof WflPattern, name);
    }
  });

  test("basic patterns", () => {
    assert.equal(m("hello world", "greeting"), true);
    assert.equal(m("123 abc", "digits"), true);
    assert.equal(m("user@domain.com", "email_basic"), true);
  });

  test("lookahead", () => {
    assert.equal(m("test123", "positive_lookahead"), true);
    assert.equal(m("test789", "negative_lookahead"), true);
    assert.equal(m("test456", "negative_lookahead"), false);
  });

  test("lookbehind", () => {
    assert.equal(m("prefix", "positive_lookbehind"), true);
    assert.equal(m("goodword", "negative_lookbehind"), true);
    assert.equal(m("badword", "negative_lookbehind"), false);
  });

  test("captures and back-references", () => {
    assert.equal(m("hello hello", "repeated_word"), true);
    assert.equal(m("hello world", "repeated_word"), false);
    assert.equal(m("<b>bold</b>", "html_tag"), true);
    assert.equal(m("<b>bold</i>", "html_tag"), false);
  });

  test("unicode and special characters", () => {
    assert.equal(m("café", "unicode_text"), true);
    assert.equal(m("αβγ", "unicode_text"), true);
    assert.equal(m("hello@world", "special_chars"), true);
    assert.equal(m("plain", "special_chars"), false);
  });

  test("complex patterns", () => {
    assert.equal(m("(555)123-4567", "phone_number"), true);
    assert.equal(m("555-123-4567", "phone_number"), true);
    assert.equal(m("5551234567", "phone_number"), true);
    assert.equal(m("https://example.com/path", "url_pattern"), true);
    assert.equal(m("ID123456", "id_format"), true);
    assert.equal(m("2025-08-09", "date_format"), true);
    assert.equal(m("2025-8-09", "date_format"), false);
  });
});

describe("corpus: patterns_working_comprehensive.wfl", { skip: !haveCorpus }, () => {
  const pats = haveCorpus ? patternsIn("patterns_working_comprehensive.wfl") : new Map();
  const get = (name) => P.compilePattern(pats.get(name));
  const m = (text, name) => P.patternMatches(text, get(name));

  test("every pattern body compiles", () => {
    assert.equal(pats.size, 19);
    for (const [name, body] of pats) assert.ok(P.compilePattern(body) instanceof WflPattern, name);
  });

  test("literals and classes", () => {
    assert.equal(m("hello world", "greeting"), true);
    assert.equal(m("test123", "exact_match"), true);
    assert.equal(m("12345", "digits_only"), true);
    assert.equal(m("hello", "letters_only"), true);
    assert.equal(m("   ", "whitespace_pattern"), true);
    assert.equal(m("abc", "digits_only"), false);
  });

  test("quantifiers", () => {
    assert.equal(m("hello world", "optional_pattern"), true);
    assert.equal(m("helloworld", "optional_pattern"), true);
    assert.equal(m("ac", "zero_or_more_pattern"), true);
    assert.equal(m("abbbbc", "zero_or_more_pattern"), true);
    assert.equal(m("123", "exactly_pattern"), true);
    assert.equal(m("12", "exactly_pattern"), false);
    assert.equal(m("abc", "between_pattern"), true);
    assert.equal(m("12345", "at_least_pattern"), true);
    assert.equal(m("1", "at_least_pattern"), false);
    assert.equal(m("ab", "at_most_pattern"), true);
  });

  test("sequences and alternatives", () => {
    assert.equal(m("user@domain.com", "email_sequence"), true);
    assert.equal(m("555-123-4567", "phone_sequence"), true);
    assert.equal(m("hello there", "greeting_alternatives"), true);
    assert.equal(m("hi there", "greeting_alternatives"), true);
    assert.equal(m("hey there", "greeting_alternatives"), true);
    assert.equal(m("document.txt", "file_extensions"), true);
    assert.equal(m("document.pdf", "file_extensions"), false);
  });

  test("multi-line capture groups", () => {
    const r = P.patternFind(get("name_capture"), "John Doe");
    assert.ok(r instanceof WflObject);
    assert.equal(r.get("matched_text"), "John Doe");
    assert.equal(r.get("captures").get("first_name"), "John");
    assert.equal(r.get("captures").get("last_name"), "Doe");

    const p = P.patternFind(get("phone_capture"), "555-123-4567");
    assert.deepEqual([...p.get("captures")], [["area_code", "555"], ["exchange", "123"], ["number", "4567"]]);
  });

  test("complex combinations", () => {
    const e = P.patternFind(get("complex_email"), "user123@example.com");
    assert.deepEqual([...e.get("captures")], [["username", "user123"], ["domain", "example"], ["tld", "com"]]);
    for (const phone of ["(555) 123-4567", "555-123-4567", "5551234567"]) {
      const r = P.patternFind(get("flexible_phone"), phone);
      assert.notEqual(r, null, phone);
      assert.deepEqual([...r.get("captures")], [["area", "555"], ["exchange", "123"], ["line", "4567"]]);
    }
  });
});

describe("corpus: other programs and docs examples", { skip: !haveCorpus }, () => {
  test("documentation_examples_test.wfl", () => {
    const pats = patternsIn("documentation_examples_test.wfl");
    const c = (n) => P.compilePattern(pats.get(n));
    for (const [name, body] of pats) assert.ok(P.compilePattern(body) instanceof WflPattern, name);
    assert.equal(P.patternMatches("user@example.com", c("email_pattern")), true);
    assert.notEqual(P.patternFind(c("email_pattern"), "Contact: user@example.com"), null);
    assert.equal(P.patternMatches("5", c("digit_test")), true);
    assert.equal(P.patternMatches("a", c("letter_test")), true);
    assert.equal(P.patternMatches(" ", c("whitespace_test")), true);
    assert.equal(P.patternMatches("abc", c("zero_or_more_test")), true);
    assert.equal(P.patternMatches(" ", c("optional_test")), true);
    assert.equal(P.patternMatches("hello", c("at_least_test")), true);
    assert.equal(P.patternMatches("123", c("at_most_test")), true);
    assert.equal(P.patternMatches("hello world", c("sequence_test")), true);
    assert.equal(P.patternMatches("hello there", c("starts_with_hello")), true);
    assert.equal(P.patternMatches("oh hello", c("starts_with_hello")), false);
    assert.equal(P.patternMatches("photo.jpg", c("image_files")), true);
    const n = P.patternFind(c("name_pattern"), "John Doe");
    assert.deepEqual([...n.get("captures")], [["first_name", "John"], ["last_name", "Doe"]]);
    const e = P.patternFind(c("email"), "user@example.com");
    assert.deepEqual([...e.get("captures")], [["username", "user"], ["domain", "example"], ["tld", "com"]]);
    const u = P.patternFind(c("us_phone"), "(555) 123-4567");
    assert.deepEqual([...u.get("captures")], [["area_code", "555"], ["exchange", "123"], ["line", "4567"]]);
  });

  test("replace_and_count_loop_test.wfl", () => {
    const pats = patternsIn("replace_and_count_loop_test.wfl");
    assert.equal(P.patternReplace(P.compilePattern(pats.get("separator")), " ", "first-name_last"), "first name last");
    assert.equal(P.patternReplace(P.compilePattern(pats.get("two_digits")), "#", "a12b34c5"), "a#b#c5");
    assert.equal(P.patternReplace("world", "there", "hello world world"), "hello there there");
    assert.equal(P.patternReplace(".", "-", "a.b.c"), "a-b-c");
    assert.equal(P.patternReplace("absent", "x", "hello world"), "hello world");
    assert.equal(P.patternReplace("é", "E", "aébécé"), "aEbEcE");
  });

  test("test.wfl refers to a list variable inside a pattern", () => {
    const pats = patternsIn("test.wfl");
    const body = pats.get("url2");
    assert.deepEqual(P.patternReferences(body), ["protocol"]);
    syntaxError(body);
    const protocol = ["http", "https", "ftp", "file"];
    const p = P.compilePattern(body, (name) => (name === "protocol" ? protocol : undefined));
    assert.equal(P.patternMatches("see https://a-b.example/", p), true);
    assert.equal(P.patternMatches("gopher://x/", p), false);
  });

  test("every pattern in the corpus compiles", () => {
    for (const f of ["args_comprehensive.wfl", "stdlib_comprehensive.wfl", "error_handling_comprehensive.wfl"]) {
      for (const [name, body] of patternsIn(f)) {
        if (name === "bad_pattern") {
          const e = syntaxError(body);
          assert.match(e.message, /closing quote/);
          continue;
        }
        assert.ok(P.compilePattern(body) instanceof WflPattern, `${f}: ${name}`);
      }
    }
  });
});

describe("docs: every create pattern example compiles", { skip: !haveCorpus }, () => {
  const docs = new URL("../../shared/wfl-upstream/Docs/", import.meta.url);
  const files = [
    "04-advanced-features/pattern-matching.md", "05-standard-library/pattern-module.md",
    "reference/syntax-reference.md", "guides/cookbook.md", "guides/wfl-by-example.md",
    "01-introduction/first-look.md", "01-introduction/key-features.md", "01-introduction/what-is-wfl.md",
    "01-introduction/natural-language-philosophy.md", "02-getting-started/repl-guide.md",
    "06-best-practices/performance-tips.md", "06-best-practices/naming-conventions.md",
  ];
  // Deliberately not patterns: the syntax placeholder and the "forgot end pattern" mistake.
  const notPatterns = new Set(["<name>", "example_pattern"]);
  for (const f of files) {
    test(f, () => {
      const src = readFileSync(new URL(f, docs), "utf8");
      let n = 0;
      for (const m of src.matchAll(/^[ \t>]*create pattern ([^:\n]+):[ \t]*\n([\s\S]*?)^[ \t.]*end pattern/gm)) {
        if (notPatterns.has(m[1])) continue;
        P.compilePattern(m[2].replace(/^\.\.\. /gm, ""));
        n++;
      }
      assert.ok(n > 0);
    });
  }
});

describe("grammar", () => {
  test("documented examples", () => {
    const email = 'one or more letter or digit\n followed by "@"\n followed by one or more letter or digit\n followed by "."\n followed by 2 to 4 letter';
    assert.equal(matches("user@example.com", email), true);
    assert.equal(matches("invalid-email", email), false);
    assert.equal(matches("test_end", '"test" then any character then "end"'), true);
    assert.equal(matches("123", "exactly 5 digit"), false);
    assert.equal(matches("12345", "exactly 5 digit"), true);
    assert.equal(matches("", "zero or more digit"), true);
    assert.equal(matches("555-123-4567", 'digit digit digit\nfollowed by "-"\nfollowed by digit digit digit\nfollowed by "-"\nfollowed by digit digit digit digit'), true);
    assert.equal(matches("https://example.com", '"http" then optional "s"\n followed by "://"\n followed by one or more any character'), true);
    assert.equal(matches("****-****-****-1234", '"****-****-****-"\nfollowed by exactly 4 digit'), true);
    assert.equal(matches("hey", '"hello" or "hi" or "hey"'), true);
  });

  test("translation to regular expressions", () => {
    const src = (b) => P.patternToRegexSource(b);
    assert.equal(src('one or more letter or digit followed by "@"'), "[A-Za-z0-9]+@");
    assert.equal(src('"test" check not ahead for {"456"}'), "test(?!456)");
    assert.equal(src('check behind for {"pre"} then "fix"'), "(?<=pre)fix");
    assert.equal(src('check not behind for {"bad"} then "word"'), "(?<!bad)word");
    assert.equal(src('capture {one or more letter} as word then " " then same as captured "word"'), "(?<word>[A-Za-z]+) \\k<word>");
    assert.equal(src('"a" or "bc" then "d"'), "(?:a|bc)d");
    assert.equal(src('optional one or more digit'), "(?:[0-9]+)?");
    assert.equal(src('lazy one or more any character then "x"'), "[\\s\\S]+?x");
    assert.equal(src('greedy optional "ab"'), "(?:ab)?");
    assert.equal(src("at least 2 digit"), "[0-9]{2,}");
    assert.equal(src("at most 3 letter"), "[A-Za-z]{0,3}");
    assert.equal(src("between 2 and 4 digits"), "[0-9]{2,4}");
    assert.equal(src("3 or more digits"), "[0-9]{3,}");
    assert.equal(src("three digits"), "[0-9]{3}");
    assert.equal(src("start of text then \"a\" then end of text"), "^a$");
    assert.equal(src('"a.b*c$" or "(x)"'), "a\\.b\\*c\\$|\\(x\\)");
    assert.equal(src("not digit"), "[^0-9]");
    assert.equal(src('any of "a-z"'), "[a\\-z]");
    assert.equal(src("unicode uppercase letter"), "\\p{Lu}");
    assert.equal(src('unicode script "Greek"'), "\\p{Script=Greek}");
    assert.equal(src("unicode category Nd"), "\\p{Nd}");
    assert.equal(src("word boundary then one or more letter then word boundary"), "\\b[A-Za-z]+\\b");
    assert.equal(src('one or more digit // trailing comment\n# a hash comment\n"x"'), "[0-9]+x");
    assert.equal(src('"#" then "//"'), "#\\/\\/");
    assert.equal(src('"say \\"hi\\"\\n"'), 'say "hi"\n');
  });

  test("or binds tighter than then; a quantifier covers the whole or-list", () => {
    assert.equal(matches("+ 555", 'optional "+" or "1" then optional " " then exactly 3 digit'), true);
    assert.equal(matches("ab12cd", "start of text then one or more letter or digit then end of text"), true);
    assert.equal(matches("ab-12", "start of text then one or more letter or digit then end of text"), false);
  });

  test("greedy and lazy", () => {
    assert.equal(find('"<" then one or more any character then ">"', "<a><b>").get("matched_text"), "<a><b>");
    assert.equal(find('"<" then lazy one or more any character then ">"', "<a><b>").get("matched_text"), "<a>");
  });

  test("anchors, lines and unicode", () => {
    assert.equal(matches("say hello", 'start of text then "hello"'), false);
    assert.equal(matches("hello!", '"hello" then end of text'), false);
    assert.equal(matches("a\nhello", 'start of line then "hello"'), true);
    assert.equal(matches("hello\nb", '"hello" then end of line'), true);
    assert.equal(matches("Ωμέγα", "start of text then one or more unicode letter then end of text"), true);
    assert.equal(matches("Ωμέγα", "one or more letter"), false);
    assert.equal(matches("Ωμέγα", 'unicode script "Greek"'), true);
    assert.equal(matches("abc", "unicode script Greek"), false);
  });

  test("capture names may have spaces; multi-line capture bodies", () => {
    const r = find("capture {\n  exactly 3 digit\n} as area code\n\"-\"", "call 555-");
    assert.deepEqual([...r.get("captures")], [["area code", "555"]]);
    const b = find('capture {one or more letter} as first name then " " then same as captured "first name"', "bye bye");
    assert.equal(b.get("matched_text"), "bye bye");
  });

  test("references resolve to texts, lists and patterns", () => {
    const digits = P.compilePattern("one or more digit");
    const vars = { sep: "-", kinds: ["cat", "dog"], num: digits };
    const p = P.compilePattern("kinds then sep then num", (n) => vars[n]);
    assert.equal(P.patternMatches("a dog-42", p), true);
    assert.equal(P.patternMatches("a cow-42", p), false);
    assert.throws(() => P.compilePattern("obj", () => new WflObject()), P.PatternSyntaxError);
  });
});

describe("syntax errors", () => {
  const cases = [
    ['"unclosed', 0, /closing quote/],
    ["one or more", 0, /what to repeat after "one or more"/],
    ['digit then', 10, /after "then"/],
    ["then digit", 0, /needs something before it/],
    ['{ digit', 0, /Expected "}"/],
    ["digit }", 6, /no matching "\{"/],
    ['"a" or', 4, /another choice after "or"/],
    ['same as captured "x"', 17, /no capture called "x"/],
    ["capture {digit} as a then capture {digit} as a", 45, /already a capture called "a"/],
    ["5 to 3 digit", 5, /backwards/],
    ["digit @", 6, /Unexpected character "@"/],
    ["", 0, /empty/],
    ["// only a comment\n", 0, /empty/],
    ["at 3 digit", 3, /"least" or "most"/],
    ["exactly digit", 8, /a number after "exactly"/],
    ["unicode category Foo", 17, /not a Unicode category/],
    ["unicode script Klingon", 15, /not a Unicode script/],
    ['"a" followed "b"', 13, /"by" after "followed"/],
    ['capture {digit}', 0, /Expected "as"/],
    ['digit then\n', 10, /after "then"/],
    ['check ahead {"x"}', 12, /"for"/],
    ['check sideways for {"x"}', 6, /"ahead" or "behind"/],
    ['"\\q"', 1, /not a known escape/],
    ["start of digit", 6, /"of text" or "of line"/],
    ['not "ab"', 0, /single character/],
    ["lazy digit", 5, /repeat/],
    ["protocol", 0, /not a pattern word/],
    ["digit\n  3", 8, /what to repeat after "3"/],
    ["{}", 0, /group is empty/],
  ];
  for (const [body, offset, message] of cases) {
    test(JSON.stringify(body), () => {
      const e = syntaxError(body);
      assert.match(e.message, message);
      assert.equal(e.offset, offset);
    });
  }
});

describe("operations", () => {
  const word = P.compilePattern("one or more letter");

  test("matches searches anywhere; text patterns are literal", () => {
    assert.equal(P.patternMatches("  abc  ", word), true);
    assert.equal(P.patternMatches("123", word), false);
    assert.equal(P.patternMatches("a.b", "."), true);
    assert.equal(P.patternMatches("ab", "."), false);
    assert.throws(() => P.patternMatches(null, word), /expects text/);
    assert.throws(() => P.patternMatches("x", 5), /expects a pattern or a text/);
  });

  test("find returns a match object or nothing; positions count code points", () => {
    assert.equal(P.patternFind(word, "123"), null);
    const r = P.patternFind(word, "😀😀 hi there");
    assert.deepEqual([...r.keys()], ["matched_text", "start", "end", "captures"]);
    assert.equal(r.get("matched_text"), "hi");
    assert.equal(r.get("start"), 3);
    assert.equal(r.get("end"), 5);
    assert.ok(r.get("captures") instanceof WflObject);
    assert.equal(r.get("captures").size, 0);
    const t = P.patternFind("there", "😀 there");
    assert.equal(t.get("start"), 2);
  });

  test("unmatched optional captures are nothing", () => {
    const r = find('optional capture {"x"} as ex then capture {digit} as d', "5");
    assert.deepEqual([...r.get("captures")], [["ex", null], ["d", "5"]]);
  });

  test("find all", () => {
    const all = P.patternFindAll("The quick 😀 brown fox", word);
    assert.deepEqual(all.map((m) => m.get("matched_text")), ["The", "quick", "brown", "fox"]);
    assert.deepEqual(all.map((m) => m.get("start")), [0, 4, 12, 18]);
    assert.deepEqual(P.patternFindAll("aXbXc", "X").map((m) => m.get("start")), [1, 3]);
    assert.deepEqual(P.patternFindAll("none", P.compilePattern("digit")), []);
    // Empty matches advance by one character and never loop.
    assert.equal(P.patternFindAll("a😀", P.compilePattern("zero or more digit")).length, 3);
  });

  test("replace", () => {
    assert.equal(P.patternReplace(P.compilePattern("one or more whitespace"), " ", "too   many    spaces"), "too many spaces");
    assert.equal(P.patternReplace(P.compilePattern("digit"), "$&$1", "a1"), "a$&$1");
    assert.equal(P.patternReplace(P.compilePattern("zero or more digit"), "-", "ab"), "-a-b-");
    assert.throws(() => P.patternReplace(word, 3, "x"), /replacement to be text/);
  });

  test("split", () => {
    const comma = P.compilePattern('"," then zero or more whitespace');
    assert.deepEqual(P.patternSplit("a, b,c", comma), ["a", "b", "c"]);
    assert.deepEqual(P.patternSplit("", comma), [""]);
    assert.deepEqual(P.patternSplit("a,,b", comma), ["a", "", "b"]);
    assert.deepEqual(P.patternSplit(",a,", comma), ["", "a", ""]);
    assert.deepEqual(P.patternSplit("a::b", "::"), ["a", "b"]);
    assert.deepEqual(P.patternSplit("x1y", P.compilePattern("capture {digit} as d")), ["x", "y"]);
  });

  test("natives are registered with text first", () => {
    const lib = standardLibrary();
    const call = (name, ...args) => lib.functions.get(name).impl(args, {});
    const digits = P.compilePattern("one or more digit");
    assert.equal(call("pattern_matches", "a1", digits), true);
    assert.equal(call("pattern_find", "ab 42", digits).get("matched_text"), "42");
    assert.equal(call("pattern_find_all", "1 22 333", digits).length, 3);
    assert.equal(call("pattern_replace", "a1b22", digits, "#"), "a#b#");
    assert.deepEqual(call("pattern_split", "a1b22c", digits), ["a", "b", "c"]);
    assert.throws(() => call("pattern_find", 5, digits), /pattern_find expects text/);
  });
});

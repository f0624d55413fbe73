// grammar/ holds generated views of the parser's grammar; they must match the code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { grammarProductions } from "../dist/internal.js";

test("grammar/wfl.gast.json is up to date (regenerate with `node scripts/grammar.mjs`)", () => {
  const onDisk = readFileSync(new URL("../grammar/wfl.gast.json", import.meta.url), "utf8");
  assert.equal(onDisk, JSON.stringify(grammarProductions(), null, 1) + "\n");
});

// The pattern module: compiling `create pattern` bodies and the pattern_* natives.
import type { Registry } from "../registry.js";
import { patternMatches, patternFind, patternFindAll, patternReplace, patternSplit } from "./ops.js";

export {
  compilePattern,
  patternReferences,
  patternToRegexSource,
  PatternSyntaxError,
  type PatternResolver,
} from "./compile.js";
export { patternMatches, patternFind, patternFindAll, patternReplace, patternSplit } from "./ops.js";

export function register(r: Registry): void {
  // Function forms take the text first: `pattern_find of text and pattern`.
  r.fn("pattern_matches", { params: ["text", "pattern|text"] }, ([text, pattern]) => patternMatches(text!, pattern!, "pattern_matches"));
  r.fn("pattern_find", { params: ["text", "pattern|text"] }, ([text, pattern]) => patternFind(pattern!, text!, "pattern_find"));
  r.fn("pattern_find_all", { params: ["text", "pattern|text"] }, ([text, pattern]) => patternFindAll(text!, pattern!, "pattern_find_all"));
  r.fn("pattern_replace", { params: ["text", "pattern|text", "text"] }, ([text, pattern, replacement]) =>
    patternReplace(pattern!, replacement!, text!, "pattern_replace"),
  );
  r.fn("pattern_split", { params: ["text", "pattern|text"] }, ([text, pattern]) => patternSplit(text!, pattern!, "pattern_split"));
}

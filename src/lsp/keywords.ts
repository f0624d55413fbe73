// Which keywords may come next on a line: Chevrotain's content assist over the statement rule,
// given the tokens of the line before the cursor.
import { tokenize } from "../lexer/lexer.js";
import { sharedParser } from "../parser/parse.js";
import { Newline } from "../lexer/tokens.js";

export interface KeywordSuggestions {
  readonly keywords: string[];
  /** True when a name (variable, action, builtin) may come next. */
  readonly names: boolean;
}

const cache = new Map<string, KeywordSuggestions>();

export function keywordsAt(linePrefix: string): KeywordSuggestions {
  const key = linePrefix.trim().replace(/\s+/g, " ");
  const hit = cache.get(key);
  if (hit) return hit;
  const result = compute(key);
  if (cache.size > 500) cache.clear();
  cache.set(key, result);
  return result;
}

function compute(prefix: string): KeywordSuggestions {
  const tokens = tokenize(prefix).tokens.filter((t) => t.tokenType !== Newline);
  // After a `:` that opens a block, a new statement may follow.
  while (tokens.length && tokens[tokens.length - 1]!.image === ":" && tokens.length > 0) return compute("");
  let paths;
  try {
    paths = sharedParser().computeContentAssist("statement", tokens);
  } catch {
    return { keywords: [], names: true };
  }
  const keywords = new Set<string>();
  let names = paths.length === 0;
  for (const p of paths) {
    const n = p.nextTokenType.name;
    if (n.startsWith("Kw_")) keywords.add(n.slice(3));
    else if (n === "Identifier" || n === "AnyIdent" || n === "AnyIdentOrKw" || n === "StringLiteral" || n === "NumberLiteral" || n === "LParen" || n === "LBracket" || n === "Minus") names = true;
  }
  return { keywords: [...keywords].sort(), names };
}

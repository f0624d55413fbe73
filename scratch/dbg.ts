import { tokenize } from "../src/lexer/lexer.js";
import * as T from "../src/lexer/tokens.js";
import { tokenMatcher } from "chevrotain";
import { sharedParser } from "../src/parser/parse.js";
sharedParser();
const r = tokenize("display count\n");
for (const t of r.tokens) console.log(t.tokenType.name, t.tokenTypeIdx, tokenMatcher(t, T.AnyIdent), tokenMatcher(t, T.Identifier));
console.log((T.AnyIdent as any).categoryMatches?.length, (T.kw("count") as any).tokenTypeIdx);

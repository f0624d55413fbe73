// Parser error wording: one plain sentence saying what was expected and what was found.
import type { IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";

export function describeTokenType(t: TokenType): string {
  const name = t.name;
  if (name.startsWith("Kw_")) return `'${name.slice(3)}'`;
  switch (name) {
    case "Newline": return "the end of the line";
    case "EOF": return "the end of the file";
    case "Identifier": case "AnyIdent": return "a name";
    case "AnyIdentOrKw": return "a name";
    case "StringLiteral": return "text in quotes";
    case "NumberLiteral": return "a number";
    case "Colon": return "':'";
    case "Comma": return "','";
    case "LBracket": return "'['";
    case "RBracket": return "']'";
    case "LParen": return "'('";
    case "RParen": return "')'";
    case "LBrace": return "'{'";
    case "RBrace": return "'}'";
    case "Dot": return "'.'";
    default: return name;
  }
}

export function describeToken(t: IToken): string {
  const name = t.tokenType.name;
  if (name === "EOF") return "the end of the file";
  if (name === "Newline") return "the end of the line";
  if (name === "StringLiteral") return `the text ${t.image.length > 30 ? t.image.slice(0, 27) + '..."' : t.image}`;
  if (name === "NumberLiteral") return `the number ${t.image}`;
  return `'${t.image}'`;
}

export const wflErrorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `Expected ${describeTokenType(expected)} here, but found ${describeToken(actual)}.`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `Did not expect ${describeToken(firstRedundant)} here: this line does not start a statement WFL understands.`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    const found = describeToken(actual[0]!);
    return noViableAlt(ruleName, found);
  },
  buildEarlyExitMessage({ actual, ruleName }) {
    const found = describeToken(actual[0]!);
    return noViableAlt(ruleName, found);
  },
};

function noViableAlt(ruleName: string, found: string): string {
  switch (ruleName) {
    case "statement":
    case "program":
    case "block":
      return `Expected a statement (such as store, display, check if, count from or an 'end' line), but found ${found}.`;
    case "primary":
    case "expression":
    case "comparison":
    case "additive":
    case "multiplicative":
    case "operand":
    case "unary":
    case "postfix":
    case "displayStmt":
      return `Expected a value (a number, text in quotes, a variable or a call), but found ${found}.`;
    case "identifier":
      return /^'[a-z]+'$/.test(found)
        ? `Expected a name, but found ${found}, which is a reserved word; choose another name (for example ${found.slice(0, -1)}_value').`
        : `Expected a name, but found ${found}.`;
    case "assertion":
      return `Expected an expectation such as 'equal 5', 'be greater than 3', 'be empty' or 'contain "x"', but found ${found}.`;
    case "loopControlStmt":
      return `Expected 'loop' or 'program' after 'exit', but found ${found}.`;
    default:
      return `Unexpected ${found} while reading ${humanRule(ruleName)}.`;
  }
}

function humanRule(rule: string): string {
  const base = rule.replace(/Stmt$/, "");
  return `this ${base.replace(/([A-Z])/g, " $1").toLowerCase()} statement`;
}

// The one catalogue of error kinds: what the runtime raises, what `when <kind>:` catches, and the
// codes diagnostics carry. The parser, the analysis and the runtime all read it from here.

/** Kinds of runtime error a program can raise and a `when` handler can catch. */
export const ERROR_KINDS = [
  { kind: "general", code: "E0100", phrases: [], summary: "any other runtime error (division by zero, an index out of range, …)" },
  { kind: "type", code: "E0101", phrases: ["type error"], summary: "a value of the wrong type" },
  { kind: "timeout", code: "E0102", phrases: ["timeout"], summary: "something did not happen in time (a request, a process)" },
  { kind: "file not found", code: "E0201", phrases: ["file not found"], summary: "a file or directory that does not exist" },
  { kind: "permission denied", code: "E0202", phrases: ["permission denied"], summary: "the system refused access to a file" },
  { kind: "process not found", code: "E0301", phrases: ["process not found"], summary: "a process id that is not running" },
  { kind: "spawn failed", code: "E0302", phrases: ["spawn failed"], summary: "a command that could not be started" },
  { kind: "kill failed", code: "E0303", phrases: ["kill failed"], summary: "a process that could not be stopped" },
  { kind: "command not found", code: "E0304", phrases: ["command not found"], summary: "a command that does not exist" },
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number]["kind"];

/** Phrases after `when` that catch every error. */
export const ANY_ERROR_PHRASES = ["error", "error occurs"] as const;

/**
 * What a `when <phrase>:` handler catches: "any", one kind, or null for a phrase that names no
 * kind (reported when the program is analysed).
 */
export function kindOfWhenPhrase(phrase: string): ErrorKind | "any" | null {
  if ((ANY_ERROR_PHRASES as readonly string[]).includes(phrase)) return "any";
  for (const k of ERROR_KINDS) if ((k.phrases as readonly string[]).includes(phrase)) return k.kind;
  return null;
}

/** Every phrase `when` accepts, for messages and completion. */
export function whenPhrases(): string[] {
  return [...ANY_ERROR_PHRASES, ...ERROR_KINDS.flatMap((k) => [...k.phrases])];
}

/** Diagnostic categories (the word in `error[…]`) with their codes. */
export const DIAGNOSTIC_KINDS = {
  LEX: { code: "E0001", summary: "a character or text literal the lexer cannot read" },
  PARSE: { code: "E0002", summary: "a line that does not follow WFL's grammar" },
  "ANALYZE-SEMANTIC": { code: "E0003", summary: "a program that parses but cannot run as written (an undefined name, …)" },
  RUNTIME: { code: "E0004", summary: "an error while the program runs that nothing caught" },
  FILE: { code: "E0005", summary: "a program file that cannot be read" },
  TIMEOUT: { code: "E0006", summary: "a run that went past its time limit" },
  INTERNAL: { code: "E0999", summary: "a fault in wfl-ts itself (please report it)" },
} as const;

export type DiagnosticKind = keyof typeof DIAGNOSTIC_KINDS;

// The `wfl` command: run a program, its tests, or show its tokens or syntax tree.
import { deferredExtraCaCertificates } from "../stdlib/web/client.js";
import { checkSourceSize, readProgramText, formatSourceProblem } from "../host/run.js";
import { run } from "../host/api.js";
import { parse } from "../parser/parse.js";
import { tokenize } from "../lexer/lexer.js";
import { formatDiagnostic, positionsOf } from "../diagnostics/format.js";

export const VERSION = "26.8.8";

const HELP = `WebFirst Language (WFL) version ${VERSION} — wfl-ts

Usage:
  wfl FILE [ARGS...]     Run a program; ARGS reach it as 'args'
  wfl --test FILE        Run the program's describe/test blocks and print a summary
  wfl --parse FILE       Print the syntax tree as JSON (also --ast)
  wfl --lex FILE         Print the tokens
  wfl --version          Print the version
  wfl --help             Show this help

Exit status: 0 success, 1 any error or failed test.
`;

export async function cliMain(argv: string[]): Promise<number> {
  const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
  const first = argv[0];
  if (first === undefined) {
    process.stderr.write(HELP);
    return 1;
  }
  switch (first) {
    case "--help": case "-h":
      process.stdout.write(HELP);
      return 0;
    case "--version": case "-v": case "-V":
      process.stdout.write(`WebFirst Language (WFL) version ${VERSION}\n`);
      return 0;
    case "--test":
      if (!argv[1]) return usage("--test needs a file");
      return runFile(argv[1], argv.slice(2), true, color);
    case "--parse": case "--ast": case "--lex": {
      const file = argv[1];
      if (!file) return usage(`${first} needs a file`);
      const read = readProgramText(file);
      if (typeof read !== "string") {
        process.stderr.write(formatSourceProblem(read, file, color));
        return 1;
      }
      const tooLarge = checkSourceSize(read);
      if (tooLarge) {
        process.stderr.write(formatSourceProblem(tooLarge, file, color));
        return 1;
      }
      const source = read;
      if (first === "--lex") {
        const r = tokenize(source);
        // The lexer tracks offsets only; lines and columns are worked out here, in one pass.
        const at = positionsOf(source, r.tokens.map((t) => t.startOffset));
        r.tokens.forEach((t, i) => process.stdout.write(`${at[i]!.line}:${at[i]!.column} ${t.tokenType.name} ${JSON.stringify(t.image)}\n`));
        for (const d of r.diagnostics) process.stderr.write(formatDiagnostic("LEX", d.message, file, source, d.span, { color }));
        return r.diagnostics.length ? 1 : 0;
      }
      const r = parse(source, file);
      if (!r.program) {
        for (const d of r.diagnostics) process.stderr.write(formatDiagnostic("PARSE", d.message, file, source, d.span, { color }));
        return 1;
      }
      let json: string;
      try {
        json = JSON.stringify(r.program.body, null, 2);
      } catch {
        // Indentation makes very deep trees enormous; fall back to compact JSON.
        try {
          json = JSON.stringify(r.program.body);
        } catch {
          process.stderr.write(formatDiagnostic("PARSE", "The syntax tree is too large or too deep to print as JSON", file, null, undefined, { color }));
          return 1;
        }
      }
      process.stdout.write(json + "\n");
      return 0;
    }
    default:
      if (first.startsWith("--")) return usage(`Unknown option '${first}'`);
      return runFile(first, argv.slice(1), false, color);
  }
}

/** Run a program through the embedding API, its output and diagnostics going straight to stdout and stderr. */
async function runFile(file: string, args: string[], test: boolean, color: boolean): Promise<number> {
  const r = await run({ file }, {
    args,
    test,
    color,
    write: (t) => process.stdout.write(t),
    writeError: (t) => process.stderr.write(t),
  });
  return r.exitCode;
}

function usage(message: string): number {
  process.stderr.write(`error: ${message}\n\n${HELP}`);
  return 1;
}

/** Output that cannot be written (a closed pipe, a full disk) ends the run quietly, not with a trace. */
function guardOutput(): void {
  const onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === "EPIPE") process.exit(0); // the reader went away (`wfl prog.wfl | head -1`)
    try {
      process.stderr.write(`error[OUTPUT]: Cannot write the program's output: ${e.code ?? e.message}\n`);
    } finally {
      process.exit(1);
    }
  };
  process.stdout.on("error", onError);
  process.stderr.on("error", () => process.exit(1));
}

/**
 * bin/wfl passes NODE_EXTRA_CA_CERTS on as WFL_EXTRA_CA_CERTS so that Node does not load the
 * certificates at every start; put it back so subprocesses see the environment they were given,
 * and let the HTTP client (`open url`) add them to its trust list.
 */
function restoreExtraCaCertificates(): void {
  const deferred = process.env.WFL_EXTRA_CA_CERTS;
  if (deferred === undefined) return;
  process.env.NODE_EXTRA_CA_CERTS = deferred;
  deferredExtraCaCertificates(deferred);
  delete process.env.WFL_EXTRA_CA_CERTS;
}

/** Run the command and set the exit status; never lets a host stack trace reach the user. */
export function runCli(argv: string[]): void {
  restoreExtraCaCertificates();
  guardOutput();
  cliMain(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      // Anything reaching here is a bug in wfl-ts, reported without a host stack trace.
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(`error[INTERNAL]: ${msg}\nThis is a bug in wfl-ts; please report it with the program that caused it.\n`);
      if (process.env.WFL_DEBUG) process.stderr.write(String((e as Error)?.stack) + "\n");
      process.exitCode = 1;
    },
  );
}

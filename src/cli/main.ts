// The `wfl` command: run a program, its tests, or show its tokens or syntax tree.
import { checkSourceSize, readProgramText, formatSourceProblem, decodeSource } from "../host/run.js";
import { run } from "../host/api.js";
import { parse } from "../parser/parse.js";
import { tokenize } from "../lexer/lexer.js";
import { formatDiagnostic, positionsOf } from "../diagnostics/format.js";
import { startRepl } from "./repl.js";
import { analyzeFiles, lintFiles } from "../lint/cli.js";
import { runTests } from "./test-runner.js";
import { statSync } from "node:fs";
import { formatCommand } from "../format/cli.js";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";

export const VERSION = "26.8.8";

const HELP = `WebFirst Language (WFL) version ${VERSION} — wfl-ts

Usage:
  wfl                    Start the interactive REPL (on a terminal); otherwise
                         run the program read from standard input
  wfl FILE [ARGS...]     Run a program; ARGS reach it as 'args'
  wfl --test FILE        Run the program's describe/test blocks and print a summary
  wfl --test PATH...     Run every test file (*.wfl with describe) in these files
                         and folders: a line per file with its timing, a summary
      [--reporter junit] [--output FILE.xml]   and JUnit XML for CI
  wfl --lint FILE...     Check style and likely bugs (Docs/lint.md); exit 1 if any
  wfl --lint --fix [--in-place] FILE...
                         Apply the safe fixes: print the fixed text, or rewrite
                         the file and lint it again
  wfl --analyze FILE...  Report the static analysis errors without running
  wfl --parse FILE       Print the syntax tree as JSON (also --ast)
  wfl --lex FILE         Print the tokens
  wfl --format FILE      Print the program in the canonical layout
                         (--in-place rewrites FILE, --check exits 1 when it would change)
  wfl lsp --stdio        Start the language server (also the wfl-lsp command)
  wfl --version          Print the version
  wfl --help             Show this help

Exit status: 0 success, 1 any error or failed test.
`;

export async function cliMain(argv: string[]): Promise<number> {
  const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
  const first = argv[0];
  if (first === undefined) {
    // On a terminal: the REPL. Otherwise standard input is a program (`echo 'display 1' | wfl`).
    if (process.stdin.isTTY) return startRepl(VERSION);
    return runStdin(color);
  }
  switch (first) {
    case "--help": case "-h":
      process.stdout.write(HELP);
      return 0;
    case "--version": case "-v": case "-V":
      process.stdout.write(`WebFirst Language (WFL) version ${VERSION}\n`);
      return 0;
    case "--lint": case "--fix": case "--analyze": {
      const flags = new Set(argv.filter((a) => a.startsWith("--")));
      const files = argv.filter((a) => !a.startsWith("--"));
      const unknown = [...flags].find((f) => !["--lint", "--fix", "--in-place", "--analyze"].includes(f));
      if (unknown) return usage(`Unknown option '${unknown}' for ${first}`);
      if (files.length === 0) return usage(`${first} needs a file`);
      const o = { fix: flags.has("--fix"), inPlace: flags.has("--in-place"), color, out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
      if (first === "--analyze") return analyzeFiles(files, o);
      return lintFiles(files, o);
    }
    case "--test": {
      if (!argv[1]) return usage("--test needs a file");
      // Several files or folders, or a report for CI: the multi-file runner. One file: the
      // classic output, and what follows the file reaches the program as its arguments.
      const paths: string[] = [];
      let reporter: string | undefined;
      let output: string | undefined;
      for (let i = 1; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === "--reporter") reporter = argv[++i];
        else if (a.startsWith("--reporter=")) reporter = a.slice("--reporter=".length);
        else if (a === "--output") output = argv[++i];
        else if (a.startsWith("--output=")) output = a.slice("--output=".length);
        else paths.push(a);
      }
      const isPath = (p: string): boolean => { try { statSync(p); return true; } catch { return false; } };
      const isDir = (p: string): boolean => { try { return statSync(p).isDirectory(); } catch { return false; } };
      const multi = reporter !== undefined || output !== undefined || isDir(argv[1]) || (paths.length > 1 && paths.every(isPath));
      if (!multi) return runFile(argv[1], argv.slice(2), true, color);
      if (reporter !== undefined && reporter !== "junit" && reporter !== "text") return usage(`Unknown reporter '${reporter}' (use junit)`);
      if (paths.length === 0) return usage("--test needs a file or folder");
      return runTests({ paths, reporter: reporter === "junit" ? "junit" : "text", output, color });
    }
    case "--format":
      return formatCommand(argv.slice(1), color);
    case "lsp": {
      // The server is a bundle of its own (dist/lsp.js), loaded only here.
      const lspJs = join(distDir(), "lsp.js");
      let mod: { lspMain(argv: string[]): number | null };
      try {
        mod = (await import(pathToFileURL(lspJs).href)) as typeof mod;
      } catch {
        // Started from the start-up snapshot, which cannot import: run the bundle as a child.
        const r = spawnSync(process.execPath, [lspJs, ...argv.slice(1)], { stdio: "inherit" });
        return r.status ?? 1;
      }
      const code = mod.lspMain(argv.slice(1));
      // null: the server runs until the client asks it to exit.
      return code ?? new Promise<number>(() => {});
    }
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
    drainOnSignals: true,
    write: (t) => process.stdout.write(t),
    writeError: (t) => process.stderr.write(t),
  });
  return r.exitCode;
}

/** Standard input read to its end and run as a program named `<stdin>`. */
async function runStdin(color: boolean): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = decodeSource(Buffer.concat(chunks));
  if (typeof text !== "string") {
    process.stderr.write(formatSourceProblem(text, "<stdin>", color));
    return 1;
  }
  const r = await run(text, {
    file: "<stdin>",
    color,
    write: (t) => process.stdout.write(t),
    writeError: (t) => process.stderr.write(t),
  });
  return r.exitCode;
}

/** The folder of the bundles: this module's own (dist/cli.js), or the snapshot's (bin/wfl passes its path). */
function distDir(): string {
  const i = process.execArgv.indexOf("--snapshot-blob");
  if (i >= 0 && process.execArgv[i + 1]) return dirname(resolve(process.execArgv[i + 1]!));
  const main = process.argv[1];
  return main ? dirname(resolve(main)) : resolve("dist");
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
 * certificates at every start; put it back so subprocesses see the environment they were given
 * and TLS connections trust them (src/stdlib/trust.ts).
 */
function restoreExtraCaCertificates(): void {
  const deferred = process.env.WFL_EXTRA_CA_CERTS;
  if (deferred === undefined) return;
  process.env.NODE_EXTRA_CA_CERTS = deferred;
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

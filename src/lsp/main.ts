// Entry point of dist/lsp.js: `wfl-lsp` (bin/wfl-lsp) and `wfl lsp --stdio` (src/cli/main.ts) both
// start the server from here. It speaks LSP over standard input and output.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startLanguageServer, LSP_VERSION } from "./server.js";

export { startLanguageServer };

const HELP = `wfl-lsp — the WFL language server (LSP over standard input and output)

Usage:
  wfl-lsp [--stdio]      Start the server (what editors run)
  wfl lsp --stdio        The same, through the wfl command
  wfl-lsp --version      Print the version
`;

/** Starts the server, or answers --version/--help; returns an exit code when it does not start. */
export function lspMain(argv: string[]): number | null {
  if (argv.includes("--version") || argv.includes("-v")) {
    process.stdout.write(`wfl-lsp v${LSP_VERSION}\n`);
    return 0;
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(HELP);
    return 0;
  }
  const unknown = argv.find((a) => a !== "--stdio");
  if (unknown) {
    process.stderr.write(`error: wfl-lsp speaks LSP over stdio only; unknown option '${unknown}'\n\n${HELP}`);
    return 1;
  }
  startLanguageServer();
  return null;
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const code = lspMain(process.argv.slice(2));
  if (code !== null) process.exitCode = code;
}

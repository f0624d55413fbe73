// The WFL extension for VS Code: syntax colouring comes from syntaxes/wfl.tmLanguage.json; this
// file starts the language server (`wfl-lsp`, from wfl-ts) over stdio for .wfl files.
// Settings: wfl.enableLSP, wfl.lspPath (the wfl-lsp command), wfl.lspArgs, wfl.trace.server.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

async function activate(context) {
  const config = vscode.workspace.getConfiguration("wfl");
  if (!config.get("enableLSP", true)) return;
  const command = config.get("lspPath", "wfl-lsp") || "wfl-lsp";
  const args = config.get("lspArgs", []);
  const executable = { command, args, transport: TransportKind.stdio, options: { shell: process.platform === "win32" } };
  const serverOptions = { run: executable, debug: executable };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "wfl" }, { scheme: "untitled", language: "wfl" }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.wfl") },
  };
  client = new LanguageClient("wfl", "WFL Language Server", serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand("wfl.restartLanguageServer", async () => {
      if (client) await client.restart();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("wfl.lspPath") || e.affectsConfiguration("wfl.enableLSP") || e.affectsConfiguration("wfl.lspArgs")) {
        vscode.window.showInformationMessage("Reload the window to apply the new WFL language server settings.");
      }
    }),
  );
  try {
    await client.start();
  } catch (e) {
    vscode.window.showErrorMessage(`The WFL language server could not start (${command}): ${e && e.message ? e.message : e}. Install wfl-ts (npm install -g wfl-ts) or set wfl.lspPath.`);
  }
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };

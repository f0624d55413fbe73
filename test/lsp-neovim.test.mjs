// End to end with a real editor: headless Neovim (Debian's `neovim` package) and its built-in LSP
// client start `wfl lsp --stdio`, open a file, and read diagnostics, hover and go-to-definition.
// The Lua side writes what it got to a JSON file that this test reads. Skipped only when nvim is
// not installed (.ci/run installs it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const nvim = spawnSync("nvim", ["--version"], { encoding: "utf8" });
const haveNvim = nvim.status === 0;

const LUA = String.raw`
local out_path = os.getenv("WFL_NVIM_OUT")
local file = os.getenv("WFL_NVIM_FILE")
local result = { nvim = tostring(vim.version().major) .. "." .. tostring(vim.version().minor) }

local function finish()
  local f = io.open(out_path, "w")
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qa!")
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local config = {
    name = "wfl",
    cmd = { os.getenv("WFL_NODE"), os.getenv("WFL_CLI"), "lsp", "--stdio" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)            -- Neovim 0.8 and later
  else
    client_id = vim.lsp.start_client(config)     -- Neovim 0.7 (Debian 12)
    vim.lsp.buf_attach_client(buf, client_id)
  end
  result.client = client_id ~= nil
  -- Diagnostics arrive on their own once the server has analysed the file.
  vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, message = d.message, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) })
  end
  local function request(method, line, character)
    local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }
    local responses = vim.lsp.buf_request_sync(buf, method, params, 10000) or {}
    for _, r in pairs(responses) do
      if r.result then return r.result end
    end
    return vim.NIL
  end
  -- "display double of total": hover over 'double' (line 5, after the emoji line).
  result.hover = request("textDocument/hover", 5, 9)
  result.definition = request("textDocument/definition", 5, 9)
end)
if not ok then result.error = tostring(err) end
finish()
`;

test("headless Neovim with its built-in LSP client: diagnostics, hover and go-to-definition", { skip: haveNvim ? false : "nvim is not installed (apt-get install neovim; .ci/run does it)" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "wfl-nvim-"));
  const file = join(dir, "prog.wfl");
  writeFileSync(file, [
    "define action called double with n:",  // 0
    "    return n times 2",                   // 1
    "end action",                            // 2
    "store total as 21",                     // 3
    "display \"😀\" with totl",               // 4: an undefined name after an emoji
    "display double of total",               // 5
    "",
  ].join("\n"));
  const init = join(dir, "init.lua");
  writeFileSync(init, LUA);
  const out = join(dir, "result.json");
  const r = spawnSync("nvim", ["--headless", "-n", "-i", "NONE", "-u", init], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, WFL_NVIM_OUT: out, WFL_NVIM_FILE: file, WFL_NODE: process.execPath, WFL_CLI: join(root, "dist/cli.js"), XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
  });
  assert.ok(existsSync(out), `Neovim wrote its results (status ${r.status}, stderr: ${r.stderr})`);
  const res = JSON.parse(readFileSync(out, "utf8"));
  assert.equal(res.error, undefined, res.error);
  assert.equal(res.client, true);
  // Diagnostics: the undefined 'totl', at its UTF-16 column (the emoji counts two).
  assert.equal(res.diagnostics.length, 1, JSON.stringify(res.diagnostics));
  const d = res.diagnostics[0];
  assert.equal(d.lnum, 4);
  assert.match(d.message, /'totl' is not defined/);
  const col = "display \"😀\" with ".length;
  // Neovim 0.7 reports the column as the LSP sent it (UTF-16); later versions convert to bytes.
  assert.ok(d.col === col || d.col === Buffer.byteLength("display \"😀\" with "), `column ${d.col}`);
  // Hover: the action, with its declaration.
  assert.match(res.hover.contents.value, /\(action\) \*\*double\*\*/);
  assert.match(res.hover.contents.value, /define action called double with n/);
  // Go to definition: the name in `define action called double`.
  const loc = Array.isArray(res.definition) ? res.definition[0] : res.definition;
  assert.equal(loc.uri, `file://${file}`);
  assert.deepEqual(loc.range.start, { line: 0, character: "define action called ".length });
});

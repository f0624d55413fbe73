// A WFL WebSocket server answered by a real WebSocket client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const root = fileURLToPath(new URL("..", import.meta.url));

test("on websocket connect/message/disconnect handlers, send and broadcast", async () => {
  const child = spawn("bin/wfl", ["test/fixtures/ws_echo.wfl"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const port = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = /WebSocketServer::127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", () => reject(new Error(`server exited early: ${err}`)));
  });
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  const received = [];
  const three = new Promise((resolve) => ws.on("message", (d) => { received.push(String(d)); if (received.length === 3) resolve(); }));
  await new Promise((resolve) => ws.on("open", resolve));
  ws.send("hi");
  await three;
  ws.close();
  assert.deepEqual(received, ["welcome", "Echo: hi", "hi"]);
  assert.equal(await exited, 0, err);
  assert.match(out, /connected 1\n/);
  assert.match(out, /disconnected 1\n/);
  assert.match(out, /stopped\n$/);
});

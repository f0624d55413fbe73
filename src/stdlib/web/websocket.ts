// WebSocket servers: `listen for websockets on port P as s`, `on websocket connect|message|disconnect …`,
// `send websocket message v to c`, `broadcast websocket message v to s`. Built on the `ws` package.
// Handlers run on the event loop, i.e. whenever the program is waiting (`wait for …`).
import type { Server as HttpServer } from "node:http";
import type { WebSocketServer, WebSocket } from "ws";
import { requirePackage } from "../../runtime/packages.js";
import { WflObject, WflOpaque, type Value } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import type { ServerLimits } from "./server.js";
import { RunStopped } from "../../runtime/lifetime.js";

export type WsEvent = "connect" | "message" | "disconnect";
type Handler = (event: WflObject) => Promise<void>;

const sockets = new WeakMap<WflObject, WebSocket>();

export class WsServer {
  readonly handle: WflOpaque;
  private readonly handlers = new Map<WsEvent, Handler>();
  private readonly clients = new Map<WebSocket, WflObject>();
  private nextId = 1;

  private constructor(private readonly http: HttpServer, private readonly wss: WebSocketServer, private readonly owner: ServerLimits["owner"], host: string, port: number) {
    this.handle = new WflOpaque("WebSocketServer", `WebSocketServer::${host}:${port}`, this);
  }

  static async listen(port: number, limits: ServerLimits, maxMessageBytes: number): Promise<WsServer> {
    const httpLib = (process as unknown as { getBuiltinModule(id: string): typeof import("node:http") }).getBuiltinModule("node:http");
    const http = httpLib.createServer((_req, res) => {
      res.writeHead(426, { "Content-Type": "text/plain; charset=utf-8", Upgrade: "websocket" }).end("This port speaks WebSocket\n");
    });
    await new Promise<void>((resolve, reject) => {
      http.once("error", (e: NodeJS.ErrnoException) =>
        reject(new WflRuntimeError(e.code === "EADDRINUSE" ? `Port ${port} is already in use` : `Cannot listen on port ${port}: ${e.message}`, "general")));
      http.listen(port, limits.bindAddress, () => resolve());
    });
    const addr = http.address();
    const actual = typeof addr === "object" && addr ? addr.port : port;
    const { WebSocketServer: Wss } = requirePackage<typeof import("ws")>("ws");
    const wss = new Wss({ server: http, maxPayload: maxMessageBytes });
    const s = new WsServer(http, wss, limits.owner, limits.bindAddress, actual);
    wss.on("connection", (ws, req) => s.connected(ws, req.socket.remoteAddress ?? ""));
    limits.owner.add(s);
    return s;
  }

  on(event: WsEvent, handler: Handler): void {
    this.handlers.set(event, handler);
  }

  private connected(ws: WebSocket, ip: string): void {
    const conn = new WflObject([["id", String(this.nextId++)], ["ip", ip]]);
    sockets.set(conn, ws);
    this.clients.set(ws, conn);
    this.fire("connect", conn);
    ws.on("message", (data, isBinary) => {
      const msg = new WflObject([
        ["id", conn.get("id")!], ["ip", ip],
        ["body", isBinary ? new Uint8Array(data as Buffer) : String(data)],
        ["sender", conn],
      ]);
      sockets.set(msg, ws);
      this.fire("message", msg);
    });
    ws.on("close", () => {
      this.clients.delete(ws);
      this.fire("disconnect", conn);
    });
    ws.on("error", () => ws.terminate());
  }

  /** Run a handler from the event loop. A run that was stopped meanwhile just stops (it must not reach the host). */
  private fire(event: WsEvent, obj: WflObject): void {
    const h = this.handlers.get(event);
    if (!h) return;
    void h(obj).catch((e: unknown) => {
      if (!(e instanceof RunStopped)) throw e;
    });
  }

  broadcast(v: Value): void {
    const data = v instanceof Uint8Array ? v : formatValue(v);
    for (const ws of this.clients.keys()) if (ws.readyState === 1) ws.send(data);
  }

  close(): void {
    for (const ws of this.clients.keys()) ws.terminate();
    this.wss.close();
    this.http.close();
    this.owner.delete(this);
  }
}

export function wsServerOf(v: Value): WsServer {
  if (v instanceof WflOpaque && v.handle instanceof WsServer) return v.handle;
  throw new WflRuntimeError(`Expected a WebSocket server (from 'listen for websockets on port … as name'), got ${formatValue(v)}`, "type");
}

/** `send websocket message v to c`: c is a connection or a received message (answers its sender). */
export function sendTo(target: Value, v: Value): void {
  const ws = target instanceof WflObject ? sockets.get(target) : undefined;
  if (!ws) throw new WflRuntimeError("send websocket message needs a connection or a message from an 'on websocket' handler", "type");
  if (ws.readyState === 1) ws.send(v instanceof Uint8Array ? v : formatValue(v));
}

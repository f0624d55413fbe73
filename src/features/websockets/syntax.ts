// The grammar of WebSocket servers: `listen for websockets`, `on websocket …`, `send`/`broadcast`.
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Stmt } from "../../ast/nodes.js";

export function websocketsSyntax<B extends ParserClass>(Base: B) {
  abstract class WebsocketsSyntax extends Base {
    /** `on websocket connect to s as c:` / `message from s as m:` / `disconnect from s as c:` … `end on`. */
    onWebSocketStmt = this.RULE("onWebSocketStmt", (): Stmt => {
      const start = this.CONSUME(K.on);
      this.word(0, "websocket");
      const eventTok = this.word(2, "connect", "message", "disconnect");
      this.OR([{ ALT: () => this.CONSUME(K.to) }, { ALT: () => this.CONSUME(K.from) }]);
      const server = this.SUBRULE(this.postfix);
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      this.blockOpen();
      const body = this.SUBRULE(this.block);
      this.endOf(K.on);
      return this.ACTION(() => {
        const ev = eventTok.image;
        const event = ev === "message" ? "message" : ev === "disconnect" ? "disconnect" : "connect";
        return { kind: "OnWebSocket", event, server, name, body, span: this.spanFrom(start) } as Stmt;
      });
    });

    /** `send websocket message v to c`, `broadcast websocket message v to s`. */
    webSocketSendStmt = this.RULE("webSocketSendStmt", (): Stmt => {
      const start = this.word(1, "send", "broadcast");
      this.word(2, "websocket");
      this.word(3, "message");
      const message = this.withArgsMode(true, () => this.SUBRULE(this.additive));
      this.CONSUME(K.to);
      const target = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "WebSocketSend", broadcast: start.image === "broadcast", message, target, span: this.spanFrom(start) };
    });

    protected readonly websocketsTables = this.contribute({
      statements: [
        { GATE: () => this.isWord(2, "websocket"), ALT: () => this.SUBRULE(this.onWebSocketStmt) },
        { GATE: () => this.isOneOf(1, ["send", "broadcast"]) && this.isWord(2, "websocket"), ALT: () => this.SUBRULE(this.webSocketSendStmt) },
      ],
    });
  }
  return WebsocketsSyntax;
}

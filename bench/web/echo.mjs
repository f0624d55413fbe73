// JSON echo in bare node:http (the twin of echo.wfl): parse the body, send it back as JSON.
import http from "node:http";
import { withSameHeaders } from "./same-headers.mjs";

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let body;
    try {
      body = Buffer.from(JSON.stringify(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
    } catch {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(200, withSameHeaders(["Content-Type", "application/json", "Content-Length", String(body.length)]));
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => console.log(`WebServer::127.0.0.1:${server.address().port}`));

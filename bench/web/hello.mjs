// Hello world in bare node:http (the twin of hello.wfl).
import http from "node:http";
import { withSameHeaders } from "./same-headers.mjs";

const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, withSameHeaders(["Content-Type", "text/plain; charset=utf-8", "Content-Length", "13"]));
    res.end("Hello, World!");
  });
});
server.listen(0, "127.0.0.1", () => console.log(`WebServer::127.0.0.1:${server.address().port}`));

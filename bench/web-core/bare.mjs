// The same two servers in bare node:http: `node bare.mjs hello|echo` prints its port.
import http from "node:http";
const kind = process.argv[2];
const server = http.createServer((req, res) => {
  if (kind === "hello") {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("Hello, World!");
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const data = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(data));
  });
});
server.listen(0, "127.0.0.1", () => console.log(`WebServer::127.0.0.1:${server.address().port}`));

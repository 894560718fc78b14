// Broadcast server on the `websocket` package, as in the classic Node chat tutorial.
const http = require("http");
const WebSocketServer = require("websocket").server;

const port = Number(process.argv[2] || 3102);
const server = http.createServer();
server.listen(port, "127.0.0.1");
const wss = new WebSocketServer({ httpServer: server, autoAcceptConnections: false });
const clients = new Set();
wss.on("request", (request) => {
  const connection = request.accept(null, request.origin);
  clients.add(connection);
  connection.on("message", (message) => {
    if (message.type !== "utf8") return;
    for (const client of clients) client.sendUTF(message.utf8Data);
  });
  connection.on("close", () => clients.delete(connection));
});

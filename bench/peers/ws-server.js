// Broadcast server on Node's `ws`: every text frame goes to every open client.
const { WebSocketServer, WebSocket } = require("ws");

const port = Number(process.argv[2] || 3100);
const wss = new WebSocketServer({ host: "127.0.0.1", port });
wss.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => {
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});

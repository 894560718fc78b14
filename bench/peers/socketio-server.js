// Broadcast server on socket.io (WebSocket transport only): every "msg" event goes
// to every connected socket.
const http = require("http");
const { Server } = require("socket.io");

const port = Number(process.argv[2] || 3101);
const server = http.createServer();
const io = new Server(server, { transports: ["websocket"] });
io.on("connection", (socket) => {
  socket.on("msg", (body) => io.emit("msg", body));
});
server.listen(port, "127.0.0.1");

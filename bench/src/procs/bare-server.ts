// The ingest baseline, run as its own process: a bare node:http server that reads each request
// body in full and answers 204. Prints `READY {"port": n}`.
import { createServer } from "node:http";

const server = createServer((request, response) => {
  request.on("data", () => undefined);
  request.on("end", () => {
    response.statusCode = 204;
    response.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  process.stdout.write(`READY ${JSON.stringify({ port })}\n`);
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

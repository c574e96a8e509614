// A TCP load balancer for tests and the benchmark: round robin per connection over the
// mediator processes, skipping one that refuses the connection (a process that died). It
// passes WebSocket upgrades as any TCP proxy does. In production, any HTTP load balancer
// that passes WebSocket upgrades takes its place (README, "Scale-out").
import { connect, createServer } from 'node:net';

/**
 * Listens on 127.0.0.1:`port` (0: any) and forwards each connection to the next of
 * `backends` (ports on 127.0.0.1; `setBackends` replaces them). Resolves to
 * `{ port, url, wsUrl, setBackends(ports), counts, close() }`; `counts` maps a backend
 * port to the connections it was given.
 */
export async function startBalancer({ port = 0, backends = [] } = {}) {
  let ports = [...backends];
  let next = 0;
  const counts = new Map();
  const sockets = new Set();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const attempt = (tries) => {
      if (tries >= ports.length) {
        client.destroy();
        return;
      }
      const target = ports[next++ % ports.length];
      const upstream = connect(target, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        counts.set(target, (counts.get(target) ?? 0) + 1);
        sockets.add(upstream);
        upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
        client.on('close', () => upstream.destroy());
        client.on('error', () => {});
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', () => {
        if (!connected) attempt(tries + 1); // refused: the next backend
      });
    };
    attempt(0);
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', ok));
  const listening = server.address().port;
  return {
    port: listening,
    url: `http://127.0.0.1:${listening}/`,
    wsUrl: `ws://127.0.0.1:${listening}/ws`,
    counts,
    setBackends(list) { ports = [...list]; },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => server.close(ok));
    },
  };
}

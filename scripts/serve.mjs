// A small static file server on 127.0.0.1 (an ephemeral port unless one is given): the
// browser tests serve the package with it, and `npm start` the demo page.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

// WebAssembly.instantiateStreaming insists on application/wasm; module scripts need a JS type.
const TYPES = {
  '.wasm': 'application/wasm',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Serves the files under `dir` (a directory serves its index.html) and the in-memory
 * `routes` ({ '/path': { type, body, status? } }, matched first; the object may gain
 * routes after the server starts) on 127.0.0.1 at `port` (default: an ephemeral one).
 * `mounts` ({ '/js/': '/abs/dir' }) serve other directories under a path prefix.
 * @returns {Promise<{ url: string, close: () => Promise<void> }>} url has no trailing slash
 */
export async function serveStatic(dir, { routes = {}, port = 0, mounts = {} } = {}) {
  const root = resolve(dir);
  const send = (res, status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };

  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
      let pathname;
      try {
        // Decoding turns %2e%2e%2f into ../, so the containment check below runs on the decoded path.
        pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      } catch {
        return send(res, 400, 'text/plain', 'bad request\n');
      }
      const route = routes[pathname];
      if (route) return send(res, route.status ?? 200, route.type, route.body);

      const prefix = Object.keys(mounts).find((p) => pathname.startsWith(p));
      const base = prefix ? resolve(mounts[prefix]) : root;
      const rel = prefix ? pathname.slice(prefix.length - 1) : pathname;
      let file = resolve(join(base, rel));
      if (pathname.includes('\0') || (file !== base && !file.startsWith(base + sep))) {
        return send(res, 403, 'text/plain', 'forbidden\n');
      }
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) return send(res, 404, 'text/plain', 'not found\n');
      return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file));
    } catch (e) {
      return send(res, 500, 'text/plain', `${e}\n`);
    }
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const { port: bound } = server.address();
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise((ok) => {
      // Browsers hold keep-alive connections open; without this, close() waits for them.
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

/**
 * The demo page (www/) with the package's web entry (/js/, /pkg/web/), its QR code library
 * (/vendor/), and `/config.json`
 * naming the mediator the page connects to first. Never the rest of the repository.
 */
export function serveDemo({ mediator, port = 0 }) {
  const root = new URL('..', import.meta.url).pathname;
  const config = { mediator: { oobUrl: mediator.oobUrl, did: mediator.did, url: mediator.url } };
  return serveStatic(join(root, 'www'), {
    port,
    mounts: {
      '/js/': join(root, 'js'),
      '/pkg/web/': join(root, 'pkg/web'),
      '/vendor/qrcode-generator/': join(root, 'node_modules/qrcode-generator/dist'),
    },
    routes: { '/config.json': { type: 'application/json', body: JSON.stringify(config) } },
  });
}

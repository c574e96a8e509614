// Test helpers for the browser tests: Debian's Chromium through playwright-core (no
// browser download), and a tiny static file server on 127.0.0.1 with an ephemeral port.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { chromium } from 'playwright-core';

/**
 * Headless Chromium from /usr/bin/chromium. Playwright gives each launch a fresh temporary
 * --user-data-dir of its own (and deletes it on close), so runs share no profile state.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox', // containers usually lack the user namespaces the sandbox needs
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // No traffic of Chromium's own: this machine has no network, and tests must not depend on it.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

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
 * routes after the server starts) on 127.0.0.1 at an ephemeral port.
 * @returns {Promise<{ url: string, close: () => Promise<void> }>} url has no trailing slash
 */
export async function serveStatic(dir, { routes = {} } = {}) {
  const base = resolve(dir);
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

      let file = resolve(join(base, pathname));
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
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => {
      // Browsers hold keep-alive connections open; without this, close() waits for them.
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

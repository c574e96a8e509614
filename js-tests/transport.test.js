// The transports (issue 8): httpPost against a node:http server and Socket against a `ws`
// WebSocketServer, on 127.0.0.1 at ephemeral ports; then the same basics in headless
// Chromium against the web build.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { WebSocketServer, WebSocket } from 'ws';
import { DIDCommError, httpPost, Socket, wasmMemoryBytes } from 'didcomm-wasm';
import { isDIDCommError, root } from './fixtures.js';
import { launchChromium, serveStatic } from './chromium.js';

const TYPE = 'application/didcomm-encrypted+json';
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Resolves once `check()` is true (polling), or fails after `ms`. */
async function until(check, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A port nothing listens on (it was free a moment ago). */
async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * An HTTP server with the routes the tests need; `requests` records every request (method,
 * path, content type, body). CORS is open, for the browser test.
 */
async function httpServer() {
  const requests = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      requests.push({ method: req.method, path: req.url, type: req.headers['content-type'], body });
      const cors = { 'access-control-allow-origin': '*' };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' });
        return res.end();
      }
      const send = (status, headers = {}, text) => {
        res.writeHead(status, { ...cors, ...headers });
        res.end(text);
      };
      switch (req.url) {
        case '/accept': return send(202);
        case '/echo': return send(200, { 'content-type': 'application/json' }, JSON.stringify({ got: body, type: req.headers['content-type'] }));
        case '/old': return send(307, { location: '/new?x=1' });
        case '/permanent': return send(308, { location: `http://127.0.0.1:${server.address().port}/new` });
        case '/new?x=1': case '/new': return send(200, { 'content-type': 'text/plain' }, `new got ${body}`);
        case '/found': return send(302, { location: '/new' });
        case '/loop': return send(307, { location: '/loop' });
        case '/fail': return send(500, { 'content-type': 'application/json' }, '{"problem":"boom"}');
        case '/big-fail': return send(400, {}, 'é'.repeat(3000)); // 6000 bytes of UTF-8
        case '/hang': return undefined; // never answers
        default: return send(404, {}, 'not found');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

/**
 * A `ws` server on `port` (0: ephemeral). On each connection it sends a text and a binary
 * frame, echoes what it receives, and counts connections; `sockets` are the server ends.
 */
async function wsServer(port = 0) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  await once(wss, 'listening');
  const state = { wss, port: wss.address().port, connections: 0, sockets: [], received: [] };
  wss.on('connection', (ws) => {
    state.connections += 1;
    state.sockets.push(ws);
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      state.received.push({ text, isBinary });
      ws.send(`echo ${text}`);
    });
    ws.send(`hello ${state.connections}`);
    ws.send(Buffer.from(`binary ✓ ${state.connections}`), { binary: true });
  });
  state.url = `ws://127.0.0.1:${state.port}`;
  state.close = () => new Promise((ok) => {
    for (const ws of wss.clients) ws.terminate();
    wss.close(() => ok());
  });
  return state;
}

/** Handlers that record what they see. */
function recorder() {
  const events = [];
  const handlers = {
    events,
    messages: () => events.filter((e) => e.type === 'message').map((e) => e.text),
    closes: () => events.filter((e) => e.type === 'close').map((e) => e.info),
    opens: () => events.filter((e) => e.type === 'open').length,
    onOpen() { events.push({ type: 'open', self: this === handlers }); },
    onMessage(text) { events.push({ type: 'message', text }); },
    onClose(info) { events.push({ type: 'close', info }); },
  };
  return handlers;
}

describe('httpPost (Node)', () => {
  let server;
  before(async () => { server = await httpServer(); });
  after(() => server.close());

  test('202 with an empty body', async () => {
    const res = await httpPost(`${server.url}/accept`, '{"a":1}', TYPE);
    assert.deepEqual(res, { status: 202, contentType: null, body: '', url: `${server.url}/accept` });
    const req = server.requests.at(-1);
    assert.deepEqual(req, { method: 'POST', path: '/accept', type: TYPE, body: '{"a":1}' });
  });

  test('200 with a body and its content type', async () => {
    const res = await httpPost(`${server.url}/echo`, 'ünïcode ✓', 'text/plain; charset=utf-8');
    assert.equal(res.status, 200);
    assert.equal(res.contentType, 'application/json');
    assert.deepEqual(JSON.parse(res.body), { got: 'ünïcode ✓', type: 'text/plain; charset=utf-8' });
  });

  test('307 and 308 are followed with the same body; url is the final one', async () => {
    const res = await httpPost(`${server.url}/old`, 'moved body', TYPE);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'new got moved body');
    assert.equal(res.url, `${server.url}/new?x=1`);
    assert.deepEqual(server.requests.slice(-2).map((r) => [r.method, r.path, r.body, r.type]), [
      ['POST', '/old', 'moved body', TYPE], ['POST', '/new?x=1', 'moved body', TYPE],
    ]);
    const permanent = await httpPost(`${server.url}/permanent`, 'p', TYPE);
    assert.equal(permanent.url, `${server.url}/new`);
    assert.equal(permanent.body, 'new got p');
  });

  test('302 is not followed: ERR_TRANSPORT naming the status', async () => {
    const before = server.requests.length;
    await assert.rejects(httpPost(`${server.url}/found`, 'x', TYPE), isDIDCommError('ERR_TRANSPORT', /HTTP 302/));
    assert.equal(server.requests.length, before + 1, 'no request to the location');
  });

  test('more than 5 redirects: ERR_TRANSPORT', async () => {
    const before = server.requests.length;
    await assert.rejects(httpPost(`${server.url}/loop`, 'x', TYPE), isDIDCommError('ERR_TRANSPORT', /HTTP 307/));
    assert.equal(server.requests.length, before + 6, 'the first request and 5 hops');
  });

  test('500 with a body: ERR_TRANSPORT with status and body', async () => {
    const e = await httpPost(`${server.url}/fail`, 'x', TYPE).catch((err) => err);
    isDIDCommError('ERR_TRANSPORT', /^POST http:\/\/127\.0\.0\.1:\d+\/fail: HTTP 500$/)(e);
    assert.equal(e.status, 500);
    assert.equal(e.body, '{"problem":"boom"}');
    assert.ok(!('cause' in e));
  });

  test('an error body is cut to 4 KB, on a character boundary', async () => {
    const e = await httpPost(`${server.url}/big-fail`, 'x', TYPE).catch((err) => err);
    isDIDCommError('ERR_TRANSPORT', /HTTP 400/)(e);
    assert.equal(e.status, 400);
    assert.equal(e.body, 'é'.repeat(2048));
  });

  test('no response within timeoutMs: ERR_TRANSPORT naming the timeout', async () => {
    const started = Date.now();
    const e = await httpPost(`${server.url}/hang`, 'x', TYPE, { timeoutMs: 200 }).catch((err) => err);
    isDIDCommError('ERR_TRANSPORT', /no response within 200 ms/)(e);
    assert.ok(Date.now() - started < 5000);
    assert.ok('cause' in e);
  });

  test('connection refused: ERR_TRANSPORT with what fetch threw as cause', async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    const e = await httpPost(url, 'x', TYPE).catch((err) => err);
    isDIDCommError('ERR_TRANSPORT', /^POST http:\/\/127\.0\.0\.1:\d+\/ failed: /)(e);
    assert.ok(e.cause instanceof Error, `cause: ${e.cause}`);
  });

  test('options.fetch is used, called with globalThis as this', async () => {
    const calls = [];
    async function fetch(url, init) {
      calls.push({ self: this, url, init });
      return globalThis.fetch(url, init);
    }
    const res = await httpPost(`${server.url}/old`, 'via injected fetch', TYPE, { fetch });
    assert.equal(res.body, 'new got via injected fetch');
    assert.deepEqual(calls.map((c) => c.url), [`${server.url}/old`, `${server.url}/new?x=1`]);
    assert.equal(calls[0].self, globalThis);
    const { init } = calls[0];
    assert.equal(init.method, 'POST');
    assert.equal(init.body, 'via injected fetch');
    assert.deepEqual(init.headers, { 'content-type': TYPE });
    assert.equal(init.redirect, 'manual');
    assert.equal(typeof init.signal?.aborted, 'boolean');
  });

  test('an opaque redirect (a browser hiding a manual redirect) is asked again with redirect: follow', async () => {
    const redirects = [];
    const fetch = async (url, init) => {
      redirects.push(init.redirect);
      if (init.redirect === 'manual') return { type: 'opaqueredirect', status: 0, url: '', headers: new Headers() };
      return globalThis.fetch(url, init);
    };
    const res = await httpPost(`${server.url}/old`, 'followed', TYPE, { fetch });
    assert.deepEqual(redirects, ['manual', 'follow']);
    assert.equal(res.body, 'new got followed');
    assert.equal(res.url, `${server.url}/new?x=1`);
  });

  test('a fetch that throws or gives no Response', async () => {
    const boom = new Error('boom');
    const e = await httpPost(`${server.url}/echo`, 'x', TYPE, { fetch: () => { throw boom; } }).catch((err) => err);
    isDIDCommError('ERR_TRANSPORT', /failed: boom/)(e);
    assert.equal(e.cause, boom);
    // Nothing it returns can trap the wasm.
    for (const value of [undefined, null, 42, 'text', {}, { status: 200 }, { status: 'x', headers: 5, text: 7 }]) {
      const r = await httpPost(`${server.url}/echo`, 'x', TYPE, { fetch: async () => value }).catch((err) => err);
      if (r instanceof Error) isDIDCommError('ERR_TRANSPORT')(r);
    }
  });

  test('no fetch at all: ERR_TRANSPORT', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
    delete globalThis.fetch;
    try {
      await assert.rejects(httpPost(`${server.url}/echo`, 'x', TYPE), isDIDCommError('ERR_TRANSPORT', /no fetch/));
    } finally {
      Object.defineProperty(globalThis, 'fetch', descriptor);
    }
  });

  test('bad arguments: ERR_ILLEGAL_ARGUMENT', async () => {
    const url = `${server.url}/echo`;
    const cases = [
      [() => httpPost(42, 'x', TYPE), /url/],
      [() => httpPost(url, { a: 1 }, TYPE), /body/],
      [() => httpPost(url, 'x'), /contentType/],
      [() => httpPost(url, 'x', TYPE, 5), /options/],
      [() => httpPost(url, 'x', TYPE, { timeoutMs: -1 }), /timeoutMs/],
      [() => httpPost(url, 'x', TYPE, { timeoutMs: '100' }), /timeoutMs/],
      [() => httpPost(url, 'x', TYPE, { fetch: 'fetch' }), /fetch/],
    ];
    for (const [fn, needle] of cases) await assert.rejects(fn(), isDIDCommError('ERR_ILLEGAL_ARGUMENT', needle));
  });
});

describe('Socket (Node, ws package)', () => {
  test('opens, text frames both ways, a binary frame arrives as text; this is the handlers', async () => {
    const server = await wsServer();
    const h = recorder();
    const socket = new Socket(server.url, h, { WebSocket });
    try {
      assert.equal(socket.state, 'connecting');
      assert.equal(socket.url, server.url);
      await until(() => h.opens() === 1, 'open');
      assert.equal(h.events[0].self, true);
      assert.equal(socket.state, 'open');
      await until(() => h.messages().length === 2, 'the greeting frames');
      assert.deepEqual(h.messages(), ['hello 1', 'binary ✓ 1']);
      socket.send('ping ✓');
      await until(() => h.messages().length === 3, 'the echo');
      assert.equal(h.messages()[2], 'echo ping ✓');
      assert.deepEqual(server.received, [{ text: 'ping ✓', isBinary: false }]);
    } finally {
      socket.close();
      await server.close();
    }
  });

  test('a server-side close reconnects, and frames flow again', async () => {
    const server = await wsServer();
    const h = recorder();
    const socket = new Socket(server.url, h, { WebSocket, initialDelayMs: 20 });
    try {
      await until(() => h.messages().length === 2, 'first connection');
      server.sockets[0].close(4000, 'bye');
      await until(() => h.closes().length === 1, 'onClose');
      const [info] = h.closes();
      assert.equal(info.code, 4000);
      assert.equal(info.reason, 'bye');
      assert.equal(typeof info.reconnectInMs, 'number');
      assert.ok(info.reconnectInMs >= 10 && info.reconnectInMs <= 20, `delay ${info.reconnectInMs}`);
      assert.equal(socket.state, 'waiting');
      await until(() => h.opens() === 2, 'second open');
      assert.equal(server.connections, 2);
      await until(() => h.messages().length === 4, 'second greeting');
      socket.send('again');
      await until(() => h.messages().includes('echo again'), 'echo on the new connection');
      assert.deepEqual(h.messages().slice(2, 4), ['hello 2', 'binary ✓ 2']);
    } finally {
      socket.close();
      await server.close();
    }
  });

  test('close(): state closed, onClose with reconnectInMs null, no reconnection; idempotent', async () => {
    const server = await wsServer();
    const h = recorder();
    const socket = new Socket(server.url, h, { WebSocket, initialDelayMs: 5 });
    try {
      await until(() => h.opens() === 1, 'open');
      socket.close(4001, 'done');
      assert.equal(socket.state, 'closed');
      await until(() => h.closes().length === 1, 'onClose');
      assert.equal(h.closes()[0].reconnectInMs, null);
      assert.equal(h.closes()[0].code, 4001);
      socket.close();
      await sleep(150);
      assert.equal(server.connections, 1);
      assert.equal(h.closes().length, 1);
      assert.equal(socket.state, 'closed');
      assert.throws(() => socket.send('x'), isDIDCommError('ERR_TRANSPORT', /is not open/));
    } finally {
      await server.close();
    }
  });

  test('reconnect: false stops at the first close', async () => {
    const server = await wsServer();
    const h = recorder();
    const socket = new Socket(server.url, h, { WebSocket, reconnect: false });
    await until(() => h.opens() === 1, 'open');
    server.sockets[0].close(1000);
    await until(() => h.closes().length === 1, 'onClose');
    assert.equal(h.closes()[0].reconnectInMs, null);
    assert.equal(socket.state, 'closed');
    await sleep(100);
    assert.equal(server.connections, 1);
    await server.close();
  });

  test('server down at first: retries with growing delays, connects when it comes up', async () => {
    const port = await freePort();
    const h = recorder();
    const socket = new Socket(`ws://127.0.0.1:${port}`, h, { WebSocket, initialDelayMs: 20, maxDelayMs: 80 });
    let server;
    try {
      await until(() => h.closes().length >= 4, 'four failed attempts');
      assert.equal(h.opens(), 0);
      const delays = h.closes().map((c) => c.reconnectInMs);
      delays.slice(0, 4).forEach((d, i) => {
        const full = Math.min(80, 20 * 2 ** i);
        assert.ok(d >= full / 2 && d <= full, `attempt ${i}: ${d} ms not in [${full / 2}, ${full}]`);
      });
      assert.ok(h.closes().every((c) => c.code === 1006));
      server = await wsServer(port);
      await until(() => h.opens() === 1, 'open once the server is up');
      await until(() => h.messages().length === 2, 'greeting');
      // After an open the backoff starts again from the initial delay.
      const failures = h.closes().length;
      server.sockets[0].close(1000);
      await until(() => h.closes().length === failures + 1, 'onClose');
      assert.ok(h.closes().at(-1).reconnectInMs <= 20);
    } finally {
      socket.close();
      await server?.close();
    }
  });

  test('close() while waiting cancels the attempt and reports at once', async () => {
    const port = await freePort();
    const h = recorder();
    const socket = new Socket(`ws://127.0.0.1:${port}`, h, { WebSocket, initialDelayMs: 200 });
    await until(() => socket.state === 'waiting', 'waiting');
    const closes = h.closes().length;
    socket.close();
    assert.equal(socket.state, 'closed');
    assert.equal(h.closes().length, closes + 1);
    assert.equal(h.closes().at(-1).reconnectInMs, null);
    const server = await wsServer(port);
    await sleep(400);
    assert.equal(server.connections, 0);
    await server.close();
  });

  test('close() from inside onClose cancels the reconnection just scheduled', async () => {
    const server = await wsServer();
    const h = recorder();
    let socket;
    const handlers = { ...h, onClose(info) { h.onClose(info); socket.close(); } };
    socket = new Socket(server.url, handlers, { WebSocket, initialDelayMs: 5 });
    try {
      await until(() => h.messages().length === 2, 'open');
      server.sockets[0].close(4002);
      await until(() => h.closes().length === 2, 'both onClose calls');
      const [first, last] = h.closes();
      assert.equal(typeof first.reconnectInMs, 'number');
      assert.equal(last.reconnectInMs, null);
      assert.equal(socket.state, 'closed');
      await sleep(100);
      assert.equal(server.connections, 1);
      assert.equal(h.closes().length, 2);
    } finally {
      await server.close();
    }
  });

  test('handlers that throw do not break the socket', async () => {
    const server = await wsServer();
    const seen = [];
    const handlers = {
      onOpen() { throw new Error('open handler'); },
      onMessage(text) { seen.push(text); throw new Error('message handler'); },
    };
    const socket = new Socket(server.url, handlers, { WebSocket });
    try {
      await until(() => seen.length === 2, 'both frames');
      socket.send('still works');
      await until(() => seen.includes('echo still works'), 'echo');
    } finally {
      socket.close();
      await server.close();
    }
  });

  test('send before the socket is open: ERR_TRANSPORT', async () => {
    const server = await wsServer();
    const socket = new Socket(server.url, { onMessage() {} }, { WebSocket });
    assert.throws(() => socket.send('too early'), isDIDCommError('ERR_TRANSPORT', /^WebSocket ws:\/\/127\.0\.0\.1:\d+ is not open$/));
    socket.close();
    await server.close();
  });

  test('no WebSocket implementation (Node 20 has no global one): ERR_TRANSPORT', () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
    delete globalThis.WebSocket;
    try {
      assert.throws(() => new Socket('ws://127.0.0.1:1', { onMessage() {} }),
        isDIDCommError('ERR_TRANSPORT', /no WebSocket implementation: pass options\.WebSocket/));
    } finally {
      if (descriptor) Object.defineProperty(globalThis, 'WebSocket', descriptor);
    }
  });

  test('a WebSocket constructor that throws: ERR_TRANSPORT with the cause', () => {
    const boom = new SyntaxError('bad url');
    const e = (() => {
      try {
        return new Socket('nonsense', { onMessage() {} }, { WebSocket: function Throwing() { throw boom; } });
      } catch (err) {
        return err;
      }
    })();
    isDIDCommError('ERR_TRANSPORT', /WebSocket nonsense: bad url/)(e);
    assert.equal(e.cause, boom);
  });

  test('bad arguments: ERR_ILLEGAL_ARGUMENT', () => {
    const ok = { onMessage() {} };
    const cases = [
      [() => new Socket(5, ok, { WebSocket }), /url/],
      [() => new Socket('ws://x', {}, { WebSocket }), /handlers/],
      [() => new Socket('ws://x', null, { WebSocket }), /handlers/],
      [() => new Socket('ws://x', { onMessage() {}, onOpen: 1 }, { WebSocket }), /onOpen/],
      [() => new Socket('ws://x', ok, 7), /options/],
      [() => new Socket('ws://x', ok, { WebSocket: 'ws' }), /WebSocket/],
      [() => new Socket('ws://x', ok, { WebSocket, reconnect: 'yes' }), /reconnect/],
      [() => new Socket('ws://x', ok, { WebSocket, initialDelayMs: -5 }), /initialDelayMs/],
      [() => new Socket('ws://x', ok, { WebSocket, maxDelayMs: Infinity }), /maxDelayMs/],
    ];
    for (const [fn, needle] of cases) assert.throws(fn, isDIDCommError('ERR_ILLEGAL_ARGUMENT', needle));
  });

  test('send and close check their arguments', async () => {
    const server = await wsServer();
    const socket = new Socket(server.url, { onMessage() {} }, { WebSocket });
    try {
      assert.throws(() => socket.send(5), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /text/));
      assert.throws(() => socket.close(1001), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /code/));
      assert.throws(() => socket.close(1000, 'x'.repeat(124)), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /reason/));
      assert.notEqual(socket.state, 'closed');
    } finally {
      socket.close();
      await server.close();
    }
  });
});

/** A WebSocket stand-in that opens and closes on the next microtask, for lifecycle checks. */
class FakeWebSocket {
  static last;

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.binaryType = 'blob';
    this.sent = [];
    FakeWebSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.({ type: 'open' });
    });
  }

  send(text) { this.sent.push(text); }

  close(code, reason) {
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ type: 'close', code, reason }));
  }
}

test('after close() the socket has no handlers left and the callback is freed', async () => {
  const h = recorder();
  const socket = new Socket('ws://fake', h, { WebSocket: FakeWebSocket });
  const fake = FakeWebSocket.last;
  assert.equal(fake.binaryType, 'arraybuffer');
  await until(() => h.opens() === 1, 'open');
  const callback = fake.onmessage;
  assert.equal(typeof callback, 'function');
  assert.equal(fake.onopen, callback);
  // Whatever a WebSocket implementation passes, nothing traps.
  for (const event of [{ type: 'message', data: 42 }, { type: 'message', data: new Uint8Array([0xe2, 0x9c, 0x93]) },
    { type: 'message' }, {}, { type: 7 }, null, { type: 'error' }]) {
    callback(event);
  }
  assert.deepEqual(h.messages(), ['', '✓', '']);
  socket.send('out');
  assert.deepEqual(fake.sent, ['out']);
  socket.close();
  await until(() => h.closes().length === 1, 'onClose');
  for (const name of ['onopen', 'onmessage', 'onclose', 'onerror']) assert.equal(fake[name], null, name);
  // The wasm closure behind the handlers has been dropped: calling it throws.
  assert.throws(() => callback({ type: 'message', data: 'late' }));
  assert.equal(h.messages().length, 3);
});

test('httpPost leaks no wasm memory', async () => {
  const server = await httpServer();
  try {
    const round = async (n) => {
      for (let i = 0; i < n; i += 1) {
        await httpPost(`${server.url}/echo`, `message ${i} `.repeat(1 + (i % 40)), TYPE);
        await httpPost(`${server.url}/fail`, 'x', TYPE).catch(() => {});
      }
    };
    await round(200);
    const before = wasmMemoryBytes();
    await round(1000);
    assert.equal(wasmMemoryBytes(), before);
  } finally {
    server.requests.length = 0;
    await server.close();
  }
});

test('DIDCommError carries status and body only when given', async () => {
  const server = await httpServer();
  try {
    const e = await httpPost(`${server.url}/missing`, 'x', TYPE).catch((err) => err);
    assert.ok(e instanceof DIDCommError);
    assert.equal(e.status, 404);
    assert.equal(e.body, 'not found');
    const plain = new DIDCommError('ERR_TRANSPORT', 'x');
    assert.ok(!('status' in plain) && !('body' in plain));
  } finally {
    await server.close();
  }
});

// --- The web build in headless Chromium ---

const PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module">
import { httpPost, Socket, DIDCommError } from '/js/web.js';

window.runTransport = async (httpUrl, wsUrl) => {
  const out = {};
  out.accepted = await httpPost(httpUrl + '/accept', '{"a":1}', '${TYPE}');
  out.echo = await httpPost(httpUrl + '/echo', 'from the browser', '${TYPE}');
  out.redirected = await httpPost(httpUrl + '/old', 'moved', '${TYPE}');
  try {
    await httpPost(httpUrl + '/fail', 'x', '${TYPE}');
  } catch (e) {
    out.failure = { isError: e instanceof DIDCommError, code: e.code, message: e.message, status: e.status, body: e.body };
  }
  try {
    await httpPost(httpUrl + '/hang', 'x', '${TYPE}', { timeoutMs: 200 });
  } catch (e) {
    out.timeout = { code: e.code, message: e.message };
  }
  const messages = [];
  const closes = [];
  let opens = 0;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket timed out: ' + JSON.stringify({ messages, closes, opens }))), 10000);
    const socket = new Socket(wsUrl, {
      onOpen() { opens += 1; },
      onMessage(text) {
        messages.push(text);
        if (messages.length === 2) {
          try { socket.send('ping'); } catch (e) { reject(e); }
        }
        if (text === 'echo ping') socket.close();
      },
      onClose(info) {
        closes.push({ ...info, state: socket.state });
        clearTimeout(timer);
        resolve();
      },
    }, { initialDelayMs: 20 });
    out.initialState = socket.state;
    try {
      socket.send('too early');
    } catch (e) {
      out.early = e.code;
    }
  });
  Object.assign(out, { messages, closes, opens });
  return out;
};
window.transportReady = true;
</script>
`;

describe('web build in headless Chromium: transports', () => {
  let browser;
  let page;
  let site;
  let http;
  let ws;
  const errors = [];

  before(async () => {
    http = await httpServer();
    ws = await wsServer();
    site = await serveStatic(root, {
      routes: { '/js-tests/transport.html': { type: 'text/html; charset=utf-8', body: PAGE } },
    });
    browser = await launchChromium();
    page = await browser.newPage();
    // Chromium logs each error status it receives ("Failed to load resource"): expected here.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.stack || e}`));
    await page.goto(`${site.url}/js-tests/transport.html`);
    await page.waitForFunction(() => window.transportReady === true, null, { timeout: 30_000 })
      .catch((e) => { throw new Error(`${e.message}\n${errors.join('\n')}`); });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await http?.close();
    await ws?.close();
  });

  test('httpPost and Socket work against the web build', async () => {
    const out = await page.evaluate(([h, w]) => window.runTransport(h, w), [http.url, ws.url]);
    assert.deepEqual(out.accepted, { status: 202, contentType: null, body: '', url: `${http.url}/accept` });
    assert.equal(out.echo.status, 200);
    assert.equal(out.echo.contentType, 'application/json');
    assert.deepEqual(JSON.parse(out.echo.body), { got: 'from the browser', type: TYPE });
    // Chromium hides the manual redirect (opaqueredirect); the repeat follows it.
    assert.equal(out.redirected.body, 'new got moved');
    assert.equal(out.redirected.url, `${http.url}/new?x=1`);
    assert.deepEqual(out.failure, {
      isError: true, code: 'ERR_TRANSPORT', message: `POST ${http.url}/fail: HTTP 500`, status: 500, body: '{"problem":"boom"}',
    });
    assert.equal(out.timeout.code, 'ERR_TRANSPORT');
    assert.match(out.timeout.message, /no response within 200 ms/);
    assert.equal(out.initialState, 'connecting');
    assert.equal(out.early, 'ERR_TRANSPORT');
    assert.equal(out.opens, 1);
    assert.deepEqual(out.messages, ['hello 1', 'binary ✓ 1', 'echo ping']);
    assert.deepEqual(out.closes, [{ code: 1000, reason: '', reconnectInMs: null, state: 'closed' }]);
    assert.deepEqual(ws.received.at(-1), { text: 'ping', isBinary: false });
    assert.deepEqual(errors, []);
  });
});

// One port for everything: POST / (the three DIDComm media types), GET /oob and /oob_url
// (an out-of-band invitation to request mediation), and WebSocket upgrades (one message per
// frame). CORS is open: trust comes from DIDComm, not from origins.
import { createServer, STATUS_CODES } from 'node:http';
import { isUtf8 } from 'node:buffer';
import { resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import { outOfBand } from 'didcomm-wasm';
import { Mediator, MEDIA_TYPES } from './mediator.js';
import { SqliteStore } from './store.js';
import { LiveHub, Session } from './live.js';
import { loadIdentity, loadSharedIdentity } from './identity.js';
import { connectionBucket, retryAfter } from './limits.js';

const ACCEPTED_TYPES = new Set([...Object.values(MEDIA_TYPES), 'application/json']);
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '86400',
};

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: '.data/mediator',
  mediationVersions: [2, 3],
  grant: 'all',
  /** 'sqlite' (in dataDir), or a redis:// URL shared by several processes. */
  store: 'sqlite',
  maxMessageBytes: 10 * 1024 * 1024,
  synchronous: 'full',
  // Resource limits (0 turns one off). Generous: a normal agent, the tests and the benchmark
  // stay far below them; they are there for a misbehaving or hostile peer.
  queueMaxMessages: 10_000,
  queueMaxBytes: 100 * 1024 * 1024,
  connectionRate: 200,
  connectionBurst: 400,
  senderRate: 100,
  senderBurst: 200,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 120_000, // a 10 MiB body at 1 Mbit/s takes 84 s
  // Agents keep a connection open between messages; Node's 5 s default closes it under them.
  keepAliveTimeoutMs: 30_000,
  wsPingIntervalMs: 30_000,
  wsMaxBufferedBytes: 16 * 1024 * 1024, // one delivery of a 10 MiB message fits
};

/** How long a peer we close a WebSocket on has to answer the close frame before the socket is cut. */
const CLOSE_GRACE_MS = 1000;

/** True for a `store` option naming a Redis (shared by several processes), not SQLite. */
export const isRedisUrl = (store) => typeof store === 'string' && /^rediss?:\/\//.test(store);

/** The WebSocket URL beside an HTTP URL: same host and path, ws(s) scheme, path + 'ws'. */
export function wsUrlFor(httpUrl) {
  const u = new URL(httpUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/$/, '')}/ws`;
  return u.toString();
}

/**
 * Starts a mediator. Options (all optional): host, port (0 picks one), publicUrl (default
 * http://host:port/), wsUrl (default from publicUrl), websocket (false: no WebSocket endpoint
 * and no ws service in the DID), dataDir, store ('sqlite' in dataDir, or a redis:// URL that
 * several processes share: then give each the same publicUrl and wsUrl), mediationVersions ([2, 3]),
 * grant ('all' | 'none' | DIDs), maxMessageBytes, synchronous ('full' | 'normal'), log (a
 * function taking one object per line; default JSON lines on stdout; null for none), fetch.
 * Limits (see DEFAULTS; 0 turns one off): queueMaxMessages and queueMaxBytes per mediated
 * client (a forward past them is refused, 507 queue_full); connectionRate/connectionBurst
 * (requests a second per HTTP connection or WebSocket: 429 with Retry-After, a socket is
 * closed with 1008) and senderRate/senderBurst (per proven sender DID: 429 rate_limited);
 * headersTimeoutMs, requestTimeoutMs (408 and closed), keepAliveTimeoutMs (an idle HTTP
 * connection); wsPingIntervalMs (a socket that has not answered the last ping is closed);
 * wsMaxBufferedBytes (a socket with more than that still unsent when a frame is due is
 * closed; its messages stay queued).
 * Resolves to `{ did, url, wsUrl, port, oobUrl, close() }`.
 */
export async function startMediator(options = {}) {
  const config = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const log = config.log === null ? () => {} : (config.log ?? ((line) => process.stdout.write(`${JSON.stringify(line)}\n`)));
  const stamp = (line) => log({ time: new Date().toISOString(), ...line });

  let handler = (req, res) => { res.writeHead(503, CORS).end(); };
  const requestTimeout = config.requestTimeoutMs;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout = requestTimeout > 0 && config.headersTimeoutMs > 0 ? Math.min(config.headersTimeoutMs, requestTimeout) : config.headersTimeoutMs;
  // Node checks the two timeouts every 30 s by default: far too coarse for small ones.
  const timeouts = [headersTimeout, requestTimeout].filter((t) => t > 0);
  const connectionsCheckingInterval = Math.max(25, Math.min(1000, Math.floor(Math.min(...timeouts, 4000) / 4)));
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval }, (req, res) => handler(req, res));
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.on('clientError', (e, socket) => {
    // Bad framing, a timeout, a connection lost mid-request: one line (the code, no bytes), an
    // answer when the socket still takes one, and the connection closed. Others carry on.
    stamp({ level: 'warn', transport: 'http', event: 'client-error', code: e.code ?? 'ERR' });
    if (socket.writable && e.code !== 'ECONNRESET') {
      const status = e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : e.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes * 2 + 1024 });
  const awaitingPong = new WeakSet();
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => { server.off('error', fail); ok(); });
  });
  const { port } = server.address();
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const httpUrl = config.publicUrl ?? `http://${hostForUrl}:${port}/`;
  const wsUrl = config.websocket === false ? null : (config.wsUrl ?? wsUrlFor(httpUrl));

  const dataDir = resolve(config.dataDir);
  const shared = isRedisUrl(config.store);
  let store;
  let identity;
  if (shared) {
    // Several processes, one mediator: the queues, grants, keylists, seen ids, the identity
    // and the live sessions all live in Redis.
    const { RedisStore } = await import('./redis-store.js');
    store = await RedisStore.connect(config.store);
    const persistence = await store.persistence();
    if (persistence?.appendonly !== 'yes' || persistence.appendfsync !== 'always') {
      // Not refused: an operator may choose it. But a 202 is then worth less (README, Scale-out).
      stamp({ level: 'warn', event: 'redis-persistence', ...(persistence ?? { unknown: true }), durable: 'appendonly yes, appendfsync always' });
    }
    identity = await loadSharedIdentity(store, { httpUrl, wsUrl });
  } else {
    identity = loadIdentity(dataDir, { httpUrl, wsUrl });
    store = new SqliteStore({ dataDir, synchronous: config.synchronous });
  }
  const live = new LiveHub(stamp, shared ? store : null);
  const mediator = new Mediator({ identity, store, live, config, log: stamp });
  live.mediator = mediator;
  await live.start();
  const invitation = outOfBand.invitation({ from: identity.did, goalCode: 'request-mediate', goal: 'Request mediation' });
  const oobUrl = outOfBand.invitationUrl(invitation, httpUrl);

  const buckets = new WeakMap(); // HTTP connection → its token bucket
  const bucketOf = (socket) => {
    if (!buckets.has(socket)) buckets.set(socket, connectionBucket({ rate: config.connectionRate, burst: config.connectionBurst }));
    return buckets.get(socket);
  };
  handler = (req, res) => handleHttp(req, res, { mediator, config, invitation, oobUrl, identity, httpUrl, wsUrl, bucketOf, log: stamp });
  server.on('upgrade', (req, socket, head) => {
    if (wsUrl === null) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('pong', () => awaitingPong.delete(ws));
      handleSocket(ws, req, { mediator, live, config, log: stamp });
    });
  });
  // Heartbeat: a live-delivery socket may rightly be quiet for hours, so what marks a dead
  // one is a ping left unanswered until the next, not silence.
  const heartbeat = config.wsPingIntervalMs > 0 ? setInterval(() => {
    for (const ws of wss.clients) {
      if (awaitingPong.has(ws)) {
        stamp({ level: 'warn', transport: 'ws', event: 'no-pong' });
        ws.terminate();
        continue;
      }
      awaitingPong.add(ws);
      ws.ping();
    }
  }, config.wsPingIntervalMs) : null;
  heartbeat?.unref();
  stamp({
    level: 'info', event: 'started', did: identity.did, url: httpUrl, wsUrl, oobUrl, port, newIdentity: identity.created,
    ...(shared ? { store: 'redis', processId: live.processId } : { store: 'sqlite', dataDir }),
  });

  let closing;
  const close = () => {
    closing ??= (async () => {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(1001, 'mediator shutting down');
      await new Promise((ok) => { server.close(ok); server.closeAllConnections(); });
      wss.close();
      await store.close();
    })();
    return closing;
  };
  return { did: identity.did, url: httpUrl, wsUrl, port, oobUrl, invitation, close };
}

function handleHttp(req, res, ctx) {
  const started = performance.now();
  const path = new URL(req.url, 'http://x').pathname;
  const done = (status, headers = {}, body = '', extra = {}) => {
    res.writeHead(status, { ...CORS, ...headers });
    res.end(body);
    ctx.log({
      level: 'info', transport: 'http', method: req.method, path, status,
      bytesOut: Buffer.byteLength(body), ms: +(performance.now() - started).toFixed(2), ...extra,
    });
  };
  const wait = ctx.bucketOf(req.socket)?.take() ?? 0;
  if (wait > 0) {
    // Refused unread and cheaply (no DIDComm work); the connection stays, and so does its bucket.
    req.resume();
    return done(429, { 'retry-after': retryAfter(wait), 'content-type': 'text/plain' }, 'too many requests on this connection', { problem: 'connection-rate' });
  }
  if (req.method === 'OPTIONS') return done(204);
  if (req.method === 'GET') {
    if (path === '/oob') return done(200, { 'content-type': 'application/json' }, JSON.stringify(ctx.invitation));
    if (path === '/oob_url') return done(200, { 'content-type': 'text/plain; charset=utf-8' }, ctx.oobUrl);
    if (path === '/') {
      const about = { did: ctx.identity.did, http: ctx.httpUrl, ws: ctx.wsUrl, oob: ctx.oobUrl };
      return done(200, { 'content-type': 'application/json' }, JSON.stringify(about));
    }
    return done(404);
  }
  if (req.method !== 'POST') return done(405, { allow: 'GET, POST, OPTIONS' });
  if (path !== '/') return done(404);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!ACCEPTED_TYPES.has(type)) {
    req.resume();
    return done(415, { 'content-type': 'text/plain' }, `content-type must be one of ${Object.values(MEDIA_TYPES).join(', ')}`);
  }
  const limit = ctx.config.maxMessageBytes;
  const tooBig = async (bytes) => {
    // Answer without reading the rest; the connection is closed after the response.
    const outcome = await ctx.mediator.refuseTooBig(bytes, { transport: 'http' });
    res.setHeader('connection', 'close');
    return finish(outcome, { bytesIn: bytes });
  };
  const finish = (outcome, extra) => {
    const headers = outcome.reply ? { 'content-type': outcome.reply.contentType } : {};
    if (outcome.retryAfter !== undefined) headers['retry-after'] = retryAfter(outcome.retryAfter);
    return done(outcome.status, headers, outcome.reply?.packed ?? '', { bytesIn: extra.bytesIn, kind: outcome.kind, problem: outcome.problem });
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return tooBig(declared);
  const chunks = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk) => {
    if (over) return;
    size += chunk.length;
    if (size > limit) {
      over = true;
      tooBig(size);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', async () => {
    if (over) return;
    const body = Buffer.concat(chunks);
    const outcome = isUtf8(body)
      ? await ctx.mediator.receive(body.toString('utf8'), { transport: 'http' })
      : await ctx.mediator.refuseNotUtf8({ transport: 'http' });
    finish(outcome, { bytesIn: size });
  });
  req.on('error', () => {}); // a request cut short: the server's clientError logs it
  return undefined;
}

function handleSocket(ws, req, { mediator, live, config, log }) {
  const bucket = connectionBucket({ rate: config.connectionRate, burst: config.connectionBurst });
  const limit = config.wsMaxBufferedBytes;
  // A client that stops reading: what it has not taken piles up in our memory. Past the limit
  // the socket goes; its messages stay queued for its next connection.
  const send = (text) => {
    if (ws.readyState !== ws.OPEN) return;
    if (limit > 0 && ws.bufferedAmount > limit) {
      log({ level: 'warn', transport: 'ws', event: 'slow-consumer', buffered: ws.bufferedAmount });
      ws.terminate();
      return;
    }
    ws.send(text);
  };
  const session = new Session(send);
  log({ level: 'info', transport: 'ws', event: 'open' });
  ws.on('message', async (data, isBinary) => {
    if (ws.readyState !== ws.OPEN) return; // closing: the frames still in the pipe are dropped
    const wait = bucket?.take() ?? 0;
    if (wait > 0) {
      log({ level: 'warn', transport: 'ws', event: 'rate-limited', bytesIn: data.length });
      closeSoon(ws, 1008, 'too many requests on this connection');
      return;
    }
    const started = performance.now();
    // Text frames are checked for UTF-8 by ws (a bad one closes the socket, 1007); binary ones here.
    const outcome = isBinary && !isUtf8(data)
      ? await mediator.refuseNotUtf8({ transport: 'ws' })
      : await mediator.receive(data.toString('utf8'), { transport: 'ws', session });
    if (outcome.reply) send(outcome.reply.packed);
    log({
      level: 'info', transport: 'ws', status: outcome.status, bytesIn: data.length,
      bytesOut: outcome.reply ? Buffer.byteLength(outcome.reply.packed) : 0,
      ms: +(performance.now() - started).toFixed(2), kind: outcome.kind, problem: outcome.problem,
    });
  });
  ws.on('close', (code) => {
    live.drop(session);
    log({ level: 'info', transport: 'ws', event: 'close', code });
  });
  // A protocol error (bad framing, bad UTF-8, a frame over maxPayload): ws has sent the close
  // frame but no longer reads, so a peer that does not close in turn is cut.
  ws.on('error', (e) => {
    log({ level: 'warn', transport: 'ws', event: 'error', code: e.code ?? 'ERR' });
    closeSoon(ws);
  });
}

/** Closes `ws` (with `code` when given), and cuts it if the peer has not finished the close within the grace time. */
function closeSoon(ws, code, reason) {
  if (code !== undefined) ws.close(code, reason);
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
}

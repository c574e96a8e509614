// One port for everything: POST / (the three DIDComm media types), GET /oob and /oob_url
// (an out-of-band invitation to request mediation), and WebSocket upgrades (one message per
// frame). CORS is open: trust comes from DIDComm, not from origins.
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import { outOfBand } from 'didcomm-wasm';
import { Mediator, MEDIA_TYPES } from './mediator.js';
import { SqliteStore } from './store.js';
import { LiveHub, Session } from './live.js';
import { loadIdentity } from './identity.js';

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
  maxMessageBytes: 10 * 1024 * 1024,
  synchronous: 'full',
};

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
 * and no ws service in the DID), dataDir, mediationVersions ([2, 3]),
 * grant ('all' | 'none' | DIDs), maxMessageBytes, synchronous ('full' | 'normal'), log (a
 * function taking one object per line; default JSON lines on stdout; null for none), fetch.
 * Resolves to `{ did, url, wsUrl, port, oobUrl, close() }`.
 */
export async function startMediator(options = {}) {
  const config = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const log = config.log === null ? () => {} : (config.log ?? ((line) => process.stdout.write(`${JSON.stringify(line)}\n`)));
  const stamp = (line) => log({ time: new Date().toISOString(), ...line });

  let handler = (req, res) => { res.writeHead(503, CORS).end(); };
  const server = createServer((req, res) => handler(req, res));
  // Agents keep a connection open between messages; Node's 5 s default closes it under them.
  server.keepAliveTimeout = 30_000;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes * 2 + 1024 });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => { server.off('error', fail); ok(); });
  });
  const { port } = server.address();
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const httpUrl = config.publicUrl ?? `http://${hostForUrl}:${port}/`;
  const wsUrl = config.websocket === false ? null : (config.wsUrl ?? wsUrlFor(httpUrl));

  const dataDir = resolve(config.dataDir);
  const identity = loadIdentity(dataDir, { httpUrl, wsUrl });
  const store = new SqliteStore({ dataDir, synchronous: config.synchronous });
  const live = new LiveHub(stamp);
  const mediator = new Mediator({ identity, store, live, config, log: stamp });
  live.mediator = mediator;
  const invitation = outOfBand.invitation({ from: identity.did, goalCode: 'request-mediate', goal: 'Request mediation' });
  const oobUrl = outOfBand.invitationUrl(invitation, httpUrl);

  handler = (req, res) => handleHttp(req, res, { mediator, config, invitation, oobUrl, identity, httpUrl, wsUrl, log: stamp });
  server.on('upgrade', (req, socket, head) => {
    if (wsUrl === null) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => handleSocket(ws, req, { mediator, live, log: stamp }));
  });
  stamp({ level: 'info', event: 'started', did: identity.did, url: httpUrl, wsUrl, oobUrl, dataDir, newIdentity: identity.created });

  let closing;
  const close = () => {
    closing ??= (async () => {
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
    const body = Buffer.concat(chunks).toString('utf8');
    finish(await ctx.mediator.receive(body, { transport: 'http' }), { bytesIn: size });
  });
  req.on('error', () => {});
  return undefined;
}

function handleSocket(ws, req, { mediator, live, log }) {
  const session = new Session((text) => ws.send(text));
  log({ level: 'info', transport: 'ws', event: 'open' });
  ws.on('message', async (data, isBinary) => {
    const started = performance.now();
    const text = isBinary ? Buffer.from(data).toString('utf8') : data.toString();
    const outcome = await mediator.receive(text, { transport: 'ws', session });
    if (outcome.reply && ws.readyState === ws.OPEN) ws.send(outcome.reply.packed);
    log({
      level: 'info', transport: 'ws', status: outcome.status, bytesIn: data.length,
      bytesOut: outcome.reply ? Buffer.byteLength(outcome.reply.packed) : 0,
      ms: +(performance.now() - started).toFixed(2), kind: outcome.kind, problem: outcome.problem,
    });
  });
  ws.on('close', () => {
    live.drop(session);
    log({ level: 'info', transport: 'ws', event: 'close' });
  });
  ws.on('error', () => {});
}

#!/usr/bin/env node
// `npm run mediator`: a DIDComm mediator on an embedded SQLite store, or one of several
// processes sharing Redis (--store redis://host:port).
// Flags beat environment variables; see `--help`.
import { parseArgs } from 'node:util';
import { startMediator, DEFAULTS, isRedisUrl } from './server.js';

const HELP = `usage: npm run mediator -- [options]

  --host HOST                listen address (MEDIATOR_HOST; default ${DEFAULTS.host})
  --port PORT                listen port, 0 for any (MEDIATOR_PORT; default ${DEFAULTS.port})
  --public-url URL           the http(s) URL clients reach (MEDIATOR_PUBLIC_URL; default http://HOST:PORT/)
  --ws-url URL               the ws(s) URL clients reach (MEDIATOR_WS_URL; default from the public URL, path /ws)
  --no-websocket             no WebSocket endpoint (and no ws service in the DID) (MEDIATOR_WEBSOCKET=off)
  --data-dir DIR             identity and SQLite store (MEDIATOR_DATA_DIR; default ${DEFAULTS.dataDir})
  --store sqlite|URL         sqlite (in the data dir), or redis://[:password@]host:port[/db] shared by several
                             processes, each with the same --public-url and --ws-url (MEDIATOR_STORE; default sqlite)
  --mediation VERSIONS       coordinate-mediation versions offered, e.g. 2,3 or 3 (MEDIATOR_MEDIATION; default 2,3)
  --grant all|none|DID,...   who is granted mediation (MEDIATOR_GRANT; default all)
  --max-message-bytes N      largest message taken (MEDIATOR_MAX_MESSAGE_BYTES; default ${DEFAULTS.maxMessageBytes})
  --sync full|normal         SQLite synchronous: full survives power loss, normal a killed process (MEDIATOR_SYNC; default full)
  --quiet                    no request log (the started line stays)

limits (0 turns one off):
  --queue-max-messages N     messages queued per mediated client (MEDIATOR_QUEUE_MAX_MESSAGES; default ${DEFAULTS.queueMaxMessages})
  --queue-max-bytes N        bytes queued per mediated client (MEDIATOR_QUEUE_MAX_BYTES; default ${DEFAULTS.queueMaxBytes})
  --connection-rate R        requests/s per HTTP connection or WebSocket (MEDIATOR_CONNECTION_RATE; default ${DEFAULTS.connectionRate})
  --connection-burst N       requests a connection may save up (MEDIATOR_CONNECTION_BURST; default ${DEFAULTS.connectionBurst})
  --sender-rate R            requests/s per authenticated sender DID (MEDIATOR_SENDER_RATE; default ${DEFAULTS.senderRate})
  --sender-burst N           requests a sender may save up (MEDIATOR_SENDER_BURST; default ${DEFAULTS.senderBurst})
  --headers-timeout-ms MS    time to send the request headers (MEDIATOR_HEADERS_TIMEOUT_MS; default ${DEFAULTS.headersTimeoutMs})
  --request-timeout-ms MS    time to send a whole request (MEDIATOR_REQUEST_TIMEOUT_MS; default ${DEFAULTS.requestTimeoutMs})
  --keep-alive-timeout-ms MS an idle HTTP connection is closed after (MEDIATOR_KEEP_ALIVE_TIMEOUT_MS; default ${DEFAULTS.keepAliveTimeoutMs})
  --ws-ping-interval-ms MS   WebSocket ping interval; no pong by the next: closed (MEDIATOR_WS_PING_INTERVAL_MS; default ${DEFAULTS.wsPingIntervalMs})
  --ws-max-buffered-bytes N  unsent bytes a WebSocket may hold before it is closed (MEDIATOR_WS_MAX_BUFFERED_BYTES; default ${DEFAULTS.wsMaxBufferedBytes})
`;

/** The limit flags: flag → [startMediator option, environment variable, integer?]. */
const LIMITS = {
  'queue-max-messages': ['queueMaxMessages', 'MEDIATOR_QUEUE_MAX_MESSAGES', true],
  'queue-max-bytes': ['queueMaxBytes', 'MEDIATOR_QUEUE_MAX_BYTES', true],
  'connection-rate': ['connectionRate', 'MEDIATOR_CONNECTION_RATE', false],
  'connection-burst': ['connectionBurst', 'MEDIATOR_CONNECTION_BURST', true],
  'sender-rate': ['senderRate', 'MEDIATOR_SENDER_RATE', false],
  'sender-burst': ['senderBurst', 'MEDIATOR_SENDER_BURST', true],
  'headers-timeout-ms': ['headersTimeoutMs', 'MEDIATOR_HEADERS_TIMEOUT_MS', true],
  'request-timeout-ms': ['requestTimeoutMs', 'MEDIATOR_REQUEST_TIMEOUT_MS', true],
  'keep-alive-timeout-ms': ['keepAliveTimeoutMs', 'MEDIATOR_KEEP_ALIVE_TIMEOUT_MS', true],
  'ws-ping-interval-ms': ['wsPingIntervalMs', 'MEDIATOR_WS_PING_INTERVAL_MS', true],
  'ws-max-buffered-bytes': ['wsMaxBufferedBytes', 'MEDIATOR_WS_MAX_BUFFERED_BYTES', true],
};

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'public-url': { type: 'string' },
    'ws-url': { type: 'string' },
    'no-websocket': { type: 'boolean' },
    'data-dir': { type: 'string' },
    store: { type: 'string' },
    mediation: { type: 'string' },
    grant: { type: 'string' },
    'max-message-bytes': { type: 'string' },
    sync: { type: 'string' },
    ...Object.fromEntries(Object.keys(LIMITS).map((flag) => [flag, { type: 'string' }])),
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const env = process.env;
const pick = (flag, name) => values[flag] ?? env[name];
function fail(message) {
  process.stderr.write(`mediator: ${message}\n\n${HELP}`);
  process.exit(2);
}
function integer(text, what) {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) fail(`${what} must be a non-negative integer, not ${JSON.stringify(text)}`);
  return n;
}
function number(text, what) {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) fail(`${what} must be a non-negative number, not ${JSON.stringify(text)}`);
  return n;
}
const limits = Object.fromEntries(Object.entries(LIMITS).map(([flag, [option, name, whole]]) => (
  [option, (whole ? integer : number)(pick(flag, name), `--${flag}`)])));

const mediation = pick('mediation', 'MEDIATOR_MEDIATION');
const versions = mediation === undefined ? undefined : mediation.split(',').map((v) => Number(v.trim()));
if (versions && (versions.length === 0 || versions.some((v) => v !== 2 && v !== 3))) fail('--mediation takes 2, 3 or 2,3');
const grantText = pick('grant', 'MEDIATOR_GRANT');
const grant = grantText === undefined || grantText === 'all' || grantText === 'none' ? grantText : grantText.split(',').map((d) => d.trim());
const sync = pick('sync', 'MEDIATOR_SYNC');
if (sync !== undefined && sync !== 'full' && sync !== 'normal') fail('--sync takes full or normal');

const storeOption = pick('store', 'MEDIATOR_STORE');
if (storeOption !== undefined && storeOption !== 'sqlite' && !isRedisUrl(storeOption)) {
  fail('--store takes sqlite or a redis:// URL');
}

// Signals are handled from the start: a SIGTERM that comes during start-up still closes the store.
const started = startMediator({
  host: pick('host', 'MEDIATOR_HOST'),
  port: integer(pick('port', 'MEDIATOR_PORT'), '--port'),
  publicUrl: pick('public-url', 'MEDIATOR_PUBLIC_URL'),
  wsUrl: pick('ws-url', 'MEDIATOR_WS_URL'),
  websocket: !(values['no-websocket'] || env.MEDIATOR_WEBSOCKET === 'off'),
  dataDir: pick('data-dir', 'MEDIATOR_DATA_DIR'),
  store: storeOption,
  mediationVersions: versions,
  grant,
  maxMessageBytes: integer(pick('max-message-bytes', 'MEDIATOR_MAX_MESSAGE_BYTES'), '--max-message-bytes'),
  synchronous: sync,
  ...limits,
  // Quiet keeps the one `started` line: it says where the mediator is (and that it is up).
  log: values.quiet ? (line) => { if (line.event === 'started') process.stdout.write(`${JSON.stringify(line)}\n`); } : undefined,
}).catch((e) => fail(e.message));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await (await started).close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

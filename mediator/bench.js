#!/usr/bin/env node
// `npm run bench:mediator`: a load benchmark of the mediator (not a test). The mediator runs
// as a child process so that this load generator does not share its event loop. Phase 1
// posts forwards as fast as `--concurrency` allows (accepted forwards/s); phase 2 offers a
// fixed `--rate` below saturation and measures live-delivery latency over WebSocket, from
// just before the POST to the arrival of the delivery frame at the recipient.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { DIDComm, SecretsStore, createPeerDID, mediation, pickup, threading } from 'didcomm-wasm';
import { spawnMediator, stopMediator } from './process.js';
import { startRedis } from './redis-server.js';

const ENCRYPTED = 'application/didcomm-encrypted+json';
const DRAIN_MS = 10_000;

const HELP = `usage: npm run bench:mediator -- [options]

  --recipients N    recipients, each with its own WebSocket in live mode (default 100)
  --forwards N      forwards posted in phase 1, as fast as allowed (default 2000)
  --concurrency C   POSTs in flight in phase 1 (default 64)
  --rate R          forwards/s offered in phase 2 (default 100, about half of what
                    a 2-core machine accepts: loaded, not overloaded)
  --seconds S       length of phase 2 (default 10)
  --store S         sqlite (default) or redis: a redis-server started here (appendfsync always)
  --processes N     mediator processes on the one Redis (default 1; more than 1 needs --store redis);
                    recipients and forwards are spread over them round robin
  --json            print one JSON object instead of text
`;

const { values: flags } = parseArgs({
  options: {
    recipients: { type: 'string', default: '100' },
    forwards: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    store: { type: 'string', default: 'sqlite' },
    processes: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
function positive(name, integer = true) {
  const n = Number(flags[name]);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    process.stderr.write(`bench: --${name} must be a positive ${integer ? 'integer' : 'number'}\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}
const settings = {
  recipients: positive('recipients'),
  forwards: positive('forwards'),
  concurrency: positive('concurrency'),
  rate: positive('rate', false),
  seconds: positive('seconds', false),
  processes: positive('processes'),
  store: flags.store,
};
if (!['sqlite', 'redis'].includes(settings.store) || (settings.processes > 1 && settings.store !== 'redis')) {
  process.stderr.write(`bench: --store takes sqlite or redis, and more than one process needs redis\n\n${HELP}`);
  process.exit(2);
}

/** The first failure seen while frames arrive; reported and turned into exit code 1. */
let failure = null;
const fail = (message) => { failure ??= message; };

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** `promise`, or a rejection naming `what` after `ms`. */
function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, no) => { timer = setTimeout(() => no(new Error(`${what}: no answer within ${ms} ms`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A recipient: its identity, an authcrypted HTTP request helper, and a live WebSocket. */
class Recipient {
  constructor(mediator, onDelivered) {
    const identity = createPeerDID({ services: [{ uri: mediator.did }] });
    this.did = identity.did;
    this.didcomm = new DIDComm({ secretsResolver: new SecretsStore(identity.secrets) });
    this.mediator = mediator;
    this.onDelivered = onDelivered;
    this.waiting = new Map(); // thid → resolve, for the replies setup waits for
  }

  pack(message) {
    return this.didcomm.packEncrypted(message, { to: this.mediator.did, from: this.did, forward: false }).then((r) => r.packed);
  }

  /** Sends `message` over HTTP with return_route all; resolves to the parsed reply. */
  async request(message, parse) {
    const res = await fetch(this.mediator.url, {
      method: 'POST', headers: { 'content-type': ENCRYPTED }, body: await this.pack(threading.returnRoute(message, 'all')),
      signal: AbortSignal.timeout(10_000),
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${message.type}: HTTP ${res.status} ${body}`);
    return parse((await this.didcomm.unpack(body)).message);
  }

  async setUp() {
    const addressing = { from: this.did, to: this.mediator.did };
    const grant = await this.request(mediation.mediateRequest({ ...addressing, version: 3 }), mediation.parse);
    if (grant?.kind !== 'mediate-grant') throw new Error(`mediation was not granted: ${JSON.stringify(grant)}`);
    const update = mediation.recipientUpdate({ ...addressing, version: 3, updates: [{ recipientDid: this.did, action: 'add' }] });
    const updated = await this.request(update, mediation.parse);
    if (updated?.updated?.[0]?.result !== 'success') throw new Error(`keylist update failed: ${JSON.stringify(updated)}`);

    this.ws = new WebSocket(this.mediator.wsUrl);
    await new Promise((ok, no) => { this.ws.once('open', ok); this.ws.once('error', no); });
    this.ws.on('error', (e) => fail(`WebSocket of ${this.did.slice(0, 24)}…: ${e.message}`));
    this.ws.on('message', (data) => this.#frame(data.toString(), performance.now()));
    const change = pickup.liveDeliveryChange({ ...addressing, liveDelivery: true });
    const status = new Promise((ok) => this.waiting.set(change.id, ok));
    this.ws.send(await this.pack(change));
    if ((await within(status, 10_000, 'live-delivery-change')).liveDelivery !== true) throw new Error('live delivery was not turned on');
  }

  async #frame(text, at) {
    try {
      const p = pickup.parse((await this.didcomm.unpack(text)).message);
      if (p?.kind === 'delivery') {
        for (const m of p.messages) this.onDelivered((await this.didcomm.unpack(m.packed)).message.id, at);
        const ack = pickup.messagesReceived(null, { from: this.did, to: this.mediator.did, messageIdList: p.messages.map((m) => m.id) });
        this.ws.send(await this.pack(ack));
      } else if (p?.thid && this.waiting.has(p.thid)) {
        this.waiting.get(p.thid)(p);
        this.waiting.delete(p.thid);
      } // else the status answering an ack: nothing to do
    } catch (e) {
      fail(`a frame to ${this.did.slice(0, 24)}… could not be handled: ${e.message}`);
    }
  }
}

/**
 * Packs `count` forwards from an anonymous sender, round-robin over `recipients`, each to be
 * posted to the next of `mediators` (as a load balancer would spread them).
 */
async function packForwards(count, recipients, offset, mediators) {
  const sender = new DIDComm();
  const out = [];
  for (let i = 0; i < count; i++) {
    const to = recipients[(offset + i) % recipients.length].did;
    const msg = { id: crypto.randomUUID(), type: 'https://didcomm.org/basicmessage/2.0/message', to: [to], body: { content: 'hello' } };
    const { packed } = await sender.packEncrypted(msg, { to });
    out.push({ id: msg.id, packed, url: mediators[(offset + i) % mediators.length].url });
  }
  return out;
}

/** Per-phase bookkeeping: POST start times by inner message id, and latencies as deliveries arrive. */
class Phase {
  sent = 0;
  accepted = 0;
  statuses = {};
  latencies = [];
  #started = new Map();

  /** POSTs one forward; counts its status. */
  async post(f) {
    this.sent++;
    this.#started.set(f.id, performance.now());
    let status;
    try {
      // Node's fetch (undici) keeps connections alive and reuses them by default.
      const res = await fetch(f.url, { method: 'POST', headers: { 'content-type': ENCRYPTED }, body: f.packed });
      await res.arrayBuffer(); // drain, so the connection goes back to the pool
      status = res.status;
    } catch (e) {
      status = e.cause?.code ?? e.message;
    }
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (status === 202) this.accepted++;
    else this.#started.delete(f.id); // not accepted: not expected to arrive
  }

  /** True when `id` was sent in this phase (and is now counted as delivered). */
  delivered(id, at) {
    const t = this.#started.get(id);
    if (t === undefined) return false;
    this.#started.delete(id);
    this.latencies.push(at - t);
    return true;
  }

  /** Resolves once every accepted forward has arrived, or after DRAIN_MS. */
  async drain() {
    const deadline = performance.now() + DRAIN_MS;
    while (this.latencies.length < this.accepted && performance.now() < deadline) await sleep(20);
  }

  summary() {
    const s = [...this.latencies].sort((a, b) => a - b);
    const q = (p) => (s.length ? +s[Math.ceil(p * s.length) - 1].toFixed(1) : null);
    return {
      sent: this.sent, accepted: this.accepted, delivered: s.length, statuses: this.statuses,
      p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1),
    };
  }
}

/** Phase 1: `forwards` with `concurrency` POSTs in flight; resolves to the posting wall time in ms. */
async function saturate(phase, forwards, concurrency) {
  let next = 0;
  const start = performance.now();
  const worker = async () => { while (next < forwards.length) await phase.post(forwards[next++]); };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - start;
}

/** Phase 2: forward i is posted at start + i / rate, whether earlier ones were answered or not (open loop). */
async function pace(phase, forwards, rate) {
  const start = performance.now();
  const inFlight = [];
  let i = 0;
  while (i < forwards.length) {
    const due = Math.min(forwards.length, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (i < due) inFlight.push(phase.post(forwards[i++]));
    await sleep(1);
  }
  await Promise.all(inFlight);
  return performance.now() - start;
}

/**
 * The mediator processes, each as `{ child, did, url, wsUrl }` with its own address. On
 * Redis they share one DID, whose URL is a placeholder: the benchmark addresses each
 * process directly, as a load balancer would.
 */
async function startMediators(dataDir, redis) {
  if (redis === null) return [await spawnMediator(['--port', '0', '--data-dir', dataDir, '--quiet'])];
  const shared = ['--store', redis.url, '--public-url', 'http://mediator.invalid/', '--quiet'];
  const started = [];
  for (let i = 0; i < settings.processes; i++) started.push(await spawnMediator(['--port', '0', ...shared]));
  return started.map((m) => ({ ...m, url: `http://127.0.0.1:${m.port}/`, wsUrl: `ws://127.0.0.1:${m.port}/ws` }));
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'mediator-bench-'));
  let redis = null;
  let mediators = [];
  const recipients = [];
  try {
    try {
      if (settings.store === 'redis') redis = await startRedis({ appendfsync: 'always' });
      mediators = await startMediators(dataDir, redis);
    } catch (e) {
      process.stderr.write(`bench: ${e.message}\n`);
      return 1;
    }

    const phases = { saturated: new Phase(), paced: new Phase() };
    let duplicates = 0;
    const onDelivered = (id, at) => {
      if (!phases.saturated.delivered(id, at) && !phases.paced.delivered(id, at)) duplicates++;
    };
    for (let i = 0; i < settings.recipients; i++) recipients.push(new Recipient(mediators[i % mediators.length], onDelivered));

    // Everything is packed before the clock starts: only posting and delivery are measured.
    // Packing blocks the event loop for seconds, longer than the server keeps an idle
    // connection open, so it comes before the recipients connect.
    const pacedCount = Math.round(settings.rate * settings.seconds);
    const first = await packForwards(settings.forwards, recipients, 0, mediators);
    const second = await packForwards(pacedCount, recipients, settings.forwards, mediators);
    await Promise.all(recipients.map((r) => r.setUp()));

    const postingMs = await saturate(phases.saturated, first, settings.concurrency);
    await phases.saturated.drain(); // phase 2 starts with empty queues
    const pacedMs = await pace(phases.paced, second, settings.rate);
    await phases.paced.drain();

    const saturated = phases.saturated.summary();
    const paced = phases.paced.summary();
    const result = {
      machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, platform: `${process.platform} ${process.arch}` },
      settings: {
        ...settings,
        store: redis === null
          ? `SQLite, synchronous full (the mediator's default), in ${tmpdir()}`
          : `${settings.processes} mediator process${settings.processes > 1 ? 'es' : ''} on one redis-server (appendfsync always), in ${tmpdir()}`,
      },
      accepted: {
        forwardsPerSecond: +((saturated.accepted * 1000) / postingMs).toFixed(1),
        forwards: saturated.sent, accepted: saturated.accepted, seconds: +(postingMs / 1000).toFixed(3), statuses: saturated.statuses,
      },
      saturated,
      paced: { ...paced, offeredPerSecond: +((paced.sent * 1000) / pacedMs).toFixed(1) },
      duplicates,
      error: failure,
    };
    const ok = failure === null
      && [saturated, paced].every((p) => p.accepted === p.sent && p.delivered === p.accepted);
    process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : text(result));
    if (!ok) process.stderr.write('bench: FAILED: some forwards were refused or not delivered within 10 s (see above)\n');
    return ok ? 0 : 1;
  } finally {
    for (const r of recipients) r.ws?.close();
    await Promise.all(mediators.map((m) => stopMediator(m.child)));
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function text(r) {
  const s = r.settings;
  const ms = (v) => (v === null ? '-' : `${v.toFixed(1)} ms`);
  const lat = (p) => `p50 ${ms(p.p50Ms)}, p99 ${ms(p.p99Ms)}, max ${ms(p.maxMs)} (${p.delivered}/${p.sent} delivered)`;
  const refused = (p) => (p.accepted < p.sent ? `\n  not accepted: ${JSON.stringify(p.statuses)}` : '');
  return [
    'mediator load benchmark (mediators in child processes, load generator here, all on loopback)',
    `machine: ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}, ${r.machine.platform}`,
    `settings: ${s.recipients} recipients live on WebSocket; phase 1 ${s.forwards} forwards at concurrency ${s.concurrency};`
      + ` phase 2 ${s.rate} forwards/s for ${s.seconds} s; ${s.store}`,
    `accepted: ${r.accepted.forwardsPerSecond.toFixed(1)} forwards/s (${r.accepted.forwards} forwards, concurrency ${s.concurrency}, ${s.recipients} recipients)${refused(r.saturated)}`,
    `live delivery latency while saturated: ${lat(r.saturated)}`,
    `live delivery latency at ${s.rate} forwards/s: ${lat(r.paced)} [offered ${r.paced.offeredPerSecond.toFixed(1)}/s]${refused(r.paced)}`,
    ...(r.duplicates ? [`duplicate deliveries: ${r.duplicates}`] : []),
    ...(r.error ? [`error: ${r.error}`] : []),
    '',
  ].join('\n');
}

process.exitCode = await main().catch((e) => {
  process.stderr.write(`bench: ${e.message}\n`);
  return 1;
});

#!/usr/bin/env node
// `node mediator/soak.js`: a soak test of the mediator with a crash in the middle (not a
// benchmark). The mediator runs as a child process; K Agents (the package's client, as an
// application uses it) receive live over WebSocket; senders post forwards to them at a
// steady rate. Halfway, the mediator is killed with SIGKILL and restarted on the same port
// and data dir; senders retry, Agents reconnect by themselves. Exit code 0 only if every
// acknowledged forward reached the application exactly once and nothing arrived twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { Agent, DIDComm, SecretsStore, pickup, problemReport, threading } from 'didcomm-wasm';
import { spawnMediator, stopMediator } from './process.js';

const ENCRYPTED = 'application/didcomm-encrypted+json';
/** How long a forward is retried (no answer, 429, 5xx) after its first POST before it counts as not acknowledged. */
const RETRY_MS = 15_000;
/** Deliveries have settled once no message event came for this long (late duplicates show up here). */
const QUIET_MS = 2_000;

const HELP = `usage: node mediator/soak.js [options]

  --seconds N        how long senders send (default 60)
  --rate R           forwards/s offered (default 100: on a 2-core machine, the mediator on
                     one core, these senders and Agents on the other, loaded, not overloaded)
  --recipients K     Agents receiving, each live on its own WebSocket (default 10)
  --kill-at S        seconds into the run when the mediator gets SIGKILL (default N/2)
  --down-for D       seconds it stays down before the restart (default 2)
  --concurrency C    POSTs in flight at most (default 32)
  --settle N         seconds to wait at most for deliveries after sending stops (default 30)
  --json             print one JSON object instead of text
`;

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '100' },
    recipients: { type: 'string', default: '10' },
    'kill-at': { type: 'string' },
    'down-for': { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '32' },
    settle: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
function positive(name, integer = false) {
  const n = Number(flags[name]);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    process.stderr.write(`soak: --${name} must be a positive ${integer ? 'integer' : 'number'}\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}
const settings = {
  seconds: positive('seconds'),
  rate: positive('rate'),
  recipients: positive('recipients', true),
  concurrency: positive('concurrency', true),
  settle: positive('settle'),
};
settings.killAt = flags['kill-at'] === undefined ? settings.seconds / 2 : positive('kill-at');
settings.downFor = Number(flags['down-for']);
if (!(settings.downFor >= 0)) {
  process.stderr.write(`soak: --down-for must be a number of seconds\n\n${HELP}`);
  process.exit(2);
}
if (settings.killAt >= settings.seconds) {
  process.stderr.write('soak: --kill-at must come before the end of --seconds\n');
  process.exit(2);
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
let t0 = performance.now();
/** Seconds since the load started. */
const now = () => (performance.now() - t0) / 1000;
const timeline = [];
const mark = (what) => timeline.push({ at: +now().toFixed(2), what });

/** Every forward by inner message id: where it went, what the mediator answered, how often it arrived. */
const ledger = new Map();
const tally = { posts: 0, statuses: {}, unknown: 0, misrouted: 0, agentErrors: 0, errorSamples: new Map() };
const count = (key) => { tally.statuses[key] = (tally.statuses[key] ?? 0) + 1; };

// --- senders ---

const sender = new DIDComm(); // anonymous: forwards carry no sender to authenticate

async function makeForward(to) {
  const msg = { id: crypto.randomUUID(), type: 'https://didcomm.org/basicmessage/2.0/message', to: [to], body: { content: 'soak' } };
  const { packed, metadata } = await sender.packEncrypted(msg, { to });
  const f = { id: msg.id, to, packed, url: metadata.messagingService.uri, outcome: null, firstPost: null, delivered: 0, latencyMs: null };
  ledger.set(f.id, f);
  return f;
}

/** The problem code in a 4xx body (a signed report, since the sender is anonymous), or null. */
async function problemCode(body) {
  try {
    return problemReport.parse((await sender.unpack(body)).message)?.code?.raw ?? null;
  } catch {
    return null;
  }
}

/**
 * POSTs `f` until the mediator answers. A retry repeats the same packed message: a 409
 * `dejavu` answer to it means an earlier attempt was stored (its 202 was lost), so the
 * forward counts once, as acknowledged by that duplicate answer.
 */
async function post(f) {
  f.firstPost = performance.now();
  for (let attempt = 1; ; attempt++) {
    tally.posts++;
    let status;
    let body = '';
    try {
      const res = await fetch(f.url, {
        method: 'POST', headers: { 'content-type': ENCRYPTED }, body: f.packed, signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      body = await res.text();
    } catch (e) {
      status = e.cause?.code ?? e.name; // no answer: refused, reset, timed out
    }
    count(status);
    if (status === 202) {
      f.outcome = 'acked';
      return;
    }
    if (status === 409 && attempt > 1 && (await problemCode(body)) === 'e.p.crypto.message.dejavu') {
      f.outcome = 'acked-as-duplicate';
      return;
    }
    const retryable = typeof status !== 'number' || status === 429 || status >= 500;
    if (!retryable) {
      f.outcome = `refused ${status} ${(await problemCode(body)) ?? ''}`.trim();
      return;
    }
    if (performance.now() - f.firstPost > RETRY_MS) {
      f.outcome = 'gave-up';
      return;
    }
    await sleep(Math.min(1000, 100 * 2 ** attempt));
  }
}

/** Offers `rate` forwards/s round-robin over `agents` until `seconds`, at most `concurrency` in flight. */
async function sendLoad(agents, onTick) {
  const inFlight = new Set();
  let launched = 0;
  while (now() < settings.seconds) {
    await onTick();
    // Open loop: forward i is due at i / rate, whether earlier ones were answered or not.
    const due = Math.floor(now() * settings.rate) + 1;
    while (launched < due && inFlight.size < settings.concurrency) {
      const f = await makeForward(agents[launched % agents.length].did);
      launched++;
      const p = post(f).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await sleep(5);
  }
  mark('sending stopped');
  await Promise.all(inFlight);
  mark('every send answered or given up');
}

// --- recipients ---

async function enrol(mediator) {
  const agent = new Agent({ WebSocket });
  agent.statuses = [];
  agent.on('state', (s) => agent.statuses.push({ s, at: now() }));
  agent.on('error', (e) => {
    tally.agentErrors++;
    const key = e.message.replace(/[0-9a-f-]{36}/g, '…').slice(0, 120);
    tally.errorSamples.set(key, (tally.errorSamples.get(key) ?? 0) + 1);
  });
  agent.on('message', ({ message }) => {
    const f = ledger.get(message.id);
    if (!f) {
      tally.unknown++;
      return;
    }
    if (f.to !== agent.did) tally.misrouted++;
    f.delivered++;
    f.latencyMs ??= performance.now() - f.firstPost;
  });
  await agent.connect(mediator.did);
  return agent;
}

/** Messages still queued for `agent` at the mediator (a status-request from its control DID, over HTTP). */
async function queued(agent, mediator) {
  const state = agent.state();
  const didcomm = new DIDComm({ secretsResolver: new SecretsStore(state.secrets) });
  const msg = threading.returnRoute(pickup.statusRequest({ from: state.controlDid, to: mediator.did }), 'all');
  const { packed } = await didcomm.packEncrypted(msg, { to: mediator.did, from: state.controlDid, forward: false });
  const res = await fetch(mediator.url, { method: 'POST', headers: { 'content-type': ENCRYPTED }, body: packed });
  const reply = pickup.parse((await didcomm.unpack(await res.text())).message);
  return reply.messageCount;
}

// --- the run ---

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'mediator-soak-'));
  const start = (port) => spawnMediator(['--port', String(port), '--data-dir', dataDir, '--quiet']);
  const failures = [];
  let mediator;
  const agents = [];
  const kill = { killedAt: null, restartedAt: null, allLiveAt: null, sameDid: null };
  let clean = null;
  try {
    mediator = await start(0);
    for (let i = 0; i < settings.recipients; i++) agents.push(await enrol(mediator));
    t0 = performance.now();
    mark(`mediator up, ${agents.length} Agents live`);

    // The kill and restart run beside the load, which keeps going through them.
    let crash = null;
    const onTick = async () => {
      if (crash || now() < settings.killAt) return;
      crash = (async () => {
        const gone = new Promise((ok) => mediator.child.once('exit', ok));
        mediator.child.kill('SIGKILL');
        kill.killedAt = now();
        mark('kill -9 (SIGKILL) the mediator');
        await gone;
        await sleep(settings.downFor * 1000); // long enough for senders to retry and Agents to back off
        const port = mediator.port;
        const before = mediator.did;
        mediator = await start(port);
        kill.restartedAt = now();
        kill.sameDid = mediator.did === before;
        mark(`restarted on the same port and data dir${kill.sameDid ? ', same DID' : ', a DIFFERENT DID'}`);
        // The Agents reconnect on their own (backoff); wait until each is live again.
        while (!agents.every((a) => a.status === 'live' && a.statuses.some((x) => x.s === 'reconnecting' && x.at >= kill.killedAt))) {
          if (now() > kill.restartedAt + 60) return;
          await sleep(50);
        }
        kill.allLiveAt = now();
        mark(`all ${agents.length} Agents live again (reconnected by themselves)`);
      })().catch((e) => failures.push(`the restart failed: ${e.message}`));
    };
    await sendLoad(agents, onTick);
    const sendingSeconds = settings.seconds;
    await crash;

    // Settle: every acknowledged forward delivered, then quiet (no event) for QUIET_MS.
    const deadline = performance.now() + settings.settle * 1000;
    let lastCount = -1;
    let quietSince = performance.now();
    for (;;) {
      const events = [...ledger.values()].reduce((n, f) => n + f.delivered, 0) + tally.unknown;
      if (events !== lastCount) {
        lastCount = events;
        quietSince = performance.now();
      }
      const pending = [...ledger.values()].some((f) => f.outcome?.startsWith('acked') && f.delivered === 0);
      if (!pending && performance.now() - quietSince >= QUIET_MS) break;
      if (performance.now() > deadline) {
        failures.push(`deliveries did not settle within ${settings.settle} s after sending stopped`);
        break;
      }
      await sleep(100);
    }
    mark('deliveries settled');

    let leftQueued = 0;
    for (const a of agents) leftQueued += await queued(a, mediator);
    for (const a of agents) await a.close();
    await stopMediator(mediator.child);
    clean = mediator.child.exitCode === 0;
    mark(`mediator stopped (${clean ? 'exit code 0' : `exit ${mediator.child.exitCode ?? mediator.child.signalCode}`})`);

    // --- the verdict ---
    const all = [...ledger.values()];
    const acked = all.filter((f) => f.outcome?.startsWith('acked'));
    const n = {
      sent: all.length,
      posts: tally.posts,
      acknowledged: acked.length,
      acknowledgedByDuplicate: all.filter((f) => f.outcome === 'acked-as-duplicate').length,
      refused: all.filter((f) => f.outcome?.startsWith('refused')).length,
      gaveUp: all.filter((f) => f.outcome === 'gave-up').length,
      delivered: all.filter((f) => f.delivered > 0).length,
      duplicates: all.reduce((d, f) => d + Math.max(0, f.delivered - 1), 0),
      lost: acked.filter((f) => f.delivered === 0).length,
      deliveredUnacked: all.filter((f) => f.delivered > 0 && !f.outcome?.startsWith('acked')).length,
      unknown: tally.unknown,
      misrouted: tally.misrouted,
      leftQueued,
    };
    const latencies = all.filter((f) => f.latencyMs !== null).map((f) => f.latencyMs).sort((a, b) => a - b);
    const q = (p) => (latencies.length ? Math.round(latencies[Math.ceil(p * latencies.length) - 1]) : null);

    if (n.acknowledged === 0) failures.push('nothing was acknowledged');
    if (n.lost) failures.push(`${n.lost} acknowledged forwards were never delivered`);
    if (n.duplicates) failures.push(`${n.duplicates} duplicate deliveries to the application`);
    if (n.unknown) failures.push(`${n.unknown} delivered messages were never sent`);
    if (n.misrouted) failures.push(`${n.misrouted} messages reached the wrong Agent`);
    if (n.leftQueued) failures.push(`${n.leftQueued} messages still queued at the mediator after settling`);
    for (const f of all.filter((x) => x.outcome?.startsWith('refused')).slice(0, 3)) failures.push(`a forward was ${f.outcome}`);
    if (kill.killedAt === null) failures.push('the mediator was never killed');
    else if (kill.restartedAt === null) failures.push('the mediator did not restart');
    else if (!kill.sameDid) failures.push('the restarted mediator has another DID');
    else if (kill.allLiveAt === null) failures.push('not every Agent was live again within 60 s of the restart');
    if (!clean) failures.push('the mediator did not stop cleanly');

    const result = {
      machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, platform: `${process.platform} ${process.arch}` },
      settings,
      counts: n,
      statuses: tally.statuses,
      throughput: {
        acknowledgedPerSecond: +(n.acknowledged / sendingSeconds).toFixed(1),
        deliveredPerSecond: +(n.delivered / sendingSeconds).toFixed(1),
      },
      latencyMs: { p50: q(0.5), p99: q(0.99), max: q(1) },
      kill: {
        killedAt: kill.killedAt && +kill.killedAt.toFixed(2),
        restartedAt: kill.restartedAt && +kill.restartedAt.toFixed(2),
        downSeconds: kill.restartedAt && +(kill.restartedAt - kill.killedAt).toFixed(2),
        allLiveAt: kill.allLiveAt && +kill.allLiveAt.toFixed(2),
      },
      timeline,
      agentErrors: { count: tally.agentErrors, samples: Object.fromEntries([...tally.errorSamples].slice(0, 5)) },
      failures,
    };
    process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : text(result));
    return failures.length ? 1 : 0;
  } finally {
    for (const a of agents) await a.close();
    if (mediator) await stopMediator(mediator.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function text(r) {
  const s = r.settings;
  const c = r.counts;
  const ms = (v) => (v === null ? '-' : `${v} ms`);
  const lines = [
    `mediator soak: ${s.seconds} s at ${s.rate} forwards/s to ${s.recipients} Agents (live over WebSocket),`
      + ` up to ${s.concurrency} POSTs in flight, kill -9 at ${s.killAt} s, down ${s.downFor} s`,
    `machine: ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}, ${r.machine.platform}`,
    ...r.timeline.map((e) => `  ${e.at.toFixed(2).padStart(6)} s  ${e.what}`),
    `sent:          ${c.sent} forwards in ${c.posts} POSTs ${JSON.stringify(r.statuses)}`,
    `acknowledged:  ${c.acknowledged} (${c.acknowledgedByDuplicate} of them by a 409 duplicate answer to a retry);`
      + ` not acknowledged: ${c.gaveUp} given up, ${c.refused} refused`,
    `delivered:     ${c.delivered} to the application (Agent message events)`,
    `duplicates:    ${c.duplicates}`,
    `lost:          ${c.lost} (acknowledged, never delivered)`,
    `delivered but not acknowledged: ${c.deliveredUnacked} (allowed: the 202 died with the process)`,
    `left queued at the mediator: ${c.leftQueued}`,
    `throughput:    ${r.throughput.acknowledgedPerSecond} acknowledged/s, ${r.throughput.deliveredPerSecond} delivered/s`,
    `latency (first POST to message event): p50 ${ms(r.latencyMs.p50)}, p99 ${ms(r.latencyMs.p99)}, max ${ms(r.latencyMs.max)}`,
    `kill -9 at ${r.kill.killedAt ?? '-'} s, restarted at ${r.kill.restartedAt ?? '-'} s (down ${r.kill.downSeconds ?? '-'} s),`
      + ` all Agents live at ${r.kill.allLiveAt ?? '-'} s`,
    `Agent error events: ${r.agentErrors.count}${r.agentErrors.count ? ` ${JSON.stringify(r.agentErrors.samples)}` : ''}`,
    r.failures.length ? `FAILED:\n${r.failures.map((f) => `  - ${f}`).join('\n')}` : 'OK: every acknowledged forward was delivered to the application exactly once',
    '',
  ];
  return lines.join('\n');
}

process.exitCode = await main().catch((e) => {
  process.stderr.write(`soak: ${e.stack ?? e.message}\n`);
  return 1;
});

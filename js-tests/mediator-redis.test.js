// Scale-out: three mediator processes sharing one real redis-server (Debian's, on 127.0.0.1
// in a temporary directory, every write on disk before its reply), behind a TCP load
// balancer (mediator/balancer.js). Agents land on different processes, mediate, and
// exchange messages over live WebSocket and over pickup, each message once; a process
// killed with SIGKILL in the middle of a burst loses no acknowledged forward, and its
// Agents reconnect to the others and receive their queues.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import Redis from 'ioredis';
import { Agent, basicMessage } from 'didcomm-wasm';
import { spawnMediator } from '../mediator/process.js';
import { startRedis } from '../mediator/redis-server.js';
import { startBalancer } from '../mediator/balancer.js';
import { burst, forwardFor, post } from './mediator-client.js';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Polls `check` until it is truthy, or fails after `ms`. */
async function waitFor(check, ms, what) {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) assert.fail(`${what} did not happen within ${ms} ms`);
    await sleep(25);
  }
}

/** Redis, a balancer and `n` mediator processes on it, all with the balancer's URLs. */
async function cluster(n) {
  const redis = await startRedis({ appendfsync: 'always' });
  const lb = await startBalancer();
  const spawn = () => spawnMediator(['--port', '0', '--store', redis.url, '--public-url', lb.url, '--ws-url', lb.wsUrl, '--quiet']);
  const processes = await Promise.all(Array.from({ length: n }, spawn));
  lb.setBackends(processes.map((p) => p.port));
  return {
    redis, lb, processes,
    async close() {
      for (const p of processes) p.child.kill('SIGKILL');
      await lb.close();
      await redis.stop();
    },
  };
}

/** An Agent that records every message handed to the application, by id. */
function recordingAgent(options = {}) {
  const agent = new Agent({ WebSocket, pollIntervalMs: 100, timeoutMs: 20_000, ...options });
  agent.received = [];
  agent.states = [];
  agent.on('message', ({ message }) => agent.received.push(message.id));
  agent.on('state', (state) => agent.states.push(state));
  agent.on('error', () => {}); // reconnections report here; what arrives is what is checked
  return agent;
}

const text = (content) => basicMessage.basicMessage({ content });

describe('three mediator processes on one Redis', () => {
  let c;
  before(async () => { c = await cluster(3); });
  after(() => c.close());

  test('every process presents the same DID and keys', async () => {
    const dids = new Set(c.processes.map((p) => p.did));
    assert.equal(dids.size, 1);
    // The DID names the balancer, so any process can answer for it.
    const agent = recordingAgent();
    try {
      const info = await agent.connect(c.processes[1].oobUrl);
      assert.equal(info.did, c.processes[0].did);
      assert.equal(info.http, c.lb.url);
    } finally {
      await agent.close();
    }
  });

  test('a forward accepted by one process reaches the live socket on another at once, pushed by that one alone', async () => {
    const agent = recordingAgent({ transport: 'websocket' });
    const redis = new Redis(c.redis.url);
    try {
      await agent.connect(c.processes[0].did);
      const owner = await redis.get(`didcomm-mediator:live:${agent.state().controlDid}`);
      const holder = c.processes.find((p) => owner.startsWith(`${p.processId}/`));
      assert.ok(holder, `the live owner ${owner} is one of the processes`);
      for (const other of c.processes.filter((p) => p !== holder)) {
        const f = await forwardFor(agent.did);
        const sent = performance.now();
        assert.equal((await post(`http://127.0.0.1:${other.port}/`, f.packed)).status, 202);
        await waitFor(() => agent.received.includes(f.id), 3000, 'the handed-over delivery');
        assert.ok(performance.now() - sent < 3000);
      }
      await sleep(500);
      assert.equal(new Set(agent.received).size, agent.received.length, 'each pushed once');
      assert.equal(agent.received.length, 2);
    } finally {
      redis.disconnect();
      await agent.close();
    }
  });

  test('Agents on different processes exchange messages over live WebSocket and pickup, each once', { timeout: 120_000 }, async () => {
    const before = new Map(c.lb.counts);
    const live = Array.from({ length: 4 }, () => recordingAgent({ transport: 'websocket' }));
    const polling = Array.from({ length: 2 }, () => recordingAgent({ transport: 'polling' }));
    const agents = [...live, ...polling];
    try {
      for (const a of agents) await a.connect(c.processes[0].did);
      assert.ok(live.every((a) => a.status === 'live') && polling.every((a) => a.status === 'polling'));
      const used = [...c.lb.counts].filter(([port, n]) => n > (before.get(port) ?? 0)).length;
      assert.equal(used, 3, 'the connections were spread over all three processes');
      // Everyone sends to everyone else.
      const expected = new Map(agents.map((a) => [a, []]));
      await Promise.all(agents.map(async (from) => {
        for (const to of agents) {
          if (to === from) continue;
          const { id } = await from.send(text(`from ${from.did.slice(-6)}`), { to: to.did });
          expected.get(to).push(id);
        }
      }));
      const total = agents.length * (agents.length - 1);
      await waitFor(() => agents.reduce((n, a) => n + a.received.length, 0) >= total, 60_000, `${total} deliveries`);
      await sleep(500); // room for a duplicate to show
      for (const a of agents) assert.deepEqual([...a.received].sort(), [...expected.get(a)].sort());
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
  });
});

test('a process killed with SIGKILL mid-burst loses no acknowledged forward; its Agents reconnect elsewhere and get their queues', { timeout: 180_000 }, async () => {
  const c = await cluster(3);
  const agents = Array.from({ length: 6 }, () => recordingAgent({ transport: 'websocket' }));
  try {
    for (const a of agents) await a.connect(c.processes[0].did);
    const forwards = [];
    for (let i = 0; i < 600; i += 1) {
      const to = agents[i % agents.length];
      forwards.push({ to, ...(await forwardFor(to.did)) });
    }
    let killed = null;
    const { acknowledged: ids } = await burst(forwards, {
      workers: 16,
      after: (acked) => {
        if (killed === null && acked.size >= 200) {
          killed = c.processes[1];
          killed.child.kill('SIGKILL');
        }
      },
    });
    const acknowledged = new Map(agents.map((a) => [a, new Set(forwards.filter((f) => f.to === a && ids.has(f.id)).map((f) => f.id))]));
    assert.ok(killed, 'a process was killed during the burst');
    if (killed.child.exitCode === null && killed.child.signalCode === null) await once(killed.child, 'exit');
    const acked = [...acknowledged.values()].reduce((n, s) => n + s.size, 0);
    assert.ok(acked >= 400, `${acked} acknowledged`);
    // Every acknowledged forward arrives, once, including at the Agents whose socket was on the killed process.
    await waitFor(() => agents.every((a) => [...acknowledged.get(a)].every((id) => a.received.includes(id))), 90_000, 'every acknowledged delivery');
    await sleep(500);
    for (const a of agents) {
      assert.equal(new Set(a.received).size, a.received.length, 'nothing handed over twice');
      assert.ok(a.received.every((id) => forwards.some((f) => f.id === id && f.to === a)), 'only what was sent to it');
    }
    assert.ok(agents.some((a) => a.states.includes('reconnecting')), 'some Agents had their socket on the killed process');
    await waitFor(() => agents.every((a) => a.status === 'live'), 30_000, 'every Agent live again');
  } finally {
    await Promise.all(agents.map((a) => a.close()));
    await c.close();
  }
});

test('while Redis is down a forward is refused with 503 (never a 202); once it is back the same forward is taken', { timeout: 120_000 }, async () => {
  const c = await cluster(1);
  const [m] = c.processes;
  const agent = recordingAgent({ transport: 'websocket' });
  try {
    await agent.connect(m.did);
    const f = await forwardFor(agent.did);
    c.redis.child.kill('SIGKILL');
    await once(c.redis.child, 'exit');
    const refused = await post(`http://127.0.0.1:${m.port}/`, f.packed);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    // The same port and directory: the append-only file brings the state back.
    const again = await startRedis({ port: c.redis.port, dir: c.redis.dir });
    try {
      // The store reconnects by itself; until then the answer stays 503.
      let status;
      const end = performance.now() + 20_000;
      while (status !== 202 && performance.now() < end) {
        status = (await post(`http://127.0.0.1:${m.port}/`, f.packed)).status;
        if (status !== 202) {
          assert.equal(status, 503);
          await sleep(200);
        }
      }
      assert.equal(status, 202);
      // Grants, keylist and the live owner came back with Redis: the forward is pushed live.
      await waitFor(() => agent.received.includes(f.id), 10_000, 'the delivery');
    } finally {
      await again.stop();
    }
  } finally {
    await agent.close();
    await c.close();
  }
});

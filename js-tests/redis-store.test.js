// RedisStore (mediator/redis-store.js) against a real redis-server: first the contract it
// shares with SqliteStore, run on both engines with the same assertions, then what only the
// Redis store does (several processes, crashes of Redis, pub/sub, the shared identity).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import Redis from 'ioredis';
import { SqliteStore } from '../mediator/store.js';
import { RedisStore } from '../mediator/redis-store.js';
import { startRedis, freePort } from '../mediator/redis-server.js';

/** The redis-server most tests share; each test takes its own key prefix. */
let shared;
before(async () => { shared = await startRedis(); });
after(async () => { await shared?.stop(); });

let prefixes = 0;
const freshPrefix = () => `test-${process.pid}-${(prefixes += 1)}:`;

/** Polls `check` until it is truthy (a busy machine: no fixed sleeps); fails after `ms`. */
async function until(check, ms = 10_000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The engines of the contract: `open(t, options)` → `{ store, reopen() }`; `reopen` closes the
 * current store and opens a new one on the same state. Everything is closed after the test.
 */
const engines = {
  sqlite: async (t, options = {}) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'store-contract-'));
    let store = new SqliteStore({ dataDir, ...options });
    t.after(async () => { await store.close(); rmSync(dataDir, { recursive: true, force: true }); });
    return {
      get store() { return store; },
      async reopen() { await store.close(); store = new SqliteStore({ dataDir, ...options }); return store; },
    };
  },
  redis: async (t, options = {}) => {
    const prefix = freshPrefix();
    let store = await RedisStore.connect(shared.url, { prefix, ...options });
    t.after(() => store.close());
    return {
      get store() { return store; },
      async reopen() { await store.close(); store = await RedisStore.connect(shared.url, { prefix, ...options }); return store; },
    };
  },
};

/** Queues `texts` for `recipient` of `client` one after the other; their ids. */
async function queue(store, client, recipient, texts) {
  const ids = [];
  for (const text of texts) ids.push((await store.enqueue(client, recipient, text)).id);
  return ids;
}

const pick = ({ id, recipientDid, receivedAt, packed }) => ({ id, recipientDid, receivedAt, packed });

for (const [engine, open] of Object.entries(engines)) {
  describe(`store contract: ${engine}`, () => {
    test('grants: none, granted, re-granted, per client', async (t) => {
      const { store } = await open(t);
      assert.equal(await store.grantOf('did:ex:alice'), null);
      await store.grant('did:ex:alice', 1);
      assert.equal(await store.grantOf('did:ex:alice'), 1);
      await store.grant('did:ex:alice', 2);
      assert.equal(await store.grantOf('did:ex:alice'), 2);
      assert.equal(await store.grantOf('did:ex:bob'), null);
    });

    test('keylist: add, no_change, client_error, remove, owner', async (t) => {
      const { store } = await open(t);
      assert.equal(await store.ownerOf('did:ex:r1'), null);
      assert.equal(await store.addRecipient('did:ex:alice', 'did:ex:r1'), 'success');
      assert.equal(await store.addRecipient('did:ex:alice', 'did:ex:r1'), 'no_change');
      assert.equal(await store.addRecipient('did:ex:bob', 'did:ex:r1'), 'client_error');
      assert.equal(await store.ownerOf('did:ex:r1'), 'did:ex:alice');
      assert.equal(await store.removeRecipient('did:ex:bob', 'did:ex:r1'), 'no_change', 'not bob\'s to remove');
      assert.equal(await store.ownerOf('did:ex:r1'), 'did:ex:alice');
      assert.equal(await store.removeRecipient('did:ex:alice', 'did:ex:r1'), 'success');
      assert.equal(await store.removeRecipient('did:ex:alice', 'did:ex:r1'), 'no_change');
      assert.equal(await store.ownerOf('did:ex:r1'), null);
      assert.equal(await store.addRecipient('did:ex:bob', 'did:ex:r1'), 'success', 'free again');
      assert.deepEqual(await store.recipients('did:ex:alice'), { dids: [], total: 0 });
      assert.deepEqual(await store.recipients('did:ex:bob'), { dids: ['did:ex:r1'], total: 1 });
    });

    test('keylist pages: sorted by bytes, offset, limit, total', async (t) => {
      const { store } = await open(t);
      // Byte order: upper case before lower case, a multi-byte character last.
      const dids = ['did:ex:é', 'did:ex:b', 'did:ex:B', 'did:ex:a#key-1', 'did:ex:a'];
      for (const d of dids) assert.equal(await store.addRecipient('did:ex:alice', d), 'success');
      await store.addRecipient('did:ex:bob', 'did:ex:other');
      const sorted = ['did:ex:B', 'did:ex:a', 'did:ex:a#key-1', 'did:ex:b', 'did:ex:é'];
      assert.deepEqual(await store.recipients('did:ex:alice'), { dids: sorted, total: 5 });
      assert.deepEqual(await store.recipients('did:ex:alice', { offset: 1, limit: 2 }), { dids: sorted.slice(1, 3), total: 5 });
      assert.deepEqual(await store.recipients('did:ex:alice', { offset: 4, limit: 10 }), { dids: sorted.slice(4), total: 5 });
      assert.deepEqual(await store.recipients('did:ex:alice', { offset: 5, limit: 10 }), { dids: [], total: 5 });
      assert.deepEqual(await store.recipients('did:ex:alice', { offset: 0, limit: 0 }), { dids: [], total: 5 });
      assert.deepEqual(await store.recipients('did:ex:nobody'), { dids: [], total: 0 });
    });

    test('remember: true the first time only', async (t) => {
      const { store } = await open(t);
      assert.equal(await store.remember('did:ex:a\nid-1'), true);
      assert.equal(await store.remember('did:ex:a\nid-1'), false);
      assert.equal(await store.remember('did:ex:a\nid-2'), true);
      assert.equal(await store.remember('did:ex:b\nid-1'), true);
    });

    test('enqueue: id, receive time, duplicates, no dedupe key', async (t) => {
      const { store } = await open(t);
      const before = Date.now();
      const q = await store.enqueue('did:ex:alice', 'did:ex:r1', '{"a":1}', 'k1');
      const afterwards = Date.now();
      assert.equal(typeof q.id, 'string');
      assert.ok(q.receivedAt >= before && q.receivedAt <= afterwards, `${q.receivedAt} in [${before}, ${afterwards}]`);
      assert.deepEqual(await store.enqueue('did:ex:alice', 'did:ex:r1', '{"a":2}', 'k1'), { duplicate: true });
      assert.deepEqual(await store.enqueue('did:ex:bob', 'did:ex:r2', '{"a":3}', 'k1'), { duplicate: true }, 'keys are global');
      assert.equal(await store.remember('k1'), false, 'enqueue and remember share the seen keys');
      const a = await store.enqueue('did:ex:alice', 'did:ex:r1', '{"a":1}');
      const b = await store.enqueue('did:ex:alice', 'did:ex:r1', '{"a":1}');
      assert.notEqual(a.id, b.id);
      assert.equal(new Set([q.id, a.id, b.id]).size, 3);
      assert.deepEqual(await store.status('did:ex:bob'), { count: 0, bytes: 0, oldest: null, newest: null });
      assert.equal((await store.status('did:ex:alice')).count, 3);
    });

    test('enqueue limits: per client, in UTF-8 bytes, full stores nothing and remembers no key', async (t) => {
      const { store } = await open(t);
      const limits = { maxMessages: 2, maxBytes: 0 };
      assert.ok((await store.enqueue('did:ex:alice', 'did:ex:r1', 'one', 'k1', limits)).id);
      assert.ok((await store.enqueue('did:ex:alice', 'did:ex:r2', 'two', 'k2', limits)).id);
      assert.deepEqual(await store.enqueue('did:ex:alice', 'did:ex:r1', 'three', 'k3', limits), { full: true });
      assert.ok((await store.enqueue('did:ex:bob', 'did:ex:r3', 'three', 'k4', limits)).id, 'another client has its own room');
      assert.equal((await store.status('did:ex:alice')).count, 2);
      const [first] = await store.fetch('did:ex:alice', { limit: 1 });
      assert.equal(await store.remove('did:ex:alice', [first.id]), 1);
      assert.ok((await store.enqueue('did:ex:alice', 'did:ex:r1', 'three', 'k3', limits)).id, 'k3 was not remembered when full');

      // 'é' is two bytes: 4 of them are 8 bytes.
      const bytes = { maxMessages: 0, maxBytes: 10 };
      assert.ok((await store.enqueue('did:ex:carol', 'did:ex:r4', 'éééé', undefined, bytes)).id);
      assert.equal((await store.status('did:ex:carol')).bytes, 8);
      assert.deepEqual(await store.enqueue('did:ex:carol', 'did:ex:r4', 'ééé', undefined, bytes), { full: true });
      assert.ok((await store.enqueue('did:ex:carol', 'did:ex:r4', 'é', undefined, bytes)).id, 'exactly maxBytes fits');
      assert.deepEqual(await store.enqueue('did:ex:carol', 'did:ex:r4', 'x', undefined, bytes), { full: true });
      const carol = await store.status('did:ex:carol');
      assert.deepEqual([carol.count, carol.bytes], [2, 10]);

      for (let i = 0; i < 5; i += 1) assert.ok((await store.enqueue('did:ex:dave', 'did:ex:r5', 'x', undefined, {})).id, '0: no limit');
    });

    test('status: counters per client and per recipient, oldest and newest', async (t) => {
      const { store } = await open(t);
      assert.deepEqual(await store.status('did:ex:alice'), { count: 0, bytes: 0, oldest: null, newest: null });
      const times = [];
      for (const [r, text] of [['did:ex:r1', 'aa'], ['did:ex:r2', 'bbb'], ['did:ex:r1', 'c']]) {
        times.push((await store.enqueue('did:ex:alice', r, text)).receivedAt);
      }
      await store.enqueue('did:ex:bob', 'did:ex:r3', 'dddd');
      assert.deepEqual(await store.status('did:ex:alice'), { count: 3, bytes: 6, oldest: times[0], newest: times[2] });
      assert.deepEqual(await store.status('did:ex:alice', 'did:ex:r1'), { count: 2, bytes: 3, oldest: times[0], newest: times[2] });
      assert.deepEqual(await store.status('did:ex:alice', 'did:ex:r2'), { count: 1, bytes: 3, oldest: times[1], newest: times[1] });
      assert.deepEqual(await store.status('did:ex:alice', 'did:ex:r3'), { count: 0, bytes: 0, oldest: null, newest: null }, 'bob\'s');
      assert.equal((await store.status('did:ex:bob')).count, 1);
    });

    test('fetch: oldest first, limit, exclude, recipient filter, only the client\'s', async (t) => {
      const { store } = await open(t);
      await store.addRecipient('did:ex:alice', 'did:ex:r1');
      const texts = Array.from({ length: 12 }, (_, i) => `{"n":${i}}`);
      const ids = [];
      for (const [i, text] of texts.entries()) {
        ids.push((await store.enqueue('did:ex:alice', i % 3 === 0 ? 'did:ex:r2' : 'did:ex:r1', text)).id);
      }
      await store.enqueue('did:ex:bob', 'did:ex:r3', 'bob\'s');
      const all = await store.fetch('did:ex:alice', { limit: 100 });
      assert.deepEqual(all.map((m) => m.packed), texts);
      assert.deepEqual(all.map((m) => m.id), ids);
      assert.deepEqual(all.map((m) => m.recipientDid), texts.map((_, i) => (i % 3 === 0 ? 'did:ex:r2' : 'did:ex:r1')));
      assert.ok(all.every((m, i) => typeof m.receivedAt === 'number' && (i === 0 || m.receivedAt >= all[i - 1].receivedAt)));
      assert.deepEqual(all.map(pick), all, 'exactly these fields');

      assert.deepEqual(await store.fetch('did:ex:alice', { limit: 3 }), all.slice(0, 3));
      assert.deepEqual(await store.fetch('did:ex:alice', { limit: 0 }), []);
      const exclude = new Set([ids[0], ids[2], ids[3], 'not-an-id']);
      assert.deepEqual(await store.fetch('did:ex:alice', { limit: 3, exclude }), [all[1], all[4], all[5]]);
      assert.deepEqual(await store.fetch('did:ex:alice', { limit: 100, exclude: new Set(ids) }), []);
      const r2 = all.filter((m) => m.recipientDid === 'did:ex:r2');
      assert.deepEqual(await store.fetch('did:ex:alice', { recipientDid: 'did:ex:r2', limit: 100 }), r2);
      assert.deepEqual(await store.fetch('did:ex:alice', { recipientDid: 'did:ex:r2', limit: 2, exclude: new Set([r2[0].id]) }), r2.slice(1, 3));
      assert.deepEqual(await store.fetch('did:ex:alice', { recipientDid: 'did:ex:r3', limit: 100 }), [], 'bob\'s recipient');
      assert.deepEqual((await store.fetch('did:ex:bob', { limit: 100 })).map((m) => m.packed), ['bob\'s']);

      // A message stays the client's after its recipient leaves the keylist.
      await store.removeRecipient('did:ex:alice', 'did:ex:r1');
      assert.equal((await store.fetch('did:ex:alice', { recipientDid: 'did:ex:r1', limit: 100 })).length, 8);
      assert.equal((await store.status('did:ex:alice', 'did:ex:r1')).count, 8);
    });

    test('remove: only the client\'s ids, counted once, frees room and counters', async (t) => {
      const { store } = await open(t);
      const limits = { maxMessages: 3 };
      const [a1, a2, a3] = await Promise.all(['x', 'yy', 'zzz'].map((text, i) => store.enqueue('did:ex:alice', `did:ex:r${i % 2}`, text, `k${i}`, limits)));
      const [b1] = await queue(store, 'did:ex:bob', 'did:ex:rb', ['bob']);
      assert.deepEqual(await store.enqueue('did:ex:alice', 'did:ex:r0', 'w', 'k9', limits), { full: true });
      assert.equal(await store.remove('did:ex:alice', []), 0);
      assert.equal(await store.remove('did:ex:alice', [b1, 'unknown']), 0, 'bob\'s id is not alice\'s to remove');
      assert.equal((await store.status('did:ex:bob')).count, 1);
      assert.equal(await store.remove('did:ex:alice', [a1.id, a1.id, b1]), 1);
      const alice = await store.status('did:ex:alice');
      assert.deepEqual([alice.count, alice.bytes, alice.newest], [2, 5, Math.max(a2.receivedAt, a3.receivedAt)]);
      assert.deepEqual(await store.status('did:ex:alice', 'did:ex:r0'), { count: 1, bytes: 3, oldest: a3.receivedAt, newest: a3.receivedAt });
      assert.ok((await store.enqueue('did:ex:alice', 'did:ex:r0', 'w', 'k9', limits)).id, 'room again');
      assert.equal(await store.remove('did:ex:alice', [a1.id]), 0, 'already gone');
      const rest = (await store.fetch('did:ex:alice', { limit: 10 })).map((m) => m.id);
      assert.equal(rest.length, 3);
      assert.ok(rest.includes(a2.id) && rest.includes(a3.id));
      assert.equal(await store.remove('did:ex:alice', rest), 3);
      assert.deepEqual(await store.status('did:ex:alice'), { count: 0, bytes: 0, oldest: null, newest: null });
      assert.deepEqual(await store.status('did:ex:alice', 'did:ex:r0'), { count: 0, bytes: 0, oldest: null, newest: null });
      assert.deepEqual(await store.fetch('did:ex:alice', { limit: 10 }), []);
      assert.equal((await store.status('did:ex:bob')).count, 1);
    });

    test('everything survives close and reopen, the queue limits included', async (t) => {
      const s = await open(t);
      await s.store.grant('did:ex:alice', 2);
      await s.store.addRecipient('did:ex:alice', 'did:ex:r1');
      await s.store.remember('seen-1');
      const limits = { maxMessages: 2 };
      const queued = [];
      for (const k of ['k1', 'k2']) queued.push(await s.store.enqueue('did:ex:alice', 'did:ex:r1', `{"k":"${k}"}`, k, limits));
      const store = await s.reopen();
      assert.equal(await store.grantOf('did:ex:alice'), 2);
      assert.equal(await store.ownerOf('did:ex:r1'), 'did:ex:alice');
      assert.equal(await store.remember('seen-1'), false);
      assert.deepEqual(await store.enqueue('did:ex:alice', 'did:ex:r1', 'x', 'k1', {}), { duplicate: true });
      assert.deepEqual(await store.enqueue('did:ex:alice', 'did:ex:r1', 'x', 'k3', limits), { full: true });
      const fetched = await store.fetch('did:ex:alice', { limit: 10 });
      assert.deepEqual(fetched.map((m) => [m.id, m.receivedAt]), queued.map((q) => [q.id, q.receivedAt]));
      assert.deepEqual(await store.status('did:ex:alice'), { count: 2, bytes: 20, oldest: queued[0].receivedAt, newest: queued[1].receivedAt });
    });
  });
}

// --- Redis only ---

/** `n` stores on `url` sharing one fresh prefix (as n mediator processes would; `.prefix`), closed after the test. */
async function stores(t, n, url = shared.url, options = {}) {
  const prefix = freshPrefix();
  const list = await Promise.all(Array.from({ length: n }, () => RedisStore.connect(url, { prefix, ...options })));
  t.after(() => Promise.all(list.map((s) => s.close())));
  list.prefix = prefix;
  return list;
}

/** A plain client on the shared server, for looking at the keys themselves. */
async function raw(t) {
  const r = new Redis(shared.url);
  t.after(() => r.quit());
  return r;
}

async function keysUnder(r, prefix) {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.map((k) => k.slice(prefix.length)).sort();
}

describe('RedisStore', () => {
  test('kill -9 of redis-server (appendfsync always): every resolved enqueue is still there', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-kill-'));
    const port = await freePort();
    let server = await startRedis({ appendfsync: 'always', port, dir });
    t.after(async () => { await server.stop(); rmSync(dir, { recursive: true, force: true }); });
    const prefix = freshPrefix();
    const writer = await RedisStore.connect(server.url, { prefix });
    t.after(() => writer.close());

    const acknowledged = new Map(); // id → packed
    let attempts = 0;
    let killed = false;
    const worker = async (w) => {
      for (let i = 0; ; i += 1) {
        const packed = JSON.stringify({ w, i, pad: 'x'.repeat(200) });
        attempts += 1;
        let q;
        try {
          q = await writer.enqueue('did:ex:alice', `did:ex:r${w}`, packed, `w${w}-${i}`);
        } catch {
          return; // Redis is gone: not acknowledged
        }
        acknowledged.set(q.id, packed);
        if (!killed && acknowledged.size >= 300) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
    assert.ok(killed);
    if (server.child.exitCode === null && server.child.signalCode === null) await once(server.child, 'exit');

    server = await startRedis({ appendfsync: 'always', port, dir });
    const reader = await RedisStore.connect(server.url, { prefix });
    t.after(() => reader.close());
    const found = await reader.fetch('did:ex:alice', { limit: 100_000 });
    const byId = new Map(found.map((m) => [m.id, m.packed]));
    const lost = [...acknowledged.keys()].filter((id) => byId.get(id) !== acknowledged.get(id));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.size} acknowledged enqueues lost`);
    assert.ok(found.length <= attempts);
    // The counters agree with what is stored: no half-applied script survived the crash.
    const status = await reader.status('did:ex:alice');
    assert.equal(status.count, found.length);
    assert.equal(status.bytes, found.reduce((sum, m) => sum + Buffer.byteLength(m.packed), 0));
    // The first store reconnects by itself.
    await until(() => writer.grant('did:ex:alice', 2).then(() => true, () => false), 15_000, 'the writer to reconnect');
    assert.equal(await reader.grantOf('did:ex:alice'), 2);
    t.diagnostic(`${acknowledged.size} acknowledged, ${found.length} found after restart, ${attempts} attempted`);
  });

  test('writes reject within seconds while Redis is down or hung, and work again after', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-down-'));
    const port = await freePort();
    let server = await startRedis({ port, dir });
    t.after(async () => { await server.stop(); rmSync(dir, { recursive: true, force: true }); });
    const [store] = await stores(t, 1, server.url, { commandMs: 1500 });
    assert.ok((await store.enqueue('did:ex:alice', 'did:ex:r1', 'before')).id);

    // Hung (SIGSTOP): the command is sent but gets no reply.
    server.child.kill('SIGSTOP');
    let started = Date.now();
    await assert.rejects(store.enqueue('did:ex:alice', 'did:ex:r1', 'hung'));
    assert.ok(Date.now() - started < 6000, `rejected after ${Date.now() - started} ms`);
    server.child.kill('SIGCONT');
    await until(() => store.remember('after-hang').then(() => true, () => false), 10_000, 'Redis to answer again');

    // Gone (kill -9): every kind of write rejects.
    server.child.kill('SIGKILL');
    await once(server.child, 'exit');
    started = Date.now();
    const writes = [
      () => store.enqueue('did:ex:alice', 'did:ex:r1', 'down', 'kd'),
      () => store.grant('did:ex:alice', 1),
      () => store.addRecipient('did:ex:alice', 'did:ex:r9'),
      () => store.removeRecipient('did:ex:alice', 'did:ex:r1'),
      () => store.remember('down'),
      () => store.remove('did:ex:alice', ['x']),
      () => store.setLiveOwner('did:ex:alice', 'p/1'),
      () => store.putIdentity({ v: 1 }, null),
    ];
    for (const write of writes) await assert.rejects(write());
    assert.ok(Date.now() - started < 6000, `all rejected within ${Date.now() - started} ms`);

    server = await startRedis({ port, dir });
    await until(() => store.enqueue('did:ex:alice', 'did:ex:r1', 'after', 'kd').then(() => true, () => false), 15_000, 'the store to reconnect');
    assert.deepEqual((await store.fetch('did:ex:alice', { limit: 10 })).map((m) => m.packed).filter((p) => p !== 'hung'), ['before', 'after']);
  });

  test('connect rejects with a clear message when nothing listens, without the password', async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(RedisStore.connect(`redis://:s3cret@127.0.0.1:${port}`, { connectMs: 1500 }), (e) => {
      assert.match(e.message, /^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? unreachable within 1\.5 s/);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
    assert.ok(Date.now() - started < 5000);
  });

  test('two processes add the same DIDs for different clients: exactly one wins each', async (t) => {
    const [a, b] = await stores(t, 2);
    const dids = Array.from({ length: 50 }, (_, i) => `did:ex:contested-${i}`);
    const results = await Promise.all(dids.map((d) => Promise.all([a.addRecipient('did:ex:alice', d), b.addRecipient('did:ex:bob', d)])));
    for (const [i, pair] of results.entries()) {
      assert.deepEqual([...pair].sort(), ['client_error', 'success'], dids[i]);
      assert.equal(await b.ownerOf(dids[i]), pair[0] === 'success' ? 'did:ex:alice' : 'did:ex:bob');
    }
    const alice = await a.recipients('did:ex:alice', { limit: 100 });
    const bob = await b.recipients('did:ex:bob', { limit: 100 });
    assert.equal(alice.total + bob.total, 50);
    assert.equal(new Set([...alice.dids, ...bob.dids]).size, 50);
  });

  test('enqueues from two processes keep one FIFO order', async (t) => {
    const [a, b] = await stores(t, 2);
    const texts = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const [i, text] of texts.entries()) await (i % 2 ? b : a).enqueue('did:ex:alice', 'did:ex:r1', text);
    assert.deepEqual((await b.fetch('did:ex:alice', { limit: 100 })).map((m) => m.packed), texts);

    // Concurrent: each process's own messages in its order, receive times never going back.
    await a.remove('did:ex:alice', (await a.fetch('did:ex:alice', { limit: 100 })).map((m) => m.id));
    await Promise.all([a, b].flatMap((s, w) => texts.map((text) => s.enqueue('did:ex:alice', 'did:ex:r1', `${w}:${text}`))));
    const all = await a.fetch('did:ex:alice', { limit: 100 });
    assert.equal(all.length, 40);
    for (const w of [0, 1]) assert.deepEqual(all.map((m) => m.packed).filter((p) => p.startsWith(`${w}:`)), texts.map((x) => `${w}:${x}`));
    assert.ok(all.every((m, i) => i === 0 || m.receivedAt >= all[i - 1].receivedAt));
  });

  test('enqueue returns the live owner; setLiveOwner last wins, clearLiveOwner only its own', async (t) => {
    const [a, b] = await stores(t, 2);
    assert.equal((await a.enqueue('did:ex:alice', 'did:ex:r1', 'x')).liveOwner, null);
    await b.setLiveOwner('did:ex:alice', 'p2/s1');
    assert.equal((await a.enqueue('did:ex:alice', 'did:ex:r1', 'x')).liveOwner, 'p2/s1');
    assert.equal((await a.enqueue('did:ex:bob', 'did:ex:r2', 'x')).liveOwner, null, 'per client');
    await a.setLiveOwner('did:ex:alice', 'p1/s7');
    assert.equal((await b.enqueue('did:ex:alice', 'did:ex:r1', 'x')).liveOwner, 'p1/s7');
    assert.equal(await b.clearLiveOwner('did:ex:alice', 'p2/s1'), false, 'p2 is no longer the owner');
    assert.equal((await b.enqueue('did:ex:alice', 'did:ex:r1', 'x')).liveOwner, 'p1/s7');
    assert.equal(await a.clearLiveOwner('did:ex:alice', 'p1/s7'), true);
    assert.equal(await a.clearLiveOwner('did:ex:alice', 'p1/s7'), false);
    assert.equal((await b.enqueue('did:ex:alice', 'did:ex:r1', 'x')).liveOwner, null);
    // Not on a refused enqueue: full and duplicate say only that.
    await a.setLiveOwner('did:ex:alice', 'p1/s8');
    assert.deepEqual(await a.enqueue('did:ex:alice', 'did:ex:r1', 'x', undefined, { maxMessages: 1 }), { full: true });
  });

  test('publish reaches the onMessage handlers of that process id only', async (t) => {
    const [a, b] = await stores(t, 2);
    const [elsewhere] = await stores(t, 1); // another prefix: another mediator on the same Redis
    const got = [];
    const gotElsewhere = [];
    await b.onMessage('p2', (m) => got.push(m));
    await elsewhere.onMessage('p2', (m) => gotElsewhere.push(m));
    assert.equal(await a.publish('p3', { to: 'p3' }), 0, 'nobody listens to p3');
    const payload = { kind: 'deliver', client: 'did:ex:alice', ids: ['a', 'b'], n: 1.5, nested: { ok: true } };
    assert.equal(await a.publish('p2', payload), 1);
    await a.publish('p2', { second: true });
    await until(() => got.length === 2, 10_000, 'two messages on p2');
    assert.deepEqual(got, [payload, { second: true }]);
    // Published after a's messages: once it arrives, a's would have arrived too.
    await elsewhere.publish('p2', { marker: true });
    await until(() => gotElsewhere.length === 1, 10_000, 'the marker');
    assert.deepEqual(gotElsewhere, [{ marker: true }]);
    assert.equal(got.length, 2);
  });

  test('identity: compare-and-set across processes', async (t) => {
    const [a, b] = await stores(t, 2);
    assert.equal(await a.getIdentity(), null);
    const first = { version: 1, did: 'did:peer:2.one', secrets: [{ id: 'k1', privateKeyJwk: { d: 'secret' } }], previous: [] };
    assert.equal(await a.putIdentity(first, null), true);
    assert.deepEqual(await b.getIdentity(), first);
    assert.equal(await b.putIdentity({ version: 1, did: 'did:peer:2.other' }, null), false, 'not absent any more');
    assert.equal(await b.putIdentity({ version: 1, did: 'did:peer:2.other' }, { ...first, did: 'did:peer:2.stale' }), false);
    const current = await b.getIdentity();
    const racers = ['did:peer:2.two', 'did:peer:2.three'].map((did, i) => [a, b][i].putIdentity({ ...current, did }, current));
    const won = await Promise.all(racers);
    assert.deepEqual([...won].sort(), [false, true]);
    assert.equal((await a.getIdentity()).did, won[0] ? 'did:peer:2.two' : 'did:peer:2.three');
  });

  test('remembered keys expire after dedupeSeconds', async (t) => {
    const opened = await stores(t, 1, shared.url, { dedupeSeconds: 1 });
    const [store] = opened;
    const r = await raw(t);
    assert.equal(await store.remember('k1'), true);
    assert.ok((await store.enqueue('did:ex:alice', 'did:ex:r1', 'x', 'k2')).id);
    assert.equal(await store.remember('k1'), false);
    const { prefix } = opened;
    const seen = (await keysUnder(r, prefix)).filter((k) => k.startsWith('seen:'));
    assert.equal(seen.length, 2);
    for (const k of seen) {
      const ttl = await r.pttl(prefix + k);
      assert.ok(ttl > 0 && ttl <= 1000, `${k}: ttl ${ttl}`);
    }
    await until(() => store.remember('k1'), 10_000, 'k1 to expire');
    assert.ok((await until(async () => (await store.enqueue('did:ex:alice', 'did:ex:r1', 'x', 'k2')).id, 10_000, 'k2 to expire')));
  });

  test('an emptied queue and keylist leave no keys behind', async (t) => {
    const opened = await stores(t, 1);
    const [store] = opened;
    const { prefix } = opened;
    const r = await raw(t);
    await store.addRecipient('did:ex:alice', 'did:ex:r1');
    await store.setLiveOwner('did:ex:alice', 'p/1');
    for (const rec of ['did:ex:r1', 'did:ex:r2', 'did:ex:r1']) await store.enqueue('did:ex:alice', rec, 'x');
    assert.deepEqual(await keysUnder(r, prefix), [
      'keys:did:ex:alice', 'live:did:ex:alice',
      ...(await store.fetch('did:ex:alice', { limit: 10 })).map((m) => `m:${m.id}`).sort(),
      'owners', 'q:did:ex:alice', 'qr:12:did:ex:alice:did:ex:r1', 'qr:12:did:ex:alice:did:ex:r2', 'seq', 'usage:did:ex:alice',
    ].sort());
    await store.remove('did:ex:alice', (await store.fetch('did:ex:alice', { limit: 10 })).map((m) => m.id));
    await store.removeRecipient('did:ex:alice', 'did:ex:r1');
    await store.clearLiveOwner('did:ex:alice', 'p/1');
    assert.deepEqual(await keysUnder(r, prefix), ['seq']);
  });

  test('prefixes keep two mediators on one Redis apart', async (t) => {
    const [a] = await stores(t, 1);
    const [b] = await stores(t, 1);
    assert.equal(await a.addRecipient('did:ex:alice', 'did:ex:r1'), 'success');
    assert.equal(await b.ownerOf('did:ex:r1'), null);
    assert.equal(await b.addRecipient('did:ex:bob', 'did:ex:r1'), 'success');
    await a.enqueue('did:ex:alice', 'did:ex:r1', 'x', 'k1');
    assert.ok((await b.enqueue('did:ex:alice', 'did:ex:r1', 'x', 'k1')).id, 'its own seen keys');
    assert.equal((await b.status('did:ex:alice')).count, 1);
    await a.grant('did:ex:alice', 2);
    assert.equal(await b.grantOf('did:ex:alice'), null);
  });
});

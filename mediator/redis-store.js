// The mediator's durable state on Redis: SqliteStore's interface and semantics (see store.js),
// so that several mediator processes can share one state, plus what they need to work
// together: the live-delivery owner of each client, a pub/sub channel per process and the
// shared identity.
//
// One Redis server (not Redis Cluster: the scripts touch keys they derive, e.g. a message's
// hash from its id). Every write that changes more than one key is one Lua script, so it is
// atomic across processes, and a promise resolves only after Redis has replied. What a reply
// guarantees depends on the server's persistence:
// - `appendonly yes` + `appendfsync always`: the AOF is fsynced before the reply, so every
//   resolved write survives kill -9 of Redis and power loss. A script's effects are logged as
//   one MULTI/EXEC, and a truncated tail is dropped on load: no half-applied enqueue.
// - `appendfsync everysec`: survives kill -9 of Redis (the write is in the OS page cache),
//   but power loss or a kernel crash loses up to about the last second of resolved writes.
// - no AOF (RDB snapshots only, or none): a crash loses everything since the last snapshot
//   (or everything); acknowledged forwards can be lost. Not for production.
// Writes never wait in a client-side queue: while Redis is unreachable they reject at once
// (in-flight ones when the connection drops, hung ones after `commandTimeout`), so the
// mediator refuses (503) instead of acknowledging what is not stored. A rejected write may
// still have been applied (its reply was lost), like a commit whose acknowledgement died
// with the process: the sender retries and the dedupe key catches it.
//
// Keys (all under `prefix`, default 'didcomm-mediator:'; <pair> = the client's byte length,
// ':', the client, ':', the recipient, so that no two (client, recipient) pairs collide):
//   grants            hash: client DID → coordinate-mediation version
//   owners            hash: recipient DID → client DID (the keylists, by recipient)
//   keys:<client>     zset, all scores 0: the client's keylist, in byte order
//   seen:<sha256>     string with a TTL of dedupeSeconds: a remembered key (hashed: bounded size)
//   seq               counter: the arrival order of messages, across processes
//   m:<id>            hash: client, recipient, receivedAt (ms, Redis's clock), bytes, packed
//   q:<client>        zset: the client's message ids, scored by seq (FIFO)
//   qr:<pair>         zset: the same for one recipient of the client
//   usage:<client>    hash: count, bytes, count:<recipient>, bytes:<recipient> (the counters)
//   live:<client>     string: the client's live-delivery owner (`${processId}/${sessionId}`)
//   identity          string: the mediator's identity record as JSON. It holds the mediator's
//                     PRIVATE KEYS: whoever can read this Redis can impersonate the mediator
//                     (protect Redis like the data dir: a password, TLS, a private network).
// Channel: proc:<processId>, JSON payloads for one process.
import { createHash, randomUUID } from 'node:crypto';
import Redis from 'ioredis';

const CONNECT_MS = 5000;
const COMMAND_MS = 5000;

/** Counters, limits, dedupe, the message and its indexes, and the live owner: one step. */
const ENQUEUE = `
local usage, q, qr, seen, seq, live, msg = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local id, client, recipient, packed = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local maxMessages, maxBytes, dedupe, ttl = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], ARGV[8]
local bytes = string.len(packed)
local now = redis.call('HMGET', usage, 'count', 'bytes')
local count, total = tonumber(now[1]) or 0, tonumber(now[2]) or 0
if (maxMessages > 0 and count + 1 > maxMessages) or (maxBytes > 0 and total + bytes > maxBytes) then
  return {0}
end
if dedupe == '1' and not redis.call('SET', seen, '1', 'NX', 'EX', ttl) then return {1} end
local n = redis.call('INCR', seq)
-- Redis's clock, read in the same step as the sequence: receive times follow the FIFO order
-- whichever process queued them, so the queue's first and last are its oldest and newest.
local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', msg, 'client', client, 'recipient', recipient, 'receivedAt', at, 'bytes', bytes, 'packed', packed)
redis.call('ZADD', q, n, id)
redis.call('ZADD', qr, n, id)
redis.call('HINCRBY', usage, 'count', 1)
redis.call('HINCRBY', usage, 'bytes', bytes)
redis.call('HINCRBY', usage, 'count:' .. recipient, 1)
redis.call('HINCRBY', usage, 'bytes:' .. recipient, bytes)
return {2, at, redis.call('GET', live)}
`;

/** Deletes the client's messages among ARGV[4..], with their index entries and counters. */
const REMOVE = `
local usage, q = KEYS[1], KEYS[2]
local client, msgPrefix, pairPrefix = ARGV[1], ARGV[2], ARGV[3]
local deleted, bytes, per = 0, 0, {}
for i = 4, #ARGV do
  local key = msgPrefix .. ARGV[i]
  local m = redis.call('HMGET', key, 'client', 'recipient', 'bytes')
  if m[1] == client then
    redis.call('DEL', key)
    redis.call('ZREM', q, ARGV[i])
    redis.call('ZREM', pairPrefix .. m[2], ARGV[i])
    local b = tonumber(m[3])
    deleted, bytes = deleted + 1, bytes + b
    local r = per[m[2]] or {0, 0}
    per[m[2]] = {r[1] + 1, r[2] + b}
  end
end
-- Counters at zero are deleted, so an emptied queue leaves no key behind.
local function sub(countField, bytesField, c, b)
  if redis.call('HINCRBY', usage, countField, -c) <= 0 then
    redis.call('HDEL', usage, countField, bytesField)
  else
    redis.call('HINCRBY', usage, bytesField, -b)
  end
end
if deleted > 0 then
  sub('count', 'bytes', deleted, bytes)
  for recipient, r in pairs(per) do sub('count:' .. recipient, 'bytes:' .. recipient, r[1], r[2]) end
end
return deleted
`;

/** Count and bytes from the counters, oldest/newest from the ends of the index. */
const STATUS = `#!lua flags=no-writes
local c = redis.call('HMGET', KEYS[1], ARGV[2], ARGV[3])
local count, bytes = tonumber(c[1]) or 0, tonumber(c[2]) or 0
if count == 0 then return {0, 0} end
local first = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
local last = redis.call('ZRANGE', KEYS[2], -1, -1)[1]
return {count, bytes, redis.call('HGET', ARGV[1] .. first, 'receivedAt'), redis.call('HGET', ARGV[1] .. last, 'receivedAt')}
`;

/** Up to ARGV[2] messages of the index KEYS[1], oldest first, skipping the ids ARGV[3..]. */
const FETCH = `#!lua flags=no-writes
local msgPrefix, limit = ARGV[1], tonumber(ARGV[2])
local excluded = {}
for i = 3, #ARGV do excluded[ARGV[i]] = true end
-- limit + #excluded ids always hold limit unexcluded ones, if the queue has them.
local ids = redis.call('ZRANGE', KEYS[1], 0, limit + (#ARGV - 2) - 1)
local out = {}
for _, id in ipairs(ids) do
  if #out == limit then break end
  if not excluded[id] then
    local m = redis.call('HMGET', msgPrefix .. id, 'recipient', 'receivedAt', 'packed')
    if m[3] then out[#out + 1] = {id, m[1], m[2], m[3]} end
  end
end
return out
`;

/** Adds ARGV[2] to client ARGV[1]'s keylist unless some client already has it. */
const ADD_RECIPIENT = `
local owner = redis.call('HGET', KEYS[1], ARGV[2])
if owner == ARGV[1] then return 'no_change' end
if owner then return 'client_error' end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
return 'success'
`;

const REMOVE_RECIPIENT = `
if redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[1] then return 'no_change' end
redis.call('HDEL', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
return 'success'
`;

/** Deletes KEYS[1] only while it is still ARGV[1]. */
const DELETE_IF = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/** Sets KEYS[1] to ARGV[3] if it is absent (ARGV[1] '0') or equal to ARGV[2] (ARGV[1] '1'). */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1
`;

const SCRIPTS = {
  enqueueScript: [7, ENQUEUE],
  removeScript: [2, REMOVE],
  statusScript: [2, STATUS],
  fetchScript: [1, FETCH],
  addRecipientScript: [2, ADD_RECIPIENT],
  removeRecipientScript: [2, REMOVE_RECIPIENT],
  deleteIfScript: [1, DELETE_IF],
  compareAndSetScript: [1, COMPARE_AND_SET],
};

/** The URL without its password, for error messages. */
function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable Redis URL)';
  }
}

/** Resolves once `redis` is ready; rejects after `ms` with the last connection error. */
function ready(redis, url, ms) {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError = null;
    const onError = (e) => { lastError = e; };
    const done = (e) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      if (e) reject(e); else resolve();
    };
    const onReady = () => done();
    const timer = setTimeout(() => done(new Error(
      `Redis at ${redact(url)} unreachable within ${ms / 1000} s${lastError ? `: ${lastError.message}` : ''}`,
    )), ms);
    redis.on('error', onError);
    redis.once('ready', onReady);
    if (redis.status === 'wait') redis.connect().catch(() => {}); // failures come as 'error' events
  });
}

export class RedisStore {
  #redis;
  #url;
  #prefix;
  #dedupeSeconds;
  #connectMs;
  /** The subscribed connection (created by the first onMessage), and its handlers by channel. */
  #subscriber = null;
  #handlers = new Map();

  /** Use `RedisStore.connect`. */
  constructor(redis, url, { dedupeSeconds, prefix, connectMs }) {
    this.#redis = redis;
    this.#url = url;
    this.#connectMs = connectMs;
    this.#dedupeSeconds = dedupeSeconds;
    this.#prefix = prefix;
  }

  /**
   * Connects to the Redis at `url` (redis://host:port, rediss:// for TLS) and resolves once it
   * answers (and has loaded its data); rejects if it does not within `connectMs` (default 5 s).
   * @param {string} url
   * @param {{ dedupeSeconds?: number, prefix?: string, connectMs?: number, commandMs?: number }} [options]
   *   `dedupeSeconds`: how long a remembered key lasts (default one day); `prefix`: of every
   *   key and channel (two mediators, or tests, can share one Redis); `commandMs`: a command
   *   without a reply after this long rejects (default 5 s).
   */
  static async connect(url, { dedupeSeconds = 86400, prefix = 'didcomm-mediator:', connectMs = CONNECT_MS, commandMs = COMMAND_MS } = {}) {
    const redis = new Redis(url, {
      lazyConnect: true,
      // No client-side queueing or resending: a write either reaches Redis now or rejects.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: commandMs,
      connectTimeout: connectMs,
      retryStrategy: (times) => Math.min(100 * times, 1000), // keep reconnecting, for the next request
    });
    redis.on('error', () => {}); // connection errors surface as rejected commands; ioredis would print them
    for (const [name, [numberOfKeys, lua]] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys, lua });
    try {
      await ready(redis, url, connectMs);
    } catch (e) {
      redis.disconnect();
      throw e;
    }
    return new RedisStore(redis, url, { dedupeSeconds, prefix, connectMs });
  }

  /**
   * Redis's persistence settings, `{ appendonly, appendfsync }`, or null where CONFIG is not
   * allowed (managed services often rename it): what a reply to a write is worth (see above).
   */
  async persistence() {
    try {
      const [, appendonly] = await this.#redis.config('GET', 'appendonly');
      const [, appendfsync] = await this.#redis.config('GET', 'appendfsync');
      return { appendonly, appendfsync };
    } catch {
      return null;
    }
  }

  /**
   * True when `error` (a rejection of this store) means Redis could not be reached or did not
   * answer in time, not that it refused a command: the mediator then answers 503.
   */
  isUnavailable(error) {
    return !(error instanceof Redis.ReplyError);
  }

  #key(...parts) {
    return this.#prefix + parts.join(':');
  }

  /** The per-recipient index of `clientDid`'s queue, up to the recipient (see the key list). */
  #pairPrefix(clientDid) {
    return `${this.#prefix}qr:${Buffer.byteLength(clientDid)}:${clientDid}:`;
  }

  #seenKey(key) {
    return this.#key('seen', createHash('sha256').update(key).digest('base64url'));
  }

  // --- mediation ---

  /** Grants (or re-grants) mediation to `clientDid` under coordinate-mediation `version`. */
  async grant(clientDid, version) {
    await this.#redis.hset(this.#key('grants'), clientDid, version);
  }

  /** The coordinate-mediation version `clientDid` was granted under, or null. */
  async grantOf(clientDid) {
    const version = await this.#redis.hget(this.#key('grants'), clientDid);
    return version === null ? null : Number(version);
  }

  /** The client whose keylist holds `recipientDid`, or null. */
  ownerOf(recipientDid) {
    return this.#redis.hget(this.#key('owners'), recipientDid);
  }

  /** 'success', 'no_change' (already ours) or 'client_error' (another client's); atomic across processes. */
  addRecipient(clientDid, recipientDid) {
    return this.#redis.addRecipientScript(this.#key('owners'), this.#key('keys', clientDid), clientDid, recipientDid);
  }

  /** 'success' or 'no_change' (not in this client's keylist). */
  removeRecipient(clientDid, recipientDid) {
    return this.#redis.removeRecipientScript(this.#key('owners'), this.#key('keys', clientDid), clientDid, recipientDid);
  }

  /** A page of `clientDid`'s keylist, sorted (byte order), with the total. */
  async recipients(clientDid, { offset = 0, limit = 100 } = {}) {
    const key = this.#key('keys', clientDid);
    if (limit < 1) return { dids: [], total: await this.#redis.zcard(key) }; // ZRANGE o o-1 would be "to the end"
    const [[e1, dids], [e2, total]] = await this.#redis.pipeline().zrange(key, offset, offset + limit - 1).zcard(key).exec();
    if (e1 || e2) throw e1 ?? e2;
    return { dids, total };
  }

  // --- duplicate ids ---

  /** True the first time `key` is seen within the dedupe window, false after (durable once resolved). */
  async remember(key) {
    return (await this.#redis.set(this.#seenKey(key), '1', 'EX', this.#dedupeSeconds, 'NX')) === 'OK';
  }

  // --- queues ---

  /**
   * Queues `packed` (JSON text) for `recipientDid`, a DID in `clientDid`'s keylist, durably.
   * The message stays the client's even if the DID later leaves its keylist. When the
   * client's queue would then hold more than `maxMessages` messages or `maxBytes` bytes
   * (0 or absent: no limit), nothing is queued (nor the key remembered) and it resolves to
   * `{ full: true }`. With `dedupeKey`, a key seen before queues nothing and resolves to
   * `{ duplicate: true }`; otherwise to `{ id, receivedAt, liveOwner }`: `liveOwner` is the
   * client's live-delivery owner (see setLiveOwner) when the message was stored, or null.
   */
  async enqueue(clientDid, recipientDid, packed, dedupeKey, { maxMessages = 0, maxBytes = 0 } = {}) {
    const id = randomUUID();
    const dedupe = dedupeKey !== undefined && dedupeKey !== null; // null: none (SqliteStore never finds a NULL key again)
    const [outcome, receivedAt, liveOwner] = await this.#redis.enqueueScript(
      this.#key('usage', clientDid), this.#key('q', clientDid), this.#pairPrefix(clientDid) + recipientDid,
      dedupe ? this.#seenKey(dedupeKey) : this.#key('seen'), this.#key('seq'), this.#key('live', clientDid), this.#key('m', id),
      id, clientDid, recipientDid, packed, maxMessages, maxBytes, dedupe ? '1' : '0', this.#dedupeSeconds,
    );
    if (outcome === 0) return { full: true };
    if (outcome === 1) return { duplicate: true };
    return { id, receivedAt, liveOwner };
  }

  /** Count, total bytes and oldest/newest receive times (ms) of `clientDid`'s queue (one recipient's part when given). */
  async status(clientDid, recipientDid) {
    const all = recipientDid === undefined;
    const [count, bytes, oldest, newest] = await this.#redis.statusScript(
      this.#key('usage', clientDid), all ? this.#key('q', clientDid) : this.#pairPrefix(clientDid) + recipientDid,
      this.#key('m', ''), all ? 'count' : `count:${recipientDid}`, all ? 'bytes' : `bytes:${recipientDid}`,
    );
    return { count, bytes, oldest: count ? Number(oldest) : null, newest: count ? Number(newest) : null };
  }

  /** Up to `limit` of `clientDid`'s queued messages (for `recipientDid` when given), oldest first, skipping the ids in `exclude`. */
  async fetch(clientDid, { recipientDid, limit, exclude = new Set() }) {
    if (limit < 1) return [];
    const index = recipientDid === undefined ? this.#key('q', clientDid) : this.#pairPrefix(clientDid) + recipientDid;
    const rows = await this.#redis.fetchScript(index, this.#key('m', ''), limit, ...exclude);
    return rows.map(([id, recipient, receivedAt, packed]) => ({ id, recipientDid: recipient, receivedAt: Number(receivedAt), packed }));
  }

  /** Deletes `clientDid`'s queued messages with `ids` (other clients' ids are ignored), freeing their room; the number deleted. */
  async remove(clientDid, ids) {
    if (ids.length === 0) return 0;
    return this.#redis.removeScript(this.#key('usage', clientDid), this.#key('q', clientDid),
      clientDid, this.#key('m', ''), this.#pairPrefix(clientDid), ...ids);
  }

  // --- several processes ---

  /** Makes `owner` (opaque, e.g. `${processId}/${sessionId}`) `clientDid`'s live-delivery owner; the last call wins. */
  async setLiveOwner(clientDid, owner) {
    await this.#redis.set(this.#key('live', clientDid), owner);
  }

  /** Clears `clientDid`'s live-delivery owner if it is still `owner` (a newer owner stays); true if cleared. */
  async clearLiveOwner(clientDid, owner) {
    return (await this.#redis.deleteIfScript(this.#key('live', clientDid), owner)) === 1;
  }

  /**
   * Sends `payload` (JSON-serializable) to the process `processId`'s onMessage handlers.
   * At most once: a process not subscribed right now (or reconnecting) misses it, so it is a
   * hint on top of the queue, never the only copy of anything. Resolves to the number of
   * connections that got it.
   */
  publish(processId, payload) {
    return this.#redis.publish(this.#key('proc', processId), JSON.stringify(payload));
  }

  /**
   * Calls `handler(payload)` for each payload published to `processId`; resolves once
   * subscribed. Resubscribes by itself after a reconnection. A handler that throws is
   * reported as a process warning and does not stop the subscription.
   */
  async onMessage(processId, handler) {
    if (this.#subscriber === null) {
      const subscriber = this.#redis.duplicate(); // a subscribed connection can run no other command
      subscriber.on('error', () => {});
      subscriber.on('message', (channel, text) => {
        let payload;
        try {
          payload = JSON.parse(text);
        } catch {
          return; // not ours
        }
        for (const h of this.#handlers.get(channel) ?? []) {
          try {
            h(payload);
          } catch (e) {
            process.emitWarning(e);
          }
        }
      });
      this.#subscriber = subscriber;
    }
    await ready(this.#subscriber, this.#url, this.#connectMs);
    const channel = this.#key('proc', processId);
    const handlers = this.#handlers.get(channel) ?? [];
    this.#handlers.set(channel, handlers);
    handlers.push(handler); // before subscribing: a message can come in the same read as the confirmation
    try {
      await this.#subscriber.subscribe(channel);
    } catch (e) {
      handlers.splice(handlers.indexOf(handler), 1);
      throw e;
    }
  }

  // --- identity (holds the mediator's private keys) ---

  /** The stored identity record, or null. */
  async getIdentity() {
    const text = await this.#redis.get(this.#key('identity'));
    return text === null ? null : JSON.parse(text);
  }

  /**
   * Stores `record` if the current one is `expected` (as getIdentity returned it, compared by
   * its JSON text; null: there is none); true if stored, false if another process got there
   * first (read it again). Atomic across processes.
   */
  async putIdentity(record, expected) {
    const known = expected === null || expected === undefined ? '0' : '1';
    return (await this.#redis.compareAndSetScript(this.#key('identity'), known,
      known === '1' ? JSON.stringify(expected) : '', JSON.stringify(record))) === 1;
  }

  async close() {
    await Promise.all([this.#redis, this.#subscriber].filter(Boolean).map(async (r) => {
      try {
        await r.quit(); // waits for the replies still due
      } catch {
        r.disconnect(); // Redis is gone: nothing more will come
      }
    }));
  }
}

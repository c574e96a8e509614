// The mediator's durable state on SQLite (WAL): mediation grants, keylists, queued messages
// and the message ids already seen. Every method is async so that another engine (issue 12:
// Redis) can sit behind the same interface.
//
// Writes that acknowledge something (a queued forward, a remembered id) are group-committed:
// the ops of one event-loop turn run in one transaction, and their promises resolve only
// after it commits. With `synchronous = FULL` that commit is on disk (power loss safe);
// with NORMAL it survives a killed process but not a lost machine.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS grants (
  client_did TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  granted_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recipients (
  recipient_did TEXT PRIMARY KEY,
  client_did TEXT NOT NULL,
  added_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS recipients_by_client ON recipients (client_did, recipient_did);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  client_did TEXT NOT NULL,
  recipient_did TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  packed TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_client ON messages (client_did, recipient_did, seq);
CREATE TABLE IF NOT EXISTS seen (
  key TEXT PRIMARY KEY,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_by_time ON seen (at);
`;

const now = () => Date.now();
/** `?, ?, …` for an IN list. */
const marks = (n) => Array(n).fill('?').join(', ');
const SUM = 'count(*) AS count, coalesce(sum(bytes), 0) AS bytes, min(received_at) AS oldest, max(received_at) AS newest';
const REMOVE_CHUNK = 500;
const PAGE = 'SELECT id, recipient_did, received_at, packed FROM messages';

export class SqliteStore {
  #db;
  #q;
  #pending = [];
  #flushScheduled = false;
  #dedupeMs;
  #pruneTimer;
  #removeByCount = new Map();
  /** client DID → { count, bytes } of its queue: kept in step with each commit, so a forward
   * checks the queue limits without a scan. Loaded from the table on first use. */
  #usage = new Map();

  /**
   * @param {{ dataDir: string, synchronous?: 'full' | 'normal', dedupeSeconds?: number }} options
   *   `dedupeSeconds`: how long a message id is remembered (default one day).
   */
  constructor({ dataDir, synchronous = 'full', dedupeSeconds = 86400 }) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = new Database(join(dataDir, 'mediator.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    this.#db = db;
    this.#dedupeMs = dedupeSeconds * 1000;
    this.#q = {
      grant: db.prepare('INSERT INTO grants (client_did, version, granted_at) VALUES (?, ?, ?) ON CONFLICT (client_did) DO UPDATE SET version = excluded.version'),
      grantOf: db.prepare('SELECT version FROM grants WHERE client_did = ?'),
      ownerOf: db.prepare('SELECT client_did FROM recipients WHERE recipient_did = ?'),
      addRecipient: db.prepare('INSERT INTO recipients (recipient_did, client_did, added_at) VALUES (?, ?, ?)'),
      removeRecipient: db.prepare('DELETE FROM recipients WHERE recipient_did = ? AND client_did = ?'),
      recipients: db.prepare('SELECT recipient_did FROM recipients WHERE client_did = ? ORDER BY recipient_did LIMIT ? OFFSET ?'),
      recipientCount: db.prepare('SELECT count(*) AS n FROM recipients WHERE client_did = ?'),
      remember: db.prepare('INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?)'),
      prune: db.prepare('DELETE FROM seen WHERE at < ?'),
      enqueue: db.prepare('INSERT INTO messages (id, client_did, recipient_did, received_at, bytes, packed) VALUES (?, ?, ?, ?, ?, ?)'),
      status: db.prepare(`SELECT ${SUM} FROM messages WHERE client_did = ?`),
      statusOf: db.prepare(`SELECT ${SUM} FROM messages WHERE client_did = ? AND recipient_did = ?`),
      fetch: db.prepare(`${PAGE} WHERE client_did = ? ORDER BY seq LIMIT ?`),
      fetchOf: db.prepare(`${PAGE} WHERE client_did = ? AND recipient_did = ? ORDER BY seq LIMIT ?`),
    };
    this.#pruneTimer = setInterval(() => this.#q.prune.run(now() - this.#dedupeMs), 60_000);
    this.#pruneTimer.unref();
  }

  // --- group commit ---

  /** Runs `op` inside the next group transaction; resolves with its result after the commit. */
  #write(op) {
    return new Promise((resolve, reject) => {
      this.#pending.push({ op, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush() {
    this.#flushScheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    const results = [];
    try {
      this.#db.transaction(() => {
        for (const { op } of batch) {
          try {
            results.push({ ok: true, value: op() });
          } catch (e) {
            results.push({ ok: false, error: e }); // one op's failure (a constraint) fails only it
          }
        }
      })();
    } catch (e) {
      this.#usage.clear(); // rolled back: reload the counters from what was committed
      for (const { reject } of batch) reject(e); // the commit failed: nothing was acknowledged
      return;
    }
    batch.forEach(({ resolve, reject }, i) => (results[i].ok ? resolve(results[i].value) : reject(results[i].error)));
  }

  // --- mediation ---

  /** Grants (or re-grants) mediation to `clientDid` under coordinate-mediation `version`. */
  grant(clientDid, version) {
    return this.#write(() => { this.#q.grant.run(clientDid, version, now()); });
  }

  /** The coordinate-mediation version `clientDid` was granted under, or null. */
  async grantOf(clientDid) {
    return this.#q.grantOf.get(clientDid)?.version ?? null;
  }

  /** The client whose keylist holds `recipientDid`, or null. */
  async ownerOf(recipientDid) {
    return this.#q.ownerOf.get(recipientDid)?.client_did ?? null;
  }

  /** 'success', 'no_change' (already ours) or 'client_error' (another client's). */
  addRecipient(clientDid, recipientDid) {
    return this.#write(() => {
      const owner = this.#q.ownerOf.get(recipientDid)?.client_did;
      if (owner === clientDid) return 'no_change';
      if (owner !== undefined) return 'client_error';
      this.#q.addRecipient.run(recipientDid, clientDid, now());
      return 'success';
    });
  }

  /** 'success' or 'no_change' (not in this client's keylist). */
  removeRecipient(clientDid, recipientDid) {
    return this.#write(() => (this.#q.removeRecipient.run(recipientDid, clientDid).changes ? 'success' : 'no_change'));
  }

  /** A page of `clientDid`'s keylist, sorted, with the total. */
  async recipients(clientDid, { offset = 0, limit = 100 } = {}) {
    const dids = this.#q.recipients.all(clientDid, limit, offset).map((r) => r.recipient_did);
    return { dids, total: this.#q.recipientCount.get(clientDid).n };
  }

  // --- duplicate ids ---

  /** True the first time `key` is seen within the dedupe window, false after (durable once resolved). */
  remember(key) {
    return this.#write(() => this.#q.remember.run(key, now()).changes === 1);
  }

  // --- queues ---

  /**
   * Queues `packed` (JSON text) for `recipientDid`, a DID in `clientDid`'s keylist, durably.
   * The message stays the client's even if the DID later leaves its keylist. When the
   * client's queue would then hold more than `maxMessages` messages or `maxBytes` bytes
   * (0 or absent: no limit), nothing is queued (nor the key remembered) and it resolves to
   * `{ full: true }`. With `dedupeKey`, a key seen before queues nothing and resolves to
   * `{ duplicate: true }`; otherwise to `{ id, receivedAt }`.
   */
  enqueue(clientDid, recipientDid, packed, dedupeKey, { maxMessages = 0, maxBytes = 0 } = {}) {
    const bytes = Buffer.byteLength(packed);
    return this.#write(() => {
      const usage = this.#usageOf(clientDid);
      if ((maxMessages > 0 && usage.count + 1 > maxMessages) || (maxBytes > 0 && usage.bytes + bytes > maxBytes)) return { full: true };
      if (dedupeKey !== undefined && this.#q.remember.run(dedupeKey, now()).changes === 0) return { duplicate: true };
      const id = randomUUID();
      const receivedAt = now();
      this.#q.enqueue.run(id, clientDid, recipientDid, receivedAt, bytes, packed);
      usage.count += 1;
      usage.bytes += bytes;
      return { id, receivedAt };
    });
  }

  /** The live counters of `clientDid`'s queue (inside a write, so in step with the table). */
  #usageOf(clientDid) {
    let usage = this.#usage.get(clientDid);
    if (usage === undefined) {
      const row = this.#q.status.get(clientDid);
      usage = { count: row.count, bytes: row.bytes };
      this.#usage.set(clientDid, usage);
    }
    return usage;
  }

  /** Count, total bytes and oldest/newest receive times (ms) of `clientDid`'s queue (one recipient's part when given). */
  async status(clientDid, recipientDid) {
    const row = recipientDid === undefined ? this.#q.status.get(clientDid) : this.#q.statusOf.get(clientDid, recipientDid);
    return { count: row.count, bytes: row.bytes, oldest: row.oldest, newest: row.newest };
  }

  /** Up to `limit` of `clientDid`'s queued messages (for `recipientDid` when given), oldest first, skipping the ids in `exclude`. */
  async fetch(clientDid, { recipientDid, limit, exclude = new Set() }) {
    if (limit < 1) return [];
    const n = limit + exclude.size;
    const rows = recipientDid === undefined ? this.#q.fetch.all(clientDid, n) : this.#q.fetchOf.all(clientDid, recipientDid, n);
    return rows.filter((r) => !exclude.has(r.id)).slice(0, limit)
      .map((r) => ({ id: r.id, recipientDid: r.recipient_did, receivedAt: r.received_at, packed: r.packed }));
  }

  /** Deletes `clientDid`'s queued messages with `ids` (other clients' ids are ignored), freeing their room; the number deleted. */
  remove(clientDid, ids) {
    if (ids.length === 0) return Promise.resolve(0);
    return this.#write(() => {
      let deleted = 0;
      let bytes = 0;
      for (let i = 0; i < ids.length; i += REMOVE_CHUNK) { // SQLite caps the parameters of one statement
        const chunk = ids.slice(i, i + REMOVE_CHUNK);
        for (const row of this.#removeStatement(chunk.length).all(clientDid, ...chunk)) {
          deleted += 1;
          bytes += row.bytes;
        }
      }
      const usage = this.#usage.get(clientDid);
      if (usage !== undefined) {
        usage.count -= deleted;
        usage.bytes -= bytes;
      }
      return deleted;
    });
  }

  /** The DELETE for `n` ids, prepared once per size. */
  #removeStatement(n) {
    let stmt = this.#removeByCount.get(n);
    if (!stmt) {
      stmt = this.#db.prepare(`DELETE FROM messages WHERE client_did = ? AND id IN (${marks(n)}) RETURNING bytes`);
      this.#removeByCount.set(n, stmt);
    }
    return stmt;
  }

  async close() {
    clearInterval(this.#pruneTimer);
    if (this.#pending.length) this.#flush();
    this.#db.close();
  }
}

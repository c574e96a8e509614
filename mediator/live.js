// Live delivery (messagepickup 3.0 live mode): the WebSocket sessions that asked for it, and
// the pushes to them. A message is pushed only after it is stored, in a `delivery` like any
// other, and stays queued until the client's messages-received; a session that drops
// before acknowledging gets it again from the queue on its next connection.
//
// Several processes on one shared store (Redis): the store records which session, of which
// process, is a client's live one (the last to turn live delivery on), and `enqueue` returns
// it; the process that stored a message hands it to that process over the store's pub/sub,
// so exactly one process pushes it. A session of a process that died leaves a stale owner:
// its messages stay queued until the client connects again and turns live delivery on.
import { randomUUID } from 'node:crypto';

const MAX_BATCH = 100;
/** Messages pushed to one session and not yet acknowledged, before pushes wait for acks. */
const MAX_IN_FLIGHT = 1000;

let sessions = 0;

/** One WebSocket connection. `send(text)` writes a frame. */
export class Session {
  constructor(send) {
    this.id = ++sessions;
    this.send = send;
    /** The client DID this socket receives live deliveries for, or null. */
    this.liveFor = null;
    /** Ids pushed here and not yet acknowledged. */
    this.inFlight = new Set();
    this.closed = false;
    this.pushing = false;
  }

  acknowledged(ids) {
    for (const id of ids) this.inFlight.delete(id);
  }
}

export class LiveHub {
  /** client DID → the session that last turned live delivery on for it, here. */
  #byClient = new Map();
  /** session id → session, for deliveries other processes hand over. */
  #sessions = new Map();
  #log;
  #bus;
  /** This process, as the store's live owners name it. */
  processId = randomUUID();
  /** Set by the mediator: `{ packDelivery(client, batch), fetchBacklog(client, limit, exclude) }`. */
  mediator = null;

  /**
   * `bus`: a shared store's live API (`setLiveOwner`, `clearLiveOwner`, `publish`,
   * `onMessage`: RedisStore), or null when this process is the only one.
   */
  constructor(log, bus = null) {
    this.#log = log;
    this.#bus = bus;
  }

  /** Subscribes to the deliveries other processes hand to this one (with a bus). */
  async start() {
    await this.#bus?.onMessage(this.processId, ({ client, owner, item }) => {
      const session = this.#sessions.get(Number(owner.split('/')[1]));
      if (session && session.liveFor === client) this.#deliver(session, client, item);
    });
  }

  #ownerOf(session) {
    return `${this.processId}/${session.id}`;
  }

  /** Turns live delivery on for `client` on `session`, or off (client null); resolves once the store knows. */
  async setLive(session, client) {
    const previous = session.liveFor;
    if (previous !== null && this.#byClient.get(previous) === session) this.#byClient.delete(previous);
    session.liveFor = client;
    if (client !== null) {
      this.#byClient.set(client, session);
      this.#sessions.set(session.id, session);
    } else {
      this.#sessions.delete(session.id);
    }
    if (this.#bus === null) return;
    try {
      if (previous !== null && previous !== client) await this.#bus.clearLiveOwner(previous, this.#ownerOf(session));
      if (client !== null) await this.#bus.setLiveOwner(client, this.#ownerOf(session));
    } catch (e) {
      // Live delivery is best effort on top of the queue: pickup and the next connection still get everything.
      this.#log({ level: 'warn', event: 'live-owner-failed', error: e?.message });
    }
  }

  drop(session) {
    session.closed = true;
    return this.setLive(session, null);
  }

  /** True when `client` has a live session here. */
  isLive(client) {
    return this.#byClient.has(client);
  }

  /**
   * A message just stored for `client`: push it to the client's live session. `liveOwner`
   * is what the shared store said that session is (null: none); alone, the session here.
   */
  notify(client, item, liveOwner = null) {
    if (this.#bus === null) {
      const session = this.#byClient.get(client);
      if (session) this.#deliver(session, client, item);
      return;
    }
    if (liveOwner === null) return;
    const [processId, sessionId] = liveOwner.split('/');
    if (processId !== this.processId) {
      this.#bus.publish(processId, { client, owner: liveOwner, item })
        // No one listening: that process is gone. Its client's messages wait in the queue
        // for the next connection; the stale owner is cleared (unless it changed meanwhile).
        .then((listeners) => (listeners === 0 ? this.#bus.clearLiveOwner(client, liveOwner) : undefined))
        .catch((e) => this.#log({ level: 'warn', event: 'live-handover-failed', error: e?.message }));
      return;
    }
    const session = this.#sessions.get(Number(sessionId));
    if (session && session.liveFor === client) this.#deliver(session, client, item);
  }

  #deliver(session, client, item) {
    if (session.closed || session.inFlight.has(item.id) || session.inFlight.size >= MAX_IN_FLIGHT) return;
    session.inFlight.add(item.id);
    this.#push(session, client, [item]);
  }

  /** Pushes what is queued for the session's client and not in flight, one batch. */
  async pushBacklog(session) {
    const client = session.liveFor;
    if (client === null || session.closed || session.pushing) return;
    session.pushing = true;
    try {
      const room = Math.min(MAX_BATCH, MAX_IN_FLIGHT - session.inFlight.size);
      if (room <= 0) return;
      const batch = (await this.mediator.fetchBacklog(client, room, session.inFlight)).filter((m) => !session.inFlight.has(m.id));
      if (batch.length === 0) return;
      for (const m of batch) session.inFlight.add(m.id);
      await this.#push(session, client, batch);
    } catch (e) {
      this.#log({ level: 'warn', event: 'live-backlog-failed', error: e?.message });
    } finally {
      session.pushing = false;
    }
  }

  async #push(session, client, batch) {
    try {
      const packed = await this.mediator.packDelivery(client, batch);
      if (!session.closed) session.send(packed);
    } catch (e) {
      for (const m of batch) session.inFlight.delete(m.id);
      this.#log({ level: 'warn', event: 'live-push-failed', error: e?.message });
    }
  }
}

// Live delivery (messagepickup 3.0 live mode): the WebSocket sessions that asked for it, and
// the pushes to them. A message is pushed only after it is stored, in a `delivery` like any
// other, and stays queued until the client's messages-received; a session that drops
// before acknowledging gets it again from the queue on its next connection.
const MAX_BATCH = 100;
/** Messages pushed to one session and not yet acknowledged, before pushes wait for acks. */
const MAX_IN_FLIGHT = 1000;

/** One WebSocket connection. `send(text)` writes a frame. */
export class Session {
  constructor(send) {
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
  /** client DID → the session that last turned live delivery on for it. */
  #byClient = new Map();
  #log;
  /** Set by the mediator: `{ packDelivery(client, batch), fetchBacklog(client, limit, exclude) }`. */
  mediator = null;

  constructor(log) {
    this.#log = log;
  }

  /** Turns live delivery on for `client` on `session`, or off (client null). */
  setLive(session, client) {
    if (session.liveFor !== null && this.#byClient.get(session.liveFor) === session) this.#byClient.delete(session.liveFor);
    session.liveFor = client;
    if (client !== null) this.#byClient.set(client, session);
  }

  drop(session) {
    session.closed = true;
    this.setLive(session, null);
  }

  /** True when `client` has a live session here. */
  isLive(client) {
    return this.#byClient.has(client);
  }

  /** A message just stored for `client`: push it if the client is live here. */
  notify(client, item) {
    const session = this.#byClient.get(client);
    if (!session || session.inFlight.has(item.id) || session.inFlight.size >= MAX_IN_FLIGHT) return;
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

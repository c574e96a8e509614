// The client agent: an identity that connects to a mediator (any that follows the spec),
// keeps a route through it, and sends and receives messages. Transport (httpPost, Socket)
// is the wasm's; packing is DIDComm's; this file is the protocol choreography only.
import { DIDCommError } from './error.js';
import {
  trustPing, discoverFeatures, FeatureRegistry, mediation, pickup, outOfBand, threading, problemReport, empty,
} from './protocols.js';

const ENCRYPTED = 'application/didcomm-encrypted+json';
const MEDIATION = 'https://didcomm.org/coordinate-mediation/';
const BATCH = 100;
const SEEN_KEPT = 2000;
const STATE_VERSION = 1;
/** How many times the package's packed-size limit an Agent takes: room for a mediator's delivery of a message of that size. */
const DELIVERY_WRAPPING = 4;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const illegal = (message) => new DIDCommError('ERR_ILLEGAL_ARGUMENT', message);
const didOf = (kid) => kid.split('#')[0];

/** The DIDCommMessaging endpoints of a resolved document: `[{ uri, accept, routingKeys }]`, in order. */
function messagingEndpoints(doc) {
  const out = [];
  for (const service of Array.isArray(doc?.service) ? doc.service : []) {
    const types = Array.isArray(service?.type) ? service.type : [service?.type];
    if (!types.includes('DIDCommMessaging')) continue;
    const endpoints = Array.isArray(service.serviceEndpoint) ? service.serviceEndpoint : [service.serviceEndpoint];
    for (const e of endpoints) {
      const uri = typeof e === 'string' ? e : e?.uri;
      if (typeof uri === 'string') out.push({ uri, accept: e?.accept ?? [], routingKeys: e?.routingKeys ?? [] });
    }
  }
  return out;
}

/** A set that forgets its oldest entries past `limit`. */
class RecentSet {
  #items = new Set();
  constructor(limit, items = []) {
    this.limit = limit;
    for (const i of items) this.add(i);
  }

  has(v) { return this.#items.has(v); }

  add(v) {
    this.#items.add(v);
    if (this.#items.size > this.limit) this.#items.delete(this.#items.values().next().value);
  }

  toJSON() { return [...this.#items]; }
}

export function createAgent({ DIDComm, SecretsStore, createPeerDID, httpPost, Socket, DEFAULT_LIMITS }) {
  const FEATURES = new FeatureRegistry({
    protocols: ['trust-ping/2.0', 'discover-features/2.0', 'basicmessage/2.0', 'messagepickup/3.0', 'coordinate-mediation/2.0', 'coordinate-mediation/3.0']
      .map((p) => `https://didcomm.org/${p}`),
  });

  /**
   * A DIDComm agent mediated by one mediator. Options: `state` (from `agent.state()`, to keep
   * an identity across restarts), `didResolver`, `fetch`, `WebSocket` (a constructor; in
   * Node < 22 pass the `ws` package's), `transport` ('auto' | 'websocket' | 'polling'),
   * `mediationVersions` (preference, default [3, 2]), `timeoutMs` (a reply, default 10 000),
   * `pollIntervalMs` (default 2 000), `limits` (as `new DIDComm`'s; `maxPackedBytes` defaults
   * to four times the package's, since a mediator's delivery wraps each message in base64
   * and encryption again: about 1.8 times its size).
   */
  class Agent {
    #opts;
    #secrets;
    #didcomm;
    #controlDid = null;
    #did = null;
    #mediator = null;
    #socket = null;
    #pollTimer = null;
    #closed = false;
    #listeners = { message: new Set(), error: new Set(), state: new Set() };
    #inbox = [];
    #readers = [];
    #iterating = false;
    #pending = new Map();
    #seen;
    #status = 'idle';
    #lastDelivery = 0;
    #saved;

    constructor(options = {}) {
      if (!isObject(options)) throw illegal('new Agent(options): options must be an object');
      const {
        state, didResolver, fetch, WebSocket, transport = 'auto', mediationVersions = [3, 2], timeoutMs = 10_000,
        pollIntervalMs = 2_000, limits,
      } = options;
      if (!['auto', 'websocket', 'polling'].includes(transport)) throw illegal("options.transport must be 'auto', 'websocket' or 'polling'");
      if (!Array.isArray(mediationVersions) || mediationVersions.length === 0 || mediationVersions.some((v) => v !== 2 && v !== 3)) {
        throw illegal('options.mediationVersions must be a non-empty array of 2 and 3');
      }
      if (state !== undefined && (!isObject(state) || state.version !== STATE_VERSION || !Array.isArray(state.secrets))) {
        throw illegal(`options.state must be what agent.state() returned (version ${STATE_VERSION})`);
      }
      this.#opts = { fetch, WebSocket, transport, mediationVersions, timeoutMs, pollIntervalMs };
      this.#secrets = new SecretsStore(state?.secrets ?? []);
      if (limits !== undefined && !isObject(limits)) throw illegal('options.limits must be an object');
      const bounds = { maxPackedBytes: DELIVERY_WRAPPING * DEFAULT_LIMITS.maxPackedBytes, ...limits };
      this.#didcomm = new DIDComm({ didResolver, secretsResolver: this.#secrets, fetch, limits: bounds });
      this.#controlDid = state?.controlDid ?? null;
      this.#did = state?.did ?? null;
      this.#saved = state ?? null;
      this.#seen = new RecentSet(SEEN_KEPT, state?.seen ?? []);
    }

    /** The DID others send to (routed through the mediator); null before the first connect. */
    get did() { return this.#did; }

    /** `{ did, routingDid, version, transport, http, ws }` of the mediator, or null. */
    get mediator() { return this.#mediator ? { ...this.#mediator } : null; }

    /** 'idle' | 'connecting' | 'live' | 'polling' | 'reconnecting' | 'closed'. */
    get status() { return this.#status; }

    /** The DIDComm instance holding this agent's secrets (for packing of your own). */
    get didcomm() { return this.#didcomm; }

    /** Everything needed to come back as the same agent: pass it as `options.state`. Holds private keys. */
    state() {
      return {
        version: STATE_VERSION,
        did: this.#did,
        controlDid: this.#controlDid,
        mediatorDid: this.#mediator?.did ?? this.#saved?.mediatorDid ?? null,
        routingDid: this.#mediator?.routingDid ?? this.#saved?.routingDid ?? null,
        secrets: this.#secrets.export(),
        seen: this.#seen.toJSON().slice(-500),
      };
    }

    on(event, listener) {
      this.#listenersOf(event).add(listener);
      return this;
    }

    off(event, listener) {
      this.#listenersOf(event).delete(listener);
      return this;
    }

    #listenersOf(event) {
      const set = this.#listeners[event];
      if (!set) throw illegal(`Agent.on: unknown event ${JSON.stringify(event)} (message, error, state)`);
      return set;
    }

    /** Incoming messages as an async iterator (`for await (const { message } of agent.messages())`). */
    messages() {
      this.#iterating = true;
      return {
        next: () => {
          if (this.#inbox.length) return Promise.resolve({ value: this.#inbox.shift(), done: false });
          if (this.#closed) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => this.#readers.push(resolve));
        },
        return: () => Promise.resolve({ value: undefined, done: true }),
        [Symbol.asyncIterator]() { return this; },
      };
    }

    [Symbol.asyncIterator]() { return this.messages(); }

    /**
     * Connects to a mediator given by an out-of-band URL, an invitation message or its DID:
     * trust ping, mediation (3.0 or 2.0, by discover-features), our DID registered in its
     * keylist, then live delivery over WebSocket when it offers one, else polling.
     */
    async connect(target) {
      if (this.#closed) throw illegal('Agent.connect: the agent is closed');
      this.#setStatus('connecting');
      try {
        return await this.#connect(target);
      } catch (e) {
        this.#socket?.close(1000, 'connect failed');
        this.#socket = null;
        this.#setStatus('idle');
        throw e;
      }
    }

    async #connect(target) {
      const mediatorDid = this.#targetDid(target);
      const doc = await this.#didcomm.resolveDID(mediatorDid);
      const endpoints = messagingEndpoints(doc);
      const http = endpoints.find((e) => /^https?:/i.test(e.uri))?.uri ?? null;
      const ws = endpoints.find((e) => /^wss?:/i.test(e.uri))?.uri ?? null;
      if (!http && !ws) throw new DIDCommError('ERR_TRANSPORT', `${mediatorDid} has no http(s) or ws(s) DIDCommMessaging endpoint`);
      this.#mediator = { did: mediatorDid, http, ws, version: null, routingDid: null, transport: null };
      this.#ensureControlDid();
      const useSocket = ws && this.#opts.transport !== 'polling' && (this.#opts.WebSocket ?? globalThis.WebSocket);
      if (this.#opts.transport === 'websocket' && !useSocket) {
        throw new DIDCommError('ERR_TRANSPORT', `${mediatorDid}: WebSocket asked for, but ${ws ? 'no WebSocket implementation (options.WebSocket)' : 'the mediator offers no ws endpoint'}`);
      }
      if (useSocket) await this.#openSocket(ws);
      else if (!http) throw new DIDCommError('ERR_TRANSPORT', `${mediatorDid} offers only WebSocket, and there is no WebSocket implementation (options.WebSocket)`);

      await this.#request(trustPing.ping({ to: mediatorDid }), 'trust ping');
      const { version, routingDid } = await this.#mediate();
      Object.assign(this.#mediator, { version, routingDid });
      await this.#register(routingDid);
      if (useSocket) {
        this.#mediator.transport = 'websocket';
        await this.#goLive();
      } else {
        this.#mediator.transport = 'polling';
        this.#setStatus('polling');
        this.#poll();
      }
      return this.mediator;
    }

    #targetDid(target) {
      if (isObject(target)) {
        const inv = outOfBand.parse(target);
        if (!inv) throw illegal('Agent.connect: the object is not an out-of-band invitation');
        return inv.from;
      }
      if (typeof target !== 'string' || target === '') throw illegal('Agent.connect(target): target must be an OOB URL, an invitation or a DID');
      if (target.startsWith('did:')) return target;
      return outOfBand.parse(outOfBand.invitationFromUrl(target)).from;
    }

    #ensureControlDid() {
      if (this.#controlDid && this.#secrets.kids().some((k) => didOf(k) === this.#controlDid)) return;
      const control = createPeerDID();
      for (const jwk of control.secrets) this.#secrets.add(jwk);
      this.#controlDid = control.did;
    }

    /** Requests mediation with the best version both sides speak. */
    async #mediate() {
      let offered = null;
      try {
        const q = discoverFeatures.queries({ to: this.#mediator.did, queries: [{ featureType: 'protocol', match: `${MEDIATION}*` }] });
        const reply = discoverFeatures.parse(await this.#request(q, 'discover-features'));
        if (reply?.kind === 'disclose') {
          offered = reply.disclosures.map((d) => Number(/coordinate-mediation\/(\d+)\./.exec(d.id)?.[1])).filter(Boolean);
        }
      } catch (e) {
        this.#emit('error', e); // no answer: try our preferences in order
      }
      const order = this.#opts.mediationVersions.filter((v) => !offered?.length || offered.includes(v));
      if (order.length === 0) {
        throw new DIDCommError('ERR_UNSUPPORTED', `${this.#mediator.did} offers coordinate-mediation ${offered.join(', ')}, not ${this.#opts.mediationVersions.join(' or ')}`);
      }
      let last;
      for (const version of order) {
        try {
          const reply = mediation.parse(await this.#request(mediation.mediateRequest({ to: this.#mediator.did, version }), 'mediate-request'));
          if (reply?.kind === 'mediate-deny') throw new DIDCommError('ERR_MEDIATION_DENIED', `${this.#mediator.did} denied mediation`);
          if (reply?.kind !== 'mediate-grant') throw new DIDCommError('ERR_MALFORMED', `mediate-request: the answer is ${reply?.kind ?? 'not coordinate-mediation'}`);
          return { version, routingDid: reply.routingDid[0] };
        } catch (e) {
          if (e.code !== 'ERR_PROBLEM_REPORT' || e.problem?.code?.raw !== 'e.p.msg.unsupported') throw e;
          last = e;
        }
      }
      throw last;
    }

    /** Makes our DID (routed through `routingDid`) and adds it to the keylist. */
    async #register(routingDid) {
      const saved = this.#saved;
      const reuse = this.#did && saved?.routingDid === routingDid && saved?.mediatorDid === this.#mediator.did;
      if (!reuse) {
        const identity = createPeerDID({ services: [{ uri: routingDid, accept: ['didcomm/v2'] }] });
        for (const jwk of identity.secrets) this.#secrets.add(jwk);
        this.#did = identity.did;
      }
      await this.#addToKeylist(this.#did);
      this.#saved = this.state();
    }

    /** Adds `did` to our keylist at the mediator (already there is fine). */
    async #addToKeylist(did) {
      const update = mediation.keylistUpdate({
        to: this.#mediator.did, version: this.#mediator.version, updates: [{ recipientDid: did, action: 'add' }],
      });
      const reply = mediation.parse(await this.#request(update, 'keylist-update'));
      const result = reply?.updated?.find((u) => u.recipientDid === did)?.result;
      if (result !== 'success' && result !== 'no_change') {
        throw new DIDCommError('ERR_MEDIATION_DENIED', `${this.#mediator.did} did not add ${did} to the keylist (${result ?? 'no answer'})`);
      }
    }

    // --- mediator requests ---

    /**
     * Sends a request from our control DID (return_route all) and resolves to the reply:
     * over HTTP when the mediator has an http(s) endpoint, unless `onSocket` (live delivery
     * is a property of the socket it is asked on).
     */
    async #request(message, what, { onSocket = false } = {}) {
      const { msg, packed } = await this.#packForMediator(message);
      if (this.#mediator.http && !onSocket) {
        let res;
        try {
          res = await this.#post(this.#mediator.http, packed);
        } catch (e) {
          if (typeof e.body === 'string' && e.body !== '') throw await this.#problemOr(e.body, e, what);
          throw e;
        }
        if (res.body === '') throw new DIDCommError('ERR_TRANSPORT', `${what}: ${this.#mediator.http} sent no reply (HTTP ${res.status})`);
        const { message: reply } = await this.#didcomm.unpack(res.body);
        return this.#checkReply(reply, what);
      }
      return this.#checkReply(await this.#overSocket(msg.id, packed, what), what);
    }

    /** `message` from our control DID to the mediator, return_route all, authcrypted (no forward). */
    async #packForMediator(message) {
      const msg = threading.returnRoute({ ...message, from: this.#controlDid, to: [this.#mediator.did] }, 'all');
      const { packed } = await this.#didcomm.packEncrypted(msg, { to: this.#mediator.did, from: this.#controlDid, forward: false });
      return { msg, packed };
    }

    /** A problem report in `body` as an ERR_PROBLEM_REPORT, else `fallback`. */
    async #problemOr(body, fallback, what) {
      try {
        const { message } = await this.#didcomm.unpack(body);
        return this.#checkReply(message, what);
      } catch (e) {
        return e.code === 'ERR_PROBLEM_REPORT' ? e : fallback;
      }
    }

    #checkReply(reply, what) {
      const report = problemReport.parse(reply);
      if (report) {
        const text = problemReport.commentText(report.comment, report.args);
        throw Object.assign(new DIDCommError('ERR_PROBLEM_REPORT', `${what}: ${report.code.raw}${text ? `: ${text}` : ''}`), { problem: report });
      }
      return reply;
    }

    /** Sends on the socket and waits for the message in thread `thid`. */
    #overSocket(thid, packed, what) {
      const reply = this.#awaitThread(thid, this.#opts.timeoutMs, `${what}: no reply from ${this.#mediator.did}`);
      try {
        this.#socket.send(packed);
      } catch (e) {
        this.#settle(thid)?.reject(e);
      }
      return reply;
    }

    /** Sends a message to the mediator (on the socket when open), expecting no reply to wait for. */
    async #tell(message) {
      const { packed } = await this.#packForMediator(message);
      if (this.#socket?.state === 'open') this.#socket.send(packed);
      else await this.#receive((await this.#post(this.#mediator.http, packed)).body);
    }

    /** Resolves with the message in thread `key` (see #receive), or rejects `what` after `timeoutMs`. */
    #awaitThread(key, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#pending.delete(key);
          reject(new DIDCommError('ERR_TRANSPORT', `${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        this.#pending.set(key, { resolve, reject, timer });
      });
    }

    /** Takes the waiter of thread `key` off the list (its timer stopped), if there is one. */
    #settle(key) {
      const waiter = this.#pending.get(key);
      if (!waiter) return undefined;
      clearTimeout(waiter.timer);
      this.#pending.delete(key);
      return waiter;
    }

    /**
     * POSTs a packed message. A connection that fails before any answer (a pooled socket
     * the server has closed, a server restarting) is tried once more: receivers drop
     * repeated message ids, so a retry cannot deliver twice.
     */
    async #post(url, packed) {
      const options = { timeoutMs: this.#opts.timeoutMs, fetch: this.#opts.fetch };
      try {
        return await httpPost(url, packed, ENCRYPTED, options);
      } catch (e) {
        if (e.code !== 'ERR_TRANSPORT' || e.status !== undefined || /no response within/.test(e.message)) throw e;
        await new Promise((r) => setTimeout(r, 100));
        return httpPost(url, packed, ENCRYPTED, options);
      }
    }

    // --- live delivery ---

    #openSocket(url) {
      return new Promise((resolve, reject) => {
        let opened = false;
        this.#socket = new Socket(url, {
          onOpen: () => {
            if (!opened) {
              opened = true;
              resolve();
            } else {
              this.#goLive().catch((e) => this.#emit('error', e)); // after a reconnection
            }
          },
          onMessage: (text) => { this.#receive(text).catch((e) => this.#emit('error', e)); },
          onClose: ({ code, reconnectInMs }) => {
            if (!opened) {
              this.#socket.close();
              reject(new DIDCommError('ERR_TRANSPORT', `WebSocket ${url} did not open (close code ${code})`));
              return;
            }
            for (const [thid, p] of this.#pending) {
              clearTimeout(p.timer);
              p.reject(new DIDCommError('ERR_TRANSPORT', `WebSocket ${url} closed before the reply`));
              this.#pending.delete(thid);
            }
            if (!this.#closed) this.#setStatus(reconnectInMs === null ? 'closed' : 'reconnecting');
          },
        }, { WebSocket: this.#opts.WebSocket });
      });
    }

    async #goLive() {
      const change = pickup.liveDeliveryChange({ to: this.#mediator.did, liveDelivery: true });
      const reply = await this.#request(change, 'live-delivery-change', { onSocket: true });
      const status = pickup.parse(reply);
      this.#setStatus('live');
      if (status?.kind === 'status') this.#afterStatus(status);
    }

    /** Queued messages the mediator has not pushed: ask for them unless a delivery comes first. */
    #afterStatus(status) {
      if (status.messageCount === 0) return;
      const asked = Date.now();
      setTimeout(() => {
        if (this.#closed || this.#lastDelivery >= asked || this.#socket?.state !== 'open') return;
        this.#tell(pickup.deliveryRequest({ to: this.#mediator.did, limit: BATCH })).catch((e) => this.#emit('error', e));
      }, 300);
    }

    // --- polling ---

    #poll() {
      if (this.#closed) return;
      this.#pollOnce().then(
        (more) => { this.#pollTimer = setTimeout(() => this.#poll(), more ? 0 : this.#opts.pollIntervalMs); },
        (e) => {
          this.#emit('error', e);
          this.#pollTimer = setTimeout(() => this.#poll(), this.#opts.pollIntervalMs);
        },
      );
    }

    /** One delivery-request; true when a full batch came (ask again at once). */
    async #pollOnce() {
      const reply = await this.#request(pickup.deliveryRequest({ to: this.#mediator.did, limit: BATCH }), 'delivery-request');
      const parsed = pickup.parse(reply);
      if (parsed?.kind !== 'delivery') return false;
      await this.#deliver(parsed, reply);
      return parsed.messages.length >= BATCH;
    }

    // --- incoming ---

    /** A frame or body from the mediator (a reply, a pushed delivery, a status) or a peer. */
    async #receive(packed) {
      if (!packed) return;
      const { message, metadata } = await this.#didcomm.unpack(packed);
      // A reply names our request in thid; a problem report may name it in pthid only.
      const thread = message.thid ?? (problemReport.parse(message) ? message.pthid : undefined);
      const pending = thread !== undefined && this.#settle(thread);
      if (pending) {
        pending.resolve(message);
        return;
      }
      const p = pickup.parse(message);
      if (p?.kind === 'delivery') {
        await this.#deliver(p, message);
      } else if (p?.kind === 'status') {
        this.#afterStatus(p);
      } else if (!problemReport.parse(message) || didOf(metadata.encryptedFromKid ?? '') !== this.#mediator?.did) {
        await this.#handOver({ message, metadata, packed });
      }
    }

    /** Unpacks a delivery's messages, hands them over, then acknowledges the batch. */
    async #deliver(delivery, deliveryMessage) {
      this.#lastDelivery = Date.now();
      for (const item of delivery.messages) {
        if (this.#seen.has(`a:${item.id}`)) continue;
        try {
          const { message, metadata } = await this.#didcomm.unpack(item.packed);
          await this.#handOver({ message, metadata, packed: item.packed });
        } catch (e) {
          this.#emit('error', new DIDCommError(e.code ?? 'ERR_INTERNAL', `a delivered message (${item.id}) could not be unpacked: ${e.message}`, { cause: e }));
        }
        this.#seen.add(`a:${item.id}`);
      }
      const ids = delivery.messages.map((m) => m.id);
      await this.#tell(pickup.messagesReceived(deliveryMessage, { messageIdList: ids }));
    }

    /** Gives one message to the application (once), answering pings and feature queries. */
    async #handOver(event) {
      const { message } = event;
      const key = `m:${message.from ?? ''}:${message.id}`;
      if (this.#seen.has(key)) return;
      this.#seen.add(key);
      if (message.thid !== undefined) this.#settle(`peer:${message.thid}`)?.resolve(event);
      if (message.from) this.#autoAnswer(message).catch((e) => this.#emit('error', e));
      const results = [...this.#listeners.message].map((fn) => {
        try {
          return fn(event);
        } catch (e) {
          this.#emit('error', e);
          return undefined;
        }
      });
      await Promise.allSettled(results);
      // The iterator gets every message once it is in use, and, until then, those no listener took.
      if (!this.#iterating && this.#listeners.message.size > 0) return;
      const reader = this.#readers.shift();
      if (reader) reader({ value: event, done: false });
      else this.#inbox.push(event);
    }

    async #autoAnswer(message) {
      const ping = trustPing.parse(message);
      if (ping?.kind === 'ping' && ping.responseRequested) {
        await this.send(trustPing.pingResponse(message, { from: this.#did }), { to: message.from });
      } else if (discoverFeatures.parse(message)?.kind === 'queries') {
        await this.send(discoverFeatures.disclose(message, FEATURES, { from: this.#did }), { to: message.from });
      }
    }

    // --- outgoing ---

    /**
     * Packs `message` for `options.to` (authcrypt from this agent unless `from: null`…), wraps
     * it for the recipient's mediators and delivers it to their endpoint. Other options are
     * packEncrypted's. Resolves to `{ id, packed, metadata }`.
     */
    async send(message, options = {}) {
      if (!isObject(message)) throw illegal('Agent.send(message, options): message must be an object');
      if (!isObject(options) || typeof options.to !== 'string') throw illegal('Agent.send(message, { to }): to must be a DID');
      if (!this.#did) throw illegal('Agent.send: connect first (the agent has no DID yet)');
      const { to, ...packOptions } = options;
      const msg = { ...message, from: message.from ?? this.#did, to: message.to ?? [didOf(to)] };
      const { packed, metadata } = await this.#didcomm.packEncrypted(msg, { from: msg.from, ...packOptions, to });
      const service = metadata.messagingService;
      if (!service) throw new DIDCommError('ERR_TRANSPORT', `${to} has no DIDCommMessaging service to send to`);
      if (/^https?:/i.test(service.uri)) {
        const res = await this.#post(service.uri, packed);
        if (res.body) this.#receive(res.body).catch((e) => this.#emit('error', e)); // a reply in the body
      } else if (/^wss?:/i.test(service.uri)) {
        await this.#sendOnSocket(service.uri, packed);
      } else {
        throw new DIDCommError('ERR_TRANSPORT', `${to}: cannot send to ${service.uri} (http(s) or ws(s) only)`);
      }
      return { id: msg.id, packed, metadata };
    }

    async #sendOnSocket(url, packed) {
      if (this.#socket && this.#socket.url === url && this.#socket.state === 'open') {
        this.#socket.send(packed);
        return;
      }
      await new Promise((resolve, reject) => {
        const once = new Socket(url, {
          onOpen: () => { once.send(packed); once.close(1000, 'sent'); resolve(); },
          onMessage: (text) => { this.#receive(text).catch((e) => this.#emit('error', e)); },
          onClose: ({ code }) => reject(new DIDCommError('ERR_TRANSPORT', `WebSocket ${url} closed (code ${code}) before sending`)),
        }, { WebSocket: this.#opts.WebSocket, reconnect: false });
      });
    }

    /**
     * DID rotation: a new DID routed through the same mediator takes this agent's place, and
     * each DID in `notify` gets an empty message from it carrying `from_prior` (signed by
     * the prior DID), so they can follow. The prior DID stays in the keylist (messages
     * already on their way still arrive) and its keys stay held. Resolves to `{ prior, did }`.
     */
    async rotate({ notify = [] } = {}) {
      if (!this.#did || !this.#mediator?.routingDid) throw illegal('Agent.rotate: connect first');
      if (!Array.isArray(notify) || notify.some((d) => typeof d !== 'string')) throw illegal('Agent.rotate({ notify }): notify must be an array of DIDs');
      const prior = this.#did;
      const next = createPeerDID({ services: [{ uri: this.#mediator.routingDid, accept: ['didcomm/v2'] }] });
      for (const jwk of next.secrets) this.#secrets.add(jwk);
      await this.#addToKeylist(next.did);
      this.#did = next.did;
      this.#saved = this.state();
      const { jwt } = await this.#didcomm.packFromPrior({ iss: prior, sub: next.did });
      for (const to of notify) {
        await this.send({ ...empty.empty({ to }), from_prior: jwt }, { to });
      }
      return { prior, did: next.did };
    }

    /** Trust-pings `to`; resolves to the round trip in milliseconds. */
    async ping(to, { timeoutMs = this.#opts.timeoutMs } = {}) {
      const started = performance.now();
      const ping = trustPing.ping({ to: didOf(to) });
      const answered = this.#awaitThread(`peer:${ping.id}`, timeoutMs, `trust ping to ${to}: no answer`);
      await this.send(ping, { to });
      await answered;
      return performance.now() - started;
    }

    /** Asks `to` which features it has; resolves to the disclosures. */
    async discover(to, queries = [{ featureType: 'protocol', match: '*' }], { timeoutMs = this.#opts.timeoutMs } = {}) {
      const q = discoverFeatures.queries({ to: didOf(to), queries });
      const answered = this.#awaitThread(`peer:${q.id}`, timeoutMs, `discover-features to ${to}: no answer`);
      await this.send(q, { to });
      return discoverFeatures.parse((await answered).message).disclosures;
    }

    /** Stops live delivery and polling; the agent can no longer be used. */
    async close() {
      if (this.#closed) return;
      this.#closed = true;
      clearTimeout(this.#pollTimer);
      this.#socket?.close(1000, 'agent closed');
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer);
        p.reject(new DIDCommError('ERR_TRANSPORT', 'the agent was closed'));
      }
      this.#pending.clear();
      for (const reader of this.#readers.splice(0)) reader({ value: undefined, done: true });
      this.#setStatus('closed');
    }

    #setStatus(status) {
      if (this.#status === status) return;
      this.#status = status;
      this.#emit('state', status);
    }

    #emit(event, value) {
      for (const fn of this.#listeners[event]) {
        try {
          fn(value);
        } catch { /* a listener's failure is its own */ }
      }
    }
  }

  return Agent;
}

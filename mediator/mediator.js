// The mediator's DIDComm logic, independent of the transport: one packed message in, an
// outcome out (an HTTP-style status and the packed reply, if any). server.js carries it
// over HTTP and WebSocket; store.js keeps the state; live.js the live-delivery sockets.
import { randomUUID } from 'node:crypto';
import {
  DIDComm, DIDCommError, parseForward, trustPing, discoverFeatures, FeatureRegistry, mediation, pickup,
  problemReport, empty,
} from 'didcomm-wasm';
import { RateLimiter, retryAfter } from './limits.js';

export const MEDIA_TYPES = {
  plain: 'application/didcomm-plain+json',
  signed: 'application/didcomm-signed+json',
  encrypted: 'application/didcomm-encrypted+json',
};

const PROTOCOL = 'https://didcomm.org/';
/** Largest delivery batch. */
const MAX_BATCH = 100;
const MAX_PAGE = 1000;
const SEND_TIMEOUT_MS = 10_000;

/**
 * A problem to report: a problem-report code, its comment with {1}-style args, the HTTP
 * status, and for a rate limit the seconds to wait (HTTP Retry-After).
 */
export class Problem extends Error {
  constructor(code, comment, args = [], status = 400, retryAfter = undefined) {
    super(problemReport.commentText(comment, args));
    this.code = code;
    this.comment = comment;
    this.args = args;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

const STATUS_OF = {
  'e.p.crypto.message.dejavu': 409,
  'e.p.me.res.storage.message_too_big': 413,
  'e.p.me.res.storage': 503,
  'e.p.me.res.storage.queue_full': 507,
  'e.p.req.rate_limited': 429,
  'e.p.req.not_enroll': 403,
  'e.p.trust.unauthenticated': 401,
};

/** The problem for a failure of the package (`what` failed), by its error code. */
function problemFor(e, what) {
  const code = e instanceof DIDCommError ? e.code : 'ERR_INTERNAL';
  const text = `${what}: ${e?.message}`;
  switch (code) {
    case 'ERR_MALFORMED':
    case 'ERR_INCONSISTENT':
      return new Problem('e.p.msg.malformed', '{1}', [text]);
    case 'ERR_UNSUPPORTED':
      return new Problem('e.p.msg.unsupported', '{1}', [text]);
    case 'ERR_LIMIT_EXCEEDED':
      return new Problem('e.p.msg.limit_exceeded', '{1}', [text]);
    case 'ERR_DECRYPTION_FAILED':
    case 'ERR_VERIFICATION_FAILED':
      return new Problem('e.p.trust.crypto', '{1}', [text]);
    case 'ERR_SECRET_NOT_FOUND':
    case 'ERR_KID_NOT_FOUND':
    case 'ERR_NO_COMPATIBLE_KEYS':
      return new Problem('e.p.trust.crypto.not-for-me', '{1}', [text]);
    case 'ERR_DID_NOT_FOUND':
    case 'ERR_RESOLVER':
      return new Problem('e.p.did.unresolvable', '{1}', [text]);
    default:
      return null; // not the input's fault
  }
}

const didOf = (kidOrDid) => kidOrDid.split('#')[0];

/** The sender DID the envelope proves (authcrypt or signature), or null. */
function provenSender(message, metadata) {
  const kid = metadata.encryptedFromKid ?? metadata.signFrom;
  if (!metadata.authenticated || kid === undefined) return null;
  const did = didOf(kid);
  return message.from === did ? did : null;
}

/** The id and thread of whatever could be read of a message that failed to unpack. */
function roughIds(raw) {
  try {
    const v = JSON.parse(raw);
    if (typeof v?.id === 'string' && v.id !== '') return { id: v.id, thid: typeof v.thid === 'string' ? v.thid : undefined };
  } catch { /* not JSON: nothing to name */ }
  return {};
}

export class Mediator {
  #didcomm;
  #store;
  #live;
  #log;
  #features;
  #senders;

  /**
   * @param {object} o
   * @param {{ did: string, dids: string[], secrets: import('didcomm-wasm').SecretsStore }} o.identity
   * @param {import('./store.js').SqliteStore} o.store
   * @param {import('./live.js').LiveHub} o.live
   * @param {{ mediationVersions: number[], grant: 'all' | 'none' | string[], maxMessageBytes: number,
   *   queueMaxMessages: number, queueMaxBytes: number, senderRate: number, senderBurst: number,
   *   fetch?: Function }} o.config
   * @param {(line: object) => void} o.log
   */
  constructor({ identity, store, live, config, log }) {
    this.did = identity.did;
    this.dids = new Set(identity.dids);
    this.config = config;
    // The core's size limit follows the mediator's, so one setting governs both.
    const limits = { maxPackedBytes: Math.max(1, config.maxMessageBytes) };
    this.#didcomm = new DIDComm({ secretsResolver: identity.secrets, fetch: config.fetch, limits });
    this.#store = store;
    this.#live = live;
    this.#log = log;
    this.#senders = new RateLimiter({ rate: config.senderRate, burst: config.senderBurst });
    this.#features = new FeatureRegistry({
      protocols: [
        { id: `${PROTOCOL}trust-ping/2.0`, roles: ['receiver'] },
        { id: `${PROTOCOL}discover-features/2.0`, roles: ['responder'] },
        { id: `${PROTOCOL}routing/2.0`, roles: ['mediator'] },
        ...config.mediationVersions.map((v) => ({ id: `${PROTOCOL}coordinate-mediation/${v}.0`, roles: ['mediator'] })),
        { id: `${PROTOCOL}messagepickup/3.0`, roles: ['mediator'] },
        { id: `${PROTOCOL}report-problem/2.0`, roles: ['notifier'] },
      ],
      goalCodes: ['request-mediate'],
      headers: ['return_route'],
    });
  }

  /**
   * Handles one packed message that arrived over `ctx.transport` ('http', 'ws', or 'local'
   * for a reply of ours routed through ourselves). Resolves to `{ status, reply?, kind,
   * problem?, retryAfter? }`: `reply` is `{ packed, contentType }` to send back on the same
   * connection; `retryAfter` the seconds a rate-limited sender should wait. Never rejects.
   */
  async receive(raw, ctx) {
    let message;
    try {
      const bytes = Buffer.byteLength(raw);
      if (bytes > this.config.maxMessageBytes) throw this.#tooBig(bytes);
      let unpacked;
      try {
        unpacked = await this.#didcomm.unpack(raw, { unwrapReWrappingForward: true });
      } catch (e) {
        throw problemFor(e, 'the message could not be unpacked') ?? e;
      }
      message = unpacked.message;
      return await this.#dispatch(message, unpacked.metadata, ctx);
    } catch (e) {
      let problem = e;
      if (!(e instanceof Problem)) {
        problem = e instanceof DIDCommError ? problemFor(e, 'the message could not be handled') : null;
        if (problem === null && this.#store.isUnavailable?.(e)) {
          // Nothing was acknowledged; the sender may try again shortly.
          this.#log({ level: 'warn', event: 'store-unavailable' });
          problem = new Problem('e.p.me.res.storage', 'the mediator\'s store is unavailable; try again later', [], 503, 1);
        }
        if (problem === null) {
          this.#log({ level: 'error', event: 'internal-error', error: String(e?.stack ?? e) });
          problem = new Problem('e.p.me', 'internal error', [], 500);
        }
      }
      return this.#problemOutcome(message, raw, problem, ctx).catch((failure) => {
        this.#log({ level: 'error', event: 'problem-report-failed', error: String(failure?.stack ?? failure) });
        return { status: 500, kind: 'unreadable', problem: problem.code };
      });
    }
  }

  /** The outcome for a message of `bytes` refused unread for its size. */
  refuseTooBig(bytes, ctx) {
    return this.#problemOutcome(undefined, '', this.#tooBig(bytes), ctx);
  }

  /** The outcome for a message refused unread because it is not UTF-8. */
  refuseNotUtf8(ctx) {
    return this.#problemOutcome(undefined, '', new Problem('e.p.msg.malformed', 'the message is not UTF-8 text'), ctx);
  }

  #tooBig(bytes) {
    return new Problem('e.p.me.res.storage.message_too_big', 'the message is {1} bytes; this mediator takes at most {2}',
      [String(bytes), String(this.config.maxMessageBytes)], 413);
  }

  async #dispatch(message, metadata, ctx) {
    const sender = provenSender(message, metadata);
    // Before the id is remembered, so the same message can be sent again once the wait is over.
    if (sender !== null && ctx.transport !== 'local') {
      const wait = this.#senders.take(sender);
      if (wait > 0) {
        throw new Problem('e.p.req.rate_limited', 'too many requests from this sender; retry after {1} seconds', [retryAfter(wait)], 429, wait);
      }
    }
    const type = message.type;
    const forward = parseForward(message);
    if (forward) return this.#forward(message, forward, ctx);

    if (!(await this.#store.remember(`${message.from ?? ''}\n${message.id}`))) throw dejavu(message);

    const ping = trustPing.parse(message);
    if (ping) {
      if (ping.kind === 'ping' && ping.responseRequested) {
        return this.#reply(message, trustPing.pingResponse(message, { from: this.did }), ctx, 'trust-ping');
      }
      return { status: 202, kind: 'trust-ping' };
    }
    const features = discoverFeatures.parse(message);
    if (features?.kind === 'queries') {
      return this.#reply(message, discoverFeatures.disclose(message, this.#features, { from: this.did }), ctx, 'discover-features');
    }
    const coord = mediation.parse(message);
    if (coord && this.config.mediationVersions.includes(coord.version)) {
      return this.#mediation(message, coord, sender, ctx);
    }
    const pick = pickup.parse(message);
    if (pick) return this.#pickup(message, pick, sender, ctx);
    if (problemReport.parse(message)) {
      this.#log({ level: 'info', event: 'problem-report-received', code: message.body?.code });
      return { status: 202, kind: 'problem-report' };
    }
    if (empty.parse(message)) return { status: 202, kind: 'empty' };
    throw new Problem('e.p.msg.unsupported', 'this mediator does not handle messages of type {1}', [String(type)]);
  }

  // --- routing ---

  async #forward(message, { next, forwarded }, ctx) {
    // Keylists may hold DIDs or kids; `next` may be either.
    let recipient = next;
    let owner = await this.#store.ownerOf(next);
    if (owner === null && didOf(next) !== next) {
      recipient = didOf(next);
      owner = await this.#store.ownerOf(recipient);
    }
    if (owner === null) throw new Problem('e.p.req.not_enroll', 'no client of this mediator has {1} in its keylist', [next]);
    const packed = JSON.stringify(forwarded);
    const limits = { maxMessages: this.config.queueMaxMessages, maxBytes: this.config.queueMaxBytes };
    const queued = await this.#store.enqueue(owner, recipient, packed, `${message.from ?? ''}\n${message.id}`, limits);
    if (queued.full) {
      // Says nothing of the queue's size: the sender of a forward is usually anonymous.
      throw new Problem('e.p.me.res.storage.queue_full', 'the queue of the recipient is full; try again later', [], 507);
    }
    if (queued.duplicate) throw dejavu(message);
    // Stored: from here on the forward is acknowledged; live delivery is best effort on top.
    this.#live.notify(owner, { id: queued.id, recipientDid: recipient, receivedAt: queued.receivedAt, packed }, queued.liveOwner ?? null);
    const wantsAck = (Array.isArray(message.please_ack) && message.please_ack.length > 0)
      || message.return_route === 'all' || message.return_route === 'thread';
    if (ctx.transport === 'ws' && wantsAck) {
      // The sender is anonymous: a signed ack is the one answer it can check.
      const ack = { ...empty.empty({ from: this.did }), thid: message.id, ack: [message.id] };
      const { packed: signed } = await this.#didcomm.packSigned(ack, { signBy: this.did });
      return { status: 202, kind: 'forward', reply: { packed: signed, contentType: MEDIA_TYPES.signed } };
    }
    return { status: 202, kind: 'forward' };
  }

  // --- coordinate mediation ---

  async #mediation(message, m, sender, ctx) {
    const kind = `coordinate-mediation/${m.version}.0`;
    const from = { from: this.did };
    if (m.kind === 'mediate-request') {
      requireProven(sender, message);
      const { grant } = this.config;
      const granted = grant === 'all' || (Array.isArray(grant) && grant.includes(sender));
      if (!granted) return this.#reply(message, mediation.mediateDeny(message, from), ctx, kind);
      await this.#store.grant(sender, m.version);
      return this.#reply(message, mediation.mediateGrant(message, { ...from, routingDid: this.did }), ctx, kind);
    }
    const client = await this.#requireGranted(sender, message);
    switch (m.kind) {
      case 'keylist-update':
      case 'recipient-update': {
        const updated = [];
        for (const { recipientDid, action } of m.updates) {
          let result;
          if (!recipientDid.startsWith('did:')) result = 'client_error';
          else if (action === 'add') result = await this.#store.addRecipient(client, recipientDid);
          else result = await this.#store.removeRecipient(client, recipientDid);
          updated.push({ recipientDid, action, result });
        }
        return this.#reply(message, mediation.keylistUpdateResponse(message, { ...from, updated }), ctx, kind);
      }
      case 'keylist-query':
      case 'recipient-query': {
        const offset = Math.max(0, Math.trunc(m.paginate?.offset ?? 0));
        const limit = Math.min(MAX_PAGE, Math.max(1, Math.trunc(m.paginate?.limit ?? MAX_PAGE)));
        const { dids, total } = await this.#store.recipients(client, { offset, limit });
        const pagination = { count: dids.length, offset, remaining: Math.max(0, total - offset - dids.length) };
        const list = m.version === 2
          ? mediation.keylist(message, { ...from, keys: dids, pagination })
          : mediation.recipient(message, { ...from, dids, pagination });
        return this.#reply(message, list, ctx, kind);
      }
      default:
        throw new Problem('e.p.msg.unsupported', 'a mediator does not take {1}', [m.kind]);
    }
  }

  /** The sender, when it is a client granted mediation; else a not_enroll problem. */
  async #requireGranted(sender, message) {
    requireProven(sender, message);
    if ((await this.#store.grantOf(sender)) === null) {
      throw new Problem('e.p.req.not_enroll', '{1} has not been granted mediation by this mediator', [sender]);
    }
    return sender;
  }

  // --- pickup ---

  async #pickup(message, p, sender, ctx) {
    const kind = 'messagepickup/3.0';
    const client = await this.#requireGranted(sender, message);
    const { recipientDid } = p;
    if (recipientDid !== undefined && (await this.#store.ownerOf(recipientDid)) !== client) {
      throw new Problem('e.p.req.not_enroll', '{1} is not in the keylist of {2}', [recipientDid, client]);
    }
    const status = async (parent) => pickup.status(parent, await this.#statusFields(client, recipientDid, ctx.session));
    switch (p.kind) {
      case 'status-request':
        return this.#reply(message, await status(message), ctx, kind);
      case 'delivery-request': {
        const limit = Math.min(MAX_BATCH, Math.max(1, Math.trunc(p.limit)));
        const batch = this.#fit(await this.#store.fetch(client, { recipientDid, limit }));
        if (batch.length === 0) return this.#reply(message, await status(message), ctx, kind);
        const reply = pickup.delivery(message, { from: this.did, recipientDid, messages: batch.map((m) => [m.id, m.packed]) });
        return this.#reply(message, reply, ctx, kind);
      }
      case 'messages-received': {
        await this.#store.remove(client, p.messageIdList);
        const { session } = ctx;
        session?.acknowledged(p.messageIdList);
        const reply = await status(message);
        // More queued than this socket holds unacknowledged: push the next batch.
        const more = session?.liveFor === client && reply.body.message_count > session.inFlight.size;
        const outcome = await this.#reply(message, reply, ctx, kind);
        if (more) this.#live.pushBacklog(session);
        return outcome;
      }
      case 'live-delivery-change': {
        if (ctx.transport !== 'ws') {
          throw new Problem('e.m.live-mode-not-supported', 'live delivery needs a persistent connection: use the WebSocket endpoint');
        }
        // The store knows the live session before the backlog is read: a message stored in
        // between is either in the backlog or handed to this session, never neither.
        await this.#live.setLive(ctx.session, p.liveDelivery ? client : null);
        const outcome = await this.#reply(message, await status(message), ctx, kind);
        if (p.liveDelivery) this.#live.pushBacklog(ctx.session);
        return outcome;
      }
      default:
        throw new Problem('e.p.msg.unsupported', 'a mediator does not take {1}', [p.kind]);
    }
  }

  async #statusFields(client, recipientDid, session) {
    const s = await this.#store.status(client, recipientDid);
    const out = { from: this.did, messageCount: s.count, totalBytes: s.bytes };
    if (recipientDid !== undefined) out.recipientDid = recipientDid;
    if (s.count > 0) {
      out.oldestReceivedTime = Math.floor(s.oldest / 1000);
      out.newestReceivedTime = Math.floor(s.newest / 1000);
      out.longestWaitedSeconds = Math.floor((Date.now() - s.oldest) / 1000);
    }
    if (session) out.liveDelivery = session.liveFor === client;
    return out;
  }

  /** The packed delivery message of `batch` for `client` (live mode: not a reply to anything). */
  async packDelivery(client, batch) {
    const msg = pickup.delivery(null, { from: this.did, to: client, messages: batch.map((m) => [m.id, m.packed]) });
    const { packed } = await this.#didcomm.packEncrypted(msg, { to: client, from: this.did, forward: false });
    return packed;
  }

  async fetchBacklog(client, limit, exclude) {
    return this.#fit(await this.#store.fetch(client, { limit, exclude }));
  }

  /**
   * The first messages of `batch` whose packed text adds up to at most --max-message-bytes
   * (always the first): a delivery (base64 in an encryption, about 1.8× its content) stays
   * within what a client takes, whatever the number of messages.
   */
  #fit(batch) {
    let bytes = 0;
    let end = 0;
    while (end < batch.length) {
      bytes += Buffer.byteLength(batch[end].packed);
      if (end > 0 && bytes > this.config.maxMessageBytes) break;
      end += 1;
    }
    return batch.slice(0, end);
  }

  // --- replies ---

  /**
   * Sends `reply` to the sender of `message`: on the same connection over WebSocket or when
   * return_route asks for it, else to the sender's DIDCommMessaging service.
   */
  async #reply(message, reply, ctx, kind) {
    if (typeof message.from !== 'string') return { status: 202, kind }; // nobody to answer
    const rr = message.return_route;
    const back = ctx.transport === 'ws' || (ctx.transport === 'http' && (rr === 'all' || rr === 'thread'));
    if (back) {
      const { packed } = await this.#didcomm.packEncrypted(reply, { to: message.from, from: this.did, forward: false });
      return { status: 200, kind, reply: { packed, contentType: MEDIA_TYPES.encrypted } };
    }
    this.#sendOut(reply, message.from).catch((e) => {
      this.#log({ level: 'warn', event: 'reply-not-sent', kind, error: e?.code ?? 'ERR', reason: e?.message });
    });
    return { status: 202, kind };
  }

  /** Packs `msg` for `to` with its routing and posts it to the service; a route through us is taken locally. */
  async #sendOut(msg, to) {
    const { packed, metadata } = await this.#didcomm.packEncrypted(msg, { to, from: this.did });
    const service = metadata.messagingService;
    if (!service) throw new Error('the recipient has no DIDCommMessaging service');
    if (service.routingKeys.length > 0 && this.dids.has(didOf(service.routingKeys[0]))) {
      const outcome = await this.receive(packed, { transport: 'local' });
      if (outcome.problem) throw new Error(`queueing for a client of ours failed: ${outcome.problem}`);
      return;
    }
    if (!/^https?:/.test(service.uri)) throw new Error(`cannot send to ${service.uri}: only http(s) endpoints take replies`);
    const response = await (this.config.fetch ?? fetch)(service.uri, {
      method: 'POST',
      headers: { 'content-type': MEDIA_TYPES.encrypted },
      body: packed,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`POST ${service.uri}: HTTP ${response.status}`);
  }

  /** The outcome of a problem: reported on the connection, encrypted to `from` when known, else signed. */
  async #problemOutcome(message, raw, problem, ctx) {
    const ids = message ?? roughIds(raw);
    const report = problemReport.problemReport({
      from: this.did,
      pthid: ids.thid ?? ids.id ?? randomUUID(),
      ack: ids.id,
      code: problem.code,
      comment: problem.comment,
      args: problem.args,
    });
    const status = STATUS_OF[problem.code] ?? problem.status;
    const base = { status, kind: message?.type ? kindOf(message.type) : 'unreadable', problem: problem.code };
    if (problem.retryAfter !== undefined) base.retryAfter = problem.retryAfter;
    if (ctx.transport === 'local') return base;
    try {
      if (typeof message?.from === 'string') {
        const { packed } = await this.#didcomm.packEncrypted({ ...report, to: [message.from] }, { to: message.from, from: this.did, forward: false });
        return { ...base, reply: { packed, contentType: MEDIA_TYPES.encrypted } };
      }
    } catch { /* the sender's DID does not resolve: fall back to a signed report */ }
    const { packed } = await this.#didcomm.packSigned(report, { signBy: this.did });
    return { ...base, reply: { packed, contentType: MEDIA_TYPES.signed } };
  }
}

function dejavu(message) {
  return new Problem('e.p.crypto.message.dejavu', 'message id {1} was seen before', [message.id], 409);
}

function requireProven(sender, message) {
  if (sender === null) {
    throw new Problem('e.p.trust.unauthenticated', '{1} must be authcrypted (or signed) by its from DID', [kindOf(message.type)], 401);
  }
}

/** `protocol/version/name` of a type URI, for logs. */
function kindOf(type) {
  return typeof type === 'string' ? type.replace(/^https?:\/\/didcomm\.org\//, '') : 'unknown';
}

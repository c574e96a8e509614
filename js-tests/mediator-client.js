// Test helpers for the mediator: a client identity that talks to it over loopback HTTP and
// WebSocket, packing and unpacking with the package, and a mediator started in a temp dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DIDComm, SecretsStore, createPeerDID, mediation, pickup, threading } from 'didcomm-wasm';
import { startMediator } from '../mediator/server.js';

export const ENCRYPTED = 'application/didcomm-encrypted+json';
export const SIGNED = 'application/didcomm-signed+json';

export const tempDir = () => mkdtempSync(join(tmpdir(), 'mediator-test-'));

/** A mediator on 127.0.0.1 and a port of its own, logging into `logs`. */
export async function testMediator(options = {}) {
  const logs = [];
  const m = await startMediator({ port: 0, dataDir: tempDir(), log: (l) => logs.push(l), ...options });
  return Object.assign(m, { logs });
}

/**
 * POSTs `body`. A keep-alive socket to a mediator that has since restarted fails at once;
 * that one case is retried, as a real client would (the mediator drops repeated ids).
 */
export async function post(url, body, contentType = ENCRYPTED) {
  const send = () => fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const res = await send().catch((e) => {
    if (e?.cause?.code === 'UND_ERR_SOCKET') return send();
    throw e;
  });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text(), headers: res.headers };
}

/** An agent identity: a did:peer:2, routed through `mediatorDid` when given, or with `endpoint`. */
export class Client {
  constructor(identity) {
    this.did = identity.did;
    this.secrets = new SecretsStore(identity.secrets);
    this.didcomm = new DIDComm({ secretsResolver: this.secrets });
  }

  static create({ mediatorDid, endpoint } = {}) {
    const services = mediatorDid ? [{ uri: mediatorDid }] : endpoint ? [{ uri: endpoint }] : [];
    return new Client(createPeerDID({ services }));
  }

  /** Authcrypts `message` (from us) to `to`, no forward wrapping. */
  async pack(message, to, options = {}) {
    const { packed } = await this.didcomm.packEncrypted({ ...message, from: this.did, to: [to] }, { to, from: this.did, forward: false, ...options });
    return packed;
  }

  async unpack(packed) {
    return this.didcomm.unpack(packed);
  }

  /**
   * Sends `message` to the mediator over HTTP (return_route `returnRoute`, default all) and
   * unpacks the reply. Resolves to `{ status, reply, metadata, raw }`; reply null when none.
   */
  async request(mediator, message, { returnRoute = 'all', anoncrypt = false } = {}) {
    const msg = returnRoute ? threading.returnRoute(message, returnRoute) : message;
    const packed = anoncrypt
      ? (await this.didcomm.packEncrypted({ ...msg, from: this.did, to: [mediator.did] }, { to: mediator.did, forward: false })).packed
      : await this.pack(msg, mediator.did);
    const res = await post(mediator.url, packed);
    if (res.body === '') return { status: res.status, reply: null, raw: res };
    const { message: reply, metadata } = await this.didcomm.unpack(res.body);
    return { status: res.status, reply, metadata, raw: res };
  }

  /** A WebSocket to the mediator; frames are unpacked as they arrive. */
  async socket(mediator) {
    const ws = new WebSocket(mediator.wsUrl);
    await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
    return new ClientSocket(this, ws, mediator);
  }
}

export class ClientSocket {
  #queue = [];
  #waiters = [];

  constructor(client, ws, mediator) {
    this.client = client;
    this.ws = ws;
    this.mediator = mediator;
    ws.on('message', async (data) => {
      const text = data.toString();
      const at = performance.now();
      let item;
      try {
        item = { ...(await client.unpack(text)), raw: text, at };
      } catch (e) {
        item = { error: e, raw: text, at };
      }
      this.#queue.push(item);
      this.#wake();
    });
  }

  #wake() {
    for (const w of [...this.#waiters]) {
      const i = this.#queue.findIndex(w.match);
      if (i >= 0) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(this.#queue.splice(i, 1)[0]);
      }
    }
  }

  /** Sends `message` (packed from the client to the mediator), or a raw frame when `message` is a string. */
  async send(message) {
    const frame = typeof message === 'string' ? message : await this.client.pack(message, this.mediator.did);
    this.ws.send(frame);
  }

  /** The next unpacked frame (`{ message, metadata, raw, at }`) that `match` accepts. */
  next(match = () => true, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const w = { match, resolve };
      w.timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new Error(`no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(w);
      this.#wake();
    });
  }

  /** Sends and waits for the reply in the same thread. */
  async request(message) {
    await this.send(message);
    return this.next((f) => f.message?.thid === message.id);
  }

  close() {
    this.ws.close();
  }
}

/** Packs a basic message for `recipient` (a Client) from an anonymous third party, wrapped for its mediator. */
export async function forwardFor(recipientDid, { id, sender = new DIDComm(), headers } = {}) {
  const msg = {
    id: id ?? crypto.randomUUID(), type: 'https://didcomm.org/basicmessage/2.0/message', to: [recipientDid],
    created_time: Math.floor(Date.now() / 1000), body: { content: 'hello' },
  };
  const { packed, metadata } = await sender.packEncrypted(msg, { to: recipientDid, forwardHeaders: headers });
  return { packed, url: metadata.messagingService.uri, id: msg.id };
}

/** Mediation 3.0 for `client`, with its own DID in the keylist. */
export async function enrol(m, client) {
  const { reply } = await client.request(m, mediation.mediateRequest({ from: client.did, to: m.did, version: 3 }));
  if (mediation.parse(reply).kind !== 'mediate-grant') throw new Error(`no mediation grant: ${JSON.stringify(reply)}`);
  await client.request(m, mediation.recipientUpdate({ from: client.did, to: m.did, updates: [{ recipientDid: client.did, action: 'add' }] }));
}

/** Picks up (and acknowledges) everything queued for `client`: the inner message ids, in order. */
export async function drain(m, client) {
  const ids = [];
  for (;;) {
    const { reply } = await client.request(m, pickup.deliveryRequest({ from: client.did, to: m.did, limit: 100 }));
    const d = pickup.parse(reply);
    if (d.kind === 'status') return ids;
    for (const item of d.messages) ids.push((await client.unpack(item.packed)).message.id);
    await client.request(m, pickup.messagesReceived(reply, { from: client.did, messageIdList: d.messages.map((x) => x.id) }));
  }
}

/**
 * POSTs `forwards` (`{ id, url, packed }`) with `workers` in flight; after each answer (or
 * failure), `after(acknowledged)` runs (say, to kill a process mid-burst). Resolves to
 * `{ acknowledged: Set of ids answered 202, refused }`: anything else, or no answer, counts as
 * not acknowledged.
 */
export async function burst(forwards, { workers = 32, after = () => {} } = {}) {
  const acknowledged = new Set();
  let refused = 0;
  let next = 0;
  const worker = async () => {
    while (next < forwards.length) {
      const f = forwards[next];
      next += 1;
      try {
        if ((await post(f.url, f.packed)).status === 202) acknowledged.add(f.id);
        else refused += 1;
      } catch {
        refused += 1; // the connection died with the process
      }
      after(acknowledged);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return { acknowledged, refused };
}

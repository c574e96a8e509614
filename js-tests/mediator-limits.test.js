// The mediator's resource limits and fault handling, over real loopback HTTP, WebSocket and
// raw TCP: queue limits per client, rate limits per connection and per sender, malformed
// bodies and frames, slow and idle sockets. After each fault the mediator must still serve a
// real request. Timeouts are small here; the bounds asserted on them are generous.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Agent, request as httpRequest } from 'node:http';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { DIDComm, mediation, pickup, trustPing, problemReport } from 'didcomm-wasm';
import { spawnMediator, stopMediator } from '../mediator/process.js';
import { testMediator, Client, drain, enrol, forwardFor, post, tempDir, SIGNED } from './mediator-client.js';

const PROBLEM = 'https://didcomm.org/report-problem/2.0/problem-report';
/** Text sent inside bad input: it must never show up in a log line. */
const MARKER = 'MARKER-7f3a';
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

const statusOf = async (m, client) => pickup.parse((await client.request(m, pickup.statusRequest({ from: client.did, to: m.did }))).reply);

/** The problem code in an HTTP response body (signed, or encrypted to `client`). */
async function problemCode(res, client) {
  const { message } = await (client?.didcomm ?? new DIDComm()).unpack(res.body);
  assert.equal(message.type, PROBLEM, res.body);
  return problemReport.parse(message).code.raw;
}

/** The follow-up after a fault: a fresh client's trust ping over HTTP is answered. */
async function stillServes(m) {
  const c = Client.create();
  const { status, reply } = await c.request(m, trustPing.ping({ from: c.did, to: m.did }));
  assert.equal(status, 200);
  assert.equal(trustPing.parse(reply).kind, 'ping-response');
}

/** As `stillServes`, over a new WebSocket. */
async function stillServesWs(m) {
  const c = Client.create();
  const ws = await c.socket(m);
  try {
    const pong = await ws.request(trustPing.ping({ from: c.did, to: m.did }));
    assert.equal(trustPing.parse(pong.message).kind, 'ping-response');
  } finally {
    ws.close();
  }
}

/** Polls `check` until it is truthy or `ms` pass; its last value. */
async function waitFor(check, ms = 10_000, what = 'the condition') {
  const end = performance.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > end) assert.fail(`${what} did not happen within ${ms} ms`);
    await sleep(20);
  }
}

/**
 * A raw TCP connection to the mediator: `start(socket)` writes what it likes. Resolves once
 * the mediator closes it, to `{ text, ms }` (what came back, how long it stayed open).
 */
function raw(m, start, boundMs = 10_000) {
  return new Promise((resolve, reject) => {
    const socket = connect(m.port, '127.0.0.1');
    const t0 = performance.now();
    let text = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`the mediator kept the connection over ${boundMs} ms`)); }, boundMs);
    socket.on('data', (d) => { text += d.toString('latin1'); });
    socket.on('error', () => {});
    socket.on('close', () => { clearTimeout(timer); resolve({ text, ms: performance.now() - t0 }); });
    start(socket);
  });
}

/** Log lines after index `from` that are about one fault (`event` given), and none carries MARKER. */
function faultLines(m, from, event) {
  const lines = m.logs.slice(from);
  for (const line of lines) assert.doesNotMatch(JSON.stringify(line), new RegExp(MARKER));
  return lines.filter((l) => l.event === event);
}

/** Resolves to the close code of `ws` (a ws WebSocket), within `ms`. */
async function closeCode(ws, ms = 10_000) {
  const timer = setTimeout(() => ws.terminate(), ms);
  const [code] = await once(ws, 'close');
  clearTimeout(timer);
  return code;
}

describe('queue limits', () => {
  test('a delivery holds at most --max-message-bytes of messages (and always one), however many were asked for', async () => {
    const dataDir = tempDir();
    const first = await testMediator({ dataDir });
    const bob = Client.create({ mediatorDid: first.did });
    const sent = [];
    let size;
    try {
      await enrol(first, bob);
      for (let i = 0; i < 5; i += 1) {
        const f = await forwardFor(bob.did);
        assert.equal((await post(f.url, f.packed)).status, 202);
        sent.push(f.id);
      }
      const { reply } = await bob.request(first, pickup.deliveryRequest({ from: bob.did, to: first.did, limit: 1 }));
      size = Buffer.byteLength(pickup.parse(reply).messages[0].packed);
    } finally {
      await first.close();
    }
    // The same mediator, now with room for two of the queued messages per delivery, not three.
    const m = await testMediator({ port: first.port, dataDir, maxMessageBytes: Math.floor(size * 2.5) });
    try {
      const counts = [];
      const ids = [];
      for (;;) {
        const { reply } = await bob.request(m, pickup.deliveryRequest({ from: bob.did, to: m.did, limit: 100 }));
        const d = pickup.parse(reply);
        if (d.kind === 'status') break;
        counts.push(d.messages.length);
        for (const item of d.messages) ids.push((await bob.unpack(item.packed)).message.id);
        await bob.request(m, pickup.messagesReceived(reply, { from: bob.did, messageIdList: d.messages.map((x) => x.id) }));
      }
      assert.deepEqual(ids, sent);
      assert.deepEqual(counts, [2, 2, 1]);
    } finally {
      await m.close();
    }
  });

  test('a forward past queueMaxMessages is 507 queue_full, unacknowledged and not remembered; messages-received frees the room', async () => {
    const m = await testMediator({ queueMaxMessages: 3 });
    try {
      const bob = Client.create({ mediatorDid: m.did });
      await enrol(m, bob);
      const sent = [];
      for (let i = 0; i < 3; i += 1) {
        const f = await forwardFor(bob.did);
        assert.equal((await post(f.url, f.packed)).status, 202);
        sent.push(f.id);
      }
      const extra = await forwardFor(bob.did);
      const refused = await post(extra.url, extra.packed);
      assert.equal(refused.status, 507);
      assert.equal(refused.type, SIGNED);
      assert.equal(await problemCode(refused), 'e.p.me.res.storage.queue_full');
      assert.equal((await statusOf(m, bob)).messageCount, 3);
      assert.ok(m.logs.some((l) => l.status === 507 && l.problem === 'e.p.me.res.storage.queue_full'));

      // One acknowledged: room for one, and the refused forward may be sent again (no dejavu).
      const { reply } = await bob.request(m, pickup.deliveryRequest({ from: bob.did, to: m.did, limit: 1 }));
      await bob.request(m, pickup.messagesReceived(reply, { from: bob.did, messageIdList: pickup.parse(reply).messages.map((x) => x.id) }));
      assert.equal((await post(extra.url, extra.packed)).status, 202);
      const another = await forwardFor(bob.did);
      assert.equal((await post(another.url, another.packed)).status, 507);
      assert.deepEqual(await drain(m, bob), [...sent.slice(1), extra.id]);
      // All acknowledged: the whole room is back.
      for (let i = 0; i < 3; i += 1) {
        const f = await forwardFor(bob.did);
        assert.equal((await post(f.url, f.packed)).status, 202);
      }
    } finally {
      await m.close();
    }
  });

  test('queueMaxBytes is per client; over a WebSocket the refusal is the problem report, not an ack', async () => {
    const probe = await testMediator();
    let size;
    try {
      const c = Client.create({ mediatorDid: probe.did });
      await enrol(probe, c);
      const f = await forwardFor(c.did);
      await post(f.url, f.packed);
      size = (await statusOf(probe, c)).totalBytes; // every forwardFor to a did:peer:2 packs to this size
    } finally {
      await probe.close();
    }
    const m = await testMediator({ queueMaxBytes: size * 2 + Math.floor(size / 2) });
    try {
      const [bob, carol] = [Client.create({ mediatorDid: m.did }), Client.create({ mediatorDid: m.did })];
      await enrol(m, bob);
      await enrol(m, carol);
      const statuses = [];
      for (let i = 0; i < 3; i += 1) {
        const f = await forwardFor(bob.did);
        statuses.push((await post(f.url, f.packed)).status);
      }
      assert.deepEqual(statuses, [202, 202, 507]);
      const st = await statusOf(m, bob);
      assert.equal(st.messageCount, 2);
      assert.equal(st.totalBytes, size * 2);
      // Carol's queue has its own room.
      const fc = await forwardFor(carol.did);
      assert.equal((await post(fc.url, fc.packed)).status, 202);

      const ws = new WebSocket(m.wsUrl);
      await once(ws, 'open');
      try {
        const f = await forwardFor(bob.did, { headers: { please_ack: ['yes'] } });
        ws.send(f.packed);
        const [frame] = await once(ws, 'message');
        const { message } = await new DIDComm().unpack(frame.toString());
        assert.equal(message.type, PROBLEM);
        assert.equal(problemReport.parse(message).code.raw, 'e.p.me.res.storage.queue_full');
      } finally {
        ws.close();
      }
      assert.equal((await statusOf(m, bob)).messageCount, 2);
    } finally {
      await m.close();
    }
  });

  test('after a restart the queue limits count what is already queued', async () => {
    const first = await testMediator();
    const { dataDir } = first.logs.find((l) => l.event === 'started');
    const bob = Client.create({ mediatorDid: first.did });
    await enrol(first, bob);
    for (let i = 0; i < 2; i += 1) {
      const f = await forwardFor(bob.did);
      assert.equal((await post(f.url, f.packed)).status, 202);
    }
    await first.close();
    const second = await testMediator({ port: first.port, dataDir, queueMaxMessages: 2 });
    try {
      const f = await forwardFor(bob.did);
      assert.equal((await post(f.url, f.packed)).status, 507);
      assert.equal((await drain(second, bob)).length, 2);
      assert.equal((await post(f.url, f.packed)).status, 202);
    } finally {
      await second.close();
    }
  });
});

describe('rate limits', () => {
  test('per HTTP connection: past the burst 429 with Retry-After; other connections unaffected; the token comes back', async () => {
    // 0.5 a second: the fourth request comes long before a token is back, even on a slow machine.
    const m = await testMediator({ connectionRate: 0.5, connectionBurst: 3 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (a) => new Promise((ok, fail) => {
      httpRequest(`${m.url}oob_url`, { agent: a }, (res) => {
        res.resume();
        res.on('end', () => ok({ status: res.statusCode, retryAfter: res.headers['retry-after'], port: res.socket?.localPort }));
      }).on('error', fail).end();
    });
    try {
      const answers = [];
      for (let i = 0; i < 4; i += 1) answers.push(await get(agent));
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 429]);
      assert.equal(new Set(answers.map((a) => a.port)).size, 1, 'one keep-alive connection');
      const wait = Number(answers[3].retryAfter);
      assert.ok(wait >= 1 && wait <= 2, `Retry-After ${answers[3].retryAfter}`);
      const line = m.logs.find((l) => l.status === 429);
      assert.equal(line.problem, 'connection-rate');

      const other = new Agent({ keepAlive: false });
      assert.equal((await get(other)).status, 200);
      await sleep(wait * 1000 + 200);
      const again = await get(agent);
      assert.equal(again.status, 200);
      assert.equal(again.port, answers[0].port);
    } finally {
      agent.destroy();
      await m.close();
    }
  });

  test('per WebSocket: a socket past the burst is closed with 1008', async () => {
    const m = await testMediator({ connectionRate: 0.5, connectionBurst: 3 });
    try {
      const c = Client.create();
      const ws = await c.socket(m);
      const closed = closeCode(ws.ws);
      for (let i = 0; i < 6; i += 1) await ws.send(trustPing.ping({ from: c.did, to: m.did }));
      assert.equal(await closed, 1008);
      assert.equal(faultLines(m, 0, 'rate-limited').length, 1);
      await stillServesWs(m);
    } finally {
      await m.close();
    }
  });

  test('per sender DID: 429 e.p.req.rate_limited with Retry-After over HTTP, the report on a socket; the same message goes through after the wait', async () => {
    const m = await testMediator({ senderRate: 0.5, senderBurst: 3 });
    try {
      const alice = Client.create();
      for (let i = 0; i < 3; i += 1) assert.equal((await alice.request(m, trustPing.ping({ from: alice.did, to: m.did }))).status, 200);
      const ping = trustPing.ping({ from: alice.did, to: m.did });
      const limited = await alice.request(m, ping);
      assert.equal(limited.status, 429);
      assert.equal(problemReport.parse(limited.reply).code.raw, 'e.p.req.rate_limited');
      const wait = Number(limited.raw.headers.get('retry-after'));
      assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}`);

      // The limit follows the DID onto a WebSocket, and answers there with the report.
      const ws = await alice.socket(m);
      try {
        await ws.send(trustPing.ping({ from: alice.did, to: m.did }));
        const frame = await ws.next((x) => x.message?.type === PROBLEM);
        assert.equal(problemReport.parse(frame.message).code.raw, 'e.p.req.rate_limited');
        assert.equal(ws.ws.readyState, WebSocket.OPEN);
      } finally {
        ws.close();
      }
      await stillServes(m); // another sender is not limited

      await sleep(wait * 1000 + 200);
      const later = await alice.request(m, ping); // not remembered when refused: no dejavu
      assert.equal(later.status, 200);
      assert.equal(trustPing.parse(later.reply).kind, 'ping-response');
    } finally {
      await m.close();
    }
  });
});

describe('malformed input', () => {
  test('HTTP bodies that are not UTF-8, not JSON, or JSON but not an object: 400 e.p.msg.malformed, one log line each', async () => {
    const m = await testMediator();
    try {
      const bodies = [
        Buffer.concat([Buffer.from(`{"id":"${MARKER}","x":"`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
        `not json ${MARKER}`,
        `["${MARKER}"]`,
        `"${MARKER}"`,
        '42',
        'null',
      ];
      for (const body of bodies) {
        const before = m.logs.length;
        const res = await post(m.url, body);
        assert.equal(res.status, 400, String(body));
        assert.equal(await problemCode(res), 'e.p.msg.malformed');
        const lines = m.logs.slice(before);
        assert.equal(lines.length, 1);
        assert.equal(lines[0].problem, 'e.p.msg.malformed');
        faultLines(m, before);
      }
      await stillServes(m);
    } finally {
      await m.close();
    }
  });

  test('input over the package\'s limits (JSON nesting here): 400 e.p.msg.limit_exceeded, and the mediator serves on', async () => {
    const m = await testMediator();
    try {
      const before = m.logs.length;
      const res = await post(m.url, `${'['.repeat(200)}"${MARKER}"${']'.repeat(200)}`);
      assert.equal(res.status, 400);
      assert.equal(await problemCode(res), 'e.p.msg.limit_exceeded');
      assert.equal(m.logs.slice(before)[0].problem, 'e.p.msg.limit_exceeded');
      faultLines(m, before);
      await stillServes(m);
    } finally {
      await m.close();
    }
  });

  test('HTTP: a body shorter than its content-length, then closed, is dropped with one log line', async () => {
    const m = await testMediator();
    try {
      const before = m.logs.length;
      const { text } = await raw(m, (s) => {
        s.write(`POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/didcomm-encrypted+json\r\ncontent-length: 1000\r\n\r\n{"${MARKER}":`);
        setTimeout(() => s.end(), 50);
      });
      assert.doesNotMatch(text, /^HTTP\/1\.1 2/);
      await waitFor(() => faultLines(m, before, 'client-error').length === 1, 5000, 'the log line');
      await stillServes(m);
      assert.equal(faultLines(m, before, 'client-error').length, 1);
    } finally {
      await m.close();
    }
  });

  test('HTTP: garbage chunked encoding is 400 and the connection closed', async () => {
    const m = await testMediator();
    try {
      const before = m.logs.length;
      const { text } = await raw(m, (s) => {
        s.write(`POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/didcomm-encrypted+json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n${MARKER}\r\n`);
      });
      assert.match(text, /^HTTP\/1\.1 400/);
      const lines = faultLines(m, before, 'client-error');
      assert.equal(lines.length, 1);
      assert.match(lines[0].code, /^HPE_/);
      await stillServes(m);
    } finally {
      await m.close();
    }
  });

  test('HTTP: requests aborted by the client, mid-body or awaiting the answer, leave the mediator serving', async () => {
    const m = await testMediator();
    try {
      const bob = Client.create({ mediatorDid: m.did });
      await enrol(m, bob);
      const f = await forwardFor(bob.did);
      const head = `POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/didcomm-encrypted+json\r\ncontent-length: ${Buffer.byteLength(f.packed)}\r\n\r\n`;
      const before = m.logs.length;
      // Mid-body: reset.
      await raw(m, (s) => { s.write(head + f.packed.slice(0, 100)); setTimeout(() => s.resetAndDestroy(), 50); });
      await waitFor(() => faultLines(m, before, 'client-error').length === 1, 5000, 'the log line');
      // The whole request, then gone before the answer: the forward is still taken.
      const gone = m.logs.length;
      await raw(m, (s) => s.end(head + f.packed, () => s.destroy()));
      await waitFor(() => m.logs.slice(gone).some((l) => l.kind === 'forward'), 5000, 'the forward');
      await stillServes(m);
      assert.equal((await statusOf(m, bob)).messageCount, 1);
    } finally {
      await m.close();
    }
  });

  test('WebSocket: a binary frame is read as UTF-8 text; one that is not UTF-8 gets e.p.msg.malformed; the socket stays', async () => {
    const m = await testMediator();
    try {
      const c = Client.create();
      const ws = await c.socket(m);
      try {
        const ping = trustPing.ping({ from: c.did, to: m.did });
        ws.ws.send(Buffer.from(await c.pack(ping, m.did)), { binary: true });
        const pong = await ws.next((x) => x.message?.thid === ping.id);
        assert.equal(trustPing.parse(pong.message).kind, 'ping-response');
        const before = m.logs.length;
        ws.ws.send(Buffer.concat([Buffer.from(MARKER), Buffer.from([0xff, 0xc3])]), { binary: true });
        const frame = await ws.next((x) => x.message?.type === PROBLEM);
        assert.equal(problemReport.parse(frame.message).code.raw, 'e.p.msg.malformed');
        await waitFor(() => m.logs.slice(before).some((l) => l.problem === 'e.p.msg.malformed'), 5000, 'the log line');
        faultLines(m, before);
        const again = await ws.request(trustPing.ping({ from: c.did, to: m.did }));
        assert.equal(trustPing.parse(again.message).kind, 'ping-response');
      } finally {
        ws.close();
      }
    } finally {
      await m.close();
    }
  });

  test('WebSocket: a text frame that is not UTF-8 closes the socket with 1007', async () => {
    const m = await testMediator();
    try {
      const ws = new WebSocket(m.wsUrl);
      await once(ws, 'open');
      const before = m.logs.length;
      ws.send(Buffer.concat([Buffer.from(MARKER), Buffer.from([0xff, 0xc3])]), { binary: false });
      assert.equal(await closeCode(ws), 1007);
      await waitFor(() => faultLines(m, before, 'error').length === 1, 5000, 'the log line');
      assert.equal(faultLines(m, before, 'error')[0].code, 'WS_ERR_INVALID_UTF8');
      await stillServesWs(m);
    } finally {
      await m.close();
    }
  });

  test('WebSocket: a frame over maxPayload closes the socket with 1009', async () => {
    const m = await testMediator({ maxMessageBytes: 4096 });
    try {
      const ws = new WebSocket(m.wsUrl);
      await once(ws, 'open');
      const before = m.logs.length;
      ws.send(MARKER.repeat(4000));
      assert.equal(await closeCode(ws), 1009);
      await waitFor(() => faultLines(m, before, 'error').length === 1, 5000, 'the log line');
      await stillServesWs(m);
    } finally {
      await m.close();
    }
  });

  test('WebSocket: bytes that are not WebSocket frames after the upgrade close the connection', async () => {
    const m = await testMediator();
    try {
      const before = m.logs.length;
      const key = randomBytes(16).toString('base64');
      const { text } = await raw(m, (s) => {
        s.write(`GET /ws HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\n\r\n`);
        s.once('data', () => s.write(`GET /${MARKER} HTTP/1.1\r\nhost: x\r\n\r\n`));
      });
      assert.match(text, /^HTTP\/1\.1 101/);
      await waitFor(() => faultLines(m, before, 'error').length === 1, 5000, 'the log line');
      await stillServesWs(m);
      await stillServes(m);
    } finally {
      await m.close();
    }
  });
});

describe('idle and slow sockets', () => {
  test('slowloris: headers trickled past headersTimeoutMs get 408 and the connection closed', async () => {
    const m = await testMediator({ headersTimeoutMs: 300, requestTimeoutMs: 2000 });
    try {
      const before = m.logs.length;
      let timer;
      const { text, ms } = await raw(m, (s) => {
        s.write('POST / HTTP/1.1\r\n');
        timer = setInterval(() => s.write(`x-${MARKER}: 1\r\n`), 50);
        s.on('close', () => clearInterval(timer));
      });
      assert.match(text, /^HTTP\/1\.1 408/);
      assert.ok(ms >= 250 && ms < 5000, `closed after ${ms.toFixed(0)} ms`);
      assert.equal(faultLines(m, before, 'client-error')[0].code, 'ERR_HTTP_REQUEST_TIMEOUT');
      await stillServes(m);
    } finally {
      await m.close();
    }
  });

  test('a body trickled past requestTimeoutMs gets 408 and the connection closed', async () => {
    const m = await testMediator({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    try {
      let timer;
      const { text, ms } = await raw(m, (s) => {
        s.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/didcomm-encrypted+json\r\ncontent-length: 1000\r\n\r\n');
        timer = setInterval(() => s.write('x'), 50);
        s.on('close', () => clearInterval(timer));
      });
      assert.match(text, /^HTTP\/1\.1 408/);
      assert.ok(ms >= 500 && ms < 5000, `closed after ${ms.toFixed(0)} ms`);
      await stillServes(m);
    } finally {
      await m.close();
    }
  });

  test('idle connections: silent from the start, or kept alive past keepAliveTimeoutMs, are closed', async () => {
    const m = await testMediator({ headersTimeoutMs: 300, keepAliveTimeoutMs: 300 });
    try {
      const silent = await raw(m, () => {});
      assert.ok(silent.ms < 5000);
      let answeredAt;
      const kept = await raw(m, (s) => {
        s.write('GET /oob_url HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\n\r\n');
        s.once('data', () => { answeredAt = performance.now(); });
      });
      assert.match(kept.text, /^HTTP\/1\.1 200/);
      const idle = performance.now() - answeredAt;
      assert.ok(idle >= 200 && idle < 5000, `closed ${idle.toFixed(0)} ms after the answer`);
      await stillServes(m);
    } finally {
      await m.close();
    }
  });

  test('heartbeat: a WebSocket that stops answering pings is closed; a quiet live one that answers stays', async () => {
    const m = await testMediator({ wsPingIntervalMs: 200 });
    try {
      const bob = Client.create({ mediatorDid: m.did });
      await enrol(m, bob);
      const quiet = await bob.socket(m);
      await quiet.request(pickup.liveDeliveryChange({ from: bob.did, to: m.did, liveDelivery: true }));
      const deaf = new WebSocket(m.wsUrl, { autoPong: false });
      await once(deaf, 'open');
      const t0 = performance.now();
      await closeCode(deaf);
      const ms = performance.now() - t0;
      assert.ok(ms >= 150 && ms < 5000, `closed after ${ms.toFixed(0)} ms`);
      assert.equal(faultLines(m, 0, 'no-pong').length, 1);
      // Several more intervals of silence: the live socket is still there and still delivers.
      await sleep(1000);
      assert.equal(quiet.ws.readyState, WebSocket.OPEN);
      const f = await forwardFor(bob.did);
      assert.equal((await post(f.url, f.packed)).status, 202);
      const frame = await quiet.next((x) => x.message?.type === pickup.typeOf('delivery'));
      assert.equal((await bob.unpack(pickup.parse(frame.message).messages[0].packed)).message.id, f.id);
      assert.equal(faultLines(m, 0, 'no-pong').length, 1);
      quiet.close();
    } finally {
      await m.close();
    }
  });

  test('slow consumer: a live socket that stops reading is closed past wsMaxBufferedBytes; its messages stay queued and come on the next socket', async (t) => {
    const m = await testMediator({ wsMaxBufferedBytes: 256 * 1024 });
    try {
      const bob = Client.create({ mediatorDid: m.did });
      await enrol(m, bob);
      const first = await bob.socket(m);
      await first.request(pickup.liveDeliveryChange({ from: bob.did, to: m.did, liveDelivery: true }));
      first.ws._socket.pause(); // stops reading: the kernel buffers fill, then the mediator's
      const sender = new DIDComm();
      const sent = [];
      const content = `${MARKER} ${'x'.repeat(256 * 1024)}`;
      // Enough to fill the loopback buffers many times over; stops once the mediator gives up.
      for (let i = 0; i < 120 && !m.logs.some((l) => l.event === 'slow-consumer'); i += 1) {
        const msg = { id: crypto.randomUUID(), type: 'https://didcomm.org/basicmessage/2.0/message', to: [bob.did], body: { content } };
        const { packed } = await sender.packEncrypted(msg, { to: bob.did });
        assert.equal((await post(m.url, packed)).status, 202);
        sent.push(msg.id);
      }
      const line = m.logs.find((l) => l.event === 'slow-consumer');
      assert.ok(line, `no slow-consumer close after ${sent.length} forwards`);
      assert.ok(line.buffered > 256 * 1024);
      t.diagnostic(`closed after ${sent.length} forwards of 256 KiB`);
      faultLines(m, 0);
      first.ws._socket.resume();
      await closeCode(first.ws);
      // Nothing was acknowledged: all of it is queued and arrives on the next socket.
      assert.equal((await statusOf(m, bob)).messageCount, sent.length);
      const second = await bob.socket(m);
      try {
        await second.request(pickup.liveDeliveryChange({ from: bob.did, to: m.did, liveDelivery: true }));
        const got = [];
        while (got.length < sent.length) {
          const frame = await second.next((x) => x.message?.type === pickup.typeOf('delivery'), 30_000);
          const d = pickup.parse(frame.message);
          for (const item of d.messages) got.push((await bob.unpack(item.packed)).message.id);
          await second.send(pickup.messagesReceived(null, { from: bob.did, to: m.did, messageIdList: d.messages.map((x) => x.id) }));
        }
        assert.deepEqual(got, sent);
      } finally {
        second.close();
      }
    } finally {
      await m.close();
    }
  });
});

describe('command line', () => {
  test('the limit flags and environment variables reach the mediator; a bad value exits 2', async () => {
    process.env.MEDIATOR_HEADERS_TIMEOUT_MS = '300';
    let m;
    try {
      m = await spawnMediator(['--port', '0', '--data-dir', tempDir(), '--quiet', '--queue-max-messages', '1']);
    } finally {
      delete process.env.MEDIATOR_HEADERS_TIMEOUT_MS;
    }
    try {
      const bob = Client.create({ mediatorDid: m.did });
      await enrol(m, bob);
      const statuses = [];
      for (let i = 0; i < 2; i += 1) {
        const f = await forwardFor(bob.did);
        statuses.push((await post(f.url, f.packed)).status);
      }
      assert.deepEqual(statuses, [202, 507]);
      const { text, ms } = await raw(m, (s) => s.write('POST / HTTP/1.1\r\n'));
      assert.match(text, /^HTTP\/1\.1 408/);
      assert.ok(ms < 5000);
    } finally {
      await stopMediator(m.child);
    }
    await assert.rejects(spawnMediator(['--port', '0', '--data-dir', tempDir(), '--sender-rate', 'fast']), /exited \(code 2\)/);
  });
});

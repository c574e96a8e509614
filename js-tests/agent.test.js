// The client Agent against the project's mediator on 127.0.0.1: Alice and Bob, each
// mediated, exchange messages over live WebSocket and over HTTP polling, with mediation 2.0
// and 3.0; offline delivery; a mediator that is down; a socket that drops; and the same
// exchange between two pages in headless Chromium.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Agent, basicMessage } from 'didcomm-wasm';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { testMediator, tempDir } from './mediator-client.js';
import { isDIDCommError, root } from './fixtures.js';
import { launchChromium, serveStatic } from './chromium.js';

const BASIC = basicMessage.MESSAGE;

/** The next message for `agent` that `match` accepts (listening on 'message'). */
function nextMessage(agent, match = () => true, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { agent.off('message', on); reject(new Error(`no message within ${timeoutMs} ms`)); }, timeoutMs);
    const on = (event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      agent.off('message', on);
      resolve(event);
    };
    agent.on('message', on);
  });
}

const text = (content) => ({ id: crypto.randomUUID(), type: BASIC, created_time: Math.floor(Date.now() / 1000), body: { content } });
const isText = (content) => (e) => e.message.type === BASIC && e.message.body.content === content;

/** Alice sends to Bob and Bob answers: both arrive, authcrypted from the right DIDs. */
async function exchange(alice, bob) {
  const toBob = nextMessage(bob, isText('hi bob'));
  await alice.send(text('hi bob'), { to: bob.did });
  const got = await toBob;
  assert.equal(got.message.from, alice.did);
  assert.equal(got.metadata.authenticated, true);
  assert.equal(got.metadata.encryptedFromKid.split('#')[0], alice.did);
  const toAlice = nextMessage(alice, isText('hi alice'));
  await bob.send(text('hi alice'), { to: got.message.from });
  assert.equal((await toAlice).message.from, bob.did);
}

const agent = (options = {}) => new Agent({ WebSocket, pollIntervalMs: 100, ...options });

describe('Agent with the project mediator', () => {
  for (const version of [3, 2]) {
    for (const transport of ['websocket', 'polling']) {
      test(`coordinate-mediation ${version}.0 only, ${transport === 'websocket' ? 'live WebSocket' : 'HTTP polling'}: Alice and Bob exchange messages`, async () => {
        const m = await testMediator({ mediationVersions: [version], websocket: transport === 'websocket' });
        const [alice, bob] = [agent(), agent()];
        try {
          const info = await alice.connect(m.oobUrl);
          assert.equal(info.did, m.did);
          assert.equal(info.version, version);
          assert.equal(info.transport, transport);
          assert.equal(info.routingDid, m.did);
          assert.equal(alice.status, transport === 'websocket' ? 'live' : 'polling');
          await bob.connect(m.did);
          assert.notEqual(alice.did, bob.did);
          // Both DIDs route through the mediator.
          const doc = await alice.didcomm.resolveDID(alice.did);
          assert.equal(doc.service[0].serviceEndpoint.uri, m.did);
          await exchange(alice, bob);
        } finally {
          await alice.close();
          await bob.close();
          await m.close();
        }
      });
    }
  }

  describe('one mediator, several agents', () => {
    let m;
    before(async () => { m = await testMediator(); });
    after(() => m.close());

    test('a message sent while Bob is offline arrives when he connects again (same DID from his saved state)', async () => {
      const [alice, bob] = [agent(), agent()];
      await alice.connect(m.oobUrl);
      await bob.connect(m.oobUrl);
      const saved = bob.state();
      await bob.close();
      try {
        await alice.send(text('while you were out'), { to: saved.did });
        const again = agent({ state: saved });
        const arrived = nextMessage(again, isText('while you were out'));
        await again.connect(m.oobUrl);
        assert.equal(again.did, saved.did);
        assert.equal((await arrived).message.from, alice.did);
        await again.close();
      } finally {
        await alice.close();
      }
    });

    test('messages come through the async iterator as well, in order, once each', async () => {
      const [alice, bob] = [agent(), agent()];
      await alice.connect(m.did);
      await bob.connect(m.did);
      try {
        const contents = ['one', 'two', 'three', 'four', 'five'];
        for (const c of contents) await alice.send(text(c), { to: bob.did });
        const got = [];
        for await (const { message } of bob.messages()) {
          got.push(message.body.content);
          if (got.length === contents.length) break;
        }
        assert.deepEqual(got, contents);
      } finally {
        await alice.close();
        await bob.close();
      }
    });

    test('trust ping and discover-features between agents are answered automatically', async () => {
      const [alice, bob] = [agent(), agent()];
      await alice.connect(m.did);
      await bob.connect(m.did);
      try {
        const rtt = await alice.ping(bob.did);
        assert.ok(rtt > 0 && rtt < 10_000);
        const disclosures = await alice.discover(bob.did, [{ featureType: 'protocol', match: 'https://didcomm.org/basicmessage/*' }]);
        assert.deepEqual(disclosures.map((d) => d.id), ['https://didcomm.org/basicmessage/2.0']);
      } finally {
        await alice.close();
        await bob.close();
      }
    });

    test('rotate: contacts get from_prior from the new DID, and messages to either DID arrive', async () => {
      const [alice, bob] = [agent(), agent()];
      await alice.connect(m.did);
      await bob.connect(m.did);
      try {
        const prior = alice.did;
        const told = nextMessage(bob, (e) => e.metadata.fromPrior !== undefined);
        const { did } = await alice.rotate({ notify: [bob.did] });
        assert.equal(alice.did, did);
        assert.notEqual(did, prior);
        const { message, metadata } = await told;
        assert.equal(message.from, did);
        assert.deepEqual([metadata.fromPrior.iss, metadata.fromPrior.sub], [prior, did]);
        for (const to of [did, prior]) {
          const arrived = nextMessage(alice, isText(`to ${to.slice(-6)}`));
          await bob.send(text(`to ${to.slice(-6)}`), { to });
          await arrived;
        }
        assert.equal(alice.state().did, did);
      } finally {
        await alice.close();
        await bob.close();
      }
    });

    test('when discover-features goes unanswered, mediation falls back through the versions', async () => {
      const only2 = await testMediator({ mediationVersions: [2] });
      let posts = 0;
      // The second POST of connect is the discover-features query: make it fail.
      const fetchFn = (url, init) => {
        posts += 1;
        return posts === 2 ? Promise.resolve(new Response('', { status: 503 })) : fetch(url, init);
      };
      const a = agent({ fetch: fetchFn, transport: 'polling' });
      const errors = [];
      a.on('error', (e) => errors.push(e));
      try {
        const info = await a.connect(only2.did);
        assert.equal(info.version, 2);
        assert.equal(errors[0]?.code, 'ERR_TRANSPORT');
      } finally {
        await a.close();
        await only2.close();
      }
    });
  });

  describe('faults', () => {
    test('a mediator that is down gives ERR_TRANSPORT naming its endpoint', async () => {
      const m = await testMediator();
      await m.close();
      const a = agent();
      await assert.rejects(a.connect(m.did), isDIDCommError('ERR_TRANSPORT', /127\.0\.0\.1/));
      assert.equal(a.status, 'idle');
      await a.close();
    });

    test('a dropped socket reconnects; messages queued meanwhile arrive, nothing twice', async () => {
      const first = await testMediator();
      const { dataDir } = first.logs.find((l) => l.event === 'started');
      const [alice, bob] = [agent({ transport: 'polling' }), agent()];
      await alice.connect(first.did);
      await bob.connect(first.did);
      const got = [];
      bob.on('message', (e) => { if (e.message.type === BASIC) got.push(e.message.body.content); });
      const states = [];
      bob.on('state', (s) => states.push(s));
      const before = nextMessage(bob, isText('before'));
      await alice.send(text('before'), { to: bob.did });
      await before;
      await first.close(); // Bob's socket drops
      const second = await testMediator({ port: first.port, dataDir });
      try {
        for (const c of ['queued 1', 'queued 2', 'queued 3']) await alice.send(text(c), { to: bob.did });
        const last = nextMessage(bob, isText('queued 3'), 15_000);
        await last;
        await new Promise((r) => setTimeout(r, 500)); // time for any duplicate to show up
        assert.deepEqual(got, ['before', 'queued 1', 'queued 2', 'queued 3']);
        assert.ok(states.includes('reconnecting'), states.join());
        assert.equal(bob.status, 'live');
      } finally {
        await alice.close();
        await bob.close();
        await second.close();
      }
    });

    test('a mediator that lost its state answers the reconnected socket with a problem report, reported at once', async () => {
      const first = await testMediator();
      const { dataDir } = first.logs.find((l) => l.event === 'started');
      const bob = agent();
      await bob.connect(first.did);
      const errors = [];
      bob.on('error', (e) => errors.push(e));
      await first.close();
      // The same identity (same DID and keys) without its store: no grants, no keylists.
      const fresh = tempDir();
      copyFileSync(join(dataDir, 'identity.json'), join(fresh, 'identity.json'));
      const second = await testMediator({ port: first.port, dataDir: fresh });
      try {
        assert.equal(second.did, first.did);
        for (let i = 0; i < 100 && errors.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
        assert.equal(errors[0]?.code, 'ERR_PROBLEM_REPORT', String(errors[0]));
        assert.equal(errors[0].problem.code.raw, 'e.p.req.not_enroll');
      } finally {
        await bob.close();
        await second.close();
      }
    });

    test('bad arguments are ERR_ILLEGAL_ARGUMENT', async () => {
      assert.throws(() => new Agent({ transport: 'carrier-pigeon' }), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /transport/));
      assert.throws(() => new Agent({ state: { version: 9 } }), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /state/));
      const a = new Agent();
      await assert.rejects(a.connect(42), isDIDCommError('ERR_ILLEGAL_ARGUMENT'));
      await assert.rejects(a.send(text('x'), { to: 'did:example:bob' }), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /connect first/));
      await a.close();
    });
  });
});

// Two pages, two identities, one mediator: the web build with the browser's own fetch and WebSocket.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module">
import { Agent, basicMessage } from '/js/web.js';
const inbox = [];
let agent;
window.start = async (target) => {
  agent = new Agent();
  agent.on('message', ({ message }) => { if (message.type === basicMessage.MESSAGE) inbox.push(message.body.content); });
  const info = await agent.connect(target);
  return { did: agent.did, transport: info.transport, version: info.version };
};
window.say = (to, content) => agent.send(basicMessage.basicMessage({ to, content }), { to }).then(() => true);
window.inbox = () => inbox;
window.ready = true;
</script>
`;

describe('Agent in headless Chromium', () => {
  let browser;
  let server;
  let m;
  before(async () => {
    server = await serveStatic(root, { routes: { '/js-tests/agent.html': { type: 'text/html; charset=utf-8', body: PAGE } } });
    m = await testMediator();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await m?.close();
  });

  test('two pages exchange basic messages through the mediator over live WebSocket', async () => {
    const open = async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${server.url}/js-tests/agent.html`);
      await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 }).catch((e) => {
        throw new Error(`${e.message}\n${errors.join('\n')}`);
      });
      return page;
    };
    const [alicePage, bobPage] = [await open(), await open()];
    const alice = await alicePage.evaluate((t) => window.start(t), m.oobUrl);
    const bob = await bobPage.evaluate((t) => window.start(t), m.oobUrl);
    assert.equal(alice.transport, 'websocket');
    assert.equal(bob.version, 3);
    await alicePage.evaluate(([to]) => window.say(to, 'hello from alice'), [bob.did]);
    await bobPage.waitForFunction(() => window.inbox().includes('hello from alice'), null, { timeout: 10_000 });
    await bobPage.evaluate(([to]) => window.say(to, 'hello from bob'), [alice.did]);
    await alicePage.waitForFunction(() => window.inbox().includes('hello from bob'), null, { timeout: 10_000 });
    assert.deepEqual(await bobPage.evaluate(() => window.inbox()), ['hello from alice']);
  });
});

// The demo page (www/) in headless Chromium against the project's mediator: two browser
// contexts create identities, add each other, chat both ways over live WebSocket, run a
// trust ping, open the inspector, and save screenshots that must not be blank.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { launchChromium } from './chromium.js';
import { serveDemo } from '../scripts/serve.mjs';
import { testMediator } from './mediator-client.js';

const SHOTS = join(tmpdir(), 'didcomm-demo-screenshots');

for (const versions of [[2, 3], [2]]) {
  describe(`demo page, mediator offering coordinate-mediation ${versions.map((v) => `${v}.0`).join(' and ')}`, () => {
    let m;
    let page;
    let browser;
    before(async () => {
      m = await testMediator({ mediationVersions: versions });
      page = await serveDemo({ mediator: m });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await page?.close();
      await m?.close();
    });

    async function open(url = `${page.url}/`) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      const tab = await context.newPage();
      const errors = [];
      tab.on('pageerror', (e) => errors.push(String(e)));
      await tab.goto(url);
      await tab.waitForFunction(() => window.demoReady === true, null, { timeout: 30_000 }).catch((e) => {
        throw new Error(`${e.message}\n${errors.join('\n')}`);
      });
      await tab.waitForFunction(() => document.getElementById('my-did').textContent.startsWith('did:peer:2'), null, { timeout: 10_000 });
      assert.equal(await tab.textContent('#errors'), '', 'no errors on the page');
      return { tab, did: await tab.textContent('#my-did'), errors };
    }

    test('two identities chat both ways, ping, inspect; screenshots are not blank', async () => {
      const alice = await open();
      const bob = await open();
      assert.notEqual(alice.did, bob.did);
      assert.match(await alice.tab.textContent('#mediator-info'), new RegExp(`coordinate-mediation ${Math.max(...versions)}\\.0 · live over WebSocket`));
      assert.equal(await alice.tab.getAttribute('.dot', 'data-state'), 'live');

      // Alice adds Bob by his DID; Bob adds Alice by her invitation link.
      await alice.tab.fill('#contact-did', bob.did);
      await alice.tab.fill('#contact-name', 'Bob');
      await alice.tab.click('#contact-form button');
      await bob.tab.fill('#contact-did', await alice.tab.getAttribute('#invite-link', 'href'));
      await bob.tab.fill('#contact-name', 'Alice');
      await bob.tab.click('#contact-form button');
      await bob.tab.waitForSelector(`#contact-list li[data-did="${alice.did}"]:has-text("Alice")`);
      await alice.tab.fill('#text', 'Hello Bob, from the browser');
      await alice.tab.click('#send-form button[type=submit]');
      await alice.tab.waitForSelector('#messages li.out:has-text("delivered to their mediator")');

      await bob.tab.click(`#contact-list li[data-did="${alice.did}"]`);
      await bob.tab.waitForSelector('#messages li.in:has-text("Hello Bob, from the browser")');
      assert.match(await bob.tab.textContent('#messages li.in small'), /authenticated/);
      await bob.tab.fill('#text', 'Hi Alice!');
      await bob.tab.click('#send-form button[type=submit]');
      await alice.tab.waitForSelector('#messages li.in:has-text("Hi Alice!")', { timeout: 10_000 });

      await alice.tab.click('#ping');
      await alice.tab.waitForFunction(() => /ms round trip/.test(document.getElementById('tool-result').textContent), null, { timeout: 10_000 });

      // Alice rotates her DID; Bob follows (from_prior) and the chat goes on with the new DID.
      await alice.tab.click('#rotate');
      await alice.tab.waitForFunction((prior) => document.getElementById('my-did').textContent !== prior, alice.did, { timeout: 10_000 });
      const rotated = await alice.tab.textContent('#my-did');
      await bob.tab.waitForSelector(`#contact-list li[data-did="${rotated}"]`, { timeout: 10_000 });
      assert.equal(await bob.tab.locator(`#contact-list li[data-did="${alice.did}"]`).count(), 0);
      await bob.tab.fill('#text', 'Following your new DID');
      await bob.tab.click('#send-form button[type=submit]');
      await alice.tab.waitForSelector('#messages li.in:has-text("Following your new DID")', { timeout: 10_000 });

      await bob.tab.click('#messages li.in');
      const inspected = JSON.parse(await bob.tab.textContent('#inspect'));
      assert.equal(inspected.direction, 'received');
      assert.equal(inspected.metadata.authenticated, true);
      assert.equal(inspected.metadata.encryptedFromKid.split('#')[0], alice.did);
      assert.equal(inspected.outerLayer.alg, 'ECDH-1PU+A256KW');

      assert.deepEqual(inspected.layers.map((l) => l.split(' ')[0]), ['authcrypt', 'plaintext']);
      await alice.tab.click('#messages li.out');
      const sent = JSON.parse(await alice.tab.textContent('#inspect'));
      assert.deepEqual(sent.layers.map((l) => l.split(' ')[0]), ['forward', 'authcrypt', 'plaintext']);

      // Carol opens Alice's invitation link (also shown as a QR code): Alice is her contact.
      await alice.tab.click('#invite summary');
      assert.ok(await alice.tab.locator('#qr svg').count() === 1);
      const link = await alice.tab.getAttribute('#invite-link', 'href');
      assert.match(link, /\?_oob=/);
      const carol = await open(link);
      await carol.tab.waitForSelector(`#contact-list li[data-did="${rotated}"]`);
      await carol.tab.fill('#text', 'Hi, Carol here');
      await carol.tab.click('#send-form button[type=submit]');
      await alice.tab.waitForSelector(`#contact-list li[data-did="${carol.did}"]`, { timeout: 10_000 });

      mkdirSync(SHOTS, { recursive: true });
      const blank = await (await browser.newPage({ viewport: { width: 1200, height: 800 } })).screenshot();
      for (const [name, who] of [['alice', alice], ['bob', bob]]) {
        const shot = await who.tab.screenshot();
        writeFileSync(join(SHOTS, `${name}-${versions.join('')}.png`), shot);
        assert.ok(shot.length > blank.length * 3, `${name}'s screenshot (${shot.length} B) looks blank (${blank.length} B)`);
        assert.deepEqual(who.errors, []);
        assert.equal(await who.tab.textContent('#errors'), '');
      }
    });
  });
}

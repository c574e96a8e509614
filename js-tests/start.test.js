// `npm start` (scripts/start.mjs) on this checkout, already built: it starts the mediator
// and the page server, prints the page URL, serves the page and its config, and stops
// both on SIGINT with exit code 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { tempDir } from './mediator-client.js';

const START = fileURLToPath(new URL('../scripts/start.mjs', import.meta.url));

test('npm start serves the demo with a local mediator; Ctrl-C stops both', async () => {
  const child = spawn(process.execPath, [START], {
    env: { ...process.env, DEMO_PORT: '0', MEDIATOR_PORT: '0', MEDIATOR_DATA_DIR: tempDir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  try {
    for (let i = 0; i < 600 && !/Ctrl-C stops/.test(out); i += 1) await new Promise((r) => setTimeout(r, 100));
    const pageUrl = /DIDComm demo:\s+(\S+)/.exec(out)?.[1];
    const mediatorUrl = /mediator:\s+(\S+)/.exec(out)?.[1];
    assert.ok(pageUrl && mediatorUrl, out);
    assert.match(await (await fetch(pageUrl)).text(), /DIDComm messenger/);
    const config = await (await fetch(`${pageUrl}config.json`)).json();
    assert.equal(config.mediator.url, mediatorUrl);
    assert.equal((await fetch(`${pageUrl}js/web.js`)).status, 200);
    assert.equal((await fetch(`${pageUrl}vendor/qrcode-generator/qrcode.mjs`)).status, 200);
    assert.equal((await fetch(`${pageUrl}package.json`)).status, 404, 'only www/ and the package entry are served');
    const about = await (await fetch(mediatorUrl)).json();
    assert.equal(about.did, config.mediator.did);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, out);
    await assert.rejects(fetch(mediatorUrl));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

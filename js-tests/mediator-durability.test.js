// The mediator as a separate process (`node mediator/main.js`): killed with SIGKILL in the
// middle of a burst of 1 000 forwards, restarted on the same data dir, it still holds every
// forward it acknowledged with a 202; SIGTERM stops it cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawnMediator } from '../mediator/process.js';
import { Client, burst, drain, enrol, forwardFor, tempDir } from './mediator-client.js';

/** `node mediator/main.js` on `port` (0: any) and `dataDir`, once it has started. */
const start = (port, dataDir) => spawnMediator(['--port', String(port), '--data-dir', dataDir, '--quiet']);

test('kill -9 during a burst of 1 000 forwards loses none that were acknowledged', async (t) => {
  const dataDir = tempDir();
  let m = await start(0, dataDir);
  try {
    const bob = Client.create({ mediatorDid: m.did });
    await enrol(m, bob);
    const forwards = [];
    for (let i = 0; i < 1000; i += 1) forwards.push(await forwardFor(bob.did));

    let killed = false;
    const { acknowledged, refused } = await burst(forwards, {
      after: (acked) => {
        if (!killed && acked.size >= 300) {
          killed = true;
          m.child.kill('SIGKILL');
        }
      },
    });
    assert.ok(killed, 'the mediator was killed during the burst');
    if (m.child.exitCode === null && m.child.signalCode === null) await once(m.child, 'exit');
    assert.ok(refused > 0, 'some forwards were sent after the kill');

    m = await start(m.port, dataDir); // the same URLs, so the same DID
    const delivered = await drain(m, bob);
    const sent = new Set(forwards.map((f) => f.id));
    assert.equal(new Set(delivered).size, delivered.length, 'nothing is delivered twice');
    assert.ok(delivered.every((id) => sent.has(id)));
    const lost = [...acknowledged].filter((id) => !delivered.includes(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged forwards were lost`);
    // Stored but never acknowledged is allowed (the 202 died with the process), no more.
    assert.ok(delivered.length >= acknowledged.size && delivered.length < forwards.length);
    t.diagnostic(`kill -9: ${acknowledged.size} acknowledged, ${delivered.length} delivered after restart, ${refused} refused`);
  } finally {
    m.child.kill('SIGKILL');
  }
});

test('SIGTERM stops the mediator with exit code 0; the next start keeps the DID', async () => {
  const dataDir = tempDir();
  const first = await start(0, dataDir);
  first.child.kill('SIGTERM');
  const [code] = await once(first.child, 'exit');
  assert.equal(code, 0);
  const second = await start(first.port, dataDir);
  try {
    assert.equal(second.did, first.did);
  } finally {
    second.child.kill('SIGKILL');
  }
});

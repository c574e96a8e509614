// A short run of the soak (mediator/soak.js): forwards at a steady rate to live Agents, the
// mediator killed with SIGKILL halfway and restarted; every acknowledged forward must reach
// the application exactly once (the script's exit code), and the counts must add up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SOAK = fileURLToPath(new URL('../mediator/soak.js', import.meta.url));

/** Runs the soak with `args`; resolves to `{ code, stdout, stderr }` whatever the exit code. */
const run = (args) => new Promise((resolve) => {
  execFile(process.execPath, [SOAK, ...args], { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
    resolve({ code: error ? (error.code ?? error.signal) : 0, stdout, stderr });
  });
});

test('soak: 12 s of forwards with a kill -9 halfway, every acknowledged one delivered once', { timeout: 100_000 }, async (t) => {
  const { code, stdout, stderr } = await run(['--seconds', '12', '--rate', '50', '--recipients', '5', '--json']);
  assert.equal(code, 0, `exit code ${code}\n${stdout}\n${stderr}`);
  const r = JSON.parse(stdout);
  const c = r.counts;
  assert.deepEqual(r.failures, []);
  assert.ok(c.acknowledged > 0, 'something was acknowledged');
  assert.equal(c.lost, 0);
  assert.equal(c.duplicates, 0);
  assert.equal(c.unknown, 0);
  assert.equal(c.leftQueued, 0);
  assert.ok(c.acknowledged <= c.sent && c.delivered <= c.sent, 'no more acknowledged or delivered than sent');
  assert.equal(c.delivered, c.acknowledged + c.deliveredUnacked, 'delivered = acknowledged + delivered-but-unacknowledged');
  assert.ok(c.posts > c.sent, 'sends failed while the mediator was down, and were retried');
  assert.ok(r.kill.killedAt > 0 && r.kill.restartedAt > r.kill.killedAt, 'a kill and a restart happened');
  assert.ok(r.kill.allLiveAt >= r.kill.restartedAt, 'the Agents were live again after the restart');
  t.diagnostic(`sent ${c.sent}, acknowledged ${c.acknowledged}, delivered ${c.delivered}, down ${r.kill.downSeconds} s`);
});

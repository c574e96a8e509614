// A throwaway redis-server for tests and the benchmark: Debian's binary, on 127.0.0.1, a free
// port and a temporary directory, with the append-only file on (`appendfsync` as given).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort() {
  const server = createServer();
  await new Promise((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * Starts `redis-server` and resolves once it accepts connections, to
 * `{ url, port, dir, child, stop() }`. `appendfsync`: 'always' (default: every write on disk
 * before its reply), 'everysec' or 'no'.
 */
export async function startRedis({ appendfsync = 'always', port, dir } = {}) {
  const workDir = dir ?? mkdtempSync(join(tmpdir(), 'mediator-redis-'));
  const listenPort = port ?? (await freePort());
  const args = [
    '--bind', '127.0.0.1', '--port', String(listenPort), '--dir', workDir,
    '--appendonly', 'yes', '--appendfsync', appendfsync, '--save', '',
    '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning',
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (l) => { output += `${l}\n`; });
  child.stderr.on('data', (d) => { output += d; });
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s: ${output}`)), 10_000);
    child.once('error', (e) => { clearTimeout(timer); fail(new Error(`redis-server could not run (${e.message}); install Debian's redis-server`)); });
    child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`redis-server exited (${code}): ${output}`)); });
    const probe = async () => {
      const { connect } = await import('node:net');
      const socket = connect(listenPort, '127.0.0.1');
      socket.once('connect', () => {
        socket.end('PING\r\n');
        clearTimeout(timer);
        child.removeAllListeners('exit');
        ok();
      });
      socket.once('error', () => setTimeout(probe, 50));
    };
    probe();
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await gone;
    }
    if (dir === undefined) rmSync(workDir, { recursive: true, force: true });
  };
  return { url: `redis://127.0.0.1:${listenPort}`, port: listenPort, dir: workDir, child, stop };
}

// The mediator as a child process (`node mediator/main.js`), for the benchmark, the
// durability tests and `npm start`: started, and known ready by its `started` log line.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/**
 * Starts a mediator process with `args` (main.js flags; `--port 0` picks a port) and
 * resolves once it has started, to `{ child, did, url, wsUrl, oobUrl, port, processId }`
 * (`processId` on a shared store only). Its stdout
 * (JSON lines) goes to `onLine` when given; stderr is kept for the error when it fails.
 */
export function spawnMediator(args, { onLine, timeoutMs = 30_000, nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the mediator did not start within ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the mediator exited (${signal ?? `code ${code}`}) before it started: ${stderr.trim()}`));
    });
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line;
      try {
        line = JSON.parse(text);
      } catch {
        return;
      }
      onLine?.(line);
      if (line.event === 'started') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        // `port` is where it listens; `url` may be a load balancer's in front of it.
        resolve({ child, did: line.did, url: line.url, wsUrl: line.wsUrl, oobUrl: line.oobUrl, port: line.port, processId: line.processId });
      }
    });
  });
}

/** SIGTERM (the mediator closes its store), then SIGKILL after `graceMs`; resolves once it is gone. */
export async function stopMediator(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

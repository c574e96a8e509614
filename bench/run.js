// The measurement both runners share (bench/node.js in Node, bench/browser.js in a Chromium
// page): check every case, then time interleaved rounds and take medians. Plain JS with no
// Node or DOM API, so that the page imports this very file.
import { CASES, expectedEnc, expectedFlags, message } from './cases.js';
import { median } from './stats.js';

/** Round settings: --quick is a smoke test of a few short rounds. */
export const ROUNDS = {
  quick: { rounds: 2, budgetMs: 20, warmupMs: 10 },
  full: { rounds: 7, budgetMs: 200, warmupMs: 100 },
};

// What the receiver must get back: the sender's headers and body (typ and the like may differ).
const COMPARED = ['id', 'type', 'from', 'to', 'created_time', 'body'];

/** Deep equality of JSON values (what unpack returns and the cases expect). */
function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

/** The JSON in a base64url segment (a JWE's protected header). */
function base64urlJson(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
}

/** Packs with `sender`, unpacks with `receiver` and checks the result; returns the packed message. */
async function roundTrip(sender, receiver, c, msg) {
  const packed = await sender.pack(c.send, msg);
  const outer = JSON.parse(packed);
  if (outer.recipients?.length !== c.recipients) {
    throw new Error(`${outer.recipients?.length} recipients, expected ${c.recipients}`);
  }
  const enc = outer.protected && base64urlJson(outer.protected).enc;
  if (enc !== expectedEnc(c.send)) throw new Error(`enc ${enc}, expected ${expectedEnc(c.send)}`);
  const { message: got, flags } = await receiver.unpack(packed);
  for (const key of COMPARED) {
    if (!sameJson(got[key], msg[key])) throw new Error(`unpacked ${key} differs`);
  }
  const expected = expectedFlags(c.send);
  if (!sameJson(flags, expected)) {
    throw new Error(`metadata ${JSON.stringify(flags)}, expected ${JSON.stringify(expected)}`);
  }
  return packed;
}

/**
 * One check per case and pair of libraries. Returns the message each library packed for its
 * own round trip (null when that failed: the library is not timed on the case) and the failures.
 */
async function verify(libs, c, msg) {
  const senders = c.shared ? libs : libs.slice(0, 1);
  const failures = [];
  const attempt = async (sender, receiver) => {
    try {
      return await roundTrip(sender, receiver, c, msg);
    } catch (e) {
      failures.push(`${c.name}: ${sender.name} → ${receiver.name}: ${e.message}`);
      return null;
    }
  };
  const packed = [];
  for (const lib of senders) packed.push(await attempt(lib, lib));
  if (c.shared) {
    await attempt(libs[0], libs[1]);
    await attempt(libs[1], libs[0]);
  }
  return { packed, failures };
}

/**
 * Runs `op` back to back for about `ms` milliseconds: its rate in operations per second. The
 * clock is read around a batch of calls, never one, so a coarse timer (a browser's) only
 * blurs the ends of the window.
 */
async function opsPerSecond(op, ms) {
  const start = performance.now();
  let n = 0;
  let elapsed;
  do {
    await op();
    n += 1;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (n * 1000) / elapsed;
}

/**
 * Checks and times every case on `libs` (ours first, then the peer: { name, pack, unpack }).
 * `pause`, when given, is awaited between timed windows (a page yields to its event loop).
 * `floor`, when given (bench/floor.js in Node), makes a case's primitive baseline from the
 * message ours packed: (case, message, packed) → { pack, unpack, describe } or null; it is
 * timed in the same rounds as the libraries. Returns one row per case and operation, with
 * each library's median rate (and the floor's, its time and ours over it), and the failures.
 */
export async function runCases(libs, { rounds, budgetMs, warmupMs }, pause = null, floor = null) {
  const failures = [];
  const rows = [];
  for (const c of CASES) {
    const msg = message(c.bodyBytes);
    const check = await verify(libs, c, msg);
    failures.push(...check.failures);
    const interop = c.shared ? check.failures.length === 0 : null;
    const ops = (build) => libs.map((lib, k) => (check.packed[k] ? build(lib, check.packed[k]) : null));
    // The floor is the third op of a row (none for plaintext, nor when ours failed the check).
    const base = floor && check.packed[0] ? floor(c, msg, check.packed[0]) : null;
    const row = (op, build) => ({
      name: `${c.name} ${op}`, shared: c.shared, interop, ops: [...ops(build), base?.[op] ?? null],
      primitives: base?.describe[op] ?? null,
    });
    rows.push(row('pack', (lib) => () => lib.pack(c.send, msg)));
    rows.push(row('unpack', (lib, packed) => () => lib.unpack(packed)));
  }

  // Rounds run every row for both libraries and the floor in turn (the order flips each
  // round), so a slow stretch of the machine lands on all rather than on one library's whole
  // run. Round -1 is the warm-up (JIT and wasm tier-up), not recorded.
  const samples = rows.map(() => [[], [], []]);
  for (let round = -1; round < rounds; round += 1) {
    const ms = round < 0 ? warmupMs : budgetMs;
    for (const [i, row] of rows.entries()) {
      const order = round % 2 ? [2, 1, 0] : [0, 1, 2];
      for (const k of order) {
        if (!row.ops[k]) continue;
        if (pause) await pause();
        const rate = await opsPerSecond(row.ops[k], ms);
        if (round >= 0) samples[i][k].push(rate);
      }
    }
  }

  const cases = rows.map((row, i) => {
    const [ours, peer, base] = samples[i].map((s) => (s.length ? median(s) : null));
    const ratio = ours && peer ? ours / peer : null;
    const result = { case: row.name, shared: row.shared, [libs[0].name]: ours, [libs[1].name]: peer, ratio, interop: row.interop };
    if (!floor) return result;
    // overhead = our time per op / the floor's = the floor's rate / ours.
    const overhead = ours && base ? base / ours : null;
    return { ...result, floorOpsPerSecond: base, floorUs: base ? 1e6 / base : null, overhead, floorPrimitives: row.primitives };
  });
  return { cases, failures };
}

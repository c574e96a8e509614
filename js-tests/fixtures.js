// Node-side fixtures: the spec vectors from ../shared/vectors/spec (or $DIDCOMM_VECTORS/spec
// when set), and the check every error test uses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DIDCommError } from 'didcomm-wasm';
import { FIXTURE_FILES } from './suite.js';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const vectorsDir = `${process.env.DIDCOMM_VECTORS ?? `${root}/../shared/vectors`}/spec`;

export function fixtureFiles() {
  return Object.fromEntries(FIXTURE_FILES.map((name) => [name, readFileSync(`${vectorsDir}/${name}`, 'utf8')]));
}

export const json = (name) => JSON.parse(readFileSync(`${vectorsDir}/${name}`, 'utf8'));

/** For assert.rejects / assert.throws: a DIDCommError with `code` (and a message matching `needle`), not a trap. */
export function isDIDCommError(code, needle) {
  return (e) => {
    assert.ok(e instanceof DIDCommError, `expected a DIDCommError, got ${e?.stack ?? e}`);
    assert.equal(e.name, 'DIDCommError');
    assert.equal(e.code, code, e.message);
    if (needle) assert.match(e.message, needle);
    assert.doesNotMatch(e.message, /unreachable|memory access out of bounds|RuntimeError/);
    return true;
  };
}

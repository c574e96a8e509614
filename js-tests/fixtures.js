// Node-side fixture loading: the spec vectors from ../shared/vectors/spec, or
// $DIDCOMM_VECTORS/spec when set.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FIXTURE_FILES } from './suite.js';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const vectorsDir = `${process.env.DIDCOMM_VECTORS ?? `${root}/../shared/vectors`}/spec`;

export function fixtureFiles() {
  return Object.fromEntries(FIXTURE_FILES.map((name) => [name, readFileSync(`${vectorsDir}/${name}`, 'utf8')]));
}

export const json = (name) => JSON.parse(readFileSync(`${vectorsDir}/${name}`, 'utf8'));

// The spec vectors both libraries run on: Alice's and Bob's DID documents and secrets from
// ../shared/vectors/spec (or $DIDCOMM_VECTORS/spec), as js-tests/fixtures.js finds them.
// Kept apart from js-tests so that a cold-start child of didcomm-node never loads this package.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
const vectorsDir = `${process.env.DIDCOMM_VECTORS ?? `${root}/../shared/vectors`}/spec`;
export const vector = (name) => readFileSync(`${vectorsDir}/${name}`, 'utf8');
const json = (name) => JSON.parse(vector(name));

export function loadFixtures() {
  return {
    docs: [json('diddoc-alice.json'), json('diddoc-bob.json')],
    aliceSecrets: json('secrets-alice.json'),
    bobSecrets: json('secrets-bob.json'),
  };
}

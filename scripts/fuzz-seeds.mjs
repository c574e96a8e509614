// Seed corpora for the fuzz targets (fuzz/fuzz_targets), from the spec's and the DID test
// vectors in ../shared/vectors (or $DIDCOMM_VECTORS): one file per seed in
// fuzz/corpus/<target>/. The corpora are generated, not committed; libFuzzer adds to them.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vectors = process.env.DIDCOMM_VECTORS ?? `${root}/../shared/vectors`;
const read = (path) => readFileSync(`${vectors}/${path}`, 'utf8');
const files = (dir) => readdirSync(`${vectors}/${dir}`).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`);

/** Every value in `value` (deeply) that `keep` accepts. */
function collect(value, keep, out = []) {
  if (keep(value)) out.push(value);
  if (value && typeof value === 'object') for (const v of Object.values(value)) collect(v, keep, out);
  return out;
}

const seeds = { unpack: [], did_document: [], did_methods: [], oob_url: [], messages: [] };
const spec = files('spec');
const did = [...files('did/key'), ...files('did/peer')];
for (const path of spec) {
  const text = read(path);
  const value = JSON.parse(text);
  if (/^(anon|auth|signed|plaintext)/.test(path.split('/')[1])) {
    // unpack's first byte is its options: none, and unwrapReWrappingForward.
    seeds.unpack.push(`\u0000${text}`, `\u0002${text}`);
  }
  if (path.includes('diddoc')) seeds.did_document.push(text);
  if (path.endsWith('plaintext.json')) seeds.messages.push(text);
  for (const id of collect(value, (v) => typeof v === 'string' && v.startsWith('did:'))) seeds.did_methods.push(id);
}
for (const path of did) {
  const value = JSON.parse(read(path));
  for (const id of collect(value, (v) => typeof v === 'string' && /^did:(key|peer):/.test(v))) seeds.did_methods.push(id);
  for (const doc of collect(value, (v) => v && typeof v === 'object' && typeof v.id === 'string' && (v.verificationMethod || v.keyAgreement))) {
    seeds.did_document.push(JSON.stringify(doc));
  }
}
seeds.did_methods.push('did:web:example.com', 'did:web:example.com%3A8443:user:alice');

// Protocol messages the mediator and agents exchange.
const base = { id: '1', from: 'did:example:alice', to: ['did:example:bob'], created_time: 1 };
const protocol = (type, body, extra = {}) => JSON.stringify({ ...base, type, body, ...extra });
seeds.messages.push(
  protocol('https://didcomm.org/routing/2.0/forward', { next: 'did:example:bob' }, { attachments: [{ id: 'a', data: { json: { protected: 'e30' } } }] }),
  protocol('https://didcomm.org/trust-ping/2.0/ping', { response_requested: true }),
  protocol('https://didcomm.org/discover-features/2.0/queries', { queries: [{ 'feature-type': 'protocol', match: '*' }] }),
  protocol('https://didcomm.org/coordinate-mediation/3.0/recipient-update', { updates: [{ recipient_did: 'did:example:bob', action: 'add' }] }),
  protocol('https://didcomm.org/messagepickup/3.0/delivery-request', { limit: 10 }),
  protocol('https://didcomm.org/report-problem/2.0/problem-report', { code: 'e.p.xfer.cant-use-endpoint', comment: '{1}', args: ['x'] }, { pthid: 'p' }),
  protocol('https://didcomm.org/basicmessage/2.0/message', { content: 'hi' }, { lang: 'en' }),
  protocol('https://didcomm.org/out-of-band/2.0/invitation', { goal_code: 'connect', accept: ['didcomm/v2'] }),
);
const invitation = JSON.stringify({ id: 'i', type: 'https://didcomm.org/out-of-band/2.0/invitation', from: 'did:example:alice', body: { goal_code: 'connect', accept: ['didcomm/v2'] } });
seeds.oob_url.push(`https://example.com/path?_oob=${Buffer.from(invitation).toString('base64url')}`);

for (const [target, list] of Object.entries(seeds)) {
  const dir = `${root}/fuzz/corpus/${target}`;
  mkdirSync(dir, { recursive: true });
  for (const seed of new Set(list)) {
    writeFileSync(`${dir}/seed-${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`, seed);
  }
  console.log(`${target}: ${new Set(list).size} seeds`);
}

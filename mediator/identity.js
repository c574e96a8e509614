// The mediator's own DID and secrets, kept in the data dir (identity.json, mode 0600), or in
// the shared store when several processes are one mediator.
//
// The DID is a did:peer:2 (X25519 key agreement, Ed25519 authentication, a DIDCommMessaging
// service for the HTTP URL and one for the WebSocket URL, unless WebSocket is off). A did:peer:2 spells out its
// services, so when the public URLs change the mediator takes a new DID; it keeps the
// secrets of the earlier ones, so forwards wrapped for an old routing key still unpack.
import { readFileSync, writeFileSync, renameSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createPeerDID, SecretsStore } from 'didcomm-wasm';

const FILE = 'identity.json';

/**
 * Loads the identity for `{ httpUrl, wsUrl }` (wsUrl null: no WebSocket) from `dataDir`, creating (and saving) one when
 * there is none or its URLs differ. Returns `{ did, dids, secrets: SecretsStore, created }`:
 * `dids` are the current DID and every earlier one.
 */
export function loadIdentity(dataDir, urls) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, FILE);
  const saved = existsSync(path) ? checked(JSON.parse(readFileSync(path, 'utf8')), path) : null;
  if (matches(saved, urls)) return identityOf(saved, false);
  const record = successor(saved, urls);
  // Write then rename, so a crash never leaves half a file.
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return identityOf(record, true);
}

/**
 * The same, kept in a shared store (`getIdentity`, `putIdentity(record, expected)`:
 * RedisStore), so that every process of one mediator presents the same DID and keys. The
 * first process to start with new URLs makes the DID; the others read it (compare-and-set).
 */
export async function loadSharedIdentity(store, urls) {
  for (;;) {
    const saved = await store.getIdentity();
    if (saved !== null) checked(saved, 'the store\'s identity');
    if (matches(saved, urls)) return identityOf(saved, false);
    const record = successor(saved, urls);
    if (await store.putIdentity(record, saved)) return identityOf(record, true);
  }
}

function checked(saved, where) {
  if (saved.version !== 1 || typeof saved.did !== 'string' || !Array.isArray(saved.secrets)) {
    throw new Error(`${where}: not a mediator identity (version 1)`);
  }
  return saved;
}

const matches = (saved, { httpUrl, wsUrl }) => saved !== null && saved.httpUrl === httpUrl && (saved.wsUrl ?? null) === wsUrl;

const identityOf = (record, created) => ({
  did: record.did,
  dids: [record.did, ...record.previous.map((p) => p.did)],
  secrets: SecretsStore.import(record.secrets),
  created,
});

/** A new DID for `urls`, keeping the secrets of `saved`'s (so forwards for them still unpack). */
function successor(saved, { httpUrl, wsUrl }) {
  const accept = ['didcomm/v2'];
  const fresh = createPeerDID({
    agreement: ['X25519'],
    authentication: ['Ed25519'],
    services: [{ uri: httpUrl, accept }, ...(wsUrl ? [{ uri: wsUrl, accept }] : [])],
  });
  const previous = saved ? [{ did: saved.did, httpUrl: saved.httpUrl, wsUrl: saved.wsUrl }, ...saved.previous] : [];
  const secrets = [...fresh.secrets, ...(saved?.secrets ?? [])];
  return { version: 1, did: fresh.did, httpUrl, wsUrl, secrets, previous };
}

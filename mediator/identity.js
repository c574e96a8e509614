// The mediator's own DID and secrets, kept in the data dir (identity.json, mode 0600).
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
export function loadIdentity(dataDir, { httpUrl, wsUrl }) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, FILE);
  let saved = null;
  if (existsSync(path)) {
    saved = JSON.parse(readFileSync(path, 'utf8'));
    if (saved.version !== 1 || typeof saved.did !== 'string' || !Array.isArray(saved.secrets)) {
      throw new Error(`${path}: not a mediator identity file (version 1)`);
    }
    if (saved.httpUrl === httpUrl && (saved.wsUrl ?? null) === wsUrl) {
      return { did: saved.did, dids: [saved.did, ...saved.previous.map((p) => p.did)], secrets: SecretsStore.import(saved.secrets), created: false };
    }
  }
  const accept = ['didcomm/v2'];
  const fresh = createPeerDID({
    agreement: ['X25519'],
    authentication: ['Ed25519'],
    services: [{ uri: httpUrl, accept }, ...(wsUrl ? [{ uri: wsUrl, accept }] : [])],
  });
  const previous = saved ? [{ did: saved.did, httpUrl: saved.httpUrl, wsUrl: saved.wsUrl }, ...saved.previous] : [];
  const secrets = [...fresh.secrets, ...(saved?.secrets ?? [])];
  const record = { version: 1, did: fresh.did, httpUrl, wsUrl, secrets, previous };
  // Write then rename, so a crash never leaves half a file.
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return { did: fresh.did, dids: [fresh.did, ...previous.map((p) => p.did)], secrets: SecretsStore.import(secrets), created: true };
}

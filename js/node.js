// Node entry: the nodejs build loads its .wasm synchronously, so the API is ready at import.
import { createRequire } from 'node:module';
import { createApi } from './api.js';
import { createAgent } from './agent.js';
import { createNodeBackend } from './crypto/node.js';

const wasm = createRequire(import.meta.url)('../pkg/node/didcomm_wasm.js');

const api = createApi(wasm, createNodeBackend());
export const {
  DIDComm, SecretsStore, resolveDID, createPeerDID, createKeyDID, generateKey, parseForward, wasmMemoryBytes,
  httpPost, Socket, useCrypto, platformCrypto,
} = api;
// Pure: a bundle that never uses Agent drops it, and the protocol modules it needs.
export const Agent = /* @__PURE__ */ createAgent(api);
export { DIDCommError } from './error.js';
export * from './protocols.js';

// Browser and bundler entry: fetches the .wasm that sits beside the glue (bundlers copy
// it as an asset) and initializes before the module finishes loading.
import init, * as wasm from '../pkg/web/didcomm_wasm.js';
import { createApi } from './api.js';
import { createAgent } from './agent.js';
import { createWebBackend } from './crypto/web.js';

await init();

const api = createApi(wasm, createWebBackend());
export const {
  DIDComm, SecretsStore, resolveDID, createPeerDID, createKeyDID, generateKey, parseForward, wasmMemoryBytes,
  httpPost, Socket, useCrypto, platformCrypto, DEFAULT_LIMITS,
} = api;
// Pure: a bundle that never uses Agent drops it, and the protocol modules it needs.
export const Agent = /* @__PURE__ */ createAgent(api);
export { DIDCommError } from './error.js';
export * from './protocols.js';

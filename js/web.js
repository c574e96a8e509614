// Browser and bundler entry: fetches the .wasm that sits beside the glue (bundlers copy
// it as an asset) and initializes before the module finishes loading.
import init, * as wasm from '../pkg/web/didcomm_wasm.js';
import { createApi } from './api.js';

await init();

export const {
  DIDComm, SecretsStore, resolveDID, createPeerDID, createKeyDID, generateKey, parseForward, wasmMemoryBytes,
  httpPost, Socket,
} = createApi(wasm);
export { DIDCommError } from './error.js';
export * from './protocols.js';

// Node entry: the nodejs build loads its .wasm synchronously, so the API is ready at import.
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { createApi } from './api.js';
import { createAgent } from './agent.js';
import { createNodeBackend } from './crypto/node.js';

// V8 (Node 20's 11.3 at least) aborts the process ("Fatal error: unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when an optimized function that inlined a call
// into the wasm returning a JS value is deoptimized lazily during that call: a hot loop of
// packEncrypted does it within seconds (js-tests/v8-deopt.test.js). Not inlining JS→wasm
// calls avoids it; each call costs a few nanoseconds more, against microseconds of work.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

// Our wasm is validated function by function as each is first compiled, rather than all
// of it at import: 2.8 ms instead of 4.5 to load it here. Only while it loads: any other
// module then compiles with the full check at once, as V8 does by default.
setFlagsFromString('--wasm-lazy-validation');
const wasm = createRequire(import.meta.url)('../pkg/node/didcomm_wasm.js');
setFlagsFromString('--no-wasm-lazy-validation');

// Long ASCII text (packed messages) becomes a JS string 7x faster than by TextDecoder.
wasm.useAsciiDecoder((memory, offset, length) => Buffer.from(memory.buffer, offset, length).toString('latin1'));

const api = createApi(wasm, createNodeBackend());
export const {
  DIDComm, SecretsStore, resolveDID, createPeerDID, createKeyDID, generateKey, parseForward, wasmMemoryBytes,
  httpPost, Socket, useCrypto, platformCrypto, DEFAULT_LIMITS,
} = api;
// Pure: a bundle that never uses Agent drops it, and the protocol modules it needs.
export const Agent = /* @__PURE__ */ createAgent(api);
export { DIDCommError } from './error.js';
export * from './protocols.js';

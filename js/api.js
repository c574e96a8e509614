// The public API over one wasm build (web or nodejs). A thin layer: argument checks that
// give DIDCommError instead of wasm glue errors, and error conversion. All DIDComm work
// happens in the Rust core.
import { DIDCommError, toDIDCommError } from './error.js';

const illegal = (message) => new DIDCommError('ERR_ILLEGAL_ARGUMENT', message);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

async function call(fn) {
  try {
    return await fn();
  } catch (e) {
    throw toDIDCommError(e);
  }
}

function sync(fn) {
  try {
    return fn();
  } catch (e) {
    throw toDIDCommError(e);
  }
}

export function createApi(wasm) {
  const storeCores = new WeakMap();

  /** An in-memory secrets store; the keys live inside wasm and never come back out. */
  class SecretsStore {
    constructor(jwks = []) {
      if (!Array.isArray(jwks)) throw illegal('new SecretsStore(jwks): jwks must be an array of private JWKs');
      storeCores.set(this, new wasm.SecretsStoreCore());
      for (const jwk of jwks) this.add(jwk);
    }

    /** Adds or replaces a private JWK (with `kid`). Returns the store. */
    add(jwk) {
      if (!isObject(jwk)) throw illegal('SecretsStore.add(jwk): jwk must be a private JWK object');
      sync(() => storeCores.get(this).add(jwk));
      return this;
    }

    /** Removes the secret for `kid`; true if there was one. */
    remove(kid) {
      if (typeof kid !== 'string') throw illegal('SecretsStore.remove(kid): kid must be a string');
      return storeCores.get(this).remove(kid);
    }

    has(kid) {
      return typeof kid === 'string' && storeCores.get(this).has(kid);
    }

    /** The kids held, sorted. */
    kids() {
      return storeCores.get(this).kids();
    }
  }

  class DIDComm {
    #core;

    /**
     * @param {{ didResolver: object, secretsResolver: object }} options
     */
    constructor(options) {
      if (!isObject(options)) {
        throw illegal('new DIDComm(options): options must be { didResolver, secretsResolver }');
      }
      const { didResolver, secretsResolver } = options;
      this.#core = sync(() => {
        if (secretsResolver instanceof SecretsStore) {
          return wasm.DIDCommCore.withStore(didResolver, storeCores.get(secretsResolver));
        }
        return new wasm.DIDCommCore(didResolver, secretsResolver);
      });
    }

    packPlaintext(message) {
      return call(() => this.#core.packPlaintext(message));
    }

    packSigned(message, options) {
      return call(() => this.#core.packSigned(message, options));
    }

    packEncrypted(message, options) {
      return call(() => this.#core.packEncrypted(message, options));
    }

    unpack(packed, options = {}) {
      return call(() => this.#core.unpack(packed, options));
    }
  }

  /** Bytes of wasm linear memory (it never shrinks; a leak shows as growth). */
  const wasmMemoryBytes = () => wasm.wasmMemoryBytes();

  return { DIDComm, SecretsStore, wasmMemoryBytes };
}

/**
 * Every rejection of this package is a DIDCommError with a stable `code`
 * (the list is in README.md and index.d.ts).
 */
export class DIDCommError extends Error {
  /**
   * @param {string} code stable error code, e.g. 'ERR_MALFORMED'
   * @param {string} message what was wrong, and where
   * @param {{ cause?: unknown }} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    this.name = 'DIDCommError';
    this.code = code;
  }
}

/** Turns whatever a call threw into a DIDCommError. */
export function toDIDCommError(e) {
  if (e instanceof DIDCommError) return e;
  // The wasm core rejects with plain { code, message, cause? } objects.
  if (e !== null && typeof e === 'object' && !(e instanceof Error)
      && typeof e.code === 'string' && typeof e.message === 'string') {
    const error = new DIDCommError(e.code, e.message, 'cause' in e ? { cause: e.cause } : undefined);
    // An HTTP error status (httpPost): the status and the start of the body.
    if (typeof e.status === 'number') error.status = e.status;
    if (typeof e.body === 'string') error.body = e.body;
    return error;
  }
  if (e instanceof WebAssembly.RuntimeError) {
    return new DIDCommError('ERR_INTERNAL', `wasm trap: ${e.message}`, { cause: e });
  }
  return new DIDCommError('ERR_ILLEGAL_ARGUMENT', String(e?.message ?? e), { cause: e });
}

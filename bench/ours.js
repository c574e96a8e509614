// didcomm-wasm behind the interface the benchmark drives: Alice packs, Bob unpacks.
// Secrets sit in a SecretsStore (inside wasm), the way this package is meant to be used.
import { DIDComm, SecretsStore, wasmMemoryBytes } from 'didcomm-wasm';

export const name = 'didcomm-wasm';
export { wasmMemoryBytes };

export function open({ docs, aliceSecrets, bobSecrets }) {
  const byId = new Map(docs.map((doc) => [doc.id, doc]));
  const didResolver = { resolve: async (did) => byId.get(did) ?? null };
  const alice = new DIDComm({ didResolver, secretsResolver: new SecretsStore(aliceSecrets) });
  const bob = new DIDComm({ didResolver, secretsResolver: new SecretsStore(bobSecrets) });
  return {
    async pack({ kind, to, from, signBy, protectSender, encAlgAnon }, message) {
      if (kind === 'plaintext') return alice.packPlaintext(message);
      if (kind === 'signed') return (await alice.packSigned(message, { signBy })).packed;
      const options = { to, from, signBy, protectSender, encAlgAnon, forward: false };
      return (await alice.packEncrypted(message, options)).packed;
    },
    async unpack(packed) {
      const { message, metadata: m } = await bob.unpack(packed);
      const flags = {
        encrypted: m.encrypted, authenticated: m.authenticated, nonRepudiation: m.nonRepudiation,
        anonymousSender: m.anonymousSender,
      };
      return { message, flags };
    },
  };
}

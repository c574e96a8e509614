// didcomm-node 0.4.1 (didcomm-rust's wasm, its Node build) behind the same interface as ours.js.
import { createRequire } from 'node:module';
import { openPeer } from './peer-adapter.js';

const { Message } = createRequire(import.meta.url)('didcomm-node');

export const name = 'didcomm-node';

export const open = (fixtures) => openPeer(Message, fixtures);

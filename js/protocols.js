// The protocol messages of DIDComm v2.1 (see README, "Protocols"): plain JS builders and
// parsers over message objects, one namespace per protocol; no wasm involved.
export * as threading from './protocols/threading.js';
export * as attachments from './protocols/attachments.js';
export * as trustPing from './protocols/trust-ping.js';
export * as discoverFeatures from './protocols/discover-features.js';
export * as outOfBand from './protocols/out-of-band.js';
export * as problemReport from './protocols/problem-report.js';
export * as basicMessage from './protocols/basic-message.js';
export * as empty from './protocols/empty.js';
export * as mediation from './protocols/mediation.js';
export * as pickup from './protocols/pickup.js';
export { FeatureRegistry } from './protocols/discover-features.js';

// Discover features 2.0: queries → disclose (thid), with a registry of what we support.
import {
  illegal, malformed, isObject, isString, matchType, newMessage, opts, checkMessage, bodyOf, idOf, stringList,
} from './util.js';
import { reply } from './threading.js';

export const QUERIES = 'https://didcomm.org/discover-features/2.0/queries';
export const DISCLOSE = 'https://didcomm.org/discover-features/2.0/disclose';
const FEATURE_TYPES = ['protocol', 'goal-code', 'header'];

/** `*` matches any run of characters; everything else literally. */
function glob(pattern) {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

export class FeatureRegistry {
  /** @param {{ protocols?: ({ id: string, roles?: string[] } | string)[], goalCodes?: string[], headers?: string[] }} [features] */
  constructor({ protocols = [], goalCodes = [], headers = [] } = {}) {
    if (!Array.isArray(protocols)) throw illegal('FeatureRegistry: protocols must be an array');
    this.protocols = protocols.map((p, i) => {
      const entry = isString(p) ? { id: p } : p;
      if (!isObject(entry) || !isString(entry.id) || entry.id === '') throw illegal(`FeatureRegistry: protocols[${i}].id must be a string`);
      if (entry.roles !== undefined && (!Array.isArray(entry.roles) || entry.roles.some((r) => !isString(r)))) {
        throw illegal(`FeatureRegistry: protocols[${i}].roles must be an array of strings`);
      }
      return entry.roles === undefined ? { id: entry.id } : { id: entry.id, roles: [...entry.roles] };
    });
    for (const [name, list] of [['goalCodes', goalCodes], ['headers', headers]]) {
      if (!Array.isArray(list) || list.some((s) => !isString(s) || s === '')) throw illegal(`FeatureRegistry: ${name} must be an array of strings`);
    }
    this.goalCodes = [...goalCodes];
    this.headers = [...headers];
  }

  /** The disclosures answering one query `{ featureType, match }`; [] for unknown feature types. */
  matches(query) {
    if (!isObject(query) || !isString(query.featureType) || !isString(query.match)) {
      throw illegal('FeatureRegistry.matches: query must be { featureType, match } with strings');
    }
    const re = glob(query.match);
    const { featureType } = query;
    if (featureType === 'protocol') {
      return this.protocols.filter((p) => re.test(p.id))
        .map((p) => (p.roles ? { featureType, id: p.id, roles: [...p.roles] } : { featureType, id: p.id }));
    }
    const list = featureType === 'goal-code' ? this.goalCodes : featureType === 'header' ? this.headers : [];
    return list.filter((id) => re.test(id)).map((id) => ({ featureType, id }));
  }
}

/** A queries message: `queries: [{ featureType, match }]`. */
export function queries(options) {
  const o = opts(options, 'discoverFeatures.queries');
  if (!Array.isArray(o.queries) || o.queries.length === 0) throw illegal('discoverFeatures.queries: queries must be a non-empty array');
  const list = o.queries.map((q, i) => {
    if (!isObject(q) || !FEATURE_TYPES.includes(q.featureType)) {
      throw illegal(`discoverFeatures.queries: queries[${i}].featureType must be protocol, goal-code or header`);
    }
    if (!isString(q.match) || q.match === '') throw illegal(`discoverFeatures.queries: queries[${i}].match must be a non-empty string`);
    return { 'feature-type': q.featureType, match: q.match };
  });
  return newMessage(QUERIES, { queries: list }, o);
}

/** The disclose reply (thid) to a queries message, answered from `registry`; unknown feature types are ignored. */
export function disclose(queriesMessage, registry, options) {
  const parsed = parse(queriesMessage);
  if (parsed?.kind !== 'queries') throw illegal('discoverFeatures.disclose: the message replied to must be a discover-features queries');
  if (!registry || typeof registry.matches !== 'function') throw illegal('discoverFeatures.disclose: registry must be a FeatureRegistry');
  const seen = new Set();
  const disclosures = [];
  for (const q of parsed.queries) {
    for (const d of registry.matches(q)) {
      const key = `${d.featureType}\n${d.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const wire = { 'feature-type': d.featureType, id: d.id };
      if (d.roles) wire.roles = [...d.roles];
      disclosures.push(wire);
    }
  }
  const o = opts(options, 'discoverFeatures.disclose');
  return reply(queriesMessage, DISCLOSE, { disclosures }, { from: o.from });
}

/** `{ kind: 'queries', queries }` | `{ kind: 'disclose', thid?, disclosures }`, or null for another type. */
export function parse(message) {
  checkMessage(message);
  const t = matchType(message.type, 'discover-features', [2]);
  if (!t) return null;
  const id = idOf(message);
  const body = bodyOf(message);
  if (t.name === 'queries') {
    if (!Array.isArray(body.queries)) throw malformed('queries: body.queries must be an array');
    const list = body.queries.map((q, i) => {
      if (!isObject(q) || !isString(q['feature-type'])) throw malformed(`queries: body.queries[${i}].feature-type must be a string`);
      if (!isString(q.match)) throw malformed(`queries: body.queries[${i}].match must be a string`);
      return { featureType: q['feature-type'], match: q.match };
    });
    return { kind: 'queries', id, queries: list };
  }
  if (t.name === 'disclose') {
    if (!Array.isArray(body.disclosures)) throw malformed('disclose: body.disclosures must be an array');
    const disclosures = body.disclosures.map((d, i) => {
      if (!isObject(d) || !isString(d['feature-type'])) throw malformed(`disclose: body.disclosures[${i}].feature-type must be a string`);
      if (!isString(d.id)) throw malformed(`disclose: body.disclosures[${i}].id must be a string`);
      const out = { featureType: d['feature-type'], id: d.id };
      if (d.roles !== undefined && d.roles !== null) out.roles = stringList(d.roles, `disclose: body.disclosures[${i}].roles`);
      return out;
    });
    const out = { kind: 'disclose', id, disclosures };
    if (isString(message.thid)) out.thid = message.thid;
    return out;
  }
  return null; // a name this protocol version does not define
}

// Coordinate mediation 2.0 and 3.0. One builder per message with a `version` option (2 or 3;
// a reply defaults to the version of the message it answers); one parser for both versions.
import {
  illegal, malformed, isObject, isString, typeUri, matchType, newMessage, opts, checkMessage, bodyOf, idOf,
  optNumber, put, checkOptInt,
} from './util.js';
import { reply } from './threading.js';

const PROTOCOL = 'coordinate-mediation';
const ACTIONS = ['add', 'remove'];
const RESULTS = ['success', 'no_change', 'client_error', 'server_error'];
/** Message names by role and version. */
const NAMES = {
  request: { 2: 'mediate-request', 3: 'mediate-request' },
  grant: { 2: 'mediate-grant', 3: 'mediate-grant' },
  deny: { 2: 'mediate-deny', 3: 'mediate-deny' },
  update: { 2: 'keylist-update', 3: 'recipient-update' },
  updateResponse: { 2: 'keylist-update-response', 3: 'recipient-update-response' },
  query: { 2: 'keylist-query', 3: 'recipient-query' },
  list: { 2: 'keylist', 3: 'recipient' },
};
/** The role of a message name in a version, or undefined. */
const roleOf = (version, name) => Object.keys(NAMES).find((role) => NAMES[role][version] === name);

export const typeOf = (name, version) => typeUri(PROTOCOL, `${version}.0`, name);

function checkVersion(version, what) {
  if (version !== 2 && version !== 3) throw illegal(`${what}: version must be 2 or 3, not ${JSON.stringify(version)}`);
  return version;
}

/** A reply's version: the option, else the version of the message replied to. */
function replyVersion(parent, version, what) {
  if (version !== undefined) return checkVersion(version, what);
  const t = isObject(parent) ? matchType(parent.type, PROTOCOL, [2, 3]) : null;
  if (!t) throw illegal(`${what}: the message replied to is not a coordinate-mediation message; pass version`);
  return t.major;
}

function checkDidList(list, field) {
  if (!Array.isArray(list)) throw illegal(`${field} must be an array`);
  return list.map((entry, i) => {
    const did = isObject(entry) ? entry.recipientDid : entry;
    if (!isString(did) || did === '') throw illegal(`${field}[${i}].recipientDid must be a non-empty string`);
    return did;
  });
}

function checkPaging(value, keys, field) {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw illegal(`${field} must be an object`);
  const out = {};
  for (const k of keys) put(out, k, checkOptInt(value[k], `${field}.${k}`));
  return out;
}

// --- builders ---

export function mediateRequest(options) {
  const o = opts(options, 'mediation.mediateRequest');
  const v = checkVersion(o.version ?? 2, 'mediation.mediateRequest');
  return newMessage(typeOf(NAMES.request[v], v), {}, o);
}

/** Grant: routing_did a string in 2.0 (one DID), an array in 3.0. */
export function mediateGrant(request, options) {
  const o = opts(options, 'mediation.mediateGrant');
  const v = replyVersion(request, o.version, 'mediation.mediateGrant');
  const dids = checkDidList(isString(o.routingDid) ? [o.routingDid] : o.routingDid, 'mediation.mediateGrant: routingDid');
  if (v === 2 && dids.length !== 1) throw illegal('mediation.mediateGrant: routingDid of 2.0 is one DID');
  return reply(request, typeOf(NAMES.grant[v], v), { routing_did: v === 2 ? dids[0] : dids }, { from: o.from });
}

export function mediateDeny(request, options) {
  const o = opts(options, 'mediation.mediateDeny');
  const v = replyVersion(request, o.version, 'mediation.mediateDeny');
  return reply(request, typeOf(NAMES.deny[v], v), {}, { from: o.from });
}

function update(options, what, defaultVersion) {
  const o = opts(options, what);
  const v = checkVersion(o.version ?? defaultVersion, what);
  if (!Array.isArray(o.updates)) throw illegal(`${what}: updates must be an array`);
  const updates = o.updates.map((u, i) => {
    if (!isObject(u) || !isString(u.recipientDid) || u.recipientDid === '') throw illegal(`${what}: updates[${i}].recipientDid must be a non-empty string`);
    if (!ACTIONS.includes(u.action)) throw illegal(`${what}: updates[${i}].action must be add or remove`);
    return { recipient_did: u.recipientDid, action: u.action };
  });
  return newMessage(typeOf(NAMES.update[v], v), { updates }, o);
}

function updateResponse(updateMessage, options, what) {
  const o = opts(options, what);
  const v = replyVersion(updateMessage, o.version, what);
  if (!Array.isArray(o.updated)) throw illegal(`${what}: updated must be an array`);
  const updated = o.updated.map((u, i) => {
    if (!isObject(u) || !isString(u.recipientDid) || u.recipientDid === '') throw illegal(`${what}: updated[${i}].recipientDid must be a non-empty string`);
    if (!ACTIONS.includes(u.action)) throw illegal(`${what}: updated[${i}].action must be add or remove`);
    if (!RESULTS.includes(u.result)) throw illegal(`${what}: updated[${i}].result must be success, no_change, client_error or server_error`);
    return { recipient_did: u.recipientDid, action: u.action, result: u.result };
  });
  return reply(updateMessage, typeOf(NAMES.updateResponse[v], v), { updated }, { from: o.from });
}

function query(options, what, defaultVersion) {
  const o = opts(options, what);
  const v = checkVersion(o.version ?? defaultVersion, what);
  const body = {};
  put(body, 'paginate', checkPaging(o.paginate, ['limit', 'offset'], `${what}: paginate`));
  return newMessage(typeOf(NAMES.query[v], v), body, o);
}

function list(queryMessage, options, what, field) {
  const o = opts(options, what);
  const v = replyVersion(queryMessage, o.version, what);
  const dids = checkDidList(o[field] ?? o[field === 'keys' ? 'dids' : 'keys'], `${what}: ${field}`);
  const body = { [v === 2 ? 'keys' : 'dids']: dids.map((d) => ({ recipient_did: d })) };
  put(body, 'pagination', checkPaging(o.pagination, ['count', 'offset', 'remaining'], `${what}: pagination`));
  return reply(queryMessage, typeOf(NAMES.list[v], v), body, { from: o.from });
}

/** keylist-update (2.0) / recipient-update (3.0): `updates: [{ recipientDid, action }]`. Default version 2. */
export const keylistUpdate = (options) => update(options, 'mediation.keylistUpdate', 2);
/** recipient-update (3.0) / keylist-update (2.0). Default version 3. */
export const recipientUpdate = (options) => update(options, 'mediation.recipientUpdate', 3);
export const keylistUpdateResponse = (msg, options) => updateResponse(msg, options, 'mediation.keylistUpdateResponse');
export const recipientUpdateResponse = (msg, options) => updateResponse(msg, options, 'mediation.recipientUpdateResponse');
/** keylist-query (2.0) / recipient-query (3.0), with optional `paginate: { limit, offset }`. Default version 2. */
export const keylistQuery = (options) => query(options, 'mediation.keylistQuery', 2);
export const recipientQuery = (options) => query(options, 'mediation.recipientQuery', 3);
/** keylist (2.0: body.keys) / recipient (3.0: body.dids), a reply to the query. */
export const keylist = (msg, options) => list(msg, options, 'mediation.keylist', 'keys');
export const recipient = (msg, options) => list(msg, options, 'mediation.recipient', 'dids');

// --- parser ---

function readDid(entry, where) {
  if (!isObject(entry) || !isString(entry.recipient_did) || entry.recipient_did === '') {
    throw malformed(`${where}.recipient_did must be a non-empty string`);
  }
  return entry.recipient_did;
}

function readArray(body, key, where) {
  if (!Array.isArray(body[key])) throw malformed(`${where}: body.${key} must be an array`);
  return body[key];
}

function readPaging(body, key, keys, where) {
  const p = body[key];
  if (p === undefined || p === null) return undefined;
  if (!isObject(p)) throw malformed(`${where}: body.${key} must be an object`);
  const out = {};
  for (const k of keys) put(out, k, optNumber(p, k, `${where}: body.${key}`));
  return out;
}

/** A typed coordinate-mediation message of version 2 or 3, or null for another type. */
export function parse(message) {
  checkMessage(message);
  const t = matchType(message.type, PROTOCOL, [2, 3]);
  if (!t) return null;
  const version = t.major;
  const role = roleOf(version, t.name);
  if (!role) return null; // a name this protocol version does not define
  const kind = t.name;
  const id = idOf(message);
  const body = bodyOf(message);
  const out = { kind, version, id };
  if (role !== 'request' && role !== 'update' && role !== 'query' && isString(message.thid)) out.thid = message.thid;
  const where = kind;
  switch (role) {
    case 'grant': {
      const rd = body.routing_did;
      // 2.0 says a string, 3.0 an array; peers send either in both.
      const dids = isString(rd) ? [rd] : rd;
      if (!Array.isArray(dids) || dids.some((d) => !isString(d) || d === '')) {
        throw malformed(`${where}: body.routing_did must be a DID or an array of DIDs`);
      }
      out.routingDid = [...dids];
      break;
    }
    case 'update':
      out.updates = readArray(body, 'updates', where).map((u, i) => {
        const recipientDid = readDid(u, `${where}: body.updates[${i}]`);
        if (!ACTIONS.includes(u.action)) throw malformed(`${where}: body.updates[${i}].action must be add or remove`);
        return { recipientDid, action: u.action };
      });
      break;
    case 'updateResponse':
      out.updated = readArray(body, 'updated', where).map((u, i) => {
        const recipientDid = readDid(u, `${where}: body.updated[${i}]`);
        if (!ACTIONS.includes(u.action)) throw malformed(`${where}: body.updated[${i}].action must be add or remove`);
        if (!RESULTS.includes(u.result)) throw malformed(`${where}: body.updated[${i}].result must be success, no_change, client_error or server_error`);
        return { recipientDid, action: u.action, result: u.result };
      });
      break;
    case 'query':
      put(out, 'paginate', readPaging(body, 'paginate', ['limit', 'offset'], where));
      break;
    case 'list': {
      const key = version === 2 ? 'keys' : 'dids';
      out[key] = readArray(body, key, where).map((e, i) => ({ recipientDid: readDid(e, `${where}: body.${key}[${i}]`) }));
      put(out, 'pagination', readPaging(body, 'pagination', ['count', 'offset', 'remaining'], where));
      break;
    }
    default:
  }
  return out;
}

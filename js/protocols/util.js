// Shared by the protocol modules: argument checks, message skeletons, type URI matching,
// base64 without Buffer. Plain JS, runtime-agnostic (Node 20+ and browsers).
import { DIDCommError } from '../error.js';

export const illegal = (message) => new DIDCommError('ERR_ILLEGAL_ARGUMENT', message);
export const malformed = (message) => new DIDCommError('ERR_MALFORMED', message);
export const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
export const isString = (v) => typeof v === 'string';

export const BASE = 'https://didcomm.org/';

/** The type URI of `protocol/version/name`. */
export const typeUri = (protocol, version, name) => `${BASE}${protocol}/${version}/${name}`;

/**
 * Matches `type` against `protocol` of major version `major` (http or https, any minor).
 * Returns `{ name, major }` or null.
 */
export function matchType(type, protocol, majors) {
  if (!isString(type)) return null;
  const m = /^https?:\/\/didcomm\.org\/([a-z0-9-]+)\/(\d+)\.(\d+)\/([A-Za-z0-9_-]+)$/.exec(type);
  if (!m || m[1] !== protocol) return null;
  const major = Number(m[2]);
  if (!majors.includes(major)) return null;
  return { name: m[4], major };
}

function checkDid(value, field) {
  if (!isString(value) || value === '') throw illegal(`${field} must be a non-empty string (a DID)`);
  return value;
}

/** `to` as the wire array: a DID or DIDs. */
export function toList(to, field = 'to') {
  const list = Array.isArray(to) ? to : [to];
  if (list.length === 0) throw illegal(`${field} must name at least one DID`);
  return list.map((d, i) => checkDid(d, Array.isArray(to) ? `${field}[${i}]` : field));
}

/** A new message: fresh id, type, body, and from/to when given. */
export function newMessage(type, body, { from, to } = {}) {
  const msg = { id: crypto.randomUUID(), type };
  if (from !== undefined) msg.from = checkDid(from, 'from');
  if (to !== undefined) msg.to = toList(to);
  msg.body = body;
  return msg;
}

/** The options object of a builder (absent → {}). */
export function opts(options, what) {
  if (options === undefined) return {};
  if (!isObject(options)) throw illegal(`${what}: options must be an object`);
  return options;
}

/** The message a parser is given: an object with a type. */
export function checkMessage(message) {
  if (!isObject(message)) throw malformed('the message must be a JSON object');
  return message;
}

/** The body of a parsed message: absent → {}, otherwise an object. */
export function bodyOf(message) {
  const { body } = message;
  if (body === undefined || body === null) return {};
  if (!isObject(body)) throw malformed(`${message.type}: body must be a JSON object`);
  return body;
}

/** The id of a parsed message (required by DIDComm). */
export function idOf(message) {
  if (!isString(message.id) || message.id === '') throw malformed(`${message.type}: id must be a non-empty string`);
  return message.id;
}

/** The parent a reply builder is given. */
export function checkParent(parent, what) {
  if (!isObject(parent)) throw illegal(`${what}: the message replied to must be an object`);
  if (!isString(parent.id) || parent.id === '') throw illegal(`${what}: the message replied to has no id`);
  return parent;
}

// --- optional field readers for parsers: absent (undefined or null) → undefined ---

export function optString(obj, key, where) {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isString(v)) throw malformed(`${where}.${key} must be a string`);
  return v;
}

export function optNumber(obj, key, where, { integer = true } = {}) {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && (!Number.isInteger(v) || v < 0))) {
    throw malformed(`${where}.${key} must be a non-negative integer`);
  }
  return v;
}

export function optBool(obj, key, where) {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw malformed(`${where}.${key} must be a boolean`);
  return v;
}

export function stringList(v, where) {
  if (!Array.isArray(v) || v.some((s) => !isString(s))) throw malformed(`${where} must be an array of strings`);
  return [...v];
}

/** Sets `obj[key] = value` unless value is undefined (builders emit no null members). */
export function put(obj, key, value) {
  if (value !== undefined) obj[key] = value;
  return obj;
}

export function checkOptString(value, field) {
  if (value !== undefined && !isString(value)) throw illegal(`${field} must be a string`);
  return value;
}

export function checkOptInt(value, field) {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw illegal(`${field} must be a non-negative integer`);
  return value;
}

export function checkOptBool(value, field) {
  if (value !== undefined && typeof value !== 'boolean') throw illegal(`${field} must be a boolean`);
  return value;
}

// --- base64 (no Buffer) ---

export function bytesToBase64url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes base64url or standard base64, padded or not; null when it is neither. */
export function base64ToBytes(text) {
  if (!isString(text)) return null;
  let s = text.replace(/[\r\n]/g, '');
  if (/[-_]/.test(s) && /[+/]/.test(s)) return null; // one alphabet or the other
  s = s.replace(/-/g, '+').replace(/_/g, '/');
  const pad = /=*$/.exec(s)[0].length;
  s = s.slice(0, s.length - pad);
  if (pad > 2 || !/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) return null;
  if (pad > 0 && (s.length + pad) % 4 !== 0) return null;
  s += '='.repeat((4 - (s.length % 4)) % 4);
  let binary;
  try {
    binary = atob(s);
  } catch {
    return null;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

// Made on use: module-level `new` calls would keep this file in every bundle.
export const utf8 = (text) => new TextEncoder().encode(text);
export function fromUtf8(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

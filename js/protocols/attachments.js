// Attachments: base64 (emitted as base64url without padding), json and links (with the
// required multihash); `bytes` decodes base64 in either alphabet, padded or not.
import {
  illegal, malformed, isObject, isString, opts, put, checkOptString, bytesToBase64url, base64ToBytes, utf8,
} from './util.js';

function describe(options, what) {
  const o = opts(options, what);
  const att = {};
  put(att, 'id', checkOptString(o.id, `${what}: id`));
  put(att, 'description', checkOptString(o.description, `${what}: description`));
  put(att, 'filename', checkOptString(o.filename, `${what}: filename`));
  put(att, 'media_type', checkOptString(o.mediaType, `${what}: mediaType`));
  put(att, 'format', checkOptString(o.format, `${what}: format`));
  if (o.lastmodTime !== undefined) {
    if (!Number.isInteger(o.lastmodTime)) throw illegal(`${what}: lastmodTime must be an integer (seconds)`);
    att.lastmod_time = o.lastmodTime;
  }
  return att;
}

/** An attachment carrying `data` (a Uint8Array, or a string taken as UTF-8) as base64url. */
export function base64(data, options) {
  let bytes;
  if (data instanceof Uint8Array) bytes = data;
  else if (isString(data)) bytes = utf8(data);
  else throw illegal('attachments.base64: data must be a Uint8Array or a string');
  const att = describe(options, 'attachments.base64');
  att.byte_count = bytes.length;
  att.data = { base64: bytesToBase64url(bytes) };
  return att;
}

/** An attachment carrying a JSON value. */
export function json(value, options) {
  if (value === undefined) throw illegal('attachments.json: value must be a JSON value');
  const att = describe(options, 'attachments.json');
  att.data = { json: value };
  return att;
}

/** An attachment by reference: `urls` and the content's multihash `hash` (required). */
export function links(urls, hash, options) {
  if (!Array.isArray(urls) || urls.length === 0 || urls.some((u) => !isString(u) || u === '')) {
    throw illegal('attachments.links: urls must be a non-empty array of strings');
  }
  if (!isString(hash) || hash === '') throw illegal('attachments.links: hash (a multihash) is required with links');
  const att = describe(options, 'attachments.links');
  att.data = { links: [...urls], hash };
  return att;
}

/** The bytes of a base64 attachment (url-safe or standard, padded or not). */
export function bytes(attachment) {
  if (!isObject(attachment) || !isObject(attachment.data)) throw malformed('attachment.data must be an object');
  const { base64: text } = attachment.data;
  if (text === undefined) throw malformed('attachment.data.base64 is absent');
  const out = base64ToBytes(text);
  if (out === null) throw malformed('attachment.data.base64 is not base64 or base64url');
  return out;
}

// Basic message 2.0: body.content, the lang header, created_time.
import {
  illegal, malformed, isString, matchType, newMessage, opts, checkMessage, bodyOf, idOf, checkOptString,
} from './util.js';

export const MESSAGE = 'https://didcomm.org/basicmessage/2.0/message';

/** A basic message; created_time = now (seconds); `lang` becomes the lang header. */
export function basicMessage(options) {
  const o = opts(options, 'basicMessage.basicMessage');
  if (!isString(o.content)) throw illegal('basicMessage: content must be a string');
  checkOptString(o.lang, 'basicMessage: lang');
  const msg = newMessage(MESSAGE, { content: o.content }, o);
  msg.created_time = Math.floor(Date.now() / 1000);
  if (o.lang !== undefined) msg.lang = o.lang;
  return msg;
}

/** `{ kind: 'message', id, content, lang?, createdTime? }`, or null for another type. */
export function parse(message) {
  checkMessage(message);
  const t = matchType(message.type, 'basicmessage', [2]);
  if (!t) return null;
  if (t.name !== 'message') return null; // a name this protocol version does not define
  const id = idOf(message);
  const body = bodyOf(message);
  if (!isString(body.content)) throw malformed('basicmessage: body.content must be a string');
  const out = { kind: 'message', id, content: body.content };
  // The header, as the protocol says; some peers put lang in the body.
  const lang = message.lang ?? body.lang;
  if (lang !== undefined && lang !== null) {
    if (!isString(lang)) throw malformed('basicmessage: lang must be a string');
    out.lang = lang;
  }
  const ct = message.created_time;
  if (ct !== undefined && ct !== null) {
    if (typeof ct !== 'number' || !Number.isFinite(ct)) throw malformed('basicmessage: created_time must be a number (seconds)');
    out.createdTime = ct;
  }
  return out;
}

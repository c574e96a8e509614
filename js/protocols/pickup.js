// Message pickup 3.0: status-request → status, delivery-request → delivery (or status),
// messages-received, live-delivery-change. Replies carry thid.
import {
  illegal, malformed, isObject, isString, typeUri, matchType, newMessage, opts, checkMessage, bodyOf, idOf,
  optString, optNumber, optBool, put, checkOptString, checkOptInt, checkOptBool, bytesToBase64url, base64ToBytes,
  utf8, fromUtf8,
} from './util.js';
import { reply } from './threading.js';

const PROTOCOL = 'messagepickup';
export const typeOf = (name) => typeUri(PROTOCOL, '3.0', name);
const STATUS_FIELDS = [
  ['recipientDid', 'recipient_did', 'string'],
  ['longestWaitedSeconds', 'longest_waited_seconds', 'int'],
  ['newestReceivedTime', 'newest_received_time', 'int'],
  ['oldestReceivedTime', 'oldest_received_time', 'int'],
  ['totalBytes', 'total_bytes', 'int'],
  ['liveDelivery', 'live_delivery', 'bool'],
];

/** A reply when `parent` is a message, else a new message to `options.to`. */
function answer(parent, type, body, o, what) {
  if (parent === null || parent === undefined) return newMessage(type, body, o);
  if (o.to !== undefined) throw illegal(`${what}: a reply goes to the sender of the message replied to; pass no to`);
  return reply(parent, type, body, { from: o.from });
}

export function statusRequest(options) {
  const o = opts(options, 'pickup.statusRequest');
  const body = {};
  put(body, 'recipient_did', checkOptString(o.recipientDid, 'pickup.statusRequest: recipientDid'));
  return newMessage(typeOf('status-request'), body, o);
}

/** A status (message_count required), replying to `request` (a status-request, delivery-request or live-delivery-change) when given. */
export function status(request, options) {
  const o = opts(options, 'pickup.status');
  if (!Number.isInteger(o.messageCount) || o.messageCount < 0) throw illegal('pickup.status: messageCount must be a non-negative integer');
  const body = { message_count: o.messageCount };
  for (const [js, wire, kind] of STATUS_FIELDS) {
    const check = kind === 'string' ? checkOptString : kind === 'int' ? checkOptInt : checkOptBool;
    put(body, wire, check(o[js], `pickup.status: ${js}`));
  }
  return answer(request, typeOf('status'), body, o, 'pickup.status');
}

export function deliveryRequest(options) {
  const o = opts(options, 'pickup.deliveryRequest');
  if (!Number.isInteger(o.limit) || o.limit < 1) throw illegal('pickup.deliveryRequest: limit must be a positive integer');
  const body = { limit: o.limit };
  put(body, 'recipient_did', checkOptString(o.recipientDid, 'pickup.deliveryRequest: recipientDid'));
  return newMessage(typeOf('delivery-request'), body, o);
}

/** A delivery: `messages` are `[id, packed]` pairs (packed: the JSON text, or its object), one attachment each. */
export function delivery(request, options) {
  const o = opts(options, 'pickup.delivery');
  if (!Array.isArray(o.messages) || o.messages.length === 0) throw illegal('pickup.delivery: messages must be a non-empty array of [id, packed]');
  const attachments = o.messages.map((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw illegal(`pickup.delivery: messages[${i}] must be [id, packed]`);
    const [id, packed] = entry;
    if (!isString(id) || id === '') throw illegal(`pickup.delivery: messages[${i}] id must be a non-empty string`);
    let text;
    if (isString(packed)) text = packed;
    else if (isObject(packed)) text = JSON.stringify(packed);
    else throw illegal(`pickup.delivery: messages[${i}] packed must be the packed message (JSON text or object)`);
    return { id, data: { base64: bytesToBase64url(utf8(text)) } };
  });
  const body = {};
  put(body, 'recipient_did', checkOptString(o.recipientDid, 'pickup.delivery: recipientDid'));
  const msg = answer(request, typeOf('delivery'), body, o, 'pickup.delivery');
  msg.attachments = attachments;
  return msg;
}

/** messages-received: the ids (the delivery's attachment ids) the mediator may now delete. */
export function messagesReceived(deliveryMessage, options) {
  const o = opts(options, 'pickup.messagesReceived');
  const ids = o.messageIdList;
  if (!Array.isArray(ids) || ids.some((id) => !isString(id) || id === '')) {
    throw illegal('pickup.messagesReceived: messageIdList must be an array of message ids');
  }
  return answer(deliveryMessage, typeOf('messages-received'), { message_id_list: [...ids] }, o, 'pickup.messagesReceived');
}

export function liveDeliveryChange(options) {
  const o = opts(options, 'pickup.liveDeliveryChange');
  if (typeof o.liveDelivery !== 'boolean') throw illegal('pickup.liveDeliveryChange: liveDelivery must be a boolean');
  return newMessage(typeOf('live-delivery-change'), { live_delivery: o.liveDelivery }, o);
}

function readDelivered(att, i) {
  const where = `delivery: attachments[${i}]`;
  if (!isObject(att) || !isObject(att.data)) throw malformed(`${where}.data must be an object`);
  if (!isString(att.id) || att.id === '') throw malformed(`${where}.id (the message id) must be a non-empty string`);
  let text;
  if (att.data.base64 !== undefined) {
    const bytes = base64ToBytes(att.data.base64);
    text = bytes === null ? null : fromUtf8(bytes);
    if (text === null) throw malformed(`${where}.data.base64 is not base64 of UTF-8 text`);
  } else if (isObject(att.data.json)) {
    text = JSON.stringify(att.data.json); // some mediators attach the JSON itself
  } else {
    throw malformed(`${where}.data.base64 is required`);
  }
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    throw malformed(`${where}: the attached message is not JSON`);
  }
  if (!isObject(message)) throw malformed(`${where}: the attached message is not a JSON object`);
  return { id: att.id, packed: text, message };
}

/** A typed messagepickup 3 message, or null for another type. */
export function parse(message) {
  checkMessage(message);
  const t = matchType(message.type, PROTOCOL, [3]);
  if (!t) return null;
  const kind = t.name;
  const id = idOf(message);
  const body = bodyOf(message);
  const out = { kind, id };
  const where = `${kind}: body`;
  const thid = () => { if (isString(message.thid)) out.thid = message.thid; };
  switch (kind) {
    case 'status-request':
      put(out, 'recipientDid', optString(body, 'recipient_did', where));
      break;
    case 'status': {
      thid();
      const count = optNumber(body, 'message_count', where);
      if (count === undefined) throw malformed('status: body.message_count is required');
      out.messageCount = count;
      for (const [js, wire, type] of STATUS_FIELDS) {
        const read = type === 'string' ? optString : type === 'int' ? optNumber : optBool;
        put(out, js, read(body, wire, where));
      }
      break;
    }
    case 'delivery-request': {
      const limit = optNumber(body, 'limit', where);
      if (limit === undefined) throw malformed('delivery-request: body.limit is required');
      out.limit = limit;
      put(out, 'recipientDid', optString(body, 'recipient_did', where));
      break;
    }
    case 'delivery': {
      thid();
      put(out, 'recipientDid', optString(body, 'recipient_did', where));
      const atts = message.attachments ?? [];
      if (!Array.isArray(atts)) throw malformed('delivery: attachments must be an array');
      out.messages = atts.map(readDelivered);
      break;
    }
    case 'messages-received': {
      thid();
      const ids = body.message_id_list;
      if (!Array.isArray(ids) || ids.some((x) => !isString(x))) throw malformed('messages-received: body.message_id_list must be an array of strings');
      out.messageIdList = [...ids];
      break;
    }
    case 'live-delivery-change': {
      const live = optBool(body, 'live_delivery', where);
      if (live === undefined) throw malformed('live-delivery-change: body.live_delivery is required');
      out.liveDelivery = live;
      break;
    }
    default:
      return null; // a name this protocol version does not define
  }
  return out;
}

// Threading helpers: replies (thid), out-of-band replies (pthid), acks, return_route.
import {
  illegal, isObject, isString, newMessage, checkParent, opts,
} from './util.js';

/**
 * A reply to `parent`: thid = the parent's thid, or its id when it has none; pthid copied
 * from the parent; to = [parent.from] when the parent has a from.
 */
export function reply(parent, type, body = {}, options) {
  checkParent(parent, 'reply');
  if (!isString(type) || type === '') throw illegal('reply: type must be a non-empty string');
  if (!isObject(body)) throw illegal('reply: body must be an object');
  const { from } = opts(options, 'reply');
  const to = isString(parent.from) ? [parent.from] : undefined;
  const msg = newMessage(type, body, { from, to });
  msg.thid = isString(parent.thid) && parent.thid !== '' ? parent.thid : parent.id;
  if (isString(parent.pthid) && parent.pthid !== '') msg.pthid = parent.pthid;
  return msg;
}

/** The first message of a new thread started by an out-of-band invitation: pthid = the invitation's id. */
export function oobReply(invitation, type, body = {}, options) {
  checkParent(invitation, 'oobReply');
  if (!isString(type) || type === '') throw illegal('oobReply: type must be a non-empty string');
  if (!isObject(body)) throw illegal('oobReply: body must be an object');
  const { from } = opts(options, 'oobReply');
  const to = isString(invitation.from) ? [invitation.from] : undefined;
  const msg = newMessage(type, body, { from, to });
  msg.pthid = invitation.id;
  return msg;
}

function checkMessageArg(message, what) {
  if (!isObject(message)) throw illegal(`${what}: message must be an object`);
  return message;
}

/** A copy of `message` asking for an ack of itself: please_ack = [message.id]. */
export function pleaseAck(message) {
  checkMessageArg(message, 'pleaseAck');
  if (!isString(message.id) || message.id === '') throw illegal('pleaseAck: message.id must be a non-empty string');
  return { ...message, please_ack: [message.id] };
}

/** A copy of `message` acknowledging `messageIds` (a string or strings): ack = [...]. */
export function ack(message, messageIds) {
  checkMessageArg(message, 'ack');
  const ids = Array.isArray(messageIds) ? messageIds : [messageIds];
  if (ids.length === 0 || ids.some((id) => !isString(id) || id === '')) {
    throw illegal('ack: messageIds must be a message id or a non-empty array of them');
  }
  return { ...message, ack: [...ids] };
}

const RETURN_ROUTES = ['none', 'all', 'thread'];

/** A copy of `message` with the return_route header: 'none', 'all' or 'thread'. */
export function returnRoute(message, value) {
  checkMessageArg(message, 'returnRoute');
  if (!RETURN_ROUTES.includes(value)) {
    throw illegal(`returnRoute: return_route must be one of none, all, thread, not ${JSON.stringify(value)}`);
  }
  return { ...message, return_route: value };
}

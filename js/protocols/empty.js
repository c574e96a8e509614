// Empty 1.0: a message with no content (for return routes and pickup).
import {
  malformed, matchType, newMessage, opts, checkMessage, idOf, bodyOf,
} from './util.js';

export const EMPTY = 'https://didcomm.org/empty/1.0/empty';

/** An empty message: body {}. */
export function empty(options) {
  return newMessage(EMPTY, {}, opts(options, 'empty.empty'));
}

/** `{ kind: 'empty', id }`, or null for another type. */
export function parse(message) {
  checkMessage(message);
  const t = matchType(message.type, 'empty', [1]);
  if (!t) return null;
  if (t.name !== 'empty') return null; // a name this protocol version does not define
  bodyOf(message);
  return { kind: 'empty', id: idOf(message) };
}

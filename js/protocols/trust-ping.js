// Trust ping 2.0: ping → ping-response (thid).
import {
  malformed, matchType, newMessage, opts, checkMessage, bodyOf, idOf, checkOptBool, illegal, isString,
} from './util.js';
import { reply } from './threading.js';

export const PING = 'https://didcomm.org/trust-ping/2.0/ping';
export const PING_RESPONSE = 'https://didcomm.org/trust-ping/2.0/ping-response';

/** A ping; body.response_requested defaults to true. */
export function ping(options) {
  const o = opts(options, 'trustPing.ping');
  const responseRequested = checkOptBool(o.responseRequested, 'trustPing.ping: responseRequested') ?? true;
  return newMessage(PING, { response_requested: responseRequested }, o);
}

/** The response to `ping`: thid = the ping's id (as the protocol says, even when the ping has a thid), to = [ping.from]. */
export function pingResponse(pingMessage, options) {
  if (pingMessage?.type !== undefined && matchType(pingMessage.type, 'trust-ping', [2])?.name !== 'ping') {
    throw illegal(`trustPing.pingResponse: ${JSON.stringify(pingMessage.type)} is not a trust-ping ping`);
  }
  const o = opts(options, 'trustPing.pingResponse');
  const response = reply(pingMessage, PING_RESPONSE, {}, { from: o.from });
  response.thid = pingMessage.id;
  return response;
}

/** `{ kind: 'ping', … }` | `{ kind: 'ping-response', … }`, or null for another type. */
export function parse(message) {
  checkMessage(message);
  const t = matchType(message.type, 'trust-ping', [2]);
  if (!t) return null;
  const id = idOf(message);
  const body = bodyOf(message);
  if (t.name === 'ping') {
    const rr = body.response_requested;
    if (rr !== undefined && rr !== null && typeof rr !== 'boolean') throw malformed('ping: body.response_requested must be a boolean');
    return { kind: 'ping', id, responseRequested: rr ?? true };
  }
  if (t.name === 'ping-response') {
    if (!isString(message.thid) || message.thid === '') throw malformed('ping-response: thid (the ping id) is required');
    return { kind: 'ping-response', id, thid: message.thid };
  }
  return null; // a name this protocol version does not define
}

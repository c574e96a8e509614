// Out-of-band 2.0: the invitation, and its URL form (?_oob=base64url(JSON)).
import {
  illegal, malformed, isObject, isString, matchType, newMessage, opts, checkMessage, bodyOf, idOf,
  optString, stringList, put, checkOptString, bytesToBase64url, base64ToBytes, utf8, fromUtf8,
} from './util.js';

export const INVITATION = 'https://didcomm.org/out-of-band/2.0/invitation';

/** An invitation from `from` (required); accept defaults to ['didcomm/v2']. */
export function invitation(options) {
  const o = opts(options, 'outOfBand.invitation');
  if (!isString(o.from) || o.from === '') throw illegal('outOfBand.invitation: from (the inviter DID) is required');
  if (o.to !== undefined) throw illegal('outOfBand.invitation: an invitation has no to');
  const body = {};
  put(body, 'goal_code', checkOptString(o.goalCode, 'outOfBand.invitation: goalCode'));
  put(body, 'goal', checkOptString(o.goal, 'outOfBand.invitation: goal'));
  const accept = o.accept ?? ['didcomm/v2'];
  if (!Array.isArray(accept) || accept.some((a) => !isString(a))) throw illegal('outOfBand.invitation: accept must be an array of strings');
  body.accept = [...accept];
  const msg = newMessage(INVITATION, body, { from: o.from });
  if (o.attachments !== undefined) {
    if (!Array.isArray(o.attachments) || o.attachments.some((a) => !isObject(a) || !isObject(a.data))) {
      throw illegal('outOfBand.invitation: attachments must be an array of attachments (each with data)');
    }
    msg.attachments = o.attachments.map((a) => ({ ...a }));
  }
  return msg;
}

/** `baseUrl` with `_oob` = base64url(JSON without whitespace, no padding); other query parameters are kept. */
export function invitationUrl(invitationMessage, baseUrl) {
  if (!isObject(invitationMessage) || !matchType(invitationMessage.type, 'out-of-band', [2])) {
    throw illegal('outOfBand.invitationUrl: invitation must be an out-of-band invitation message');
  }
  let url;
  try {
    url = new URL(baseUrl);
  } catch {
    throw illegal(`outOfBand.invitationUrl: baseUrl ${JSON.stringify(baseUrl)} is not an absolute URL`);
  }
  url.searchParams.delete('oob');
  url.searchParams.set('_oob', bytesToBase64url(utf8(JSON.stringify(invitationMessage))));
  return url.href;
}

/** The invitation message in an invitation URL: `_oob` (or `oob`), base64url or standard base64, padded or not. */
export function invitationFromUrl(invitationUrlText) {
  if (!isString(invitationUrlText)) throw malformed('invitation URL must be a string');
  let url;
  try {
    url = new URL(invitationUrlText.trim());
  } catch {
    throw malformed('invitation URL is not an absolute URL');
  }
  const param = url.searchParams.has('_oob') ? '_oob' : url.searchParams.has('oob') ? 'oob' : null;
  if (!param) throw malformed('invitation URL has no _oob (or oob) query parameter');
  // An unescaped '+' of standard base64 reads as a space in a query string.
  const raw = url.searchParams.get(param).replace(/ /g, '+');
  const bytes = base64ToBytes(raw);
  if (bytes === null) throw malformed(`invitation URL: ${param} is not base64url or base64`);
  const text = fromUtf8(bytes);
  if (text === null) throw malformed(`invitation URL: ${param} is not UTF-8 text`);
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    throw malformed(`invitation URL: ${param} does not decode to JSON`);
  }
  if (parse(message) === null) throw malformed(`invitation URL: ${param} holds a ${JSON.stringify(message?.type)} message, not an out-of-band invitation`);
  return message;
}

/** `{ kind: 'invitation', id, from, goalCode?, goal?, accept, attachments }`, or null for another type. */
export function parse(message) {
  checkMessage(message);
  const t = matchType(message.type, 'out-of-band', [2]);
  if (!t) return null;
  if (t.name !== 'invitation') return null; // a name this protocol version does not define
  const id = idOf(message);
  if (!isString(message.from) || message.from === '') throw malformed('invitation: from is required');
  const body = bodyOf(message);
  const out = { kind: 'invitation', id, from: message.from };
  put(out, 'goalCode', optString(body, 'goal_code', 'invitation: body'));
  put(out, 'goal', optString(body, 'goal', 'invitation: body'));
  out.accept = body.accept === undefined || body.accept === null ? [] : stringList(body.accept, 'invitation: body.accept');
  const atts = message.attachments ?? [];
  if (!Array.isArray(atts) || atts.some((a) => !isObject(a))) throw malformed('invitation: attachments must be an array of objects');
  out.attachments = atts;
  return out;
}

// Report problem 2.0: codes (sorter.scope.descriptors), comments with {1}-style placeholders.
import {
  illegal, malformed, isString, matchType, newMessage, opts, checkMessage, bodyOf, idOf,
  optString, put, checkOptString,
} from './util.js';

export const PROBLEM_REPORT = 'https://didcomm.org/report-problem/2.0/problem-report';
const TOKEN = /^[a-z0-9_-]+$/;

/** `{ sorter: 'error'|'warning', scope, descriptors, raw }`, or null when `code` breaks the grammar. */
function readCode(code) {
  if (!isString(code)) return null;
  const parts = code.split('.');
  if (parts.length < 3 || parts.some((p) => !TOKEN.test(p))) return null;
  const [sorter, scope, ...descriptors] = parts;
  if (sorter !== 'e' && sorter !== 'w') return null;
  return { sorter: sorter === 'e' ? 'error' : 'warning', scope, descriptors, raw: code };
}

/** A problem code parsed: `e.p.xfer.cant-use-endpoint` → `{ sorter: 'error', scope: 'p', descriptors: ['xfer', 'cant-use-endpoint'], raw }`. */
export function parseCode(code) {
  const parsed = readCode(code);
  if (!parsed) throw malformed(`problem code ${JSON.stringify(code)} is not sorter.scope.descriptor[.descriptor…] (sorter e or w; tokens of a-z 0-9 - _)`);
  return parsed;
}

/** `comment` with {1}, {2}… replaced by args (missing → '?'); args beyond the highest placeholder appended, ', ' separated. */
export function commentText(comment, args = []) {
  const list = (Array.isArray(args) ? args : []).map(String);
  let highest = 0;
  const text = (comment ?? '').replace(/\{(\d+)\}/g, (_, n) => {
    const i = Number(n);
    highest = Math.max(highest, i);
    return i >= 1 && i <= list.length ? list[i - 1] : '?';
  });
  const extra = list.slice(highest);
  if (extra.length === 0) return text;
  return text === '' ? extra.join(', ') : `${text}, ${extra.join(', ')}`;
}

/** A problem report; pthid (the thread the problem is about) and code are required. */
export function problemReport(options) {
  const o = opts(options, 'problemReport.problemReport');
  if (!isString(o.pthid) || o.pthid === '') throw illegal('problemReport: pthid (the thread with the problem) is required');
  if (!readCode(o.code)) throw illegal(`problemReport: code ${JSON.stringify(o.code)} is not sorter.scope.descriptor[.descriptor…] (sorter e or w; tokens of a-z 0-9 - _)`);
  const body = { code: o.code };
  put(body, 'comment', checkOptString(o.comment, 'problemReport: comment'));
  if (o.args !== undefined) {
    if (!Array.isArray(o.args) || o.args.some((a) => !isString(a))) throw illegal('problemReport: args must be an array of strings');
    body.args = [...o.args];
  }
  put(body, 'escalate_to', checkOptString(o.escalateTo, 'problemReport: escalateTo'));
  const msg = newMessage(PROBLEM_REPORT, body, o);
  msg.pthid = o.pthid;
  if (o.ack !== undefined) {
    const ids = Array.isArray(o.ack) ? o.ack : [o.ack];
    if (ids.length === 0 || ids.some((id) => !isString(id) || id === '')) throw illegal('problemReport: ack must be a message id or an array of them');
    msg.ack = [...ids];
  }
  return msg;
}

/** `{ kind: 'problem-report', id, code, comment?, args, escalateTo?, pthid, ack? }`, or null for another type. */
export function parse(message) {
  checkMessage(message);
  const t = matchType(message.type, 'report-problem', [2]);
  if (!t) return null;
  if (t.name !== 'problem-report') return null; // a name this protocol version does not define
  const id = idOf(message);
  const body = bodyOf(message);
  if (!isString(message.pthid) || message.pthid === '') throw malformed('problem-report: pthid is required');
  if (body.code === undefined) throw malformed('problem-report: body.code is required');
  const code = readCode(body.code);
  if (!code) throw malformed(`problem-report: body.code ${JSON.stringify(body.code)} is not sorter.scope.descriptor[.descriptor…]`);
  const out = { kind: 'problem-report', id, code };
  put(out, 'comment', optString(body, 'comment', 'problem-report: body'));
  const args = body.args ?? [];
  if (!Array.isArray(args)) throw malformed('problem-report: body.args must be an array');
  // Peers send numbers too: scalars become their text; objects are refused.
  out.args = args.map((a, i) => {
    if (isString(a)) return a;
    if (typeof a === 'number' || typeof a === 'boolean') return String(a);
    throw malformed(`problem-report: body.args[${i}] must be a string`);
  });
  put(out, 'escalateTo', optString(body, 'escalate_to', 'problem-report: body'));
  out.pthid = message.pthid;
  if (message.ack !== undefined && message.ack !== null) {
    const ackList = isString(message.ack) ? [message.ack] : message.ack;
    if (!Array.isArray(ackList) || ackList.some((a) => !isString(a))) throw malformed('problem-report: ack must be an array of message ids');
    out.ack = [...ackList];
  }
  return out;
}


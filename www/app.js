// The demo messenger: one Agent per profile (?profile=name; two windows with two profiles
// chat with each other), its state and chats kept in IndexedDB.
import { Agent, basicMessage, outOfBand } from '/js/web.js';
import qrcode from '/vendor/qrcode-generator/qrcode.mjs';

const $ = (id) => document.getElementById(id);
const profile = new URLSearchParams(location.search).get('profile') ?? 'default';
const DB = 'didcomm-demo';

// --- IndexedDB: one record per profile ---

function db() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('profiles');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function load() {
  const d = await db();
  return new Promise((resolve, reject) => {
    const req = d.transaction('profiles').objectStore('profiles').get(profile);
    req.onsuccess = () => resolve(req.result ?? null);
    req.onerror = () => reject(req.error);
  });
}

let saving = Promise.resolve();
function save() {
  const record = { agent: agent?.state() ?? saved.agent, mediator: saved.mediator, contacts, chats };
  saving = saving.then(async () => {
    const d = await db();
    await new Promise((resolve, reject) => {
      const tx = d.transaction('profiles', 'readwrite');
      tx.objectStore('profiles').put(record, profile);
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  }).catch(showError);
  return saving;
}

// --- state ---

let saved = { agent: undefined, mediator: null };
let agent = null;
let contacts = [];
let chats = {};
let selected = null;

function showError(e) {
  const line = document.createElement('div');
  line.textContent = `${e?.code ? `${e.code}: ` : ''}${e?.message ?? e}`;
  $('errors').append(line);
  setTimeout(() => line.remove(), 15_000);
}
window.addEventListener('unhandledrejection', (event) => showError(event.reason));

function setStatus(state, text) {
  document.querySelector('.dot').dataset.state = state;
  $('status-text').textContent = text;
}

const nameOf = (did) => contacts.find((c) => c.did === did)?.name || `${did.slice(0, 18)}…${did.slice(-6)}`;

function renderContacts() {
  const list = $('contact-list');
  list.replaceChildren(...contacts.map((c) => {
    const li = document.createElement('li');
    li.textContent = c.name ? `${c.name} — ${c.did}` : c.did;
    li.title = c.did;
    li.dataset.did = c.did;
    li.className = c.did === selected ? 'selected' : '';
    li.onclick = () => select(c.did);
    return li;
  }));
}

function select(did) {
  selected = did;
  $('chat-title').textContent = `Chat with ${nameOf(did)}`;
  for (const el of [$('text'), document.querySelector('#send-form button[type=submit]'), $('ping'), $('discover')]) el.disabled = !agent?.did;
  renderContacts();
  renderChat();
}

function renderChat() {
  const items = (chats[selected] ?? []).map((m) => {
    const li = document.createElement('li');
    li.className = m.dir;
    li.dataset.id = m.id;
    li.textContent = m.content;
    const small = document.createElement('small');
    small.textContent = `${new Date(m.time).toLocaleTimeString()} · ${m.state}`;
    li.append(small);
    li.onclick = () => inspect(m);
    return li;
  });
  $('messages').replaceChildren(...items);
  $('messages').scrollTop = $('messages').scrollHeight;
}

/** The protected header of a JWE or JWS, decoded. */
function header(envelope) {
  const b64 = envelope.protected ?? envelope.signatures?.[0]?.protected;
  if (!b64) return null;
  const text = atob(b64.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0))));
}

/** The layers of a message, outermost first, from its metadata (the inner ones cannot be read off the wire). */
function layers(m) {
  const meta = m.metadata ?? {};
  if (m.dir === 'out') {
    const hops = meta.messagingService?.routingKeys ?? [];
    return [
      ...hops.map((k) => `forward → anoncrypt (ECDH-ES+A256KW) to mediator key ${k}`),
      ...(meta.fromKid ? [`authcrypt (ECDH-1PU+A256KW, A256CBC-HS512) from ${meta.fromKid} to ${meta.toKids?.join(', ')}`] : []),
      ...(meta.signByKid ? [`signed by ${meta.signByKid}`] : []),
      'plaintext',
    ];
  }
  return [
    ...(meta.anonymousSender ? [`anoncrypt (${meta.encAlgAnon})`] : []),
    ...(meta.encryptedFromKid ? [`authcrypt (${meta.encAlgAuth}) from ${meta.encryptedFromKid} to ${meta.encryptedToKids?.join(', ')}`] : []),
    ...(meta.nonRepudiation ? [`signed (${meta.signAlg}) by ${meta.signFrom}`] : []),
    'plaintext',
  ];
}

function inspect(m) {
  let envelope;
  try {
    envelope = JSON.parse(m.packed);
  } catch {
    envelope = m.packed;
  }
  const outer = typeof envelope === 'object' ? header(envelope) : null;
  $('inspect').textContent = JSON.stringify({
    direction: m.dir === 'out' ? 'sent' : 'received',
    layers: layers(m),
    outerLayer: outer && { typ: outer.typ, alg: outer.alg, enc: outer.enc, skid: outer.skid, recipients: envelope.recipients?.map((r) => r.header?.kid) },
    metadata: m.metadata,
    envelope,
  }, null, 2);
}

/** A contact rotated its DID (a verified from_prior): the contact and the chat move to the new DID. */
function follow({ iss, sub }) {
  const contact = contacts.find((c) => c.did === iss);
  if (!contact) return;
  contact.did = sub;
  chats[sub] = [...(chats[iss] ?? []), ...(chats[sub] ?? [])];
  delete chats[iss];
  if (selected === iss) selected = sub;
  $('tool-result').textContent = `${contact.name || 'a contact'} moved to a new DID`;
  renderContacts();
  if (selected) select(selected);
  save();
}

function addMessage(did, entry) {
  (chats[did] ??= []).push(entry);
  if (!contacts.some((c) => c.did === did)) {
    contacts.push({ did, name: '' });
    renderContacts();
  }
  if (did === selected) renderChat();
  save();
}

// --- agent ---

async function connect(target) {
  await agent?.close();
  agent = new Agent({ state: saved.agent });
  agent.on('state', (s) => setStatus(s, describe(s)));
  agent.on('error', showError);
  agent.on('message', ({ message, metadata, packed }) => {
    if (metadata.fromPrior) follow(metadata.fromPrior);
    if (message.type !== basicMessage.MESSAGE || !message.from) return;
    addMessage(message.from, {
      id: message.id, dir: 'in', content: message.body.content, time: (message.created_time ?? Date.now() / 1000) * 1000,
      state: metadata.authenticated ? 'received, authenticated' : 'received', packed, metadata,
    });
  });
  setStatus('connecting', 'connecting…');
  const info = await agent.connect(target);
  saved.mediator = target;
  $('my-did').textContent = agent.did;
  $('copy-did').disabled = false;
  $('rotate').disabled = false;
  showInvitation();
  $('mediator-info').textContent = `${info.did.slice(0, 28)}… · coordinate-mediation ${info.version}.0 · ${info.transport === 'websocket' ? 'live over WebSocket' : 'polling over HTTP'}`;
  if (selected) select(selected);
  await save();
}

/** An out-of-band invitation from our DID: a link to this page, and its QR code. */
function showInvitation() {
  const invitation = outOfBand.invitation({ from: agent.did, goalCode: 'chat', goal: 'Chat with me' });
  const url = outOfBand.invitationUrl(invitation, `${location.origin}/`);
  $('invite-link').href = url;
  $('invite-link').textContent = `${url.slice(0, 60)}…`;
  const qr = qrcode(0, 'L');
  qr.addData(url);
  qr.make();
  $('qr').innerHTML = qr.createSvgTag({ cellSize: 2, margin: 2, scalable: true });
}

/** A DID, or the inviter's DID from an invitation link. */
function contactDid(text) {
  if (text.startsWith('did:')) return text;
  return outOfBand.parse(outOfBand.invitationFromUrl(text)).from;
}

function describe(s) {
  const m = agent?.mediator;
  const via = m?.transport === 'websocket' ? 'live (WebSocket)' : 'polling (HTTP)';
  return { live: `connected · ${via}`, polling: `connected · ${via}`, connecting: 'connecting…', reconnecting: 'reconnecting…', closed: 'disconnected', idle: 'not connected' }[s] ?? s;
}

async function send(text) {
  const to = selected;
  const message = basicMessage.basicMessage({ to, content: text });
  const entry = { id: message.id, dir: 'out', content: text, time: Date.now(), state: 'sending', packed: '', metadata: null };
  addMessage(to, entry);
  try {
    const { packed, metadata } = await agent.send(message, { to });
    Object.assign(entry, { state: 'delivered to their mediator', packed, metadata });
  } catch (e) {
    entry.state = `failed: ${e.code ?? e.message}`;
    showError(e);
  }
  renderChat();
  save();
}

// --- wiring ---

$('copy-did').onclick = () => navigator.clipboard?.writeText(agent.did).catch(showError);
$('copy-invite').onclick = () => navigator.clipboard?.writeText($('invite-link').href).catch(showError);
$('mediator-form').onsubmit = (e) => {
  e.preventDefault();
  connect($('mediator').value.trim()).catch((err) => { setStatus('closed', 'not connected'); showError(err); });
};
$('contact-form').onsubmit = (e) => {
  e.preventDefault();
  let did;
  try {
    did = contactDid($('contact-did').value.trim());
  } catch (err) {
    return showError(new Error(`not a DID or an invitation link: ${err.message}`));
  }
  const existing = contacts.find((c) => c.did === did);
  if (existing) existing.name = $('contact-name').value.trim() || existing.name;
  else contacts.push({ did, name: $('contact-name').value.trim() });
  e.target.reset();
  select(did);
  return save();
};
$('send-form').onsubmit = (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text || !selected) return;
  $('text').value = '';
  send(text);
};
$('ping').onclick = async () => {
  $('tool-result').textContent = 'trust ping…';
  try {
    const rtt = await agent.ping(selected);
    $('tool-result').textContent = `trust ping to ${nameOf(selected)}: ${rtt.toFixed(0)} ms round trip`;
  } catch (e) {
    $('tool-result').textContent = 'trust ping failed';
    showError(e);
  }
};

$('discover').onclick = async () => {
  $('tool-result').textContent = 'discover-features…';
  try {
    const disclosures = await agent.discover(selected);
    $('tool-result').textContent = `${nameOf(selected)} supports: ${disclosures.map((d) => d.id.replace('https://didcomm.org/', '')).join(', ')}`;
  } catch (e) {
    $('tool-result').textContent = 'discover-features failed';
    showError(e);
  }
};
$('rotate').onclick = async () => {
  try {
    const { prior, did } = await agent.rotate({ notify: contacts.map((c) => c.did) });
    $('my-did').textContent = did;
    showInvitation();
    $('tool-result').textContent = `rotated: ${prior.slice(0, 24)}… → ${did.slice(0, 24)}…; ${contacts.length} contact(s) told (from_prior)`;
    await save();
  } catch (e) {
    showError(e);
  }
};

// --- start: the saved profile, and the local mediator unless another was chosen ---

$('profile').textContent = `(profile “${profile}”)`;
const record = await load().catch((e) => { showError(e); return null; });
if (record) {
  saved = { agent: record.agent, mediator: record.mediator };
  contacts = record.contacts ?? [];
  chats = record.chats ?? {};
  renderContacts();
}
// Opened from an invitation link: the inviter becomes a contact.
if (new URLSearchParams(location.search).has('_oob')) {
  try {
    const did = contactDid(location.href);
    if (!contacts.some((c) => c.did === did)) contacts.push({ did, name: 'invited me' });
    selected = did;
    renderContacts();
  } catch (e) {
    showError(e);
  }
}
const config = await fetch('/config.json').then((r) => (r.ok ? r.json() : null)).catch(() => null);
const target = saved.mediator ?? config?.mediator?.oobUrl;
if (target) {
  $('mediator').value = target;
  await connect(target).catch((e) => { setStatus('closed', 'not connected'); showError(e); });
}
window.demoReady = true;

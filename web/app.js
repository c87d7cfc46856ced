/*
 * app.js — the intake page: talks to the JSON API of `triage serve`.
 * Everything shown is set with textContent, never parsed as HTML, so a
 * referral's text cannot change the page. The access token, when the API
 * asks for one, lives in sessionStorage only.
 */
'use strict';

const OUTCOME = {
  accept: 'Visiteret', request_info: 'Afventer oplysninger', redirect: 'Videresendt',
  reject: 'Afvist', manual_review: 'Manuel vurdering', new: 'Ikke afgjort',
};
const TARGET = {
  buc: 'BUC', specialist_practice: 'Praktiserende speciallæge i børne- og ungdomspsykiatri',
  municipality: 'Kommunen', adult_psychiatry: 'Voksenpsykiatrien', other_region: 'Anden region',
};
const PRIORITY = { acute: 'Akut', urgent: 'Haster', routine: 'Rutine' };
const MISSING = {
  cognitive_assessment: 'Kognitiv vurdering (fx WISC)',
  updated_cognitive_assessment: 'Opdateret kognitiv vurdering',
  ppv: 'Pædagogisk-psykologisk vurdering (PPV) fra PPR',
  consent_both_custodians: 'Samtykke fra begge forældremyndighedsindehavere',
  somatic_measurements: 'Somatiske målinger (højde, vægt, blodtryk, puls)',
};
const FROM = { referrer: 'henviser', municipality: 'kommunen' };
const PAGE = 50;

const $ = (sel) => document.querySelector(sel);
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

/* ------------------------------------------------------------------ API */

function askToken() {
  return new Promise((resolve) => {
    const dlg = $('#token-dialog');
    $('#token-input').value = '';
    dlg.addEventListener('close', () => {
      const t = $('#token-input').value.trim();
      if (t) sessionStorage.setItem('triage-token', t);
      resolve(!!t);
    }, { once: true });
    dlg.showModal();
  });
}

/* fetch the API; on 401 ask for the token once and try again */
async function api(path, opts = {}, retried = false) {
  const headers = Object.assign({}, opts.headers || {});
  const token = sessionStorage.getItem('triage-token');
  if (token) headers.Authorization = 'Bearer ' + token;
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  if (res.status === 401 && !retried) {
    sessionStorage.removeItem('triage-token');
    if (await askToken()) return api(path, opts, true);
  }
  const text = await res.text();
  let body = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('ndjson')) body = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  else if (text) { try { body = JSON.parse(text); } catch (e) { body = { error: text }; } }
  return { status: res.status, body };
}

/* ------------------------------------------------------------ decisions */

function fmtDate(s) {
  if (!s) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : s;
}

/* One decision as a card: outcome, where, priority, deadline, reasons, missing. */
function decisionCard(d) {
  const card = el('div', null, 'decision');
  card.dataset.outcome = d.outcome;
  const h = el('h3', OUTCOME[d.outcome] || d.outcome, 'outcome ' + d.outcome);
  h.dataset.outcome = d.outcome;
  card.append(h);
  const dl = el('dl');
  const add = (k, v) => { if (v) { dl.append(el('dt', k), el('dd', v)); } };
  add('Henvisning', d.id);
  add('Sendes til', d.target ? (TARGET[d.target] || d.target) : '');
  add('Enhed', d.unit);
  add('Prioritet', d.priority ? (PRIORITY[d.priority] || d.priority) : '');
  add('Frist', fmtDate(d.deadline));
  add('Oplysninger indhentes hos', d.request_from ? (FROM[d.request_from] || d.request_from) : '');
  card.append(dl);
  if (d.missing && d.missing.length) {
    card.append(el('h4', 'Mangler'));
    const ul = el('ul', null, 'missing');
    d.missing.forEach((m) => ul.append(el('li', MISSING[m] || m)));
    card.append(ul);
  }
  if (d.reasons && d.reasons.length) {
    card.append(el('h4', 'Begrundelse'));
    const ul = el('ul', null, 'reasons');
    d.reasons.forEach((r) => {
      const li = el('li');
      li.append(el('span', r.text), el('span', r.rule, 'rule'));
      ul.append(li);
    });
    card.append(ul);
  }
  if (d.ruleset) card.append(el('p', 'Regelsæt ' + d.ruleset.slice(0, 12), 'muted'));
  return card;
}

/* The explain trace: every rule evaluated, whether it applied, and why. */
function traceTable(trace) {
  const t = el('table', null, 'trace');
  const head = el('tr');
  ['Regel', 'Anvendt', 'Hvorfor'].forEach((x) => head.append(el('th', x)));
  const thead = el('thead');
  thead.append(head);
  t.append(thead);
  const body = el('tbody');
  (trace || []).forEach((s) => {
    const tr = el('tr', null, s.applied ? 'applied' : '');
    tr.append(el('td', s.rule), el('td', s.applied ? 'ja' : 'nej'), el('td', s.why || ''));
    body.append(tr);
  });
  t.append(body);
  const wrap = el('div');
  wrap.append(el('h4', 'Regelforløb'), t);
  return wrap;
}

function showError(box, body) {
  box.replaceChildren();
  const msg = body && body.error ? body.error : 'Ukendt fejl';
  box.append(el('p', msg));
  if (body && body.errors) {
    const ul = el('ul');
    body.errors.forEach((e) => ul.append(el('li', e.error)));
    box.append(ul);
  }
  box.hidden = false;
}

/* ------------------------------------------------------------ work list */

let offset = 0;

function isoDay(d) { return d.toISOString().slice(0, 10); }

async function loadList() {
  const f = new FormData($('#filters'));
  const p = new URLSearchParams();
  for (const k of ['outcome', 'unit', 'priority', 'from', 'to', 'q']) {
    const v = (f.get(k) || '').trim();
    if (v) p.set(k, v);
  }
  if (f.get('soon')) p.set('due', isoDay(new Date(Date.now() + 7 * 86400000)));
  p.set('limit', PAGE);
  p.set('offset', offset);
  const { status, body } = await api('/api/referrals?' + p.toString());
  const tbody = $('#worklist tbody');
  tbody.replaceChildren();
  if (status !== 200) { $('#list-count').textContent = body && body.error ? body.error : 'Fejl'; return; }
  const to = Math.min(offset + body.items.length, body.total);
  $('#list-count').textContent = body.total
    ? `${body.total} henvisninger – viser ${offset + 1}–${to}` : 'Ingen henvisninger';
  $('#prev').disabled = offset === 0;
  $('#next').disabled = to >= body.total;
  body.items.forEach((it) => {
    const tr = el('tr');
    tr.tabIndex = 0;
    const out = el('td', OUTCOME[it.status] || it.status, 'outcome ' + it.status);
    tr.append(el('td', it.id), el('td', fmtDate(it.received)), el('td', it.municipality || ''),
      el('td', it.age_band || ''), out, el('td', it.unit || ''),
      el('td', it.priority ? PRIORITY[it.priority] : ''), el('td', fmtDate(it.deadline)));
    const open = () => showDetail(it.id);
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
    tbody.append(tr);
  });
}

let current = null;

async function showDetail(id, explain = false) {
  const { status, body } = await api('/api/referrals/' + encodeURIComponent(id) + (explain ? '?explain=1' : ''));
  const box = $('#detail');
  box.hidden = false;
  $('#detail-title').textContent = 'Henvisning ' + id;
  const dec = $('#detail-decision');
  dec.replaceChildren();
  $('#detail-trace').replaceChildren();
  if (status !== 200) { dec.append(el('p', body.error, 'error')); return; }
  current = id;
  const hist = body.decisions || [];
  if (hist.length) dec.append(decisionCard(hist[hist.length - 1]));
  else dec.append(el('p', 'Ikke afgjort endnu.', 'muted'));
  if (explain && body.explain) {
    $('#detail-trace').append(el('p', 'Afgjort igen nu med det aktive regelsæt:', 'muted'),
      traceTable(body.explain.trace));
  }
  const tb = $('#history tbody');
  tb.replaceChildren();
  hist.slice().reverse().forEach((d) => {
    const tr = el('tr');
    tr.append(el('td', d.decided_at), el('td', OUTCOME[d.outcome] || d.outcome),
      el('td', (d.ruleset || '').slice(0, 12)));
    tb.append(tr);
  });
  $('#detail-json').textContent = JSON.stringify(body.referral, null, 2);
  box.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

/* --------------------------------------------------------------- check */

async function submitCheck(save) {
  const text = $('#referral-text').value;
  const err = $('#check-error');
  const out = $('#check-result');
  err.hidden = true;
  out.replaceChildren();
  if (!text.trim()) { showError(err, { error: 'Indsæt en henvisning først.' }); return; }
  const path = save ? '/api/referrals?explain=1' : '/api/check?explain=1';
  const { status, body } = await api(path, {
    method: 'POST', body: text, headers: { 'Content-Type': 'application/json' },
  });
  if (status !== 200 && status !== 201) { showError(err, body); return; }
  const list = Array.isArray(body) ? body : [body];
  list.forEach((d) => {
    const card = decisionCard(d);
    if (d.trace) {
      const det = el('details');
      det.append(el('summary', 'Regelforløb (for regelforfattere)'), traceTable(d.trace));
      card.append(det);
    }
    out.append(card);
  });
  if (save) { out.prepend(el('p', 'Henvisningen er gemt.', 'ok')); loadStatus(); loadList(); }
}

/* --------------------------------------------------------------- setup */

async function loadStatus() {
  const { status, body } = await api('/api/status');
  if (status !== 200) return;
  let s = `Regelsæt ${body.ruleset.slice(0, 12)} – indlæst ${body.loaded_at}`;
  if (body.counts) s += ` – ${body.counts.referrals} henvisninger i databasen`;
  if (body.last_error) s += ` – seneste genindlæsning fejlede: ${body.last_error.message}`;
  $('#ruleset').textContent = s;
  $('#ruleset').classList.toggle('error', !!body.last_error);
}

function showTab(name) {
  document.querySelectorAll('.tab').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
  $('#view-list').hidden = name !== 'list';
  $('#view-check').hidden = name !== 'check';
}

document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('.tab').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
  $('#filters').addEventListener('submit', (e) => { e.preventDefault(); offset = 0; loadList(); });
  $('#filters').addEventListener('change', () => { offset = 0; loadList(); });
  $('#prev').addEventListener('click', () => { offset = Math.max(0, offset - PAGE); loadList(); });
  $('#next').addEventListener('click', () => { offset += PAGE; loadList(); });
  $('#explain-btn').addEventListener('click', () => { if (current) showDetail(current, true); });
  $('#check-form').addEventListener('submit', (e) => { e.preventDefault(); submitCheck(false); });
  $('#save-btn').addEventListener('click', () => submitCheck(true));
  $('#referral-file').addEventListener('change', async (e) => {
    const f = e.target.files[0];
    if (f) $('#referral-text').value = await f.text();
  });
  loadStatus().then(loadList);
  /* A rule change in the server (hot reload) shows without a page reload. */
  setInterval(loadStatus, 30000);
});

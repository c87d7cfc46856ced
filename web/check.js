/*
 * check.js — trying a referral: paste or choose one (JSON), see what the
 * active rules decide and why, step by step; save it to have it decided
 * for real and put on the work list.
 */
'use strict';

function traceTable(trace) {
  const t = el('table', null, 'trace plain');
  const head = el('tr');
  ['Regel', 'Anvendt', 'Hvorfor'].forEach((x) => { const th = el('th', x); th.scope = 'col'; head.append(th); });
  const thead = el('thead');
  thead.append(head);
  const body = el('tbody');
  (trace || []).forEach((s) => {
    const tr = el('tr', null, s.applied ? 'applied' : '');
    tr.append(el('td', s.rule), el('td', s.applied ? 'ja' : 'nej'), el('td', s.why || ''));
    body.append(tr);
  });
  t.append(thead, body);
  return t;
}

function checkError(body) {
  const box = $('#check-error');
  box.replaceChildren(el('p', 'Henvisningen kan ikke afgøres: ' + ((body && body.error) || 'ukendt fejl')));
  if (body && body.errors) {
    const ul = el('ul');
    body.errors.forEach((e) => ul.append(el('li', e.error)));
    box.append(ul);
  }
  box.hidden = false;
}

async function submitCheck(save) {
  const text = $('#referral-input').value;
  const out = $('#check-result');
  $('#check-error').hidden = true;
  out.replaceChildren();
  if (!text.trim()) { checkError({ error: 'Indsæt en henvisning først.' }); return; }
  const { status, body } = await api(save ? '/api/referrals?explain=1' : '/api/check?explain=1', {
    method: 'POST', body: text, headers: { 'Content-Type': 'application/json' } });
  if (status !== 200 && status !== 201) { checkError(body); return; }
  (Array.isArray(body) ? body : [body]).forEach((d) => {
    const card = decisionCard(d, 'Reglerne', `Regelsæt ${(d.ruleset || '').slice(0, 12)}`);
    if (d.trace) {
      const det = el('details');
      det.append(el('summary', 'Regelforløb'), traceTable(d.trace));
      card.append(det);
    }
    out.append(card);
  });
  if (save) { out.prepend(el('p', 'Henvisningen er gemt og står på arbejdslisten.', 'ok')); loadList(true); }
}

function setupCheck() {
  $('#check-form').addEventListener('submit', (e) => { e.preventDefault(); submitCheck(false); });
  $('#save-btn').addEventListener('click', () => submitCheck(true));
  $('#referral-file').addEventListener('change', async (e) => {
    const f = e.target.files[0];
    if (f) $('#referral-input').value = await f.text();
  });
}

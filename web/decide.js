/*
 * decide.js — what a person does with the open referral: confirm the rules'
 * suggestion (one key), correct it with a decision the policy offers and a
 * reason, assign it to a colleague, note on it, and answer the referrer
 * (the letter shown, printed, marked as sent). Each action says what the
 * person saw, so a colleague's decision meanwhile is never overwritten.
 */
'use strict';

let policy = null;

function closeForms() {
  ['#override', '#assign', '#note', '#answer'].forEach((s) => { $(s).hidden = true; });
}

function actionsFor(review) {
  const intake = session.role === 'intake';
  const s = review.suggestion;
  const decided = review.status === 'confirmed' || review.status === 'overridden' || review.status === 'answered';
  $('#act-confirm').disabled = !intake || !s || s.outcome === 'manual_review' || decided;
  $('#act-override').disabled = !intake;
  $('#act-assign').disabled = !intake;
  $('#act-note').disabled = !intake;
  $('#act-answer').disabled = !open.answer;
  $$('.actions button').forEach((b) => { b.title = intake || b.id === 'act-answer' ? '' : 'Kun visitationen (intake) kan afgøre'; });
}

function showError(text) {
  const e = $('#detail-error');
  e.textContent = text;
  e.hidden = false;
}

/* Post an action on the open referral; reload it and the list after. */
async function act(body, done) {
  if (!open.id) return false;
  body.key = actionKey();
  body.seen = open.review.last_seq;
  if (body.action === 'confirm' || body.action === 'override') body.suggestion = open.review.suggestion_seq;
  const { status, body: res } = await api(`/api/referrals/${encodeURIComponent(open.id)}/review`,
    { method: 'POST', json: body });
  if (status !== 201 && status !== 200) {
    showError(danish(status, res));
    return false;
  }
  notice(`${open.id}: ${done}`);
  const id = open.id;
  await Promise.all([openReferral(id), loadList(true)]);
  return true;
}

/* --------------------------------------------------------------- confirm */

function confirmSuggestion() {
  if ($('#act-confirm').disabled) return;
  act({ action: 'confirm' }, 'forslaget er bekræftet');
}

/* -------------------------------------------------------------- override */

function options(select, items, blank) {
  select.replaceChildren();
  if (blank) select.append(new Option(blank, ''));
  items.forEach((it) => select.append(new Option(it.label, it.code)));
}

function buildOverrideForm() {
  const f = $('#override');
  const box = $('#ov-outcomes');
  box.replaceChildren();
  policy.outcomes.forEach((o) => {
    const id = 'ov-' + o.code;
    const input = el('input');
    Object.assign(input, { type: 'radio', name: 'outcome', value: o.code, id, required: true });
    const label = el('label', o.label);
    label.htmlFor = id;
    const wrap = el('span', null, 'choice');
    wrap.append(input, label);
    box.append(wrap);
  });
  options(f.elements.target, policy.targets);
  options(f.elements.unit, policy.units.map((u) => ({ code: u.code, label: `${u.code} – ${u.label}` })));
  options(f.elements.priority, policy.priorities.map((p) => ({ code: p.code, label: T.priority[p.code] || p.label })), '–');
  options(f.elements.request_from, policy.request_from);
  const miss = $('#ov-missing');
  miss.replaceChildren();
  policy.missing.forEach((m) => {
    const input = el('input');
    Object.assign(input, { type: 'checkbox', name: 'missing', value: m.code, id: 'ovm-' + m.code });
    const label = el('label', m.label);
    label.htmlFor = input.id;
    const wrap = el('span', null, 'choice');
    wrap.append(input, label);
    miss.append(wrap);
  });
  f.addEventListener('change', (e) => {
    if (e.target.name === 'outcome') showFieldsFor(e.target.value);
    if (e.target.name === 'priority') fillDeadline(true);
  });
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const outcome = (f.elements.outcome.value || '');
    const body = { action: 'override', outcome, reason: f.elements.reason.value.trim() };
    if (outcome === 'accept') Object.assign(body, { target: 'buc', unit: f.elements.unit.value,
      priority: f.elements.priority.value || null, deadline: f.elements.deadline.value || null });
    if (outcome === 'redirect') {
      body.target = f.elements.target.value;
      if (f.elements.priority.value) Object.assign(body, { priority: f.elements.priority.value,
        deadline: f.elements.deadline.value || null });
    }
    if (outcome === 'request_info') Object.assign(body, { request_from: f.elements.request_from.value,
      missing: $$('input[name=missing]:checked', f).map((x) => x.value) });
    if (await act(body, 'afgørelsen er rettet')) closeForms();
  });
}

function showFieldsFor(outcome) {
  $$('#override [data-for]').forEach((x) => { x.hidden = !x.dataset.for.split(' ').includes(outcome); });
}

/* The deadline the policy gives the priority, from the day received. */
function fillDeadline(force) {
  const f = $('#override');
  const p = f.elements.priority.value, days = policy.deadline_days[p];
  const got = open.record && open.record.referral && open.record.referral.received;
  if (!p || days === undefined || !got || (f.elements.deadline.value && !force)) return;
  const d = new Date(got + 'T12:00:00');
  d.setDate(d.getDate() + days);
  f.elements.deadline.value = isoDay(d);
}

function startOverride() {
  if ($('#act-override').disabled) return;
  closeForms();
  const f = $('#override');
  f.reset();
  /* a deadline before the referral came is refused; the picker says so first */
  const got = open.record && open.record.referral && open.record.referral.received;
  f.elements.deadline.min = got || '';
  const d = open.review.decision || open.review.suggestion;
  if (d && d.outcome !== 'manual_review') {
    const r = $(`#ov-${d.outcome}`);
    if (r) r.checked = true;
    if (d.target && d.target !== 'buc') f.elements.target.value = d.target;
    if (d.unit) f.elements.unit.value = d.unit;
    f.elements.priority.value = d.priority || '';
    f.elements.deadline.value = d.deadline || '';
    if (d.request_from) f.elements.request_from.value = d.request_from;
    (d.missing || []).forEach((m) => { const c = $(`#ovm-${m}`); if (c) c.checked = true; });
  }
  showFieldsFor(d ? d.outcome : '');
  f.hidden = false;
  (f.querySelector('input[name=outcome]:checked') || f.querySelector('input[name=outcome]')).focus();
}

/* -------------------------------------------------------- assign, note */

async function startAssign() {
  if ($('#act-assign').disabled) return;
  closeForms();
  const { status, body } = await api('/api/colleagues');
  const sel = $('#assign-to');
  sel.replaceChildren(new Option('Ingen', ''));
  if (status === 200) body.names.forEach((n) => sel.append(new Option(n === session.name ? `${n} (mig)` : n, n)));
  sel.value = open.review.assignee || '';
  $('#assign').hidden = false;
  sel.focus();
}

function startNote() {
  if ($('#act-note').disabled) return;
  closeForms();
  $('#note').reset();
  $('#note').hidden = false;
  $('#note-text').focus();
}

/* ---------------------------------------------------------------- answer */

function letterBox(letter) {
  const box = $('#letter');
  box.replaceChildren();
  const head = el('dl', null, 'letterhead');
  head.append(el('dt', 'Til'), el('dd', letter.recipient), el('dt', 'Emne'), el('dd', letter.subject));
  box.append(head, el('div', letter.body, 'letterbody'));
}

function startAnswer() {
  if ($('#act-answer').disabled || !open.answer) return;
  closeForms();
  const a = open.answer;
  letterBox(a.letter);
  $('#answer-state').textContent = a.sent
    ? `Besvaret af ${a.sent.by}, ${when(a.sent.at)}. Brevet herunder er afgørelsen i dag; det sendte står i historikken.`
    : a.by_person ? 'Afgørelsen er truffet; brevet er klar til at blive sendt.'
      : 'Udkast: ingen medarbejder har bekræftet afgørelsen endnu.';
  $('#answer-send').disabled = !a.by_person || session.role !== 'intake';
  $('#answer').hidden = false;
  $('#answer-print').focus();
}

function setupDecide(p) {
  policy = p;
  policy.missing.forEach((m) => { T.missing[m.code] = m.label; });
  policy.units.forEach((u) => { T.units[u.code] = u.label; });
  buildOverrideForm();
  $('#act-confirm').addEventListener('click', confirmSuggestion);
  $('#act-override').addEventListener('click', startOverride);
  $('#act-assign').addEventListener('click', startAssign);
  $('#act-note').addEventListener('click', startNote);
  $('#act-answer').addEventListener('click', startAnswer);
  $$('[data-close]').forEach((b) => b.addEventListener('click', closeForms));
  $('#assign').addEventListener('submit', async (e) => {
    e.preventDefault();
    const who = $('#assign-to').value;
    if (await act({ action: 'assign', assignee: who || null }, who ? `tildelt ${who}` : 'ikke tildelt nogen'))
      closeForms();
  });
  $('#note').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await act({ action: 'note', text: $('#note-text').value.trim() }, 'noten er gemt')) closeForms();
  });
  $('#answer-print').addEventListener('click', () => window.print());
  $('#answer-send').addEventListener('click', async () => {
    if (await act({ action: 'answer' }, 'henviseren er besvaret')) startAnswer();
  });
}

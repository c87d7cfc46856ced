/*
 * referral.js — one referral as a person reads it: who sent it and about
 * whom (never the CPR), what it states besides the letter (risk, consent,
 * tests, efforts, measurements), the letter as text with every passage the
 * text layer read marked (counted or dropped, why as its title; those a
 * reason rests on linked to it: the decision's evidence and byte offsets),
 * the decision in force and the rules' suggestion with the places by name,
 * and the history: every suggestion and every person's action.
 */
'use strict';

/* What is open: the referral's record, its review state, its answer. */
const open = { id: null, record: null, review: null, answer: null, asked: 0 };

/* ------------------------------------------------------------ passages */

/* Every passage the decision points at: {start, end} byte offsets into the
 * letter, with the rule, whether it counted and why. An explained decision
 * carries `evidence`, every mention the text layer read ({key, counted, why,
 * start, end}), and each reason the evidence keys it rests on
 * (README.md, "What an explained decision says about the letter"); a mention is the passage of the first reason
 * naming its key. Passages a trace step lists (under evidence, spans,
 * mentions, ...: {start, end}, span [start, end] or offset and length) are
 * taken too. */
function passagesOf(decision) {
  const out = [];
  const push = (v, rule) => {
    let s = v.start, e = v.end;
    if (Array.isArray(v.span)) [s, e] = v.span;
    if (s === undefined && Number.isInteger(v.offset)) { s = v.offset; e = v.offset + (v.length || 0); }
    if (Number.isInteger(s) && Number.isInteger(e) && e > s) {
      out.push({ start: s, end: e, rule, key: v.key || '',
        counted: v.counted !== false && !v.dropped, why: v.why || v.reason || v.key || '' });
    }
  };
  const visit = (v, rule) => {
    if (Array.isArray(v)) { v.forEach((x) => visit(x, rule)); return; }
    if (!v || typeof v !== 'object') return;
    const r = v.rule || rule;
    push(v, r);
    for (const k of ['evidence', 'spans', 'mentions', 'matches', 'passages']) if (v[k]) visit(v[k], r);
  };
  if (!decision) return out;
  if (Array.isArray(decision.evidence)) {
    const ruleOf = {};
    (decision.reasons || []).forEach((r) => (r.evidence || []).forEach((k) => {
      if (typeof k === 'string' && !(k in ruleOf)) ruleOf[k] = r.rule;
    }));
    decision.evidence.forEach((m) => { if (m && typeof m === 'object') push(m, ruleOf[m.key] || null); });
  }
  if (decision.trace) visit(decision.trace, null);
  return out;
}

/* The letter with its passages marked: byte offsets made string positions,
 * overlaps cut, each mark a text node's sibling (never HTML). */
function markedText(text, passages) {
  const box = el('div');
  if (!passages.length) { box.textContent = text; return box; }
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const pos = (b) => dec.decode(bytes.slice(0, Math.min(b, bytes.length))).length;
  const marks = passages.map((p) => Object.assign({}, p, { a: pos(p.start), b: pos(p.end) }))
    .sort((x, y) => x.a - y.a || y.b - x.b);
  let at = 0;
  marks.forEach((m) => {
    if (m.b <= at) return;
    const a = Math.max(m.a, at);
    if (a > at) box.append(document.createTextNode(text.slice(at, a)));
    const mk = el('mark', text.slice(a, m.b), m.counted ? 'counted' : 'dropped');
    mk.tabIndex = -1;
    if (m.rule) mk.dataset.rule = m.rule;
    if (m.key) mk.dataset.key = m.key;
    if (m.why) mk.title = (m.rule ? m.rule + ': ' : '') + (m.key && m.key !== m.why ? m.key + ' — ' : '') + m.why;
    box.append(mk);
    at = m.b;
  });
  if (at < text.length) box.append(document.createTextNode(text.slice(at)));
  return box;
}

/* --------------------------------------------------------- a decision */

function unitName(code) {
  return T.units[code] ? `${T.units[code]} (${code})` : code;
}

/* A decision as a person reads it; place (where the child goes, from the
 * answer) when it is the decision the answer is for. */
function decisionCard(d, title, by, place) {
  const card = el('div', null, 'decision');
  card.dataset.outcome = d.outcome;
  const h = el('h4', null, 'outcome ' + d.outcome);
  h.append(el('span', title + ': ', 'label'), document.createTextNode(T.outcome[d.outcome] || d.outcome));
  card.append(h);
  const dl = el('dl');
  const add = (k, v) => { if (v) dl.append(el('dt', k), el('dd', v)); };
  if (d.target && d.target !== 'buc')
    add('Sendes til', place && place.name ? place.name : (T.target[d.target] || d.target));
  if (d.unit) add('Enhed', unitName(d.unit));
  if (place && place.address) add('Sted', place.address);
  add('Prioritet', d.priority ? (T.priority[d.priority] || d.priority) : '');
  add('Frist', day(d.deadline, true));
  add('Oplysninger indhentes hos', d.request_from ? (T.from[d.request_from] || d.request_from) : '');
  if (place && place.how) add('Sådan', place.how);
  if (place && place.contact) add('Kontakt', place.contact);
  card.append(dl);
  if (d.missing && d.missing.length) {
    card.append(el('h5', 'Mangler'));
    const ul = el('ul', null, 'missing');
    d.missing.forEach((m) => ul.append(el('li', T.missing[m] || m)));
    card.append(ul);
  }
  if (d.reasons && d.reasons.length) {
    card.append(el('h5', 'Begrundelse'));
    const ul = el('ul', null, 'reasons');
    d.reasons.forEach((r) => {
      const li = el('li');
      li.append(el('span', r.text));
      if (r.rule && r.rule !== 'PERSON') li.append(el('span', r.rule, 'rule'));
      const mark = r.rule && $(`#referral-text mark[data-rule="${CSS.escape(r.rule)}"]`);
      if (mark) {
        const go = el('button', 'vis i teksten', 'link');
        go.type = 'button';
        go.addEventListener('click', () => { mark.scrollIntoView({ block: 'center' }); mark.focus(); });
        li.append(go);
      }
      ul.append(li);
    });
    card.append(ul);
  }
  if (by) card.append(el('p', by, 'muted small'));
  return card;
}

/* ------------------------------------------------------------ the parts */

function factsOf(rec, answer) {
  const r = rec.referral || {};
  const p = r.patient || {};
  const dl = $('#referral-facts');
  dl.replaceChildren();
  const add = (k, v) => { if (v) dl.append(el('dt', k), el('dd', v)); };
  add('Modtaget', day(r.received, true));
  add('Alder', rec.age_band ? rec.age_band.replace('-', '–') + ' år' : '');
  add('Kommune', (answer && answer.letter && answer.letter.municipality) || p.municipality);
  const proper = answer && answer.letter && answer.letter.municipality;
  if (proper && p.municipality && !proper.toLowerCase().startsWith(p.municipality.toLowerCase()))
    add('Skrevet som', p.municipality);
  const ref = r.referrer || {};
  add('Henviser', [T.referrer[ref.kind] || ref.kind, ref.name].filter(Boolean).join(': '));
  add('Henviser beder om', T.asked[r.priority] || r.priority);
  add('Forældremyndighed', T.custody[p.custody] || p.custody);
  const consent = (r.consent || {}).both_custodians;
  add('Samtykke', consent === true ? 'fra begge forældremyndighedsindehavere'
    : consent === false ? 'ikke fra begge forældremyndighedsindehavere' : '');
  add('Diagnoser', (r.diagnoses || []).join(', '));
  /* what the rules read besides the letter (risk, GAPD, IQ, efforts,
   * measurements): a reason resting on it must be checkable here */
  const risk = r.risk || {}, flagged = (v) => Object.keys(T.risk).filter((k) => risk[k] === v)
    .map((k) => T.risk[k]).join(', ');
  add('Risiko', flagged(true));
  add('Risiko afkræftet', flagged(false));
  add('GAPD', Number.isInteger(r.gapd) ? String(r.gapd) : '');
  add('Vedlagt', (r.assessments || []).map((a) => [a.kind === 'cognitive' ? 'kognitiv vurdering'
    : a.kind === 'ppv' ? 'PPV' : a.kind, a.instrument, day(a.date),
  Number.isInteger(a.fsiq) ? `(samlet IK ${a.fsiq})` : ''].filter(Boolean).join(' ')).join('; '));
  add('Indsatser prøvet', (r.prior_interventions || []).map((x) => T.effort[x] || x).join(', '));
  const s = r.somatic || {}, num = (v) => String(v).replace('.', ',');
  add('Højde, vægt', [typeof s.height_cm === 'number' ? `${num(s.height_cm)} cm` : '',
    typeof s.weight_kg === 'number' ? `${num(s.weight_kg)} kg` : '',
    typeof s.bmi === 'number' ? `BMI ${num(s.bmi)}` : '',
    typeof s.weight_loss_pct_3m === 'number' ? `vægttab ${num(s.weight_loss_pct_3m)} % på 3 mdr.` : '']
    .filter(Boolean).join(', '));
  if (r.previous_buc_contact) add('Tidligere i BUC', 'ja');
  add('Medicin', (r.medication || []).join(', '));
}

function history(rec, review) {
  const items = [];
  (rec.decisions || []).forEach((d) => items.push({ at: d.decided_at, text:
    `Reglerne foreslog: ${T.outcome[d.outcome] || d.outcome}` +
    (d.unit ? ` (${d.unit})` : d.target && d.target !== 'buc' ? ` (${T.target[d.target] || d.target})` : '') +
    ` – regelsæt ${(d.ruleset || '').slice(0, 12)}`, cls: 'rules' }));
  (review.entries || []).forEach((e) => {
    let t = `${e.actor} ${T.action[e.action] || e.action}`;
    if (e.action === 'assign') t += e.assignee ? ` ${e.assignee}` : ' til ingen';
    if (e.decision && e.action === 'override') t += `: ${T.outcome[e.decision.outcome] || e.decision.outcome}`;
    const it = { at: e.at, text: t, cls: 'person ' + e.action, detail: e.text };
    if (e.suggestion) it.beside = `ved forslaget ${T.outcome[e.suggestion.outcome] || e.suggestion.outcome}` +
      `, regelsæt ${(e.ruleset || '').slice(0, 12)}`;
    items.push(it);
  });
  items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const ol = $('#history');
  ol.replaceChildren();
  items.forEach((it) => {
    const li = el('li', null, it.cls);
    li.append(el('time', when(it.at)), el('span', it.text));
    if (it.beside) li.append(el('span', it.beside, 'muted small'));
    if (it.detail) {
      if (it.detail.length > 240) {
        const d = el('details');
        d.append(el('summary', 'Vis teksten'), el('pre', it.detail));
        li.append(d);
      } else li.append(el('q', it.detail));
    }
    ol.append(li);
  });
}

function decisionPart(review, answer) {
  const box = $('#decision');
  box.replaceChildren();
  const place = answer && answer.letter ? answer.letter.place : null;
  if (review.decision) {
    box.append(decisionCard(review.decision, 'Afgjort', `${review.decided_by}, ${when(review.decided_at)}`, place));
    const s = review.suggestion;
    if (s) {
      const d = el('details');
      d.append(el('summary', 'Reglernes forslag'), decisionCard(s, 'Forslag',
        `Regelsæt ${(s.ruleset || '').slice(0, 12)}`));
      box.append(d);
    }
  } else if (review.suggestion) {
    box.append(decisionCard(review.suggestion, 'Forslag',
      `Reglernes forslag, regelsæt ${(review.suggestion.ruleset || '').slice(0, 12)} – venter på en medarbejder`,
      place));
  } else {
    box.append(el('p', 'Reglerne har ikke afgjort henvisningen endnu.', 'muted'));
  }
}

/* -------------------------------------------------------------- opening */

async function openReferral(id) {
  const enc = encodeURIComponent(id), asked = ++open.asked;
  const [rec, rev, ans] = await Promise.all([api(`/api/referrals/${enc}?explain=1`),
    api(`/api/referrals/${enc}/audit`), api(`/api/referrals/${enc}/answer`)]);
  if (asked !== open.asked) return;     /* another was opened meanwhile */
  $('#detail-error').hidden = true;
  if (rec.status !== 200 || rev.status !== 200) {
    notice(danish(rec.status !== 200 ? rec.status : rev.status, rec.status !== 200 ? rec.body : rev.body), true);
    return;
  }
  Object.assign(open, { id, record: rec.body, review: rev.body, answer: ans.status === 200 ? ans.body : null });
  markSelected(id);
  $('#detail').hidden = false;
  $('#detail-empty').hidden = true;
  $('#detail-title').textContent = `Henvisning ${id}`;
  const facts = $('#detail-facts');
  facts.replaceChildren(statusBadge(rev.body.status));
  if (rev.body.assignee) facts.append(el('span', `Tildelt ${rev.body.assignee}`, 'assignee'));
  factsOf(rec.body, open.answer);
  const text = (rec.body.referral && rec.body.referral.text) || '';
  const passages = passagesOf(rec.body.explain);
  $('#referral-text').replaceChildren(text ? markedText(text, passages) : el('p', 'Ingen fritekst.', 'muted'));
  $('#marks-legend').hidden = !passages.length;
  decisionPart(rev.body, open.answer);
  history(rec.body, rev.body);
  closeForms();
  actionsFor(rev.body);
}

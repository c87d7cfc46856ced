/*
 * learning.js — what the rules learn from the people: how often a person
 * kept the rules' suggestion, Cohen's kappa, a chart and the confusion
 * matrix per outcome, each correction with its reason, and where a shadow
 * rule set would have decided otherwise than the active rules and people.
 */
'use strict';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, String(v)));
  if (text !== undefined) e.textContent = text;
  return e;
}

function pct(part, whole) {
  return whole ? `${(100 * part / whole).toFixed(1).replace('.', ',')} %` : '–';
}

function kappa(v) {
  return typeof v === 'number' ? v.toFixed(3).replace('.', ',') : 'kan ikke beregnes';
}

/* One bar per outcome the rules suggested: how much of it the people kept. */
function chart(outcomes, matrix, title) {
  const rows = outcomes.map((o, i) => ({ o, n: matrix[i].reduce((a, b) => a + b, 0), kept: matrix[i][i] }))
    .filter((r) => r.n > 0);
  const w = 560, bar = 26, gap = 12, left = 170, h = rows.length * (bar + gap) + 30;
  const s = svg('svg', { viewBox: `0 0 ${w} ${h}`, width: '100%', role: 'img', 'aria-labelledby': 'chart-title' });
  s.append(svg('title', { id: 'chart-title' }, title));
  const max = Math.max(1, ...rows.map((r) => r.n));
  rows.forEach((r, i) => {
    const y = 10 + i * (bar + gap), full = (w - left - 60) * r.n / max, kept = full * r.kept / r.n;
    s.append(svg('text', { x: left - 8, y: y + bar * 0.68, 'text-anchor': 'end', class: 'axis' }, T.outcome[r.o] || r.o));
    s.append(svg('rect', { x: left, y, width: full, height: bar, class: 'bar-changed' }));
    s.append(svg('rect', { x: left, y, width: kept, height: bar, class: 'bar-kept' }));
    s.append(svg('text', { x: left + full + 6, y: y + bar * 0.68, class: 'axis' }, `${r.kept}/${r.n}`));
  });
  return s;
}

function matrixTable(outcomes, matrix, rowsAre, colsAre) {
  const t = el('table', null, 'plain matrix');
  t.append(el('caption', `Rækker: ${rowsAre}; kolonner: ${colsAre}`));
  const head = el('tr');
  const corner = el('th');
  corner.append(el('span', `${rowsAre} / ${colsAre}`, 'sr-only'));
  head.append(corner);
  outcomes.forEach((o) => { const th = el('th', T.outcome[o] || o); th.scope = 'col'; head.append(th); });
  const thead = el('thead');
  thead.append(head);
  const body = el('tbody');
  outcomes.forEach((o, i) => {
    const tr = el('tr');
    const th = el('th', T.outcome[o] || o);
    th.scope = 'row';
    tr.append(th);
    matrix[i].forEach((n, j) => tr.append(el('td', n, i === j ? 'diag' : n ? 'off' : '')));
    body.append(tr);
  });
  t.append(thead, body);
  return t;
}

function brief(d) {
  if (!d) return '–';
  let s = T.outcome[d.outcome] || d.outcome;
  if (d.unit) s += ` (${d.unit})`;
  else if (d.target && d.target !== 'buc') s += ` (${T.target[d.target] || d.target})`;
  if (d.missing && d.missing.length) s += ': ' + d.missing.map((m) => T.missing[m] || m).join(', ');
  return s;
}

function openFromLearning(id) {
  showTab('work');
  openReferral(id);
}

function idButton(id) {
  const b = el('button', id, 'link');
  b.type = 'button';
  b.addEventListener('click', () => openFromLearning(id));
  return b;
}

function figures(items) {
  const dl = el('dl', null, 'figures');
  items.forEach(([k, v]) => dl.append(el('dt', k), el('dd', v)));
  return dl;
}

async function loadLearning() {
  const box = $('#learning');
  const { status, body: a } = await api('/api/agreement');
  box.replaceChildren();
  if (status !== 200) { box.append(el('p', danish(status, a), 'error')); return; }
  const top = el('section', null, 'card');
  top.append(el('h3', 'Reglerne og medarbejderne'), figures([
    ['Gennemgået af en medarbejder', String(a.reviewed)],
    ['Samme udfald som reglerne', `${a.agree} (${pct(a.agree, a.reviewed)})`],
    ['Samme udfald, sted og enhed', `${a.agree_full} (${pct(a.agree_full, a.reviewed)})`],
    ['Rettet af en medarbejder', String(a.overridden)],
    ['Cohens κ (udfald)', kappa(a.kappa)],
  ]));
  if (a.reviewed) {
    top.append(el('h4', 'Hvor ofte medarbejderne beholdt reglernes forslag'),
      chart(a.outcomes, a.matrix, 'Beholdt (mørk) og rettet (lys) pr. forslag'),
      el('p', 'Mørk: beholdt. Lys: rettet til et andet udfald.', 'muted small'),
      matrixTable(a.outcomes, a.matrix, 'reglernes forslag', 'medarbejdernes afgørelse'));
  }
  box.append(top);

  const ov = el('section', null, 'card');
  ov.append(el('h3', `Rettelser (${a.overrides_total})`));
  if (!a.overrides.length) ov.append(el('p', 'Ingen rettelser endnu.', 'muted'));
  else {
    const t = el('table', null, 'plain');
    const head = el('tr');
    ['Henvisning', 'Hvornår', 'Hvem', 'Reglerne foreslog', 'Afgjort', 'Begrundelse']
      .forEach((x) => { const th = el('th', x); th.scope = 'col'; head.append(th); });
    const thead = el('thead');
    thead.append(head);
    const tb = el('tbody');
    a.overrides.forEach((o) => {
      const tr = el('tr');
      const first = el('td');
      first.append(idButton(o.id));
      tr.append(first, el('td', when(o.at)), el('td', o.by), el('td', brief(o.suggested)),
        el('td', brief(o.decided)), el('td', o.reason || ''));
      tb.append(tr);
    });
    t.append(thead, tb);
    ov.append(t, el('p', 'Som regeltest: triage overrides --export DIR, derefter triage test --cases DIR.', 'muted small'));
  }
  box.append(ov);

  const sh = el('section', null, 'card');
  sh.append(el('h3', 'Skyggeregelsæt'));
  if (!a.shadow) {
    sh.append(el('p', 'Intet skyggeregelsæt kører (triage serve --shadow DIR).', 'muted'));
  } else {
    const s = a.shadow;
    sh.append(figures([
      ['Regelsæt', s.ruleset.slice(0, 12)],
      ['Afviger fra de aktive regler', `${s.differs} af ${s.decided}`],
      ['Samme udfald som medarbejderne', `${s.agree} af ${s.reviewed} (de aktive regler: ${s.agree_active})`],
      ['Cohens κ mod medarbejderne', kappa(s.kappa)],
    ]));
    if (s.differences.length) {
      const t = el('table', null, 'plain');
      const head = el('tr');
      ['Henvisning', 'Aktive regler', 'Skyggeregelsæt', 'Medarbejder']
        .forEach((x) => { const th = el('th', x); th.scope = 'col'; head.append(th); });
      const thead = el('thead');
      thead.append(head);
      const tb = el('tbody');
      s.differences.forEach((d) => {
        const tr = el('tr');
        const first = el('td');
        first.append(idButton(d.id));
        tr.append(first, el('td', brief(d.active)), el('td', brief(d.candidate)),
          el('td', d.person ? brief(d.person) : 'ikke gennemgået'));
        tb.append(tr);
      });
      t.append(thead, tb);
      sh.append(t);
    }
  }
  box.append(sh);
}

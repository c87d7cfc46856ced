/*
 * worklist.js — the work list: filters by status, person, the rules'
 * suggestion and its priority, a page of referrals at a time, each with its
 * priority and deadline; each row opens its referral,
 * and the keys j/k (or the arrows) move through the list.
 */
'use strict';

const PAGE = 50;
const list = { offset: 0, ids: [], current: null, asked: 0 };

function listQuery() {
  const f = new FormData($('#filters'));
  const p = new URLSearchParams();
  for (const k of ['review', 'outcome', 'priority', 'q']) {
    const v = (f.get(k) || '').trim();
    if (v) p.set(k, v);
  }
  const who = f.get('assignee');
  if (who) p.set('assignee', who === '@me' ? session.name : who);
  p.set('limit', PAGE);
  p.set('offset', list.offset);
  return p;
}

function statusBadge(review) {
  return el('span', T.review[review] || review, 'badge ' + review);
}

/* A CPR number (six digits, maybe a separator, four) never goes into an
 * address: a proxy's access log and the browser's network log keep those.
 * The search cannot find one anyway (it reads ids and municipalities). */
const CPR_LIKE = /\d{6}\s*[-/]?\s*\d{4}/;

async function loadList(keepSelection) {
  const asked = ++list.asked;     /* only the latest answer is shown */
  if (CPR_LIKE.test($('#filters input[name=q]').value)) {
    $('#worklist tbody').replaceChildren();
    list.ids = [];
    $('#prev').disabled = $('#next').disabled = true;
    $('#list-count').textContent = 'Der søges ikke på CPR-nummer (det må ikke stå i en adresse). ' +
      'Søg på henvisningens nummer eller kommunen.';
    return;
  }
  const { status, body } = await api('/api/referrals?' + listQuery().toString());
  if (asked !== list.asked) return;
  const tbody = $('#worklist tbody');
  if (status !== 200) { $('#list-count').textContent = danish(status, body); return; }
  tbody.replaceChildren();
  const to = Math.min(list.offset + body.items.length, body.total);
  $('#list-count').textContent = body.total
    ? `${body.total} ${body.total === 1 ? 'henvisning' : 'henvisninger'} – viser ${list.offset + 1}–${to}`
    : 'Ingen henvisninger her';
  $('#prev').disabled = list.offset === 0;
  $('#next').disabled = to >= body.total;
  list.ids = body.items.map((it) => it.id);
  body.items.forEach((it) => {
    const tr = el('tr');
    tr.dataset.id = it.id;
    const open = el('button', it.id, 'rowlink');
    open.type = 'button';
    const first = el('td');
    first.append(open, el('span', day(it.received), 'received'));
    if (it.assignee) first.append(el('span', it.assignee, 'assignee'));
    const state = el('td');
    state.append(statusBadge(it.review));
    /* how soon, beside the suggestion: an acute one must stand out on a
     * page of routine ones, and each deadline is read without opening it */
    const sugg = el('td');
    sugg.append(el('span', T.outcome[it.outcome] || (it.outcome ? it.outcome : '–'), 'outcome ' + (it.outcome || '')));
    if (it.priority && it.priority !== 'routine')
      sugg.append(' ', el('span', T.priority[it.priority] || it.priority, 'badge prio ' + it.priority));
    if (it.deadline) sugg.append(el('span', 'frist ' + day(it.deadline), 'due'));
    tr.append(first, el('td', it.municipality || ''), sugg, state);
    if (it.id === list.current) tr.classList.add('selected');
    tbody.append(tr);
  });
  if (!keepSelection && list.ids.length && !list.current) {
    /* nothing open: the first one, ready for a key */
    const b = $('#worklist tbody .rowlink');
    if (b && document.activeElement === document.body) b.focus();
  }
}

function markSelected(id) {
  list.current = id;
  $$('#worklist tbody tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.id === id));
}

/* Move to the next (+1) or previous (-1) referral of the page, and open it. */
function moveSelection(step) {
  if (!list.ids.length) return;
  let i = list.ids.indexOf(list.current);
  i = i < 0 ? 0 : Math.min(list.ids.length - 1, Math.max(0, i + step));
  const id = list.ids[i];
  const b = $$('#worklist tbody .rowlink').find((x) => x.textContent === id);
  if (b) b.focus();
  openReferral(id);
}

function setupWorklist() {
  /* one listener for every row, so a row drawn anew still opens */
  $('#worklist tbody').addEventListener('click', (e) => {
    const b = e.target.closest('.rowlink');
    if (b) openReferral(b.closest('tr').dataset.id);
  });
  $('#filters').addEventListener('submit', (e) => { e.preventDefault(); list.offset = 0; loadList(); });
  $('#filters').addEventListener('change', () => { list.offset = 0; loadList(); });
  let typing;
  $('#filters input[name=q]').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => { list.offset = 0; loadList(); }, 300);
  });
  $('#prev').addEventListener('click', () => { list.offset = Math.max(0, list.offset - PAGE); loadList(); });
  $('#next').addEventListener('click', () => { list.offset += PAGE; loadList(); });
  $('#worklist').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const b = $$('#worklist tbody .rowlink');
      const i = b.indexOf(document.activeElement);
      const j = Math.min(b.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1)));
      if (b[j]) b[j].focus();
    }
  });
}

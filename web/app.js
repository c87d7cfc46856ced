/*
 * app.js — the intake page starts here: log in (or find the session the
 * cookie keeps), the views and who may see which, the keys that work
 * anywhere outside a text field, and the rule set's line in the header.
 */
'use strict';

function showTab(name) {
  $$('.tab').forEach((b) => {
    if (b.dataset.tab === name) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  });
  ['work', 'learning', 'check', 'users'].forEach((v) => { $('#view-' + v).hidden = v !== name; });
  if (name === 'learning') loadLearning();
  if (name === 'users') loadUsers();
}

async function loadStatus() {
  const { status, body } = await api('/api/status', { quiet: true });
  if (status !== 200) return;
  let s = `Regelsæt ${body.ruleset.slice(0, 12)}`;
  if (body.last_error) s += ` – seneste genindlæsning fejlede: ${body.last_error.message}`;
  $('#ruleset').textContent = s;
  $('#ruleset').classList.toggle('error', !!body.last_error);
}

function showLogin(why) {
  session.name = session.role = session.csrf = null;
  $('#app').hidden = true;
  $('#me').hidden = true;
  $('#login').hidden = false;
  const e = $('#login-error');
  e.hidden = !why;
  e.textContent = why ? (why.includes('expired') ? 'Sessionen er udløbet; log ind igen.' : 'Log ind for at fortsætte.') : '';
  $('#login-name').focus();
}

async function startApp(me) {
  Object.assign(session, { name: me.name, role: me.role, csrf: me.csrf });
  $('#login').hidden = true;
  $('#app').hidden = false;
  $('#me').hidden = false;
  $('#me-name').textContent = `${me.name} (${T.role[me.role] || me.role})`;
  $('.tab[data-tab=users]').hidden = me.role !== 'admin';
  if (!policy) {
    const p = await api('/api/policy');
    if (p.status === 200) setupDecide(p.body);
  }
  if (me.role !== 'intake') $('#filters select[name=review]').value = '';
  showTab('work');
  loadStatus();
  await loadList();
}

/* Keys, outside text fields: j/k next/previous, b confirm, r correct, t
 * assign, n note, s answer, / search, Escape closes a form. */
function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || $('#app').hidden || $('#view-work').hidden) return;
  const t = e.target;
  const typing = t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
  if (e.key === 'Escape') { closeForms(); return; }
  if (typing) return;
  const keys = { j: () => moveSelection(1), k: () => moveSelection(-1), b: confirmSuggestion,
    r: startOverride, t: startAssign, n: startNote, s: startAnswer,
    '/': () => $('#filters input[name=q]').focus() };
  const f = keys[e.key];
  if (!f) return;
  if (e.key !== 'j' && e.key !== 'k' && e.key !== '/' && !open.id) return;
  e.preventDefault();
  f();
}

document.addEventListener('DOMContentLoaded', async () => {
  onLoggedOut = showLogin;
  setupWorklist();
  setupCheck();
  setupAdmin();
  $$('.tab').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
  document.addEventListener('keydown', onKey);
  $('#login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    const { status, body } = await api('/api/login', { method: 'POST', quiet: true,
      json: { name: f.elements.name.value.trim(), password: f.elements.password.value } });
    f.elements.password.value = '';
    const err = $('#login-error');
    if (status !== 200) {
      err.textContent = status === 429 ? 'For mange forkerte forsøg; prøv igen senere.'
        : status === 403 ? 'Kontoen er deaktiveret.' : 'Forkert brugernavn eller adgangskode.';
      err.hidden = false;
      return;
    }
    err.hidden = true;
    startApp(body);
  });
  $('#logout').addEventListener('click', async () => {
    await api('/api/logout', { method: 'POST', json: {} });
    showLogin();
  });
  const me = await api('/api/session', { quiet: true });
  if (me.status === 200) startApp(me.body);
  else showLogin();
  /* a rule change in the server (hot reload) and colleagues' work show by themselves */
  setInterval(() => { if (session.name) { loadStatus(); loadList(true); } }, 30000);
});

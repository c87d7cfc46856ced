/*
 * admin.js — accounts, for an admin: who has one and in what role, a new
 * one, and disabling one (its sessions end; what it did stays in the log).
 */
'use strict';

async function loadUsers() {
  const { status, body } = await api('/api/users');
  const tb = $('#users tbody');
  tb.replaceChildren();
  if (status !== 200) return;
  body.users.forEach((u) => {
    const tr = el('tr');
    const act = el('td');
    if (!u.disabled && u.name !== session.name) {
      const b = el('button', `Deaktivér ${u.name}`, 'quiet');
      b.type = 'button';
      b.addEventListener('click', async () => {
        const r = await api(`/api/users/${encodeURIComponent(u.name)}/disable`, { method: 'POST', json: {} });
        notice(r.status === 200 ? `${u.name} er deaktiveret` : danish(r.status, r.body), r.status !== 200);
        loadUsers();
      });
      act.append(b);
    }
    tr.append(el('td', u.name), el('td', T.role[u.role] || u.role),
      el('td', u.disabled ? 'deaktiveret' : 'aktiv'), el('td', when(u.created_at)), act);
    tb.append(tr);
  });
}

function setupAdmin() {
  $('#user-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    const err = $('#user-error');
    const { status, body } = await api('/api/users', { method: 'POST',
      json: { name: f.elements.name.value.trim(), role: f.elements.role.value, password: f.elements.password.value } });
    if (status !== 201) {
      err.textContent = danish(status, body);
      err.hidden = false;
      return;
    }
    err.hidden = true;
    notice(`${body.name} er oprettet`);
    f.reset();
    loadUsers();
  });
}

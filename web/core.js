/*
 * core.js — what every part of the intake page shares: the Danish names of
 * the engine's codes, building elements (always with textContent, so that
 * nothing from a referral is read as HTML), dates, and the API: a person's
 * session is an HttpOnly cookie the page never sees; its CSRF token lives in
 * memory only and goes with every request that changes something.
 */
'use strict';

const T = {
  outcome: {
    accept: 'Visiteret til BUC', request_info: 'Afventer oplysninger', redirect: 'Sendes videre',
    reject: 'Afvist', manual_review: 'Manuel vurdering',
  },
  review: {
    new: 'Ny', suggested: 'Forslag', confirmed: 'Bekræftet', overridden: 'Ændret', answered: 'Besvaret',
  },
  target: {
    buc: 'BUC', specialist_practice: 'Praktiserende speciallæge i børne- og ungdomspsykiatri',
    municipality: 'Kommunen', adult_psychiatry: 'Voksenpsykiatrien', other_region: 'Anden region',
  },
  priority: { acute: 'Akut', urgent: 'Hastende', routine: 'Rutine' },
  from: { referrer: 'henviser', municipality: 'kommunens PPR' },
  referrer: {
    gp: 'Egen læge', specialist: 'Speciallæge', hospital: 'Hospital', municipality: 'Kommune',
    health_visitor: 'Sundhedsplejerske', self: 'Forælder/egen henvendelse', other: 'Anden',
  },
  action: {
    confirm: 'bekræftede forslaget', override: 'rettede afgørelsen', assign: 'tildelte',
    note: 'noterede', answer: 'svarede henviseren',
  },
  role: { intake: 'visitation', author: 'regelforfatter', admin: 'administrator' },
  asked: { routine: 'rutine', urgent: 'hastende', asap: 'hurtigst muligt' },
  custody: { joint: 'fælles', sole: 'én forælder', placed: 'anbragt uden for hjemmet', unknown: 'ukendt' },
  /* the efforts the referral schema names; any other is shown as sent */
  effort: {
    ppr: 'PPR', section_126a: '§ 126 a', family_support: 'familiestøtte',
    special_education: 'specialundervisning',
  },
  risk: {
    suicide_attempt: 'selvmordsforsøg', suicide_plan: 'selvmordsplaner', suicidal_ideation: 'selvmordstanker',
    self_harm: 'selvskade', psychosis: 'psykotiske symptomer', substance_misuse: 'misbrug',
  },
  missing: {},     /* from the policy (/api/policy) */
  units: {},
};
const MONTHS = ['januar', 'februar', 'marts', 'april', 'maj', 'juni', 'juli', 'august',
  'september', 'oktober', 'november', 'december'];

const $ = (sel, root) => (root || document).querySelector(sel);
const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

/* "2020-03-02" as "2. mar. 2020" (short) or "2. marts 2020" (long). */
function day(s, long) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || '');
  if (!m) return s || '';
  const month = MONTHS[Number(m[2]) - 1];
  return `${Number(m[3])}. ${long ? month : month.slice(0, 3) + '.'} ${m[1]}`;
}

/* An ISO time as "2. mar. 2020 kl. 14.05" in the browser's time zone. */
function when(s) {
  const d = new Date(s);
  if (isNaN(d)) return s || '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getDate()}. ${MONTHS[d.getMonth()].slice(0, 3)}. ${d.getFullYear()} kl. ${p(d.getHours())}.${p(d.getMinutes())}`;
}

function isoDay(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/* ------------------------------------------------------------------ API */

const session = { name: null, role: null, csrf: null };
let onLoggedOut = () => {};

/* Call the API: { status, body }. A 401 (no or an expired session) shows
 * the login. */
async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  const method = opts.method || 'GET';
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    opts = Object.assign({}, opts, { body: JSON.stringify(opts.json) });
  }
  const res = await fetch(path, { method, headers, body: opts.body, credentials: 'same-origin' });
  const text = await res.text();
  let body = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('ndjson')) body = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  else if (text) { try { body = JSON.parse(text); } catch (e) { body = { error: text }; } }
  if (res.status === 401 && !opts.quiet) onLoggedOut(body && body.error);
  return { status: res.status, body };
}

/* What the server refused, in Danish: by the field it names or the status;
 * its own (English) words only where nothing better is known. */
const FIELD_DA = {
  reason: 'Skriv en begrundelse; den står i svaret til henviseren.',
  outcome: 'Vælg en afgørelse, som en medarbejder kan træffe.',
  target: 'Vælg, hvor henvisningen skal sendes hen.',
  unit: 'Vælg en af politikkens enheder (og ved visitation: prioritet og frist).',
  priority: 'Vælg en prioritet.',
  deadline: 'Angiv en gyldig frist, tidligst den dag henvisningen blev modtaget (visitation til BUC skal have en).',
  missing: 'Vælg, hvad der mangler, og hvem der skal sende det.',
  request_from: 'Vælg, hvem oplysningerne indhentes hos.',
  assignee: 'Vælg en aktiv kollega i visitationen.',
  text: 'Skriv en tekst.',
  seen: 'En kollega har afgjort henvisningen, mens du så på den. Se den igen.',
  suggestion: 'Reglerne har fået et nyt forslag, mens du så på henvisningen. Se den igen.',
  name: 'Brugernavnet skal begynde med et bogstav og må have bogstaver, tal, punktum, _ og - (højst 32).',
  password: 'Adgangskoden skal have 10 til 1024 tegn.',
  role: 'Vælg en rolle.',
};
function danish(status, body) {
  const e = (body && body.error) || '';
  if (body && FIELD_DA[body.field]) return FIELD_DA[body.field];
  if (/CSRF/.test(e)) return 'Siden er forældet; genindlæs den.';
  if (status === 403) return 'Det har din rolle ikke adgang til.';
  if (status === 404) return 'Henvisningen findes ikke.';
  if (status === 409 && /exists/.test(e)) return 'Der findes allerede en bruger med det navn.';
  if (status === 409 && /manual_review/.test(e)) return 'Reglerne kunne ikke afgøre henvisningen; ret afgørelsen i stedet.';
  if (status === 409 && /answered/.test(e)) return 'En medarbejder skal bekræfte eller rette afgørelsen, før henviseren får svar.';
  if (status === 409) return 'Det kan ikke lade sig gøre, som henvisningen står nu. Se den igen.';
  if (status === 503) return 'Databasen er optaget lige nu; prøv igen.';
  return 'Det lykkedes ikke' + (e ? ` (${e})` : '') + '.';
}

function notice(text, bad) {
  const n = $('#notice');
  n.textContent = text;
  n.classList.toggle('bad', !!bad);
}

/* A short, unique key for one action: a retry of it is never done twice. */
function actionKey() {
  const b = new Uint8Array(9);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

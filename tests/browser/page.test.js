/*
 * page.test.js — the intake page in headless Chromium (Debian's, through
 * playwright-core), as intake staff use it: refused without a session and
 * without the CSRF token; log in; the work list's priorities and deadlines;
 * a referral's risk, consent and tests beside its letter; confirm one
 * referral with one key; correct another with a reason; see both in its
 * history; print the answer letter and mark it sent; the learning view; an
 * admin's accounts; trying a referral; keyboard, 1280x720 and a tablet;
 * axe-core finds no serious accessibility problem; no CPR in any address
 * the page uses. Run by run.sh, which starts the server. Writes screenshots.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const base = process.env.TRIAGE_URL;
const token = process.env.TRIAGE_TEST_TOKEN;
const shots = process.env.SCREENSHOT_DIR || '.';
const examples = process.env.EXAMPLES;
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
const CPR = process.env.TEST_CPR || '1406114123';
const AXE = require.resolve('axe-core/axe.min.js');

function check(cond, what) {
  if (!cond) throw new Error('failed: ' + what);
  console.log('ok - ' + what);
}

function example(name) {
  return fs.readFileSync(path.join(examples, name + '.referral.json'), 'utf8');
}

/* axe-core on the page as it is now: no serious or critical violation. */
async function accessible(page, where) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, n: v.nodes.length,
      target: v.nodes[0] && v.nodes[0].target.join(' ') }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `axe-core: no serious accessibility violations (${where})` +
    (bad.length ? ': ' + JSON.stringify(bad) : '') +
    (res.length ? ` [minor: ${res.map((v) => v.id).join(', ')}]` : ''));
}

async function login(page, name, password) {
  await page.goto(base + '/');
  await page.waitForSelector('#login-form');
  await page.fill('#login-name', name);
  await page.fill('#login-password', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#app:not([hidden])');
}

async function openRow(page, id) {
  await page.selectOption('#filters select[name=review]', '');
  await page.fill('#filters input[name=q]', id);
  await page.press('#filters input[name=q]', 'Enter');
  await page.waitForFunction((x) => [...document.querySelectorAll('#worklist .rowlink')]
    .map((b) => b.textContent).join() === x, id, { timeout: 20000 });
  await page.click(`#worklist .rowlink >> text=${id}`);
  await page.waitForFunction((x) => document.querySelector('#detail-title').textContent.includes(x) &&
    document.querySelector('#decision .decision'), id, { timeout: 20000 });
}

(async () => {
  const browser = await chromium.launch({ executablePath: exe, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--lang=da-DK'] });
  // bypassCSP: axe-core is injected, and waitForFunction evaluates; the page
  // itself never needs it
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'da-DK',
    bypassCSP: true });
  const page = await ctx.newPage();
  const problems = [], urls = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text()); });
  page.on('request', (r) => urls.push(r.url()));
  page.on('framenavigated', (f) => urls.push(f.url()));
  try {
    /* ---------------------------------------------- refused without a session */
    const anon = await ctx.request.post(base + '/api/referrals/EX-02/review',
      { data: { action: 'confirm' }, failOnStatusCode: false });
    check(anon.status() === 401, `a review without a session is refused (${anon.status()})`);
    const machine = await ctx.request.get(base + '/api/referrals',
      { headers: { Authorization: 'Bearer ' + token }, failOnStatusCode: false });
    check(machine.status() === 200, 'the access token still serves a machine client');
    const machineReview = await ctx.request.post(base + '/api/referrals/EX-02/review',
      { headers: { Authorization: 'Bearer ' + token }, data: { action: 'confirm' }, failOnStatusCode: false });
    check(machineReview.status() === 403, 'but a machine client cannot review');

    /* ------------------------------------------------------------- logging in */
    await page.goto(base + '/');
    check((await page.title()).includes('Visitation'), 'the page loads');
    await page.waitForSelector('#login-form');
    check(await page.isHidden('#app'), 'without a session only the login shows');
    await page.screenshot({ path: path.join(shots, 'browser-login.png') });
    await accessible(page, 'login');
    await page.fill('#login-name', 'anna');
    await page.fill('#login-password', 'wrong-password!');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-error:not([hidden])');
    check((await page.textContent('#login-error')).includes('Forkert brugernavn eller adgangskode'),
      'a wrong password is refused, in Danish');
    await login(page, 'anna', 'password-of-anna');
    await page.waitForSelector('#worklist tbody tr');
    check((await page.textContent('#me-name')).includes('anna'), 'logged in as anna');

    /* ----------------------- the work list shows what is urgent, and when due */
    await page.selectOption('#filters select[name=review]', '');
    await page.selectOption('#filters select[name=priority]', 'acute');
    await page.waitForFunction(() => [...document.querySelectorAll('#worklist .rowlink')]
      .map((b) => b.textContent).join() === 'EX-03', null, { timeout: 20000 });
    const acuteRow = await page.textContent('#worklist tbody tr');
    check(acuteRow.includes('Akut') && acuteRow.includes('frist 5. nov. 2020'),
      'the work list filters by priority, and a row shows it and its deadline: ' + acuteRow.replace(/\s+/g, ' '));
    await page.selectOption('#filters select[name=priority]', '');
    await page.selectOption('#filters select[name=review]', 'suggested');

    /* staff type the child's CPR number into the search: it must not go
     * into an address (a proxy's access log keeps those), and they are told */
    const asked = urls.length;
    await page.fill('#filters input[name=q]', CPR.slice(0, 6) + '-' + CPR.slice(6));
    await page.press('#filters input[name=q]', 'Enter');
    await page.waitForFunction(() => /CPR/.test(document.querySelector('#list-count').textContent),
      null, { timeout: 5000 }).catch(() => {});
    await page.waitForTimeout(500);
    check(/CPR-nummer/.test(await page.textContent('#list-count')) &&
      !urls.slice(asked).some((u) => /\d{6}-?\d{4}/.test(decodeURIComponent(u))),
    'a CPR number typed in the search is never sent, and the page says why');
    await page.fill('#filters input[name=q]', 'EX-02');
    await page.press('#filters input[name=q]', 'Enter');
    await page.waitForFunction(() => /– viser/.test(document.querySelector('#list-count').textContent),
      null, { timeout: 5000 }).catch(() => {});
    check((await page.textContent('#list-count')).startsWith('1 henvisning –'),
      'one referral found is "1 henvisning", in the singular');
    await page.fill('#filters input[name=q]', '');
    await page.press('#filters input[name=q]', 'Enter');

    /* ------------------ what the rules rest on beyond the letter is shown */
    const stored = await ctx.request.post(base + '/api/referrals', { headers: { Authorization: 'Bearer ' + token },
      data: { id: 'EX-FACTS', received: '2020-03-04', priority: 'asap', referrer: { kind: 'gp' },
        patient: { birth_date: '2008-05-01', municipality: 'Gentofte', custody: 'joint' },
        consent: { both_custodians: false }, diagnoses: ['F50.0'], gapd: 4,
        assessments: [{ kind: 'cognitive', instrument: 'WISC-V', date: '2019-09-01', fsiq: 68 }],
        prior_interventions: ['family_support'], risk: { suicide_attempt: true, self_harm: false },
        somatic: { height_cm: 150, weight_kg: 33, bmi: 14.7 }, text: 'Pige med spiseforstyrrelse.' },
      failOnStatusCode: false });
    check(stored.status() === 201, `a referral with structured facts is stored (${stored.status()})`);
    await openRow(page, 'EX-FACTS');
    const facts = await page.$$eval('#referral-facts > *', (els) => els.map((e) => e.textContent).join(' | '));
    check(['Henviser beder om | hurtigst muligt', 'Forældremyndighed | fælles',
      'Samtykke | ikke fra begge forældremyndighedsindehavere', 'Risiko | selvmordsforsøg',
      'Risiko afkræftet | selvskade', 'GAPD | 4', 'samlet IK 68', 'Indsatser prøvet | familiestøtte',
      'Højde, vægt | 150 cm, 33 kg, BMI 14,7'].every((w) => facts.includes(w)),
    'the referral\'s risk, consent, custody, GAPD, IQ, efforts and measurements are shown: ' + facts);
    await accessible(page, 'a referral with its facts');

    /* --------------------------------------- confirm one referral with one key */
    await openRow(page, 'EX-02');
    const card = await page.textContent('#decision');
    check(card.includes('Visiteret til BUC') && card.includes('B294') && card.includes('Bispebjerg'),
      'the suggestion shows the outcome and the unit by its name');
    check((await page.textContent('#referral-facts')).includes('Københavns Kommune'),
      'the municipality by its proper name ("Kbh" as written)');
    check((await page.textContent('#referral-text')).includes('PPV vedlagt'), 'the letter as text');
    check(!(await page.textContent('#detail')).includes('"referral"'), 'no raw JSON');
    await page.screenshot({ path: path.join(shots, 'browser-work.png') });
    await accessible(page, 'a referral open');
    const entries = async (id) => (await (await ctx.request.get(`${base}/api/referrals/${id}/audit`)).json()).entries.length;

    /* the passages a decision's trace points at (byte offsets, as the engine
     * gives them) are marked in the letter: after æ/ø/å the byte and the
     * character positions differ */
    const marked = await page.evaluate(() => {
      const text = 'Pigen får ondt i maven. Hun skærer i armene.';
      const at = (s) => new TextEncoder().encode(text.slice(0, text.indexOf(s))).length;
      const len = (s) => new TextEncoder().encode(s).length;
      const d = { trace: [{ rule: 'RISK-01', applied: true, evidence: [
        { key: 'self_harm', start: at('skærer i armene'), end: at('skærer i armene') + len('skærer i armene'), counted: true },
        { key: 'somatic', start: at('ondt'), end: at('ondt') + len('ondt'), counted: false, why: 'negeret' }] }] };
      const box = markedText(text, passagesOf(d));
      return [...box.querySelectorAll('mark')].map((m) => `${m.className}:${m.textContent}:${m.dataset.rule}`);
    });
    check(JSON.stringify(marked) === JSON.stringify(['dropped:ondt:RISK-01', 'counted:skærer i armene:RISK-01']),
      'passages given by byte offsets in the trace are marked in the letter: ' + JSON.stringify(marked));

    /* an explained decision's evidence (every mention the text layer read,
     * README "What an explained decision says about the letter"): each
     * marked, counted or dropped, why as its title, a reason's keys linked */
    const linked = await page.evaluate(() => {
      const text = 'Storebror har ADHD. Pigen får angst.';
      const at = (s) => new TextEncoder().encode(text.slice(0, text.indexOf(s))).length;
      const d = { reasons: [{ rule: 'TG-01', text: 'Målgruppe', evidence: ['ANXIETY'] }], evidence: [
        { key: 'ADHD', counted: false, why: "om en anden person: 'storebror'", start: at('ADHD'), end: at('ADHD') + 4 },
        { key: 'ANXIETY', counted: true, why: "nævnt: 'angst'", start: at('angst'), end: at('angst') + 5 }] };
      const box = markedText(text, passagesOf(d));
      return [...box.querySelectorAll('mark')].map((m) =>
        `${m.className}:${m.textContent}:${m.dataset.rule || ''}:${m.dataset.key}:${m.title}`);
    });
    check(JSON.stringify(linked) === JSON.stringify([
      "dropped:ADHD::ADHD:ADHD — om en anden person: 'storebror'",
      "counted:angst:TG-01:ANXIETY:TG-01: ANXIETY — nævnt: 'angst'"]),
      'the evidence of an explained decision is marked in the letter: ' + JSON.stringify(linked));
    /* and as the server gives it: EX-02's letter names its PPV and its cognitive test */
    check(await page.textContent('#referral-text mark[data-key="ppv"]') === 'PPV' &&
      await page.textContent('#referral-text mark[data-key="cognitive_assessment"]') === 'Kognitiv undersøgelse',
      'the letter of an opened referral has the text layer\'s mentions marked');

    /* a CSRF-less request from the page's own session is refused, nothing stored */
    const before = await entries('EX-02');
    const noCsrf = await page.evaluate(async () => {
      const r = await fetch('/api/referrals/EX-02/review', { method: 'POST',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'confirm' }) });
      return { status: r.status, body: await r.json() };
    });
    check(noCsrf.status === 403 && /CSRF/.test(noCsrf.body.error), 'a review without the CSRF token is refused');
    check(await entries('EX-02') === before, 'and nothing is stored');

    await page.focus('#worklist .rowlink');
    await page.keyboard.press('b');
    await page.waitForFunction(() => document.querySelector('#detail-facts .badge').textContent === 'Bekræftet',
      null, { timeout: 20000 });
    check((await page.textContent('#notice')).includes('bekræftet'), 'b confirms the suggestion');

    /* ------------------------------------ correct another, with a reason */
    await openRow(page, 'EX-04');
    check((await page.textContent('#decision')).includes('Hvidovre Kommune'),
      'a redirect names where the child goes');
    await page.keyboard.press('r');
    await page.waitForSelector('#override:not([hidden])');
    await page.check('#ov-request_info');
    await page.check('#ovm-ppv');
    await page.selectOption('#override select[name=request_from]', 'municipality');
    check(await page.isHidden('#override select[name=unit]'), 'the form offers only what the outcome needs');
    await page.click('#override button[type=submit]');
    check(await page.isVisible('#override') && (await entries('EX-04')) === 0,
      'an override without a reason is not sent');
    check((await page.textContent('label[for=ov-reason]')).includes('svaret til henviseren'),
      'the form says the reason is written in the answer to the referrer');
    await page.fill('#ov-reason', 'Skolefraværet har varet et år; PPR skal vurdere barnet først.');
    await page.screenshot({ path: path.join(shots, 'browser-override.png'), fullPage: true });
    await accessible(page, 'the override form');
    await page.click('#override button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#detail-facts .badge').textContent === 'Ændret',
      null, { timeout: 20000 });
    check((await page.textContent('#decision')).includes('Afventer oplysninger'), 'the person\'s decision is in force');

    /* --------------------------------------------------- both in the history */
    const hist4 = await page.textContent('#history');
    check(hist4.includes('anna rettede afgørelsen') && hist4.includes('PPR skal vurdere barnet først') &&
      hist4.includes('ved forslaget Sendes videre'), 'the override is in the history, beside the suggestion');
    const audit2 = await (await ctx.request.get(base + '/api/referrals/EX-02/audit')).json();
    check(audit2.entries.some((e) => e.action === 'confirm' && e.actor === 'anna' && e.ruleset),
      'the confirm is in the audit log with its rule set');
    await openRow(page, 'EX-02');
    check((await page.textContent('#history')).includes('anna bekræftede forslaget'), 'and in its history');

    /* ------------------------------------------ the answer letter, printed */
    await openRow(page, 'EX-04');
    await page.keyboard.press('s');
    await page.waitForSelector('#answer:not([hidden])');
    const letter = await page.textContent('#letter');
    check(letter.includes('PPR, Hvidovre Kommune') && letter.includes('pædagogisk-psykologisk vurdering') &&
      /Send venligst oplysningerne senest \d+\. \w+ \d{4}/.test(letter),
      'the answer letter lists what is missing and the reply date');
    await page.screenshot({ path: path.join(shots, 'browser-answer.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    check(await page.isVisible('#letter') && !(await page.evaluate(() =>
      getComputedStyle(document.querySelector('#worklist')).visibility === 'visible')),
    'the print style prints the letter alone');
    const pdf = path.join(shots, 'browser-answer.pdf');
    await page.pdf({ path: pdf, format: 'A4' });
    check(fs.statSync(pdf).size > 2000, 'the letter prints (PDF written)');
    await page.emulateMedia({ media: 'screen' });
    await page.click('#answer-send');
    await page.waitForFunction(() => document.querySelector('#detail-facts .badge').textContent === 'Besvaret',
      null, { timeout: 20000 });
    check((await page.textContent('#history')).includes('anna svarede henviseren'), 'marked as answered');

    /* ------------------------------------------------ keys and the work list */
    await page.fill('#filters input[name=q]', '');
    await page.selectOption('#filters select[name=review]', '');
    await page.waitForFunction(() => document.querySelectorAll('#worklist tbody tr').length >= 5);
    await page.focus('#worklist .rowlink');
    const first = await page.textContent('#detail-title');
    await page.keyboard.press('j');
    await page.waitForFunction((t) => document.querySelector('#detail-title').textContent !== t, first);
    check(true, 'j opens the next referral');
    await page.selectOption('#filters select[name=review]', 'confirmed');
    await page.waitForFunction(() => [...document.querySelectorAll('#worklist .rowlink')].map((b) => b.textContent).join() === 'EX-02');
    await page.selectOption('#filters select[name=review]', 'answered');
    await page.waitForFunction(() => [...document.querySelectorAll('#worklist .rowlink')].map((b) => b.textContent).join() === 'EX-04');
    check(true, 'the work list filters by status');

    /* ------------------------------------------------------------- learning */
    await page.click('.tab[data-tab=learning]');
    await page.waitForSelector('#learning table.matrix');
    const learn = await page.textContent('#learning');
    check(learn.includes('Gennemgået af en medarbejder2') && learn.includes('Cohens κ'),
      'the learning view counts the reviews and gives kappa');
    check(learn.includes('Skolefraværet har varet et år'), 'and lists the override with its reason');
    check(await page.isVisible('#learning svg'), 'with a chart');
    await page.screenshot({ path: path.join(shots, 'browser-learning.png'), fullPage: true });
    await accessible(page, 'learning');

    /* ---------------------------------------------------- trying a referral */
    await page.click('.tab[data-tab=check]');
    await page.fill('#referral-input', example('03-acute-suicide-attempt'));
    await page.click('#check-btn');
    await page.waitForSelector('#check-result .decision');
    check((await page.textContent('#check-result')).includes('Visiteret til BUC'), 'a referral can be tried');

    /* --------------------------------------------------------------- tablet */
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.click('.tab[data-tab=work]');
    await openRow(page, 'EX-01');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 770, `on a tablet (768 wide) nothing runs off the side (${wide})`);
    await page.screenshot({ path: path.join(shots, 'browser-tablet.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 720 });

    /* ------------------------------------------- logged out: refused again */
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    const after = await page.evaluate(async () => (await fetch('/api/referrals/EX-01/review', { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: '{"action":"confirm"}' })).status);
    check(after === 401, 'after logging out a review is refused');

    /* ---------------------------------------------------------------- admin */
    const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'da-DK', bypassCSP: true });
    const admin = await adminCtx.newPage();
    admin.on('pageerror', (e) => problems.push(e.message));
    admin.on('request', (r) => urls.push(r.url()));
    await login(admin, 'dan', 'password-of-dan');
    await admin.click('.tab[data-tab=users]');
    await admin.fill('#user-form input[name=name]', 'ida');
    await admin.selectOption('#user-form select[name=role]', 'author');
    await admin.fill('#user-form input[name=password]', 'password-of-ida');
    await admin.click('#user-form button[type=submit]');
    await admin.waitForFunction(() => document.querySelector('#users tbody').textContent.includes('ida'));
    check(true, 'an admin adds an account');
    await accessible(admin, 'accounts');
    await adminCtx.close();

    /* ------------------------------------------------------ no CPR in URLs */
    const cprLike = /\d{6}-?\d{4}/;
    const leaking = urls.filter((u) => u.includes(CPR) || cprLike.test(decodeURIComponent(u)));
    check(leaking.length === 0, `no CPR in any of the ${urls.length} addresses the page used` +
      (leaking.length ? ': ' + leaking.join(' ') : ''));
    check(problems.length === 0, 'no script errors' + (problems.length ? ': ' + problems.join('; ') : ''));
  } catch (e) {
    await page.screenshot({ path: path.join(shots, 'browser-failure.png'), fullPage: true }).catch(() => {});
    console.error(e.message);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();

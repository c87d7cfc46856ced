/*
 * henvis.test.js — the referrers' pre-check page (/henvis) in headless
 * Chromium, as a GP uses it: fill in a referral without a cognitive test or
 * PPV and see one warning for each, live; attach them and see "Klar til
 * afsendelse"; a text that tells of a suicide attempt gives the critical
 * card with the acute line; axe-core finds no serious accessibility
 * problem; no CPR in any address, nothing stored. Run by run.sh, which
 * starts the server (CDS routes on loopback, no JWT configured).
 */
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const base = process.env.TRIAGE_URL;
const shots = process.env.SCREENSHOT_DIR || '.';
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
const AXE = require.resolve('axe-core/axe.min.js');

function check(cond, what) {
  if (!cond) throw new Error('failed: ' + what);
  console.log('ok - ' + what);
}

async function accessible(page, where) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      target: v.nodes[0] && v.nodes[0].target.join(' ') }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `axe-core: no serious accessibility violations (${where})` +
    (bad.length ? ': ' + JSON.stringify(bad) : '') +
    (res.length ? ` [minor: ${res.map((v) => v.id).join(', ')}]` : ''));
}

/* The status line once it says what re (a RegExp) says. */
async function statusIs(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('h-status').textContent),
    re.source, { timeout: 15000 });
  return page.textContent('#h-status');
}

(async () => {
  const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'da-DK', bypassCSP: true });
  const page = await ctx.newPage();
  const problems = [];
  const urls = [];
  const calls = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('request', (r) => {
    urls.push(r.url());
    if (r.url().includes('/cds-services/')) calls.push(r.postData() || '');
  });
  try {
    await page.goto(base + '/henvis');
    check(await page.getAttribute('html', 'lang') === 'da', 'the page is Danish (lang="da")');
    check((await page.textContent('h1')).includes('henvisning'), 'the page is the referral pre-check');
    await accessible(page, 'empty form');

    /* an incomplete referral: no cognitive test, no PPV */
    await page.fill('#h-birth', '2016-04-11');
    await page.selectOption('#h-sex', 'male');
    await page.fill('#h-municipality', 'Gladsaxe');
    await page.selectOption('#h-custody', 'joint');
    await page.selectOption('#h-kind', 'gp');
    await page.fill('#h-name', 'Lægerne i Gladsaxe');
    await page.fill('#h-diagnosis', 'F84.5');
    await page.check('#h-consent');
    await page.fill('#h-text', '10-årig dreng med uro, impulsivitet og koncentrationsbesvær i skolen ' +
      'og hjemme gennem 2 år. Mistanke om ADHD og autisme. Betydelige sociale vanskeligheder og ' +
      'konflikter i skolen. Skolen har forsøgt støtte i klassen uden effekt.');
    /* typed field by field: wait for the answer to the whole form */
    await page.waitForFunction(() => {
      const hs = [...document.querySelectorAll('#h-cards .card.warning h3')].map((h) => h.textContent);
      return hs.some((w) => /Kognitiv/.test(w)) && hs.some((w) => /PPV/.test(w));
    }, null, { timeout: 15000 });
    const notReady = await statusIs(page, /Ikke klar/);
    const warnings = await page.$$eval('#h-cards .card.warning h3', (hs) => hs.map((h) => h.textContent));
    check(warnings.length === 2, `two warnings while incomplete: ${JSON.stringify(warnings)} (${notReady})`);
    check(warnings.some((w) => /Kognitiv vurdering/.test(w)), 'a warning names the cognitive test');
    check(warnings.some((w) => /PPV/.test(w)), 'a warning names the PPV');
    check(!(await page.textContent('#h-status')).includes('Klar til afsendelse'), 'not "ready to send" yet');
    await page.screenshot({ path: path.join(shots, 'henvis-incomplete.png'), fullPage: true });
    await accessible(page, 'warnings shown');

    /* attach the test: one warning left; attach the PPV: ready */
    await page.check('#h-cog');
    await page.fill('#h-cog-date', '2026-09-01');
    await page.fill('#h-cog-iq', '96');
    await page.waitForFunction(() => document.querySelectorAll('#h-cards .card.warning').length === 1,
      null, { timeout: 15000 });
    check(true, 'with the cognitive test attached, one warning is left');
    await page.check('#h-ppv');
    const ready = await statusIs(page, /Klar til afsendelse/);
    check(ready.includes('Klar til afsendelse'), '"Klar til afsendelse" once nothing is missing');
    check(await page.$$eval('#h-cards .card.warning', (c) => c.length) === 0, 'no warning left');
    check((await page.textContent('#h-cards')).includes('BUC'), 'the expected unit is shown');
    check((await page.textContent('#h-source')).includes('regelsæt'), 'the source names the rule set');
    await page.screenshot({ path: path.join(shots, 'henvis-ready.png'), fullPage: true });
    await accessible(page, 'ready to send');

    /* acute risk: the critical card with the acute line */
    await page.fill('#h-text', '10-årig dreng indlagt i går efter selvmordsforsøg. Fortsat tanker om at dø.');
    await statusIs(page, /Akut/);
    const tel = await page.getAttribute('#h-cards .card.critical a', 'href');
    check(tel === 'tel:1813', 'acute risk: a critical card with the acute line (' + tel + ')');

    /* the same service an EHR calls, with a draft order and no CPR anywhere */
    check(calls.length > 0 && calls.every((b) => JSON.parse(b).context.draftOrders.resourceType === 'Bundle'),
      `the page asks the CDS Hooks service (${calls.length} calls, each a draftOrders Bundle)`);
    const cprLike = /\d{6}-?\d{4}/;
    check(!urls.some((u) => cprLike.test(decodeURIComponent(u))), 'no CPR-like number in any address');
    check(problems.length === 0, 'no script errors' + (problems.length ? ': ' + problems.join('; ') : ''));
  } catch (e) {
    await page.screenshot({ path: path.join(shots, 'henvis-failure.png'), fullPage: true }).catch(() => {});
    console.error(e.message);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();

/*
 * page.test.js — the intake page in headless Chromium (Debian's, through
 * playwright-core): give the access token when asked, paste a referral and
 * check the decision shown, save one and find it in the work list with its
 * trace. Writes a screenshot. Run by run.sh, which starts the server.
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

function example(name) {
  return {
    referral: fs.readFileSync(path.join(examples, name + '.referral.json'), 'utf8'),
    expected: JSON.parse(fs.readFileSync(path.join(examples, name + '.expected.json'), 'utf8')),
  };
}

function check(cond, what) {
  if (!cond) throw new Error('failed: ' + what);
  console.log('ok - ' + what);
}

(async () => {
  const browser = await chromium.launch({ executablePath: exe, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  // bypassCSP: the page's CSP forbids eval, which waitForFunction uses
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, bypassCSP: true });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text()); });
  try {
    await page.goto(base + '/');
    check((await page.title()).includes('Visitation'), 'the page loads');

    // the API says 401: the page asks for the token
    await page.waitForSelector('#token-dialog[open]', { timeout: 10000 });
    await page.fill('#token-input', token);
    await page.click('#token-form button[type=submit]');
    await page.waitForFunction(() => /Regelsæt [0-9a-f]{12}/.test(document.querySelector('#ruleset').textContent));
    check(true, 'the token is asked for and the status is shown');

    // paste a referral and decide it (nothing stored)
    const acute = example('03-acute-suicide-attempt');
    await page.click('#tab-check');
    await page.fill('#referral-text', acute.referral);
    await page.click('#check-btn');
    await page.waitForSelector('#check-result .decision');
    const outcome = await page.getAttribute('#check-result .decision', 'data-outcome');
    check(outcome === acute.expected.outcome, `decision shown: ${outcome} (expected ${acute.expected.outcome})`);
    const card = await page.textContent('#check-result .decision');
    check(card.includes('Visiteret') && card.includes(acute.expected.unit), 'outcome in Danish and the unit');
    check(card.includes('Begrundelse'), 'the reasons are shown');
    check((await page.$$('#check-result table.trace tbody tr')).length > 3, 'the explain trace is there');
    await page.screenshot({ path: path.join(shots, 'browser-check.png'), fullPage: true });

    // a request_info referral: its missing items in Danish
    const docs = example('01-adhd-gp-missing-docs');
    await page.fill('#referral-text', docs.referral);
    await page.click('#save-btn');
    await page.waitForSelector('#check-result .ok');
    const saved = await page.textContent('#check-result .decision');
    check(saved.includes('Afventer oplysninger') && saved.includes('Mangler') &&
          saved.includes('PPV'), 'saved: request_info with its missing items');

    // bad JSON: the error says where
    await page.fill('#referral-text', '{"id": "X",\n "received" 1}');
    await page.click('#check-btn');
    await page.waitForSelector('#check-error:not([hidden])');
    check(/line 2, column/.test(await page.textContent('#check-error')), 'malformed JSON names line and column');

    // the work list has it; its detail shows the decision and the trace
    await page.click('#tab-list');
    await page.waitForSelector('#worklist tbody tr');
    const rows = await page.$$eval('#worklist tbody tr td:first-child', (t) => t.map((x) => x.textContent));
    check(rows.includes(docs.expected.id), 'the saved referral is in the work list');
    await page.selectOption('#filters select[name=outcome]', 'accept');
    await page.waitForFunction(() => document.querySelector('#list-count').textContent.includes('Ingen'));
    check(true, 'the outcome filter applies');
    await page.selectOption('#filters select[name=outcome]', 'request_info');
    await page.waitForSelector('#worklist tbody tr');
    await page.click('#worklist tbody tr');
    await page.waitForSelector('#detail-decision .decision');
    await page.click('#explain-btn');
    await page.waitForSelector('#detail-trace table.trace');
    check(true, 'a referral opens with its decision and trace');
    await page.screenshot({ path: path.join(shots, 'browser-worklist.png'), fullPage: true });

    check(problems.length === 0, 'no script errors' + (problems.length ? ': ' + problems.join('; ') : ''));
  } catch (e) {
    await page.screenshot({ path: path.join(shots, 'browser-failure.png'), fullPage: true }).catch(() => {});
    console.error(e.message);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();

// Mina sidor's start page a page at a time, on a phone: journey 3's
// mother (`invanare`), with more cases than a page holds (the officer of
// economic assistance opens eleven more through the API), sees her ten
// newest and "Visa äldre ärenden", reached and followed with the keyboard
// alone; the older ones' page lists the rest and leads back to the
// newest. Steps are counted as ../shared/JOURNEYS.md counts them; every
// page passes axe and fits 375 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, journeyPerson, PHONE, BASE_URL, DEMO_PASSWORD,
} from './lib.mjs';

const CASE_3 = 'Ansökan om ekonomiskt bistånd, mars';
const PER_PAGE = 10;

let browser;
before(async () => {
  browser = await launch();
  const mother = await journeyPerson('ekonom', CASE_3);
  const res = await fetch(`${BASE_URL}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'ekonom', password: DEMO_PASSWORD }),
  });
  const { token } = await res.json();
  const api = (p, init = {}) => fetch(`${BASE_URL}/api/v1${p}`,
    { ...init, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } });
  const inbox = await (await api('/inbox')).json();
  const journey = inbox.cases.find((c) => c.title === CASE_3);
  assert.ok(journey, 'the officer has journey 3 in the inbox');
  for (let i = 1; i <= 11; i++) {
    const r = await api('/cases', { method: 'POST', body: JSON.stringify({
      identity_number: mother.identity_number, unit_id: journey.unit_id, case_type: 'ekonomiskt_bistand', title: `Ansökan ${i}`,
    }) });
    assert.equal(r.status, 201, `opening case ${i} for the mother`);
  }
});
after(async () => { await browser?.close(); });

test('Mina sidor on a phone: ten cases a page, the older ones with the keyboard', (t) => withPage(t, browser, async (page) => {
  const steps = countSteps(page);
  await visit(page, '/portal');
  const rows = page.locator('main ul.rows > li.row');
  assert.equal(await rows.count(), PER_PAGE, 'the first page lists ten cases');
  const more = page.locator('main nav[aria-label="Fler sidor med ärenden"] a[rel="next"]');
  assert.equal((await more.innerText()).trim(), 'Visa äldre ärenden');
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'Mina sidor, the newest cases');
  const first = await rows.locator('a[href^="/portal/cases/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));

  // The keyboard alone: Tab reaches the link, Enter follows it.
  let reached = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('rel') === 'next');
  }
  assert.ok(reached, 'Tab reaches "Visa äldre ärenden"');
  await navigate(page, () => page.keyboard.press('Enter'));
  assert.match(new URL(page.url()).search, /^\?cursor=/);
  const older = await page.locator('main ul.rows > li.row a[href^="/portal/cases/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(older.length >= 2, `the older page lists the rest (${older.length})`);
  assert.ok(older.every((h) => !first.includes(h)), 'no case is on both pages');
  const back = page.locator('main nav[aria-label="Fler sidor med ärenden"] a[href="/portal"]');
  assert.equal((await back.innerText()).trim(), 'Till de senaste ärendena');
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'Mina sidor, older cases');
  assert.ok(steps.count <= 2, `two steps from the start page to the older cases: ${steps.urls.join(', ')}`);
}, { user: 'invanare', viewport: PHONE }));

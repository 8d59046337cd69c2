// Journey 7, the monthly log review (see ../shared/JOURNEYS.md): the log
// reviewer opens the access log and sees the emergency openings first (who,
// whom, the reason given, by name), follows one in a single click to every
// read the user made that day, draws a random sample (stickprov) that
// another reviewer can draw again from its seed, and sees that the chain
// verifies. Every page passes axe; steps (page loads and submits after
// sign-in) are counted.
//
// First, so there is something to review, the investigator of journey 2
// (utredare, children and young people) opens journey 1's mother, a person
// of another unit, in an emergency and reads her case. The mother is found
// through the API as her daughter (dotter, her representative), since the
// demo's identity numbers are generated anew for every demo database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, signIn, navigate, checkA11y, assertNoHorizontalScroll, PHONE, BASE_URL, DEMO_PASSWORD,
} from './lib.mjs';

const REASON = 'Larm från hemtjänsten, brukaren svarar inte';
/** The most steps the review may take: the log, the user's day, a sample. */
const MAX_STEPS = 3;

let browser;
let mother; // { number, name }
before(async () => {
  browser = await launch();
  const sess = await fetch(`${BASE_URL}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'dotter', password: DEMO_PASSWORD }),
  }).then((r) => r.json());
  const auth = { Authorization: `Bearer ${sess.token}` };
  const me = await fetch(`${BASE_URL}/api/v1/me`, { headers: auth }).then((r) => r.json());
  const daughter = await fetch(`${BASE_URL}/api/v1/persons/${me.user.person_id}`, { headers: auth }).then((r) => r.json());
  const rel = daughter.relations.find((r) => r.from_person_id === daughter.id && r.kind === 'representative');
  assert.ok(rel, 'the demo daughter represents her mother');
  const p = await fetch(`${BASE_URL}/api/v1/persons/${rel.to_person_id}`, { headers: auth }).then((r) => r.json());
  mother = { number: p.identity_number, name: `${p.given_name} ${p.family_name}` };
  assert.match(mother.number, /^\d{8}-\d{4}$/, 'the mother has an identity number');
});
after(async () => { await browser?.close(); });

/** today is the date in Sweden as YYYY-MM-DD (the server's calendar). */
function today() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date());
}

/**
 * rows returns the access-log table's rows as the reviewer reads them:
 * whether the row is marked as an emergency opening, and the text of its
 * cells (number, time, user, what, ground, person, case, reason), without
 * the words only screen readers get.
 */
async function rows(page) {
  return page.$$eval('table.alog tbody tr', (trs) => trs.map((tr) => ({
    emergency: tr.classList.contains('emergency'),
    cells: [...tr.querySelectorAll('th, td')].map((c) => {
      const copy = c.cloneNode(true);
      copy.querySelectorAll('.visually-hidden').forEach((e) => e.remove());
      copy.querySelectorAll('br').forEach((e) => e.replaceWith(' '));
      return copy.textContent.replace(/\s+/g, ' ').trim();
    }),
  })));
}
const USER = 2;
const PERSON = 5;
const REASON_COL = 7;

test('journey 7: emergency openings first, one click to the user\'s day, a sample, the chain verifies', (t) => withPage(t, browser, async (page) => {
  // The investigator opens the mother's records in an emergency and reads her case.
  await signIn(page, 'utredare');
  await visit(page, '/persons');
  await page.locator('details.emergency summary').click();
  await page.fill('#e-number', mother.number);
  await page.fill('#e-reason', REASON);
  await navigate(page, () => page.click('form[action="/persons/emergency"] button[type="submit"]'));
  assert.equal((await page.locator('h1').innerText()).trim(), mother.name);
  const caseLink = page.locator('main a[href^="/cases/"]').first();
  assert.equal(await caseLink.count(), 1, 'the opened person has a case to read');
  await navigate(page, () => caseLink.click());
  await page.context().clearCookies();

  // The log reviewer.
  await signIn(page, 'granskare');
  let steps = 0;
  const step = async (action) => { steps++; return navigate(page, action); };

  // 1. The access log: the chain's verification at the top, emergency openings first.
  if (new URL(page.url()).pathname !== '/access-log') {
    steps++;
    await visit(page, '/access-log');
  }
  assert.equal(await page.locator('h1').innerText(), 'Logggranskning');
  assert.match(await page.locator('.alog-verify.intact').innerText(), /Loggen är obruten/);
  await checkA11y(page, '/access-log');
  let list = await rows(page);
  assert.ok(list.length > 2, 'the log lists entries');
  assert.ok(list[0].emergency, 'the first row is an emergency opening');
  const opening = list.find((r) => r.emergency && r.cells[3] === 'Läste personens uppgifter' && r.cells[4] === 'Nödöppning');
  assert.ok(opening, 'the emergency opening is listed in words');
  assert.match(opening.cells[USER], /^Ulf Utredare utredare/, 'who, by name');
  assert.equal(opening.cells[PERSON], mother.name, 'whom, by name');
  assert.equal(opening.cells[REASON_COL], REASON, 'the reason given');
  for (const r of list) {
    assert.doesNotMatch(r.cells[PERSON], /^[0-9a-f]{8}-|^p-/, `a person shown by id: ${r.cells}`);
  }

  // 2. One click from the opening to everything the investigator read that day.
  const day = today();
  const dayLink = page.locator('table.alog tr.emergency a.alog-day').first();
  assert.equal((await dayLink.innerText()).trim(), `Alla läsningar av Ulf Utredare den ${day}`);
  await step(() => dayLink.click());
  await checkA11y(page, 'the user\'s day');
  list = await rows(page);
  assert.ok(list.length >= 2, 'the day has the opening and the reads after it');
  for (const r of list) {
    assert.match(r.cells[USER], /^Ulf Utredare/, `a row of another user: ${r.cells}`);
    assert.ok(r.cells[1].startsWith(day), `a row of another day: ${r.cells}`);
  }
  assert.ok(list.some((r) => r.cells[3] === 'Läste ärendet' && r.cells[4] === 'Nödöppning'), 'the case read on the emergency ground');

  // 3. A sample of today's reads, with a seed another reviewer can use.
  await page.fill('#s-from', day);
  await page.fill('#s-to', day);
  await page.fill('#s-n', '5');
  await step(() => page.click('form[action="/access-log/sample"] button[type="submit"]'));
  assert.equal(await page.locator('h1').innerText(), 'Stickprov ur åtkomstloggen');
  const summary = await page.locator('.alog-sample-summary').innerText();
  const seed = summary.match(/Frö: (\d+)\./)?.[1];
  assert.ok(seed, `the sample shows its seed: ${summary}`);
  assert.match(new URL(page.url()).search, new RegExp(`seed=${seed}`), 'the seed is in the address');
  await checkA11y(page, '/access-log/sample');
  const sample = await rows(page);
  assert.ok(sample.length >= 1 && sample.length <= 5, `${sample.length} rows in a sample of 5`);
  assert.ok(sample.every((r) => r.cells[4] !== 'Logggranskning'), 'no name seen in the review is drawn');

  assert.ok(steps <= MAX_STEPS, `the review took ${steps} steps, want at most ${MAX_STEPS}`);
  t.diagnostic(`journey 7: ${steps} steps after sign-in`);

  // Another reviewer with the seed draws the same sample from the same
  // entries. Today has not ended, so the page says new entries may change
  // it (other tests' reads land today too): the draw must be the same
  // whenever the entries drawn from are as many as before.
  assert.match(await page.locator('main').innerText(), /Perioden har inte slutat än/, 'an open period is said to be open');
  const total = (text) => Number(text.match(/av (\d+) mellan/)?.[1]);
  await page.fill('#s-seed', seed);
  await navigate(page, () => page.click('form[action="/access-log/sample"] button[type="submit"]'));
  const again = await page.locator('.alog-sample-summary').innerText();
  assert.ok(total(summary) > 0 && total(again) >= total(summary), `the totals: ${summary} / ${again}`);
  if (total(again) === total(summary)) {
    assert.deepEqual((await rows(page)).map((r) => r.cells[0]), sample.map((r) => r.cells[0]), 'the same seed draws the same sample');
  }

  // The log page works on a phone too: the table scrolls in its own region.
  await page.setViewportSize(PHONE);
  await visit(page, '/access-log');
  await assertNoHorizontalScroll(page);
}));

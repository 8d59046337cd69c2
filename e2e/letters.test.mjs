// Letters out (digital post): the officer of journey 4's LSS case decides
// a contact person (kontaktperson), and the decision letter goes out after
// commit to the young man's digital mailbox (the demo's file-backed
// digital post) or, for someone without one, into the print queue, where
// the officer marks it printed and posted. The case page says which
// channel, with the mailbox's delivery id. Steps are counted as
// ../shared/JOURNEYS.md counts them, every page passes axe, and the print
// queue fits a 375 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** LETTER_STEPS bounds the steps from the inbox to seeing on the case how the letter went. */
const LETTER_STEPS = 5;
/** PRINT_STEPS bounds the steps from the case to the letter marked posted and seen so on the case. */
const PRINT_STEPS = 3;

const today = () => new Date().toISOString().slice(0, 10);

test('a final decision\'s letter goes to the digital mailbox or the print queue, and the case says which', (t) => withPage(t, browser, async (page) => {
  const steps = countSteps(page);
  await visit(page, '/inbox');
  const link = page.locator('main a').filter({ hasText: 'Ansökan om daglig verksamhet och bostad med särskild service' }).first();
  await navigate(page, () => link.click());
  const caseURL = new URL(page.url()).pathname;
  const reference = (await page.locator('main .ref-inline').first().innerText()).trim();

  // A new decision: a contact person, within the officer's delegation.
  await page.getByText('Nytt beslut').click();
  await page.selectOption('#new-insats', 'lss_4_kontaktperson');
  let res = await navigate(page, () => page.getByRole('button', { name: 'Skapa beslutsutkast' }).click());
  assert.equal(res.status(), 200);
  await page.fill('#valid_from', today());
  await page.fill('#justification', 'Har behov av en kontaktperson för att bryta isolering och delta i fritidsaktiviteter.');
  res = await navigate(page, () => page.getByRole('button', { name: 'Fatta beslut' }).click());
  assert.equal(res.status(), 200, await page.locator('main').innerText());
  assert.equal(await page.locator('#justification').count(), 0, 'the decision is final');

  // The letter goes out after commit (every 5 s in the demo); the case
  // page says how.
  await new Promise((r) => setTimeout(r, 6_000));
  await navigate(page, () => page.locator('main .crumbs a').first().click());
  assert.equal(new URL(page.url()).pathname, caseURL);
  const timeline = page.locator('aside.case-side ol.timeline');
  let text = await timeline.innerText();
  if (!/Beslutsbrev (skickat|lagt)/.test(text)) {
    await new Promise((r) => setTimeout(r, 5_000));
    await navigate(page, () => page.reload());
    text = await timeline.innerText();
  }
  t.diagnostic(`deciding and seeing the letter's channel took ${steps.count} steps: ${steps.urls.join(', ')}`);
  assert.ok(steps.count <= LETTER_STEPS, `deciding and seeing the letter's channel took ${steps.count} steps, at most ${LETTER_STEPS}`);
  steps.reset();
  const digital = text.match(/Beslutsbrev skickat till digital brevlåda: Kontaktperson[^·\n]* · (Kivra|Min Myndighetspost) · ([0-9a-f]{32})/);
  if (digital) {
    t.diagnostic(`the letter went to ${digital[1]}, delivery ${digital[2]}`);
    assert.doesNotMatch(text, /utskriftskön/, 'not also printed');
  } else {
    // No digital mailbox: the print queue, from the case.
    assert.match(text, /Beslutsbrev lagt i utskriftskön \(ingen digital brevlåda\): Kontaktperson/);
    await navigate(page, () => timeline.getByRole('link', { name: 'Till utskriftskön' }).first().click());
    // The demo's own decisions wrote letters too: this case's is the one
    // with its reference.
    const row = page.locator('main ul.rows li').filter({ hasText: reference });
    assert.equal(await row.count(), 1, `one letter of ${reference} in the queue`);
    assert.match(await row.innerText(), /\d{3} ?\d{2} /, 'the address to print');
    await checkA11y(page, 'the print queue');
    await navigate(page, () => row.getByRole('button', { name: /Markera som postat/ }).click());
    assert.match(await page.locator('main .notice').innerText(), /markerat som utskrivet och postat/);
    await navigate(page, () => page.goto(new URL(caseURL, page.url()).href));
    assert.match(await timeline.innerText(), /Beslutsbrev utskrivet och postat: Kontaktperson/);
    t.diagnostic(`printing took ${steps.count} steps: ${steps.urls.join(', ')}`);
    assert.ok(steps.count <= PRINT_STEPS, `printing took ${steps.count} steps, at most ${PRINT_STEPS}`);
  }
  assert.doesNotMatch(page.url(), /\d{8}-?\d{4}/, 'no identity number in the URL');
  await checkA11y(page, 'the case with the letter\'s channel');
}, { user: 'lss' }));

test('the print queue on a phone: a letter of the demo printed and marked posted', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/inbox');
  const steps = countSteps(page);
  await navigate(page, () => page.locator('nav').getByRole('link', { name: 'Utskrifter' }).click());
  assert.match(await page.locator('main h1').innerText(), /Brev att skriva ut/);
  await checkA11y(page, 'the print queue on a phone');
  await assertNoHorizontalScroll(page);
  // The demo's own decisions to people without a digital mailbox (the
  // oldest, say) wait here with the address to print.
  const rows = page.locator('main ul.rows li');
  const before = await rows.count();
  assert.ok(before > 0, 'the demo has letters to print');
  const first = rows.first();
  assert.match(await first.innerText(), /Beslutsbrev: .+\n.+\n.*\d{3} ?\d{2} /, 'the name and the address');
  assert.doesNotMatch(await page.locator('main').innerText(), /\d{8}-?\d{4}/, 'no identity number');
  await navigate(page, () => first.getByRole('button', { name: /Markera som postat/ }).click());
  assert.match(await page.locator('main .notice').innerText(), /markerat som utskrivet och postat/);
  assert.equal(await rows.count(), before - 1, 'off the queue');
  await checkA11y(page, 'the print queue after a letter was posted');
  t.diagnostic(`printing a letter took ${steps.count} steps: ${steps.urls.join(', ')}`);
  assert.ok(steps.count <= 2, `printing a letter took ${steps.count} steps, at most 2`);
}, { user: 'lss', viewport: PHONE }));

// Following a case on Mina sidor, and a message round trip, as journey 1's
// daughter (`dotter`), who represents her mother: she opens her mother's
// home-care case, reads where it stands, and writes to the officer; the
// officer (`handlaggare`) finds the task "Nytt meddelande" in the inbox,
// reads the message on the case page and answers; the daughter sees one
// new message and reads the answer. Every page passes axe, at 375 px
// without scrolling sideways.
//
// The journeys test moves the same case along at the same time, so this
// file reads the status without expecting a particular step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, PHONE,
} from './lib.mjs';

const CASE_1 = 'Ansökan om hemtjänst och trygghetslarm';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The texts written, unique to this run.
const stamp = Date.now().toString(36);
const QUESTION = `När kommer hemtjänsten första gången? (${stamp})`;
const ANSWER = `Vi ringer er i morgon och bokar ett hembesök. (${stamp})`;

/** check runs axe and the phone-width check on the current page. */
async function check(page, label) {
  await assertNoHorizontalScroll(page);
  await checkA11y(page, label);
}

/** actForMother chooses, on the act-for page, the mother the daughter represents. */
async function actForMother(page) {
  await visit(page, '/portal/act-for');
  await check(page, '/portal/act-for');
  const mother = page.locator('form[action="/portal/act-for"] button', { hasText: 'företrädare' });
  assert.equal(await mother.count(), 1, 'the daughter may act for one person she represents');
  await navigate(page, () => mother.click());
  assert.equal(new URL(page.url()).pathname, '/portal');
  assert.match(await page.locator('.acting-for').innerText(), /\(företrädare\)/, 'the banner says whom she acts for');
}

/** openCase follows the portal home's link to journey 1's case. */
async function openCase(page) {
  const link = page.locator('main a', { hasText: CASE_1 });
  assert.equal(await link.count(), 1, 'Mina sidor links to the mother\'s case');
  await navigate(page, () => link.click());
  assert.match(new URL(page.url()).pathname, /^\/portal\/cases\/[^/]+$/);
  assert.equal((await page.locator('h1').innerText()).trim(), CASE_1);
}

test('the daughter follows her mother\'s case and writes to the officer', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/portal');
  await check(page, '/portal (herself)');
  await actForMother(page);
  await check(page, '/portal (for her mother)');
  await openCase(page);
  await check(page, 'the case on Mina sidor');

  // Where the case is, in plain words, and who handles it.
  const status = page.locator('section.follow-status');
  assert.equal((await status.locator('h2').innerText()).trim(), 'Var ärendet är nu');
  assert.ok((await status.locator('.follow-step strong').innerText()).trim().length > 0, 'the step is named');
  assert.match(await status.innerText(), /Handläggare\s+Hanna Handläggare/);
  assert.equal(await page.locator('h2', { hasText: 'Beslut' }).count(), 1, 'a decisions section');

  // The conversation: empty, then her message.
  await navigate(page, () => status.locator('a', { hasText: 'Meddelanden' }).click());
  assert.match(new URL(page.url()).pathname, /^\/portal\/cases\/[^/]+\/messages$/);
  await check(page, 'the conversation');
  // Refused: nothing written (the browser's own check is bypassed, the server's answers).
  await page.locator('#msg-body').evaluate((el) => el.removeAttribute('required'));
  await navigate(page, () => page.locator('form button[type="submit"]', { hasText: 'Skicka' }).click());
  await page.locator('[role="alert"]').filter({ hasText: 'Skriv ditt meddelande först.' }).waitFor();
  await check(page, 'a refused message');

  await page.fill('#msg-body', QUESTION);
  await navigate(page, () => page.locator('form button[type="submit"]', { hasText: 'Skicka' }).click());
  await page.locator('[role="status"]').filter({ hasText: 'Meddelandet är skickat.' }).waitFor();
  const mine = page.locator('li.msg.mine', { hasText: QUESTION });
  assert.equal(await mine.count(), 1, 'her message is in the conversation');
  assert.match(await mine.locator('.msg-meta').innerText(), /^Du ·/);
  await check(page, 'the conversation with her message');
}, { user: 'dotter', viewport: PHONE }));

test('the officer finds the message in the inbox and answers it on the case page', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/inbox');
  await check(page, '/inbox with a message task');
  const task = page.locator('section[aria-labelledby="tasks-h"] li', { hasText: CASE_1 }).filter({ hasText: 'Nytt meddelande' });
  assert.equal(await task.count(), 1, 'one task "Nytt meddelande" for the case');
  await navigate(page, () => task.locator('a', { hasText: 'Nytt meddelande' }).click());
  assert.match(new URL(page.url()).pathname, /^\/cases\/[^/]+$/);

  const section = page.locator('section[aria-labelledby="messages"]');
  const msg = section.locator('li.msg', { hasText: QUESTION });
  assert.equal(await msg.count(), 1, 'the message is on the case page');
  assert.match(await msg.locator('.msg-meta').innerText(), /\(företrädare\)/, 'who wrote it, and for whom');
  await check(page, 'the case page with the message');

  // Opening the conversation closed the task.
  await visit(page, '/inbox');
  assert.equal(await page.locator('section[aria-labelledby="tasks-h"] li', { hasText: CASE_1 }).filter({ hasText: 'Nytt meddelande' }).count(), 0,
    'the task is closed once the officer has read the message');
  await page.goBack();

  await section.locator('#msg-body').fill(ANSWER);
  await navigate(page, () => section.locator('button[type="submit"]').click());
  assert.equal(new URL(page.url()).hash, '#messages');
  await page.locator('section[aria-labelledby="messages"] [role="status"]').filter({ hasText: 'Meddelandet är skickat.' }).waitFor();
  assert.equal(await page.locator('section[aria-labelledby="messages"] li.msg', { hasText: ANSWER }).count(), 1);
  await check(page, 'the case page after answering');
}, { user: 'handlaggare', viewport: PHONE }));

test('the daughter sees one new message and reads the answer', (t) => withPage(t, browser, async (page) => {
  await actForMother(page);
  const badge = page.locator('a.count-badge');
  assert.match(await badge.innerText(), /^Nya meddelanden: 1$/, 'the home list counts the unread answer');
  await check(page, '/portal with an unread message');
  await openCase(page);
  assert.match(await page.locator('section.follow-status a', { hasText: 'Meddelanden' }).innerText(), /olästa: 1/);
  await navigate(page, () => page.locator('section.follow-status a', { hasText: 'Meddelanden' }).click());
  const answer = page.locator('li.msg.msg-staff', { hasText: ANSWER });
  assert.equal(await answer.count(), 1, 'the officer\'s answer is there');
  assert.match(await answer.locator('.msg-meta').innerText(), /^Hanna Handläggare \(handläggare\) ·/);
  await check(page, 'the conversation with the answer');
  // Read: the count is gone.
  await visit(page, '/portal');
  assert.equal(await page.locator('a.count-badge').count(), 0, 'no unread messages left');
}, { user: 'dotter', viewport: PHONE }));

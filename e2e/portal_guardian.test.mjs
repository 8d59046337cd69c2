// A guardian acting for a child on Mina sidor: the single mother of
// journey 3 (`invanare`) sees whom she may act for — herself and her two
// children — chooses a child, and from then on every page says, in the
// banner, that she acts for the child as guardian; switching back to
// herself says so too. Every page passes axe at 375 px without scrolling
// sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function check(page, label) {
  await assertNoHorizontalScroll(page);
  await checkA11y(page, label);
}

/** banner is the acting-for banner's text. */
async function banner(page) {
  return (await page.locator('.acting-for').innerText()).replace(/\s+/g, ' ').trim();
}

test('a guardian acts for her child, and it is always shown for whom', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/portal');
  await check(page, '/portal (herself)');
  const own = await banner(page);
  assert.match(own, /^Du agerar för /, `the banner says for whom: ${own}`);
  assert.doesNotMatch(own, /vårdnadshavare/, 'acting for herself is not acting as guardian');

  await visit(page, '/portal/act-for');
  await check(page, '/portal/act-for');
  const children = page.locator('form[action="/portal/act-for"] button', { hasText: 'vårdnadshavare' });
  assert.equal(await children.count(), 2, 'she may act for her two children');
  const childName = (await children.first().innerText()).replace(/\(.*\)/, '').trim();
  await navigate(page, () => children.first().click());
  assert.equal(new URL(page.url()).pathname, '/portal');
  await check(page, '/portal (the child)');
  const forChild = await banner(page);
  assert.ok(forChild.includes(childName) && /vårdnadshavare/.test(forChild), `the banner names the child and the relation: ${forChild}`);

  // Another portal page keeps the choice.
  await visit(page, '/portal/records');
  assert.ok((await banner(page)).includes(childName), 'the choice holds on the next page');

  // Back to herself.
  await visit(page, '/portal/act-for');
  const self = page.locator('form[action="/portal/act-for"] button', { hasText: 'dig själv' });
  await navigate(page, () => self.click());
  assert.equal(await banner(page), own, 'switched back to herself');
}, { viewport: PHONE, user: 'invanare' }));

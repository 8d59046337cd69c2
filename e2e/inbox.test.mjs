// The inbox says whose case each row is: the person's name and masked
// identity number, the case's reference, the day it came in, its step and
// next deadline. The officer sorts by a column (header links, or the form
// on a phone) and filters by name or reference, step and overdue; with
// htmx only the results are replaced and the address follows, so the
// filtered inbox can be reloaded or shared. Every state passes axe, and
// the inbox fits a 375 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, htmxSettled, checkA11y, assertNoHorizontalScroll, journeyPerson, PHONE,
} from './lib.mjs';

const CASE_1 = 'Ansökan om hemtjänst och trygghetslarm';

let browser;
let mother;
before(async () => {
  browser = await launch();
  mother = await journeyPerson('handlaggare', CASE_1);
});
after(async () => { await browser?.close(); });

/** names are the persons named in the case table, in order. */
function names(page) {
  return page.locator('main table.inbox-cases td[data-label="Person"] strong').allInnerTexts();
}

test('the inbox names whose case it is, sorts by a column and filters with htmx', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/inbox');
  const full = `${mother.given_name} ${mother.family_name}`;
  const row = page.locator('main table.inbox-cases tr', { hasText: CASE_1 });
  assert.equal(await row.count(), 1, 'the journey case is in the inbox');
  const cells = await row.locator('td').allInnerTexts();
  assert.ok(cells[0].includes(full), `the row names ${full}: ${cells[0]}`);
  assert.match(cells[0], new RegExp(`${mother.identity_number.slice(0, 8)}-\\*{4}`), 'with the identity number masked');
  assert.match(cells[2], /^ÄO-\d{4}-\d{5}$/, 'the case reference');
  assert.match(cells[3], /^\d{4}-\d{2}-\d{2}$/, 'the day it came in');
  assert.ok(!(await page.content()).includes(mother.identity_number), 'no full identity number on the page');
  await checkA11y(page, '/inbox with whose case each row is');

  // Sorted by the person's name, from the column header.
  await navigate(page, () => page.locator('main th a', { hasText: 'Person' }).click());
  assert.match(await page.locator('main th[aria-sort="ascending"]').innerText(), /^Person/, 'the Person column says it is sorted');
  const sorted = await names(page);
  const families = sorted.map((n) => n.split(' ').at(-1));
  assert.deepEqual(families, [...families].sort((a, b) => a.localeCompare(b, 'sv')), 'the cases are in family-name order');

  // Filtered by her family name: htmx replaces the results, the address follows.
  const search = page.getByLabel('Namn eller referens');
  await htmxSettled(page, async () => {
    await search.fill(mother.family_name);
    await search.press('Enter');
  });
  assert.match(page.url(), new RegExp(`q=${encodeURIComponent(mother.family_name)}`), 'the address holds the filter');
  const found = await names(page);
  assert.ok(found.length > 0 && found.every((n) => n.endsWith(` ${mother.family_name}`)), `only ${mother.family_name}: ${found}`);
  assert.equal(await search.inputValue(), mother.family_name, 'the search field keeps the text');
  await checkA11y(page, '/inbox filtered by name');

  // Reloaded, without htmx, the filtered inbox is the same.
  await visit(page, new URL(page.url()).pathname + new URL(page.url()).search);
  assert.deepEqual(await names(page), found);
}, { user: 'handlaggare' }));

test('phone width: the team inbox with its filters fits and passes axe', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/');
  assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/inbox?team=1', 'the team lead lands on the team inbox');
  await assertNoHorizontalScroll(page);
  await checkA11y(page, '/inbox?team=1 (phone)');
  // On a phone the cases are sorted with the form (the column headers are hidden).
  await htmxSettled(page, () => page.selectOption('#inbox-sort', 'received'));
  assert.equal(new URL(page.url()).searchParams.get('sort'), 'received', 'the address holds the order');
  const days = await page.locator('main table.inbox-cases td[data-label="Kom in"]').allInnerTexts();
  assert.deepEqual(days, [...days].sort(), 'the cases are in the order they came in');
  await assertNoHorizontalScroll(page);
  await checkA11y(page, '/inbox?team=1 sorted (phone)');
}, { viewport: PHONE, user: 'arbetsledare' }));

// Reports as the team lead: the list, the unexecuted-decisions report
// (journey 4) as a table, and a bad period.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, visit, checkA11y, assertNoHorizontalScroll, PHONE } from './lib.mjs';

const REPORT = '/reports/ej_verkstallda_beslut';

// rowCount reads the number of rows from the report's summary line
// ("… 12 rader." / "… 12 rows."); it fails if there is none.
async function rowCount(page) {
  const text = await page.locator('main').innerText();
  const m = text.match(/(\d+) (rader|rows)\b/);
  assert.ok(m, 'the report says how many rows it has');
  return Number(m[1]);
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the reports list passes axe and links to the report', (t) => withPage(t, browser, async (page) => {
  const res = await visit(page, '/reports');
  assert.equal(res.status(), 200);
  assert.ok(await page.locator(`main a[href="${REPORT}"]`).count() === 1, 'the list links to the report');
  await checkA11y(page, '/reports as arbetsledare');
}, { user: 'arbetsledare' }));

test('the unexecuted-decisions report shows a table and passes axe', (t) => withPage(t, browser, async (page) => {
  const res = await visit(page, REPORT);
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('main a[download][href*="/csv?"]').count(), 1, 'the report offers its CSV');
  assert.equal(await page.locator('main a[download][href*="/file?"]').count(), 1, "and the file for IVO's e-service");
  // The demo's played histories leave decisions of the journeys' units
  // waiting more than 90 days, so the team lead's report has rows.
  const rows = await rowCount(page);
  const table = page.locator('main .table-wrap table');
  assert.ok(rows > 0, 'the demo municipality has decisions not executed within three months');
  assert.equal(await table.count(), 1, `the report says ${rows} rows but shows no table`);
  assert.ok(await table.locator('thead th[scope="col"]').count() > 0, 'the table has column headers');
  assert.equal(await table.locator('tbody tr').count(), rows, 'the table has as many rows as the report says');
  await checkA11y(page, `${REPORT} as arbetsledare`);
}, { user: 'arbetsledare' }));

test('a bad period is shown as an error next to the form', (t) => withPage(t, browser, async (page) => {
  await visit(page, REPORT);
  await page.fill('#period', 'not-a-quarter');
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === REPORT),
    page.click('main form button[type="submit"]'),
  ]);
  assert.equal(res.status(), 422);
  await page.waitForLoadState();
  assert.equal(await page.locator('main [role="alert"]').count(), 1);
  await checkA11y(page, `${REPORT} with a bad period`);
}, { user: 'arbetsledare' }));

test('an unknown report is an accessible error page', (t) => withPage(t, browser, async (page) => {
  const res = await visit(page, '/reports/no_such_report');
  assert.equal(res.status(), 404);
  assert.equal(await page.locator('main [role="alert"]').count(), 1, 'the error says what went wrong');
  assert.equal(await page.locator('header nav[aria-label]').count(), 1, 'the error page keeps the navigation');
  await checkA11y(page, 'the error page');
}, { user: 'arbetsledare' }));

test('phone width: the report scrolls inside its table, not the page', (t) => withPage(t, browser, async (page) => {
  await visit(page, REPORT);
  await assertNoHorizontalScroll(page);
  await checkA11y(page, `${REPORT} (phone)`);
}, { viewport: PHONE, user: 'arbetsledare' }));

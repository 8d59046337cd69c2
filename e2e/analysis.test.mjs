// Analys: the analyst signs in and lands on the dashboards' overview,
// opens every dashboard from the links on each page, and filters one by
// district. Each page's charts are SVG with their numbers in a table,
// every page passes axe, fits a 375 px phone, and the walk is counted as
// ../shared/JOURNEYS.md counts steps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, PHONE,
} from './lib.mjs';

// In the order the overview and each page's links list them; Veckan first.
const DASHBOARDS = [
  'Tid från ansökan till beslut',
  'Inflöde, utflöde och balans',
  'Lagstadgade tidsfrister',
  'Verkställda beslut inom tre månader',
  'Stämmer hjälpen med behoven?',
  'Planerad och utförd tid',
  'Prognos och utfall',
];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** checkCharts asserts each chart of the page is an SVG image with a title and its table. */
async function checkCharts(page, label) {
  const charts = page.locator('main svg.chart[role="img"]');
  const n = await charts.count();
  const empty = await page.locator('main', { hasText: 'Det finns inga siffror för det här urvalet.' }).count();
  assert.ok(n > 0 || empty > 0, `${label}: a chart or a word that there are no figures`);
  for (let i = 0; i < n; i++) {
    assert.ok((await charts.nth(i).locator(':scope > title').textContent()).trim(), `${label}: chart ${i + 1} has a title`);
  }
  assert.equal(await page.locator('main table.chart-table').count(), n, `${label}: each chart has its table`);
}

test('the analyst opens every dashboard and filters one', async (t) => {
  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, '/');
    assert.equal(new URL(page.url()).pathname, '/analysis', 'the analyst lands on Analys');
    assert.equal(await page.locator('main h1').innerText(), 'Analys');
    await checkA11y(page, 'the overview');
    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
    await page.setViewportSize({ width: 1280, height: 900 });

    // Veckan from the overview: an analyst is asked for a unit or a
    // district first, and sees the week once she has chosen one.
    await navigate(page, () => page.locator('main .analysis-list').getByRole('link', { name: 'Veckan', exact: true }).click());
    assert.equal(await page.locator('main h1').innerText(), 'Veckan');
    assert.equal(await page.locator('main svg.chart').count(), 0, 'no figures before a unit is chosen');
    await checkA11y(page, 'Veckan, nothing chosen');
    await page.getByLabel('Distrikt').selectOption({ label: 'Norra område' });
    await navigate(page, () => page.getByRole('button', { name: 'Visa', exact: true }).click());
    await checkCharts(page, 'Veckan');
    await checkA11y(page, 'Veckan');
    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
    await page.setViewportSize({ width: 1280, height: 900 });

    for (const name of DASHBOARDS) {
      // From each dashboard's links.
      const links = page.locator('main nav.analysis-nav');
      await navigate(page, () => links.getByRole('link', { name, exact: true }).click());
      assert.equal(await page.locator('main h1').innerText(), name);
      await checkCharts(page, name);
      await checkA11y(page, name);
      await page.setViewportSize(PHONE);
      await assertNoHorizontalScroll(page);
      await page.setViewportSize({ width: 1280, height: 900 });
    }

    // The last one filtered by a district.
    await page.getByLabel('Distrikt').selectOption({ label: 'Norra område' });
    await navigate(page, () => page.getByRole('button', { name: 'Visa', exact: true }).click());
    assert.match(page.url(), /district=norra-omr/, 'the filter is in the address');
    assert.equal(await page.getByLabel('Distrikt').inputValue(), 'norra-omr', 'the chosen district stays chosen');
    await checkCharts(page, 'the filtered dashboard');
    await checkA11y(page, 'the filtered dashboard');

    // Landing, Veckan and its choice, seven dashboards and the filter: 11 steps.
    const walked = steps.count;
    assert.ok(walked <= 11, `the walk took ${walked} steps: ${steps.urls.join(', ')}`);

    // A month that is none: refused at the field, no figures.
    await visit(page, '/analysis/flow?from=2026-13');
    assert.equal(await page.locator('main svg.chart').count(), 0, 'a bad filter shows no figures');
    assert.equal(await page.locator('#from').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#from-error').innerText(), /Skriv månaden som ÅÅÅÅ-MM/);
    await checkA11y(page, 'a bad filter');
    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
  }, { user: 'analytiker' });
});

test('the team lead goes from her team inbox to her units\' week', async (t) => {
  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, '/inbox?team=1');
    await navigate(page, () => page.getByRole('link', { name: /Veckan för dina enheter/ }).click());
    assert.equal(new URL(page.url()).pathname, '/analysis/week');
    assert.equal(await page.locator('main h1').innerText(), 'Veckan');
    assert.equal(await page.getByLabel('Enhet', { exact: true }).inputValue(), '', 'all her units together by default');
    await checkCharts(page, 'her week');
    await checkA11y(page, 'her week');
    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
    // The team inbox and the week: 2 steps.
    assert.ok(steps.count <= 2, `the walk took ${steps.count} steps: ${steps.urls.join(', ')}`);
  }, { user: 'arbetsledare' });
});

// Journey 10's export: the analyst lands on Analys, opens Exportera
// tabeller and downloads the quarter's decisions as Parquet, in at most 3
// steps as ../shared/JOURNEYS.md counts them; the page passes axe and fits
// a 375 px phone, and a month that is none is refused at its field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the analyst exports the quarter as Parquet', async (t) => {
  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, '/');
    assert.equal(new URL(page.url()).pathname, '/analysis', 'the analyst lands on Analys');
    await navigate(page, () => page.getByRole('link', { name: /Exportera tabellerna/ }).click());
    assert.equal(await page.locator('main h1').innerText(), 'Exportera tabeller');
    assert.match(await page.locator('#from').inputValue(), /^\d{4}-\d{2}$/, 'a quarter is chosen');
    await checkA11y(page, 'Exportera tabeller');
    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
    await page.setViewportSize({ width: 1280, height: 900 });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Beslut som Parquet', exact: true }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^fact_decisions_\d{4}-\d{2}-01_\d{4}-\d{2}-\d{2}\.parquet$/);
    const file = await readFile(await download.path());
    assert.equal(file.subarray(0, 4).toString(), 'PAR1', 'the file is Parquet');
    assert.equal(file.subarray(file.length - 4).toString(), 'PAR1', 'the file is whole');

    // Landing, the export page and the download: at most 3 steps.
    assert.ok(steps.count <= 3, `the export took ${steps.count} steps: ${steps.urls.join(', ')}`);

    await visit(page, '/analysis/export?from=2026-13');
    assert.equal(await page.locator('#from').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('main a[download]').count(), 0, 'a bad filter offers no files');
    await checkA11y(page, 'a bad filter on Exportera tabeller');
  }, { user: 'analytiker' });
});

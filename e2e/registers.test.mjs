// Socialstyrelsen's registers: the team lead opens "Rapporter", follows
// "Register till Socialstyrelsen" to the list (föreskrift, latest period,
// due day), checks the economic-assistance register for the demo's last
// month and makes its file for Filip (a download named without personal
// data), or, if the demo leaves something open, reads per case what is
// missing. Steps are counted as ../shared/JOURNEYS.md counts them, every
// page passes axe, and the register page fits a 375 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the team lead checks the economic-assistance register and makes its file', async (t) => {
  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, '/');
    await navigate(page, () => page.getByRole('navigation').getByRole('link', { name: 'Rapporter', exact: true }).click());
    await checkA11y(page, 'the reports with the registers');
    await navigate(page, () => page.getByRole('link', { name: 'Register till Socialstyrelsen' }).click());
    assert.equal(new URL(page.url()).pathname, '/registers');
    const row = page.locator('main table tbody tr', { hasText: 'Ekonomiskt bistånd, månad' });
    assert.match(await row.innerText(), /HSLF-FS 2015:30\s+\d{4}-\d{2}\s+\d{4}-\d{2}-15/, 'föreskrift, last month and its due day');
    await checkA11y(page, 'the registers');

    await navigate(page, () => row.getByRole('link', { name: 'Ekonomiskt bistånd, månad' }).click());
    const period = await page.getByLabel('Månad').inputValue();
    assert.match(period, /^\d{4}-\d{2}$/, 'the last month is chosen');
    assert.ok(!/\d{8}-?\d{4}/.test(page.url()), 'no identity number in the address');
    await checkA11y(page, 'the register checked');

    if (await page.locator('#error-summary').count() > 0) {
      // The demo leaves something open: each case and what to fill in.
      const rows = page.locator('main table tbody tr');
      assert.ok(await rows.count() > 0, 'what is missing is listed');
      assert.match(await rows.first().locator('th a').getAttribute('href'), /^\/cases\/[0-9a-f-]+$/, 'each case links to itself');
    } else {
      assert.match(await page.locator('main [role="status"]').innerText(), new RegExp(`Allt som behövs finns\\. Filen för ${period} får \\d+ post`));
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Skapa fil' }).click(),
      ]);
      assert.match(download.suggestedFilename(), new RegExp(`^EB_\\d{4}_${period.replace('-', '')}\\.txt$`), 'named by municipality and month');
      const text = (await readFile(await download.path())).toString('latin1');
      assert.match(text, /^Ar;Manad;Kommun;Distrikt;Personnr1;/, 'the file as Filip takes it');
      assert.ok(text.split('\r\n').length >= 3, 'the demo has households for the month');
    }
    assert.ok(steps.count <= 5, `the team lead's register took ${steps.count} steps: ${steps.urls.join(', ')}`);

    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
  }, { user: 'arbetsledare' });
});

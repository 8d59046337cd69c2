// Archiving without purging: the demo's archivist signs in, follows
// "Leverans till arkivet", chooses the cases closed at least a year ago
// (the demo's past goes two years back), sees how many cases and persons
// the delivery holds, and presses "Leverera": the delivery downloads as a
// zip named by its id, without personal data, holding E-ARK packages.
// An age that is no number is refused at its field first. Steps are
// counted as ../shared/JOURNEYS.md counts them, every page passes axe,
// and the page fits a 375 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const years = 'Ärenden som avslutades för minst så här många år sedan';

// previewed reads the preview's counts of cases and persons.
async function previewed(page) {
  const dd = page.locator('#archive-preview dd');
  return { cases: Number(await dd.nth(1).innerText()), persons: Number(await dd.nth(2).innerText()) };
}

test('the archivist delivers closed cases to the archive and downloads the delivery', async (t) => {
  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, '/');
    await navigate(page, () => page.getByRole('navigation').getByRole('link', { name: 'Leverans till arkivet', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, '/archive');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Leverans till arkivet');
    assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Leverans till arkivet', exact: true }).getAttribute('aria-current'), 'page');
    assert.equal(await page.getByLabel(years).inputValue(), '10', 'ten years at first');
    await checkA11y(page, 'Leverans till arkivet');

    await page.getByLabel(years).fill('1');
    await navigate(page, () => page.getByRole('button', { name: 'Visa vad som levereras' }).click());
    assert.ok(!/\d{8}-?\d{4}/.test(page.url()), 'no identity number in the address');
    const before = await previewed(page);
    assert.ok(before.cases > 0 && before.persons > 0, `the demo's past has cases closed a year ago: ${JSON.stringify(before)}`);
    await checkA11y(page, 'the preview');

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 180_000 }),
      page.getByRole('button', { name: 'Leverera', exact: true }).click({ noWaitAfter: true }),
    ]);
    assert.match(download.suggestedFilename(), /^leverans-\d{8}-\d{6}\.zip$/, 'named by the delivery, without personal data');
    const zip = await readFile(await download.path());
    assert.equal(zip.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a zip');
    const names = zip.toString('latin1');
    for (const f of ['/METS.xml', '/metadata/descriptive/ERMS.xml', '/metadata/preservation/PREMIS.xml', '/representations/rep1/data/']) {
      assert.ok(names.includes(f), `the packages hold ${f}`);
    }
    assert.ok(steps.count <= 4, `the delivery took ${steps.count} steps: ${steps.urls.join(', ')}`);

    // What was delivered is not offered again.
    await navigate(page, () => page.reload());
    const now = await previewed(page);
    assert.ok(now.cases < before.cases, `after the delivery ${now.cases} cases are left of ${before.cases}`);

    // An age that is no number: said at its field, nothing delivered.
    await page.getByLabel(years).fill('ett');
    await navigate(page, () => page.getByRole('button', { name: 'Visa vad som levereras' }).click());
    assert.match(await page.locator('#error-summary').innerText(), /Ange ärendenas ålder i hela år, från 1 till 100\./);
    assert.equal(await page.getByLabel(years).getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#years-error').innerText(), /hela år/);
    assert.equal(await page.getByRole('button', { name: 'Leverera', exact: true }).count(), 0, 'nothing to deliver while the age is refused');
    await checkA11y(page, 'the age refused');

    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
  }, { user: 'arkivarie' });
});

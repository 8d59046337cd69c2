// Retention (gallring): the demo's archivist signs in and lands on
// "Gallring", makes a preview and, when something is due, approves it in
// a second step, runs it and reads its protocol. The demo's cases are at
// most a few years old and the shipped rules purge five years after the
// last entry, so on a fresh `serve --demo` nothing is due: the page says
// so plainly and the protocol stays empty. Steps are counted as
// ../shared/JOURNEYS.md counts them, every page passes axe, and the page
// fits a 375 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the archivist previews a retention run and reads the protocol', async (t) => {
  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, '/');
    assert.equal(new URL(page.url()).pathname, '/retention', 'the archivist lands on Gallring');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Gallring');
    assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Gallring', exact: true }).getAttribute('aria-current'), 'page');
    await checkA11y(page, 'Gallring');

    await navigate(page, () => page.getByRole('button', { name: 'Gör en förhandsgranskning' }).click());
    if (!/^\/retention\/previews\/[0-9a-f-]+$/.test(new URL(page.url()).pathname)) {
      // Nothing is due in the demo: said plainly, nothing in the protocol.
      assert.match(await page.locator('#error-summary').innerText(), /Inget ska gallras eller levereras till arkivet i dag\./);
      assert.match(await page.locator('main').innerText(), /Protokollet är tomt/);
      await checkA11y(page, 'Gallring, nothing due');
    } else {
      assert.ok(!/\d{8}-?\d{4}/.test(page.url()), 'no identity number in the address');
      assert.match(await page.locator('main').innerText(), /Förhandsgranskad, inte godkänd/);
      await checkA11y(page, 'the preview');
      await navigate(page, () => page.getByRole('button', { name: 'Godkänn förhandsgranskningen' }).click());
      assert.match(await page.locator('main [role="status"]').innerText(), /Förhandsgranskningen är godkänd/);
      await checkA11y(page, 'the preview approved');
      await navigate(page, () => page.getByRole('button', { name: 'Kör gallringen nu' }).click());
      assert.match(await page.locator('main [role="status"]').innerText(), /Gallringen är körd/);
      await checkA11y(page, 'the run');
      await navigate(page, () => page.locator('.crumbs').getByRole('link', { name: 'Gallring' }).click());
      assert.match(await page.locator('main table').innerText(), /Körd/);
    }
    assert.ok(steps.count <= 5, `the retention run took ${steps.count} steps: ${steps.urls.join(', ')}`);

    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
  }, { user: 'arkivarie' });
});

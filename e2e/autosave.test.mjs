// What an officer types while a form's autosave is on its way is kept:
// the server's answer to the earlier save is stale and must not replace
// the form (static/trygg.js drops it; the next save brings a fresh one).
// The saves are slowed down here so the race happens every time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, visit, navigate } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('text typed during an autosave is kept', async (t) => {
  await withPage(t, browser, async (page) => {
    await visit(page, '/inbox');
    const link = page.locator('main a').filter({ hasText: 'Ansökan om daglig verksamhet och bostad med särskild service' }).first();
    await navigate(page, () => link.click());
    await page.route('**/forms/ibic_ansokan', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    const kind = page.locator('#f-ibic_ansokan-applicant_kind');
    const description = page.locator('#f-ibic_ansokan-own_description');
    // A change starts a (slow) save; the officer goes on typing at once.
    await kind.selectOption('representative');
    await description.click();
    await page.keyboard.type('Jag behöver hjälp på morgonen.', { delay: 20 });
    // The first answer arrives while the text is being typed and is
    // dropped; the save after the typing shows the representative's
    // fields and keeps the text.
    await page.waitForSelector('#f-ibic_ansokan-representative_name', { timeout: 15_000 });
    await page.waitForFunction(() => {
      const s = window.htmx && document.querySelector('form[data-autosave]');
      return s && !s.classList.contains('htmx-request');
    }, null, { timeout: 15_000 });
    assert.equal(await description.inputValue(), 'Jag behöver hjälp på morgonen.');
    assert.equal(await kind.inputValue(), 'representative');
  }, { user: 'lss' });
});

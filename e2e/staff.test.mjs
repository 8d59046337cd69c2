// Every demo staff user: sign in, then visit every link of the main
// navigation (header nav[aria-label]); each page must pass axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, visit, signIn, checkA11y } from './lib.mjs';

// Pages that may still answer 404 with only a warning; every page of the
// navigation exists now, so the list is empty and any page here that does
// not answer 200 fails.
const UNDER_CONSTRUCTION = [];
const underConstruction = (href) => UNDER_CONSTRUCTION.some((p) => href === p || (p.endsWith('/') && href.startsWith(p)));

// Besides the navigation, the first link to a case and to a person found
// on those pages is followed, so the detail pages are checked too.
const DETAIL_PAGES = ['/cases/', '/persons/'];

const USERS = ['handlaggare', 'arbetsledare', 'designer', 'granskare'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const user of USERS) {
  test(`${user}: every page of the main navigation passes axe`, (t) => withPage(t, browser, async (page) => {
    await signIn(page, user);
    await visit(page, '/me');
    const links = await page.$$eval('header nav[aria-label] a', (as) =>
      as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
    assert.ok(links.length > 0, `${user} has a main navigation`);
    let checked = 0;
    const queue = links.map((l) => ({ ...l, nav: true }));
    const details = new Set();
    while (queue.length > 0) {
      const { href, text, nav } = queue.shift();
      assert.ok(href && href.startsWith('/'), `link "${text}" has a local href (${href})`);
      const res = await visit(page, href);
      if (res.status() === 404 && underConstruction(href)) {
        console.warn(`WARNING: ${user}: "${text}" (${href}) is 404; allowed while the page is under construction (see TODO in e2e/staff.test.mjs)`);
        continue;
      }
      assert.equal(res.status(), 200, `${user}: "${text}" (${href}) answers ${res.status()}`);
      const pathNow = new URL(page.url()).pathname;
      assert.notEqual(pathNow, '/login', `${user}: ${href} sent the signed-in user back to sign-in`);
      assert.equal(await page.locator('h1').count(), 1, `${href} has one h1`);
      if (nav && pathNow.startsWith(href)) {
        const current = await page.$$eval('header nav[aria-label] a[aria-current="page"]', (as) => as.map((a) => a.getAttribute('href')));
        assert.deepEqual(current, [href], `${href} is marked as the current page in the navigation`);
      }
      await checkA11y(page, `${href} as ${user}`);
      checked++;
      for (const prefix of DETAIL_PAGES) {
        if (details.has(prefix)) continue;
        const a = page.locator(`main a[href^="${prefix}"]`).first();
        if (await a.count() === 0) continue;
        details.add(prefix);
        queue.push({ href: await a.getAttribute('href'), text: (await a.innerText()).trim(), nav: false });
      }
    }
    t.diagnostic(`${checked} page(s) checked: ${links.length} in the navigation, ${details.size} detail page(s)`);
  }));
}

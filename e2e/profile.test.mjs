// The profile page of every demo staff user, in Swedish and English, on a
// phone; the skip link; signing out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, visit, signIn, checkA11y, assertNoHorizontalScroll, PHONE } from './lib.mjs';

const USERS = ['handlaggare', 'arbetsledare', 'designer', 'granskare'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const user of USERS) {
  test(`${user}: profile page passes axe and switches to English`, (t) => withPage(t, browser, async (page) => {
    const res = await visit(page, '/me');
    assert.equal(res.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Min profil');
    assert.ok((await page.locator('dl.facts').innerText()).includes(user), 'the profile shows the username');
    await checkA11y(page, `/me (sv) as ${user}`);

    const sw = page.locator('header a.lang');
    assert.equal(await sw.getAttribute('lang'), 'en', 'the switch link is marked as English');
    await Promise.all([page.waitForURL(/lang=en/), sw.click()]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal((await page.locator('h1').innerText()).trim(), 'My profile');
    assert.match(await page.locator('main').innerText(), /You are signed in as/);
    assert.equal(await page.locator('header nav[aria-label]').getAttribute('aria-label'), 'Main menu');
    await checkA11y(page, `/me (en) as ${user}`);

    // The choice is remembered: the next page is English too.
    await visit(page, '/me');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
  }, { user }));
}

test('phone width: the profile page does not scroll sideways', (t) => withPage(t, browser, async (page) => {
  for (const lang of ['sv', 'en']) {
    await visit(page, `/me?lang=${lang}`);
    await assertNoHorizontalScroll(page);
    await checkA11y(page, `/me (${lang}, phone)`);
  }
}, { viewport: PHONE, user: 'arbetsledare' }));

test('keyboard only: the skip link comes first and moves focus to the content', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/me');
  await page.keyboard.press('Tab');
  const skip = page.locator('a.skip');
  assert.ok(await skip.evaluate((el) => el === document.activeElement), 'the first Tab lands on the skip link');
  const box = await skip.boundingBox();
  assert.ok(box && box.x >= 0 && box.y >= 0, 'the focused skip link is on screen');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', 'Enter on the skip link focuses <main>');
}, { user: 'designer' }));

test('signing out returns to the sign-in page', (t) => withPage(t, browser, async (page) => {
  await signIn(page, 'granskare');
  await visit(page, '/me');
  await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.click('header form[action="/logout"] button')]);
  await visit(page, '/me');
  assert.equal(new URL(page.url()).pathname, '/login', 'after signing out, /me sends the browser to sign-in');
}));

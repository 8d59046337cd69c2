// The sign-in page: accessible, says why a sign-in failed, usable with the
// keyboard alone and on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, visit, signIn, checkA11y, assertNoHorizontalScroll, DEMO_PASSWORD, PHONE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('sign-in page passes axe in Swedish and English', (t) => withPage(t, browser, async (page) => {
  const res = await visit(page, '/login');
  assert.equal(res.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'sv');
  await checkA11y(page, '/login (sv)');

  await visit(page, '/login?lang=en');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.locator('h1').innerText()).trim(), 'Sign in');
  await checkA11y(page, '/login (en)');
}));

test('a wrong password shows the error and keeps the username', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/login');
  await page.fill('#username', 'handlaggare');
  await page.fill('#password', 'not-the-password');
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.click('form[action="/login"] button[type="submit"]'),
  ]);
  assert.equal(res.status(), 401);
  await page.waitForLoadState();
  assert.equal(new URL(page.url()).pathname, '/login');
  const alert = page.locator('[role="alert"]');
  assert.equal(await alert.count(), 1, 'one error message with role=alert');
  assert.ok(await alert.isVisible(), 'the error is visible');
  assert.match(await alert.innerText(), /misslyckades/);
  assert.equal(await page.inputValue('#username'), 'handlaggare');
  assert.equal(await page.inputValue('#password'), '', 'the password is not sent back');
  await checkA11y(page, '/login with an error');
}));

test('keyboard only: Tab to the username, type, Tab, password, Enter signs in', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/login');
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
  // Tab until the username field has focus (it may have it already: autofocus).
  for (let i = 0; i < 15 && (await focused()) !== 'username'; i++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await focused(), 'username', 'Tab reaches the username field');
  await page.keyboard.type('designer');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'password', 'Tab moves from username to password');
  await page.keyboard.type(DEMO_PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.pathname !== '/login'),
    page.keyboard.press('Enter'),
  ]);
  // The process designer lands on her own work, Processer, not on a profile.
  await page.waitForURL((u) => u.pathname === '/designer');
  assert.equal(await page.locator('header nav[aria-label] a[aria-current="page"]').getAttribute('href'), '/designer');
  assert.ok(await page.locator('header nav[aria-label]').isVisible(), 'the main navigation is shown after sign-in');
}));

// Each role lands on its own work after signing in, never on "Min profil".
const LANDINGS = [
  ['handlaggare', '/inbox', 'Min inkorg'],
  ['arbetsledare', '/inbox?team=1', 'Mitt teams inkorg'],
  ['granskare', '/access-log', null],
];
for (const [user, where, heading] of LANDINGS) {
  test(`${user} lands on ${where} after signing in`, (t) => withPage(t, browser, async (page) => {
    await signIn(page, user);
    const now = new URL(page.url());
    assert.equal(now.pathname + now.search, where);
    if (heading) assert.equal((await page.locator('h1').innerText()).trim(), heading);
    assert.notEqual((await page.locator('h1').innerText()).trim(), 'Min profil');
  }));
}

test('phone width: the sign-in page does not scroll sideways', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/login');
  await assertNoHorizontalScroll(page);
  await checkA11y(page, '/login (phone)');
}, { viewport: PHONE }));

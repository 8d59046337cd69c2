// My records: a demo citizen signs in with the demo's test sign-in (an
// identity number typed into a clearly marked page that exists only with
// --demo), opens Mina uppgifter, views their register extract and
// downloads it. Every page passes axe and fits a 375 px phone.
//
// The citizen is the demo's `dotter` (journey 1's daughter); her identity
// number is read through the API as herself, since the demo's numbers are
// generated anew for every demo database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, PHONE, BASE_URL, DEMO_PASSWORD,
} from './lib.mjs';

let browser;
let number;
let name;
before(async () => {
  browser = await launch();
  const sess = await fetch(`${BASE_URL}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'dotter', password: DEMO_PASSWORD }),
  }).then((r) => r.json());
  const auth = { Authorization: `Bearer ${sess.token}` };
  const me = await fetch(`${BASE_URL}/api/v1/me`, { headers: auth }).then((r) => r.json());
  const person = await fetch(`${BASE_URL}/api/v1/persons/${me.user.person_id}`, { headers: auth }).then((r) => r.json());
  number = person.identity_number;
  name = `${person.given_name} ${person.family_name}`;
  assert.match(number, /^\d{8}-\d{4}$/, 'the demo daughter has an identity number');
});
after(async () => { await browser?.close(); });

/** testSignIn signs in on the test sign-in page, from the sign-in page's link. */
async function testSignIn(page) {
  await visit(page, '/login');
  await navigate(page, () => page.locator('a[href="/auth/test"]').click());
  assert.equal(new URL(page.url()).pathname, '/auth/test');
  assert.match(await page.locator('h1').innerText(), /Test-inloggning – bara i demo/);
  await page.locator('.test-login-flag').waitFor();
  await checkA11y(page, '/auth/test');
  await page.fill('#identity_number', number);
  await navigate(page, () => page.click('form[action="/auth/test"] button[type="submit"]'));
  assert.equal(new URL(page.url()).pathname, '/portal', 'the test sign-in lands on Mina sidor');
  assert.ok(!page.url().includes(number.slice(0, 8)), 'the number is not in the address');
}

for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', PHONE]]) {
  test(`test sign-in as a demo citizen, then view and download the register extract (${label})`, (t) => withPage(t, browser, async (page) => {
    await testSignIn(page);
    await assertNoHorizontalScroll(page);

    // Mina uppgifter from the navigation.
    await navigate(page, () => page.locator('header nav a[href="/portal/records"]').click());
    assert.equal(await page.locator('h1').innerText(), 'Mina uppgifter (registerutdrag)');
    await checkA11y(page, '/portal/records');
    await assertNoHorizontalScroll(page);

    // View the extract: one document, readable and printable.
    const row = page.locator('li.records-row').filter({ hasText: name });
    await navigate(page, () => row.locator('button[value="view"]').click());
    assert.equal(new URL(page.url()).pathname, '/portal/records/extract');
    assert.equal(await page.locator('h1').innerText(), 'Registerutdrag');
    const text = await page.locator('body').innerText();
    assert.ok(text.includes(number), 'the extract shows her identity number');
    assert.ok(text.includes('Vilka som har läst uppgifterna'), 'the extract has the access log');
    assert.ok(text.includes('Undantagna uppgifter'), 'the extract lists what is withheld');
    await checkA11y(page, 'the extract');
    await assertNoHorizontalScroll(page);

    // Download it: a self-contained HTML file named by date only.
    await page.goBack();
    await page.locator('li.records-row').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('li.records-row').filter({ hasText: name }).locator('button[value="download"]').click(),
    ]);
    assert.match(download.suggestedFilename(), /^registerutdrag-\d{4}-\d{2}-\d{2}\.html$/);
    const html = await readFile(await download.path(), 'utf8');
    assert.ok(html.startsWith('<!doctype html>'), 'a whole HTML document');
    assert.ok(html.includes('<style>') && html.includes('@media print'), 'its style (with print CSS) is inline');
    assert.ok(!/<script|<link /i.test(html), 'no script and nothing fetched from elsewhere');
    assert.ok(html.includes(number));
  }, { viewport }));
}

test('the demo sign-in page links the test sign-in, and e-identification only with a broker configured', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/login');
  assert.equal(await page.locator('a[href="/auth/test"]').count(), 1, 'the demo links its test sign-in');
  assert.equal(await page.locator('a[href="/auth/eid/login"]').count(), 0, 'no broker is configured in the browser tests');
  await checkA11y(page, '/login');
}));

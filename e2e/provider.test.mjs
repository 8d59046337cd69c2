// Journey 6, the provider's side of journey 1: the demo's home-care
// staff (`utforare`, Hemtjänst Norra) sign in, open their orders, accept a
// new one, and report a visit on the phone page at 375×740 with big tap
// targets. Every provider page passes axe and fits a phone without
// scrolling sideways, and every control of the phone page is reached
// with the keyboard alone (a visit is reported with Tab, Space and Enter).
//
// The order accepted is the oldest new order of the demo's list; the
// visit is reported on it today, with minutes only, so nothing else in
// the demo (or another test) is in its way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, PHONE,
} from './lib.mjs';

const USER = 'utforare';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The order accepted by the first test, for the others.
let orderId;

/** acceptOldestNew accepts the last order of "Nya uppdrag" from the list and returns its id. */
async function acceptOldestNew(page) {
  const forms = page.locator('form.accept');
  const n = await forms.count();
  assert.ok(n > 0, 'the demo provider has new orders to accept (the demo data gives Hemtjänst Norra some)');
  const form = forms.nth(n - 1);
  const action = await form.getAttribute('action');
  const id = action.split('/')[3];
  const date = form.locator('input[type="date"]');
  assert.match(await date.inputValue(), /^\d{4}-\d{2}-\d{2}$/, 'the start date defaults to today');
  const res = await navigate(page, () => form.locator('button[type="submit"]').click());
  assert.equal(res.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/provider/orders');
  await page.locator('[role="status"]').filter({ hasText: 'Uppdraget är mottaget' }).waitFor();
  return id;
}

test('provider staff: their orders, accept one, and every provider page passes axe', (t) => withPage(t, browser, async (page) => {
  // Home sends provider staff to their orders; the navigation has Uppdrag and Rapportera.
  await visit(page, '/');
  assert.equal(new URL(page.url()).pathname, '/provider/orders');
  const nav = await page.$$eval('header nav[aria-label] a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(nav, ['/provider/orders', '/provider/report']);
  assert.equal(await page.locator('h1').innerText(), 'Mina uppdrag');
  await checkA11y(page, '/provider/orders');

  // A new order's own page (accept or return) passes axe.
  const newLink = page.locator('ul.order-list li.order-card h3 a').first();
  await navigate(page, () => newLink.click());
  assert.match(new URL(page.url()).pathname, /^\/provider\/orders\/[^/]+$/);
  await page.locator('form[action$="/acceptance"]').waitFor();
  await checkA11y(page, 'a new order');

  // Accept the oldest new order from the list.
  await visit(page, '/provider/orders');
  orderId = await acceptOldestNew(page);
  await checkA11y(page, '/provider/orders after accepting');

  // The accepted order: plan editor, the month's reports, the report back.
  await visit(page, `/provider/orders/${orderId}`);
  for (const id of ['plan', 'performed', 'followup']) {
    assert.equal(await page.locator(`h2#${id}`).count(), 1, `the order's page has the ${id} section`);
  }
  await checkA11y(page, 'an accepted order');
  // One more activity for goal 1: the editor comes back with a new row, nothing saved.
  const rows = await page.locator('.plan-row').count();
  await navigate(page, () => page.locator('button[name="add"]').first().click());
  assert.equal(await page.locator('.plan-row').count(), rows + 1, 'a new activity row');
  await checkA11y(page, 'the plan editor with an added row');

  // The ended orders and the report pages.
  for (const path of ['/provider/orders?status=ended', '/provider/orders?status=returned', '/provider/report', '/provider/report/shift', `/provider/report/${orderId}`]) {
    const res = await visit(page, path);
    assert.equal(res.status(), 200, `${path} answers 200`);
    await checkA11y(page, path);
  }
  // Refused: a shift with nothing filled in says so, next to the form
  // (the form is sent by the page, which keeps it if there is no network).
  await visit(page, '/provider/report/shift');
  await page.locator('form.shift-form button[type="submit"]').click();
  await page.locator('[role="alert"]').filter({ hasText: 'minst en rad' }).waitFor();
  await checkA11y(page, 'a refused shift');
}, { user: USER }));

test('phone: report a visit not planned at 375×740; no provider page scrolls sideways', (t) => withPage(t, browser, async (page) => {
  assert.ok(orderId, 'the first test accepted an order');
  for (const path of ['/provider/orders', `/provider/orders/${orderId}`, '/provider/report/shift']) {
    await visit(page, path);
    await assertNoHorizontalScroll(page);
    await checkA11y(page, `${path} (phone)`);
  }

  // The new order has no plan yet, so no planned visits: it is among the
  // orders for a visit not planned. Tap 1: open them; tap 2: the person.
  // Big tap targets.
  await visit(page, '/provider/report');
  await assertNoHorizontalScroll(page);
  await checkA11y(page, '/provider/report (phone)');
  await page.locator('details.unplanned summary').click();
  const pick = page.locator(`details.unplanned a.pick[href="/provider/report/${orderId}"]`);
  const box = await pick.boundingBox();
  assert.ok(box && box.height >= 48 && box.width >= 300, `the person is a big tap target (${JSON.stringify(box)})`);
  await navigate(page, () => pick.click());
  assert.equal(new URL(page.url()).pathname, `/provider/report/${orderId}`);
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'the visit form (phone)');
  assert.match(await page.locator('#on').inputValue(), /^\d{4}-\d{2}-\d{2}$/, 'the date defaults to today');
  assert.ok(await page.locator('input[name="activities"]:checked').count() > 0, "the order's needs are ticked");
  const tile = page.locator('label.tile', { hasText: '30 min' });
  const tb = await tile.boundingBox();
  assert.ok(tb && tb.height >= 44, `the duration buttons are big enough for a thumb (${JSON.stringify(tb)})`);

  // A refused visit: no time given; the message is next to the field and nothing is saved.
  await page.locator('form.visit-form button[type="submit"]').click();
  await page.locator('#minutes-error').waitFor();
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'a refused visit (phone)');

  // Tap 3: 30 minutes. Tap 4: save; the day's visits say what was saved.
  await page.locator('label.tile', { hasText: '30 min' }).click();
  await page.locator('form.visit-form button[type="submit"]').click();
  const saved = page.locator('p.notice.success[role="status"]');
  await saved.waitFor();
  assert.equal(new URL(page.url()).pathname, '/provider/report');
  assert.match(await saved.innerText(), /^Sparat: .+, \d{4}-\d{2}-\d{2}, 30 min\.$/);
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'the saved visit (phone)');

  // The order's page lists it.
  await visit(page, `/provider/orders/${orderId}`);
  assert.ok(await page.locator('ul.performed li', { hasText: '30 min' }).count() >= 1, 'the visit is on the order');
}, { user: USER, viewport: PHONE }));

test('keyboard only: every control of the phone page is reached, and a visit is reported', (t) => withPage(t, browser, async (page) => {
  assert.ok(orderId, 'the first test accepted an order');
  await visit(page, `/provider/report/${orderId}`);
  // The skip link first, then into the form.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#main', 'the first Tab stop is the skip link');
  await page.keyboard.press('Enter');

  const want = await page.evaluate(() => {
    const f = document.querySelector('form.visit-form');
    const names = new Set();
    for (const el of f.querySelectorAll('input:not([type="hidden"]), select, textarea, button')) {
      names.add(el.type === 'radio' ? `radio:${el.name}` : el.id || `${el.tagName.toLowerCase()}:${el.name || el.type}:${el.value}`);
    }
    return [...names];
  });
  const reached = new Set();
  const path = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      const cs = getComputedStyle(el);
      const indicator = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
      const key = el.type === 'radio' ? `radio:${el.name}` : el.id || `${el.tagName.toLowerCase()}:${el.name || el.type}:${el.value}`;
      return { key, indicator, inForm: !!el.closest('form.visit-form'), submit: el.type === 'submit' };
    });
    path.push(f.key);
    if (!f.inForm) continue;
    assert.ok(f.indicator, `${f.key} shows where the focus is`);
    reached.add(f.key);
    if (f.submit) break;
  }
  const missing = want.filter((k) => !reached.has(k));
  assert.deepEqual(missing, [], `controls Tab never reached; focus went: ${path.join(' → ')}`);

  // Report with the keyboard: Shift+Tab back to the duration buttons,
  // arrow to 45 min, then Tab to the button and Enter.
  await page.locator('input[name="minutes"][value="15"]').focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('input[name="minutes"]:checked').getAttribute('value'), '45', 'the arrows choose 45 min');
  await page.locator('form.visit-form button[type="submit"]').focus();
  await page.keyboard.press('Enter');
  const saved = page.locator('p.notice.success[role="status"]');
  await saved.waitFor();
  assert.match(await saved.innerText(), /45 min\.$/);
}, { user: USER, viewport: PHONE }));

// Journey 6, a home-care worker's day on a phone (375×740): she signs in,
// goes to the day's visits (in time order, one row per visit, no safety
// alarm among them), opens a visit (the plan for it above the save
// button) and reports "done, 35 minutes" in at most 3 taps and "not home"
// in at most 3. Then the network drops: the report is kept on the phone,
// the page says "Sparas när du har nät igen", and when the network
// returns it is sent and counted exactly once ("Sparat: 1 rapport"). A
// report the server saved but whose answer was lost is sent again and
// still counted once. Every page passes axe and fits the phone.
//
// The visits are the demo's home-care orders of Hemtjänst Norra, whose
// plans give a morning and an evening visit every day; what is stored is
// checked through the API, before and after each report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, DEMO_PASSWORD, PHONE, launch, withPage, visit, navigate, signIn, checkA11y, assertNoHorizontalScroll,
} from './lib.mjs';

const USER = 'utforare';

let browser;
let token;
before(async () => {
  browser = await launch();
  const res = await fetch(`${BASE_URL}/api/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: USER, password: DEMO_PASSWORD }),
  });
  assert.equal(res.status, 201, 'the API session of the home-care worker');
  ({ token } = await res.json());
});
after(async () => { await browser?.close(); });

/** stored returns the reports in force on an order on a day, through the API. */
async function stored(orderId, day) {
  const res = await fetch(`${BASE_URL}/api/v1/orders/${orderId}/performed?month=${day.slice(0, 7)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  const { performed } = await res.json();
  return performed.filter((p) => p.on === day && !p.corrected_by);
}

/** visits returns the day's visit rows: href, order, time and text. */
async function visits(page) {
  return page.$$eval('ol.visit-list a.pick', (as) => as.map((a) => ({
    href: a.getAttribute('href'),
    order: a.getAttribute('href').split('?')[0].split('/').pop(),
    time: a.querySelector('.pick-time').textContent.trim(),
    text: a.textContent.replace(/\s+/g, ' ').trim(),
  })));
}

/** openVisit taps a visit of the day's list and checks its page. */
async function openVisit(page, v) {
  await navigate(page, () => page.locator(`ol.visit-list a.pick[href="${v.href}"]`).click());
  assert.equal(new URL(page.url()).pathname, `/provider/report/${v.order}`);
  await page.locator('h1').waitFor();
  return page.locator('#on').inputValue();
}

test('journey 6 on a phone: the day\'s visits in time order, "done, 35 minutes" and "not home" in at most 3 taps', (t) => withPage(t, browser, async (page) => {
  await signIn(page, USER);
  // After signing in, one tap to the day's visits.
  let loads = 0;
  await navigate(page, () => page.locator('header nav a[href="/provider/report"]').click());
  loads++;
  assert.equal(new URL(page.url()).pathname, '/provider/report');
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'the day\'s visits (phone)');

  // Today's visits first, in time order, one row per visit: an order
  // visited morning and evening is two rows. No alarm is a visit; the
  // alarms are among the orders for a visit not planned, folded away.
  const list = await visits(page);
  assert.ok(list.length >= 2, `the demo provider has visits today: ${JSON.stringify(list)}`);
  const times = list.map((v) => v.time);
  assert.ok(times.every((x) => /^\d{2}:\d{2}$/.test(x)), `times: ${times}`);
  assert.deepEqual(times, [...times].sort(), 'the visits are in time order');
  assert.ok(new Set(list.map((v) => v.order)).size < list.length, 'an order visited twice a day has a row per visit');
  assert.equal(new Set(list.map((v) => v.href)).size, list.length, 'no visit is listed twice');
  assert.ok(list.every((v) => !v.text.includes('Trygghetslarm')), 'no alarm among the visits');
  const unplanned = await page.$$eval('details.unplanned a.pick', (as) => as.map((a) => a.textContent));
  assert.ok(unplanned.some((x) => x.includes('Trygghetslarm')), 'an alarm can still be reported on, as a visit not planned');
  const first = await page.locator('ol.visit-list a.pick').first().boundingBox();
  assert.ok(first && first.height >= 48 && first.width >= 300, `a visit is a big tap target (${JSON.stringify(first)})`);

  // Open the first visit: the plan for this visit stands above the save button.
  const day = await openVisit(page, list[0]);
  loads++;
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'a planned visit (phone)');
  assert.equal(await page.locator('section.visit-plan h2').innerText(), 'Planen för besöket');
  assert.ok(await page.locator('section.visit-plan li').count() >= 1, 'the plan names the visit\'s activities');
  assert.match(await page.locator('section.visit-plan').innerText(), new RegExp(`kl\\. ${list[0].time}`));
  const planBox = await page.locator('section.visit-plan').boundingBox();
  const saveBox = await page.locator('form.visit-form button[type="submit"]').boundingBox();
  assert.ok(planBox.y + planBox.height <= saveBox.y, 'the plan is above the save button');
  assert.ok(await page.locator('input[name="activities"]:checked').count() >= 1, 'the visit\'s activities are ticked');

  // "Done, 35 minutes": 30 min, +5 min, save.
  const before1 = await stored(list[0].order, day);
  let taps = 0;
  const tap = async (locator) => { taps++; await locator.click(); };
  await tap(page.locator('label.tile', { hasText: '30 min' }));
  await tap(page.locator('button[data-step="5"]'));
  assert.equal(await page.locator('#other_minutes').inputValue(), '35');
  assert.equal(await page.locator('input[name="minutes"]:checked').count(), 0, 'the typed minutes count, not the tile');
  await tap(page.locator('form.visit-form button[type="submit"]'));
  const saved = page.locator('p.notice.success[role="status"]');
  await saved.waitFor();
  assert.match(await saved.innerText(), /^✓?\s*Sparat: .+, \d{4}-\d{2}-\d{2}, 35 min\.$/);
  assert.ok(taps <= 3, `"done, 35 minutes" took ${taps} taps`);
  assert.equal(new URL(page.url()).pathname, '/provider/report', 'back at the day\'s visits');
  const after1 = await stored(list[0].order, day);
  assert.equal(after1.length, before1.length + 1, 'one report stored');
  assert.ok(after1.some((p) => p.minutes === 35 && !p.deviation), 'with 35 minutes');
  // A success does not look like a warning, and not by colour alone.
  const look = await saved.evaluate((el) => {
    const warn = document.createElement('p');
    warn.className = 'notice warning';
    warn.textContent = 'x';
    el.after(warn);
    const s = getComputedStyle(el);
    const w = getComputedStyle(warn);
    const out = { success: s.backgroundColor, warning: w.backgroundColor, tick: getComputedStyle(el, '::before').content, mark: getComputedStyle(warn, '::before').content };
    warn.remove();
    return out;
  });
  assert.notEqual(look.success, look.warning, 'a success has another colour than a warning');
  assert.match(look.tick, /✓/, 'a success has a tick');
  assert.match(look.mark, /!/, 'a warning has an exclamation mark');
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'a saved visit (phone)');

  // "Not home" on the next visit: not home, save.
  await openVisit(page, list[1]);
  loads++;
  const before2 = await stored(list[1].order, day);
  taps = 0;
  await tap(page.locator('label.tile', { hasText: 'Inte hemma' }));
  await tap(page.locator('form.visit-form button[type="submit"]'));
  await page.locator('p.notice.success[role="status"]', { hasText: 'Inte hemma.' }).waitFor();
  assert.ok(taps <= 3, `"not home" took ${taps} taps`);
  const after2 = await stored(list[1].order, day);
  assert.equal(after2.length, before2.length + 1, 'one report stored');
  assert.ok(after2.some((p) => p.deviation === 'not_home'), 'as not home');
  assert.ok(loads <= 3, `${loads} page loads after signing in`);
}, { viewport: PHONE }));

test('a dropped connection loses nothing and says so; the report is sent once when the network returns', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/provider/report');
  const list = await visits(page);
  assert.ok(list.length >= 2, 'the demo provider has visits today');

  // No network: the report is kept, and the page says so.
  const day = await openVisit(page, list[0]);
  const before1 = await stored(list[0].order, day);
  await page.context().setOffline(true);
  await page.locator('label.tile', { hasText: '30 min' }).click();
  await page.locator('button[data-step="5"]').click();
  await page.locator('form.visit-form button[type="submit"]').click();
  const status = page.locator('[data-outbox-status]');
  await status.filter({ hasText: 'Sparas när du har nät igen' }).waitFor();
  const sb = await status.boundingBox();
  assert.ok(sb && sb.y >= -1 && sb.y + sb.height <= PHONE.height + 1, `the message is on the screen (${JSON.stringify(sb)})`);
  assert.equal(new URL(page.url()).pathname, `/provider/report/${list[0].order}`, 'the visit stays on screen');
  assert.equal((await stored(list[0].order, day)).length, before1.length, 'nothing reached the server');
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'a visit kept without network (phone)');

  // The network returns: the report is sent, once, and the day's visits say so.
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/provider/report' && u.searchParams.get('sent') === '1'),
    page.context().setOffline(false),
  ]);
  await page.locator('p.notice.success[role="status"]', { hasText: 'Sparat: 1 rapport.' }).waitFor();
  const after1 = await stored(list[0].order, day);
  assert.equal(after1.length, before1.length + 1, 'the kept report is stored exactly once');
  assert.ok(after1.some((p) => p.minutes === 35), 'with its 35 minutes');
  await checkA11y(page, 'kept reports sent (phone)');

  // The server saves a report but its answer is lost on the way: the
  // phone keeps it and sends it again on the next page; the key makes it
  // count once.
  await openVisit(page, list[1]);
  const before2 = await stored(list[1].order, day);
  const lose = (u) => u.pathname === `/provider/report/${list[1].order}`;
  await page.route(lose, async (route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    await route.fetch();
    return route.abort('internetdisconnected');
  });
  await page.locator('label.tile', { hasText: '15 min' }).click();
  await page.locator('form.visit-form button[type="submit"]').click();
  await status.filter({ hasText: 'Sparas när du har nät igen' }).waitFor();
  await page.unroute(lose);
  assert.equal((await stored(list[1].order, day)).length, before2.length + 1, 'the server saved it');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/provider/report' && u.searchParams.get('sent') === '1'),
    page.locator('.crumbs a[href="/provider/report"]').click(),
  ]);
  await page.locator('p.notice.success[role="status"]', { hasText: 'Sparat: 1 rapport.' }).waitFor();
  const after2 = await stored(list[1].order, day);
  assert.equal(after2.length, before2.length + 1, 'sent twice, stored once');
}, { user: USER, viewport: PHONE }));

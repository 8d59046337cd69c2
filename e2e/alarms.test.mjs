// A safety alarm (trygghetslarm) from the alarm receiving centre to the
// people who answer it, in the browser. The demo's providers record the
// alarm device they install on each accepted safety alarm order; the
// system administrator gives the centre its own OAuth2 client (through the
// API), and the centre posts an alarm naming the device. Then the
// home-care worker of Hemtjänst Norra, on a phone, sees it on top of her
// day ("Larm att åtgärda") in one tap after signing in, opens the order
// from it and records a new device there (the alarm was replaced); the case officer sees it on the case's history. When the
// centre says it is resolved, it leaves the worker's day and the case says
// so. Steps are counted as ../shared/JOURNEYS.md counts them, every page
// passes axe and the day fits a 375 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, DEMO_PASSWORD, PHONE, launch, withPage, visit, navigate, signIn, checkA11y, assertNoHorizontalScroll, countSteps,
} from './lib.mjs';

const WORKER = 'utforare'; // Hemtjänst Norra
const OFFICER = 'handlaggare'; // elderly care Norra

let browser;
let alarm; // { order, caseId, person, device }
let centreToken;
const stamp = Date.now().toString(36);

/** session signs user in through the API and returns a fetch for its paths. */
async function session(user) {
  const s = await fetch(`${BASE_URL}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: DEMO_PASSWORD }),
  });
  assert.equal(s.status, 201, `${user} signs in through the API`);
  const { token } = await s.json();
  return (p, init = {}) => fetch(`${BASE_URL}/api/v1${p}`, {
    ...init, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...(init.headers || {}) },
  });
}

/** postAlarm posts an alarm event as the centre and returns the answer. */
async function postAlarm(event, status, at = new Date()) {
  const r = await fetch(`${BASE_URL}/api/v1/alarms`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${centreToken}` },
    body: JSON.stringify({ event_id: `${stamp}-${event}`, alarm_id: `${stamp}-A1`, device_id: alarm.device, status, at: at.toISOString().replace(/\.\d+Z$/, 'Z') }),
  });
  return { status: r.status, replayed: r.headers.get('idempotent-replayed'), body: await r.json() };
}

before(async () => {
  browser = await launch();
  // The worker's provider's accepted safety alarms and their devices.
  const worker = await session(WORKER);
  const { orders } = await (await worker('/orders?status=accepted')).json();
  for (const o of orders.filter((x) => x.insats === 'trygghetslarm')) {
    const { devices } = await (await worker(`/orders/${o.id}/devices`)).json();
    if (devices.length) {
      alarm = { order: o.id, caseId: o.case_id, person: o.content.person.name, device: devices[0] };
      break;
    }
  }
  assert.ok(alarm, `Hemtjänst Norra has an accepted safety alarm with its device among ${orders.length} orders`);

  // The centre's client, made by the administrator; its token.
  const admin = await session('admin');
  const r = await admin('/alarm-centres', { method: 'POST', body: JSON.stringify({ name: `Larmcentralen ${stamp}` }) });
  assert.equal(r.status, 201, `the centre's client: ${await r.clone().text()}`);
  const { client_id: id, client_secret: secret } = await r.json();
  const t = await fetch(`${BASE_URL}/oauth/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
  });
  assert.equal(t.status, 200, 'the centre gets a token');
  const tok = await t.json();
  assert.equal(tok.scope, 'alarms');
  centreToken = tok.access_token;

  // The alarm: received, then the same event again (retried), which
  // answers the same and changes nothing.
  const first = await postAlarm('e1', 'received', new Date(Date.now() - 60_000));
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.status, 'received');
  const again = await postAlarm('e1', 'received', new Date(Date.parse(first.body.raised_at)));
  assert.equal(again.status, 201);
  assert.equal(again.replayed, 'true', 'a repeated event is marked as replayed');
  assert.deepEqual(again.body, first.body);
});
after(async () => { await browser?.close(); });

/** alarmRows returns the day's alarm rows: href and text. */
async function alarmRows(page) {
  return page.$$eval('ul.alarm-list a.pick', (as) => as.map((a) => ({
    href: a.getAttribute('href'), text: a.textContent.replace(/\s+/g, ' ').trim(),
  })));
}

test('the home-care worker sees the alarm on top of her day on a phone, one tap after signing in', (t) => withPage(t, browser, async (page) => {
  await signIn(page, WORKER);
  const steps = countSteps(page);
  await navigate(page, () => page.locator('header nav a[href="/provider/report"]').click());
  assert.equal(new URL(page.url()).pathname, '/provider/report');
  assert.equal((await page.locator('#alarms-h').innerText()).trim(), 'Larm att åtgärda');
  const rows = await alarmRows(page);
  const row = rows.find((r) => r.href === `/provider/orders/${alarm.order}`);
  assert.ok(row, `the alarm is on the day: ${JSON.stringify(rows)}`);
  assert.ok(row.text.includes(alarm.person), `it names the person: ${row.text}`);
  assert.ok(row.text.includes('Larm mottaget – åk dit'), `it says what to do: ${row.text}`);
  // The alarm comes before the visits.
  const order = await page.$$eval('main h2', (hs) => hs.map((h) => h.id));
  assert.ok(order.indexOf('alarms-h') < order.indexOf('visits-h'), `headings: ${order}`);
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'the day with an alarm (phone)');

  // One tap to the order: the person's safety alarm.
  await navigate(page, () => page.locator(`ul.alarm-list a.pick[href="/provider/orders/${alarm.order}"]`).click());
  assert.equal(new URL(page.url()).pathname, `/provider/orders/${alarm.order}`);
  assert.match(await page.locator('main').innerText(), /Trygghetslarm/);
  assert.match(await page.locator('p.devices').innerText(), new RegExp(`Registrerad: ${alarm.device}`), 'the order names its device');
  await checkA11y(page, 'the alarm\'s order (phone)');
  assert.ok(steps.count <= 2, `${steps.count} steps after signing in: ${steps.urls}`);

  // The alarm is replaced: she records the new device on the order's
  // page, one submit; an id the centre could not send is refused first.
  await page.fill('#device_id', 'TL 1');
  await navigate(page, () => page.getByRole('button', { name: 'Registrera larmenheten' }).click());
  assert.match(await page.locator('#device-error').innerText(), /1–64 bokstäver/);
  assert.equal(await page.locator('#device_id').getAttribute('aria-invalid'), 'true');
  await checkA11y(page, 'a device id refused (phone)');
  await page.fill('#device_id', `TL-NY-${stamp}`);
  await navigate(page, () => page.getByRole('button', { name: 'Registrera larmenheten' }).click());
  assert.match(await page.locator('main [role="status"]').innerText(), /Larmenheten är registrerad/);
  assert.ok((await page.locator('p.devices').innerText()).includes(`TL-NY-${stamp}`), 'the new device is on the order');
  await assertNoHorizontalScroll(page);
  assert.ok(steps.count <= 4, `${steps.count} steps after signing in: ${steps.urls}`);
}, { viewport: PHONE }));

test('the officer sees the alarm on the case\'s history', (t) => withPage(t, browser, async (page) => {
  await signIn(page, OFFICER);
  const steps = countSteps(page);
  await visit(page, `/cases/${alarm.caseId}`);
  const history = await page.locator('ol.timeline').innerText();
  assert.match(history, /Larm mottaget: Trygghetslarm/, 'the alarm is on the case');
  await checkA11y(page, 'the case with an alarm');
  assert.ok(steps.count <= 1, `${steps.count} steps after signing in: ${steps.urls}`);
}));

test('resolved by the centre, the alarm leaves the day and the case says so', async (t) => {
  assert.equal((await postAlarm('e2', 'staff_on_the_way')).status, 201);
  const done = await postAlarm('e3', 'resolved', new Date(Date.now() + 1000));
  assert.equal(done.status, 201);
  assert.equal(done.body.status, 'resolved');
  await withPage(t, browser, async (page) => {
    await signIn(page, WORKER);
    await visit(page, '/provider/report');
    const rows = await alarmRows(page);
    assert.ok(!rows.some((r) => r.href === `/provider/orders/${alarm.order}`), `the resolved alarm is gone: ${JSON.stringify(rows)}`);
  }, { viewport: PHONE });
  await withPage(t, browser, async (page) => {
    await signIn(page, OFFICER);
    await visit(page, `/cases/${alarm.caseId}`);
    const history = await page.locator('ol.timeline').innerText();
    assert.match(history, /Larm åtgärdat: Trygghetslarm/);
    assert.match(history, /Larm: personal på väg: Trygghetslarm/);
  });
});

// Events out, in the browser: the demo's system administrator opens
// "Prenumerationer", subscribes a webhook on loopback (a receiver this
// test runs; `serve --demo` allows private and loopback destinations,
// docs/integrations.md), is told in Swedish at its field what is wrong
// with an event type, reads the secret shown once, pauses and resumes the
// subscription, and sees the delivery on its page. The receiver checks
// every message's Standard Webhooks signature with its own code, drops
// repeats by webhook-id, and must get the pause and the resume. Steps are
// counted as ../shared/JOURNEYS.md counts them, every page passes axe,
// and the pages fit a 375 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import {
  launch, withPage, signIn, navigate, checkA11y, assertNoHorizontalScroll, countSteps, apiAs, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** receiver starts a webhook receiver on 127.0.0.1 that verifies signatures with secret() and keeps each message once. */
async function receiver(secret) {
  const got = new Map(); // webhook-id → CloudEvent
  let bad = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const id = req.headers['webhook-id'];
      const ts = req.headers['webhook-timestamp'];
      const key = Buffer.from(secret().replace(/^whsec_/, ''), 'base64');
      const want = 'v1,' + crypto.createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest('base64');
      const ok = (req.headers['webhook-signature'] || '').split(' ')
        .some((s) => s.length === want.length && crypto.timingSafeEqual(Buffer.from(s), Buffer.from(want)));
      if (!ok || Math.abs(Date.now() / 1000 - Number(ts)) > 300) {
        bad++;
        res.writeHead(401).end();
        return;
      }
      if (!got.has(id)) got.set(id, JSON.parse(body.toString('utf8')));
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hooks/trygg`, got, bad: () => bad, close: () => server.close() };
}

test('the system administrator subscribes a webhook and it receives the events, signed', async (t) => {
  let secret = '';
  const rcv = await receiver(() => secret);
  t.after(() => rcv.close());
  await withPage(t, browser, async (page) => {
    await signIn(page, 'admin');
    const steps = countSteps(page);

    await navigate(page, () => page.getByRole('navigation').getByRole('link', { name: 'Prenumerationer', exact: true }).click());
    assert.equal((await page.locator('h1').innerText()).trim(), 'Prenumerationer');
    await checkA11y(page, 'Prenumerationer');

    // An event type that is none is refused at its field, in Swedish.
    await page.fill('#sub-name', 'Integrationsplattformen');
    await page.fill('#sub-destination', rcv.url);
    await page.fill('#sub-types', 'Ärende öppnat');
    await navigate(page, () => page.getByRole('button', { name: 'Skapa prenumerationen' }).click());
    assert.match(await page.locator('#sub-types-error').innerText(), /Händelsetyper är typer som case\.opened/);
    assert.equal(await page.locator('#sub-types').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#sub-name').inputValue(), 'Integrationsplattformen', 'what was typed is kept');
    await checkA11y(page, 'the refused subscription');

    await page.fill('#sub-types', 'subscription.*');
    await navigate(page, () => page.getByRole('button', { name: 'Skapa prenumerationen' }).click());
    assert.match(await page.locator('main').innerText(), /Prenumerationen är skapad\./);
    secret = (await page.locator('#sub-secret').innerText()).trim();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/, 'the secret is shown once');
    await checkA11y(page, 'the new subscription with its secret');

    await navigate(page, () => page.getByRole('button', { name: 'Pausa prenumerationen' }).click());
    assert.match(await page.locator('#sub-state').innerText(), /Pausad/);
    assert.equal(await page.locator('#sub-secret').count(), 0, 'the secret is not shown again');
    await navigate(page, () => page.getByRole('button', { name: 'Återuppta prenumerationen' }).click());
    assert.match(await page.locator('#sub-state').innerText(), /Aktiv/);

    // The delivery loop sends the pause and the resume, in that order.
    const deadline = Date.now() + 20_000;
    const types = () => [...rcv.got.values()].map((e) => e.type);
    while (!types().includes('se.trygg.subscription.resumed') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(types(), ['se.trygg.subscription.paused', 'se.trygg.subscription.resumed']);
    assert.equal(rcv.bad(), 0, 'every message verifies');
    for (const [id, e] of rcv.got) {
      assert.equal(e.id, id, 'webhook-id is the CloudEvent id');
      assert.equal(e.specversion, '1.0');
      assert.deepEqual(Object.keys(e.data).sort(), ['at', 'seq', 'subject_id', 'subject_type', 'tenant', 'type'], 'ids and types only');
    }

    // The count is written with the cursor's move, just after the
    // receiver answered: wait for it through the API (not a step).
    const id = new URL(page.url()).pathname.split('/').pop();
    const get = await apiAs('admin');
    while ((await get(`/subscriptions/${id}`)).delivered < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await navigate(page, () => page.reload());
    assert.match(await page.locator('#sub-delivered').innerText(), /^2 \(senast/);
    await checkA11y(page, 'the subscription after delivery');
    assert.ok(steps.count <= 6, `subscribing a webhook took ${steps.count} steps: ${steps.urls.join(', ')}`);
    t.diagnostic(`administrator: ${steps.count} steps`);

    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
    await navigate(page, () => page.locator('.crumbs').getByRole('link', { name: 'Prenumerationer' }).click());
    assert.match(await page.locator('main table').innerText(), /Integrationsplattformen[\s\S]*Aktiv/);
    await assertNoHorizontalScroll(page);
    await checkA11y(page, 'Prenumerationer on a phone');
  });
});

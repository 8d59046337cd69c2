// Applying online and booking a meeting, journey 3 on Mina sidor: the
// single mother (`invanare`) applies for economic assistance on her phone,
// fills in the household, costs and income (the same htmx form the officer
// uses), attaches her tenancy agreement (a program renamed .pdf is
// refused), and sends it; the receipt shows what was sent and the case's
// reference. The officer of economic assistance in Norra (`ekonom`) finds
// the new case in the inbox, reads the attachment's name on the case page,
// starts the assessment, makes the decision and moves the case on; the
// mother sees the decision and the amount on Mina sidor. The officer
// publishes free times; the mother books one and cancels it, and the
// officer's inbox says so. Every page passes axe; the citizen's pages work
// at 375 px without scrolling sideways.
//
// It opens a new case of its own, so it runs beside the journeys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, htmxSettled, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** today is the date in Sweden as YYYY-MM-DD (the server's calendar). */
function today(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(d);
}

/** check runs axe and the phone-width check on the current page. */
async function check(page, label) {
  await assertNoHorizontalScroll(page);
  await checkA11y(page, label);
}

/** fill types value into a field of the htmx form and leaves it. */
async function fill(page, field, value) {
  await htmxSettled(page, async () => {
    await field.fill(value);
    await field.press('Tab');
  });
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'), Buffer.alloc(300)]);

const TITLE = 'Ansökan om ekonomiskt bistånd';

// The parts run in order and hand on the new case.
let caseID = '';

test('the mother applies for economic assistance on her phone', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/portal/apply');
  await check(page, '/portal/apply');
  await navigate(page, () => page.locator('main a[href="/portal/apply/ekonomiskt_bistand"]').click());
  assert.equal((await page.locator('h1').innerText()).trim(), TITLE);
  assert.match(await page.locator('main').innerText(), /Ekonomiskt bistånd Norra/, 'she is told where the application goes');
  await check(page, 'the application form, empty');

  const app = page.locator('#form-eb_ansokan');
  const month = `${today().slice(0, 8)}01`;
  await htmxSettled(page, () => app.locator('#f-eb_ansokan-month').fill(month));
  await htmxSettled(page, () => app.getByLabel('Försörjningsstöd', { exact: true }).check());
  const addMember = app.locator('button[name="add_row"][value="members"]');
  for (const [i, role, age] of [[0, 'single', '34'], [1, 'child', '12'], [2, 'child', '4']]) {
    await htmxSettled(page, () => addMember.click());
    await htmxSettled(page, () => app.locator(`#f-eb_ansokan-members-${i}-role`).selectOption(role));
    await fill(page, app.locator(`#f-eb_ansokan-members-${i}-age`), age);
  }
  await fill(page, app.getByLabel(/^Boendekostnad/), '7500');
  await fill(page, app.getByLabel('Barnbidrag'), '2500');
  assert.match(await app.locator('.saved').innerText(), /sparat/i, 'the draft is saved as she fills it in');
  assert.equal(await app.locator('.field-error').count(), 0, `no messages: ${await app.locator('.field-error').allInnerTexts()}`);
  await check(page, 'the application form, filled in');

  // A program renamed .pdf is refused; the tenancy agreement is taken.
  await page.setInputFiles('#file', { name: 'hyreskontrakt.pdf', mimeType: 'application/pdf', buffer: EXE });
  let res = await navigate(page, () => page.getByRole('button', { name: 'Bifoga filen' }).click());
  assert.equal(res.status(), 422);
  assert.match(await page.locator('#file-error').innerText(), /Bara PDF-, JPEG- och PNG-filer/);
  assert.equal(await page.locator('main a[href^="/portal/attachments/"]').count(), 0, 'nothing was attached');
  await check(page, 'the application with a refused file');
  await page.setInputFiles('#file', { name: 'hyreskontrakt.pdf', mimeType: 'application/pdf', buffer: PDF });
  res = await navigate(page, () => page.getByRole('button', { name: 'Bifoga filen' }).click());
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('main a[href^="/portal/attachments/"]', { hasText: 'hyreskontrakt.pdf' }).count(), 1);

  // The draft was kept: what she typed is there after the page loads again.
  assert.equal(await page.locator('#f-eb_ansokan-month').inputValue(), month);
  assert.equal(await page.locator('#f-eb_ansokan-members-2-age').inputValue(), '4');
  await check(page, 'the application with the attachment');

  // Send it: on to the receipt.
  await navigate(page, () => page.getByRole('button', { name: 'Skicka ansökan' }).click());
  assert.match(new URL(page.url()).pathname, /^\/portal\/applications\/[0-9a-f-]{36}$/);
  assert.equal((await page.locator('h1').innerText()).trim(), 'Ansökan är skickad');
  caseID = (await page.locator('main .ref').innerText()).trim();
  assert.equal(new URL(page.url()).pathname, `/portal/applications/${caseID}`);
  const receipt = await page.locator('main').innerText();
  assert.match(receipt, /Det här händer nu/);
  assert.match(receipt, /hyreskontrakt\.pdf/);
  assert.match(receipt, /Beräknat bistånd/);
  await check(page, 'the receipt');
  await visit(page, '/portal/apply');
  assert.doesNotMatch(await page.locator('main').innerText(), /Fortsätt med ansökan/, 'the sent draft is gone');
}, { user: 'invanare', viewport: PHONE }));

test('the officer finds the application in the inbox and decides it', (t) => withPage(t, browser, async (page) => {
  assert.ok(caseID, 'the application was sent');
  await visit(page, '/inbox');
  const link = page.locator(`main a[href="/cases/${caseID}"]`).first();
  assert.equal(await link.count(), 1, 'the new case is in the officer\'s inbox');
  await navigate(page, () => link.click());
  assert.equal((await page.locator('h1').innerText()).trim(), TITLE);
  assert.match(await page.locator('#att-h + ul').innerText(), /hyreskontrakt\.pdf/, 'the attachment is on the case page');
  assert.equal((await page.locator('#form-eb_ansokan .form-head .tag').innerText()).trim(), 'Signerat', 'the citizen signed the form');
  await checkA11y(page, 'the case page of the application');

  let res = await navigate(page, () => page.locator('main ul.actions button', { hasText: 'Påbörja bedömning' }).click());
  assert.equal(res.status(), 200);
  const decisions = page.locator('section[aria-labelledby="dec-h"] ul.rows');
  await navigate(page, () => decisions.getByRole('link', { name: 'Försörjningsstöd', exact: true }).click());
  assert.equal(await page.locator('#amount').inputValue(), '1767000', 'the calculated amount reaches the decision');
  await page.fill('#justification', 'Hushållets behov enligt riksnormen och skäliga boendekostnader överstiger inkomsterna.');
  res = await navigate(page, () => page.getByRole('button', { name: 'Fatta beslut' }).click());
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('#amount').count(), 0, 'the decision is final');

  await visit(page, `/cases/${caseID}`);
  res = await navigate(page, () => page.locator('main ul.actions button', { hasText: 'Besluta' }).click());
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('main [role="alert"]').count(), 0);
}, { user: 'ekonom' }));

test('the mother sees the decision and the amount', (t) => withPage(t, browser, async (page) => {
  assert.ok(caseID, 'the application was sent');
  await visit(page, '/portal');
  const main = await page.locator('main').innerText();
  assert.match(main, /Försörjningsstöd – beviljat/i);
  assert.match(main, /17 670 kr/);
  await check(page, '/portal with the decision');
}, { user: 'invanare', viewport: PHONE }));

test('the officer publishes times; the mother books one and cancels it', async (t) => {
  assert.ok(caseID, 'the application was sent');
  const day = today(2);
  await withPage(t, browser, async (page) => {
    await visit(page, '/slots');
    await checkA11y(page, '/slots');
    for (const start of ['10:00', '11:00']) {
      await page.fill('#slot-date', day);
      await page.fill('#slot-start', start);
      await page.selectOption('#slot-minutes', '45');
      await page.getByLabel('Per telefon').check();
      const res = await navigate(page, () => page.getByRole('button', { name: 'Lägg ut tiden' }).click());
      assert.equal(res.status(), 200);
      assert.match(await page.locator('main [role="status"]').innerText(), /Tiden är utlagd/);
    }
    await page.setViewportSize(PHONE);
    await check(page, '/slots with two times');
  }, { user: 'ekonom' });

  await withPage(t, browser, async (page) => {
    await visit(page, '/portal/bookings');
    await check(page, '/portal/bookings');
    await navigate(page, () => page.locator(`main a[href="/portal/bookings/new?case=${caseID}"]`).click());
    await check(page, 'choosing a time');
    await page.locator('main input[name="slot"]').first().check();
    await navigate(page, () => page.getByRole('button', { name: 'Boka tiden' }).click());
    assert.match(await page.locator('main [role="status"]').innerText(), /Mötet är bokat/);
    assert.match(await page.locator('main dl.facts').innerText(), new RegExp(`${day}, kl\\. 10\\.00–10\\.45`));
    await check(page, 'the booked meeting');
    await navigate(page, () => page.getByRole('button', { name: 'Avboka mötet' }).click());
    assert.equal(new URL(page.url()).pathname, '/portal/bookings');
    assert.match(await page.locator('main [role="status"]').innerText(), /Mötet är avbokat/);
    await check(page, '/portal/bookings after cancelling');
  }, { user: 'invanare', viewport: PHONE });

  await withPage(t, browser, async (page) => {
    await visit(page, '/inbox');
    assert.equal(await page.locator('main a', { hasText: /^Möte avbokat:/ }).count(), 1, 'the officer is told the meeting was cancelled');
    await visit(page, '/slots');
    assert.equal(await page.locator('main .tag', { hasText: 'Ledig' }).count(), 2, 'the time is free again');
  }, { user: 'ekonom' });
});

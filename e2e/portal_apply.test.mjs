// Journey 3 on Mina sidor, on a phone (375 px): the single mother
// (`invanare`) applies for economic assistance for March step by step —
// the month, the household, the costs, the incomes, her rent contract (a
// program renamed .pdf is refused), then a summary of every answer with a
// way back to change it — and sends it; the receipt gives the case's
// reference, never an id. The officer of economic assistance in Norra
// (`ekonom`) finds it in the inbox and decides it through the API,
// refusing the electricity; the mother sees "Beslut fattat", the amount
// and the calculation line by line with the refused cost, without ids or
// codes. The steps are counted as ../shared/JOURNEYS.md counts them. The
// officer publishes free times; the mother books one and cancels it, and
// the officer's inbox says so. Every page passes axe; the citizen's pages
// work at 375 px without scrolling sideways.
//
// It opens a new case of its own, so it runs beside the journeys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, PHONE, BASE_URL, DEMO_PASSWORD,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** today is the date in Sweden as YYYY-MM-DD (the server's calendar). */
function today(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(d);
}

/** march is the first day of the coming March (this year's while it is not past). */
function march() {
  const [y, m] = today().split('-').map(Number);
  return `${m <= 3 ? y : y + 1}-03-01`;
}

/** check runs axe and the phone-width check on the current page. */
async function check(page, label) {
  await assertNoHorizontalScroll(page);
  await checkA11y(page, label);
}

/**
 * settle performs action (choosing, typing, pressing an htmx button) and
 * waits until the step's form has been saved and swapped in: past the
 * autosave's delayed trigger (input delay:1s; a select and a typed field
 * send their change at once and their input a second later, the later
 * replacing the earlier), and until no htmx request is in flight.
 */
async function settle(page, action) {
  await action();
  await page.waitForTimeout(1_100);
  await page.waitForFunction(() => !document.querySelector('.htmx-request'), null, { timeout: 10_000, polling: 50 });
}

/** fill types value into a field of the htmx form and leaves it. */
async function fill(page, field, value) {
  await settle(page, async () => {
    await field.fill(value);
    await field.press('Tab');
  });
}

/** api signs user in through the JSON API and returns a caller: (method, path, body) → the decoded answer. */
async function api(user) {
  const res = await fetch(`${BASE_URL}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: DEMO_PASSWORD }),
  });
  assert.equal(res.status, 201, `signing in ${user} through the API`);
  const { token } = await res.json();
  return async (method, path, body) => {
    const r = await fetch(`${BASE_URL}/api/v1${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    assert.ok(r.status < 300, `${method} /api/v1${path} as ${user}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** stepHeading is the heading of the step shown, and whether it has the focus. */
async function stepHeading(page) {
  const h = page.locator('#step-h');
  return {
    text: (await h.innerText()).replace(/\s+/g, ' ').trim(),
    focused: await page.evaluate(() => document.activeElement?.id === 'step-h'),
  };
}

/** next presses the step's "Nästa" and waits for the next step's page. */
async function next(page) {
  return navigate(page, () => page.locator('#step-form .step-actions button[value="next"]').click());
}

/** visibleText is what the page's main part says, with what a screen reader reads. */
async function visibleText(page) {
  return page.locator('main').evaluate((m) => {
    const spoken = [...m.querySelectorAll('[aria-label],[title],[alt]')].map((e) => e.getAttribute('aria-label') || e.getAttribute('title') || e.getAttribute('alt'));
    return `${m.textContent} ${spoken.join(' ')}`;
  });
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const CODES = /\b(single|child|couple|forsorjningsstod|livsforing_ovrigt|electricity|housing_cost|refused_costs|ekonomiskt_bistand|eb_ansokan|application|assessment|decision|partly|granted|refused)\b/;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'), Buffer.alloc(300)]);

const TITLE = 'Ansökan om ekonomiskt bistånd';

// The parts run in order and hand on the new case.
let caseID = '';
let reference = '';

test('journey 3 on a phone: the mother applies for March step by step and sends it from the summary', (t) => withPage(t, browser, async (page) => {
  const steps = countSteps(page);
  await visit(page, '/portal');
  await navigate(page, () => page.locator('header nav a[href="/portal/apply"]').click());
  await check(page, '/portal/apply');
  await navigate(page, () => page.locator('main a[href="/portal/apply/ekonomiskt_bistand"]').click());
  assert.equal((await page.locator('h1').innerText()).trim(), TITLE);
  assert.match(await page.locator('main').innerText(), /Ekonomiskt bistånd Norra/, 'she is told where the application goes');

  // Step 1 of 6: the month and what she applies for.
  let h = await stepHeading(page);
  assert.equal(h.text, 'Steg 1 av 6 Ansökan');
  assert.ok(h.focused, 'the focus is on the step\'s heading');
  assert.equal(await page.locator('nav.apply-progress li[aria-current="step"]').innerText(), 'Ansökan');
  await check(page, 'step 1: the month');
  const form = page.locator('#step-form');
  await settle(page, () => form.locator('#f-eb_ansokan-month').fill(march()));
  await settle(page, () => form.getByLabel('Försörjningsstöd', { exact: true }).check());
  assert.match(await form.locator('.saved').innerText(), /sparat/i, 'the step is saved as she fills it in');
  await next(page);

  // Step 2: the household, as its words say it. "Nästa" without anyone
  // in it stays, with the mistake linked to its field.
  h = await stepHeading(page);
  assert.equal(h.text, 'Steg 2 av 6 Hushållet');
  assert.ok(h.focused, 'the focus moved to the new step\'s heading');
  await settle(page, () => page.locator('#step-form .step-actions button[value="next"]').click());
  const errors = page.locator('#step-errors');
  assert.match(await errors.innerText(), /Rätta det här[\s\S]*Minst 1 rad/);
  assert.ok(await page.evaluate(() => document.activeElement?.id === 'step-errors'), 'the focus moved to the mistakes');
  await check(page, 'step 2 with a mistake');
  const addMember = page.locator('#step-form button[name="add_row"][value="members"]');
  for (const [i, role, age] of [[0, 'single', '34'], [1, 'child', '12'], [2, 'child', '4']]) {
    await settle(page, () => addMember.click());
    await settle(page, () => page.locator(`#f-eb_ansokan-members-${i}-role`).selectOption(role));
    await fill(page, page.locator(`#f-eb_ansokan-members-${i}-age`), age);
  }
  const legends = await page.locator('#step-form fieldset.row-box > legend').allInnerTexts();
  assert.equal(legends.length, 3);
  for (const [i, want] of [/^Rad 1: Ensamstående.*34/, /^Rad 2: Barn.*12/, /^Rad 3: Barn.*4/].entries()) {
    assert.match(legends[i], want, 'each member is named in words');
  }
  assert.equal(await page.locator('#step-errors').count(), 0, 'the mistake is gone');
  await check(page, 'step 2: the household');
  await next(page);

  // Step 3: the costs; Enter in a field means "Nästa".
  assert.equal((await stepHeading(page)).text, 'Steg 3 av 6 Kostnader per månad');
  await fill(page, page.getByLabel(/^Boendekostnad/), '7500');
  await fill(page, page.getByLabel('Hushållsel'), '450');
  await check(page, 'step 3: the costs');
  await navigate(page, () => page.getByLabel('Hushållsel').press('Enter'));

  // Step 4: the incomes; "Tillbaka" and on again keeps what she wrote.
  assert.equal((await stepHeading(page)).text, 'Steg 4 av 6 Hushållets inkomster per månad');
  await fill(page, page.getByLabel('Barnbidrag'), '2500');
  await navigate(page, () => page.locator('#step-form .step-actions button[value="back"]').click());
  assert.equal(await page.getByLabel('Hushållsel').inputValue(), '450', 'the costs are kept');
  await next(page);
  assert.equal(await page.getByLabel('Barnbidrag').inputValue(), '2500', 'the incomes are kept');
  await check(page, 'step 4: the incomes');
  await next(page);

  // Step 5: the rent contract. A program renamed .pdf is refused.
  h = await stepHeading(page);
  assert.equal(h.text, 'Steg 5 av 6 Underlag');
  await page.setInputFiles('#file', { name: 'hyreskontrakt.pdf', mimeType: 'application/pdf', buffer: EXE });
  let res = await navigate(page, () => page.getByRole('button', { name: 'Bifoga filen' }).click());
  assert.equal(res.status(), 422);
  assert.match(await page.locator('#file-error').innerText(), /Bara PDF-, JPEG- och PNG-filer/);
  assert.equal(await page.locator('main a[href^="/portal/attachments/"]').count(), 0, 'nothing was attached');
  await check(page, 'step 5 with a refused file');
  await page.setInputFiles('#file', { name: 'hyreskontrakt.pdf', mimeType: 'application/pdf', buffer: PDF });
  res = await navigate(page, () => page.getByRole('button', { name: 'Bifoga filen' }).click());
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('main a[href^="/portal/attachments/"]', { hasText: 'hyreskontrakt.pdf' }).count(), 1);
  assert.match(await page.locator('main [role="status"]').innerText(), /Filen är bifogad/);
  await check(page, 'step 5: the rent contract');
  await navigate(page, () => page.locator('main .step-actions a', { hasText: 'Nästa' }).click());

  // Step 6: every answer in words, each step with "Ändra", the
  // preliminary calculation, and "Skicka ansökan".
  h = await stepHeading(page);
  assert.equal(h.text, 'Steg 6 av 6 Kontrollera och skicka');
  const summary = await page.locator('main').innerText();
  for (const want of [/Försörjningsstöd/, /: Ensamstående, Ålder: 34/, /: Barn[^\n]*?, Ålder: 4\b/,
    /7 500 kr/, /450 kr/, /2 500 kr/, /hyreskontrakt\.pdf/, /Preliminär beräkning/]) {
    assert.match(summary, want);
  }
  assert.equal(await page.locator('main a', { hasText: 'Ändra' }).count(), 5, 'a way to change each step');
  assert.doesNotMatch(await visibleText(page), UUID);
  assert.doesNotMatch(summary, CODES);
  await check(page, 'step 6: the summary');
  // Changing a step from the summary, and back.
  await navigate(page, () => page.locator('main a[href$="?step=household"]', { hasText: 'Ändra' }).click());
  assert.equal((await stepHeading(page)).text, 'Steg 2 av 6 Hushållet');
  await navigate(page, () => page.locator('nav.apply-progress a', { hasText: 'Kontrollera och skicka' }).click());

  // Send it: on to the receipt, with the case's reference.
  await navigate(page, () => page.getByRole('button', { name: 'Skicka ansökan' }).click());
  assert.equal((await page.locator('h1').innerText()).trim(), 'Ansökan är skickad');
  caseID = new URL(page.url()).pathname.split('/').pop();
  reference = (await page.locator('main .ref').innerText()).trim();
  assert.match(reference, /^EB-\d{4}-\d{5}$/);
  const receipt = await page.locator('main').innerText();
  assert.match(receipt, /Det här händer nu/);
  assert.match(receipt, /hyreskontrakt\.pdf/);
  assert.match(receipt, /: Ensamstående/);
  assert.doesNotMatch(await visibleText(page), UUID, 'no id on the receipt');
  await check(page, 'the receipt');

  // Mina sidor to the sent application in 10 page loads and submits:
  // Mina sidor, Ansök, the six steps, attaching, sending. Her detours
  // above (the refused file, Tillbaka and on, Ändra and back) took 5 more.
  const detours = 5;
  assert.ok(steps.count - detours <= 10, `applying took ${steps.count - detours} steps besides the detours: ${steps.urls.join(', ')}`);
  await visit(page, '/portal/apply');
  assert.doesNotMatch(await page.locator('main').innerText(), /Fortsätt med ansökan/, 'the sent draft is gone');
}, { user: 'invanare', viewport: PHONE }));

test('the officer finds the application in the inbox and decides it, refusing the electricity', async (t) => {
  assert.ok(caseID, 'the application was sent');
  await withPage(t, browser, async (page) => {
    await visit(page, '/inbox');
    const link = page.locator(`main a[href="/cases/${caseID}"]`).first();
    assert.equal(await link.count(), 1, 'the new case is in the officer\'s inbox');
    await navigate(page, () => link.click());
    assert.equal((await page.locator('h1').innerText()).trim(), TITLE);
    assert.match(await page.locator('#att-h + ul').innerText(), /hyreskontrakt\.pdf/, 'the attachment is on the case page');
    await checkA11y(page, 'the case page of the application');
  }, { user: 'ekonom' });

  // The decision, through the API: the electricity is not granted.
  const call = await api('ekonom');
  const proc = await call('GET', `/cases/${caseID}/process`);
  const sent = proc.forms.find((f) => f.form_id === 'eb_ansokan');
  assert.ok(sent, 'the application\'s form');
  await call('PUT', `/cases/${caseID}/forms/eb_ansokan`, { values: { ...given(sent.state.values), refused_costs: ['electricity'] } });
  await call('POST', `/cases/${caseID}/forms/eb_ansokan/signature`);
  await call('POST', `/cases/${caseID}/transitions`, { transition: 'assess' });
  const { decisions } = await call('GET', `/cases/${caseID}/decisions`);
  assert.equal(decisions.length, 1, 'one decision drafted from the form');
  const d = decisions[0];
  await call('PUT', `/cases/${caseID}/decisions/${d.id}`, {
    insats: d.insats, outcome: d.outcome, legal_basis: d.legal_basis, valid_from: d.valid_from, amount: d.amount,
    justification: 'Hushållets behov enligt riksnormen och boendekostnaden överstiger inkomsterna. Hushållsel ingår i riksnormen.',
    appeal_notice: d.appeal_notice || 'Skriv till socialnämnden och tala om vilket beslut du vill ändra.',
  });
  await call('POST', `/cases/${caseID}/decisions/${d.id}/finalisation`);
  await call('POST', `/cases/${caseID}/transitions`, { transition: 'decide' });
});

/** given are a form's values without those computed from them. */
function given(values) {
  const computed = ['household_size', 'personal_costs', 'common_costs', 'norm_total', 'reasonable_costs', 'total_income', 'need', 'assistance', 'calculation_text'];
  return Object.fromEntries(Object.entries(values).filter(([k]) => !computed.includes(k)));
}

test('journey 3 on a phone: the mother sees "Beslut fattat", the amount and the calculation line by line', (t) => withPage(t, browser, async (page) => {
  assert.ok(caseID, 'the application was sent');
  const steps = countSteps(page);
  await visit(page, '/portal');
  const row = page.locator('main ul.rows li', { hasText: reference });
  assert.equal(await row.count(), 1, 'the case is listed by its reference');
  const listed = await row.innerText();
  assert.match(listed, /Läge: Beslut fattat \d{4}-\d{2}-\d{2}/);
  assert.match(listed, /Försörjningsstöd – delvis beviljat[\s\S]*18 150 kr/);
  assert.doesNotMatch(await visibleText(page), UUID);
  await check(page, '/portal with the decision');

  await navigate(page, () => row.locator('a', { hasText: TITLE }).click());
  const status = await page.locator('section.follow-status').innerText();
  assert.match(status, /Beslut fattat \d{4}-\d{2}-\d{2}/);
  assert.match(status, /Försörjningsstöd – delvis beviljat, 18 150 kr/);
  const decision = page.locator('article.decision-text').first();
  const calc = await decision.locator('.calc').innerText();
  assert.match(calc, /Boendekostnad: 7 500 kr/);
  assert.match(calc, /Hushållsel: 450 kr \(avslag\)/, 'the refused cost is marked as refused');
  const last = calc.trim().split('\n').pop();
  assert.match(last, /18 150 kr$/, `the calculation ends in the decided amount: ${last}`);
  assert.match(await decision.innerText(), /Så överklagar du/);
  assert.match(await page.locator('main .case-meta').innerText(), new RegExp(reference));
  const text = await visibleText(page);
  assert.doesNotMatch(text, UUID, 'no id on the case page');
  assert.doesNotMatch(await page.locator('main').innerText(), CODES, 'no codes on the case page');
  await check(page, 'the case with the decision');
  assert.ok(steps.count <= 2, `seeing the decision took ${steps.count} steps: ${steps.urls.join(', ')}`);
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

// Journey 3 (../shared/JOURNEYS.md) to the money: the single mother
// (`invanare`) applies for March on Mina sidor on her phone; the officer
// of economic assistance (`ekonom`) assesses it on the case page, refuses
// the electricity and decides; the decision's payment waits on
// "Utbetalningar att attestera", where the officer who decided is refused
// attesting it (dual control, the message in the error summary); the team
// lead (`arbetsledare`) attests it, makes a payment run and downloads the
// bank file, which validates against ISO 20022's pain.001.001.10 schema
// with Debian's xmllint; the bank's status report (pain.002, written here
// from the downloaded file) rejects the payment, account closed (AC04),
// and is uploaded; the officer finds the task in the inbox and the
// rejection with its reason on the case page, presses "Betala igen" at the
// rejected line and sees it proposed again. Each person's page loads and
// submits after sign-in are counted against a limit; every new page
// passes axe and fits a phone (375 px).
//
// It opens a new case of its own, so it runs beside the journeys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, htmxSettled, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const here = path.dirname(fileURLToPath(import.meta.url));
// The official schemas beside the repository, as internal/payments' tests read them.
const SCHEMA = path.join(here, '..', '..', 'shared', 'standards', 'iso20022', 'pain.001.001.10.xsd');

const TITLE = 'Ansökan om ekonomiskt bistånd';
// The most page loads and submits each person takes after sign-in.
const APPLY_STEPS = 9; // Mina sidor, Ansök, the form, four steps on, past the attachments, sending
const DECIDE_STEPS = 6; // the inbox, the case, assessing, signing the refusal, the decision, deciding
const REFUSED_STEPS = 2; // Utbetalningar, Attestera markerade
const LEAD_STEPS = 5; // Utbetalningar, attesting, Betalningskörningar, the run, the status report
const TASK_STEPS = 3; // the inbox, the case, Betala igen

/** today is the date in Sweden as YYYY-MM-DD (the server's calendar). */
function today() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date());
}

/** march is the first day of the coming March (this year's while it is not past). */
function march() {
  const [y, m] = today().split('-').map(Number);
  return `${m <= 3 ? y : y + 1}-03-01`;
}

/** check runs axe and the phone-width check on the current page. */
async function check(page, label) {
  const size = page.viewportSize();
  await checkA11y(page, label);
  await page.setViewportSize(PHONE);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize(size);
}

/** settle performs action on Mina sidor's autosaving form and waits until it is saved. */
async function settle(page, action) {
  await action();
  await page.waitForTimeout(1_100);
  await page.waitForFunction(() => !document.querySelector('.htmx-request'), null, { timeout: 10_000, polling: 50 });
}

/** fill types value into a field of the autosaving form and leaves it. */
async function fill(page, field, value) {
  await settle(page, async () => {
    await field.fill(value);
    await field.press('Tab');
  });
}

/** next presses the step's "Nästa" and waits for the next step's page. */
async function next(page) {
  return navigate(page, () => page.locator('#step-form .step-actions button[value="next"]').click());
}

/** sign signs the form in the card and waits for the case page to load again. */
async function sign(page, card) {
  const res = await navigate(page, () => card.locator('form.sign button[type="submit"]').click());
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('main [role="alert"]').count(), 0, 'signing showed no problem');
}

// The parts run in order and hand on the case, its payment and the run.
let caseID = '';
let reference = '';
let lineID = '';

test('journey 3 on a phone: the mother applies for March', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/');
  const steps = countSteps(page);
  await visit(page, '/portal');
  await navigate(page, () => page.locator('header nav a[href="/portal/apply"]').click());
  await navigate(page, () => page.locator('main a[href="/portal/apply/ekonomiskt_bistand"]').click());
  const form = page.locator('#step-form');
  await settle(page, () => form.locator('#f-eb_ansokan-month').fill(march()));
  await settle(page, () => form.getByLabel('Försörjningsstöd', { exact: true }).check());
  await next(page);
  const addMember = page.locator('#step-form button[name="add_row"][value="members"]');
  for (const [i, role, age] of [[0, 'single', '34'], [1, 'child', '12'], [2, 'child', '4']]) {
    await settle(page, () => addMember.click());
    await settle(page, () => page.locator(`#f-eb_ansokan-members-${i}-role`).selectOption(role));
    await fill(page, page.locator(`#f-eb_ansokan-members-${i}-age`), age);
  }
  await next(page);
  await fill(page, page.getByLabel(/^Boendekostnad/), '7500');
  await fill(page, page.getByLabel('Hushållsel'), '450');
  await next(page);
  await fill(page, page.getByLabel('Barnbidrag'), '2500');
  await next(page);
  await navigate(page, () => page.locator('main .step-actions a', { hasText: 'Nästa' }).click());
  await navigate(page, () => page.getByRole('button', { name: 'Skicka ansökan' }).click());
  assert.equal((await page.locator('h1').innerText()).trim(), 'Ansökan är skickad');
  caseID = new URL(page.url()).pathname.split('/').pop();
  reference = (await page.locator('main .ref').innerText()).trim();
  assert.match(reference, /^EB-\d{4}-\d{5}$/);
  t.diagnostic(`applying took ${steps.count} steps: ${steps.urls.join(', ')}`);
  assert.ok(steps.count <= APPLY_STEPS, `applying took ${steps.count} steps, at most ${APPLY_STEPS}`);
}, { user: 'invanare', viewport: PHONE }));

test('the officer assesses the application, refuses the electricity and decides', (t) => withPage(t, browser, async (page) => {
  assert.ok(caseID, 'the application was sent');
  await visit(page, '/');
  const steps = countSteps(page);
  await navigate(page, () => page.locator('header nav a[href="/inbox"]').click());
  await navigate(page, () => page.locator(`main a[href="/cases/${caseID}"]`).first().click());
  assert.equal((await page.locator('h1').innerText()).trim(), TITLE);
  // No payment before the decision.
  assert.match(await page.locator('section[aria-labelledby="payments-h"]').innerText(), /Inga utbetalningar finns/);
  // Sent from Mina sidor, the application is signed: on to the assessment.
  const app = page.locator('#form-eb_ansokan');
  const assess = page.locator('main ul.actions button', { hasText: 'Påbörja bedömning' });
  await navigate(page, () => assess.click());
  await htmxSettled(page, () => app.locator('input[name="refused_costs"][value="electricity"]').check());
  assert.equal((await app.locator('#f-eb_ansokan-assistance').innerText()).trim(), '18 150 kr');
  await sign(page, app);
  const decisions = page.locator('section[aria-labelledby="dec-h"] ul.rows');
  await navigate(page, () => decisions.getByRole('link', { name: 'Försörjningsstöd', exact: true }).click());
  await page.fill('#justification', 'Hushållsel ingår i riksnormen och beviljas inte utöver den.');
  const res = await navigate(page, () => page.getByRole('button', { name: 'Fatta beslut' }).click());
  assert.equal(res.status(), 200);
  assert.match(await page.locator('main dl.facts').innerText(), /Belopp\s+18 150 kr/);
  t.diagnostic(`deciding took ${steps.count} steps: ${steps.urls.join(', ')}`);
  assert.ok(steps.count <= DECIDE_STEPS, `deciding took ${steps.count} steps, at most ${DECIDE_STEPS}`);
}, { user: 'ekonom' }));

/** lineRow is the proposal's row of the case's payment. */
function lineRow(page) {
  return page.locator('#payment-lines tbody tr', { hasText: reference });
}

test('the officer who decided sees the payment proposed and is refused attesting it', (t) => withPage(t, browser, async (page) => {
  assert.ok(caseID, 'the case was decided');
  await visit(page, '/');
  const steps = countSteps(page);
  await navigate(page, () => page.locator('header nav a[href="/payments"]').click());
  assert.equal((await page.locator('h1').innerText()).trim(), 'Utbetalningar att attestera');
  const row = lineRow(page);
  assert.equal(await row.count(), 1, 'the decision\'s payment is proposed');
  const text = await row.innerText();
  for (const want of [/Försörjningsstöd/, /18 150 kr/, new RegExp(march().slice(0, 7)), /Emir Ekonom/, /Du förberedde/]) {
    assert.match(text, want);
  }
  lineID = await row.locator('input[name="lines"]').getAttribute('value');
  await check(page, 'the proposal');
  await row.locator('input[name="lines"]').check();
  const res = await navigate(page, () => page.getByRole('button', { name: 'Attestera markerade' }).click());
  assert.equal(res.status(), 422);
  const summary = page.locator('#error-summary');
  assert.match(await summary.innerText(), /Du kan inte attestera en utbetalning som du själv har förberett eller beslutat\./);
  assert.match(await summary.locator('a[href="#payment-lines"]').innerText(), /Någon annan än den som förberett eller beslutat/);
  assert.ok(await lineRow(page).locator('input[name="lines"]').isChecked(), 'what she ticked stays ticked');
  await check(page, 'the proposal with the refusal');
  assert.ok(steps.count <= REFUSED_STEPS, `the refusal took ${steps.count} steps`);
}, { user: 'ekonom' }));

test('the team lead attests, makes a run, downloads a bank file that validates, and reads the bank\'s rejection', (t) => withPage(t, browser, async (page) => {
  assert.ok(lineID, 'the payment was proposed');
  await visit(page, '/');
  const steps = countSteps(page);
  await navigate(page, () => page.locator('header nav a[href="/payments"]').click());
  await lineRow(page).locator('input[name="lines"]').check();
  await navigate(page, () => page.getByRole('button', { name: 'Attestera markerade' }).click());
  assert.match(await page.locator('main [role="status"]').innerText(), /1 utbetalning är attesterad\./);
  assert.match(await page.locator('section[aria-labelledby="attested-h"]').innerText(), new RegExp(reference));

  await navigate(page, () => page.locator('main a[href="/payments/runs"]').click());
  assert.equal((await page.locator('h1').innerText()).trim(), 'Betalningskörningar');
  await check(page, 'the payment runs');
  assert.equal(await page.locator('#run-date').inputValue(), today());
  await navigate(page, () => page.getByRole('button', { name: 'Skapa betalningskörning' }).click());
  assert.match(await page.locator('main [role="status"]').innerText(), /Betalningskörningen är skapad/);
  const runPath = new URL(page.url()).pathname;
  assert.match(await page.locator('section[aria-labelledby="run-lines-h"]').innerText(), /18 150 kr[\s\S]*Skickad till banken/);
  await check(page, 'the run');

  // The bank file: an attachment named by the run alone.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`a[href="${runPath}/file"]`).click()]);
  assert.match(download.suggestedFilename(), /^TRYGG-[0-9A-Za-z-]+\.xml$/);
  const dir = await mkdtemp(path.join(tmpdir(), 'trygg-money-'));
  const file = path.join(dir, 'pain001.xml');
  await download.saveAs(file);
  const xml = await readFile(file, 'utf8');
  execFileSync('xmllint', ['--noout', '--schema', SCHEMA, file], { stdio: 'pipe' });
  const e2e = lineID.replaceAll('-', '');
  const msgId = xml.match(/<GrpHdr>[\s\S]*?<MsgId>([^<]+)<\/MsgId>/)[1];
  const block = xml.split('<PmtInf>').find((b) => b.includes(`<EndToEndId>${e2e}</EndToEndId>`));
  assert.ok(block, 'the payment is in the bank file');
  const pmtInfId = block.match(/<PmtInfId>([^<]+)<\/PmtInfId>/)[1];
  assert.match(block, /<InstdAmt Ccy="SEK">18150\.00<\/InstdAmt>/);

  // The bank's answer: the account is closed.
  const report = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>
<GrpHdr><MsgId>BANK-${Date.now()}</MsgId><CreDtTm>${new Date().toISOString().slice(0, 19)}Z</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>${msgId}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.10</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>${pmtInfId}</OrgnlPmtInfId>
<TxInfAndSts><OrgnlEndToEndId>${e2e}</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Konto stängt</AddtlInf></StsRsnInf></TxInfAndSts>
</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>`;
  await writeFile(path.join(dir, 'pain002.xml'), report);
  execFileSync('xmllint', ['--noout', '--schema', path.join(path.dirname(SCHEMA), 'pain.002.001.11.xsd'), path.join(dir, 'pain002.xml')], { stdio: 'pipe' });
  await page.setInputFiles('#report-file', path.join(dir, 'pain002.xml'));
  await navigate(page, () => page.getByRole('button', { name: 'Läs in statusrapporten' }).click());
  const result = await page.locator('main [role="status"]').innerText();
  assert.match(result, /Statusrapporten är inläst/);
  assert.match(result, /1 avvisad/);
  assert.match(await page.locator('section[aria-labelledby="run-lines-h"]').innerText(), /Avvisad av banken[\s\S]*Kontot är avslutat\./);
  await check(page, 'the run with the bank\'s answer');
  t.diagnostic(`the team lead took ${steps.count} steps: ${steps.urls.join(', ')}`);
  assert.ok(steps.count <= LEAD_STEPS, `the team lead took ${steps.count} steps, at most ${LEAD_STEPS}`);
}, { user: 'arbetsledare' }));

test('the officer finds the rejection in the inbox and on the case page, and pays it again', (t) => withPage(t, browser, async (page) => {
  assert.ok(lineID, 'the payment was in a run');
  await visit(page, '/');
  const steps = countSteps(page);
  await navigate(page, () => page.locator('header nav a[href="/inbox"]').click());
  const task = page.locator(`main a[href="/cases/${caseID}"]`, { hasText: /^Utbetalningen avvisades av banken: Försörjningsstöd \d{4}-\d{2}$/ });
  assert.equal(await task.count(), 1, 'the task is in the inbox with a plain title');
  await navigate(page, () => task.click());
  const payments = await page.locator('section[aria-labelledby="payments-h"]').innerText();
  assert.match(payments, /Försörjningsstöd[\s\S]*18 150 kr[\s\S]*Avvisad av banken[\s\S]*Kontot är avslutat\./);
  await check(page, 'the case page with the rejected payment');

  // Betala igen: the line is proposed again, for someone else to attest.
  const section = page.locator('section[aria-labelledby="payments-h"]');
  const again = section.getByRole('button', { name: /^Betala igen Försörjningsstöd \d{4}-\d{2}$/ });
  assert.equal(await again.count(), 1, 'the rejected line offers Betala igen');
  await navigate(page, () => again.click());
  assert.equal(new URL(page.url()).pathname, `/cases/${caseID}`);
  const after = await section.innerText();
  assert.match(after, /Försörjningsstöd[\s\S]*18 150 kr[\s\S]*Väntar på attest/);
  assert.match(after, /Avvisad av banken/);
  assert.equal(await section.getByRole('button', { name: /^Betala igen/ }).count(), 0, 'a line paid again is not offered again');
  await check(page, 'the case page with the payment proposed again');
  t.diagnostic(`the officer took ${steps.count} steps: ${steps.urls.join(', ')}`);
  assert.ok(steps.count <= TASK_STEPS, `the task took ${steps.count} steps, at most ${TASK_STEPS}`);
}, { user: 'ekonom' }));

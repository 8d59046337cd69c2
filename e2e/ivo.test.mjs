// IVO's report of decisions not executed (journey 4's report, on the
// demo's waiting home-care case): the officer opens the case from the
// day-60 warning in her inbox, notes on the alarm decision why it is
// delayed and what was offered, and records the home help as executed in
// part (12 of 24 hours a month). The team lead opens Rapporter → Ej
// verkställda beslut, finds both decisions with the reason, the offers
// and the part not executed, and downloads the file for IVO's e-service.
// Steps are counted per person as ../shared/JOURNEYS.md counts them, and
// every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { launch, withPage, visit, navigate, checkA11y, countSteps } from './lib.mjs';

const REASON = 'Larmleverantören har ingen installatör ledig förrän i nästa månad (IVO-test).';
const OFFERS = 'Erbjuden ett mobilt trygghetslarm under väntetiden, vilket hon tackade nej till.';
const HEADER = 'Rapporteringsperiod;Kommun;Kommunkod;Nämnd;Lagrum;Insats;Beslutsdatum;Kön;Födelseår;Datum för avbrott;'
  + 'Ej verkställd del;Skäl till dröjsmål;Erbjudanden;Annat bistånd under väntetiden;Verkställighetsdatum;Avslutsdatum;'
  + 'Dagar sedan beslut eller avbrott';

const iso = (d) => d.toISOString().slice(0, 10);

// addMonths counts calendar months as the law does: the same day number,
// or the month's last day when it has no such day.
function addMonths(d, n) {
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n + 1, 0)).getUTCDate();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, Math.min(d.getUTCDate(), last)));
}

// The demo's waiting case (internal/demo/demo.go, waitingDecisions) is
// decided four months before today (Date.UTC normalises as Go's
// time.Date does); its warnings say the last day, three months after.
const now = new Date();
const decidedOn = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 4, now.getUTCDate()));
const dueOn = iso(addMonths(decidedOn, 3));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// recordExecution opens the decision's "Registrera verkställighet", fills
// it and submits it (one step).
async function recordExecution(page, fields) {
  await page.locator('summary', { hasText: 'Registrera verkställighet' }).click();
  await page.locator('#exec-kind').selectOption(fields.kind);
  for (const [id, value] of Object.entries(fields)) {
    if (id !== 'kind') await page.locator(`#exec-${id}`).fill(value);
  }
  await navigate(page, () => page.getByRole('button', { name: 'Registrera', exact: true }).click());
  assert.equal(await page.locator('main [aria-invalid="true"]').count(), 0, 'the execution was recorded without errors');
}

test('the officer records the delay and a partial execution; the team lead reports them to IVO', async (t) => {
  let caseURL;
  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, '/inbox');
    steps.reset();
    const warning = page.getByRole('link', { name: `Beslut ej verkställt: Trygghetslarm, verkställ senast ${dueOn}` });
    assert.equal(await warning.count(), 1, `the day-60 warning for the alarm (last day ${dueOn}) is in her inbox`);
    await navigate(page, () => warning.click());
    caseURL = new URL(page.url()).pathname;
    await navigate(page, () => page.locator('main').getByRole('link', { name: 'Trygghetslarm', exact: true }).click());
    assert.match(new URL(page.url()).pathname, /\/decisions\//);
    await checkA11y(page, 'the waiting alarm decision');
    await recordExecution(page, { kind: 'delay', reason: REASON, offers: OFFERS });
    const alarm = await page.locator('section[aria-labelledby="execution"]').innerText();
    assert.ok(alarm.includes(REASON) && alarm.includes(OFFERS), `the decision shows the note:\n${alarm}`);
    await checkA11y(page, 'the alarm decision with the delay note');

    // The home help: 12 of the 24 hours a month have started.
    await navigate(page, () => page.locator(`main a[href="${caseURL}"]`).first().click());
    await navigate(page, () => page.locator('main').getByRole('link', { name: 'Hemtjänst – personlig omvårdnad', exact: true }).click());
    await recordExecution(page, { kind: 'executed', amount: '12' });
    assert.match(await page.locator('section[aria-labelledby="execution"]').innerText(), /12 timmar per månad av 24 timmar per månad/);
    await checkA11y(page, 'the home-help decision executed in part');
    t.diagnostic(`officer: ${steps.count} steps`);
    assert.ok(steps.count <= 6, `the officer took ${steps.count} steps: ${steps.urls.join(', ')}`);
  }, { user: 'handlaggare' });

  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, '/inbox');
    steps.reset();
    await navigate(page, () => page.locator('header nav').getByRole('link', { name: 'Rapporter' }).click());
    await checkA11y(page, '/reports as arbetsledare');
    await navigate(page, () => page.locator('main').getByRole('link', { name: 'Ej verkställda beslut' }).click());
    const rows = page.locator('main table tbody tr');
    const alarm = rows.filter({ hasText: REASON });
    assert.equal(await alarm.count(), 1, 'the alarm decision is reported with its reason');
    const alarmText = await alarm.innerText();
    assert.ok(alarmText.includes(OFFERS) && alarmText.includes('Trygghetslarm') && alarmText.includes(iso(decidedOn)), `the row: ${alarmText}`);
    const partly = rows.filter({ hasText: '12 timmar per månad av 24 timmar per månad' });
    assert.equal(await partly.count(), 1, 'the home help is reported for the part not executed');
    assert.match(await partly.innerText(), /Hemtjänst – personlig omvårdnad/);
    await checkA11y(page, 'the report of decisions not executed');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('main').getByRole('link', { name: 'Fil för IVO:s e-tjänst' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^ivo-ej-verkstallda-beslut-\d{4}-Q[1-4]\.csv$/);
    const file = await fs.readFile(await download.path(), 'utf8');
    const lines = file.split('\r\n');
    assert.equal(lines[0].replace(/^\uFEFF/, ''), HEADER, 'the file starts with the fields IVO asks for');
    const line = lines.find((l) => l.includes(REASON));
    assert.ok(line, 'the file has the alarm decision');
    const f = line.split(';');
    assert.equal(f.length, HEADER.split(';').length, `the line has every field: ${line}`);
    assert.deepEqual([f[1], f[2], f[5], f[6], f[11], f[12], f[14], f[15]],
      ['Demo kommun', '0999', 'Trygghetslarm', iso(decidedOn), REASON, OFFERS, '', ''], `the line: ${line}`);
    assert.ok(lines.some((l) => l.split(';')[10] === '12 timmar per månad av 24 timmar per månad'), 'the file has the part not executed');
    t.diagnostic(`team lead: ${steps.count} steps`);
    assert.ok(steps.count <= 3, `the team lead took ${steps.count} steps: ${steps.urls.join(', ')}`);
  }, { user: 'arbetsledare' });
});

// The main journeys (see ../shared/JOURNEYS.md) walked in the browser:
// home care for an older person (1) and the first steps of a concern
// about a child (2) from their first click, registering the application
// or report from "Sök person" for the demo's journey people, and economic
// assistance for a month (3) on the demo's journey case, which starts
// fresh in its first step: a home visit booked from the case, the
// household the registry knows confirmed, one cost refused, and the
// decision and letter in kronor. Each counts its steps (page loads and submits
// after sign-in, countSteps) against a limit. The forms are htmx forms
// that the server re-evaluates as they are filled, so every change waits
// for the fragment to be swapped in (htmxSettled) before the next step
// looks at the page. Journey 1 with the keyboard alone, and its pages at
// phone width, are in keyboard.test.mjs.
//
// The journeys change the demo data: run them against a fresh server
// (scripts/browser-test.sh starts one).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, checkA11y, assertNoHorizontalScroll, navigate, htmxSettled, PHONE,
  countSteps, journeyPerson, registerFromSearch,
} from './lib.mjs';

let browser;
// The journeys' people: the woman of journey 1 and the child of journey 2.
let mother;
let child;
before(async () => {
  browser = await launch();
  mother = await journeyPerson('handlaggare', CASE_1);
  child = await journeyPerson('utredare', CASE_2);
});
after(async () => { await browser?.close(); });

const CASE_1 = 'Ansökan om hemtjänst och trygghetslarm';
const CASE_2 = 'Orosanmälan från skolan';
const CASE_3 = 'Ansökan om ekonomiskt bistånd, mars';

/** today is the date in Sweden as YYYY-MM-DD (the server's calendar). */
function today() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date());
}

/** addDays is the day (YYYY-MM-DD) n days after day. */
function addDays(day, n) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// The most steps (page loads and submits after sign-in) each journey may
// take: registering is four (Sök person, the search, the hit's
// registration, Registrera).
const REGISTER_STEPS = 4;
const JOURNEY_1_STEPS = 12;
const JOURNEY_2_STEPS = 6;
// Journey 3: the case from the inbox, the home visit booked, the
// application signed, the assessment begun, the incomes checked with the
// agencies, the refusal signed, the decision opened and made, the letter.
const JOURNEY_3_STEPS = 10;

/**
 * openFromInbox follows the inbox's link to the case titled title and
 * checks that the case is still in its first step (firstStep).
 */
async function openFromInbox(page, title, firstStep) {
  await visit(page, '/inbox');
  const link = page.locator('main a').filter({ hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first();
  assert.equal(await link.count(), 1, `the inbox links to the case "${title}"`);
  const res = await navigate(page, () => link.click());
  assert.equal(res.status(), 200);
  assert.equal((await page.locator('h1').innerText()).trim(), title);
  assert.equal(await currentStep(page), firstStep,
    `the journey case "${title}" is not in its first step: run the journeys against a fresh demo server (scripts/browser-test.sh)`);
}

/** currentStep is the name of the case's current step. */
async function currentStep(page) {
  const li = page.locator('ol.steps li[aria-current="step"]');
  return (await li.evaluate((el) => el.firstChild.textContent)).trim();
}

/**
 * fillField types value into a text field of an htmx form and leaves it
 * with Tab, as an officer would; the change re-evaluates the form.
 */
async function fillField(page, field, value) {
  await htmxSettled(page, async () => {
    await field.fill(value);
    await field.press('Tab');
  });
}

/** choose selects value in an htmx form's select and waits for the form. */
async function choose(page, select, value) {
  await htmxSettled(page, () => select.selectOption(value));
}

/** tick ticks a checkbox (or radio button) of an htmx form. */
async function tick(page, box) {
  await htmxSettled(page, () => box.check());
}

/** press clicks an htmx form's button (Lägg till rad) and waits for the form. */
async function press(page, button) {
  await htmxSettled(page, () => button.click());
}

/** sign signs the form in the card and waits for the case page to load again. */
async function sign(page, card) {
  const res = await navigate(page, () => card.locator('form.sign button[type="submit"]').click());
  assert.equal(res.status(), 200, `signing ${await card.locator('h3').innerText()} answered ${res.status()}`);
  assert.equal(await page.locator('main [role="alert"]').count(), 0, 'signing showed no problem');
}

/** transition takes the case page's transition named name. */
async function transition(page, name, nextStep) {
  const button = page.locator('main ul.actions button', { hasText: name });
  assert.ok(await button.isEnabled(), `"${name}" can be taken (${await page.locator('main ul.actions').first().innerText()})`);
  const res = await navigate(page, () => button.click());
  assert.equal(res.status(), 200, `"${name}" answered ${res.status()}`);
  assert.equal(await page.locator('main [role="alert"]').count(), 0, `"${name}" showed no problem`);
  assert.equal(await currentStep(page), nextStep);
}

/** errorOf is the message shown next to the field with the given id ('' if none). */
async function errorOf(page, id) {
  const err = page.locator(`#${id}-error`);
  return (await err.count()) ? (await err.innerText()).trim() : '';
}

// Two journeys at a time (journey 1 beside the two shorter ones): they use
// different users and cases, and the file stays well inside the runner's
// time limit per file (--test-timeout applies to each file as a whole).
describe('journeys', { concurrency: 2 }, () => {
  test('journey 1: home care from registering the application to the decision letter', (t) => withPage(t, browser, async (page) => {
    // Signed in, on the inbox; the steps count from here.
    await visit(page, '/');
    assert.equal(new URL(page.url()).pathname, '/inbox', 'the officer lands on her inbox');
    const steps = countSteps(page);

    // The daughter's application came by mail: the officer finds her
    // mother by identity number and registers it, typing nothing but the
    // number. The registry's relations name the daughter.
    const { facts } = await registerFromSearch(page, mother.identity_number);
    assert.ok(steps.count <= REGISTER_STEPS, `registering took ${steps.count} steps (${steps.urls.join(', ')}), at most ${REGISTER_STEPS}`);
    const daughter = facts.match(/Ombud\s+(.+)/)?.[1]?.trim();
    assert.ok(daughter, `the registration page names the daughter as representative (${facts})`);
    assert.equal(await currentStep(page), 'Ansökan');
    const person = (await page.locator('main .crumbs a').first().innerText()).trim();
    assert.equal(person, `${mother.given_name} ${mother.family_name}`);
    const start = page.locator('main ul.actions button', { hasText: 'Påbörja utredning' });
    assert.ok(await start.isDisabled(), 'the investigation cannot start before the application is signed');

    // The application: filled in with the daughter as the representative.
    const app = page.locator('#form-ibic_ansokan');
    const repName = page.getByLabel('Företrädarens namn');
    const repRole = page.getByLabel(/^Företrädarens roll/);
    assert.equal(await page.getByLabel('Ansökan görs av').inputValue(), 'representative', 'the application is made by the representative');
    assert.equal(await repName.inputValue(), daughter, 'the representative is named as in the registry\'s relations');
    assert.equal(await repRole.inputValue(), 'Ombud');
    // Partly filled: the required fields left empty say so next to them.
    assert.match(await errorOf(page, 'f-ibic_ansokan-own_description'), /.+/, 'the empty description has a message');
    assert.equal((await app.locator('.form-head .tag').innerText()).trim(), 'Utkast');
    await checkA11y(page, 'the case page with the application partly filled');

    const representative = daughter;
    await tick(page, app.getByLabel('Hemtjänst', { exact: true }));
    await tick(page, app.getByLabel('Trygghetslarm', { exact: true }));
    await fillField(page, app.getByLabel(/^Din egen beskrivning/),
      'Jag föll i badrummet i januari och klarar inte duschen själv. Jag vill ha hjälp med dusch, städning och ett larm.');
    assert.equal(await page.locator('#f-ibic_ansokan-representative_name').inputValue(), representative, 'the typed name survives the re-rendering');
    assert.equal(await app.locator('.field-error').count(), 0, `no messages left: ${await app.locator('.field-error').allInnerTexts()}`);
    await sign(page, app);
    assert.equal((await app.locator('.form-head .tag').innerText()).trim(), 'Signerat');

    await transition(page, 'Påbörja utredning', 'Utredning');
    // The services applied for became draft decisions.
    const decisions = page.locator('section[aria-labelledby="dec-h"] ul.rows');
    assert.match(await decisions.innerText(), /Hemtjänst[\s\S]*Trygghetslarm|Trygghetslarm[\s\S]*Hemtjänst/);

    // The investigation: the assessment grid and a goal.
    const inv = page.locator('#form-ibic_utredning');
    await press(page, inv.getByRole('button', { name: 'Lägg till rad' }).first());
    await choose(page, inv.locator('#f-ibic_utredning-needs_assessment-0-code'), 'd4');
    await choose(page, inv.locator('#f-ibic_utredning-needs_assessment-0-qualifier'), '3');
    await fillField(page, inv.locator('#f-ibic_utredning-needs_assessment-0-text'), 'Går med rollator inomhus, kan inte gå i trappor.');
    await fillField(page, inv.getByLabel(/^Personens egen uppfattning/), '"Jag vill klara duschen själv igen."');
    await press(page, inv.locator('button[name="add_row"][value="goals"]'));
    await choose(page, inv.locator('#f-ibic_utredning-goals-0-need'), 'd4');
    await fillField(page, inv.locator('#f-ibic_utredning-goals-0-goal'), 'Klara duschen själv igen.');
    await htmxSettled(page, () => inv.locator('#f-ibic_utredning-goals-0-follow_up_by').fill('2027-03-01'));
    assert.equal(await inv.locator('.field-error').count(), 0, `no messages left: ${await inv.locator('.field-error').allInnerTexts()}`);
    // The grid's long area names fit a phone too.
    const desktop = page.viewportSize();
    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
    await page.setViewportSize(desktop);
    await sign(page, inv);
    await transition(page, 'Utredningen klar', 'Beslut');

    // The home-help decision: beyond the officer's delegation, then within it.
    await navigate(page, () => decisions.getByRole('link', { name: 'Hemtjänst', exact: true }).click());
    assert.match(await page.locator('h1').innerText(), /Hemtjänst/);
    await page.fill('#valid_from', today());
    await page.fill('#justification', `${person.split(' ')[0]} behöver hjälp med personlig hygien och städning efter fallet. Insatsen ger henne skälig levnadsnivå.`);
    // The extent is typed in hours per month, as she would say it.
    assert.match(await page.locator('label[for="amount"]').innerText(), /timmar per månad/);
    await page.fill('#amount', '80');
    const finalise = page.getByRole('button', { name: 'Fatta beslut' });
    let res = await navigate(page, () => finalise.click());
    assert.equal(res.status(), 403, 'making the decision beyond the delegation is refused');
    assert.match(await page.locator('main .delegation').innerText(), /saknar delegation/);
    assert.equal(await page.locator('#amount').inputValue(), '80', 'the draft keeps the amount');
    await checkA11y(page, 'the draft decision beyond the delegation');

    await page.fill('#amount', '24');
    res = await navigate(page, () => finalise.click());
    assert.equal(res.status(), 200);
    assert.equal(await page.locator('#amount').count(), 0, 'the decision is final: no longer a form');
    assert.match(await page.locator('main dl.facts').innerText(), /Omfattning\s+24 timmar per månad/);

    await navigate(page, () => page.getByRole('link', { name: /beslutsbrev/i }).click());
    const letter = await page.locator('article.letter').innerText();
    assert.ok(letter.includes(person), `the letter names ${person}`);
    assert.match(letter, /Du beviljas Hemtjänst[^\n]* med 24 timmar per månad från \d{4}-\d{2}-\d{2}\./);
    assert.doesNotMatch(letter, /Omfattning eller belopp|\b2400\b| h\b/, 'the letter says the extent in words');
    await checkA11y(page, 'the decision letter');
    t.diagnostic(`journey 1 took ${steps.count} steps: ${steps.urls.join(', ')}`);
    assert.ok(steps.count <= JOURNEY_1_STEPS, `journey 1 took ${steps.count} steps, at most ${JOURNEY_1_STEPS}`);
  }, { user: 'handlaggare' }));

  test('journey 3: economic assistance for the mother of two, a home visit booked from the case, one cost refused, the letter in kronor', (t) => withPage(t, browser, async (page) => {
    // Signed in, on the inbox; the steps count from here.
    await visit(page, '/');
    const steps = countSteps(page);
    await openFromInbox(page, CASE_3, 'Ansökan');
    const mother3 = await journeyPerson('ekonom', CASE_3);
    const home = `${mother3.address.street}, ${mother3.address.postal_code} ${mother3.address.city}`;
    // Closing the case is not a main button beside the way on.
    assert.equal(await page.locator('main ul.actions:not(.closing) button', { hasText: 'Avsluta' }).count(), 0);
    assert.match(await page.locator('main ul.actions.closing button', { hasText: 'Avsluta' }).getAttribute('class'), /secondary/);

    // A home visit booked from the case: the time she chooses, the
    // mother's address as the place, no free time published.
    const visitDay = addDays(today(), 4);
    await page.locator('details.visit-book summary').click();
    assert.equal(await page.locator('input[name="kind"][value="home"]').isChecked(), true, 'a home visit by default');
    assert.match(await page.locator('#visit-place-hint').innerText(), new RegExp(home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await page.fill('#visit-date', visitDay);
    await page.fill('#visit-start', '13:30');
    let res = await navigate(page, () => page.getByRole('button', { name: 'Boka mötet' }).click());
    assert.equal(res.status(), 200);
    assert.match(await page.locator('main [role="status"]', { hasText: 'Mötet är bokat' }).innerText(), /Mina sidor under Möten/);
    const meeting = await page.locator('section[aria-labelledby="meetings-h"] ul.meetings').innerText();
    assert.match(meeting, new RegExp(`${visitDay}, kl\\. 13\\.30`));
    assert.ok(meeting.includes(`Hembesök · ${home}`), `the visit is at her address: ${meeting}`);

    const app = page.locator('#form-eb_ansokan');
    const assistance = app.locator('#f-eb_ansokan-assistance');
    const calculation = app.locator('#f-eb_ansokan-calculation_text');
    const month = `${today().slice(0, 8)}01`;
    await htmxSettled(page, () => app.getByLabel(/^Månad som ansökan gäller/).fill(month));
    await tick(page, app.getByLabel('Försörjningsstöd', { exact: true }));

    // The household the registry knows, proposed in Swedish: she and her
    // children of 12 and 4, each ticked; one click adds them.
    const proposals = app.locator('fieldset.household');
    const proposed = await proposals.locator('label').allInnerTexts();
    assert.deepEqual(proposed.map((l) => l.replace(/^.*?, /, '').trim()), [
      '34 år – Ensamstående', '12 år – Barn (0–20 år, bor hemma)', '4 år – Barn (0–20 år, bor hemma)',
    ]);
    assert.equal(await proposals.locator('input:checked').count(), 3);
    await checkA11y(page, 'the application with the household proposed');
    await press(page, proposals.getByRole('button', { name: 'Lägg till de valda i hushållet' }));
    const rows = await app.locator('fieldset.row-box > legend').allInnerTexts();
    assert.equal(rows.length, 3, 'three rows in the household');
    assert.match(rows[0], /^Rad 1: .+, Ensamstående, 34 år$/);
    assert.match(rows[2], /^Rad 3: .+, Barn \(0–20 år, bor hemma\), 4 år$/);
    assert.doesNotMatch(rows.join(' '), /\b(single|child|couple)\b/, 'no codes');

    await fillField(page, app.getByLabel(/^Boendekostnad/), '7 500');
    await fillField(page, app.locator('#f-eb_ansokan-electricity'), '450');
    await fillField(page, app.getByLabel('Barnbidrag'), '2 500');
    // Norm 3 940 + 4 380 + 3 050 (personal) + 1 780 (common, three people)
    // + rent 7 500 + electricity 450 − child allowance 2 500.
    assert.equal((await assistance.innerText()).trim(), '18 600 kr');
    assert.equal(await app.locator('.field-error').count(), 0, `no messages left: ${await app.locator('.field-error').allInnerTexts()}`);
    await sign(page, app);
    await transition(page, 'Påbörja bedömning', 'Bedömning');

    // The officer checks the incomes with the agencies: the child
    // allowance she gave is what Försäkringskassan pays; nothing differs.
    res = await navigate(page, () => page.getByRole('button', { name: 'Hämta inkomstuppgifter' }).click());
    assert.equal(res.status(), 200);
    const income = page.locator('section[aria-labelledby="income-h"]');
    assert.match(await income.innerText(), /Barnbidrag: 2 500 kr, samma som i ansökan\./);
    assert.match(await income.locator('tfoot').innerText(), /Summa alla myndigheter\s+2 500 kr/);
    assert.equal(await income.locator('.tag.warning').count(), 0, 'nothing differs');
    assert.doesNotMatch(page.url(), /\d{8}-?\d{4}/, 'no identity number in the URL');
    await checkA11y(page, 'the income details beside the application');

    // The electricity is in the norm: the officer does not grant it. The
    // calculation marks it and leaves it out; signed again, the draft
    // decision follows.
    await tick(page, app.locator('input[name="refused_costs"][value="electricity"]'));
    assert.equal((await assistance.innerText()).trim(), '18 150 kr');
    const lines = (await calculation.innerText()).split('\n').map((l) => l.trim()).filter(Boolean);
    assert.deepEqual(lines.filter((l) => /^(Riksnorm|Boendekostnad|Hushållsel|Inkomster|Beräknat bistånd)/.test(l)), [
      'Riksnorm, personliga kostnader (3 personer): 11 370 kr',
      'Riksnorm, gemensamma hushållskostnader (3 personer): 1 780 kr',
      'Boendekostnad: 7 500 kr',
      'Hushållsel: 450 kr (avslag)',
      'Inkomster: −2 500 kr',
      'Beräknat bistånd: 18 150 kr',
    ]);
    await sign(page, app);

    // The decision: partly granted, the amount the calculation's, in
    // kronor, the dates and the appeal text of its legal basis filled in.
    const decisions = page.locator('section[aria-labelledby="dec-h"] ul.rows');
    // Decided for the month applied for: from its first day to its last.
    assert.match(await decisions.innerText(), /delvis beviljat · från [\d-]+ till [\d-]+ · 18 150 kr/);
    await navigate(page, () => decisions.getByRole('link', { name: 'Försörjningsstöd', exact: true }).click());
    assert.match(await page.locator('main .case-meta').innerText(), /Utkast/i);
    assert.ok(await page.locator('input[name="outcome"][value="partly"]').isChecked(), 'partly granted');
    assert.equal((await page.locator('#amount-text').innerText()).trim(), '18 150 kr');
    assert.equal(await page.locator('#amount').count(), 0, 'the amount is not typed: it is the calculation\'s');
    assert.equal(await page.locator('#valid_from').inputValue(), month);
    assert.match(await page.locator('#appeal_notice').inputValue(), /^Om du inte är nöjd med beslutet kan du överklaga det till förvaltningsrätten\./);
    assert.match(await page.locator('main pre.calc').innerText(), /Hushållsel: 450 kr \(avslag\)/);
    await page.fill('#justification', 'Hushållsel ingår i riksnormen för ett hushåll i lägenhet och beviljas inte utöver den.');
    await checkA11y(page, 'the draft decision, partly granted');
    res = await navigate(page, () => page.getByRole('button', { name: 'Fatta beslut' }).click());
    assert.equal(res.status(), 200);
    assert.match(await page.locator('main dl.facts').innerText(), /Belopp\s+18 150 kr/);
    // The calculation wraps on a phone rather than widening the page.
    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
    await page.setViewportSize({ width: 1280, height: 900 });

    await navigate(page, () => page.getByRole('link', { name: /beslutsbrev/i }).click());
    const letter = await page.locator('article.letter').innerText();
    assert.match(letter, new RegExp(`Du beviljas delvis Försörjningsstöd med 18 150 kr från ${month} till ${month.slice(0, 8)}\\d{2}\\.`));
    assert.match(letter, /Hushållsel: 450 kr \(avslag\)/);
    assert.match(letter, /Beräknat bistånd: 18 150 kr/);
    assert.match(letter, /Så överklagar du/);
    assert.doesNotMatch(letter, /\böre\b|1815000|Omfattning eller belopp/, 'the letter says kronor');
    await checkA11y(page, 'the decision letter');
    t.diagnostic(`journey 3 took ${steps.count} steps: ${steps.urls.join(', ')}`);
    assert.ok(steps.count <= JOURNEY_3_STEPS, `journey 3 took ${steps.count} steps, at most ${JOURNEY_3_STEPS}`);
  }, { user: 'ekonom' }));

  test('journey 2: a report from the school, registered, then a screening that needs its reasons', (t) => withPage(t, browser, async (page) => {
    await visit(page, '/');
    const steps = countSteps(page);
    // The school's report came in three days ago; the duty officer
    // registers it today as received then.
    const received = addDays(today(), -3);
    await registerFromSearch(page, child.identity_number, { caseType: 'Barn och unga (BBIC) – Barn och unga Norra', received });
    assert.ok(steps.count <= REGISTER_STEPS, `registering took ${steps.count} steps (${steps.urls.join(', ')}), at most ${REGISTER_STEPS}`);
    assert.equal(await currentStep(page), 'Anmälan / aktualisering');
    // The screening's 14 days count from the day the report came in.
    const screening14 = page.locator('section[aria-labelledby="dl-h"] li', { hasText: 'Förhandsbedömning inom 14 dagar' });
    assert.match(await screening14.innerText(), new RegExp(addDays(received, 14)), 'the screening is due 14 days after the report came in');
    const report = page.locator('#form-bbic_anmalan');
    assert.equal(await report.getByLabel(/^Anmälan inkom/).inputValue(), received, 'the report says the day it came in');
    await choose(page, report.getByLabel(/^Vem anmäler/), { label: 'Skola' });
    await fillField(page, report.getByLabel(/^Anmälarens namn/), 'Rektor, Norra skolan, 08-123 45 67');
    await fillField(page, report.getByLabel(/^Vad oron gäller/), 'Eleven kommer ofta hungrig till skolan och har varit frånvarande mycket.');
    await tick(page, report.getByRole('group', { name: /^Misstanke om våld/ }).getByLabel('Nej'));
    await tick(page, report.getByRole('group', { name: /^Skyddsbedömning gjord samma dag/ }).getByLabel('Ja'));
    await fillField(page, report.getByLabel(/^Skyddsbedömningen/), 'Inget akut skyddsbehov; föräldrarna nås samma dag.');
    assert.equal(await report.locator('.field-error').count(), 0, `no messages left: ${await report.locator('.field-error').allInnerTexts()}`);
    await sign(page, report);
    await transition(page, 'Påbörja förhandsbedömning', 'Förhandsbedömning');

    // Not opening an investigation needs its reasons, said next to the field.
    const screening = page.locator('#form-bbic_forhandsbedomning');
    const reasonsId = 'f-bbic_forhandsbedomning-reasons';
    assert.equal(await page.locator(`#${reasonsId}`).count(), 0, 'no reasons field before the decision');
    await choose(page, screening.getByLabel(/^Beslut/), { label: 'Inte inleda utredning' });
    const reasons = page.locator(`#${reasonsId}`);
    assert.ok(await reasons.isVisible(), 'the reasons field appears');
    assert.match(await screening.locator(`label[for="${reasonsId}"]`).innerText(), /obligatoriskt/, 'the reasons are marked as required');
    assert.match(await errorOf(page, reasonsId), /.+/, 'the empty reasons have a message next to the field');
    assert.equal(await reasons.getAttribute('aria-invalid'), 'true');
    assert.match(await reasons.getAttribute('aria-describedby'), new RegExp(`\\b${reasonsId}-error\\b`), 'the message is tied to the field');
    assert.ok(await page.locator('main ul.actions button', { hasText: 'Inled inte utredning' }).isDisabled(),
      'the case cannot be closed without investigation before the screening is signed');

    await fillField(page, reasons, 'Familjen har redan stöd från elevhälsan; oron är omhändertagen.');
    assert.equal(await errorOf(page, reasonsId), '', 'the message goes once the reasons are written');
    t.diagnostic(`journey 2 took ${steps.count} steps: ${steps.urls.join(', ')}`);
    assert.ok(steps.count <= JOURNEY_2_STEPS, `journey 2 took ${steps.count} steps, at most ${JOURNEY_2_STEPS}`);
  }, { user: 'utredare' }));
});

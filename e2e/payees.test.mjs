// Payees and their accounts: the economic-assistance officer goes from
// journey 3's mother's person page to her payee, types a clearing number
// no bank has (refused in plain Swedish, at the field and in the error
// summary), then her new Bankgiro number; the change waits for review.
// The team lead finds it under "Kontoändringar att granska" and reviews
// it. Steps are counted as ../shared/JOURNEYS.md counts them, every page
// passes axe, and the payee page fits a 375 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, journeyPerson, PHONE,
} from './lib.mjs';

const CASE_3 = 'Ansökan om ekonomiskt bistånd, mars';
const NEW_BANKGIRO = '5402-9681';

let browser;
let mother;
before(async () => {
  browser = await launch();
  mother = await journeyPerson('ekonom', CASE_3);
});
after(async () => { await browser?.close(); });

test('the officer changes an account and a team lead reviews it', async (t) => {
  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, `/persons/${mother.id}`);
    await navigate(page, () => page.getByRole('link', { name: 'Betalningsmottagare', exact: true }).last().click());
    assert.match(new URL(page.url()).pathname, /^\/payees\/[0-9a-f-]+$/, 'the person page leads to her payee');
    assert.equal(await page.locator('main h1').innerText(), `${mother.given_name} ${mother.family_name}`);
    await checkA11y(page, 'the payee page');

    // A clearing number no bank has: refused, said in Swedish, nothing saved.
    await page.getByLabel('Typ av konto').selectOption('bank_account');
    await page.getByLabel('Clearingnummer').fill('1000');
    await page.getByLabel('Kontonummer', { exact: true }).fill('1234567');
    await navigate(page, () => page.getByRole('button', { name: 'Spara nytt konto' }).click());
    const summary = page.locator('main .error[role="alert"]');
    assert.match(await summary.innerText(), /Ingen bank har clearingnummer 1000\./, 'the error summary says what is wrong');
    assert.equal(await summary.locator('a[href="#acc-clearing"]').count(), 1, 'and links to the field');
    assert.equal(await page.getByLabel('Clearingnummer').getAttribute('aria-invalid'), 'true');
    assert.ok(!page.url().includes('1234567'), 'the number is not in the address');
    await checkA11y(page, 'the payee page with a refused account');

    // Her new Bankgiro number.
    await page.getByLabel('Typ av konto').selectOption('bankgiro');
    await page.getByLabel('Clearingnummer').fill('');
    await page.getByLabel('Kontonummer', { exact: true }).fill(NEW_BANKGIRO);
    await navigate(page, () => page.getByRole('button', { name: 'Spara nytt konto' }).click());
    assert.match(await page.locator('main [role="status"]').innerText(), /väntar på granskning/);
    const log = page.locator('main table tbody tr').first();
    assert.match(await log.innerText(), new RegExp(`${NEW_BANKGIRO}[\\s\\S]*Emir Ekonom[\\s\\S]*Väntar på granskning`));
    assert.ok(!page.url().includes('5402'), 'no account number in the address');
    await checkA11y(page, 'the payee page after the change');
    assert.ok(steps.count <= 4, `the officer's change took ${steps.count} steps: ${steps.urls.join(', ')}`);

    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
  }, { user: 'ekonom' });

  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, '/inbox');
    steps.reset();
    await navigate(page, () => page.locator('header nav a[href="/payees"]').click());
    await checkA11y(page, 'Betalningsmottagare');
    await navigate(page, () => page.getByRole('link', { name: 'Kontoändringar att granska' }).click());
    await checkA11y(page, 'Kontoändringar att granska');
    const row = page.locator('main li.row', { hasText: NEW_BANKGIRO });
    assert.equal(await row.count(), 1, 'the officer\'s change waits for review');
    assert.match(await row.innerText(), /Ändrat av Emir Ekonom/);
    await navigate(page, () => row.getByRole('button', { name: /Granskad/ }).click());
    assert.match(await page.locator('main [role="status"]').innerText(), /Ändringen är granskad\./);
    assert.equal(await page.locator('main li.row', { hasText: NEW_BANKGIRO }).count(), 0, 'it is no longer waiting');
    await checkA11y(page, 'after the review');
    assert.ok(steps.count <= 3, `the review took ${steps.count} steps: ${steps.urls.join(', ')}`);
    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
  }, { user: 'arbetsledare' });
});

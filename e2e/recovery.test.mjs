// Recovery (återkrav): the economic-assistance officer opens journey 3's
// case from the inbox, goes to Återkrav, types an amount that is no
// amount (refused at the field, with what was typed), decides a recovery
// of 2 500 kr on SoL 9 kap. 2 §, then registers a repayment: more than is
// left is refused at the field, 1 000 kr is registered and the balance
// says 1 500 kr. The legal bases are the pack's; the case's paid payments
// are offered to tick (the demo's case has none paid yet, and says so).
// Steps are counted as ../shared/JOURNEYS.md counts them, every page
// passes axe, and the page fits a 375 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, countSteps, PHONE,
} from './lib.mjs';

const CASE_3 = 'Ansökan om ekonomiskt bistånd, mars';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the officer decides a recovery and registers a repayment', async (t) => {
  await withPage(t, browser, async (page) => {
    const steps = countSteps(page);
    await visit(page, '/inbox');
    steps.reset();
    await navigate(page, () => page.getByRole('link', { name: CASE_3 }).first().click());
    assert.equal(await page.locator('#recovery-h').innerText(), 'Återkrav', 'the case page has a section Återkrav');
    await navigate(page, () => page.getByRole('link', { name: 'Besluta om återkrav eller registrera återbetalningar' }).click());
    assert.equal(await page.locator('main h1').innerText(), 'Återkrav');
    assert.equal(await page.getByRole('radio').count(), 2, 'the pack\'s two legal bases');
    assert.ok(await page.getByLabel(/SoL 9 kap\. 1 § – utbetalt på grund av oriktiga uppgifter/).isChecked(), 'the first is chosen');
    assert.match(await page.locator('#recovery-payments-hint').innerText(), /Inga utbetalningar i ärendet har betalats ut än\./);
    await checkA11y(page, 'the recovery page');

    // An amount that is no amount: refused at the field, nothing decided.
    await page.locator('#recovery-amount').fill('två tusen');
    await page.getByLabel(/SoL 9 kap\. 2 §/).check();
    await page.locator('#recovery-reason').fill('Bostadstillägget för mars betalades ut i efterhand.');
    await navigate(page, () => page.getByRole('button', { name: 'Besluta om återkrav' }).click());
    assert.equal(await page.locator('#recovery-amount').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#recovery-amount-error').innerText(), /Skriv beloppet som ska betalas tillbaka, mer än 0 kronor\./);
    assert.equal(await page.locator('#recovery-amount').inputValue(), 'två tusen', 'what was typed is kept');
    assert.ok(await page.getByLabel(/SoL 9 kap\. 2 §/).isChecked(), 'and the legal basis chosen');
    assert.equal(await page.locator('article.recovery-debt').count(), 0, 'nothing was decided');
    await checkA11y(page, 'the recovery page with a refused amount');

    await page.locator('#recovery-amount').fill('2 500');
    await navigate(page, () => page.getByRole('button', { name: 'Besluta om återkrav' }).click());
    assert.match(await page.locator('main [role="status"]').innerText(), /Beslutet om återkrav är fattat\./);
    const debt = page.locator('article.recovery-debt');
    assert.equal(await debt.count(), 1);
    assert.match(await debt.innerText(), /SoL 9 kap\. 2 § – utbetalt som förskott/);

    // More than is left: refused at the field; then 1 000 kr.
    const amount = debt.locator('input[name="amount"]');
    await amount.fill('3 000');
    await navigate(page, () => debt.getByRole('button', { name: 'Registrera återbetalningen' }).click());
    assert.equal(await page.locator('article.recovery-debt input[name="amount"]').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('article.recovery-debt .field-error').innerText(), /Beloppet är större än det som är kvar av skulden\./);
    await checkA11y(page, 'the recovery page with a refused repayment');
    await page.locator('article.recovery-debt input[name="amount"]').fill('1 000');
    await navigate(page, () => page.getByRole('button', { name: 'Registrera återbetalningen' }).click());
    assert.match(await page.locator('main [role="status"]').innerText(), /Återbetalningen är registrerad\./);
    assert.match(await page.locator('article.recovery-debt').innerText(), /Kvar att betala\s+1\s500 kr/);
    assert.match(await page.locator('main').innerText(), /Kvar att betala sammanlagt:\s+1\s500 kr/);
    await checkA11y(page, 'the recovery page after the repayment');
    assert.ok(steps.count <= 6, `the recovery took ${steps.count} steps: ${steps.urls.join(', ')}`);

    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
  }, { user: 'ekonom' });
});

// Journey 5, a district changes its own form (see ../shared/JOURNEYS.md):
// the process designer adds a local question to BBIC's screening form for
// her district's children and young people (Barn och unga Norra), on top
// of the city's shared method. She writes the local form as a new file,
// names her unit in a variant of the case type, sees the checker's
// problem with the unit id she mistyped, jumps to its line, puts the right
// id in from the list of units, previews the form as an officer in her
// unit and in another district's, and publishes. Every page passes axe;
// steps (page loads and submits after sign-in) are counted.
//
// It publishes a new version: run it against a fresh server
// (scripts/browser-test.sh starts one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, visit, signIn, navigate, checkA11y, htmxSettled } from './lib.mjs';

/** The most steps the journey may take, from Processer to published. */
const MAX_STEPS = 10;

const LOCAL_FILE = 'norra/forhandsbedomning.yaml';
const LOCAL_FORM = `kind: form
id: bbic_forhandsbedomning_norra
name: {sv: Förhandsbedömning (Norra), en: Screening (North)}
extends: bbic_forhandsbedomning
sections:
  - id: norra
    label: {sv: Norra området, en: The north district}
    fields:
      - {id: elevhalsa, type: yes_no, label: {sv: Har elevhälsan kontaktats, en: Has the school health service been contacted}}
`;
const QUESTION = 'Har elevhälsan kontaktats';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** caret is the editor's selection: its line (from 1) and the selected text. */
function caret(page) {
  return page.$eval('#editor', (t) => ({
    line: t.value.slice(0, t.selectionStart).split('\n').length,
    selected: t.value.slice(t.selectionStart, t.selectionEnd),
    focused: document.activeElement === t,
  }));
}

/** summary is the problems' summary line. */
async function summary(page) {
  return (await page.locator('#problem-summary').innerText()).trim();
}

test('journey 5: a local question for one district, a problem at its line, the preview as an officer in two units, published', (t) => withPage(t, browser, async (page) => {
  let steps = 0;
  const step = async (action) => { steps++; return navigate(page, action); };
  await signIn(page, 'designer');
  if (new URL(page.url()).pathname !== '/designer') {
    steps++;
    await visit(page, '/designer');
  }
  assert.equal(await page.locator('h1').innerText(), 'Processer');

  // The working draft: empty, so it starts from the published version.
  await step(() => page.locator('main a[href="/designer/draft"]').first().click());
  assert.match(await page.locator('.notice').first().innerText(), /Utkastet är tomt/,
    'the draft is empty at the start: run the journey against a fresh demo server (scripts/browser-test.sh)');
  assert.equal(await summary(page), 'Inga problem. Utkastet kan publiceras.');
  await checkA11y(page, '/designer/draft');

  // 1. The local form, a new file that extends the city's screening form.
  await page.fill('#new-name', LOCAL_FILE);
  await htmxSettled(page, () => page.fill('#new-content', LOCAL_FORM));
  assert.equal(await summary(page), 'Inga problem. Utkastet kan publiceras.');
  await step(() => page.locator('fieldset.designer-new button[type="submit"]').click());
  assert.match(await page.locator('.designer-ok').innerText(), /Utkastet är sparat/);
  assert.equal(await page.locator('label[for="editor"]').innerText(), LOCAL_FILE, 'the new file is open in the editor');

  // 2. The case type, one file among the draft's: her unit in a variant,
  // its id mistyped.
  await step(() => page.locator('nav.designer-files button').filter({ hasText: 'bbic/case_type.yaml' }).click());
  assert.equal(await page.locator('label[for="editor"]').innerText(), 'bbic/case_type.yaml');
  await checkA11y(page, 'the case type in the editor');
  const editor = page.locator('#editor');
  await editor.focus();
  await page.keyboard.press('Control+End');
  const end = await editor.evaluate((t) => t.value.endsWith('\n'));
  await htmxSettled(page, () => page.keyboard.type(`${end ? '' : '\n'}variants:\n  - units: [norra-bu]\n    forms: {bbic_forhandsbedomning: bbic_forhandsbedomning_norra}\n`));
  assert.equal(await summary(page), '1 problem.');
  const problem = page.locator('#problems a.designer-goto');
  assert.match(await problem.innerText(), /^bbic\/case_type\.yaml:\d+:\d+: Enheten "norra-bu" finns inte i kommunen/);
  const line = Number(await problem.getAttribute('data-line'));
  // The line numbers beside the editor reach the new lines.
  const numbers = (await page.locator('.designer-gutter').innerText()).trim().split('\n');
  const lines = await editor.evaluate((t) => t.value.split('\n').length);
  assert.ok(numbers.length >= lines && numbers[line - 1] === String(line), `line numbers ${numbers.length} for ${lines} lines`);

  // 3. The problem's link jumps to its line, the wrong id selected.
  await problem.click();
  assert.deepEqual(await caret(page), { line, selected: 'norra-bu', focused: true });
  assert.ok(await editor.evaluate((t) => {
    const r = t.getBoundingClientRect();
    return r.top < window.innerHeight && r.bottom > 0;
  }), 'the editor is in view');

  // 4. The right id from the list of the municipality's units.
  const units = page.locator('details.designer-units');
  if (!(await units.evaluate((d) => d.open))) await units.locator('summary').click();
  const row = units.locator('li').filter({ has: page.locator('code', { hasText: /^norra-bou$/ }) });
  assert.match(await row.innerText(), /Barn och unga Norra/);
  await htmxSettled(page, () => row.locator('button.designer-insert').click());
  assert.match(await editor.inputValue(), /units: \[norra-bou\]/);
  assert.equal(await summary(page), 'Inga problem. Utkastet kan publiceras.');
  await checkA11y(page, 'the case type with the variant');
  await step(() => page.locator('.designer-file button[type="submit"]').click());
  assert.match(await page.locator('.designer-ok').innerText(), /Utkastet är sparat/);

  // 5. The preview as an officer in her unit, then in another district's.
  await step(() => page.locator('.designer-file a[href="/designer/preview"]').click());
  await page.selectOption('#pv-form', 'bbic_forhandsbedomning');
  await page.selectOption('#pv-type', 'bbic_barn');
  await page.selectOption('#pv-unit', 'norra-bou');
  await step(() => page.click('form[action="/designer/preview"] button[type="submit"]'));
  assert.match(await page.locator('main').innerText(), new RegExp(QUESTION));
  assert.match(await page.locator('.notice[role="status"]').innerText(), /En handläggare på Barn och unga Norra fyller i varianten Förhandsbedömning \(Norra\)/);
  await checkA11y(page, 'the preview as an officer in Norra');
  await page.selectOption('#pv-unit', 'sodra-bou');
  await step(() => page.click('form[action="/designer/preview"] button[type="submit"]'));
  assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(QUESTION), 'another district sees no change');
  assert.match(await page.locator('.notice[role="status"]').innerText(), /Barn och unga Södra fyller i formuläret som det är/);

  // 6. Back to the draft, and published with a note.
  await step(() => page.locator('.crumbs a[href="/designer/draft"]').click());
  await page.fill('#note', 'Lokal fråga om elevhälsan för Barn och unga Norra');
  await step(() => page.click('button[formaction="/designer/draft/publication"]'));
  assert.equal(new URL(page.url()).pathname, '/designer');
  const published = await page.locator('.designer-ok').innerText();
  const version = published.match(/Version (\d+) är publicerad/)?.[1];
  assert.ok(version, `published: ${published}`);
  const newest = page.locator('table tbody tr').first();
  assert.match(await newest.innerText(), /Vera Verksamhetsutvecklare/, 'the version is hers');
  assert.match(await newest.innerText(), /Lokal fråga om elevhälsan/);
  await checkA11y(page, '/designer after publishing');

  assert.ok(steps <= MAX_STEPS, `the journey took ${steps} steps, want at most ${MAX_STEPS}`);
  t.diagnostic(`journey 5: ${steps} steps after sign-in`);
}));

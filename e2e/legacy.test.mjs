// Moving a district in from the legacy system (journey 12), in the
// browser: the demo's system administrator signs in, opens "Tidigare
// system", dry-runs the synthetic export of Södra that `serve --demo`
// wrote, reads the report (refused records with their reasons in
// Swedish, narrowed to the refused, downloaded as CSV), imports, and
// reconciles with 0 unexplained differences. Then an officer of Södra's
// elderly care (made through the API: the demo names no Södra officer)
// finds a person the export had and sees the imported case with the day
// it was opened in the old system. Steps are counted as
// ../shared/JOURNEYS.md counts them, every page passes axe, and the pages
// fit a 375 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BASE_URL, DEMO_PASSWORD, launch, withPage, signIn, navigate, checkA11y, assertNoHorizontalScroll, countSteps, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const OFFICER = { username: 'sodra-flytt', password: 'Lingon-Hamnkran-4729!' };

/** parseCSV reads a ';' separated file with a header (RFC 4180 quotes) into objects. */
function parseCSV(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  text = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [header, ...data] = rows.filter((r) => r.length > 1);
  return data.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** waitForRun waits until the export's page says the run has ended with text. */
async function waitForRun(page, text) {
  await page.locator('main .notice.success, main .error').filter({ hasText: text }).first().waitFor({ timeout: 90_000 });
  assert.equal(await page.locator('#legacy-export[hx-trigger]').count(), 0, 'the page stops refreshing itself when the run has ended');
}

/** asAdmin posts JSON to the API as the demo's system administrator. */
async function postAsAdmin(p, body) {
  const s = await fetch(`${BASE_URL}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: DEMO_PASSWORD }),
  });
  assert.equal(s.status, 201, 'the administrator signs in through the API');
  const { token } = await s.json();
  const r = await fetch(`${BASE_URL}/api/v1${p}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body),
  });
  assert.equal(r.status, 201, `POST /api/v1${p}: ${await r.clone().text()}`);
  return r.json();
}

test('the system administrator moves Södra in, and an officer finds an imported case', async (t) => {
  let folder;
  await withPage(t, browser, async (page) => {
    await signIn(page, 'admin');
    const steps = countSteps(page);

    // Tidigare system: the demo's export of Södra with its manifest.
    await navigate(page, () => page.getByRole('navigation').getByRole('link', { name: 'Tidigare system', exact: true }).click());
    assert.equal((await page.locator('h1').innerText()).trim(), 'Tidigare system');
    folder = (await page.locator('#legacy-dir').innerText()).trim();
    const row = page.locator('main table tbody tr').filter({ has: page.getByRole('link', { name: 'S', exact: true }) });
    assert.match(await row.innerText(), /Socialregistret/);
    await checkA11y(page, 'Tidigare system');

    await navigate(page, () => row.getByRole('link', { name: 'S', exact: true }).click());
    assert.equal((await page.locator('h1').innerText()).trim(), 'Export S');
    assert.match(await page.locator('main').innerText(), /Exportens kontrollsummor[\s\S]*Personer\s+\d+/);
    assert.ok(await page.getByRole('button', { name: 'Importera' }).isDisabled(), 'Importera waits for a dry run');
    await checkA11y(page, 'the export');

    // Provkör: followed on the page until it ends.
    await navigate(page, () => page.getByRole('button', { name: 'Provkör' }).click());
    await checkA11y(page, 'the dry run in progress or done');
    await waitForRun(page, 'Provkörningen är klar.');
    assert.ok(await page.getByRole('button', { name: 'Importera' }).isEnabled(), 'Importera is offered after the dry run');

    // The report: counts per kind and outcome, the refused with reasons.
    await navigate(page, () => page.getByRole('link', { name: 'Läs rapporten' }).click());
    assert.equal((await page.locator('h1').innerText()).trim(), 'Provkörning: Socialregistret S');
    const counts = await page.locator('main table').first().innerText();
    assert.match(counts, /Personer/);
    assert.match(counts, /Avvisade/);
    await checkA11y(page, 'the dry run report');
    await page.selectOption('#legacy-outcome', { label: 'Avvisade' });
    await navigate(page, () => page.getByRole('button', { name: 'Visa', exact: true }).click());
    const refused = page.locator('table.legacy-items tbody tr');
    assert.ok(await refused.count() > 0, 'the dry run refuses records');
    for (const r of await refused.all()) {
      const cells = await r.locator('td, th').allInnerTexts();
      // kind, file, line, legacy id, outcome, reason, detail
      assert.equal(cells[4].trim(), 'Avvisade');
      assert.match(cells[1], /\.csv$/, 'each row names its file');
      assert.ok(cells[5].trim().length > 10 && !/_/.test(cells[5]), `the reason is said in Swedish: "${cells[5]}"`);
    }
    assert.match(await page.locator('table.legacy-items').innerText(), /Koden finns inte i mappningen\./);
    await checkA11y(page, 'the refused records');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Ladda ned rapporten (CSV)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^legacy-dry_run-S-\d{8}-\d{6}\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    assert.match(csv, /^file;line;legacy_id;kind;outcome;reason;detail\n/);
    assert.match(csv, /;refused;unknown_code;/);

    // Importera, then Stäm av.
    await navigate(page, () => page.locator('.crumbs').getByRole('link', { name: 'Export S' }).click());
    await navigate(page, () => page.getByRole('button', { name: 'Importera' }).click());
    await waitForRun(page, 'Importen är klar.');
    await checkA11y(page, 'the import done');
    await navigate(page, () => page.getByRole('button', { name: 'Stäm av' }).click());
    await waitForRun(page, 'Avstämningen är klar.');
    await navigate(page, () => page.getByRole('link', { name: 'Visa avstämningen' }).click());
    assert.equal((await page.locator('h1').innerText()).trim(), 'Avstämning: Socialregistret S');
    assert.equal((await page.locator('#legacy-verdict').innerText()).trim(), '0 oförklarade skillnader');
    assert.match(await page.locator('main').innerText(), /Checklista för bytesdagen/);
    await checkA11y(page, 'the reconciliation');
    assert.ok(steps.count <= 9, `moving Södra in took ${steps.count} steps: ${steps.urls.join(', ')}`);
    t.diagnostic(`administrator: ${steps.count} steps`);

    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
    await navigate(page, () => page.locator('.crumbs').getByRole('link', { name: 'Export S' }).click());
    await assertNoHorizontalScroll(page);
    await checkA11y(page, 'the export on a phone');
  });

  // An officer of Södra's elderly care, and a case of the export.
  await postAsAdmin('/users', {
    username: OFFICER.username, display_name: 'Siv Södra', password: OFFICER.password,
    grants: [{ role: 'handlaggare', unit_id: 'sodra-ao' }],
  });
  const persons = parseCSV(await readFile(path.join(folder, 'S', 'persons.csv'), 'utf8'));
  const times = new Map();
  for (const p of persons) times.set(p.identity, (times.get(p.identity) || 0) + 1);
  const plain = new Map(persons
    .filter((p) => /^(19|20)\d{6}-\d{4}$/.test(p.identity) && !p.previous_identity && p.protected !== 'J' && times.get(p.identity) === 1)
    .map((p) => [p.legacy_id, p]));
  const kase = parseCSV(await readFile(path.join(folder, 'S', 'cases.csv'), 'utf8'))
    .find((c) => c.unit === 'S-ÄO' && c.case_type === 'ÄO' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(c.opened) && plain.has(c.person));
  assert.ok(kase, 'the export has a case in S-ÄO whose person has a plain personnummer');
  const person = plain.get(kase.person);

  await withPage(t, browser, async (page) => {
    await signIn(page, OFFICER.username, OFFICER.password);
    const steps = countSteps(page);
    await navigate(page, () => page.getByRole('navigation').getByRole('link', { name: 'Sök person' }).click());
    await page.fill('#query', person.identity);
    await navigate(page, () => page.click('form[action="/persons/search"] button[type="submit"]'));
    const hit = page.locator('main ul.rows li');
    assert.equal(await hit.count(), 1, 'the search finds the imported person');
    await navigate(page, () => hit.locator('.row-main a').click());
    assert.equal((await page.locator('h1').innerText()).trim(), `${person.given_name} ${person.family_name}`);
    const row = page.locator('main ul.rows li').filter({ hasText: `Inflyttat från tidigare system (Socialregistret/S, ${kase.legacy_id})` });
    assert.equal(await row.count(), 1, `the person page shows case ${kase.legacy_id} as moved in`);
    assert.match(await row.innerText(), new RegExp(`öppnat ${kase.opened.slice(0, 10)}`), 'the case keeps the day it was opened');
    await checkA11y(page, 'the imported person');
    await navigate(page, () => row.locator('.row-main > a').click());
    assert.match(await page.locator('.case-meta').innerText(), new RegExp(`öppnat ${kase.opened.slice(0, 10)}`), 'the case page has the old system\'s date');
    await checkA11y(page, 'the imported case');
    assert.ok(steps.count <= 4, `finding the imported case took ${steps.count} steps: ${steps.urls.join(', ')}`);
    t.diagnostic(`officer: ${steps.count} steps`);
    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
  });
});

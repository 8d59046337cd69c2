// Journey 1's daily path for those who use no mouse or no big screen.
//
// With the keyboard alone: sign in (the officer lands on her inbox), go to
// "Sök person", find the woman of journey 1 by identity number, register
// her application from the hit, and on the new case write a journal note
// and sign it. Nothing is clicked or filled by the test: only Tab,
// Shift+Tab, Enter and typing, and every step asserts where the focus is
// (document.activeElement). Every control the focus reaches must show a
// focus indicator that stands out from what is around it (WCAG 2.4.7, and
// 3:1 as in 1.4.11).
//
// On a phone (375×740): the inbox, the case, the person's page and the
// registration page fit the width and pass axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, visit, navigate, checkA11y, assertNoHorizontalScroll, DEMO_PASSWORD, PHONE,
  countSteps, journeyPerson,
} from './lib.mjs';

const CASE_1 = 'Ansökan om hemtjänst och trygghetslarm';

let browser;
// The woman of journey 1, whose application the officer registers.
let mother;
before(async () => {
  browser = await launch();
  mother = await journeyPerson('handlaggare', CASE_1);
});
after(async () => { await browser?.close(); });

// The title a registered home-care application gets (its case type's).
const REGISTERED = 'Ansökan om stöd och hjälp i hemmet';
// The most steps (page loads and submits after sign-in) from the inbox to
// the signed journal note: Sök person, the search, the registration,
// Registrera, the note, its signature.
const KEYBOARD_STEPS = 6;

/**
 * focused describes document.activeElement: what it is, its text, and its
 * focus indicator (outline or box-shadow) with the indicator's best
 * contrast against the background behind the element. An outline of
 * style "auto" is the browser's own two-tone focus ring and counts as
 * visible.
 */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', desc: 'body', indicator: 'none', contrast: 0 };
    const rgb = (s) => (s.match(/rgba?\([^)]*\)/g) || []).map((c) => c.match(/[\d.]+/g).map(Number))
      .filter((c) => c.length < 4 || c[3] > 0);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    let bg = [255, 255, 255];
    for (let p = el.parentElement; p; p = p.parentElement) {
      const c = rgb(getComputedStyle(p).backgroundColor);
      if (c.length) { bg = c[0]; break; }
    }
    const cs = getComputedStyle(el);
    const colors = [];
    let indicator = 'none';
    if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) {
      indicator = `outline ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`;
      if (cs.outlineStyle === 'auto') colors.push(null);
      else colors.push(...rgb(cs.outlineColor));
    }
    if (cs.boxShadow !== 'none') {
      indicator += ` box-shadow ${cs.boxShadow}`;
      colors.push(...rgb(cs.boxShadow));
    }
    const contrast = Math.max(0, ...colors.map((c) => (c ? ratio(c, bg) : 21)));
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 60);
    const desc = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.getAttribute('href') ? `[href=${el.getAttribute('href')}]` : ''} "${text}"`;
    return { tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href'), text, desc, indicator, contrast };
  });
}

/** assertIndicator fails unless the focused element shows a focus indicator of 3:1. */
function assertIndicator(f) {
  assert.notEqual(f.indicator, 'none', `${f.desc} has no visible focus indicator`);
  assert.ok(f.contrast >= 3, `the focus indicator of ${f.desc} (${f.indicator}) has contrast ${f.contrast.toFixed(2)}:1 with the background, under 3:1`);
}

/** tab presses Tab (or Shift+Tab) once and checks the indicator of what gets focus. */
async function tab(page, { back = false } = {}) {
  await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  const f = await focused(page);
  assertIndicator(f);
  return f;
}

/**
 * tabTo presses Tab (or Shift+Tab) until want(focused) holds, checking the
 * focus indicator of every element on the way; it fails after max steps.
 */
async function tabTo(page, want, what, { back = false, max = 80 } = {}) {
  const path = [];
  for (let i = 0; i < max; i++) {
    const f = await tab(page, { back });
    path.push(f.desc);
    if (want(f)) return { focus: f, steps: i + 1 };
  }
  assert.fail(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} did not reach ${what}; focus went: ${path.join(' → ')}`);
}

/** skipToMain checks that the first Tab stop is the skip link and that Enter on it focuses <main>. */
async function skipToMain(page) {
  const f = await tab(page);
  assert.equal(f.href, '#main', `the first Tab stop on ${new URL(page.url()).pathname} is the skip link (was ${f.desc})`);
  const box = await page.evaluate(() => document.activeElement.getBoundingClientRect().toJSON());
  assert.ok(box.x >= 0 && box.y >= 0 && box.width > 0, 'the focused skip link is on screen');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', 'Enter on the skip link moves focus to <main>');
}

test('keyboard only: sign in, register a home-care application from Sök person, write and sign a journal note', (t) => withPage(t, browser, async (page) => {
  const steps = countSteps(page);
  // Sign in: the username field has focus (or is reached with Tab).
  await visit(page, '/login');
  if ((await focused(page)).id !== 'username') {
    await tabTo(page, (f) => f.id === 'username', 'the username field', { max: 15 });
  }
  await page.keyboard.type('handlaggare');
  assert.equal((await tab(page)).id, 'password', 'Tab moves from the username to the password');
  await page.keyboard.type(DEMO_PASSWORD);
  await navigate(page, () => page.keyboard.press('Enter'));
  assert.equal(new URL(page.url()).pathname, '/inbox', 'Enter in the password field signs in, to the inbox');
  steps.reset();

  // The inbox: the skip link first, then back up into the menu to Sök person.
  await skipToMain(page);
  await tabTo(page, (f) => f.href === '/persons' && f.tag === 'a', 'the menu link to Sök person', { back: true, max: 15 });
  await navigate(page, () => page.keyboard.press('Enter'));
  assert.equal(new URL(page.url()).pathname, '/persons');

  // Sök person: the search field, the identity number, Enter.
  await skipToMain(page);
  await tabTo(page, (f) => f.id === 'query', 'the search field', { max: 10 });
  await page.keyboard.type(mother.identity_number);
  await navigate(page, () => page.keyboard.press('Enter'));
  assert.match(await page.locator('main h2[role="status"]').innerText(), /^1 träff/);

  // The hit's registration, then the registration page's button: the
  // case type and the day it came in are already chosen.
  const hit = await tabTo(page, (f) => f.tag === 'a' && /\/registration$/.test(f.href || ''), 'the hit\'s Registrera anmälan/ansökan');
  t.diagnostic(`the registration is ${hit.steps} Tab stops after the search`);
  await navigate(page, () => page.keyboard.press('Enter'));
  assert.match(new URL(page.url()).pathname, /^\/persons\/[^/]+\/registration$/);
  await skipToMain(page);
  await tabTo(page, (f) => f.tag === 'button' && f.text === 'Registrera', 'the Registrera button', { max: 15 });
  let res = await navigate(page, () => page.keyboard.press('Enter'));
  assert.equal(res.status(), 200);
  assert.match(new URL(page.url()).pathname, /^\/cases\//);
  assert.equal((await page.locator('h1').innerText()).trim(), REGISTERED);

  // The case: past the actions and the forms to the journal.
  await skipToMain(page);
  await tabTo(page, (f) => f.id === 'note-body', 'the new journal note', { max: 120 });
  const note = `Hembesök ${new Date().toISOString()}: hon visade badrummet och vill klara duschen själv igen.`;
  await page.keyboard.type(note);
  const start = await tab(page);
  assert.equal(start.tag, 'button', `Tab from the note goes to its button (was ${start.desc})`);
  assert.match(start.text, /Börja anteckningen/);
  res = await navigate(page, () => page.keyboard.press('Enter'));
  assert.equal(res.status(), 200);

  // The draft, with its text, then Signera.
  const draft = await tabTo(page, (f) => f.id === 'note-body', 'the draft note', { max: 120 });
  assert.equal(draft.steps, 1, 'back on the case, the first Tab goes to the draft note in the journal');
  assert.equal(await page.evaluate(() => document.activeElement.value), note, 'the draft keeps the text');
  const signBtn = await tab(page);
  assert.equal(signBtn.tag, 'button', `Tab from the draft goes to a button (was ${signBtn.desc})`);
  assert.match(signBtn.text, /^Signera anteckningen$/);
  res = await navigate(page, () => page.keyboard.press('Enter'));
  assert.equal(res.status(), 200);

  const signed = page.locator('section[aria-labelledby="journal"] ol.notes li.note');
  assert.equal(await signed.filter({ hasText: note }).count(), 1, 'the signed note is shown in the journal');
  assert.equal(await page.locator('#note-body').inputValue(), '', 'the journal offers a new, empty note');
  t.diagnostic(`${steps.count} steps: ${steps.urls.join(', ')}`);
  assert.ok(steps.count <= KEYBOARD_STEPS, `the journey took ${steps.count} steps, at most ${KEYBOARD_STEPS}`);
}));

test('phone width: the inbox, a case, a person and the registration fit the screen and pass axe', (t) => withPage(t, browser, async (page) => {
  await visit(page, '/inbox');
  await assertNoHorizontalScroll(page);
  await checkA11y(page, '/inbox (phone)');

  const caseLink = page.locator('main table a[href^="/cases/"]').filter({ hasText: CASE_1 });
  assert.equal(await caseLink.count(), 1, `the inbox lists "${CASE_1}"`);
  await navigate(page, () => caseLink.click());
  await assertNoHorizontalScroll(page);
  await checkA11y(page, `${new URL(page.url()).pathname} (phone)`);

  await navigate(page, () => page.locator('main .crumbs a[href^="/persons/"]').click());
  assert.match(new URL(page.url()).pathname, /^\/persons\/[^/]+$/);
  await assertNoHorizontalScroll(page);
  await checkA11y(page, `${new URL(page.url()).pathname} (phone)`);

  // Registering an application for her, from her page.
  await navigate(page, () => page.locator('main a[href$="/registration"]').click());
  assert.match(new URL(page.url()).pathname, /^\/persons\/[^/]+\/registration$/);
  await assertNoHorizontalScroll(page);
  await checkA11y(page, 'the registration page (phone)');
}, { viewport: PHONE, user: 'handlaggare' }));

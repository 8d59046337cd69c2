// Helpers for the browser tests (node:test + playwright-core + axe-core,
// all from .tools/node_modules; see `make deps` and scripts/browser-test.sh).
//
// Every test gets a fresh browser context from withPage, so sessions and
// the language cookie never leak between tests. When a test fails, a
// screenshot and the page's HTML are saved to e2e/artifacts/ under the
// test's name.
import { createRequire } from 'node:module';
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = path.join(here, '..', '.tools');
const require = createRequire(path.join(tools, 'package.json'));
const { chromium } = require('playwright-core');

/** The server under test, without a trailing slash (set by scripts/browser-test.sh). */
export const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
if (!BASE_URL) {
  throw new Error('BASE_URL is not set: run the browser tests with scripts/browser-test.sh, or set BASE_URL to a server started with `trygg serve --demo`');
}

/** The password of every demo account. */
export const DEMO_PASSWORD = 'demo-trygg-2026';

/** The browser: Debian's Chromium unless CHROMIUM names another. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Where failing tests leave a screenshot and the page's HTML. */
export const ARTIFACTS = path.join(here, 'artifacts');

const AXE = path.join(tools, 'node_modules', 'axe-core', 'axe.min.js');

/** The axe tags every page must pass: WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** A phone in portrait. */
export const PHONE = { width: 375, height: 740 };

/**
 * launch starts a headless Chromium; it throws with a hint to run
 * `make deps` when the browser or the npm tools are missing.
 */
export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run 'make deps' (Debian package chromium) or set CHROMIUM`);
  }
  if (!existsSync(AXE)) {
    throw new Error(`${AXE} not found: run 'make deps'`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** slug turns a test name into a file name. */
function slug(s) {
  return s.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120) || 'test';
}

/**
 * withPage runs fn(page) in a fresh browser context, signed in as user if
 * given (see sessionOf). The context bypasses
 * the app's Content-Security-Policy only so that axe can be injected. If
 * fn throws, or the page threw an uncaught script error, a screenshot and
 * the HTML are saved to e2e/artifacts/<test name>.{png,html} and the test
 * fails.
 */
export async function withPage(t, browser, fn, { viewport = { width: 1280, height: 900 }, user } = {}) {
  const storageState = user ? await sessionOf(browser, user) : undefined;
  const context = await browser.newContext({ bypassCSP: true, viewport, storageState });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const scriptErrors = [];
  page.on('pageerror', (err) => scriptErrors.push(`${page.url()}: ${err.message}`));
  try {
    await fn(page);
    assert.deepEqual(scriptErrors, [], 'uncaught script errors on the page');
  } catch (err) {
    await saveArtifacts(t, page).catch((e) => console.error(`could not save artifacts: ${e.message}`));
    throw err;
  } finally {
    await context.close();
  }
}

async function saveArtifacts(t, page) {
  await mkdir(ARTIFACTS, { recursive: true });
  const base = path.join(ARTIFACTS, slug(t.fullName || t.name));
  await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5_000 });
  await writeFile(`${base}.html`, `<!-- ${page.url()} -->\n${await page.content()}`);
  console.error(`artifacts: ${path.relative(process.cwd(), base)}.{png,html} (${page.url()})`);
}

/** visit loads path on the server under test and returns the response. */
export async function visit(page, urlPath) {
  const res = await page.goto(BASE_URL + urlPath);
  assert.ok(res, `no response for ${urlPath}`);
  return res;
}

/**
 * signIn signs in through the real sign-in form and waits until the
 * browser has left /login; it fails with the form's error if it did not.
 */
export async function signIn(page, username, password = DEMO_PASSWORD) {
  await visit(page, '/login');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((u) => u.pathname !== '/login', { timeout: 10_000 }).catch(() => {}),
    page.click('form[action="/login"] button[type="submit"]'),
  ]);
  const now = new URL(page.url());
  if (now.pathname === '/login') {
    const why = await page.locator('[role="alert"]').innerText().catch(() => '(no error shown)');
    assert.fail(`signing in as ${username} failed: ${why}`);
  }
}

const sessions = new Map();

/**
 * sessionOf signs user in once through the sign-in form, in a context of
 * its own, and returns its cookies (a storageState) for later contexts;
 * each test file signs in each user at most once this way. Tests of
 * signing in or out use signIn on their own page instead.
 */
export function sessionOf(browser, user) {
  if (!sessions.has(user)) {
    sessions.set(user, (async () => {
      const context = await browser.newContext({ bypassCSP: true });
      try {
        const page = await context.newPage();
        await signIn(page, user);
        return await context.storageState();
      } finally {
        await context.close();
      }
    })());
    sessions.get(user).catch(() => sessions.delete(user));
  }
  return sessions.get(user);
}

/**
 * checkA11y runs axe (WCAG 2.0/2.1 A and AA) on the current page and fails
 * with one line per violation: rule id, impact, help and the selectors of
 * the elements concerned.
 */
export async function checkA11y(page, label = '') {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ path: AXE });
  }
  const violations = await page.evaluate(async (tags) => {
    const res = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return res.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
  if (violations.length === 0) return;
  const where = label || new URL(page.url()).pathname;
  const lines = violations.map((v) => {
    const nodes = v.nodes.slice(0, 10).map((n) => `      ${n.target}\n        ${(n.summary || '').replace(/\n\s*/g, ' ')}`);
    if (v.nodes.length > 10) nodes.push(`      … and ${v.nodes.length - 10} more`);
    return `  - ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes.join('\n')}`;
  });
  assert.fail(`axe: ${violations.length} WCAG A/AA violation(s) on ${where}:\n${lines.join('\n')}`);
}

/**
 * assertNoHorizontalScroll fails if the page is wider than the viewport
 * (the body would scroll sideways), naming the widest elements.
 */
export async function assertNoHorizontalScroll(page) {
  const r = await page.evaluate(() => {
    const vw = window.innerWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const b = el.getBoundingClientRect();
      if (b.right > vw + 0.5 && b.width > 0) {
        wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\s+/g, '.') : ''} (right edge ${Math.round(b.right)}px)`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, wide: wide.slice(0, 5) };
  });
  assert.ok(r.scrollWidth <= r.innerWidth,
    `${new URL(page.url()).pathname} scrolls sideways at ${r.innerWidth}px: scrollWidth ${r.scrollWidth}; widest: ${r.wide.join(', ')}`);
}

/**
 * navigate performs action (a click or key press that submits a form or
 * follows a link to a new page) and waits until the page it leads to has
 * loaded; it returns that page's response (the last one after redirects).
 */
export async function navigate(page, action) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  assert.ok(res, `the action on ${page.url()} loaded no new page`);
  return res;
}

/**
 * htmxSettled performs action (choosing, ticking, typing and leaving a
 * field, pressing an htmx button …) and waits until every htmx request
 * started since has been answered and swapped in, so that the next step
 * sees the re-rendered fragment (conditional fields shown, computed values
 * updated, messages next to their fields). It fails if the action starts
 * no htmx request within the timeout; requests triggered after a delay
 * (hx-trigger="input delay:1s") count.
 */
export async function htmxSettled(page, action, { timeout = 20_000 } = {}) {
  const mark = await page.evaluate(() => {
    let s = window.__e2eHtmx;
    if (!s) {
      s = window.__e2eHtmx = { started: 0, done: 0 };
      document.addEventListener('htmx:beforeRequest', () => { s.started++; });
      document.addEventListener('htmx:afterRequest', () => { s.done++; });
    }
    return s.started;
  });
  await action();
  await page.waitForFunction((m) => {
    const s = window.__e2eHtmx;
    return s && s.started > m && s.done >= s.started;
  }, mark, { timeout, polling: 50 });
}

/**
 * countSteps counts a journey's steps on page as ../shared/JOURNEYS.md
 * counts them: page loads and form submits, that is every navigation of
 * the page's main frame (a redirect after a submit is part of the same
 * step); htmx updates within a page are not steps. steps.count is the
 * number since the last steps.reset(), steps.urls the addresses loaded.
 */
export function countSteps(page) {
  const steps = { count: 0, urls: [], reset() { this.count = 0; this.urls = []; } };
  page.on('request', (req) => {
    if (req.isNavigationRequest() && req.frame() === page.mainFrame() && !req.redirectedFrom()) {
      steps.count++;
      steps.urls.push(`${req.method()} ${new URL(req.url()).pathname}${new URL(req.url()).search}`);
    }
  });
  return steps;
}

/**
 * apiAs signs user in through the JSON API and returns a function that
 * GETs a path of the API as them and returns the decoded answer: for
 * setting up a test with what only the server knows (a demo person's
 * identity number, which is generated anew for every demo database).
 */
export async function apiAs(user) {
  const res = await fetch(`${BASE_URL}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: DEMO_PASSWORD }),
  });
  assert.equal(res.status, 201, `signing in ${user} through the API`);
  const { token } = await res.json();
  return async (p) => {
    const r = await fetch(`${BASE_URL}/api/v1${p}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200, `GET /api/v1${p} as ${user}`);
    return r.json();
  };
}

/**
 * journeyPerson returns the person of the demo case titled title in
 * user's inbox, as the API gives them (id, names, identity_number).
 */
export async function journeyPerson(user, title) {
  const get = await apiAs(user);
  const inbox = await get('/inbox');
  const c = inbox.cases.find((x) => x.title === title);
  assert.ok(c, `${user}'s inbox has the case "${title}"`);
  const kase = await get(`/cases/${c.id}`);
  return get(`/persons/${kase.person_id}`);
}

/**
 * registerFromSearch registers a report or application the way an officer
 * does, starting from the main menu: "Sök person", the identity number,
 * the hit's "Registrera anmälan/ansökan", the case type (chosen by its
 * label when given) and the day it came in (today when not given), then
 * Registrera. It checks the pages with axe, that the identity number is
 * never in an address, and returns the registration page's facts (the
 * text of its dl) and the new case page's response.
 */
export async function registerFromSearch(page, number, { caseType, received } = {}) {
  await navigate(page, () => page.locator('header nav a[href="/persons"]').click());
  await page.fill('#query', number);
  await navigate(page, () => page.click('form[action="/persons/search"] button[type="submit"]'));
  const link = page.locator('main ul.rows a[href$="/registration"]');
  assert.equal(await link.count(), 1, `the search for the identity number finds one person to register for`);
  await navigate(page, () => link.click());
  assert.equal((await page.locator('h1').innerText()).trim(), 'Registrera anmälan eller ansökan');
  const facts = await page.locator('main dl.facts').innerText();
  await checkA11y(page, 'the registration page');
  if (caseType) await page.selectOption('#reg-choice', { label: caseType });
  if (received) await page.fill('#reg-received', received);
  const res = await navigate(page, () => page.click('form[action="/cases"] button[type="submit"]'));
  assert.equal(res.status(), 200, `registering answered ${res.status()}`);
  assert.match(new URL(page.url()).pathname, /^\/cases\/[^/]+$/, 'registering lands on the new case');
  const digits = number.replace(/\D/g, '');
  assert.ok(!page.url().replace(/\D/g, '').includes(digits.slice(-10)), 'the identity number is not in the address');
  return { facts, res };
}

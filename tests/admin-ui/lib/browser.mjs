// Debian's headless Chromium driven by playwright-core (never a downloaded browser), with a
// fresh profile per launch; plus the catalogue, screenshot and axe helpers the tests share.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { REPO_ROOT, SHOT_DIR } from './paths.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--no-first-run'];

/** Desktop and phone viewports. */
export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

/**
 * Launches Chromium with a new user-data-dir and the given browser language.
 * Returns {context, page, problems, close()}; `problems` collects console errors, page errors
 * and CSP violations so a test can assert the page ran cleanly.
 */
export async function launch({ locale = 'en-GB', viewport = DESKTOP } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'stampclock-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ARGS, locale, timezoneId: 'Europe/Stockholm', viewport,
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  context.setDefaultTimeout(10_000);
  if (process.env.STAMPCLOCK_UI_FROM_DISK === '1') await serveUiFromDisk(context);
  const page = context.pages()[0] || await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    // A 4xx answer the UI handles (wrong password, 409 confirmation_required) is logged by
    // Chromium as a failed resource load; that is expected and not a defect of the page.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, problems, close };
}

/**
 * Development aid only (STAMPCLOCK_UI_FROM_DISK=1): answers /, /ui/* and /i18n/* from the working
 * tree with the server's CSP, so a UI edit can be tried without rebuilding the server that
 * embeds the files. A real run leaves it off and tests exactly what the binary serves.
 */
async function serveUiFromDisk(context) {
  const types = { html: 'text/html', css: 'text/css', js: 'text/javascript', json: 'application/json', svg: 'image/svg+xml' };
  const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  await context.route(/^http:\/\/127\.0\.0\.1:\d+\/(ui\/.*|i18n\/.*|index\.html)?(\?.*)?$/, (route) => {
    const p = new URL(route.request().url()).pathname;
    const file = p === '/' || p === '/index.html' ? path.join(REPO_ROOT, 'ui', 'admin', 'index.html')
      : p.startsWith('/ui/') ? path.join(REPO_ROOT, 'ui', 'admin', p.slice(4)) : path.join(REPO_ROOT, 'ui', 'i18n', p.slice(6));
    if (!fs.existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, body: fs.readFileSync(file), headers: { 'content-type': types[path.extname(file).slice(1)] + '; charset=utf-8', 'content-security-policy': csp } });
  });
}

const catalogues = new Map();
/** A language's catalogue, read from ui/i18n/<lang>.json (the files the server embeds). */
export function catalogue(lang) {
  if (!catalogues.has(lang)) catalogues.set(lang, JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'ui', 'i18n', lang + '.json'), 'utf8')));
  return catalogues.get(lang);
}

/** The translation of `key` in `lang` with {vars} replaced, as ui/admin/i18n.js does. */
export function tr(lang, key, vars = {}) {
  const count = vars.count ?? vars.n;
  const plural = count !== undefined && Number.isFinite(Number(count))
    ? [`${key}.${new Intl.PluralRules(lang).select(Number(count))}`, `${key}.other`].map((k) => catalogue(lang)[k]).find((x) => x !== undefined)
    : undefined;
  const s = plural ?? catalogue(lang)[key];
  assert.ok(typeof s === 'string', `${lang}.json has ${key}`);
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/**
 * Saves a screenshot as test-output/admin/<name>.png: the full page, or just the viewport while a
 * modal dialog is open (its backdrop covers the viewport, as a person sees it).
 */
export async function screenshot(page, name) {
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  // Let the toast and focus rings settle into a stable frame.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const dialog = await page.locator('dialog[open]').count();
  await page.screenshot({ path: path.join(SHOT_DIR, name + '.png'), fullPage: dialog === 0 });
}

/**
 * Runs axe-core (WCAG 2.x A/AA and best practices) in the page and fails on any serious or
 * critical violation, naming the rule and the offending elements.
 */
export async function assertAccessible(page, name) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + n.failureSummary) }));
  });
  if (process.env.AXE_VERBOSE === '1') for (const v of result) console.log(`axe ${name}: ${v.impact} ${v.id} — ${v.help}: ${v.nodes.slice(0, 3).join(' | ')}`);
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${name}: axe found serious/critical violations:\n${JSON.stringify(bad, null, 2)}`);
  return result;
}

/** Screenshot plus accessibility scan of the page as it is now. */
export async function capture(page, name) {
  await screenshot(page, name);
  await assertAccessible(page, name);
}

/** Logs in through the page's form. */
export async function loginViaForm(page, username, password) {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
}

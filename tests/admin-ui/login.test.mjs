// Login, logout, roles and languages of the admin UI in real Chromium against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, eventually, logIn, DEMO } from './lib/fixture.mjs';
import { capture, catalogue, loginViaForm, tr } from './lib/browser.mjs';
import { REPO_ROOT } from './lib/paths.mjs';
import { Tablet } from './lib/api.mjs';

test('a wrong password and a throttled login show translated errors; the right one logs in, survives a reload and logs out', async (t) => {
  const { server, page, problems, lang } = await setup(t, { locale: 'de-DE' });
  await page.goto(server.url + '/');
  // The language comes from the browser (de-DE) when nothing is remembered.
  await eventually(async () => assert.equal(await page.textContent('#login-title'), tr(lang, 'admin.login.title')));
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  await capture(page, 'login');

  await page.click('button[type=submit]');
  await eventually(async () => assert.equal(await page.textContent('#login-error'), tr(lang, 'admin.login.missing')));

  await loginViaForm(page, DEMO.admin, 'not-the-password');
  await eventually(async () => assert.equal(await page.textContent('#login-error'), tr(lang, 'error.unauthenticated')));
  assert.equal(await page.inputValue('#password'), '', 'the wrong password is cleared');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password', 'focus is back on the password');
  await capture(page, 'login-wrong-password');

  // Five failures per user in 15 minutes, then the server throttles (429 too_many_attempts).
  for (let i = 0; i < 5; i++) {
    const res = await fetch(server.url + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: DEMO.manager, password: 'wrong-' + i }) });
    assert.equal(res.status, 401);
  }
  await loginViaForm(page, DEMO.manager, DEMO.password);
  await eventually(async () => assert.equal(await page.textContent('#login-error'), tr(lang, 'error.too_many_attempts')));
  await capture(page, 'login-throttled');

  await logIn(page, server, lang);
  assert.equal(await page.textContent('main h1'), tr(lang, 'admin.devices.title'));
  assert.equal(await page.textContent('nav a[aria-current="page"]'), tr(lang, 'admin.nav.devices'));
  assert.equal(await page.textContent('.who-name'), 'Astrid Admin');
  assert.equal(await page.textContent('.who .role'), tr(lang, 'admin.role.admin'));

  await page.reload();
  await page.waitForSelector('#logout');
  assert.equal(await page.textContent('main h1'), tr(lang, 'admin.devices.title'), 'the session survives a reload');

  await page.click('#logout');
  await page.waitForSelector('#login-title');
  await page.reload();
  await page.waitForSelector('#login-title');
  assert.equal(await page.locator('#logout').count(), 0, 'after logout a reload shows the login again');
  assert.deepEqual(problems, []);
});

test('the language follows the browser, the switch changes and remembers it', async (t) => {
  const { server, page, problems } = await setup(t, { locale: 'sv-SE' });
  await page.goto(server.url + '/');
  await eventually(async () => assert.equal(await page.textContent('#login-title'), tr('sv', 'admin.login.title')));
  assert.equal(await page.getAttribute('html', 'lang'), 'sv');
  assert.equal(await page.inputValue('#lang'), 'sv');

  await page.selectOption('#lang', 'da');
  await eventually(async () => assert.equal(await page.textContent('#login-title'), tr('da', 'admin.login.title')));
  assert.equal(await page.getAttribute('html', 'lang'), 'da');
  assert.equal(await page.textContent('label[for=username]'), tr('da', 'admin.login.username'));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'lang', 'focus stays on the switch');

  await page.reload();
  await eventually(async () => assert.equal(await page.textContent('#login-title'), tr('da', 'admin.login.title')), { timeout: 5000 });

  await logIn(page, server, 'da');
  assert.equal(await page.textContent('main h1'), tr('da', 'admin.devices.title'));
  for (const [lang, key] of [['de', 'admin.devices.title'], ['en', 'admin.devices.title'], ['sv', 'admin.devices.title']]) {
    await page.selectOption('#lang', lang);
    await eventually(async () => assert.equal(await page.textContent('main h1'), tr(lang, key)));
    assert.equal(await page.textContent('nav a[aria-current="page"]'), tr(lang, 'admin.nav.devices'));
    assert.equal(await page.title(), tr(lang, 'admin.nav.devices') + ' · stampclock');
  }
  assert.deepEqual(problems, []);
});

test('menus follow the role: a manager sees no admin pages, an employee lands on their own timesheet', async (t) => {
  const { server, page, problems, lang } = await setup(t);
  const tablet = new Tablet(server.url);
  await tablet.enrol(server.enrolmentCode);
  await logIn(page, server, lang, DEMO.manager);
  const menu = await page.$$eval('nav a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(menu, ['#/devices', '#/payroll', '#/people', '#/timesheet', '#/work-models', '#/anomalies']);
  await page.waitForSelector(`#device-${tablet.id}`);
  assert.equal(await page.locator(`button[data-focus="edit-${tablet.id}"]`).count(), 1, 'a manager may change the sync requirement');
  assert.equal(await page.locator(`button[data-focus="del-${tablet.id}"]`).count(), 0, 'only an admin may uninstall');
  // An admin page typed into the address bar falls back to the first allowed page.
  await page.goto(server.url + '/#/quarantine');
  await eventually(async () => assert.equal(await page.textContent('main h1'), tr(lang, 'admin.devices.title')));
  await page.click('#logout');

  await page.waitForSelector('#username');
  await loginViaForm(page, DEMO.employee, DEMO.password);
  await eventually(async () => assert.equal(await page.textContent('main h1'), tr(lang, 'admin.ts.title')));
  assert.deepEqual(await page.$$eval('nav a', (as) => as.map((a) => a.getAttribute('href'))), ['#/timesheet']);
  assert.equal(await page.locator('#ts-employee').count(), 0, 'an employee picks no one else');
  // An admin page typed into the address bar falls back to the timesheet.
  await page.goto(server.url + '/#/people');
  await eventually(async () => assert.equal(await page.textContent('main h1'), tr(lang, 'admin.ts.title')));
  await page.click('#logout');
  await page.waitForSelector('#login-title');
  assert.deepEqual(problems, []);
});

test('every message id the admin UI names exists in all four catalogues', () => {
  const dir = path.join(REPO_ROOT, 'ui', 'admin');
  const files = [];
  const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else files.push(p); } };
  walk(dir);
  const keys = new Set();
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    // Every quoted literal that looks like a message id (t('…'), data-i18n="…", key lists).
    for (const m of src.matchAll(/['"]((?:admin|error)\.[a-z0-9_]+(?:\.[a-z0-9_]+)+)['"]/g)) keys.add(m[1]);
  }
  assert.ok(keys.size > 150, `found ${keys.size} message ids`);
  const missing = [];
  for (const lang of ['sv', 'de', 'da', 'en']) {
    const cat = catalogue(lang);
    // A counted message is there as its plural forms (`key.one`, `key.other`).
    for (const k of keys) if (!(k in cat) && !(`${k}.other` in cat && `${k}.one` in cat)) missing.push(`${lang}: ${k}`);
    for (const [k, v] of Object.entries(cat)) if (typeof v !== 'string' || !v.trim()) missing.push(`${lang}: ${k} is empty`);
  }
  assert.deepEqual(missing, []);
});

test('the server serves exactly the UI files of the working tree, each under the strict CSP', async (t) => {
  const { server } = await setup(t);
  const files = [];
  const walk = (d, rel) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { if (e.isDirectory()) walk(path.join(d, e.name), rel + e.name + '/'); else files.push(rel + e.name); } };
  walk(path.join(REPO_ROOT, 'ui', 'admin'), '');
  const served = [...files.map((f) => ['/ui/' + f, path.join(REPO_ROOT, 'ui', 'admin', f)]),
    ...['sv', 'de', 'da', 'en'].map((l) => [`/i18n/${l}.json`, path.join(REPO_ROOT, 'ui', 'i18n', l + '.json')]),
    ['/', path.join(REPO_ROOT, 'ui', 'admin', 'index.html')]];
  const stale = [];
  for (const [url, file] of served) {
    const res = await fetch(server.url + url);
    const body = Buffer.from(await res.arrayBuffer());
    // A 404 means the file is missing from sync-server/src/api/ui.rs; a difference, a stale binary.
    if (res.status !== 200 || !body.equals(fs.readFileSync(file))) stale.push(`${url}: ${res.status}${res.status === 200 ? ' (differs: rebuild sync-server)' : ''}`);
    else assert.match(res.headers.get('content-security-policy') || '', /script-src 'self'; style-src 'self'/, url);
  }
  assert.deepEqual(stale, []);
  const html = fs.readFileSync(path.join(REPO_ROOT, 'ui', 'admin', 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i, 'no inline script, style or handler');
});

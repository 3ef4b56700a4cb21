// Every page with data in it, on a phone in German (the longest words), screenshotted and
// scanned with axe-core; plus the keyboard path through the skip link and the menu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, eventually, logIn } from './lib/fixture.mjs';
import { capture, tr, PHONE } from './lib/browser.mjs';
import { Tablet } from './lib/api.mjs';

test('every page fits a phone in German, passes axe, and the menu works by keyboard', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'de-DE', viewport: PHONE });
  // A fleet: one clock in sync, one with unsynced stamps, one uninstalled with quarantined stamps.
  const anna = await api.employee('101');
  const ok = new Tablet(server.url);
  await ok.enrol(server.enrolmentCode);
  await ok.sync([], 0);
  const pending = new Tablet(server.url, 'Android 14; Chrome WebView 130; stampclock 0.1.0');
  await pending.enrol(await api.enrolmentCode());
  await pending.sync([], 7);
  const gone = new Tablet(server.url);
  await gone.enrol(await api.enrolmentCode());
  await api.request('DELETE', `/api/v1/devices/${gone.id}`, { confirm: true });
  await gone.sync([gone.event(anna.id, 'start', anna.links[0]), gone.event(anna.id, 'stop', null)], 0);

  await page.goto(server.url + '/');
  await page.waitForSelector('#login-title');
  await capture(page, 'phone-de-login');
  await logIn(page, server, lang);
  await page.waitForSelector(`#device-${pending.id}`);
  await capture(page, 'phone-de-devices');

  // Keyboard: on a freshly loaded page the first Tab reaches the skip link, which moves focus to
  // the page content.
  await page.reload();
  await page.waitForSelector(`#device-${pending.id}`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), tr(lang, 'admin.skip_to_content'));
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');

  // Each menu entry by keyboard; every page gets a screenshot and an axe scan.
  const pages = [['enrolment', 'admin.enrol.title'], ['quarantine', 'admin.quarantine.title'], ['payroll', 'admin.payroll.title'],
    ['people', 'admin.people.title'], ['timesheet', 'admin.ts.title'], ['work-models', 'admin.wm.title'], ['anomalies', 'admin.an.title'],
    ['audit', 'admin.audit.title'], ['devices', 'admin.devices.title']];
  for (const [id, title] of pages) {
    await page.focus(`nav a[href="#/${id}"]`);
    await page.keyboard.press('Enter');
    await eventually(async () => assert.equal(await page.textContent('main h1'), tr(lang, title)));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'focus moves to the new page');
    assert.equal(await page.getAttribute(`nav a[href="#/${id}"]`, 'aria-current'), 'page');
    if (id === 'enrolment') { await page.click('#enrol-create'); await page.waitForSelector('#enrol-code'); }
    if (id === 'quarantine') await page.waitForSelector('main tbody tr');
    if (id === 'payroll') await page.waitForSelector('#payroll-status');
    if (id === 'people') await page.waitForSelector('#links');
    if (id === 'audit') await page.waitForSelector('#audit');
    if (id === 'timesheet') { await page.waitForSelector('#ts-days'); await page.click('#ts-days button.expand'); }
    if (id === 'work-models') await page.waitForSelector('#wm-new');
    if (id === 'anomalies') await page.waitForSelector('#anomalies-box > *');
    if (id === 'devices') await page.waitForSelector(`#device-${pending.id}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${id}: the page does not scroll sideways on a phone (${overflow}px too wide)`);
    await capture(page, 'phone-de-' + id);
  }

  // The dialogs on a phone.
  await page.click(`#device-${pending.id} button[data-focus="edit-${pending.id}"]`);
  await page.click('#history-link');
  await page.waitForSelector('#history tbody tr');
  await capture(page, 'phone-de-requirement');
  await page.keyboard.press('Escape');
  await page.click(`#device-${pending.id} button[data-focus="del-${pending.id}"]`);
  await page.waitForSelector('dialog[open] #uninstall-confirm');
  await capture(page, 'phone-de-uninstall');
  await page.keyboard.press('Escape');
  await page.click('nav a[href="#/people"]');
  await page.click('#person-new');
  await page.waitForSelector('dialog[open] #p-number');
  await capture(page, 'phone-de-person');
  assert.deepEqual(problems, []);
});

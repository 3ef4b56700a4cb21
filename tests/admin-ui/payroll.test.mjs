// Payroll: readiness with its blocking tablets, clearing them, the run that locks the period,
// and unlocking — done by a manager in real Chromium against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, eventually, logIn, stockholmPeriod, DEMO } from './lib/fixture.mjs';
import { capture, tr } from './lib/browser.mjs';
import { Tablet } from './lib/api.mjs';

test('a run blocked by tablets is refused with each reason; clearing the blockers lets a manager run, lock and unlock it', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'de-DE' });
  const period = stockholmPeriod(1);
  // Tablet A never synced; tablet B synced but still holds four stamps.
  const a = new Tablet(server.url);
  await a.enrol(server.enrolmentCode);
  const b = new Tablet(server.url);
  await b.enrol(await api.enrolmentCode());
  assert.equal((await b.sync([], 4)).status, 200);

  await logIn(page, server, lang, DEMO.manager);
  await page.click('nav a[href="#/payroll"]');
  await page.waitForSelector('#period');
  assert.equal(await page.inputValue('#period'), stockholmPeriod(0), 'the open period is preselected');
  // The open month cannot be run before it ends.
  await eventually(async () => assert.equal(await page.isDisabled('#payroll-run'), true));
  await page.fill('#period', period);
  await eventually(async () => assert.equal(await page.textContent('#payroll-status strong'), tr(lang, 'admin.payroll.blocked', { n: 2 })));
  assert.equal(await page.isDisabled('#payroll-run'), true, 'the run button is disabled while blocked');
  assert.equal(await page.textContent('#payroll-run'), tr(lang, 'admin.payroll.run', { period }));
  const blockers = await page.$$eval('#blockers tbody tr', (trs) => trs.map((tr) => ({ link: tr.querySelector('a').getAttribute('href'), cells: [...tr.cells].map((c) => c.textContent) })));
  const byId = Object.fromEntries(blockers.map((x) => [x.link.split('device=')[1], x.cells]));
  assert.deepEqual(Object.keys(byId).sort(), [a.id, b.id].sort());
  assert.equal(byId[a.id][0], tr(lang, 'admin.payroll.tablet', { id: a.id.slice(-8) }));
  assert.equal(byId[a.id][1], tr(lang, 'admin.payroll.reason.not_synced_since_period_end'));
  assert.equal(byId[a.id][2], tr(lang, 'admin.never'));
  assert.equal(byId[b.id][1], tr(lang, 'admin.payroll.reason.pending_events'));
  assert.equal(byId[b.id][3], '4');
  await capture(page, 'payroll-blocked');

  // The server refuses the run too (the button is only a convenience).
  const refused = await api.post('/api/v1/payroll-runs', { period });
  assert.equal(refused.status, 409);
  assert.equal(refused.error.code, 'devices_not_synced');

  // Each blocker links to its clock in the registry.
  await page.click(`#blockers a[href$="${b.id}"]`);
  await page.waitForSelector(`#device-${b.id}.highlight`);
  assert.equal(await page.textContent('main h1'), tr(lang, 'admin.devices.title'));

  // Clear: A completes a full sync; B is disabled for that pay period in the requirement editor.
  assert.equal((await a.sync([], 0)).status, 200);
  await page.click(`#device-${b.id} button[data-focus="edit-${b.id}"]`);
  await page.selectOption('#req-state', 'disabled_for_period');
  await page.fill('#req-period', period);
  await page.click('#req-save');
  await eventually(async () => assert.equal(await page.textContent(`#device-${b.id} > td:nth-child(6)`), tr(lang, 'admin.req.disabled_for_period_p', { period })));

  await page.goto(`${server.url}/#/payroll?period=${period}`);
  await eventually(async () => assert.equal(await page.textContent('#payroll-status strong'), tr(lang, 'admin.payroll.ready', { period })));
  assert.equal(await page.locator('#blockers').count(), 0);
  assert.equal(await page.isDisabled('#payroll-run'), false);
  await capture(page, 'payroll-ready');

  await page.click('#payroll-run');
  await eventually(async () => assert.equal(await page.textContent('#payroll-status strong'), tr(lang, 'admin.payroll.locked', { period })));
  assert.ok((await page.textContent('#toast')).includes(tr(lang, 'admin.payroll.done', { period })));
  assert.equal(await page.isDisabled('#payroll-run'), true, 'a locked period cannot be run again');
  const check = (await api.get(`/api/v1/payroll-runs/check?period=${period}`));
  assert.equal(check.locked, true);
  assert.equal(await page.locator('#blockers').count(), 0, 'a locked period lists no blockers');
  await capture(page, 'payroll-locked');

  // Locking returned B's "disabled for this period" to active, recorded as done by the system.
  const device = (await api.devices()).find((d) => d.id === b.id);
  assert.deepEqual(device.sync_requirement, { state: 'active' });
  await page.click('nav a[href="#/devices"]');
  await eventually(async () => assert.equal(await page.textContent(`#device-${b.id} > td:nth-child(6)`), tr(lang, 'admin.req.active')));
  await page.click(`#device-${b.id} button[data-focus="edit-${b.id}"]`);
  await page.click('#history-link');
  await page.waitForSelector('#history tbody tr');
  const last = await page.$$eval('#history tbody tr', (trs) => [...trs.at(-1).cells].map((c) => c.textContent));
  assert.deepEqual(last.slice(1), [tr(lang, 'admin.history.system'), tr(lang, 'admin.history.event.sync_requirement_changed'), tr(lang, 'admin.req.active')]);
  await page.keyboard.press('Escape');

  // Unlock after a confirmation naming the period; cancelling keeps the lock.
  await page.goto(`${server.url}/#/payroll?period=${period}`);
  await page.waitForSelector('#payroll-unlock');
  await page.click('#payroll-unlock');
  await page.waitForSelector('dialog[open] #unlock-confirm');
  assert.equal(await page.textContent('dialog[open] h2'), tr(lang, 'admin.payroll.unlock_title', { period }));
  assert.ok((await page.textContent('dialog[open] .dialog-body')).includes(tr(lang, 'admin.payroll.unlock_confirm', { period })));
  assert.equal(await page.evaluate(() => document.activeElement.textContent), tr(lang, 'admin.cancel'), 'the safe choice has focus');
  await capture(page, 'payroll-unlock-confirm');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  assert.equal((await api.get(`/api/v1/payroll-runs/check?period=${period}`)).locked, true);
  await page.click('#payroll-unlock');
  await page.click('dialog[open] #unlock-confirm');
  // Reopened — and since locking returned B's requirement to active while B still holds its
  // four stamps, B blocks the period again.
  await eventually(async () => assert.equal(await page.textContent('#payroll-status strong'), tr(lang, 'admin.payroll.blocked', { n: 1 })));
  assert.ok((await page.textContent('#toast')).includes(tr(lang, 'admin.payroll.unlocked', { period })));
  assert.deepEqual(await page.$$eval('#blockers tbody a', (as) => as.map((a) => a.getAttribute('href'))), [`#/devices?device=${b.id}`]);
  assert.equal(await page.textContent('#blockers tbody td:nth-child(2)'), tr(lang, 'admin.payroll.reason.pending_events'));
  assert.equal((await api.get(`/api/v1/payroll-runs/check?period=${period}`)).locked, false);
  assert.equal(await page.locator('#payroll-unlock').count(), 0);
  assert.deepEqual(problems, []);
});

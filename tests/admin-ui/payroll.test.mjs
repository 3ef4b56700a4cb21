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

test('after the run the page shows the payroll basis, totals equal to the rows, and the CSV downloads in the page language', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'de-DE' });
  const period = stockholmPeriod(1);
  const anna = await api.employee('101');
  const links = (await api.get('/api/v1/links?limit=1000')).items;
  const tablet = new Tablet(server.url);
  await tablet.enrol(server.enrolmentCode);
  // Anna works 08:00–12:00 UTC on the 3rd of last month; the tablet then has nothing left.
  const day = new Date(`${period}-03T08:00:00Z`);
  const stamps = [tablet.event(anna.id, 'start', links[0].id, day), tablet.event(anna.id, 'stop', null, new Date(day.getTime() + 4 * 3600_000))];
  assert.equal((await tablet.sync(stamps, 0)).status, 200);

  await logIn(page, server, lang, DEMO.manager);
  await page.goto(`${server.url}/#/payroll?period=${period}`);
  await eventually(async () => assert.equal(await page.isDisabled('#payroll-run'), false));
  await page.click('#payroll-run');
  await page.waitForSelector('#basis-table');
  assert.equal(await page.textContent('#basis h2'), tr(lang, 'admin.payroll.basis.title'));
  const run = (await api.get(`/api/v1/payroll-runs?period=${period}`)).items[0];
  const basis = await api.get(`/api/v1/payroll-runs/${run.id}/basis`);
  // One row per employee of the basis, Anna's with her four hours, linked to her timesheet.
  assert.equal(await page.locator('#basis-table tbody tr').count(), basis.employees.length);
  const annaRow = `#basis-table tbody tr[data-employee-id="${anna.id}"]`;
  assert.equal(await page.textContent(`${annaRow} td:nth-child(3)`), '4:00');
  assert.equal(await page.getAttribute(`${annaRow} a`, 'href'), `#/timesheet?employee=${anna.id}&month=${period}`);
  // The totals row is the sum of the rows shown.
  const shown = await page.$$eval('#basis-table tbody td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
  const minutes = (s) => { const neg = s.startsWith('-'); const [hh, mm] = s.replace('-', '').split(':').map(Number); return (neg ? -1 : 1) * (hh * 60 + mm); };
  assert.equal(minutes(await page.textContent('#basis-total-worked')), shown.map(minutes).reduce((a, b) => a + b, 0));
  assert.equal(minutes(await page.textContent('#basis-total-worked')), basis.totals.worked_min);
  await capture(page, 'payroll-basis');
  // The CSV in German: BOM, the German header, Anna's row with a decimal comma.
  const href = await page.getAttribute('#basis-csv', 'href');
  assert.ok(href.endsWith('&lang=de'), href);
  const csv = await page.evaluate(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    const buf = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type'), bom: [...buf.slice(0, 3)], text: new TextDecoder().decode(buf.slice(3)) };
  }, href);
  assert.equal(csv.status, 200);
  assert.ok(csv.type.startsWith('text/csv'));
  assert.deepEqual(csv.bom, [0xef, 0xbb, 0xbf]);
  const lines = csv.text.split('\r\n');
  assert.equal(lines[0], 'Zeitraum;Personalnummer;Name;Lohnart-Code;Lohnart;Stunden;Minuten;Tage');
  assert.ok(lines.includes(`${period};101;Anna Andersson;worked;Arbeitszeit;4,00;240;`), csv.text);
  // The PAXml beside it: Anna's four hours as ARB on the 3rd.
  const xml = await page.evaluate(async (url) => (await fetch(url, { credentials: 'same-origin' })).text(), await page.getAttribute('#basis-paxml', 'href'));
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<paxml>'), xml);
  assert.ok(xml.includes(`<tidtrans anstid="101">\n      <tidkod>ARB</tidkod>\n      <datum>${period}-03</datum>\n      <timmar>4.00</timmar>`), xml);
  // And the Visma Lön file, as ISO-8859-1 bytes.
  const tlu = await page.evaluate(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    return { type: res.headers.get('content-type'), text: new TextDecoder('iso-8859-1').decode(await res.arrayBuffer()) };
  }, await page.getAttribute('#basis-visma', 'href'));
  assert.equal(tlu.type, 'application/xml; charset=iso-8859-1');
  assert.ok(tlu.text.includes(`<Time DateOfReport="${period}-03" TimeCode="ARB" SumOfHours="4.00"/>`), tlu.text);
  assert.deepEqual(problems, []);
});

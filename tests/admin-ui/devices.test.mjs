// Punch clocks: enrolment, the live registry, sync requirement and history, uninstall from the
// web, quarantine review and the audit log — real Chromium, real server, a signing test tablet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, eventually, logIn, stockholmPeriod, DEMO } from './lib/fixture.mjs';
import { capture, tr } from './lib/browser.mjs';
import { Tablet } from './lib/api.mjs';

const short = (id) => id.slice(-8); // the UI's short form: the random end of a UUIDv7
const cell = (id, n) => `#device-${id} > td:nth-child(${n})`;
const COL = { clock: 1, installed: 2, contact: 3, pending: 4, fullSync: 5, requirement: 6 };

/** Relative labels Intl gives for `values` of `unit` in `lang` (the oracle for "x ago"). */
function relativeLabels(page, lang, unit, values) {
  return page.evaluate(([l, u, vs]) => vs.map((v) => new Intl.RelativeTimeFormat(l, { numeric: 'auto' }).format(v, u)), [lang, unit, values]);
}

test('a code made in the page enrols a tablet that appears live; contact, pending and staleness update without reload', async (t) => {
  const { server, api, page, problems, lang } = await setup(t);
  await logIn(page, server, lang);
  // Installing: create a code and read it off the page.
  await page.click(`nav a[href="#/enrolment"]`);
  await page.waitForSelector('#enrol-expiry');
  await page.selectOption('#enrol-expiry', '3600');
  // Named at once: the tablet enrolled with this code is the kitchen's.
  await page.fill('#enrol-name', '  Kök  ');
  await page.click('#enrol-create');
  await page.waitForSelector('#enrol-code');
  assert.equal(await page.textContent('#enrol-named'), tr(lang, 'admin.enrol.named', { name: 'Kök' }));
  const shown = await page.textContent('#enrol-code');
  assert.match(shown, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/, 'the code is shown large, ready to type');
  const expires = new Date(await page.getAttribute('#enrol-result time', 'datetime'));
  assert.ok(Math.abs(expires - Date.now() - 3600_000) < 120_000, `the expiry (${expires.toISOString()}) is one hour ahead`);
  assert.ok((await page.textContent('#enrol-result')).includes(tr(lang, 'admin.enrol.expires')));
  await capture(page, 'enrolment');

  await page.click(`nav a[href="#/devices"]`);
  await eventually(async () => assert.ok(await page.isVisible(`text=${tr(lang, 'admin.devices.empty')}`)));
  await capture(page, 'devices-empty');
  await page.evaluate(() => { window.__sameDocument = true; });

  const tablet = new Tablet(server.url);
  await tablet.enrol(shown);
  // It appears by polling, without a reload.
  await page.waitForSelector(`#device-${tablet.id}`, { timeout: 10_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
  assert.equal(await page.textContent(`${cell(tablet.id, COL.clock)} code`), short(tablet.id));
  assert.equal(await page.getAttribute(`${cell(tablet.id, COL.clock)} code`, 'title'), tablet.id);
  assert.equal(await page.textContent(`${cell(tablet.id, COL.clock)} .device-name`), 'Kök', 'named by its code');
  assert.ok((await page.textContent(cell(tablet.id, COL.installed))).includes(tr(lang, 'admin.devices.by', { name: 'Astrid Admin' })));
  assert.equal(await page.textContent(cell(tablet.id, COL.contact)), tr(lang, 'admin.never'));
  assert.ok((await page.textContent(cell(tablet.id, COL.clock))).includes(tablet.platform), 'the platform is shown');
  const clockCell = await page.textContent(cell(tablet.id, COL.clock));
  assert.equal(clockCell.split('0.1.0').length - 1, 1, `the app version is shown once: ${clockCell}`);
  assert.equal(await page.textContent(cell(tablet.id, COL.pending)), '0');
  assert.equal(await page.textContent(cell(tablet.id, COL.fullSync)), tr(lang, 'admin.never'));
  assert.equal(await page.textContent(cell(tablet.id, COL.requirement)), tr(lang, 'admin.req.active'));

  // The tablet syncs with three stamps still queued: contact moves, pending shows, no full sync.
  assert.equal((await tablet.sync([], 3)).status, 200);
  const [device] = await api.devices();
  await eventually(async () => assert.equal(await page.getAttribute(`${cell(tablet.id, COL.contact)} time`, 'datetime'), device.last_contact_at));
  assert.equal(await page.textContent(cell(tablet.id, COL.pending)), '3');
  assert.equal(await page.textContent(cell(tablet.id, COL.fullSync)), tr(lang, 'admin.never'));
  const contact = `${cell(tablet.id, COL.contact)} time`;
  const exact = await page.evaluate((iso) => new Intl.DateTimeFormat(document.documentElement.dataset.locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso)), device.last_contact_at);
  assert.equal(await page.getAttribute(contact, 'title'), exact, 'the exact time is on hover');
  assert.ok((await relativeLabels(page, lang, 'second', Array.from({ length: 45 }, (_, i) => -i))).includes(await page.textContent(contact)),
    `"${await page.textContent(contact)}" is a relative time of a few seconds ago`);
  assert.equal(await page.locator(`#device-${tablet.id}.stale`).count(), 0, 'a clock in contact does not stand out');

  // A full sync sets the last full sync.
  assert.equal((await tablet.sync([], 0)).status, 200);
  await page.waitForSelector(`${cell(tablet.id, COL.fullSync)} time`);
  assert.equal(await page.textContent(cell(tablet.id, COL.pending)), '0');

  // Eleven minutes later (two sync intervals are ten) without contact, the clock stands out and
  // its relative "last contact" has moved on — still without a reload.
  await page.clock.setFixedTime(new Date(Date.now() + 11 * 60_000));
  await page.waitForSelector(`#device-${tablet.id}.stale`, { timeout: 10_000 });
  assert.ok((await page.textContent(cell(tablet.id, COL.contact))).includes(tr(lang, 'admin.devices.stale')));
  assert.ok((await relativeLabels(page, lang, 'minute', [-10, -11, -12])).includes(await page.textContent(contact)));
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  await capture(page, 'devices');
  assert.deepEqual(problems, []);
});

test('the requirement editor changes the sync requirement, by keyboard too, and the history lists date, who and state', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'sv-SE' });
  const tablet = new Tablet(server.url);
  await tablet.enrol(server.enrolmentCode);
  await logIn(page, server, lang);
  await page.waitForSelector(`#device-${tablet.id}`);
  const pencil = `#device-${tablet.id} button[data-focus="edit-${tablet.id}"]`;
  assert.equal(await page.getAttribute(pencil, 'aria-label'), tr(lang, 'admin.devices.edit_label', { id: short(tablet.id) }));

  // Keyboard: focus the pencil, Enter opens the editor, Escape closes it — even after the
  // registry refreshed underneath — and focus returns to the pencil.
  await page.focus(pencil);
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog[open] #req-state');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'req-state');
  assert.equal(await page.textContent('dialog[open] h2'), tr(lang, 'admin.req.title', { id: short(tablet.id) }));
  const before = await page.textContent('#devices-status');
  await eventually(async () => assert.notEqual(await page.textContent('#devices-status'), before), { timeout: 10_000 });
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), `edit-${tablet.id}`, 'focus is back on the pencil');

  // The three states are offered; "for this pay period" asks for the period, defaulting to the open one.
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog[open] #req-state');
  const options = await page.$$eval('#req-state option', (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(options, ['active', 'disabled_for_period', 'disabled_permanently'].map((s) => [s, tr(lang, 'admin.req.' + s)]));
  assert.equal(await page.isVisible('#req-period'), false);
  await page.selectOption('#req-state', 'disabled_for_period');
  assert.equal(await page.isVisible('#req-period'), true);
  assert.equal(await page.inputValue('#req-period'), stockholmPeriod(0));
  await page.selectOption('#req-state', 'disabled_permanently');
  assert.equal(await page.isVisible('#req-period'), false);
  await page.click('#req-save');
  await eventually(async () => assert.equal(await page.textContent(cell(tablet.id, COL.requirement)), tr(lang, 'admin.req.disabled_permanently')));
  assert.ok((await page.textContent('#toast')).includes(tr(lang, 'admin.req.saved')));
  assert.deepEqual((await api.devices())[0].sync_requirement, { state: 'disabled_permanently' });

  // Disable for the previous pay period.
  const previous = stockholmPeriod(1);
  await page.click(pencil);
  await page.waitForSelector('dialog[open] #req-state');
  assert.ok((await page.textContent('dialog[open]')).includes(tr(lang, 'admin.req.current', { state: tr(lang, 'admin.req.disabled_permanently') })));
  await page.selectOption('#req-state', 'disabled_for_period');
  await page.fill('#req-period', previous);
  await page.click('#req-save');
  await eventually(async () => assert.equal(await page.textContent(cell(tablet.id, COL.requirement)), tr(lang, 'admin.req.disabled_for_period_p', { period: previous })));
  assert.deepEqual((await api.devices())[0].sync_requirement, { state: 'disabled_for_period', period: previous });

  // History: installed, then the two changes — each with date, who and the state after it.
  await page.click(pencil);
  await page.waitForSelector('dialog[open] #history-link');
  await page.click('#history-link');
  await page.waitForSelector('#history table');
  const rows = await page.$$eval('#history tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r.slice(1)), [
    ['Astrid Admin', tr(lang, 'admin.history.event.installed'), tr(lang, 'admin.req.active')],
    ['Astrid Admin', tr(lang, 'admin.history.event.sync_requirement_changed'), tr(lang, 'admin.req.disabled_permanently')],
    ['Astrid Admin', tr(lang, 'admin.history.event.sync_requirement_changed'), tr(lang, 'admin.req.disabled_for_period_p', { period: previous })],
  ]);
  const dates = await page.$$eval('#history tbody time', (ts) => ts.map((x) => x.getAttribute('datetime')));
  const history = (await api.get(`/api/v1/devices/${tablet.id}/history`)).items;
  assert.deepEqual(dates, history.map((h) => h.at));
  for (const r of rows) assert.ok(r[0].trim().length > 0, 'each row has a date');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), tr(lang, 'admin.history.title'), 'focus moves to the history');
  await capture(page, 'devices-requirement-history');
  assert.deepEqual(problems, []);
});

test('uninstalling from the web names the risk; what the tablet sends afterwards is quarantined and reviewed one by one', async (t) => {
  const { server, api, page, problems, lang } = await setup(t);
  const tablet = new Tablet(server.url);
  await tablet.enrol(server.enrolmentCode);
  assert.equal((await tablet.sync([], 2)).status, 200);
  const [device] = await api.devices();
  await logIn(page, server, lang);
  await page.waitForSelector(`#device-${tablet.id}`);
  const cross = `#device-${tablet.id} button[data-focus="del-${tablet.id}"]`;
  assert.equal(await page.getAttribute(cross, 'aria-label'), tr(lang, 'admin.devices.uninstall_label', { id: short(tablet.id) }));

  // First the confirmation, naming the pending stamps and the last contact; cancel keeps it.
  await page.click(cross);
  await page.waitForSelector('dialog[open] #uninstall-confirm');
  assert.equal(await page.textContent('dialog[open] h2'), tr(lang, 'admin.uninstall.title', { id: short(tablet.id) }));
  const text = await page.textContent('dialog[open]');
  assert.ok(text.includes(tr(lang, 'admin.uninstall.pending', { n: 2 })), 'names the pending stamps');
  const exact = await page.evaluate((iso) => new Intl.DateTimeFormat(document.documentElement.dataset.locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso)), device.last_contact_at);
  assert.ok(text.includes(tr(lang, 'admin.uninstall.last_contact')) && text.includes(exact), 'names the last contact');
  assert.ok(text.includes(tr(lang, 'admin.uninstall.risk')));
  assert.equal(await page.evaluate(() => document.activeElement.textContent), tr(lang, 'admin.cancel'), 'the safe choice has focus');
  await capture(page, 'devices-uninstall-confirm');
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  assert.equal((await api.devices()).length, 1, 'cancel keeps the clock');

  await page.click(cross);
  await page.waitForSelector('dialog[open] #uninstall-confirm');
  await page.click('dialog[open] #uninstall-confirm');
  await page.waitForSelector(`#device-${tablet.id}`, { state: 'detached' });
  assert.ok((await page.textContent('#toast')).includes(tr(lang, 'admin.uninstall.done')));
  assert.equal((await api.devices()).length, 0);
  assert.ok(await page.isVisible(`text=${tr(lang, 'admin.devices.empty')}`));

  // The tablet learns it on its next contact; the two stamps it still held go to quarantine.
  const anna = await api.employee('101');
  const start = tablet.event(anna.id, 'start', anna.links[0], new Date(Date.now() - 3_600_000));
  const stop = tablet.event(anna.id, 'stop', null, new Date(Date.now() - 600_000));
  const refused = await tablet.sync([start, stop], 0);
  assert.equal(refused.status, 403);
  assert.equal(refused.error.code, 'device_uninstalled');
  assert.deepEqual([...refused.error.details.quarantined].sort(), [start.id, stop.id].sort());

  await page.click('nav a[href="#/quarantine"]');
  await page.waitForSelector(`tr[data-event-id="${start.id}"]`);
  assert.equal(await page.$$eval('main tbody tr', (r) => r.length), 2);
  const links = (await api.get('/api/v1/links?limit=1000')).items;
  const link = links.find((l) => l.id === anna.links[0]);
  const cells = await page.$$eval(`tr[data-event-id="${start.id}"] td`, (tds) => tds.map((td) => td.textContent));
  assert.equal(cells[1], 'Anna Andersson (101)');
  assert.equal(cells[2], tr(lang, 'admin.punch.start'));
  assert.equal(cells[3], `${link.project} · ${link.account}`);
  assert.equal(cells[4], short(tablet.id));
  assert.equal(await page.textContent(`tr[data-event-id="${stop.id}"] td:nth-child(3)`), tr(lang, 'admin.punch.stop'));
  await capture(page, 'quarantine');

  await page.click(`tr[data-event-id="${start.id}"] button[data-action="accept"]`);
  await page.waitForSelector(`tr[data-event-id="${start.id}"]`, { state: 'detached' });
  assert.ok((await page.textContent('#toast')).includes(tr(lang, 'admin.quarantine.accepted')));
  await page.click(`tr[data-event-id="${stop.id}"] button[data-action="reject"]`);
  await eventually(async () => assert.ok(await page.isVisible(`text=${tr(lang, 'admin.quarantine.empty')}`)));
  assert.deepEqual((await api.get('/api/v1/quarantine')).items, []);
  const audit = (await api.get('/api/v1/audit?limit=100')).items;
  assert.deepEqual(audit.filter((a) => a.kind.startsWith('quarantine_')).map((a) => [a.kind, a.subject]).sort(),
    [['quarantine_accepted', start.id], ['quarantine_rejected', stop.id]]);
  await capture(page, 'quarantine-empty');
  assert.deepEqual(problems, []);
});

test('the audit log is paginated and filterable by kind', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'da-DK' });
  const tablet = new Tablet(server.url);
  await tablet.enrol(server.enrolmentCode);
  for (let i = 0; i < 27; i++) await api.enrolmentCode();
  assert.equal((await api.request('PUT', `/api/v1/devices/${tablet.id}/sync-requirement`, { state: 'disabled_permanently' })).status, 200);
  const all = [];
  for (let cursor = null, first = true; first || cursor; first = false) {
    const p = await api.get('/api/v1/audit?limit=1000' + (cursor ? '&cursor=' + cursor : ''));
    all.push(...p.items);
    cursor = p.next_cursor;
  }
  // 29 governance rows, and the people the setup created with their logins and PINs
  // (person_created, credentials_changed).
  const creds = all.filter((i) => i.kind === 'credentials_changed' || i.kind === 'person_created');
  assert.ok(creds.some((i) => i.kind === 'credentials_changed') && creds.some((i) => i.kind === 'person_created'), 'the people of the setup are audited');
  assert.equal(all.length - creds.length, 29);

  await logIn(page, server, lang);
  await page.click('nav a[href="#/audit"]');
  await page.waitForSelector('#audit tbody tr');
  assert.equal(await page.$$eval('#audit tbody tr', (r) => r.length), 25);
  assert.equal(await page.isDisabled('#audit-prev'), true);
  assert.equal(await page.isDisabled('#audit-next'), false);
  // Newest first: the requirement change leads.
  assert.equal(await page.textContent('#audit tbody tr:first-child td:nth-child(3)'), tr(lang, 'admin.audit.kind.sync_requirement_changed'));
  assert.equal(await page.textContent('#audit tbody tr:first-child td:nth-child(2)'), 'Astrid Admin');
  await capture(page, 'audit');

  await page.click('#audit-next');
  await eventually(async () => assert.equal(await page.$$eval('#audit tbody tr', (r) => r.length), all.length - 25));
  assert.ok((await page.textContent('main')).includes(tr(lang, 'admin.audit.page', { n: 2 })));
  assert.equal(await page.isDisabled('#audit-next'), true);
  assert.equal(await page.textContent('#audit tbody tr:last-child td:nth-child(3)'), tr(lang, 'admin.audit.kind.' + all[all.length - 1].kind));
  await page.click('#audit-prev');
  await eventually(async () => assert.equal(await page.$$eval('#audit tbody tr', (r) => r.length), 25));

  await page.selectOption('#audit-kind', 'device_enrolled');
  await eventually(async () => assert.equal(await page.$$eval('#audit tbody tr', (r) => r.length), 1));
  assert.equal(await page.textContent('#audit tbody td:nth-child(3)'), tr(lang, 'admin.audit.kind.device_enrolled'));
  // Credential changes: which fields, translated, never a value.
  await page.selectOption('#audit-kind', 'credentials_changed');
  await eventually(async () => assert.equal(await page.$$eval('#audit tbody tr', (r) => r.length), Math.min(creds.filter((i) => i.kind === 'credentials_changed').length, 25)));
  const details = await page.$$eval('#audit tbody td:nth-child(5)', (cells) => cells.map((c) => c.textContent));
  assert.ok(details.some((d) => d.includes(tr(lang, 'admin.audit.detail.field.password')) || d.includes(tr(lang, 'admin.audit.detail.field.pin'))), details.join(' | '));
  await page.selectOption('#audit-kind', 'payroll_run');
  await eventually(async () => assert.ok(await page.isVisible(`text=${tr(lang, 'admin.audit.empty')}`)));
  assert.deepEqual(problems, []);
});

test('an admin names a clock: the name shows in the registry, its dialogs and the payroll gate', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'sv-SE' });
  const tablet = new Tablet(server.url, 'Linux; WebKitGTK 2.44');
  await tablet.enrol(server.enrolmentCode);
  await logIn(page, server, lang);
  await page.click('nav a[href="#/devices"]');
  await page.waitForSelector(`#device-${tablet.id}`);
  // The platform without the version gets the version once, after it.
  assert.ok((await page.textContent(cell(tablet.id, COL.clock))).includes('Linux; WebKitGTK 2.44 · v0.1.0'));
  const button = `#device-${tablet.id} button[data-focus="name-${tablet.id}"]`;
  assert.equal(await page.getAttribute(button, 'aria-label'), tr(lang, 'admin.devices.rename_label', { id: short(tablet.id) }));
  await page.click(button);
  await page.waitForSelector('dialog[open] #device-name');
  // Empty is refused in the form, with a translated message; nothing is sent.
  await page.fill('#device-name', '   ');
  await page.click('#name-save');
  assert.equal(await page.textContent('#device-name-err'), tr(lang, 'admin.devices.name_invalid'));
  await page.fill('#device-name', 'Kök');
  await page.click('#name-save');
  await eventually(async () => assert.equal(await page.textContent(`${cell(tablet.id, COL.clock)} .device-name`), 'Kök'));
  assert.equal((await api.devices())[0].name, 'Kök');
  assert.equal((await api.devices())[0].sync_interval_s, 300);
  await page.click(`#device-${tablet.id} button[data-focus="edit-${tablet.id}"]`);
  assert.equal(await page.textContent('dialog[open] h2'), tr(lang, 'admin.req.title', { id: 'Kök' }));
  await page.keyboard.press('Escape');
  await capture(page, 'devices-named');
  // The payroll gate names the clock that blocks the run.
  const period = stockholmPeriod(1);
  await page.goto(`${server.url}/#/payroll?period=${period}`);
  await eventually(async () => assert.equal(await page.textContent('#blockers tbody tr td:first-child'), 'Kök'));
  // The rename is in the audit log.
  const audit = await api.get('/api/v1/audit?kind=device_renamed');
  assert.equal(audit.items.length, 1);
  assert.equal(audit.items[0].details.name, 'Kök');
  assert.deepEqual(problems, []);
});

test('the registry fits 1280 px in every language: no column or button is cut off, in Danish neither', async (t) => {
  const { server, api, page, problems } = await setup(t, { locale: 'da-DK' });
  const tablet = new Tablet(server.url, 'Linux; WebKitGTK 2.44');
  await tablet.enrol(server.enrolmentCode);
  assert.equal((await api.request('PATCH', `/api/v1/devices/${tablet.id}`, { name: 'Køkken ved bagindgangen' })).status, 200);
  // With a sync request waiting, so its mark is in the row as well.
  assert.equal((await api.request('POST', '/api/v1/devices/sync-request', {})).status, 200);
  await logIn(page, server, 'da');
  for (const lang of ['da', 'de', 'sv', 'en']) {
    if (lang !== 'da') {
      await page.evaluate((l) => localStorage.setItem('stampclock.lang', l), lang);
      await page.reload();
    }
    await page.goto(`${server.url}/#/devices`);
    await page.waitForSelector(`#device-${tablet.id} .sync-requested`);
    await eventually(async () => assert.equal(await page.evaluate(() => document.documentElement.lang), lang));
    const fit = await page.evaluate((id) => {
      const row = document.getElementById(`device-${id}`);
      const wrap = row.closest('.table-wrap');
      const right = wrap.getBoundingClientRect().right;
      const buttons = [...row.querySelectorAll('button')].map((b) => b.getBoundingClientRect().right);
      return { scroll: wrap.scrollWidth - wrap.clientWidth, right, buttons, width: window.innerWidth };
    }, tablet.id);
    assert.ok(fit.scroll <= 1, `${lang}: the registry scrolls sideways by ${fit.scroll} px at 1280 px`);
    for (const b of fit.buttons) assert.ok(b <= fit.right + 0.5 && b <= fit.width, `${lang}: a button ends at ${b} px, past ${fit.right}`);
    if (lang === 'da') await capture(page, 'devices-da-1280');
  }
  assert.deepEqual(problems, []);
});

test('a manager asks every clock to sync at its next contact: the row shows the request until the clock has synced in full', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'de-DE' });
  const tablet = new Tablet(server.url, 'Linux; WebKitGTK 2.44');
  await tablet.enrol(server.enrolmentCode);
  let answer = await tablet.sync([], 0);
  assert.equal(answer.status, 200);
  assert.equal(answer.body.config.sync_requested, false);
  await logIn(page, server, lang, DEMO.manager);
  await page.click('nav a[href="#/devices"]');
  await page.waitForSelector(`#device-${tablet.id}`);
  assert.equal(await page.locator(`#device-${tablet.id} .sync-requested`).count(), 0, 'nothing asked yet');
  assert.equal(await page.textContent('#devices-sync-all'), tr(lang, 'admin.devices.sync_all'));
  assert.equal(await page.getAttribute('#devices-sync-all', 'title'), tr(lang, 'admin.devices.sync_all_help', { minutes: 5 }));
  await page.click('#devices-sync-all');
  await eventually(async () => assert.ok((await page.textContent('#toast')).includes(tr(lang, 'admin.devices.sync_all_done', { n: 1 }))));
  const mark = `#device-${tablet.id} .sync-requested`;
  await page.waitForSelector(mark);
  assert.equal(await page.textContent(mark), tr(lang, 'admin.devices.sync_requested'));
  const row = (await api.devices())[0];
  assert.equal(row.sync_request_pending, true);
  assert.ok((await page.getAttribute(mark, 'title')).startsWith(tr(lang, 'admin.devices.sync_requested_title', { time: '' }).split(';')[0].trim()));
  await capture(page, 'devices-sync-requested');
  // The clock's next contact carries the request; its full sync answers it and the mark goes
  // away at the next refresh of the page, without a reload.
  answer = await tablet.sync([], 0);
  assert.equal(answer.body.config.sync_requested, true);
  assert.ok(answer.body.roster, 'the roster is sent with the request');
  await page.waitForSelector(mark, { state: 'detached', timeout: 15000 });
  // The admin's audit log names it, with how many clocks were asked.
  const audit = await api.get('/api/v1/audit?kind=devices_sync_requested');
  assert.equal(audit.items.length, 1);
  assert.equal(audit.items[0].details.devices, 1);
  await page.context().clearCookies();
  await logIn(page, server, lang);
  await page.goto(`${server.url}/#/audit`);
  await page.selectOption('#audit-kind', 'devices_sync_requested');
  await eventually(async () => assert.ok((await page.textContent('main')).includes(tr(lang, 'admin.audit.detail.devices_asked', { n: 1 }))));
  assert.deepEqual(problems, []);
});

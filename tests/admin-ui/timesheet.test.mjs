// The month timesheet (issue 12, item 6; docs/TIMESHEET.md) in real Chromium against the real
// server: stamps posted over the signed device protocol become days with Soll, Ist, flex and
// warnings; a manager corrects a stamp, enters and books time, enters absences, locks the month
// and downloads the CSV; work models and anomalies have their own pages; an employee sees only
// their own month. Every page passes axe in the four languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, eventually, logIn, stockholmPeriod, DEMO } from './lib/fixture.mjs';
import { capture, tr } from './lib/browser.mjs';
import { Tablet } from './lib/api.mjs';

const ZONE = 'Europe/Stockholm';

/** The UTC Date of wall-clock `date` + `time` ("HH:MM") in Stockholm (no DST edge in these tests). */
function stockholm(date, time) {
  const guess = new Date(`${date}T${time}:00Z`);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(guess).map((p) => [p.type, p.value]));
  const shown = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute);
  return new Date(guess.getTime() - (shown - guess.getTime()));
}

/** Day `n` of `period` ("YYYY-MM-DD") and its weekday (0 = Sunday). */
const dayOf = (period, n) => `${period}-${String(n).padStart(2, '0')}`;
const weekday = (date) => new Date(`${date}T12:00:00Z`).getUTCDay();
/** The first Tuesday from the 8th of last month: past, no Swedish public holiday falls there. */
function tuesdayOf(period) {
  for (let n = 8; n <= 14; n++) if (weekday(dayOf(period, n)) === 2) return dayOf(period, n);
  throw new Error('no Tuesday');
}

/** The texts of a day row's cells: source, start, end, break, target, actual, flex, absence, flags, actions. */
async function cells(page, date) {
  return page.$$eval(`#ts-days tr[data-date="${date}"] td`, (tds) => tds.map((td) => td.textContent.trim()));
}

/** The world of most tests: a 40-hour model for Anna from the start of last month, a tablet. */
async function arrange(api, server) {
  const period = stockholmPeriod(1);
  const anna = await api.employee('101');
  const model = await api.post('/api/v1/work-models', { name: 'Heltid 40', minutes: [480, 480, 480, 480, 480, 0, 0] });
  assert.equal(model.status, 201, JSON.stringify(model.body));
  const assigned = await api.request('PUT', `/api/v1/employees/${anna.id}/work-model`,
    { work_model_id: model.body.id, valid_from: `${period}-01`, flex_model: 'accumulating', flex_opening_min: 0, vacation_days: '25' });
  assert.equal(assigned.status, 200, JSON.stringify(assigned.body));
  const tablet = new Tablet(server.url);
  await tablet.enrol(server.enrolmentCode);
  return { period, anna, model: model.body, tablet };
}

/** Anna stamps 07:00–17:30 on `date` at the tablet (10:30 without a break: two ArbZG warnings). */
async function stampLongDay(tablet, anna, date) {
  const start = tablet.event(anna.id, 'start', anna.links[0], stockholm(date, '07:00'));
  const stop = tablet.event(anna.id, 'stop', null, stockholm(date, '17:30'));
  const res = await tablet.sync([start, stop], 0);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { start, stop };
}

async function openMonth(page, server, employeeId, period) {
  await page.goto(`${server.url}/#/timesheet?employee=${employeeId}&month=${period}`);
  await page.waitForSelector('#ts-days');
}

test('a manager sees stamped days with Soll, Ist, flex and warnings, corrects a stamp, enters and books time, locks the month and downloads the CSV', async (t) => {
  const { server, api, page, problems, lang } = await setup(t);
  const { period, anna, tablet } = await arrange(api, server);
  const stamped = tuesdayOf(period);
  const entered = dayOf(period, Number(stamped.slice(8)) + 1);
  const forgotten = dayOf(period, Number(stamped.slice(8)) - 7);
  await stampLongDay(tablet, anna, stamped);
  // A week before (well past the 48 hours a stop is paired over): a start whose stop was never stamped.
  const open = await tablet.sync([tablet.event(anna.id, 'start', anna.links[0], stockholm(forgotten, '08:00'))], 0);
  assert.equal(open.status, 200, JSON.stringify(open.body));

  await logIn(page, server, lang, DEMO.manager);
  await page.click('nav a[href="#/timesheet"]');
  await page.waitForSelector('#ts-employee');
  await page.selectOption('#ts-employee', anna.id);
  await eventually(async () => assert.match(page.url(), new RegExp(`employee=${anna.id}`)));
  await openMonth(page, server, anna.id, period);
  assert.equal(await page.textContent('#ts-who'), 'Anna Andersson (101)');
  assert.ok((await page.textContent('#ts-model')).startsWith('Heltid 40'));

  // The stamped day: 07:00–17:30 in Stockholm, Soll 8:00, Ist 10:30, flex +2:30, two warnings.
  const row = await cells(page, stamped);
  assert.deepEqual(row.slice(0, 7), [tr(lang, 'admin.ts.source.stamps'), '07:00', '17:30', '', '8:00', '10:30', '2:30']);
  for (const code of ['arbzg_10h', 'arbzg_break']) {
    const flag = page.locator(`#ts-days tr[data-date="${stamped}"] .flag-warning[data-code="${code}"]`);
    assert.equal(await flag.getAttribute('title'), tr(lang, `admin.ts.warning.${code}`));
    assert.equal(await flag.locator('.sr-only').textContent(), tr(lang, `admin.ts.warning.${code}`), 'the explanation is read out too');
  }
  // A weekday without anything: Soll 8:00, flex -8:00 (the month is over).
  const empty = dayOf(period, Number(stamped.slice(8)) + 2);
  if ((await cells(page, empty))[7] === '') assert.deepEqual((await cells(page, empty)).slice(4, 7), ['8:00', '', '-8:00'], 'unless a holiday');
  await capture(page, 'timesheet-month');

  // The day opens to its stamp interval; the manager corrects the stop to 16:30 with a reason.
  await page.click(`button.expand[data-date="${stamped}"]`);
  assert.equal(await page.getAttribute(`button.expand[data-date="${stamped}"]`, 'aria-expanded'), 'true');
  assert.ok((await page.textContent(`#ts-detail-${stamped}`)).includes('07:00–17:30'));
  await page.click(`#ts-detail-${stamped} .intervals button`);
  await page.waitForSelector('dialog[open] #c-action');
  await page.selectOption('#c-record', { index: 1 });
  await page.fill('#c-time', '16:30');
  await page.click('#correction-save');
  await eventually(async () => assert.equal(await page.textContent('#c-reason-err'), tr(lang, 'admin.people.required')));
  await page.fill('#c-reason', 'forgot to stamp out');
  await capture(page, 'timesheet-correct');
  await page.click('#correction-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  await eventually(async () => assert.deepEqual((await cells(page, stamped)).slice(1, 7), ['07:00', '16:30', '', '8:00', '9:30', '1:30']));
  // The original stays visible in the day's history, with who and why.
  await eventually(async () => {
    const detail = await page.textContent(`#ts-detail-${stamped}`);
    assert.ok(detail.includes('forgot to stamp out') && detail.includes('Magnus Manager'), detail);
  });

  // The forgotten stop is added by the manager (add_stop), with a reason.
  await page.click(`button.expand[data-date="${forgotten}"]`);
  await page.click(`#ts-detail-${forgotten} .intervals button`);
  await page.waitForSelector('dialog[open] #c-action');
  await page.selectOption('#c-action', 'add_stop');
  assert.equal(await page.isVisible('#c-record'), false, 'add_stop needs no record choice');
  await page.fill('#c-time', '12:00');
  await page.fill('#c-reason', 'went home ill, forgot to stamp');
  await page.click('#correction-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  await eventually(async () => assert.deepEqual((await cells(page, forgotten)).slice(1, 3), ['08:00', '12:00']));
  assert.equal((await cells(page, forgotten))[5], '4:00');

  // A manual entry on the next day, in the A1/A2 formats.
  await page.click(`#ts-days tr[data-date="${entered}"] td.actions button`);
  await page.waitForSelector('dialog[open] #e-start');
  // The server's refusal of a malformed entry lands on the field it names, translated.
  await page.fill('#e-start', '8');
  await page.fill('#e-end', '8:00');
  await page.click('#entry-save');
  await eventually(async () => assert.equal(await page.textContent('#e-end-err'), tr(lang, 'admin.ts.invalid.end')));
  assert.equal(await page.textContent('#entry-error'), tr(lang, 'error.invalid_request'));
  assert.equal(await page.getAttribute('#e-start', 'aria-invalid'), null);
  await page.fill('#e-end', '16:30');
  await page.fill('#e-break', '0:30');
  await capture(page, 'timesheet-entry');
  await page.click('#entry-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  await eventually(async () => assert.deepEqual((await cells(page, entered)).slice(0, 7), [tr(lang, 'admin.ts.source.entry'), '08:00', '16:30', '0:30', '8:00', '8:00', '0:00']));
  // Booked fully on a link (E2).
  await page.click(`button.expand[data-date="${entered}"]`);
  await page.click(`#ts-book-fully-${entered}`);
  await page.waitForSelector('dialog[open] #b-link');
  await page.click('#booking-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  await eventually(async () => assert.ok((await page.textContent(`#ts-detail-${entered} .bookings`)).includes('8:00')));
  await capture(page, 'timesheet-entry-booked');

  // Lock and unlock from the page.
  await page.click('#ts-lock');
  await page.click('#lock-confirm');
  await page.waitForSelector('#ts-unlock');
  assert.ok((await page.textContent('#ts-lock-state')).includes(tr(lang, 'admin.ts.locked_employee')));
  assert.equal(await page.locator(`#ts-days tr[data-date="${entered}"] td.actions button`).count(), 0, 'a locked month offers no changes');
  await capture(page, 'timesheet-locked');
  await page.click('#ts-unlock');
  await page.click('#unlock-confirm');
  await page.waitForSelector('#ts-lock');

  // Someone else locks the month while the page shows it open: the change is refused, translated.
  const locked = await api.post(`/api/v1/timesheets/${anna.id}/${period}/lock`);
  assert.equal(locked.status, 200, JSON.stringify(locked.body));
  await page.click(`#ts-days tr[data-date="${entered}"] td.actions button`);
  await page.waitForSelector('dialog[open] #e-start');
  assert.equal(await page.inputValue('#e-start'), '08:00');
  await page.fill('#e-end', '17');
  await page.click('#entry-save');
  await eventually(async () => assert.equal(await page.textContent('#entry-error'), tr(lang, 'error.period_locked')));
  await capture(page, 'timesheet-period-locked');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#ts-unlock');
  assert.equal(await page.locator(`#ts-days tr[data-date="${entered}"] td.actions button`).count(), 0, 'the page now shows the lock');

  // The CSV in the page's language: UTF-8 with BOM, semicolons, CRLF, a row per day.
  const href = await page.getAttribute('#ts-csv', 'href');
  assert.equal(href, `/api/v1/timesheets/${anna.id}/${period}.csv?lang=${lang}`);
  const csv = await page.evaluate(async (u) => { const r = await fetch(u); return { status: r.status, type: r.headers.get('content-type'), bytes: [...new Uint8Array(await r.arrayBuffer())] }; }, href);
  assert.equal(csv.status, 200);
  assert.deepEqual(csv.bytes.slice(0, 3), [0xef, 0xbb, 0xbf], 'a UTF-8 byte order mark');
  const text = Buffer.from(csv.bytes.slice(3)).toString('utf8');
  const lines = text.split('\r\n').filter(Boolean);
  assert.ok(lines[0].includes(';'), lines[0]);
  assert.ok(lines.length >= 29, `a row per day: ${lines.length}`);
  assert.ok(lines.some((l) => l.includes(stamped) && l.includes('16:30')), text);
  assert.deepEqual(problems, []);
});

test('absences are entered over a range, coloured with a legend, listed and deleted; work models are created and assigned', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'de-DE' });
  const period = stockholmPeriod(1);
  const bjorn = await api.employee('102');
  await logIn(page, server, lang, DEMO.manager);

  // A work model from its page: each day in H:MM, checked in the page.
  await page.click('nav a[href="#/work-models"]');
  await page.waitForSelector('#wm-new');
  await page.click('#wm-new');
  await page.waitForSelector('dialog[open] #wm-name');
  await page.fill('#wm-fri', '25:00');
  await page.click('#wm-save');
  await eventually(async () => assert.equal(await page.textContent('#wm-fri-err'), tr(lang, 'admin.wm.day_invalid')));
  assert.equal(await page.textContent('#wm-name-err'), tr(lang, 'admin.people.required'));
  await page.fill('#wm-name', 'Teilzeit 30');
  for (const [d, v] of [['mon', '7:30'], ['tue', '7:30'], ['wed', '7:30'], ['thu', '7:30'], ['fri', '0']]) await page.fill('#wm-' + d, v);
  await capture(page, 'work-model-new');
  await page.click('#wm-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  const model = (await api.get('/api/v1/work-models')).items.find((m) => m.name === 'Teilzeit 30');
  assert.deepEqual(model.minutes, [450, 450, 450, 450, 0, 0, 0]);
  await eventually(async () => assert.ok((await page.textContent('#work-models')).includes('Teilzeit 30')));
  await capture(page, 'work-models');
  // Edited: Friday gets 6:00.
  await page.click(`#work-models button[aria-label="${tr(lang, 'admin.wm.edit_label', { name: 'Teilzeit 30' })}"]`);
  await page.waitForSelector('dialog[open] #wm-fri');
  assert.equal(await page.inputValue('#wm-mon'), '7:30');
  await page.fill('#wm-fri', '6:00');
  await page.click('#wm-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  assert.deepEqual((await api.get('/api/v1/work-models')).items.find((m) => m.id === model.id).minutes, [450, 450, 450, 450, 360, 0, 0]);

  // Assigned to Björn from his timesheet.
  await openMonth(page, server, bjorn.id, period);
  await page.click('#ts-assign-model');
  await page.waitForSelector('dialog[open] #m-model');
  await page.selectOption('#m-model', model.id);
  await page.fill('#m-from', `${period}-01`);
  await capture(page, 'timesheet-assign-model');
  await page.click('#assign-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  await eventually(async () => assert.ok((await page.textContent('#ts-model')).startsWith('Teilzeit 30')));

  // Vacation over two days of the second week; the rows name and colour it, the legend explains.
  const tuesday = tuesdayOf(period);
  const wednesday = dayOf(period, Number(tuesday.slice(8)) + 1);
  await page.click('#ts-absence-new');
  await page.waitForSelector('dialog[open] #a-kind');
  await page.selectOption('#a-kind', 'vacation');
  await page.fill('#a-from', tuesday);
  await page.fill('#a-to', wednesday);
  await page.click('#absence-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  await eventually(async () => assert.equal((await cells(page, tuesday))[7], tr(lang, 'admin.absence.vacation')));
  assert.match(await page.getAttribute(`#ts-days tr[data-date="${wednesday}"]`, 'class'), /day-vacation/);
  assert.equal(await page.locator('#ts-absences tbody tr').count(), 2);
  // The same day again: the server's conflict, translated.
  await page.click('#ts-absence-new');
  await page.waitForSelector('dialog[open] #a-kind');
  await page.selectOption('#a-kind', 'sick');
  await page.fill('#a-from', tuesday);
  await page.fill('#a-to', tuesday);
  await page.click('#absence-save');
  await eventually(async () => assert.equal(await page.textContent('#absence-error'), tr(lang, 'error.absence_exists')));
  await page.keyboard.press('Escape');
  await page.click('details.legend summary');
  await capture(page, 'timesheet-absences');
  // Deleted again.
  await page.click(`#ts-absences button[aria-label="${tr(lang, 'admin.ts.absence_delete_label', { date: await page.textContent(`#ts-absences tbody tr:first-child td:first-child`) })}"]`);
  await eventually(async () => assert.equal(await page.locator('#ts-absences tbody tr').count(), 1));
  assert.deepEqual(problems, []);
});

test('anomalies are listed for a manager and lead to the timesheet; an employee sees only their own month', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'da-DK' });
  const period = stockholmPeriod(1);
  const anna = await api.employee('101');
  const tablet = new Tablet(server.url);
  await tablet.enrol(server.enrolmentCode);
  const day = tuesdayOf(period);
  // A stop without a start: stored, flagged, never fixed silently.
  const res = await tablet.sync([tablet.event(anna.id, 'stop', null, stockholm(day, '16:00'))], 0);
  assert.equal(res.status, 200, JSON.stringify(res.body));

  await logIn(page, server, lang, DEMO.manager);
  await page.goto(`${server.url}/#/anomalies?from=${period}-01&to=${dayOf(period, 28)}`);
  await page.waitForSelector('#anomalies');
  const row = page.locator('#anomalies tbody tr', { hasText: 'Anna Andersson' });
  assert.equal(await row.locator('td').nth(2).textContent(), tr(lang, 'admin.ts.anomaly.stop_without_start'));
  await capture(page, 'anomalies');
  await row.locator('a').click();
  await page.waitForSelector(`#ts-days tr[data-date="${day}"] .flag-anomaly`);
  assert.equal(await page.getAttribute(`#ts-days tr[data-date="${day}"] .flag-anomaly`, 'data-code'), 'stop_without_start');
  await page.click('#logout');

  // Anna logs in and lands on her own month: no picker, no lock, no one else's month.
  await page.waitForSelector('#username');
  await logIn(page, server, lang, DEMO.employee);
  assert.equal(await page.textContent('main h1'), tr(lang, 'admin.ts.title'));
  await page.waitForSelector('#ts-days');
  assert.equal(await page.textContent('#ts-who'), 'Anna Andersson (101)');
  assert.equal(await page.locator('#ts-employee').count(), 0);
  assert.equal(await page.locator('#ts-lock, #ts-unlock, #ts-absence-new, #ts-assign-model').count(), 0);
  await page.click('#ts-prev');
  await eventually(async () => assert.match(page.url(), new RegExp(`month=${period}`)));
  await page.waitForSelector(`#ts-days tr[data-date="${day}"]`);
  // Under the organisation's self-service policy she enters and books her own time, picking
  // from the links she may stamp on.
  const own = dayOf(period, Number(day.slice(8)) + 2);
  await page.click(`#ts-days tr[data-date="${own}"] td.actions button`);
  await page.waitForSelector('dialog[open] #e-start');
  await page.fill('#e-start', '7');
  await page.fill('#e-end', '1530');
  await page.fill('#e-break', '30');
  await page.click('#entry-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  await eventually(async () => assert.deepEqual((await cells(page, own)).slice(1, 6), ['07:00', '15:30', '0:30', '0:00', '8:00'], 'no work model: Soll 0'));
  await page.click(`button.expand[data-date="${own}"]`);
  await page.click(`#ts-book-${own}`);
  await page.waitForSelector('dialog[open] #b-link');
  const offered = await page.$$eval('#b-link option', (os) => os.map((o) => o.value));
  assert.deepEqual([...offered].sort(), [...anna.links].sort());
  await page.fill('#b-minutes', '9:00');
  await page.click('#booking-save');
  await eventually(async () => assert.equal(await page.textContent('#booking-error'), tr(lang, 'error.bookings_exceed_actual')));
  await page.fill('#b-minutes', '5:30');
  await page.click('#booking-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  await eventually(async () => assert.ok((await page.textContent(`#ts-detail-${own}`)).includes(tr(lang, 'admin.ts.booked_of', { booked: '5:30', actual: '8:00' }))));
  // "Book the rest" books the remaining 2:30; then nothing remains.
  await page.click(`#ts-book-fully-${own}`);
  await page.click('#booking-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  await eventually(async () => assert.ok((await page.textContent(`#ts-detail-${own}`)).includes(tr(lang, 'admin.ts.booked_of', { booked: '8:00', actual: '8:00' }))));
  await page.click(`#ts-book-fully-${own}`);
  await page.click('#booking-save');
  await eventually(async () => assert.equal(await page.textContent('#booking-error'), tr(lang, 'error.nothing_to_book')));
  await page.keyboard.press('Escape');
  await capture(page, 'timesheet-employee');
  // One booking deleted: one is left.
  assert.equal(await page.locator(`#ts-detail-${own} .bookings li`).count(), 2);
  await page.locator(`#ts-detail-${own} .bookings button`).first().click();
  await eventually(async () => assert.equal(await page.locator(`#ts-detail-${own} .bookings li`).count(), 1));
  // Deleting the entry deletes its bookings (A6).
  await page.click(`#ts-entry-delete-${own}`);
  await page.click('#entry-delete-confirm');
  await eventually(async () => assert.equal((await cells(page, own))[0], ''));
  assert.equal(await page.locator('#ts-read-only').count(), 0);
  // Under the strict policy (D4) her month is read-only, and the page says why.
  const strict = await api.request('PATCH', '/api/v1/organisation', { policy: 'strict' });
  assert.equal(strict.status, 200, JSON.stringify(strict.body));
  await page.reload();
  await page.waitForSelector('#ts-days');
  assert.equal(await page.textContent('#ts-read-only'), tr(lang, 'admin.ts.read_only'));
  assert.equal(await page.locator('#ts-days td.actions button').count(), 0, 'no entry offered');
  const manager = (await api.get('/api/v1/employees?limit=1000')).items.find((e) => e.username === DEMO.manager);
  await page.goto(`${server.url}/#/timesheet?employee=${manager.id}&month=${period}`);
  await eventually(async () => assert.equal(await page.textContent('#ts-error'), tr(lang, 'error.forbidden')));
  assert.deepEqual(problems, []);
});

test('the timesheet, work models and anomalies pass axe in Swedish, German, Danish and English', async (t) => {
  const { server, api, page, problems } = await setup(t);
  const { period, anna, tablet } = await arrange(api, server);
  const stamped = tuesdayOf(period);
  await stampLongDay(tablet, anna, stamped);
  await api.post('/api/v1/absences', { employee_id: anna.id, kind: 'sick', from: dayOf(period, Number(stamped.slice(8)) + 1), to: dayOf(period, Number(stamped.slice(8)) + 1) });
  await logIn(page, server, 'en');
  await openMonth(page, server, anna.id, period);
  for (const lang of ['sv', 'de', 'da', 'en']) {
    await page.selectOption('#lang', lang);
    await eventually(async () => assert.equal(await page.textContent('main h1'), tr(lang, 'admin.ts.title')));
    await page.waitForSelector(`#ts-days tr[data-date="${stamped}"]`);
    assert.equal(await page.getAttribute('#ts-csv', 'href'), `/api/v1/timesheets/${anna.id}/${period}.csv?lang=${lang}`);
    await page.click(`button.expand[data-date="${stamped}"]`);
    await page.waitForSelector(`#ts-detail-${stamped}`);
    await capture(page, `timesheet-${lang}`);
    await page.click(`#ts-detail-${stamped} .intervals button`);
    await page.waitForSelector('dialog[open] #c-action');
    await capture(page, `timesheet-correct-${lang}`);
    await page.keyboard.press('Escape');
    await page.click(`button.expand[data-date="${stamped}"]`);
    for (const [id, ready] of [['work-models', '#work-models'], ['anomalies', '#anomalies-box']]) {
      await page.click(`nav a[href="#/${id}"]`);
      await page.waitForSelector(ready);
      await capture(page, `${id}-${lang}`);
    }
    await openMonth(page, server, anna.id, period);
  }
  assert.deepEqual(problems, []);
});

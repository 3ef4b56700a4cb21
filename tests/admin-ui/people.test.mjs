// People and links: employees with number, name, role, PIN and personnummer (validated in the
// page and by the server), project/account links, and who may stamp on what.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, eventually, logIn, personnummer } from './lib/fixture.mjs';
import { capture, tr } from './lib/browser.mjs';

const fieldError = (page, id) => page.textContent(`#${id}-err`);

test('an invalid personnummer is refused in the page and by the server, with translated errors', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'de-DE' });
  await logIn(page, server, lang);
  await page.click('nav a[href="#/people"]');
  await page.waitForSelector('#people');
  await page.click('#person-new');
  await page.waitForSelector('dialog[open] #p-number');
  await page.fill('#p-number', '201');
  await page.fill('#p-name', 'Greta Gran');
  await page.fill('#p-pin', '4321');

  // In the page: a wrong check digit, a date that does not exist, a bad format.
  const good = personnummer('19900315', '123');
  const wrongCheck = good.slice(0, -1) + String((Number(good.at(-1)) + 1) % 10);
  for (const [value, reason] of [[wrongCheck, 'admin.pnr.check_digit'], [personnummer('19900230', '123'), 'admin.pnr.date'], ['1990-03-15', 'admin.pnr.format']]) {
    await page.fill('#p-pnr', value);
    await page.press('#p-pnr', 'Tab');
    await eventually(async () => assert.equal(await fieldError(page, 'p-pnr'), `${tr(lang, 'error.invalid_personnummer')} ${tr(lang, reason)}`));
    assert.equal(await page.getAttribute('#p-pnr', 'aria-invalid'), 'true');
  }
  await page.click('#person-save');
  await eventually(async () => assert.equal(await page.evaluate(() => document.activeElement.id), 'p-pnr'));
  assert.equal(await page.locator('dialog[open]').count(), 1, 'the form stays open');
  await capture(page, 'people-invalid-personnummer');
  assert.equal((await api.get('/api/v1/employees?limit=1000')).items.some((e) => e.number === '201'), false, 'nothing was saved');

  // By the server: the same number sent straight to the API is refused with its code.
  const direct = await api.post('/api/v1/employees', { number: '201', name: 'Greta Gran', role: 'employee', pin: '4321', personnummer: wrongCheck });
  assert.equal(direct.status, 400);
  assert.equal(direct.error.code, 'invalid_personnummer');

  // A computer whose clock is a year ahead accepts a birth date next month, the server (which
  // knows today) does not: the page shows the server's refusal, translated, on the field.
  const nextMonth = new Date(Date.now() + 32 * 86_400_000);
  const future = personnummer(nextMonth.toISOString().slice(0, 10).replaceAll('-', ''), '456');
  await page.clock.setFixedTime(new Date(Date.now() + 400 * 86_400_000));
  await page.fill('#p-pnr', future);
  await page.press('#p-pnr', 'Tab');
  assert.equal(await fieldError(page, 'p-pnr'), '', 'the page itself finds nothing wrong');
  await page.click('#person-save');
  await eventually(async () => assert.equal(await page.textContent('#person-error'), tr(lang, 'error.invalid_personnummer')));
  assert.equal(await fieldError(page, 'p-pnr'), tr(lang, 'error.invalid_personnummer'));
  assert.equal((await api.get('/api/v1/employees?limit=1000')).items.some((e) => e.number === '201'), false, 'nothing was saved');
  assert.deepEqual(problems, []);
});

test('people are created and edited with role, PIN, personnummer and links; links are created and assigned', async (t) => {
  const { server, api, page, problems, lang } = await setup(t);
  await logIn(page, server, lang);
  await page.click('nav a[href="#/people"]');
  await page.waitForSelector('#people');
  await capture(page, 'people');

  // A new link.
  await page.click('#link-new');
  await page.waitForSelector('dialog[open] #l-project');
  await page.click('#link-save');
  await eventually(async () => assert.equal(await fieldError(page, 'l-project'), tr(lang, 'admin.people.required')));
  await page.fill('#l-project', 'Kundprojekt Beta');
  await page.fill('#l-account', 'Montage');
  await page.click('#link-save');
  await eventually(async () => assert.ok((await page.textContent('#links')).includes('Kundprojekt Beta')));
  const beta = (await api.get('/api/v1/links?limit=1000')).items.find((l) => l.project === 'Kundprojekt Beta');
  assert.deepEqual([beta.account, beta.active], ['Montage', true]);

  // A new person: required fields and PIN rules are checked in the page first.
  await page.click('#person-new');
  await page.waitForSelector('dialog[open] #p-number');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'p-number');
  await page.click('#person-save');
  await eventually(async () => assert.equal(await fieldError(page, 'p-number'), tr(lang, 'admin.people.required')));
  assert.equal(await fieldError(page, 'p-name'), tr(lang, 'admin.people.required'));
  assert.equal(await fieldError(page, 'p-pin'), tr(lang, 'admin.people.pin_invalid'));
  await page.fill('#p-number', '101');
  await page.fill('#p-name', 'Greta Gran');
  await page.selectOption('#p-role', 'manager');
  await page.fill('#p-pin', '12');
  await page.click('#person-save');
  await eventually(async () => assert.equal(await fieldError(page, 'p-pin'), tr(lang, 'admin.people.pin_invalid')));
  await page.fill('#p-pin', '4321');
  const pnr = personnummer('19900315', '123');
  await page.fill('#p-pnr', pnr);
  await page.check(`#p-link-${beta.id}`);
  await capture(page, 'people-new-person');
  // Number 101 is Anna's: the server refuses the duplicate, and the page says so.
  await page.click('#person-save');
  await eventually(async () => assert.equal(await page.textContent('#person-error'), tr(lang, 'error.already_exists')));
  await page.fill('#p-number', '201');
  await page.click('#person-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  assert.ok((await page.textContent('#toast')).includes(tr(lang, 'admin.people.saved', { name: 'Greta Gran' })));

  const greta = await api.employee('201');
  assert.equal(greta.name, 'Greta Gran');
  assert.equal(greta.role, 'manager');
  assert.equal(greta.personnummer_last4, pnr.slice(-4));
  assert.deepEqual(greta.links, [beta.id]);
  assert.equal('pin' in greta || 'pin_hash' in greta || 'personnummer' in greta, false, 'secrets are write-only');
  const row = await page.waitForSelector('#people tbody tr:has-text("Greta Gran")');
  const cells = await row.$$eval('td', (tds) => tds.map((td) => td.textContent));
  assert.equal(cells[0], '201');
  assert.equal(cells[2], tr(lang, 'admin.role.manager'));
  assert.ok(cells[3].endsWith(pnr.slice(-4)) && !cells[3].includes(pnr.slice(0, 8)), 'only the last four digits are shown');
  assert.equal(cells[4], 'Kundprojekt Beta · Montage');
  assert.equal(cells[5], tr(lang, 'admin.active'));

  // Edit: rename, add a second link; the stored PIN and personnummer are kept when left empty.
  const alfa = (await api.get('/api/v1/links?limit=1000')).items.find((l) => l.project === 'Kundprojekt Alfa' && l.account === 'Montage');
  await page.click(`#people button[aria-label="${tr(lang, 'admin.people.edit_label', { name: 'Greta Gran' })}"]`);
  await page.waitForSelector('dialog[open] #p-number');
  assert.equal(await page.inputValue('#p-number'), '201');
  assert.equal(await page.inputValue('#p-pnr'), '');
  assert.ok((await page.textContent('dialog[open]')).includes(tr(lang, 'admin.people.pnr_stored', { last4: pnr.slice(-4) })));
  assert.equal(await page.isChecked(`#p-link-${beta.id}`), true);
  await page.fill('#p-name', 'Greta Gran-Berg');
  await page.check(`#p-link-${alfa.id}`);
  await page.click('#person-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  const edited = await api.employee('201');
  assert.equal(edited.name, 'Greta Gran-Berg');
  assert.equal(edited.personnummer_last4, pnr.slice(-4));
  assert.deepEqual([...edited.links].sort(), [alfa.id, beta.id].sort());
  await eventually(async () => assert.ok((await page.textContent('#people')).includes('Greta Gran-Berg')));

  // Deactivating a link shows it as inactive.
  await page.click(`#links button[aria-label="${tr(lang, 'admin.links.edit_label', { name: 'Kundprojekt Beta · Montage' })}"]`);
  await page.waitForSelector('dialog[open] #l-active');
  await page.uncheck('#l-active');
  await page.click('#link-save');
  await eventually(async () => assert.equal(await page.textContent('#links tbody tr:has-text("Kundprojekt Beta") td:nth-child(3)'), tr(lang, 'admin.inactive')));
  assert.equal((await api.get('/api/v1/links?limit=1000')).items.find((l) => l.id === beta.id).active, false);
  assert.deepEqual(problems, []);
});

test('an admin gives a person a web login in the dialog, and that person logs in with it; a manager sees no login fields', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'sv-SE' });
  await logIn(page, server, lang);
  await page.click('nav a[href="#/people"]');
  await page.waitForSelector('#people');
  await page.click('#person-new');
  await page.waitForSelector('dialog[open] #p-username');
  // Someone who only logs in needs no number or PIN, but the password rule is checked first.
  await page.fill('#p-name', 'Lena Lind');
  await page.selectOption('#p-role', 'manager');
  await page.fill('#p-username', 'Lena.Lind');
  await page.fill('#p-password', 'short');
  await page.click('#person-save');
  await eventually(async () => assert.equal(await fieldError(page, 'p-password'), tr(lang, 'admin.people.password_invalid', { n: 10 })));
  assert.equal(await fieldError(page, 'p-number'), '', 'a login-only person needs no number');
  assert.equal(await fieldError(page, 'p-pin'), '', 'nor a PIN');
  // A taken username is the server's conflict, shown on the username field.
  await page.fill('#p-username', 'Manager');
  await page.fill('#p-password', 'lena-lösenord-1');
  await page.click('#person-save');
  await eventually(async () => assert.equal(await fieldError(page, 'p-username'), tr(lang, 'admin.people.username_taken')));
  await capture(page, 'people-login-taken');
  await page.fill('#p-username', 'Lena.Lind');
  await page.click('#person-save');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  const lena = (await api.get('/api/v1/employees?limit=1000')).items.find((e) => e.name === 'Lena Lind');
  assert.equal(lena.username, 'lena.lind');
  assert.equal(lena.number, null);
  assert.equal(JSON.stringify(lena).includes('lösenord'), false, 'the password is never answered');
  await eventually(async () => assert.ok((await page.textContent('#people tbody tr:has-text("Lena Lind")')).includes('lena.lind')));

  // The edit dialog shows the username and an empty "new password" field.
  await page.click(`#people button[aria-label="${tr(lang, 'admin.people.edit_label', { name: 'Lena Lind' })}"]`);
  await page.waitForSelector('dialog[open] #p-username');
  assert.equal(await page.inputValue('#p-username'), 'lena.lind');
  assert.equal(await page.inputValue('#p-password'), '');
  assert.ok((await page.textContent('dialog[open]')).includes(tr(lang, 'admin.people.password_change')));
  await capture(page, 'people-login-edit');
  await page.keyboard.press('Escape');

  // Lena logs in with it and lands on her pages as a manager.
  await page.click('#logout');
  await page.waitForSelector('#username');
  // As the admin typed her name: usernames are not case-sensitive.
  await logIn(page, server, lang, 'Lena.Lind', 'lena-lösenord-1');
  assert.equal(await page.textContent('.who-name'), 'Lena Lind');
  assert.equal(await page.textContent('.who .role'), tr(lang, 'admin.role.manager'));
  // As a manager she may edit people but not give logins: no such fields.
  await page.click('nav a[href="#/people"]');
  await page.waitForSelector('#people');
  await page.click('#person-new');
  await page.waitForSelector('dialog[open] #p-number');
  assert.equal(await page.locator('#p-username').count(), 0);
  assert.equal(await page.locator('#p-password').count(), 0);
  assert.deepEqual(problems, []);
});

test('an organisation without projects: the admin turns links off, the project list and column disappear, the tablets are told', async (t) => {
  const { server, api, page, problems, lang } = await setup(t, { locale: 'sv-SE' });
  await logIn(page, server, lang);
  await page.click('nav a[href="#/people"]');
  await page.waitForSelector('#people');
  assert.equal(await page.isChecked('#org-links-required'), true, 'links are required by default');
  assert.equal(await page.isVisible('#links'), true);
  const headers = () => page.$$eval('#people thead th', (ths) => ths.map((th) => th.textContent));
  assert.ok((await headers()).includes(tr(lang, 'admin.people.col.links')));

  await page.uncheck('#org-links-required');
  await eventually(async () => assert.equal(await page.isVisible('#org-links-off'), true));
  assert.equal(await page.textContent('#org-links-off'), tr(lang, 'admin.links.not_required_hint'));
  assert.equal(await page.isVisible('#links'), false, 'the project list is hidden');
  assert.equal(await page.isVisible('#link-new'), false);
  assert.ok(!(await headers()).includes(tr(lang, 'admin.people.col.links')), 'no project column');
  assert.equal((await api.get('/api/v1/organisation')).links_required, false, 'saved on the server');
  await capture(page, 'people-without-projects');

  // A person's editor has no project picker, and saving keeps the links they had.
  const before = await api.employee('101');
  await page.click(`button[aria-label="${tr(lang, 'admin.people.edit_label', { name: before.name })}"]`);
  await page.waitForSelector('dialog[open] #p-name');
  assert.equal(await page.locator('dialog[open] .links-pick').count(), 0);
  await page.click('#person-save');
  await eventually(async () => assert.equal(await page.locator('dialog[open]').count(), 0));
  assert.deepEqual((await api.employee('101')).links, before.links, 'links untouched');
  // Two saves in a row leave one toast, not a stack over the table.
  assert.equal(await page.locator('#toast .toast').count(), 1, 'one toast at a time');
  assert.equal(await page.textContent('#toast'), tr(lang, 'admin.people.saved', { name: before.name }));

  // Reloaded, the page remembers; switched back on, everything returns.
  await page.reload();
  await page.waitForSelector('#people');
  assert.equal(await page.isChecked('#org-links-required'), false);
  await page.check('#org-links-required');
  await eventually(async () => assert.equal(await page.isVisible('#links'), true));
  assert.equal((await api.get('/api/v1/organisation')).links_required, true);
  assert.deepEqual(problems, []);
});

// The kiosk's screens. Every action is one command of the Tauri shell (clock-app), which calls
// clock-core; errors come back as {code, message} and are shown translated.

import { setLanguage, language, t, errorText, languageForTimeZone, LANGUAGES } from './i18n.js';

const IDLE_AFTER_MS = 15000;
const STATUS_EVERY_MS = 2000;
// Where the language chosen in settings is remembered (it wins over the organisation's default).
const LANGUAGE_KEY = 'stampclock-language';

const invoke = (cmd, args) => window.__TAURI__.core.invoke(cmd, args);
const $ = (id) => document.getElementById(id);

const state = {
  screen: null,
  device: null,
  status: null,
  person: null,
  data: null,
  selectedLink: null,
  field: 'number',
  number: '',
  pin: '',
  idleTimer: null,
};

// ---- screens and the idle timeout -------------------------------------------------------

function show(name) {
  state.screen = name;
  document.querySelectorAll('.screen').forEach((s) => { s.hidden = s.id !== `screen-${name}`; });
  document.body.dataset.screen = name;
  touched();
}

function touched() {
  clearTimeout(state.idleTimer);
  if (state.screen === 'identify' || state.screen === 'employee' || state.screen === 'settings') {
    state.idleTimer = setTimeout(goIdle, IDLE_AFTER_MS);
  }
}

async function goIdle() {
  if (state.person) {
    state.person = null;
    try { await invoke('sign_out'); } catch (_) { /* nothing to undo */ }
  }
  state.number = '';
  state.pin = '';
  await refreshDevice();
  show(state.device ? 'idle' : 'enrol');
  renderIdle();
}

['pointerdown', 'keydown', 'input', 'touchstart'].forEach((ev) => document.addEventListener(ev, touched, { passive: true }));

// ---- formatting ---------------------------------------------------------------------------

function tz() {
  return state.device?.time_zone || undefined;
}

// Dates and times follow the organisation's country: English on a Swedish tablet reads
// "Thu 3/12", 24-hour (en-SE), never the US month-first with AM/PM.
const REGIONS = { 'Europe/Stockholm': 'SE', 'Europe/Berlin': 'DE', 'Europe/Busingen': 'DE', 'Europe/Copenhagen': 'DK' };
function locale() {
  return language() === 'en' ? `en-${REGIONS[tz()] || 'GB'}` : language();
}

// The idle screen runs around the clock, so its formatters are built once per language and
// time zone instead of on every tick.
const formatters = new Map();
function formatter(kind) {
  const key = `${kind}|${locale()}|${tz() || ''}`;
  let f = formatters.get(key);
  if (!f) {
    const opts = kind === 'time'
      ? { hour: '2-digit', minute: '2-digit', timeZone: tz() }
      : { weekday: 'long', day: 'numeric', month: 'long', timeZone: tz() };
    f = new Intl.DateTimeFormat(locale(), opts);
    formatters.set(key, f);
  }
  return f;
}

function fmtTime(iso) {
  if (!iso) return '';
  return formatter('time').format(new Date(iso));
}

// Writes only what changed: an unchanged text is not touched, so an idle tablet does no layout
// or paint between minute changes.
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function fmtMinutes(m) {
  if (m == null) return '';
  const h = Math.floor(m / 60);
  return `${h}:${String(m % 60).padStart(2, '0')}`;
}

// Minutes as H:MM with a sign when negative (a flex balance).
function fmtSigned(m) {
  if (m == null) return '';
  return (m < 0 ? '-' : '') + fmtMinutes(Math.abs(m));
}

// The server's week (issue 12, item 7): worked and target time per day and the flex balance,
// as of the last sync; hidden until the first sync delivered one.
function renderWeek(week) {
  const box = $('emp-week');
  if (!week) { box.hidden = true; return; }
  box.hidden = false;
  const dayFmt = new Intl.DateTimeFormat(locale(), { weekday: 'short', day: 'numeric', month: 'numeric', timeZone: 'UTC' });
  const rows = week.days.map((d) => {
    const tr = document.createElement('tr');
    tr.dataset.date = d.date;
    [dayFmt.format(new Date(`${d.date}T00:00:00Z`)), fmtMinutes(d.actual_min), fmtMinutes(d.target_min)]
      .forEach((text) => { const td = document.createElement('td'); td.textContent = text; tr.append(td); });
    return tr;
  });
  $('emp-week-table').querySelector('tbody').replaceChildren(...rows);
  const flex = $('emp-flex');
  flex.textContent = t('kiosk.week.flex', { balance: fmtSigned(week.flex_balance_min) });
  flex.classList.toggle('negative', week.flex_balance_min < 0);
  const asOf = new Intl.DateTimeFormat(locale(), { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone: tz() });
  $('emp-week-asof').textContent = t('kiosk.week.as_of', { time: asOf.format(new Date(week.as_of)) });
}

function linkLabel(l) {
  return `${l.project} · ${l.account}`;
}

// A stamp's task as the tables show it: empty for a stamp without a link.
function taskLabel(s) {
  return s.link_id ? `${s.project} · ${s.account}` : '';
}

// ---- enrolment ----------------------------------------------------------------------------

$('enrol-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('enrol-error').textContent = '';
  $('enrol-submit').disabled = true;
  try {
    state.device = await invoke('enrol', { serverUrl: $('enrol-url').value.trim(), code: $('enrol-code').value.trim() });
    $('enrol-code').value = '';
    if (!localStorage.getItem(LANGUAGE_KEY)) await setLanguage(languageForTimeZone(state.device?.time_zone) || 'en');
    await goIdle();
  } catch (err) {
    $('enrol-error').textContent = errorText(err);
  } finally {
    $('enrol-submit').disabled = false;
  }
});

// ---- idle ---------------------------------------------------------------------------------

async function refreshDevice() {
  try {
    state.device = await invoke('device_info');
  } catch (_) {
    state.device = null;
  }
}

async function refreshStatus() {
  try {
    state.status = await invoke('sync_status');
  } catch (_) {
    state.status = null;
  }
  renderBadge();
}

function renderBadge() {
  const s = state.status;
  const badge = $('badge');
  if (!s) {
    badge.classList.remove('online', 'offline');
    setText(badge, '');
    return;
  }
  let head;
  if (s.online === true) head = t('kiosk.badge.online');
  else if (s.online === false) head = t('kiosk.badge.offline');
  else head = t('kiosk.badge.unknown');
  badge.classList.toggle('online', s.online === true);
  badge.classList.toggle('offline', s.online === false);
  const last = s.last_sync_at ? t('kiosk.badge.last_sync', { time: fmtTime(s.last_sync_at) }) : t('kiosk.badge.never');
  setText(badge, `${head} · ${t('kiosk.badge.pending', { n: s.pending })} · ${last}`);
  if (badge.dataset.pending !== String(s.pending)) badge.dataset.pending = String(s.pending);
  const banner = $('uninstalled-banner');
  if (banner.hidden !== !s.uninstalled) banner.hidden = !s.uninstalled;
}

function renderIdle() {
  const now = new Date();
  setText($('clock'), formatter('time').format(now));
  setText($('date'), formatter('date').format(now));
  renderBadge();
}

$('idle-tap').addEventListener('click', () => {
  state.field = 'number';
  state.number = '';
  state.pin = '';
  $('id-error').textContent = '';
  renderIdentify();
  show('identify');
});

$('menu-button').addEventListener('click', (e) => {
  e.stopPropagation();
  openSettings();
});

// ---- identification -----------------------------------------------------------------------

function renderIdentify() {
  $('id-number').textContent = state.number;
  $('id-pin').textContent = '•'.repeat(state.pin.length);
  $('field-number').classList.toggle('active', state.field === 'number');
  $('field-pin').classList.toggle('active', state.field === 'pin');
}

$('field-number').addEventListener('click', () => { state.field = 'number'; renderIdentify(); });
$('field-pin').addEventListener('click', () => { state.field = 'pin'; renderIdentify(); });

$('keypad').addEventListener('click', async (e) => {
  const key = e.target.closest('.key')?.dataset.key;
  if (!key) return;
  $('id-error').textContent = '';
  const f = state.field;
  if (key === 'back') {
    state[f] = state[f].slice(0, -1);
  } else if (key === 'ok') {
    if (f === 'number') {
      if (state.number) state.field = 'pin';
    } else {
      await submitIdentify();
      return;
    }
  } else if (state[f].length < 12) {
    state[f] += key;
  }
  renderIdentify();
});

async function submitIdentify() {
  try {
    state.person = await invoke('identify', { number: state.number, pin: state.pin });
    state.pin = '';
    state.selectedLink = null;
    $('emp-comment').value = '';
    $('emp-search').value = '';
    $('emp-message').textContent = '';
    await loadEmployee();
    show('employee');
  } catch (err) {
    state.pin = '';
    state.field = 'pin';
    renderIdentify();
    $('id-error').textContent = errorText(err);
  }
}

$('id-cancel').addEventListener('click', goIdle);

// ---- the employee's screen ----------------------------------------------------------------

async function loadEmployee() {
  $('emp-error').textContent = '';
  try {
    state.data = await invoke('employee_screen');
  } catch (err) {
    $('emp-error').textContent = errorText(err);
    return;
  }
  renderEmployee();
}

function linkButton(l) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'link';
  b.dataset.link = l.id;
  b.textContent = linkLabel(l);
  if (state.selectedLink === l.id) b.classList.add('selected');
  return b;
}

function renderLinks() {
  const d = state.data;
  if (!d) return;
  const q = $('emp-search').value.trim().toLowerCase();
  const recent = $('emp-recent');
  recent.replaceChildren(...d.recent_links.map(linkButton));
  const recentIds = new Set(d.recent_links.map((l) => l.id));
  const all = d.links.filter((l) => !recentIds.has(l.id) || q)
    .filter((l) => !q || linkLabel(l).toLowerCase().includes(q));
  $('emp-links').replaceChildren(...all.map(linkButton));
  const start = $('emp-start');
  start.disabled = !state.selectedLink;
  start.textContent = !state.selectedLink ? t('kiosk.employee.select_link')
    : d.running ? t('kiosk.employee.switch') : t('kiosk.employee.start');
}

function renderEmployee() {
  const d = state.data;
  $('emp-hello').textContent = t('kiosk.employee.hello', { name: d.name });
  const running = $('emp-running');
  const free = !d.links_required;
  if (d.running) {
    running.textContent = d.running.link_id
      ? t('kiosk.employee.running', { task: taskLabel(d.running), since: fmtTime(d.running.start) })
      : t('kiosk.employee.in_since', { since: fmtTime(d.running.start) });
    running.classList.add('on');
  } else {
    running.textContent = t(free ? 'kiosk.employee.not_in' : 'kiosk.employee.nothing_running');
    running.classList.remove('on');
  }
  // Without required links: one large button that clocks in or out; the task list only for
  // staff who also have tasks to choose from.
  const punch = $('emp-punch');
  punch.hidden = !free;
  punch.textContent = t(d.running ? 'kiosk.employee.clock_out' : 'kiosk.employee.clock_in');
  punch.classList.toggle('out', !!d.running);
  $('emp-stop').hidden = free;
  $('emp-stop').disabled = !d.running;
  $('emp-tasks').hidden = free && d.links.length === 0;
  // Staff without projects see no task and comment columns in today's stamps.
  $('emp-stamps').classList.toggle('no-links', free && d.links.length === 0);
  $('emp-or-task').hidden = !free;
  $('emp-today').textContent = t('kiosk.employee.today', { day: d.work_day });
  const rows = [];
  d.stamps.forEach((s, i) => {
    if (i > 0 && d.breaks[i - 1] > 0) {
      const br = document.createElement('tr');
      br.className = 'break';
      const td = document.createElement('td');
      td.colSpan = 5;
      td.textContent = t('kiosk.employee.break', { minutes: fmtMinutes(d.breaks[i - 1]) });
      br.append(td);
      rows.push(br);
    }
    const tr = document.createElement('tr');
    tr.className = 'stamp';
    [fmtTime(s.start), s.end ? fmtTime(s.end) : '…', taskLabel(s), s.comment, fmtMinutes(s.minutes)]
      .forEach((text) => { const td = document.createElement('td'); td.textContent = text; tr.append(td); });
    rows.push(tr);
  });
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 5;
    td.textContent = t('kiosk.employee.no_stamps');
    tr.append(td);
    rows.push(tr);
  }
  $('emp-stamps').querySelector('tbody').replaceChildren(...rows);
  renderTotals();
  renderWeek(d.week);
  renderLinks();
}

// "Worked today" counts a running task live: the closed stamps' total from the core plus the
// running one's minutes so far (refreshed while the screen is open).
function renderTotals() {
  const d = state.data;
  if (!d) return;
  const running = d.running && d.stamps.some((s) => s.id === d.running.id)
    ? Math.max(0, Math.floor((Date.now() - new Date(d.running.start).getTime()) / 60000)) : 0;
  setText($('emp-totals'), t('kiosk.employee.totals', {
    worked: fmtMinutes(d.actual_minutes + running), breaks: fmtMinutes(d.total_break_minutes),
  }));
}

function onLinkClick(e) {
  const id = e.target.closest('.link')?.dataset.link;
  if (!id) return;
  state.selectedLink = state.selectedLink === id ? null : id;
  renderLinks();
}
$('emp-recent').addEventListener('click', onLinkClick);
$('emp-links').addEventListener('click', onLinkClick);
$('emp-search').addEventListener('input', renderLinks);

$('emp-start').addEventListener('click', async () => {
  if (!state.selectedLink) return;
  $('emp-error').textContent = '';
  try {
    const r = await invoke('start_task', { linkId: state.selectedLink, comment: $('emp-comment').value || null });
    const link = state.data.links.find((l) => l.id === state.selectedLink);
    $('emp-message').textContent = t(r.switched ? 'kiosk.employee.switched' : 'kiosk.employee.started', {
      task: link ? linkLabel(link) : '', time: fmtTime(r.occurred_at),
    });
    state.selectedLink = null;
    $('emp-comment').value = '';
    await loadEmployee();
  } catch (err) {
    $('emp-error').textContent = errorText(err);
  }
});

$('emp-punch').addEventListener('click', async () => {
  $('emp-error').textContent = '';
  const button = $('emp-punch');
  button.disabled = true;
  try {
    if (state.data?.running) {
      const r = await invoke('stop_task');
      $('emp-message').textContent = t('kiosk.employee.stopped', { time: fmtTime(r.occurred_at) });
    } else {
      const r = await invoke('start_task', { linkId: null, comment: null });
      $('emp-message').textContent = t('kiosk.employee.clocked_in', { time: fmtTime(r.occurred_at) });
    }
    await loadEmployee();
  } catch (err) {
    $('emp-error').textContent = errorText(err);
  } finally {
    button.disabled = false;
  }
});

$('emp-stop').addEventListener('click', async () => {
  $('emp-error').textContent = '';
  try {
    const r = await invoke('stop_task');
    $('emp-message').textContent = t('kiosk.employee.stopped', { time: fmtTime(r.occurred_at) });
    await loadEmployee();
  } catch (err) {
    $('emp-error').textContent = errorText(err);
  }
});

$('emp-done').addEventListener('click', goIdle);

// ---- settings -----------------------------------------------------------------------------

function renderSettings() {
  const d = state.device;
  $('settings-device').textContent = d ? t('kiosk.settings.device', { org: d.organisation_name, server: d.server_url }) : '';
  document.querySelectorAll('.lang').forEach((b) => b.classList.toggle('current', b.dataset.lang === language()));
}

function openSettings() {
  $('sync-result').textContent = '';
  $('uninstall-result').textContent = '';
  $('exit-result').textContent = '';
  renderSettings();
  show('settings');
}

$('settings-back').addEventListener('click', goIdle);

$('sync-now').addEventListener('click', async () => {
  const out = $('sync-result');
  out.textContent = t('kiosk.settings.syncing');
  out.className = '';
  $('sync-now').disabled = true;
  try {
    const r = await invoke('sync_now');
    out.textContent = r.full ? t('kiosk.settings.sync_full', { sent: r.sent })
      : t('kiosk.settings.sync_partial', { sent: r.sent, pending: r.pending_after });
    out.className = 'message';
  } catch (err) {
    out.textContent = errorText(err);
    out.className = 'error';
  } finally {
    $('sync-now').disabled = false;
    refreshStatus();
  }
});

$('uninstall-submit').addEventListener('click', async () => {
  const out = $('uninstall-result');
  out.textContent = t('kiosk.settings.uninstalling');
  out.className = '';
  try {
    await invoke('uninstall', { personnummer: $('uninstall-pnr').value.trim() });
    $('uninstall-pnr').value = '';
    state.device = null;
    show('enrol');
    $('enrol-error').textContent = t('kiosk.settings.uninstalled');
  } catch (err) {
    out.textContent = errorText(err);
    out.className = 'error';
  }
});

document.querySelector('.langs').addEventListener('click', async (e) => {
  const lang = e.target.closest('.lang')?.dataset.lang;
  if (!lang || !LANGUAGES.includes(lang)) return;
  localStorage.setItem(LANGUAGE_KEY, lang);
  await setLanguage(lang);
  renderSettings();
});

$('exit-submit').addEventListener('click', async () => {
  $('exit-result').textContent = '';
  try {
    await invoke('exit_app', { number: $('exit-number').value.trim(), pin: $('exit-pin').value });
  } catch (err) {
    $('exit-pin').value = '';
    $('exit-result').textContent = errorText(err);
  }
});

// ---- start --------------------------------------------------------------------------------

async function main() {
  await refreshDevice();
  const saved = localStorage.getItem(LANGUAGE_KEY);
  await setLanguage(saved || languageForTimeZone(state.device?.time_zone) || (navigator.language || 'en').slice(0, 2));
  await refreshStatus();
  show(state.device ? 'idle' : 'enrol');
  renderIdle();
  setInterval(() => { if (state.screen === 'idle') renderIdle(); else if (state.screen === 'employee') renderTotals(); }, 1000);
  setInterval(refreshStatus, STATUS_EVERY_MS);
  document.body.dataset.ready = 'true';
  // Start-up telemetry: the second animation frame after the first screen was shown runs once
  // that screen has been painted; the shell then logs "first screen shown".
  requestAnimationFrame(() => requestAnimationFrame(() => { invoke('ui_ready', { screen: state.screen }).catch(() => {}); }));
}

main().catch((err) => {
  document.body.textContent = `stampclock: ${err}`;
});

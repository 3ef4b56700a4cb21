// The month timesheet of one employee (docs/TIMESHEET.md): a row per day with Soll, Ist, flex,
// breaks, absences, holidays, ArbZG warnings and anomalies; a day opens its stamp intervals,
// manual entry, bookings and the history of corrections. Managers and admins pick anyone,
// correct stamps, enter absences, assign work models and lock the month; an employee (or team
// lead) sees their own month and, where the policy lets them, enters their own time.
import { get, post, put, del } from '../api.js';
import { t, has, errorText, currentLang, locale } from '../i18n.js';
import { h, clear, field, modal, setFieldError, toast, confirmDialog, icon } from '../util.js';
import { hm, parseHm, zonedTime, zonedInstant, dayLabel, monthLabel, addMonths, monthEnd } from '../minutes.js';

/** Absence kinds of TIMESHEET.md, in the order the select offers them. */
export const ABSENCE_KINDS = ['vacation', 'half_vacation', 'flex_leave', 'sick', 'special_leave', 'half_special_leave',
  'vocational_school', 'parental', 'maternity'];
const WARNINGS = ['arbzg_break', 'arbzg_10h', 'arbzg_average'];
const isManager = (user) => user && (user.role === 'admin' || user.role === 'manager');

/** The current month in the browser's zone (the server answers for the organisation's). */
function thisMonth() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

const absenceKind = (a) => (a ? (typeof a === 'string' ? a : a.kind) : null);
const holidayName = (x) => (x ? (typeof x === 'string' ? x : x.name || x.local_name || '') : null);

/** The translated explanation of a warning or anomaly code (a code the page does not know yet is named). */
function explain(kind, code) {
  const key = `admin.ts.${kind}.${code}`;
  return has(key) ? t(key) : t(`admin.ts.${kind}_other`, { code });
}

/** A warning or anomaly as an icon with its translated explanation (tooltip + hidden text). */
function flag(kind, code) {
  const text = explain(kind, code);
  return h('span', { class: `flag flag-${kind}`, title: text, 'data-code': code },
    icon(kind === 'warning' ? 'alert' : 'info'), h('span', { class: 'sr-only', text }));
}

export function renderTimesheet(main, { user, params, navigate }) {
  const manager = isManager(user);
  const period = /^\d{4}-(0[1-9]|1[0-2])$/.test(params.get('month') || '') ? params.get('month') : thisMonth();
  let employeeId = params.get('employee') || (manager ? null : user.id);
  const go = (emp, month) => navigate(`#/timesheet?employee=${encodeURIComponent(emp)}&month=${month}`);

  const picker = manager ? h('select', { id: 'ts-employee' }, h('option', { value: '', text: t('admin.loading') })) : null;
  // Not a live region: a month is too long to be read out on every change (the toasts say what changed).
  const box = h('div', { id: 'timesheet', 'aria-busy': 'true' }, h('p', { class: 'muted', text: t('admin.loading') }));
  const monthNav = h('div', { class: 'month-nav', role: 'group', 'aria-label': t('admin.ts.month_nav') },
    h('button', { type: 'button', class: 'btn small', id: 'ts-prev', 'aria-label': t('admin.ts.prev_month'), title: t('admin.ts.prev_month'), text: '‹',
      onclick: () => employeeId && go(employeeId, addMonths(period, -1)) }),
    h('h2', { class: 'month-label', id: 'ts-month', text: monthLabel(period) }),
    h('button', { type: 'button', class: 'btn small', id: 'ts-next', 'aria-label': t('admin.ts.next_month'), title: t('admin.ts.next_month'), text: '›',
      onclick: () => employeeId && go(employeeId, addMonths(period, 1)) }));
  clear(main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', { text: t('admin.ts.title') }), h('p', { class: 'lead', text: t(manager ? 'admin.ts.lead' : 'admin.ts.lead_own') })),
      picker ? field(t('admin.ts.employee'), picker) : null),
    monthNav, box);

  let links = [];
  // D4: under `strict` only managers and admins change a timesheet; staff see theirs read-only.
  let mayChange = manager;
  let people = new Map();
  let sheet = null;
  let absences = [];
  const expanded = new Set();

  async function start() {
    if (manager) {
      try {
        const all = (await get('/api/v1/employees?limit=1000')).items;
        people = new Map(all.map((p) => [p.id, p]));
        const shown = all.filter((p) => p.active || p.id === employeeId);
        // Without a choice yet: the first person who stamps (admins and managers seldom do).
        if (!employeeId && shown.length) employeeId = (shown.find((p) => p.number && p.role === 'employee') || shown.find((p) => p.number) || shown[0]).id;
        clear(picker, shown.map((p) => h('option', { value: p.id, selected: p.id === employeeId, text: p.number ? `${p.name} (${p.number})` : p.name })));
        picker.addEventListener('change', () => go(picker.value, period));
      } catch (err) { clear(box, h('p', { class: 'form-error', text: errorText(err) })); return; }
    }
    if (!employeeId) { clear(box, h('p', { class: 'muted', text: t('admin.ts.no_employee') })); return; }
    if (!manager) {
      try { mayChange = (await get('/api/v1/organisation')).policy !== 'strict'; } catch { mayChange = true; /* the server still decides */ }
    }
    load();
  }

  async function loadLinks() {
    // The links this employee may book on; a manager can also see every link's name.
    try { links = (await get(`/api/v1/employees/${employeeId}/links`)).items; return; } catch { /* not offered: fall back */ }
    if (!manager) { links = []; return; }
    try {
      const all = await get('/api/v1/links?limit=1000');
      const mine = people.get(employeeId);
      links = all.items.filter((l) => !mine || mine.links.includes(l.id) || !mine.links.length);
    } catch { links = []; }
  }

  let latest = 0;
  async function load() {
    const seq = ++latest;
    box.setAttribute('aria-busy', 'true');
    try {
      const [s, a] = await Promise.all([
        get(`/api/v1/timesheets/${employeeId}/${period}`),
        manager ? get(`/api/v1/absences?employee_id=${employeeId}&from=${period}-01&to=${monthEnd(period)}`).catch(() => ({ items: [] })) : Promise.resolve({ items: [] }),
        links.length ? null : loadLinks(),
      ]);
      if (seq !== latest) return;
      sheet = s; absences = a.items || [];
      draw();
    } catch (err) {
      if (seq === latest) clear(box, h('p', { class: 'form-error', id: 'ts-error', role: 'alert', text: errorText(err) }));
    } finally { if (seq === latest) box.setAttribute('aria-busy', 'false'); }
  }

  const tz = () => sheet.time_zone;
  const linkName = (id) => { const l = links.find((x) => x.id === id); return l ? `${l.project} · ${l.account}` : t('admin.ts.link_unknown'); };

  function draw() {
    const s = sheet;
    const head = h('div', { class: 'card ts-head' },
      h('div', { class: 'ts-facts' },
        fact(t('admin.ts.employee'), s.employee.number ? `${s.employee.name} (${s.employee.number})` : s.employee.name, 'ts-who'),
        fact(t('admin.ts.work_model'), s.work_model ? `${s.work_model.name} · ${s.work_model.minutes.map(hm).join(' / ')}` : t('admin.ts.no_model'), 'ts-model'),
        fact(t('admin.ts.flex_balance'), hm(s.flex_balance_min), 'ts-flex-balance', s.flex_model ? t('admin.ts.flex_model.' + s.flex_model) : null),
        fact(t('admin.ts.vacation_left'), vacation(s.vacation_left), 'ts-vacation')),
      lockStatus(s),
      mayChange ? null : h('p', { class: 'muted small', id: 'ts-read-only', text: t('admin.ts.read_only') }),
      s.warnings?.length ? h('ul', { class: 'month-warnings', id: 'ts-month-warnings' }, s.warnings.map((w) => h('li', {}, flag('warning', w), explain('warning', w)))) : null,
      h('div', { class: 'buttons' },
        h('a', { class: 'btn', id: 'ts-csv', href: `/api/v1/timesheets/${s.employee.id}/${s.period}.csv?lang=${currentLang()}`, download: `timesheet-${s.employee.number || s.employee.id}-${s.period}.csv` },
          icon('download'), t('admin.ts.csv')),
        manager ? h('button', { type: 'button', class: 'btn', id: s.locked ? 'ts-unlock' : 'ts-lock', onclick: s.locked ? unlock : lock },
          icon('lock'), t(s.locked ? 'admin.ts.unlock' : 'admin.ts.lock')) : null,
        manager ? h('button', { type: 'button', class: 'btn', id: 'ts-assign-model', onclick: assignModel, text: t('admin.ts.assign_model') }) : null,
        manager ? h('button', { type: 'button', class: 'btn', id: 'ts-absence-new', onclick: () => addAbsence(), text: t('admin.ts.absence_new') }) : null));
    const table = h('div', { class: 'card flush' }, h('div', { class: 'table-wrap' }, h('table', { class: 'data compact ts', id: 'ts-days' },
      h('caption', { class: 'sr-only', text: t('admin.ts.caption', { name: s.employee.name, month: monthLabel(s.period) }) }),
      h('thead', {}, h('tr', {}, ['date', 'source', 'start', 'end', 'break', 'target', 'actual', 'flex', 'absence', 'flags'].map((k) =>
        h('th', { scope: 'col', class: ['break', 'target', 'actual', 'flex'].includes(k) ? 'num' : null, text: t('admin.ts.col.' + k) })),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: t('admin.actions') })))),
      s.days.map(dayRows),
      h('tfoot', {}, h('tr', { class: 'totals', id: 'ts-totals' },
        h('th', { scope: 'row', colspan: 5, text: t('admin.ts.totals') }),
        h('td', { class: 'num', 'data-label': t('admin.ts.col.target'), text: hm(s.totals.target_min) }),
        h('td', { class: 'num', 'data-label': t('admin.ts.col.actual'), text: hm(s.totals.actual_min) }),
        h('td', { class: 'num ' + flexClass(s.totals.flex_min), 'data-label': t('admin.ts.col.flex'), text: hm(s.totals.flex_min) }),
        h('td', { colspan: 3, 'data-label': t('admin.ts.booked') }, t('admin.ts.booked_total', { time: hm(s.totals.booked_min) })))))));
    clear(box, head, legend(), table, manager ? absenceList() : null);
  }

  function fact(label, value, id, note) {
    return h('div', { class: 'fact' }, h('span', { class: 'fact-label', text: label }), h('strong', { id, text: value }), note ? h('span', { class: 'muted small', text: note }) : null);
  }

  /** A person named by id (the lock's author) as the page knows them. */
  function personName(who) {
    if (!who) return '—';
    if (typeof who === 'object') return who.name || '—';
    if (people.has(who)) return people.get(who).name;
    if (who === user.id) return user.name;
    return /^[0-9a-f-]{36}$/i.test(who) ? '—' : String(who);
  }

  function vacation(v) {
    if (!v) return '—';
    if (v.unit === 'minutes' || v.minutes !== null && v.minutes !== undefined && v.days == null) return t('admin.ts.vacation_hours', { time: hm(v.minutes) });
    return t('admin.ts.vacation_days', { n: new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(Number(v.days)), count: Number(v.days) });
  }

  function lockStatus(s) {
    if (!s.locked) return h('p', { class: 'muted small', id: 'ts-lock-state', text: t('admin.ts.open') });
    const l = s.lock || {};
    return h('div', { class: 'status locked', id: 'ts-lock-state' }, h('span', { class: 'status-icon', 'aria-hidden': 'true' }, icon('lock')),
      h('div', {}, h('strong', { text: t(l.scope === 'organisation' ? 'admin.ts.locked_org' : 'admin.ts.locked_employee') }),
        l.locked_at ? h('p', { class: 'muted', text: t('admin.ts.locked_by', { name: personName(l.locked_by), time: new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(l.locked_at)) }) }) : null));
  }

  function legend() {
    const kinds = ['holiday', 'weekend', ...ABSENCE_KINDS];
    return h('details', { class: 'legend card' }, h('summary', { text: t('admin.ts.legend') }),
      h('ul', {}, kinds.map((k) => h('li', {}, h('span', { class: `swatch day-${k}`, 'aria-hidden': 'true' }), t(k === 'holiday' || k === 'weekend' ? `admin.ts.${k}` : `admin.absence.${k}`))),
        WARNINGS.map((w) => h('li', {}, flag('warning', w), t(`admin.ts.warning.${w}`)))));
  }

  /** What a correction did: its action when the server names one, else the kind of the new record. */
  function correctionName(c) {
    const key = c.action ? 'admin.ts.action.' + c.action : 'admin.ts.record_kind.' + c.kind;
    return has(key) ? t(key) : String(c.action || c.kind || '');
  }

  function flexClass(min) { return min < 0 ? 'neg' : min > 0 ? 'pos' : ''; }

  function dayRows(d) {
    const kind = absenceKind(d.absence);
    const holiday = holidayName(d.holiday);
    const cls = ['day', kind ? `day-${kind}` : holiday ? 'day-holiday' : d.weekend ? 'day-weekend' : null, expanded.has(d.date) ? 'open' : null].filter(Boolean).join(' ');
    const detailId = `ts-detail-${d.date}`;
    const open = expanded.has(d.date);
    const toggle = h('button', { type: 'button', class: 'icon-btn expand', 'aria-expanded': String(open), 'aria-controls': detailId, 'data-date': d.date,
      'aria-label': t('admin.ts.details', { date: dayLabel(d.date, { weekday: 'long', day: 'numeric', month: 'long' }) }), onclick: () => { if (expanded.has(d.date)) expanded.delete(d.date); else expanded.add(d.date); draw(); document.querySelector(`button.expand[data-date="${d.date}"]`)?.focus(); } },
    h('span', { 'aria-hidden': 'true', text: open ? '▾' : '▸' }));
    const flags = [...(d.warnings || []).map((w) => flag('warning', w)), ...(d.anomalies || []).map((a) => flag('anomaly', a.code || a))];
    const row = h('tr', { class: cls, 'data-date': d.date },
      h('th', { scope: 'row', class: 'date', 'data-label': t('admin.ts.col.date') }, toggle, ' ', h('time', { datetime: d.date, text: dayLabel(d.date) })),
      h('td', { 'data-label': t('admin.ts.col.source'), text: d.source ? t('admin.ts.source.' + d.source) : '' }),
      h('td', { 'data-label': t('admin.ts.col.start'), class: 'num', text: zonedTime(d.start, tz()) }),
      h('td', { 'data-label': t('admin.ts.col.end'), class: 'num', text: zonedTime(d.end, tz()) }),
      h('td', { 'data-label': t('admin.ts.col.break'), class: 'num', text: d.break_min ? hm(d.break_min) : '' }),
      h('td', { 'data-label': t('admin.ts.col.target'), class: 'num', text: hm(d.target_min) }),
      h('td', { 'data-label': t('admin.ts.col.actual'), class: 'num', text: d.actual_min || d.source ? hm(d.actual_min) : '' }),
      h('td', { 'data-label': t('admin.ts.col.flex'), class: 'num ' + flexClass(d.flex_min), text: d.flex_min || d.source ? hm(d.flex_min) : '' }),
      h('td', { 'data-label': t('admin.ts.col.absence') },
        kind ? h('span', { class: 'abs-name', text: t('admin.absence.' + kind) }) : null,
        holiday ? h('span', { class: 'holiday-name', text: holiday }) : null),
      h('td', { 'data-label': t('admin.ts.col.flags'), class: 'flags' }, flags),
      h('td', { class: 'actions' }, mayEnter(d) ? h('button', { type: 'button', class: 'btn small', 'data-focus': 'entry-' + d.date,
        'aria-label': t(d.entry ? 'admin.ts.entry_edit_label' : 'admin.ts.entry_new_label', { date: dayLabel(d.date, { weekday: 'long', day: 'numeric', month: 'long' }) }),
        onclick: () => editEntry(d), text: t(d.entry ? 'admin.edit' : 'admin.ts.entry_new') }) : null));
    if (!open) return h('tbody', {}, row);
    return h('tbody', {}, row, h('tr', { class: 'detail', id: detailId }, h('td', { colspan: 11 }, details(d))));
  }

  // The server decides who may (self-service or strict): the page offers entry only where one
  // can exist — not on a stamped day, not in the future, not in a locked month.
  function mayEnter(d) {
    return mayChange && !sheet.locked && d.source !== 'stamps' && d.date <= todayInZone();
  }

  function todayInZone() {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz(), year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  }

  function details(d) {
    const parts = [];
    const canChange = mayChange && !sheet.locked;
    if (d.intervals?.length) {
      parts.push(h('h3', { text: t('admin.ts.intervals') }), h('ul', { class: 'intervals' }, d.intervals.map((iv, i) => h('li', {},
        h('span', { class: 'num', text: `${zonedTime(iv.start, tz())}–${iv.end ? zonedTime(iv.end, tz()) : t('admin.ts.open_end')}` }),
        iv.minutes === null || iv.minutes === undefined ? '' : ` · ${hm(iv.minutes)}`, iv.link_id ? ` · ${linkName(iv.link_id)}` : '', iv.comment ? ` · “${iv.comment}”` : '',
        manager && canChange ? h('button', { type: 'button', class: 'btn small', 'data-focus': `correct-${d.date}-${i}`,
          'aria-label': t('admin.ts.correct_label', { from: zonedTime(iv.start, tz()), date: dayLabel(d.date) }), onclick: () => correct(d, iv), text: t('admin.ts.correct') }) : null))));
    }
    if (d.entry) {
      const e = d.entry;
      parts.push(h('h3', { text: t('admin.ts.entry') }), h('p', { class: 'entry-line' },
        t('admin.ts.entry_line', { start: e.start, end: e.end, break: hm(e.break_min) }), e.crosses_midnight ? ` (${t('admin.ts.crosses_midnight')})` : '',
        canChange ? h('button', { type: 'button', class: 'btn small danger', id: `ts-entry-delete-${d.date}`, onclick: () => deleteEntry(d), text: t('admin.delete') }) : null));
    }
    // Stamped days book by the links stamped on (from_stamps); entered days are booked by hand (E1, E2).
    if (d.source || d.bookings?.length) {
      const booked = (d.bookings || []).reduce((a, b) => a + b.minutes, 0);
      const byHand = d.source === 'entry';
      parts.push(h('h3', { text: t('admin.ts.bookings') }),
        d.bookings?.length ? h('ul', { class: 'bookings' }, d.bookings.map((b) => h('li', {},
          `${b.project && b.account ? `${b.project} · ${b.account}` : linkName(b.link_id)}: ${hm(b.minutes)}`,
          b.from_stamps ? h('span', { class: 'muted small', text: ` (${t('admin.ts.from_stamps')})` }) : null,
          canChange && b.id ? h('button', { type: 'button', class: 'btn small', 'aria-label': t('admin.ts.booking_delete_label', { link: `${b.project} · ${b.account}` }), onclick: () => deleteBooking(d, b), text: t('admin.delete') }) : null)))
          : h('p', { class: 'muted', text: t('admin.ts.no_bookings') }),
        h('p', { class: 'muted small', text: t('admin.ts.booked_of', { booked: hm(booked), actual: hm(d.actual_min) }) }),
        canChange && byHand && d.actual_min > 0 ? h('div', { class: 'buttons' },
          h('button', { type: 'button', class: 'btn small', id: `ts-book-${d.date}`, onclick: () => addBooking(d), text: t('admin.ts.book') }),
          h('button', { type: 'button', class: 'btn small', id: `ts-book-fully-${d.date}`, onclick: () => addBooking(d, true), text: t('admin.ts.book_fully') })) : null);
    }
    if (d.anomalies?.length) parts.push(h('h3', { text: t('admin.ts.anomalies') }), h('ul', {}, d.anomalies.map((a) => h('li', { text: explain('anomaly', a.code || a) }))));
    if (d.warnings?.length) parts.push(h('h3', { text: t('admin.ts.warnings') }), h('ul', {}, d.warnings.map((w) => h('li', { text: explain('warning', w) }))));
    if (d.corrections?.length) {
      parts.push(h('h3', { text: t('admin.ts.history') }), h('ul', { class: 'history' }, d.corrections.map((c) => h('li', {},
        t('admin.ts.correction_line', { action: correctionName(c), at: (c.original_at ? zonedTime(c.original_at, tz()) + ' → ' : '') + (c.at ? zonedTime(c.at, tz()) : '—'), author: c.author?.name || c.author || '—',
          made: c.made_at ? new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'short', timeZone: tz() }).format(new Date(c.made_at)) : '' }),
        c.reason ? h('q', { text: c.reason }) : null))));
    }
    const abs = absences.find((a) => a.date === d.date);
    if (abs && manager && canChange) parts.push(h('p', {}, t('admin.absence.' + abs.kind), ' ', h('button', { type: 'button', class: 'btn small', onclick: () => deleteAbsence(abs), text: t('admin.ts.absence_delete') })));
    if (!parts.length) parts.push(h('p', { class: 'muted', text: t('admin.ts.nothing') }));
    return h('div', { class: 'day-detail' }, parts);
  }

  function absenceList() {
    return h('section', { class: 'card', 'aria-labelledby': 'ts-absences-title' },
      h('h2', { id: 'ts-absences-title', text: t('admin.ts.absences') }),
      absences.length ? h('table', { class: 'data compact', id: 'ts-absences' },
        h('thead', {}, h('tr', {}, ['admin.ts.col.date', 'admin.ts.col.absence', 'admin.ts.col.target', 'admin.ts.note'].map((k) => h('th', { scope: 'col', text: t(k) })),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: t('admin.actions') })))),
        h('tbody', {}, absences.map((a) => h('tr', {},
          h('td', { 'data-label': t('admin.ts.col.date'), text: dayLabel(a.date) }),
          h('td', { 'data-label': t('admin.ts.col.absence') }, h('span', { class: `swatch day-${a.kind}`, 'aria-hidden': 'true' }), t('admin.absence.' + a.kind)),
          h('td', { 'data-label': t('admin.ts.col.target'), class: 'num', text: a.target_min === null || a.target_min === undefined ? '' : hm(a.target_min) }),
          h('td', { 'data-label': t('admin.ts.note'), text: a.note || '' }),
          h('td', { class: 'actions' }, sheet.locked ? null : h('button', { type: 'button', class: 'btn small', 'aria-label': t('admin.ts.absence_delete_label', { date: dayLabel(a.date) }), onclick: () => deleteAbsence(a), text: t('admin.delete') }))))))
        : h('p', { class: 'muted', text: t('admin.ts.no_absences') }));
  }

  /** Shows an API error in `errorEl`, and on the named field when the server named one. */
  function showError(err, errorEl, fields = {}) {
    errorEl.textContent = errorText(err);
    // Locked meanwhile by someone else: the month behind the dialog shows it now.
    if (err.code === 'period_locked') load();
    if (err.code === 'invalid_request') {
      for (const [name, input] of Object.entries(fields)) {
        // The server's message starts with the field it refuses ("end: equals the start").
        if (err.serverMessage && new RegExp(`^${name}\\b`).test(err.serverMessage)) { setFieldError(input, t('admin.ts.invalid.' + name)); input.focus(); return; }
      }
    }
  }

  function editEntry(d) {
    modal(t(d.entry ? 'admin.ts.entry_edit_title' : 'admin.ts.entry_new_title', { date: dayLabel(d.date, { weekday: 'long', day: 'numeric', month: 'long' }) }), (body, close) => {
      const start = h('input', { id: 'e-start', value: d.entry?.start || '', autocomplete: 'off', inputmode: 'text', placeholder: '8' });
      const end = h('input', { id: 'e-end', value: d.entry?.end || '', autocomplete: 'off', placeholder: '16:30' });
      const brk = h('input', { id: 'e-break', value: d.entry ? hm(d.entry.break_min) : '', autocomplete: 'off', placeholder: '0:30' });
      const error = h('p', { class: 'form-error', role: 'alert', id: 'entry-error' });
      const form = h('form', { novalidate: true },
        h('p', { class: 'muted small', text: t('admin.ts.entry_formats') }),
        h('div', { class: 'grid-3' }, field(t('admin.ts.col.start'), start), field(t('admin.ts.col.end'), end), field(t('admin.ts.col.break'), brk, t('admin.ts.break_hint'))),
        error,
        h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'btn primary', id: 'entry-save', text: t('admin.save') }),
          h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') })));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        let ok = true;
        for (const i of [start, end]) { const bad = !i.value.trim(); setFieldError(i, bad ? t('admin.people.required') : ''); if (bad) ok = false; }
        setFieldError(brk, '');
        if (!ok) { form.querySelector('[aria-invalid="true"]')?.focus(); return; }
        try {
          await put(`/api/v1/timesheets/${employeeId}/days/${d.date}`, { start: start.value.trim(), end: end.value.trim(), break: brk.value.trim() || '0' });
          toast(t('admin.ts.entry_saved'));
          close();
          load();
        } catch (err) { showError(err, error, { start, end, break: brk }); }
      });
      body.append(form);
      return start;
    });
  }

  async function deleteEntry(d) {
    const yes = await confirmDialog(t('admin.ts.entry_delete_title'), t('admin.ts.entry_delete_confirm', { date: dayLabel(d.date, { weekday: 'long', day: 'numeric', month: 'long' }) }), t('admin.delete'), { danger: true, id: 'entry-delete-confirm' });
    if (!yes) return;
    try { await del(`/api/v1/timesheets/${employeeId}/days/${d.date}`); toast(t('admin.ts.entry_deleted')); load(); } catch (err) { toast(errorText(err), 'error'); }
  }

  function addBooking(d, fully = false) {
    modal(t(fully ? 'admin.ts.book_fully' : 'admin.ts.book'), (body, close) => {
      const link = h('select', { id: 'b-link' }, links.filter((l) => l.active !== false).map((l) => h('option', { value: l.id, text: `${l.project} · ${l.account}` })));
      const minutes = fully ? null : h('input', { id: 'b-minutes', autocomplete: 'off', placeholder: '2:00' });
      const error = h('p', { class: 'form-error', role: 'alert', id: 'booking-error' });
      const remaining = d.actual_min - (d.bookings || []).reduce((a, b) => a + b.minutes, 0);
      const form = h('form', { novalidate: true },
        links.length ? field(t('admin.ts.link'), link) : h('p', { class: 'muted', text: t('admin.links.empty') }),
        minutes ? field(t('admin.ts.minutes'), minutes, t('admin.ts.minutes_hint')) : h('p', { text: t('admin.ts.book_fully_hint', { time: hm(Math.max(remaining, 0)) }) }),
        error,
        h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'btn primary', id: 'booking-save', disabled: !links.length, text: t('admin.save') }),
          h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') })));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        const bodyJson = { link_id: link.value };
        if (fully) bodyJson.fully = true;
        else {
          const m = parseHm(minutes.value);
          setFieldError(minutes, m === null || m === 0 ? t('admin.ts.minutes_invalid') : '');
          if (m === null || m === 0) { minutes.focus(); return; }
          bodyJson.minutes = m;
        }
        try {
          await post(`/api/v1/timesheets/${employeeId}/days/${d.date}/bookings`, bodyJson);
          toast(t('admin.ts.booking_saved'));
          close();
          load();
        } catch (err) { showError(err, error, minutes ? { minutes } : {}); }
      });
      body.append(form);
      return links.length ? link : null;
    });
  }

  async function deleteBooking(d, b) {
    try { await del(`/api/v1/timesheets/${employeeId}/days/${d.date}/bookings/${b.id}`); toast(t('admin.ts.booking_deleted')); load(); } catch (err) { toast(errorText(err), 'error'); }
  }

  /** A manager's correction of one record of a stamp interval (a new ledger record; reason required). */
  function correct(d, iv) {
    const ids = iv.record_ids || [];
    const records = [[ids[0], 'start', iv.start]];
    if (iv.end && ids[1]) records.push([ids[1], 'stop', iv.end]);
    modal(t('admin.ts.correct_title', { date: dayLabel(d.date, { weekday: 'long', day: 'numeric', month: 'long' }) }), (body, close) => {
      const record = h('select', { id: 'c-record' }, records.map(([id, kind, at]) => h('option', { value: id, text: t('admin.ts.record.' + kind, { time: zonedTime(at, tz()) }) })));
      const action = h('select', { id: 'c-action' },
        ['change_time', 'delete', ...(iv.end ? [] : ['add_stop'])].map((a) => h('option', { value: a, text: t('admin.ts.action.' + a) })));
      const date = h('input', { id: 'c-date', type: 'date', value: d.date });
      const time = h('input', { id: 'c-time', type: 'time', value: zonedTime(iv.start, tz()), step: 60 });
      const reason = h('textarea', { id: 'c-reason', rows: 2, maxlength: 500, required: true });
      const when = h('div', { class: 'grid-2 tight', id: 'c-when' }, field(t('admin.ts.col.date'), date), field(t('admin.ts.time_in_zone', { zone: tz() }), time));
      const error = h('p', { class: 'form-error', role: 'alert', id: 'correction-error' });
      const sync = () => {
        when.hidden = action.value === 'delete';
        record.closest('.field').hidden = action.value === 'add_stop';
        const r = records.find(([id]) => id === record.value);
        if (action.value === 'change_time' && r) time.value = zonedTime(r[2], tz());
      };
      action.addEventListener('change', sync);
      record.addEventListener('change', sync);
      const form = h('form', { novalidate: true },
        field(t('admin.ts.record'), record), field(t('admin.ts.action'), action), when,
        field(t('admin.ts.reason'), reason, t('admin.ts.reason_hint')),
        error,
        h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'btn primary', id: 'correction-save', text: t('admin.save') }),
          h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') })));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        const why = reason.value.trim();
        setFieldError(reason, why ? '' : t('admin.people.required'));
        const needsTime = action.value !== 'delete';
        const badTime = needsTime && (!/^\d{4}-\d{2}-\d{2}$/.test(date.value) || !/^\d{2}:\d{2}/.test(time.value));
        setFieldError(time, badTime ? t('admin.ts.invalid.at') : '');
        if (!why || badTime) { (why ? time : reason).focus(); return; }
        const payload = { action: action.value, reason: why };
        if (needsTime) payload.at = zonedInstant(date.value, time.value.slice(0, 5), tz());
        const target = action.value === 'add_stop' ? ids[0] : record.value;
        try {
          await post(`/api/v1/events/${target}/corrections`, payload);
          toast(t('admin.ts.corrected'));
          close();
          load();
        } catch (err) { showError(err, error, { at: time, reason }); }
      });
      body.append(form);
      sync();
      return action;
    });
  }

  function addAbsence(from) {
    modal(t('admin.ts.absence_new'), (body, close) => {
      const kind = h('select', { id: 'a-kind' }, ABSENCE_KINDS.map((k) => h('option', { value: k, text: t('admin.absence.' + k) })));
      const first = h('input', { id: 'a-from', type: 'date', value: from || `${period}-01`, min: `${period.slice(0, 4)}-01-01` });
      const last = h('input', { id: 'a-to', type: 'date', value: from || `${period}-01` });
      const target = h('input', { id: 'a-target', autocomplete: 'off', placeholder: '8:00' });
      const targetField = field(t('admin.ts.absence_target'), target, t('admin.ts.absence_target_hint'));
      const note = h('input', { id: 'a-note', maxlength: 500, autocomplete: 'off' });
      const error = h('p', { class: 'form-error', role: 'alert', id: 'absence-error' });
      const sync = () => { targetField.hidden = kind.value !== 'vocational_school'; };
      kind.addEventListener('change', sync);
      first.addEventListener('change', () => { if (!last.value || last.value < first.value) last.value = first.value; });
      const form = h('form', { novalidate: true }, field(t('admin.ts.col.absence'), kind),
        h('div', { class: 'grid-2 tight' }, field(t('admin.ts.from'), first), field(t('admin.ts.to'), last)),
        targetField, field(t('admin.ts.note'), note), error,
        h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'btn primary', id: 'absence-save', text: t('admin.save') }),
          h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') })));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        const badRange = !first.value || !last.value || last.value < first.value;
        setFieldError(last, badRange ? t('admin.ts.invalid.range') : '');
        const m = kind.value === 'vocational_school' ? parseHm(target.value) : null;
        const badTarget = kind.value === 'vocational_school' && m === null;
        setFieldError(target, badTarget ? t('admin.ts.minutes_invalid') : '');
        if (badRange || badTarget) return;
        const payload = { employee_id: employeeId, kind: kind.value, from: first.value, to: last.value };
        if (m !== null) payload.target_min = m;
        if (note.value.trim()) payload.note = note.value.trim();
        try {
          await post('/api/v1/absences', payload);
          toast(t('admin.ts.absence_saved'));
          close();
          load();
        } catch (err) { showError(err, error, { from: first, to: last, target_min: target }); }
      });
      body.append(form);
      sync();
      return kind;
    });
  }

  async function deleteAbsence(a) {
    try { await del(`/api/v1/absences/${a.id}`); toast(t('admin.ts.absence_deleted')); load(); } catch (err) { toast(errorText(err), 'error'); }
  }

  async function lock() {
    const yes = await confirmDialog(t('admin.ts.lock_title', { month: monthLabel(period) }), t('admin.ts.lock_confirm', { name: sheet.employee.name, month: monthLabel(period) }), t('admin.ts.lock'), { id: 'lock-confirm' });
    if (!yes) return;
    try { await post(`/api/v1/timesheets/${employeeId}/${period}/lock`); toast(t('admin.ts.locked_toast', { month: monthLabel(period) })); load(); } catch (err) { toast(errorText(err), 'error'); }
  }

  async function unlock() {
    const yes = await confirmDialog(t('admin.ts.unlock_title', { month: monthLabel(period) }), t('admin.ts.unlock_confirm', { name: sheet.employee.name, month: monthLabel(period) }), t('admin.ts.unlock'), { id: 'unlock-confirm' });
    if (!yes) return;
    try { await post(`/api/v1/timesheets/${employeeId}/${period}/unlock`); toast(t('admin.ts.unlocked_toast', { month: monthLabel(period) })); load(); } catch (err) { toast(errorText(err), 'error'); }
  }

  async function assignModel() {
    let models = [];
    try { models = (await get('/api/v1/work-models')).items; } catch (err) { toast(errorText(err), 'error'); return; }
    modal(t('admin.ts.assign_model'), (body, close) => {
      const model = h('select', { id: 'm-model' }, models.map((m) => h('option', { value: m.id, selected: sheet.work_model?.id === m.id, text: `${m.name} · ${m.minutes.map(hm).join(' / ')}` })));
      const from = h('input', { id: 'm-from', type: 'date', value: `${period}-01` });
      const flexModel = h('select', { id: 'm-flex' }, ['accumulating', 'within_month'].map((f) => h('option', { value: f, selected: (sheet.flex_model || 'accumulating') === f, text: t('admin.ts.flex_model.' + f) })));
      const opening = h('input', { id: 'm-opening', value: '0:00', autocomplete: 'off' });
      const vacationDays = h('input', { id: 'm-vacation', value: '25', inputmode: 'decimal', autocomplete: 'off' });
      const error = h('p', { class: 'form-error', role: 'alert', id: 'assign-error' });
      const form = h('form', { novalidate: true },
        models.length ? field(t('admin.ts.work_model'), model) : h('p', { class: 'muted' }, t('admin.wm.empty'), ' ', h('a', { href: '#/work-models', text: t('admin.nav.work_models') })),
        h('div', { class: 'grid-2 tight' }, field(t('admin.ts.valid_from'), from), field(t('admin.ts.flex_model'), flexModel),
          field(t('admin.ts.flex_opening'), opening, t('admin.ts.flex_opening_hint')), field(t('admin.ts.vacation_days_label'), vacationDays)),
        error,
        h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'btn primary', id: 'assign-save', disabled: !models.length, text: t('admin.save') }),
          h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') })));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        const open = parseHm(opening.value, { max: 100_000, allowNegative: true });
        setFieldError(opening, open === null ? t('admin.ts.minutes_invalid') : '');
        const days = vacationDays.value.trim().replace(',', '.');
        const badDays = days !== '' && !/^\d{1,3}(\.\d{1,2})?$/.test(days);
        setFieldError(vacationDays, badDays ? t('admin.ts.invalid.vacation_days') : '');
        if (open === null || badDays) return;
        const payload = { work_model_id: model.value, valid_from: from.value, flex_model: flexModel.value, flex_opening_min: open };
        if (days !== '') payload.vacation_days = days;
        try {
          await put(`/api/v1/employees/${employeeId}/work-model`, payload);
          toast(t('admin.ts.model_assigned'));
          close();
          load();
        } catch (err) { showError(err, error, { valid_from: from, vacation_days: vacationDays, flex_opening_min: opening }); }
      });
      body.append(form);
      return models.length ? model : null;
    });
  }

  start();
}

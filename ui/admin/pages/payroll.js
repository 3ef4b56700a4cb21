// Payroll: readiness of a period (blocking tablets with their reason), run and lock, unlock;
// for a locked period, the basis its run handed over, with the CSV download.
import { get, post } from '../api.js';
import { t, has, errorText, currentLang } from '../i18n.js';
import { hm } from '../minutes.js';
import { h, clear, field, setFieldError, timeEl, shortId, shortDate, toast, currentPeriod, confirmDialog, icon } from '../util.js';

export function renderPayroll(main, { params }) {
  const period = h('input', { id: 'period', type: 'month', value: params.get('period') || currentPeriod(), required: true });
  const box = h('div', { id: 'readiness', 'aria-live': 'polite' });
  const form = h('form', { class: 'card row-form' }, field(t('admin.payroll.period'), period),
    h('button', { type: 'submit', class: 'btn', text: t('admin.payroll.check') }));
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  period.addEventListener('change', load);
  clear(main,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', { text: t('admin.payroll.title') }), h('p', { class: 'lead', text: t('admin.payroll.lead') }))),
    form, box);

  // Only the answer to the latest request is drawn (periods can be changed faster than the server answers).
  let latest = 0;
  async function load() {
    const p = period.value.trim();
    const seq = ++latest;
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(p)) {
      setFieldError(period, t('admin.req.period_invalid'));
      clear(box);
      return;
    }
    setFieldError(period, '');
    clear(box, h('p', { class: 'muted', text: t('admin.loading') }));
    try {
      const r = await get('/api/v1/payroll-runs/check?period=' + encodeURIComponent(p));
      if (seq === latest) draw(r);
    } catch (err) { if (seq === latest) clear(box, h('p', { class: 'form-error', text: errorText(err) })); }
  }

  function draw(r) {
    const error = h('p', { class: 'form-error', role: 'alert' });
    const run = h('button', { type: 'button', class: 'btn primary', id: 'payroll-run', disabled: !r.ready || r.locked, text: t('admin.payroll.run', { period: r.period }) });
    run.addEventListener('click', async () => {
      run.disabled = true;
      try {
        const res = await post('/api/v1/payroll-runs', { period: r.period });
        toast(t('admin.payroll.done', { period: res.period }));
        load();
      } catch (err) {
        error.textContent = errorText(err);
        if (err.code === 'devices_not_synced' || err.code === 'period_locked' || err.code === 'period_not_ended') load(); else run.disabled = false;
      }
    });
    const unlock = h('button', { type: 'button', class: 'btn', id: 'payroll-unlock', text: t('admin.payroll.unlock') });
    unlock.addEventListener('click', async () => {
      const yes = await confirmDialog(t('admin.payroll.unlock_title', { period: r.period }), t('admin.payroll.unlock_confirm', { period: r.period }),
        t('admin.payroll.unlock'), { id: 'unlock-confirm' });
      if (!yes) return;
      try { await post(`/api/v1/periods/${r.period}/unlock`); toast(t('admin.payroll.unlocked', { period: r.period })); load(); } catch (err) { error.textContent = errorText(err); }
    });
    let statusEl;
    if (r.locked) statusEl = h('div', { class: 'status locked', id: 'payroll-status' }, h('span', { class: 'status-icon', 'aria-hidden': 'true' }, icon('lock')), h('div', {}, h('strong', { text: t('admin.payroll.locked', { period: r.period }) }), h('p', { class: 'muted', text: t('admin.payroll.locked_help') })));
    else if (r.ended === false) statusEl = h('div', { class: 'status blocked', id: 'payroll-status' }, h('span', { class: 'status-icon', 'aria-hidden': 'true', text: '…' }), h('div', {}, h('strong', { text: t('admin.payroll.not_ended', { period: r.period }) }), h('p', { class: 'muted', text: t('admin.payroll.not_ended_help', { time: shortDate(r.period_end) }) })));
    else if (r.ready) statusEl = h('div', { class: 'status ready', id: 'payroll-status' }, h('span', { class: 'status-icon', 'aria-hidden': 'true', text: '✓' }), h('div', {}, h('strong', { text: t('admin.payroll.ready', { period: r.period }) }), h('p', { class: 'muted', text: t('admin.payroll.ready_help') })));
    else statusEl = h('div', { class: 'status blocked', id: 'payroll-status' }, h('span', { class: 'status-icon', 'aria-hidden': 'true', text: '!' }), h('div', {}, h('strong', { text: t('admin.payroll.blocked', { n: r.blocking_devices.length }) }), h('p', { class: 'muted', text: t('admin.payroll.blocked_help') })));
    // A locked period has been run: its blockers only matter again once it is unlocked.
    const blockers = r.blocking_devices.length && !r.locked ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'blockers' },
      h('caption', { class: 'sr-only', text: t('admin.payroll.blocking') }),
      h('thead', {}, h('tr', {}, ['admin.payroll.col.device', 'admin.payroll.col.reason', 'admin.payroll.col.last_full_sync', 'admin.payroll.col.pending'].map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, r.blocking_devices.map((b) => h('tr', {},
        h('td', { 'data-label': t('admin.payroll.col.device') }, h('a', { href: `#/devices?device=${b.id}`, title: b.id, text: b.name || t('admin.payroll.tablet', { id: shortId(b.id) }) })),
        h('td', { 'data-label': t('admin.payroll.col.reason'), text: t('admin.payroll.reason.' + b.reason) }),
        h('td', { 'data-label': t('admin.payroll.col.last_full_sync') }, timeEl(b.last_full_sync_at)),
        h('td', { 'data-label': t('admin.payroll.col.pending'), class: 'num', text: String(b.pending_events) })))))) : null;
    const basisBox = h('div', { id: 'basis', 'aria-live': 'polite' });
    clear(box, h('div', { class: 'card' }, statusEl, blockers,
      r.period_end ? h('p', { class: 'muted small' }, t('admin.payroll.period_end'), ' ', timeEl(r.period_end, { relative: false })) : null,
      error,
      h('div', { class: 'buttons' }, run, r.locked ? unlock : null)), basisBox);
    if (r.locked) loadBasis(r.period, basisBox);
  }

  // The basis of the run that holds the period's lock.
  async function loadBasis(p, target) {
    const seq = latest;
    try {
      const runs = await get('/api/v1/payroll-runs?period=' + encodeURIComponent(p));
      const current = runs.items.find((x) => x.current);
      if (!current) return;
      const basis = await get(`/api/v1/payroll-runs/${current.id}/basis`);
      if (seq === latest) drawBasis(basis, target);
    } catch (err) { if (seq === latest) clear(target, h('p', { class: 'form-error', text: errorText(err) })); }
  }

  function absenceText(a) {
    const kind = has('admin.absence.' + a.type) ? t('admin.absence.' + a.type) : a.type;
    return `${kind} ${t('admin.payroll.basis.days', { n: a.dates.length })} (${hm(a.minutes)})`;
  }

  function drawBasis(b, target) {
    const cols = ['number', 'name', 'worked', 'target', 'flex', 'flex_balance', 'absences', 'warnings'];
    const head = h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: ['worked', 'target', 'flex', 'flex_balance', 'warnings'].includes(c) ? 'num' : null, text: t('admin.payroll.basis.col.' + c) })));
    const cell = (c, text, attrs = {}) => h('td', { 'data-label': t('admin.payroll.basis.col.' + c), ...attrs }, text);
    const rows = b.employees.map((e) => h('tr', { dataset: { employeeId: e.employee_id } },
      cell('number', e.number || '—'),
      cell('name', h('a', { href: `#/timesheet?employee=${e.employee_id}&month=${b.run.period}`, text: e.name })),
      cell('worked', hm(e.worked_min), { class: 'num' }),
      cell('target', hm(e.target_min), { class: 'num' }),
      cell('flex', hm(e.flex_min), { class: 'num' }),
      cell('flex_balance', hm(e.flex_balance_min), { class: 'num' }),
      cell('absences', e.absences.map(absenceText).join(', ')),
      cell('warnings', String(e.warnings.length), { class: 'num', title: e.warnings.map((w) => (w.date ? w.date + ' ' : '') + w.code).join('\n') || null })));
    const tot = b.totals;
    const foot = h('tr', { class: 'totals' },
      h('th', { scope: 'row', colspan: 2, text: t('admin.payroll.basis.total') }),
      h('td', { class: 'num', id: 'basis-total-worked', text: hm(tot.worked_min) }),
      h('td', { class: 'num', text: hm(tot.target_min) }),
      h('td', { class: 'num', text: hm(tot.flex_min) }),
      h('td', { class: 'num', text: hm(tot.flex_balance_min) }),
      h('td', { text: tot.absence_min ? hm(tot.absence_min) : '' }),
      h('td', { class: 'num', text: String(b.employees.reduce((n, e) => n + e.warnings.length, 0)) }));
    const fieldName = (f) => (f.startsWith('absence:')
      ? (has('admin.absence.' + f.slice(8)) ? t('admin.absence.' + f.slice(8)) : f.slice(8))
      : t('admin.payroll.basis.field.' + f));
    const changeText = (c) => (c.field === 'employee'
      ? `${c.name}: ${t(c.to ? 'admin.payroll.basis.added' : 'admin.payroll.basis.removed')}`
      : `${c.name}: ${fieldName(c.field)} ${hm(c.from)} → ${hm(c.to)}`);
    const changes = b.previous_run_id ? h('div', { id: 'basis-changes' },
      h('h3', { text: t('admin.payroll.basis.changes') }),
      b.changes.length ? h('ul', {}, b.changes.map((c) => h('li', { text: changeText(c) }))) : h('p', { class: 'muted', text: t('admin.payroll.basis.no_changes') })) : null;
    const csv = h('a', { class: 'btn', id: 'basis-csv', href: `/api/v1/payroll-runs/${b.run.id}/export?format=csv&lang=${currentLang()}`, download: `payroll-${b.run.period}.csv`, text: t('admin.payroll.basis.csv') });
    const paxml = h('a', { class: 'btn', id: 'basis-paxml', href: `/api/v1/payroll-runs/${b.run.id}/export?format=paxml`, download: `payroll-${b.run.period}.xml`,
      title: t('admin.payroll.basis.paxml_title'), text: t('admin.payroll.basis.paxml') });
    const visma = h('a', { class: 'btn', id: 'basis-visma', href: `/api/v1/payroll-runs/${b.run.id}/export?format=visma-tlu`, download: `payroll-${b.run.period}.tlu`,
      title: t('admin.payroll.basis.visma_title'), text: t('admin.payroll.basis.visma') });
    clear(target, h('div', { class: 'card' },
      h('div', { class: 'page-head sub' }, h('h2', { text: t('admin.payroll.basis.title') }), h('div', { class: 'buttons' }, csv, paxml, visma)),
      h('p', { class: 'muted', text: t('admin.payroll.basis.lead', { time: shortDate(b.run.locked_at) }) }),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'basis-table' },
        h('caption', { class: 'sr-only', text: t('admin.payroll.basis.title') }),
        h('thead', {}, head), h('tbody', {}, rows), h('tfoot', {}, foot))),
      h('p', { class: 'muted small', text: t('admin.payroll.basis.csv_note') }),
      changes));
  }
  load();
}

// Anomalies of the ledger over a date range (at most 62 days): what a manager must look at,
// never dropped or fixed silently. Each row opens the employee's timesheet for that month.
import { get } from '../api.js';
import { t, errorText } from '../i18n.js';
import { h, clear, field, setFieldError } from '../util.js';
import { dayLabel, monthEnd } from '../minutes.js';

const MAX_DAYS = 62;

function days(from, to) { return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1; }

export function renderAnomalies(main, { params }) {
  const now = new Date();
  const month = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  const from = h('input', { id: 'an-from', type: 'date', value: params.get('from') || `${month}-01` });
  const to = h('input', { id: 'an-to', type: 'date', value: params.get('to') || monthEnd(month) });
  const box = h('div', { id: 'anomalies-box', 'aria-live': 'polite' });
  const form = h('form', { class: 'card row-form', novalidate: true }, field(t('admin.ts.from'), from), field(t('admin.ts.to'), to),
    h('button', { type: 'submit', class: 'btn', id: 'an-show', text: t('admin.an.show') }));
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  clear(main, h('div', { class: 'page-head' }, h('div', {}, h('h1', { text: t('admin.an.title') }), h('p', { class: 'lead', text: t('admin.an.lead', { n: MAX_DAYS }) }))), form, box);

  let latest = 0;
  async function load() {
    const bad = !from.value || !to.value || to.value < from.value || days(from.value, to.value) > MAX_DAYS;
    setFieldError(to, bad ? t('admin.an.range_invalid', { n: MAX_DAYS }) : '');
    if (bad) { clear(box); return; }
    const seq = ++latest;
    clear(box, h('p', { class: 'muted', text: t('admin.loading') }));
    try {
      const r = await get(`/api/v1/anomalies?from=${from.value}&to=${to.value}`);
      if (seq === latest) draw(r.items);
    } catch (err) { if (seq === latest) clear(box, h('p', { class: 'form-error', role: 'alert', text: errorText(err) })); }
  }

  function draw(items) {
    if (!items.length) { clear(box, h('div', { class: 'card empty' }, h('p', { id: 'an-none', text: t('admin.an.none') }))); return; }
    clear(box, h('div', { class: 'card flush' }, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'anomalies' },
      h('caption', { class: 'sr-only', text: t('admin.an.title') }),
      h('thead', {}, h('tr', {}, ['admin.ts.col.date', 'admin.ts.employee', 'admin.an.what'].map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, items.map((a) => h('tr', {},
        h('td', { 'data-label': t('admin.ts.col.date') }, h('time', { datetime: a.date, text: dayLabel(a.date, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }) })),
        h('td', { 'data-label': t('admin.ts.employee') }, h('a', { href: `#/timesheet?employee=${a.employee_id}&month=${a.date.slice(0, 7)}`, text: a.employee_name })),
        h('td', { 'data-label': t('admin.an.what'), text: t('admin.ts.anomaly.' + a.code) }))))))));
  }
  load();
}

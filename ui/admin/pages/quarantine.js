// Quarantine: events sent by uninstalled tablets, accepted into the ledger or rejected one by one.
import { get, post } from '../api.js';
import { t, errorText } from '../i18n.js';
import { h, clear, timeEl, shortId, toast, exactTime, shortDate } from '../util.js';

export function renderQuarantine(main) {
  const box = h('div', { class: 'card flush' }, h('p', { class: 'pad muted', text: t('admin.loading') }));
  clear(main,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', { text: t('admin.quarantine.title') }), h('p', { class: 'lead', text: t('admin.quarantine.lead') }))),
    box);
  let people = new Map();
  let links = new Map();

  async function decide(item, what, btn) {
    btn.disabled = true;
    try {
      await post(`/api/v1/quarantine/${item.id}/${what}`);
      toast(t(what === 'accept' ? 'admin.quarantine.accepted' : 'admin.quarantine.rejected'));
      load();
    } catch (err) { toast(errorText(err), 'error'); btn.disabled = false; }
  }

  async function load() {
    try {
      const [q, emps, lks] = await Promise.all([
        get('/api/v1/quarantine?limit=1000'), get('/api/v1/employees?limit=1000'), get('/api/v1/links?limit=1000')]);
      people = new Map(emps.items.map((e) => [e.id, e]));
      links = new Map(lks.items.map((l) => [l.id, l]));
      if (!q.items.length) { clear(box, h('div', { class: 'empty' }, h('p', { text: t('admin.quarantine.empty') }))); return; }
      clear(box, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'quarantine' },
        h('caption', { class: 'sr-only', text: t('admin.quarantine.title') }),
        h('thead', {}, h('tr', {}, ['admin.quarantine.col.occurred', 'admin.quarantine.col.person', 'admin.quarantine.col.kind', 'admin.quarantine.col.link', 'admin.quarantine.col.device', 'admin.quarantine.col.received'].map((k) => h('th', { scope: 'col', text: t(k) })),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: t('admin.actions') })))),
        h('tbody', {}, q.items.map((it) => {
          const p = people.get(it.employee_id);
          const l = it.link_id ? links.get(it.link_id) : null;
          const acc = h('button', { type: 'button', class: 'btn small primary', dataset: { action: 'accept' }, text: t('admin.quarantine.accept') });
          const rej = h('button', { type: 'button', class: 'btn small danger', dataset: { action: 'reject' }, text: t('admin.quarantine.reject') });
          acc.addEventListener('click', () => decide(it, 'accept', acc));
          rej.addEventListener('click', () => decide(it, 'reject', rej));
          return h('tr', { dataset: { eventId: it.id } },
            h('td', { 'data-label': t('admin.quarantine.col.occurred') }, h('time', { datetime: it.occurred_at, title: exactTime(it.occurred_at), text: shortDate(it.occurred_at) })),
            h('td', { 'data-label': t('admin.quarantine.col.person'), text: p ? `${p.name}${p.number ? ' (' + p.number + ')' : ''}` : shortId(it.employee_id) }),
            h('td', { 'data-label': t('admin.quarantine.col.kind') }, h('span', { class: 'badge ' + (it.kind === 'start' ? 'ok' : 'off'), text: t('admin.punch.' + it.kind) })),
            h('td', { 'data-label': t('admin.quarantine.col.link'), text: l ? `${l.project} · ${l.account}` : '—' }),
            h('td', { 'data-label': t('admin.quarantine.col.device') }, h('code', { title: it.device_id, text: shortId(it.device_id) })),
            h('td', { 'data-label': t('admin.quarantine.col.received') }, timeEl(it.received_at)),
            h('td', { class: 'actions' }, h('div', { class: 'row-actions' }, acc, rej)));
        })))));
    } catch (err) { clear(box, h('p', { class: 'pad form-error', text: errorText(err) })); }
  }
  load();
}

// Audit log: newest first, paginated with the API's cursor, filterable by kind.
import { get } from '../api.js';
import { t, has, errorText } from '../i18n.js';
import { h, clear, field, exactTime, shortDate, shortId } from '../util.js';
import { requirementText } from './devices.js';

export const KINDS = ['enrolment_code_created', 'device_enrolled', 'sync_requirement_changed', 'device_uninstalled',
  'quarantine_accepted', 'quarantine_rejected', 'payroll_run', 'period_locked', 'period_unlocked', 'credentials_changed', 'device_renamed',
  'person_created', 'person_changed', 'person_deactivated', 'person_links_changed', 'link_created', 'link_changed', 'organisation_changed', 'devices_sync_requested'];
// Kinds whose subject is a person, shown by name.
const PERSON_KINDS = ['person_created', 'person_changed', 'person_deactivated', 'person_links_changed', 'credentials_changed', 'work_model_assigned'];
const PAGE = 25;

export function renderAudit(main) {
  const kind = h('select', { id: 'audit-kind' }, h('option', { value: '', text: t('admin.audit.all') }),
    KINDS.map((k) => h('option', { value: k, text: t('admin.audit.kind.' + k) })));
  const box = h('div', { class: 'card flush', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'btn', id: 'audit-prev', text: t('admin.audit.newer') });
  const next = h('button', { type: 'button', class: 'btn', id: 'audit-next', text: t('admin.audit.older') });
  const pageInfo = h('span', { class: 'muted' });
  clear(main,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', { text: t('admin.audit.title') }), h('p', { class: 'lead', text: t('admin.audit.lead') }))),
    h('div', { class: 'card row-form' }, field(t('admin.audit.filter'), kind)),
    box,
    h('div', { class: 'pager' }, prev, pageInfo, next));
  let stack = [null];
  let nextCursor = null;
  const label = (k) => (has('admin.audit.kind.' + k) ? t('admin.audit.kind.' + k) : k);
  const detailText = (kind, d) => {
    if (!d || typeof d !== 'object') return '';
    switch (kind) {
      case 'enrolment_code_created': return [d.device_name, d.expires_at ? t('admin.audit.detail.expires', { time: shortDate(d.expires_at) }) : null].filter(Boolean).join(' · ');
      case 'device_enrolled': return [d.name, d.platform, d.app_version ? 'v' + d.app_version : null].filter(Boolean).join(' · ');
      case 'sync_requirement_changed': return d.state ? requirementText(d) : '';
      case 'device_uninstalled': return [
        d.via === 'tablet' ? t('admin.audit.detail.via_tablet') : d.via === 'web' ? t('admin.audit.detail.via_web') : null,
        d.pending_events !== undefined ? t('admin.uninstall.pending', { n: d.pending_events }) : null,
        d.last_contact_at !== undefined ? t('admin.uninstall.last_contact') + ' ' + (d.last_contact_at ? shortDate(d.last_contact_at) : t('admin.never')) : null,
      ].filter(Boolean).join(' · ');
      case 'payroll_run': return d.requirements_reset ? t('admin.audit.detail.requirements_reset', { n: d.requirements_reset }) : '';
      case 'device_renamed': return d.name || '';
      case 'devices_sync_requested': return d.devices !== undefined ? t('admin.audit.detail.devices_asked', { n: d.devices }) : '';
      case 'person_created': return [d.name, d.number ? '#' + d.number : null, d.role ? t('admin.role.' + d.role) : null].filter(Boolean).join(' · ');
      case 'person_changed':
      case 'person_deactivated': return Object.entries(d.changes || {}).map(([f, c]) => {
        const shown = (v) => (v === null || v === undefined ? '—' : f === 'role' ? t('admin.role.' + v) : f === 'active' ? t(v ? 'admin.active' : 'admin.inactive') : String(v));
        return `${has('admin.audit.detail.field.' + f) ? t('admin.audit.detail.field.' + f) : f}: ${shown(c.from)} → ${shown(c.to)}`;
      }).join(', ');
      case 'person_links_changed': return [
        d.added?.length ? t('admin.audit.detail.links_added', { links: d.added.map(linkName).join(', ') }) : null,
        d.removed?.length ? t('admin.audit.detail.links_removed', { links: d.removed.map(linkName).join(', ') }) : null,
      ].filter(Boolean).join(' · ');
      case 'link_created':
      case 'link_changed': return [`${d.project} · ${d.account}`, d.active === false ? t('admin.inactive') : null].filter(Boolean).join(' · ');
      case 'credentials_changed': return [
        (d.fields || []).map((f) => (has('admin.audit.detail.field.' + f) ? t('admin.audit.detail.field.' + f) : f)).join(', '),
        d.sessions_ended ? t('admin.audit.detail.sessions_ended', { n: d.sessions_ended }) : null,
      ].filter(Boolean).join(' · ');
      default: return Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
    }
  };
  // A device subject links to the registry; periods and other subjects are shown as they are.
  const DEVICE_KINDS = ['device_enrolled', 'sync_requirement_changed', 'device_uninstalled', 'device_renamed', 'devices_sync_requested'];
  const subjectCell = (it) => {
    if (!it.subject) return '—';
    if (PERSON_KINDS.includes(it.kind) && names.has(it.subject)) return h('span', { title: it.subject, text: names.get(it.subject) });
    if (DEVICE_KINDS.includes(it.kind)) {
      const label = t('admin.payroll.tablet', { id: shortId(it.subject) });
      return it.kind === 'device_uninstalled' ? h('span', { title: it.subject, text: label }) : h('a', { href: '#/devices?device=' + it.subject, title: it.subject, text: label });
    }
    return it.subject.length > 12 ? h('code', { title: it.subject, text: shortId(it.subject) }) : it.subject;
  };

  // Whom a row is about: people and links by name (an admin's lists; without them, short ids).
  const names = new Map();
  const links = new Map();
  const linkName = (id) => links.get(id) || shortId(id);
  let named = null;
  const loadNames = () => (named ??= Promise.all([get('/api/v1/employees?limit=1000'), get('/api/v1/links?limit=1000')])
    .then(([p, l]) => { p.items.forEach((x) => names.set(x.id, x.name)); l.items.forEach((x) => links.set(x.id, `${x.project} · ${x.account}`)); })
    .catch(() => {}));

  let latest = 0;
  async function load() {
    const seq = ++latest;
    await loadNames();
    const cursor = stack[stack.length - 1];
    const qs = new URLSearchParams({ limit: String(PAGE) });
    if (kind.value) qs.set('kind', kind.value);
    if (cursor) qs.set('cursor', cursor);
    try {
      const res = await get('/api/v1/audit?' + qs);
      if (seq !== latest) return;
      nextCursor = res.next_cursor;
      prev.disabled = stack.length === 1;
      next.disabled = !nextCursor;
      pageInfo.textContent = t('admin.audit.page', { n: stack.length });
      if (!res.items.length) { clear(box, h('div', { class: 'empty' }, h('p', { text: t('admin.audit.empty') }))); return; }
      clear(box, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'audit' },
        h('caption', { class: 'sr-only', text: t('admin.audit.title') }),
        h('thead', {}, h('tr', {}, ['admin.audit.col.at', 'admin.audit.col.who', 'admin.audit.col.kind', 'admin.audit.col.subject', 'admin.audit.col.details'].map((k) => h('th', { scope: 'col', text: t(k) })))),
        h('tbody', {}, res.items.map((it) => h('tr', {},
          h('td', { 'data-label': t('admin.audit.col.at') }, h('time', { datetime: it.at, title: exactTime(it.at), text: shortDate(it.at) })),
          h('td', { 'data-label': t('admin.audit.col.who'), text: it.by ? it.by.name : t('admin.history.system') }),
          h('td', { 'data-label': t('admin.audit.col.kind') }, h('span', { class: 'chip', text: label(it.kind) })),
          h('td', { 'data-label': t('admin.audit.col.subject') }, subjectCell(it)),
          h('td', { 'data-label': t('admin.audit.col.details'), class: 'details small', text: detailText(it.kind, it.details) })))))));
    } catch (err) { if (seq === latest) clear(box, h('p', { class: 'pad form-error', text: errorText(err) })); }
  }
  kind.addEventListener('change', () => { stack = [null]; load(); });
  next.addEventListener('click', () => { if (nextCursor) { stack.push(nextCursor); load(); } });
  prev.addEventListener('click', () => { if (stack.length > 1) { stack.pop(); load(); } });
  load();
}

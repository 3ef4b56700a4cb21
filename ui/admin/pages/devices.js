// Settings → Punch clocks: the registry, refreshed by polling; requirement, history, uninstall.
import { get, post, put, patch, del } from '../api.js';
import { t, has, errorText } from '../i18n.js';
import { h, clear, timeEl, shortId, toast, modal, field, setFieldError, exactTime, shortDate, currentPeriod, relativeTime, clockTime } from '../util.js';

const POLL_MS = 4000;
// The tablets' sync interval when the server does not say (seed 000: every 5 minutes); a clock is
// stale after two of its intervals without contact.
export const SYNC_INTERVAL_S = 300;

export function isStale(d, now = Date.now()) {
  const ref = d.last_contact_at || d.installed_at;
  return now - new Date(ref).getTime() > 2 * (d.sync_interval_s || SYNC_INTERVAL_S) * 1000;
}

// What a clock is called where a message says "clock {id}": its name, or its short id until an
// admin names it.
export function deviceId(d) {
  return d.name || shortId(d.id);
}

// The platform line once: the app version is added only where the platform does not name it.
export function platformText(d) {
  const platform = d.platform || '—';
  return d.app_version && !platform.includes(d.app_version) ? `${platform} · v${d.app_version}` : platform;
}

export function requirementText(r) {
  if (!r) return '';
  if (r.state === 'disabled_for_period') return t('admin.req.disabled_for_period_p', { period: r.period });
  return t('admin.req.' + r.state);
}

export function renderDevices(main, { user, params }) {
  const isAdmin = user.role === 'admin';
  const status = h('p', { class: 'muted small', id: 'devices-status', 'aria-live': 'off' });
  // Admins and managers ask every tablet to sync at its next contact (before a payroll run, or
  // after changing staff); each row shows the request until that tablet's next full sync.
  const syncAll = h('button', { type: 'button', class: 'btn', id: 'devices-sync-all', text: t('admin.devices.sync_all'),
    title: t('admin.devices.sync_all_help', { minutes: SYNC_INTERVAL_S / 60 }), onclick: () => requestSyncAll() });
  const tbody = h('tbody');
  const empty = h('div', { class: 'empty', hidden: true },
    h('p', { text: t('admin.devices.empty') }),
    isAdmin ? h('a', { class: 'btn primary', href: '#/enrolment', text: t('admin.devices.enrol_one') }) : null);
  const table = h('table', { class: 'data devices' },
    h('caption', { class: 'sr-only', text: t('admin.devices.title') }),
    h('thead', {}, h('tr', {},
      ['admin.devices.col.clock', 'admin.devices.col.installed', 'admin.devices.col.last_contact',
        'admin.devices.col.pending', 'admin.devices.col.last_full_sync', 'admin.devices.col.requirement']
        .map((k) => h('th', { scope: 'col', text: t(k) })),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: t('admin.actions') })))),
    tbody);
  clear(main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', { text: t('admin.devices.title') }), h('p', { class: 'lead', text: t('admin.devices.lead') })),
      h('div', { class: 'head-actions' }, syncAll, status)),
    h('div', { class: 'card flush' }, h('div', { class: 'table-wrap' }, table), empty),
    h('p', { class: 'muted small', id: 'stale-hint', text: t('admin.devices.stale_hint', { minutes: (2 * SYNC_INTERVAL_S) / 60 }) }));

  let devices = [];
  let drawn = null;
  let timer = null;
  let highlight = params.get('device');

  function row(d) {
    const stale = isStale(d);
    const actions = h('div', { class: 'row-actions' },
      isAdmin ? h('button', { type: 'button', class: 'icon-btn', dataset: { focus: 'name-' + d.id }, 'aria-label': t('admin.devices.rename_label', { id: deviceId(d) }), title: t('admin.devices.rename'), onclick: () => rename(d), text: 'Aa' }) : null,
      h('button', { type: 'button', class: 'icon-btn', dataset: { focus: 'edit-' + d.id }, 'aria-label': t('admin.devices.edit_label', { id: deviceId(d) }), title: t('admin.devices.edit'), onclick: () => openRequirement(d), text: '✎' }),
      isAdmin ? h('button', { type: 'button', class: 'icon-btn danger', dataset: { focus: 'del-' + d.id }, 'aria-label': t('admin.devices.uninstall_label', { id: deviceId(d) }), title: t('admin.devices.uninstall'), onclick: () => uninstall(d), text: '✕' }) : null);
    return h('tr', { class: [stale ? 'stale' : '', highlight === d.id ? 'highlight' : ''].join(' ').trim() || null, id: 'device-' + d.id, dataset: { deviceId: d.id } },
      h('td', { 'data-label': t('admin.devices.col.clock') },
        d.name ? h('div', {}, h('strong', { class: 'device-name', text: d.name })) : null,
        h('div', {}, h('code', { class: 'device-id', title: d.id, text: shortId(d.id) })),
        h('div', { class: 'platform muted small', title: t('admin.devices.col.platform'), text: platformText(d) })),
      h('td', { 'data-label': t('admin.devices.col.installed') }, timeEl(d.installed_at, { relative: false }),
        d.installed_by ? h('div', { class: 'muted small', text: t('admin.devices.by', { name: d.installed_by.name }) }) : null),
      h('td', { 'data-label': t('admin.devices.col.last_contact') }, h('span', { class: 'contact' }, timeEl(d.last_contact_at)),
        stale ? h('span', { class: 'badge warn', text: t('admin.devices.stale') }) : null),
      h('td', { 'data-label': t('admin.devices.col.pending'), class: 'num' }, d.pending_events > 0 ? h('span', { class: 'badge warn', text: String(d.pending_events) }) : '0'),
      h('td', { 'data-label': t('admin.devices.col.last_full_sync') }, timeEl(d.last_full_sync_at),
        d.sync_request_pending ? h('span', { class: 'badge info sync-requested', title: t('admin.devices.sync_requested_title', { time: exactTime(d.sync_requested_at) }),
          text: t('admin.devices.sync_requested') }) : null),
      h('td', { 'data-label': t('admin.devices.col.requirement') }, h('span', { class: 'badge ' + (d.sync_requirement.state === 'active' ? 'ok' : 'off'), text: requirementText(d.sync_requirement) })),
      h('td', { class: 'actions' }, actions));
  }

  // Rebuilds the rows only when something changed (so a tooltip or focus is not lost every few
  // seconds); otherwise moves the relative times and the staleness marks in place.
  function draw() {
    const now = Date.now();
    const signature = JSON.stringify(devices.map((d) => [d, isStale(d, now)]));
    if (signature === drawn) {
      for (const el of tbody.querySelectorAll('time.rel')) el.textContent = relativeTime(el.getAttribute('datetime'), now);
      return;
    }
    drawn = signature;
    const interval = devices.length ? devices[0].sync_interval_s || SYNC_INTERVAL_S : SYNC_INTERVAL_S;
    document.getElementById('stale-hint').textContent = t('admin.devices.stale_hint', { minutes: Math.round((2 * interval) / 60) });
    syncAll.title = t('admin.devices.sync_all_help', { minutes: Math.round(interval / 60) });
    syncAll.hidden = devices.length === 0;
    const focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.focus : null;
    clear(tbody, devices.map(row));
    empty.hidden = devices.length > 0;
    table.hidden = devices.length === 0;
    if (focusKey) tbody.querySelector(`[data-focus="${focusKey}"]`)?.focus();
  }

  // A poll that started before a change (say an uninstall) may answer after the refresh that
  // follows it: only the latest request's answer is drawn, so a removed clock never comes back.
  let latest = 0;
  async function refresh() {
    const seq = ++latest;
    try {
      const all = [];
      let cursor = null;
      do {
        const page = await get('/api/v1/devices?limit=1000' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      if (seq !== latest) return;
      devices = all;
      draw();
      status.textContent = t('admin.devices.updated', { time: clockTime() });
      status.classList.remove('error');
      if (highlight) { document.getElementById('device-' + highlight)?.scrollIntoView({ block: 'center' }); highlight = null; }
    } catch (err) {
      if (seq !== latest) return;
      status.textContent = errorText(err);
      status.classList.add('error');
    }
  }

  let asking = false;
  async function requestSyncAll() {
    if (asking) return;
    asking = true;
    syncAll.disabled = true;
    try {
      const res = await post('/api/v1/devices/sync-request');
      toast(t('admin.devices.sync_all_done', { n: res.devices }));
      refresh();
    } catch (err) { toast(errorText(err), 'error'); } finally { asking = false; syncAll.disabled = false; }
  }

  function openRequirement(d) {
    modal(t('admin.req.title', { id: deviceId(d) }), (body, close) => {
      const select = h('select', { id: 'req-state' },
        ['active', 'disabled_for_period', 'disabled_permanently'].map((s) =>
          h('option', { value: s, selected: d.sync_requirement.state === s, text: t('admin.req.' + s) })));
      const period = h('input', { id: 'req-period', type: 'month', value: d.sync_requirement.period || currentPeriod() });
      const periodField = field(t('admin.req.period'), period, t('admin.req.period_hint'));
      const sync = () => { periodField.hidden = select.value !== 'disabled_for_period'; };
      select.addEventListener('change', sync);
      const explain = h('div', { class: 'explain' },
        h('p', {}, h('strong', { text: t('admin.req.active') + ': ' }), t('admin.req.active_help')),
        h('p', {}, h('strong', { text: t('admin.req.disabled_for_period') + ': ' }), t('admin.req.disabled_for_period_help')),
        h('p', {}, h('strong', { text: t('admin.req.disabled_permanently') + ': ' }), t('admin.req.disabled_permanently_help')));
      const error = h('p', { class: 'form-error', role: 'alert' });
      const historyBox = h('div', { class: 'history', id: 'history' });
      const form = h('form', {},
        h('p', { class: 'muted', text: t('admin.req.current', { state: requirementText(d.sync_requirement) }) }),
        field(t('admin.req.new_status'), select), periodField,
        h('p', { class: 'warning', text: t('admin.req.warning') }),
        explain, error,
        h('div', { class: 'buttons' },
          h('button', { type: 'submit', class: 'btn primary', id: 'req-save', text: t('admin.save') }),
          h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') })),
        h('p', {}, h('button', { type: 'button', class: 'link', id: 'history-link', onclick: () => showHistory(d, historyBox), text: t('admin.history.link') })),
        historyBox);
      sync();
      let saving = false;
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        if (saving) return;
        error.textContent = '';
        const req = { state: select.value };
        if (select.value === 'disabled_for_period') {
          if (period.value && !/^\d{4}-\d{2}$/.test(period.value)) { setFieldError(period, t('admin.req.period_invalid')); period.focus(); return; }
          setFieldError(period, '');
          req.period = period.value || currentPeriod();
        }
        saving = true;
        try {
          await put(`/api/v1/devices/${d.id}/sync-requirement`, req);
          toast(t('admin.req.saved'));
          close();
          refresh();
        } catch (err) { error.textContent = errorText(err); } finally { saving = false; }
      });
      body.append(form);
      return select;
    });
  }

  function rename(d) {
    modal(t('admin.devices.rename_title', { id: deviceId(d) }), (body, close) => {
      const input = h('input', { id: 'device-name', type: 'text', maxlength: 60, value: d.name || '', autocomplete: 'off', required: true });
      const error = h('p', { class: 'form-error', role: 'alert' });
      const form = h('form', {},
        field(t('admin.devices.name'), input, t('admin.devices.name_help')), error,
        h('div', { class: 'buttons' },
          h('button', { type: 'submit', class: 'btn primary', id: 'name-save', text: t('admin.save') }),
          h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') })));
      let saving = false;
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        if (saving) return;
        const name = input.value.trim();
        if (!name || name.length > 60) { setFieldError(input, t('admin.devices.name_invalid')); input.focus(); return; }
        setFieldError(input, '');
        saving = true;
        try {
          await patch(`/api/v1/devices/${d.id}`, { name });
          toast(t('admin.devices.renamed', { name }));
          close();
          refresh();
        } catch (err) { error.textContent = errorText(err); } finally { saving = false; }
      });
      body.append(form);
      return input;
    });
  }

  async function showHistory(d, box) {
    clear(box, h('p', { class: 'muted', text: t('admin.loading') }));
    try {
      const res = await get(`/api/v1/devices/${d.id}/history`);
      clear(box, h('h3', { text: t('admin.history.title') }),
        h('div', { class: 'table-wrap' }, h('table', { class: 'data compact history-table' },
          h('caption', { class: 'sr-only', text: t('admin.history.caption', { id: deviceId(d) }) }),
          h('thead', {}, h('tr', {}, ['admin.history.date', 'admin.history.who', 'admin.history.event', 'admin.history.state'].map((k) => h('th', { scope: 'col', text: t(k) })))),
          h('tbody', {}, res.items.map((it) => h('tr', {},
            h('td', { 'data-label': t('admin.history.date') }, h('time', { datetime: it.at, title: exactTime(it.at), text: shortDate(it.at) })),
            h('td', { 'data-label': t('admin.history.who'), text: it.by ? it.by.name : t('admin.history.system') }),
            h('td', { 'data-label': t('admin.history.event'), text: has('admin.history.event.' + it.event) ? t('admin.history.event.' + it.event) : it.event }),
            h('td', { 'data-label': t('admin.history.state'), text: requirementText(it.sync_requirement) })))))));
      box.querySelector('h3').setAttribute('tabindex', '-1');
      box.querySelector('h3').focus();
    } catch (err) { clear(box, h('p', { class: 'form-error', text: errorText(err) })); }
  }

  async function uninstall(d) {
    // Ask the server for the risk first: without confirm it answers 409 naming pending events and last contact.
    let risk = { pending_events: d.pending_events, last_contact_at: d.last_contact_at };
    try {
      await del(`/api/v1/devices/${d.id}`, { confirm: false });
    } catch (err) {
      if (err.code === 'confirmation_required' && err.details) risk = { ...risk, ...err.details };
      else if (err.code !== 'confirmation_required') { toast(errorText(err), 'error'); return; }
    }
    modal(t('admin.uninstall.title', { id: deviceId(d) }), (body, close) => {
      const error = h('p', { class: 'form-error', role: 'alert' });
      const confirm = h('button', { type: 'button', class: 'btn danger', id: 'uninstall-confirm', text: t('admin.uninstall.confirm') });
      confirm.addEventListener('click', async () => {
        confirm.disabled = true;
        try {
          await del(`/api/v1/devices/${d.id}`, { confirm: true });
          toast(t('admin.uninstall.done'));
          close();
          refresh();
        } catch (err) { error.textContent = errorText(err); confirm.disabled = false; }
      });
      const cancel = h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') });
      body.append(
        h('p', { text: t('admin.uninstall.recommend') }),
        h('ul', { class: 'risk' },
          h('li', { class: risk.pending_events > 0 ? 'bad' : null }, t('admin.uninstall.pending', { n: risk.pending_events ?? 0 })),
          h('li', { class: !risk.last_contact_at || isStale(risk) ? 'bad' : null }, t('admin.uninstall.last_contact'), ' ',
            risk.last_contact_at
              ? h('strong', {}, h('time', { datetime: risk.last_contact_at, text: exactTime(risk.last_contact_at) }), ' (', relativeTime(risk.last_contact_at), ')')
              : h('strong', { text: t('admin.never') }))),
        h('p', { class: 'warning', text: t('admin.uninstall.risk') }),
        error,
        h('div', { class: 'buttons' }, confirm, cancel));
      return cancel;
    });
  }

  refresh();
  timer = setInterval(refresh, POLL_MS);
  return () => clearInterval(timer);
}

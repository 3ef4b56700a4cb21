// People and links: employees (number, name, role, PIN, personnummer; for admins also a web
// login: username and password), links, and who may stamp on what.
import { get, post, patch, put } from '../api.js';
import { t, errorText } from '../i18n.js';
import { h, clear, field, modal, setFieldError, toast } from '../util.js';
import { personnummerProblem } from '../personnummer.js';

const ROLES = ['employee', 'team_lead', 'manager', 'admin'];
/** The server's (and the CLI's) rule for a web password: at least 10 characters. */
const PASSWORD_MIN = 10;

export function renderPeople(main, { user } = {}) {
  // Web logins are the admin's to hand out (a manager sending them gets 403 not_authorised).
  const mayGiveLogins = user?.role === 'admin';
  const peopleBox = h('div', { class: 'card flush' }, h('p', { class: 'pad muted', text: t('admin.loading') }));
  const linksBox = h('div', { class: 'card flush' });
  let people = [];
  let links = [];
  // The organisation's links_required: where staff stamp without projects (a restaurant), the
  // project column, the project list and the picker are hidden; only admins switch it.
  let linksRequired = true;
  const linkNew = h('button', { type: 'button', class: 'btn', id: 'link-new', onclick: () => editLink(null), text: t('admin.links.new') });
  const requiredBox = h('div', { class: 'setting' });
  clear(main,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', { text: t('admin.people.title') }), h('p', { class: 'lead', text: t('admin.people.lead') })),
      h('button', { type: 'button', class: 'btn primary', id: 'person-new', onclick: () => editPerson(null), text: t('admin.people.new') })),
    peopleBox,
    h('div', { class: 'page-head sub' }, h('h2', { text: t('admin.links.title') }), linkNew),
    requiredBox,
    linksBox);

  const linkName = (id) => { const l = links.find((x) => x.id === id); return l ? `${l.project} · ${l.account}` : id; };

  async function load() {
    try {
      const [p, l, org] = await Promise.all([get('/api/v1/employees?limit=1000'), get('/api/v1/links?limit=1000'), get('/api/v1/organisation')]);
      people = p.items; links = l.items; linksRequired = org.links_required !== false;
      drawPeople(); drawLinks(); drawRequired();
    } catch (err) { clear(peopleBox, h('p', { class: 'pad form-error', text: errorText(err) })); }
  }

  function drawRequired() {
    const box = h('input', { type: 'checkbox', id: 'org-links-required', checked: linksRequired, disabled: !mayGiveLogins });
    box.addEventListener('change', async () => {
      box.disabled = true;
      try {
        const org = await patch('/api/v1/organisation', { links_required: box.checked });
        linksRequired = org.links_required !== false;
        toast(t('admin.links.required_saved'));
        drawPeople(); drawLinks(); drawRequired();
      } catch (err) { box.checked = linksRequired; box.disabled = false; toast(errorText(err), 'error'); }
    });
    clear(requiredBox, h('label', { class: 'check', for: 'org-links-required' }, box, t('admin.links.required')),
      linksRequired ? null : h('p', { class: 'muted', id: 'org-links-off', text: t('admin.links.not_required_hint') }));
  }

  function drawPeople() {
    clear(peopleBox, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'people' },
      h('caption', { class: 'sr-only', text: t('admin.people.title') }),
      h('thead', {}, h('tr', {}, ['admin.people.col.number', 'admin.people.col.name', 'admin.people.col.role', 'admin.people.col.personnummer', linksRequired ? 'admin.people.col.links' : null, 'admin.people.col.status'].filter(Boolean).map((k) => h('th', { scope: 'col', text: t(k) })),
        h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: t('admin.actions') })))),
      h('tbody', {}, people.map((p) => h('tr', { class: p.active ? null : 'inactive' },
        h('td', { 'data-label': t('admin.people.col.number'), text: p.number || '—' }),
        h('td', { 'data-label': t('admin.people.col.name') }, h('strong', { text: p.name }), p.username ? h('div', { class: 'muted small', text: p.username }) : null),
        h('td', { 'data-label': t('admin.people.col.role'), text: t('admin.role.' + p.role) }),
        h('td', { 'data-label': t('admin.people.col.personnummer'), text: p.personnummer_last4 ? '••••••••-' + p.personnummer_last4 : '—' }),
        linksRequired ? h('td', { 'data-label': t('admin.people.col.links') }, p.links.length ? p.links.map((id) => h('span', { class: 'chip', text: linkName(id) })) : h('span', { class: 'muted', text: '—' })) : null,
        h('td', { 'data-label': t('admin.people.col.status') }, h('span', { class: 'badge ' + (p.active ? 'ok' : 'off'), text: t(p.active ? 'admin.active' : 'admin.inactive') })),
        h('td', { class: 'actions' }, h('button', { type: 'button', class: 'btn small', 'aria-label': t('admin.people.edit_label', { name: p.name }), onclick: () => editPerson(p), text: t('admin.edit') }))))))));
  }

  function drawLinks() {
    linkNew.hidden = !linksRequired;
    linksBox.hidden = !linksRequired;
    if (!links.length) { clear(linksBox, h('div', { class: 'empty' }, h('p', { text: t('admin.links.empty') }))); return; }
    clear(linksBox, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'links' },
      h('caption', { class: 'sr-only', text: t('admin.links.title') }),
      h('thead', {}, h('tr', {}, ['admin.links.col.project', 'admin.links.col.account', 'admin.people.col.status'].map((k) => h('th', { scope: 'col', text: t(k) })),
        h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: t('admin.actions') })))),
      h('tbody', {}, links.map((l) => h('tr', { class: l.active ? null : 'inactive' },
        h('td', { 'data-label': t('admin.links.col.project'), text: l.project }),
        h('td', { 'data-label': t('admin.links.col.account'), text: l.account }),
        h('td', { 'data-label': t('admin.people.col.status') }, h('span', { class: 'badge ' + (l.active ? 'ok' : 'off'), text: t(l.active ? 'admin.active' : 'admin.inactive') })),
        h('td', { class: 'actions' }, h('button', { type: 'button', class: 'btn small', 'aria-label': t('admin.links.edit_label', { name: `${l.project} · ${l.account}` }), onclick: () => editLink(l), text: t('admin.edit') }))))))));
  }

  function editPerson(p) {
    modal(t(p ? 'admin.people.edit_title' : 'admin.people.new'), (body, close) => {
      const number = h('input', { id: 'p-number', value: p?.number || '', maxlength: 32, required: !mayGiveLogins });
      const name = h('input', { id: 'p-name', value: p?.name || '', maxlength: 200, required: true, autocomplete: 'off' });
      const role = h('select', { id: 'p-role' }, ROLES.map((r) => h('option', { value: r, selected: (p?.role || 'employee') === r, text: t('admin.role.' + r) })));
      const pin = h('input', { id: 'p-pin', type: 'password', inputmode: 'numeric', autocomplete: 'new-password', maxlength: 8 });
      const pnr = h('input', { id: 'p-pnr', autocomplete: 'off', inputmode: 'numeric', maxlength: 13, placeholder: t('admin.people.pnr_placeholder') });
      const active = h('input', { id: 'p-active', type: 'checkbox', checked: p ? p.active : true });
      const username = mayGiveLogins ? h('input', { id: 'p-username', value: p?.username || '', maxlength: 100, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }) : null;
      const password = mayGiveLogins ? h('input', { id: 'p-password', type: 'password', autocomplete: 'new-password', maxlength: 1024 }) : null;
      const login = mayGiveLogins ? h('fieldset', { class: 'login-pick' }, h('legend', { text: t('admin.people.login') }),
        h('div', { class: 'grid-2 tight' },
          field(t('admin.people.username'), username, t('admin.people.username_hint')),
          field(t(p?.username ? 'admin.people.password_change' : 'admin.people.password'), password, t('admin.people.password_hint', { n: PASSWORD_MIN })))) : null;
      const checks = links.filter((l) => l.active || p?.links.includes(l.id)).map((l) => {
        const id = 'p-link-' + l.id;
        return h('label', { class: 'check', for: id }, h('input', { type: 'checkbox', id, value: l.id, checked: p?.links.includes(l.id) }), `${l.project} · ${l.account}`);
      });
      const error = h('p', { class: 'form-error', role: 'alert', id: 'person-error' });
      const form = h('form', { novalidate: true },
        h('div', { class: 'grid-2 tight' },
          field(t('admin.people.number'), number), field(t('admin.people.name'), name),
          field(t('admin.people.role'), role),
          field(t(p ? 'admin.people.pin_change' : 'admin.people.pin'), pin, t('admin.people.pin_hint'))),
        field(t(p ? 'admin.people.pnr_change' : 'admin.people.pnr'), pnr, p?.personnummer_last4 ? t('admin.people.pnr_stored', { last4: p.personnummer_last4 }) : t('admin.people.pnr_hint')),
        h('div', { class: 'field' }, h('label', { class: 'check', for: 'p-active' }, active, t('admin.active'))),
        login,
        linksRequired ? h('fieldset', { class: 'links-pick' }, h('legend', { text: t('admin.people.links') }), checks.length ? checks : h('p', { class: 'muted', text: t('admin.links.empty') })) : null,
        error,
        h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'btn primary', id: 'person-save', text: t('admin.save') }),
          h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') })));
      pnr.addEventListener('blur', () => { const pr = pnr.value.trim() && personnummerProblem(pnr.value); setFieldError(pnr, pr ? t('error.invalid_personnummer') + ' ' + t(pr) : ''); });
      let saving = false;
      let createdId = null;
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        let ok = true;
        const login = username ? username.value.trim() : '';
        // Someone who only logs in (an office manager) needs no number or PIN; staff who stamp do.
        const stamps = !!number.value.trim() || !login;
        const checks = [
          [number, stamps && !number.value.trim(), 'admin.people.required'],
          [name, !name.value.trim(), 'admin.people.required'],
          [pin, (!p && stamps && !pin.value) || (pin.value && !/^[0-9]{4,8}$/.test(pin.value)), 'admin.people.pin_invalid'],
        ];
        if (password) {
          checks.push([password, password.value && [...password.value].length < PASSWORD_MIN, 'admin.people.password_invalid']);
          checks.push([username, !login && (!!password.value || !!p?.username), p?.username ? 'admin.people.username_required' : 'admin.people.username_for_password']);
        }
        for (const [input, bad, msg] of checks) { setFieldError(input, bad ? t(msg, { n: PASSWORD_MIN }) : ''); if (bad) ok = false; }
        const pr = pnr.value.trim() ? personnummerProblem(pnr.value) : null;
        setFieldError(pnr, pr ? t('error.invalid_personnummer') + ' ' + t(pr) : '');
        if (pr) ok = false;
        if (!ok) { form.querySelector('[aria-invalid="true"]')?.focus(); return; }
        const input = { name: name.value.trim(), role: role.value, active: active.checked };
        if (number.value.trim()) input.number = number.value.trim();
        if (pin.value) input.pin = pin.value;
        // Sent only when changed: each credential change is audited and a new password ends the
        // person's sessions.
        if (username && login && login.toLowerCase() !== (p?.username || '')) input.username = login;
        if (password && password.value) input.password = password.value;
        if (pnr.value.trim()) input.personnummer = pnr.value.trim();
        const chosen = [...form.querySelectorAll('.links-pick input:checked')].map((c) => c.value);
        if (saving) return;
        saving = true;
        try {
          // Once created, a retry (say the links failed) edits that person instead of creating another.
          const saved = createdId || p ? await patch(`/api/v1/employees/${createdId || p.id}`, input) : await post('/api/v1/employees', input);
          if (!p) createdId = saved.id;
          // Without the picker (links not required) a person's links stay as they are.
          if (linksRequired) await put(`/api/v1/employees/${saved.id}/links`, { link_ids: chosen });
          toast(t('admin.people.saved', { name: saved.name }));
          close();
          load();
        } catch (err) {
          if (err.code === 'invalid_personnummer') { setFieldError(pnr, errorText(err)); pnr.focus(); }
          if (err.code === 'already_exists') {
            const taken = err.details?.field === 'username' && username ? username : number;
            setFieldError(taken, t(taken === username ? 'admin.people.username_taken' : 'admin.people.number_taken'));
            taken.focus();
          }
          error.textContent = errorText(err);
        } finally { saving = false; }
      });
      body.append(form);
      return number;
    });
  }

  function editLink(l) {
    modal(t(l ? 'admin.links.edit_title' : 'admin.links.new'), (body, close) => {
      const project = h('input', { id: 'l-project', value: l?.project || '', required: true, maxlength: 200 });
      const account = h('input', { id: 'l-account', value: l?.account || '', required: true, maxlength: 200 });
      const active = h('input', { id: 'l-active', type: 'checkbox', checked: l ? l.active : true });
      const error = h('p', { class: 'form-error', role: 'alert' });
      const form = h('form', { novalidate: true },
        field(t('admin.links.project'), project), field(t('admin.links.account'), account),
        h('div', { class: 'field' }, h('label', { class: 'check', for: 'l-active' }, active, t('admin.active'))),
        error,
        h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'btn primary', id: 'link-save', text: t('admin.save') }),
          h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') })));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        let ok = true;
        for (const i of [project, account]) { const bad = !i.value.trim(); setFieldError(i, bad ? t('admin.people.required') : ''); if (bad) ok = false; }
        if (!ok) return;
        const input = { project: project.value.trim(), account: account.value.trim(), active: active.checked };
        try {
          if (l) await patch(`/api/v1/links/${l.id}`, input); else await post('/api/v1/links', input);
          toast(t('admin.links.saved'));
          close();
          load();
        } catch (err) { error.textContent = errorText(err); }
      });
      body.append(form);
      return project;
    });
  }
  load();
}

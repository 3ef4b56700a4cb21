// The admin UI shell: session, language, navigation between pages (hash routes).
import { get, post, setCsrf, whenUnauthenticated } from './api.js';
import { LANGUAGES, currentLang, preferredLang, setLang, setRegionFromTimeZone, t, translateStatic } from './i18n.js';
import { h, clear, closeDialogs, icon } from './util.js';
import { renderLogin } from './pages/login.js';
import { renderDevices } from './pages/devices.js';
import { renderEnrolment } from './pages/enrolment.js';
import { renderQuarantine } from './pages/quarantine.js';
import { renderPayroll } from './pages/payroll.js';
import { renderPeople } from './pages/people.js';
import { renderAudit } from './pages/audit.js';
import { renderTimesheet } from './pages/timesheet.js';
import { renderWorkModels } from './pages/work-models.js';
import { renderAnomalies } from './pages/anomalies.js';

// The first page a role may see is where it lands: staff (employee, team lead) on their own
// timesheet, managers and admins on the tablets.
const PAGES = [
  { id: 'devices', label: 'admin.nav.devices', render: renderDevices, roles: ['admin', 'manager'] },
  { id: 'enrolment', label: 'admin.nav.enrolment', render: renderEnrolment, roles: ['admin'] },
  { id: 'quarantine', label: 'admin.nav.quarantine', render: renderQuarantine, roles: ['admin'] },
  { id: 'payroll', label: 'admin.nav.payroll', render: renderPayroll, roles: ['admin', 'manager'] },
  { id: 'people', label: 'admin.nav.people', render: renderPeople, roles: ['admin', 'manager'] },
  { id: 'timesheet', label: 'admin.nav.timesheet', render: renderTimesheet, roles: ['admin', 'manager', 'team_lead', 'employee'] },
  { id: 'work-models', label: 'admin.nav.work_models', render: renderWorkModels, roles: ['admin', 'manager'] },
  { id: 'anomalies', label: 'admin.nav.anomalies', render: renderAnomalies, roles: ['admin', 'manager'] },
  // The audit log API is for admins only (GET /api/v1/audit answers 403 to a manager).
  { id: 'audit', label: 'admin.nav.audit', render: renderAudit, roles: ['admin'] },
];

const state = { user: null, cleanup: null };
const root = () => document.getElementById('app');

export function languageSwitch() {
  const select = h('select', { id: 'lang', 'aria-label': t('admin.language'), title: t('admin.language') },
    LANGUAGES.map(([code, name]) => h('option', { value: code, selected: code === currentLang(), lang: code, text: name })));
  select.addEventListener('change', async () => {
    await setLang(select.value, true);
    render();
    document.getElementById('lang')?.focus();
  });
  return h('div', { class: 'lang-switch' }, icon('globe'), select);
}

function stopPage() {
  if (state.cleanup) { try { state.cleanup(); } catch { /* ignore */ } }
  state.cleanup = null;
  closeDialogs();
}

function visiblePages() {
  return PAGES.filter((p) => state.user && p.roles.includes(state.user.role));
}

function route() {
  const [id, query] = (location.hash.replace(/^#\/?/, '') || '').split('?');
  const params = new URLSearchParams(query || '');
  const pages = visiblePages();
  const page = pages.find((p) => p.id === id) || pages[0];
  return { page, params };
}

async function logout() {
  try { await post('/api/v1/auth/logout'); } catch { /* already gone */ }
  state.user = null;
  setCsrf(null);
  location.hash = '';
  render();
}

function render() {
  stopPage();
  translateStatic();
  if (!state.user) {
    document.title = t('admin.login.title') + ' · stampclock';
    renderLogin(root(), { languageSwitch, onLogin: async (res) => { state.user = res.user; setCsrf(res.csrf_token); await applyRegion(); render(); } });
    return;
  }
  const pages = visiblePages();
  if (!pages.length) {
    clear(root(), h('main', { id: 'main', class: 'login-wrap' }, h('div', { class: 'login-lang' }, languageSwitch()), h('div', { class: 'card notice' },
      h('h1', { text: t('admin.no_access.title') }), h('p', { text: t('admin.no_access.body') }),
      h('button', { type: 'button', class: 'btn', onclick: logout, text: t('admin.logout') }))));
    return;
  }
  const { page, params } = route();
  document.title = t(page.label) + ' · stampclock';
  const main = h('main', { id: 'main', tabindex: '-1' });
  const nav = h('nav', { 'aria-label': t('admin.nav.label') },
    h('ul', {}, pages.map((p) => h('li', {}, h('a', { href: '#/' + p.id, 'aria-current': p === page ? 'page' : null, text: t(p.label) })))));
  clear(root(),
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/' + pages[0].id }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'stampclock'),
      h('div', { class: 'top-right' },
        languageSwitch(),
        h('span', { class: 'who' }, h('span', { class: 'who-name', text: state.user.name }), h('span', { class: 'role', text: t('admin.role.' + state.user.role) })),
        h('button', { type: 'button', class: 'btn ghost', id: 'logout', onclick: logout, text: t('admin.logout') }))),
    h('div', { class: 'layout' }, nav, main));
  state.cleanup = page.render(main, { user: state.user, params, navigate: (hash) => { location.hash = hash; } }) || null;
}

window.addEventListener('hashchange', () => {
  render();
  document.getElementById('main')?.focus({ preventScroll: true });
});
whenUnauthenticated(() => { if (state.user) { state.user = null; render(); } });

// Formats follow the organisation's country (English dates day-first in Sweden, Germany, Denmark).
async function applyRegion() {
  try { setRegionFromTimeZone((await get('/api/v1/organisation')).time_zone); } catch { /* keep the default */ }
}

(async function start() {
  await setLang(preferredLang());
  try {
    const me = await get('/api/v1/auth/me');
    state.user = me.user;
    setCsrf(me.csrf_token);
    await applyRegion();
  } catch { state.user = null; }
  render();
})();

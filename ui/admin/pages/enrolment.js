// Enrolment: create a one-time code and show it large, ready to type on a tablet.
import { post } from '../api.js';
import { t, errorText } from '../i18n.js';
import { h, clear, field, setFieldError, exactTime, relativeTime } from '../util.js';

const CHOICES = [[900, 'admin.enrol.15min'], [3600, 'admin.enrol.1h'], [86400, 'admin.enrol.24h'], [604800, 'admin.enrol.7d']];

export function renderEnrolment(main) {
  const select = h('select', { id: 'enrol-expiry' }, CHOICES.map(([s, k]) => h('option', { value: s, text: t(k) })));
  // The tablet enrolled with the code gets this name ("Entré", "Kök") at once.
  const name = h('input', { id: 'enrol-name', type: 'text', maxlength: 60, autocomplete: 'off' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const result = h('div', { class: 'code-result', id: 'enrol-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card narrow' },
    h('h2', { text: t('admin.enrol.new') }),
    field(t('admin.enrol.name'), name, t('admin.enrol.name_help')),
    field(t('admin.enrol.valid_for'), select),
    error,
    h('button', { type: 'submit', class: 'btn primary', id: 'enrol-create', text: t('admin.enrol.create') }));
  let timer = null;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const deviceName = name.value.trim();
    if (deviceName.length > 60) { setFieldError(name, t('admin.devices.name_invalid')); name.focus(); return; }
    setFieldError(name, '');
    try {
      const res = await post('/api/v1/enrolment-codes', { expires_in_s: Number(select.value), device_name: deviceName || null });
      const left = h('span', {});
      const tick = () => { left.textContent = relativeTime(res.expires_at); };
      tick();
      clearInterval(timer);
      timer = setInterval(tick, 15000);
      clear(result, h('div', { class: 'card code-card' },
        h('p', { class: 'muted', text: t('admin.enrol.type_on_tablet') }),
        h('p', { class: 'big-code' }, h('span', { class: 'sr-only', text: t('admin.enrol.code_label', { code: res.code.split('').join(' ') }) }),
          h('span', { id: 'enrol-code', 'aria-hidden': 'true', text: res.code })),
        h('p', {}, t('admin.enrol.expires'), ' ', h('time', { datetime: res.expires_at, text: exactTime(res.expires_at) }), ' (', left, ')'),
        res.device_name ? h('p', { id: 'enrol-named', text: t('admin.enrol.named', { name: res.device_name }) }) : null,
        h('ol', { class: 'steps' }, ['admin.enrol.step1', 'admin.enrol.step2', 'admin.enrol.step3'].map((k) => h('li', { text: t(k) })))));
    } catch (err) { error.textContent = errorText(err); }
  });
  clear(main,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', { text: t('admin.enrol.title') }), h('p', { class: 'lead', text: t('admin.enrol.lead') }))),
    h('div', { class: 'grid-2' }, form, result));
  return () => clearInterval(timer);
}

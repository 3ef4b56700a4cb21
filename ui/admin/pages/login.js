import { post } from '../api.js';
import { t, errorText } from '../i18n.js';
import { h, clear } from '../util.js';

export function renderLogin(root, { languageSwitch, onLogin }) {
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', id: 'login-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn primary wide', text: t('admin.login.submit') });
  const form = h('form', { class: 'card login', 'aria-labelledby': 'login-title', novalidate: true },
    h('div', { class: 'login-head' }, h('span', { class: 'logo big', 'aria-hidden': 'true' }),
      h('div', {}, h('h1', { id: 'login-title', text: t('admin.login.title') }), h('p', { class: 'muted', text: t('admin.login.subtitle') }))),
    h('div', { class: 'field' }, h('label', { for: 'username', text: t('admin.login.username') }), user),
    h('div', { class: 'field' }, h('label', { for: 'password', text: t('admin.login.password') }), pass),
    error, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!user.value.trim() || !pass.value) { error.textContent = t('admin.login.missing'); return; }
    submit.disabled = true;
    try {
      const res = await post('/api/v1/auth/login', { username: user.value.trim(), password: pass.value });
      onLogin(res);
    } catch (err) {
      error.textContent = errorText(err);
      pass.value = '';
      pass.focus();
    } finally { submit.disabled = false; }
  });
  clear(root, h('main', { id: 'main', class: 'login-wrap' },
    h('div', { class: 'login-lang' }, languageSwitch()),
    form,
    h('p', { class: 'muted small center', text: t('admin.login.footer') })));
  user.focus();
}

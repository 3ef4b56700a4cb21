import { t, currentLang } from './i18n.js';

// h('tag', {class, text, onclick, ...attrs}, ...children)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) { el.replaceChildren(); append(el, children); return el; }

export function exactTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(currentLang(), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

export function shortDate(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(currentLang(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function relativeTime(iso, now = Date.now()) {
  const diff = (new Date(iso).getTime() - now) / 1000;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(currentLang(), { numeric: 'auto' });
  if (abs < 45) return rtf.format(Math.round(diff), 'second');
  if (abs < 45 * 60) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 22 * 3600) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 26 * 86400) return rtf.format(Math.round(diff / 86400), 'day');
  return rtf.format(Math.round(diff / (30 * 86400)), 'month');
}

// A <time> with a relative label and the exact instant on hover and for screen readers.
export function timeEl(iso, { relative = true, never = 'admin.never' } = {}) {
  if (!iso) return h('span', { class: 'muted', text: t(never) });
  const exact = exactTime(iso);
  return h('time', { datetime: iso, title: exact, 'aria-label': exact, class: relative ? 'rel' : null },
    relative ? relativeTime(iso) : shortDate(iso));
}

export function shortId(id) { return String(id).slice(0, 8); }

export function toast(message, kind = 'ok') {
  const box = document.getElementById('toast');
  const item = h('div', { class: 'toast ' + kind, text: message });
  box.append(item);
  setTimeout(() => item.remove(), 5000);
}

// A modal <dialog>; returns {dialog, body, close}. Escape closes it; focus returns to the opener.
export function modal(title, build) {
  const opener = document.activeElement;
  const titleId = 'dlg-' + Math.random().toString(36).slice(2);
  const body = h('div', { class: 'dialog-body' });
  const close = () => { dialog.close(); };
  const dialog = h('dialog', { 'aria-labelledby': titleId },
    h('div', { class: 'dialog-head' },
      h('h2', { id: titleId, text: title }),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('admin.close'), title: t('admin.close'), onclick: close, text: '✕' })),
    body);
  dialog.addEventListener('close', () => { dialog.remove(); if (opener && opener.isConnected) opener.focus(); });
  document.body.append(dialog);
  build(body, close);
  dialog.showModal();
  return { dialog, body, close };
}

export function field(label, input, hint) {
  const id = input.id || (input.id = 'f-' + Math.random().toString(36).slice(2));
  const hintEl = hint ? h('p', { class: 'hint', id: id + '-hint', text: hint }) : null;
  if (hintEl) input.setAttribute('aria-describedby', id + '-hint');
  const errEl = h('p', { class: 'field-error', id: id + '-err', role: 'alert' });
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), input, hintEl, errEl);
}

export function setFieldError(input, message) {
  const err = document.getElementById(input.id + '-err');
  if (err) err.textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
}

export function currentPeriod() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

import { t, locale } from './i18n.js';

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
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

export function shortDate(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function relativeTime(iso, now = Date.now()) {
  const diff = (new Date(iso).getTime() - now) / 1000;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
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

// Ids are UUIDv7: the first digits are a timestamp shared by clocks installed around the same
// time, so the short form people read is the random end of the id (the full id is on hover).
export function shortId(id) { return String(id).slice(-8); }

/** A small inline SVG icon (no emoji: not every computer has a font for them). */
export function icon(name) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '18');
  svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon icon-' + name);
  const paths = {
    globe: ['M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20z', 'M2 12h20', 'M12 2c2.8 2.7 4.2 6 4.2 10s-1.4 7.3-4.2 10c-2.8-2.7-4.2-6-4.2-10s1.4-7.3 4.2-10z'],
    lock: ['M6 11h12a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1z', 'M8 11V7a4 4 0 0 1 8 0v4'],
    alert: ['M12 3l10 18H2z', 'M12 10v5', 'M12 18v.5'],
    info: ['M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20z', 'M12 11v6', 'M12 7v.5'],
    download: ['M12 3v12', 'M7 10l5 5l5-5', 'M4 20h16'],
  }[name] || [];
  for (const d of paths) {
    const p = document.createElementNS(NS, 'path');
    p.setAttribute('d', d);
    svg.append(p);
  }
  return svg;
}

// One toast at a time: a new one replaces the last, so a few quick saves never stack a column
// of toasts over the tables.
export function toast(message, kind = 'ok') {
  const box = document.getElementById('toast');
  const item = h('div', { class: 'toast ' + kind, text: message });
  box.replaceChildren(item);
  setTimeout(() => item.remove(), 5000);
}

// A modal <dialog>; returns {dialog, body, close}. `build(body, close)` fills it and may return the
// element to focus first (else the browser picks). Escape closes it; focus returns to the opener,
// or to its replacement (same data-focus key) when a live refresh redrew it meanwhile.
export function modal(title, build) {
  const opener = document.activeElement;
  const focusKey = opener && opener.dataset ? opener.dataset.focus : null;
  const titleId = 'dlg-' + Math.random().toString(36).slice(2);
  const body = h('div', { class: 'dialog-body' });
  const close = () => { dialog.close(); };
  const dialog = h('dialog', { 'aria-labelledby': titleId },
    h('div', { class: 'dialog-head' },
      h('h2', { id: titleId, text: title }),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('admin.close'), title: t('admin.close'), onclick: close, text: '✕' })),
    body);
  dialog.addEventListener('close', () => {
    dialog.remove();
    const target = opener && opener.isConnected ? opener : focusKey ? document.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`) : null;
    if (target) target.focus();
  });
  document.body.append(dialog);
  const first = build(body, close);
  dialog.showModal();
  if (first) first.focus();
  return { dialog, body, close };
}

/** Closes every open dialog (leaving a page must not leave its dialog on top of the next one). */
export function closeDialogs() {
  for (const d of document.querySelectorAll('dialog')) { if (d.open) d.close(); else d.remove(); }
}

/**
 * Asks a yes/no question in the app's own dialog (translated buttons, unlike window.confirm);
 * resolves true only when the person chose `confirmLabel`. The safe choice has the focus.
 */
export function confirmDialog(title, message, confirmLabel, { danger = false, id = 'confirm-ok' } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const { dialog } = modal(title, (body, close) => {
      const ok = h('button', { type: 'button', class: 'btn ' + (danger ? 'danger' : 'primary'), id, text: confirmLabel, onclick: () => { answer = true; close(); } });
      const cancel = h('button', { type: 'button', class: 'btn', text: t('admin.cancel'), onclick: close });
      body.append(h('p', { text: message }), h('div', { class: 'buttons' }, ok, cancel));
      return cancel;
    });
    dialog.addEventListener('close', () => resolve(answer));
  });
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

/** The wall-clock time now, in the page's language. */
export function clockTime(d = new Date()) {
  return new Intl.DateTimeFormat(locale(), { timeStyle: 'medium' }).format(d);
}

export function currentPeriod() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

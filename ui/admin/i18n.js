// Message catalogues shared with the kiosk (ui/i18n/*.json), keyed by message id.
export const LANGUAGES = [
  ['sv', 'Svenska'], ['de', 'Deutsch'], ['da', 'Dansk'], ['en', 'English'],
];
const STORAGE_KEY = 'stampclock.lang';
let lang = 'en';
let messages = {};
let fallback = {};

export function currentLang() { return lang; }

export function preferredLang() {
  const saved = localStorage.getItem(STORAGE_KEY);
  const codes = LANGUAGES.map(([c]) => c);
  if (saved && codes.includes(saved)) return saved;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const base = String(l).toLowerCase().split('-')[0];
    if (codes.includes(base)) return base;
    if (base === 'nb' || base === 'no' || base === 'nn') return 'da';
  }
  return 'en';
}

async function load(code) {
  const res = await fetch(`/i18n/${code}.json`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error('catalogue ' + code);
  return res.json();
}

export async function setLang(code, remember = false) {
  if (!Object.keys(fallback).length) fallback = await load('en');
  messages = code === 'en' ? fallback : await load(code);
  lang = code;
  document.documentElement.lang = code;
  if (remember) localStorage.setItem(STORAGE_KEY, code);
}

export function has(key) { return key in messages || key in fallback; }

// t('admin.x', {n: 3}) replaces {n}.
export function t(key, vars = {}) {
  const s = messages[key] ?? fallback[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

export function errorText(err) {
  const code = err && err.code ? err.code : 'unknown';
  return has('error.' + code) ? t('error.' + code) : t('error.unknown');
}

export function translateStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

// Message catalogues shared with the kiosk (ui/i18n/*.json), keyed by message id.
export const LANGUAGES = [
  ['sv', 'Svenska'], ['de', 'Deutsch'], ['da', 'Dansk'], ['en', 'English'],
];
const STORAGE_KEY = 'stampclock.lang';
let lang = 'en';
let messages = {};
let fallback = {};

export function currentLang() { return lang; }

// Dates, times and numbers follow the organisation's country: English in a Swedish organisation
// reads "3 Dec 2026, 14:30" (en-SE), never the US month-first with AM/PM.
const REGIONS = { 'Europe/Stockholm': 'SE', 'Europe/Berlin': 'DE', 'Europe/Busingen': 'DE', 'Europe/Copenhagen': 'DK' };
let region = 'GB';

/** Sets the region of the formats from the organisation's time zone. */
export function setRegionFromTimeZone(timeZone) {
  region = REGIONS[timeZone] || 'GB';
  document.documentElement.dataset.locale = locale();
}

/** The BCP 47 locale for Intl formats: the language, in English with the organisation's region. */
export function locale() { return lang === 'en' ? `en-${region}` : lang; }

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
  document.documentElement.dataset.locale = locale();
  if (remember) localStorage.setItem(STORAGE_KEY, code);
}

export function has(key) { return key in messages || key in fallback || `${key}.other` in messages || `${key}.other` in fallback; }

// A counted message has one key per plural category of the language (`key.one`, `key.other`, as
// Intl.PluralRules names them); `count` picks the form, so "1 stämpelklocka", "2 stämpelklockor".
function lookup(key, count) {
  if (count !== undefined) {
    const n = Number(count);
    const forms = Number.isFinite(n) ? [`${key}.${new Intl.PluralRules(lang).select(n)}`, `${key}.other`] : [`${key}.other`];
    for (const k of forms) { const s = messages[k] ?? fallback[k]; if (s !== undefined) return s; }
  }
  return messages[key] ?? fallback[key] ?? key;
}

// t('admin.x', {n: 3}) replaces {n}; a numeric {n} (or {count}) also picks the plural form.
export function t(key, vars = {}) {
  const s = lookup(key, vars.count ?? vars.n);
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

export function errorText(err) {
  const code = err && err.code ? err.code : 'unknown';
  return has('error.' + code) ? t('error.' + code) : t('error.unknown');
}

export function translateStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

// Translations: one catalogue per language at ui/i18n/<lang>.json, shared with the admin UI,
// keyed by message id. Error codes of the core and the API translate as `error.<code>`.

export const LANGUAGES = ['sv', 'de', 'da', 'en'];

let catalogue = {};
let fallback = {};
let current = 'en';

async function load(lang) {
  const res = await fetch(new URL(`../i18n/${lang}.json`, import.meta.url));
  if (!res.ok) throw new Error(`catalogue ${lang}: ${res.status}`);
  return res.json();
}

export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) lang = 'en';
  if (Object.keys(fallback).length === 0) fallback = await load('en');
  catalogue = lang === 'en' ? fallback : await load(lang);
  current = lang;
  document.documentElement.lang = lang;
  apply(document);
}

export function language() {
  return current;
}

/** The message `id` with `{name}` placeholders filled from `params`. */
export function t(id, params = {}) {
  // A counted message has one key per plural category (`id.one`, `id.other`); a numeric {n}
  // picks the form for the language.
  let text;
  if (typeof params.n === 'number') {
    for (const k of [`${id}.${new Intl.PluralRules(current).select(params.n)}`, `${id}.other`]) {
      text ??= catalogue[k] ?? fallback[k];
    }
  }
  text ??= catalogue[id] ?? fallback[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

/** The translated sentence for an error answered by a command: `{code, message}`. */
export function errorText(err) {
  const code = err && typeof err === 'object' && err.code ? err.code : 'unknown';
  const id = `error.${code}`;
  if (id in catalogue || id in fallback) return t(id);
  return t('error.unknown');
}

/** Fills every element marked with data-i18n, data-i18n-placeholder or data-i18n-label. */
export function apply(root) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  root.querySelectorAll('[data-i18n-label]').forEach((el) => { el.setAttribute('aria-label', t(el.dataset.i18nLabel)); });
}

/** The organisation's default language from its time zone. */
export function languageForTimeZone(tz) {
  if (!tz) return null;
  if (tz === 'Europe/Stockholm') return 'sv';
  if (tz === 'Europe/Copenhagen') return 'da';
  if (['Europe/Berlin', 'Europe/Vienna', 'Europe/Zurich', 'Europe/Busingen'].includes(tz)) return 'de';
  return 'en';
}

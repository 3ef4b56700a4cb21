// One test's world: a real server on a fresh demo database and a fresh Chromium, both torn down
// by the test context whatever the outcome.
import { startServer, DEMO } from './server.mjs';
import { AdminApi } from './api.mjs';
import { launch, loginViaForm, tr } from './browser.mjs';

export { DEMO };

/**
 * Starts the server and the browser for test `t`; `locale` is the browser's language.
 * Returns {server, api (admin session), page, context, problems, lang}.
 */
export async function setup(t, { locale = 'en-GB', viewport } = {}) {
  const server = await startServer();
  t.after(server.stop);
  const browser = await launch({ locale, viewport });
  t.after(browser.close);
  const api = await AdminApi.login(server.url, DEMO.admin, DEMO.password);
  return { server, api, ...browser, lang: locale.split('-')[0] };
}

/**
 * Retries `fn` (which asserts) until it passes; after `timeout` ms rethrows its last failure.
 * For states the page reaches asynchronously (polling, API round trips) — never a fixed sleep.
 */
export async function eventually(fn, { timeout = 10_000, interval = 100 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Opens the UI and logs in through the form; waits for the main menu. */
export async function logIn(page, server, lang, username = DEMO.admin, password = DEMO.password) {
  await page.goto(server.url + '/');
  await page.waitForSelector('#username');
  await loginViaForm(page, username, password);
  await page.waitForSelector('nav[aria-label] a[aria-current="page"]');
  await page.waitForSelector('main h1');
  return tr(lang, 'admin.nav.devices');
}

/** The period `YYYY-MM` `monthsBack` months before the current one in Europe/Stockholm. */
export function stockholmPeriod(monthsBack = 0, now = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit' }).formatToParts(now);
  let y = Number(parts.find((p) => p.type === 'year').value);
  let m = Number(parts.find((p) => p.type === 'month').value) - monthsBack;
  while (m < 1) { m += 12; y -= 1; }
  return `${y}-${String(m).padStart(2, '0')}`;
}

/** A valid personnummer YYYYMMDD-NNNC for a birth date and birth number (Luhn over YYMMDDNNN). */
export function personnummer(yyyymmdd, nnn = '123') {
  const nine = yyyymmdd.slice(2) + nnn;
  const sum = [...nine].map(Number).reduce((acc, d, i) => { const p = d * (i % 2 === 0 ? 2 : 1); return acc + Math.floor(p / 10) + (p % 10); }, 0);
  return `${yyyymmdd}-${nnn}${(10 - (sum % 10)) % 10}`;
}

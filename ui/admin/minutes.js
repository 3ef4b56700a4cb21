// Durations (whole minutes, as the API sends them) and instants in the organisation's zone.
import { locale } from './i18n.js';

/** 90 → "1:30", -135 → "-2:15", 0 → "0:00" (G-FMT: the API already rounded to whole minutes). */
export function hm(min) {
  if (min === null || min === undefined) return '';
  const sign = min < 0 ? '-' : '';
  const a = Math.abs(Math.round(min));
  return `${sign}${Math.floor(a / 60)}:${String(a % 60).padStart(2, '0')}`;
}

/** "7:30", "7.5", "7" or "450m"-free plain hours → minutes; null when it is none of these. */
export function parseHm(text, { max = 1440, allowNegative = false } = {}) {
  const s = String(text).trim().replace(',', '.');
  let m = /^(-?)(\d{1,4}):([0-5]\d)$/.exec(s);
  let min = null;
  if (m) min = (m[1] ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  else if ((m = /^(-?)(\d{1,4})(\.\d{1,2})?$/.exec(s))) min = (m[1] ? -1 : 1) * Math.round(Number(m[2] + (m[3] || '')) * 60);
  if (min === null || Number.isNaN(min)) return null;
  if (min < 0 && !allowNegative) return null;
  if (Math.abs(min) > max) return null;
  return min;
}

/** "HH:MM" of an instant in an IANA zone (24-hour clock whatever the language). */
export function zonedTime(iso, timeZone) {
  if (!iso) return '';
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** "YYYY-MM-DD" of an instant in an IANA zone. */
export function zonedDate(iso, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/** The offset of `timeZone` from UTC at instant `ms`, in ms. */
function offsetAt(ms, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The UTC instant (RFC 3339) of wall-clock `date` ("YYYY-MM-DD") and `time` ("HH:MM") in
 * `timeZone`; a time in a DST gap takes the offset before the change (G-TZ), an ambiguous one
 * its first occurrence.
 */
export function zonedInstant(date, time, timeZone) {
  const [y, mo, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  // The earlier of the two candidate offsets first: the first occurrence of an ambiguous time.
  const candidates = [offsetAt(wall - 86_400_000 / 2, timeZone), offsetAt(wall + 86_400_000 / 2, timeZone)].sort((a, b) => b - a);
  for (const off of candidates) {
    const ms = wall - off;
    if (offsetAt(ms, timeZone) === off) return new Date(ms).toISOString().replace('.000Z', 'Z');
  }
  return new Date(wall - candidates[1]).toISOString().replace('.000Z', 'Z');
}

/** The weekday and date of "YYYY-MM-DD" in the page's language, e.g. "Mon 2 Nov". */
export function dayLabel(date, opts = { weekday: 'short', day: 'numeric', month: 'short' }) {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { ...opts, timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** "2026-11" → "November 2026" in the page's language. */
export function monthLabel(period) {
  const [y, m] = period.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** The month `delta` months from "YYYY-MM". */
export function addMonths(period, delta) {
  const [y, m] = period.split('-').map(Number);
  const t = y * 12 + (m - 1) + delta;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
}

/** The last day ("YYYY-MM-DD") of "YYYY-MM". */
export function monthEnd(period) {
  const [y, m] = period.split('-').map(Number);
  return `${period}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

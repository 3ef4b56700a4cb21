// ui/admin/minutes.js in node (no browser): H:MM both ways (G-FMT) and wall-clock times of the
// organisation's zone both ways across the DST changes (G-TZ: a time in the spring gap takes the
// offset before the change, an autumn time that occurs twice its first occurrence).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hm, parseHm, zonedTime, zonedDate, zonedInstant, addMonths, monthEnd } from '../../ui/admin/minutes.js';

test('durations are shown as H:MM, negative as -H:MM, and read back from H:MM or hours', () => {
  assert.deepEqual([0, 5, 90, 480, -135, 1440, -1].map(hm), ['0:00', '0:05', '1:30', '8:00', '-2:15', '24:00', '-0:01']);
  assert.equal(hm(null), '');
  assert.deepEqual(['7:30', '7', '7.5', '7,5', '0', '24:00', ' 8:05 '].map((s) => parseHm(s)), [450, 420, 450, 450, 0, 1440, 485]);
  for (const bad of ['', '7:60', '25:00', 'abc', '-1:00', '1:2']) assert.equal(parseHm(bad), null, bad);
  assert.equal(parseHm('-1:30', { allowNegative: true, max: 100_000 }), -90);
});

test('instants are shown in the organisation zone and wall-clock times turned into instants, DST included', () => {
  const tz = 'Europe/Stockholm';
  assert.equal(zonedTime('2026-11-02T07:00:00Z', tz), '08:00');
  assert.equal(zonedTime('2026-07-02T07:00:00Z', tz), '09:00');
  assert.equal(zonedDate('2026-11-30T23:30:00Z', tz), '2026-12-01');
  assert.equal(zonedInstant('2026-11-02', '08:00', tz), '2026-11-02T07:00:00Z');
  assert.equal(zonedInstant('2026-07-02', '09:00', tz), '2026-07-02T07:00:00Z');
  // Spring: 02:30 on 29 March 2026 does not exist; the offset before the change (+01:00).
  assert.equal(zonedInstant('2026-03-29', '02:30', tz), '2026-03-29T01:30:00Z');
  assert.equal(zonedInstant('2026-03-29', '03:30', tz), '2026-03-29T01:30:00Z');
  // Autumn: 02:30 on 25 October 2026 happens twice; the first one (+02:00).
  assert.equal(zonedInstant('2026-10-25', '02:30', tz), '2026-10-25T00:30:00Z');
  assert.equal(zonedInstant('2026-10-25', '03:30', tz), '2026-10-25T02:30:00Z');
  // Another zone.
  assert.equal(zonedInstant('2026-11-02', '08:00', 'Europe/Berlin'), '2026-11-02T07:00:00Z');
});

test('months step over the year and know their last day', () => {
  assert.deepEqual([addMonths('2026-01', -1), addMonths('2026-12', 1), addMonths('2026-11', 0), addMonths('2026-03', -14)], ['2025-12', '2027-01', '2026-11', '2025-01']);
  assert.deepEqual([monthEnd('2026-02'), monthEnd('2028-02'), monthEnd('2026-11'), monthEnd('2026-12')], ['2026-02-28', '2028-02-29', '2026-11-30', '2026-12-31']);
});

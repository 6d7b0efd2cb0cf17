import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownTimeZone, nextRuns, parseCronExpression } from './cron-preview.js';

const runs = (expr: string, from: string, n: number, tz = 'UTC'): string[] => {
  const p = parseCronExpression(expr);
  assert.ok(p.ok, expr);
  return nextRuns(p.schedule, new Date(from), n, tz).map((d) => d.toISOString());
};

test('refuses malformed expressions with the field and the reason', () => {
  assert.deepEqual(parseCronExpression('0 25 * * *'), { ok: false, error: 'hour: 25 is out of range 0-23' });
  assert.match((parseCronExpression('* * * *') as { error: string }).error, /5 fields.*has 4/);
  assert.match((parseCronExpression('*/0 * * * *') as { error: string }).error, /minute: step/);
  assert.match((parseCronExpression('0 0 * foo *') as { error: string }).error, /month: "foo"/);
  assert.match((parseCronExpression('0 10-2 * * *') as { error: string }).error, /backwards/);
});

test('lists the next runs strictly after the given time', () => {
  assert.deepEqual(runs('*/15 * * * *', '2025-01-01T00:00:00Z', 3), ['2025-01-01T00:15:00.000Z', '2025-01-01T00:30:00.000Z', '2025-01-01T00:45:00.000Z']);
  assert.deepEqual(runs('30 9 * * mon-fri', '2025-01-03T10:00:00Z', 2), ['2025-01-06T09:30:00.000Z', '2025-01-07T09:30:00.000Z']);
  assert.deepEqual(runs('@monthly', '2025-01-15T00:00:00Z', 2), ['2025-02-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z']);
  // 7 is Sunday too.
  assert.deepEqual(runs('0 0 * * 7', '2025-01-01T00:00:00Z', 1), ['2025-01-05T00:00:00.000Z']);
});

test('day-of-month and day-of-week restricted together match either one', () => {
  // The 13th, or any Friday: Fri 3 Jan 2025 comes before the 13th.
  assert.deepEqual(runs('0 0 13 * fri', '2025-01-01T00:00:00Z', 3), ['2025-01-03T00:00:00.000Z', '2025-01-10T00:00:00.000Z', '2025-01-13T00:00:00.000Z']);
  assert.deepEqual(runs('0 0 29 2 *', '2025-01-01T00:00:00Z', 1), ['2028-02-29T00:00:00.000Z']);
});

test('computes in the schedule time zone, across a DST change', () => {
  // 02:00 daily in Shanghai (UTC+8) is 18:00 UTC the day before.
  assert.deepEqual(runs('0 2 * * *', '2025-06-01T00:00:00Z', 1, 'Asia/Shanghai'), ['2025-06-01T18:00:00.000Z']);
  // Berlin moves from UTC+1 to UTC+2 on 30 March 2025.
  assert.deepEqual(runs('0 12 * * *', '2025-03-29T00:00:00Z', 2, 'Europe/Berlin'), ['2025-03-29T11:00:00.000Z', '2025-03-30T10:00:00.000Z']);
  assert.equal(isKnownTimeZone('Europe/Berlin'), true);
  assert.equal(isKnownTimeZone('Mars/Olympus'), false);
});

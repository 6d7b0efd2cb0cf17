import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.js';
import { parseCron } from './schedule.js';

const FROM = Date.parse('2026-12-01T00:00:00Z');
/** The next `count` slots after 2026-12-01 in UTC, as `YYYY-MM-DD HH:MM`. */
const slots = (expression: string, count = 5, timeZone = 'UTC') =>
  parseCron(expression, timeZone).next(FROM, count).map((t) => new Date(t).toISOString().slice(0, 16).replace('T', ' '));

describe('crontab schedules', () => {
  test('both day fields restricted: a day matching either fires (Vixie cron)', () => {
    // 1st and 15th of the month, and every Monday (December 2026: Mondays are the 7th, 14th, 21st, 28th).
    assert.deepEqual(slots('0 9 1,15 * 1', 6), ['2026-12-01 09:00', '2026-12-07 09:00', '2026-12-14 09:00', '2026-12-15 09:00', '2026-12-21 09:00', '2026-12-28 09:00']);
  });

  test('a day field starting with * combines with the other by AND, as Vixie cron does', () => {
    // Odd days of the month that are Mondays: Dec 7, Dec 21, Jan 11, Jan 25, Feb 1.
    assert.deepEqual(slots('30 2 */2 * 1'), ['2026-12-07 02:30', '2026-12-21 02:30', '2027-01-11 02:30', '2027-01-25 02:30', '2027-02-01 02:30']);
    // The same step written as a range is restricted: either field fires.
    assert.deepEqual(slots('30 2 1-31/2 * 1', 4), ['2026-12-01 02:30', '2026-12-03 02:30', '2026-12-05 02:30', '2026-12-07 02:30']);
    // A step over the days of the week with a restricted day of month: the 1st or 2nd, when a
    // Sunday, Tuesday, Thursday or Saturday (Dec 2 is a Wednesday, Jan 1 a Friday, Feb 1 a Monday).
    assert.deepEqual(slots('0 0 1,2 * */2', 3), ['2027-01-02 00:00', '2027-02-02 00:00', '2027-03-02 00:00']);
  });

  test('a plain * day field leaves the other alone', () => {
    assert.deepEqual(slots('0 0 * * 1', 2), ['2026-12-07 00:00', '2026-12-14 00:00']);
    // Strictly after midnight on the 1st: the 11th, 21st and 31st.
    assert.deepEqual(slots('0 0 */10 * *', 3), ['2026-12-11 00:00', '2026-12-21 00:00', '2026-12-31 00:00']);
  });

  test('day of week 7 is Sunday, also next to 0', () => {
    assert.deepEqual(slots('0 12 * * 0,7', 2), ['2026-12-06 12:00', '2026-12-13 12:00']);
    assert.deepEqual(slots('0 12 * * 6,7', 3), ['2026-12-05 12:00', '2026-12-06 12:00', '2026-12-12 12:00']);
    assert.deepEqual(slots('0 12 * * 7', 1), slots('0 12 * * 0', 1));
  });

  test('slots are in the schedule\'s time zone', () => {
    assert.deepEqual(slots('0 3 * * *', 1, 'Asia/Shanghai'), ['2026-12-01 19:00']);
  });

  test('an expression that never fires, or is malformed, is refused with the reason', () => {
    assert.throws(() => parseCron('0 0 31 2 *', 'UTC'), ValidationError);
    // February 30th on every second weekday: the day of month never occurs, so neither does the AND.
    assert.throws(() => parseCron('0 0 30 2 */2', 'UTC'), /not a valid crontab expression/);
    assert.throws(() => parseCron('0 0 2 * *  extra', 'UTC'), /has 6 fields/);
    assert.throws(() => parseCron('61 * * * *', 'UTC'), /not a valid crontab expression/);
  });
});

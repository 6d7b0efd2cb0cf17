import { CronExpressionParser } from 'cron-parser';
import { ValidationError } from '../errors.js';

/**
 * Parses a classic 5-field crontab expression (minute hour day-of-month month day-of-week) in a
 * time zone. Six-field (seconds) and malformed expressions are refused with the reason.
 */
export function parseCron(expression: string, timeZone: string) {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new ValidationError(`body.cron: "${expression}" has ${fields.length} fields; use 5 (minute hour day-of-month month day-of-week)`, [{ path: 'body.cron', message: 'use 5 fields' }]);
  try {
    CronExpressionParser.parse(expression, { tz: timeZone });
  } catch (err) {
    throw new ValidationError(`body.cron: "${expression}" is not a valid crontab expression: ${(err as Error).message}`, [{ path: 'body.cron', message: (err as Error).message }]);
  }
  return {
    /** The first `count` slots strictly after `after`. */
    next(after: number, count = 1): number[] {
      const it = CronExpressionParser.parse(expression, { tz: timeZone, currentDate: new Date(after) });
      return Array.from({ length: count }, () => it.next().getTime());
    },
  };
}

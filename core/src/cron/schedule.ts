import { CronExpressionParser } from 'cron-parser';
import { ValidationError } from '../errors.js';

/** How many candidate slots one search may look at before the expression is taken to never fire. */
const SEARCH_LIMIT = 100_000;

/** A day field that matches every day: either way of combining the two day fields gives the other. */
const isWildcard = (field: string) => field === '*' || field === '?';

/**
 * Day of week 7 is Sunday, as in Vixie cron. cron-parser reads it so too, but refuses `0,7` as a
 * duplicate: list items are folded onto 0 and deduplicated.
 */
function foldSunday(dayOfWeek: string): string {
  const items = dayOfWeek.split(',').map((item) => (item === '7' ? '0' : item));
  return [...new Set(items)].join(',');
}

/**
 * Parses a classic 5-field crontab expression (minute hour day-of-month month day-of-week) in a
 * time zone. Six-field (seconds) and malformed expressions are refused with the reason.
 *
 * Days follow Vixie cron: when both day fields are restricted, a day matching either fires; when
 * one of them starts with `*` (a step over every day, such as every second day), a day must match
 * both. cron-parser counts such a step as restricted and would fire on either, so that case walks
 * the two fields' schedules together.
 */
export function parseCron(expression: string, timeZone: string) {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new ValidationError(`body.cron: "${expression}" has ${fields.length} fields; use 5 (minute hour day-of-month month day-of-week)`, [{ path: 'body.cron', message: 'use 5 fields' }]);
  const [minute, hour, dayOfMonth, month, rawDayOfWeek] = fields as [string, string, string, string, string];
  const dayOfWeek = foldSunday(rawDayOfWeek);
  const daysAnded = !isWildcard(dayOfMonth) && !isWildcard(dayOfWeek) && (dayOfMonth.startsWith('*') || dayOfWeek.startsWith('*'));
  const sources = daysAnded
    ? [`${minute} ${hour} ${dayOfMonth} ${month} *`, `${minute} ${hour} * ${month} ${dayOfWeek}`]
    : [`${minute} ${hour} ${dayOfMonth} ${month} ${dayOfWeek}`];
  const iterate = (after: number) => sources.map((source) => CronExpressionParser.parse(source, { tz: timeZone, currentDate: new Date(after) }));

  /** The first slot every iterator reaches, advancing whichever is behind. */
  const meet = (iterators: ReturnType<typeof iterate>, heads: number[]): number => {
    for (let steps = 0; steps < SEARCH_LIMIT; steps++) {
      const latest = Math.max(...heads);
      if (heads.every((h) => h === latest)) return latest;
      heads.forEach((h, i) => { if (h < latest) heads[i] = iterators[i]!.next().getTime(); });
    }
    throw new Error(`no slot matches both day-of-month "${dayOfMonth}" and day-of-week "${rawDayOfWeek}" within ${SEARCH_LIMIT} candidates`);
  };

  const schedule = {
    /** The first `count` slots strictly after `after`. */
    next(after: number, count = 1): number[] {
      const iterators = iterate(after);
      const slots: number[] = [];
      while (slots.length < count) {
        const heads = iterators.map((it) => it.next().getTime());
        slots.push(meet(iterators, heads));
      }
      return slots;
    },
  };
  try {
    // Parsing alone accepts day combinations that never occur; asking for a slot finds them.
    schedule.next(Date.now());
  } catch (err) {
    throw new ValidationError(`body.cron: "${expression}" is not a valid crontab expression: ${(err as Error).message}`, [{ path: 'body.cron', message: (err as Error).message }]);
  }
  return schedule;
}

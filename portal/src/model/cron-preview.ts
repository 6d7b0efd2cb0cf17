/**
 * Reads a 5-field crontab expression and lists its next runs in a time zone, so the periodic
 * task form can preview a schedule as it is typed. The server stays the judge (it parses with
 * cron-parser); this preview follows the same classic rules: when both day-of-month and
 * day-of-week are restricted, a day matching either one runs.
 */

/** A parsed expression: the allowed values of each field. */
export interface CronSchedule {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Whether day-of-month / day-of-week were restricted (not `*`). */
  daysRestricted: boolean;
  weekdaysRestricted: boolean;
}

/** The result of {@link parseCronExpression}: a schedule, or the reason it is not one. */
export type CronParse = { ok: true; schedule: CronSchedule } | { ok: false; error: string };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

interface FieldSpec { name: string; min: number; max: number; names?: string[] }
const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 }, { name: 'hour', min: 0, max: 23 }, { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS }, { name: 'day of week', min: 0, max: 7, names: WEEKDAYS },
];

/**
 * Parses `minute hour day-of-month month day-of-week` (lists, ranges, steps, names, `@daily`…).
 *
 * @example
 * parseCronExpression('*\/15 9-17 * * mon-fri').ok // true
 * parseCronExpression('0 25 * * *') // { ok: false, error: 'hour: 25 is out of range 0-23' }
 */
export function parseCronExpression(expression: string): CronParse {
  const text = MACROS[expression.trim().toLowerCase()] ?? expression.trim();
  const parts = text.split(/\s+/).filter(Boolean);
  if (parts.length !== 5) return { ok: false, error: `use 5 fields (minute hour day-of-month month day-of-week); this has ${parts.length}` };
  const sets: Set<number>[] = [];
  for (let i = 0; i < 5; i++) {
    const r = parseField(parts[i]!, FIELDS[i]!);
    if (typeof r === 'string') return { ok: false, error: `${FIELDS[i]!.name}: ${r}` };
    sets.push(r);
  }
  const weekdays = sets[4]!;
  if (weekdays.delete(7)) weekdays.add(0);
  return {
    ok: true,
    schedule: {
      minutes: sets[0]!, hours: sets[1]!, days: sets[2]!, months: sets[3]!, weekdays,
      daysRestricted: parts[2] !== '*' && parts[2] !== '?', weekdaysRestricted: parts[4] !== '*' && parts[4] !== '?',
    },
  };
}

function parseField(field: string, spec: FieldSpec): Set<number> | string {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) return `step "${stepText ?? ''}" must be a positive whole number`;
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = spec.min;
      hi = spec.name === 'day of week' ? 6 : spec.max;
    } else {
      const [a = '', b] = range.split('-');
      const first = value(a, spec);
      if (typeof first === 'string') return first;
      lo = first;
      if (b === undefined) hi = stepText === undefined ? first : spec.max;
      else {
        const last = value(b, spec);
        if (typeof last === 'string') return last;
        hi = last;
      }
      if (hi < lo) return `range ${range} goes backwards`;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function value(text: string, spec: FieldSpec): number | string {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return spec.names === MONTHS ? named + 1 : named;
  if (!/^\d+$/.test(text)) return `"${text}" is not a number${spec.names ? ' or a name' : ''}`;
  const n = Number(text);
  if (n < spec.min || n > spec.max) return `${n} is out of range ${spec.min}-${spec.max}`;
  return n;
}

/** Wall-clock parts of an instant in a time zone, as a UTC-based Date (its getUTC* read the wall clock). */
function wallClock(instant: number, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')));
}

/** The instant at which a time zone's wall clock shows `wall` (a UTC-based Date). */
function instantOf(wall: Date, timeZone: string): number {
  const guess = wall.getTime();
  const offset = wallClock(guess, timeZone).getTime() - guess;
  const first = guess - offset;
  const offset2 = wallClock(first, timeZone).getTime() - first;
  return guess - offset2;
}

/**
 * The first `count` run times strictly after `after`, in `timeZone` (an IANA name; the browser's
 * own by default). Looks at most about five years ahead.
 *
 * @example
 * nextRuns(schedule, new Date('2025-01-01T00:00:00Z'), 2, 'UTC') // [2025-01-01T00:15Z, 2025-01-01T00:30Z] for '*\/15 * * * *'
 */
export function nextRuns(schedule: CronSchedule, after: Date, count: number, timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone): Date[] {
  const out: Date[] = [];
  const t = wallClock(after.getTime(), timeZone);
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = t.getTime() + 5 * 366 * 86_400_000;
  const dayMatches = (d: Date): boolean => {
    const dom = schedule.days.has(d.getUTCDate());
    const dow = schedule.weekdays.has(d.getUTCDay());
    if (schedule.daysRestricted && schedule.weekdaysRestricted) return dom || dow;
    return dom && dow;
  };
  while (out.length < count && t.getTime() < limit) {
    if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0);
      continue;
    }
    if (!dayMatches(t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0);
      continue;
    }
    if (!schedule.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0);
      continue;
    }
    if (!schedule.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      continue;
    }
    const at = instantOf(t, timeZone);
    if (at > after.getTime() && (out.length === 0 || at > out[out.length - 1]!.getTime())) out.push(new Date(at));
    t.setUTCMinutes(t.getUTCMinutes() + 1);
  }
  return out;
}

/** Whether `timeZone` is a time zone this browser knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

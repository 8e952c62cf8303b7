import { purchaseCondition } from '../orders/purchase.ts';
import { KizunaError } from '../shared/errors.ts';

/**
 * Periods and buckets of the analyses. A purchase belongs to the day, week (ISO: Monday to
 * Sunday) or month of its order time in the workspace's time zone. A period is a half-open
 * range of local calendar dates [from, to), written 'YYYY-MM-DD'.
 *
 * Dates are handled as calendar values (no time zone): `addMonths('2024-01-31', 1)` is
 * '2024-02-29'. SQL helpers take the SQL text of their operands (a column, a `$n`
 * placeholder), so callers keep their own parameter numbering.
 */
export type Granularity = 'day' | 'week' | 'month';
export const GRANULARITIES = ['day', 'week', 'month'] as const satisfies readonly Granularity[];

export interface Period {
  /** First local date of the period, included. */
  from: string;
  /** First local date after the period, excluded. */
  to: string;
}

/** How a period is compared: with the one just before it, or the same dates a year earlier. */
export type Comparison = 'previous' | 'year';
export const COMPARISONS = ['previous', 'year'] as const satisfies readonly Comparison[];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a 'YYYY-MM-DD' date. Throws on anything that is not a real date. */
export function dayNumber(date: string): number {
  const match = DATE.exec(date);
  const value = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (Number.isNaN(value) || formatDay(value / 86_400_000) !== date) throw new RangeError(`not a calendar date: "${date}" (expected YYYY-MM-DD)`);
  return value / 86_400_000;
}

/** The 'YYYY-MM-DD' date of a day number. */
export function formatDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return formatDay(dayNumber(date) + days);
}

/** The same day `months` later, or the month's last day when it has fewer (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: string, months: number): string {
  dayNumber(date);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  return `${String(targetYear).padStart(4, '0')}-${String(targetMonth + 1).padStart(2, '0')}-${String(Math.min(day, lastDay)).padStart(2, '0')}`;
}

/** The first date of the bucket holding `date`. */
export function bucketStart(date: string, granularity: Granularity): string {
  switch (granularity) {
    case 'day':
      return date;
    case 'week': {
      const day = dayNumber(date);
      // 1970-01-01 was a Thursday: Monday-based weekday = (day + 3) mod 7.
      return formatDay(day - ((((day + 3) % 7) + 7) % 7));
    }
    case 'month':
      return `${date.slice(0, 8)}01`;
  }
}

/** The first date of the next bucket. */
export function nextBucket(start: string, granularity: Granularity): string {
  switch (granularity) {
    case 'day':
      return addDays(start, 1);
    case 'week':
      return addDays(start, 7);
    case 'month':
      return addMonths(start, 1);
  }
}

/** The buckets' first dates from the bucket holding `period.from` up to `period.to` (excluded). */
export function bucketsOf(period: Period, granularity: Granularity): string[] {
  const starts: string[] = [];
  for (let start = bucketStart(period.from, granularity); start < period.to; start = nextBucket(start, granularity)) starts.push(start);
  return starts;
}

/**
 * The period a period is compared with. 'year': the same dates a year earlier. 'previous':
 * the period just before, as many whole months when the period is whole months (so March is
 * compared with February), else as many days.
 */
export function comparedPeriod(period: Period, comparison: Comparison): Period {
  if (comparison === 'year') return { from: addMonths(period.from, -12), to: addMonths(period.to, -12) };
  const months = wholeMonths(period);
  if (months !== null) return { from: addMonths(period.from, -months), to: period.from };
  const days = dayNumber(period.to) - dayNumber(period.from);
  return { from: addDays(period.from, -days), to: period.from };
}

/** Number of months of a period that starts and ends on the first of a month, else null. */
function wholeMonths(period: Period): number | null {
  if (!period.from.endsWith('-01') || !period.to.endsWith('-01')) return null;
  const index = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7));
  return index(period.to) - index(period.from);
}

/**
 * The most one analysis may ask for, so that no read-only request can hold the server: a
 * period of at most MAX_PERIOD_DAYS (about a hundred years), a series of at most MAX_BUCKETS
 * buckets (about ten years of days, seventy of weeks; any period by month), at most
 * MAX_COHORTS monthly cohorts in a retention table (ten years) and at most MAX_PAGE_SIZE rows
 * a page. Beyond, the request is refused (validation_failed, 422) with `details` naming the
 * field and the limit, before any data is read.
 */
export const MAX_PERIOD_DAYS = 36_525;
export const MAX_BUCKETS = 3_700;
export const MAX_COHORTS = 120;
export const MAX_PAGE_SIZE = 1_000;

/** The number of buckets of a period's series, counted without listing them. */
export function bucketCount(period: Period, granularity: Granularity): number {
  const from = dayNumber(bucketStart(period.from, granularity));
  const to = dayNumber(period.to);
  switch (granularity) {
    case 'day':
      return to - from;
    case 'week':
      return Math.ceil((to - from) / 7);
    case 'month': {
      const index = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7));
      return index(period.to) - index(period.from) + (period.to.endsWith('-01') ? 0 : 1);
    }
  }
}

/** Throws validation_failed unless the period is one (checkPeriod) and its series by `granularity` has at most MAX_BUCKETS buckets. */
export function checkSeries(period: Period, granularity: Granularity): void {
  checkPeriod(period);
  checkGranularity(granularity);
  const buckets = bucketCount(period, granularity);
  if (buckets > MAX_BUCKETS) {
    throw new KizunaError(
      'validation_failed',
      `A series has at most ${MAX_BUCKETS.toLocaleString('en-US')} buckets (about ten years of days); ${period.from} – ${period.to} by ${granularity} has ${buckets.toLocaleString('en-US')}: shorten the period or choose a longer granularity.`,
      { field: 'granularity', limit: MAX_BUCKETS, buckets },
    );
  }
}

/** Throws validation_failed unless `limit` is a page size from 1 to MAX_PAGE_SIZE. */
export function checkPageSize(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new KizunaError('validation_failed', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE.toLocaleString('en-US')}, not ${limit}.`, {
      field: 'limit',
      limit: MAX_PAGE_SIZE,
    });
  }
}

/** Checks a period given by a user: two real dates, from before to. Returns the reason it is refused, or null. */
export function periodProblem(period: Period): string | null {
  for (const [name, date] of [
    ['from', period.from],
    ['to', period.to],
  ] as const) {
    try {
      dayNumber(date);
    } catch {
      return `${name} must be a date written YYYY-MM-DD, not "${date}"`;
    }
  }
  return period.from < period.to ? null : `from (${period.from}) must be before to (${period.to}): a period is [from, to)`;
}

/** Throws a validation error naming the problem when a period is not [from, to) of real dates, or is longer than MAX_PERIOD_DAYS. */
export function checkPeriod(period: Period): void {
  const problem = periodProblem(period);
  if (problem) throw new KizunaError('validation_failed', problem);
  const days = dayNumber(period.to) - dayNumber(period.from);
  if (days > MAX_PERIOD_DAYS) {
    throw new KizunaError(
      'validation_failed',
      `A period has at most ${MAX_PERIOD_DAYS.toLocaleString('en-US')} days (about a hundred years); ${period.from} – ${period.to} has ${days.toLocaleString('en-US')}.`,
      { field: 'to', limit: MAX_PERIOD_DAYS, days },
    );
  }
}

/** Throws a validation error unless `granularity` is day, week or month (it is written into SQL). */
export function checkGranularity(granularity: Granularity): void {
  if (!GRANULARITIES.includes(granularity))
    throw new KizunaError('validation_failed', `granularity must be one of ${GRANULARITIES.join(', ')}, not "${granularity}"`);
}

/** Throws a validation error unless `comparison` is 'previous' or 'year'. */
export function checkComparison(comparison: Comparison): void {
  if (!COMPARISONS.includes(comparison)) throw new KizunaError('validation_failed', `compare must be one of ${COMPARISONS.join(', ')}, not "${comparison}"`);
}

/** A bucket's dates within a period: the first and last buckets of a period may be cut. */
export function bucketDates(bucket: string, granularity: Granularity, period: Period): Period {
  const end = nextBucket(bucket, granularity);
  // biome-ignore lint/complexity/useMathMinMax: the bounds are YYYY-MM-DD strings, compared as text
  return { from: bucket < period.from ? period.from : bucket, to: end < period.to ? end : period.to };
}

/** Throws `validation_failed` unless `date` is a calendar date written YYYY-MM-DD; `name` names the parameter. */
export function requireCalendarDate(date: string, name: string): void {
  try {
    dayNumber(date);
  } catch {
    throw new KizunaError('validation_failed', `${name} must be a date written YYYY-MM-DD, not "${date}".`);
  }
}

/** SQL: the instant a local date starts, e.g. `localDayStart('$2', '$1')` for a date parameter and a time-zone parameter. */
export function localDayStart(dateSql: string, timezoneSql: string): string {
  return `((${dateSql})::date::timestamp at time zone ${timezoneSql})`;
}

/** SQL: the local date a timestamptz falls on. */
export function localDate(timestampSql: string, timezoneSql: string): string {
  return `((${timestampSql}) at time zone ${timezoneSql})::date`;
}

/** SQL: the first local date of the bucket a timestamptz falls in (weeks start on Monday). */
export function localBucket(timestampSql: string, timezoneSql: string, granularity: Granularity): string {
  return `date_trunc('${granularity}', (${timestampSql}) at time zone ${timezoneSql})::date`;
}

/**
 * SQL of a workspace's purchases ordered in [from, to) (local dates), one row per order:
 * `order_id, customer_id, ordered_at, local_day` (date), `amount` (Σ quantity × unit price,
 * kept on the order), `items` (Σ quantity), `channel, prefecture, store`. The operands are SQL
 * text (placeholders); leave `from`/`to` out for no bound. Uses the orders' (workspace_id,
 * ordered_at) index.
 */
export function purchasesSql(operands: { workspaceId: string; timezone: string; from?: string; to?: string }): string {
  const { workspaceId, timezone, from, to } = operands;
  return `(select o.id as order_id, o.customer_id, o.ordered_at, ${localDate('o.ordered_at', timezone)} as local_day,
                  o.amount, o.item_count as items, o.channel, o.prefecture, o.store
             from orders o
            where o.workspace_id = ${workspaceId} and ${purchaseCondition('o')}
              ${from ? `and o.ordered_at >= ${localDayStart(from, timezone)}` : ''}
              ${to ? `and o.ordered_at < ${localDayStart(to, timezone)}` : ''})`;
}

import { dayNumber, formatDay } from '../../analytics/periods.ts';
import { localDateOf, zonedTimeToUtc } from '../../shared/time.ts';

/** Local days of a workspace, numbered as days since 1970-01-01 (the analyses' day numbers). */

/** The local day number of `at` in `timezone` (the "today" of the rules). */
export function todayOf(at: Date, timezone: string): number {
  return dayNumber(localDateOf(at, timezone));
}

/** The instant local day `day` starts in `timezone`. */
export function localDayStartInstant(day: number, timezone: string): Date {
  const [year, month, date] = formatDay(day).split('-').map(Number) as [number, number, number];
  return zonedTimeToUtc(year, month, date, 0, 0, 0, 0, timezone);
}

/** Milliseconds from `now` to the next local midnight in `timezone` (the start of tomorrow, local). */
export function msUntilNextLocalMidnight(now: Date, timezone: string): number {
  return localDayStartInstant(todayOf(now, timezone) + 1, timezone).getTime() - now.getTime();
}

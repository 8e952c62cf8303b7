/**
 * Timestamps as Japanese back offices write them. A value with an offset or `Z` is absolute;
 * one without is wall-clock time in the workspace's time zone.
 *
 *   parseTimestamp('2024/1/5', 'Asia/Tokyo')          → 2024-01-04T15:00:00.000Z
 *   parseTimestamp('20240105', 'Asia/Tokyo')          → 2024-01-04T15:00:00.000Z
 *   parseTimestamp('2024年1月5日 10:23', 'Asia/Tokyo') → 2024-01-05T01:23:00.000Z
 *   parseTimestamp('2024-01-05T10:23:00Z', 'Asia/Tokyo') → 2024-01-05T10:23:00.000Z
 */
import type { ReasonCode, ReasonParams } from './reasons.ts';

// A date as 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日 or 20240105 (groups: year, month and
// day when separated, month and day when compact), and a timestamp: a date, optionally a time.
const DATE = String.raw`(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))`;
// Time: 10:23, 10:23:45(.123), 10時23分 or 10時23分45秒 (groups: hour, minute, seconds after 分,
// seconds after a colon, fraction).
const TIME = String.raw`(?:[ T](\d{1,2})[:時](\d{1,2})(?:分(?:(\d{1,2})秒)?|:(\d{1,2})(?:\.(\d{1,6}))?)?)?`;
const DATE_PATTERN = new RegExp(`^${DATE}$`);
const LOCAL_PATTERN = new RegExp(`^${DATE}${TIME}$`);
const OFFSET_PATTERN = /(?:Z|[+-]\d{2}:?\d{2})$/i;

export type ParsedTime = { ok: true; value: Date } | { ok: false; reason: string; code: ReasonCode; params?: ReasonParams };

/**
 * The years a date or timestamp may fall in. Outside it a value is a mistake (a year typed as
 * 0024, a placeholder 9999-12-31), and years below 100 would not even survive: JavaScript's
 * Date.UTC reads them as 19xx, so 0001-01-01 was silently stored as 1901-01-01.
 */
export const YEAR_RANGE = { first: 1900, last: 2199 } as const;

function outOfRange(input: string): { ok: false; reason: string; code: ReasonCode; params: ReasonParams } {
  return {
    ok: false,
    reason: `date out of range: "${input}" (dates must fall between ${YEAR_RANGE.first}-01-01 and ${YEAR_RANGE.last}-12-31)`,
    code: 'date_out_of_range',
    params: { first: `${YEAR_RANGE.first}-01-01`, last: `${YEAR_RANGE.last}-12-31` },
  };
}

const inRange = (year: number) => year >= YEAR_RANGE.first && year <= YEAR_RANGE.last;

export function parseTimestamp(input: string, timezone: string): ParsedTime {
  const text = input.normalize('NFKC').trim();
  if (text === '') return { ok: false, reason: 'empty date', code: 'required' };
  if (OFFSET_PATTERN.test(text) && /^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const value = new Date(text);
    if (Number.isNaN(value.getTime())) return { ok: false, reason: `not a valid timestamp: "${input}"`, code: 'invalid_date' };
    return inRange(Number(text.slice(0, 4))) ? { ok: true, value } : outOfRange(input);
  }
  const match = LOCAL_PATTERN.exec(text);
  if (!match)
    return {
      ok: false,
      reason: `not a recognised date: "${input}" (expected e.g. 2024-01-05, 2024/1/5 10:23, 2024年1月5日 or 20240105)`,
      code: 'invalid_date',
    };
  const [year, separatedMonth, separatedDay, compactMonth, compactDay, hour, minute, kanjiSecond, colonSecond] = match
    .slice(1, 10)
    .map((p) => (p === undefined ? undefined : Number(p)));
  const month = separatedMonth ?? compactMonth!;
  const day = separatedDay ?? compactDay!;
  const second = colonSecond ?? kanjiSecond;
  const ms = match[10] ? Math.round(Number(`0.${match[10]}`) * 1000) : 0;
  if (!isValidCalendarDate(year!, month, day)) return { ok: false, reason: `no such date: "${input}"`, code: 'no_such_date' };
  if (!inRange(year!)) return outOfRange(input);
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return { ok: false, reason: `no such time of day: "${input}"`, code: 'no_such_time' };
  return { ok: true, value: zonedTimeToUtc(year!, month, day, hour ?? 0, minute ?? 0, second ?? 0, ms, timezone) };
}

/** A calendar date as 'YYYY-MM-DD', from the same spellings as parseTimestamp (time not allowed). */
export function parseCalendarDate(input: string): { ok: true; value: string } | { ok: false; reason: string; code: ReasonCode; params?: ReasonParams } {
  const text = input.normalize('NFKC').trim();
  const match = DATE_PATTERN.exec(text);
  if (!match) return { ok: false, reason: `not a recognised date: "${input}" (expected e.g. 1985-04-12 or 1985/4/12)`, code: 'invalid_date' };
  const year = Number(match[1]);
  const month = Number(match[2] ?? match[4]);
  const day = Number(match[3] ?? match[5]);
  if (!isValidCalendarDate(year, month, day)) return { ok: false, reason: `no such date: "${input}"`, code: 'no_such_date' };
  if (!inRange(year)) return outOfRange(input);
  return { ok: true, value: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function isValidCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();

/** A formatter of every local field (24-hour) in `timezone`, one per zone for the process (building one costs far more than using it). */
export function zoneFormatter(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** Offset of `timezone` from UTC at instant `epochMs`, in ms; cached per zone and hour. */
function offsetAt(epochMs: number, timezone: string): number {
  const key = `${timezone}|${Math.floor(epochMs / 3_600_000)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const formatter = zoneFormatter(timezone);
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(epochMs))) parts[part.type] = Number(part.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  const offset = asUtc - Math.floor(epochMs / 1000) * 1000;
  if (offsetCache.size > 100_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

/** The local calendar date of an instant in a time zone, 'YYYY-MM-DD'. */
export function localDateOf(instant: Date, timezone: string): string {
  const epochMs = instant.getTime();
  return new Date(epochMs + offsetAt(epochMs, timezone)).toISOString().slice(0, 10);
}

export function zonedTimeToUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, timezone: string): Date {
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const firstGuess = wallClock - offsetAt(wallClock, timezone);
  const secondOffset = offsetAt(firstGuess, timezone);
  return new Date(wallClock - secondOffset);
}

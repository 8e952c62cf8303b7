/**
 * Timestamps as Japanese back offices write them. A value with an offset or `Z` is absolute;
 * one without is wall-clock time in the workspace's time zone.
 *
 *   parseTimestamp('2024/1/5', 'Asia/Tokyo')          → 2024-01-04T15:00:00.000Z
 *   parseTimestamp('2024年1月5日 10:23', 'Asia/Tokyo') → 2024-01-05T01:23:00.000Z
 *   parseTimestamp('2024-01-05T10:23:00Z', 'Asia/Tokyo') → 2024-01-05T10:23:00.000Z
 */
import type { ReasonCode } from './reasons.ts';

const LOCAL_PATTERN =
  /^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?(?:[ T](\d{1,2})[:時](\d{1,2})(?:[:分](\d{1,2})(?:\.(\d{1,6}))?)?秒?)?$/;
const OFFSET_PATTERN = /(?:Z|[+-]\d{2}:?\d{2})$/i;

export type ParsedTime = { ok: true; value: Date } | { ok: false; reason: string; code: ReasonCode };

export function parseTimestamp(input: string, timezone: string): ParsedTime {
  const text = input.normalize('NFKC').trim();
  if (text === '') return { ok: false, reason: 'empty date', code: 'required' };
  if (OFFSET_PATTERN.test(text) && /^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const value = new Date(text);
    return Number.isNaN(value.getTime()) ? { ok: false, reason: `not a valid timestamp: "${input}"`, code: 'invalid_date' } : { ok: true, value };
  }
  const match = LOCAL_PATTERN.exec(text);
  if (!match) return { ok: false, reason: `not a recognised date: "${input}" (expected e.g. 2024-01-05, 2024/1/5 10:23 or 2024年1月5日)`, code: 'invalid_date' };
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((p) => (p === undefined ? 0 : Number(p))) as number[];
  const ms = match[7] ? Math.round(Number(`0.${match[7]}`) * 1000) : 0;
  if (!isValidCalendarDate(year!, month!, day!)) return { ok: false, reason: `no such date: "${input}"`, code: 'no_such_date' };
  if (hour! > 23 || minute! > 59 || second! > 59) return { ok: false, reason: `no such time of day: "${input}"`, code: 'no_such_time' };
  return { ok: true, value: zonedTimeToUtc(year!, month!, day!, hour!, minute!, second!, ms, timezone) };
}

/** A calendar date as 'YYYY-MM-DD', from the same spellings as parseTimestamp (time not allowed). */
export function parseCalendarDate(input: string): { ok: true; value: string } | { ok: false; reason: string; code: ReasonCode } {
  const text = input.normalize('NFKC').trim();
  const match = /^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?$/.exec(text);
  if (!match) return { ok: false, reason: `not a recognised date: "${input}" (expected e.g. 1985-04-12 or 1985/4/12)`, code: 'invalid_date' };
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  if (!isValidCalendarDate(year, month, day)) return { ok: false, reason: `no such date: "${input}"`, code: 'no_such_date' };
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

/** Offset of `timezone` from UTC at instant `epochMs`, in ms; cached per zone and hour. */
function offsetAt(epochMs: number, timezone: string): number {
  const key = `${timezone}|${Math.floor(epochMs / 3_600_000)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(epochMs))) parts[part.type] = Number(part.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  const offset = asUtc - Math.floor(epochMs / 1000) * 1000;
  if (offsetCache.size > 100_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

export function zonedTimeToUtc(
  year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, timezone: string,
): Date {
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const firstGuess = wallClock - offsetAt(wallClock, timezone);
  const secondOffset = offsetAt(firstGuess, timezone);
  return new Date(wallClock - secondOffset);
}

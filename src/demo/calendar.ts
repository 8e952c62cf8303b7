import type { Clock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';
import { localDateOf } from '../shared/time.ts';
import { Weighted, type Random } from './random.ts';

/**
 * Time for the demo brand. Every instant is an epoch millisecond; the brand lives in
 * Asia/Tokyo (UTC+9, no daylight saving), so calendar arithmetic is done by shifting 9 hours.
 * The window ends on a given last day: yesterday by the caller's clock (demoLastDay), so every
 * "today" view is meaningful on the day the demo is generated; the same last day always gives
 * the same data.
 */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
const JST_OFFSET_MS = 9 * HOUR_MS;

/** Two years of history: [startMs, endMs), both at midnight in Tokyo. */
export interface DemoWindow {
  startMs: number;
  endMs: number;
  /** The last day, 'YYYY-MM-DD'. */
  until: string;
  days: number;
}

/**
 * The last day of the demo's history: `until` when given, else the day before today in
 * `timezone` by `clock`.
 *
 *   demoLastDay({ clock: fixedClock('2026-11-01T09:00:00+09:00'), timezone: 'Asia/Tokyo' }); // '2026-10-31'
 */
export function demoLastDay(params: { until?: string | undefined; clock?: Clock | undefined; timezone: string }): string {
  if (params.until !== undefined) return params.until;
  if (!params.clock) throw new KizunaError('validation_failed', 'The demo needs its last day (until) or a clock to take yesterday from.');
  const [year, month, day] = localDateOf(params.clock.now(), params.timezone).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day - 1)).toISOString().slice(0, 10);
}

export function demoWindow(until: string): DemoWindow {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(until);
  const [year, month, day] = match ? (match.slice(1).map(Number) as [number, number, number]) : [NaN, NaN, NaN];
  const endMs = tokyoMs(year, month, day + 1);
  if (!match || Number.isNaN(endMs) || formatDate(endMs - DAY_MS) !== until) {
    throw new KizunaError('validation_failed', `--until must be a date written YYYY-MM-DD (e.g. 2026-10-31), got "${until}".`);
  }
  const startMs = tokyoMs(year - 2, month, day + 1);
  return { startMs, endMs, until, days: Math.round((endMs - startMs) / DAY_MS) };
}

/** Midnight (or the given time) of a Tokyo calendar day; months and days may overflow. */
export function tokyoMs(year: number, month: number, day: number, hour = 0, minute = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute) - JST_OFFSET_MS;
}

export interface TokyoDate {
  year: number;
  month: number;
  day: number;
  weekday: number;
}

export function tokyoDate(ms: number): TokyoDate {
  const shifted = new Date(ms + JST_OFFSET_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate(), weekday: shifted.getUTCDay() };
}

/** The Tokyo midnight at or before `ms`. */
export function tokyoMidnight(ms: number): number {
  return Math.floor((ms + JST_OFFSET_MS) / DAY_MS) * DAY_MS - JST_OFFSET_MS;
}

const dayText = new Map<number, string>();

/**
 * An instant as PostgreSQL timestamptz text in UTC ('2025-03-01 12:34:56+00'), the hot path of
 * the COPY writer: the date part is cached per day.
 */
export function formatTimestamp(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const day = Math.floor(seconds / 86_400);
  let date = dayText.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayText.size > 20_000) dayText.clear();
    dayText.set(day, date);
  }
  const inDay = seconds - day * 86_400;
  const hour = Math.floor(inDay / 3600);
  const minute = Math.floor((inDay % 3600) / 60);
  const second = inDay % 60;
  return `${date} ${two(hour)}:${two(minute)}:${two(second)}+00`;
}

/** A Tokyo calendar date 'YYYY-MM-DD'. */
export function formatDate(ms: number): string {
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 10);
}

function two(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/**
 * How much a day draws new trial buyers, relative to an ordinary weekday: New Year
 * resolutions (1–15 Jan), summer fatigue (夏バテ, Jul–Aug), year-end (Dec) and Golden Week
 * campaigns peak; weekends a little; and the brand grows `growthPerYear` a year.
 */
export function acquisitionWeight(ms: number, window: DemoWindow, growthPerYear: number): number {
  const { month, day, weekday } = tokyoDate(ms);
  let season = MONTH_WEIGHT[month - 1]!;
  if (month === 1 && day <= 15) season = 1.8;
  const weekend = weekday === 0 || weekday === 6 ? 1.15 : 1;
  const years = (ms - window.startMs) / (365 * DAY_MS);
  return season * weekend * (1 + growthPerYear * years);
}

const MONTH_WEIGHT = [1.2, 0.95, 1.0, 1.05, 1.15, 0.95, 1.4, 1.3, 0.9, 0.95, 1.1, 1.5];

/** Days of a window weighted by acquisitionWeight: draws the day a trial buyer arrives. */
export function acquisitionDays(window: DemoWindow, growthPerYear: number): Weighted<number> {
  const days: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < window.days; i++) {
    const ms = window.startMs + i * DAY_MS;
    days.push(ms);
    weights.push(acquisitionWeight(ms, window, growthPerYear));
  }
  return new Weighted(days, weights);
}

/** Hours of day people order or browse online: lunch and late evening. */
const ONLINE_HOURS = new Weighted(
  Array.from({ length: 24 }, (_, hour) => hour),
  [1, 0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1, 1.3, 1.4, 1.5, 1.6, 2, 1.8, 1.5, 1.5, 1.6, 1.8, 2, 2.4, 2.8, 3, 2.8, 1.8],
);
/** The call centre answers 9:00–20:00; store counters are open 10:00–20:00. */
const OFFICE_HOURS = new Weighted([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], [1.2, 1.6, 1.5, 0.9, 1.3, 1.4, 1.3, 1.1, 1, 0.9, 0.7]);
const STORE_HOURS = new Weighted([10, 11, 12, 13, 14, 15, 16, 17, 18, 19], [0.7, 1, 1.2, 1.3, 1.4, 1.4, 1.3, 1.2, 1, 0.7]);

export type DayClock = 'online' | 'office' | 'store';

/** A moment on the Tokyo day starting at `midnightMs`, at an hour typical for `clock`. */
export function timeOnDay(random: Random, midnightMs: number, clock: DayClock): number {
  const hours = clock === 'online' ? ONLINE_HOURS : clock === 'office' ? OFFICE_HOURS : STORE_HOURS;
  return midnightMs + hours.draw(random) * HOUR_MS + Math.floor((random.next() * HOUR_MS) / 1000) * 1000;
}

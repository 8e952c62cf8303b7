import type { Format } from '../format.ts';
import type { Messages } from '../i18n/ja.ts';
import { addDays } from './dates.ts';
import type { Granularity } from './period-controls.tsx';

/** A bucket of a series as its first date reads: 2024年5月 for a month, the Monday for a week, the day. */
export function bucketLabel(format: Format, granularity: Granularity, bucket: string): string {
  return granularity === 'month' ? format.calendarMonth(bucket) : format.calendarDate(bucket);
}

/** A period [from, to) as its first and last day, both included. */
export function periodLabel(t: Messages, format: Format, period: { from: string; to: string }): string {
  return t.analytics.controls.range(format.calendarDate(period.from), format.calendarDate(addDays(period.to, -1)));
}

/** A quotient that may be undefined (null), formatted, or — . */
export function orNone(t: Messages, value: number | null | undefined, show: (value: number) => string): string {
  return value === null || value === undefined || !Number.isFinite(value) ? t.app.none : show(value);
}

import type { Locale } from './i18n/i18n.tsx';

export interface Format {
  /** An exact decimal string (or number) as money in the workspace currency. */
  money(amount: string | number): string;
  integer(value: number): string;
  /** A number with at most `digits` decimals (default 2), at least `minimumDigits` (default 0): a frequency, a model parameter. */
  decimal(value: number, digits?: number, minimumDigits?: number): string;
  /** A share or rate (0.1234 → 12.3%), with `digits` decimals (default 1). */
  percent(value: number, digits?: number): string;
  /** A calendar date (YYYY-MM-DD, no time zone). */
  calendarDate(date: string): string;
  /** The month of a calendar date (YYYY-MM-DD): 2024年5月, May 2024. */
  calendarMonth(date: string): string;
  /** An instant, shown as a date in the workspace time zone. */
  date(at: string): string;
  /** An instant, shown as date and time in the workspace time zone. */
  dateTime(at: string): string;
}

const intlLocale: Record<Locale, string> = { ja: 'ja-JP', en: 'en-US' };

/**
 * Formatters for the selected language and the workspace's currency and time zone: a
 * Tokyo brand shows Tokyo time to an operator anywhere.
 */
export function makeFormat(locale: Locale, workspace: { currency: string; timezone: string }): Format {
  const tag = intlLocale[locale];
  const money = new Intl.NumberFormat(tag, { style: 'currency', currency: workspace.currency });
  const integer = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
  const formatters = new Map<string, Intl.NumberFormat>();
  const cached = (options: Intl.NumberFormatOptions) => {
    const key = JSON.stringify(options);
    let formatter = formatters.get(key);
    if (!formatter) formatters.set(key, (formatter = new Intl.NumberFormat(tag, options)));
    return formatter;
  };
  const date = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: workspace.timezone });
  const dateTime = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short', timeZone: workspace.timezone });
  const calendarDate = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'UTC' });
  const calendarMonth = new Intl.DateTimeFormat(tag, { year: 'numeric', month: locale === 'ja' ? 'long' : 'short', timeZone: 'UTC' });
  return {
    money: (amount) => money.format(typeof amount === 'number' ? amount : (amount as `${number}`)),
    integer: (value) => integer.format(value),
    decimal: (value, digits = 2, minimumDigits = 0) =>
      cached({ maximumFractionDigits: digits, minimumFractionDigits: Math.min(minimumDigits, digits) }).format(value),
    percent: (value, digits = 1) => cached({ style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value),
    calendarDate: (value) => calendarDate.format(new Date(`${value}T00:00:00Z`)),
    calendarMonth: (value) => calendarMonth.format(new Date(`${value.slice(0, 7)}-01T00:00:00Z`)),
    date: (at) => date.format(new Date(at)),
    dateTime: (at) => dateTime.format(new Date(at)),
  };
}

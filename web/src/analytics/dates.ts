/**
 * Calendar dates as the analytics API takes them: 'YYYY-MM-DD' local dates, with no time
 * zone (the API places purchases in the workspace's zone). Arithmetic is done in UTC, where
 * every day has 24 hours.
 */

const DAY_MS = 86_400_000;

function parse(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

function print(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function isDate(text: string | null | undefined): text is string {
  return typeof text === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(text) && print(parse(text)) === text;
}

export function addDays(date: string, days: number): string {
  return print(new Date(parse(date).getTime() + days * DAY_MS));
}

export function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** The first of the month `months` after (or before) the month of `date`. */
export function addMonths(date: string, months: number): string {
  const d = parse(monthStart(date));
  return print(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)));
}

/** The whole months before the month of `end`: [first of (month of end − months), first of month of end). */
export function lastWholeMonths(end: string, months: number): { from: string; to: string } {
  const to = monthStart(end);
  return { from: addMonths(to, -months), to };
}

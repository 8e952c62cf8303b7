import { addDays, dayNumber } from '../analytics/periods.ts';
import { KizunaError } from '../shared/errors.ts';

/** The longest period of flows one request may ask for (the flow_days rollup keeps any length; this bounds a request's work). */
export const MAX_FLOW_DAYS = 3 * 366;

/**
 * The local days of a period of flows, defaults filled in: the 30 days up to today. Both ends
 * are included. Refused (validation_failed) when from is after to or the period is longer than
 * MAX_FLOW_DAYS.
 */
export function journeyPeriod(query: { from?: string | undefined; to?: string | undefined }, today: string): { from: string; to: string } {
  for (const date of [query.from, query.to]) {
    if (date === undefined) continue;
    try {
      dayNumber(date);
    } catch {
      throw new KizunaError('bad_request', `"${date}" is not a calendar date (expected YYYY-MM-DD).`);
    }
  }
  const to = query.to ?? today;
  const from = query.from ?? addDays(to, -29);
  if (from > to) throw new KizunaError('validation_failed', `from (${from}) is after to (${to}).`);
  if (dayNumber(to) - dayNumber(from) + 1 > MAX_FLOW_DAYS) throw new KizunaError('validation_failed', `A period of flows is at most ${MAX_FLOW_DAYS} days.`);
  return { from, to };
}

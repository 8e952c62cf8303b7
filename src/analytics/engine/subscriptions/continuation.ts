import { dayNumber, formatDay } from '../../periods.ts';
import { emptyDeliveryCounts, type ContinuationCounts, type DeliveryCounts } from '../../subscriptions/continuation.ts';
import type { ContinuationGrouping } from '../../subscriptions/terms.ts';
import { deliveriesAsOf, statusAsOf } from './status.ts';
import { CANCELLED, NOT_STARTED, type SubscriptionSnapshot } from './subscription-snapshot.ts';

/**
 * Continuation by delivery number from the subscription snapshot: the counts of
 * src/analytics/subscriptions/continuation.ts (continuationCounts, its SQL reference) in one
 * pass over the subscriptions.
 */
export function snapshotContinuationCounts(
  snapshot: SubscriptionSnapshot,
  terms: { asOf: string; grouping: ContinuationGrouping | null; maxDelivery: number; fromOrders: boolean },
): ContinuationCounts {
  const { grouping, maxDelivery, fromOrders } = terms;
  const asOf = dayNumber(terms.asOf);
  const total = emptyDeliveryCounts(maxDelivery);
  const byCode = new Map<number, DeliveryCounts>();
  const keyOf = groupKeys(snapshot, grouping);
  for (let i = 0; i < snapshot.subscriptions; i++) {
    const status = statusAsOf(snapshot, i, asOf);
    if (status === NOT_STARTED) continue;
    const delivered = deliveriesAsOf(snapshot, i, asOf, fromOrders);
    const j = Math.min(delivered, maxDelivery + 1);
    const beyond = delivered > maxDelivery + 1 ? delivered - maxDelivery - 1 : 0;
    const cancelled = status === CANCELLED;
    add(total, j, cancelled, beyond);
    if (keyOf) {
      const code = keyOf.code(i);
      let counts = byCode.get(code);
      if (!counts) {
        counts = emptyDeliveryCounts(maxDelivery);
        byCode.set(code, counts);
      }
      add(counts, j, cancelled, beyond);
    }
  }
  const groups = new Map<string | null, DeliveryCounts>();
  if (keyOf) for (const [code, counts] of byCode) groups.set(keyOf.key(code), counts);
  return { total, groups };
}

function add(counts: DeliveryCounts, j: number, cancelled: boolean, beyond: number): void {
  if (cancelled) counts.cancelled[j]!++;
  else counts.inForce[j]!++;
  counts.tailContinued += beyond;
}

/** A grouping as a whole-number code per subscription (−1: no value) and the key of a code; null for no grouping. */
function groupKeys(
  snapshot: SubscriptionSnapshot,
  grouping: ContinuationGrouping | null,
): { code(i: number): number; key(code: number): string | null } | null {
  const dictionary = (codes: Int32Array | ((i: number) => number), values: string[]) => ({
    code: typeof codes === 'function' ? codes : (i: number) => codes[i]!,
    key: (code: number) => (code === -1 ? null : values[code]!),
  });
  switch (grouping) {
    case null:
      return null;
    case 'course':
      return dictionary(snapshot.course, snapshot.courses);
    case 'product':
      return dictionary(snapshot.firstProduct, snapshot.products);
    case 'source':
      return dictionary((i) => snapshot.customerSource[snapshot.customer[i]!]!, snapshot.sources);
    case 'cohort': {
      // The code is the start month's first day: its key is 'YYYY-MM'. Remembered per start day (a brand has a few thousand).
      const monthStarts = new Map<number, number>();
      const monthStart = (day: number) => {
        let start = monthStarts.get(day);
        if (start === undefined) {
          start = dayNumber(`${formatDay(day).slice(0, 8)}01`);
          monthStarts.set(day, start);
        }
        return start;
      };
      return { code: (i) => monthStart(snapshot.startDay[i]!), key: (code) => formatDay(code).slice(0, 7) };
    }
    case 'start_week':
      return { code: (i) => weekStart(snapshot.startDay[i]!), key: (code) => formatDay(code) };
  }
}

/** The day number of the Monday of the ISO week holding `day` (1970-01-01 was a Thursday). */
function weekStart(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}

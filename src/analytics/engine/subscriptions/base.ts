import { bucketsOf, dayNumber, type Granularity, type Period } from '../../periods.ts';
import { bucketStartDates, emptyCancellationCounts, type CancellationCounts } from '../../subscriptions/cancellations.ts';
import type { StepUpCounts, StepUpTally } from '../../subscriptions/step-up.ts';
import type { SubscriberCounts } from '../../subscriptions/subscribers.ts';
import { NO_DAY } from '../snapshot/purchase-snapshot.ts';
import { inForceAt } from './status.ts';
import type { SubscriptionSnapshot } from './subscription-snapshot.ts';

/**
 * Cancellations, the step-up rate and the subscribers over time from the subscription
 * snapshot: the counts of their SQL references in src/analytics/subscriptions/ (cancellationCounts,
 * stepUpTally, subscriberCounts), each in one pass.
 */

/** The index of the last of `starts` (ascending day numbers) at or before `day`. */
function bucketOf(starts: readonly number[], day: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= day) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function snapshotCancellationCounts(
  snapshot: SubscriptionSnapshot,
  terms: { period: Period; granularity: Granularity; maxDelivery: number },
): CancellationCounts {
  const { period, granularity, maxDelivery } = terms;
  const starts = bucketStartDates(period, granularity).map(dayNumber);
  const counts = emptyCancellationCounts(starts.length, maxDelivery);
  const inForce = inForceAt(snapshot, starts);
  for (let b = 0; b < starts.length; b++) counts.inForceAtStart[b] = inForce.active[b]! + inForce.paused[b]!;
  const from = dayNumber(period.from);
  const to = dayNumber(period.to);
  const reasonCounts = new Int32Array(snapshot.reasons.length + 1);
  const byDelivery = Array.from({ length: maxDelivery + 2 }, () => new Int32Array(snapshot.reasons.length + 1));
  for (let i = 0; i < snapshot.subscriptions; i++) {
    const day = snapshot.cancelledDay[i]!;
    if (day === NO_DAY || day < from || day >= to) continue;
    counts.cancelled[bucketOf(starts, day)]!++;
    // Reason code + 1: slot 0 is "no reason given".
    const reason = snapshot.cancelReason[i]! + 1;
    reasonCounts[reason]!++;
    const delivered = snapshot.deliveries[i]!;
    byDelivery[Math.min(delivered, maxDelivery + 1)]![reason]!++;
  }
  const reasonOf = (slot: number) => (slot === 0 ? null : snapshot.reasons[slot - 1]!);
  const asMap = (slots: Int32Array) => {
    const map = new Map<string | null, number>();
    slots.forEach((count, slot) => {
      if (count > 0) map.set(reasonOf(slot), count);
    });
    return map;
  };
  counts.reasons = asMap(reasonCounts);
  counts.byDelivery = byDelivery.map(asMap);
  return counts;
}

export function snapshotStepUpTally(
  snapshot: SubscriptionSnapshot,
  terms: { period: Period; granularity: Granularity; within: number; asOf: string },
): StepUpTally {
  const { period, granularity, within } = terms;
  const starts = bucketsOf(period, granularity).map(dayNumber);
  const from = dayNumber(period.from);
  const asOf = dayNumber(terms.asOf);
  const to = Math.min(dayNumber(period.to), asOf);
  const byBucket = starts.map((): StepUpCounts => ({ trialCustomers: 0, steppedUp: 0 }));
  const bySource = new Map<number, StepUpCounts>();
  const { customerStart, subscriptionsByCustomer, startDay } = snapshot;
  for (let c = 0; c < snapshot.customers; c++) {
    const first = snapshot.firstDay[c]!;
    if (snapshot.trialStart[c] !== 1 || first === NO_DAY || first < from || first >= to) continue;
    let stepped = false;
    for (let k = customerStart[c]!; k < customerStart[c + 1]! && !stepped; k++) {
      const start = startDay[subscriptionsByCustomer[k]!]!;
      stepped = start >= first && start - first <= within && start < asOf;
    }
    const bucket = byBucket[bucketOf(starts, first)]!;
    const source = snapshot.customerSource[c]!;
    let forSource = bySource.get(source);
    if (!forSource) {
      forSource = { trialCustomers: 0, steppedUp: 0 };
      bySource.set(source, forSource);
    }
    for (const counts of [bucket, forSource]) {
      counts.trialCustomers++;
      if (stepped) counts.steppedUp++;
    }
  }
  const bucketKeys = bucketsOf(period, granularity);
  return {
    byBucket: new Map(byBucket.flatMap((counts, b) => (counts.trialCustomers > 0 ? [[bucketKeys[b]!, counts] as const] : []))),
    bySource: new Map([...bySource].map(([code, counts]) => [code === -1 ? null : snapshot.sources[code]!, counts])),
  };
}

export function snapshotSubscriberCounts(snapshot: SubscriptionSnapshot, dates: readonly string[]): SubscriberCounts[] {
  const days = [...new Set(dates.map(dayNumber))].sort((a, b) => a - b);
  const counts = inForceAt(snapshot, days);
  const position = new Map(days.map((day, index) => [day, index]));
  return dates.map((date) => {
    const j = position.get(dayNumber(date))!;
    return { active: counts.active[j]!, paused: counts.paused[j]!, customers: counts.customers[j]! };
  });
}

import { NO_DAY } from '../snapshot/purchase-snapshot.ts';
import { ACTIVE, CANCELLED, NOT_STARTED, type SubscriptionSnapshot } from './subscription-snapshot.ts';

/**
 * The status and deliveries of a subscription as of a day (the state at its start), by the
 * rules of src/analytics/subscriptions/status-sql.ts, and the in-force counts at many dates
 * in one pass.
 */

/** ACTIVE, PAUSED or CANCELLED as of day `asOf`; NOT_STARTED when it started on or after it. */
export function statusAsOf(snapshot: SubscriptionSnapshot, i: number, asOf: number): number {
  if (snapshot.startDay[i]! >= asOf) return NOT_STARTED;
  const cancelled = snapshot.cancelledDay[i]!;
  if (cancelled !== NO_DAY && cancelled < asOf) return CANCELLED;
  let status = ACTIVE;
  const { historyDay, historyStatus } = snapshot;
  for (let h = snapshot.historyStart[i]!, end = snapshot.historyStart[i + 1]!; h < end && historyDay[h]! < asOf; h++) status = historyStatus[h]!;
  return status;
}

/**
 * Deliveries as of day `asOf`: with `fromOrders`, the highest delivery number among the
 * purchases naming the subscription before the day when there are such purchases at all
 * (0 when all are later); else the stored count.
 */
export function deliveriesAsOf(snapshot: SubscriptionSnapshot, i: number, asOf: number, fromOrders: boolean): number {
  const from = snapshot.deliveryStart[i]!;
  const to = snapshot.deliveryStart[i + 1]!;
  if (!fromOrders || from === to) return snapshot.deliveries[i]!;
  let highest = 0;
  for (let r = from; r < to; r++) if (snapshot.deliveryDay[r]! < asOf && snapshot.deliveryNumber[r]! > highest) highest = snapshot.deliveryNumber[r]!;
  return highest;
}

export interface InForceCounts {
  active: Int32Array;
  paused: Int32Array;
  /** Distinct customers with a subscription in force. */
  customers: Int32Array;
}

/**
 * The subscriptions active and paused, and the customers with one in force, as of each of
 * `dates` (day numbers, ascending). Each subscription's history is turned into the ranges of
 * as-of days each status holds; a range adds one to the dates it covers (found by binary
 * search, summed by a difference array), so the work is the history's size, not dates × subscriptions.
 */
export function inForceAt(snapshot: SubscriptionSnapshot, dates: readonly number[]): InForceCounts {
  const m = dates.length;
  const active = new Int32Array(m + 1);
  const paused = new Int32Array(m + 1);
  const customers = new Int32Array(m + 1);
  const firstAtOrAfter = (day: number) => {
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (dates[mid]! < day) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // The ranges [lo, hi) of date indexes in force of the current customer's subscriptions, merged per customer.
  const ranges: number[] = [];
  const { customerStart, subscriptionsByCustomer } = snapshot;
  for (let c = 0; c < snapshot.customers; c++) {
    ranges.length = 0;
    for (let k = customerStart[c]!; k < customerStart[c + 1]!; k++) {
      const i = subscriptionsByCustomer[k]!;
      forEachStatusRange(snapshot, i, (from, to, status) => {
        if (status === CANCELLED) return;
        const lo = firstAtOrAfter(from);
        const hi = to === Number.POSITIVE_INFINITY ? m : firstAtOrAfter(to);
        if (lo >= hi) return;
        const counts = status === ACTIVE ? active : paused;
        counts[lo]!++;
        counts[hi]!--;
        ranges.push(lo, hi);
      });
    }
    addUnion(ranges, customers);
  }
  for (let j = 1; j < m; j++) {
    active[j]! += active[j - 1]!;
    paused[j]! += paused[j - 1]!;
    customers[j]! += customers[j - 1]!;
  }
  return { active: active.subarray(0, m), paused: paused.subarray(0, m), customers: customers.subarray(0, m) };
}

/**
 * Calls `range(from, to, status)` for the as-of days [from, to) on which subscription i has
 * each status, in order: ACTIVE from the day after its start, each history row from the day
 * after it, CANCELLED for good from the day after its cancellation.
 */
function forEachStatusRange(snapshot: SubscriptionSnapshot, i: number, range: (from: number, to: number, status: number) => void): void {
  const begin = snapshot.startDay[i]! + 1;
  const cancelled = snapshot.cancelledDay[i]!;
  const end = cancelled === NO_DAY ? Number.POSITIVE_INFINITY : Math.max(begin, cancelled + 1);
  let from = begin;
  let status = ACTIVE;
  for (let h = snapshot.historyStart[i]!, last = snapshot.historyStart[i + 1]!; h < last; h++) {
    const at = Math.max(begin, snapshot.historyDay[h]! + 1);
    if (at >= end) break;
    if (at > from) {
      range(from, at, status);
      from = at;
    }
    status = snapshot.historyStatus[h]!;
  }
  if (end > from) range(from, end, status);
  if (end !== Number.POSITIVE_INFINITY) range(end, Number.POSITIVE_INFINITY, CANCELLED);
}

/** Adds +1 … −1 to `counts` over the union of the ranges [lo, hi) (pairs in `ranges`). */
function addUnion(ranges: number[], counts: Int32Array): void {
  const n = ranges.length / 2;
  if (n === 0) return;
  if (n === 1) {
    counts[ranges[0]!]!++;
    counts[ranges[1]!]!--;
    return;
  }
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => ranges[2 * a]! - ranges[2 * b]!);
  let lo = ranges[2 * order[0]!]!;
  let hi = ranges[2 * order[0]! + 1]!;
  for (let k = 1; k < n; k++) {
    const nextLo = ranges[2 * order[k]!]!;
    const nextHi = ranges[2 * order[k]! + 1]!;
    if (nextLo <= hi) {
      if (nextHi > hi) hi = nextHi;
    } else {
      counts[lo]!++;
      counts[hi]!--;
      lo = nextLo;
      hi = nextHi;
    }
  }
  counts[lo]!++;
  counts[hi]!--;
}

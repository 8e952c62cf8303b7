import {
  bucketDates,
  bucketsOf,
  checkComparison,
  checkPeriod,
  checkSeries,
  comparedPeriod,
  COMPARISONS,
  dayNumber,
  type Comparison,
  type Granularity,
  type Period,
} from '../periods.ts';
import { changeOf, totalsOf, type SalesDecomposition, type SalesTotals } from '../sales-decomposition.ts';
import { unitsToDecimal } from './snapshot/money-units.ts';
import type { PurchaseSnapshot } from './snapshot/purchase-snapshot.ts';

/**
 * `decomposeSales` (src/analytics/sales-decomposition.ts, the SQL reference) computed from a
 * purchase snapshot in one pass: every purchase adds to its bucket of the analysed period, to
 * the period, and to each compared period it falls in. Customers are counted once per slot
 * because the snapshot lists each customer's purchases together: a slot counts a customer when
 * the last customer it saw was another one.
 */
export function snapshotSales(
  snapshot: PurchaseSnapshot,
  params: {
    period: Period;
    granularity: Granularity;
    compare?: readonly Comparison[];
  },
): SalesDecomposition {
  const { period, granularity } = params;
  const compare = [...new Set(params.compare ?? COMPARISONS)];
  checkSeries(period, granularity);
  compare.forEach(checkComparison);
  const compared = compare.map((comparison) => comparedPeriod(period, comparison));
  const { buckets, fromDay, toDay, bucketOfDay } = bucketOfDays(period, granularity);

  // Slots: 0 … B − 1 the buckets, B the period, B + 1 + k the k-th compared period.
  const B = buckets.length;
  const slots = new Slots(B + 1 + compared.length);
  const comparedFrom = Int32Array.from(compared, (p) => dayNumber(p.from));
  const comparedTo = Int32Array.from(compared, (p) => dayNumber(p.to));
  const C = compared.length;

  const { start, day, amount, items } = snapshot;
  for (let c = 0; c < snapshot.customers; c++) {
    const end = start[c + 1]!;
    for (let r = start[c]!; r < end; r++) {
      const d = day[r]!;
      if (d >= fromDay && d < toDay) {
        slots.add(bucketOfDay[d - fromDay]!, c, amount[r]!, items[r]!);
        slots.add(B, c, amount[r]!, items[r]!);
      }
      for (let k = 0; k < C; k++) if (d >= comparedFrom[k]! && d < comparedTo[k]!) slots.add(B + 1 + k, c, amount[r]!, items[r]!);
    }
  }

  const totalsAt = (slot: number): SalesTotals => totalsOf(slots.sums(slot, snapshot.scale));
  const totals = totalsAt(B);
  return {
    period,
    granularity,
    totals,
    series: buckets.map((bucket, index) => ({ bucket, period: bucketDates(bucket, granularity, period), totals: totalsAt(index) })),
    comparisons: compare.map((comparison, k) => {
      const before = totalsAt(B + 1 + k);
      return { comparison, period: compared[k]!, totals: before, change: changeOf(before, totals) };
    }),
  };
}

/** The buckets of a period and the bucket index of each of its days (the period's first day is index 0). */
export function bucketOfDays(period: Period, granularity: Granularity): { buckets: string[]; fromDay: number; toDay: number; bucketOfDay: Int32Array } {
  const buckets = bucketsOf(period, granularity);
  const fromDay = dayNumber(period.from);
  const toDay = dayNumber(period.to);
  const bucketOfDay = new Int32Array(toDay - fromDay);
  buckets.forEach((bucket, index) => {
    const dates = bucketDates(bucket, granularity, period);
    bucketOfDay.fill(index, dayNumber(dates.from) - fromDay, dayNumber(dates.to) - fromDay);
  });
  return { buckets, fromDay, toDay, bucketOfDay };
}

/** Per slot: Σ amount (units), purchases, items, distinct customers. */
class Slots {
  private readonly amount: Float64Array;
  private readonly purchases: Float64Array;
  private readonly items: Float64Array;
  private readonly customers: Float64Array;
  private readonly lastCustomer: Int32Array;

  constructor(count: number) {
    this.amount = new Float64Array(count);
    this.purchases = new Float64Array(count);
    this.items = new Float64Array(count);
    this.customers = new Float64Array(count);
    this.lastCustomer = new Int32Array(count).fill(-1);
  }

  add(slot: number, customer: number, amount: number, items: number): void {
    this.amount[slot]! += amount;
    this.purchases[slot]! += 1;
    this.items[slot]! += items;
    if (this.lastCustomer[slot] !== customer) {
      this.lastCustomer[slot] = customer;
      this.customers[slot]! += 1;
    }
  }

  sums(slot: number, scale: number) {
    return { sales: unitsToDecimal(this.amount[slot]!, scale), customers: this.customers[slot]!, purchases: this.purchases[slot]!, items: this.items[slot]! };
  }
}

/**
 * `measureSales(...).totals` from a snapshot: the sums of each of `periods` (any dates, they may
 * overlap), one pass over the purchases.
 */
export function snapshotPeriodTotals(snapshot: PurchaseSnapshot, periods: readonly Period[]): SalesTotals[] {
  periods.forEach(checkPeriod);
  const fromDay = Int32Array.from(periods, (p) => dayNumber(p.from));
  const toDay = Int32Array.from(periods, (p) => dayNumber(p.to));
  const first = Math.min(...fromDay);
  const last = Math.max(...toDay);
  const P = periods.length;
  const slots = new Slots(P);
  const { start, day, amount, items } = snapshot;
  for (let c = 0; c < snapshot.customers; c++) {
    const end = start[c + 1]!;
    for (let r = start[c]!; r < end; r++) {
      const d = day[r]!;
      if (d < first || d >= last) continue;
      for (let k = 0; k < P; k++) if (d >= fromDay[k]! && d < toDay[k]!) slots.add(k, c, amount[r]!, items[r]!);
    }
  }
  return periods.map((_, k) => totalsOf(slots.sums(k, snapshot.scale)));
}

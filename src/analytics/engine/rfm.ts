import type { ChurnWindowUsed } from '../churn-window.ts';
import { dataEndsOnOf, snapshotLastPurchaseDay } from '../data-end.ts';
import { dayNumber, formatDay, requireCalendarDate } from '../periods.ts';
import type { CustomerRfm, RfmSummary, ScoreBand } from '../rfm.ts';
import { quintileScore, type RfmDimension } from '../rfm-quintiles.ts';
import { RFM_SEGMENTS, segmentOf, type RfmSegmentCode } from '../rfm-segments.ts';
import { unitsToDecimal } from './snapshot/money-units.ts';
import type { PurchaseSnapshot } from './snapshot/purchase-snapshot.ts';

/**
 * RFM as of a date from a purchase snapshot, with the definitions of the SQL reference
 * (src/analytics/rfm.ts, rfm-quintiles.ts): recency = days from the last purchase day to the
 * date, frequency = purchases, monetary = Σ amount, all before the date; score = ⌈5k ÷ n⌉ where
 * k is the number of customers the value does not beat (ties share a score).
 *
 * Scores come from the sorted distinct values of each dimension: recency and frequency are
 * small whole numbers (a counting histogram), monetary is sorted once. The segment 離反 is the
 * churn status (engine/churn.ts snapshotChurnedFlags) with `churnWindow`.
 */
export interface RfmTable {
  asOf: string;
  /** The churn window of the segment 離反; null: none, nobody churned. */
  churnWindow: ChurnWindowUsed | null;
  /** Customers with a purchase before the date, in snapshot index order. */
  customer: Int32Array;
  recency: Int32Array;
  frequency: Int32Array;
  /** Units of 10^−scale. */
  monetary: Float64Array;
  lastDay: Int32Array;
  r: Uint8Array;
  f: Uint8Array;
  m: Uint8Array;
  /** Index into RFM_SEGMENTS. */
  segment: Uint8Array;
  bands: Record<RfmDimension, ScoreBand<number>[]>;
}

/** `churned`: per customer of the snapshot, 1 when churned as of asOf with `churnWindow` (snapshotChurnedFlags). */
export function snapshotRfmTable(snapshot: PurchaseSnapshot, asOf: string, churn: { churnWindow: ChurnWindowUsed | null; churned: Uint8Array }): RfmTable {
  requireCalendarDate(asOf, 'asOf');
  const asOfDay = dayNumber(asOf);
  const { start, day, amount } = snapshot;
  const customer = new Int32Array(snapshot.customers);
  const recency = new Int32Array(snapshot.customers);
  const frequency = new Int32Array(snapshot.customers);
  const monetary = new Float64Array(snapshot.customers);
  const lastDay = new Int32Array(snapshot.customers);
  let n = 0;
  for (let c = 0; c < snapshot.customers; c++) {
    const from = start[c]!;
    let r = from;
    let sum = 0;
    const end = start[c + 1]!;
    for (; r < end && day[r]! < asOfDay; r++) sum += amount[r]!;
    if (r === from) continue;
    customer[n] = c;
    lastDay[n] = day[r - 1]!;
    recency[n] = asOfDay - day[r - 1]!;
    frequency[n] = r - from;
    monetary[n] = sum;
    n++;
  }
  const table = {
    customer: customer.slice(0, n),
    recency: recency.slice(0, n),
    frequency: frequency.slice(0, n),
    monetary: monetary.slice(0, n),
    lastDay: lastDay.slice(0, n),
  };
  const recencyScores = scoreByValue(table.recency, true);
  const frequencyScores = scoreByValue(table.frequency, false);
  const monetaryScores = scoreByValue(table.monetary, false);
  const segmentIndex = segmentTable();
  const segment = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    segment[i] =
      segmentIndex[
        ((((recencyScores.scores[i]! - 1) * 5 + frequencyScores.scores[i]! - 1) * 5 + monetaryScores.scores[i]! - 1) * 2 + (table.frequency[i] === 1 ? 0 : 1)) *
          2 +
          churn.churned[table.customer[i]!]!
      ]!;
  }
  return {
    asOf,
    churnWindow: churn.churnWindow,
    ...table,
    r: recencyScores.scores,
    f: frequencyScores.scores,
    m: monetaryScores.scores,
    segment,
    bands: { recency: recencyScores.bands, frequency: frequencyScores.bands, monetary: monetaryScores.bands },
  };
}

/** Segment index for (r, f, m, one purchase or more, churned): the rules only look at these. */
function segmentTable(): Uint8Array {
  const table = new Uint8Array(500);
  for (let r = 1; r <= 5; r++)
    for (let f = 1; f <= 5; f++)
      for (let m = 1; m <= 5; m++)
        for (const purchases of [1, 2])
          for (const churned of [0, 1]) {
            const code = segmentOf({ recencyScore: r, frequencyScore: f, monetaryScore: m, purchases, churned: churned === 1 }).code;
            table[((((r - 1) * 5 + f - 1) * 5 + m - 1) * 2 + (purchases === 1 ? 0 : 1)) * 2 + churned] = RFM_SEGMENTS.findIndex((s) => s.code === code);
          }
  return table;
}

/**
 * Each value's quintile score: the distinct values sorted from worst to best, k = customers at
 * or worse than the value, score = ⌈5k ÷ n⌉; with each score's band (customers, min, max).
 */
function scoreByValue(values: Int32Array | Float64Array, lowerIsBetter: boolean): { scores: Uint8Array; bands: ScoreBand<number>[] } {
  const n = values.length;
  const sorted = (values instanceof Int32Array ? Int32Array.from(values) : Float64Array.from(values)).sort();
  // Distinct values worst first, each with the number at or worse than it.
  const distinct: number[] = [];
  const atOrWorse: number[] = [];
  if (lowerIsBetter) {
    for (let i = n - 1; i >= 0; i--) if (i === n - 1 || sorted[i] !== sorted[i + 1]) distinct.push(sorted[i]!);
  } else {
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  }
  // Counts per distinct value from the sorted array (runs of equal values).
  let position = lowerIsBetter ? n - 1 : 0;
  let cumulative = 0;
  for (const value of distinct) {
    if (lowerIsBetter)
      while (position >= 0 && sorted[position] === value) {
        cumulative++;
        position--;
      }
    else
      while (position < n && sorted[position] === value) {
        cumulative++;
        position++;
      }
    atOrWorse.push(cumulative);
  }
  const scoreOfDistinct = atOrWorse.map((k) => quintileScore(k, n));
  const bands: ScoreBand<number>[] = [1, 2, 3, 4, 5].map((score) => ({ score, customers: 0, min: null, max: null }));
  distinct.forEach((value, i) => {
    const band = bands[scoreOfDistinct[i]! - 1]!;
    band.customers += atOrWorse[i]! - (i > 0 ? atOrWorse[i - 1]! : 0);
    band.min = band.min === null ? value : Math.min(band.min, value);
    band.max = band.max === null ? value : Math.max(band.max, value);
  });
  // Score of each customer: binary search of the value among the distinct ones (ordered worst first).
  const keys = Float64Array.from(distinct);
  const scores = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const worse = lowerIsBetter ? keys[mid]! > v : keys[mid]! < v;
      if (worse) lo = mid + 1;
      else hi = mid;
    }
    scores[i] = scoreOfDistinct[lo]!;
  }
  return { scores, bands };
}

/** The R × F grid, segments and bands of `rfmScores`, from a table. */
export function snapshotRfmSummary(snapshot: PurchaseSnapshot, table: RfmTable): RfmSummary {
  const units = (value: number) => unitsToDecimal(value, snapshot.scale);
  const n = table.customer.length;
  const gridCustomers = new Float64Array(25);
  const gridMonetary = new Float64Array(25);
  const segmentCustomers = new Float64Array(RFM_SEGMENTS.length);
  const segmentMonetary = new Float64Array(RFM_SEGMENTS.length);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const cell = (table.r[i]! - 1) * 5 + table.f[i]! - 1;
    const m = table.monetary[i]!;
    gridCustomers[cell]! += 1;
    gridMonetary[cell]! += m;
    segmentCustomers[table.segment[i]!]! += 1;
    segmentMonetary[table.segment[i]!]! += m;
    total += m;
  }
  const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);
  const grid = Array.from({ length: 25 }, (_, cell) => ({
    recencyScore: Math.floor(cell / 5) + 1,
    frequencyScore: (cell % 5) + 1,
    customers: gridCustomers[cell]!,
    monetary: units(gridMonetary[cell]!),
  }));
  const segments = RFM_SEGMENTS.map(({ code, ja, en, meaning }, index) => ({
    code,
    ja,
    en,
    meaning,
    customers: segmentCustomers[index]!,
    monetary: units(segmentMonetary[index]!),
    customerShare: share(segmentCustomers[index]!, n),
    monetaryShare: share(segmentMonetary[index]!, total),
  }));
  const monetaryBands = table.bands.monetary.map((band) => ({
    ...band,
    min: band.min === null ? null : units(band.min),
    max: band.max === null ? null : units(band.max),
  }));
  return {
    asOf: table.asOf,
    dataEndsOn: dataEndsOnOf(snapshotLastPurchaseDay(snapshot), table.asOf),
    churnWindow: table.churnWindow,
    customers: n,
    monetary: units(total),
    grid,
    segments,
    boundaries: { recency: table.bands.recency, frequency: table.bands.frequency, monetary: monetaryBands },
  };
}

/** The RFM row of table position i, as `listRfmCustomers` and `rfmOfCustomer` give it (profile fields supplied by the caller). */
export function rfmRow(snapshot: PurchaseSnapshot, table: RfmTable, i: number, profile: { externalId: string; name: string | null }): CustomerRfm {
  return {
    customerId: String(snapshot.customerIds[table.customer[i]!]!),
    externalId: profile.externalId,
    name: profile.name,
    lastPurchaseDay: formatDay(table.lastDay[i]!),
    recency: table.recency[i]!,
    frequency: table.frequency[i]!,
    monetary: unitsToDecimal(table.monetary[i]!, snapshot.scale),
    scores: { recency: table.r[i]!, frequency: table.f[i]!, monetary: table.m[i]! },
    segment: RFM_SEGMENTS[table.segment[i]!]!.code as RfmSegmentCode,
  };
}

import { DAYS_PER_UNIT, type PurchaseSummary } from './purchase-days.ts';
import { TimeTable } from './time-table.ts';

/**
 * Customers grouped by history (x, t_x, T). The BG/NBD likelihood and every score depend on a
 * customer only through these three numbers, so a fit runs over groups (weights = their
 * members' number), and a score is computed once per group and copied to its members.
 *
 * Times are stored once: `times` holds the distinct values of t_x and T, and each group points
 * into it (`txIndex`, `TIndex`), so that a likelihood evaluation computes ln(α + t) once per
 * distinct time (about a thousand for day-level data) instead of once per group. Groups are
 * ordered by x, in runs of equal x (`xValues`, `xStart`): terms that depend on x alone
 * (lnΓ(r + x), ψ(b + x), ...) are computed once per run.
 *
 * `groupCustomers` merges every identical history into one group; `groupPurchaseSummary` only
 * orders customers by x, one group each (see there). The fit and the scores are the same
 * either way.
 */
export interface CustomerGroups {
  /** Number of groups. */
  readonly count: number;
  /** Distinct x in increasing order: groups xStart[j] … xStart[j + 1] − 1 have x = xValues[j]. */
  readonly xValues: Float64Array;
  readonly xStart: Int32Array;
  /** The distinct times (t_x and T values) the groups point into. */
  readonly times: Float64Array;
  /** tx[g] = times[txIndex[g]]. */
  readonly txIndex: Int32Array;
  /** T[g] = times[TIndex[g]]. */
  readonly TIndex: Int32Array;
  /** Sum of the members' weights (their number when no weights were given). */
  readonly weight: Float64Array;
  /** Whether every weight is 1 (then `weight` is made only on first read). */
  readonly unitWeights: boolean;
  /** The rows of group g are members[memberStart[g]] … members[memberStart[g + 1] − 1]. */
  readonly members: Int32Array;
  readonly memberStart: Int32Array;
  /** Each group's x, t_x and T, and each row's group: made on first use (the fit and the scores do not need them). */
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  readonly groupOf: Int32Array;
}

/** The calibration history of customers: repeat purchases x, recency t_x and age T, one row per customer. */
export interface RecencyFrequency {
  /** Repeat purchases: purchase days after the first, up to the end of calibration. */
  x: ArrayLike<number>;
  /** Time of the last repeat purchase since the first purchase (0 when x = 0). */
  tx: ArrayLike<number>;
  /** Time from the first purchase to the end of calibration. */
  T: ArrayLike<number>;
}

/**
 * Groups rows with identical (x, tx, T), summing their weights (default 1 each). Throws a
 * RangeError naming the first row that is not a possible history: x must be a whole number
 * ≥ 0, 0 ≤ tx ≤ T, and tx = 0 when x = 0.
 */
export function groupCustomers({ x, tx, T, weights }: RecencyFrequency & { weights?: ArrayLike<number> }): CustomerGroups {
  const n = x.length;
  if (tx.length !== n || T.length !== n || (weights && weights.length !== n)) {
    throw new RangeError(
      `x, tx, T${weights ? ' and weights' : ''} must have the same length (got ${n}, ${tx.length}, ${T.length}${weights ? `, ${weights.length}` : ''})`,
    );
  }
  const xKey = new Int32Array(n);
  const txKey = new Int32Array(n);
  const TKey = new Int32Array(n);
  const times = new TimeTable();
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const txi = tx[i]!;
    const Ti = T[i]!;
    const problem = historyProblem(xi, txi, Ti);
    if (problem) throw new RangeError(`customer row ${i}: ${problem} (x=${xi}, tx=${txi}, T=${Ti})`);
    if (weights && !(weights[i]! >= 0 && Number.isFinite(weights[i]!)))
      throw new RangeError(`customer row ${i}: weight must be a finite number ≥ 0 (got ${weights[i]})`);
    xKey[i] = xi;
    txKey[i] = times.indexOf(txi);
    TKey[i] = times.indexOf(Ti);
  }
  const timeValues = times.values();
  // A least-significant-digit radix sort: stable counting sorts by t_x, then T, then x, the
  // keys carried along so that every pass reads sequentially. Equal histories end up adjacent.
  const identity = iota(n);
  const byTx = countingSort(txKey, timeValues.length, identity, [xKey, TKey, txKey]);
  const byT = countingSort(byTx.carried[1], timeValues.length, byTx.rows, byTx.carried);
  const byX = countingSort(byT.carried[0], maxOf(xKey) + 1, byT.rows, byT.carried);
  return mergeEqualNeighbours(byX.carried, byX.rows, timeValues, weights ? Float64Array.from(weights) : null);
}

/**
 * Groups the customers of a summary for the fit and the scores: one stable counting sort by x,
 * one group per customer, times indexed by whole days (no hashing; no checks, the summary's
 * histories being valid by construction). Merging equal histories would not pay here: at day
 * resolution most customers with repeat purchases have a history of their own (841,000
 * distinct histories among a million simulated customers), those without any cost nothing in
 * the fit, and the sort that finds equal histories took longer than the work it saved.
 */
export function groupPurchaseSummary(summary: PurchaseSummary): CustomerGroups {
  const n = summary.x.length;
  const maxAge = maxOf(summary.ageDays);
  const perUnit = DAYS_PER_UNIT[summary.unit];
  const times = new Float64Array(maxAge + 1);
  // The same division as the summary's, so that times[ageDays[i]] === T[i] exactly.
  for (let d = 0; d <= maxAge; d++) times[d] = d / perUnit;
  const bucketStart = frequencyHistogram(summary.x);
  const sorted = { rows: new Int32Array(n), TIndex: new Int32Array(n), txIndex: new Int32Array(n) };
  placeByFrequency(summary, bucketStart.slice(), sorted);
  return new HistoryGroups({
    times,
    txIndex: sorted.txIndex,
    TIndex: sorted.TIndex,
    weight: null,
    members: sorted.rows,
    memberStart: null,
    ...nonEmptyBuckets(bucketStart),
  });
}

/** Where the customers of each x start once ordered by x: a counting sort's histogram, as prefix sums. */
function frequencyHistogram(x: Float64Array): Int32Array {
  let maxX = 0;
  for (let i = 0; i < x.length; i++) if (x[i]! > maxX) maxX = x[i]!;
  const start = new Int32Array(maxX + 2);
  for (let i = 0; i < x.length; i++) start[x[i]! + 1]!++;
  for (let v = 1; v < start.length; v++) start[v]! += start[v - 1]!;
  return start;
}

/** The counting sort's scatter: customers in order of x (stable), with their age and recency in days. */
function placeByFrequency(
  { x, ageDays, recencyDays }: PurchaseSummary,
  next: Int32Array,
  sorted: { rows: Int32Array; TIndex: Int32Array; txIndex: Int32Array },
): void {
  const { rows, TIndex, txIndex } = sorted;
  for (let i = 0; i < x.length; i++) {
    const at = next[x[i]!]!++;
    rows[at] = i;
    TIndex[at] = ageDays[i]!;
    txIndex[at] = recencyDays[i]!;
  }
}

function historyProblem(x: number, tx: number, T: number): string | null {
  if (!Number.isInteger(x) || x < 0 || x >= 2 ** 31) return 'x must be a whole number of repeat purchases ≥ 0';
  if (!(T >= 0) || !Number.isFinite(T)) return 'T must be a finite age ≥ 0';
  if (!(tx >= 0 && tx <= T)) return 'tx must lie between 0 and T';
  if (x === 0 && tx !== 0) return 'tx must be 0 for a customer without repeat purchases';
  return null;
}

/** Groups from rows sorted by (x, T, t_x): each run of equal neighbours becomes one group. */
function mergeEqualNeighbours([sortedX, sortedT, sortedTx]: Columns, rows: Int32Array, times: Float64Array, weights: Float64Array | null): CustomerGroups {
  const n = rows.length;
  const isNew = (k: number): boolean => k === 0 || sortedX[k] !== sortedX[k - 1] || sortedT[k] !== sortedT[k - 1] || sortedTx[k] !== sortedTx[k - 1];
  let count = 0;
  for (let k = 0; k < n; k++) if (isNew(k)) count++;
  const txIndex = new Int32Array(count);
  const TIndex = new Int32Array(count);
  const weight = new Float64Array(count);
  const memberStart = new Int32Array(count + 1);
  const xValues: number[] = [];
  const xStart: number[] = [];
  let g = -1;
  for (let k = 0; k < n; k++) {
    if (isNew(k)) {
      g++;
      memberStart[g] = k;
      txIndex[g] = sortedTx[k]!;
      TIndex[g] = sortedT[k]!;
      if (xValues.at(-1) !== sortedX[k]) {
        xValues.push(sortedX[k]!);
        xStart.push(g);
      }
    }
    weight[g]! += weights === null ? 1 : weights[rows[k]!]!;
  }
  memberStart[count] = n;
  xStart.push(count);
  return new HistoryGroups({
    times,
    txIndex,
    TIndex,
    weight,
    members: rows,
    memberStart,
    xValues: Float64Array.from(xValues),
    xStart: Int32Array.from(xStart),
  });
}

/**
 * CustomerGroups whose per-group x, t_x, T, per-row group, and (for one customer per group)
 * weights and member starts are derived on first use.
 */
class HistoryGroups implements CustomerGroups {
  readonly count: number;
  readonly xValues: Float64Array;
  readonly xStart: Int32Array;
  readonly times: Float64Array;
  readonly txIndex: Int32Array;
  readonly TIndex: Int32Array;
  readonly unitWeights: boolean;
  readonly members: Int32Array;
  private derived: { weight?: Float64Array; memberStart?: Int32Array; x?: Float64Array; tx?: Float64Array; T?: Float64Array; groupOf?: Int32Array } = {};

  /** `weight` null: every weight is 1; `memberStart` null: one member per group. */
  constructor(
    parts: Pick<CustomerGroups, 'xValues' | 'xStart' | 'times' | 'txIndex' | 'TIndex' | 'members'> & {
      weight: Float64Array | null;
      memberStart: Int32Array | null;
    },
  ) {
    this.count = parts.txIndex.length;
    this.xValues = parts.xValues;
    this.xStart = parts.xStart;
    this.times = parts.times;
    this.txIndex = parts.txIndex;
    this.TIndex = parts.TIndex;
    this.members = parts.members;
    this.unitWeights = parts.weight === null;
    if (parts.weight) this.derived.weight = parts.weight;
    if (parts.memberStart) this.derived.memberStart = parts.memberStart;
  }

  get weight(): Float64Array {
    this.derived.weight ??= new Float64Array(this.count).fill(1);
    return this.derived.weight;
  }

  get memberStart(): Int32Array {
    this.derived.memberStart ??= iota(this.count + 1);
    return this.derived.memberStart;
  }

  get x(): Float64Array {
    if (!this.derived.x) {
      const x = new Float64Array(this.count);
      for (let j = 0; j < this.xValues.length; j++) x.fill(this.xValues[j]!, this.xStart[j]!, this.xStart[j + 1]!);
      this.derived.x = x;
    }
    return this.derived.x;
  }

  get tx(): Float64Array {
    this.derived.tx ??= Float64Array.from(this.txIndex, (index) => this.times[index]!);
    return this.derived.tx;
  }

  get T(): Float64Array {
    this.derived.T ??= Float64Array.from(this.TIndex, (index) => this.times[index]!);
    return this.derived.T;
  }

  get groupOf(): Int32Array {
    if (!this.derived.groupOf) {
      const groupOf = new Int32Array(this.members.length);
      const memberStart = this.memberStart;
      for (let g = 0; g < this.count; g++) {
        for (let k = memberStart[g]!; k < memberStart[g + 1]!; k++) groupOf[this.members[k]!] = g;
      }
      this.derived.groupOf = groupOf;
    }
    return this.derived.groupOf;
  }
}

type Columns = [Int32Array, Int32Array, Int32Array];

/** A stable counting sort of `rows` by `key` (whole numbers in [0, buckets)), the `carried` columns reordered alike. */
function countingSort(key: Int32Array, buckets: number, rows: Int32Array, [c0, c1, c2]: Columns): { rows: Int32Array; carried: Columns } {
  const n = key.length;
  const next = new Int32Array(buckets + 1);
  for (let k = 0; k < n; k++) next[key[k]! + 1]!++;
  for (let b = 1; b <= buckets; b++) next[b]! += next[b - 1]!;
  const sorted: Columns = [new Int32Array(n), new Int32Array(n), new Int32Array(n)];
  const [s0, s1, s2] = sorted;
  const sortedRows = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const at = next[key[k]!]!++;
    sortedRows[at] = rows[k]!;
    s0[at] = c0[k]!;
    s1[at] = c1[k]!;
    s2[at] = c2[k]!;
  }
  return { rows: sortedRows, carried: sorted };
}

/** The runs of a counting sort's buckets that hold rows: their values and starts (with the end). */
function nonEmptyBuckets(bucketStart: Int32Array): { xValues: Float64Array; xStart: Int32Array } {
  const xValues: number[] = [];
  const xStart: number[] = [];
  for (let b = 0; b + 1 < bucketStart.length; b++) {
    if (bucketStart[b + 1]! > bucketStart[b]!) {
      xValues.push(b);
      xStart.push(bucketStart[b]!);
    }
  }
  xStart.push(bucketStart[bucketStart.length - 1]!);
  return { xValues: Float64Array.from(xValues), xStart: Int32Array.from(xStart) };
}

function iota(n: number): Int32Array {
  const values = new Int32Array(n);
  for (let i = 0; i < n; i++) values[i] = i;
  return values;
}

/** The largest value, 0 for none (or none above 0). */
export function maxOf(values: Int32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

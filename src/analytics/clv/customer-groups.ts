import { DAYS_PER_UNIT, type PurchaseSummary } from './purchase-days.ts';

/**
 * Customers grouped by identical (x, t_x, T). The BG/NBD likelihood and every score depend on
 * a customer only through these three numbers, so a fit becomes a fit over distinct histories
 * (weights = counts), and a score is computed once per group and copied to its members.
 * Groups from `groupPurchaseSummary` may hold one history in several groups (see there): the
 * likelihood and the scores are the same either way.
 *
 * Times are stored once: `times` holds the distinct values of t_x and T, and each group points
 * into it (`txIndex`, `TIndex`), so that a likelihood evaluation computes ln(α + t) once per
 * distinct time (about a thousand for day-level data) instead of once per group. Groups come
 * out ordered by x: terms that depend on x alone (lnΓ(r + x), ψ(b + x), ...) are computed once
 * per run of equal x.
 */
export interface CustomerGroups {
  /** Number of groups. */
  count: number;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Sum of the members' weights (their number when no weights were given). */
  weight: Float64Array;
  /** For each input row, the index of its group. */
  groupOf: Int32Array;
  /** The rows of group g are members[memberStart[g]] … members[memberStart[g + 1] − 1]. */
  members: Int32Array;
  memberStart: Int32Array;
  /** The distinct times (t_x and T values) the groups point into. */
  times: Float64Array;
  /** tx[g] = times[txIndex[g]]. */
  txIndex: Int32Array;
  /** T[g] = times[TIndex[g]]. */
  TIndex: Int32Array;
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
 * ≥ 0, 0 ≤ tx ≤ T, and tx = 0 when x = 0. For a PurchaseSummary, `groupPurchaseSummary` gives
 * the same groups faster.
 */
export function groupCustomers({ x, tx, T, weights }: RecencyFrequency & { weights?: ArrayLike<number> }): CustomerGroups {
  const n = x.length;
  if (tx.length !== n || T.length !== n || (weights && weights.length !== n)) {
    throw new RangeError(`x, tx, T${weights ? ' and weights' : ''} must have the same length (got ${n}, ${tx.length}, ${T.length}${weights ? `, ${weights.length}` : ''})`);
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
    if (weights && !(weights[i]! >= 0 && Number.isFinite(weights[i]!))) throw new RangeError(`customer row ${i}: weight must be a finite number ≥ 0 (got ${weights[i]})`);
    xKey[i] = xi;
    txKey[i] = times.indexOf(txi);
    TKey[i] = times.indexOf(Ti);
  }
  return groupKeys({ xKey, txKey, TKey, times: times.values(), weights: weights ? Float64Array.from(weights) : null });
}

/**
 * Groups the customers of a summary for the fit and the scores. Its times are whole days, so
 * they index the table of times directly: no hashing, and no checks (the summary's histories
 * are valid by construction). Customers are ordered by x with one stable counting sort, and
 * neighbours with the same history merge (customers acquired on the same day without repeat
 * purchases, mostly). It does not look further for equal histories: at day resolution most
 * customers with repeat purchases have a history of their own (840,000 groups for a million
 * simulated customers when fully merged), and the full sort that finds the rest took longer
 * than it saves in the fit. About 25 ms for a million customers.
 */
export function groupPurchaseSummary(summary: PurchaseSummary): CustomerGroups {
  const n = summary.x.length;
  const perUnit = DAYS_PER_UNIT[summary.unit];
  const xKey = new Int32Array(n);
  let maxAge = 0;
  for (let i = 0; i < n; i++) {
    xKey[i] = summary.x[i]!;
    if (summary.ageDays[i]! > maxAge) maxAge = summary.ageDays[i]!;
  }
  const times = new Float64Array(maxAge + 1);
  // The same division as the summary's, so that times[ageDays[i]] === T[i] exactly.
  for (let d = 0; d <= maxAge; d++) times[d] = d / perUnit;
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const byX = countingSort(xKey, maxOf(xKey) + 1, identity, [xKey, summary.ageDays, summary.recencyDays]);
  return mergeNeighbours(byX.carried as [Int32Array, Int32Array, Int32Array], byX.rows, times, null);
}

function historyProblem(x: number, tx: number, T: number): string | null {
  if (!Number.isInteger(x) || x < 0 || x >= 2 ** 31) return 'x must be a whole number of repeat purchases ≥ 0';
  if (!(T >= 0) || !Number.isFinite(T)) return 'T must be a finite age ≥ 0';
  if (!(tx >= 0 && tx <= T)) return 'tx must lie between 0 and T';
  if (x === 0 && tx !== 0) return 'tx must be 0 for a customer without repeat purchases';
  return null;
}

/**
 * Groups rows by (x, T, t_x) given as small whole numbers: a least-significant-digit radix
 * sort (counting sorts by t_x, then T, then x, each stable, carrying the keys along so every
 * pass reads sequentially), then one pass that merges equal neighbours.
 */
function groupKeys({ xKey, txKey, TKey, times, weights }: {
  xKey: Int32Array;
  txKey: Int32Array;
  TKey: Int32Array;
  times: Float64Array;
  weights: Float64Array | null;
}): CustomerGroups {
  const n = xKey.length;
  const maxX = maxOf(xKey);
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  // Pass 1: by t_x. Pass 2: by T. Pass 3: by x.
  const byTx = countingSort(txKey, times.length, identity, [xKey, TKey, txKey]);
  const byT = countingSort(byTx.carried[1]!, times.length, byTx.rows, [byTx.carried[0]!, byTx.carried[1]!, byTx.carried[2]!]);
  const byX = countingSort(byT.carried[0]!, maxX + 1, byT.rows, [byT.carried[0]!, byT.carried[1]!, byT.carried[2]!]);
  return mergeNeighbours(byX.carried as [Int32Array, Int32Array, Int32Array], byX.rows, times, weights);
}

/** Groups from rows sorted by x: each run of equal (x, T, t_x) neighbours becomes one group. */
function mergeNeighbours([sortedX, sortedT, sortedTx]: [Int32Array, Int32Array, Int32Array], rows: Int32Array, times: Float64Array, weights: Float64Array | null): CustomerGroups {
  const n = rows.length;
  let count = 0;
  for (let k = 0; k < n; k++) {
    if (k === 0 || sortedX[k] !== sortedX[k - 1] || sortedT[k] !== sortedT[k - 1] || sortedTx[k] !== sortedTx[k - 1]) count++;
  }
  const groups: CustomerGroups = {
    count, x: new Float64Array(count), tx: new Float64Array(count), T: new Float64Array(count), weight: new Float64Array(count),
    groupOf: new Int32Array(n), members: rows, memberStart: new Int32Array(count + 1), times, txIndex: new Int32Array(count), TIndex: new Int32Array(count),
  };
  const { x, tx, T, weight, groupOf, memberStart, txIndex, TIndex } = groups;
  let g = -1;
  for (let k = 0; k < n; k++) {
    if (k === 0 || sortedX[k] !== sortedX[k - 1] || sortedT[k] !== sortedT[k - 1] || sortedTx[k] !== sortedTx[k - 1]) {
      g++;
      memberStart[g] = k;
      x[g] = sortedX[k]!;
      txIndex[g] = sortedTx[k]!;
      TIndex[g] = sortedT[k]!;
      tx[g] = times[sortedTx[k]!]!;
      T[g] = times[sortedT[k]!]!;
    }
    const row = rows[k]!;
    weight[g]! += weights === null ? 1 : weights[row]!;
    groupOf[row] = g;
  }
  memberStart[count] = n;
  return groups;
}

function maxOf(values: Int32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

/** A stable counting sort of `rows` by `key` (values in [0, buckets)), moving the `carried` columns along. */
function countingSort(key: Int32Array, buckets: number, rows: Int32Array, carried: Int32Array[]): { rows: Int32Array; carried: Int32Array[] } {
  const n = rows.length;
  const next = new Int32Array(buckets + 1);
  for (let k = 0; k < n; k++) next[key[k]! + 1]!++;
  for (let b = 1; b <= buckets; b++) next[b]! += next[b - 1]!;
  const sortedRows = new Int32Array(n);
  const sortedCarried = carried.map(() => new Int32Array(n));
  const [c0, c1, c2] = carried as [Int32Array, Int32Array, Int32Array];
  const [s0, s1, s2] = sortedCarried as [Int32Array, Int32Array, Int32Array];
  for (let k = 0; k < n; k++) {
    const at = next[key[k]!]!++;
    sortedRows[at] = rows[k]!;
    s0[at] = c0[k]!;
    s1[at] = c1[k]!;
    s2[at] = c2[k]!;
  }
  return { rows: sortedRows, carried: sortedCarried };
}

/** Distinct times, each given the index of its first appearance: an open-addressing hash on the bits of the double. */
class TimeTable {
  private slots = new Int32Array(1024).fill(-1);
  private keys = new Float64Array(512);
  private size = 0;
  private readonly bits = new Float64Array(1);
  private readonly words = new Uint32Array(this.bits.buffer);

  indexOf(time: number): number {
    // + 0 turns -0 into 0, so that equal values hash alike.
    const value = time + 0;
    const mask = this.slots.length - 1;
    for (let slot = this.hash(value) & mask; ; slot = (slot + 1) & mask) {
      const index = this.slots[slot]!;
      if (index < 0) return this.insert(value, slot);
      if (this.keys[index] === value) return index;
    }
  }

  values(): Float64Array {
    return this.keys.slice(0, this.size);
  }

  private insert(value: number, slot: number): number {
    const index = this.size++;
    if (index === this.keys.length) {
      const keys = new Float64Array(2 * this.keys.length);
      keys.set(this.keys);
      this.keys = keys;
    }
    this.keys[index] = value;
    this.slots[slot] = index;
    if (2 * this.size > this.slots.length) this.rehash();
    return index;
  }

  private rehash(): void {
    this.slots = new Int32Array(2 * this.slots.length).fill(-1);
    const mask = this.slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = this.hash(this.keys[index]!) & mask;
      while (this.slots[slot]! >= 0) slot = (slot + 1) & mask;
      this.slots[slot] = index;
    }
  }

  private hash(value: number): number {
    this.bits[0] = value;
    let h = Math.imul(this.words[0]! ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ this.words[1]!, 0xc2b2ae35);
    return (h ^ (h >>> 15)) >>> 0;
  }
}

/**
 * Customers grouped by identical (x, t_x, T). The BG/NBD likelihood and every score depend on
 * a customer only through these three numbers, so a fit over a million customers becomes a fit
 * over their distinct histories (weights = counts), and a score is computed once per group and
 * copied to its members. Groups come out ordered by x, so that terms depending on x alone
 * (lnΓ(r + x), ψ(b + x), ...) are computed once per run of equal x.
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
    throw new RangeError(`x, tx, T${weights ? ' and weights' : ''} must have the same length (got ${n}, ${tx.length}, ${T.length}${weights ? `, ${weights.length}` : ''})`);
  }
  const table = new HistoryTable(n);
  const groupOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const txi = tx[i]!;
    const Ti = T[i]!;
    const problem = historyProblem(xi, txi, Ti);
    if (problem) throw new RangeError(`customer row ${i}: ${problem} (x=${xi}, tx=${txi}, T=${Ti})`);
    const weight = weights ? weights[i]! : 1;
    if (!(weight >= 0 && Number.isFinite(weight))) throw new RangeError(`customer row ${i}: weight must be a finite number ≥ 0 (got ${weight})`);
    groupOf[i] = table.insert(xi, txi, Ti, weight);
  }
  return table.sortedByX(groupOf);
}

function historyProblem(x: number, tx: number, T: number): string | null {
  if (!Number.isInteger(x) || x < 0) return 'x must be a whole number of repeat purchases ≥ 0';
  if (!(T >= 0) || !Number.isFinite(T)) return 'T must be a finite age ≥ 0';
  if (!(tx >= 0 && tx <= T)) return 'tx must lie between 0 and T';
  if (x === 0 && tx !== 0) return 'tx must be 0 for a customer without repeat purchases';
  return null;
}

/** An open-addressing hash table keyed by the bits of (x, tx, T): no string keys, no per-row allocation. */
class HistoryTable {
  private readonly mask: number;
  private readonly slots: Int32Array;
  private readonly bits = new Float64Array(1);
  private readonly words = new Uint32Array(this.bits.buffer);
  private size = 0;
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  readonly weight: Float64Array;

  constructor(capacity: number) {
    let slots = 16;
    while (slots < 2 * capacity) slots *= 2;
    this.mask = slots - 1;
    this.slots = new Int32Array(slots).fill(-1);
    this.x = new Float64Array(capacity);
    this.tx = new Float64Array(capacity);
    this.T = new Float64Array(capacity);
    this.weight = new Float64Array(capacity);
  }

  insert(x: number, tx: number, T: number, weight: number): number {
    let slot = this.hash(x, tx, T) & this.mask;
    for (;;) {
      const group = this.slots[slot]!;
      if (group < 0) {
        const created = this.size++;
        this.slots[slot] = created;
        this.x[created] = x;
        this.tx[created] = tx;
        this.T[created] = T;
        this.weight[created] = weight;
        return created;
      }
      if (this.x[group] === x && this.tx[group] === tx && this.T[group] === T) {
        this.weight[group]! += weight;
        return group;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** The groups reordered by x (a counting sort: x is a small whole number), with groupOf remapped. */
  sortedByX(groupOf: Int32Array): CustomerGroups {
    const count = this.size;
    let maxX = 0;
    for (let g = 0; g < count; g++) maxX = Math.max(maxX, this.x[g]!);
    const start = new Int32Array(maxX + 2);
    for (let g = 0; g < count; g++) start[this.x[g]! + 1]!++;
    for (let v = 1; v < start.length; v++) start[v]! += start[v - 1]!;
    const position = new Int32Array(count);
    const sorted = { count, x: new Float64Array(count), tx: new Float64Array(count), T: new Float64Array(count), weight: new Float64Array(count), groupOf };
    for (let g = 0; g < count; g++) {
      const p = start[this.x[g]!]!++;
      position[g] = p;
      sorted.x[p] = this.x[g]!;
      sorted.tx[p] = this.tx[g]!;
      sorted.T[p] = this.T[g]!;
      sorted.weight[p] = this.weight[g]!;
    }
    for (let i = 0; i < groupOf.length; i++) groupOf[i] = position[groupOf[i]!]!;
    return sorted;
  }

  private hash(x: number, tx: number, T: number): number {
    return this.mix(this.mix(Math.imul(x | 0, 0x9e3779b1), tx), T) >>> 0;
  }

  private mix(h: number, value: number): number {
    // + 0 turns -0 into 0, so that equal values always hash alike.
    this.bits[0] = value + 0;
    h = Math.imul(h ^ this.words[0]!, 0x85ebca6b);
    h = Math.imul(h ^ this.words[1]!, 0xc2b2ae35);
    return h ^ (h >>> 15);
  }
}

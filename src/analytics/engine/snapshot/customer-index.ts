/**
 * Maps customer ids to indexes: a direct table when ids are dense enough, else a Map, plus the
 * customers appended by later refreshes. Immutable once built (`with` makes an extended copy
 * sharing the table), so an older snapshot never sees a later one's customers.
 */
export class CustomerIndex {
  private readonly offset: number;
  private readonly table: Int32Array | null;
  private readonly base: Map<number, number>;
  private readonly extra: Map<number, number>;

  constructor(ids: Float64Array, count: number, shared?: { offset: number; table: Int32Array | null; base: Map<number, number>; extra: Map<number, number> }) {
    if (shared) {
      ({ offset: this.offset, table: this.table, base: this.base, extra: this.extra } = shared);
      return;
    }
    const min = count > 0 ? ids[0]! : 0;
    const max = count > 0 ? ids[count - 1]! : -1;
    this.offset = min;
    this.base = new Map();
    this.extra = new Map();
    const span = max - min + 1;
    if (span <= 4 * count + 65_536) {
      this.table = new Int32Array(Math.max(0, span)).fill(-1);
      for (let i = 0; i < count; i++) this.table[ids[i]! - min] = i;
    } else {
      this.table = null;
      for (let i = 0; i < count; i++) this.base.set(ids[i]!, i);
    }
  }

  get(id: number): number {
    const table = this.table;
    if (table !== null) {
      const slot = id - this.offset;
      if (slot >= 0 && slot < table.length && table[slot] !== -1) return table[slot]!;
    }
    return this.base.get(id) ?? this.extra.get(id) ?? -1;
  }

  /** A copy that also maps `additions` (id → index). */
  with(additions: Iterable<[number, number]>): CustomerIndex {
    const extra = new Map(this.extra);
    for (const [id, index] of additions) extra.set(id, index);
    return new CustomerIndex(new Float64Array(0), 0, { offset: this.offset, table: this.table, base: this.base, extra });
  }
}

import { readInteger, type ByteRows } from './copy-text.ts';
import { CustomerIndex } from './customer-index.ts';
import { EngineLimit } from './money-units.ts';
import { NO_DAY, type PurchaseSnapshot } from './purchase-snapshot.ts';

/**
 * The columns a load fills from the COPY bytes: the customers (CustomerColumns) and their
 * purchases (OrderColumns), which end grouped by customer in day order.
 */

export type Columns = ReturnType<OrderColumns['sorted']>;

export class CustomerColumns implements ByteRows {
  ids = new Float64Array(1 << 16);
  firstEverDay = new Int32Array(1 << 16);
  /** The purchase count of each profile's summary: where its orders will go (see OrderColumns). */
  purchases = new Int32Array(1 << 16);
  count = 0;
  private id = 0;
  private first = NO_DAY;
  private purchaseCount = 0;

  field(bytes: Buffer, from: number, to: number, field: number): void {
    if (field === 0) this.id = readInteger(bytes, from, to);
    else if (field === 1) this.first = readInteger(bytes, from, to);
    else this.purchaseCount = readInteger(bytes, from, to);
  }

  endRow(): void {
    this.append(this.id, this.first, this.purchaseCount);
  }

  append(id: number, firstEverDay: number, purchases = 0): number {
    if (this.count === this.ids.length) {
      this.ids = grow(this.ids, new Float64Array(this.count * 2));
      this.firstEverDay = grow(this.firstEverDay, new Int32Array(this.count * 2));
      this.purchases = grow(this.purchases, new Int32Array(this.count * 2));
    }
    this.ids[this.count] = id;
    this.firstEverDay[this.count] = firstEverDay;
    this.purchases[this.count] = purchases;
    return this.count++;
  }

  index(): CustomerIndex {
    // COPY gives no order without an ORDER BY; ids sort in place (the firstEverDay must follow).
    const order = Array.from({ length: this.count }, (_, i) => i);
    let sorted = true;
    for (let i = 1; i < this.count && sorted; i++) sorted = this.ids[i - 1]! < this.ids[i]!;
    if (!sorted) {
      order.sort((a, b) => this.ids[a]! - this.ids[b]!);
      const ids = new Float64Array(this.ids.length);
      const first = new Int32Array(this.ids.length);
      const purchases = new Int32Array(this.ids.length);
      order.forEach((from, to) => {
        ids[to] = this.ids[from]!;
        first[to] = this.firstEverDay[from]!;
        purchases[to] = this.purchases[from]!;
      });
      this.ids = ids;
      this.firstEverDay = first;
      this.purchases = purchases;
    }
    return new CustomerIndex(this.ids, this.count);
  }
}

function grow<T extends Int32Array | Float64Array>(array: T, next: T): T {
  next.set(array);
  return next;
}

const POWERS = Array.from({ length: 16 }, (_, k) => 10 ** k);

export class OrderColumns implements ByteRows {
  private customer = new Int32Array(1 << 16);
  private day = new Int32Array(1 << 16);
  private amount = new Float64Array(1 << 16);
  private items = new Int32Array(1 << 16);
  private count = 0;
  private scale = 0;
  private row = { customer: 0, day: 0, amount: 0, items: 0 };
  /** Customers met in the orders but not among the profiles read (appended; see `index`). */
  readonly unknown = new Map<number, number>();
  /**
   * Direct placement: every profile keeps its purchase count (the summary writers maintain),
   * so each customer's rows have their final place before the orders arrive, and a row goes
   * there as it is read: no growing arrays, no second copy (fresh memory is what a load at
   * 1,000,000 customers spends most on). A row beyond its customer's count (a summary that
   * disagrees, a profile not read) goes to the growing arrays above, and `sorted` then
   * regroups everything.
   */
  private readonly placed: { start: Int32Array; next: Int32Array; customers: number; day: Int32Array; amount: Float64Array; items: Int32Array };

  constructor(
    private readonly index: CustomerIndex,
    private readonly customers: CustomerColumns,
  ) {
    const n = customers.count;
    const start = new Int32Array(n + 1);
    for (let c = 0; c < n; c++) start[c + 1] = start[c]! + Math.max(0, customers.purchases[c]!);
    const total = start[n]!;
    this.placed = {
      start,
      next: start.slice(0, n),
      customers: n,
      day: new Int32Array(total),
      amount: new Float64Array(total),
      items: new Int32Array(total),
    };
  }

  field(bytes: Buffer, from: number, to: number, field: number): void {
    const row = this.row;
    switch (field) {
      case 0: {
        const id = readInteger(bytes, from, to);
        let index = this.index.get(id);
        // A purchase of a profile whose summary does not know it yet: its first day is its purchases' first.
        if (index === -1) index = this.unknown.get(id) ?? -1;
        if (index === -1) {
          index = this.customers.append(id, NO_DAY);
          this.unknown.set(id, index);
        }
        row.customer = index;
        break;
      }
      case 1:
        row.day = readInteger(bytes, from, to);
        break;
      case 2:
        row.amount = this.readAmount(bytes, from, to);
        break;
      case 3:
        row.items = readInteger(bytes, from, to);
        break;
    }
  }

  endRow(): void {
    const row = this.row;
    const placed = this.placed;
    const c = row.customer;
    if (c < placed.customers && placed.next[c]! < placed.start[c + 1]!) {
      const p = placed.next[c]!++;
      placed.day[p] = row.day;
      placed.amount[p] = row.amount;
      placed.items[p] = row.items;
      return;
    }
    this.append(row.customer, row.day, row.amount, row.items);
  }

  /** A row into the growing arrays. */
  private append(customer: number, day: number, amount: number, items: number): void {
    if (this.count === this.customer.length) {
      const size = this.count * 2;
      this.customer = grow(this.customer, new Int32Array(size));
      this.day = grow(this.day, new Int32Array(size));
      this.amount = grow(this.amount, new Float64Array(size));
      this.items = grow(this.items, new Int32Array(size));
    }
    const i = this.count++;
    this.customer[i] = customer;
    this.day[i] = day;
    this.amount[i] = amount;
    this.items[i] = items;
  }

  /** A numeric's text as a whole number of 10^−scale units; more decimals than so far rescale what was read. */
  private readAmount(bytes: Buffer, from: number, to: number): number {
    let negative = false;
    let i = from;
    if (bytes[i] === 45) {
      negative = true;
      i++;
    }
    let value = 0;
    let decimals = -1;
    for (; i < to; i++) {
      const byte = bytes[i]!;
      if (byte === 46) decimals = 0;
      else {
        value = value * 10 + (byte - 48);
        if (decimals >= 0) decimals++;
      }
    }
    if (decimals > this.scale) {
      if (decimals > 9) throw new EngineLimit(`An amount has ${decimals} decimals; the analytics engine holds at most 9.`);
      const factor = POWERS[decimals - this.scale]!;
      for (let k = 0; k < this.count; k++) this.amount[k]! *= factor;
      const placedAmount = this.placed.amount;
      for (let k = 0; k < placedAmount.length; k++) placedAmount[k]! *= factor;
      this.scale = decimals;
    }
    if (decimals < this.scale) value *= POWERS[this.scale - Math.max(0, decimals)]!;
    if (!Number.isSafeInteger(value))
      throw new EngineLimit(`An amount is too large for exact sums in the analytics engine (${bytes.toString('utf8', from, to)}).`);
    return negative ? -value : value;
  }

  /** Rows grouped by customer (a counting sort), each customer's rows in day order; first-ever days filled in. */
  sorted(): Pick<PurchaseSnapshot, 'customers' | 'purchases' | 'customerIds' | 'firstEverDay' | 'start' | 'day' | 'amount' | 'items' | 'scale'> {
    const placed = this.placed;
    let complete = this.count === 0 && this.customers.count === placed.customers;
    for (let c = 0; c < placed.customers && complete; c++) complete = placed.next[c] === placed.start[c + 1];
    if (complete) return this.inDayOrder(placed.start, placed.day, placed.amount, placed.items);
    // The summaries disagreed with the orders somewhere: the placed rows join the others, and all are grouped again.
    for (let c = 0; c < placed.customers; c++) {
      for (let p = placed.start[c]!; p < placed.next[c]!; p++) this.append(c, placed.day[p]!, placed.amount[p]!, placed.items[p]!);
    }
    const n = this.customers.count;
    const total = this.count;
    const start = new Int32Array(n + 1);
    for (let i = 0; i < total; i++) start[this.customer[i]! + 1]!++;
    for (let c = 0; c < n; c++) start[c + 1]! += start[c]!;
    const next = start.slice(0, n);
    const day = new Int32Array(total);
    const amount = new Float64Array(total);
    const items = new Int32Array(total);
    for (let i = 0; i < total; i++) {
      const p = next[this.customer[i]!]!++;
      day[p] = this.day[i]!;
      amount[p] = this.amount[i]!;
      items[p] = this.items[i]!;
    }
    return this.inDayOrder(start, day, amount, items);
  }

  /** Each customer's rows (grouped) put in day order, in place; first-ever days filled in from the purchases. */
  private inDayOrder(start: Int32Array, day: Int32Array, amount: Float64Array, items: Int32Array) {
    const n = this.customers.count;
    const total = start[n]!;
    const firstEverDay = this.customers.firstEverDay.slice(0, n);
    for (let c = 0; c < n; c++) {
      const from = start[c]!;
      const to = start[c + 1]!;
      // Insertion sort: a customer has a handful of purchases, mostly loaded in order already.
      for (let i = from + 1; i < to; i++) {
        const d = day[i]!;
        if (d >= day[i - 1]!) continue;
        const a = amount[i]!;
        const q = items[i]!;
        let j = i - 1;
        for (; j >= from && day[j]! > d; j--) {
          day[j + 1] = day[j]!;
          amount[j + 1] = amount[j]!;
          items[j + 1] = items[j]!;
        }
        day[j + 1] = d;
        amount[j + 1] = a;
        items[j + 1] = q;
      }
      if (to > from && (firstEverDay[c] === NO_DAY || day[from]! < firstEverDay[c]!)) firstEverDay[c] = day[from]!;
    }
    return {
      customers: n,
      purchases: total,
      customerIds: this.customers.ids.slice(0, n),
      firstEverDay,
      start,
      day,
      amount,
      items,
      scale: this.scale,
    };
  }
}

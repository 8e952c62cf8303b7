import type pg from 'pg';
import { withTransaction } from '../../db/transaction.ts';
import { purchaseCondition } from '../../orders/purchase.ts';
import { compactOrderChanges, customersChangedSince, ordersVersion, type OrdersVersion } from '../../orders/order-changes.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { KizunaError } from '../../shared/errors.ts';
import { firstPurchaseEverSql } from '../repeat-f2.ts';
import { readCopyOut } from './copy-out.ts';
import { localDate } from '../periods.ts';

/**
 * A workspace's purchases held in memory as columns, for the analytics engine: one load from
 * PostgreSQL (two COPY streams in one repeatable-read snapshot, parsed from bytes), then every
 * analysis is a pass over typed arrays instead of a query over 10,000,000 orders.
 *
 * Customers are numbered 0 … n − 1. The purchases of customer c are the rows
 * `start[c] … start[c + 1] − 1`, in day order (a CSR layout: the analyses walk customer by
 * customer without any lookup). Days are local calendar days in the workspace's time zone,
 * as days since 1970-01-01 (`dayNumber`).
 *
 * Money is exact: amounts are held as whole multiples of 10^−scale (scale = the most decimals
 * of any amount loaded, 0 for yen), so sums of up to 2^53 units are exact in a float64; an
 * analysis whose sum would exceed that refuses (EngineLimit, from `unitsToDecimal`) rather than round.
 */
export interface PurchaseSnapshot {
  workspaceId: string;
  timezone: string;
  /** The order-data version loaded (src/orders/order-changes.ts). */
  version: string;
  loadedAt: Date;
  /** Seconds the load took. */
  loadSeconds: number;
  customers: number;
  purchases: number;
  /** Customer id of each customer index. */
  customerIds: Float64Array;
  /**
   * Local day of each customer's first purchase ever (`firstPurchaseEverSql`: the earlier of the
   * customer-since date and the first purchase among the orders); NO_DAY when neither is known.
   */
  firstEverDay: Int32Array;
  /** n + 1 offsets into the purchase columns. */
  start: Int32Array;
  day: Int32Array;
  /** Amount in units of 10^−scale. */
  amount: Float64Array;
  /** Σ quantity. */
  items: Int32Array;
  /** Decimals of the amounts. */
  scale: number;
  /** The index of a customer id, or −1. */
  indexOf(customerId: string | number): number;
  /** Customer id → index, shared by the snapshots of a workspace (later ones may append). */
  index: CustomerIndex;
  /** `pg_current_snapshot()` of the load: which changes it saw (src/orders/order-changes.ts). */
  pgSnapshot: string;
  /** How this snapshot was made: a full load, or the previous one with the changed customers read again. */
  refreshed: 'full' | 'changed_customers';
}

export const NO_DAY = -2_147_483_648;

/**
 * Loads the workspace's purchases (orders neither cancelled nor returned) and its customers'
 * first-purchase days, with the order-data version they correspond to: both read in one
 * repeatable-read transaction, so the data is exactly that version.
 */
export async function loadPurchaseSnapshot(pool: pg.Pool, workspaceId: string, clock: Clock = systemClock): Promise<PurchaseSnapshot> {
  const startedAt = performance.now();
  // Outside the load's repeatable-read transaction, where a concurrent compaction would be a serialization failure.
  await compactOrderChanges(pool, workspaceId);
  return inSnapshotTransaction(pool, async (client) => {
    const { found, pgSnapshot } = await versionOf(client, workspaceId);
    const { columns, index } = await readPurchases(client, workspaceId, found.timezone);
    return snapshotOf({ workspaceId, found, pgSnapshot, startedAt, columns, index, loadedAt: clock.now() });
  });
}

/** Reloading only what changed pays off up to this many customers; beyond, a full load is as quick. */
const MAX_INCREMENTAL_CUSTOMERS = 50_000;

/**
 * The snapshot brought up to the current order-data version. When every change committed
 * since `previous` was loaded names its customers (the ingest API's batches), only those
 * customers' purchases are read again (through the orders' customer index) and spliced into
 * a copy of the columns, which takes milliseconds instead of a full load; otherwise (a bulk
 * import, a new time zone, too many customers) everything is loaded again.
 */
export async function refreshPurchaseSnapshot(pool: pg.Pool, previous: PurchaseSnapshot, clock: Clock = systemClock): Promise<PurchaseSnapshot> {
  const startedAt = performance.now();
  const { workspaceId } = previous;
  const incremental = await inSnapshotTransaction(pool, async (client) => {
    const { found, pgSnapshot } = await versionOf(client, workspaceId);
    if (found.timezone !== previous.timezone) return null;
    const changed = await customersChangedSince(client, workspaceId, previous.pgSnapshot);
    if (changed === null || changed.length > MAX_INCREMENTAL_CUSTOMERS) return null;
    const { columns } = await readPurchases(client, workspaceId, found.timezone, changed);
    const merged = spliceCustomers(previous, changed.map(Number), columns);
    return { ...previous, ...merged, version: found.version, pgSnapshot, loadedAt: clock.now(), loadSeconds: (performance.now() - startedAt) / 1000, refreshed: 'changed_customers' as const };
  });
  return incremental ?? loadPurchaseSnapshot(pool, workspaceId, clock);
}

/** One repeatable-read transaction: the version and the data it reads are one snapshot. */
function inSnapshotTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, work, { isolation: 'repeatable read' });
}

async function versionOf(client: pg.PoolClient, workspaceId: string): Promise<{ found: OrdersVersion; pgSnapshot: string }> {
  const found = await ordersVersion(client, workspaceId);
  if (!found) throw new KizunaError('not_found', `No workspace with id ${workspaceId}.`);
  const { rows } = await client.query<{ snapshot: string }>('select pg_current_snapshot()::text as snapshot');
  return { found, pgSnapshot: rows[0]!.snapshot };
}

type Columns = ReturnType<OrderColumns['sorted']>;

/** The purchases and first days of the workspace's customers, or of `only` these customer ids. */
async function readPurchases(client: pg.PoolClient, workspaceId: string, timezone: string, only?: string[]): Promise<{ columns: Columns; index: CustomerIndex }> {
  const tz = `'${timezone.replaceAll("'", "''")}'`;
  const ws = Number(workspaceId);
  // Ids come from the database's own bigint column; Number() keeps the literal a number.
  const customerFilter = (column: string) => (only ? `and ${column} = any('{${only.map((id) => Number(id)).join(',')}}'::bigint[])` : '');
  const customers = new CustomerColumns();
  await copyRows(client, `copy (select c.id, ${localDate(firstPurchaseEverSql('c'), tz)} - date '1970-01-01', c.purchase_count
                                  from customers c
                                 where c.workspace_id = ${ws} and ${firstPurchaseEverSql('c')} is not null ${customerFilter('c.id')}) to stdout`, customers);
  const index = customers.index();
  const orders = new OrderColumns(index, customers);
  await copyRows(client, `copy (select o.customer_id, ${localDate('o.ordered_at', tz)} - date '1970-01-01', o.amount, o.item_count
                                  from orders o
                                 where o.workspace_id = ${ws} and ${purchaseCondition('o')} ${customerFilter('o.customer_id')}) to stdout`, orders);
  return { columns: orders.sorted(), index: orders.unknown.size > 0 ? index.with(orders.unknown) : index };
}

function snapshotOf(params: { workspaceId: string; found: OrdersVersion; pgSnapshot: string; startedAt: number; columns: Columns; index: CustomerIndex; loadedAt: Date }): PurchaseSnapshot {
  const { workspaceId, found, pgSnapshot, startedAt, columns, index, loadedAt } = params;
  return {
    workspaceId, timezone: found.timezone, version: found.version, pgSnapshot, loadedAt,
    loadSeconds: (performance.now() - startedAt) / 1000, refreshed: 'full',
    ...columns,
    index,
    indexOf(customerId) {
      const id = Number(customerId);
      return Number.isSafeInteger(id) ? this.index.get(id) : -1;
    },
  };
}

/**
 * A copy of `previous` where the customers `changed` have the purchases and first day of
 * `fresh` (a load of those customers only): unchanged customers' rows move in blocks, new
 * customers are appended. Amounts are rescaled when the two loads hold different decimals.
 */
function spliceCustomers(previous: PurchaseSnapshot, changed: number[], fresh: Columns): Columns & { index: CustomerIndex } {
  const scale = Math.max(previous.scale, fresh.scale);
  const oldFactor = 10 ** (scale - previous.scale);
  const freshFactor = 10 ** (scale - fresh.scale);
  const freshIndex = new Map<number, number>();
  for (let i = 0; i < fresh.customers; i++) freshIndex.set(fresh.customerIds[i]!, i);

  // Old indexes of the changed customers already held, in order; the others are appended.
  const touched: number[] = [];
  const appended: number[] = [];
  for (const id of new Set(changed)) {
    const old = previous.indexOf(id);
    if (old >= 0) touched.push(old);
    else if (freshIndex.has(id)) appended.push(id);
  }
  touched.sort((a, b) => a - b);
  const n = previous.customers + appended.length;
  const rowsOfFresh = (id: number) => {
    const i = freshIndex.get(id);
    return i === undefined ? 0 : fresh.start[i + 1]! - fresh.start[i]!;
  };
  let total = previous.purchases;
  for (const old of touched) total += rowsOfFresh(previous.customerIds[old]!) - (previous.start[old + 1]! - previous.start[old]!);
  for (const id of appended) total += rowsOfFresh(id);

  const out = {
    customers: n, purchases: total, scale,
    customerIds: new Float64Array(n), firstEverDay: new Int32Array(n), start: new Int32Array(n + 1),
    day: new Int32Array(total), amount: new Float64Array(total), items: new Int32Array(total),
  };
  out.customerIds.set(previous.customerIds);
  out.firstEverDay.set(previous.firstEverDay);
  let row = 0;
  let customer = 0;
  const copyOld = (until: number) => {
    // Customers [customer, until) are unchanged: one block of rows, offsets shifted.
    const from = previous.start[customer]!;
    const to = previous.start[until]!;
    out.day.set(previous.day.subarray(from, to), row);
    out.items.set(previous.items.subarray(from, to), row);
    if (oldFactor === 1) out.amount.set(previous.amount.subarray(from, to), row);
    else for (let r = from; r < to; r++) out.amount[row + r - from] = previous.amount[r]! * oldFactor;
    for (let c = customer; c < until; c++) out.start[c] = previous.start[c]! - from + row;
    row += to - from;
    customer = until;
  };
  const copyFresh = (target: number, id: number) => {
    out.start[target] = row;
    const i = freshIndex.get(id);
    out.customerIds[target] = id;
    out.firstEverDay[target] = i === undefined ? NO_DAY : fresh.firstEverDay[i]!;
    if (i === undefined) return;
    for (let r = fresh.start[i]!; r < fresh.start[i + 1]!; r++, row++) {
      out.day[row] = fresh.day[r]!;
      out.amount[row] = fresh.amount[r]! * freshFactor;
      out.items[row] = fresh.items[r]!;
    }
  };
  for (const old of touched) {
    copyOld(old);
    copyFresh(old, previous.customerIds[old]!);
    customer = old + 1;
  }
  copyOld(previous.customers);
  appended.forEach((id, k) => copyFresh(previous.customers + k, id));
  out.start[n] = row;
  return { ...out, index: appended.length > 0 ? previous.index.with(appended.map((id, k) => [id, previous.customers + k])) : previous.index };
}

/** A consumer of COPY text rows, fed raw bytes (no per-line strings). */
interface ByteRows {
  /** Called for each field of a row; `field` is its position in the row. */
  field(bytes: Buffer, from: number, to: number, field: number): void;
  endRow(): void;
}

/** Feeds the rows of a COPY to `rows`, field by field, from the bytes (see readCopyOut for a failing consumer). */
async function copyRows(client: pg.PoolClient, sql: string, rows: ByteRows): Promise<void> {
  const reader = new CopyTextReader(rows);
  await readCopyOut(client, sql, (chunk) => reader.push(chunk));
  reader.end();
}

/** Splits COPY text into fields and rows (tab and newline), across chunk boundaries, without making strings. */
class CopyTextReader {
  private carry: Buffer | null = null;

  constructor(private readonly rows: ByteRows) {}

  push(chunk: Buffer): void {
    const rows = this.rows;
    let bytes = chunk;
    if (this.carry) {
      bytes = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    let rowStart = 0;
    let fieldStart = 0;
    let field = 0;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte === 9) {
        rows.field(bytes, fieldStart, i, field++);
        fieldStart = i + 1;
      } else if (byte === 10) {
        rows.field(bytes, fieldStart, i, field);
        rows.endRow();
        field = 0;
        rowStart = fieldStart = i + 1;
      }
    }
    if (rowStart < bytes.length) this.carry = bytes.subarray(rowStart);
  }

  end(): void {
    if (this.carry && this.carry.length > 0) throw new Error('COPY ended inside a row');
  }
}

/** A whole number written in ASCII (an optional minus sign, then digits); \N (null) reads as NO_DAY. */
function readInteger(bytes: Buffer, from: number, to: number): number {
  if (bytes[from] === 92) return NO_DAY;
  let negative = false;
  let i = from;
  if (bytes[i] === 45) {
    negative = true;
    i++;
  }
  let value = 0;
  for (; i < to; i++) value = value * 10 + (bytes[i]! - 48);
  return negative ? -value : value;
}

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

class CustomerColumns implements ByteRows {
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

class OrderColumns implements ByteRows {
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

  constructor(private readonly index: CustomerIndex, private readonly customers: CustomerColumns) {
    const n = customers.count;
    const start = new Int32Array(n + 1);
    for (let c = 0; c < n; c++) start[c + 1] = start[c]! + Math.max(0, customers.purchases[c]!);
    const total = start[n]!;
    this.placed = {
      start, next: start.slice(0, n), customers: n,
      day: new Int32Array(total), amount: new Float64Array(total), items: new Int32Array(total),
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
    if (!Number.isSafeInteger(value)) throw new EngineLimit(`An amount is too large for exact sums in the analytics engine (${bytes.toString('utf8', from, to)}).`);
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
      customers: n, purchases: total, customerIds: this.customers.ids.slice(0, n), firstEverDay,
      start, day, amount, items, scale: this.scale,
    };
  }
}

/**
 * Data the engine cannot hold exactly (an amount with more than 9 decimals, a sum beyond
 * 2^53 units). Callers answer such a request with the SQL implementation instead.
 */
export class EngineLimit extends Error {
  override name = 'EngineLimit';
}

/** An exact sum of 10^−scale units as a decimal string, e.g. (123456, 2) → '1234.56'. */
export function unitsToDecimal(units: number, scale: number): string {
  if (!Number.isSafeInteger(units)) throw new EngineLimit('A sum exceeds the exact range of the analytics engine.');
  if (scale === 0) return String(units);
  const negative = units < 0;
  const digits = String(Math.abs(units)).padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

const purchaseDays = new WeakMap<PurchaseSnapshot, { customer: Int32Array; day: Int32Array; amount: Float64Array; ids: Float64Array }>();

/**
 * The snapshot as the models read purchases (src/analytics/customer-value.ts): the customer
 * index of each row and amounts in currency units. Built once per snapshot.
 */
export function snapshotPurchaseRows(snapshot: PurchaseSnapshot): { customer: Int32Array; day: Int32Array; amount: Float64Array; ids: Float64Array } {
  let rows = purchaseDays.get(snapshot);
  if (!rows) {
    const customer = new Int32Array(snapshot.purchases);
    for (let c = 0; c < snapshot.customers; c++) customer.fill(c, snapshot.start[c]!, snapshot.start[c + 1]!);
    const unit = 10 ** snapshot.scale;
    const amount = new Float64Array(snapshot.purchases);
    for (let r = 0; r < snapshot.purchases; r++) amount[r] = snapshot.amount[r]! / unit;
    rows = { customer, day: snapshot.day, amount, ids: snapshot.customerIds };
    purchaseDays.set(snapshot, rows);
  }
  return rows;
}

/** A decimal string as a whole number of 10^−scale units (inverse of unitsToDecimal); decimals beyond `scale` are cut. */
export function decimalToUnits(text: string, scale: number): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`not a decimal: "${text}"`);
  const units = Number(`${match[2]}${(match[3] ?? '').padEnd(scale, '0').slice(0, scale)}`);
  return match[1] ? -units : units;
}

import type { CustomerIndex } from './customer-index.ts';
import type { Columns } from './purchase-columns.ts';
import { NO_DAY, type PurchaseSnapshot } from './purchase-snapshot.ts';

/**
 * A copy of `previous` where the customers `changed` have the purchases and first day of
 * `fresh` (a load of those customers only): unchanged customers' rows move in blocks, new
 * customers are appended. Amounts are rescaled when the two loads hold different decimals.
 */
export function spliceCustomers(previous: PurchaseSnapshot, changed: number[], fresh: Columns): Columns & { index: CustomerIndex } {
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
    customers: n,
    purchases: total,
    scale,
    customerIds: new Float64Array(n),
    firstEverDay: new Int32Array(n),
    start: new Int32Array(n + 1),
    day: new Int32Array(total),
    amount: new Float64Array(total),
    items: new Int32Array(total),
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
  for (const [k, id] of appended.entries()) copyFresh(previous.customers + k, id);
  out.start[n] = row;
  return { ...out, index: appended.length > 0 ? previous.index.with(appended.map((id, k) => [id, previous.customers + k])) : previous.index };
}

import type { PurchaseSnapshot } from './purchase-snapshot.ts';

const purchaseDays = new WeakMap<PurchaseSnapshot, { customer: Int32Array; day: Int32Array; amount: Float64Array; ids: Float64Array }>();

/**
 * The snapshot as the models read purchases (src/analytics/customer-value/): the customer
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

/**
 * A purchase is an order that is neither cancelled nor returned. Purchase summaries, the
 * lifecycle (a lead becomes a customer with the first purchase) and every analysis count
 * purchases only; this is the one place that says which orders those are.
 *
 * `purchaseCondition('o')` is the SQL test for an order row aliased `o`.
 */
export const NOT_PURCHASE_STATUSES = ['cancelled', 'returned'] as const;

export function purchaseCondition(alias?: string): string {
  const column = alias ? `${alias}.status` : 'status';
  return `${column} not in (${NOT_PURCHASE_STATUSES.map((status) => `'${status}'`).join(', ')})`;
}

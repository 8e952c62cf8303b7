import type pg from 'pg';
import { assertNever, KizunaError } from '../shared/errors.ts';
import { checkComparison, checkPeriod, comparedPeriod, type Comparison, type Period, purchasesSql } from './periods.ts';
import { workspaceTimezone } from './purchases-as-of.ts';
import { firstPurchaseEverSql } from './repeat-f2.ts';
import { changeOf, measureSales, totalsOf, type SalesChange, type SalesTotals } from './sales-decomposition.ts';

/**
 * What a difference splits sales by. Customer attributes: `gender`, `age_band` (age on the
 * period's last day: '<20', '20s' … '60s', '70+', 'unknown'), `prefecture` (the customer's),
 * `attribute` (any key of customers.attributes, its value as text), `cohort` (the local month
 * 'YYYY-MM' of the customer's first purchase ever). Order: `channel`, `place` (the order's
 * prefecture), `store`. Items: `product` (by SKU), `category`.
 */
export type DifferenceDimension =
  | { kind: 'gender' }
  | { kind: 'age_band' }
  | { kind: 'prefecture' }
  | { kind: 'attribute'; key: string }
  | { kind: 'cohort' }
  | { kind: 'product' }
  | { kind: 'category' }
  | { kind: 'channel' }
  | { kind: 'place' }
  | { kind: 'store' };

export const DIMENSION_KINDS = [
  'gender',
  'age_band',
  'prefecture',
  'attribute',
  'cohort',
  'product',
  'category',
  'channel',
  'place',
  'store',
] as const satisfies readonly DifferenceDimension['kind'][];

export interface DifferenceGroup {
  /** The group's value ('female', '30s', '東京都', '2024-03', a SKU, 'web'…); null when not recorded. */
  key: string | null;
  /** The product's name for `product`, else null. */
  name: string | null;
  current: SalesTotals;
  compared: SalesTotals;
  /** (S1g − S0g) ÷ (S1 − S0): the group's share of the change in total sales; null when total sales did not change. */
  contribution: number | null;
  /** The group's own change: sales ratio and difference, each factor's ratio and log share. */
  change: SalesChange;
}

export type GroupOverlap = 'none' | 'customers' | 'customers_and_purchases';

export interface SalesDifference {
  dimension: DifferenceDimension;
  period: Period;
  comparison: Comparison;
  comparedPeriod: Period;
  totals: { current: SalesTotals; compared: SalesTotals; change: SalesChange };
  /**
   * What the groups' sums share. 'none' for customer dimensions: every customer and every
   * purchase of a period is in exactly one group, so every sum adds up to the totals.
   * 'customers' for order dimensions: a customer who bought in two channels is in both, so the
   * groups' customers add up to more than the total (purchases, items and sales add up).
   * 'customers_and_purchases' for `product` and `category`: a purchase also counts in every
   * group it holds items of (items and sales add up).
   */
  overlap: GroupOverlap;
  /** Groups seen in either period, by contribution, largest first (see differenceBy). */
  groups: DifferenceGroup[];
}

/**
 * Splits the change of sales between a period and its compared period (`compare`, default
 * 'previous') by a dimension: each group's totals in both periods, its factors' ratios and
 * log shares, and its contribution to the change, (S1g − S0g) ÷ (S1 − S0), which adds up to 1
 * over the groups. Within a group the identity S = C × F × I × P holds: for products and
 * categories the group's sales and items are its items' Σ quantity × unit price and Σ
 * quantity, its purchases the purchases holding it, its customers those who bought it.
 *
 * Groups are ranked by contribution, largest first, so the groups that drove the change come
 * first and those that moved against it last; when total sales did not change (no
 * contribution), by the size of their own change. Two statements read each period's
 * purchases through the orders' (workspace_id, ordered_at) index: the groups, and the totals.
 *
 * @example
 * const byAge = await differenceBy({ pool, workspaceId, period: { from: '2024-03-01', to: '2024-04-01' }, compare: 'year', dimension: { kind: 'age_band' } });
 * byAge.groups[0]; // { key: '30s', contribution: 0.7, change: { factors: { customers: { ratio: 1.4, share: 0.9 }, … } }, … }
 */
export async function differenceBy(params: {
  pool: pg.Pool;
  workspaceId: string;
  period: Period;
  compare?: Comparison;
  dimension: DifferenceDimension;
}): Promise<SalesDifference> {
  const { pool, workspaceId, period, dimension } = params;
  const comparison = params.compare ?? 'previous';
  checkPeriod(period);
  checkComparison(comparison);
  if (dimension.kind === 'attribute' && dimension.key.trim() === '')
    throw new KizunaError('validation_failed', "An attribute dimension needs the attribute's key.");
  const timezone = await workspaceTimezone(pool, workspaceId);
  const compared = comparedPeriod(period, comparison);
  const [groupRows, measured] = await Promise.all([
    queryGroups({ pool, workspaceId, timezone, period, compared, dimension }),
    measureSales({ pool, workspaceId, timezone, periods: [period, compared] }),
  ]);
  const [current, before] = measured.totals as [SalesTotals, SalesTotals];
  const total = changeOf(before, current);
  const totalDifference = Number(total.salesDifference);
  const groups = groupRows.map((row): DifferenceGroup => {
    const groupCurrent = totalsOf({ sales: row.sales1, customers: row.customers1, purchases: Number(row.purchases1), items: Number(row.items1) });
    const groupBefore = totalsOf({ sales: row.sales0, customers: row.customers0, purchases: Number(row.purchases0), items: Number(row.items0) });
    const change = changeOf(groupBefore, groupCurrent);
    return {
      key: row.key,
      name: row.name,
      current: groupCurrent,
      compared: groupBefore,
      // + 0 turns −0 (an unchanged group when sales fell) into 0.
      contribution: totalDifference === 0 ? null : Number(change.salesDifference) / totalDifference + 0,
      change,
    };
  });
  return {
    dimension,
    period,
    comparison,
    comparedPeriod: compared,
    totals: { current, compared: before, change: total },
    overlap: overlapOf(dimension),
    groups: groups.sort(byContribution),
  };
}

function overlapOf(dimension: DifferenceDimension): GroupOverlap {
  switch (dimension.kind) {
    case 'gender':
    case 'age_band':
    case 'prefecture':
    case 'attribute':
    case 'cohort':
      return 'none';
    case 'channel':
    case 'place':
    case 'store':
      return 'customers';
    case 'product':
    case 'category':
      return 'customers_and_purchases';
    default:
      return assertNever(dimension, 'dimension');
  }
}

function byContribution(a: DifferenceGroup, b: DifferenceGroup): number {
  const size = (group: DifferenceGroup) => group.contribution ?? Math.abs(Number(group.change.salesDifference));
  return size(b) - size(a) || compareKeys(a.key, b.key);
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

interface GroupRow {
  key: string | null;
  name: string | null;
  customers1: number;
  purchases1: string;
  items1: string;
  sales1: string;
  customers0: number;
  purchases0: string;
  items0: string;
  sales0: string;
}

/**
 * One statement: the purchases of both periods (period 1, the analysed one, and 0, the
 * compared one), summed per group and customer, then per group with both periods side by side.
 */
async function queryGroups(params: {
  pool: pg.Pool;
  workspaceId: string;
  timezone: string;
  period: Period;
  compared: Period;
  dimension: DifferenceDimension;
}): Promise<GroupRow[]> {
  const { pool, workspaceId, timezone, period, compared, dimension } = params;
  const values: unknown[] = [workspaceId, timezone, period.from, period.to, compared.from, compared.to];
  if (dimension.kind === 'attribute') values.push(dimension.key);
  const purchases = `select 1 as period, $4::date - 1 as last_day, p.* from ${purchasesSql({ workspaceId: '$1', timezone: '$2', from: '$3', to: '$4' })} p
                     union all
                     select 0, $6::date - 1, p.* from ${purchasesSql({ workspaceId: '$1', timezone: '$2', from: '$5', to: '$6' })} p`;
  const side = (period: 0 | 1) => `count(*) filter (where period = ${period})::int as customers${period},
         coalesce(sum(purchases) filter (where period = ${period}), 0)::text as purchases${period},
         coalesce(sum(items) filter (where period = ${period}), 0)::text as items${period},
         coalesce(sum(sales) filter (where period = ${period}), 0)::text as sales${period}`;
  const name = dimension.kind === 'product' ? '(select pr.name from products pr where pr.workspace_id = $1 and pr.sku = g.key)' : 'null::text';
  const { rows } = await pool.query<GroupRow>(
    `with purchase as (${purchases}),
          by_customer as (${byCustomerSql(dimension)})
     select g.key, ${name} as name, g.customers1, g.purchases1, g.items1, g.sales1, g.customers0, g.purchases0, g.items0, g.sales0
       from (select key, ${side(1)}, ${side(0)} from by_customer group by key) g`,
    values,
  );
  return rows;
}

/**
 * SQL of `by_customer(period, key, customer_id, purchases, items, sales)`: each customer's sums
 * per period and group. A customer's group is read once per period from the customer's
 * profile; an order's from the order; a product's from each item, so a purchase counts once
 * in each group it holds items of.
 */
function byCustomerSql(dimension: DifferenceDimension): string {
  switch (dimension.kind) {
    case 'gender':
    case 'age_band':
    case 'prefecture':
    case 'attribute':
    case 'cohort':
      return `select b.period, ${customerKey(dimension)} as key, b.customer_id, b.purchases, b.items, b.sales
                from (select period, last_day, customer_id, count(*) as purchases, sum(items) as items, sum(amount) as sales
                        from purchase group by period, last_day, customer_id) b
                join customers c on c.id = b.customer_id and c.workspace_id = $1`;
    case 'channel':
    case 'place':
    case 'store': {
      const column = { channel: 'channel', place: 'prefecture', store: 'store' }[dimension.kind];
      return `select period, ${column}::text as key, customer_id, count(*) as purchases, sum(items) as items, sum(amount) as sales
                from purchase group by period, ${column}, customer_id`;
    }
    case 'product':
    case 'category': {
      const column = dimension.kind === 'product' ? 'pr.sku' : 'pr.category';
      return `select period, key, customer_id, count(*) as purchases, sum(items) as items, sum(sales) as sales
                from (select p.period, ${column}::text as key, p.customer_id, p.order_id,
                             sum(i.quantity) as items, sum(i.quantity * i.unit_price) as sales
                        from purchase p
                        join order_items i on i.order_id = p.order_id and i.workspace_id = $1
                        join products pr on pr.id = i.product_id
                       group by p.period, ${column}, p.customer_id, p.order_id) per_order
               group by period, key, customer_id`;
    }
    default:
      return assertNever(dimension, 'dimension');
  }
}

/** SQL of a customer's group (customer `c`, the period's last day `b.last_day`). */
function customerKey(dimension: { kind: 'gender' | 'age_band' | 'prefecture' | 'attribute' | 'cohort' }): string {
  switch (dimension.kind) {
    case 'gender':
      return 'c.gender';
    case 'prefecture':
      return 'c.prefecture';
    case 'attribute':
      return 'c.attributes ->> $7::text';
    case 'cohort':
      return `to_char(${firstPurchaseEverSql('c')} at time zone $2, 'YYYY-MM')`;
    case 'age_band':
      return ageBandSql('c.birth_date', 'b.last_day');
  }
}

/** SQL: '<20', '20s' … '60s', '70+' for the age in whole years on `daySql`; 'unknown' without a birth date (or one after the day). */
function ageBandSql(birthDateSql: string, daySql: string): string {
  const years = `date_part('year', age((${daySql})::timestamp, (${birthDateSql})::timestamp))`;
  return `case when ${birthDateSql} is null or ${birthDateSql} > ${daySql} then 'unknown'
               when ${years} < 20 then '<20'
               when ${years} >= 70 then '70+'
               else (floor(${years} / 10) * 10)::int || 's' end`;
}

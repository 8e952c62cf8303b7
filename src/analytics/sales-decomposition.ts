import type pg from 'pg';
import { z } from 'zod';
import {
  bucketDates,
  bucketsOf,
  checkComparison,
  checkSeries,
  comparedPeriod,
  COMPARISONS,
  GRANULARITIES,
  localBucket,
  purchasesSql,
  type Comparison,
  type Granularity,
  type Period,
} from './periods.ts';
import { workspaceTimezone } from './purchases-as-of.ts';
import { AnalyticsPeriod, Count, Day, Decimal, Quotient } from './result-shapes.ts';

/**
 * Sales decomposition (客数 × 来店回数 × 点数 × 単価): for a period, sales = customers ×
 * frequency × items per purchase × price per item, where
 * - sales = Σ amount of the purchases (orders neither cancelled nor returned) ordered in the
 *   period's local dates, amount = Σ quantity × unit price of the order's items;
 * - customers = distinct customers with ≥ 1 purchase; frequency = purchases ÷ customers;
 *   items per purchase = items ÷ purchases (items = Σ quantity); price per item = sales ÷ items.
 *
 * Numbers: sums of money (`sales`, `salesDifference`) are exact decimal strings, as every
 * amount in Kizuna's API (JPY is integral, other currencies are not, and PostgreSQL sums
 * `numeric` exactly). Counts are integers. Quotients (the factors, ratios and shares) are
 * numbers: no decimal string holds them exactly anyway, and the identity then holds to
 * floating-point rounding. Nothing in a result is NaN or ±Infinity: an undefined quotient is null.
 */
export const SalesTotals = z
  .object({
    sales: Decimal.describe('Σ amount of the purchases'),
    customers: Count.describe('Distinct customers with ≥ 1 purchase'),
    purchases: Count,
    items: Count.describe('Σ quantity'),
    frequency: Quotient.describe('purchases ÷ customers; null without customers'),
    itemsPerPurchase: Quotient.describe('items ÷ purchases; null without purchases'),
    pricePerItem: Quotient.describe('sales ÷ items; null without items'),
  })
  .meta({ id: 'SalesTotals', description: 'sales = customers × frequency × items per purchase × price per item (客数 × 来店回数 × 点数 × 単価)' });
export type SalesTotals = z.infer<typeof SalesTotals>;

export const FACTORS = ['customers', 'frequency', 'itemsPerPurchase', 'pricePerItem'] as const;
export type Factor = (typeof FACTORS)[number];

export const FactorChange = z
  .object({
    ratio: Quotient.describe('f1 ÷ f0; null when either is undefined or f0 is 0'),
    share: Quotient.describe("ln(f1/f0) ÷ ln(S1/S0): the factor's share of the change in sales; the four add up to 1"),
  })
  .meta({ id: 'FactorChange' });
export type FactorChange = z.infer<typeof FactorChange>;

/** Why the log shares are not given: they need sales in both periods, and sales that changed. */
export const UNSHARED_CHANGES = ['no_sales_in_either_period', 'no_sales_in_period', 'no_sales_in_compared_period', 'sales_unchanged'] as const;
export type UnsharedChange = (typeof UNSHARED_CHANGES)[number];

export const SalesChange = z
  .object({
    salesRatio: Quotient.describe('S1 ÷ S0; null when S0 is 0'),
    salesDifference: Decimal.describe('S1 − S0'),
    factors: z.object({ customers: FactorChange, frequency: FactorChange, itemsPerPurchase: FactorChange, pricePerItem: FactorChange }),
    unshared: z
      .object({ reason: z.enum(UNSHARED_CHANGES), message: z.string() })
      .nullable()
      .describe('Null when every share is given; else why the shares (and some ratios) are null'),
  })
  .meta({
    id: 'SalesChange',
    description: "The change from the compared period (0) to the analysed one (1): each factor's ratio and its log share of the change in sales",
  });
export type SalesChange = z.infer<typeof SalesChange>;

export const ComparedSales = z.object({
  comparison: z.enum(COMPARISONS),
  period: AnalyticsPeriod.describe('The compared period'),
  totals: SalesTotals,
  change: SalesChange,
});
export type ComparedSales = z.infer<typeof ComparedSales>;

export const SalesBucket = z.object({
  bucket: Day.describe('First date of the bucket (Monday for weeks, the 1st for months)'),
  period: AnalyticsPeriod.describe("The bucket's dates within the period (the first and last may be cut)"),
  totals: SalesTotals,
});
export type SalesBucket = z.infer<typeof SalesBucket>;

/** The result of decomposeSales (and of the engine's snapshotSales), as the API serialises it. */
export const SalesDecomposition = z
  .object({
    period: AnalyticsPeriod,
    granularity: z.enum(GRANULARITIES),
    totals: SalesTotals,
    series: z.array(SalesBucket).describe('One entry per bucket, in order, empty buckets included'),
    comparisons: z.array(ComparedSales),
  })
  .meta({ id: 'SalesDecomposition' });
export type SalesDecomposition = z.infer<typeof SalesDecomposition>;

/**
 * Decomposes a period's sales into customers × frequency × items per purchase × price per item,
 * per bucket of `granularity`, and compares it with each of `compare` (default: the previous
 * period and the same dates a year earlier; see `comparedPeriod`). One statement reads each
 * period's purchases once through the orders' (workspace_id, ordered_at) index.
 *
 * @example
 * const march = await decomposeSales({ pool, workspaceId, period: { from: '2024-03-01', to: '2024-04-01' }, granularity: 'week' });
 * march.comparisons[1]!.change.factors.customers.share; // e.g. 0.8: customers explain 80 % of the change since March 2023
 */
export async function decomposeSales(params: {
  pool: pg.Pool;
  workspaceId: string;
  period: Period;
  granularity: Granularity;
  compare?: readonly Comparison[];
}): Promise<SalesDecomposition> {
  const { pool, workspaceId, period, granularity } = params;
  const compare = [...new Set(params.compare ?? COMPARISONS)];
  checkSeries(period, granularity);
  compare.forEach(checkComparison);
  const timezone = await workspaceTimezone(pool, workspaceId);
  const compared = compare.map((comparison) => comparedPeriod(period, comparison));
  const measured = await measureSales({ pool, workspaceId, timezone, periods: [period, ...compared], granularity });
  const [totals, ...comparedTotals] = measured.totals as [SalesTotals, ...SalesTotals[]];
  return {
    period,
    granularity,
    totals,
    series: bucketsOf(period, granularity).map((bucket) => ({
      bucket,
      period: bucketDates(bucket, granularity, period),
      totals: measured.series.get(bucket) ?? totalsOf(EMPTY),
    })),
    comparisons: compare.map((comparison, index) => ({
      comparison,
      period: compared[index]!,
      totals: comparedTotals[index]!,
      change: changeOf(comparedTotals[index]!, totals),
    })),
  };
}

/** The raw sums of a period or a group, from which `totalsOf` derives the factors. */
export interface SalesSums {
  sales: string;
  customers: number;
  purchases: number;
  items: number;
}

const EMPTY: SalesSums = { sales: '0', customers: 0, purchases: 0, items: 0 };

/** The factors of a period's sums. Each quotient is null when its denominator is 0. */
export function totalsOf(sums: SalesSums): SalesTotals {
  const { sales, customers, purchases, items } = sums;
  return {
    sales,
    customers,
    purchases,
    items,
    frequency: customers > 0 ? purchases / customers : null,
    itemsPerPurchase: purchases > 0 ? items / purchases : null,
    pricePerItem: items > 0 ? Number(sales) / items : null,
  };
}

/**
 * The change from `before` to `after`: each factor's ratio and its log share of the change in
 * sales. The shares' denominator is Σ ln(ratio) over the four factors, which equals ln(S1/S0)
 * by the identity and makes the shares add up to 1 even when sales barely moved. Whether sales
 * are zero or unchanged is decided on the exact decimals.
 */
export function changeOf(before: SalesTotals, after: SalesTotals): SalesChange {
  const ratioOf = (f0: number | null, f1: number | null) => (f0 !== null && f1 !== null && f0 !== 0 ? f1 / f0 : null);
  const ratios = Object.fromEntries(FACTORS.map((factor) => [factor, ratioOf(before[factor], after[factor])])) as Record<Factor, number | null>;
  const logs = FACTORS.map((factor) => Math.log(ratios[factor] ?? Number.NaN));
  const logSum = logs.reduce((sum, value) => sum + value, 0);
  // A change below floating-point resolution (logSum 0) has no shares either.
  const unshared = unsharedReason(before.sales, after.sales) ?? (logSum === 0 ? 'sales_unchanged' : null);
  const factors = Object.fromEntries(
    FACTORS.map((factor, index) => [
      factor,
      {
        ratio: ratios[factor],
        // + 0 turns −0 (an unchanged factor when sales fell) into 0.
        share: unshared === null ? logs[index]! / logSum + 0 : null,
      },
    ]),
  ) as Record<Factor, FactorChange>;
  return {
    salesRatio: Number(before.sales) !== 0 ? Number(after.sales) / Number(before.sales) : null,
    salesDifference: subtractDecimals(after.sales, before.sales),
    factors,
    unshared: unshared === null ? null : { reason: unshared, message: UNSHARED_MESSAGES[unshared] },
  };
}

const UNSHARED_MESSAGES: Record<UnsharedChange, string> = {
  no_sales_in_either_period: 'Neither period has sales, so there is no change to share out.',
  no_sales_in_period: 'The period has no sales: the change is a fall to zero, which log shares cannot split.',
  no_sales_in_compared_period: 'The compared period has no sales: the change starts from zero, which log shares cannot split.',
  sales_unchanged: "Sales are the same in both periods: the factors' changes cancel out and have no share of a change.",
};

function unsharedReason(before: string, after: string): UnsharedChange | null {
  const zeroBefore = compareDecimals(before, '0') === 0;
  const zeroAfter = compareDecimals(after, '0') === 0;
  if (zeroBefore && zeroAfter) return 'no_sales_in_either_period';
  if (zeroAfter) return 'no_sales_in_period';
  if (zeroBefore) return 'no_sales_in_compared_period';
  return compareDecimals(before, after) === 0 ? 'sales_unchanged' : null;
}

/**
 * The sums of each period and, with a granularity, of each bucket of the first period. Every
 * period is one range scan of the orders' (workspace_id, ordered_at) index; customers are
 * counted once per period and once per bucket by a two-level aggregate (no count(distinct)).
 */
export async function measureSales(params: {
  pool: pg.Pool;
  workspaceId: string;
  timezone: string;
  periods: readonly Period[];
  granularity?: Granularity;
}): Promise<{ totals: SalesTotals[]; series: Map<string, SalesTotals> }> {
  const { pool, workspaceId, timezone, periods, granularity } = params;
  const bucket = granularity ? localBucket('p.ordered_at', '$2', granularity) : 'null::date';
  const scans = periods.map((_, index) => {
    const from = `$${3 + 2 * index}`;
    const to = `$${4 + 2 * index}`;
    return `select ${index} as period, p.customer_id, ${index === 0 ? bucket : 'null::date'} as bucket, p.amount, p.items
              from ${purchasesSql({ workspaceId: '$1', timezone: '$2', from, to })} p`;
  });
  // Per customer first, then per period (and per bucket): customers are counted without
  // count(distinct). Compared periods have no buckets: their per-bucket rows are left out.
  const perBucket = granularity ? 'grouping(bucket) = 0' : 'false';
  const groups = granularity ? 'grouping sets ((period, customer_id), (period, customer_id, bucket))' : 'period, customer_id';
  const { rows } = await pool.query<{
    period: number;
    per_bucket: boolean;
    bucket: string | null;
    customers: number;
    purchases: string;
    items: string;
    sales: string;
  }>(
    `with purchase as (${scans.join('\n union all ')}),
          by_customer as (
            select period, ${granularity ? 'bucket' : 'null::date as bucket'}, ${perBucket} as per_bucket,
                   count(*) as purchases, sum(items) as items, sum(amount) as sales
              from purchase
             group by ${groups})
     select period, per_bucket, bucket::text, count(*)::int as customers, sum(purchases)::text as purchases, sum(items)::text as items, sum(sales)::text as sales
       from by_customer
      where not per_bucket or period = 0
      group by period, per_bucket, bucket`,
    [workspaceId, timezone, ...periods.flatMap((p) => [p.from, p.to])],
  );
  const totals = periods.map(() => totalsOf(EMPTY));
  const series = new Map<string, SalesTotals>();
  for (const row of rows) {
    const measured = totalsOf({ sales: row.sales, customers: row.customers, purchases: Number(row.purchases), items: Number(row.items) });
    if (row.per_bucket && row.bucket !== null) series.set(row.bucket, measured);
    else totals[row.period] = measured;
  }
  return { totals, series };
}

/** A decimal string ('-12.5', '1480') as an integer of units of 10^-scale. */
function scaled(decimal: string, scale: number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match) throw new RangeError(`not a decimal: "${decimal}"`);
  const digits = BigInt(match[2]! + (match[3] ?? '').padEnd(scale, '0'));
  return match[1] ? -digits : digits;
}

function scaleOf(decimal: string): number {
  return decimal.split('.')[1]?.length ?? 0;
}

/** a − b exactly, as a decimal string. */
export function subtractDecimals(a: string, b: string): string {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  const difference = scaled(a, scale) - scaled(b, scale);
  const digits = (difference < 0n ? -difference : difference).toString().padStart(scale + 1, '0');
  const sign = difference < 0n ? '-' : '';
  return scale === 0 ? sign + digits : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** The sign of a − b on exact decimals. */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  const difference = scaled(a, scale) - scaled(b, scale);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

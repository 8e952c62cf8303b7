import type pg from 'pg';
import { z } from 'zod';
import { withTransaction } from '../db/transaction.ts';
import { KizunaError } from '../shared/errors.ts';
import { boardSpans } from './board.ts';
import { checkKpiDefinition, DEFAULT_TOLERANCE, KPI_GRANULARITIES, type KpiDefinition, type KpiGranularity } from './definition.ts';
import { insertKpi, Kpi, lockKpiTree, readKpi } from './store.ts';
import { AnalyticsPeriod } from '../analytics/result-shapes.ts';
import { decomposeSales, FACTORS, SalesTotals, type Factor } from '../analytics/sales-decomposition.ts';
import { requireCalendarDate } from '../analytics/periods.ts';

/**
 * The standard KPI tree from the sales decomposition (客数 × 来店回数 × 点数 × 単価):
 * sales at the root, its four factors below it.
 *
 * Targets of the factors. Sales = customers × frequency × items per purchase × price per item,
 * so for a sales target T against the baseline's sales S0, ln(T ÷ S0) = Σ ln(f ÷ f0) over the
 * four factors. The rule splits the planned change evenly in log terms: each factor's target
 * is its baseline value times (T ÷ S0)^(1/4), so each carries a quarter of the change (the
 * same log shares as the decomposition's change) and the four targets multiply to T, to
 * floating-point rounding (they are stored unrounded). The even split is the neutral start:
 * the decomposition says which factors moved, not which ones the brand's measures will move;
 * the brand then sets the factors it plans for with updateKpi (their product then differs
 * from the sales target, which the board shows as each one's pace).
 *
 * The baseline is the last complete bucket of the granularity as of `asOf` (excluded): on
 * asOf 2024-06-11 with months, May 2024.
 */

/** The names the tree is created with (the console is Japanese first); rename them with updateKpi. */
export const KPI_TREE_NAMES: Record<'sales' | Factor, string> = {
  sales: '売上',
  customers: '客数',
  frequency: '来店回数',
  itemsPerPurchase: '点数',
  pricePerItem: '単価',
};

const FACTOR_METRICS = {
  customers: 'customers',
  frequency: 'frequency',
  itemsPerPurchase: 'items_per_purchase',
  pricePerItem: 'price_per_item',
} as const satisfies Record<Factor, KpiDefinition['metric']['kind']>;

export const KpiTreeBaseline = z
  .object({
    period: AnalyticsPeriod,
    totals: SalesTotals,
  })
  .describe('The last complete bucket before asOf, as decomposed');
export type KpiTreeBaseline = z.infer<typeof KpiTreeBaseline>;

export const SeededKpiTree = z
  .object({
    outcome: z.literal('seeded'),
    baseline: KpiTreeBaseline,
    salesGrowth: z.number().describe("T ÷ S0: the sales target over the baseline's sales"),
    factorGrowth: z.number().describe("(T ÷ S0)^(1/4): every factor's target ÷ its baseline value"),
    root: Kpi,
    children: z.array(Kpi).describe('customers, frequency, items per purchase, price per item, in that order'),
  })
  .meta({ id: 'SeededKpiTree' });
export type SeededKpiTree = z.infer<typeof SeededKpiTree>;

/** The baseline bucket has no sales, so there is no factor to grow from: nothing is created. */
export const NoKpiBaseline = z
  .object({
    outcome: z.literal('no_baseline').describe('The baseline bucket has no sales to split a target from: nothing was created'),
    baseline: KpiTreeBaseline,
    reason: z.string(),
  })
  .meta({ id: 'NoKpiBaseline' });
export type NoKpiBaseline = z.infer<typeof NoKpiBaseline>;

/** What seeding gives: the tree, or why there is none. */
export type KpiTreeSeeding = SeededKpiTree | NoKpiBaseline;

/**
 * Creates the sales KPI (target `salesTarget` per bucket) and its four factors below it, with
 * targets by the rule above, in one transaction. Throws `conflict` when a KPI already has one
 * of the names (KPI_TREE_NAMES), `validation_failed` for a target that is not a positive
 * number, a granularity other than week or month, or an `asOf` that is not a date.
 *
 * @example
 * const tree = await seedKpiTree({ pool, workspaceId, salesTarget: 29_282, granularity: 'month', asOf: '2024-06-11' });
 * // May: 20,000 = 2 customers × 1 × 6 items × 1,666.67 → growth 1.4641 = 1.1⁴ → 2.2 × 1.1 × 6.6 × 1,833.33
 */
export async function seedKpiTree(params: {
  pool: pg.Pool;
  workspaceId: string;
  salesTarget: number;
  granularity: KpiGranularity;
  asOf: string;
}): Promise<KpiTreeSeeding> {
  const { pool, workspaceId, salesTarget, granularity, asOf } = params;
  if (typeof salesTarget !== 'number' || !Number.isFinite(salesTarget) || salesTarget <= 0) {
    throw new KizunaError('validation_failed', `salesTarget must be a number above 0, not ${salesTarget}.`);
  }
  if (!KPI_GRANULARITIES.includes(granularity)) {
    throw new KizunaError('validation_failed', `granularity must be one of ${KPI_GRANULARITIES.join(', ')}, not "${granularity}".`);
  }
  requireCalendarDate(asOf, 'asOf');
  const period = boardSpans(asOf, granularity, 1)
    .filter((span) => span.ended)
    .at(-1)!.period;
  const { totals } = await decomposeSales({ pool, workspaceId, period, granularity, compare: [] });
  const baseline = { period, totals };
  const sales = Number(totals.sales);
  if (sales <= 0 || FACTORS.some((factor) => totals[factor] === null)) {
    return {
      outcome: 'no_baseline',
      baseline,
      reason: `The ${granularity} of ${period.from} has no sales to split a target from: seed the tree as of a date after a ${granularity} with sales.`,
    };
  }
  const salesGrowth = salesTarget / sales;
  const factorGrowth = salesGrowth ** (1 / FACTORS.length);
  const definition = (name: string, metric: KpiDefinition['metric'], target: number, parentId: string | null): KpiDefinition => {
    const checked: KpiDefinition = {
      name,
      metric,
      granularity,
      target,
      targetOverrides: [],
      filters: {},
      direction: 'higher_is_better',
      tolerance: DEFAULT_TOLERANCE,
      parentId,
    };
    checkKpiDefinition(checked);
    return checked;
  };
  const ids = await withTransaction(pool, async (client) => {
    await lockKpiTree(client, workspaceId);
    const rootId = await insertKpi(client, workspaceId, definition(KPI_TREE_NAMES.sales, { kind: 'sales' }, salesTarget, null));
    const childIds: string[] = [];
    for (const factor of FACTORS) {
      const target = totals[factor]! * factorGrowth;
      childIds.push(await insertKpi(client, workspaceId, definition(KPI_TREE_NAMES[factor], { kind: FACTOR_METRICS[factor] }, target, rootId)));
    }
    return { rootId, childIds };
  });
  return {
    outcome: 'seeded',
    baseline,
    salesGrowth,
    factorGrowth,
    root: await readKpi({ pool, workspaceId, kpiId: ids.rootId }),
    children: await Promise.all(ids.childIds.map((kpiId) => readKpi({ pool, workspaceId, kpiId }))),
  };
}

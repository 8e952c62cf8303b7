import type pg from 'pg';
import { z } from 'zod';
import type { BgNbdFit } from '../clv/bg-nbd.ts';
import type { TimeUnit } from '../clv/clv.ts';
import type { GammaGammaFit } from '../clv/gamma-gamma.ts';
import { KizunaError } from '../../shared/errors.ts';
import { checkPageSize } from '../periods.ts';
import { Count, pageOf } from '../result-shapes.ts';
import { CustomerValueRun, type CustomerValueResults } from './terms.ts';

/** A customer's scores in the last run. */
export const StoredCustomerValue = z
  .object({
    customerId: z.string(),
    externalId: z.string(),
    name: z.string().nullable(),
    repeatPurchases: Count.describe('Purchase days after the first, by the end of calibration'),
    probabilityAlive: z.number().describe('P(alive) at the end of calibration'),
    expectedPurchases: z.number().describe('Expected purchases over the horizon'),
    expectedSpend: z.number().describe('Expected spend per purchase'),
    clv: z.number().describe('Expected purchases × spend × margin over the horizon, discounted'),
    margin: z.number().describe('The margin of the run this CLV was computed with (share of spend kept as profit)'),
  })
  .meta({ id: 'CustomerValue' });
export type StoredCustomerValue = z.infer<typeof StoredCustomerValue>;

export const CustomerValuePage = z.object(pageOf(StoredCustomerValue)).meta({ id: 'CustomerValuePage' });
export type CustomerValuePage = z.infer<typeof CustomerValuePage>;

/** The last run as stored: a run stored before the results beside the fits were kept has them null. */
export const StoredCustomerValueRun = CustomerValueRun.extend({
  repeatCustomers: CustomerValueRun.shape.repeatCustomers.nullable(),
  totalClv: CustomerValueRun.shape.totalClv.nullable(),
  clv: CustomerValueRun.shape.clv.nullable(),
  probabilityAlive: CustomerValueRun.shape.probabilityAlive.nullable(),
  spendModel: CustomerValueRun.shape.spendModel.nullable(),
  dataEndsOn: CustomerValueRun.shape.dataEndsOn,
  marginSource: CustomerValueRun.shape.marginSource.nullable(),
}).meta({
  id: 'StoredCustomerValueRun',
  description: 'The last run as stored; the figures beyond the fits are null for a run stored by a version of Kizuna that did not keep them',
});
export type StoredCustomerValueRun = z.infer<typeof StoredCustomerValueRun>;

/** The workspace's last run (terms, fits, distributions and holdout check), or null when none was made. */
export async function readCustomerValueRun(params: { pool: pg.Pool; workspaceId: string }): Promise<StoredCustomerValueRun | null> {
  const { rows } = await params.pool.query<{
    calibration_end: string;
    unit: TimeUnit;
    horizon_months: number;
    margin: string;
    discount_rate: string;
    bg_nbd: BgNbdFit;
    gamma_gamma: GammaGammaFit;
    customers: number;
    results: CustomerValueResults | null;
    computed_at: Date;
  }>('select * from customer_value_runs where workspace_id = $1', [params.workspaceId]);
  const row = rows[0];
  if (!row) return null;
  const stored: Partial<CustomerValueResults> = row.results ?? {};
  const results = {
    repeatCustomers: stored.repeatCustomers ?? null,
    totalClv: stored.totalClv ?? null,
    clv: stored.clv ?? null,
    probabilityAlive: stored.probabilityAlive ?? null,
    holdout: stored.holdout ?? null,
    spendModel: stored.spendModel ?? null,
    dataEndsOn: stored.dataEndsOn ?? null,
    marginSource: stored.marginSource ?? null,
  };
  return {
    calibrationEnd: row.calibration_end,
    unit: row.unit,
    horizonMonths: row.horizon_months,
    margin: Number(row.margin),
    discountRate: Number(row.discount_rate),
    bgNbd: row.bg_nbd,
    gammaGamma: row.gamma_gamma,
    customers: row.customers,
    computedAt: row.computed_at,
    ...results,
  };
}

/** One customer's scores from the last run; null when there is no run or the customer had no purchase by its calibration end. */
export async function customerValueOf(params: { pool: pg.Pool; workspaceId: string; customerId: string }): Promise<StoredCustomerValue | null> {
  const rows = await selectValues(params.pool, 'v.workspace_id = $1 and v.customer_id = $2', [params.workspaceId, params.customerId], 1);
  return rows[0] ?? null;
}

/** Customers by predicted value, highest first, with keyset paging (cursor: the last item's `clv:customerId`). */
export async function listCustomerValues(params: { pool: pg.Pool; workspaceId: string; limit: number; cursor?: string }): Promise<CustomerValuePage> {
  const { pool, workspaceId, limit, cursor } = params;
  checkPageSize(limit);
  const after = cursor === undefined ? null : decodeCursor(cursor);
  const rows = await selectValues(
    pool,
    `v.workspace_id = $1 and ($2::float8 is null or (v.clv, v.customer_id) < ($2::float8, $3::bigint))`,
    [workspaceId, after?.clv ?? null, after?.customerId ?? null],
    limit + 1,
  );
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? `${last.clv}:${last.customerId}` : null };
}

function decodeCursor(cursor: string): { clv: number; customerId: string } {
  const match = /^(-?[\d.e+-]+):(\d+)$/.exec(cursor);
  if (!match || Number.isNaN(Number(match[1]))) throw new KizunaError('bad_request', `Not a cursor of this list: "${cursor}".`);
  return { clv: Number(match[1]), customerId: match[2]! };
}

async function selectValues(pool: pg.Pool, where: string, values: unknown[], limit: number): Promise<StoredCustomerValue[]> {
  const { rows } = await pool.query<{
    customer_id: string;
    external_id: string;
    name: string | null;
    repeat_purchases: number;
    probability_alive: number;
    expected_purchases: number;
    expected_spend: number;
    clv: number;
    margin: string;
  }>(
    `select v.customer_id, c.external_id, c.name, v.repeat_purchases, v.probability_alive, v.expected_purchases, v.expected_spend, v.clv, r.margin
       from customer_values v join customers c on c.id = v.customer_id join customer_value_runs r on r.workspace_id = v.workspace_id
      where ${where}
      order by v.clv desc, v.customer_id desc
      limit ${Number(limit)}`,
    values,
  );
  return rows.map((row) => ({
    customerId: row.customer_id,
    externalId: row.external_id,
    name: row.name,
    repeatPurchases: row.repeat_purchases,
    probabilityAlive: row.probability_alive,
    expectedPurchases: row.expected_purchases,
    expectedSpend: row.expected_spend,
    clv: row.clv,
    margin: Number(row.margin),
  }));
}

import type pg from 'pg';
import { readContactRules } from '../governance/rules-store.ts';
import { KizunaError } from '../shared/errors.ts';
import { localDateOf, zonedTimeToUtc } from '../shared/time.ts';
import { BUCKETS } from './assignment.ts';
import { capAtPercentile, newcombeDifference, summarize, welchInterval } from './stats.ts';
import { CONFIDENCE, REVENUE_CAP_PERCENTILE } from './uplift.ts';

/**
 * The total effect of CRM: the global control group (no marketing contact at all) against every
 * other customer, over a period of local days. Customers who existed before the period began
 * are compared — purchase rate (a difference of proportions, Newcombe's interval) and revenue
 * per customer (capped at the pooled 99.9th percentile, Welch's interval) in the period. The
 * membership is the same hash the runtime uses (assignment.ts), computed here in SQL:
 * SHA-256("global:<workspace>:<customer>"), its first 32 bits modulo 10,000.
 */

export interface GlobalControlReport {
  percent: number;
  from: string;
  to: string;
  control: { customers: number; buyers: number; revenuePerCustomer: number | null };
  rest: { customers: number; buyers: number; revenuePerCustomer: number | null };
  purchase: { difference: number; low: number; high: number } | null;
  revenue: { difference: number; low: number; high: number; cap: number } | null;
  /** The incremental revenue of CRM in the period: the difference × the contacted customers. */
  incrementalRevenue: number | null;
}

export async function measureGlobalControl(
  pool: pg.Pool,
  params: { workspaceId: string; from?: string | undefined; to?: string | undefined; now: Date },
): Promise<GlobalControlReport> {
  const { rules, workspaceTimezone: timezone } = await readContactRules(pool, params.workspaceId);
  const yesterday = localDateOf(new Date(params.now.getTime() - 86_400_000), timezone);
  const to = params.to ?? yesterday;
  const from = params.from ?? localDateOf(new Date(Date.parse(`${to}T00:00:00Z`) - 89 * 86_400_000), 'UTC');
  if (from > to) throw new KizunaError('validation_failed', `The period starts (${from}) after it ends (${to}).`);
  const start = startOf(from, timezone);
  const end = startOf(localDateOf(new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000), 'UTC'), timezone);
  const percent = rules.globalControlPercent;
  const empty = { customers: 0, buyers: 0, revenuePerCustomer: null };
  if (percent === 0) return { percent, from, to, control: empty, rest: empty, purchase: null, revenue: null, incrementalRevenue: null };
  const { rows } = await pool.query<{ control: boolean; revenue: number }>(
    `select ((('x' || encode(substr(sha256(convert_to('global:' || $1::bigint::text || ':' || c.id::text, 'UTF8')), 1, 4), 'hex'))::bit(32)::bigint) % $4) < $5 as control,
            coalesce((select sum(o.amount) from orders o
                       where o.workspace_id = $1 and o.customer_id = c.id and o.ordered_at >= $2 and o.ordered_at < $3
                         and o.status not in ('cancelled', 'returned')), 0)::float8 as revenue
       from customers c where c.workspace_id = $1 and c.created_at < $2`,
    [params.workspaceId, start, end, BUCKETS, percent * (BUCKETS / 100)],
  );
  if (rows.length === 0) return { percent, from, to, control: empty, rest: empty, purchase: null, revenue: null, incrementalRevenue: null };
  const capped = capAtPercentile(
    Float64Array.from(rows, (row) => row.revenue),
    REVENUE_CAP_PERCENTILE,
  );
  const control = rows.map((row, i) => (row.control ? i : -1)).filter((i) => i >= 0);
  const rest = rows.map((row, i) => (row.control ? -1 : i)).filter((i) => i >= 0);
  const figures = (indexes: number[]) => ({
    customers: indexes.length,
    buyers: indexes.filter((i) => rows[i]!.revenue > 0).length,
    revenuePerCustomer: indexes.length > 0 ? summarize(Float64Array.from(indexes, (i) => capped.values[i]!)).mean : null,
  });
  const c = figures(control);
  const r = figures(rest);
  const purchase =
    c.customers > 0 && r.customers > 0
      ? newcombeDifference({ successes: r.buyers, n: r.customers }, { successes: c.buyers, n: c.customers }, CONFIDENCE)
      : null;
  const revenue =
    control.length >= 2 && rest.length >= 2
      ? welchInterval(
          Float64Array.from(rest, (i) => capped.values[i]!),
          Float64Array.from(control, (i) => capped.values[i]!),
          CONFIDENCE,
        )
      : null;
  return {
    percent,
    from,
    to,
    control: c,
    rest: r,
    purchase: purchase ? { difference: purchase.difference, low: purchase.low, high: purchase.high } : null,
    revenue: revenue ? { difference: revenue.difference, low: revenue.low, high: revenue.high, cap: capped.cap } : null,
    incrementalRevenue: revenue ? revenue.difference * r.customers : null,
  };
}

function startOf(date: string, timezone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return zonedTimeToUtc(year, month, day, 0, 0, 0, 0, timezone);
}

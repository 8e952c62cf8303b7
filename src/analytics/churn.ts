import type pg from 'pg';
import { z } from 'zod';
import { KizunaError } from '../shared/errors.ts';
import { addDays, checkPageSize, dayNumber, localDayStart, purchasesSql, requireCalendarDate } from './periods.ts';
import { customerPurchasesAsOfSql, workspaceTimezone } from './purchases-as-of.ts';
import { Count, Day, Decimal, pageOf, Quotient } from './result-shapes.ts';
import { churnWindowProblem, readAnalyticsSettings } from './settings.ts';

/**
 * Churned customers (離反). At date d with window w, a customer is churned when they have a
 * purchase before d and their last purchase is more than w days before d: the local day of
 * the last purchase is before d − w. Exactly w days of silence is not churned yet; w + 1 is.
 */

/** The gaps, in days, between consecutive purchase days of the same customer. */
export const InterPurchaseIntervals = z
  .object({
    count: Count.describe('Gaps seen: a customer with n purchase days gives n − 1'),
    median: Quotient,
    p80: Quotient,
    p90: Quotient,
  })
  .describe('The gaps in days between consecutive purchase days of the same customer; percentiles by linear interpolation, null without gaps');
export type InterPurchaseIntervals = z.infer<typeof InterPurchaseIntervals>;

export const ChurnWindowProposal = z
  .object({
    days: z.number().int().nullable().describe('The proposed window: the 90th percentile of the gaps, rounded up; null when no customer bought on two days'),
    intervals: InterPurchaseIntervals,
  })
  .meta({ id: 'ChurnWindowProposal' });
export type ChurnWindowProposal = z.infer<typeof ChurnWindowProposal>;

/**
 * Proposes a churn window from the brand's own inter-purchase intervals: the 90th percentile
 * of the gaps in days between consecutive purchase days of the same customer, rounded up
 * to whole days. Purchases before `asOf` only, when given (so a past date gets the window
 * it would have been proposed then).
 *
 * Why p90: of the returns the brand has seen, nine in ten came within this many days, so a
 * customer silent for longer is past the point where returning customers usually come back,
 * and calling them churned is premature for about one in ten of those who will still return.
 * The observed gaps are only the completed ones (a customer still between purchases gives
 * none), which biases them short; a high percentile rather than the median or p80 makes up
 * for part of that. Gaps are counted between purchase *days* in the workspace's time zone:
 * two orders on one day (a split basket) are one visit, not a gap of 0 that would pull the
 * distribution down.
 *
 * One pass over the purchases: group by (customer, local day), the previous day by a window
 * over the same order, and a histogram of the gaps (a few hundred distinct values), from
 * which the percentiles are computed exactly instead of sorting every gap.
 */
export async function proposeChurnWindow(params: { pool: pg.Pool; workspaceId: string; asOf?: string }): Promise<ChurnWindowProposal> {
  const { pool, workspaceId, asOf } = params;
  if (asOf !== undefined) requireCalendarDate(asOf, 'asOf');
  const timezone = await workspaceTimezone(pool, workspaceId);
  const purchases = purchasesSql({ workspaceId: '$1', timezone: '$2', ...(asOf === undefined ? {} : { to: '$3' }) });
  const { rows: histogram } = await pool.query<{ days: number; gaps: number }>(
    `with purchase_days as (
       select p.customer_id, p.local_day from ${purchases} p group by p.customer_id, p.local_day
     ), gaps as (
       select local_day - lag(local_day) over (partition by customer_id order by local_day) as days from purchase_days
     )
     select days, count(*)::int as gaps from gaps where days is not null group by days order by days`,
    asOf === undefined ? [workspaceId, timezone] : [workspaceId, timezone, asOf],
  );
  return proposalFromGaps(histogram);
}

/** The proposal from a histogram of gaps between purchase days (sorted by days). */
export function proposalFromGaps(histogram: readonly { days: number; gaps: number }[]): ChurnWindowProposal {
  const count = histogram.reduce((sum, bin) => sum + bin.gaps, 0);
  if (count === 0) return { days: null, intervals: { count, median: null, p80: null, p90: null } };
  const [median, p80, p90] = [50, 80, 90].map((percent) => percentileInHundredths(histogram, count, percent)) as [number, number, number];
  // Hundredths are whole numbers, so rounding up is exact: 2,700 → 27 days, 4,860 → 49.
  return { days: Math.ceil(p90 / 100), intervals: { count, median: median / 100, p80: p80 / 100, p90: p90 / 100 } };
}

/**
 * The `percent`-th percentile of `count` values given as a sorted histogram, by linear
 * interpolation between closest ranks (as PostgreSQL's percentile_cont and numpy's default):
 * at position percent/100 · (count − 1). Whole-day values make it a whole number of
 * hundredths, computed in integers, so no floating-point residue (27.000000000000004)
 * can round a window up by a day.
 */
function percentileInHundredths(histogram: readonly { days: number; gaps: number }[], count: number, percent: number): number {
  const position = percent * (count - 1);
  const index = Math.floor(position / 100);
  const remainder = position % 100;
  const valueAt = (rank: number) => {
    let seen = 0;
    for (const bin of histogram) {
      seen += bin.gaps;
      if (rank < seen) return bin.days;
    }
    return histogram.at(-1)!.days;
  };
  const lower = valueAt(index);
  return 100 * lower + (remainder === 0 ? 0 : remainder * (valueAt(index + 1) - lower));
}

/** Where the window of a churn list came from. */
export const CHURN_WINDOW_SOURCES = ['given', 'setting', 'proposal'] as const;
export type ChurnWindowSource = (typeof CHURN_WINDOW_SOURCES)[number];

export const ChurnedCustomer = z
  .object({
    customerId: z.string(),
    externalId: z.string(),
    name: z.string().nullable(),
    lastPurchaseAt: z.date(),
    lastPurchaseDay: Day,
    daysSince: z.number().int().describe('Days from the last purchase day to asOf (> the window)'),
    churnedOn: Day.describe('The first date on which they count as churned: last purchase day + window + 1'),
    purchases: Count.describe('Purchases before asOf'),
    totalSpent: Decimal.describe("Σ amount of those purchases: the customer's value"),
  })
  .meta({ id: 'ChurnedCustomer' });
export type ChurnedCustomer = z.infer<typeof ChurnedCustomer>;

/** The result of listChurned (and of the engine's snapshotChurned), as the API serialises it. */
export const ChurnList = z
  .discriminatedUnion('outcome', [
    z.object({
      outcome: z.literal('listed'),
      asOf: Day,
      window: z.object({ days: z.number().int(), source: z.enum(CHURN_WINDOW_SOURCES).describe('Where the window came from') }),
      customers: Count.describe('Customers with a purchase before asOf: the base the rate is a share of'),
      churned: Count.describe('Churned customers, all pages together'),
      churnRate: Quotient.describe('churned ÷ customers; null when nobody had bought yet'),
      ...pageOf(ChurnedCustomer),
    }),
    z.object({
      outcome: z.literal('no_window').describe('No window was given or set, and none can be proposed: no customer has bought on two days yet'),
      asOf: Day,
      proposal: ChurnWindowProposal,
    }),
  ])
  .meta({ id: 'ChurnList' });
export type ChurnList = z.infer<typeof ChurnList>;

/**
 * The churned customers at `asOf` (a local date; purchases before it count), most valuable
 * first, one page at a time with keyset paging on (total spent desc, customer id), with the
 * total count and the churn rate. The window is `window` when given, else the workspace's
 * setting, else the proposal from the intervals before `asOf`.
 *
 *   const page = await listChurned({ pool, workspaceId, asOf: '2024-07-01', limit: 50 });
 *
 * One statement over the customers' purchases as of `asOf` (customerPurchasesAsOfSql): the
 * counts and the page come from the same summary, so they always agree.
 */
export async function listChurned(params: {
  pool: pg.Pool;
  workspaceId: string;
  asOf: string;
  window?: number;
  limit: number;
  cursor?: string;
}): Promise<ChurnList> {
  const { pool, workspaceId, asOf, limit } = params;
  const after = checkChurnPage(params);
  const resolved = await resolveChurnWindow({ pool, workspaceId, asOf, window: params.window });
  if (resolved.outcome === 'no_window') return resolved;
  const { window } = resolved;
  const timezone = await workspaceTimezone(pool, workspaceId);
  const purchases = customerPurchasesAsOfSql({ workspaceId: '$1', timezone: '$2', asOf: '$3' });
  // Churned ⇔ local day of the last purchase < asOf − window ⇔ last purchase before the start of that day.
  const { rows } = await pool.query<{
    customers: number;
    churned: number;
    id: string | null;
    external_id: string;
    name: string | null;
    last_at: Date;
    last_day: string;
    purchases: number;
    total: string;
  }>(
    `with bought as materialized (select customer_id, purchases, total, last_at, last_day from ${purchases} s),
     counts as (
       select count(*)::int as customers,
              count(*) filter (where last_at < ${localDayStart('$3::date - $4::int', '$2')})::int as churned
         from bought)
     select counts.customers, counts.churned, page.*
       from counts left join lateral (
         select c.id, c.external_id, c.name, b.last_at, b.last_day::text, b.purchases, b.total
           from bought b join customers c on c.id = b.customer_id
          where b.last_at < ${localDayStart('$3::date - $4::int', '$2')}
            and ($5::numeric is null or b.total < $5::numeric or (b.total = $5::numeric and b.customer_id > $6::bigint))
          order by b.total desc, b.customer_id
          limit $7) page on true`,
    [workspaceId, timezone, asOf, window.days, after?.total ?? null, after?.customerId ?? null, limit + 1],
  );
  const { customers, churned } = rows[0]!;
  const items = rows.filter((row) => row.id !== null).map((row) => churnedCustomer(row, asOf, window.days));
  const page = items.slice(0, limit);
  const last = page.at(-1);
  return {
    outcome: 'listed',
    asOf,
    window,
    customers,
    churned,
    churnRate: customers === 0 ? null : churned / customers,
    items: page,
    nextCursor: items.length > limit && last ? encodeChurnCursor(last.totalSpent, last.customerId) : null,
  };
}

/**
 * The window of a churn list: `window` when given, else the workspace's setting, else the
 * proposal (`propose`, by default proposeChurnWindow as of `asOf`).
 */
export async function resolveChurnWindow(params: {
  pool: pg.Pool;
  workspaceId: string;
  asOf: string;
  window: number | undefined;
  propose?: () => Promise<ChurnWindowProposal> | ChurnWindowProposal;
}): Promise<{ outcome: 'resolved'; window: { days: number; source: ChurnWindowSource } } | Extract<ChurnList, { outcome: 'no_window' }>> {
  const { pool, workspaceId, asOf, window } = params;
  if (window !== undefined) {
    const problem = churnWindowProblem(window);
    if (problem) throw new KizunaError('validation_failed', problem);
    return { outcome: 'resolved', window: { days: window, source: 'given' } };
  }
  const { churnWindowDays } = await readAnalyticsSettings({ pool, workspaceId });
  if (churnWindowDays !== null) return { outcome: 'resolved', window: { days: churnWindowDays, source: 'setting' } };
  const proposal = await (params.propose ? params.propose() : proposeChurnWindow({ pool, workspaceId, asOf }));
  if (proposal.days === null) return { outcome: 'no_window', asOf, proposal };
  return { outcome: 'resolved', window: { days: proposal.days, source: 'proposal' } };
}

export function churnedCustomer(
  row: { id: string | null; external_id: string; name: string | null; last_at: Date; last_day: string; purchases: number; total: string },
  asOf: string,
  windowDays: number,
): ChurnedCustomer {
  const daysSince = dayNumber(asOf) - dayNumber(row.last_day);
  return {
    customerId: row.id!,
    externalId: row.external_id,
    name: row.name,
    lastPurchaseAt: row.last_at,
    lastPurchaseDay: row.last_day,
    daysSince,
    churnedOn: addDays(row.last_day, windowDays + 1),
    purchases: row.purchases,
    totalSpent: row.total,
  };
}

export function encodeChurnCursor(total: string, customerId: string): string {
  return Buffer.from(JSON.stringify([total, customerId])).toString('base64url');
}

/** Throws unless asOf is a date, limit a page size (checkPageSize) and the cursor (if any) one of ours; the cursor decoded. */
export function checkChurnPage(params: { asOf: string; limit: number; cursor?: string }): { total: string; customerId: string } | undefined {
  requireCalendarDate(params.asOf, 'asOf');
  checkPageSize(params.limit);
  return params.cursor === undefined ? undefined : decodeChurnCursor(params.cursor);
}

function decodeChurnCursor(cursor: string): { total: string; customerId: string } {
  try {
    const [total, customerId] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (typeof total !== 'string' || !/^-?\d+(\.\d+)?$/.test(total) || typeof customerId !== 'string' || !/^\d+$/.test(customerId)) {
      throw new Error('bad cursor');
    }
    return { total, customerId };
  } catch {
    throw new KizunaError('bad_request', 'The churn list cursor is not valid; start again from the first page.');
  }
}

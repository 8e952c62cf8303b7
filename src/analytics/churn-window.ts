import type pg from 'pg';
import { z } from 'zod';
import { KizunaError } from '../shared/errors.ts';
import { purchasesSql, requireCalendarDate } from './periods.ts';
import { workspaceTimezone } from './purchases-as-of.ts';
import { Count, Quotient } from './result-shapes.ts';
import { churnWindowProblem, readAnalyticsSettings } from './settings.ts';
import { hadSubscriptionSql } from './subscription-status.ts';

/**
 * The churn window (離反の判定日数): the days without a purchase after which a customer who has
 * no subscription in force counts as churned. Given with a request, else the workspace's
 * setting, else proposed from the brand's own purchase gaps (this file).
 */

/** Fewer gaps than this among the customers without a subscription, and the proposal uses every customer's. */
export const MIN_POPULATION_GAPS = 30;
/** Bins of the gap histogram. */
export const GAP_HISTOGRAM_BINS = 20;

/** The gaps, in days, between consecutive purchase days of the same customer. */
export const InterPurchaseIntervals = z
  .object({
    count: Count.describe('Gaps seen: a customer with n purchase days gives n − 1'),
    median: Quotient.describe('p50'),
    p75: Quotient,
    p80: Quotient,
    p90: Quotient,
    p95: Quotient,
    histogram: z
      .object({
        width: z.number().int().min(1).describe('Days per bin: ⌈p95 ÷ 19⌉, at least 1'),
        counts: z
          .array(Count)
          .describe('20 bins: counts[i] gaps of i·width + 1 … (i + 1)·width days; the last bin also holds the longer ones. Empty without gaps'),
      })
      .describe('The distribution of the gaps'),
  })
  .describe('The gaps in days between consecutive purchase days of the same customer; percentiles by linear interpolation, null without gaps');
export type InterPurchaseIntervals = z.infer<typeof InterPurchaseIntervals>;

/** Why the proposal uses the population it uses. */
export const PROPOSAL_REASONS = ['subscribers_left_out', 'no_subscribers', 'too_few_gaps'] as const;
export type ProposalReason = (typeof PROPOSAL_REASONS)[number];

export const ChurnWindowProposal = z
  .object({
    days: z
      .number()
      .int()
      .nullable()
      .describe('The proposed window: the 90th percentile of the gaps, rounded up; null when no customer of the population bought on two days'),
    population: z
      .object({
        kind: z.enum(['non_subscribers', 'all_customers']).describe('Whose purchase gaps the proposal reads'),
        reason: z
          .enum(PROPOSAL_REASONS)
          .describe(
            `subscribers_left_out: the customers who never had a subscription (by asOf): a subscriber's gaps follow the delivery cycle, not the time after which a customer who chooses when to buy is gone (and a subscriber in force is never churned). no_subscribers: nobody had a subscription, so every customer. too_few_gaps: the customers without a subscription gave fewer than ${MIN_POPULATION_GAPS} gaps, too few for a 90th percentile, so every customer's gaps are read instead (subscribers' included).`,
          ),
        customers: Count.describe('Customers of the population with a purchase before asOf'),
        subscribers: Count.describe(
          'Customers with a purchase before asOf who had a subscription by asOf (left out of the population when kind is non_subscribers)',
        ),
        minimumGaps: z.number().int().describe('The fewest gaps of customers without a subscription the proposal reads them alone'),
      })
      .describe('The customers whose gaps the window is proposed from, and why'),
    intervals: InterPurchaseIntervals,
  })
  .meta({ id: 'ChurnWindowProposal' });
export type ChurnWindowProposal = z.infer<typeof ChurnWindowProposal>;

/** A histogram of gaps (days, sorted) with its population's figures: what both implementations count. */
export interface GapCounts {
  /** Gaps between purchase days of customers who never had a subscription (by asOf). */
  nonSubscriberGaps: readonly { days: number; gaps: number }[];
  /** Gaps of customers who had one. */
  subscriberGaps: readonly { days: number; gaps: number }[];
  /** Customers with a purchase before asOf who had no subscription, and who had one. */
  nonSubscribers: number;
  subscribers: number;
}

/**
 * Proposes a churn window from the brand's own inter-purchase intervals: the 90th percentile
 * of the gaps in days between consecutive purchase days of the same customer, rounded up
 * to whole days, among the customers who never had a subscription by `asOf` (see the
 * population's reasons). Purchases before `asOf` only, when given (so a past date gets the
 * window it would have been proposed then).
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
 * Why without subscribers: a monthly 定期 gives gaps of 30 days whatever the customer's
 * loyalty, so a p90 over them proposes about one cycle, and a subscriber one week late with a
 * delivery (or a non-subscriber silent for five weeks) would be called churned. Subscribers in
 * force are never churned; the window is for the customers who decide themselves when to buy.
 *
 * One pass over the purchases: group by (customer, local day), the previous day by a window
 * over the same order, and a histogram of the gaps per population (a few hundred distinct
 * values), from which the percentiles are computed exactly instead of sorting every gap.
 */
export async function proposeChurnWindow(params: { pool: pg.Pool; workspaceId: string; asOf?: string }): Promise<ChurnWindowProposal> {
  const { pool, workspaceId, asOf } = params;
  if (asOf !== undefined) requireCalendarDate(asOf, 'asOf');
  const timezone = await workspaceTimezone(pool, workspaceId);
  const purchases = purchasesSql({ workspaceId: '$1', timezone: '$2', ...(asOf === undefined ? {} : { to: '$3' }) });
  const had = hadSubscriptionSql({ workspaceId: '$1', timezone: '$2', ...(asOf === undefined ? {} : { day: '$3' }) });
  const { rows } = await pool.query<{ subscriber: boolean; days: number | null; gaps: number }>(
    `with purchase_days as (
       select p.customer_id, p.local_day from ${purchases} p group by p.customer_id, p.local_day
     ), gaps as (
       select customer_id, local_day - lag(local_day) over (partition by customer_id order by local_day) as days from purchase_days
     ), had as materialized ${had}
     select (h.customer_id is not null) as subscriber, g.days, count(*)::int as gaps
       from gaps g left join had h on h.customer_id = g.customer_id
      where g.days is not null
      group by 1, 2
     union all
     select (h.customer_id is not null), null, count(distinct d.customer_id)::int
       from purchase_days d left join had h on h.customer_id = d.customer_id
      group by 1
      order by 2`,
    asOf === undefined ? [workspaceId, timezone] : [workspaceId, timezone, asOf],
  );
  const histogram = (subscriber: boolean) => rows.filter((row) => row.subscriber === subscriber && row.days !== null) as { days: number; gaps: number }[];
  const customers = (subscriber: boolean) => rows.find((row) => row.subscriber === subscriber && row.days === null)?.gaps ?? 0;
  return proposalFromGaps({
    nonSubscriberGaps: histogram(false),
    subscriberGaps: histogram(true),
    nonSubscribers: customers(false),
    subscribers: customers(true),
  });
}

/** The proposal from the gap histograms of both populations (each sorted by days). */
export function proposalFromGaps(counts: GapCounts): ChurnWindowProposal {
  const { nonSubscriberGaps, subscriberGaps, nonSubscribers, subscribers } = counts;
  const nonSubscriberCount = nonSubscriberGaps.reduce((sum, bin) => sum + bin.gaps, 0);
  const reason: ProposalReason = subscribers === 0 ? 'no_subscribers' : nonSubscriberCount >= MIN_POPULATION_GAPS ? 'subscribers_left_out' : 'too_few_gaps';
  const histogram = reason === 'too_few_gaps' ? mergeHistograms(nonSubscriberGaps, subscriberGaps) : nonSubscriberGaps;
  const population = {
    kind: reason === 'subscribers_left_out' ? ('non_subscribers' as const) : ('all_customers' as const),
    reason,
    customers: reason === 'subscribers_left_out' ? nonSubscribers : nonSubscribers + subscribers,
    subscribers,
    minimumGaps: MIN_POPULATION_GAPS,
  };
  const count = histogram.reduce((sum, bin) => sum + bin.gaps, 0);
  if (count === 0) {
    return {
      days: null,
      population,
      intervals: { count, median: null, p75: null, p80: null, p90: null, p95: null, histogram: { width: 1, counts: [] } },
    };
  }
  const [median, p75, p80, p90, p95] = [50, 75, 80, 90, 95].map((percent) => percentileInHundredths(histogram, count, percent)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const width = Math.max(1, Math.ceil(p95 / 100 / (GAP_HISTOGRAM_BINS - 1)));
  const bins = new Array<number>(GAP_HISTOGRAM_BINS).fill(0);
  for (const bin of histogram) bins[Math.min(GAP_HISTOGRAM_BINS - 1, Math.floor((bin.days - 1) / width))]! += bin.gaps;
  // Hundredths are whole numbers, so rounding up is exact: 2,700 → 27 days, 4,860 → 49.
  return {
    days: Math.ceil(p90 / 100),
    population,
    intervals: { count, median: median / 100, p75: p75 / 100, p80: p80 / 100, p90: p90 / 100, p95: p95 / 100, histogram: { width, counts: bins } },
  };
}

function mergeHistograms(...histograms: (readonly { days: number; gaps: number }[])[]): { days: number; gaps: number }[] {
  const merged = new Map<number, number>();
  for (const histogram of histograms) for (const bin of histogram) merged.set(bin.days, (merged.get(bin.days) ?? 0) + bin.gaps);
  return [...merged.entries()].sort((a, b) => a[0] - b[0]).map(([days, gaps]) => ({ days, gaps }));
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

export const ChurnWindowUsed = z
  .object({
    days: z.number().int(),
    source: z.enum(CHURN_WINDOW_SOURCES).describe('Where the window came from: given with the request, the workspace setting, or the proposal'),
  })
  .meta({ id: 'ChurnWindowUsed' });
export type ChurnWindowUsed = z.infer<typeof ChurnWindowUsed>;

/**
 * The window of a churn list: `window` when given, else the workspace's setting, else the
 * proposal (`propose`, by default proposeChurnWindow as of `asOf`); `no_window` with the
 * proposal when none can be proposed.
 */
export async function resolveChurnWindow(params: {
  pool: pg.Pool;
  workspaceId: string;
  asOf: string;
  window: number | undefined;
  propose?: () => Promise<ChurnWindowProposal> | ChurnWindowProposal;
}): Promise<{ outcome: 'resolved'; window: ChurnWindowUsed } | { outcome: 'no_window'; asOf: string; proposal: ChurnWindowProposal }> {
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

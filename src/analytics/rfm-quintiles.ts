import { customerPurchasesAsOfSql } from './purchases-as-of.ts';
import { segmentSql } from './rfm-segments.ts';
import { subscriptionInForceSql } from './subscription-status.ts';

/**
 * RFM values and their 1–5 scores, as SQL shared by the summary, the customer pages and the
 * lookup of one customer (rfm.ts).
 *
 * Values as of local date d (purchases before d): recency = days from the last purchase day
 * to d, frequency = purchases, monetary = Σ amount.
 *
 * Scores are quintiles by cume_dist, not ntile: score = ⌈5 · cume_dist⌉, where cume_dist is
 * the share of customers whose value is no better than this one (frequency, monetary: ≤ it;
 * recency: ≥ it, so the most recent score 5). Customers with the same value share the same
 * cume_dist and so the same score; ntile would split a run of ties across two scores
 * arbitrarily. A large run of ties takes the score of its top: when 60% of customers bought
 * once, they all score F = 3 and scores 1 and 2 are empty. The score is computed in integers,
 * ⌈5k ÷ n⌉ = (5k + n − 1) div n, so no rounding of k ÷ n can move a customer across a boundary.
 */

export type RfmDimension = 'recency' | 'frequency' | 'monetary';
export const RFM_DIMENSIONS = ['recency', 'frequency', 'monetary'] as const satisfies readonly RfmDimension[];

/** Recency is better when lower (days since the last purchase); frequency and monetary when higher. */
const BETTER_WHEN_LOWER: Record<RfmDimension, boolean> = { recency: true, frequency: false, monetary: false };

/** ⌈5 · k ÷ n⌉: the score of a value that `atOrWorse` of `customers` customers do not beat. */
export function quintileScore(atOrWorse: number, customers: number): number {
  return Math.ceil((5 * atOrWorse) / customers);
}

/** SQL: quintileScore, in integers. */
export function quintileScoreSql(atOrWorse: string, customers: string): string {
  return `((5 * (${atOrWorse})::bigint + ${customers} - 1) / ${customers})::int`;
}

/**
 * SQL `base`: per customer who bought before `$3` (as of): customer_id, recency, frequency,
 * monetary, last_day, and churned (churn.ts: last day before $3 − window, no subscription in
 * force on $3; false for all when the window is null). Operands: `$1` workspace id, `$2` time
 * zone, `$3` the as-of date, `window` the placeholder of the churn window in days (an int or null).
 */
export function rfmBaseCte(window: string): string {
  const purchases = customerPurchasesAsOfSql({ workspaceId: '$1', timezone: '$2', asOf: '$3' });
  const inForce = subscriptionInForceSql({ workspaceId: '$1', timezone: '$2', day: '$3' });
  return `base as materialized (
       select s.customer_id, ($3::date - s.last_day) as recency, s.purchases as frequency, s.total as monetary, s.last_day,
              coalesce(s.last_day < $3::date - ${window}::int and f.customer_id is null, false) as churned
         from ${purchases} s left join ${inForce} f on f.customer_id = s.customer_id
     ), size as (select count(*) as n from base)`;
}

/**
 * SQL: after rfmBaseCte, per dimension `<dimension>_scale(value, customers, score)` (each
 * distinct value with its score: a histogram, so only distinct values are sorted) and
 * `<dimension>_cut(s2..s5)` (the first value reaching each score), then `segmented`: base with
 * scores r, f, m and segment. A row's score is 1 + the number of cuts it reaches, so scoring
 * 1,000,000 customers is comparisons against twelve constants, no join.
 */
export function rfmScoredCtes(): string {
  const scales = RFM_DIMENSIONS.map((dimension) => {
    const lower = BETTER_WHEN_LOWER[dimension];
    return `${dimension}_scale as (
       select h.value, h.customers, ${quintileScoreSql('h.at_or_worse', 'size.n')} as score
         from (select ${dimension} as value, count(*) as customers,
                      sum(count(*)) over (order by ${dimension} ${lower ? 'desc' : 'asc'}) as at_or_worse
                 from base group by ${dimension}) h
         cross join size
     ), ${dimension}_cut as (
       select ${[2, 3, 4, 5].map((s) => `${lower ? 'max' : 'min'}(value) filter (where score >= ${s}) as s${s}`).join(', ')}
         from ${dimension}_scale
     )`;
  });
  const score = (dimension: RfmDimension, cut: string) =>
    `(1 + ${[2, 3, 4, 5].map((s) => `(b.${dimension} ${BETTER_WHEN_LOWER[dimension] ? '<=' : '>='} ${cut}.s${s})::int`).join(' + ')})`;
  return `${scales.join(',\n     ')},
     scored as (
       select b.*, ${score('recency', 'rc')} as r, ${score('frequency', 'fc')} as f, ${score('monetary', 'mc')} as m
         from base b cross join recency_cut rc cross join frequency_cut fc cross join monetary_cut mc
     ), segmented as (
       select scored.*, ${segmentSql({ recencyScore: 'r', frequencyScore: 'f', monetaryScore: 'm', purchases: 'frequency', churned: 'churned' })} as segment
         from scored
     )`;
}

/** SQL: the score bands of each dimension, rows (dimension, score, customers, min, max) with values as text. */
export function scoreBandsSql(): string {
  return RFM_DIMENSIONS.map(
    (dimension) =>
      `select '${dimension}' as dimension, score, sum(customers)::int as customers, min(value)::text as min, max(value)::text as max
       from ${dimension}_scale group by score`,
  ).join('\n     union all ');
}

import { z } from 'zod';
import { Day, Quotient } from '../analytics/result-shapes.ts';
import type { KpiDirection } from './definition.ts';

/**
 * How a KPI is judged: its status in the current bucket and its trend over the last complete
 * buckets. Pure functions of numbers, so the rules read (and are tested) apart from the data.
 *
 * Status. The *expected* value to date is the bucket's target, pro-rated for additive metrics
 * (sales, customers, purchases: sums that grow through the bucket) by the elapsed share of the
 * bucket, days elapsed ÷ days in the bucket; for the other metrics (quotients and shares) it
 * is the target itself. The *pace* is actual ÷ expected. With the KPI's tolerance t (default
 * 0.05), a higher-is-better KPI is
 *   ahead     when pace > 1 + t,
 *   behind    when pace < 1 − t,
 *   on_track  otherwise (the band's edges included);
 * a lower-is-better KPI (the churn rate) the other way round: ahead below 1 − t, behind above
 * 1 + t. Without an actual (a quotient with no denominator, no churn window) the status is
 * no_data.
 *
 * What the rule leans to, early in a bucket. Customers are distinct, so they grow less than in
 * proportion to the days (a customer buying twice counts once): pro-rated, they lean ahead.
 * Quotients that accumulate within a bucket (frequency, repeat rate) are lower to date than
 * at the bucket's end: compared directly, they lean behind. Both settle as the bucket fills.
 *
 * Trend. The least-squares slope of the actuals of the last TREND_BUCKETS (6) complete buckets
 * that have one, against the bucket's index (so a missing bucket leaves a gap rather than
 * pulling neighbours together), relative to the mean of their absolute values. Up when that
 * relative slope is above TREND_FLAT_BAND (1 % of the level per bucket), down below its
 * negative, flat in between; with fewer than TREND_MIN_POINTS (3) points, insufficient_data.
 * The trend is the metric's own direction; `assessment` reads it against the KPI's direction
 * (a falling churn rate is improving). Monthly sums are fitted as they are: a February is
 * about a tenth shorter than its neighbours, which a series of flat daily sales shows as a dip.
 *
 * Which bucket is judged (board.ts): the current one, except for the F2 rate, judged on
 * the latest cohort whose window is over.
 */

export const KpiStatus = z
  .union([
    z.object({
      status: z.enum(['ahead', 'on_track', 'behind']),
      bucket: Day.describe('First date of the bucket judged'),
      actual: z.number(),
      expected: z.number().describe('The target as expected by now: pro-rated for additive metrics, else the target'),
      pace: z.number().describe('actual ÷ expected'),
      elapsedShare: z.number().describe('Days elapsed ÷ days in the bucket (1 for a complete bucket)'),
    }),
    z.object({ status: z.literal('no_data'), bucket: Day, reason: z.string() }),
  ])
  .meta({ id: 'KpiStatus' });
export type KpiStatus = z.infer<typeof KpiStatus>;
export type KpiStatusKind = Exclude<KpiStatus['status'], 'no_data'>;

/** Floating-point slack at the band's edges, so that an actual exactly on an edge is on track. */
const EDGE_SLACK = 1e-9;

/** The status of a bucket to date (see the file's comment for the rule). */
export function judgeStatus(params: {
  bucket: string;
  actual: number | null;
  target: number;
  additive: boolean;
  direction: KpiDirection;
  tolerance: number;
  elapsedDays: number;
  daysInBucket: number;
  /** Why there is no actual, when there is none. */
  missing?: string;
}): KpiStatus {
  const { bucket, actual, target, additive, direction, tolerance, elapsedDays, daysInBucket } = params;
  if (actual === null) return { status: 'no_data', bucket, reason: params.missing ?? 'The metric has no value in this bucket.' };
  const elapsedShare = elapsedDays / daysInBucket;
  const expected = additive ? target * elapsedShare : target;
  const pace = actual / expected;
  const above = pace > 1 + tolerance + EDGE_SLACK;
  const below = pace < 1 - tolerance - EDGE_SLACK;
  const better = direction === 'higher_is_better' ? above : below;
  const worse = direction === 'higher_is_better' ? below : above;
  const status: KpiStatusKind = better ? 'ahead' : worse ? 'behind' : 'on_track';
  return { status, bucket, actual, expected, pace, elapsedShare };
}

export const TREND_BUCKETS = 6;
export const TREND_MIN_POINTS = 3;
export const TREND_FLAT_BAND = 0.01;

export const KpiTrend = z
  .object({
    direction: z.enum(['up', 'flat', 'down', 'insufficient_data']).describe("The metric's own direction"),
    assessment: z.enum(['improving', 'steady', 'worsening']).nullable().describe("The direction read against the KPI's: a falling churn rate is improving"),
    slopePerBucket: Quotient.describe("Least-squares slope in the metric's unit per bucket; null with too few points"),
    /** 0 when the points are all 0. */
    relativeSlope: Quotient.describe('The slope ÷ the mean |actual| of the points'),
    buckets: z.array(Day).describe('The buckets fitted, oldest first'),
  })
  .meta({ id: 'KpiTrend' });
export type KpiTrend = z.infer<typeof KpiTrend>;

/** The trend of the last complete buckets with an actual (see the file's comment for the rule). */
export function trendOf(params: { series: readonly { bucket: string; actual: number | null; complete: boolean }[]; direction: KpiDirection }): KpiTrend {
  const points = params.series
    .map((entry, index) => ({ ...entry, index }))
    .filter((entry): entry is typeof entry & { actual: number } => entry.complete && entry.actual !== null)
    .slice(-TREND_BUCKETS);
  const buckets = points.map((point) => point.bucket);
  if (points.length < TREND_MIN_POINTS) {
    return { direction: 'insufficient_data', assessment: null, slopePerBucket: null, relativeSlope: null, buckets };
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const meanX = mean(points.map((point) => point.index));
  const meanY = mean(points.map((point) => point.actual));
  const covariance = points.reduce((sum, point) => sum + (point.index - meanX) * (point.actual - meanY), 0);
  const variance = points.reduce((sum, point) => sum + (point.index - meanX) ** 2, 0);
  const slope = covariance / variance;
  const level = mean(points.map((point) => Math.abs(point.actual)));
  const relativeSlope = level === 0 ? 0 : slope / level;
  const direction = relativeSlope > TREND_FLAT_BAND ? 'up' : relativeSlope < -TREND_FLAT_BAND ? 'down' : 'flat';
  const rising = params.direction === 'higher_is_better';
  const assessment = direction === 'flat' ? 'steady' : (direction === 'up') === rising ? 'improving' : 'worsening';
  // + 0 turns −0 (a flat series) into 0.
  return { direction, assessment, slopePerBucket: slope + 0, relativeSlope: relativeSlope + 0, buckets };
}

import { z } from 'zod';
import { ENGINE_CHOICES } from '../../../analytics/engine/analytics-engine.ts';
import { COMPARISONS, dayNumber, GRANULARITIES, periodProblem, type Comparison, type Period } from '../../../analytics/periods.ts';
import type { AnalysisDeps } from '../../../analytics/analyses.ts';
import { systemClock } from '../../../shared/clock.ts';
import type { AppDeps } from '../../app.ts';
import { MAX_F2_WINDOW_DAYS } from '../../../analytics/repeat-f2.ts';
import { MAX_RETENTION_MONTHS } from '../../../analytics/retention.ts';
import { RFM_SEGMENTS } from '../../../analytics/rfm-segments.ts';
import { DIMENSION_KINDS, type DifferenceDimension } from '../../../analytics/sales-difference.ts';
import { CHURN_WINDOW_DAYS } from '../../../analytics/settings.ts';

/**
 * The query parameters of the analytics routes, one schema each, so every route spells a
 * parameter, its default and its refusal the same way. A refused parameter is a 400 naming
 * the parameter (src/http/errors.ts); what only the data can refuse stays with the domain (422).
 */

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(text: string): boolean {
  try {
    dayNumber(text);
    return true;
  } catch {
    return false;
  }
}

/** A local calendar date 'YYYY-MM-DD' named `name` in the messages; required unless made optional. */
export function localDateParam(name: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is required: a date written YYYY-MM-DD` : undefined) })
    .regex(DATE_PATTERN, { message: `${name} must be a date written YYYY-MM-DD`, abort: true })
    .refine(isCalendarDate, { message: `${name} is not a calendar date` })
    .meta({ format: 'date' });
}

/** What the analyses read, from the app's dependencies. */
export function analysisDepsOf(deps: AppDeps): AnalysisDeps {
  return { pool: deps.database.pool, analytics: deps.analytics, clock: deps.clock ?? systemClock };
}

/** A required period [from, to): spread into a query schema refined by refusePeriodBackwards. */
export const periodShape = {
  from: localDateParam('from').describe('First local date of the period, included (YYYY-MM-DD)'),
  to: localDateParam('to').describe('First local date after the period, excluded: the period is [from, to)'),
};

/**
 * A query refinement: a 400 with the domain's own wording (periodProblem) when a query's
 * `from` and `to` are both given and the period does not run forwards.
 */
export function refusePeriodBackwards(query: { from?: string | undefined; to?: string | undefined }, context: z.RefinementCtx): void {
  if (query.from === undefined || query.to === undefined) return;
  const problem = periodProblem({ from: query.from, to: query.to });
  if (problem) context.addIssue({ code: 'custom', path: ['to'], message: problem });
}

/** The period of a query with periodShape. */
export function periodOf(query: { from: string; to: string }): Period {
  return { from: query.from, to: query.to };
}

export const granularityParam = z
  .enum(GRANULARITIES)
  .default('month')
  .describe("Buckets of the series: day, week (ISO, Monday to Sunday) or month, in the workspace's time zone");

const COMPARISON_LIST = new RegExp(`^((${COMPARISONS.join('|')})(,(${COMPARISONS.join('|')}))*)?$`);

function isComparison(text: string): text is Comparison {
  return (COMPARISONS as readonly string[]).includes(text);
}

/** A comma list of comparisons; empty for none. */
export const comparisonListParam = z
  .string()
  .regex(COMPARISON_LIST, `compare must be a comma list of ${COMPARISONS.join(', ')} (or empty for no comparison)`)
  .default(COMPARISONS.join(','))
  .transform((text) => [...new Set(text.split(',').filter(isComparison))])
  .describe(
    'Periods to compare with, a comma list: `previous` (the period just before: as many whole months when the period is whole months, else as many days) and `year` (the same dates a year earlier). Empty for none.',
  );

export const comparisonParam = z
  .enum(COMPARISONS)
  .default('previous')
  .describe('The period to compare with: `previous` (the period just before) or `year` (the same dates a year earlier)');

type PlainDimensionKind = Exclude<DifferenceDimension['kind'], 'attribute'>;
const PLAIN_DIMENSION_KINDS = DIMENSION_KINDS.filter((kind): kind is PlainDimensionKind => kind !== 'attribute');
const DIMENSION_CHOICES = `${PLAIN_DIMENSION_KINDS.join(', ')} or attribute:KEY`;

export const dimensionParam = z
  .union(
    [
      z.enum(PLAIN_DIMENSION_KINDS).transform((kind): DifferenceDimension => ({ kind })),
      z
        .string()
        .regex(/^attribute:.*\S/)
        .transform((text): DifferenceDimension => ({ kind: 'attribute', key: text.slice('attribute:'.length) })),
    ],
    { error: (issue) => (issue.input === undefined ? `by is required: one of ${DIMENSION_CHOICES}` : `by must be one of ${DIMENSION_CHOICES}`) },
  )
  .describe(
    "What to split sales by. Customer: `gender`, `age_band` (age on the period's last day: <20, 20s … 60s, 70+, unknown), `prefecture` (the customer's), `attribute:KEY` (the value of a key of the customer's attributes), `cohort` (month of the first purchase ever, YYYY-MM). Order: `channel`, `place` (the order's prefecture), `store`. Item: `product` (SKU), `category`.",
  );

export const asOfParam = localDateParam('asOf').optional();

export const churnWindowParam = z.coerce
  .number()
  .int()
  .min(CHURN_WINDOW_DAYS.min)
  .max(CHURN_WINDOW_DAYS.max)
  .optional()
  .describe(
    "Churn window in days: churned = last purchase more than this many days before asOf. Default: the workspace's setting, else the window proposed from its inter-purchase intervals.",
  );

export const f2WithinParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_F2_WINDOW_DAYS)
  .default(90)
  .describe('W: days after the first purchase within which a second purchase (on a later day) converts');

export const retentionMonthsParam = z.coerce
  .number()
  .int()
  .min(0)
  .max(MAX_RETENTION_MONTHS)
  .default(12)
  .describe("Largest k: offsets 0..months after each cohort's month");

export const limitParam = z.coerce.number().int().min(1).max(200).default(50).describe('Page size');
export const cursorParam = z.string().min(1).optional().describe('`nextCursor` of the previous page');

export const segmentParam = z
  .enum(RFM_SEGMENTS.map((segment) => segment.code))
  .describe(`RFM segment: ${RFM_SEGMENTS.map((segment) => `\`${segment.code}\` (${segment.ja}) ${segment.meaning}`).join(' ')}`);

/** Which implementation answers: the in-memory engine (default) or the SQL reference it is checked against. */
export const engineParam = z
  .enum(ENGINE_CHOICES)
  .default('memory')
  .describe(
    'memory (default): the in-memory analytics engine, reloaded whenever the order data changed; sql: the SQL reference implementation, same figures, slower on large bases',
  );

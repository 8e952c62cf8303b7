import { z } from 'zod';
import { KizunaError } from '../shared/errors.ts';
import { canonicalPrefecture } from '../shared/prefectures.ts';
import { GENDERS, ORDER_CHANNELS } from '../shared/vocabulary.ts';
import { bucketStart, dayNumber } from '../analytics/periods.ts';
import { MAX_F2_WINDOW_DAYS } from '../analytics/repeat-f2.ts';
import type { DifferenceDimension } from '../analytics/sales-difference.ts';
import { CHURN_WINDOW_DAYS } from '../analytics/settings.ts';
import { MAX_DELIVERY, MAX_STEP_UP_DAYS } from '../analytics/subscriptions/terms.ts';

/**
 * What a KPI is: a metric of the analyses, filters, a granularity, a target per bucket and a
 * direction. One zod schema is the runtime check, the type and the API's document
 * (CONVENTIONS 2); what a field cannot check alone (a filter the metric cannot take, a
 * share above 1, an override that is not a bucket) is checked by `kpiDefinitionProblems`.
 */

export const KPI_METRICS = [
  'sales',
  'customers',
  'purchases',
  'frequency',
  'items_per_purchase',
  'price_per_item',
  'repeat_rate',
  'f2_rate',
  'churn_rate',
  'active_subscribers',
  'continuation_rate',
  'cancellation_rate',
  'step_up_rate',
] as const;
export type KpiMetricKind = (typeof KPI_METRICS)[number];

/**
 * The metrics of the sales decomposition (measureSales, differenceBy). Sales, customers and
 * purchases are sums over a bucket; the other three are quotients of those sums.
 */
export const SALES_METRICS = [
  'sales',
  'customers',
  'purchases',
  'frequency',
  'items_per_purchase',
  'price_per_item',
] as const satisfies readonly KpiMetricKind[];
export type SalesMetricKind = (typeof SALES_METRICS)[number];

/**
 * Metrics that accumulate over a bucket: a bucket to date is compared with the target
 * pro-rated by the days elapsed. The cancellation rate does too: its denominator is fixed at
 * the bucket's start and its cancellations add up over the bucket.
 */
export const ADDITIVE_METRICS = ['sales', 'customers', 'purchases', 'cancellation_rate'] as const satisfies readonly KpiMetricKind[];

/** Metrics that are shares: their targets are too, from 0 to 1. */
export const RATE_METRICS = [
  'repeat_rate',
  'f2_rate',
  'churn_rate',
  'continuation_rate',
  'cancellation_rate',
  'step_up_rate',
] as const satisfies readonly KpiMetricKind[];

export const KPI_GRANULARITIES = ['week', 'month'] as const;
export type KpiGranularity = (typeof KPI_GRANULARITIES)[number];

export const KPI_DIRECTIONS = ['higher_is_better', 'lower_is_better'] as const;
export type KpiDirection = (typeof KPI_DIRECTIONS)[number];

/** The on-track band when none is given: within ±5 % of the expected value. */
export const DEFAULT_TOLERANCE = 0.05;

export const isSalesMetric = (kind: KpiMetricKind): kind is SalesMetricKind => (SALES_METRICS as readonly string[]).includes(kind);
export const isAdditiveMetric = (kind: KpiMetricKind): boolean => (ADDITIVE_METRICS as readonly string[]).includes(kind);
export const isRateMetric = (kind: KpiMetricKind): boolean => (RATE_METRICS as readonly string[]).includes(kind);

/** The direction a metric is better in when none is given: churn and cancellation are lower-is-better, every other metric higher. */
export function defaultDirection(kind: KpiMetricKind): KpiDirection {
  return kind === 'churn_rate' || kind === 'cancellation_rate' ? 'lower_is_better' : 'higher_is_better';
}

const plainMetric = <K extends KpiMetricKind>(kind: K) => z.strictObject({ kind: z.literal(kind) });

const windowDays = (what: string, max: number) => {
  const error = `must be a whole number of days from 1 to ${max} (${what})`;
  return z.number({ error }).int({ error }).min(1, { error }).max(max, { error });
};

/**
 * The metric measured, with its parameters: `within`, the F2 window in days (a second
 * purchase on days first + 1 … first + within) or the step-up window (a subscription started
 * on days first … first + within of a trial purchase); `window`, the churn window in days,
 * null for the workspace's (its setting, else the window proposed from its purchase
 * intervals); `deliveryNumber`, the k of a continuation rate (from delivery k to k + 1).
 */
export const KpiMetric = z.discriminatedUnion(
  'kind',
  [
    plainMetric('sales'),
    plainMetric('customers'),
    plainMetric('purchases'),
    plainMetric('frequency'),
    plainMetric('items_per_purchase'),
    plainMetric('price_per_item'),
    plainMetric('repeat_rate'),
    z.strictObject({ kind: z.literal('f2_rate'), within: windowDays('the F2 window', MAX_F2_WINDOW_DAYS) }),
    z.strictObject({ kind: z.literal('churn_rate'), window: windowDays('the churn window', CHURN_WINDOW_DAYS.max).nullable().default(null) }),
    plainMetric('active_subscribers'),
    z.strictObject({
      kind: z.literal('continuation_rate'),
      deliveryNumber: z
        .number({ error: `must be a whole number from 1 to ${MAX_DELIVERY} (the delivery k continued from)` })
        .int({ error: `must be a whole number from 1 to ${MAX_DELIVERY} (the delivery k continued from)` })
        .min(1, { error: `must be a whole number from 1 to ${MAX_DELIVERY} (the delivery k continued from)` })
        .max(MAX_DELIVERY, { error: `must be a whole number from 1 to ${MAX_DELIVERY} (the delivery k continued from)` }),
    }),
    plainMetric('cancellation_rate'),
    z.strictObject({ kind: z.literal('step_up_rate'), within: windowDays('the step-up window', MAX_STEP_UP_DAYS) }),
  ],
  {
    error: (issue) => {
      if (issue.input === undefined) return 'is required, e.g. { "kind": "sales" } or { "kind": "f2_rate", "within": 90 }';
      if (issue.code === 'invalid_union')
        return `must be one of ${KPI_METRICS.join(', ')}, not ${JSON.stringify((issue.input as { kind?: unknown }).kind ?? null)}`;
      if (issue.code === 'invalid_type') return 'must be an object such as { "kind": "sales" } or { "kind": "f2_rate", "within": 90 }';
      return undefined;
    },
  },
);
export type KpiMetric = z.infer<typeof KpiMetric>;

/** The age bands of the sales difference: the age in whole years on the bucket's last day. */
export const AGE_BANDS = ['<20', '20s', '30s', '40s', '50s', '60s', '70+', 'unknown'] as const;

// Typed string, as a KPI read back holds it (KpiFilterValues): the canonical name is checked here, once.
const prefecture = z.string().transform((input, context): string => {
  const canonical = canonicalPrefecture(input.normalize('NFKC'));
  if (canonical === undefined) context.addIssue({ code: 'custom', message: `must be a prefecture of Japan (東京都 or 東京), not "${input}"` });
  return canonical ?? z.NEVER;
});
const label = z.string().trim().min(1, { error: 'must not be empty' }).max(200);

/**
 * What a KPI's metric is restricted to. Order filters: `channel`, `orderPrefecture` (where the
 * order was placed or shipped), `store`; customer filters: `gender`, `customerPrefecture`,
 * `ageBand`; item filters: `category`, `product` (a SKU: the product's items only, as in the
 * sales difference). Only the sales metrics can be filtered, by one of them at a time.
 */
export const KPI_FILTER_KEYS = ['channel', 'orderPrefecture', 'store', 'gender', 'customerPrefecture', 'ageBand', 'category', 'product'] as const;
export type KpiFilterKey = (typeof KPI_FILTER_KEYS)[number];

const filterFields = {
  channel: z.enum(ORDER_CHANNELS),
  orderPrefecture: prefecture,
  store: label,
  gender: z.enum(GENDERS),
  customerPrefecture: prefecture,
  ageBand: z.enum(AGE_BANDS),
  category: label,
  product: label,
} satisfies Record<KpiFilterKey, z.ZodType>;

export const KpiFilters = z
  .strictObject(filterFields, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown filter ${issue.keys.map((key) => `"${key}"`).join(', ')}: the filters are ${KPI_FILTER_KEYS.join(', ')}`
        : undefined,
  })
  .partial();
export type KpiFilters = z.infer<typeof KpiFilters>;

/** The filters as a KPI holds them (prefectures canonical), as the API serialises them. */
export const KpiFilterValues = z
  .object({
    channel: z.enum(ORDER_CHANNELS),
    orderPrefecture: z.string().describe('Prefecture of the order (canonical: 東京都)'),
    store: z.string(),
    gender: z.enum(GENDERS),
    customerPrefecture: z.string().describe("The customer's prefecture (canonical: 東京都)"),
    ageBand: z.enum(AGE_BANDS),
    category: z.string(),
    product: z.string().describe('A SKU'),
  } satisfies Record<KpiFilterKey, z.ZodType>)
  .partial()
  .meta({ id: 'KpiFilterValues', description: 'At most one filter, and only on a sales metric' });

/** The sales difference's dimension that each filter picks one group of. */
const FILTER_DIMENSIONS: Record<KpiFilterKey, Exclude<DifferenceDimension['kind'], 'attribute'>> = {
  channel: 'channel',
  orderPrefecture: 'place',
  store: 'store',
  gender: 'gender',
  customerPrefecture: 'prefecture',
  ageBand: 'age_band',
  category: 'category',
  product: 'product',
};

/** The one filter of a sales metric as the sales difference's dimension and the group's key; null without a filter. */
export function filterGroup(filters: KpiFilters): { dimension: DifferenceDimension; key: string } | null {
  const key = KPI_FILTER_KEYS.find((name) => filters[name] !== undefined);
  if (key === undefined) return null;
  return { dimension: { kind: FILTER_DIMENSIONS[key] }, key: filters[key]! };
}

/** The message of a missing field, else `message`. */
const required = (message: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message) });

const positiveTarget = z.number(required('must be a number')).positive({ error: 'must be above 0' });

const bucketDate = z.string().refine(
  (text) => {
    try {
      dayNumber(text);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be a date written YYYY-MM-DD' },
);

/** A target for one bucket, given by its first date (a Monday for weeks, the 1st for months). */
export const KpiTargetOverride = z.strictObject({ bucket: bucketDate, target: positiveTarget });
export type KpiTargetOverride = z.infer<typeof KpiTargetOverride>;

const kpiId = z.string({ error: 'must be the id of a KPI, a string of digits' }).regex(/^\d{1,18}$/, { error: 'must be the id of a KPI, a string of digits' });

const KpiFields = z.strictObject({
  name: z.string(required('must be a string')).trim().min(1, { error: 'must not be empty' }).max(100, { error: 'must be at most 100 characters' }),
  metric: KpiMetric,
  granularity: z.enum(KPI_GRANULARITIES, required(`must be one of ${KPI_GRANULARITIES.join(', ')}`)),
  /** The target of every bucket without an override: a sum per bucket, a quotient, or a share from 0 to 1. */
  target: positiveTarget,
  targetOverrides: z.array(KpiTargetOverride).max(1000),
  filters: KpiFilters,
  direction: z.enum(KPI_DIRECTIONS, { error: `must be one of ${KPI_DIRECTIONS.join(', ')}` }),
  /** Half-width of the on-track band, as a share of the expected value. */
  tolerance: z.number({ error: 'must be a number' }).min(0, { error: 'must be from 0 to 0.5' }).max(0.5, { error: 'must be from 0 to 0.5' }),
  parentId: kpiId.nullable(),
});

/** A new KPI: name, metric, granularity and target are required; the rest has defaults (see `resolveKpiInput`). */
export const KpiInput = KpiFields.partial({ targetOverrides: true, filters: true, direction: true, tolerance: true, parentId: true });
export type KpiInput = z.input<typeof KpiInput>;

/** Changes to a KPI: any of its fields; `targetOverrides` replaces every override. */
export const KpiChanges = KpiFields.partial();
export type KpiChanges = z.input<typeof KpiChanges>;

/** A KPI's whole definition, defaults applied. */
export type KpiDefinition = z.output<typeof KpiFields>;

/**
 * Checks `input` against `schema` and returns the parsed value; throws `validation_failed`
 * listing every problem as `field: reason`.
 */
export function parseKpiFields<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const outcome = schema.safeParse(input);
  if (!outcome.success) {
    const problems = outcome.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : what}: ${issue.message}`);
    throw validationError(problems);
  }
  return outcome.data;
}

/** A new KPI's definition with the defaults: no filters, no overrides, the metric's direction, ±5 %, no parent. */
export function resolveKpiInput(input: z.output<typeof KpiInput>): KpiDefinition {
  return {
    ...input,
    targetOverrides: input.targetOverrides ?? [],
    filters: input.filters ?? {},
    direction: input.direction ?? defaultDirection(input.metric.kind),
    tolerance: input.tolerance ?? DEFAULT_TOLERANCE,
    parentId: input.parentId ?? null,
  };
}

/**
 * What a whole definition gets wrong beyond its fields' shapes: filters the metric cannot
 * take, targets of a share above 1, overrides that are not the first date of a bucket or
 * name one bucket twice. Empty when it is acceptable.
 */
export function kpiDefinitionProblems(definition: KpiDefinition): string[] {
  return [...filterProblems(definition), ...targetProblems(definition)];
}

function filterProblems(definition: KpiDefinition): string[] {
  const { metric, filters } = definition;
  const given = KPI_FILTER_KEYS.filter((key) => filters[key] !== undefined);
  if (given.length === 0) return [];
  if (!isSalesMetric(metric.kind)) {
    return [
      `filters: ${metric.kind} cannot be filtered (by ${given.join(', ')}): ${UNFILTERED_REASONS[metric.kind]}. ` +
        `Remove the filter, or use a sales metric (${SALES_METRICS.join(', ')}), which can be filtered by one of ${KPI_FILTER_KEYS.join(', ')}.`,
    ];
  }
  if (given.length > 1) {
    return [
      `filters: ${metric.kind} can be filtered by one dimension at a time (it is read from the sales difference, which splits sales by one dimension), not by ${given.join(' and ')} together.`,
    ];
  }
  return [];
}

const UNFILTERED_REASONS: Record<Exclude<KpiMetricKind, SalesMetricKind>, string> = {
  repeat_rate: "the repeat rate is measured over all the workspace's customers of a bucket (repeatRates takes no filter)",
  f2_rate: 'F2 conversion is measured over all the customers whose first purchase falls in a bucket (f2Conversion takes no filter)',
  churn_rate: 'the churn rate is measured over the whole customer base (listChurned takes no filter)',
  active_subscribers: "subscribers are counted over all the workspace's subscriptions",
  continuation_rate: 'continuation is measured over all the subscriptions started in a bucket',
  cancellation_rate: 'the cancellation rate is measured over all the subscriptions in force',
  step_up_rate: 'the step-up rate is measured over all the trial buyers of a bucket',
};

function targetProblems(definition: KpiDefinition): string[] {
  const { metric, granularity, target, targetOverrides } = definition;
  const problems: string[] = [];
  const shareProblem = (field: string, value: number) =>
    isRateMetric(metric.kind) && value > 1 ? `${field}: ${metric.kind} is a share from 0 to 1 (0.3 for 30 %), so its target cannot be ${value}` : null;
  const problem = shareProblem('target', target);
  if (problem) problems.push(problem);
  const seen = new Set<string>();
  targetOverrides.forEach((override, index) => {
    const field = `targetOverrides.${index}`;
    if (bucketStart(override.bucket, granularity) !== override.bucket) {
      problems.push(
        `${field}.bucket: ${override.bucket} is not the first date of a ${granularity} (${granularity === 'week' ? 'a Monday' : 'the 1st'}); did you mean ${bucketStart(override.bucket, granularity)}?`,
      );
    }
    if (seen.has(override.bucket)) problems.push(`${field}.bucket: ${override.bucket} has more than one override`);
    seen.add(override.bucket);
    const overrideProblem = shareProblem(`${field}.target`, override.target);
    if (overrideProblem) problems.push(overrideProblem);
  });
  return problems;
}

/** Throws `validation_failed` naming each problem of a definition. */
export function checkKpiDefinition(definition: KpiDefinition): void {
  const problems = kpiDefinitionProblems(definition);
  if (problems.length > 0) throw validationError(problems);
}

function validationError(problems: string[]): KizunaError {
  return new KizunaError('validation_failed', `The KPI is not valid: ${problems.join('; ')}`, { problems });
}

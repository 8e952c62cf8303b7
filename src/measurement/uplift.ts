import type pg from 'pg';
import type { KpiMetricKind } from '../kpis/definition.ts';
import type { MeasurementMetricKind, MeasurementPlan, ScenarioDocument } from '../scenarios/model.ts';
import { KizunaError } from '../shared/errors.ts';
import { localDateOf } from '../shared/time.ts';
import {
  bootstrapDifference,
  capAtPercentile,
  cuped,
  minimumDetectableMean,
  minimumDetectableProportion,
  newcombeDifference,
  relativeLift,
  sampleRatioTest,
  sampleSizeForMeans,
  sampleSizeForProportions,
  summarize,
  twoProportionZTest,
  welchInterval,
} from './stats.ts';

/**
 * A scenario's effect against its holdout (control) group, by its measurement plan.
 *
 * Who is measured (intent to treat): each customer's first entry during the run (the first
 * `runDays` days from the first publish of a version with the plan), in the arm assigned at
 * entry — treatment or holdout (the global control group is left out: it measures CRM as a
 * whole) — once their window (`windowDays` from entry) has ended. The metric is read from the
 * customer's orders and subscriptions in that window: purchase, subscription start, continuation
 * (a subscription delivery), or revenue (orders' amounts, cancelled and returned orders left
 * out). A KPI metric is measured by its nearest per-customer metric (sales → revenue, F2 and
 * repeat → purchase, continuation → continuation, step-up → subscription start …).
 *
 * The statistics (stats.ts): a rate's uplift is the difference of proportions with Newcombe's
 * hybrid score interval, its relative lift by the delta method; revenue per customer is capped
 * at the pooled 99.9th percentile (stated with the result) and judged by Welch's interval, with a
 * percentile bootstrap beside it; CUPED (the same window's spend before entry as covariate)
 * when the plan asks. The needed sample comes from the plan's minimum detectable effect (80 %
 * power, two-sided 5 %), the baseline from the holdout so far.
 *
 * No peeking: the verdict is given once, at the end of the run plus one window (`judgedAt`);
 * before, the figures are shown as they stand, marked "not judged yet", with the progress
 * towards the needed sample. Per step, the same comparison for the customers who reached each
 * send or task step (the holdout reaches it too: its message is withheld), from reaching it.
 */

export const REVENUE_CAP_PERCENTILE = 0.999;
export const CONFIDENCE = 0.95;
export const POWER = 0.8;

export type Verdict = 'effective' | 'harmful' | 'inconclusive';
export type MeasureStatus = 'no_plan' | 'collecting' | 'judged';

export interface ArmFigures {
  customers: number;
  /** Rate metrics: customers who converted. */
  conversions: number | null;
  /** The rate, or the mean revenue per customer (capped). */
  value: number | null;
}

export type Effect =
  | {
      kind: 'proportion';
      /** Percentage points as a fraction (0.023 = +2.3 pt). */
      difference: number;
      low: number;
      high: number;
      pValue: number;
      relativeLift: { lift: number; low: number; high: number } | null;
    }
  | {
      kind: 'mean';
      difference: number;
      low: number;
      high: number;
      bootstrap: { low: number; high: number; resamples: number };
      /** The cap applied to each customer's revenue (the pooled 99.9th percentile) and how many were lowered. */
      cap: { percentile: number; value: number; capped: number };
      cuped: { difference: number; low: number; high: number; theta: number; varianceReduction: number } | null;
      relativeLift: number | null;
    };

export interface Comparison {
  treatment: ArmFigures;
  holdout: ArmFigures;
  effect: Effect | null;
  /** Customers needed for the plan's minimum detectable effect (null: not computable yet, e.g. no holdout conversions). */
  required: { treatment: number; holdout: number } | null;
  /** The smallest effect detectable with the customers so far. */
  detectable: number | null;
  enoughData: boolean;
  verdict: Verdict | null;
}

export interface StepComparison extends Comparison {
  stepId: string;
  name: string | null;
  kind: 'send' | 'task';
}

export interface ScenarioMeasurement {
  scenarioId: string;
  scenarioKey: string;
  plan: MeasurementPlan | null;
  /** The metric measured (a KPI resolved to its per-customer metric). */
  metric: Exclude<MeasurementMetricKind, 'kpi'> | null;
  kpi: { id: string; name: string; metric: KpiMetricKind } | null;
  status: MeasureStatus;
  launchedAt: string | null;
  /** Entries until then are measured. */
  entriesUntil: string | null;
  /** The verdict is given then. */
  judgedAt: string | null;
  /** Customers whose window is still open (not counted yet). */
  pending: { treatment: number; holdout: number };
  /** Entrants in the global control group (left out of this comparison). */
  globalControl: number;
  /** The share of entrants held out, as planned and as observed (a large gap: assignment went wrong). */
  sampleRatio: { planned: number; observed: number | null; pValue: number | null };
  overall: Comparison | null;
  /** Cumulative by entry date (local), for the chart. */
  overTime: Array<{ date: string; treatment: number | null; holdout: number | null; treatmentCustomers: number; holdoutCustomers: number }>;
  steps: StepComparison[];
}

/** The per-customer metric a KPI is measured by. */
export function metricForKpi(kind: KpiMetricKind): Exclude<MeasurementMetricKind, 'kpi'> {
  switch (kind) {
    case 'sales':
    case 'purchases':
    case 'frequency':
    case 'items_per_purchase':
    case 'price_per_item':
      return 'revenue';
    case 'customers':
    case 'repeat_rate':
    case 'f2_rate':
    case 'churn_rate':
      return 'purchase';
    case 'active_subscribers':
    case 'continuation_rate':
    case 'cancellation_rate':
      return 'continuation';
    case 'step_up_rate':
      return 'subscription_start';
  }
}

/** The SQL of a customer's metric in [start, start + window) (`$w` the window as an interval); `c` the customer id, `t0` the start. */
function metricSql(metric: Exclude<MeasurementMetricKind, 'kpi'>, c: string, t0: string): string {
  const orders = `from orders o where o.workspace_id = $1 and o.customer_id = ${c} and o.ordered_at >= ${t0} and o.ordered_at < ${t0} + $w
                    and o.status not in ('cancelled', 'returned')`;
  switch (metric) {
    case 'purchase':
      return `(exists (select 1 ${orders}))::int::float8`;
    case 'revenue':
      return `coalesce((select sum(o.amount) ${orders}), 0)::float8`;
    case 'continuation':
      return `(exists (select 1 ${orders} and o.delivery_number is not null))::int::float8`;
    case 'subscription_start':
      return `(exists (select 1 from subscriptions s where s.workspace_id = $1 and s.customer_id = ${c} and s.started_at >= ${t0} and s.started_at < ${t0} + $w))::int::float8`;
  }
}

/** The spend in the same window length before `t0` (CUPED's covariate). */
function preSpendSql(c: string, t0: string): string {
  return `coalesce((select sum(o.amount) from orders o where o.workspace_id = $1 and o.customer_id = ${c} and o.ordered_at >= ${t0} - $w and o.ordered_at < ${t0}
                      and o.status not in ('cancelled', 'returned')), 0)::float8`;
}

interface UnitRow {
  arm: 'treatment' | 'holdout';
  at: Date;
  y: number;
  x: number;
}

/**
 * Measures a scenario (by id or key) at `now`.
 */
export async function measureScenario(pool: pg.Pool, params: { workspaceId: string; scenario: string; now: Date }): Promise<ScenarioMeasurement> {
  const { workspaceId, now } = params;
  const { rows: found } = await pool.query<{ id: string; key: string; timezone: string }>(
    `select s.id::text, s.key, w.timezone from scenarios s join workspaces w on w.id = s.workspace_id
      where s.workspace_id = $1 and (s.key = $2 or s.id::text = $2)`,
    [workspaceId, params.scenario],
  );
  const scenario = found[0];
  if (!scenario) throw new KizunaError('not_found', `Scenario "${params.scenario}" does not exist in this workspace.`);
  // The plan: the latest version's; the launch: the first version that carried a holdout.
  const { rows: versions } = await pool.query<{ version: number; document: ScenarioDocument; created_at: Date }>(
    `select version, document, created_at from scenario_versions where scenario_id = $1 order by version`,
    [scenario.id],
  );
  const latest = versions.at(-1);
  const plan = latest?.document.measurement ?? null;
  const empty: ScenarioMeasurement = {
    scenarioId: scenario.id,
    scenarioKey: scenario.key,
    plan,
    metric: null,
    kpi: null,
    status: 'no_plan',
    launchedAt: null,
    entriesUntil: null,
    judgedAt: null,
    pending: { treatment: 0, holdout: 0 },
    globalControl: 0,
    sampleRatio: { planned: plan ? plan.holdoutPercent / 100 : 0, observed: null, pValue: null },
    overall: null,
    overTime: [],
    steps: [],
  };
  if (!plan || plan.holdoutPercent === 0) return empty;
  const launch = versions.find((version) => (version.document.measurement?.holdoutPercent ?? 0) > 0)!.created_at;
  let metric: Exclude<MeasurementMetricKind, 'kpi'>;
  let kpi: ScenarioMeasurement['kpi'] = null;
  if (plan.metric.kind === 'kpi') {
    const { rows } = await pool.query<{ id: string; name: string; metric: KpiMetricKind }>(
      'select id::text, name, metric from kpis where workspace_id = $1 and id = $2',
      [workspaceId, plan.metric.kpiId],
    );
    if (!rows[0]) throw new KizunaError('validation_failed', `The scenario is measured by KPI ${plan.metric.kpiId}, which no longer exists.`);
    kpi = rows[0];
    metric = metricForKpi(rows[0].metric);
  } else metric = plan.metric.kind;
  const day = 86_400_000;
  const entriesUntil = new Date(launch.getTime() + plan.runDays * day);
  const judgedAt = new Date(entriesUntil.getTime() + plan.windowDays * day);
  const window = `${plan.windowDays} days`;
  const complete = new Date(now.getTime() - plan.windowDays * day);
  const bind = (sql: string) => sql.replaceAll('$w', `$5::interval`);

  // Each customer's first entry in the run.
  const { rows: counts } = await pool.query<{ arm: string; complete: boolean; n: string }>(
    `select arm, entered_at <= $4 as complete, count(*)::text as n
       from (select distinct on (customer_id) arm, entered_at from scenario_enrollments
              where workspace_id = $1 and scenario_id = $2 and entered_at >= $5 and entered_at < $3
              order by customer_id, entered_at) first
      group by 1, 2`,
    [workspaceId, scenario.id, entriesUntil, complete, launch],
  );
  const countOf = (arm: string, done: boolean) => Number(counts.find((row) => row.arm === arm && row.complete === done)?.n ?? 0);
  const units = await pool.query<UnitRow>(
    bind(`select first.arm, first.entered_at as at, ${metricSql(metric, 'first.customer_id', 'first.entered_at')} as y,
                 ${plan.cuped && metric === 'revenue' ? preSpendSql('first.customer_id', 'first.entered_at') : '0::float8'} as x
            from (select distinct on (customer_id) customer_id, arm, entered_at from scenario_enrollments
                   where workspace_id = $1 and scenario_id = $2 and entered_at >= $6 and entered_at < $3
                   order by customer_id, entered_at) first
           where first.arm in ('treatment', 'holdout') and first.entered_at <= $4
           order by first.entered_at`),
    [workspaceId, scenario.id, entriesUntil, complete, window, launch],
  );
  const entrants = countOf('treatment', true) + countOf('treatment', false) + countOf('holdout', true) + countOf('holdout', false);
  const holdoutAll = countOf('holdout', true) + countOf('holdout', false);
  const status: MeasureStatus = now.getTime() >= judgedAt.getTime() ? 'judged' : 'collecting';
  const overall = compare(units.rows, metric, plan, status === 'judged');

  // Per step: the customers who reached each send or task step in the run, from reaching it.
  const stepKinds = latest!.document.steps.filter((step) => step.kind === 'send' || step.kind === 'task');
  const steps: StepComparison[] = [];
  for (const step of stepKinds) {
    const { rows } = await pool.query<UnitRow>(
      bind(`select first.arm, first.created_at as at, ${metricSql(metric, 'first.customer_id', 'first.created_at')} as y,
                   ${plan.cuped && metric === 'revenue' ? preSpendSql('first.customer_id', 'first.created_at') : '0::float8'} as x
              from (select distinct on (e.customer_id) e.customer_id, e.arm, f.created_at
                      from scenario_enrollments e join scenario_effects f on f.enrollment_id = e.id and f.step_id = $7
                     where e.workspace_id = $1 and e.scenario_id = $2 and e.entered_at >= $6 and e.entered_at < $3 and e.arm in ('treatment', 'holdout')
                     order by e.customer_id, f.created_at) first
             where first.created_at <= $4`),
      [workspaceId, scenario.id, entriesUntil, complete, window, launch, step.id],
    );
    steps.push({
      stepId: step.id,
      name: step.name ?? null,
      kind: step.kind as 'send' | 'task',
      ...compare(rows, metric, plan, status === 'judged'),
    });
  }
  const observed = entrants > 0 ? holdoutAll / entrants : null;
  return {
    ...empty,
    metric,
    kpi,
    status,
    launchedAt: launch.toISOString(),
    entriesUntil: entriesUntil.toISOString(),
    judgedAt: judgedAt.toISOString(),
    pending: { treatment: countOf('treatment', false), holdout: countOf('holdout', false) },
    globalControl: countOf('global_control', true) + countOf('global_control', false),
    sampleRatio: {
      planned: plan.holdoutPercent / 100,
      observed,
      pValue: entrants > 0 ? sampleRatioPValue(holdoutAll, entrants, plan.holdoutPercent / 100) : null,
    },
    overall,
    overTime: cumulative(cappedUnits(units.rows, metric), metric, scenario.timezone),
    steps,
  };
}

/** The two-sided p-value of the holdout count against the planned share (a sample-ratio mismatch check). */
function sampleRatioPValue(holdout: number, total: number, share: number): number {
  if (share <= 0 || share >= 1) return 1;
  return sampleRatioTest(holdout, total, share).pValue;
}

/** Compares treatment and holdout units on the metric. */
export function compare(units: readonly UnitRow[], metric: Exclude<MeasurementMetricKind, 'kpi'>, plan: MeasurementPlan, judged: boolean): Comparison {
  const treatment = units.filter((unit) => unit.arm === 'treatment');
  const holdout = units.filter((unit) => unit.arm === 'holdout');
  const controlShare = plan.holdoutPercent / 100;
  if (metric !== 'revenue') {
    const t = { successes: treatment.filter((unit) => unit.y > 0).length, n: treatment.length };
    const c = { successes: holdout.filter((unit) => unit.y > 0).length, n: holdout.length };
    const figures = {
      treatment: { customers: t.n, conversions: t.successes, value: t.n > 0 ? t.successes / t.n : null },
      holdout: { customers: c.n, conversions: c.successes, value: c.n > 0 ? c.successes / c.n : null },
    };
    const mde = plan.minimumDetectableEffect / 100;
    const baseline = c.n > 0 ? c.successes / c.n : t.n > 0 ? t.successes / t.n : null;
    const required =
      baseline !== null && baseline + mde < 1 && baseline > 0
        ? (({ treatment: rt, control: rc }) => ({ treatment: rt, holdout: rc }))(sampleSizeForProportions({ baseline, mde, controlShare }))
        : null;
    const enoughData = required !== null && t.n >= required.treatment && c.n >= required.holdout;
    if (t.n === 0 || c.n === 0) return { ...figures, effect: null, required, detectable: null, enoughData: false, verdict: null };
    const interval = newcombeDifference(t, c, CONFIDENCE);
    const effect: Effect = {
      kind: 'proportion',
      difference: interval.difference,
      low: interval.low,
      high: interval.high,
      pValue: twoProportionZTest(t, c).pValue,
      relativeLift: relativeLift(t, c, CONFIDENCE),
    };
    const detectable = baseline !== null && baseline > 0 && baseline < 1 ? minimumDetectableProportion({ baseline, treatment: t.n, control: c.n }) : null;
    return { ...figures, effect, required, detectable, enoughData, verdict: judged ? verdictOf(effect.low, effect.high) : null };
  }
  if (units.length === 0)
    return {
      treatment: { customers: 0, conversions: null, value: null },
      holdout: { customers: 0, conversions: null, value: null },
      effect: null,
      required: null,
      detectable: null,
      enoughData: false,
      verdict: null,
    };
  // Revenue per customer: capped at the pooled 99.9th percentile, then Welch and the bootstrap.
  const pooled = Float64Array.from(units, (unit) => unit.y);
  const capped = capAtPercentile(pooled, REVENUE_CAP_PERCENTILE);
  const ys = capped.values;
  const tIndex = units.map((unit, i) => (unit.arm === 'treatment' ? i : -1)).filter((i) => i >= 0);
  const cIndex = units.map((unit, i) => (unit.arm === 'holdout' ? i : -1)).filter((i) => i >= 0);
  const tY = Float64Array.from(tIndex, (i) => ys[i]!);
  const cY = Float64Array.from(cIndex, (i) => ys[i]!);
  const tSummary = summarize(tY);
  const cSummary = summarize(cY);
  const figures = {
    treatment: { customers: tY.length, conversions: null, value: tY.length > 0 ? tSummary.mean : null },
    holdout: { customers: cY.length, conversions: null, value: cY.length > 0 ? cSummary.mean : null },
  };
  const sd = summarize(ys).sd;
  const required =
    units.length >= 2 && sd > 0
      ? (({ treatment: rt, control: rc }) => ({ treatment: rt, holdout: rc }))(sampleSizeForMeans({ sd, mde: plan.minimumDetectableEffect, controlShare }))
      : null;
  const enoughData = required !== null && tY.length >= required.treatment && cY.length >= required.holdout;
  if (tY.length < 2 || cY.length < 2) return { ...figures, effect: null, required, detectable: null, enoughData: false, verdict: null };
  const welch = welchInterval(tY, cY, CONFIDENCE);
  const boot = bootstrapDifference(tY, cY, { resamples: 2000, confidence: CONFIDENCE, seed: 1 });
  let cupedResult: Extract<Effect, { kind: 'mean' }>['cuped'] = null;
  if (plan.cuped) {
    const adjusted = cuped(
      ys,
      Float64Array.from(units, (unit) => unit.x),
    );
    const interval = welchInterval(
      Float64Array.from(tIndex, (i) => adjusted.adjusted[i]!),
      Float64Array.from(cIndex, (i) => adjusted.adjusted[i]!),
      CONFIDENCE,
    );
    cupedResult = {
      difference: interval.difference,
      low: interval.low,
      high: interval.high,
      theta: adjusted.theta,
      varianceReduction: adjusted.varianceReduction,
    };
  }
  const judgedBy = cupedResult ?? welch;
  const effect: Effect = {
    kind: 'mean',
    difference: welch.difference,
    low: welch.low,
    high: welch.high,
    bootstrap: { low: boot.low, high: boot.high, resamples: boot.resamples },
    cap: { percentile: REVENUE_CAP_PERCENTILE, value: capped.cap, capped: capped.capped },
    cuped: cupedResult,
    relativeLift: cSummary.mean > 0 ? tSummary.mean / cSummary.mean - 1 : null,
  };
  const detectable = sd > 0 ? minimumDetectableMean({ sd, treatment: tY.length, control: cY.length }) : null;
  return { ...figures, effect, required, detectable, enoughData, verdict: judged ? verdictOf(judgedBy.low, judgedBy.high) : null };
}

function verdictOf(low: number, high: number): Verdict {
  if (low > 0) return 'effective';
  if (high < 0) return 'harmful';
  return 'inconclusive';
}

/** Revenue capped as the comparison caps it (the chart agrees with the headline); other metrics as they are. */
function cappedUnits(units: readonly UnitRow[], metric: Exclude<MeasurementMetricKind, 'kpi'>): readonly UnitRow[] {
  if (metric !== 'revenue' || units.length === 0) return units;
  const { values } = capAtPercentile(
    Float64Array.from(units, (unit) => unit.y),
    REVENUE_CAP_PERCENTILE,
  );
  return units.map((unit, i) => ({ ...unit, y: values[i]! }));
}

/** Cumulative figures by local entry date. */
function cumulative(units: readonly UnitRow[], metric: Exclude<MeasurementMetricKind, 'kpi'>, timezone: string): ScenarioMeasurement['overTime'] {
  const points: ScenarioMeasurement['overTime'] = [];
  const sums = { treatment: { n: 0, y: 0 }, holdout: { n: 0, y: 0 } };
  const rate = (sum: { n: number; y: number }) => (sum.n > 0 ? sum.y / sum.n : null);
  for (const unit of units) {
    const date = localDateOf(unit.at, timezone);
    const sum = sums[unit.arm];
    sum.n++;
    sum.y += metric === 'revenue' ? unit.y : unit.y > 0 ? 1 : 0;
    const point = {
      date,
      treatment: rate(sums.treatment),
      holdout: rate(sums.holdout),
      treatmentCustomers: sums.treatment.n,
      holdoutCustomers: sums.holdout.n,
    };
    if (points.at(-1)?.date === date) points[points.length - 1] = point;
    else points.push(point);
  }
  return points;
}

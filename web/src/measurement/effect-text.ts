import type { Schemas } from '../api/client.ts';
import type { Format } from '../format.ts';
import type { Messages } from '../i18n/ja.ts';

/**
 * A scenario's measured effect in words and figures: the verdict sentence, differences with
 * their intervals (percentage points for a rate, money for revenue per customer), and which
 * unit a plan's metric is in. Pure (no JSX), so the journey panel and the effect tab say it alike.
 */

export type ScenarioMeasurement = Schemas['ScenarioMeasurement'];
export type Comparison = NonNullable<ScenarioMeasurement['overall']>;
export type Effect = NonNullable<Comparison['effect']>;
export type MeasurementPlan = Schemas['MeasurementPlan'];
export type MeasuredMetric = NonNullable<ScenarioMeasurement['metric']>;
type Text = Messages['measurement'];

/** The KPI metrics measured per customer by revenue (the server's metricForKpi); the others are rates. */
const REVENUE_KPIS = new Set(['sales', 'purchases', 'frequency', 'items_per_purchase', 'price_per_item']);

/** The per-customer metric a KPI is measured by (as src/measurement/uplift.ts metricForKpi). */
export function metricForKpi(kind: string): MeasuredMetric {
  if (REVENUE_KPIS.has(kind)) return 'revenue';
  if (kind === 'active_subscribers' || kind === 'continuation_rate' || kind === 'cancellation_rate') return 'continuation';
  if (kind === 'step_up_rate') return 'subscription_start';
  return 'purchase';
}

/** A number with its sign (+2.3, −1.2; 0.0 unsigned), at `digits` decimals. */
export function signed(format: Format, value: number, digits: number): string {
  const factor = 10 ** digits;
  const rounded = Math.round(value * factor) / factor;
  const magnitude = format.decimal(Math.abs(rounded), digits, digits);
  return rounded > 0 ? `+${magnitude}` : rounded < 0 ? `−${magnitude}` : magnitude;
}

/** An amount of money with its sign (+￥320, −￥40). */
export function signedMoney(format: Format, value: number): string {
  const rounded = Math.round(value);
  const magnitude = format.money(Math.abs(rounded));
  return rounded > 0 ? `+${magnitude}` : rounded < 0 ? `−${magnitude}` : magnitude;
}

/** A fraction as signed percentage points (0.023 → +2.3pt). */
export function points(format: Format, text: Text, fraction: number): string {
  return `${signed(format, fraction * 100, 1)}${text.effect.pt}`;
}

/** A relative change as a signed percent (1.5 → +150%). */
export function signedPercent(format: Format, value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  const magnitude = format.percent(Math.abs(rounded), 1).replace(/\.0%$/, '%');
  return rounded > 0 ? `+${magnitude}` : rounded < 0 ? `−${magnitude}` : magnitude;
}

/** The interval that judges the effect: CUPED's when the plan asked for it, else the primary one. */
export function judgingInterval(effect: Effect): { difference: number; low: number; high: number } {
  if (effect.kind === 'mean' && effect.cuped) return effect.cuped;
  return effect;
}

/** The difference and its interval ends as text, in the metric's unit (the unit on the high end only, as 「+0.8〜+3.8pt」). */
export function intervalText(format: Format, text: Text, effect: Effect): { difference: string; low: string; high: string } {
  const judged = judgingInterval(effect);
  if (effect.kind === 'mean')
    return { difference: signedMoney(format, judged.difference), low: signedMoney(format, judged.low), high: signedMoney(format, judged.high) };
  return {
    difference: points(format, text, judged.difference),
    low: signed(format, judged.low * 100, 1),
    high: points(format, text, judged.high),
  };
}

/** The measured metric's name for a sentence (a KPI named with it). */
export function metricName(text: Text, measurement: Pick<ScenarioMeasurement, 'metric' | 'kpi'>): string {
  const metric = text.metrics[measurement.metric ?? 'purchase'] ?? measurement.metric ?? '';
  return measurement.kpi ? text.metricOfKpi(metric, measurement.kpi.name) : metric;
}

/**
 * The verdict in one sentence: 「効果あり：購入率 +2.3pt（95%信頼区間 +0.8〜+3.8pt）」, or for
 * revenue 「効果あり：お客さま1人あたり売上 +￥320（95%信頼区間 +￥40〜+￥600、上位0.1%を￥12,000で打ち切り）」.
 * Null before the verdict (or without an effect).
 */
export function verdictSentence(format: Format, text: Text, measurement: ScenarioMeasurement, comparison: Comparison | null): string | null {
  if (!comparison?.verdict || !comparison.effect) return null;
  const verdict = text.effect.verdicts[comparison.verdict] ?? comparison.verdict;
  const metric = metricName(text, measurement);
  const { difference, low, high } = intervalText(format, text, comparison.effect);
  const effect = comparison.effect;
  if (effect.kind === 'mean')
    return text.effect.verdictLineCapped(verdict, metric, difference, low, high, format.percent(1 - effect.cap.percentile, 1), format.money(effect.cap.value));
  return text.effect.verdictLine(verdict, metric, difference, low, high);
}

/** A rate or an amount per customer, as the metric reads. */
export function valueText(format: Format, metric: MeasuredMetric | null, value: number | null, none: string): string {
  if (value === null) return none;
  return metric === 'revenue' ? format.money(Math.round(value)) : format.percent(value, 1);
}

/** The badge of a scenario's measured effect: a verdict, measuring, or no control group. */
export type EffectBadge = 'effective' | 'harmful' | 'inconclusive' | 'collecting' | 'none';

export function badgeOf(measurement: ScenarioMeasurement | null): EffectBadge {
  if (!measurement || measurement.status === 'no_plan') return 'none';
  if (measurement.status === 'collecting') return 'collecting';
  return measurement.overall?.verdict ?? 'inconclusive';
}

import type { Schemas } from '../api/client.ts';
import type { Format } from '../format.ts';
import type { Messages } from '../i18n/ja.ts';

type KpiMetric = Schemas['Kpi']['metric'];
type KpiMetricKind = KpiMetric['kind'];

/** The metric in words, with its parameter: F2転換率(90日以内). */
export function metricLabel(t: Messages, metric: KpiMetric): string {
  const k = t.analytics.kpis;
  const name = k.metrics[metric.kind];
  switch (metric.kind) {
    case 'f2_rate':
    case 'step_up_rate':
      return k.withinDays(name, String(metric.within));
    case 'continuation_rate':
      return k.fromDelivery(name, String(metric.deliveryNumber), String(metric.deliveryNumber + 1));
    case 'churn_rate':
      return metric.window === null ? name : k.windowDays(name, String(metric.window));
    default:
      return name;
  }
}

/** A KPI's value in its metric's unit: money, people, a count, a quotient or a share. */
export function kpiValue(t: Messages, format: Format, kind: KpiMetricKind, value: number): string {
  const u = t.analytics.units;
  switch (kind) {
    case 'sales':
    case 'price_per_item':
      return format.money(Math.round(value));
    case 'customers':
    case 'active_subscribers':
      return u.people(format.integer(value));
    case 'purchases':
      return format.integer(value);
    case 'frequency':
      return u.times(format.decimal(value, 2, 2));
    case 'items_per_purchase':
      return u.items(format.decimal(value, 2, 2));
    case 'repeat_rate':
    case 'f2_rate':
    case 'churn_rate':
    case 'continuation_rate':
    case 'cancellation_rate':
    case 'step_up_rate':
      return format.percent(value);
  }
}

import type { Format } from '../format.ts';
import type { ChartOption } from './echart.tsx';

/** A point of the rate line: a value, or a value with its own style (a cohort still open, drawn hollow). */
type RatePoint = number | null | { value: number | null; itemStyle: Record<string, unknown> };

/**
 * A rate per bucket as a line over the counts it is the rate of, as bars on a second axis: the
 * repeat rate over buyers, the cancellation rate over cancellations, the step-up rate over trial
 * buyers. One shape, so the pages read alike.
 */
export function rateOverCountsOption(params: {
  format: Format;
  labels: readonly string[];
  counts: { name: string; values: readonly number[]; show(value: number): string };
  rate: { name: string; points: readonly RatePoint[]; show(value: number | null): string; color?: string };
}): ChartOption {
  const { format, labels, counts, rate } = params;
  return {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: [...labels] },
    yAxis: [
      { type: 'value', name: rate.name, axisLabel: { formatter: (v: number) => format.percent(v, 0) } },
      { type: 'value', name: counts.name, splitLine: { show: false }, axisLabel: { formatter: (v: number) => format.integer(v) } },
    ],
    series: [
      {
        type: 'bar',
        name: counts.name,
        yAxisIndex: 1,
        data: [...counts.values],
        itemStyle: { color: '#d9d4cc' },
        tooltip: { valueFormatter: (v) => counts.show(Number(v)) },
      },
      {
        type: 'line',
        name: rate.name,
        data: [...rate.points],
        symbolSize: 6,
        ...(rate.color ? { itemStyle: { color: rate.color }, lineStyle: { color: rate.color } } : {}),
        tooltip: { valueFormatter: (v) => rate.show(v === null || v === undefined ? null : Number(v)) },
      },
    ],
  };
}

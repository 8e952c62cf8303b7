import { useMemo } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { addMonths, isDate, monthStart } from '../analytics/dates.ts';
import { EChart, HEATMAP_COLORS, type ChartOption } from '../analytics/echart.tsx';
import { orNone } from '../analytics/labels.ts';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import { AsOfField, useAsOfQuery } from '../analytics/period-controls.tsx';
import { countUpTo, oneOf } from '../analytics/search-params.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type CohortRetention = Schemas['CohortRetention'];
type Cohort = Schemas['RetentionCohort'];
type Cell = Cohort['cells'][number];

const METRICS = ['retention', 'cumulative'] as const;
type Metric = (typeof METRICS)[number];
const MAX_MONTHS = 120;
const DEFAULT_MONTHS = 12;

/** コホート継続: the cohort × month heatmap (share retained or revenue per customer, cumulative) and the LTV curve. */
export function AnalyticsRetentionPage() {
  return (
    <AnalyticsPage page="retention" topics={['purchase', 'retention']}>
      {(dataEnd) => <RetentionAnalysis dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function RetentionAnalysis({ dataEnd }: { dataEnd: string }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const a = t.analytics;
  const r = a.retention;
  const c = a.controls;
  const { asOf, setAsOf, query } = useAsOfQuery(dataEnd);
  const toParam = query.get('to');
  const to = isDate(toParam) ? monthStart(toParam) : addMonths(asOf, asOf === monthStart(asOf) ? 0 : 1);
  const fromParam = query.get('from');
  const from = isDate(fromParam) && monthStart(fromParam) < to ? monthStart(fromParam) : addMonths(to, -12);
  const months = countUpTo(query.get('months'), MAX_MONTHS) ?? DEFAULT_MONTHS;
  const metric = oneOf(METRICS, query.get('metric'), 'retention');
  const retention = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/retention', {
          params: { path: { workspace: workspace.name }, query: { from, to, months, asOf } },
          signal,
        }),
      ),
    [workspace.name, from, to, months, asOf],
  );
  const monthInput = (label: string, value: string, onChange: (month: string) => void) => (
    <label className="field">
      <span>{label}</span>
      <input
        type="month"
        value={value.slice(0, 7)}
        onChange={(e) => {
          if (/^\d{4}-\d{2}$/.test(e.target.value)) onChange(`${e.target.value}-01`);
        }}
      />
    </label>
  );
  return (
    <>
      <div className="toolbar analytics-controls">
        {monthInput(c.cohortsFrom, from, (month) => query.set({ from: month }))}
        {monthInput(c.cohortsUntil, addMonths(to, -1), (month) => query.set({ to: addMonths(month, 1) }))}
        <label className="field field-narrow">
          <span>{c.months}</span>
          <input type="number" min={1} max={MAX_MONTHS} value={months} onChange={(e) => query.set({ months: e.target.value })} />
        </label>
        <AsOfField value={asOf} onChange={setAsOf} />
        <div className="field">
          <span>{r.metric}</span>
          <div className="segmented" role="group" aria-label={r.metric}>
            {METRICS.map((m) => (
              <button key={m} type="button" aria-pressed={m === metric} onClick={() => query.set({ metric: m })}>
                {r.metrics[m]}
              </button>
            ))}
          </div>
        </div>
      </div>
      <WhenLoaded data={retention}>
        {(data) =>
          data.cohorts.every((cohort) => cohort.customers === 0) ? (
            <p className="alert alert-info">{r.none}</p>
          ) : (
            <>
              <HeatmapCard data={data} metric={metric} />
              <LtvCurveCard data={data} />
            </>
          )
        }
      </WhenLoaded>
    </>
  );
}

function cellValue(cell: Cell, metric: Metric): number | null {
  return metric === 'retention' ? cell.retention : cell.cumulativeRevenuePerCustomer;
}

function HeatmapCard({ data, metric }: { data: CohortRetention; metric: Metric }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const r = a.retention;
  const cohorts = data.cohorts;
  const show = (v: number) => (metric === 'retention' ? format.percent(v, 0) : format.money(Math.round(v)));
  const offsets = Array.from({ length: data.months + 1 }, (_, k) => k);
  const cohortLabel = (cohort: Cohort) => r.cohortLabel(format.calendarMonth(cohort.month), a.units.people(format.integer(cohort.customers)));
  const columns: Column<Cohort>[] = [
    { label: r.cohort, value: (c) => c.month, cell: (c) => format.calendarMonth(c.month) },
    { label: r.cohortSize, value: (c) => c.customers, cell: (c) => format.integer(c.customers), numeric: true },
    ...offsets.map(
      (k): Column<Cohort> => ({
        label: a.units.monthOffset(k),
        value: (c) => {
          const cell = c.cells[k];
          return cell ? cellValue(cell, metric) : null;
        },
        cell: (c) => {
          const cell = c.cells[k];
          return orNone(t, cell ? cellValue(cell, metric) : null, show);
        },
        numeric: true,
      }),
    ),
  ];
  const option = useMemo((): ChartOption => {
    const values: (number | null)[][] = cohorts.map((c) =>
      offsets.map((k) => {
        const cell = c.cells[k];
        return cell ? cellValue(cell, metric) : null;
      }),
    );
    // Month 0 is 100 % by definition: scale colours on the later months, where the differences are.
    const scaled = values.flatMap((row) => row.filter((_, k) => metric === 'cumulative' || k > 0)).filter((v): v is number => v !== null);
    const max = Math.max(...scaled, metric === 'retention' ? 0.01 : 1);
    return {
      grid: { left: 8, right: 16, top: 8, bottom: 64, containLabel: true },
      tooltip: {
        formatter: (p) => {
          const point = Array.isArray(p) ? p[0] : p;
          if (!point) return '';
          const [k, row, value] = point.value as [number, number, number | string];
          const cohort = cohorts[row];
          return cohort ? `${cohortLabel(cohort)}<br/>${a.units.monthOffset(k)}: <b>${typeof value === 'number' ? show(value) : r.future}</b>` : '';
        },
      },
      xAxis: { type: 'category', data: offsets.map((k) => a.units.monthOffset(k)), splitArea: { show: true }, position: 'top' },
      yAxis: { type: 'category', data: cohorts.map(cohortLabel), inverse: true, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 8,
        itemWidth: 12,
        itemHeight: 200,
        text: [show(max), show(0)],
        inRange: { color: HEATMAP_COLORS },
        formatter: (v) => show(Number(v)),
      },
      series: [
        {
          type: 'heatmap',
          name: r.metrics[metric],
          data: values.flatMap((row, y) => row.map((v, k) => [k, y, v ?? '-'])),
          label: {
            show: true,
            fontSize: 11,
            formatter: (p) => {
              const v = (p.value as [number, number, number | string])[2];
              return typeof v === 'number' ? show(v) : '';
            },
          },
          itemStyle: { borderColor: '#fff', borderWidth: 1 },
          emphasis: { itemStyle: { borderColor: '#1f2328', borderWidth: 1 } },
        },
      ],
    };
  }, [data, metric, format, t]);
  return (
    <ChartCard
      title={r.heatmap(r.metrics[metric])}
      rows={cohorts}
      columns={columns}
      rowKey={(c) => c.month}
      filename={`cohort-${metric}_${cohorts[0]?.month ?? ''}_${data.months}m_as-of-${data.asOf}`}
      note={<p className="muted">{r.futureNote}</p>}
      chart={() => <EChart option={option} label={r.heatmap(r.metrics[metric])} height={Math.max(260, cohorts.length * 30 + 110)} />}
    />
  );
}

interface CurvePoint {
  offset: number;
  average: number | null;
  cohorts: number;
}

/** The customer-weighted mean of the cohorts' cumulative revenue per customer at each k, over the cohorts whose cell is known. */
function averageCurve(data: CohortRetention): CurvePoint[] {
  return Array.from({ length: data.months + 1 }, (_, offset) => {
    let revenue = 0;
    let customers = 0;
    let cohorts = 0;
    for (const cohort of data.cohorts) {
      const value = cohort.cells[offset]?.cumulativeRevenuePerCustomer;
      if (value === null || value === undefined || cohort.customers === 0) continue;
      revenue += value * cohort.customers;
      customers += cohort.customers;
      cohorts += 1;
    }
    return { offset, average: customers === 0 ? null : revenue / customers, cohorts };
  });
}

function LtvCurveCard({ data }: { data: CohortRetention }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const r = a.retention;
  const curve = averageCurve(data);
  const columns: Column<CurvePoint>[] = [
    { label: r.offset, value: (p) => p.offset, cell: (p) => a.units.monthOffset(p.offset) },
    { label: r.average, value: (p) => p.average, cell: (p) => orNone(t, p.average, (v) => format.money(Math.round(v))), numeric: true },
    { label: r.cohortsCounted, value: (p) => p.cohorts, cell: (p) => format.integer(p.cohorts), numeric: true },
  ];
  const option = useMemo(
    (): ChartOption => ({
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, data: [r.average] },
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? r.future : format.money(Math.round(Number(v)))) },
      xAxis: { type: 'category', data: curve.map((p) => a.units.monthOffset(p.offset)), boundaryGap: false },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format.money(v) } },
      series: [
        ...data.cohorts
          .filter((c) => c.customers > 0)
          .map((cohort) => ({
            type: 'line' as const,
            name: format.calendarMonth(cohort.month),
            data: cohort.cells.map((cell) => cell.cumulativeRevenuePerCustomer),
            lineStyle: { width: 1, color: '#c9c4bb' },
            itemStyle: { color: '#c9c4bb' },
            symbol: 'none',
            silent: true,
            tooltip: { show: false },
          })),
        {
          type: 'line',
          name: r.average,
          data: curve.map((p) => p.average),
          lineStyle: { width: 3, color: '#b4463c' },
          itemStyle: { color: '#b4463c' },
          symbolSize: 6,
          z: 10,
        },
      ],
    }),
    [data, format, t],
  );
  return (
    <ChartCard
      title={r.ltvCurve}
      rows={curve}
      columns={columns}
      rowKey={(p) => String(p.offset)}
      filename={`ltv-curve_${data.cohorts[0]?.month ?? ''}_${data.months}m_as-of-${data.asOf}`}
      chart={() => <EChart option={option} label={r.ltvCurve} />}
    />
  );
}

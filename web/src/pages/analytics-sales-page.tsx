import { useMemo } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { DecompositionTree, factorFigures, factorValue, type FactorFigures } from '../analytics/decomposition-tree.tsx';
import { EChart, type ChartOption } from '../analytics/echart.tsx';
import { bucketLabel, orNone, periodLabel } from '../analytics/labels.ts';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import {
  COMPARISONS,
  ComparisonSelect,
  GranularitySelect,
  PeriodControls,
  usePeriodQuery,
  type Comparison,
  type Granularity,
} from '../analytics/period-controls.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type SalesDecomposition = Schemas['SalesDecomposition'];

/** 売上分解: the decomposition tree with its change, and the trend per bucket. */
export function AnalyticsSalesPage() {
  return (
    <AnalyticsPage page="sales" topics={['purchase', 'period', 'sales', 'change']}>
      {(dataEnd) => <SalesAnalysis dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function SalesAnalysis({ dataEnd }: { dataEnd: string }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const a = t.analytics;
  const { period, granularity, comparison, setPeriod, setGranularity, setComparison } = usePeriodQuery(dataEnd);
  const sales = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/sales', {
          params: { path: { workspace: workspace.name }, query: { ...period, granularity, compare: COMPARISONS.join(',') } },
          signal,
        }),
      ),
    [workspace.name, period.from, period.to, granularity],
  );
  return (
    <>
      <PeriodControls period={period} dataEnd={dataEnd} onChange={setPeriod}>
        <GranularitySelect value={granularity} onChange={setGranularity} />
        <ComparisonSelect value={comparison} onChange={setComparison} />
      </PeriodControls>
      <WhenLoaded data={sales}>
        {(data) =>
          data.totals.purchases === 0 ? (
            <p className="alert alert-info">{a.empty.noPurchases}</p>
          ) : (
            <>
              <TreeCard data={data} comparison={comparison} />
              <TrendCard data={data} granularity={granularity} />
            </>
          )
        }
      </WhenLoaded>
    </>
  );
}

interface FactorRow extends FactorFigures {
  year?: FactorFigures;
}

function TreeCard({ data, comparison }: { data: SalesDecomposition; comparison: Comparison }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const chosen = data.comparisons.find((c) => c.comparison === comparison);
  const label = a.controls.comparisons[comparison];
  const against = (which: Comparison) => {
    const compared = data.comparisons.find((c) => c.comparison === which);
    return factorFigures(data.totals, compared?.totals, compared?.change);
  };
  const previous = against('previous');
  const year = against('year');
  const figures = comparison === 'year' ? year : previous;
  const rows = previous.map((row, i): FactorRow => ({ ...row, year: year[i] }));
  const p = a.controls.comparisons;
  const columns: Column<FactorRow>[] = [
    { label: a.sales.factor, value: (r) => a.factors[r.factor] },
    { label: a.change.current, value: (r) => r.current, cell: (r) => factorValue(t, format, r.factor, r.current), numeric: true },
    { label: p.previous, value: (r) => r.compared, cell: (r) => factorValue(t, format, r.factor, r.compared), numeric: true },
    { label: a.change.ratio(p.previous), value: (r) => r.ratio, cell: (r) => orNone(t, r.ratio, (v) => format.percent(v)), numeric: true },
    { label: a.text.paren(a.change.share, p.previous), value: (r) => r.share, cell: (r) => orNone(t, r.share, (v) => format.percent(v)), numeric: true },
    { label: p.year, value: (r) => r.year?.compared, cell: (r) => factorValue(t, format, r.factor, r.year?.compared ?? null), numeric: true },
    { label: a.change.ratio(p.year), value: (r) => r.year?.ratio, cell: (r) => orNone(t, r.year?.ratio, (v) => format.percent(v)), numeric: true },
    {
      label: a.text.paren(a.change.share, p.year),
      value: (r) => r.year?.share,
      cell: (r) => orNone(t, r.year?.share, (v) => format.percent(v)),
      numeric: true,
    },
  ];
  return (
    <ChartCard
      title={a.sales.tree}
      rows={rows}
      columns={columns}
      filename={`sales-decomposition_${data.period.from}_${data.period.to}`}
      note={
        <>
          <span>{periodLabel(t, format, data.period)}</span>
          {chosen && (
            <span>
              {a.text.separator}
              {a.sales.comparedPeriod(label, periodLabel(t, format, chosen.period))}
            </span>
          )}
          {chosen?.change.unshared && <p className="muted">{a.change.unshared[chosen.change.unshared.reason]}</p>}
          <p className="muted">{a.sales.treeNote}</p>
        </>
      }
      chart={() => <DecompositionTree figures={figures} comparisonLabel={label} />}
    />
  );
}

type Bucket = SalesDecomposition['series'][number];

function TrendCard({ data, granularity }: { data: SalesDecomposition; granularity: Granularity }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const f = a.factors;
  const label = (b: Bucket) => bucketLabel(format, granularity, b.bucket);
  const columns: Column<Bucket>[] = [
    { label: a.sales.bucket, value: (b) => b.bucket, cell: label },
    { label: f.sales, value: (b) => b.totals.sales, cell: (b) => format.money(b.totals.sales), numeric: true },
    { label: f.customers, value: (b) => b.totals.customers, cell: (b) => format.integer(b.totals.customers), numeric: true },
    { label: f.frequency, value: (b) => b.totals.frequency, cell: (b) => orNone(t, b.totals.frequency, (v) => format.decimal(v, 2)), numeric: true },
    {
      label: f.itemsPerPurchase,
      value: (b) => b.totals.itemsPerPurchase,
      cell: (b) => orNone(t, b.totals.itemsPerPurchase, (v) => format.decimal(v, 2)),
      numeric: true,
    },
    {
      label: f.pricePerItem,
      value: (b) => b.totals.pricePerItem,
      cell: (b) => orNone(t, b.totals.pricePerItem, (v) => format.money(Math.round(v))),
      numeric: true,
    },
    { label: f.purchases, value: (b) => b.totals.purchases, cell: (b) => format.integer(b.totals.purchases), numeric: true },
    { label: f.items, value: (b) => b.totals.items, cell: (b) => format.integer(b.totals.items), numeric: true },
  ];
  const option = useMemo(
    (): ChartOption => ({
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: data.series.map(label) },
      yAxis: [
        { type: 'value', name: f.sales, axisLabel: { formatter: (v: number) => format.money(v) } },
        { type: 'value', name: f.customers, splitLine: { show: false }, axisLabel: { formatter: (v: number) => format.integer(v) } },
      ],
      series: [
        { type: 'bar', name: f.sales, data: data.series.map((b) => Number(b.totals.sales)), tooltip: { valueFormatter: (v) => format.money(Number(v)) } },
        {
          type: 'line',
          name: f.customers,
          yAxisIndex: 1,
          data: data.series.map((b) => b.totals.customers),
          symbolSize: 6,
          tooltip: { valueFormatter: (v) => a.units.people(format.integer(Number(v))) },
        },
      ],
    }),
    [data, format, granularity, t],
  );
  return (
    <ChartCard
      title={a.sales.trend}
      rows={data.series}
      columns={columns}
      rowKey={(b) => b.bucket}
      filename={`sales-trend_${granularity}_${data.period.from}_${data.period.to}`}
      chart={() => <EChart option={option} label={a.sales.trend} />}
    />
  );
}

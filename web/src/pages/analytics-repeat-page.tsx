import { useMemo } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { addDays } from '../analytics/dates.ts';
import { rateOverCountsOption } from '../analytics/rate-chart.ts';
import { EChart, type ChartOption } from '../analytics/echart.tsx';
import { bucketLabel, orNone, periodLabel } from '../analytics/labels.ts';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import { GranularitySelect, PeriodControls, usePeriodQuery, type Granularity, WithinField } from '../analytics/period-controls.tsx';
import { countUpTo } from '../analytics/search-params.ts';
import { Stat } from '../components/stat.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type RepeatRates = Schemas['RepeatRates'];
type F2Conversion = Schemas['F2Conversion'];
type RepeatBucket = RepeatRates['series'][number];
type Cohort = F2Conversion['cohorts'][number];

const DEFAULT_WITHIN = 90;
const MAX_WITHIN = 3650;

/** リピート・F2: the repeat rate per bucket and F2 conversion of each cohort of first purchases. */
export function AnalyticsRepeatPage() {
  return (
    <AnalyticsPage page="repeat" topics={['purchase', 'period', 'repeat', 'f2']}>
      {(dataEnd) => <RepeatAnalysis dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function RepeatAnalysis({ dataEnd }: { dataEnd: string }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const a = t.analytics;
  const { period, granularity, setPeriod, setGranularity, query } = usePeriodQuery(dataEnd);
  const within = countUpTo(query.get('within'), MAX_WITHIN) ?? DEFAULT_WITHIN;
  const path = { workspace: workspace.name };
  const repeat = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/repeat', {
          params: { path, query: { ...period, granularity } },
          signal,
        }),
      ),
    [workspace.name, period.from, period.to, granularity],
  );
  const f2 = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/f2', {
          params: { path, query: { ...period, granularity, within } },
          signal,
        }),
      ),
    [workspace.name, period.from, period.to, granularity, within],
  );
  return (
    <>
      <PeriodControls period={period} dataEnd={dataEnd} onChange={setPeriod}>
        <GranularitySelect value={granularity} onChange={setGranularity} />
        <WithinField label={t.analytics.controls.within} value={within} max={MAX_WITHIN} onChange={(next) => query.set({ within: String(next) })} />
      </PeriodControls>
      <WhenLoaded data={repeat}>
        {(data) =>
          data.total.customers === 0 ? <p className="alert alert-info">{a.empty.noPurchases}</p> : <RepeatCard data={data} granularity={granularity} />
        }
      </WhenLoaded>
      <WhenLoaded data={f2}>{(data) => <F2Card data={data} granularity={granularity} />}</WhenLoaded>
    </>
  );
}

function RepeatCard({ data, granularity }: { data: RepeatRates; granularity: Granularity }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const r = a.repeat;
  const label = (b: RepeatBucket) => bucketLabel(format, granularity, b.bucket);
  const pct = (v: number | null) => orNone(t, v, (x) => format.percent(x));
  const columns: Column<RepeatBucket>[] = [
    { label: a.sales.bucket, value: (b) => b.bucket, cell: label },
    { label: r.customers, value: (b) => b.customers, cell: (b) => format.integer(b.customers), numeric: true },
    { label: r.repeaters, value: (b) => b.repeaters, cell: (b) => format.integer(b.repeaters), numeric: true },
    { label: r.repeatRate, value: (b) => b.rate, cell: (b) => pct(b.rate), numeric: true },
  ];
  const option = useMemo(
    (): ChartOption =>
      rateOverCountsOption({
        format,
        labels: data.series.map(label),
        counts: { name: r.customers, values: data.series.map((b) => b.customers), show: (v) => a.units.people(format.integer(v)) },
        rate: { name: r.repeatRate, points: data.series.map((b) => b.rate), show: pct },
      }),
    [data, format, granularity, t],
  );
  return (
    <>
      <section className="stats" aria-label={r.repeatRate}>
        <Stat label={r.repeatRate} value={pct(data.total.rate)} note={`${periodLabel(t, format, data.period)}${a.text.dot}${r.totalNote}`} variant="wide" />
        <Stat label={r.customers} value={a.units.people(format.integer(data.total.customers))} />
        <Stat label={r.repeaters} value={a.units.people(format.integer(data.total.repeaters))} />
      </section>
      <ChartCard
        title={r.trend}
        rows={data.series}
        columns={columns}
        rowKey={(b) => b.bucket}
        filename={`repeat-rate_${granularity}_${data.period.from}_${data.period.to}`}
        chart={() => <EChart option={option} label={r.trend} />}
      />
    </>
  );
}

function F2Card({ data, granularity }: { data: F2Conversion; granularity: Granularity }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const r = a.repeat;
  const label = (c: Cohort) => bucketLabel(format, granularity, c.bucket);
  const pct = (v: number | null) => orNone(t, v, (x) => format.percent(x));
  const days = a.units.days(format.integer(data.within));
  const columns: Column<Cohort>[] = [
    { label: r.cohort, value: (c) => c.bucket, cell: label },
    { label: r.cohortSize, value: (c) => c.cohortSize, cell: (c) => format.integer(c.cohortSize), numeric: true },
    { label: r.converted, value: (c) => c.converted, cell: (c) => format.integer(c.converted), numeric: true },
    { label: r.f2Rate, value: (c) => c.rate, cell: (c) => pct(c.rate), numeric: true },
    { label: r.windowEnd, value: (c) => c.windowEnd, cell: (c) => format.calendarDate(c.windowEnd) },
    {
      label: r.complete,
      value: (c) => (c.complete ? r.complete : r.incomplete),
      cell: (c) => (c.complete ? r.complete : <span className="badge badge-pending">{r.incomplete}</span>),
    },
  ];
  const option = useMemo(
    (): ChartOption => ({
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: data.cohorts.map((c) => (c.complete ? label(c) : `${label(c)}\n${r.incompleteMark}`)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format.percent(v, 0) } },
      series: [
        {
          type: 'bar',
          name: r.f2Rate,
          data: data.cohorts.map((c) => ({
            value: c.rate,
            itemStyle: c.complete ? { color: '#2f4f7f' } : { color: 'rgba(47, 79, 127, 0.28)', borderColor: '#2f4f7f', borderType: 'dashed', borderWidth: 1 },
          })),
          label: {
            show: data.cohorts.length <= 24,
            position: 'top',
            formatter: (p) => (p.value === null || p.value === undefined ? '' : format.percent(Number(p.value), 0)),
          },
          tooltip: { valueFormatter: (v) => pct(v === null || v === undefined ? null : Number(v)) },
        },
      ],
    }),
    [data, format, granularity, t],
  );
  const anyIncomplete = data.cohorts.some((c) => !c.complete);
  return (
    <>
      <section className="stats" aria-label={r.f2Rate}>
        <Stat
          label={r.f2Total(days)}
          value={pct(data.total.rate)}
          note={`${a.units.people(format.integer(data.total.converted))} / ${a.units.people(format.integer(data.total.cohortSize))}${data.total.complete ? '' : `${a.text.dot}${r.incomplete}`}`}
          variant="wide"
        />
        <Stat
          label={r.cohortSize}
          value={a.units.people(format.integer(data.total.cohortSize))}
          note={r.dataUntil(format.calendarDate(addDays(data.asOf, -1)))}
        />
      </section>
      <ChartCard
        title={r.f2Chart}
        rows={data.cohorts}
        columns={columns}
        rowKey={(c) => c.bucket}
        filename={`f2-conversion_${data.within}d_${granularity}_${data.period.from}_${data.period.to}`}
        note={anyIncomplete ? <p className="muted">{r.incompleteNote}</p> : undefined}
        chart={() => <EChart option={option} label={r.f2Chart} />}
      />
    </>
  );
}

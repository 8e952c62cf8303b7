import { useMemo } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { rateOverCountsOption } from '../analytics/rate-chart.ts';
import { EChart, type ChartOption } from '../analytics/echart.tsx';
import { bucketLabel, orNone } from '../analytics/labels.ts';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import { AsOfField, GranularitySelect, PeriodControls, useAsOfQuery, usePeriodQuery, type Granularity, WithinField } from '../analytics/period-controls.tsx';
import { countUpTo } from '../analytics/search-params.ts';
import { Stat } from '../components/stat.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type StepUp = Schemas['StepUp'];
type Cohort = StepUp['cohorts'][number];
type BySource = StepUp['bySource'][number];

const DEFAULT_WITHIN = 60;
const MAX_WITHIN = 3650;

/** 引き上げ率: of the customers who started with a trial product, the share who took out a subscription within W days; by month and by acquisition source. */
export function AnalyticsStepUpPage() {
  return (
    <AnalyticsPage page="stepUp" topics={['stepUp', 'purchase', 'period']}>
      {(dataEnd) => <StepUpAnalysis dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function StepUpAnalysis({ dataEnd }: { dataEnd: string }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const { period, granularity, setPeriod, setGranularity, query } = usePeriodQuery(dataEnd);
  const { asOf, setAsOf } = useAsOfQuery(dataEnd);
  const within = countUpTo(query.get('within'), MAX_WITHIN) ?? DEFAULT_WITHIN;
  const stepUp = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/subscriptions/step-up', {
          params: { path: { workspace: workspace.name }, query: { ...period, granularity, within, asOf } },
          signal,
        }),
      ),
    [workspace.name, period.from, period.to, granularity, within, asOf],
  );
  return (
    <>
      <PeriodControls period={period} dataEnd={dataEnd} onChange={setPeriod}>
        <GranularitySelect value={granularity} onChange={setGranularity} />
        <WithinField label={t.analytics.subscriptions.within} value={within} max={MAX_WITHIN} onChange={(next) => query.set({ within: String(next) })} />
        <AsOfField value={asOf} onChange={setAsOf} />
      </PeriodControls>
      <WhenLoaded data={stepUp}>
        {(data) =>
          data.total.trialCustomers === 0 ? (
            <p className="alert alert-info">{s.noTrials}</p>
          ) : (
            <>
              <div className="stats">
                <Stat label={s.stepUpRate} value={orNone(t, data.total.rate, (v) => format.percent(v))} note={data.total.complete ? undefined : s.incomplete} />
                <Stat label={s.trialCustomers} value={format.integer(data.total.trialCustomers)} />
                <Stat label={s.steppedUp} value={format.integer(data.total.steppedUp)} />
              </div>
              <CohortsCard data={data} granularity={granularity} />
              {data.bySource.length > 0 && <SourcesCard data={data} />}
            </>
          )
        }
      </WhenLoaded>
    </>
  );
}

function CohortsCard({ data, granularity }: { data: StepUp; granularity: Granularity }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const a = t.analytics;
  const label = (c: Cohort) => bucketLabel(format, granularity, c.bucket);
  const pct = (v: number | null) => orNone(t, v, (x) => format.percent(x));
  const columns: Column<Cohort>[] = [
    { label: a.sales.bucket, value: (c) => c.bucket, cell: label },
    { label: s.trialCustomers, value: (c) => c.trialCustomers, cell: (c) => format.integer(c.trialCustomers), numeric: true },
    { label: s.steppedUp, value: (c) => c.steppedUp, cell: (c) => format.integer(c.steppedUp), numeric: true },
    {
      label: s.stepUpRate,
      value: (c) => c.rate,
      cell: (c) => (c.complete ? pct(c.rate) : `${pct(c.rate)}(${s.incomplete})`),
      numeric: true,
    },
  ];
  const option = useMemo(
    (): ChartOption =>
      rateOverCountsOption({
        format,
        labels: data.cohorts.map(label),
        counts: { name: s.trialCustomers, values: data.cohorts.map((c) => c.trialCustomers), show: (v) => format.integer(v) },
        rate: {
          name: s.stepUpRate,
          // A cohort whose window is still open is drawn hollow: its rate may still rise.
          points: data.cohorts.map((c) => ({
            value: c.rate,
            itemStyle: c.complete ? { color: '#b4463c' } : { color: '#fff', borderColor: '#b4463c', borderWidth: 2 },
          })),
          show: pct,
          color: '#b4463c',
        },
      }),
    [data, format, t],
  );
  return (
    <ChartCard
      title={s.stepUpTitle}
      rows={data.cohorts}
      columns={columns}
      rowKey={(c) => c.bucket}
      filename={`step-up_${data.period.from}_${data.period.to}_within-${data.within}_as-of-${data.asOf}`}
      note={
        <p className="muted">
          {s.totalStepUp(pct(data.total.rate), format.integer(data.total.steppedUp), format.integer(data.total.trialCustomers))} {s.stepUpNote}
        </p>
      }
      chart={() => <EChart option={option} label={s.stepUpTitle} />}
    />
  );
}

function SourcesCard({ data }: { data: StepUp }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const pct = (v: number | null) => orNone(t, v, (x) => format.percent(x));
  const columns: Column<BySource>[] = [
    { label: s.source, value: (row) => row.source ?? '', cell: (row) => row.source ?? s.noSource },
    { label: s.trialCustomers, value: (row) => row.trialCustomers, cell: (row) => format.integer(row.trialCustomers), numeric: true },
    { label: s.steppedUp, value: (row) => row.steppedUp, cell: (row) => format.integer(row.steppedUp), numeric: true },
    { label: s.stepUpRate, value: (row) => row.rate, cell: (row) => pct(row.rate), numeric: true },
  ];
  return (
    <ChartCard
      title={s.bySourceTitle}
      rows={data.bySource}
      columns={columns}
      rowKey={(row) => row.source ?? '∅'}
      filename={`step-up-by-source_${data.period.from}_${data.period.to}_within-${data.within}`}
    />
  );
}

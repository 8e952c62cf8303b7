import { useMemo, useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { EChart, type ChartOption } from '../analytics/echart.tsx';
import { kpiValue, metricLabel } from '../analytics/kpi-labels.ts';
import { KpiManager } from '../analytics/kpi-manager.tsx';
import { bucketLabel, orNone } from '../analytics/labels.ts';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import { AsOfField, useAsOfQuery } from '../analytics/period-controls.tsx';
import { countUpTo } from '../analytics/search-params.ts';
import { Failure } from '../components/status.tsx';
import { labelOf, useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { canWrite } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

type KpiBoard = Schemas['KpiBoard'];
type Entry = KpiBoard['entries'][number];
type BucketActual = Entry['series'][number];

const DEFAULT_BUCKETS = 12;
const MAX_BUCKETS = 60;

/** KPIボード: every KPI with its target, the current bucket's status (colour and words) and its trend. */
export function AnalyticsKpisPage() {
  return (
    <AnalyticsPage page="kpis" topics={['kpi', 'sales', 'repeat', 'f2', 'churn']}>
      {(dataEnd) => <KpiBoardView dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function KpiBoardView({ dataEnd }: { dataEnd: string }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const role = useRole();
  const a = t.analytics;
  const k = a.kpis;
  const { asOf, setAsOf, query } = useAsOfQuery(dataEnd);
  const buckets = countUpTo(query.get('buckets'), MAX_BUCKETS) ?? DEFAULT_BUCKETS;
  const board = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/kpis/board', {
          params: { path: { workspace: workspace.name }, query: { asOf, buckets } },
          signal,
        }),
      ),
    [workspace.name, asOf, buckets],
  );
  return (
    <>
      <div className="toolbar analytics-controls">
        <AsOfField value={asOf} onChange={setAsOf} />
        <label className="field field-narrow">
          <span>{k.buckets}</span>
          <input type="number" min={1} max={MAX_BUCKETS} value={buckets} onChange={(e) => query.set({ buckets: e.target.value })} />
        </label>
      </div>
      <WhenLoaded data={board}>
        {(data) =>
          data.entries.length === 0 ? (
            <>
              <div className="alert alert-info" role="status">
                <strong>{k.none}</strong>
                <p>{canWrite(role) ? k.noneWrite : k.noneRead}</p>
              </div>
              {canWrite(role) && <SeedForm asOf={asOf} onSeeded={board.reload} />}
            </>
          ) : (
            <>
              <BoardCard data={data} />
              <SeriesCard data={data} />
            </>
          )
        }
      </WhenLoaded>
      {/* Read-only users see the board only: no control that would be refused. */}
      {canWrite(role) && <KpiManager onChanged={board.reload} />}
    </>
  );
}

function SeedForm({ asOf, onSeeded }: { asOf: string; onSeeded(): void }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const k = t.analytics.kpis;
  const [salesTarget, setSalesTarget] = useState('');
  const [granularity, setGranularity] = useState<'month' | 'week'>('month');
  const [state, setState] = useState<{ busy: boolean; message?: string; error?: Error }>({ busy: false });
  const seed = async () => {
    setState({ busy: true });
    try {
      const result = await unwrap(
        api.POST('/api/v1/workspaces/{workspace}/analytics/kpis/seed', {
          params: { path: { workspace: workspace.name } },
          body: { salesTarget: Number(salesTarget), granularity, asOf },
        }),
      );
      if (result.outcome === 'no_baseline') setState({ busy: false, message: result.reason });
      else onSeeded();
    } catch (error) {
      setState({ busy: false, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
  const valid = Number(salesTarget) > 0;
  return (
    <section className="card" aria-labelledby="kpi-seed-heading">
      <h2 id="kpi-seed-heading">{k.seedTitle}</h2>
      <p className="muted">{k.seedLead}</p>
      <form
        className="run-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) void seed();
        }}
      >
        <label className="field">
          <span>{k.salesTarget}</span>
          <input type="number" min={1} value={salesTarget} onChange={(e) => setSalesTarget(e.target.value)} required />
        </label>
        <label className="field">
          <span>{t.analytics.controls.granularity}</span>
          <select value={granularity} onChange={(e) => setGranularity(e.target.value === 'week' ? 'week' : 'month')}>
            <option value="month">{t.analytics.controls.granularities.month}</option>
            <option value="week">{t.analytics.controls.granularities.week}</option>
          </select>
        </label>
        <button type="submit" className="button button-primary" disabled={!valid || state.busy}>
          {k.seed}
        </button>
      </form>
      {state.message && <p className="alert alert-info">{state.message}</p>}
      {state.error && <Failure error={state.error} />}
    </section>
  );
}

/** The KPI's filters in words: チャネル: Web. */
function filterText(t: Messages, filters: Entry['kpi']['filters']): string {
  const k = t.analytics.kpis;
  return Object.entries(filters)
    .filter(([, v]) => v !== undefined)
    .map(([key, value]) => {
      const shown =
        key === 'channel'
          ? labelOf(t.channels.order, String(value))
          : key === 'gender'
            ? labelOf(t.gender, String(value))
            : key === 'ageBand'
              ? labelOf(t.analytics.difference.ageBands, String(value))
              : String(value);
      return `${labelOf(k.filters, key)}: ${shown}`;
    })
    .join(t.analytics.text.list);
}

function BoardCard({ data }: { data: KpiBoard }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const k = a.kpis;
  const value = (entry: Entry, v: number | null | undefined) => orNone(t, v, (x) => kpiValue(t, format, entry.kpi.metric.kind, x));
  /** The current bucket's figures; undefined without data (shown as none). */
  const measured = (entry: Entry) => (entry.status.status === 'no_data' ? undefined : entry.status);
  const columns: Column<Entry>[] = [
    { label: k.columns.kpi, value: (e) => e.kpi.name },
    { label: k.columns.metric, value: (e) => metricLabel(t, e.kpi.metric) },
    { label: k.columns.bucket, value: (e) => e.status.bucket, cell: (e) => bucketLabel(format, e.kpi.granularity, e.status.bucket) },
    { label: k.columns.actual, value: (e) => measured(e)?.actual, cell: (e) => value(e, measured(e)?.actual), numeric: true },
    { label: k.columns.expected, value: (e) => measured(e)?.expected, cell: (e) => value(e, measured(e)?.expected), numeric: true },
    { label: k.columns.target, value: (e) => e.series.at(-1)?.target, cell: (e) => value(e, e.series.at(-1)?.target), numeric: true },
    { label: k.columns.pace, value: (e) => measured(e)?.pace, cell: (e) => orNone(t, measured(e)?.pace, (x) => format.percent(x)), numeric: true },
    { label: k.columns.status, value: (e) => k.status[e.status.status], cell: (e) => <StatusBadge entry={e} /> },
    { label: k.columns.trend, value: (e) => trendText(t, e), cell: (e) => <TrendText entry={e} /> },
  ];
  return (
    <ChartCard
      title={k.board}
      rows={data.entries}
      columns={columns}
      rowKey={(e) => e.kpi.id}
      filename={`kpi-board_as-of-${data.asOf}`}
      note={<p className="muted">{k.boardNote(format.calendarDate(data.asOf))}</p>}
      chart={() => (
        <ul className="kpi-board" aria-label={k.board}>
          {data.entries.map((entry) => (
            <KpiRow key={entry.kpi.id} entry={entry} />
          ))}
        </ul>
      )}
    />
  );
}

function StatusBadge({ entry }: { entry: Entry }) {
  const { t } = useI18n();
  const k = t.analytics.kpis;
  return (
    <span className={`badge kpi-status kpi-status-${entry.status.status}`}>
      {k.statusIcon[entry.status.status]} {k.status[entry.status.status]}
    </span>
  );
}

function trendText(t: Messages, entry: Entry): string {
  const k = t.analytics.kpis;
  const { direction, assessment } = entry.trend;
  return assessment ? `${k.trendArrow[direction]} ${k.assessment[assessment]}` : k.trendDirection[direction];
}

function TrendText({ entry }: { entry: Entry }) {
  const { t } = useI18n();
  return <span className={`kpi-trend kpi-trend-${entry.trend.assessment ?? 'none'}`}>{trendText(t, entry)}</span>;
}

function KpiRow({ entry }: { entry: Entry }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const k = t.analytics.kpis;
  const { kpi, status } = entry;
  const filters = filterText(t, kpi.filters);
  const show = (v: number) => kpiValue(t, format, kpi.metric.kind, v);
  return (
    <li className={`kpi-row kpi-row-${status.status}`} style={{ marginLeft: `${kpi.depth * 1.5}rem` }} data-kpi={kpi.name}>
      <div className="kpi-name">
        <strong>{kpi.name}</strong>
        <span className="muted small">
          {[metricLabel(t, kpi.metric), t.analytics.controls.granularities[kpi.granularity], filters].filter(Boolean).join(t.analytics.text.dot)}
        </span>
      </div>
      <div className="kpi-figures">
        {status.status === 'no_data' ? (
          <span className="muted small">{status.reason}</span>
        ) : (
          <>
            <span className="kpi-actual">{show(status.actual)}</span>
            <span className="muted small">{k.versus(show(status.expected), format.percent(status.pace, 0))}</span>
            {status.elapsedShare < 1 && <span className="muted small">{k.elapsed(format.percent(status.elapsedShare, 0))}</span>}
          </>
        )}
      </div>
      <div className="kpi-state">
        <StatusBadge entry={entry} />
        <TrendText entry={entry} />
      </div>
      <Sparkline entry={entry} />
    </li>
  );
}

function Sparkline({ entry }: { entry: Entry }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const k = t.analytics.kpis;
  const kind = entry.kpi.metric.kind;
  const option = useMemo(
    (): ChartOption => ({
      grid: { left: 2, right: 2, top: 6, bottom: 4 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? t.app.none : kpiValue(t, format, kind, Number(v))) },
      xAxis: { type: 'category', show: false, data: entry.series.map((b) => bucketLabel(format, entry.kpi.granularity, b.bucket)) },
      yAxis: { type: 'value', show: false, scale: true },
      series: [
        {
          type: 'line',
          name: k.columns.target,
          data: entry.series.map((b) => b.target),
          symbol: 'none',
          lineStyle: { type: 'dashed', width: 1, color: '#8a929c' },
          itemStyle: { color: '#8a929c' },
        },
        // Complete buckets joined by the line; a bucket still to date (lower by construction for sums) stands apart, hollow.
        {
          type: 'line',
          name: k.columns.actual,
          symbolSize: 4,
          lineStyle: { width: 2, color: '#2f4f7f' },
          itemStyle: { color: '#2f4f7f' },
          data: entry.series.map((b: BucketActual) => (b.complete ? b.actual : null)),
        },
        {
          type: 'line',
          name: k.toDate,
          symbol: 'emptyCircle',
          symbolSize: 6,
          lineStyle: { width: 0 },
          itemStyle: { color: '#2f4f7f' },
          data: entry.series.map((b: BucketActual) => (b.complete ? null : b.actual)),
        },
      ],
    }),
    [entry, format, t],
  );
  return (
    <div className="kpi-spark">
      <EChart option={option} height={56} label={k.sparkline(entry.kpi.name)} />
    </div>
  );
}

interface SeriesRow {
  entry: Entry;
  bucket: BucketActual;
}

function SeriesCard({ data }: { data: KpiBoard }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const k = t.analytics.kpis;
  const rows: SeriesRow[] = data.entries.flatMap((entry) => entry.series.map((bucket) => ({ entry, bucket })));
  const value = (r: SeriesRow, v: number | null) => orNone(t, v, (x) => kpiValue(t, format, r.entry.kpi.metric.kind, x));
  const columns: Column<SeriesRow>[] = [
    { label: k.columns.kpi, value: (r) => r.entry.kpi.name },
    { label: k.columns.bucket, value: (r) => r.bucket.bucket, cell: (r) => bucketLabel(format, r.entry.kpi.granularity, r.bucket.bucket) },
    { label: k.columns.actual, value: (r) => r.bucket.actual, cell: (r) => value(r, r.bucket.actual), numeric: true },
    { label: k.columns.target, value: (r) => r.bucket.target, cell: (r) => value(r, r.bucket.target), numeric: true },
    { label: k.columns.attainment, value: (r) => r.bucket.attainment, cell: (r) => orNone(t, r.bucket.attainment, (x) => format.percent(x)), numeric: true },
    { label: k.columns.complete, value: (r) => (r.bucket.complete ? k.complete : k.toDate), cell: (r) => (r.bucket.complete ? k.complete : k.toDate) },
  ];
  return (
    <details className="series-details">
      <summary>{k.showSeries}</summary>
      <ChartCard
        title={k.series}
        rows={rows}
        columns={columns}
        rowKey={(r) => `${r.entry.kpi.id}-${r.bucket.bucket}`}
        filename={`kpi-series_as-of-${data.asOf}`}
      />
    </details>
  );
}

import { useMemo } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { customerColumns } from '../analytics/customer-columns.tsx';
import { EChart, HEATMAP_COLORS, type ChartOption } from '../analytics/echart.tsx';
import { orNone } from '../analytics/labels.ts';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import { AsOfField, useAsOfQuery } from '../analytics/period-controls.tsx';
import { oneOf, useQueryState } from '../analytics/search-params.ts';
import { Stat } from '../components/stat.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import type { Format } from '../format.ts';
import { useApiData } from '../use-api-data.ts';
import { PagedListFooter, usePagedList } from '../analytics/paged-list.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type RfmSummary = Schemas['RfmSummary'];
type GridCell = RfmSummary['grid'][number];
type Segment = RfmSummary['segments'][number];
type SegmentCode = Schemas['RfmSegmentCode'];
type CustomerRfm = Schemas['CustomerRfm'];

const SEGMENTS = ['loyal', 'stable', 'new', 'at_risk', 'churned'] as const satisfies readonly SegmentCode[];
const SCORES = [1, 2, 3, 4, 5] as const;
const PAGE_SIZE = 50;

/** RFM: the 5 × 5 grid of recency and frequency scores, the segments and their customers. */
export function AnalyticsRfmPage() {
  return (
    <AnalyticsPage page="rfm" topics={['purchase', 'rfm']}>
      {(dataEnd) => <RfmAnalysis dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function RfmAnalysis({ dataEnd }: { dataEnd: string }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const a = t.analytics;
  const { asOf, setAsOf } = useAsOfQuery(dataEnd);
  const rfm = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/rfm', {
          params: { path: { workspace: workspace.name }, query: { asOf } },
          signal,
        }),
      ),
    [workspace.name, asOf],
  );
  return (
    <>
      <div className="toolbar analytics-controls">
        <AsOfField value={asOf} onChange={setAsOf} />
      </div>
      <WhenLoaded data={rfm}>
        {(data) =>
          data.customers === 0 ? (
            <p className="alert alert-info">{a.empty.noCustomers}</p>
          ) : (
            <>
              <p className="muted churn-rule">{a.churn.rule}</p>
              <section className="stats" aria-label={a.pages.rfm}>
                <Stat
                  label={a.rfm.customers}
                  value={a.units.people(format.integer(data.customers))}
                  note={a.customer360.asOf(format.calendarDate(data.asOf))}
                />
                <Stat label={a.rfm.monetaryTotal} value={format.money(data.monetary)} />
                {data.churnWindow && (
                  <Stat
                    label={a.churn.window}
                    value={a.units.days(format.integer(data.churnWindow.days))}
                    note={a.churn.windowSource[data.churnWindow.source]}
                  />
                )}
              </section>
              <GridCard data={data} />
              <SegmentsCard data={data} />
              <SegmentCustomers asOf={data.asOf} />
              <BoundariesCard data={data} />
            </>
          )
        }
      </WhenLoaded>
    </>
  );
}

type Band = { score: number; customers: number; min: number | string | null; max: number | string | null };

function bandText(t: Messages, band: Band | undefined, show: (v: number) => string): string {
  if (!band || band.min === null || band.max === null) return t.analytics.rfm.noBand;
  return t.analytics.rfm.band(show(Number(band.min)), show(Number(band.max)));
}

function GridCard({ data }: { data: RfmSummary }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const r = a.rfm;
  const recencyBand = (score: number) =>
    bandText(
      t,
      data.boundaries.recency.find((b) => b.score === score),
      (v) => a.units.days(format.integer(v)),
    );
  const frequencyBand = (score: number) =>
    bandText(
      t,
      data.boundaries.frequency.find((b) => b.score === score),
      (v) => a.units.times(format.integer(v)),
    );
  const columns: Column<GridCell>[] = [
    { label: r.recency, value: (c) => c.recencyScore, cell: (c) => a.text.paren(r.score('R', c.recencyScore), recencyBand(c.recencyScore)) },
    { label: r.frequency, value: (c) => c.frequencyScore, cell: (c) => a.text.paren(r.score('F', c.frequencyScore), frequencyBand(c.frequencyScore)) },
    { label: r.customers, value: (c) => c.customers, cell: (c) => format.integer(c.customers), numeric: true },
    { label: r.monetaryTotal, value: (c) => c.monetary, cell: (c) => format.money(c.monetary), numeric: true },
  ];
  const option = useMemo((): ChartOption => {
    const max = Math.max(1, ...data.grid.map((c) => c.customers));
    const rs = [...SCORES].reverse();
    return {
      grid: { left: 8, right: 16, top: 8, bottom: 24, containLabel: true },
      tooltip: {
        formatter: (p) => {
          const point = Array.isArray(p) ? p[0] : p;
          if (!point) return '';
          const [f, rIndex, customers] = point.value as [number, number, number];
          const cell = data.grid.find((c) => c.frequencyScore === f + 1 && c.recencyScore === rs[rIndex]);
          return cell
            ? `${r.score('R', cell.recencyScore)} × ${r.score('F', cell.frequencyScore)}<br/>${r.customers}: <b>${format.integer(customers)}</b><br/>${r.monetaryTotal}: ${format.money(cell.monetary)}`
            : '';
        },
      },
      xAxis: { type: 'category', name: r.frequency, nameLocation: 'middle', nameGap: 44, data: SCORES.map((s) => `${r.score('F', s)}\n${frequencyBand(s)}`) },
      yAxis: { type: 'category', data: rs.map((s) => `${r.score('R', s)}  ${recencyBand(s)}`) },
      visualMap: { show: false, min: 0, max, inRange: { color: HEATMAP_COLORS } },
      series: [
        {
          type: 'heatmap',
          name: r.customers,
          data: data.grid.map((c) => [c.frequencyScore - 1, rs.indexOf(c.recencyScore as 1 | 2 | 3 | 4 | 5), c.customers]),
          label: {
            show: true,
            fontSize: 13,
            fontWeight: 'bold',
            formatter: (p) => format.integer((p.value as [number, number, number])[2]),
          },
          itemStyle: { borderColor: '#fff', borderWidth: 2 },
        },
      ],
    };
  }, [data, format, t]);
  return (
    <ChartCard
      title={r.grid}
      rows={data.grid}
      columns={columns}
      rowKey={(c) => `${c.recencyScore}-${c.frequencyScore}`}
      filename={`rfm-grid_as-of-${data.asOf}`}
      note={<p className="muted">{r.gridNote}</p>}
      chart={() => <EChart option={option} label={r.grid} height={420} />}
    />
  );
}

function SegmentsCard({ data }: { data: RfmSummary }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const r = a.rfm;
  const pct = (v: number | null) => orNone(t, v, (x) => format.percent(x));
  const columns: Column<Segment>[] = [
    { label: r.segment, value: (s) => r.segmentNames[s.code], cell: (s) => <span className={`badge segment-${s.code}`}>{r.segmentNames[s.code]}</span> },
    { label: r.meaning, value: (s) => r.segmentMeanings[s.code] },
    { label: r.customers, value: (s) => s.customers, cell: (s) => format.integer(s.customers), numeric: true },
    { label: r.customerShare, value: (s) => s.customerShare, cell: (s) => pct(s.customerShare), numeric: true },
    { label: r.monetaryTotal, value: (s) => s.monetary, cell: (s) => format.money(s.monetary), numeric: true },
    { label: r.monetaryShare, value: (s) => s.monetaryShare, cell: (s) => pct(s.monetaryShare), numeric: true },
  ];
  const option = useMemo((): ChartOption => {
    const shown = [...data.segments].reverse();
    return {
      grid: { left: 8, right: 56, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => pct(v === null || v === undefined ? null : Number(v)) },
      xAxis: { type: 'value', max: 1, axisLabel: { formatter: (v: number) => format.percent(v, 0) } },
      yAxis: { type: 'category', data: shown.map((s) => r.segmentNames[s.code]) },
      series: [
        {
          type: 'bar',
          name: r.customerShare,
          data: shown.map((s) => s.customerShare),
          itemStyle: { color: '#2f4f7f' },
          label: { show: true, position: 'right', formatter: (p) => format.percent(Number(p.value), 1) },
        },
        {
          type: 'bar',
          name: r.monetaryShare,
          data: shown.map((s) => s.monetaryShare),
          itemStyle: { color: '#b4463c' },
          label: { show: true, position: 'right', formatter: (p) => format.percent(Number(p.value), 1) },
        },
      ],
    };
  }, [data, format, t]);
  return (
    <ChartCard
      title={r.segmentChart}
      rows={data.segments}
      columns={columns}
      rowKey={(s) => s.code}
      filename={`rfm-segments_as-of-${data.asOf}`}
      chart={() => (
        <>
          <EChart option={option} label={r.segmentChart} height={300} />
          <dl className="segment-legend">
            {data.segments.map((s) => (
              <div key={s.code}>
                <dt>
                  <span className={`badge segment-${s.code}`}>{r.segmentNames[s.code]}</span>
                </dt>
                <dd>{r.segmentMeanings[s.code]}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    />
  );
}

function SegmentCustomers({ asOf }: { asOf: string }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const a = t.analytics;
  const r = a.rfm;
  const query = useQueryState();
  const segment = oneOf(SEGMENTS, query.get('segment'), 'loyal');
  const customers = usePagedList(
    (cursor, signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/rfm/customers', {
          params: { path: { workspace: workspace.name }, query: { asOf, segment, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
          signal,
        }),
      ),
    (page) => page,
    [workspace.name, asOf, segment],
  );
  const columns = customerRfmColumns(t, format, workspace.name);
  const select = (
    <label className="field-inline">
      <span>{r.segment}</span>
      <select value={segment} onChange={(e) => query.set({ segment: e.target.value })}>
        {SEGMENTS.map((code) => (
          <option key={code} value={code}>
            {r.segmentNames[code]}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <WhenLoaded data={customers}>
      {({ list }) => (
        <ChartCard
          title={`${r.customerList}: ${r.segmentNames[segment]}`}
          rows={list.items}
          columns={columns}
          rowKey={(c) => c.customerId}
          filename={`rfm-${segment}_as-of-${asOf}`}
          controls={select}
          footer={<PagedListFooter list={list} />}
        />
      )}
    </WhenLoaded>
  );
}

function customerRfmColumns(t: Messages, format: Format, workspace: string): Column<CustomerRfm>[] {
  const a = t.analytics;
  const r = a.rfm;
  const c = a.churn.columns;
  return [
    ...customerColumns<CustomerRfm>(t, workspace),
    { label: c.lastPurchase, value: (x) => x.lastPurchaseDay, cell: (x) => format.calendarDate(x.lastPurchaseDay) },
    { label: a.customer360.recencyDays, value: (x) => x.recency, cell: (x) => a.units.days(format.integer(x.recency)), numeric: true },
    { label: a.customer360.frequency, value: (x) => x.frequency, cell: (x) => format.integer(x.frequency), numeric: true },
    { label: a.customer360.monetary, value: (x) => x.monetary, cell: (x) => format.money(x.monetary), numeric: true },
    {
      label: r.scores,
      value: (x) => `${x.scores.recency}/${x.scores.frequency}/${x.scores.monetary}`,
      cell: (x) => (
        <span className="mono">
          {x.scores.recency}/{x.scores.frequency}/{x.scores.monetary}
        </span>
      ),
    },
  ];
}

interface BoundaryRow {
  score: number;
  recency: Band | undefined;
  frequency: Band | undefined;
  monetary: Band | undefined;
}

function BoundariesCard({ data }: { data: RfmSummary }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const r = a.rfm;
  const rows: BoundaryRow[] = [...SCORES].reverse().map((score) => ({
    score,
    recency: data.boundaries.recency.find((b) => b.score === score),
    frequency: data.boundaries.frequency.find((b) => b.score === score),
    monetary: data.boundaries.monetary.find((b) => b.score === score),
  }));
  const days = (v: number) => a.units.days(format.integer(v));
  const times = (v: number) => a.units.times(format.integer(v));
  const money = (v: number) => format.money(v);
  const columns: Column<BoundaryRow>[] = [
    { label: r.scoreColumn, value: (b) => b.score },
    {
      label: r.recency,
      value: (b) => bandText(t, b.recency, String),
      cell: (b) => a.text.paren(bandText(t, b.recency, days), a.units.people(format.integer(b.recency?.customers ?? 0))),
    },
    {
      label: r.frequency,
      value: (b) => bandText(t, b.frequency, String),
      cell: (b) => a.text.paren(bandText(t, b.frequency, times), a.units.people(format.integer(b.frequency?.customers ?? 0))),
    },
    {
      label: r.monetary,
      value: (b) => bandText(t, b.monetary, String),
      cell: (b) => a.text.paren(bandText(t, b.monetary, money), a.units.people(format.integer(b.monetary?.customers ?? 0))),
    },
  ];
  return <ChartCard title={r.boundaries} rows={rows} columns={columns} rowKey={(b) => String(b.score)} filename={`rfm-boundaries_as-of-${data.asOf}`} />;
}

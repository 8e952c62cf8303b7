import { useMemo } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { EChart, type ChartOption } from '../analytics/echart.tsx';
import { orNone } from '../analytics/labels.ts';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import { AsOfField, useAsOfQuery } from '../analytics/period-controls.tsx';
import { countUpTo, oneOf } from '../analytics/search-params.ts';
import { Stat } from '../components/stat.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type Continuation = Schemas['Continuation'];
type Row = Continuation['total']['rows'][number];
type Group = Continuation['groups'][number];

const SPLITS = ['none', 'cohort', 'course', 'product', 'source'] as const;
type Split = (typeof SPLITS)[number];
const DEFAULT_MAX_DELIVERY = 12;
const MAX_DELIVERY = 60;
/** Groups drawn as curves; the table lists every group the API gave. */
const CURVES = 8;
const GROUP_COLORS = ['#4f6d8f', '#6b8f71', '#d08a3c', '#8c6bb1', '#c9a227', '#3c8fb4', '#b46b3c', '#7a7a7a'];

/** 回数別継続率: continuation by delivery number, its survival curve, and the same by start month, course, first product or acquisition source. */
export function AnalyticsContinuationPage() {
  return (
    <AnalyticsPage page="continuation" topics={['continuation', 'subscription']}>
      {(dataEnd) => <ContinuationAnalysis dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function ContinuationAnalysis({ dataEnd }: { dataEnd: string }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const { asOf, setAsOf, query } = useAsOfQuery(dataEnd);
  const split = oneOf(SPLITS, query.get('by'), 'none');
  const maxDelivery = countUpTo(query.get('maxDelivery'), MAX_DELIVERY) ?? DEFAULT_MAX_DELIVERY;
  const continuation = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/subscriptions/continuation', {
          params: { path: { workspace: workspace.name }, query: { asOf, maxDelivery, ...(split === 'none' ? {} : { by: split }) } },
          signal,
        }),
      ),
    [workspace.name, asOf, split, maxDelivery],
  );
  return (
    <>
      <div className="toolbar analytics-controls">
        <AsOfField value={asOf} onChange={setAsOf} />
        <label className="field">
          <span>{s.by}</span>
          <select value={split} onChange={(e) => query.set({ by: e.target.value === 'none' ? undefined : e.target.value })}>
            {SPLITS.map((value) => (
              <option key={value} value={value}>
                {s.splits[value]}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-narrow">
          <span>{s.maxDelivery}</span>
          <input type="number" min={1} max={MAX_DELIVERY} value={maxDelivery} onChange={(e) => query.set({ maxDelivery: e.target.value })} />
        </label>
      </div>
      <WhenLoaded data={continuation}>
        {(data) =>
          data.total.subscriptions === 0 ? (
            <p className="alert alert-info">{s.noneAsOf}</p>
          ) : (
            <>
              <Summary data={data} />
              <CurveCard data={data} split={split} />
              <TableCard data={data} />
              {data.groups.length > 0 && <GroupsCard data={data} split={split} />}
            </>
          )
        }
      </WhenLoaded>
    </>
  );
}

function Summary({ data }: { data: Continuation }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const rate = (k: number) => orNone(t, data.total.rows[k - 1]?.rate, (v) => format.percent(v));
  return (
    <>
      <div className="stats">
        <Stat label={s.subscriptions} value={format.integer(data.total.subscriptions)} />
        <Stat label={`${s.rate}(${s.deliveryN(1)}→${s.deliveryN(2)})`} value={rate(1)} />
        <Stat label={`${s.rate}(${s.deliveryN(2)}→${s.deliveryN(3)})`} value={rate(2)} />
        <Stat label={`${s.rate}(${s.deliveryN(3)}→${s.deliveryN(4)})`} value={rate(3)} />
        <Stat
          label={s.withoutDelivery}
          value={format.integer(data.total.withoutDelivery)}
          note={`${s.cancelledWithoutDelivery}: ${format.integer(data.total.cancelledWithoutDelivery)}`}
        />
      </div>
      {data.deliveriesCountedFrom === 'orders' && <p className="muted">{s.countedFromOrders}</p>}
    </>
  );
}

function groupName(s: { noValue: string }, group: Group, format: { calendarMonth(date: string): string }, split: Split): string {
  if (group.key === null) return s.noValue;
  return split === 'cohort' ? format.calendarMonth(`${group.key}-01`) : group.key;
}

function CurveCard({ data, split }: { data: Continuation; split: Split }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const deliveries = data.total.rows.map((row) => row.delivery);
  const option = useMemo(
    (): ChartOption => ({
      grid: { left: 8, right: 16, top: 48, bottom: 8, containLabel: true },
      legend: { top: 0, type: 'scroll' },
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? t.app.none : format.percent(Number(v))) },
      xAxis: { type: 'category', data: deliveries.map(s.deliveryN), boundaryGap: false },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => format.percent(v, 0) } },
      series: [
        ...data.groups.slice(0, CURVES).map((group, i) => ({
          type: 'line' as const,
          name: groupName(s, group, format, split),
          data: group.rows.map((row) => row.survival),
          lineStyle: { width: 1.5, color: GROUP_COLORS[i % GROUP_COLORS.length] },
          itemStyle: { color: GROUP_COLORS[i % GROUP_COLORS.length] },
          symbolSize: 4,
        })),
        {
          type: 'line',
          name: s.overall,
          data: data.total.rows.map((row) => row.survival),
          lineStyle: { width: 3, color: '#b4463c' },
          itemStyle: { color: '#b4463c' },
          symbolSize: 6,
          z: 10,
        },
      ],
    }),
    [data, format, t, split],
  );
  return (
    <ChartCard
      title={s.curveTitle}
      rows={data.total.rows}
      columns={[
        { label: s.delivery, value: (row: Row) => row.delivery, cell: (row: Row) => s.deliveryN(row.delivery) },
        { label: s.survival, value: (row: Row) => row.survival, cell: (row: Row) => orNone(t, row.survival, (v) => format.percent(v)), numeric: true },
      ]}
      rowKey={(row) => String(row.delivery)}
      filename={`continuation-curve_as-of-${data.asOf}${data.by ? `_by-${data.by}` : ''}`}
      note={<p className="muted">{s.curveNote}</p>}
      chart={() => <EChart option={option} label={s.curveTitle} />}
    />
  );
}

function TableCard({ data }: { data: Continuation }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const pct = (v: number | null) => orNone(t, v, (x) => format.percent(x));
  const columns: Column<Row>[] = [
    { label: s.delivery, value: (row) => row.delivery, cell: (row) => s.deliveryN(row.delivery) },
    { label: s.reached, value: (row) => row.reached, cell: (row) => format.integer(row.reached), numeric: true },
    { label: s.continued, value: (row) => row.continued, cell: (row) => format.integer(row.continued), numeric: true },
    { label: s.stopped, value: (row) => row.stopped, cell: (row) => format.integer(row.stopped), numeric: true },
    { label: s.censored, value: (row) => row.censored, cell: (row) => format.integer(row.censored), numeric: true },
    { label: s.rate, value: (row) => row.rate, cell: (row) => pct(row.rate), numeric: true },
    { label: s.survival, value: (row) => row.survival, cell: (row) => pct(row.survival), numeric: true },
  ];
  const tail = data.total.tail;
  return (
    <ChartCard
      title={s.tableTitle}
      rows={data.total.rows}
      columns={columns}
      rowKey={(row) => String(row.delivery)}
      filename={`continuation_as-of-${data.asOf}`}
      footer={
        tail.reached > 0 ? (
          <p className="muted">
            {s.tail(tail.fromDelivery)}:{' '}
            {s.tailSummary(format.integer(tail.reached), format.integer(tail.stopped), format.integer(tail.censored), pct(tail.rate))}
          </p>
        ) : undefined
      }
    />
  );
}

/** One row per group, one column per delivery k: the rates side by side, so a cohort or course that loses subscribers early stands out. */
function GroupsCard({ data, split }: { data: Continuation; split: Split }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const pct = (v: number | null | undefined) => orNone(t, v, (x) => format.percent(x, 0));
  const deliveries = data.total.rows.map((row) => row.delivery);
  const columns: Column<Group>[] = [
    { label: s.splits[split], value: (group) => group.key ?? '', cell: (group) => groupName(s, group, format, split) },
    { label: s.subscriptions, value: (group) => group.subscriptions, cell: (group) => format.integer(group.subscriptions), numeric: true },
    ...deliveries.map(
      (k): Column<Group> => ({
        label: `${s.deliveryN(k)}→`,
        value: (group) => group.rows[k - 1]?.rate ?? null,
        cell: (group) => pct(group.rows[k - 1]?.rate),
        numeric: true,
      }),
    ),
  ];
  return (
    <ChartCard
      title={s.groupTableTitle(s.splits[split])}
      rows={data.groups}
      columns={columns}
      rowKey={(group) => group.key ?? '∅'}
      filename={`continuation_by-${split}_as-of-${data.asOf}`}
      note={data.omittedGroups > 0 ? <p className="muted">{s.omittedGroups(format.integer(data.omittedGroups))}</p> : undefined}
    />
  );
}

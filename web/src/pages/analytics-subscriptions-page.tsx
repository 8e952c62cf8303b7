import { useMemo } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { rateOverCountsOption } from '../analytics/rate-chart.ts';
import { EChart, type ChartOption } from '../analytics/echart.tsx';
import { bucketLabel, orNone } from '../analytics/labels.ts';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import { AsOfField, GranularitySelect, PeriodControls, useAsOfQuery, usePeriodQuery, type Granularity } from '../analytics/period-controls.tsx';
import { Stat } from '../components/stat.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type Subscribers = Schemas['Subscribers'];
type SubscribersBucket = Subscribers['series'][number];
type Cancellations = Schemas['Cancellations'];
type CancellationBucket = Cancellations['series'][number];
type ReasonCount = Cancellations['reasons'][number];
type AtDelivery = Cancellations['byDelivery'][number];

/** Reasons drawn apart in the by-delivery chart; the rest are pooled as "other reasons". */
const TOP_REASONS = 6;
const REASON_COLORS = ['#b4463c', '#d08a3c', '#6b8f71', '#4f6d8f', '#8c6bb1', '#c9a227', '#a3a3a3'];

/** 定期の推移: subscriptions in force over time, the cancellation rate per bucket, and why subscribers cancel (by delivery number). */
export function AnalyticsSubscriptionsPage() {
  return (
    <AnalyticsPage page="subscriptions" topics={['subscription', 'cancellation', 'period']}>
      {(dataEnd) => <SubscriptionsAnalysis dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function SubscriptionsAnalysis({ dataEnd }: { dataEnd: string }) {
  const { workspace } = useCurrentWorkspace();
  const { period, granularity, setPeriod, setGranularity } = usePeriodQuery(dataEnd);
  const { asOf, setAsOf } = useAsOfQuery(dataEnd);
  const path = { workspace: workspace.name };
  const subscribers = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/subscriptions/subscribers', {
          params: { path, query: { ...period, granularity, asOf } },
          signal,
        }),
      ),
    [workspace.name, period.from, period.to, granularity, asOf],
  );
  const cancellations = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/subscriptions/cancellations', {
          params: { path, query: { ...period, granularity } },
          signal,
        }),
      ),
    [workspace.name, period.from, period.to, granularity],
  );
  return (
    <>
      <PeriodControls period={period} dataEnd={dataEnd} onChange={setPeriod}>
        <GranularitySelect value={granularity} onChange={setGranularity} />
        <AsOfField value={asOf} onChange={setAsOf} />
      </PeriodControls>
      <WhenLoaded data={subscribers}>{(data) => <SubscribersCard data={data} granularity={granularity} />}</WhenLoaded>
      <WhenLoaded data={cancellations}>
        {(data) => (
          <>
            <CancellationCard data={data} granularity={granularity} />
            {data.reasons.length > 0 && <ReasonsCard data={data} />}
            {data.byDelivery.length > 0 && <ByDeliveryCard data={data} />}
          </>
        )}
      </WhenLoaded>
    </>
  );
}

function SubscribersCard({ data, granularity }: { data: Subscribers; granularity: Granularity }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const a = t.analytics;
  const label = (b: SubscribersBucket) => bucketLabel(format, granularity, b.bucket);
  const last = data.series.at(-1);
  const columns: Column<SubscribersBucket>[] = [
    { label: a.sales.bucket, value: (b) => b.bucket, cell: label },
    { label: s.measuredAt, value: (b) => b.measuredAt, cell: (b) => format.calendarDate(b.measuredAt) },
    { label: s.active, value: (b) => b.active, cell: (b) => format.integer(b.active), numeric: true },
    { label: s.paused, value: (b) => b.paused, cell: (b) => format.integer(b.paused), numeric: true },
    { label: s.inForce, value: (b) => b.inForce, cell: (b) => format.integer(b.inForce), numeric: true },
    { label: s.customers, value: (b) => b.customers, cell: (b) => format.integer(b.customers), numeric: true },
  ];
  const option = useMemo(
    (): ChartOption => ({
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => format.integer(Number(v)) },
      xAxis: { type: 'category', data: data.series.map(label) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format.integer(v) } },
      series: [
        { type: 'bar', name: s.active, stack: 'in-force', data: data.series.map((b) => b.active), itemStyle: { color: '#6b8f71' } },
        { type: 'bar', name: s.paused, stack: 'in-force', data: data.series.map((b) => b.paused), itemStyle: { color: '#d9c27a' } },
        { type: 'line', name: s.customers, data: data.series.map((b) => b.customers), itemStyle: { color: '#4f6d8f' }, symbolSize: 6 },
      ],
    }),
    [data, format, t],
  );
  if (data.series.every((b) => b.inForce === 0)) return <p className="alert alert-info">{s.none}</p>;
  return (
    <>
      {last && (
        <div className="stats">
          <Stat label={s.active} value={format.integer(last.active)} note={s.measuredOn(format.calendarDate(last.measuredAt))} />
          <Stat label={s.paused} value={format.integer(last.paused)} />
          <Stat label={s.customers} value={format.integer(last.customers)} />
        </div>
      )}
      <ChartCard
        title={s.subscribersTitle}
        rows={data.series}
        columns={columns}
        rowKey={(b) => b.bucket}
        filename={`subscribers_${data.period.from}_${data.period.to}_${granularity}`}
        chart={() => <EChart option={option} label={s.subscribersTitle} />}
      />
    </>
  );
}

function CancellationCard({ data, granularity }: { data: Cancellations; granularity: Granularity }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const a = t.analytics;
  const label = (b: CancellationBucket) => bucketLabel(format, granularity, b.bucket);
  const pct = (v: number | null) => orNone(t, v, (x) => format.percent(x));
  // The mean of the buckets' rates, not cancelled ÷ in force at the period's start: over a year that
  // quotient counts the cancellations of subscriptions started during the year against those running at its start.
  const rates = data.series.map((b) => b.rate).filter((rate): rate is number => rate !== null);
  const meanRate = rates.length === 0 ? null : rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
  const columns: Column<CancellationBucket>[] = [
    { label: a.sales.bucket, value: (b) => b.bucket, cell: label },
    { label: s.inForceAtStart, value: (b) => b.inForceAtStart, cell: (b) => format.integer(b.inForceAtStart), numeric: true },
    { label: s.cancelled, value: (b) => b.cancelled, cell: (b) => format.integer(b.cancelled), numeric: true },
    { label: s.cancellationRate, value: (b) => b.rate, cell: (b) => pct(b.rate), numeric: true },
  ];
  const option = useMemo(
    (): ChartOption =>
      rateOverCountsOption({
        format,
        labels: data.series.map(label),
        counts: { name: s.cancelled, values: data.series.map((b) => b.cancelled), show: (v) => format.integer(v) },
        rate: { name: s.cancellationRate, points: data.series.map((b) => b.rate), show: pct, color: '#b4463c' },
      }),
    [data, format, t],
  );
  return (
    <ChartCard
      title={s.cancellationsTitle}
      rows={data.series}
      columns={columns}
      rowKey={(b) => b.bucket}
      filename={`cancellations_${data.period.from}_${data.period.to}_${granularity}`}
      note={
        <p className="muted">
          {meanRate === null ? '' : s.meanCancellation(pct(meanRate), format.integer(data.total.cancelled))} {s.cancellationsNote}
        </p>
      }
      chart={() => <EChart option={option} label={s.cancellationsTitle} />}
    />
  );
}

function useReasonLabel() {
  const { t, locale } = useI18n();
  const s = t.analytics.subscriptions;
  return (reason: { code: string | null; labelJa: string; labelEn: string }) =>
    reason.code === null ? s.noReason : locale === 'ja' ? reason.labelJa : reason.labelEn;
}

function ReasonsCard({ data }: { data: Cancellations }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const reasonLabel = useReasonLabel();
  const columns: Column<ReasonCount>[] = [
    { label: s.reason, value: (r) => reasonLabel(r) },
    { label: s.count, value: (r) => r.count, cell: (r) => format.integer(r.count), numeric: true },
    { label: s.share, value: (r) => r.share, cell: (r) => format.percent(r.share), numeric: true },
  ];
  const reasons = [...data.reasons].reverse();
  const option = useMemo(
    (): ChartOption => ({
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => format.integer(v) } },
      yAxis: { type: 'category', data: reasons.map(reasonLabel) },
      series: [
        {
          type: 'bar',
          name: s.count,
          data: reasons.map((r) => r.count),
          itemStyle: { color: '#b4463c' },
          label: { show: true, position: 'right', formatter: (p) => format.percent(reasons[p.dataIndex]?.share ?? 0) },
        },
      ],
    }),
    [data, format, t],
  );
  return (
    <ChartCard
      title={s.reasonsTitle}
      rows={data.reasons}
      columns={columns}
      rowKey={(r) => r.code ?? ''}
      filename={`cancel-reasons_${data.period.from}_${data.period.to}`}
      chart={() => <EChart option={option} label={s.reasonsTitle} height={Math.max(200, reasons.length * 32 + 40)} />}
    />
  );
}

function ByDeliveryCard({ data }: { data: Cancellations }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.analytics.subscriptions;
  const reasonLabel = useReasonLabel();
  const top = data.reasons.slice(0, TOP_REASONS);
  const topCodes = new Set(top.map((r) => r.code));
  const rowLabel = (row: AtDelivery) => s.deliveryLabel(row.delivery, row.orMore);
  const countOf = (row: AtDelivery, code: string | null) => row.reasons.find((r) => r.code === code)?.count ?? 0;
  const otherOf = (row: AtDelivery) => row.reasons.filter((r) => !topCodes.has(r.code)).reduce((sum, r) => sum + r.count, 0);
  const columns: Column<AtDelivery>[] = [
    { label: s.deliveriesHad, value: (row) => (row.orMore ? `${row.delivery}+` : row.delivery), cell: rowLabel },
    { label: s.cancelled, value: (row) => row.cancelled, cell: (row) => format.integer(row.cancelled), numeric: true },
    ...top.map(
      (reason): Column<AtDelivery> => ({
        label: reasonLabel(reason),
        value: (row) => countOf(row, reason.code),
        cell: (row) => format.integer(countOf(row, reason.code)),
        numeric: true,
      }),
    ),
    { label: s.otherReasons, value: otherOf, cell: (row) => format.integer(otherOf(row)), numeric: true },
  ];
  const option = useMemo(
    (): ChartOption => ({
      grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => format.integer(Number(v)) },
      xAxis: { type: 'category', data: data.byDelivery.map(rowLabel) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format.integer(v) } },
      series: [
        ...top.map((reason, i) => ({
          type: 'bar' as const,
          stack: 'reasons',
          name: reasonLabel(reason),
          data: data.byDelivery.map((row) => countOf(row, reason.code)),
          itemStyle: { color: REASON_COLORS[i % REASON_COLORS.length] },
        })),
        {
          type: 'bar' as const,
          stack: 'reasons',
          name: s.otherReasons,
          data: data.byDelivery.map(otherOf),
          itemStyle: { color: REASON_COLORS.at(-1) },
        },
      ],
    }),
    [data, format, t],
  );
  return (
    <ChartCard
      title={s.byDeliveryTitle}
      rows={data.byDelivery}
      columns={columns}
      rowKey={(row) => String(row.delivery)}
      filename={`cancel-reasons-by-delivery_${data.period.from}_${data.period.to}`}
      note={<p className="muted">{s.byDeliveryNote}</p>}
      chart={() => <EChart option={option} label={s.byDeliveryTitle} />}
    />
  );
}

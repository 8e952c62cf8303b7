import { useMemo } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ChartCard, type Column } from '../analytics/chart-card.tsx';
import { EChart, type ChartOption } from '../analytics/echart.tsx';
import { orNone, periodLabel } from '../analytics/labels.ts';
import { AnalyticsPage, WhenLoaded } from '../analytics/page-frame.tsx';
import { ComparisonSelect, PeriodControls, usePeriodQuery } from '../analytics/period-controls.tsx';
import { oneOf, useQueryDraft } from '../analytics/search-params.ts';
import { Stat } from '../components/stat.tsx';
import { labelOf, useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type SalesDifference = Schemas['SalesDifference'];
type Group = SalesDifference['groups'][number];

const DIMENSIONS = ['channel', 'product', 'category', 'gender', 'age_band', 'prefecture', 'place', 'store', 'cohort', 'attribute'] as const;
type Dimension = (typeof DIMENSIONS)[number];
const TOP_GROUPS = 20;

/** 差異分析: the change of sales split by a dimension, groups ranked by their contribution. */
export function AnalyticsDifferencePage() {
  return (
    <AnalyticsPage page="difference" topics={['purchase', 'period', 'sales', 'change', 'difference']}>
      {(dataEnd) => <DifferenceAnalysis dataEnd={dataEnd} />}
    </AnalyticsPage>
  );
}

function DifferenceAnalysis({ dataEnd }: { dataEnd: string }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const a = t.analytics;
  const d = a.difference;
  const { period, comparison, setPeriod, setComparison, query } = usePeriodQuery(dataEnd, 1);
  const dimension = oneOf(DIMENSIONS, query.get('by'), 'channel');
  const attributeKey = query.get('key') ?? '';
  const by = dimension === 'attribute' ? `attribute:${attributeKey}` : dimension;
  const ready = dimension !== 'attribute' || attributeKey.trim() !== '';
  const difference = useApiData(
    (signal) =>
      ready
        ? unwrap(
            api.GET('/api/v1/workspaces/{workspace}/analytics/sales/difference', {
              params: { path: { workspace: workspace.name }, query: { ...period, by, compare: comparison } },
              signal,
            }),
          )
        : Promise.resolve(null),
    [workspace.name, period.from, period.to, by, comparison],
  );
  return (
    <>
      <PeriodControls period={period} dataEnd={dataEnd} onChange={setPeriod}>
        <label className="field">
          <span>{d.dimension}</span>
          <select value={dimension} onChange={(e) => query.set({ by: oneOf(DIMENSIONS, e.target.value, 'channel') })}>
            {DIMENSIONS.map((k) => (
              <option key={k} value={k}>
                {d.dimensions[k]}
              </option>
            ))}
          </select>
        </label>
        {dimension === 'attribute' && <AttributeKeyField value={attributeKey} onChange={(key) => query.set({ key })} />}
        <ComparisonSelect value={comparison} onChange={setComparison} />
      </PeriodControls>
      <WhenLoaded data={difference}>
        {(data) =>
          data && (data.groups.length === 0 ? <p className="alert alert-info">{d.noGroups}</p> : <DifferenceCards data={data} dimension={dimension} />)
        }
      </WhenLoaded>
    </>
  );
}

/** The attribute's key, applied once typing pauses. */
function AttributeKeyField({ value, onChange }: { value: string; onChange(next: string): void }) {
  const { t } = useI18n();
  const d = t.analytics.difference;
  const [draft, setDraft] = useQueryDraft(value, String, String, onChange);
  return (
    <label className="field">
      <span>{d.attributeKey}</span>
      <input value={draft} placeholder={d.attributeHint} onChange={(e) => setDraft(e.target.value)} />
    </label>
  );
}

/** A group's value in words: a channel, a gender, an age band in the console's language; a product by name. */
function groupName(t: Messages, dimension: Dimension, group: Pick<Group, 'key' | 'name'>): string {
  const d = t.analytics.difference;
  if (group.key === null) return d.notRecorded;
  switch (dimension) {
    case 'channel':
      return labelOf(t.channels.order, group.key);
    case 'gender':
      return labelOf(t.gender, group.key);
    case 'age_band':
      return labelOf(d.ageBands, group.key);
    case 'prefecture':
    case 'place':
      return t.prefecture(group.key);
    case 'product':
      return group.name ? t.analytics.text.paren(group.name, group.key) : group.key;
    case 'cohort':
    case 'category':
    case 'store':
    case 'attribute':
      return group.key;
  }
}

function DifferenceCards({ data, dimension }: { data: SalesDifference; dimension: Dimension }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const d = a.difference;
  const f = a.factors;
  const cmp = a.controls.comparisons[data.comparison];
  const name = (g: Group) => groupName(t, dimension, g);
  const pct = (v: number | null | undefined) => orNone(t, v, (x) => format.percent(x));
  const columns: Column<Group>[] = [
    { label: d.group, value: name },
    { label: d.contribution, value: (g) => g.contribution, cell: (g) => pct(g.contribution), numeric: true },
    { label: a.text.paren(f.sales, a.change.current), value: (g) => g.current.sales, cell: (g) => format.money(g.current.sales), numeric: true },
    { label: a.text.paren(f.sales, cmp), value: (g) => g.compared.sales, cell: (g) => format.money(g.compared.sales), numeric: true },
    { label: a.change.difference, value: (g) => g.change.salesDifference, cell: (g) => format.money(g.change.salesDifference), numeric: true },
    { label: a.change.ratio(cmp), value: (g) => g.change.salesRatio, cell: (g) => pct(g.change.salesRatio), numeric: true },
    { label: a.text.paren(f.customers, a.change.current), value: (g) => g.current.customers, cell: (g) => format.integer(g.current.customers), numeric: true },
    {
      label: `${f.customers} ${a.change.ratio(cmp)}`,
      value: (g) => g.change.factors.customers.ratio,
      cell: (g) => pct(g.change.factors.customers.ratio),
      numeric: true,
    },
    {
      label: `${f.frequency} ${a.change.ratio(cmp)}`,
      value: (g) => g.change.factors.frequency.ratio,
      cell: (g) => pct(g.change.factors.frequency.ratio),
      numeric: true,
    },
    {
      label: `${f.itemsPerPurchase} ${a.change.ratio(cmp)}`,
      value: (g) => g.change.factors.itemsPerPurchase.ratio,
      cell: (g) => pct(g.change.factors.itemsPerPurchase.ratio),
      numeric: true,
    },
    {
      label: `${f.pricePerItem} ${a.change.ratio(cmp)}`,
      value: (g) => g.change.factors.pricePerItem.ratio,
      cell: (g) => pct(g.change.factors.pricePerItem.ratio),
      numeric: true,
    },
  ];
  const top = data.groups.slice(0, TOP_GROUPS);
  const option = useMemo((): ChartOption => {
    const shown = [...top].reverse();
    return {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => format.percent(v, 0) } },
      yAxis: { type: 'category', data: shown.map(name), axisLabel: { width: 220, overflow: 'truncate' } },
      series: [
        {
          type: 'bar',
          name: d.contribution,
          data: shown.map((g) => ({ value: g.contribution ?? 0, itemStyle: { color: Number(g.change.salesDifference) >= 0 ? '#1f7a4d' : '#b4463c' } })),
          label: { show: true, position: 'right', formatter: (p) => format.percent(Number(p.value), 1) },
          tooltip: { valueFormatter: (v) => format.percent(Number(v), 1) },
        },
      ],
    };
  }, [data, format, t]);
  const totals = data.totals;
  return (
    <>
      <div className="stats">
        <Stat
          label={f.sales}
          value={format.money(totals.current.sales)}
          note={`${periodLabel(t, format, data.period)}${a.text.separator}${a.text.paren(`${cmp} ${format.money(totals.compared.sales)}`, [`${a.change.difference} ${format.money(totals.change.salesDifference)}`, `${a.change.ratio(cmp)} ${pct(totals.change.salesRatio)}`].join(a.text.list))}`}
          variant="wide"
        />
      </div>
      {totals.change.unshared && <p className="alert alert-info">{a.change.unshared[totals.change.unshared.reason]}</p>}
      <ChartCard
        title={d.contributionChart}
        rows={data.groups}
        columns={columns}
        rowKey={(g) => g.key ?? ''}
        filename={`sales-difference_${dimension}_${data.period.from}_${data.period.to}_${data.comparison}`}
        note={
          <>
            <p className="muted">{d.colorNote}</p>
            {d.overlap[data.overlap] && <p className="muted">{d.overlap[data.overlap]}</p>}
          </>
        }
        chart={() => <EChart option={option} label={d.contributionChart} height={Math.max(240, top.length * 28 + 40)} />}
      />
    </>
  );
}

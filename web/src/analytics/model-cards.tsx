import { useMemo } from 'react';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { ChartCard, type Column } from './chart-card.tsx';
import { EChart, type ChartOption } from './echart.tsx';
import { orNone } from './labels.ts';

/** The customer value model's cards: the CLV and P(alive) histograms of a run, and its fitted parameters. */

type Run = Schemas['StoredCustomerValueRun'];
type RunResult = Schemas['CustomerValueRunResult'];
type Distribution = Schemas['Distribution'];

interface Bin {
  index: number;
  from: number;
  to: number;
  customers: number;
}

function binsOf(distribution: Distribution): Bin[] {
  const { width, counts } = distribution.histogram;
  return counts.map((customers, index) => ({ index, from: index * width, to: (index + 1) * width, customers }));
}

export function Histograms({ result }: { result: RunResult }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const cv = t.analytics.customerValue;
  const money = (v: number) => format.money(Math.round(v));
  const percent = (v: number) => format.percent(v, 0);
  return (
    <div className="chart-pair">
      <Histogram
        title={`${cv.clvHistogram}${t.analytics.text.separator}${t.analytics.customer360.clvMargin(format.percent(result.margin, 0))}`}
        bins={binsOf(result.clv)}
        show={money}
        filename={`clv-distribution_${result.calibrationEnd}`}
        lastOpen
      />
      <Histogram title={cv.aliveHistogram} bins={binsOf(result.probabilityAlive)} show={percent} filename={`p-alive-distribution_${result.calibrationEnd}`} />
    </div>
  );
}

/** A histogram of 20 bins; `lastOpen`: the last bin also holds the values above it (CLV beyond its p99). */
function Histogram({ title, bins, show, filename, lastOpen }: { title: string; bins: Bin[]; show(v: number): string; filename: string; lastOpen?: boolean }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const cv = a.customerValue;
  const label = (b: Bin) => (lastOpen && b.index === bins.length - 1 ? a.text.andAbove(show(b.from)) : a.text.range(show(b.from), show(b.to)));
  const columns: Column<Bin>[] = [
    { label: cv.bin, value: label },
    { label: t.analytics.rfm.customers, value: (b) => b.customers, cell: (b) => format.integer(b.customers), numeric: true },
  ];
  const option = useMemo(
    (): ChartOption => ({
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (p) => {
          const point = Array.isArray(p) ? p[0] : p;
          const bin = bins[point?.dataIndex ?? 0];
          return bin ? `${label(bin)}<br/><b>${a.units.people(format.integer(bin.customers))}</b>` : '';
        },
      },
      // The axis names each bin by its lower bound; the tooltip and the table give the whole range.
      xAxis: { type: 'category', data: bins.map((b) => show(b.from)), axisLabel: { rotate: 40, fontSize: 10 } },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format.integer(v) } },
      series: [{ type: 'bar', name: t.analytics.rfm.customers, data: bins.map((b) => b.customers), barCategoryGap: '8%' }],
    }),
    [bins, format, t],
  );
  return (
    <ChartCard
      title={title}
      rows={bins}
      columns={columns}
      rowKey={(b) => String(b.index)}
      filename={filename}
      chart={() => <EChart option={option} label={title} height={300} />}
    />
  );
}

interface ParameterRow {
  model: string;
  name: string;
  estimate: number;
  standardError: number | null;
}

/** Below this mean dropout probability the fit says the data shows no dropout (a at its boundary, 0). */
const NO_DROPOUT = 1e-4;

export function ParametersCard({ run }: { run: Run }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const cv = t.analytics.customerValue;
  const { bgNbd: bg, gammaGamma: gg } = run;
  const rows: ParameterRow[] = [
    { model: 'BG/NBD', name: 'r', estimate: bg.r, standardError: bg.standardErrors.r },
    { model: 'BG/NBD', name: 'α', estimate: bg.alpha, standardError: bg.standardErrors.alpha },
    { model: 'BG/NBD', name: 'a', estimate: bg.a, standardError: bg.standardErrors.a },
    { model: 'BG/NBD', name: 'b', estimate: bg.b, standardError: bg.standardErrors.b },
    { model: 'Gamma-Gamma', name: 'p', estimate: gg.p, standardError: gg.standardErrors.p },
    { model: 'Gamma-Gamma', name: 'q', estimate: gg.q, standardError: gg.standardErrors.q },
    { model: 'Gamma-Gamma', name: 'γ', estimate: gg.gamma, standardError: gg.standardErrors.gamma },
  ];
  const number = (v: number) => (Math.abs(v) >= 1000 ? format.decimal(v, 0) : format.decimal(v, 4));
  const meanDropout = bg.a / (bg.a + bg.b);
  const columns: Column<ParameterRow>[] = [
    { label: cv.model, value: (p) => p.model },
    { label: cv.parameter, value: (p) => p.name, cell: (p) => <span className="mono">{p.name}</span> },
    { label: cv.estimate, value: (p) => p.estimate, cell: (p) => number(p.estimate), numeric: true },
    { label: cv.standardError, value: (p) => p.standardError, cell: (p) => orNone(t, p.standardError, number), numeric: true },
  ];
  const fit = (name: string, f: { logLikelihood: number; iterations: number; converged: boolean }) =>
    `${name}: ${[`${cv.logLikelihood} ${format.decimal(f.logLikelihood, 2)}`, `${cv.iterations} ${format.integer(f.iterations)}`, `${cv.converged} ${f.converged ? cv.yes : cv.no}`].join(t.analytics.text.dot)}`;
  return (
    <ChartCard
      title={cv.parameters}
      rows={rows}
      columns={columns}
      rowKey={(p) => `${p.model}-${p.name}`}
      filename={`customer-value-parameters_${run.calibrationEnd}`}
      note={
        <>
          <ul className="fit-notes">
            <li>{fit(cv.bgNbd, bg)}</li>
            <li>{cv.meanDropout(format.decimal(meanDropout, 6))}</li>
            <li>{fit(cv.gammaGamma, gg)}</li>
          </ul>
          {meanDropout < NO_DROPOUT && (
            <p className="alert alert-info" role="note">
              {cv.noDropout}
            </p>
          )}
        </>
      }
    />
  );
}

import { useId, useMemo } from 'react';
import { api, unwrap } from '../api/client.ts';
import { type ChartOption, EChart } from '../analytics/echart.tsx';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import type { Format } from '../format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { type Comparison, intervalText, metricName, type ScenarioMeasurement, signedMoney, signedPercent, valueText, verdictSentence } from './effect-text.ts';
import './measurement.css';

/** A sample-ratio check below this p-value means the assignment went wrong (the result is not to be trusted). */
const SAMPLE_RATIO_ALARM = 0.001;

/**
 * 効果: the scenario against its control group (GET …/scenarios/:s/measurement). Judged once, at
 * the end of the run plus one window: before, the date of the verdict and the progress towards
 * the customers needed, the figures marked interim; after, the verdict in words with its
 * interval (the relative lift, and for revenue the cap, the bootstrap and CUPED). The sample-ratio
 * check, the cumulative curves by entry date, and the same comparison per send or task step.
 */
export function EffectPanel({ scenario }: { scenario: { key: string } }) {
  const { workspace } = useCurrentWorkspace();
  const measurement = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/scenarios/{scenario}/measurement', {
          params: { path: { workspace: workspace.name, scenario: scenario.key } },
          signal,
        }),
      ),
    [workspace.name, scenario.key],
  );
  return <WhenLoaded data={measurement}>{(data) => <Effect measurement={data} />}</WhenLoaded>;
}

function Effect({ measurement }: { measurement: ScenarioMeasurement }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const e = t.measurement.effect;
  const headingId = useId();
  const { plan, overall } = measurement;
  if (measurement.status === 'no_plan' || !plan)
    return (
      <section className="card measurement-effect" aria-labelledby={headingId} data-testid="measurement-effect">
        <h2 id={headingId}>{e.title}</h2>
        <p>{plan ? e.noHoldout : e.noPlan}</p>
        <p className="muted">{e.noPlanHint}</p>
      </section>
    );
  const metric = metricName(t.measurement, measurement);
  const mde = measurement.metric === 'revenue' ? format.money(plan.minimumDetectableEffect) : `${format.decimal(plan.minimumDetectableEffect, 2)}${e.pt}`;
  const { sampleRatio } = measurement;
  return (
    <section className="card measurement-effect" aria-labelledby={headingId} data-testid="measurement-effect">
      <h2 id={headingId}>{e.title}</h2>
      <p className="muted small">
        {e.planSummary(`${format.integer(plan.holdoutPercent)}%`, metric, format.integer(plan.windowDays), format.integer(plan.runDays), mde)}
      </p>
      {measurement.launchedAt && measurement.entriesUntil && measurement.judgedAt && (
        <p className="muted small">
          {e.schedule(format.date(measurement.launchedAt), format.date(measurement.entriesUntil), format.date(measurement.judgedAt))}
        </p>
      )}
      {sampleRatio.pValue !== null && sampleRatio.observed !== null && sampleRatio.pValue < SAMPLE_RATIO_ALARM && (
        <p className="alert alert-error" role="alert" data-testid="measurement-sample-ratio">
          {e.sampleRatio(format.percent(sampleRatio.planned, 1), format.percent(sampleRatio.observed, 1))}
        </p>
      )}
      {measurement.status === 'judged' ? <Verdict measurement={measurement} /> : <Collecting measurement={measurement} />}
      {overall && <ArmsTable measurement={measurement} comparison={overall} />}
      {(measurement.pending.treatment > 0 || measurement.pending.holdout > 0) && (
        <p className="muted small">{e.pending(format.integer(measurement.pending.treatment), format.integer(measurement.pending.holdout))}</p>
      )}
      {measurement.globalControl > 0 && <p className="muted small">{e.globalControl(format.integer(measurement.globalControl))}</p>}
      <OverTime measurement={measurement} />
      <StepsTable measurement={measurement} />
    </section>
  );
}

/** The verdict sentence, with the relative lift; for revenue the CUPED and bootstrap intervals beside it. */
function Verdict({ measurement }: { measurement: ScenarioMeasurement }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const e = t.measurement.effect;
  const comparison = measurement.overall;
  const sentence = verdictSentence(format, t.measurement, measurement, comparison);
  if (!sentence || !comparison?.effect)
    return (
      <p className="measurement-verdict verdict-none" data-testid="measurement-verdict">
        {e.notEnough}
      </p>
    );
  const effect = comparison.effect;
  return (
    <div className="measurement-headline">
      <p className={`measurement-verdict verdict-${comparison.verdict ?? 'none'}`} data-testid="measurement-verdict">
        {sentence}
      </p>
      {effect.kind === 'proportion' && effect.relativeLift && (
        <p data-testid="measurement-lift">
          {e.relativeLift(
            signedPercent(format, effect.relativeLift.lift),
            signedPercent(format, effect.relativeLift.low),
            signedPercent(format, effect.relativeLift.high),
          )}
        </p>
      )}
      {effect.kind === 'mean' && (
        <>
          {effect.cuped && (
            <>
              <p className="muted small">
                {e.cupedJudged} {e.cupedReduction(format.percent(effect.cuped.varianceReduction, 0))}
              </p>
              <p className="muted small">
                {e.withoutCuped(signedMoney(format, effect.difference), signedMoney(format, effect.low), signedMoney(format, effect.high))}
              </p>
            </>
          )}
          <p className="muted small">
            {e.bootstrap(signedMoney(format, effect.bootstrap.low), signedMoney(format, effect.bootstrap.high), format.integer(effect.bootstrap.resamples))}
          </p>
          {effect.relativeLift !== null && <p data-testid="measurement-lift">{e.relativeLiftOnly(signedPercent(format, effect.relativeLift))}</p>}
        </>
      )}
    </div>
  );
}

/** Before the verdict: when it will be given, and how far each group is from the customers needed. */
function Collecting({ measurement }: { measurement: ScenarioMeasurement }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const e = t.measurement.effect;
  const comparison = measurement.overall;
  const required = comparison?.required ?? null;
  return (
    <div className="measurement-headline">
      <p className="measurement-verdict verdict-collecting" data-testid="measurement-verdict">
        {e.collecting(measurement.judgedAt ? format.date(measurement.judgedAt) : t.app.none)}
      </p>
      {required && comparison ? (
        <div className="measurement-progress" role="group" aria-label={e.progressTitle} data-testid="measurement-progress">
          {(['treatment', 'holdout'] as const).map((arm) => (
            <div key={arm} className="measurement-progress-row">
              <span>{e.progress(e.arms[arm], format.integer(comparison[arm].customers), format.integer(required[arm]))}</span>
              <progress value={Math.min(comparison[arm].customers, required[arm])} max={Math.max(1, required[arm])} aria-label={e.arms[arm]} />
            </div>
          ))}
          {comparison.enoughData && <p className="muted small">{e.enoughData}</p>}
        </div>
      ) : (
        <p data-testid="measurement-progress">{e.notEnough}</p>
      )}
      <p className="muted small">{e.interim}</p>
    </div>
  );
}

function ArmsTable({ measurement, comparison }: { measurement: ScenarioMeasurement; comparison: Comparison }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const e = t.measurement.effect;
  const revenue = measurement.metric === 'revenue';
  return (
    <div className="table-wrap measurement-arms">
      <table className="table-compact" aria-label={e.armsTable}>
        <thead>
          <tr>
            <th scope="col">{e.columns.arm}</th>
            <th scope="col" className="num">
              {e.columns.customers}
            </th>
            {!revenue && (
              <th scope="col" className="num">
                {e.columns.conversions}
              </th>
            )}
            <th scope="col" className="num">
              {revenue ? e.columns.revenue : e.columns.rate}
            </th>
          </tr>
        </thead>
        <tbody>
          {(['treatment', 'holdout'] as const).map((arm) => (
            <tr key={arm}>
              <th scope="row">{e.arms[arm]}</th>
              <td className="num">{format.integer(comparison[arm].customers)}</td>
              {!revenue && <td className="num">{comparison[arm].conversions === null ? t.app.none : format.integer(comparison[arm].conversions)}</td>}
              <td className="num">{valueText(format, measurement.metric, comparison[arm].value, t.app.none)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Treatment and control, cumulative by entry date: the rate or the revenue per customer. */
function OverTime({ measurement }: { measurement: ScenarioMeasurement }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const e = t.measurement.effect;
  const points = measurement.overTime;
  const revenue = measurement.metric === 'revenue';
  const metric = metricName(t.measurement, measurement);
  const option = useMemo(() => chartOption(points, revenue, format, e, t.app.none), [points, revenue, format, e, t.app.none]);
  return (
    <>
      <h3>{e.chartTitle}</h3>
      {points.length === 0 ? (
        <p className="muted">{e.noChart}</p>
      ) : (
        <>
          <EChart option={option} height={280} label={e.chartRate(metric)} />
          <details className="measurement-chart-table">
            <summary>{e.chartTable}</summary>
            <div className="table-wrap">
              <table className="table-compact" aria-label={e.chartRate(metric)}>
                <thead>
                  <tr>
                    <th scope="col">{e.chartColumns.date}</th>
                    <th scope="col" className="num">
                      {e.arms.treatment}
                    </th>
                    <th scope="col" className="num">
                      {e.arms.holdout}
                    </th>
                    <th scope="col" className="num">
                      {e.chartColumns.treatmentCustomers}
                    </th>
                    <th scope="col" className="num">
                      {e.chartColumns.holdoutCustomers}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {points.map((point) => (
                    <tr key={point.date}>
                      <td>{format.calendarDate(point.date)}</td>
                      <td className="num">{valueText(format, measurement.metric, point.treatment, t.app.none)}</td>
                      <td className="num">{valueText(format, measurement.metric, point.holdout, t.app.none)}</td>
                      <td className="num">{format.integer(point.treatmentCustomers)}</td>
                      <td className="num">{format.integer(point.holdoutCustomers)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </>
  );
}

function chartOption(
  points: ScenarioMeasurement['overTime'],
  revenue: boolean,
  format: Format,
  e: Messages['measurement']['effect'],
  none: string,
): ChartOption {
  const show = (value: unknown) => {
    if (value === null || value === undefined || value === '-') return none;
    return revenue ? format.money(Math.round(Number(value))) : format.percent(Number(value), 1);
  };
  return {
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis', valueFormatter: show },
    xAxis: { type: 'category', data: points.map((point) => point.date), boundaryGap: false },
    yAxis: {
      type: 'value',
      min: 0,
      axisLabel: { formatter: (value: number) => (revenue ? format.money(value) : format.percent(value, 0)) },
    },
    series: [
      { type: 'line', name: e.arms.treatment, data: points.map((point) => point.treatment), symbolSize: 5, connectNulls: true },
      { type: 'line', name: e.arms.holdout, data: points.map((point) => point.holdout), symbolSize: 5, connectNulls: true, lineStyle: { type: 'dashed' } },
    ],
  };
}

/** Each send or task step: the customers who reached it in each group, the rates, the difference with its interval, the verdict. */
function StepsTable({ measurement }: { measurement: ScenarioMeasurement }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const e = t.measurement.effect;
  const c = t.measurement.cell.badges;
  const judged = measurement.status === 'judged';
  return (
    <>
      <h3>{e.stepsTitle}</h3>
      <p className="muted small">{e.stepsNote}</p>
      {measurement.steps.length === 0 ? (
        <p className="muted">{e.noSteps}</p>
      ) : (
        <div className="table-wrap">
          <table className="table-compact measurement-steps" aria-label={e.stepsTitle}>
            <thead>
              <tr>
                <th scope="col">{e.stepsColumns.step}</th>
                <th scope="col" className="num">
                  {e.stepsColumns.treatment}
                </th>
                <th scope="col" className="num">
                  {e.stepsColumns.holdout}
                </th>
                <th scope="col" className="num">
                  {e.stepsColumns.treatmentValue}
                </th>
                <th scope="col" className="num">
                  {e.stepsColumns.holdoutValue}
                </th>
                <th scope="col" className="num">
                  {e.stepsColumns.difference}
                </th>
                <th scope="col">{e.stepsColumns.verdict}</th>
              </tr>
            </thead>
            <tbody>
              {measurement.steps.map((step) => {
                // No peeking: the interval is shown with the verdict, not before.
                const interval = judged && step.effect ? intervalText(format, t.measurement, step.effect) : null;
                const verdict = !step.effect ? e.stepVerdicts.noData : judged && step.verdict ? (c[step.verdict] ?? step.verdict) : e.stepVerdicts.collecting;
                return (
                  <tr key={step.stepId} data-step={step.stepId}>
                    <th scope="row">
                      {step.name ?? step.stepId} <span className="muted small">({t.scenarios.kinds[step.kind]})</span>
                    </th>
                    <td className="num">{format.integer(step.treatment.customers)}</td>
                    <td className="num">{format.integer(step.holdout.customers)}</td>
                    <td className="num">{valueText(format, measurement.metric, step.treatment.value, t.app.none)}</td>
                    <td className="num">{valueText(format, measurement.metric, step.holdout.value, t.app.none)}</td>
                    <td className="num">{interval ? e.interval(interval.difference, interval.low, interval.high) : t.app.none}</td>
                    <td>
                      <span className={`badge badge-effect-${judged && step.verdict ? step.verdict : step.effect ? 'collecting' : 'none'}`}>{verdict}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

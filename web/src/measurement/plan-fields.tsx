import { useId } from 'react';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { NumberField, SelectField } from '../scenarios/fields.tsx';
import type { Problem } from '../scenarios/scenario-draft.ts';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { type MeasuredMetric, type MeasurementPlan, metricForKpi } from './effect-text.ts';
import './measurement.css';

type Kpi = Schemas['KpiInTree'];
type MetricKind = MeasurementPlan['metric']['kind'];

const METRIC_KINDS = ['purchase', 'subscription_start', 'continuation', 'revenue', 'kpi'] as const satisfies readonly MetricKind[];

/** The first smallest difference worth finding in each unit: 2 points for a rate, ¥500 per customer for revenue. */
const DEFAULT_MDE = { rate: 2, revenue: 500 } as const;

/** A new plan: 10 % held out, judged on purchase within 30 days of entry, entries of the first 60 days. */
export function newMeasurementPlan(): MeasurementPlan {
  return { holdoutPercent: 10, metric: { kind: 'purchase' }, windowDays: 30, runDays: 60, minimumDetectableEffect: DEFAULT_MDE.rate };
}

/**
 * 効果測定（比較対照）: the scenario's measurement plan in its settings — the control group's
 * share, the primary metric (a KPI picked from the workspace's list), the window and the run,
 * the smallest difference worth finding (points for a rate, yen for revenue) and CUPED (revenue
 * only). Transactional scenarios cannot hold customers out: the section says so instead.
 */
export function MeasurementPlanFields({
  plan,
  purpose,
  onChange,
  problems,
}: {
  plan: MeasurementPlan | undefined;
  purpose: string;
  onChange(plan: MeasurementPlan | undefined): void;
  problems?: Problem[] | undefined;
}) {
  const { t } = useI18n();
  const m = t.measurement.plan;
  const checkboxId = useId();
  const transactional = purpose === 'transactional';
  const kpis = useKpis(plan?.metric.kind === 'kpi');
  const kpiList = kpis.state === 'ready' ? kpis.data : [];
  const chosenKpi = plan?.metric.kind === 'kpi' ? kpiList.find((kpi) => kpi.id === (plan.metric as { kpiId: string }).kpiId) : undefined;
  const measured: MeasuredMetric | null = !plan
    ? null
    : plan.metric.kind === 'kpi'
      ? chosenKpi
        ? metricForKpi(chosenKpi.metric.kind)
        : null
      : plan.metric.kind;
  const revenue = measured === 'revenue';
  const set = (patch: Partial<MeasurementPlan>) => {
    if (!plan) return;
    const next: MeasurementPlan = { ...plan, ...patch };
    if (next.cuped === undefined) delete next.cuped;
    onChange(next);
  };
  /** A new metric: the smallest difference restarts in the new unit, and CUPED goes unless the metric is revenue. */
  const setMetric = (metric: MeasurementPlan['metric'], unit: MeasuredMetric | null) => {
    if (!plan) return;
    const wasRevenue = measured === 'revenue';
    const isRevenue = unit === 'revenue';
    const { cuped, ...rest } = plan;
    onChange({
      ...rest,
      metric,
      minimumDetectableEffect: wasRevenue === isRevenue ? plan.minimumDetectableEffect : isRevenue ? DEFAULT_MDE.revenue : DEFAULT_MDE.rate,
      ...(isRevenue && cuped !== undefined ? { cuped } : {}),
    });
  };
  return (
    <fieldset className="field measurement-plan" aria-describedby={`${checkboxId}-lead`}>
      <legend>{m.section}</legend>
      <p className="muted small" id={`${checkboxId}-lead`}>
        {m.lead} {m.fixed}
      </p>
      {transactional && (
        <p className="alert alert-warning" role="note">
          {m.transactional}
        </p>
      )}
      <label className="checkbox-field" htmlFor={checkboxId}>
        <input
          id={checkboxId}
          type="checkbox"
          checked={plan !== undefined}
          disabled={transactional && plan === undefined}
          onChange={(event) => onChange(event.target.checked ? newMeasurementPlan() : undefined)}
        />
        {m.enabled}
      </label>
      {plan && !transactional && (
        <>
          <NumberField
            label={m.holdoutPercent}
            hint={m.holdoutHint}
            min={0}
            max={50}
            value={plan.holdoutPercent}
            onChange={(holdoutPercent) => set({ holdoutPercent: holdoutPercent ?? 0 })}
          />
          <SelectField
            label={m.metric}
            value={plan.metric.kind}
            options={METRIC_KINDS.map((value) => ({ value, label: m.metricOptions[value] ?? value }))}
            onChange={(kind) => {
              if (kind === 'kpi') {
                const first = kpiList[0];
                setMetric({ kind, kpiId: first?.id ?? '' }, first ? metricForKpi(first.metric.kind) : null);
              } else setMetric({ kind }, kind);
            }}
          />
          {plan.metric.kind === 'kpi' && (
            <KpiChoice
              kpis={kpis}
              value={plan.metric.kpiId}
              measured={measured}
              onChange={(kpi) => setMetric({ kind: 'kpi', kpiId: kpi.id }, metricForKpi(kpi.metric.kind))}
            />
          )}
          <NumberField
            label={m.windowDays}
            hint={m.windowHint}
            min={1}
            max={365}
            value={plan.windowDays}
            onChange={(windowDays) => set({ windowDays: windowDays ?? 1 })}
          />
          <NumberField label={m.runDays} hint={m.runHint} min={1} max={730} value={plan.runDays} onChange={(runDays) => set({ runDays: runDays ?? 1 })} />
          <NumberField
            label={revenue ? m.mdeYen : m.mdeRate}
            hint={m.mdeHint}
            min={0}
            step={revenue ? 1 : 0.1}
            value={plan.minimumDetectableEffect}
            onChange={(minimumDetectableEffect) => set({ minimumDetectableEffect: minimumDetectableEffect ?? 0 })}
          />
          {revenue && (
            <label className="checkbox-field">
              <input type="checkbox" checked={plan.cuped === true} onChange={(event) => set({ cuped: event.target.checked ? true : undefined })} />
              {m.cuped}
            </label>
          )}
          {revenue && <p className="muted small">{m.cupedHint}</p>}
        </>
      )}
      {problems?.map((problem, index) => (
        <p key={index} className={problem.severity === 'error' ? 'field-error' : 'muted small'}>
          {problem.path}: {problem.message}
        </p>
      ))}
    </fieldset>
  );
}

function KpiChoice({
  kpis,
  value,
  measured,
  onChange,
}: {
  kpis: ReturnType<typeof useKpis>;
  value: string;
  measured: MeasuredMetric | null;
  onChange(kpi: Kpi): void;
}) {
  const { t } = useI18n();
  const m = t.measurement.plan;
  if (kpis.state === 'loading') return <p className="muted small">{m.kpiLoading}</p>;
  if (kpis.state === 'failed') return <p className="field-error">{m.kpiFailed(kpis.error.message)}</p>;
  if (kpis.data.length === 0) return <p className="alert alert-warning">{m.kpiNone}</p>;
  const list = kpis.data;
  return (
    <>
      <SelectField
        label={m.kpi}
        value={list.some((kpi) => kpi.id === value) ? value : undefined}
        placeholder={m.kpiChoose}
        options={list.map((kpi) => ({ value: kpi.id, label: `${'　'.repeat(kpi.depth)}${kpi.name}` }))}
        onChange={(id) => {
          const kpi = list.find((each) => each.id === id);
          if (kpi) onChange(kpi);
        }}
      />
      {measured && <p className="muted small">{m.kpiMeasuredBy(t.measurement.metrics[measured] ?? measured)}</p>}
    </>
  );
}

/** The workspace's KPIs (tree order), read only while a KPI is the metric. */
function useKpis(enabled: boolean) {
  const { workspace } = useCurrentWorkspace();
  return useApiData(
    async (signal): Promise<Kpi[]> =>
      (await unwrap(api.GET('/api/v1/workspaces/{workspace}/analytics/kpis', { params: { path: { workspace: workspace.name } }, signal }))).items,
    [workspace.name],
    { enabled },
  );
}

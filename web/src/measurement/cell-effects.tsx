import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { badgeOf, intervalText, type MeasurementPlan, type ScenarioMeasurement } from './effect-text.ts';
import './measurement.css';

type ListItem = Schemas['ScenarioListItem'];

/** A published scenario that starts on entering a cell, with its verified effect (null: no control group). */
interface CellScenario {
  key: string;
  name: string;
  measurement: ScenarioMeasurement | null;
  /** The measurement could not be read (e.g. its KPI was removed). */
  error: string | null;
}

interface PublishedFacts {
  trigger: { kind?: string; stage?: string; level?: string };
  measurement: MeasurementPlan | undefined;
}

/**
 * The published trigger and plan of each scenario, by workspace, key and last change: read once
 * per change, so moving between cells asks only for the list and the measurements.
 */
const published = new Map<string, Promise<PublishedFacts | null>>();

function publishedFacts(workspace: string, item: ListItem): Promise<PublishedFacts | null> {
  const id = `${workspace}\u0000${item.key}\u0000${item.updatedAt}\u0000${item.publishedVersion ?? ''}`;
  let facts = published.get(id);
  if (!facts) {
    // Not aborted with the panel's request: another cell's request may be waiting on the same answer.
    facts = unwrap(api.GET('/api/v1/workspaces/{workspace}/scenarios/{scenario}', { params: { path: { workspace, scenario: item.key } } })).then((scenario) => {
      const document = scenario.published?.document as { trigger?: PublishedFacts['trigger']; measurement?: MeasurementPlan } | undefined;
      return document?.trigger ? { trigger: document.trigger, measurement: document.measurement } : null;
    });
    facts.catch(() => published.delete(id));
    published.set(id, facts);
  }
  return facts;
}

/** Whether a cell_entered trigger fires on entering the cell (an absent stage or level: any). */
function triggeredBy(trigger: PublishedFacts['trigger'], cell: { stage: string; level: string }): boolean {
  return (
    trigger.kind === 'cell_entered' &&
    (trigger.stage === undefined || trigger.stage === cell.stage) &&
    (trigger.level === undefined || trigger.level === cell.level)
  );
}

/**
 * The cell's measures run by Kizuna: the published scenarios a customer enters on entering the
 * cell, each with its verified effect as a badge (効果あり / 逆効果 / 未確認 / 測定中 / 比較対照なし)
 * and, once judged, the difference with its interval. Read only while the cell's panel is open.
 */
export function CellScenarioEffects({ cell }: { cell: { stage: string; level: string } }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const c = t.measurement.cell;
  const scenarios = useApiData(
    async (signal): Promise<CellScenario[]> => {
      const path = { workspace: workspace.name };
      const list = await unwrap(api.GET('/api/v1/workspaces/{workspace}/scenarios', { params: { path }, signal }));
      const candidates = list.filter((item) => item.triggerKind === 'cell_entered' && item.publishedVersion !== null && item.status !== 'archived');
      const facts = await Promise.all(candidates.map((item) => publishedFacts(workspace.name, item)));
      const mine = candidates.flatMap((item, i) => {
        const fact = facts[i];
        return fact && triggeredBy(fact.trigger, cell) ? [{ item, plan: fact.measurement }] : [];
      });
      return Promise.all(
        mine.map(async ({ item, plan }): Promise<CellScenario> => {
          const base = { key: item.key, name: item.name ?? item.key };
          if (!plan || plan.holdoutPercent === 0) return { ...base, measurement: null, error: null };
          try {
            const measurement = await unwrap(
              api.GET('/api/v1/workspaces/{workspace}/scenarios/{scenario}/measurement', { params: { path: { ...path, scenario: item.key } }, signal }),
            );
            return { ...base, measurement, error: null };
          } catch (error) {
            if (signal.aborted) throw error;
            return { ...base, measurement: null, error: error instanceof Error ? error.message : String(error) };
          }
        }),
      );
    },
    [workspace.name, cell.stage, cell.level],
  );
  return (
    <section className="journey-cell-effects" aria-labelledby="journey-cell-effects-title" data-testid="cell-effects">
      <h3 id="journey-cell-effects-title">{c.title}</h3>
      <p className="muted small">{c.lead}</p>
      {scenarios.state === 'loading' && <Loading />}
      {scenarios.state === 'failed' && <p className="alert alert-error">{c.failed(scenarios.error.message)}</p>}
      {scenarios.state === 'ready' &&
        (scenarios.data.length === 0 ? (
          <p className="muted">{c.none}</p>
        ) : (
          <ul className="journey-effects" aria-label={c.title}>
            {scenarios.data.map((scenario) => {
              const badge = badgeOf(scenario.measurement);
              const overall = scenario.measurement?.overall;
              const judged = scenario.measurement?.status === 'judged' && overall?.effect;
              const interval = judged ? intervalText(format, t.measurement, overall.effect!) : null;
              return (
                <li key={scenario.key} className="journey-effect" data-scenario={scenario.key}>
                  <div className="journey-effect-head">
                    <Link
                      to={`/w/${encodeURIComponent(workspace.name)}/scenarios/${encodeURIComponent(scenario.key)}?tab=effect`}
                      aria-label={c.open(scenario.name)}
                    >
                      {scenario.name}
                    </Link>
                    {!scenario.error && <span className={`badge badge-effect-${badge}`}>{c.badges[badge]}</span>}
                  </div>
                  {scenario.error && <p className="field-error">{c.failed(scenario.error)}</p>}
                  {interval && (
                    <p className="journey-effect-figure">
                      {t.measurement.metrics[scenario.measurement!.metric ?? ''] ?? ''}{' '}
                      {t.measurement.effect.interval(interval.difference, interval.low, interval.high)}
                    </p>
                  )}
                  {badge === 'collecting' && scenario.measurement?.judgedAt && (
                    <p className="muted small">{c.judgedOn(format.date(scenario.measurement.judgedAt))}</p>
                  )}
                </li>
              );
            })}
          </ul>
        ))}
    </section>
  );
}

import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import type { Charter } from './charter-draft.ts';
import { charterPath, ScoreBadge } from './labels.tsx';

type Impact = Schemas['CharterImpact'];

/** Pause after the last edit before the impact is worked out again. */
const EDIT_PAUSE_MS = 400;

export interface ImpactState {
  /** The impact of the charter as it is now, or of the last one worked out while the new one is (`current` false). */
  impact?: Impact;
  invalid: boolean;
  current: boolean;
}

/**
 * The impact of the charter being edited, worked out again after each pause in the editing
 * (`enabled` false: not at all, as while nothing is edited). Nothing is written.
 */
export function useCharterImpact(charter: Charter, enabled: boolean): ImpactState {
  const { workspace } = useCurrentWorkspace();
  const impact = useApiData(
    (signal) => unwrap(api.POST('/api/v1/workspaces/{workspace}/charter/impact', { params: { path: { workspace: workspace.name } }, body: charter, signal })),
    [workspace.name, JSON.stringify(charter)],
    { pauseMs: EDIT_PAUSE_MS, enabled },
  );
  switch (impact.state) {
    case 'ready':
      return { impact: impact.data, invalid: false, current: !impact.refreshing };
    case 'failed':
      return { invalid: true, current: true };
    case 'loading':
      return { invalid: false, current: false };
  }
}

/** In the save bar: the templates the change would block, in one line, with the way to the details. */
export function ImpactLine({ state }: { state: ImpactState }) {
  const { t } = useI18n();
  const i = t.charter.editor.impact;
  const { format } = useCurrentWorkspace();
  if (!state.impact || state.impact.newlyBlocked === 0) return null;
  return (
    <a className="impact-line" href="#charter-impact-title">
      {i.newlyBlocked(format.integer(state.impact.newlyBlocked))}
    </a>
  );
}

/**
 * この変更による影響: every template checked against the charter being edited, before it is
 * saved, so the writer sees which templates a stricter rule would block (and which a looser one
 * frees) while there is still time to change their mind.
 */
export function CharterImpactPanel({ state }: { state: ImpactState }) {
  const { t } = useI18n();
  const i = t.charter.editor.impact;
  const { workspace, format } = useCurrentWorkspace();
  const { impact, current } = state;
  const changed =
    impact?.templates.filter((template) => template.after.score !== template.before.score || template.after.counts.error !== template.before.counts.error) ??
    [];
  return (
    <section className="card charter-impact" aria-labelledby="charter-impact-title" aria-busy={!current}>
      <h2 id="charter-impact-title">{i.title}</h2>
      <p className="muted small">{i.lead}</p>
      {!current && (
        <p className="muted small" role="status">
          {i.checking}
        </p>
      )}
      {state.invalid && <p className="muted">{i.invalid}</p>}
      {impact && (
        <div className={current ? undefined : 'is-refreshing'}>
          {impact.templates.length === 0 ? (
            <p className="muted">{i.noTemplates}</p>
          ) : (
            <>
              <ul className="impact-summary">
                <li className={impact.newlyBlocked > 0 ? 'impact-bad' : undefined}>{i.newlyBlocked(format.integer(impact.newlyBlocked))}</li>
                <li className={impact.newlyPublishable > 0 ? 'impact-good' : undefined}>{i.newlyPublishable(format.integer(impact.newlyPublishable))}</li>
                <li>{i.scoreChanged(format.integer(impact.scoreChanged))}</li>
              </ul>
              {changed.length === 0 ? (
                <p className="muted">{i.none}</p>
              ) : (
                <div className="table-wrap">
                  <table className="table-compact">
                    <thead>
                      <tr>
                        <th scope="col">{i.template}</th>
                        <th scope="col">{i.department}</th>
                        <th scope="col">{i.score}</th>
                        <th scope="col">{i.errors}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {changed.map((template) => {
                        const blocked = template.before.counts.error === 0 && template.after.counts.error > 0;
                        const freed = template.before.counts.error > 0 && template.after.counts.error === 0;
                        return (
                          <tr key={template.id} data-template={template.name} className={blocked ? 'impact-bad' : freed ? 'impact-good' : undefined}>
                            <td>
                              <Link to={charterPath(workspace.name, 'templates', template.id)}>{template.name}</Link>
                            </td>
                            <td>{t.charter.departments[template.department]}</td>
                            <td>
                              <ScoreBadge score={template.before.score} /> → <ScoreBadge score={template.after.score} />
                            </td>
                            <td className="impact-errors">
                              {format.integer(template.before.counts.error)} → {format.integer(template.after.counts.error)}
                              {blocked && <span className="badge impact-badge-bad">{i.blocked}</span>}
                              {freed && <span className="badge impact-badge-good">{i.freed}</span>}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          )}
        </div>
      )}
    </section>
  );
}

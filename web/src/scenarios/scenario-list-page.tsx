import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';
import { mayEditScenarios } from './scenario-draft.ts';

/** シナリオ: every scenario of the workspace with its status and figures (enrolled now, sent, conversions), priority, trigger and department. */
export function ScenarioListPage() {
  const { t } = useI18n();
  const s = t.scenarios;
  const { workspace, format } = useCurrentWorkspace();
  const editable = mayEditScenarios(useRole());
  const base = `/w/${encodeURIComponent(workspace.name)}/scenarios`;
  const loaded = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/scenarios', { params: { path: { workspace: workspace.name } }, signal })),
    [workspace.name],
  );
  return (
    <>
      <header className="page-header">
        <div>
          <h1>{s.title}</h1>
          <p className="muted lead">{s.lead}</p>
        </div>
        {editable && (
          <div className="actions">
            <Link className="button button-primary" to={`${base}/new`}>
              {s.create}
            </Link>
          </div>
        )}
      </header>
      <WhenLoaded data={loaded}>
        {(scenarios) =>
          scenarios.length === 0 ? (
            <p className="muted">{s.none}</p>
          ) : (
            <section className="card">
              <div className="table-wrap">
                <table className="table-compact" data-testid="scenario-list">
                  <thead>
                    <tr>
                      <th>{s.columns.name}</th>
                      <th>{s.columns.status}</th>
                      <th className="num">{s.columns.enrolled}</th>
                      <th className="num">{s.columns.sent}</th>
                      <th className="num">{s.columns.conversions}</th>
                      <th className="num">{s.columns.priority}</th>
                      <th>{s.columns.trigger}</th>
                      <th>{s.columns.department}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {scenarios.map((scenario) => (
                      <tr key={scenario.id} data-scenario={scenario.key}>
                        <td>
                          <Link to={`${base}/${encodeURIComponent(scenario.key)}`}>{scenario.name ?? s.noName}</Link>
                          <div className="muted small">
                            <code>{scenario.key}</code>
                          </div>
                        </td>
                        <td>
                          <span className={`badge scenario-status-${scenario.status}`}>{s.status[scenario.status] ?? scenario.status}</span>
                        </td>
                        <td className="num">{format.integer(scenario.enrolled)}</td>
                        <td className="num">{format.integer(scenario.sent)}</td>
                        <td className="num">{format.integer(scenario.conversions)}</td>
                        <td className="num">{scenario.priority ?? '—'}</td>
                        <td>{scenario.triggerKind ? (s.triggers[scenario.triggerKind] ?? scenario.triggerKind) : '—'}</td>
                        <td>
                          {scenario.department
                            ? (t.charter.departments[scenario.department as keyof typeof t.charter.departments] ?? scenario.department)
                            : '—'}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="muted small">{s.conversionsNote}</p>
            </section>
          )
        }
      </WhenLoaded>
    </>
  );
}

import { api, unwrap } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import type { Scenario, ScenarioVersion } from './scenario-draft.ts';

/** Every published version, newest first, with who published it and what changed; an editor can load one into the flow editor. */
export function VersionsList({ scenario, editable, onLoad }: { scenario: Scenario; editable: boolean; onLoad(version: ScenarioVersion): void }) {
  const { t } = useI18n();
  const v = t.scenarios.versions;
  const { workspace, format } = useCurrentWorkspace();
  const loaded = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/scenarios/{scenario}/versions', {
          params: { path: { workspace: workspace.name, scenario: scenario.key } },
          signal,
        }),
      ),
    [workspace.name, scenario.key, scenario.updatedAt],
  );
  return (
    <section className="card" aria-labelledby="versions-title">
      <h2 id="versions-title">{v.title}</h2>
      <WhenLoaded data={loaded}>
        {(versions) =>
          versions.length === 0 ? (
            <p className="muted">{v.none}</p>
          ) : (
            <div className="table-wrap">
              <table className="table-compact">
                <thead>
                  <tr>
                    <th className="num">{v.columns.version}</th>
                    <th>{v.columns.createdAt}</th>
                    <th>{v.columns.createdBy}</th>
                    <th>{v.columns.summary}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {versions.map((version) => (
                    <tr key={version.version}>
                      <td className="num">
                        {version.version} {scenario.published?.version === version.version && <span className="badge">{v.current}</span>}
                      </td>
                      <td className="nowrap">{format.dateTime(version.createdAt)}</td>
                      <td>{version.createdBy}</td>
                      <td>{version.summary}</td>
                      <td>
                        {editable && (
                          <button type="button" className="button button-small" onClick={() => onLoad(version)}>
                            {v.load}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </WhenLoaded>
    </section>
  );
}

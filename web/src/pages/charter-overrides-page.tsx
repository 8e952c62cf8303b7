import { api, unwrap } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { OverrideTable } from '../charter/override-table.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

/** 承認ログ: every template published over its errors in the workspace, newest first, deleted templates' included. */
export function CharterOverridesPage() {
  const { t } = useI18n();
  const tt = t.charter.template;
  const { workspace } = useCurrentWorkspace();
  const log = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/templates/overrides', {
          params: { path: { workspace: workspace.name } },
          signal,
        }),
      ),
    [workspace.name],
  );
  return (
    <>
      <header className="page-header">
        <h1>{tt.logTitle}</h1>
        <p className="muted lead">{tt.logLead}</p>
      </header>
      <WhenLoaded data={log}>
        {({ items }) =>
          items.length === 0 ? (
            <p className="muted">{tt.logNone}</p>
          ) : (
            <section className="card" aria-label={tt.logTitle}>
              <OverrideTable overrides={items} withTemplate />
            </section>
          )
        }
      </WhenLoaded>
    </>
  );
}

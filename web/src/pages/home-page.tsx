import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { Stat } from '../components/stat.tsx';
import { Failure, Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { canWrite } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

/** The workspace at a glance: how many profiles, orders and events, and the sales total. */
export function HomePage() {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const role = useRole();
  const summary = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}', { params: { path: { workspace: workspace.name } }, signal })),
    [workspace.name],
  );
  return (
    <>
      <h1>{t.home.title(workspace.name)}</h1>
      {summary.state === 'loading' && <Loading />}
      {summary.state === 'failed' && <Failure error={summary.error} retry={summary.reload} />}
      {summary.state === 'ready' && (
        <>
          <section className="stats" aria-label={t.home.title(workspace.name)}>
            <Stat label={t.home.salesTotal} value={format.money(summary.data.salesTotal)} note={t.home.salesNote} variant="wide" />
            <Stat label={t.home.customers} value={format.integer(summary.data.counts.customers)} />
            <Stat label={t.home.leads} value={format.integer(summary.data.counts.leads)} />
            <Stat label={t.home.orders} value={format.integer(summary.data.counts.orders)} />
            <Stat label={t.home.orderItems} value={format.integer(summary.data.counts.orderItems)} />
            <Stat label={t.home.products} value={format.integer(summary.data.counts.products)} />
            <Stat label={t.home.events} value={format.integer(summary.data.counts.events)} />
          </section>
          <dl className="facts">
            <dt>{t.home.timezone}</dt><dd>{workspace.timezone}</dd>
            <dt>{t.home.currency}</dt><dd>{workspace.currency}</dd>
          </dl>
          <section className="card">
            <h2>{t.home.nextSteps}</h2>
            <div className="actions">
              <Link className="button button-primary" to="customers">{t.home.browseCustomers}</Link>
              {canWrite(role) && <Link className="button" to="import">{t.home.importData}</Link>}
            </div>
          </section>
        </>
      )}
    </>
  );
}

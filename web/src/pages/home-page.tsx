import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { useDataEnd } from '../analytics/data-end.ts';
import { addDays, addMonths, monthStart } from '../analytics/dates.ts';
import { Stat } from '../components/stat.tsx';
import { Failure, Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { canWrite } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

/**
 * The brand at a glance: its name, this month's sales against the same days of last month,
 * the KPI board in one line (and which KPIs are behind), the data it holds, and the pages
 * used most. "This month" is the month of the latest order (the analyses' data end), so a
 * brand whose data stops earlier still opens on figures.
 */
export function HomePage() {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const role = useRole();
  const h = t.frame.home;
  const summary = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}', { params: { path: { workspace: workspace.name } }, signal })),
    [workspace.name],
  );
  const brand = summary.state === 'ready' ? (summary.data.displayName ?? workspace.name) : workspace.name;
  return (
    <>
      <h1>{t.home.title(brand)}</h1>
      <p className="muted small">{h.workspaceLine(workspace.name, workspace.timezone, workspace.currency)}</p>
      {summary.state === 'loading' && <Loading />}
      {summary.state === 'failed' && <Failure error={summary.error} retry={summary.reload} />}
      {summary.state === 'ready' && (
        <>
          <div className="home-overview">
            {summary.data.counts.orders > 0 ? (
              <SalesCard />
            ) : (
              <section className="card">
                <h2>{h.sales}</h2>
                <p className="muted">{h.noOrders}</p>
              </section>
            )}
            <KpiSummaryCard />
          </div>
          <section className="stats" aria-label={h.data}>
            <Stat label={t.home.salesTotal} value={format.money(summary.data.salesTotal)} note={t.home.salesNote} variant="wide" />
            <Stat label={t.home.customers} value={format.integer(summary.data.counts.customers)} />
            <Stat label={t.home.leads} value={format.integer(summary.data.counts.leads)} />
            <Stat label={t.home.orders} value={format.integer(summary.data.counts.orders)} />
            <Stat label={t.home.orderItems} value={format.integer(summary.data.counts.orderItems)} />
            <Stat label={t.home.products} value={format.integer(summary.data.counts.products)} />
            <Stat label={t.home.events} value={format.integer(summary.data.counts.events)} />
          </section>
          <section className="card" aria-labelledby="home-shortcuts">
            <h2 id="home-shortcuts">{h.shortcuts}</h2>
            <div className="actions">
              <Link className="button button-primary" to="customers">
                {t.home.browseCustomers}
              </Link>
              <Link className="button" to="analytics">
                {h.analytics}
              </Link>
              <Link className="button" to="charter/check">
                {h.checker}
              </Link>
              {canWrite(role) && (
                <Link className="button" to="import">
                  {t.home.importData}
                </Link>
              )}
            </div>
          </section>
        </>
      )}
    </>
  );
}

type SalesTotals = Schemas['SalesTotals'];

/** This month to the data's end against the same days of last month. */
function SalesCard() {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const h = t.frame.home;
  const dataEnd = useDataEnd();
  const end = dataEnd.state === 'ready' ? dataEnd.data : undefined;
  const sales = useApiData(
    async (signal) => {
      const to = end!;
      const from = monthStart(addDays(to, -1));
      const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
      const previousFrom = addMonths(from, -1);
      const previousTo = [addDays(previousFrom, days), from].sort()[0]!;
      const totals = (period: { from: string; to: string }) =>
        unwrap(
          api.GET('/api/v1/workspaces/{workspace}/analytics/sales', {
            params: { path: { workspace: workspace.name }, query: { ...period, granularity: 'month', compare: '' } },
            signal,
          }),
        ).then((result): SalesTotals => result.totals);
      const [current, previous] = await Promise.all([totals({ from, to }), totals({ from: previousFrom, to: previousTo })]);
      return { from, to, previousFrom, previousTo, current, previous };
    },
    [workspace.name, end],
    { enabled: end !== undefined },
  );
  const day = (date: string) => format.calendarDate(date);
  return (
    <section className="card" aria-labelledby="home-sales">
      <h2 id="home-sales">{h.sales}</h2>
      {dataEnd.state === 'failed' && <Failure error={dataEnd.error} retry={dataEnd.reload} />}
      {sales.state === 'failed' && <Failure error={sales.error} retry={sales.reload} />}
      {(dataEnd.state === 'loading' || sales.state === 'loading') && <Loading />}
      {sales.state === 'ready' &&
        (() => {
          const { from, to, previousFrom, previousTo, current, previous } = sales.data;
          const now = Number(current.sales);
          const before = Number(previous.sales);
          return (
            <div className="home-sales">
              <p className="muted small">{h.salesPeriod(day(from), day(addDays(to, -1)))}</p>
              <p className="home-figure">{format.money(current.sales)}</p>
              <p className="muted small">{h.buyers(format.integer(current.customers))}</p>
              <p>{h.salesVersus(format.money(previous.sales), day(previousFrom), day(addDays(previousTo, -1)))}</p>
              <p className={now >= before ? 'home-change is-up' : 'home-change is-down'}>
                {before > 0 ? h.change(`${now >= before ? '+' : ''}${format.percent(now / before - 1)}`) : h.noPrevious}
              </p>
              <Link to="analytics/sales">{h.openSales}</Link>
            </div>
          );
        })()}
    </section>
  );
}

/** The KPI board in one line: how many KPIs are ahead, on track, behind, without data; the ones behind by name. */
function KpiSummaryCard() {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const h = t.frame.home;
  const dataEnd = useDataEnd();
  const end = dataEnd.state === 'ready' ? dataEnd.data : undefined;
  const board = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/analytics/kpis/board', {
          params: { path: { workspace: workspace.name }, query: { asOf: end!, buckets: 1 } },
          signal,
        }),
      ),
    [workspace.name, end],
    { enabled: end !== undefined },
  );
  return (
    <section className="card" aria-labelledby="home-kpis">
      <h2 id="home-kpis">{h.kpis}</h2>
      {board.state === 'failed' && <Failure error={board.error} retry={board.reload} />}
      {(dataEnd.state === 'loading' || board.state === 'loading') && <Loading />}
      {board.state === 'ready' &&
        (board.data.entries.length === 0 ? (
          <p className="muted">{h.noKpis}</p>
        ) : (
          (() => {
            const count = (status: string) => format.integer(board.data.entries.filter((e) => e.status.status === status).length);
            const behind = board.data.entries.filter((e) => e.status.status === 'behind');
            return (
              <>
                <p>{h.kpiCounts(count('ahead'), count('on_track'), count('behind'), count('no_data'))}</p>
                {behind.length > 0 && (
                  <p>
                    <span className="muted">{h.kpisBehind}:</span> {behind.map((e) => e.kpi.name).join(t.analytics.text.list)}
                  </p>
                )}
              </>
            );
          })()
        ))}
      <Link to="analytics/kpis">{h.openKpis}</Link>
    </section>
  );
}

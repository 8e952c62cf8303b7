import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Stat } from '../components/stat.tsx';
import { Failure, Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type CustomerAnalytics = Schemas['CustomerAnalytics'];
type Run = Schemas['StoredCustomerValueRun'];

/**
 * The customer's RFM (scored against the whole base today) and predicted value from the last
 * customer value run. Plain figures, no chart: the 360 page does not load ECharts.
 */
export function CustomerAnalyticsCard({ customerId }: { customerId: string }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const c = t.analytics.customer360;
  // The run says whether a model was run at all, and over which horizon the figures are.
  const analytics = useApiData(
    (signal) =>
      Promise.all([
        unwrap(api.GET('/api/v1/workspaces/{workspace}/customers/{id}/analytics', { params: { path: { workspace: workspace.name, id: customerId } }, signal })),
        unwrap(api.GET('/api/v1/workspaces/{workspace}/analytics/customer-value', { params: { path: { workspace: workspace.name } }, signal })),
      ]),
    [workspace.name, customerId],
  );
  return (
    <section className="card" aria-labelledby="customer-analytics-heading">
      <h2 id="customer-analytics-heading">{c.title}</h2>
      {analytics.state === 'loading' && <Loading />}
      {analytics.state === 'failed' && <Failure error={analytics.error} retry={analytics.reload} />}
      {analytics.state === 'ready' && <CustomerFigures analytics={analytics.data[0]} run={analytics.data[1]} />}
    </section>
  );
}

function CustomerFigures({ analytics, run }: { analytics: CustomerAnalytics; run: Run | null }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const a = t.analytics;
  const c = a.customer360;
  const { rfm, value, churn } = analytics;
  return (
    <>
      <h3 className="analytics-subhead">
        {c.rfm} <span className="muted">{c.asOf(format.calendarDate(analytics.asOf))}</span>
      </h3>
      {rfm ? (
        <>
          <div className="rfm-scores" role="group" aria-label={a.rfm.scores}>
            <Score letter="R" label={a.rfm.recency} score={rfm.scores.recency} />
            <Score letter="F" label={a.rfm.frequency} score={rfm.scores.frequency} />
            <Score letter="M" label={a.rfm.monetary} score={rfm.scores.monetary} />
            <div className="rfm-segment">
              <span className="stat-label">{c.segment}</span>
              <span className={`badge badge-large segment-${rfm.segment}`}>{a.rfm.segmentNames[rfm.segment]}</span>
            </div>
          </div>
          <p className="muted small">{a.rfm.segmentMeanings[rfm.segment]}</p>
          <dl className="definition">
            <dt>{c.recencyDays}</dt>
            <dd>{a.units.days(format.integer(rfm.recency))}</dd>
            <dt>{c.frequency}</dt>
            <dd>{a.units.times(format.integer(rfm.frequency))}</dd>
            <dt>{c.monetary}</dt>
            <dd>{format.money(rfm.monetary)}</dd>
          </dl>
        </>
      ) : (
        <p className="muted">{c.noRfm}</p>
      )}
      {churn && (
        <>
          <h3 className="analytics-subhead">{c.churnStatus}</h3>
          <p className={`churn-status churn-status-${churn.status}`}>{churnStatusText(c, churn, format.integer)}</p>
          <p className="muted small">{c.rfmVsChurn}</p>
        </>
      )}
      <h3 className="analytics-subhead">{c.value}</h3>
      {value && run ? (
        <ValueFigures value={value} run={run} />
      ) : (
        <p className="muted" role="status">
          {run === null ? c.noModel : c.noValue} <Link to={`/w/${encodeURIComponent(workspace.name)}/analytics/customer-value`}>{c.openModel}</Link>
        </p>
      )}
    </>
  );
}

/** The churn status with its reason: days since the last purchase against the window, or the subscription. */
function churnStatusText(c: Messages['analytics']['customer360'], churn: NonNullable<CustomerAnalytics['churn']>, integer: (n: number) => string): string {
  const days = integer(churn.daysSince);
  const window = churn.window === null ? '' : integer(churn.window.days);
  switch (churn.status) {
    case 'churned':
      return c.churnStatuses.churned(days, window);
    case 'within_window':
      return c.churnStatuses.within_window(days, window);
    case 'subscriber':
      return c.churnStatuses.subscriber(days);
    case 'no_window':
      return c.churnStatuses.no_window(days);
  }
}

function Score({ letter, label, score }: { letter: string; label: string; score: number }) {
  return (
    <div className="rfm-score" title={label}>
      <span className="stat-label">{label}</span>
      <span className="rfm-score-value">
        {letter}
        {score}
      </span>
      <span className="rfm-dots" aria-hidden="true">
        {[1, 2, 3, 4, 5].map((i) => (
          <span key={i} className={i <= score ? 'on' : undefined} />
        ))}
      </span>
    </div>
  );
}

function ValueFigures({ value, run }: { value: NonNullable<CustomerAnalytics['value']>; run: Run }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const a = t.analytics;
  const c = a.customer360;
  const horizon = a.units.months(format.integer(run.horizonMonths));
  return (
    <div className="summary-numbers summary-numbers-2">
      <Stat label={c.probabilityAlive} value={format.percent(value.probabilityAlive)} />
      <Stat label={c.expectedPurchases(horizon)} value={format.decimal(value.expectedPurchases, 1)} />
      <Stat label={c.expectedSpend} value={format.money(Math.round(value.expectedSpend))} />
      <Stat label={c.clv(horizon)} value={format.money(Math.round(value.clv))} note={c.clvMargin(format.percent(value.margin, 0))} />
    </div>
  );
}

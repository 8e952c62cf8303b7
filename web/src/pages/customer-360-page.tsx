import { Link, useLocation, useParams } from 'react-router';
import { api, ApiError, unwrap } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import { CustomerAnalyticsCard } from '../customers/customer-analytics-card.tsx';
import { JourneyCard } from '../customers/journey-card.tsx';
import { OrdersCard, PurchaseSummaryCard } from '../customers/orders-card.tsx';
import { ConsentsCard, IdentitiesCard, ProfileCard } from '../customers/profile-card.tsx';
import { SubscriptionsCard } from '../customers/subscriptions-card.tsx';
import { TimelineCard } from '../customers/timeline-card.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import type { BackToList } from './customers-page.tsx';

/** Customer 360: who the customer is, what they agreed to, their subscriptions, what they bought, where they stand on the journey map, and everything that happened. */
export function Customer360Page() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const { customerId = '' } = useParams();
  const location = useLocation();
  const back = (location.state as { back?: BackToList } | null)?.back;
  const customer = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/customers/{id}', { params: { path: { workspace: workspace.name, id: customerId } }, signal })),
    [workspace.name, customerId],
  );
  const backLink = (
    <Link className="back-link" to={{ pathname: '..', search: back?.search ?? '' }} relative="path" state={back?.state}>
      ← {t.customer360.back}
    </Link>
  );

  if (customer.state === 'loading')
    return (
      <>
        {backLink}
        <Loading />
      </>
    );
  if (customer.state === 'failed') {
    const missing = customer.error instanceof ApiError && customer.error.status === 404;
    return (
      <>
        {backLink}
        {missing ? <p className="alert alert-info">{t.customer360.notFound}</p> : <Failure error={customer.error} retry={customer.reload} />}
      </>
    );
  }
  const { profile, identities, consents, orders, subscriptions } = customer.data;
  return (
    <>
      <header className="page-header">
        <div>
          {backLink}
          <h1>{profile.name ?? t.customers.unnamed}</h1>
          {profile.nameKana && <div className="kana">{profile.nameKana}</div>}
        </div>
        <span className={`badge badge-${profile.lifecycle}`}>{t.lifecycle[profile.lifecycle]}</span>
      </header>
      <div className="grid-360">
        <div className="column">
          <ProfileCard profile={profile} />
          <IdentitiesCard identities={identities} />
          <ConsentsCard consents={consents} />
          <SubscriptionsCard subscriptions={subscriptions} />
          <PurchaseSummaryCard profile={profile} />
          <OrdersCard orders={orders} />
        </div>
        <div className="column">
          <JourneyCard customerId={profile.id} />
          <CustomerAnalyticsCard customerId={profile.id} />
          <TimelineCard customerId={profile.id} />
        </div>
      </div>
    </>
  );
}

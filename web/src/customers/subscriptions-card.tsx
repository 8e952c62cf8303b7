import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type Subscription = Schemas['CustomerSubscription'];
type ReasonLabels = NonNullable<Subscription['cancelReason']>;

/**
 * The customer's subscriptions (定期): each with its status, course, cycle in words, next
 * delivery, deliveries and skips, the cancellation and its reason, and the status history
 * (newest first). The timeline lists the same changes as events among everything else.
 */
export function SubscriptionsCard({ subscriptions }: { subscriptions: Subscription[] }) {
  const { t, locale } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.customer360.subscriptions;
  return (
    <section className="card" aria-labelledby="subscriptions-heading">
      <div className="card-header">
        <h2 id="subscriptions-heading">{c.title}</h2>
        {subscriptions.length > 0 && <span className="muted">{c.count(format.integer(subscriptions.length))}</span>}
      </div>
      {subscriptions.length === 0 ? (
        <p className="muted">{c.none}</p>
      ) : (
        subscriptions.map((subscription) => <SubscriptionBlock key={subscription.id} subscription={subscription} locale={locale} />)
      )}
    </section>
  );
}

function SubscriptionBlock({ subscription: s, locale }: { subscription: Subscription; locale: 'ja' | 'en' }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.customer360.subscriptions;
  const reasonLabel = (reason: ReasonLabels) => (locale === 'ja' ? reason.labelJa : reason.labelEn);
  return (
    <article className="subscription" aria-label={c.of(s.externalId)}>
      <div className="order-head">
        <span className={`badge badge-subscription-${s.status}`}>{c.status[s.status]}</span>
        <span className="order-id mono" title={c.subscriptionId}>
          {s.externalId}
        </span>
        <strong>{s.course ?? c.noCourse}</strong>
        <span className="muted">{c.statusSince(format.date(s.statusChangedAt))}</span>
      </div>
      <dl className="definition">
        <dt>{c.cycle}</dt>
        <dd>{locale === 'ja' ? s.cycle.labelJa : s.cycle.labelEn}</dd>
        <dt>{c.startedAt}</dt>
        <dd>{format.date(s.startedAt)}</dd>
        <dt>{c.nextDelivery}</dt>
        <dd>{s.nextDeliveryOn ? format.calendarDate(s.nextDeliveryOn) : t.app.none}</dd>
        <dt>{c.deliveries}</dt>
        <dd>{c.deliveriesValue(format.integer(s.deliveries))}</dd>
        <dt>{c.skips}</dt>
        <dd>{format.integer(s.skips)}</dd>
        {s.cancelledAt && (
          <>
            <dt>{c.cancelledAt}</dt>
            <dd>{format.date(s.cancelledAt)}</dd>
            <dt>{c.cancelReason}</dt>
            <dd>{s.cancelReason ? reasonLabel(s.cancelReason) : t.app.none}</dd>
            {s.cancelNote && (
              <>
                <dt>{c.cancelNote}</dt>
                <dd className="prewrap">{s.cancelNote}</dd>
              </>
            )}
          </>
        )}
      </dl>
      <table className="table-compact" aria-label={c.itemsOf(s.externalId)}>
        <thead>
          <tr>
            <th scope="col">{c.itemColumns.sku}</th>
            <th scope="col">{c.itemColumns.name}</th>
            <th scope="col" className="num">
              {c.itemColumns.quantity}
            </th>
          </tr>
        </thead>
        <tbody>
          {s.items.map((item, index) => (
            <tr key={`${item.sku}:${index}`}>
              <td className="mono">{item.sku}</td>
              <td>{item.name}</td>
              <td className="num">{format.integer(item.quantity)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details>
        <summary>{c.history}</summary>
        <table className="table-compact" aria-label={`${c.of(s.externalId)} ${c.history}`}>
          <thead>
            <tr>
              <th scope="col">{c.historyColumns.changedAt}</th>
              <th scope="col">{c.historyColumns.status}</th>
              <th scope="col">{c.historyColumns.reason}</th>
              <th scope="col">{c.historyColumns.actor}</th>
            </tr>
          </thead>
          <tbody>
            {s.history.map((change, index) => (
              <tr key={`${change.changedAt}:${index}`}>
                <td className="nowrap">{format.dateTime(change.changedAt)}</td>
                <td>{c.status[change.status]}</td>
                <td>{[change.reason ? reasonLabel(change.reason) : '', change.note ?? ''].filter(Boolean).join(' — ')}</td>
                <td>{change.actor ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </article>
  );
}

import { useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { Stat } from '../components/stat.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type Customer360 = Schemas['Customer360'];
type Order = Customer360['orders'][number];

/** Purchase count, total, average order and first/last purchase, from the profile's counters. */
export function PurchaseSummaryCard({ profile }: { profile: Customer360['profile'] }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.customer360;
  const average = profile.purchaseCount > 0 ? Number(profile.purchaseTotal) / profile.purchaseCount : undefined;
  return (
    <section className="card" aria-labelledby="purchases-heading">
      <h2 id="purchases-heading">{c.purchases}</h2>
      <div className="summary-numbers">
        <Stat label={c.purchaseCount} value={format.integer(profile.purchaseCount)} />
        <Stat label={c.purchaseTotal} value={format.money(profile.purchaseTotal)} />
        <Stat label={c.averageOrder} value={average === undefined ? t.app.none : format.money(Math.round(average))} />
      </div>
      <dl className="definition">
        <dt>{c.firstPurchaseAt}</dt>
        <dd>{profile.firstPurchaseAt ? format.dateTime(profile.firstPurchaseAt) : t.app.none}</dd>
        <dt>{c.lastPurchaseAt}</dt>
        <dd>{profile.lastPurchaseAt ? format.dateTime(profile.lastPurchaseAt) : t.app.none}</dd>
      </dl>
    </section>
  );
}

/** Orders shown before "show all": a subscriber's years of monthly orders would bury the page. */
const RECENT_ORDERS = 5;

export function OrdersCard({ orders }: { orders: Order[] }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const [showAll, setShowAll] = useState(false);
  const c = t.customer360;
  const shown = showAll ? orders : orders.slice(0, RECENT_ORDERS);
  return (
    <section className="card" aria-labelledby="orders-heading">
      <div className="card-header">
        <h2 id="orders-heading">{c.orders}</h2>
        {orders.length > 0 && <span className="muted">{c.orderCount(format.integer(orders.length))}</span>}
      </div>
      {orders.length === 0 ? <p className="muted">{c.noOrders}</p> : shown.map((order) => <OrderBlock key={order.id} order={order} />)}
      {orders.length > RECENT_ORDERS && (
        <button type="button" className="button" aria-expanded={showAll} onClick={() => setShowAll(!showAll)}>
          {showAll ? c.showRecentOrders : c.showAllOrders(format.integer(orders.length))}
        </button>
      )}
    </section>
  );
}

function OrderBlock({ order }: { order: Order }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.customer360;
  const place = [order.prefecture ? t.prefecture(order.prefecture) : undefined, order.store ?? undefined].filter(Boolean).join(' / ');
  return (
    <article className="order" aria-label={`${c.orderColumns.orderId} ${order.externalId}`}>
      <div className="order-head">
        <span className="order-id mono">{order.externalId}</span>
        <span className="nowrap">{format.dateTime(order.orderedAt)}</span>
        <span className="badge">{t.channels.order[order.channel]}</span>
        <span className="badge">{t.orderStatus[order.status]}</span>
        {order.subscriptionId && (
          <span className="badge">
            {order.deliveryNumber === null
              ? c.subscriptions.of(order.subscriptionId)
              : c.subscriptions.delivery(order.subscriptionId, format.integer(order.deliveryNumber))}
          </span>
        )}
        {place && <span className="muted">{place}</span>}
        {order.deliveredAt && <span className="muted">{c.deliveredOn(format.dateTime(order.deliveredAt))}</span>}
        <span className="order-amount">{format.money(order.amount)}</span>
      </div>
      <table className="table-compact" aria-label={c.itemsOf(order.externalId)}>
        <thead>
          <tr>
            <th scope="col">{c.itemColumns.sku}</th>
            <th scope="col">{c.itemColumns.productName}</th>
            <th scope="col" className="num">
              {c.itemColumns.quantity}
            </th>
            <th scope="col" className="num">
              {c.itemColumns.unitPrice}
            </th>
            <th scope="col" className="num">
              {c.itemColumns.subtotal}
            </th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((item) => (
            <tr key={item.lineNo}>
              <td className="mono">{item.sku}</td>
              <td>{item.productName}</td>
              <td className="num">{format.integer(item.quantity)}</td>
              <td className="num">{format.money(item.unitPrice)}</td>
              <td className="num">{format.money(Number(item.unitPrice) * item.quantity)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

import type pg from 'pg';
import { compactChangeLog } from '../../../orders/order-changes.ts';
import { purchaseCondition } from '../../../orders/purchase.ts';
import { systemClock, type Clock } from '../../../shared/clock.ts';
import { KizunaError } from '../../../shared/errors.ts';
import { localDate } from '../../periods.ts';
import { firstPurchaseEverSql } from '../../repeat-f2.ts';
import { trialStartersSql } from '../../subscriptions/status-sql.ts';
import { inSnapshotTransaction } from '../snapshot/load.ts';
import { copyRows } from '../snapshot/copy-text.ts';
import { CustomerIndex } from '../snapshot/customer-index.ts';
import { NO_DAY } from '../snapshot/purchase-snapshot.ts';
import { Dictionary, FieldRows, IntColumn } from './copy-fields.ts';
import { subscriptionDataVersion } from './data-version.ts';
import type { SubscriptionSnapshot } from './subscription-snapshot.ts';

const STATUS_CODE_SQL = (column: string) => `case ${column} when 'active' then 0 when 'paused' then 1 else 2 end`;

/**
 * Loads the workspace's subscriptions, their status history, the purchases naming them with a
 * delivery number, and the customers (acquisition source, first purchase day, trial start),
 * with the data version they correspond to: four COPY streams in one repeatable-read
 * transaction, so everything is exactly that version.
 */
export async function loadSubscriptionSnapshot(pool: pg.Pool, workspaceId: string, clock: Clock = systemClock): Promise<SubscriptionSnapshot> {
  const startedAt = performance.now();
  // Outside the load's repeatable-read transaction, where a concurrent compaction would be a serialization failure.
  await compactChangeLog(pool, 'subscription_changes', workspaceId);
  return inSnapshotTransaction(pool, async (client) => {
    const found = await subscriptionDataVersion(client, workspaceId);
    if (!found) throw new KizunaError('not_found', `No workspace with id ${workspaceId}.`);
    const tz = `'${found.timezone.replaceAll("'", "''")}'`;
    const ws = Number(workspaceId);
    const customers = await readCustomers(client, ws, tz);
    const subscriptions = await readSubscriptions(client, ws, tz, customers);
    const history = await readHistory(client, ws, tz, subscriptions.index, subscriptions.count);
    const deliveries = await readDeliveryOrders(client, ws, tz, subscriptions.index, subscriptions.count);
    const byCustomer = groupByCustomer(subscriptions.customer, customers.count());
    return {
      workspaceId,
      timezone: found.timezone,
      version: found.version,
      loadedAt: clock.now(),
      loadSeconds: (performance.now() - startedAt) / 1000,
      subscriptions: subscriptions.count,
      customer: subscriptions.customer,
      startDay: subscriptions.startDay,
      status: subscriptions.status,
      deliveries: subscriptions.deliveries,
      cancelledDay: subscriptions.cancelledDay,
      course: subscriptions.course,
      firstProduct: subscriptions.firstProduct,
      cancelReason: subscriptions.cancelReason,
      courses: subscriptions.courses.values,
      products: subscriptions.products.values,
      reasons: subscriptions.reasons.values,
      historyStart: history.start,
      historyDay: history.day,
      historyStatus: history.status,
      deliveryStart: deliveries.start,
      deliveryDay: deliveries.day,
      deliveryNumber: deliveries.number,
      customers: customers.count(),
      customerIds: customers.ids(),
      customerIndex: customers.index,
      customerSource: customers.source.done(),
      sources: customers.sources.values,
      firstDay: customers.firstDay.done(),
      trialStart: Uint8Array.from(customers.trial.done()),
      customerStart: byCustomer.start,
      subscriptionsByCustomer: byCustomer.order,
    };
  });
}

/** The customers with a first purchase or a subscription, in id order. */
async function readCustomers(client: pg.PoolClient, ws: number, tz: string) {
  const ids: number[] = [];
  const source = new IntColumn();
  const firstDay = new IntColumn();
  const trial = new IntColumn();
  const sources = new Dictionary();
  const first = firstPurchaseEverSql('c');
  await copyRows(
    client,
    `copy (select c.id, c.attributes->>'acquisition_source', ${localDate(first, tz)} - date '1970-01-01', t.customer_id is not null
             from customers c
             left join ${trialStartersSql({ workspaceId: String(ws), timezone: tz })} t on t.customer_id = c.id
            where c.workspace_id = ${ws} and (${first} is not null or exists (select 1 from subscriptions s where s.customer_id = c.id and s.workspace_id = ${ws}))
            order by c.id) to stdout`,
    new FieldRows(4, (row) => {
      ids.push(row.integer(0));
      source.push(sources.code(row.text(1)));
      firstDay.push(row.integer(2));
      trial.push(row.boolean(3) ? 1 : 0);
    }),
  );
  let index = new CustomerIndex(Float64Array.from(ids), ids.length);
  return {
    source,
    firstDay,
    trial,
    sources,
    get index() {
      return index;
    },
    count: () => ids.length,
    ids: () => Float64Array.from(ids),
    /** The index of a customer id, appending one the profiles did not give (a subscription of a customer since removed). */
    indexOf(id: number): number {
      const found = index.get(id);
      if (found !== -1) return found;
      ids.push(id);
      source.push(-1);
      firstDay.push(NO_DAY);
      trial.push(0);
      index = index.with([[id, ids.length - 1]]);
      return ids.length - 1;
    },
  };
}

/** The subscriptions in id order. */
async function readSubscriptions(client: pg.PoolClient, ws: number, tz: string, customers: { indexOf(id: number): number }) {
  const ids: number[] = [];
  const customer = new IntColumn();
  const startDay = new IntColumn();
  const status = new IntColumn();
  const deliveries = new IntColumn();
  const cancelledDay = new IntColumn();
  const course = new IntColumn();
  const firstProduct = new IntColumn();
  const cancelReason = new IntColumn();
  const courses = new Dictionary();
  const products = new Dictionary();
  const reasons = new Dictionary();
  await copyRows(
    client,
    `copy (select s.id, s.customer_id, ${localDate('s.started_at', tz)} - date '1970-01-01', ${STATUS_CODE_SQL('s.status')}, s.deliveries,
                  ${localDate('s.cancelled_at', tz)} - date '1970-01-01', s.course, p.sku, s.cancel_reason
             from subscriptions s left join products p on p.id = s.first_product_id
            where s.workspace_id = ${ws} order by s.id) to stdout`,
    new FieldRows(9, (row) => {
      ids.push(row.integer(0));
      customer.push(customers.indexOf(row.integer(1)));
      startDay.push(row.integer(2));
      status.push(row.integer(3));
      deliveries.push(row.integer(4));
      cancelledDay.push(row.integer(5));
      course.push(courses.code(row.text(6)));
      firstProduct.push(products.code(row.text(7)));
      cancelReason.push(reasons.code(row.text(8)));
    }),
  );
  return {
    count: ids.length,
    index: new CustomerIndex(Float64Array.from(ids), ids.length),
    customer: customer.done(),
    startDay: startDay.done(),
    status: Uint8Array.from(status.done()),
    deliveries: deliveries.done(),
    cancelledDay: cancelledDay.done(),
    course: course.done(),
    firstProduct: firstProduct.done(),
    cancelReason: cancelReason.done(),
    courses,
    products,
    reasons,
  };
}

/** The status history, grouped by subscription in time order (the COPY's order). */
async function readHistory(client: pg.PoolClient, ws: number, tz: string, index: CustomerIndex, count: number) {
  const subscription = new IntColumn();
  const day = new IntColumn();
  const status = new IntColumn();
  await copyRows(
    client,
    `copy (select h.subscription_id, ${localDate('h.changed_at', tz)} - date '1970-01-01', ${STATUS_CODE_SQL('h.status')}
             from subscription_status_changes h where h.workspace_id = ${ws} order by h.subscription_id, h.changed_at, h.id) to stdout`,
    new FieldRows(3, (row) => {
      const i = index.get(row.integer(0));
      if (i === -1) return;
      subscription.push(i);
      day.push(row.integer(1));
      status.push(row.integer(2));
    }),
  );
  // Rows arrive by subscription id, which is the subscriptions' order: the offsets are a running count.
  const start = new Int32Array(count + 1);
  const of = subscription.done();
  for (let r = 0; r < of.length; r++) start[of[r]! + 1]!++;
  for (let i = 0; i < count; i++) start[i + 1]! += start[i]!;
  return { start, day: day.done(), status: Uint8Array.from(status.done()) };
}

/** The purchases naming a subscription with a delivery number, grouped by subscription (a counting sort). */
async function readDeliveryOrders(client: pg.PoolClient, ws: number, tz: string, index: CustomerIndex, count: number) {
  const subscription = new IntColumn();
  const day = new IntColumn();
  const number = new IntColumn();
  await copyRows(
    client,
    `copy (select s.id, ${localDate('o.ordered_at', tz)} - date '1970-01-01', o.delivery_number
             from orders o join subscriptions s on s.workspace_id = o.workspace_id and s.external_id = o.subscription_external_id
            where o.workspace_id = ${ws} and o.subscription_external_id is not null and o.delivery_number is not null
              and ${purchaseCondition('o')}) to stdout`,
    new FieldRows(3, (row) => {
      const i = index.get(row.integer(0));
      if (i === -1) return;
      subscription.push(i);
      day.push(row.integer(1));
      number.push(row.integer(2));
    }),
  );
  const of = subscription.done();
  const days = day.done();
  const numbers = number.done();
  const start = new Int32Array(count + 1);
  for (let r = 0; r < of.length; r++) start[of[r]! + 1]!++;
  for (let i = 0; i < count; i++) start[i + 1]! += start[i]!;
  const next = start.slice(0, count);
  const groupedDay = new Int32Array(of.length);
  const groupedNumber = new Int32Array(of.length);
  for (let r = 0; r < of.length; r++) {
    const p = next[of[r]!]!++;
    groupedDay[p] = days[r]!;
    groupedNumber[p] = numbers[r]!;
  }
  return { start, day: groupedDay, number: groupedNumber };
}

/** Each customer's subscriptions (a counting sort of the subscriptions by customer index). */
function groupByCustomer(customer: Int32Array, customers: number): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(customers + 1);
  for (let i = 0; i < customer.length; i++) start[customer[i]! + 1]!++;
  for (let c = 0; c < customers; c++) start[c + 1]! += start[c]!;
  const next = start.slice(0, customers);
  const order = new Int32Array(customer.length);
  for (let i = 0; i < customer.length; i++) order[next[customer[i]!]!++] = i;
  return { start, order };
}

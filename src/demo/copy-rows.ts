import { formatDate, formatTimestamp } from './calendar.ts';
import type { DemoProfile } from './profile.ts';

/**
 * Rows of a chunk of profiles as PostgreSQL COPY text (tab-separated, `\N` for null), one
 * string per table, with the ids reserved for this chunk. Column lists are the single source
 * for the COPY statements.
 */
export const COPY_COLUMNS = {
  customers:
    'id, workspace_id, external_id, lifecycle, name, name_kana, gender, birth_date, prefecture, attributes, purchase_count, purchase_total, first_purchase_at, last_purchase_at, became_customer_at, created_at, updated_at',
  customer_identities: 'workspace_id, customer_id, kind, value, created_at',
  consents: 'workspace_id, customer_id, channel, purpose, status, changed_at, source',
  consent_changes: 'workspace_id, customer_id, channel, purpose, status, changed_at, source',
  subscriptions:
    'id, workspace_id, external_id, customer_id, course, cycle_unit, cycle_every, status, status_changed_at, started_at, next_delivery_on, deliveries, skips, cancelled_at, cancel_reason, cancel_note, first_product_id, created_at, updated_at',
  subscription_items: 'subscription_id, line_no, workspace_id, product_id, quantity',
  subscription_status_changes: 'workspace_id, subscription_id, customer_id, status, changed_at, reason, note, actor',
  orders:
    'id, workspace_id, external_id, customer_id, ordered_at, channel, prefecture, store, status, delivered_at, amount, item_count, subscription_external_id, delivery_number, created_at, updated_at',
  order_items: 'order_id, line_no, workspace_id, product_id, quantity, unit_price',
  events: 'workspace_id, customer_id, type, occurred_at, properties, idempotency_key',
} as const;

export type DemoTable = keyof typeof COPY_COLUMNS;

/** Tables in the order a chunk must be written: parents before the rows that reference them. */
export const COPY_ORDER: readonly DemoTable[] = [
  'customers',
  'customer_identities',
  'consents',
  'consent_changes',
  'subscriptions',
  'subscription_items',
  'subscription_status_changes',
  'orders',
  'order_items',
  'events',
];

export interface ChunkText {
  text: Record<DemoTable, string>;
  rows: Record<DemoTable, number>;
}

export interface ChunkIds {
  workspaceId: string;
  /** Ids of the products, by catalogue position. */
  productIds: readonly number[];
  customerId(position: number): number;
  orderId(position: number): number;
  subscriptionId(position: number): number;
}

const NULL = '\\N';

/** Escapes the characters COPY's text format gives a meaning to. */
function text(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
}

function time(ms: number | null): string {
  return ms === null ? NULL : formatTimestamp(ms);
}

export function chunkToCopyText(profiles: readonly DemoProfile[], ids: ChunkIds): ChunkText {
  const w = ids.workspaceId;
  const out = Object.fromEntries(COPY_ORDER.map((table) => [table, [] as string[]])) as Record<DemoTable, string[]>;
  let orderPosition = 0;
  let subscriptionPosition = 0;
  profiles.forEach((profile, position) => {
    const customerId = ids.customerId(position);
    const { person, summary } = profile;
    out.customers.push(
      [
        customerId,
        w,
        profile.externalId,
        profile.lifecycle,
        profile.hasName ? person.name : NULL,
        profile.hasName ? person.nameKana : NULL,
        profile.hasName ? person.gender : NULL,
        profile.hasBirthDate ? person.birthDate : NULL,
        profile.hasPrefecture ? person.prefecture : NULL,
        text(JSON.stringify(profile.attributes)),
        summary.count,
        summary.total,
        time(summary.firstAt),
        time(summary.lastAt),
        time(profile.becameCustomerAt),
        time(profile.createdAt),
        time(profile.updatedAt),
      ].join('\t'),
    );
    for (const identity of profile.contact.identities) {
      out.customer_identities.push(`${w}\t${customerId}\t${identity.kind}\t${text(identity.value)}\t${time(identity.createdAt)}`);
    }
    for (const consent of profile.contact.consents) {
      const prefix = `${w}\t${customerId}\t${consent.channel}\t${consent.purpose}\t`;
      for (const change of consent.changes) out.consent_changes.push(`${prefix}${change.status}\t${time(change.at)}\t${text(change.source)}`);
      const current = consent.changes[consent.changes.length - 1]!;
      out.consents.push(`${prefix}${current.status}\t${time(current.at)}\t${text(current.source)}`);
    }
    for (const subscription of profile.subscriptions) {
      const subscriptionId = ids.subscriptionId(subscriptionPosition++);
      const course = subscription.course;
      out.subscriptions.push(
        [
          subscriptionId,
          w,
          subscription.externalId,
          customerId,
          text(course.name),
          subscription.cycle.unit,
          subscription.cycle.every,
          subscription.status,
          time(subscription.statusChangedAt),
          time(subscription.startedAt),
          subscription.nextDeliveryOn === null ? NULL : formatDate(subscription.nextDeliveryOn),
          subscription.deliveries,
          subscription.skips,
          time(subscription.cancelledAt),
          subscription.cancelReason ?? NULL,
          subscription.cancelNote === null ? NULL : text(subscription.cancelNote),
          ids.productIds[course.items[0]!.product],
          time(subscription.startedAt),
          time(subscription.updatedAt),
        ].join('\t'),
      );
      course.items.forEach((item, line) => {
        out.subscription_items.push(`${subscriptionId}\t${line + 1}\t${w}\t${ids.productIds[item.product]}\t${item.quantity}`);
      });
      for (const change of subscription.changes) {
        out.subscription_status_changes.push(
          [
            w,
            subscriptionId,
            customerId,
            change.status,
            time(change.at),
            change.reason === null ? NULL : text(change.reason),
            change.note === null ? NULL : text(change.note),
            text(change.actor),
          ].join('\t'),
        );
      }
    }
    profile.orders.forEach((order, sequence) => {
      const orderId = ids.orderId(orderPosition++);
      const place = order.store?.prefecture ?? person.prefecture;
      out.orders.push(
        [
          orderId,
          w,
          `${profile.externalId}-${String(sequence + 1).padStart(3, '0')}`,
          customerId,
          time(order.orderedAt),
          order.channel,
          place,
          order.store ? order.store.name : NULL,
          order.status,
          time(order.deliveredAt),
          order.amount,
          order.itemCount,
          order.subscription ? order.subscription.externalId : NULL,
          order.deliveryNumber ?? NULL,
          time(order.orderedAt),
          time(order.updatedAt),
        ].join('\t'),
      );
      order.items.forEach((item, line) => {
        out.order_items.push(`${orderId}\t${line + 1}\t${w}\t${ids.productIds[item.product]}\t${item.quantity}\t${item.unitPrice}`);
      });
    });
    profile.events.forEach((event, sequence) => {
      out.events.push(
        `${w}\t${customerId}\t${event.type}\t${time(event.occurredAt)}\t${text(event.properties)}\t${event.key ?? `demo:${profile.externalId}:${String(sequence + 1).padStart(4, '0')}`}`,
      );
    });
  });
  const joined = (table: DemoTable) => (out[table].length === 0 ? '' : `${out[table].join('\n')}\n`);
  return {
    text: Object.fromEntries(COPY_ORDER.map((table) => [table, joined(table)])) as Record<DemoTable, string>,
    rows: Object.fromEntries(COPY_ORDER.map((table) => [table, out[table].length])) as Record<DemoTable, number>,
  };
}

/** How many order ids a chunk needs. */
export function ordersIn(profiles: readonly DemoProfile[]): number {
  let count = 0;
  for (const profile of profiles) count += profile.orders.length;
  return count;
}

/** How many subscription ids a chunk needs. */
export function subscriptionsIn(profiles: readonly DemoProfile[]): number {
  let count = 0;
  for (const profile of profiles) count += profile.subscriptions.length;
  return count;
}

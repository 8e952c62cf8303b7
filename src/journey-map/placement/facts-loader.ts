import type pg from 'pg';
import { purchaseCondition } from '../../orders/purchase.ts';
import type { SubscriptionState } from '../model.ts';
import type { CustomerFacts, EventNeed, FactNeeds, ProductFacts, ProductNeed } from '../rules/facts.ts';
import { propertyTestSql, SqlParams } from '../rules/sql.ts';
import { localDaySql, numberOrNull, packedRows } from './facts-sql.ts';
import { localDayStartInstant, todayOf } from './local-days.ts';

/**
 * The facts a map's rules read (rules/facts.ts), loaded from the tables for a few customers
 * (the live path) or for a range of customer ids, as of
 * an instant `at`, following the fact definitions of the brief (docs/journey-map.md):
 *
 * - purchases: orders passing purchaseCondition with ordered_at <= at. Every writer of orders
 *   keeps the profile's summary of all its purchases (src/orders/customer-stats.ts and the
 *   importer compute it with the same condition), so a profile whose last purchase is at or
 *   before `at` has exactly that summary as of `at`; only profiles with a later purchase
 *   (none, as of now; most, as of a past day) are summed again from their orders before `at`.
 * - products: purchase orders (ordered_at <= at) holding a product of the selection; first and
 *   last delivery days of those delivered at or before `at`.
 * - subscription, present: from subscriptions (status, max deliveries, earliest start in force);
 *   as of a past instant (history): each subscription's status is its last status change at or
 *   before `at` (subscription_status_changes; started later: not yet there), and its deliveries
 *   are the purchase orders naming it (orders.subscription_external_id) ordered at or before `at`.
 * - events: per need, events of the type from the start of local day today − withinDays + 1
 *   to `at`, passing every property test.
 * - P(alive): customer_values of the workspace's last run (the current value, also for history).
 * - RFM: given by the caller as a lookup (rfm-lookup.ts), computed once for the whole base.
 *
 * One query per need; the queries run concurrently when given a pool. A full placement reads
 * everyone in columns instead (workspace-facts.ts), with these statements where they are the
 * same (profiles, subscriptions, P(alive), purchases as of a past instant).
 */

/** Which customers: a list of ids (the live path), or the ids in (after, upTo] of a workspace (null: open-ended). */
export type FactsScope = { ids: readonly string[] } | { after: string | null; upTo: string | null };

export interface FactsRequest {
  /** A pool runs the queries concurrently; a client runs them one after another. */
  db: pg.Pool | pg.ClientBase;
  workspaceId: string;
  timezone: string;
  needs: FactNeeds;
  at: Date;
  /**
   * As of a past instant (history): only profiles that existed at `at` (created then, or with
   * an order or event by then), subscriptions from their status history, lifecycle as of `at`.
   */
  past?: boolean;
  /** The RFM segment code of a customer; required when needs.rfm. */
  rfmSegment?: (customerId: string) => string | null;
}

/** The facts other than the profile's own columns, per customer id: one query per need. */
interface NeedFacts {
  purchases: Map<string, PurchaseSummary>;
  products: Array<Map<string, ProductFacts>>;
  subscriptions: Map<string, CustomerFacts['subscription']>;
  events: Array<Map<string, number>>;
  pAlive: Map<string, number>;
}

/** The need queries for the customers in `scope`. */
async function loadNeedFacts(request: FactsRequest, scope: FactsScope): Promise<NeedFacts> {
  const { needs } = request;
  const [purchases, products, subscriptions, events, pAlive] = await Promise.all([
    needs.purchases ? loadPurchasesAsOf(request, scope) : new Map<string, PurchaseSummary>(),
    loadProductNeeds(request, scope, needs.products),
    needs.subscriptions ? loadSubscriptions(request, scope) : new Map<string, CustomerFacts['subscription']>(),
    loadEventNeeds(request, scope, needs.events),
    needs.pAlive ? loadPAlive(request, scope) : new Map<string, number>(),
  ]);
  return { purchases, products, subscriptions, events, pAlive };
}

/**
 * The facts of the customers in `scope`, in customer id order (customers that do not exist, or
 * did not exist at a past `at`, are absent); the profiles and the needs load concurrently.
 */
export async function loadFacts(request: FactsRequest, scope: FactsScope): Promise<CustomerFacts[]> {
  const { needs } = request;
  const [base, { purchases, products, subscriptions, events, pAlive }] = await Promise.all([loadBase(request, scope), loadNeedFacts(request, scope)]);
  return base.map((row) => {
    const id = row.id;
    const summary = row.laterPurchase ? (purchases.get(id) ?? NO_PURCHASES) : row.summary;
    const productFacts: Record<string, ProductFacts> = {};
    needs.products.forEach((need, i) => {
      const found = products[i]!.get(id);
      if (found) productFacts[need.key] = found;
    });
    const eventCounts: Record<string, number> = {};
    needs.events.forEach((need, i) => {
      const found = events[i]!.get(id);
      if (found) eventCounts[need.key] = found;
    });
    return {
      customerId: id,
      lifecycle: row.lifecycle,
      purchaseCount: summary.count,
      totalSpend: summary.total,
      firstPurchaseDay: summary.firstDay,
      lastPurchaseDay: summary.lastDay,
      products: productFacts,
      subscription: subscriptions.get(id) ?? NO_SUBSCRIPTION,
      events: eventCounts,
      rfmSegment: needs.rfm && request.rfmSegment ? request.rfmSegment(id) : null,
      pAlive: pAlive.get(id) ?? null,
      attributes: row.attributes,
    };
  });
}

export interface PurchaseSummary {
  count: number;
  total: number;
  firstDay: number | null;
  lastDay: number | null;
}

const NO_PURCHASES: PurchaseSummary = { count: 0, total: 0, firstDay: null, lastDay: null };
const NO_SUBSCRIPTION: CustomerFacts['subscription'] = { state: 'none', deliveries: 0, startedDay: null };
export const PURCHASE = purchaseCondition('o');

/** SQL restricting `column` (a customer id) to the scope. */
export function scopeSql(column: string, scope: FactsScope, params: SqlParams): string {
  if ('ids' in scope) return `${column} = any(${params.add(scope.ids, '::bigint[]')})`;
  const bounds = [
    scope.after === null ? null : `${column} > ${params.add(scope.after, '::bigint')}`,
    scope.upTo === null ? null : `${column} <= ${params.add(scope.upTo, '::bigint')}`,
  ].filter((bound) => bound !== null);
  return bounds.length > 0 ? bounds.join(' and ') : 'true';
}

/** The operands the queries share, each numbered at its first use: the workspace, the instant, the time zone. */
export class FactParams extends SqlParams {
  private readonly named = new Map<string, string>();

  constructor(private readonly request: FactsRequest) {
    super();
  }

  /** The placeholder of a named operand, added at its first use (a statement must use every operand it sends). */
  private shared(name: string, value: unknown, cast: string): string {
    let placeholder = this.named.get(name);
    if (!placeholder) {
      placeholder = this.add(value, cast);
      this.named.set(name, placeholder);
    }
    return placeholder;
  }

  get ws(): string {
    return this.shared('ws', this.request.workspaceId, '::bigint');
  }
  get at(): string {
    return this.shared('at', this.request.at.toISOString(), '::timestamptz');
  }
  get tz(): string {
    return this.shared('tz', this.request.timezone, '::text');
  }
}

export function baseParams(request: FactsRequest): FactParams {
  return new FactParams(request);
}

interface BaseRow {
  id: string;
  lifecycle: 'lead' | 'customer';
  /** The profile has a purchase after `at`: its summary must be summed again from its orders before `at`. */
  laterPurchase: boolean;
  summary: PurchaseSummary;
  attributes: Record<string, unknown>;
}

/** The profile columns of the customers in scope (see BaseRow; the attributes' JSON text from column 8 on) and the `from … where` clause. */
export function baseSelect(request: FactsRequest, scope: FactsScope): { columns: string[]; fromSql: string; values: unknown[] } {
  const params = baseParams(request);
  const where = scopeSql('c.id', scope, params);
  const names = request.needs.attributes;
  // A profile existed at a past instant when it was created by then, or had an order or event by then
  // (an import creates profiles at import time, with their past orders and events).
  const existed = request.past
    ? `and (c.created_at <= ${params.at}
            or exists (select 1 from orders o where o.customer_id = c.id and o.ordered_at <= ${params.at})
            or exists (select 1 from events e where e.customer_id = c.id and e.occurred_at <= ${params.at}))`
    : '';
  const columns = [
    'c.id',
    'c.lifecycle',
    // As of a past instant: a customer who became one later was still a lead (became_customer_at null: declared, unknown when).
    request.past ? `c.became_customer_at is null or c.became_customer_at <= ${params.at}` : 'true',
    `coalesce(c.last_purchase_at > ${params.at}, false)`,
    'c.purchase_count',
    'c.purchase_total',
    localDaySql('c.first_purchase_at', params.tz),
    localDaySql('c.last_purchase_at', params.tz),
    ...names.map((name) => `c.attributes -> ${params.add(name, '::text')}`),
  ];
  return { columns, fromSql: `from customers c where c.workspace_id = ${params.ws} and ${where} ${existed}`, values: params.values };
}

async function loadBase(request: FactsRequest, scope: FactsScope): Promise<BaseRow[]> {
  const names = request.needs.attributes;
  const { columns, fromSql, values } = baseSelect(request, scope);
  const rows = await packedRows(request.db, columns, fromSql, 'c.id', values);
  return rows.map((row) => {
    const attributes: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const text = row[8 + i];
      const value = text ? (JSON.parse(text) as unknown) : null;
      if (value !== null) attributes[name] = value;
    });
    const lifecycle = row[1] as 'lead' | 'customer';
    return {
      id: row[0]!,
      lifecycle: lifecycle === 'customer' && row[2] === 'true' ? 'customer' : 'lead',
      laterPurchase: row[3] === 'true',
      summary: { count: Number(row[4]), total: Number(row[5]), firstDay: numberOrNull(row[6]), lastDay: numberOrNull(row[7]) },
      attributes,
    };
  });
}

/** Purchases ordered at or before `at` of the profiles in scope that have a purchase after `at`. */
async function loadPurchasesAsOf(request: FactsRequest, scope: FactsScope): Promise<Map<string, PurchaseSummary>> {
  const { sql, values } = purchasesAsOfSql(request, scope);
  const { rows } = await request.db.query<{ customer_id: string; n: number; total: number; first_day: number; last_day: number }>(sql, values);
  return new Map(rows.map((row) => [row.customer_id, { count: row.n, total: row.total, firstDay: row.first_day, lastDay: row.last_day }]));
}

/** The statement of loadPurchasesAsOf: customer_id, n, total, first_day, last_day. */
export function purchasesAsOfSql(request: FactsRequest, scope: FactsScope): { sql: string; values: unknown[] } {
  const params = baseParams(request);
  const where = scopeSql('c.id', scope, params);
  const sql = `select o.customer_id, count(*)::int as n, coalesce(sum(o.amount), 0)::float8 as total,
            ${localDaySql('min(o.ordered_at)', params.tz)} as first_day, ${localDaySql('max(o.ordered_at)', params.tz)} as last_day
       from customers c join orders o on o.customer_id = c.id
      where c.workspace_id = ${params.ws} and ${where} and c.last_purchase_at > ${params.at}
        and o.ordered_at <= ${params.at} and ${PURCHASE}
      group by o.customer_id`;
  return { sql, values: params.values };
}

/**
 * The product selections' facts of the customers in scope, all selections in one statement:
 * each purchase order of theirs is flagged per selection (one look at its items for all), then
 * counted and its deliveries taken per selection (a query per selection read the same orders
 * once each).
 */
async function loadProductNeeds(request: FactsRequest, scope: FactsScope, needs: ProductNeed[]): Promise<Array<Map<string, ProductFacts>>> {
  const maps = needs.map(() => new Map<string, ProductFacts>());
  const used = needs.map((need, n) => ({ need, n })).filter(({ need }) => need.productIds.length > 0);
  if (used.length === 0) return maps;
  const params = baseParams(request);
  const where = scopeSql('o.customer_id', scope, params);
  const all = params.add([...new Set(used.flatMap(({ need }) => need.productIds))], '::bigint[]');
  const flags = used.map(({ need }, k) => `bool_or(i.product_id = any(${params.add(need.productIds, '::bigint[]')})) as m${k}`);
  const delivered = `o.delivered_at <= ${params.at}`;
  const columns = used.map(
    (_, k) => `count(*) filter (where f.m${k})::int as n${k},
       ${localDaySql(`min(o.delivered_at) filter (where f.m${k} and ${delivered})`, params.tz)} as first${k},
       ${localDaySql(`max(o.delivered_at) filter (where f.m${k} and ${delivered})`, params.tz)} as last${k}`,
  );
  const { rows } = await request.db.query<Record<string, number | null> & { customer_id: string }>(
    `select o.customer_id, ${columns.join(', ')}
       from orders o
       cross join lateral (select ${flags.join(', ')} from order_items i where i.order_id = o.id and i.product_id = any(${all})) f
      where o.workspace_id = ${params.ws} and ${where} and o.ordered_at <= ${params.at} and ${PURCHASE}
        and (${used.map((_, k) => `f.m${k}`).join(' or ')})
      group by o.customer_id`,
    params.values,
  );
  for (const row of rows) {
    used.forEach(({ n }, k) => {
      const purchases = row[`n${k}`] as number;
      if (purchases > 0) maps[n]!.set(row.customer_id, { purchases, firstDeliveredDay: row[`first${k}`] ?? null, lastDeliveredDay: row[`last${k}`] ?? null });
    });
  }
  return maps;
}

async function loadSubscriptions(request: FactsRequest, scope: FactsScope): Promise<Map<string, CustomerFacts['subscription']>> {
  const { sql, values } = subscriptionsSql(request, scope);
  const { rows } = await request.db.query<{ customer_id: string; state: SubscriptionState; deliveries: number; started_day: number | null }>(sql, values);
  return new Map(rows.map((row) => [row.customer_id, { state: row.state, deliveries: row.deliveries, startedDay: row.started_day }]));
}

/** The statement of loadSubscriptions: customer_id, state, deliveries, started_day. */
export function subscriptionsSql(request: FactsRequest, scope: FactsScope): { sql: string; values: unknown[] } {
  const params = baseParams(request);
  const where = scopeSql('s.customer_id', scope, params);
  // Present: the stored status and deliveries. Past: each subscription's last status at or before `at`, and its deliveries so far.
  const subscriptions = request.past
    ? `(select s.customer_id, s.started_at,
               (select h.status from subscription_status_changes h
                 where h.subscription_id = s.id and h.changed_at <= ${params.at}
                 order by h.changed_at desc, h.id desc limit 1) as status,
               (select count(*)::int from orders o
                 where o.workspace_id = ${params.ws} and o.subscription_external_id = s.external_id
                   and o.ordered_at <= ${params.at} and ${PURCHASE}) as deliveries
          from subscriptions s
         where s.workspace_id = ${params.ws} and ${where} and s.started_at <= ${params.at})`
    : `(select s.customer_id, s.started_at, s.status, s.deliveries from subscriptions s where s.workspace_id = ${params.ws} and ${where})`;
  const sql = `select t.customer_id,
            case when bool_or(t.status = 'active' and t.started_at <= ${params.at}) then 'active'
                 when bool_or(t.status = 'paused') then 'paused'
                 else 'cancelled' end as state,
            coalesce(max(t.deliveries), 0)::int as deliveries,
            ${localDaySql(`min(t.started_at) filter (where t.status in ('active', 'paused'))`, params.tz)} as started_day
       from ${subscriptions} t
      group by t.customer_id`;
  return { sql, values: params.values };
}

/** Counts per statement at most (PostgreSQL allows 1,664 columns in a select list). */
const EVENT_COUNTS_PER_STATEMENT = 500;

/**
 * The event counts of the customers in scope: one statement per event type (per 500 needs of
 * it), counting each need of that type with its own window and property tests over the
 * group's widest window.
 */
async function loadEventNeeds(request: FactsRequest, scope: FactsScope, needs: EventNeed[]): Promise<Array<Map<string, number>>> {
  const maps = needs.map(() => new Map<string, number>());
  const byType = new Map<string, Array<{ need: EventNeed; n: number }>>();
  for (const [n, need] of needs.entries()) byType.set(need.type, [...(byType.get(need.type) ?? []), { need, n }]);
  const today = todayOf(request.at, request.timezone);
  const since = (withinDays: number) => localDayStartInstant(today - withinDays + 1, request.timezone).toISOString();
  await Promise.all(
    [...byType.values()]
      .flatMap((group) =>
        Array.from({ length: Math.ceil(group.length / EVENT_COUNTS_PER_STATEMENT) }, (_, i) =>
          group.slice(i * EVENT_COUNTS_PER_STATEMENT, (i + 1) * EVENT_COUNTS_PER_STATEMENT),
        ),
      )
      .map(async (group) => {
        const params = baseParams(request);
        const type = params.add(group[0]!.need.type, '::text');
        const from = params.add(since(Math.max(...group.map(({ need }) => need.withinDays))), '::timestamptz');
        const counts = group.map(({ need }, k) => {
          const tests = [
            `e.occurred_at >= ${params.add(since(need.withinDays), '::timestamptz')}`,
            ...need.where.map((test) => propertyTestSql('e.properties', test, params)),
          ];
          return `count(*) filter (where ${tests.join(' and ')})::int as n${k}`;
        });
        // A few customers (the live path): each one's events of the period through events_customer_idx,
        // whatever the planner estimates for the type's whole period (a misestimate there read every
        // event of the type); a whole workspace: the type's period through events_type_time_idx.
        const sql =
          'ids' in scope
            ? `select c.id as customer_id, x.*
               from unnest(${params.add(scope.ids, '::bigint[]')}) as c(id)
               cross join lateral (
                 select ${counts.join(', ')} from events e
                  where e.customer_id = c.id and e.occurred_at >= ${from} and e.occurred_at <= ${params.at}
                    and e.workspace_id = ${params.ws} and e.type = ${type}) x`
            : `select e.customer_id, ${counts.join(', ')}
               from events e
              where e.workspace_id = ${params.ws} and e.type = ${type} and e.occurred_at >= ${from} and e.occurred_at <= ${params.at}
                and ${scopeSql('e.customer_id', scope, params)}
              group by e.customer_id`;
        const { rows } = await request.db.query<Record<string, number> & { customer_id: string }>(sql, params.values);
        for (const row of rows) {
          group.forEach(({ n }, k) => {
            const count = row[`n${k}`]!;
            if (count > 0) maps[n]!.set(row.customer_id, count);
          });
        }
      }),
  );
  return maps;
}

async function loadPAlive(request: FactsRequest, scope: FactsScope): Promise<Map<string, number>> {
  const { sql, values } = pAliveSql(request, scope);
  const { rows } = await request.db.query<{ customer_id: string; p: number }>(sql, values);
  return new Map(rows.map((row) => [row.customer_id, row.p]));
}

/** The statement of loadPAlive: customer_id, p. */
export function pAliveSql(request: FactsRequest, scope: FactsScope): { sql: string; values: unknown[] } {
  const params = baseParams(request);
  const where = scopeSql('v.customer_id', scope, params);
  const sql = `select v.customer_id, v.probability_alive as p from customer_values v
      where v.workspace_id = ${params.ws} and ${where}`;
  return { sql, values: params.values };
}

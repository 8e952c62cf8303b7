import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { NO_DAY } from '../../analytics/engine/snapshot/purchase-snapshot.ts';
import { readInteger } from '../../analytics/engine/snapshot/copy-text.ts';
import type { CustomerFacts, FactNeeds } from '../rules/facts.ts';
import { propertyTestSql } from '../rules/sql.ts';
import { baseParams, type FactsRequest, type FactsScope, loadFacts, pAliveSql } from './facts-loader.ts';
import { localDayStartInstant } from './local-days.ts';
import type { PendingChanges } from './pending-changes.ts';
import type { PlacingContext } from './placing-run.ts';
import { CopyRunner, type IndexedFacts, loadWorkspaceFacts, readFloat, SUBSCRIPTION_STATES, type WorkspaceFacts } from './workspace-facts.ts';

/**
 * Facts kept between full placements. Reading every profile's facts from the tables takes most
 * of a full placement (at 1,000,000 customers: ≈ 14 s of reading for ≈ 2 s of evaluation), and
 * between two sweeps few customers change. So a process keeps the columns of its last full
 * read (per pool, per workspace, for one set of fact needs and time zone) and, before the next
 * full placement, brings them up to date by re-reading only:
 *
 * - the customers written since: every writer queues them in journey_changes (changes.ts),
 *   and drained rows stay two days. The rows of transactions not visible to the last read
 *   (xid >= the oldest transaction running when it began, kept as `watermark`) are read again,
 *   once (`seen`: a long transaction holds the watermark back), except those a drain of this
 *   process already refreshed (drained_by: the live path of this
 *   process refreshes the customers it places, so after a drain the columns are already
 *   current); a row naming everyone (a bulk import) reads everything again;
 * - the customers whose facts change with time alone because a record lay in the future when
 *   they were read (an order delivered, a subscription started, an event dated after that
 *   moment): `wakeAt` holds, per profile, the earliest such instant, and a profile whose
 *   instant has passed is read again;
 * - the event counts of a new local day: events that left a count's window (the days before
 *   its new first day) are subtracted, each only from a profile whose count included it
 *   (`asOf`: the instant up to which the profile's events were counted). Every profile's
 *   counts start at the same first day (the live path refreshes a profile only on the kept
 *   facts' day), so a subtraction leaves exactly the count of the new window;
 * - P(alive), whole, when a new customer-value run has replaced the last one.
 *
 * The result equals a full read (the property-based test in kept-facts.test.ts compares them
 * after random writes, drains from another process and days passing). Everything is read
 * again when the needs, the time zone or the day went backwards, after a day without
 * synchronisation (the drained rows that would be needed may be gone), and when the workspace
 * holds more profiles than the kept columns (a writer that did not queue its customers).
 */

/** A bulk re-read is triggered by a synchronisation older than this (drained rows live two days). */
const MAX_SYNC_AGE_MS = 24 * 3600 * 1000;
/** Customers per statement when re-reading. */
const RELOAD_CHUNK = 20_000;
const NO_WAKE = Number.POSITIVE_INFINITY;

interface KeptEntry {
  /** The needs and time zone the columns answer (JSON). */
  key: string;
  facts: WorkspaceFacts;
  indexOf: Map<number, number>;
  /** Per profile: the instant (µs since the epoch) up to which its facts were read. */
  asOf: Float64Array;
  /** Per profile: the earliest instant (µs) after asOf at which a record of theirs takes effect; Infinity: none. */
  wakeAt: Float64Array;
  /** The local day every profile's event windows end on. */
  today: number;
  /** The instant (µs) every profile was read up to, at least. */
  at: number;
  /** pg_snapshot_xmin of the last synchronisation, as text. */
  watermark: string;
  /**
   * The journey_changes rows at or above the watermark already read (committed before the
   * last synchronisation read anything): a transaction running for long holds the watermark
   * back, and these need not be read again.
   */
  seen: Set<string>;
  /** The database's clock at the last synchronisation (ms). */
  syncedAt: number;
  /** customer_value_runs.computed_at of the P(alive) column. */
  valuesRun: string | null;
}

/** The kept facts of one pool (one process's view of a database). */
export class KeptFactsStore {
  /** This store, as journey_changes.drained_by names it. */
  readonly keeper = `kept:${randomUUID()}`;
  readonly entries = new Map<string, KeptEntry>();
}

const stores = new WeakMap<pg.Pool, KeptFactsStore>();

export function keptFactsStore(pool: pg.Pool): KeptFactsStore {
  let store = stores.get(pool);
  if (!store) {
    store = new KeptFactsStore();
    stores.set(pool, store);
  }
  return store;
}

/** Forgets every workspace's kept facts of this pool (the next full placement reads everything). */
export function forgetKeptFacts(pool: pg.Pool, workspaceId?: string): void {
  const store = stores.get(pool);
  if (!store) return;
  if (workspaceId === undefined) store.entries.clear();
  else store.entries.delete(workspaceId);
}

export const keyOfNeeds = (needs: FactNeeds, timezone: string) => JSON.stringify({ timezone, needs });
const micros = (at: Date) => at.getTime() * 1000;

/** What bringing the kept facts up to date did (for logs and the benchmark). */
export interface KeptOutcome {
  /** 'read': everything read from the tables; 'kept': brought up to date. */
  mode: 'read' | 'kept';
  /** Why everything was read (mode 'read'). */
  reason?: string;
  /** Profiles read again (mode 'kept'). */
  reread: number;
}

/**
 * Every profile's facts as of context.at for a full placement inside the caller's transaction
 * (holding the workspace's placement lock, the pending changes taken): the kept facts brought
 * up to date, or everything read when they cannot be. As of a past instant (history), always
 * read and never kept.
 */
export async function keptWorkspaceFacts(params: {
  client: pg.ClientBase;
  pool: pg.Pool;
  context: PlacingContext;
  pending: PendingChanges;
  report?: (outcome: KeptOutcome) => void;
}): Promise<IndexedFacts> {
  const { client, pool, context, pending } = params;
  const request = context.facts;
  if (request.past) return loadWorkspaceFacts(request);
  const store = keptFactsStore(pool);
  const workspaceId = context.workspaceId;
  const key = keyOfNeeds(context.compiled.needs, context.timezone);
  // Taken before any fact is read: whatever a later read cannot see has an xid at or above it.
  const { rows } = await client.query<{ xmin: string; now_ms: number; run: string | null; profiles: number }>(
    `select pg_snapshot_xmin(pg_current_snapshot())::text as xmin, (extract(epoch from now()) * 1000)::float8 as now_ms,
            (select computed_at::text from customer_value_runs where workspace_id = $1) as run,
            (select count(*)::int from customers where workspace_id = $1) as profiles`,
    [workspaceId],
  );
  const state = rows[0]!;
  await client.query(`delete from journey_changes where workspace_id = $1 and drained_at < now() - interval '2 days'`, [workspaceId]);
  const at = micros(context.at);
  const entry = store.entries.get(workspaceId);
  // The rows the last synchronisation could not have seen (or that it saw but read again),
  // except those this process's drains refreshed; committed now, so read below.
  const { rows: changed } = await client.query<{ id: string; customer_ids: string[] | null }>(
    `select id, customer_ids from journey_changes
      where workspace_id = $1 and xid >= $2::xid8 and drained_by is distinct from $3`,
    [workspaceId, entry?.watermark ?? state.xmin, store.keeper],
  );
  const seen = new Set(changed.map((row) => row.id));
  store.entries.delete(workspaceId);
  const whyRead = !entry
    ? 'nothing kept'
    : entry.key !== key
      ? 'other fact needs'
      : at < entry.at || context.today < entry.today
        ? 'the clock went back'
        : state.now_ms - entry.syncedAt > MAX_SYNC_AGE_MS
          ? 'last synchronised more than a day ago'
          : pending.everyone
            ? 'a change of everyone'
            : null;
  let kept: KeptEntry;
  let reread = 0;
  if (whyRead !== null || !entry) {
    kept = await readEverything(request, key, context.today, at);
    params.report?.({ mode: 'read', reason: whyRead ?? 'nothing kept', reread: 0 });
  } else {
    const others = changed.filter((row) => !entry.seen.has(row.id));
    if (others.some((row) => row.customer_ids === null)) {
      kept = await readEverything(request, key, context.today, at);
      params.report?.({ mode: 'read', reason: 'a change of everyone', reread: 0 });
    } else {
      const ids = new Set<string>(pending.causes.keys());
      for (const row of others) for (const id of row.customer_ids!) ids.add(id);
      const { wakeAt } = entry;
      for (let i = 0; i < entry.facts.count; i++) if (wakeAt[i]! <= at) ids.add(String(entry.facts.ids[i]!));
      const rereadIndexes = new Set<number>();
      for (const id of ids) {
        const i = entry.indexOf.get(Number(id));
        if (i !== undefined) rereadIndexes.add(i);
      }
      if (context.today > entry.today) await slideEventWindows(request, entry, context.today, rereadIndexes);
      await rereadCustomers(request, entry, [...ids], at);
      reread = ids.size;
      if (request.needs.pAlive && state.run !== entry.valuesRun) await rereadPAlive(request, entry);
      entry.today = context.today;
      entry.at = at;
      kept = entry;
      if (kept.facts.count < state.profiles) {
        kept = await readEverything(request, key, context.today, at);
        params.report?.({ mode: 'read', reason: 'profiles not announced by their writer', reread: 0 });
      } else {
        params.report?.({ mode: 'kept', reread });
      }
    }
  }
  kept.watermark = state.xmin;
  kept.seen = seen;
  kept.syncedAt = state.now_ms;
  kept.valuesRun = state.run;
  store.entries.set(workspaceId, kept);
  return { facts: kept.facts, indexOf: kept.indexOf };
}

/**
 * After the live path placed `customers` (facts read at context.at inside its transaction):
 * their kept columns refreshed, when kept facts of the same needs and local day exist. Returns
 * whether it refreshed them (then the drained rows are marked for this store); `wake` is each
 * customer's earliest future record (wakeSql for them).
 */
export function refreshKeptFacts(pool: pg.Pool, context: PlacingContext, customers: readonly CustomerFacts[], wake: Map<number, number>): boolean {
  const entry = keptFactsStore(pool).entries.get(context.workspaceId);
  if (!entry || !keptFactsCover(entry, context)) return false;
  writeProfiles(entry, context.facts.needs, customers, micros(context.at), wake);
  return true;
}

/** Whether the live path at context may refresh the kept facts of its workspace (same needs, same local day, not earlier). */
export function keptFactsApply(pool: pg.Pool, context: PlacingContext): boolean {
  const entry = keptFactsStore(pool).entries.get(context.workspaceId);
  return entry !== undefined && keptFactsCover(entry, context);
}

function keptFactsCover(entry: KeptEntry, context: PlacingContext): boolean {
  return entry.key === keyOfNeeds(context.compiled.needs, context.timezone) && entry.today === context.today && micros(context.at) >= entry.at;
}

async function readEverything(request: FactsRequest, key: string, today: number, at: number): Promise<KeptEntry> {
  const [{ facts, indexOf }, wake] = await Promise.all([loadWorkspaceFacts(request), readWake(request, { after: null, upTo: null })]);
  const wakeAt = new Float64Array(facts.ids.length).fill(NO_WAKE);
  for (const [id, instant] of wake) {
    const i = indexOf.get(id);
    if (i !== undefined) wakeAt[i] = instant;
  }
  return {
    key,
    facts,
    indexOf,
    asOf: new Float64Array(facts.ids.length).fill(at),
    wakeAt,
    today,
    at,
    watermark: '0',
    seen: new Set(),
    syncedAt: 0,
    valuesRun: null,
  };
}

/**
 * Per customer, the earliest instant (µs) after request.at of a record that changes their facts
 * when it arrives: an order placed or delivered, a subscription started, an event of a type
 * the needs count.
 */
export function wakeSql(request: FactsRequest, scope: FactsScope): { sql: string; values: unknown[] } {
  const params = baseParams(request);
  const ids = 'ids' in scope ? params.add(scope.ids, '::bigint[]') : null;
  const mine = (column: string) => (ids ? ` and ${column} = any(${ids})` : '');
  const ws = params.ws;
  const at = params.at;
  const parts = [
    `select o.customer_id, o.ordered_at as t from orders o where o.workspace_id = ${ws} and o.ordered_at > ${at}${mine('o.customer_id')}`,
    `select o.customer_id, o.delivered_at from orders o where o.workspace_id = ${ws} and o.delivered_at > ${at}${mine('o.customer_id')}`,
    `select s.customer_id, s.started_at from subscriptions s where s.workspace_id = ${ws} and s.started_at > ${at}${mine('s.customer_id')}`,
  ];
  const types = [...new Set(request.needs.events.map((need) => need.type))];
  if (types.length > 0) {
    parts.push(
      `select e.customer_id, e.occurred_at from events e
        where e.workspace_id = ${ws} and e.type = any(${params.add(types, '::text[]')}) and e.occurred_at > ${at}${mine('e.customer_id')}`,
    );
  }
  const sql = `select w.customer_id, (extract(epoch from min(w.t)) * 1000000)::float8
     from (${parts.join(' union all ')}) w
    where w.customer_id is not null
    group by w.customer_id`;
  return { sql, values: params.values };
}

/** wakeSql's answer by customer id. */
export async function readWake(request: FactsRequest, scope: FactsScope): Promise<Map<number, number>> {
  const { sql, values } = wakeSql(request, scope);
  const wake = new Map<number, number>();
  await new CopyRunner(request.db).copy(sql, values, 2, (bytes, s, e) => {
    wake.set(readInteger(bytes, s[0]!, e[0]!), readFloat(bytes, s[1]!, e[1]!));
  });
  return wake;
}

/**
 * A new local day: per event count, the events of the days that left its window are
 * subtracted from the profiles that counted them (read up to asOf), except those read again.
 */
async function slideEventWindows(request: FactsRequest, entry: KeptEntry, today: number, rereadIndexes: Set<number>): Promise<void> {
  const runner = new CopyRunner(request.db);
  const { timezone } = request;
  await Promise.all(
    request.needs.events.map(async (need, n) => {
      const params = baseParams(request);
      const from = localDayStartInstant(entry.today - need.withinDays + 1, timezone).toISOString();
      const to = localDayStartInstant(today - need.withinDays + 1, timezone).toISOString();
      const tests = need.where.map((test) => ` and ${propertyTestSql('e.properties', test, params)}`).join('');
      const sql = `select e.customer_id, (extract(epoch from e.occurred_at) * 1000000)::float8
         from events e
        where e.workspace_id = ${params.ws} and e.type = ${params.add(need.type, '::text')}
          and e.occurred_at >= ${params.add(from, '::timestamptz')} and e.occurred_at < ${params.add(to, '::timestamptz')}${tests}`;
      const counts = entry.facts.events[n]!;
      await runner.copy(sql, params.values, 2, (bytes, s, e) => {
        const i = entry.indexOf.get(readInteger(bytes, s[0]!, e[0]!));
        if (i === undefined || rereadIndexes.has(i)) return;
        if (readFloat(bytes, s[1]!, e[1]!) <= entry.asOf[i]!) counts[i]!--;
      });
    }),
  );
}

/** The named customers' facts read again as of request.at (the live path's statements), new profiles appended. */
async function rereadCustomers(request: FactsRequest, entry: KeptEntry, ids: string[], at: number): Promise<void> {
  ids.sort((a, b) => Number(a) - Number(b));
  for (let first = 0; first < ids.length; first += RELOAD_CHUNK) {
    const scope: FactsScope = { ids: ids.slice(first, first + RELOAD_CHUNK) };
    const [customers, wake] = await Promise.all([loadFacts(request, scope), readWake(request, scope)]);
    writeProfiles(entry, request.needs, customers, at, wake);
  }
}

async function rereadPAlive(request: FactsRequest, entry: KeptEntry): Promise<void> {
  const { facts, indexOf } = entry;
  facts.pAlive.fill(Number.NaN);
  const { sql, values } = pAliveSql(request, { after: null, upTo: null });
  await new CopyRunner(request.db).copy(sql, values, 2, (bytes, s, e) => {
    const i = indexOf.get(readInteger(bytes, s[0]!, e[0]!));
    if (i !== undefined) facts.pAlive[i] = readFloat(bytes, s[1]!, e[1]!);
  });
}

/** Writes customers' facts (as the facts loader returns them) into the kept columns; profiles not kept yet are appended. */
function writeProfiles(entry: KeptEntry, needs: FactNeeds, customers: readonly CustomerFacts[], at: number, wake: Map<number, number>): void {
  const added = customers.filter((customer) => !entry.indexOf.has(Number(customer.customerId))).length;
  if (added > 0) grow(entry, entry.facts.count + added);
  const { facts } = entry;
  for (const customer of customers) {
    const id = Number(customer.customerId);
    let i = entry.indexOf.get(id);
    if (i === undefined) {
      i = facts.count++;
      entry.indexOf.set(id, i);
      facts.ids[i] = id;
    }
    facts.customer[i] = customer.lifecycle === 'customer' ? 1 : 0;
    facts.purchaseCount[i] = customer.purchaseCount;
    facts.totalSpend[i] = customer.totalSpend;
    facts.firstPurchaseDay[i] = customer.firstPurchaseDay ?? NO_DAY;
    facts.lastPurchaseDay[i] = customer.lastPurchaseDay ?? NO_DAY;
    needs.attributes.forEach((name, a) => {
      facts.attributes[a]![i] = customer.attributes[name];
    });
    needs.products.forEach((need, n) => {
      const product = customer.products[need.key];
      const target = facts.products[n]!;
      target.purchases[i] = product?.purchases ?? 0;
      target.firstDeliveredDay[i] = product?.firstDeliveredDay ?? NO_DAY;
      target.lastDeliveredDay[i] = product?.lastDeliveredDay ?? NO_DAY;
    });
    facts.subscriptionState[i] = SUBSCRIPTION_STATES.indexOf(customer.subscription.state);
    facts.subscriptionDeliveries[i] = customer.subscription.deliveries;
    facts.subscriptionStartedDay[i] = customer.subscription.startedDay ?? NO_DAY;
    needs.events.forEach((need, n) => {
      facts.events[n]![i] = customer.events[need.key] ?? 0;
    });
    facts.pAlive[i] = customer.pAlive ?? Number.NaN;
    entry.asOf[i] = at;
    entry.wakeAt[i] = wake.get(id) ?? NO_WAKE;
  }
}

/** Room for `count` profiles in every column (a quarter more than needed, so that profiles arriving one by one do not copy the columns each time). */
function grow(entry: KeptEntry, count: number): void {
  const { facts } = entry;
  if (count <= facts.ids.length) return;
  const capacity = Math.max(count, Math.ceil(facts.ids.length * 1.25));
  const widen = <T extends Float64Array | Int32Array | Uint8Array>(column: T, fill: number): T => {
    const wider = new (column.constructor as new (length: number) => T)(capacity);
    wider.set(column);
    if (fill !== 0) wider.fill(fill, column.length);
    return wider;
  };
  facts.ids = widen(facts.ids, 0);
  facts.customer = widen(facts.customer, 0);
  facts.purchaseCount = widen(facts.purchaseCount, 0);
  facts.totalSpend = widen(facts.totalSpend, 0);
  facts.firstPurchaseDay = widen(facts.firstPurchaseDay, NO_DAY);
  facts.lastPurchaseDay = widen(facts.lastPurchaseDay, NO_DAY);
  facts.products = facts.products.map((product) => ({
    purchases: widen(product.purchases, 0),
    firstDeliveredDay: widen(product.firstDeliveredDay, NO_DAY),
    lastDeliveredDay: widen(product.lastDeliveredDay, NO_DAY),
  }));
  facts.subscriptionState = widen(facts.subscriptionState, 0);
  facts.subscriptionDeliveries = widen(facts.subscriptionDeliveries, 0);
  facts.subscriptionStartedDay = widen(facts.subscriptionStartedDay, NO_DAY);
  facts.events = facts.events.map((column) => widen(column, 0));
  facts.pAlive = widen(facts.pAlive, Number.NaN);
  entry.asOf = widen(entry.asOf, 0);
  entry.wakeAt = widen(entry.wakeAt, NO_WAKE);
}

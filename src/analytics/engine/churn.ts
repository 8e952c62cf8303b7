import type pg from 'pg';
import { checkChurnPage, churnedCustomer, encodeChurnCursor, type ChurnList } from '../churn.ts';
import { churnStatusFrom, type CustomerChurnStatus } from '../churn-status.ts';
import { proposalFromGaps, resolveChurnWindow, type ChurnWindowProposal, type ChurnWindowUsed } from '../churn-window.ts';
import { dataEndsOnOf, snapshotLastPurchaseDay } from '../data-end.ts';
import { dayNumber, formatDay, localDayStart, requireCalendarDate } from '../periods.ts';
import { quintileScore } from '../rfm-quintiles.ts';
import { purchaseCondition } from '../../orders/purchase.ts';
import { decimalToUnits, unitsToDecimal } from './snapshot/money-units.ts';
import type { PurchaseSnapshot } from './snapshot/purchase-snapshot.ts';
import type { SubscribedCustomers } from './subscribed-customers.ts';

/**
 * Churn from a purchase snapshot and who has a subscription, with the definitions and results
 * of the SQL references (src/analytics/churn.ts, churn-window.ts, churn-status.ts).
 */

/** `proposeChurnWindow`: the gaps between consecutive purchase days of each customer, before `asOf` when given, per population. */
export function snapshotChurnProposal(snapshot: PurchaseSnapshot, subscribed: SubscribedCustomers, asOf?: string): ChurnWindowProposal {
  if (asOf !== undefined) requireCalendarDate(asOf, 'asOf');
  const before = asOf === undefined ? Infinity : dayNumber(asOf);
  const had = subscribed.hadBy(snapshot, asOf === undefined ? undefined : before);
  const gaps = [new Map<number, number>(), new Map<number, number>()];
  const buyers = [0, 0];
  const { start, day } = snapshot;
  for (let c = 0; c < snapshot.customers; c++) {
    const end = start[c + 1]!;
    if (start[c]! === end || day[start[c]!]! >= before) continue;
    const population = had[c]!;
    buyers[population]! += 1;
    const histogram = gaps[population]!;
    for (let r = start[c]! + 1; r < end; r++) {
      const d = day[r]!;
      if (d >= before) break;
      const gap = d - day[r - 1]!;
      if (gap > 0) histogram.set(gap, (histogram.get(gap) ?? 0) + 1);
    }
  }
  const sorted = (histogram: Map<number, number>) => [...histogram.entries()].sort((a, b) => a[0] - b[0]).map(([days, count]) => ({ days, gaps: count }));
  return proposalFromGaps({ nonSubscriberGaps: sorted(gaps[0]!), subscriberGaps: sorted(gaps[1]!), nonSubscribers: buyers[0]!, subscribers: buyers[1]! });
}

/** The window of a churn analysis from a snapshot: given, else the setting, else the snapshot's proposal. */
export function snapshotChurnWindow(params: { pool: pg.Pool; snapshot: PurchaseSnapshot; subscribed: SubscribedCustomers; asOf: string; window?: number }) {
  const { pool, snapshot, subscribed, asOf, window } = params;
  return resolveChurnWindow({ pool, workspaceId: snapshot.workspaceId, asOf, window, propose: () => snapshotChurnProposal(snapshot, subscribed, asOf) });
}

/**
 * Per customer of the snapshot, 1 when churned as of `asOf` with `window` days (null: no window,
 * nobody churned): a purchase before asOf, the last more than `window` days before it, no
 * subscription in force on asOf. What RFM's 離反 segment reads (engine/rfm.ts).
 */
export function snapshotChurnedFlags(snapshot: PurchaseSnapshot, subscribed: SubscribedCustomers, asOf: string, window: ChurnWindowUsed | null): Uint8Array {
  const flags = new Uint8Array(snapshot.customers);
  if (window === null) return flags;
  const asOfDay = dayNumber(asOf);
  const inForce = subscribed.inForceOn(snapshot, asOfDay);
  const { start, day } = snapshot;
  for (let c = 0; c < snapshot.customers; c++) {
    let r = start[c]!;
    const end = start[c + 1]!;
    while (r < end && day[r]! < asOfDay) r++;
    if (r > start[c]! && day[r - 1]! < asOfDay - window.days && inForce[c] === 0) flags[c] = 1;
  }
  return flags;
}

/**
 * `listChurned`: customers whose last purchase day before `asOf` is more than the window
 * before it and who have no subscription in force on `asOf`, most valuable first (Σ amount
 * before `asOf`, then id), paged by keyset. The page's profiles and last purchase instants are
 * read from PostgreSQL (a page of ids).
 */
export async function snapshotChurned(params: {
  pool: pg.Pool;
  snapshot: PurchaseSnapshot;
  subscribed: SubscribedCustomers;
  asOf: string;
  window?: number;
  limit: number;
  cursor?: string;
}): Promise<ChurnList> {
  const { pool, snapshot, subscribed, asOf, limit } = params;
  const after = checkChurnPage(params);
  const dataEndsOn = dataEndsOnOf(snapshotLastPurchaseDay(snapshot), asOf);
  const resolved = await snapshotChurnWindow({ pool, snapshot, subscribed, asOf, window: params.window });
  if (resolved.outcome === 'no_window') return { ...resolved, dataEndsOn };
  const { window } = resolved;
  const asOfDay = dayNumber(asOf);
  const churnedBefore = asOfDay - window.days;
  const inForce = subscribed.inForceOn(snapshot, asOfDay);
  const { start, day, amount } = snapshot;
  let customers = 0;
  let kept = 0;
  let firstDay = asOfDay;
  const lastDays: number[] = [];
  const churned: { customer: number; total: number; purchases: number; lastDay: number }[] = [];
  for (let c = 0; c < snapshot.customers; c++) {
    const from = start[c]!;
    let r = from;
    let total = 0;
    const end = start[c + 1]!;
    for (; r < end && day[r]! < asOfDay; r++) total += amount[r]!;
    if (r === from) continue;
    customers++;
    const lastDay = day[r - 1]!;
    lastDays.push(lastDay);
    firstDay = Math.min(firstDay, lastDay);
    if (lastDay >= churnedBefore) continue;
    if (inForce[c] === 1) kept++;
    else churned.push({ customer: c, total, purchases: r - from, lastDay });
  }
  // RFM recency score of a last day: ⌈5k ÷ n⌉, k = customers whose last day is on or before it.
  const atOrBefore = new Float64Array(asOfDay - firstDay + 1);
  for (const lastDay of lastDays) atOrBefore[lastDay - firstDay]! += 1;
  for (let i = 1; i < atOrBefore.length; i++) atOrBefore[i]! += atOrBefore[i - 1]!;
  const id = (entry: { customer: number }) => snapshot.customerIds[entry.customer]!;
  churned.sort((a, b) => b.total - a.total || id(a) - id(b));
  let first = 0;
  if (after) {
    const afterTotal = decimalToUnits(after.total, snapshot.scale);
    const afterId = Number(after.customerId);
    while (first < churned.length && (churned[first]!.total > afterTotal || (churned[first]!.total === afterTotal && id(churned[first]!) <= afterId))) first++;
  }
  const page = churned.slice(first, first + limit);
  const profiles = await pageProfiles(
    pool,
    snapshot,
    page.map((entry) => String(id(entry))),
    asOf,
  );
  const items = page.map((entry) => {
    const profile = profiles.get(String(id(entry)))!;
    return churnedCustomer(
      {
        id: String(id(entry)),
        external_id: profile.externalId,
        name: profile.name,
        last_at: profile.lastAt,
        last_day: formatDay(entry.lastDay),
        purchases: entry.purchases,
        total: unitsToDecimal(entry.total, snapshot.scale),
        recency_score: quintileScore(atOrBefore[entry.lastDay - firstDay]!, customers),
      },
      asOf,
      window.days,
    );
  });
  const last = items.at(-1);
  return {
    outcome: 'listed',
    asOf,
    dataEndsOn,
    window,
    customers,
    churned: churned.length,
    churnRate: customers === 0 ? null : churned.length / customers,
    keptBySubscription: kept,
    items,
    nextCursor: first + limit < churned.length && last ? encodeChurnCursor(last.totalSpent, last.customerId) : null,
  };
}

/** `churnStatusOfCustomer`: one customer's churn status as of `asOf`; null without a purchase before it. */
export async function snapshotChurnStatus(params: {
  pool: pg.Pool;
  snapshot: PurchaseSnapshot;
  subscribed: SubscribedCustomers;
  asOf: string;
  customerId: string;
}): Promise<CustomerChurnStatus | null> {
  const { pool, snapshot, subscribed, asOf, customerId } = params;
  requireCalendarDate(asOf, 'asOf');
  const c = snapshot.indexOf(customerId);
  if (c < 0) return null;
  const asOfDay = dayNumber(asOf);
  const { start, day } = snapshot;
  let r = start[c]!;
  while (r < start[c + 1]! && day[r]! < asOfDay) r++;
  if (r === start[c]!) return null;
  const resolved = await snapshotChurnWindow({ pool, snapshot, subscribed, asOf });
  const k = subscribed.indexOf(Number(customerId));
  return churnStatusFrom({
    lastPurchaseDay: formatDay(day[r - 1]!),
    asOf,
    window: resolved.outcome === 'resolved' ? resolved.window : null,
    subscribed: k >= 0 && subscribed.inForce(k, asOfDay),
  });
}

/** The page's profiles and each one's last purchase instant before `asOf` (through the orders' customer index). */
async function pageProfiles(pool: pg.Pool, snapshot: PurchaseSnapshot, ids: string[], asOf: string) {
  if (ids.length === 0) return new Map<string, { externalId: string; name: string | null; lastAt: Date }>();
  const { rows } = await pool.query<{ id: string; external_id: string; name: string | null; last_at: Date }>(
    `select c.id, c.external_id, c.name,
            (select max(o.ordered_at) from orders o
              where o.customer_id = c.id and o.workspace_id = c.workspace_id and ${purchaseCondition('o')}
                and o.ordered_at < ${localDayStart('$3', 'w.timezone')}) as last_at
       from customers c join workspaces w on w.id = c.workspace_id
      where c.workspace_id = $1 and c.id = any($2::bigint[])`,
    [snapshot.workspaceId, ids, asOf],
  );
  return new Map(rows.map((row) => [row.id, { externalId: row.external_id, name: row.name, lastAt: row.last_at }]));
}

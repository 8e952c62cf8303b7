import type pg from 'pg';
import { compactChangeLog } from '../../orders/order-changes.ts';
import { localDate } from '../periods.ts';
import { IN_FORCE_STATUSES } from '../subscription-status.ts';
import { copyRows, readInteger, type ByteRows } from './snapshot/copy-text.ts';
import { inSnapshotTransaction } from './snapshot/load.ts';
import type { PurchaseSnapshot } from './snapshot/purchase-snapshot.ts';

/**
 * Which customers have a subscription, for the engine's churn and RFM: per customer who ever
 * had one, the first day of their first subscription and the local days on which one of theirs
 * was in force, as merged intervals [from, to). The definitions are those of the SQL reference
 * (src/analytics/subscription-status.ts): a subscription's status on day d is its last change
 * before the start of d (its status as of d); in force = active or paused.
 *
 * Small beside the purchases (a few intervals per subscriber), so it is loaded whole, apart
 * from the purchase snapshot, and kept as long as the workspace's subscription-data version
 * (the count and last id of `subscription_changes`, like order_changes) does not move.
 */
export class SubscribedCustomers {
  constructor(
    /** The subscription-data version loaded (subscriptionsVersion). */
    readonly version: string,
    readonly timezone: string,
    /** Customer ids, increasing. */
    readonly customerIds: Float64Array,
    /** Local day of each one's first status change (their first subscription's start). */
    readonly firstDay: Int32Array,
    /** n + 1 offsets into `from` and `to`. */
    readonly spanStart: Int32Array,
    readonly from: Int32Array,
    /** Exclusive; OPEN for a subscription still in force. */
    readonly to: Int32Array,
  ) {}

  get customers(): number {
    return this.customerIds.length;
  }

  /** The position of a customer id in this list, or −1 (binary search). */
  indexOf(customerId: number): number {
    let lo = 0;
    let hi = this.customerIds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.customerIds[mid]! < customerId) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.customerIds.length && this.customerIds[lo] === customerId ? lo : -1;
  }

  /** Whether customer k (of this list) has a subscription in force as of `asOfDay`: at its start, so by the status on the day before. */
  inForce(k: number, asOfDay: number): boolean {
    const day = asOfDay - 1;
    for (let s = this.spanStart[k]!; s < this.spanStart[k + 1]!; s++) {
      if (this.from[s]! > day) return false;
      if (day < this.to[s]!) return true;
    }
    return false;
  }

  /** Per customer of the snapshot: 1 when they have a subscription in force as of `day` (at its start). */
  inForceOn(snapshot: PurchaseSnapshot, day: number): Uint8Array {
    const flags = new Uint8Array(snapshot.customers);
    for (let k = 0; k < this.customers; k++) {
      const c = snapshot.indexOf(this.customerIds[k]!);
      if (c >= 0 && this.inForce(k, day)) flags[c] = 1;
    }
    return flags;
  }

  /** Per customer of the snapshot: 1 when they had a subscription before `day` (ever, when undefined). */
  hadBy(snapshot: PurchaseSnapshot, day: number | undefined): Uint8Array {
    const flags = new Uint8Array(snapshot.customers);
    for (let k = 0; k < this.customers; k++) {
      const c = snapshot.indexOf(this.customerIds[k]!);
      if (c >= 0 && (day === undefined || this.firstDay[k]! < day)) flags[c] = 1;
    }
    return flags;
  }
}

/** `to` of an interval still open. */
export const OPEN = 2_147_483_647;

/** The workspace's subscription-data version: equal strings mean the same committed subscription data. */
export async function subscriptionsVersion(client: pg.ClientBase | pg.Pool, workspaceId: string): Promise<string> {
  const { rows } = await client.query<{ changes: string; last: string | null }>(
    'select count(*)::text as changes, max(id)::text as last from subscription_changes where workspace_id = $1',
    [workspaceId],
  );
  return `${rows[0]!.changes}:${rows[0]!.last ?? 0}`;
}

/** Loads the version and the status history in one repeatable-read transaction, with COPY. */
export async function loadSubscribedCustomers(pool: pg.Pool, workspaceId: string, timezone: string): Promise<SubscribedCustomers> {
  // Outside the load's repeatable-read transaction, where a concurrent compaction would be a serialization failure.
  await compactChangeLog(pool, 'subscription_changes', workspaceId);
  return inSnapshotTransaction(pool, async (client) => {
    const version = await subscriptionsVersion(client, workspaceId);
    const tz = `'${timezone.replaceAll("'", "''")}'`;
    const rows = new HistoryRows();
    await copyRows(
      client,
      `copy (select h.customer_id, h.subscription_id, ${localDate('h.changed_at', tz)} - date '1970-01-01',
                    (h.status in (${IN_FORCE_STATUSES.map((s) => `'${s}'`).join(', ')}))::int
               from subscription_status_changes h
              where h.workspace_id = ${Number(workspaceId)}
              order by h.customer_id, h.subscription_id, h.changed_at, h.id) to stdout`,
      rows,
    );
    return rows.finish(version, timezone);
  });
}

/** Folds the ordered history rows (customer, subscription, day, in force 0/1) into each customer's merged intervals. */
class HistoryRows implements ByteRows {
  private readonly ids: number[] = [];
  private readonly firstDays: number[] = [];
  private readonly spanStarts: number[] = [0];
  private readonly froms: number[] = [];
  private readonly tos: number[] = [];
  private row = [0, 0, 0, 0];
  private customer = -1;
  private subscription = -1;
  /** The current subscription's (day, in force) with one entry per day: the day's last change. */
  private changes: [day: number, inForce: number][] = [];
  /** The current customer's intervals, not yet merged. */
  private spans: [from: number, to: number][] = [];
  private firstDay = OPEN;

  field(bytes: Buffer, from: number, to: number, field: number): void {
    this.row[field] = readInteger(bytes, from, to);
  }

  endRow(): void {
    const [customer, subscription, day, inForce] = this.row as [number, number, number, number];
    if (subscription !== this.subscription || customer !== this.customer) this.endSubscription();
    if (customer !== this.customer) this.endCustomer();
    this.customer = customer;
    this.subscription = subscription;
    this.firstDay = Math.min(this.firstDay, day);
    const last = this.changes.at(-1);
    if (last && last[0] === day) last[1] = inForce;
    else this.changes.push([day, inForce]);
  }

  private endSubscription(): void {
    const changes = this.changes;
    for (let j = 0; j < changes.length; j++) {
      if (changes[j]![1] === 1) this.spans.push([changes[j]![0], j + 1 < changes.length ? changes[j + 1]![0] : OPEN]);
    }
    this.changes = [];
  }

  private endCustomer(): void {
    if (this.customer >= 0) {
      this.ids.push(this.customer);
      this.firstDays.push(this.firstDay);
      this.spans.sort((a, b) => a[0] - b[0]);
      let open: [number, number] | null = null;
      for (const span of this.spans) {
        if (open && span[0] <= open[1]) open[1] = Math.max(open[1], span[1]);
        else {
          if (open) this.pushSpan(open);
          open = [span[0], span[1]];
        }
      }
      if (open) this.pushSpan(open);
      this.spanStarts.push(this.froms.length);
    }
    this.spans = [];
    this.firstDay = OPEN;
  }

  private pushSpan([from, to]: [number, number]): void {
    this.froms.push(from);
    this.tos.push(to);
  }

  finish(version: string, timezone: string): SubscribedCustomers {
    this.endSubscription();
    this.endCustomer();
    return new SubscribedCustomers(
      version,
      timezone,
      Float64Array.from(this.ids),
      Int32Array.from(this.firstDays),
      Int32Array.from(this.spanStarts),
      Int32Array.from(this.froms),
      Int32Array.from(this.tos),
    );
  }
}

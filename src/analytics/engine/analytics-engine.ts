import type pg from 'pg';
import { ordersVersion } from '../../orders/order-changes.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { KizunaError } from '../../shared/errors.ts';
import { loadPurchaseSnapshot } from './snapshot/load.ts';
import { EngineLimit } from './snapshot/money-units.ts';
import type { PurchaseSnapshot } from './snapshot/purchase-snapshot.ts';
import { refreshPurchaseSnapshot } from './snapshot/refresh.ts';
import { subscriptionDataVersion } from './subscriptions/data-version.ts';
import { loadSubscriptionSnapshot } from './subscriptions/load.ts';
import type { SubscriptionSnapshot } from './subscriptions/subscription-snapshot.ts';
import { loadSubscribedCustomers, subscriptionsVersion, type SubscribedCustomers } from './subscribed-customers.ts';

/**
 * The in-memory analytics engine: per workspace, a purchase snapshot (snapshot/purchase-snapshot.ts)
 * kept as long as the workspace's order data does not change, and the analyses computed from
 * it (sales.ts, retention.ts, rfm.ts, customer value).
 *
 * Freshness: before every analysis the engine reads the order-data version (one indexed
 * count over a small log, src/orders/order-changes.ts). When it differs from the snapshot's,
 * the snapshot is brought up to date first, so an analysis always sees every committed write:
 * after the ingest API's batches only the customers they touched are read again and spliced
 * in (milliseconds); after a bulk import everything is loaded again. Concurrent requests share
 * one refresh. Snapshots unused for `idleMinutes` are dropped to free memory.
 *
 * Why in memory and not in PostgreSQL: the analyses read every purchase of the brand (10,000,000
 * rows for 1,000,000 customers). PostgreSQL answers them in 3 to 17 s on a 2-core machine
 * (the SQL implementations next to this folder, kept as the reference the engine is tested
 * against); a pass over typed arrays takes tens of milliseconds.
 *
 * Beside the purchases, a subscription snapshot per workspace (subscriptions/), for the
 * subscription analyses: keyed by the subscription and order data versions together, loaded
 * in full when either moved (`subscriptionSnapshot`, `runSubscriptions`).
 *
 * One engine per process, created by whoever starts it (the server, a CLI command, a test)
 * and passed in its dependencies (AppDeps.analytics, the CLI context), so a workspace's
 * purchases are held once; `close` when stopping.
 */
export class AnalyticsEngine {
  private readonly entries = new Map<string, Entry>();
  private readonly subscriptionEntries = new Map<string, SubscriptionEntry>();
  /** Per workspace, who has a subscription (subscribed-customers.ts), with its own version: the churn and RFM read it beside the purchases. */
  private readonly subscribed = new Map<string, { data: Promise<SubscribedCustomers>; lastUsed: number }>();
  private readonly idleMs: number;
  private readonly sweeper: NodeJS.Timeout;
  private readonly clock: Clock;

  constructor(
    private readonly pool: pg.Pool,
    options: { idleMinutes?: number; clock?: Clock } = {},
  ) {
    this.idleMs = (options.idleMinutes ?? 30) * 60_000;
    this.clock = options.clock ?? systemClock;
    this.sweeper = setInterval(() => this.dropIdle(), Math.min(this.idleMs, 60_000));
    this.sweeper.unref();
  }

  /**
   * The workspace's current snapshot, loading it first when the order data changed since.
   * Throws EngineLimit when the data is beyond what the engine holds exactly; that refusal is
   * remembered for the data version, so later requests go to the SQL reference at once instead
   * of loading everything again to fail again.
   */
  async snapshot(workspaceId: string): Promise<PurchaseSnapshot> {
    const current = await ordersVersion(this.pool, workspaceId);
    if (!current) throw new KizunaError('not_found', `No workspace with id ${workspaceId}.`);
    let entry = this.entries.get(workspaceId);
    if (!entry) {
      entry = { snapshot: null, loading: null, refused: null, lastUsed: this.now() };
      this.entries.set(workspaceId, entry);
    }
    entry.lastUsed = this.now();
    const sameData = (at: { version: string; timezone: string } | null) => at !== null && at.version === current.version && at.timezone === current.timezone;
    const fresh = (s: PurchaseSnapshot | null) => sameData(s);
    if (fresh(entry.snapshot)) return entry.snapshot!;
    if (sameData(entry.refused)) throw entry.refused!.error;
    // A load in flight started before this request read the version may predate it: wait, then check again.
    while (entry.loading) {
      const loaded = await entry.loading.catch(() => null);
      if (fresh(loaded)) return loaded!;
      if (sameData(entry.refused)) throw entry.refused!.error;
    }
    if (fresh(entry.snapshot)) return entry.snapshot!;
    const loading = entry.snapshot ? refreshPurchaseSnapshot(this.pool, entry.snapshot, this.clock) : loadPurchaseSnapshot(this.pool, workspaceId, this.clock);
    entry.loading = loading;
    try {
      entry.snapshot = await loading;
      entry.refused = null;
      return entry.snapshot;
    } catch (error) {
      if (error instanceof EngineLimit) {
        // The data loaded is at least `current`: a later write gets another try.
        entry.refused = { version: current.version, timezone: current.timezone, error };
        entry.snapshot = null;
      }
      throw error;
    } finally {
      entry.loading = null;
    }
  }

  /**
   * The workspace's current subscription snapshot, loading it first when its subscriptions or
   * orders changed since (data-version.ts). Concurrent requests share one load.
   */
  async subscriptionSnapshot(workspaceId: string): Promise<SubscriptionSnapshot> {
    const current = await subscriptionDataVersion(this.pool, workspaceId);
    if (!current) throw new KizunaError('not_found', `No workspace with id ${workspaceId}.`);
    let entry = this.subscriptionEntries.get(workspaceId);
    if (!entry) {
      entry = { snapshot: null, loading: null, lastUsed: this.now() };
      this.subscriptionEntries.set(workspaceId, entry);
    }
    entry.lastUsed = this.now();
    const fresh = (s: SubscriptionSnapshot | null) => s !== null && s.version === current.version;
    if (fresh(entry.snapshot)) return entry.snapshot!;
    // A load in flight may predate this request's version: wait, then check again.
    while (entry.loading) {
      const loaded = await entry.loading.catch(() => null);
      if (fresh(loaded)) return loaded!;
    }
    if (fresh(entry.snapshot)) return entry.snapshot!;
    const loading = loadSubscriptionSnapshot(this.pool, workspaceId, this.clock);
    entry.loading = loading;
    try {
      entry.snapshot = await loading;
      return entry.snapshot;
    } finally {
      entry.loading = null;
    }
  }

  /** Runs `inMemory` on the workspace's subscription snapshot, or `reference` (the SQL implementation) when asked to. */
  async runSubscriptions<T>(
    workspaceId: string,
    inMemory: (snapshot: SubscriptionSnapshot) => T | Promise<T>,
    reference: () => Promise<T>,
    engine: EngineChoice = 'memory',
  ): Promise<T> {
    if (engine === 'sql') return reference();
    return inMemory(await this.subscriptionSnapshot(workspaceId));
  }

  /**
   * Who has a subscription in the workspace (for churn and RFM), loaded again when the
   * subscription-data version (`subscription_changes`) moved or the time zone changed; kept
   * apart from the purchase snapshot, whose version follows the orders. Concurrent requests
   * share one load.
   */
  async subscribedCustomers(workspaceId: string, timezone: string): Promise<SubscribedCustomers> {
    const version = await subscriptionsVersion(this.pool, workspaceId);
    const held = this.subscribed.get(workspaceId);
    if (held) {
      const data = await held.data.catch(() => null);
      if (data && data.version === version && data.timezone === timezone) {
        held.lastUsed = this.now();
        return data;
      }
    }
    const data = loadSubscribedCustomers(this.pool, workspaceId, timezone);
    this.subscribed.set(workspaceId, { data, lastUsed: this.now() });
    data.catch(() => {
      if (this.subscribed.get(workspaceId)?.data === data) this.subscribed.delete(workspaceId);
    });
    return data;
  }

  /** Whether the engine holds a snapshot of the workspace (loaded and not dropped). */
  holds(workspaceId: string): boolean {
    return (this.entries.get(workspaceId)?.snapshot ?? null) !== null;
  }

  /** Whether the workspace's data, as last seen, is beyond the engine (its analyses are answered by SQL). */
  beyondEngine(workspaceId: string): boolean {
    return (this.entries.get(workspaceId)?.refused ?? null) !== null;
  }

  /**
   * Runs `inMemory` on the workspace's snapshot, or `reference` (the SQL implementation) when
   * the data is beyond what the engine holds exactly (EngineLimit) or when asked to.
   */
  async run<T>(
    workspaceId: string,
    inMemory: (snapshot: PurchaseSnapshot) => T | Promise<T>,
    reference: () => Promise<T>,
    engine: EngineChoice = 'memory',
  ): Promise<T> {
    if (engine === 'sql') return reference();
    try {
      return await inMemory(await this.snapshot(workspaceId));
    } catch (error) {
      if (error instanceof EngineLimit) return reference();
      throw error;
    }
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  /** Drops every snapshot and stops the idle sweeper. */
  close(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.subscriptionEntries.clear();
    this.subscribed.clear();
  }

  /** Drops the snapshots unused for `idleMinutes` by the engine's clock (the sweeper calls it every minute). */
  dropIdle(): void {
    const now = this.now();
    for (const [workspaceId, entry] of this.entries) {
      if (!entry.loading && now - entry.lastUsed > this.idleMs) this.entries.delete(workspaceId);
    }
    for (const [workspaceId, entry] of this.subscriptionEntries) {
      if (!entry.loading && now - entry.lastUsed > this.idleMs) this.subscriptionEntries.delete(workspaceId);
    }
    for (const [workspaceId, held] of this.subscribed) {
      if (now - held.lastUsed > this.idleMs) this.subscribed.delete(workspaceId);
    }
  }
}

/** Which implementation answers: the in-memory engine (default) or the SQL reference. */
export type EngineChoice = 'memory' | 'sql';
export const ENGINE_CHOICES = ['memory', 'sql'] as const satisfies readonly EngineChoice[];

interface Entry {
  snapshot: PurchaseSnapshot | null;
  loading: Promise<PurchaseSnapshot> | null;
  /** The data version the engine could not hold, and why. */
  refused: { version: string; timezone: string; error: EngineLimit } | null;
  lastUsed: number;
}

interface SubscriptionEntry {
  snapshot: SubscriptionSnapshot | null;
  loading: Promise<SubscriptionSnapshot> | null;
  lastUsed: number;
}

import type pg from 'pg';
import { listenToChannel } from '../../db/listen.ts';
import type { AnalyticsEngine } from '../../analytics/engine/analytics-engine.ts';
import { withTransaction } from '../../db/transaction.ts';
import type { Clock } from '../../shared/clock.ts';
import { JOURNEY_CHANNEL } from '../changes.ts';
import { placeCustomersLocked, placeWorkspace, placeWorkspaceLocked } from './place.ts';
import { markKeptRefreshed, takePendingChanges } from './pending-changes.ts';
import { keptFactsStore } from './kept-facts.ts';
import { lockWorkspacePlacement } from './placing-run.ts';
import { localDayStartInstant, msUntilNextLocalMidnight, todayOf } from './local-days.ts';

/**
 * The live path: writers queue the customers they touched (journey_changes, in their own
 * transaction, with a NOTIFY on kizuna_journey); the reactor LISTENs, and for each notified
 * workspace takes the committed rows and re-places those customers. Time alone changes facts
 * too (days since …): a timer per workspace with an active map fires at its next local
 * midnight and re-places everyone (the sweep); a sweep missed while no reactor ran runs when
 * it starts. Nothing polls.
 */

export interface DrainOutcome {
  /** journey_changes rows taken. */
  taken: number;
  profiles: number;
  moved: number;
}

/**
 * Takes the workspace's committed journey_changes and re-places their customers, in one
 * transaction under the workspace's placement lock (the rows come back if it fails). A row
 * naming no customers (a bulk import) re-places everyone. Each customer's move carries the
 * cause and reference of the latest row naming them. The CLI calls this at the end of an
 * import, so the map is current without a server.
 */
export async function drainJourneyChanges(params: { pool: pg.Pool; workspaceId: string; clock: Clock; analytics?: AnalyticsEngine }): Promise<DrainOutcome> {
  const { pool, workspaceId, analytics } = params;
  return withTransaction(pool, async (client) => {
    await lockWorkspacePlacement(client, workspaceId);
    const pending = await takePendingChanges(client, workspaceId);
    if (pending.rows === 0) return { taken: 0, profiles: 0, moved: 0 };
    const at = params.clock.now();
    if (pending.everyone) {
      const { profiles, moved } = await placeWorkspaceLocked({
        client,
        pool,
        workspaceId,
        at,
        pending,
        cause: pending.everyone.cause,
        ...(analytics ? { analytics } : {}),
      });
      return { taken: pending.rows, profiles, moved };
    }
    const { profiles, moved, keptRefreshed } = await placeCustomersLocked({ client, pool, workspaceId, at, causes: pending.causes, analytics });
    // This process's kept facts now hold these customers' new facts: its next full placement need not read them again.
    if (keptRefreshed) await markKeptRefreshed(client, pending.ids, keptFactsStore(pool).keeper);
    return { taken: pending.rows, profiles, moved };
  });
}

/** The midnight sweep of one workspace: everyone re-placed (cause 'sweep'), and when it ran. */
export async function sweepJourneyMap(params: { pool: pg.Pool; workspaceId: string; clock: Clock; analytics?: AnalyticsEngine }) {
  const outcome = await placeWorkspace({ ...params, cause: 'sweep' });
  await params.pool.query(
    `insert into journey_sweeps (workspace_id, swept_at) values ($1, $2)
     on conflict (workspace_id) do update set swept_at = excluded.swept_at`,
    [params.workspaceId, params.clock.now()],
  );
  return outcome;
}

export interface JourneyReactor {
  /** Stops listening, disarms the sweeps and waits for the drains in flight. */
  stop(): Promise<void>;
  /** Resolves when no drain or sweep is in flight. */
  idle(): Promise<void>;
}

export interface ReactorOptions {
  pool: pg.Pool;
  /** The dedicated LISTEN connection is made from this (database.url). */
  connectionString: string;
  clock: Clock;
  analytics?: AnalyticsEngine;
  log?: (line: string) => void;
  /** Drains running at once over all workspaces (each holds a connection and reads on others); default 2. */
  concurrency?: number;
}

/** A failed drain is tried again after this long (its rows are still queued). */
const RETRY_MS = 5000;

export function startJourneyReactor(options: ReactorOptions): JourneyReactor {
  const { pool, clock, analytics } = options;
  const log = options.log ?? (() => {});
  const limit = options.concurrency ?? 2;
  const workspaces = new Map<
    string,
    { running: boolean; again: boolean; caughtUp: boolean; sweepTimer: NodeJS.Timeout | null; retry: NodeJS.Timeout | null }
  >();
  const waiting: Array<() => void> = [];
  let running = 0;
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  let stopped = false;

  const stateOf = (workspaceId: string) => {
    let state = workspaces.get(workspaceId);
    if (!state) {
      state = { running: false, again: false, caughtUp: false, sweepTimer: null, retry: null };
      workspaces.set(workspaceId, state);
    }
    return state;
  };

  const settle = () => {
    if (inFlight > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** Runs `work` once a slot is free (at most `limit` at once), counted as in flight meanwhile. */
  const inSlot = async <T>(work: () => Promise<T>): Promise<T> => {
    inFlight++;
    try {
      if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      running++;
      try {
        return await work();
      } finally {
        running--;
        waiting.shift()?.();
      }
    } finally {
      inFlight--;
      settle();
    }
  };

  /** One drain in flight per workspace; notified meanwhile: one more after it. */
  const schedule = (workspaceId: string) => {
    if (stopped) return;
    const state = stateOf(workspaceId);
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    inFlight++;
    void (async () => {
      try {
        do {
          state.again = false;
          try {
            const outcome = await inSlot(() => drainJourneyChanges({ pool, workspaceId, clock, ...(analytics ? { analytics } : {}) }));
            if (outcome.moved > 0) log(`Journey map: workspace ${workspaceId}: ${outcome.moved} moved (${outcome.profiles} re-placed)`);
          } catch (error) {
            log(`Journey map: placing workspace ${workspaceId} failed (${messageOf(error)}); trying again in ${RETRY_MS / 1000} s`);
            if (!state.retry && !stopped) {
              state.retry = setTimeout(() => {
                state.retry = null;
                schedule(workspaceId);
              }, RETRY_MS);
            }
          }
        } while (state.again && !stopped);
        await armSweep(workspaceId);
      } finally {
        state.running = false;
        inFlight--;
        settle();
      }
    })();
  };

  /**
   * Arms the workspace's midnight timer when it has an active map. The first time, a sweep runs
   * now when one was missed while no reactor ran (the last one before today's local midnight,
   * or none), or when this process keeps no facts of the workspace yet: its full read then
   * happens at start, and the midnight sweeps bring the kept facts up to date (kept-facts.ts).
   */
  const armSweep = async (workspaceId: string) => {
    const state = stateOf(workspaceId);
    if (stopped || state.sweepTimer) return;
    const { rows } = await pool.query<{ timezone: string; swept_at: Date | null }>(
      `select w.timezone, s.swept_at from workspaces w left join journey_sweeps s on s.workspace_id = w.id
        where w.id = $1 and exists (select 1 from journey_maps m where m.workspace_id = w.id and m.status = 'active')`,
      [workspaceId],
    );
    const found = rows[0];
    if (!found || stopped || state.sweepTimer) return;
    if (!state.caughtUp) {
      state.caughtUp = true;
      const todayStarted = localDayStartInstant(todayOf(clock.now(), found.timezone), found.timezone);
      const missed = found.swept_at === null || found.swept_at < todayStarted;
      if (missed || !keptFactsStore(pool).entries.has(workspaceId)) await sweep(workspaceId);
      if (stopped || state.sweepTimer) return;
    }
    // One second past midnight: a timer firing a little early would otherwise still see yesterday.
    const delay = msUntilNextLocalMidnight(clock.now(), found.timezone) + 1000;
    state.sweepTimer = setTimeout(() => {
      state.sweepTimer = null;
      inFlight++;
      void sweep(workspaceId)
        .then(() => armSweep(workspaceId))
        .catch((error: unknown) => log(`Journey map: sweep timer of workspace ${workspaceId}: ${messageOf(error)}`))
        .finally(() => {
          inFlight--;
          settle();
        });
    }, delay);
    state.sweepTimer.unref?.();
  };

  const sweep = async (workspaceId: string) => {
    try {
      const outcome = await inSlot(() => sweepJourneyMap({ pool, workspaceId, clock, ...(analytics ? { analytics } : {}) }));
      log(`Journey map: sweep of workspace ${workspaceId}: ${outcome.moved} moved`);
    } catch (error) {
      log(`Journey map: sweep of workspace ${workspaceId} failed (${messageOf(error)})`);
    }
  };

  /** Every workspace with queued changes (left by a crash, or written by the CLI) and every workspace with an active map. */
  const drainEverything = async () => {
    const { rows } = await pool.query<{ workspace_id: string }>(
      `select distinct workspace_id from journey_changes where drained_at is null
       union select workspace_id from journey_maps where status = 'active'`,
    );
    for (const row of rows) schedule(row.workspace_id);
  };

  const listener = listenToChannel({
    connectionString: options.connectionString,
    channel: JOURNEY_CHANNEL,
    applicationName: 'kizuna-journey-reactor',
    label: 'Journey map',
    onNotification: schedule,
    onConnected: drainEverything,
    begin: () => {
      inFlight++;
    },
    end: () => {
      inFlight--;
      settle();
    },
    log,
  });

  return {
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    stop: async () => {
      stopped = true;
      for (const state of workspaces.values()) {
        if (state.sweepTimer) clearTimeout(state.sweepTimer);
        if (state.retry) clearTimeout(state.retry);
        state.sweepTimer = null;
        state.retry = null;
      }
      await listener.stop();
      settle();
      if (inFlight > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

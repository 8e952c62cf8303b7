import { createPool } from '../../db/connect.ts';
import { listenToChannel } from '../../db/listen.ts';
import type { Clock } from '../../shared/clock.ts';
import type { ScheduleWake } from './enrollments.ts';
import { processSignals } from './process-signals.ts';
import { SCENARIO_CHANNEL } from './signals.ts';

/**
 * The scenarios' live path: writers queue signals (scenario_signals, in their own transaction,
 * with a NOTIFY on kizuna_scenarios carrying the workspace id); the reactor LISTENs and, for each
 * notified workspace, processes its committed signals (processSignals). At start, and after a
 * lost connection, it processes every workspace with unprocessed signals (notifications sent
 * while nobody listened are gone; the rows are not). Nothing polls.
 */

export interface ScenarioReactor {
  /** Stops listening and waits for the processing in flight. */
  stop(): Promise<void>;
  /** Resolves when no processing is in flight. */
  idle(): Promise<void>;
}

export interface ScenarioReactorOptions {
  /**
   * The reactor's connections are made from this (database.url): the LISTEN connection, and a
   * pool of its own for the processing (`connections`), so that a flood of requests waiting for
   * the application's pool never delays the processing of the triggers already committed.
   */
  connectionString: string;
  /** The processing pool's size (default 2). */
  connections?: number;
  clock: Clock;
  schedule?: ScheduleWake;
  log?: (line: string) => void;
}

/** A failed run is tried again after this long (its signals are still queued). */
const RETRY_MS = 5000;

export function startScenarioReactor(options: ScenarioReactorOptions): ScenarioReactor {
  const { clock, schedule: scheduleWake } = options;
  const log = options.log ?? (() => {});
  const pool = createPool({
    url: options.connectionString,
    max: options.connections ?? 2,
    applicationName: 'kizuna-scenario-reactor',
    log: (line) => log(`Scenarios: ${line}`),
  });
  const workspaces = new Map<string, { running: boolean; again: boolean; retry: NodeJS.Timeout | null }>();
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  let stopped = false;

  const settle = () => {
    if (inFlight > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** One run in flight per workspace; notified meanwhile: one more after it. */
  const run = (workspaceId: string) => {
    if (stopped) return;
    let state = workspaces.get(workspaceId);
    if (!state) {
      state = { running: false, again: false, retry: null };
      workspaces.set(workspaceId, state);
    }
    const current = state;
    if (current.running) {
      current.again = true;
      return;
    }
    current.running = true;
    inFlight++;
    void (async () => {
      try {
        do {
          current.again = false;
          try {
            const outcome = await processSignals({ pool, clock, workspaceId, ...(scheduleWake ? { schedule: scheduleWake } : {}) });
            if (outcome.enrolled + outcome.exited + outcome.woken > 0)
              log(
                `Scenarios: workspace ${workspaceId}: ${outcome.processed} signals, ${outcome.enrolled} enrolled, ${outcome.exited} exited, ${outcome.woken} woken`,
              );
          } catch (error) {
            log(`Scenarios: processing workspace ${workspaceId} failed (${messageOf(error)}); trying again in ${RETRY_MS / 1000} s`);
            if (!current.retry && !stopped) {
              current.retry = setTimeout(() => {
                current.retry = null;
                run(workspaceId);
              }, RETRY_MS);
              current.retry.unref?.();
            }
          }
        } while (current.again && !stopped);
      } finally {
        current.running = false;
        inFlight--;
        settle();
      }
    })();
  };

  const drainEverything = async () => {
    const { rows } = await pool.query<{ workspace_id: string }>('select distinct workspace_id from scenario_signals where processed_at is null');
    for (const row of rows) run(row.workspace_id);
  };

  const listener = listenToChannel({
    connectionString: options.connectionString,
    channel: SCENARIO_CHANNEL,
    applicationName: 'kizuna-scenario-reactor',
    label: 'Scenarios',
    onNotification: run,
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
        if (state.retry) clearTimeout(state.retry);
        state.retry = null;
      }
      await listener.stop();
      settle();
      if (inFlight > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      await pool.end();
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

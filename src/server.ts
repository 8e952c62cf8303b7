import type { FastifyInstance } from 'fastify';
import { ensureFirstAdmin } from './auth/users.ts';
import type { KizunaConfig } from './config.ts';
import { createPool, openDatabase, type Database } from './db/connect.ts';
import { isDemoBrandLoaded, loadDemoBrand } from './demo/load-demo-brand.ts';
import { AnalyticsEngine } from './analytics/engine/analytics-engine.ts';
import { warmUpAnalytics } from './analytics/engine/warm-up.ts';
import { checkMessage, preloadMorphology } from './charter/check-message.ts';
import { hasJourneyHistory, placeDemoJourney, placeDemoJourneyHistory } from './demo/demo-journey.ts';
import { seedDemoCharter } from './demo/demo-templates.ts';
import { seedDemoScenarios } from './demo/demo-scenarios.ts';
import { buildApp } from './http/app.ts';
import { readActiveJourneyMap } from './journey-map/maps.ts';
import { startJourneyReactor } from './journey-map/placement/reactor.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { instanceSecret } from './shared/instance-secret.ts';
import { scheduleWakeJob, startWorker, WORKER_CONNECTIONS } from './worker/worker.ts';
import { scheduledTriggerTasks, scheduleEveryScenarioTrigger } from './worker/scheduled-job.ts';
import { startScenarioReactor } from './scenarios/runtime/reactor.ts';
import { createSmtpTransport } from './messaging/smtp.ts';
import { type MailCatcher, startMailCatcher } from './messaging/mail-catcher.ts';
import { DEMO_WORKSPACE, findWorkspace, type Workspace } from './workspaces/workspaces.ts';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Kizuna: the database (embedded unless DATABASE_URL is set), migrations, the first
 * admin and the demo brand on a first start, then the API and console on host:port.
 */
export async function startServer(
  config: KizunaConfig,
  hooks: {
    log: (line: string) => void;
    onDemoProgress?: (done: number, total: number) => void;
    /** "Today" for the demo brand's history, which ends yesterday; default the system clock. */
    clock?: Clock;
  },
): Promise<RunningServer> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    statementTimeoutMs: config.statementTimeoutMs,
    log: hooks.log,
  });
  let catcher: MailCatcher | undefined;
  try {
    // The demo without KIZUNA_SMTP_URL: a real SMTP server on loopback catches the mail (mail-catcher.ts).
    if (!config.smtpUrl) catcher = await startMailCatcher({ pool: database.pool, clock: hooks.clock ?? systemClock, log: hooks.log });
    const admin = await ensureFirstAdmin(database.db, { email: config.adminEmail, password: config.adminPassword });
    const demoWithoutHistory = await loadDemoOnFirstStart(database, config, hooks);
    // One engine for the process: the routes and the warm-up share it; app.close() closes it.
    const analytics = new AnalyticsEngine(database.pool);
    // Structured logs (JSON lines with each request's id) to stdout: every server error is there.
    const app = await buildApp({ database, config, analytics, secret: instanceSecret(config), caughtMail: catcher?.mailbox }, { logger: { level: 'info' } });
    await app.listen({ host: config.host, port: config.port });
    const shownHost = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
    const url = `http://${shownHost}:${config.port}`;
    hooks.log(`Kizuna is running at ${url}  (API docs: ${url}/docs)`);
    hooks.log(database.embedded ? `Database: embedded PostgreSQL in ${config.dataDir}` : 'Database: DATABASE_URL');
    warmAnalytics(database, analytics, hooks.log);
    // The journey map's live path: re-places the customers every write touched, and sweeps at local midnight.
    // While the demo's past year is replayed (one transaction under the placement lock) writes only queue
    // up; the reactor starts after it and drains them.
    const startReactor = () =>
      startJourneyReactor({ pool: database.pool, connectionString: database.url, clock: hooks.clock ?? systemClock, analytics, log: hooks.log });
    let journeyReactor: ReturnType<typeof startJourneyReactor> | null = null;
    const stopping = new AbortController();
    const reactorStarted = (
      demoWithoutHistory
        ? replayDemoJourneyInBackground(database, demoWithoutHistory, hooks.clock ?? systemClock, hooks.log, stopping.signal)
        : Promise.resolve()
    ).then(() => {
      if (!stopping.signal.aborted) journeyReactor = startReactor();
    });
    // The job queue's worker (scenario wake-ups, tasks and attribute updates; with SMTP, the
    // sends): jobs wait in the database until a worker takes them.
    const clock = hooks.clock ?? systemClock;
    const smtpUrl = config.smtpUrl ?? catcher?.url;
    const email = smtpUrl ? { transport: createSmtpTransport(smtpUrl), secret: instanceSecret(config), publicUrl: config.publicUrl } : undefined;
    if (catcher)
      hooks.log(
        `Email: KIZUNA_SMTP_URL is not set: mail is caught by a loopback SMTP server (${catcher.url}), not delivered; see 受信箱（デモ） / Caught mail in the console`,
      );
    // The worker's pool is its own: requests waiting for the application's pool never hold up a send.
    const workerPool = createPool({ url: database.url, max: WORKER_CONNECTIONS, applicationName: 'kizuna-worker', log: hooks.log });
    const worker = await startWorker({
      pool: workerPool,
      clock,
      log: hooks.log,
      email,
      extraTasks: scheduledTriggerTasks({ pool: workerPool, clock }),
      recover: true,
    });
    // Date and audience triggers: each active one's job at its next moment (a missed one runs now).
    await scheduleEveryScenarioTrigger({ pool: database.pool, clock });
    // Scenario triggers, exit rules and event waits: the writers' signals, woken by NOTIFY.
    const scenarioReactor = startScenarioReactor({ connectionString: database.url, clock, schedule: scheduleWakeJob, log: hooks.log });
    // The charter checker's Japanese dictionary, so the first check in the console does not wait for it.
    preloadMorphology().catch((error: unknown) =>
      hooks.log(`Charter checker: the dictionary will load on the first check (${error instanceof Error ? error.message : String(error)})`),
    );
    if (admin?.generatedPassword) {
      hooks.log(`Sign in as ${admin.email} with the password ${admin.generatedPassword}`);
      hooks.log('(shown only this once; set KIZUNA_ADMIN_PASSWORD before the first start to choose it)');
    } else if (admin) {
      hooks.log(`Sign in as ${admin.email} with the password from KIZUNA_ADMIN_PASSWORD`);
    }
    return {
      app,
      database,
      url,
      stop: async () => {
        // A replay in progress stops before its next weekly step and rolls back (the next start replays again).
        stopping.abort();
        await reactorStarted;
        await journeyReactor?.stop();
        await scenarioReactor.stop();
        await worker.stop();
        // The worker sends no more: its pooled SMTP connections end now (an SMTP server, the
        // demo's catcher too, waits for open connections before it closes).
        email?.transport.close();
        await app.close();
        await catcher?.close();
        await database.close();
        // Last: the job queue may still complete a job on it just after stop().
        await workerPool.end();
      },
    };
  } catch (error) {
    await catcher?.close();
    await database.close();
    throw error;
  }
}

/**
 * Warms the analytics engine in the background (warm-up.ts): a failure only means that
 * workspaces load on their first request.
 */
function warmAnalytics(database: Database, engine: AnalyticsEngine, log: (line: string) => void): void {
  void (async () => {
    const { rows } = await database.pool.query<{ id: string; name: string }>(
      'select w.id, w.name from workspaces w where exists (select 1 from orders o where o.workspace_id = w.id) order by w.id',
    );
    await warmUpAnalytics({ engine, workspaces: rows, log });
  })().catch((error: unknown) =>
    log(`Analytics engine: warm-up stopped (${error instanceof Error ? error.message : String(error)}); workspaces load on first use`),
  );
}

/**
 * The demo brand is loaded on the first start: when the demo workspace holds no customers
 * (so a first start stopped mid-load loads it again). KIZUNA_DEMO_CUSTOMERS=0 skips it. Its
 * journey map is placed as of now during the load; the demo workspace is returned while the
 * past year of the journey is still to be replayed (replayDemoJourneyInBackground), also for a
 * demo loaded before the journey map existed, or whose replay a stop interrupted.
 */
async function loadDemoOnFirstStart(database: Database, config: KizunaConfig, hooks: Parameters<typeof startServer>[1]): Promise<Workspace | null> {
  if (config.demoCustomers === 0) return null;
  const clock = hooks.clock ?? systemClock;
  if (await isDemoBrandLoaded(database.db)) {
    // A demo loaded before the charter existed gets the demo charter and templates now.
    const demo = await findWorkspace(database.db, DEMO_WORKSPACE);
    if (await seedDemoCharter({ pool: database.pool, workspaceId: demo.id, check: checkMessage }))
      hooks.log('Demo brand: relationship charter and templates added');
    // A demo loaded before the journey map existed gets the demo's map, placed now.
    if ((await readActiveJourneyMap({ pool: database.pool, workspaceId: demo.id })) === null) {
      const journey = await placeDemoJourney({ pool: database.pool, workspaceId: demo.id, timezone: demo.timezone, clock, history: false });
      hooks.log(`Demo brand: journey map added (${journey.seconds.toFixed(1)} s)`);
    }
    // A demo loaded before scenarios existed gets the 引き上げCRM and the 継続CRM 会報誌 now.
    const scenarios = await seedDemoScenarios({ pool: database.pool, db: database.db, workspaceId: demo.id, check: checkMessage, clock });
    if (scenarios.seeded) hooks.log('Demo brand: scenarios 引き上げCRM and 継続CRM (会報誌) published');
    return (await hasJourneyHistory(database.pool, demo.id)) ? null : demo;
  }
  hooks.log(`Loading the demo brand: ${config.demoCustomers.toLocaleString('en-US')} customers (seed ${config.demoSeed}), first start only...`);
  const started = performance.now();
  const summary = await loadDemoBrand(database, {
    customers: config.demoCustomers,
    seed: config.demoSeed,
    clock,
    journeyHistory: false,
    ...(hooks.onDemoProgress ? { onProgress: hooks.onDemoProgress } : {}),
  });
  hooks.log(
    `Demo brand "${summary.brand}" loaded in workspace "${DEMO_WORKSPACE}": ${summary.customers.toLocaleString('en-US')} customers, ` +
      `${summary.leads.toLocaleString('en-US')} leads, ${summary.rows.orders.toLocaleString('en-US')} orders, placed on its journey map ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s, the journey map ${summary.journey.seconds.toFixed(1)} s)`,
  );
  return summary.workspace;
}

/**
 * Replays the demo's past year on its journey map while the server runs (a placement a week:
 * the flows of the year appear when its one transaction commits; until then the diagram shows
 * now). A failure only means no flows yet: the next start tries again.
 */
function replayDemoJourneyInBackground(database: Database, demo: Workspace, clock: Clock, log: (line: string) => void, signal: AbortSignal): Promise<void> {
  log('Demo brand: placing the past year of its journey map in the background...');
  return placeDemoJourneyHistory({ pool: database.pool, workspaceId: demo.id, timezone: demo.timezone, clock, signal }).then(
    (replay) => log(`Demo brand: the journey map's past year is placed (${replay.steps} weekly placements, ${replay.moves.toLocaleString('en-US')} moves)`),
    (error: unknown) =>
      log(`Demo brand: the journey map's past year was not placed (${error instanceof Error ? error.message : String(error)}); the next start tries again`),
  );
}

import type { FastifyInstance } from 'fastify';
import { ensureFirstAdmin } from './auth/users.ts';
import type { KizunaConfig } from './config.ts';
import { openDatabase, type Database } from './db/connect.ts';
import { isDemoBrandLoaded, loadDemoBrand } from './demo/load-demo-brand.ts';
import { AnalyticsEngine } from './analytics/engine/analytics-engine.ts';
import { warmUpAnalytics } from './analytics/engine/warm-up.ts';
import { checkMessage, preloadMorphology } from './charter/check-message.ts';
import { seedDemoCharter } from './demo/demo-templates.ts';
import { buildApp } from './http/app.ts';
import { startJourneyReactor } from './journey-map/placement/reactor.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { DEMO_WORKSPACE, findWorkspace } from './workspaces/workspaces.ts';

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
  try {
    const admin = await ensureFirstAdmin(database.db, { email: config.adminEmail, password: config.adminPassword });
    await loadDemoOnFirstStart(database, config, hooks);
    // One engine for the process: the routes and the warm-up share it; app.close() closes it.
    const analytics = new AnalyticsEngine(database.pool);
    // Structured logs (JSON lines with each request's id) to stdout: every server error is there.
    const app = await buildApp({ database, config, analytics }, { logger: { level: 'info' } });
    await app.listen({ host: config.host, port: config.port });
    const shownHost = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
    const url = `http://${shownHost}:${config.port}`;
    hooks.log(`Kizuna is running at ${url}  (API docs: ${url}/docs)`);
    hooks.log(database.embedded ? `Database: embedded PostgreSQL in ${config.dataDir}` : 'Database: DATABASE_URL');
    warmAnalytics(database, analytics, hooks.log);
    // The journey map's live path: re-places the customers every write touched, and sweeps at local midnight.
    const journeyReactor = startJourneyReactor({
      pool: database.pool,
      connectionString: database.url,
      clock: hooks.clock ?? systemClock,
      analytics,
      log: hooks.log,
    });
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
        await journeyReactor.stop();
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
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
 * (so a first start stopped mid-load loads it again). KIZUNA_DEMO_CUSTOMERS=0 skips it.
 */
async function loadDemoOnFirstStart(database: Database, config: KizunaConfig, hooks: Parameters<typeof startServer>[1]): Promise<void> {
  if (config.demoCustomers === 0) return;
  if (await isDemoBrandLoaded(database.db)) {
    // A demo loaded before the charter existed gets the demo charter and templates now.
    const demo = await findWorkspace(database.db, DEMO_WORKSPACE);
    if (await seedDemoCharter({ pool: database.pool, workspaceId: demo.id, check: checkMessage }))
      hooks.log('Demo brand: relationship charter and templates added');
    return;
  }
  hooks.log(`Loading the demo brand: ${config.demoCustomers.toLocaleString('en-US')} customers (seed ${config.demoSeed}), first start only...`);
  const started = performance.now();
  const summary = await loadDemoBrand(database, {
    customers: config.demoCustomers,
    seed: config.demoSeed,
    clock: hooks.clock ?? systemClock,
    ...(hooks.onDemoProgress ? { onProgress: hooks.onDemoProgress } : {}),
  });
  hooks.log(
    `Demo brand "${summary.brand}" loaded in workspace "${DEMO_WORKSPACE}": ${summary.customers.toLocaleString('en-US')} customers, ` +
      `${summary.leads.toLocaleString('en-US')} leads, ${summary.rows.orders.toLocaleString('en-US')} orders (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

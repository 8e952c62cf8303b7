import type { FastifyInstance } from 'fastify';
import { ensureFirstAdmin } from './auth/users.ts';
import type { KizunaConfig } from './config.ts';
import { openDatabase, type Database } from './db/connect.ts';
import { buildApp } from './http/app.ts';

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
export async function startServer(config: KizunaConfig, hooks: {
  log: (line: string) => void;
  /** Loads the demo brand when the database has none yet (the CLI passes the demo loader). */
  seedDemo?: (database: Database) => Promise<void>;
}): Promise<RunningServer> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: hooks.log });
  try {
    const admin = await ensureFirstAdmin(database.db, { email: config.adminEmail, password: config.adminPassword });
    if (hooks.seedDemo) await hooks.seedDemo(database);
    const app = await buildApp({ database, config });
    await app.listen({ host: config.host, port: config.port });
    const shownHost = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
    const url = `http://${shownHost}:${config.port}`;
    hooks.log(`Kizuna is running at ${url}  (API docs: ${url}/docs)`);
    hooks.log(database.embedded ? `Database: embedded PostgreSQL in ${config.dataDir}` : 'Database: DATABASE_URL');
    if (admin?.generatedPassword) {
      hooks.log(`Sign in as ${admin.email} with the password ${admin.generatedPassword}`);
      hooks.log('(shown only this once; set KIZUNA_ADMIN_PASSWORD before the first start to choose it)');
    } else if (admin) {
      hooks.log(`Sign in as ${admin.email} with the password from KIZUNA_ADMIN_PASSWORD`);
    }
    return {
      app, database, url,
      stop: async () => {
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

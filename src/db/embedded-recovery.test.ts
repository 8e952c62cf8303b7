import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, livePostmaster } from './postmaster.ts';

/**
 * A Kizuna process on an embedded cluster, as the server runs it: the cluster (started, or
 * attached to), a pool, and a query every 100 ms, each outcome printed. "stop" on stdin
 * closes the pool and the cluster (as the server does on SIGTERM).
 */
const PROCESS = `
const { startEmbeddedPostgres } = await import('./src/db/embedded.ts');
const { createPool } = await import('./src/db/connect.ts');
const say = (line) => console.log(line);
const embedded = await startEmbeddedPostgres(process.env.KIZUNA_DATA_DIR, (line) => say('log: ' + line), { watchdogIntervalMs: 200 });
const pool = createPool({ url: embedded.url, max: 2, log: (line) => say('log: ' + line) });
await pool.query('select 1');
say('ready');
const ticker = setInterval(() => pool.query('select 1').then(() => say('query ok'), (error) => say('query failed ' + (error.code ?? error.message))), 100);
process.stdin.on('data', async () => {
  clearInterval(ticker);
  await pool.end();
  await embedded.stop();
  say('stopped');
  process.exit(0);
});
`;

interface KizunaProcess {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves when the output (from `from` on) matches; rejects when the process exits first. */
  until(pattern: RegExp, from?: number): Promise<void>;
  exited: Promise<number | null>;
}

function startProcess(dataDir: string): KizunaProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROCESS], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, KIZUNA_DATA_DIR: dataDir },
  });
  let output = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) waiter();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += `stderr: ${chunk.toString()}`;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    until: (pattern, from = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output.slice(from))) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
        void exited.then((code) => reject(new Error(`exited (${code}) before ${pattern}:\n${output}`)));
      }),
  };
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kizuna-embedded-'));
});
afterAll(async () => {
  const postmaster = await livePostmaster(path.join(dataDir, 'pg'));
  if (postmaster) process.kill(postmaster.pid, 'SIGINT');
  await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded PostgreSQL', () => {
  it('is started again by the running process when its postmaster is killed, and the queries work again', { timeout: 120_000 }, async () => {
    const owner = startProcess(dataDir);
    await owner.until(/^ready$/m);
    const killed = (await livePostmaster(path.join(dataDir, 'pg')))!;
    const before = owner.output().length;

    process.kill(killed.pid, 'SIGKILL');
    await owner.until(/query failed[\s\S]*running again[\s\S]*query ok/, before);

    const restarted = await livePostmaster(path.join(dataDir, 'pg'));
    expect(restarted?.pid).not.toBe(killed.pid);
    expect(restarted?.port).toBe(killed.port);
    owner.child.stdin.write('stop\n');
    expect(await owner.exited).toBe(0);
    expect(isAlive(restarted!.pid)).toBe(false);
  });

  it('left running by a process killed with SIGKILL, is stopped by the next process that attaches, when that one stops', { timeout: 120_000 }, async () => {
    const starter = startProcess(dataDir);
    await starter.until(/^ready$/m);
    const postmaster = (await livePostmaster(path.join(dataDir, 'pg')))!;
    starter.child.kill('SIGKILL');
    await starter.exited;
    expect(isAlive(postmaster.pid)).toBe(true);

    const next = startProcess(dataDir);
    await next.until(/left running by a Kizuna process that ended[\s\S]*^ready$/m);
    expect((await livePostmaster(path.join(dataDir, 'pg')))?.pid).toBe(postmaster.pid);
    next.child.stdin.write('stop\n');
    expect(await next.exited).toBe(0);
    expect(isAlive(postmaster.pid)).toBe(false);
  });
});

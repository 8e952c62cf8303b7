import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/** A worker process (test/support/worker-process.ts) started by a test or a benchmark, with the V8 flag `npm start` gives Kizuna (a larger young generation: less time in GC). */
export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves once the process printed "ready" (with WAIT_FOR_GO: after go()). */
  ready: Promise<void>;
  /** With WAIT_FOR_GO: resolves once the process waits for go(). */
  loaded: Promise<void>;
  /** Starts the worker of a process spawned with WAIT_FOR_GO. */
  go(): void;
  /** kill -9. */
  kill(): Promise<void>;
  /** SIGTERM, waits for it to end. */
  stop(): Promise<void>;
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const script = path.resolve(import.meta.dirname, 'worker-process.ts');
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  const printed = (word: string) => {
    const seen = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', () => {
        if (out.includes(word)) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`worker process ended before it was ${word} (${code ?? signal})`)));
    });
    seen.catch(() => {});
    return seen;
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const ready = printed('ready');
  const loaded = printed('loaded');
  return {
    child,
    ready,
    loaded,
    go: () => child.stdin!.write('go\n'),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

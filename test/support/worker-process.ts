/**
 * A Kizuna worker in a process of its own, for tests and benchmarks that kill it (`kill -9`)
 * mid-run and start another: startWorker with `recover` (a restarted worker takes over what a
 * dead one left), email over SMTP, against the database of DATABASE_URL.
 *
 *   node --import tsx test/support/worker-process.ts
 *   env: DATABASE_URL, KIZUNA_SMTP_URL (absent: no sends), KIZUNA_SECRET, KIZUNA_PUBLIC_URL,
 *        CLOCK_OFFSET_MS (the worker's clock: the real time moved by this), SENDS_IN_FLIGHT,
 *        WORKER_CONCURRENCY, WAIT_FOR_GO ('1': start the worker once "go" arrives on stdin)
 *
 * Prints "loaded" when it waits for "go", "ready" when the worker runs; stops cleanly on SIGTERM.
 */
import { createPool } from '../../src/db/connect.ts';
import { createSmtpTransport } from '../../src/messaging/smtp.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { startWorker } from '../../src/worker/worker.ts';

const env = process.env;
const offset = Number(env.CLOCK_OFFSET_MS ?? '0');
const clock: Clock = { now: () => new Date(Date.now() + offset) };
const concurrency = Number(env.WORKER_CONCURRENCY ?? '4');
const pool = createPool({ url: env.DATABASE_URL!, max: concurrency + 4, applicationName: 'kizuna-worker-process', log: (line) => console.error(line) });
const transport = env.KIZUNA_SMTP_URL ? createSmtpTransport(env.KIZUNA_SMTP_URL) : null;

if (env.WAIT_FOR_GO === '1') {
  process.stdout.write('loaded\n');
  await new Promise<void>((resolve) => {
    process.stdin.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('go')) resolve();
    });
  });
}
const worker = await startWorker({
  pool,
  clock,
  concurrency,
  recover: true,
  ...(env.SENDS_IN_FLIGHT ? { sendsInFlight: Number(env.SENDS_IN_FLIGHT) } : {}),
  ...(env.KIZUNA_GOVERNANCE === 'off' ? { governance: false } : {}),
  email: transport ? { transport, secret: env.KIZUNA_SECRET ?? 's'.repeat(40), publicUrl: env.KIZUNA_PUBLIC_URL ?? 'https://crm.example.jp' } : undefined,
  log: (line) => console.error(line),
});
process.stdout.write('ready\n');
process.stdin.resume();
process.on('SIGTERM', () => {
  void (async () => {
    await worker.stop();
    transport?.close();
    await pool.end();
    process.exit(0);
  })();
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshWorkspace, isolatedTestDatabase } from '../../test/support/database.ts';
import { startSmtpSink, type SmtpSink } from '../../test/support/smtp-sink.ts';
import { spawnWorker, type WorkerProcess } from '../../test/support/spawn-worker.ts';
import type { Database } from '../db/connect.ts';
import { withTransaction } from '../db/transaction.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import { messageIdFor } from '../messaging/send-email.ts';
import { readSenderSettings } from '../messaging/sender-settings.ts';
import { STALE_SENDING_MINUTES } from '../scenarios/runtime/effects.ts';
import { enrollCustomer } from '../scenarios/runtime/enrollments.ts';
import { publishScenario } from '../scenarios/scenarios.ts';
import { marketingScenario, prepareScenarioWorkspace } from '../scenarios/test-scenario.ts';
import { systemClock } from '../shared/clock.ts';
import { scheduleWakeJob } from './worker.ts';

/**
 * `kill -9` of a worker in the middle of a batch of sends, then another worker: at the SMTP
 * server no Message-ID arrives twice, every send was received exactly once or is recorded as
 * interrupted (at most the sends in flight at the kill) and not sent again, and every
 * enrollment reaches its end. Real processes: the workers run test/support/worker-process.ts
 * against a database of this file's own (its jobs are no other file's), the SMTP server runs here.
 */
const CUSTOMERS = 400;
const SENDS_IN_FLIGHT = 8;
const CONCURRENCY = 4;
let database: Database;
let sink: SmtpSink;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  database = await isolatedTestDatabase();
  sink = await startSmtpSink();
});
afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await sink.close();
  await database.close();
});

async function until(read: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 1200; attempt++) {
    if (await read()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within 60 s: ${what}`);
}

describe('a worker killed mid-run', () => {
  it('never sends twice and never loses a step: the next worker finishes, the sends in flight at the kill are recorded as interrupted', async () => {
    const { pool } = database;
    const workspace = await freshWorkspace(database);
    const { templateIds } = await prepareScenarioWorkspace(pool, workspace, systemClock);
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => `K-${i}`);
    await ingest(
      pool,
      workspace,
      'customers',
      ids.map((id) => ({
        customer_id: id,
        name: `顧客 ${id}`,
        email: `${id.toLowerCase()}@example.jp`,
        consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2026-05-01T10:00:00+09:00', source: 'signup form' }],
      })),
      systemClock,
    );
    const published = await publishScenario({
      pool,
      workspaceId: workspace.id,
      input: marketingScenario({
        key: 'crash_test',
        name: '一分後のご案内',
        trigger: { kind: 'event', type: 'survey_answer', where: [] },
        start: 'pause',
        steps: [
          { kind: 'wait', id: 'pause', duration: { minutes: 1 }, next: 'notice' },
          { kind: 'send', id: 'notice', channel: 'email', templateId: templateIds[0]!, next: 'mark' },
          { kind: 'update_attribute', id: 'mark', name: 'noticed', value: true, next: null },
        ],
      }),
      actor: { kind: 'system', label: 'test' },
      clock: systemClock,
    });
    const version = { scenarioId: published.scenario.id, version: published.version.version, document: published.version.document };
    // Entered two minutes ago: every wake-up job is due as soon as a worker runs.
    const t0 = new Date(Date.now() - 2 * 60_000);
    const { rows: customers } = await pool.query<{ id: string }>('select id::text from customers where workspace_id = $1 order by id', [workspace.id]);
    await withTransaction(pool, async (client) => {
      for (const customer of customers) {
        const outcome = await enrollCustomer(client, {
          workspaceId: workspace.id,
          timezone: workspace.timezone,
          version,
          customerId: customer.id,
          trigger: { kind: 'event', ref: null, at: t0.toISOString() },
          now: t0,
          schedule: scheduleWakeJob,
        });
        expect(outcome.enrolled).toBe(true);
      }
    });

    const env = {
      DATABASE_URL: database.url,
      KIZUNA_SMTP_URL: `${sink.url}?maxConnections=4`,
      SENDS_IN_FLIGHT: String(SENDS_IN_FLIGHT),
      WORKER_CONCURRENCY: String(CONCURRENCY),
    };
    const first = spawnWorker(env);
    workers.push(first);
    await first.ready;
    await until(async () => sink.received.length >= CUSTOMERS / 4, 'a quarter of the sends arrived');
    await first.kill();
    const atKill = sink.received.length;
    expect(atKill).toBeLessThan(CUSTOMERS);

    // The next worker's clock is past the 10 minutes after which a send left `sending` is taken for a dead performer's.
    const second = spawnWorker({ ...env, CLOCK_OFFSET_MS: String((STALE_SENDING_MINUTES + 1) * 60_000) });
    workers.push(second);
    await second.ready;
    await until(async () => {
      const { rows } = await pool.query<{ open: number }>(
        `select (select count(*)::int from scenario_enrollments where workspace_id = $1 and status = 'active')
              + (select count(*)::int from scenario_effects where workspace_id = $1 and status in ('pending', 'sending')) as open`,
        [workspace.id],
      );
      return rows[0]!.open === 0;
    }, 'every enrollment finished and every effect settled');
    await second.stop();

    const { rows: enrollments } = await pool.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from scenario_enrollments where workspace_id = $1 group by status',
      [workspace.id],
    );
    expect(enrollments).toEqual([{ status: 'completed', n: CUSTOMERS }]);
    const { rows: effects } = await pool.query<{ key: string; kind: string; status: string; reason: string | null }>(
      `select key, kind, status, outcome->>'reason' as reason from scenario_effects where workspace_id = $1`,
      [workspace.id],
    );
    const sends = effects.filter((effect) => effect.kind === 'send');
    expect(sends).toHaveLength(CUSTOMERS);
    expect(effects.filter((effect) => effect.kind === 'update_attribute').every((effect) => effect.status === 'done')).toBe(true);

    const arrivals = new Map<string, number>();
    for (const mail of sink.received) arrivals.set(mail.parsed.messageId ?? '', (arrivals.get(mail.parsed.messageId ?? '') ?? 0) + 1);
    expect([...arrivals.values()].filter((count) => count > 1)).toEqual([]);
    const sender = await readSenderSettings(database.db, workspace.id);
    const interrupted = sends.filter((send) => send.status === 'failed' && send.reason === 'interrupted');
    for (const send of sends) {
      const received = arrivals.get(messageIdFor(send.key, sender)) ?? 0;
      if (send.status === 'done') expect(received, send.key).toBe(1);
      else expect(interrupted, `${send.key}: ${send.status} ${send.reason}`).toContain(send);
    }
    // Only sends under way at the kill: per effects job, fewer than 2 × SENDS_IN_FLIGHT (at the
    // SMTP server, or answered and not yet written); a job rung while another of its workspace
    // runs may run beside it, so up to CONCURRENCY of them.
    expect(interrupted.length).toBeLessThan(2 * SENDS_IN_FLIGHT * CONCURRENCY);
    expect(sink.received.length).toBe(arrivals.size);
    expect(arrivals.size).toBeGreaterThanOrEqual(CUSTOMERS - interrupted.length);
    console.log(`kill at ${atKill} received; ${arrivals.size} distinct Message-IDs, ${interrupted.length} interrupted, 0 duplicates`);
  }, 120_000);
});

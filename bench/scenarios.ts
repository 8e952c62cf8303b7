/**
 * Scenarios (issue 13, "## Performance"), run as `kizuna serve` runs them: the ingest API
 * (buildApp over HTTP), the scenario reactor (startScenarioReactor, schedule: scheduleWakeJob)
 * and the job queue's worker (startWorker with email over SMTP) on one PostgreSQL, sending to a
 * lean local SMTP sink (bench/support/lean-smtp-sink.ts: real SMTP, records Message-ID,
 * recipient and arrival time only).
 *
 * 1. Latency: N triggers (default 1,000), each one event (page_view, page=course) POSTed alone to
 *    …/events/batch, fired open-loop at --rate per second; from the API's acknowledgement of a
 *    trigger until the sink accepted its customer's message: p50, p95, max.
 * 2. Throughput: M customers (default 100,000) enrolled at T0 (enrollCustomer, no wake-up jobs)
 *    in a scenario "wait 1 minute, then send"; the clock set past the wait, runDueSteps (with
 *    scheduleWakeJob, whose effectsWritten rings the effects job) advances them all while the
 *    worker performs the sends: from the start of runDueSteps until the sink holds M messages.
 *    Baseline in the same run: the same rendered message sent with the same nodemailer
 *    transport, one after another as the performer does (performPendingEffects sends one effect
 *    at a time, and one effects job runs per workspace), and the ratio.
 *
 *   npm run bench:scenarios [-- --triggers 1000] [-- --rate 20] [-- --customers 100000] [-- --baseline-sends 10000]
 *                           [-- --smtp-query 'pool=true&maxConnections=1']   ('' : one SMTP connection per message)
 *
 * Uses DATABASE_URL when set, else the embedded PostgreSQL; a fresh database either way.
 */
import { parseArgs } from 'node:util';
import { progress } from './support/progress.ts';
import { Kysely, PostgresDialect } from 'kysely';
import { createApiKey } from '../src/auth/api-keys.ts';
import { readTemplate } from '../src/charter/templates.ts';
import { withTransaction } from '../src/db/transaction.ts';
import type { DB } from '../src/db/schema.ts';
import { buildApp } from '../src/http/app.ts';
import { ingest } from '../src/journey-map/placement/test-map.ts';
import { createEmailRenderer } from '../src/messaging/render.ts';
import { readSenderSettings } from '../src/messaging/sender-settings.ts';
import { createSmtpTransport } from '../src/messaging/smtp.ts';
import { unsubscribeToken, unsubscribeUrl } from '../src/messaging/unsubscribe-token.ts';
import { enrollCustomer, runDueSteps } from '../src/scenarios/runtime/enrollments.ts';
import { startScenarioReactor } from '../src/scenarios/runtime/reactor.ts';
import { publishScenario } from '../src/scenarios/scenarios.ts';
import { prepareScenarioWorkspace } from '../src/scenarios/test-scenario.ts';
import type { Clock } from '../src/shared/clock.ts';
import { scheduleWakeJob, startWorker } from '../src/worker/worker.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase, percentiles } from './support/bench-database.ts';
import { startLeanSmtpSink } from './support/lean-smtp-sink.ts';

const { values: args } = parseArgs({
  options: {
    triggers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '20' },
    customers: { type: 'string', default: '100000' },
    'baseline-sends': { type: 'string', default: '10000' },
    /** Appended to the sink's URL as createSmtpTransport reads it (KIZUNA_SMTP_URL's query); '' for a connection per message. */
    'smtp-query': { type: 'string', default: 'pool=true&maxConnections=1' },
  },
});
const TRIGGERS = Number(args.triggers);
const RATE = Number(args.rate);
const CUSTOMERS = Number(args.customers);
const BASELINE_SENDS = Math.min(Number(args['baseline-sends']), Math.max(CUSTOMERS, 1));
const INGEST_BATCH = 1_000;
const ENROLL_BATCH = 500;
const SECRET = 'b'.repeat(40);
const PUBLIC_URL = 'https://crm.example.jp';
const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;
const s = (seconds: number) => (seconds < 1 ? ms(seconds) : `${seconds.toFixed(2)} s`);

/** The real time moved by an offset: the runtime's clock, set past a wait without sleeping. */
let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

const { database, drop } = await openBenchDatabase('scenarios');
const { pool } = database;
const figures: Record<string, unknown> = { triggers: TRIGGERS, rate: RATE, customers: CUSTOMERS };
const sink = await startLeanSmtpSink();
const SMTP_URL = args['smtp-query'] ? `${sink.url}?${args['smtp-query']}` : sink.url;
const transport = createSmtpTransport(SMTP_URL);
try {
  const workspace = await createWorkspace(database.db, { name: 'bench-scenarios' });
  const { templateIds } = await prepareScenarioWorkspace(pool, workspace, clock);

  // Customers with email + marketing consent: L-i for the latency triggers, T-i for the timer.
  const customer = (id: string) => ({
    customer_id: id,
    name: `顧客 ${id}`,
    email: `${id.toLowerCase()}@example.jp`,
    consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2026-05-01T10:00:00+09:00', source: 'signup form' }],
  });
  const ids = [...Array.from({ length: TRIGGERS }, (_, i) => `L-${i}`), ...Array.from({ length: CUSTOMERS }, (_, i) => `T-${i}`)];
  const customersBar = progress('customers {bar} {value}/{total} | {duration_formatted}');
  const loadStarted = performance.now();
  for (let at = 0; at < ids.length; at += INGEST_BATCH) {
    await ingest(pool, workspace, 'customers', ids.slice(at, at + INGEST_BATCH).map(customer), clock);
    customersBar.update(Math.min(at + INGEST_BATCH, ids.length), ids.length);
  }
  customersBar.stop();
  console.log(`customers: ${n(ids.length)} with email + marketing consent in ${s((performance.now() - loadStarted) / 1000)}`);
  await pool.query('vacuum (analyze) customers');

  const publish = async (input: Record<string, unknown>) => {
    const outcome = await publishScenario({ pool, workspaceId: workspace.id, input, actor: { kind: 'system', label: 'bench' }, clock });
    return outcome.version;
  };
  const common = {
    purpose: 'marketing',
    department: 'marketing',
    priority: 50,
    channels: ['email'],
    reentry: { kind: 'once' },
    exitRules: [],
  };
  await publish({
    ...common,
    key: 'bench_latency',
    name: 'ご来店のお礼',
    trigger: { kind: 'event', type: 'page_view', where: [{ property: 'page', op: '=', value: 'course' }] },
    start: 'thanks',
    steps: [{ kind: 'send', id: 'thanks', channel: 'email', templateId: templateIds[0]!, next: null }],
  });
  const timed = await publish({
    ...common,
    key: 'bench_timer',
    name: '一分後のご案内',
    trigger: { kind: 'event', type: 'survey_answer', where: [] },
    start: 'pause',
    steps: [
      { kind: 'wait', id: 'pause', duration: { minutes: 1 }, next: 'notice' },
      { kind: 'send', id: 'notice', channel: 'email', templateId: templateIds[0]!, next: null },
    ],
  });

  // As `kizuna serve` runs them.
  const worker = await startWorker({
    pool,
    clock,
    email: { transport, secret: SECRET, publicUrl: PUBLIC_URL },
    log: (line) => console.error(line),
  });
  const reactor = startScenarioReactor({
    pool,
    connectionString: database.url,
    clock,
    schedule: scheduleWakeJob,
    log: (line) => {
      if (line.includes('failed')) console.error(line);
    },
  });
  const app = await buildApp({ database, config: { secureCookies: false }, clock });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    // 1. Latency: one event per request, open-loop at RATE per second.
    const { key } = await createApiKey(database.db, { workspaceId: workspace.id, name: 'bench-scenarios', role: 'marketing' });
    const acknowledged = new Map<string, number>();
    const latencies: number[] = [];
    const latencyBar = progress('latency triggers {bar} {value}/{total} sent | {duration_formatted}');
    const arrivedBefore = sink.arrivals.length;
    sink.onArrival = (arrival) => {
      const ack = acknowledged.get(arrival.to);
      if (ack !== undefined) latencies.push((arrival.at - ack) / 1000);
      latencyBar.update(latencies.length, TRIGGERS);
    };
    const fire = async (i: number) => {
      const id = `L-${i}`;
      const response = await fetch(`${address}/api/v1/workspaces/${encodeURIComponent(workspace.name)}/events/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          records: [
            { idempotency_key: `bench-${i}`, customer_id: id, type: 'page_view', occurred_at: clock.now().toISOString(), properties: { page: 'course' } },
          ],
        }),
      });
      if (!response.ok) throw new Error(`ingest refused: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      acknowledged.set(`${id.toLowerCase()}@example.jp`, performance.now());
    };
    const latencyStarted = performance.now();
    const requests: Promise<void>[] = [];
    for (let i = 0; i < TRIGGERS; i++) {
      const due = latencyStarted + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      requests.push(fire(i));
    }
    await Promise.all(requests);
    await sink.waitFor(arrivedBefore + TRIGGERS);
    latencyBar.stop();
    sink.onArrival = null;
    // A mail can only be counted once its acknowledgement was recorded: none arrived before its ack.
    const lat = percentiles(latencies);
    const latMax = Math.max(...latencies);
    console.log('');
    console.log(
      `Scenarios benchmark (${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}), worker concurrency 4, sends one at a time per workspace, SMTP ${SMTP_URL.replace(sink.url, 'sink')}`,
    );
    console.log(
      `latency: ${n(latencies.length)} of ${n(TRIGGERS)} triggers (one event per request, ${RATE}/s); API ack → accepted by SMTP: p50 ${ms(lat.p50)}, p95 ${ms(lat.p95)}, max ${ms(latMax)}; goal p95 < 1 s: ${lat.p95 < 1 ? 'met' : 'NOT met'}`,
    );
    figures.latency = { measured: latencies.length, p50: lat.p50, p95: lat.p95, max: latMax };

    // 2a. Baseline: the same rendered message, the same transport, one send after another.
    const recipient = { id: '0', name: '顧客 T-0', email: 't-0@example.jp' };
    const rendered = await createEmailRenderer().render({
      template: await readTemplate({ pool, workspaceId: workspace.id, templateId: templateIds[0]! }),
      purpose: 'marketing',
      sender: await readSenderSettings(new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), workspace.id),
      customer: recipient,
      product: null,
      reasonText: 'シナリオ「一分後のご案内」の対象となったため',
      unsubscribeUrl: unsubscribeUrl(PUBLIC_URL, unsubscribeToken(SECRET, { workspaceId: workspace.id, customerId: '1', issuedAt: clock.now() })),
    });
    const baselineBar = progress('baseline sends {bar} {value}/{total} | {duration_formatted}');
    const baselineStarted = performance.now();
    for (let i = 0; i < BASELINE_SENDS; i++) {
      await transport.sendMail({
        from: { name: 'みのり青汁本舗', address: 'info@minori.example.jp' },
        to: recipient.email,
        subject: rendered.subject,
        text: rendered.text,
        ...(rendered.html !== null ? { html: rendered.html } : {}),
        messageId: `<bench-baseline-${i}@minori.example.jp>`,
        headers: { 'List-Unsubscribe': `<${rendered.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      if (i % 100 === 99) baselineBar.update(i + 1, BASELINE_SENDS);
    }
    baselineBar.stop();
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    const baselineRate = BASELINE_SENDS / baselineSeconds;

    // 2b. Throughput: M customers enrolled at T0 (no wake-up jobs), released at once.
    const { rows: timerCustomers } = await pool.query<{ id: string }>(
      `select id::text from customers where workspace_id = $1 and external_id like 'T-%' order by id`,
      [workspace.id],
    );
    const t0 = clock.now();
    const trigger = { kind: 'event' as const, ref: null, at: t0.toISOString() };
    const enrollBar = progress('enrollments {bar} {value}/{total} | {duration_formatted}');
    const enrollStarted = performance.now();
    for (let at = 0; at < timerCustomers.length; at += ENROLL_BATCH) {
      await withTransaction(pool, async (client) => {
        for (const row of timerCustomers.slice(at, at + ENROLL_BATCH)) {
          const outcome = await enrollCustomer(client, {
            workspaceId: workspace.id,
            timezone: workspace.timezone,
            version: timed,
            customerId: row.id,
            trigger,
            now: t0,
          });
          if (!outcome.enrolled) throw new Error(`customer ${row.id} not enrolled: ${outcome.reason}`);
        }
      });
      enrollBar.update(Math.min(at + ENROLL_BATCH, timerCustomers.length), timerCustomers.length);
    }
    enrollBar.stop();
    const enrollSeconds = (performance.now() - enrollStarted) / 1000;
    await pool.query('vacuum (analyze) scenario_enrollments');

    offsetMs = 2 * 60_000;
    const before = sink.arrivals.length;
    const releaseBar = progress('released → sent {bar} {value}/{total} | {duration_formatted}');
    sink.onArrival = () => {
      const done = sink.arrivals.length - before;
      if (done % 100 === 0) releaseBar.update(done, CUSTOMERS);
    };
    const releaseStarted = performance.now();
    let advanced = 0;
    for (;;) {
      const step = await runDueSteps({ pool, clock, workspaceId: workspace.id, schedule: scheduleWakeJob });
      advanced += step;
      if (step === 0) break;
    }
    const advanceSeconds = (performance.now() - releaseStarted) / 1000;
    await sink.waitFor(before + CUSTOMERS);
    const releaseSeconds = (performance.now() - releaseStarted) / 1000;
    releaseBar.stop();
    sink.onArrival = null;
    const released = sink.arrivals.slice(before);
    const unique = new Set(released.map((arrival) => arrival.messageId)).size;
    const rate = CUSTOMERS / releaseSeconds;
    console.log(`enrolled ${n(timerCustomers.length)} customers at T0 (no wake-up jobs) in ${s(enrollSeconds)}`);
    console.log(`throughput: ${n(CUSTOMERS)} released by one timer → all accepted by SMTP in ${s(releaseSeconds)}: ${n(rate)} sends/s end to end`);
    console.log(
      `  runDueSteps advanced ${n(advanced)} enrollments in ${s(advanceSeconds)} (${n(advanced / advanceSeconds)}/s); ${n(unique)} distinct Message-IDs at the sink`,
    );
    console.log(
      `baseline: the same message, same nodemailer transport, sequential: ${n(BASELINE_SENDS)} in ${s(baselineSeconds)} = ${n(baselineRate)} sends/s`,
    );
    console.log(`ratio Kizuna / baseline: ${(rate / baselineRate).toFixed(2)}; goal ≥ 2,000 sends/s: ${rate >= 2000 ? 'met' : 'NOT met'}`);
    figures.throughput = {
      released: CUSTOMERS,
      seconds: releaseSeconds,
      sendsPerSecond: rate,
      advanceSeconds,
      advanced,
      distinctMessageIds: unique,
      enrollSeconds,
    };
    figures.baseline = { sends: BASELINE_SENDS, seconds: baselineSeconds, sendsPerSecond: baselineRate, ratio: rate / baselineRate };
  } finally {
    await app.close();
    await reactor.stop();
    await worker.stop();
  }
  console.log(JSON.stringify(figures));
} finally {
  transport.close();
  await sink.close();
  await drop();
}

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
 * 2. Throughput: M customers (default 100,000) enrolled two minutes ago in a scenario "wait 1
 *    minute, then send" (enrollCustomers, a thousand at a time, each with its wake-up job
 *    `step:${enrollmentId}:pause`): all due at the same moment. A worker process (as `kizuna
 *    worker` runs) starts: from its start until the sink holds M messages. With --fault it is
 *    killed (kill -9) when half have arrived and another takes over: duplicates and losses are
 *    counted at the sink by Message-ID.
 *    Baseline in the same run: the same rendered messages sent by raw nodemailer (sendMail with
 *    the same transport settings and as many in flight) from a process of its own, and the ratio.
 *    Each release starts from vacuumed tables, a CHECKPOINT and an OS sync (its setup's writes are
 *    not its cost); while it runs only the sink is watched (the database is asked at the end).
 *
 *   npm run bench:scenarios [-- --triggers 1000] [-- --rate 20] [-- --customers 100000] [-- --baseline-sends 10000]
 *                           [-- --smtp-query 'pool=true&maxConnections=1']   ('' : one SMTP connection per message)
 *
 * Uses DATABASE_URL when set, else the embedded PostgreSQL; a fresh database either way.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { spawnWorker } from '../test/support/spawn-worker.ts';
import { progress } from './support/progress.ts';
import { Kysely, PostgresDialect } from 'kysely';
import { createApiKey } from '../src/auth/api-keys.ts';
import { fakeCheck } from '../src/charter/fake-checker.ts';
import { createTemplate, publishTemplate, readTemplate } from '../src/charter/templates.ts';
import { DEMO_SCENARIO_TEMPLATES } from '../src/demo/demo-scenario-templates.ts';
import { createPool } from '../src/db/connect.ts';
import { withTransaction } from '../src/db/transaction.ts';
import type { DB } from '../src/db/schema.ts';
import { buildApp } from '../src/http/app.ts';
import { ingest } from '../src/journey-map/placement/test-map.ts';
import { createEmailRenderer } from '../src/messaging/render.ts';
import { readSenderSettings } from '../src/messaging/sender-settings.ts';
import { createSmtpTransport } from '../src/messaging/smtp.ts';
import { unsubscribeToken, unsubscribeUrl } from '../src/messaging/unsubscribe-token.ts';
import { messageIdFor } from '../src/messaging/send-email.ts';
import { DEFAULT_IN_FLIGHT, STALE_SENDING_MINUTES } from '../src/scenarios/runtime/effects.ts';
import { enrollCustomers } from '../src/scenarios/runtime/enrollments.ts';
import { startScenarioReactor } from '../src/scenarios/runtime/reactor.ts';
import { publishScenario } from '../src/scenarios/scenarios.ts';
import type { ScenarioDocument } from '../src/scenarios/model.ts';
import { marketingScenario, prepareScenarioWorkspace } from '../src/scenarios/test-scenario.ts';
import type { Clock } from '../src/shared/clock.ts';
import { scheduleWakeJob, startWorker, WORKER_CONNECTIONS } from '../src/worker/worker.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase, percentiles } from './support/bench-database.ts';
import { prepareGovernedRun } from './support/governance-rules.ts';
import { startLeanSmtpSink } from './support/lean-smtp-sink.ts';

const { values: args } = parseArgs({
  options: {
    triggers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '20' },
    customers: { type: 'string', default: '100000' },
    'baseline-sends': { type: 'string', default: '10000' },
    /** Appended to the sink's URL as createSmtpTransport reads it (KIZUNA_SMTP_URL's query; pooled with 8 connections by default). */
    'smtp-query': { type: 'string', default: '' },
    /** Sends in flight per effects job (and in the baseline). */
    'in-flight': { type: 'string', default: String(DEFAULT_IN_FLIGHT) },
    /** Jobs the throughput run's worker runs at once. */
    concurrency: { type: 'string', default: '4' },
    /**
     * The message: `text`, a one-line text template (about 1.4 KB composed: the goal is judged on
     * it), or `newsletter`, the demo's monthly 会報誌 (MJML: HTML and text parts, about 17 KB).
     */
    message: { type: 'string', default: 'text' },
    /** kill -9 the worker when half the messages arrived, start another. */
    fault: { type: 'boolean', default: false },
    /**
     * The contact rules: `on` (as `kizuna serve`; no rules saved: every send decided and recorded),
     * `off` (sends skip them), or `compare`: the release twice in this run, first with them off,
     * then on with five rules and a year of contact history for every customer (npm run bench:governance).
     */
    governance: { type: 'string', default: 'on' },
  },
});
const TRIGGERS = Number(args.triggers);
const RATE = Number(args.rate);
const CUSTOMERS = Number(args.customers);
const BASELINE_SENDS = Math.min(Number(args['baseline-sends']), Math.max(CUSTOMERS, 1));
const IN_FLIGHT = Number(args['in-flight']);
const CONCURRENCY = Number(args.concurrency);
const FAULT = args.fault;
const GOVERNANCE = args.governance;
if (!['on', 'off', 'compare'].includes(GOVERNANCE)) throw new Error(`--governance is on, off or compare, not ${GOVERNANCE}`);
const INGEST_BATCH = 1_000;
const ENROLL_BATCH = 1_000;
const SECRET = 'b'.repeat(40);
const PUBLIC_URL = 'https://crm.example.jp';
const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;
const s = (seconds: number) => (seconds < 1 ? ms(seconds) : `${seconds.toFixed(2)} s`);

/** The real time moved by an offset: the runtime's clock, set past a wait without sleeping. */
const offsetMs = 0;
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
  if (args.message !== 'newsletter' && args.message !== 'text') throw new Error(`--message is newsletter or text, not ${args.message}`);
  // The message every send of both runs (and the baseline) carries.
  let templateId = templateIds[0]!;
  if (args.message === 'newsletter') {
    const deps = { pool, workspaceId: workspace.id, check: fakeCheck };
    const actor = { kind: 'system' as const, label: 'bench' };
    const created = await createTemplate({ ...deps, input: { ...DEMO_SCENARIO_TEMPLATES.newsletter, department: 'marketing' }, actor });
    await publishTemplate({ ...deps, templateId: created.id, actor, actorIsAdmin: true });
    templateId = created.id;
  }

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

  const publish = async (input: ScenarioDocument) => {
    const outcome = await publishScenario({ pool, workspaceId: workspace.id, input, actor: { kind: 'system', label: 'bench' }, clock });
    return outcome.version;
  };
  await publish(
    marketingScenario({
      key: 'bench_latency',
      name: 'ご来店のお礼',
      trigger: { kind: 'event', type: 'page_view', where: [{ property: 'page', op: '=', value: 'course' }] },
      start: 'thanks',
      steps: [{ kind: 'send', id: 'thanks', channel: 'email', templateId, next: null }],
    }),
  );
  const timedFirst = await publish(
    marketingScenario({
      key: 'bench_timer',
      name: '一分後のご案内',
      trigger: { kind: 'event', type: 'survey_answer', where: [] },
      start: 'pause',
      steps: [
        { kind: 'wait', id: 'pause', duration: { minutes: 1 }, next: 'notice' },
        { kind: 'send', id: 'notice', channel: 'email', templateId, next: null },
      ],
    }),
  );

  // As `kizuna serve` runs them (the worker on a pool of its own).
  const workerPool = createPool({ url: database.url, max: WORKER_CONNECTIONS, applicationName: 'kizuna-worker' });
  const worker = await startWorker({
    pool: workerPool,
    clock,
    email: { transport, secret: SECRET, publicUrl: PUBLIC_URL },
    log: (line) => console.error(line),
  });
  const reactor = startScenarioReactor({
    connectionString: database.url,
    clock,
    schedule: scheduleWakeJob,
    log: (line) => {
      if (line.includes('failed')) console.error(line);
    },
  });
  let workerStopped = false;
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
      `Scenarios benchmark (${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}), message: ${args.message === 'newsletter' ? "the demo's 会報誌 (MJML, HTML + text)" : 'one line of text'}, in-process worker (concurrency 4, ${IN_FLIGHT} sends in flight), SMTP ${SMTP_URL.replace(sink.url, 'sink')} (pooled by default)`,
    );
    console.log(
      `latency: ${n(latencies.length)} of ${n(TRIGGERS)} triggers (one event per request, ${RATE}/s); API ack → accepted by SMTP: p50 ${ms(lat.p50)}, p95 ${ms(lat.p95)}, max ${ms(latMax)}; goal p95 < 1 s: ${lat.p95 < 1 ? 'met' : 'NOT met'}`,
    );
    figures.latency = { measured: latencies.length, p50: lat.p50, p95: lat.p95, max: latMax };

    // The latency part's worker stops: the throughput run's worker is a process of its own.
    await worker.stop();
    workerStopped = true;

    // 2a. Baseline: the same messages (rendered for the first customers as the performer renders
    // them), sent by raw nodemailer from a process of its own with the same transport settings
    // and as many in flight as the worker keeps.
    const renderer = createEmailRenderer();
    const template = await readTemplate({ pool, workspaceId: workspace.id, templateId });
    const sender = await readSenderSettings(new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), workspace.id);
    const messages = [];
    for (let i = 0; i < BASELINE_SENDS; i++) {
      const recipient = { id: String(i), name: `顧客 T-${i}`, email: `t-${i}@example.jp` };
      const rendered = await renderer.render({
        template,
        purpose: 'marketing',
        sender,
        customer: recipient,
        product: null,
        reasonText: 'シナリオ「一分後のご案内」の対象となったため',
        unsubscribeUrl: unsubscribeUrl(PUBLIC_URL, unsubscribeToken(SECRET, { workspaceId: workspace.id, customerId: recipient.id, issuedAt: clock.now() })),
      });
      messages.push({
        from: { name: sender.senderName ?? '', address: sender.fromAddress! },
        to: recipient.email,
        subject: rendered.subject,
        text: rendered.text,
        ...(rendered.html !== null ? { html: rendered.html } : {}),
        messageId: `<bench-baseline-${i}@minori.example.jp>`,
        headers: { 'List-Unsubscribe': `<${rendered.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
    }
    const messagesFile = path.join(await mkdtemp(path.join(tmpdir(), 'kizuna-bench-')), 'messages.json');
    await writeFile(messagesFile, JSON.stringify(messages));
    console.log(`baseline: ${n(BASELINE_SENDS)} messages by raw nodemailer (${IN_FLIGHT} in flight) …`);
    // Asynchronously: the sink runs in this process.
    const { stdout: baselineOut } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.resolve(import.meta.dirname, 'support/raw-sends.ts'), messagesFile],
      { env: { ...process.env, SMTP_URL, IN_FLIGHT: String(IN_FLIGHT) }, encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    const baselineSeconds = Number(baselineOut.trim());
    const baselineRate = BASELINE_SENDS / baselineSeconds;

    // 2b. Throughput: M customers enrolled two minutes ago in "wait 1 minute, then send", each
    // with its wake-up job (step:${enrollmentId}:pause) — all due at the same moment; no worker
    // runs meanwhile. The worker process starts (go): from then until the sink holds M messages.
    const releaseRun = async (timed: typeof timedFirst, governance: 'on' | 'off') => {
      const { rows: timerCustomers } = await pool.query<{ id: string }>(
        `select id::text from customers where workspace_id = $1 and external_id like 'T-%' order by id`,
        [workspace.id],
      );
      const t0 = new Date(Date.now() - 2 * 60_000);
      const trigger = { kind: 'event' as const, ref: null, at: t0.toISOString() };
      const enrollBar = progress('enrollments {bar} {value}/{total} | {duration_formatted}');
      const enrollStarted = performance.now();
      for (let at = 0; at < timerCustomers.length; at += ENROLL_BATCH) {
        await withTransaction(pool, async (client) => {
          const outcomes = await enrollCustomers(client, {
            workspaceId: workspace.id,
            timezone: workspace.timezone,
            requests: timerCustomers.slice(at, at + ENROLL_BATCH).map((row) => ({ version: timed, customerId: row.id, trigger })),
            now: t0,
            schedule: scheduleWakeJob,
          });
          const refused = outcomes.find((outcome) => !outcome.enrolled);
          if (refused) throw new Error(`a customer was not enrolled: ${refused.reason}`);
        });
        enrollBar.update(Math.min(at + ENROLL_BATCH, timerCustomers.length), timerCustomers.length);
      }
      enrollBar.stop();
      const enrollSeconds = (performance.now() - enrollStarted) / 1000;
      // Each release starts from tables vacuumed as autovacuum would leave them (the second release of --governance compare would otherwise walk the first one's dead rows).
      await pool.query('vacuum (analyze) scenario_enrollments, scenario_effects, contact_ledger');
      await pool.query('vacuum (analyze) graphile_worker._private_jobs');
      // … and from a checkpoint with the machine's dirty pages on disk: a release must not pay for
      // its setup's writes (the second release of a compare run wrote a year of ledger history just
      // before; bench:governance runs this after loading 10,000,000 rows). A role that may not
      // checkpoint skips it.
      await pool.query('checkpoint').catch((error: Error) => console.error(`(no checkpoint before the release: ${error.message})`));
      await promisify(execFile)('sync').catch(() => {});

      const workerEnv = {
        DATABASE_URL: database.url,
        KIZUNA_SMTP_URL: SMTP_URL,
        KIZUNA_SECRET: SECRET,
        KIZUNA_PUBLIC_URL: PUBLIC_URL,
        SENDS_IN_FLIGHT: String(IN_FLIGHT),
        WORKER_CONCURRENCY: String(CONCURRENCY),
        WAIT_FOR_GO: '1',
        KIZUNA_GOVERNANCE: governance,
      };
      const before = sink.arrivals.length;
      const releaseBar = progress('released → sent {bar} {value}/{total} | {duration_formatted}');
      let killAt: (() => void) | null = null;
      const halfway = new Promise<void>((resolve) => {
        killAt = resolve;
      });
      sink.onArrival = () => {
        const done = sink.arrivals.length - before;
        if (done % 100 === 0) releaseBar.update(done, CUSTOMERS);
        if (done === Math.floor(CUSTOMERS / 2)) killAt?.();
      };
      const first = spawnWorker(workerEnv);
      await first.loaded;
      const releaseStarted = performance.now();
      first.go();
      let fault: Record<string, number> | null = null;
      let second: ReturnType<typeof spawnWorker> | null = null;
      if (FAULT) {
        await halfway;
        await first.kill();
        const killedAt = sink.arrivals.length - before;
        // The next worker's clock is 11 minutes on: a send the dead one left `sending` is settled as interrupted at once.
        second = spawnWorker({ ...workerEnv, CLOCK_OFFSET_MS: String((STALE_SENDING_MINUTES + 1) * 60_000) });
        await second.loaded;
        const restartedAt = performance.now();
        second.go();
        await second.ready;
        fault = { killedAt, restartSeconds: (performance.now() - restartedAt) / 1000 };
      }
      // Until every enrollment finished and every send is settled (sent, or interrupted by the kill).
      // The timed part ends at the sink; the database is asked only after that (or, with --fault,
      // every half second): a count every few milliseconds would take a core from the run it measures.
      while (!FAULT && sink.arrivals.length - before < CUSTOMERS) await new Promise((resolve) => setTimeout(resolve, 20));
      for (;;) {
        const { rows } = await pool.query<{ open: number }>(
          `select (select count(*)::int from scenario_enrollments where workspace_id = $1 and status = 'active' and scenario_id = $2)
              + (select count(*)::int from scenario_effects where workspace_id = $1 and status in ('pending', 'sending')) as open`,
          [workspace.id, timed.scenarioId],
        );
        if (rows[0]!.open === 0 && (FAULT || sink.arrivals.length - before >= CUSTOMERS)) break;
        await new Promise((resolve) => setTimeout(resolve, FAULT ? 500 : 100));
      }
      const releaseSeconds =
        ((FAULT ? Math.max(...sink.arrivals.slice(before).map((a) => a.at)) : sink.arrivals[before + CUSTOMERS - 1]!.at) - releaseStarted) / 1000;
      releaseBar.stop();
      sink.onArrival = null;
      await (second ?? first).stop();
      if (second) await first.stop();
      const released = sink.arrivals.slice(before);
      const counts = new Map<string, number>();
      for (const arrival of released) counts.set(arrival.messageId, (counts.get(arrival.messageId) ?? 0) + 1);
      const duplicates = [...counts.values()].filter((count) => count > 1).length;
      const { rows: sendRows } = await pool.query<{ key: string; status: string; reason: string | null }>(
        `select f.key, f.status, f.outcome->>'reason' as reason from scenario_effects f join scenario_enrollments e on e.id = f.enrollment_id
        where f.workspace_id = $1 and e.scenario_id = $2 and f.kind = 'send'`,
        [workspace.id, timed.scenarioId],
      );
      const interrupted = sendRows.filter((row) => row.status === 'failed' && row.reason === 'interrupted');
      const interruptedReceived = interrupted.filter((row) => counts.has(messageIdFor(row.key, sender))).length;
      const lost = sendRows.filter((row) => !counts.has(messageIdFor(row.key, sender)) && !(row.status === 'failed' && row.reason === 'interrupted')).length;
      const { rows: stillActive } = await pool.query<{ n: number }>(
        `select count(*)::int as n from scenario_enrollments where workspace_id = $1 and scenario_id = $2 and status <> 'completed'`,
        [workspace.id, timed.scenarioId],
      );
      const delivered = counts.size;
      const rate = delivered / releaseSeconds;
      console.log(`enrolled ${n(timerCustomers.length)} customers with their wake-up jobs, all due at once, in ${s(enrollSeconds)} (not timed)`);
      console.log(
        `throughput: ${n(CUSTOMERS)} released by one timer → ${n(delivered)} accepted by SMTP in ${s(releaseSeconds)}: ${n(rate)} sends/s end to end (worker process: concurrency ${CONCURRENCY}, ${IN_FLIGHT} sends in flight per effects job)`,
      );
      console.log(
        `baseline: the same messages, raw nodemailer, same transport, ${IN_FLIGHT} in flight: ${n(BASELINE_SENDS)} in ${s(baselineSeconds)} = ${n(baselineRate)} sends/s`,
      );
      console.log(
        `ratio Kizuna / baseline: ${(rate / baselineRate).toFixed(2)}; goal ≥ 2,000 sends/s (${args.message} message): ${rate >= 2000 ? 'met' : 'NOT met'}`,
      );
      if (fault) {
        console.log(
          `fault: kill -9 of the worker at ${n(fault.killedAt!)} received, another started (${s(fault.restartSeconds!)} to start): ${duplicates} duplicate Message-IDs, ${lost} lost, ${interrupted.length} interrupted (recorded, not resent; ${interruptedReceived} of them had reached the sink), ${stillActive[0]!.n} enrollments not completed`,
        );
      } else {
        console.log(`${n(delivered)} distinct Message-IDs at the sink, ${duplicates} duplicates, ${lost} lost; ${stillActive[0]!.n} enrollments not completed`);
      }
      return {
        released: CUSTOMERS,
        delivered,
        seconds: releaseSeconds,
        sendsPerSecond: rate,
        enrollSeconds,
        duplicates,
        lost,
        interrupted: interrupted.length,
        interruptedReceived,
        fault,
      };
    };
    const rules = GOVERNANCE === 'compare' ? 'off' : (GOVERNANCE as 'on' | 'off');
    figures.throughput = await releaseRun(timedFirst, rules);
    if (GOVERNANCE === 'compare') {
      const off = figures.throughput as { sendsPerSecond: number };
      await prepareGovernedRun(pool, workspace.id, clock);
      const governed = await publish(
        marketingScenario({
          key: 'bench_timer_governed',
          name: '一分後のご案内（連絡ルールあり）',
          trigger: { kind: 'event', type: 'survey_answer', where: [] },
          start: 'pause',
          steps: [
            { kind: 'wait', id: 'pause', duration: { minutes: 1 }, next: 'notice' },
            { kind: 'send', id: 'notice', channel: 'email', templateId, next: null },
          ],
        }),
      );
      const on = await releaseRun(governed, 'on');
      const ratio = on.sendsPerSecond / off.sendsPerSecond;
      console.log(
        `governance: ${n(on.sendsPerSecond)} sends/s with the five contact rules and a year of history, ${n(off.sendsPerSecond)} sends/s without them (same run): ratio ${ratio.toFixed(2)}; goal ≥ 0.7: ${ratio >= 0.7 ? 'met' : 'NOT met'}`,
      );
      figures.governance = { on, off, ratio };
    }
    const first = figures.throughput as { sendsPerSecond: number };
    figures.baseline = { sends: BASELINE_SENDS, seconds: baselineSeconds, sendsPerSecond: baselineRate, ratio: first.sendsPerSecond / baselineRate };
  } finally {
    await app.close();
    await reactor.stop();
    if (!workerStopped) await worker.stop();
    // Last: the job queue may still complete a job on it just after stop().
    await workerPool.end();
  }
  console.log(JSON.stringify(figures));
} finally {
  transport.close();
  await sink.close();
  await drop();
}

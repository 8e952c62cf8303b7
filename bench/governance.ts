/**
 * Governance benchmark: the contact rules' decisions at scale, then what they cost end to end.
 *
 * 1. Decisions: a workspace of --customers customers (default 1,000,000), each with a year of
 *    contact history (--history contacts, default 10 each: 10,000,000 ledger rows; every fifth
 *    customer also mailed 6 hours ago, so the 16-hour cap holds a new email back), five caps
 *    (bench/support/governance-rules.ts), a few open complaints and do-not-contact dates. Then
 *    --sends messages (default 100,000, to distinct random customers; email and LINE, marketing
 *    and transactional, priorities 1–100) are decided by governSends as the performer calls it:
 *    claims of 32, two workers at once, each claim one transaction under the customers' locks
 *    (read the ledgers and facts, decide, write the ledger and the decisions). Baseline, same run:
 *    the straightforward way, one transaction per message with one count query per cap.
 *    Afterwards an independent SQL check counts every sliding window of every cap for the
 *    customers messaged: none may hold more than the cap.
 * 2. End to end: the scenarios benchmark with `--governance compare` (its timer releases
 *    --e2e-customers customers twice in one run: without the rules, then with the five rules and a
 *    year of history) — the rate with the rules must stay ≥ 0.7 of the rate without.
 *
 *   npm run bench:governance [-- --customers 1000000] [-- --history 10] [-- --sends 100000] [-- --e2e-customers 100000] [-- --skip-e2e]
 *
 * Uses DATABASE_URL when set (a database of its own on that server), else an embedded PostgreSQL.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { type GovernedSend, governSends, lockContacts } from '../src/governance/govern.ts';
import { ContactRules, windowMinutes } from '../src/governance/model.ts';
import { fixedClock } from '../src/shared/clock.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase } from './support/bench-database.ts';
import { BENCH_RULES, prepareGovernedRun } from './support/governance-rules.ts';
import { progress } from './support/progress.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    history: { type: 'string', default: '10' },
    sends: { type: 'string', default: '100000' },
    'baseline-sends': { type: 'string', default: '5000' },
    'e2e-customers': { type: 'string', default: '100000' },
    'skip-e2e': { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(args.customers);
const HISTORY = Number(args.history);
const SENDS = Math.min(Number(args.sends), CUSTOMERS);
const BASELINE_SENDS = Math.min(Number(args['baseline-sends']), CUSTOMERS - SENDS);
const CLAIM = 32;
const WORKERS = 2;
const n = (value: number) => Math.round(value).toLocaleString('en-US');
// Noon in Tokyo: no quiet hours in the way; the decisions are about the caps.
const clock = fixedClock('2026-12-07T03:00:00Z');
const now = clock.now();

const { database, drop } = await openBenchDatabase('governance');
const { pool } = database;
const figures: Record<string, unknown> = { customers: CUSTOMERS, history: HISTORY, sends: SENDS };
try {
  const workspace = await createWorkspace(database.db, { name: 'bench-governance' });
  const loadStarted = performance.now();
  const bar = progress('customers {bar} {value}/{total} | {duration_formatted}');
  const CHUNK = 100_000;
  for (let at = 0; at < CUSTOMERS; at += CHUNK) {
    // One in ten abroad (their own time zone), one in a hundred with "do not contact until" next week.
    await pool.query(
      `insert into customers (workspace_id, external_id, lifecycle, name, attributes)
       select $1, 'G-' || i, 'customer', '顧客 ' || i,
              case when i % 10 = 0 then jsonb_build_object('timezone', 'America/Los_Angeles')
                   when i % 100 = 1 then jsonb_build_object('do_not_contact_until', '2026-12-14')
                   else '{}'::jsonb end
         from generate_series($2::int, $3::int) i`,
      [workspace.id, at, Math.min(at + CHUNK, CUSTOMERS) - 1],
    );
    bar.update(Math.min(at + CHUNK, CUSTOMERS), CUSTOMERS);
  }
  bar.stop();
  // A complaint open for one in two hundred customers.
  await pool.query(
    `insert into events (workspace_id, customer_id, type, occurred_at, properties, idempotency_key)
     select $1, c.id, 'support.complaint_opened', $2::timestamptz - interval '1 day', '{}', 'complaint-' || c.id
       from customers c where c.workspace_id = $1 and c.id % 200 = 7`,
    [workspace.id, now],
  );
  // A year of history: built without the index, indexed afterwards (as a restore would).
  const { rows: index } = await pool.query<{ indexdef: string }>(`select indexdef from pg_indexes where indexname = 'contact_ledger_customer_idx'`);
  await pool.query('drop index contact_ledger_customer_idx');
  console.log(`history: ${n(CUSTOMERS * HISTORY)} contacts …`);
  const ledgerRows = await prepareGovernedRun(pool, workspace.id, clock, HISTORY, 5);
  await pool.query(index[0]!.indexdef);
  await pool.query('vacuum (analyze) customers, contact_ledger, events');
  console.log(
    `setup: ${n(CUSTOMERS)} customers, ${n(ledgerRows)} contacts in the ledger, in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s (not timed)`,
  );

  // The messages: distinct random customers (a fixed shuffle), the rest for the baseline.
  const { rows: ids } = await pool.query<{ id: string }>(`select id::text from customers where workspace_id = $1 order by md5(id::text) limit $2`, [
    workspace.id,
    SENDS + BASELINE_SENDS,
  ]);
  const message = (customerId: string, i: number): GovernedSend => ({
    effectId: String(1_000_000_000_000 + i),
    customerId,
    channel: i % 5 === 0 ? 'line' : 'email',
    purpose: i % 10 === 3 ? 'transactional' : 'marketing',
    department: i % 7 === 0 ? 'support' : 'marketing',
    priority: 1 + ((i * 37) % 100),
    scenarioId: null,
    dueAt: now,
    whenHeld: i % 2 === 0 ? { kind: 'defer', within: { days: 3 } } : { kind: 'skip' },
  });
  const sends = ids.slice(0, SENDS).map((row, i) => message(row.id, i));
  const baselineSends = ids.slice(SENDS).map((row, i) => message(row.id, SENDS + i));

  // 1a. Baseline: one transaction per message, one count per cap.
  const rules = ContactRules.parse(BENCH_RULES);
  const baselineStarted = performance.now();
  const baseBar = progress('baseline {bar} {value}/{total} | {duration_formatted}');
  let baselineSent = 0;
  let baselineDone = 0;
  const baselineWorker = async (queue: GovernedSend[]) => {
    const client = await pool.connect();
    try {
      for (let send = queue.shift(); send; send = queue.shift()) {
        if (await naiveDecide(client, workspace.id, rules, send)) baselineSent++;
        baseBar.update(++baselineDone, baselineSends.length);
      }
    } finally {
      client.release();
    }
  };
  const baselineQueue = [...baselineSends];
  await Promise.all(Array.from({ length: WORKERS }, () => baselineWorker(baselineQueue)));
  baseBar.stop();
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  const baselineRate = baselineSends.length / baselineSeconds;

  // 1b. Kizuna: claims of 32, two workers.
  const started = performance.now();
  const decideBar = progress('decisions {bar} {value}/{total} | {duration_formatted}');
  let decided = 0;
  const outcome = { send: 0, defer: 0, skip: 0, displaced: 0 };
  const queue = [...sends];
  const worker = async () => {
    for (let claim = queue.splice(0, CLAIM); claim.length > 0; claim = queue.splice(0, CLAIM)) {
      const { decisions, displaced } = await governSends(pool, { workspaceId: workspace.id, sends: claim, now });
      outcome.displaced += displaced;
      for (const decision of decisions.values()) outcome[decision.kind]++;
      decided += claim.length;
      decideBar.update(decided, sends.length);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  decideBar.stop();
  const seconds = (performance.now() - started) / 1000;
  const rate = sends.length / seconds;

  // 1c. The independent check: every sliding window of every cap, for the customers messaged.
  const violations = await capViolations(
    pool,
    workspace.id,
    rules,
    sends.map((send) => send.customerId),
  );

  console.log('');
  console.log(
    `Governance benchmark (${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}): ${n(CUSTOMERS)} customers, ${n(ledgerRows)} contacts of history, ${rules.caps.length} caps`,
  );
  console.log(
    `decisions: ${n(sends.length)} messages in ${seconds.toFixed(2)} s = ${n(rate)} decisions/s (claims of ${CLAIM}, ${WORKERS} workers; each claim one transaction under the customers' locks); goal ≥ 5,000/s: ${rate >= 5000 ? 'met' : 'NOT met'}`,
  );
  console.log(`  sent ${n(outcome.send)}, deferred ${n(outcome.defer)}, skipped ${n(outcome.skip)}, displaced ${n(outcome.displaced)}`);
  console.log(
    `baseline (one transaction and ${rules.caps.length} count queries per message, ${WORKERS} workers): ${n(baselineSends.length)} in ${baselineSeconds.toFixed(2)} s = ${n(baselineRate)}/s (${n(baselineSent)} sent); ratio ${(rate / baselineRate).toFixed(2)}`,
  );
  console.log(`check: ${n(violations.windows)} windows counted over ${n(violations.customers)} customers, ${violations.broken} over a cap`);
  figures.decisions = { seconds, rate, outcome, baseline: { sends: baselineSends.length, seconds: baselineSeconds, rate: baselineRate }, violations };
} finally {
  await drop();
}

if (!args['skip-e2e']) {
  console.log('');
  console.log(`end to end: npm run bench:scenarios -- --governance compare --customers ${args['e2e-customers']} …`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--max-semi-space-size=64',
        '--import',
        'tsx',
        path.resolve(import.meta.dirname, 'scenarios.ts'),
        '--governance',
        'compare',
        '--customers',
        String(args['e2e-customers']),
        '--triggers',
        '50',
        '--rate',
        '20',
        '--baseline-sends',
        '5000',
      ],
      { stdio: 'inherit' },
    );
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the scenarios benchmark ended with ${code}`))));
  });
}
console.log(JSON.stringify(figures));

/** The straightforward decision: a transaction per message, the lock, one count per cap, the ledger row. Answers whether it went. */
async function naiveDecide(client: pg.PoolClient, workspaceId: string, rules: ContactRules, send: GovernedSend): Promise<boolean> {
  await client.query('begin');
  try {
    await lockContacts(client, workspaceId, [send.customerId]);
    let allowed = true;
    for (const cap of rules.caps) {
      if (send.purpose !== 'marketing') break;
      if (cap.channels && !cap.channels.includes(send.channel)) continue;
      if (cap.departments && !cap.departments.includes(send.department)) continue;
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from contact_ledger
          where workspace_id = $1 and customer_id = $2 and at > $3 and at <= $4
            and ($5::text[] is null or channel = any($5)) and purpose = any($6) and ($7::text[] is null or department = any($7))`,
        [
          workspaceId,
          send.customerId,
          new Date(now.getTime() - windowMinutes(cap.window) * 60_000),
          now,
          cap.channels ?? null,
          cap.purposes ?? ['marketing'],
          cap.departments ?? null,
        ],
      );
      if (rows[0]!.n + 1 > cap.max) {
        allowed = false;
        break;
      }
    }
    if (allowed)
      await client.query(
        `insert into contact_ledger (workspace_id, customer_id, at, channel, purpose, department, priority, state, effect_id)
         values ($1, $2, $3, $4, $5, $6, $7, 'sent', $8)`,
        [workspaceId, send.customerId, now, send.channel, send.purpose, send.department, send.priority, send.effectId],
      );
    await client.query('commit');
    return allowed;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/**
 * Counts, for each cap and each counted contact of these customers, the contacts in the span of
 * the cap's window that starts there (a window function per cap, independent of decide.ts): any
 * above the cap is a broken rule. Only spans that hold a contact decided in this run matter (the
 * history was built under the caps too, but by hand).
 */
async function capViolations(pool: pg.Pool, workspaceId: string, rules: ContactRules, customerIds: readonly string[]) {
  let windows = 0;
  let broken = 0;
  for (const cap of rules.caps) {
    const { rows } = await pool.query<{ windows: string; broken: string }>(
      `select count(*)::text as windows, count(*) filter (where n > $7)::text as broken
         from (select l.at, count(*) over (partition by l.customer_id order by l.at range between current row and $3::interval - interval '1 microsecond' following) as n,
                      max(case when l.effect_id is not null then l.at end) over (partition by l.customer_id) as newest
                 from contact_ledger l
                where l.workspace_id = $1 and l.customer_id = any($2::bigint[]) and l.state = 'sent'
                  and ($4::text[] is null or l.channel = any($4)) and l.purpose = any($5) and ($6::text[] is null or l.department = any($6))) x
        where newest is not null and x.at > newest - $3::interval`,
      [workspaceId, customerIds, `${windowMinutes(cap.window)} minutes`, cap.channels ?? null, cap.purposes ?? ['marketing'], cap.departments ?? null, cap.max],
    );
    windows += Number(rows[0]!.windows);
    broken += Number(rows[0]!.broken);
  }
  return { windows, broken, customers: customerIds.length };
}

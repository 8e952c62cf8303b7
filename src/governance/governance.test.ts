import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { type SmtpSink, startSmtpSink } from '../../test/support/smtp-sink.ts';
import { createPool } from '../db/connect.ts';
import { withTransaction } from '../db/transaction.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import { armFor, inGlobalControl } from '../measurement/assignment.ts';
import { withdrawEmailMarketing } from '../messaging/consent.ts';
import { createSmtpTransport, type SmtpTransport } from '../messaging/smtp.ts';
import type { ScenarioDocument, ScenarioPurpose, ScenarioStep, WhenHeld } from '../scenarios/model.ts';
import { type PerformEffectsOutcome, performPendingEffects } from '../scenarios/runtime/effects.ts';
import { enrollCustomers, type RunnableVersion } from '../scenarios/runtime/enrollments.ts';
import { publishScenario } from '../scenarios/scenarios.ts';
import { marketingScenario, prepareScenarioWorkspace } from '../scenarios/test-scenario.ts';
import { type ManualClock, manualClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { decide } from './decide.ts';
import { type GovernedSend, governSends, loadCustomerFacts } from './govern.ts';
import type { ContactRulesInput, FrequencyCap, LedgerContact } from './model.ts';
import { readContactRules, saveContactRules } from './rules-store.ts';

/**
 * The contact rules for real: decisions under the per-customer locks (governSends) with
 * concurrent workers, and end to end through the performer — scenarios published in a workspace
 * of their own, customers enrolled, mail to a real SMTP server on loopback, the time on a manual
 * clock (never a sleep). Every expected instant is worked out by hand in the comments.
 */
const database = connectTestDatabase();
const { pool } = database;
const SECRET = 'g'.repeat(40);
const PUBLIC_URL = 'https://crm.example.jp';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The subjects of the four templates prepareScenarioWorkspace publishes, in order. */
const SUBJECTS = ['飲み方のご案内', '最初の印象のご案内', '効果の実感のご案内', '周りの方が気づく変化のご案内'] as const;
let sink: SmtpSink;
let transport: SmtpTransport;

beforeAll(async () => {
  sink = await startSmtpSink();
  transport = createSmtpTransport(sink.url);
});
afterAll(async () => {
  transport.close();
  await sink.close();
  await database.close();
});

// ─── Fixtures ───────────────────────────────────────────────────────────────────────────────

/** A workspace of its own (its rules are its own), with templates and sender settings, and its clock. */
interface World {
  workspace: Workspace;
  clock: ManualClock;
  templateIds: string[];
}

interface Person {
  id: string;
  externalId: string;
  email: string;
}

const after = (from: string | Date, milliseconds: number) => new Date(new Date(from).getTime() + milliseconds);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function world(params: { start: string; rules?: ContactRulesInput; timezone?: string }): Promise<World> {
  const clock = manualClock(params.start);
  const workspace = await freshWorkspace(database, params.timezone ? { timezone: params.timezone } : {});
  const { templateIds } = await prepareScenarioWorkspace(pool, workspace, clock);
  if (params.rules) await saveContactRules(pool, { workspaceId: workspace.id, input: params.rules, userId: null, now: clock.now() });
  return { workspace, clock, templateIds };
}

function send(id: string, templateId: string, next: string | null, extra: { whenHeld?: WhenHeld; purpose?: ScenarioPurpose } = {}): ScenarioStep {
  return { kind: 'send', id, channel: 'email', templateId, next, ...extra };
}

/** Publishes a marketing scenario (priority 50 unless given) entered through an event; customers are enrolled by the test itself. */
async function publish(
  w: World,
  document: Pick<ScenarioDocument, 'key' | 'start' | 'steps'> & Partial<Omit<ScenarioDocument, 'key' | 'start' | 'steps'>>,
): Promise<RunnableVersion> {
  const published = await publishScenario({
    pool,
    workspaceId: w.workspace.id,
    input: marketingScenario({ name: document.key, trigger: { kind: 'event', type: 'governance_test' }, ...document }),
    actor: { kind: 'system', label: 'test' },
    clock: w.clock,
    senderSettingsMissing: async () => [],
  });
  return { scenarioId: published.scenario.id, version: published.version.version, document: published.version.document };
}

/** Customers with an email address and marketing email consent granted (and the attributes given). */
async function customers(w: World, externalIds: readonly string[], attributes: (externalId: string) => Record<string, unknown> = () => ({})): Promise<Person[]> {
  const email = (externalId: string) => `${w.workspace.name}.${externalId}@example.jp`.toLowerCase();
  await ingest(
    pool,
    w.workspace,
    'customers',
    externalIds.map((externalId) => ({
      customer_id: externalId,
      name: '山田 花子',
      email: email(externalId),
      attributes: attributes(externalId),
      consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2026-01-01T00:00:00Z', source: 'signup form' }],
    })),
    w.clock,
  );
  const { rows } = await pool.query<{ id: string; external_id: string }>(
    'select id::text, external_id from customers where workspace_id = $1 and external_id = any($2::text[])',
    [w.workspace.id, externalIds],
  );
  const ids = new Map(rows.map((row) => [row.external_id, row.id]));
  return externalIds.map((externalId) => ({ id: ids.get(externalId)!, externalId, email: email(externalId) }));
}

/** Enrolls the customers in the version now (one transaction, as a trigger would); every one enters. */
async function enroll(w: World, version: RunnableVersion, people: readonly Person[]) {
  const now = w.clock.now();
  const outcomes = await withTransaction(pool, (client) =>
    enrollCustomers(client, {
      workspaceId: w.workspace.id,
      timezone: w.workspace.timezone,
      requests: people.map((person) => ({ version, customerId: person.id, trigger: { kind: 'event', ref: 'governance_test', at: now.toISOString() } })),
      now,
    }),
  );
  expect(outcomes.every((outcome) => outcome.enrolled)).toBe(true);
  return outcomes;
}

const perform = (w: World) => performPendingEffects({ pool, clock: w.clock, transport, secret: SECRET, publicUrl: PUBLIC_URL, workspaceId: w.workspace.id });
const counts = (some: Partial<PerformEffectsOutcome>): PerformEffectsOutcome => ({
  done: 0,
  notDone: 0,
  failed: 0,
  retried: 0,
  deferred: 0,
  skipped: 0,
  ...some,
});
const subjectsTo = (person: Person) => sink.received.filter((mail) => mail.to.includes(person.email)).map((mail) => mail.parsed.subject);

interface EffectRow {
  id: string;
  step_id: string;
  status: string;
  outcome: Record<string, unknown> | null;
  retry_at: Date | null;
}

/** The customer's send effects in the order they were written (by scenario, step order). */
async function effectsOf(w: World, person: Person, scenarioId?: string): Promise<EffectRow[]> {
  const { rows } = await pool.query<EffectRow>(
    `select id::text, step_id, status, outcome, retry_at from scenario_effects
      where workspace_id = $1 and customer_id = $2 and kind = 'send' and ($3::bigint is null or (why->>'scenarioId')::bigint = $3) order by id`,
    [w.workspace.id, person.id, scenarioId ?? null],
  );
  return rows;
}

async function ledgerOf(w: World, person: Person) {
  const { rows } = await pool.query<{ effect_id: string | null; at: Date; state: string; priority: number }>(
    'select effect_id::text, at, state, priority from contact_ledger where workspace_id = $1 and customer_id = $2 order by at, id',
    [w.workspace.id, person.id],
  );
  return rows;
}

async function decisionsOf(w: World, person: Person) {
  const { rows } = await pool.query<{ effect_id: string | null; at: Date; decision: string; rule: Record<string, unknown>; until: Date | null; detail: unknown }>(
    'select effect_id::text, at, decision, rule, until, detail from contact_decisions where workspace_id = $1 and customer_id = $2 order by id',
    [w.workspace.id, person.id],
  );
  return rows;
}

/**
 * The most contacts (any state) of each customer in one half-open window [s, s + `days`), over
 * the whole ledger: computed in SQL, independently of decide.ts. The fullest window starts at a
 * contact, so those starts are the only ones counted.
 */
async function mostInAnyWindow(workspaceId: string, customerIds: readonly string[], days: number): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ customer_id: string; most: number }>(
    `select a.customer_id::text, max((select count(*) from contact_ledger b
                                       where b.workspace_id = a.workspace_id and b.customer_id = a.customer_id
                                         and b.at >= a.at and b.at < a.at + make_interval(days => $3))::int) as most
       from contact_ledger a where a.workspace_id = $1 and a.customer_id = any($2::bigint[])
      group by a.customer_id`,
    [workspaceId, customerIds, days],
  );
  return new Map(rows.map((row) => [row.customer_id, row.most]));
}

// ─── 1. Concurrent workers ──────────────────────────────────────────────────────────────────

const WEEKLY: FrequencyCap = { id: 'weekly', name: '週2通', max: 2, window: { days: 7 } };
/** Made-up effect ids (no such scenario_effects row: governSends updates effects only where they exist), far above any real one. */
const FAKE_IDS = 7_000_000_000_000 + randomInt(0, 1_000_000) * 100_000;
/** The step rule of candidate j (0–5) of a customer: each worker gets j and j + 3, one deferrable within 8 days each. */
const CANDIDATE_RULES: readonly WhenHeld[] = [
  { kind: 'skip' },
  { kind: 'defer', within: { days: 8 } },
  { kind: 'defer', within: { days: 1 } },
  { kind: 'defer', within: { days: 8 } },
  { kind: 'skip' },
  { kind: 'defer', within: { days: 8 } },
];

/** The six marketing candidates of every customer, due now, split between three workers: worker k holds j = k and j = k + 3 of each, its customers in its own order. */
function candidatesByWorker(people: readonly Person[], round: number, now: Date): GovernedSend[][] {
  return range(3).map((worker) => {
    const rotated = [...people.slice(worker * 10), ...people.slice(0, worker * 10)];
    return rotated.flatMap((person) => {
      const index = people.indexOf(person);
      return [worker, worker + 3].map(
        (j): GovernedSend => ({
          effectId: String(FAKE_IDS + round * 10_000 + index * 10 + j),
          customerId: person.id,
          channel: 'email',
          purpose: 'marketing',
          department: 'marketing',
          priority: 50,
          scenarioId: null,
          dueAt: now,
          whenHeld: CANDIDATE_RULES[j]!,
        }),
      );
    });
  });
}

/**
 * The same decision WITHOUT the per-customer lock: reads the facts in a transaction of its own,
 * waits until every worker has read (`afterRead`), then decides with `decide` as governSends does
 * (in memory, one customer's messages in turn) and inserts the ledger rows. Two workers that read
 * before either writes both see an empty ledger.
 */
async function governWithoutLock(
  workers: pg.Pool,
  params: { workspaceId: string; sends: readonly GovernedSend[]; now: Date; afterRead: () => Promise<void> },
): Promise<void> {
  const { workspaceId, sends, now } = params;
  const client = await workers.connect();
  try {
    await client.query('begin');
    const { rules, workspaceTimezone } = await readContactRules(client, workspaceId);
    const facts = await loadCustomerFacts(client, { workspaceId, customerIds: sends.map((s) => s.customerId), rules, workspaceTimezone, now });
    await params.afterRead();
    const rows: Array<{ send: GovernedSend; at: Date; state: 'sent' | 'scheduled' }> = [];
    for (const candidate of [...sends].sort((a, b) => Number(a.effectId) - Number(b.effectId))) {
      const customer = facts.get(candidate.customerId)!;
      const decision = decide(rules, customer, candidate, now);
      if (decision.kind === 'skip') continue;
      const row = { send: candidate, at: decision.kind === 'send' ? now : decision.until, state: decision.kind === 'send' ? ('sent' as const) : ('scheduled' as const) };
      rows.push(row);
      const contact: LedgerContact = {
        id: `new:${candidate.effectId}`,
        effectId: candidate.effectId,
        at: row.at,
        channel: candidate.channel,
        purpose: candidate.purpose,
        department: candidate.department,
        priority: candidate.priority,
        state: row.state,
        scenarioId: null,
      };
      facts.set(candidate.customerId, { ...customer, contacts: [...customer.contacts, contact] });
    }
    for (const { send: s, at, state } of rows)
      await client.query(
        `insert into contact_ledger (workspace_id, customer_id, at, channel, purpose, department, priority, state, effect_id, scenario_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, null)`,
        [workspaceId, s.customerId, at, s.channel, s.purpose, s.department, s.priority, state, s.effectId],
      );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Resolves for everyone once `parties` have arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === parties) open();
    return opened;
  };
}

describe('deciding under the per-customer locks', () => {
  it('three workers deciding for the same customers at the same instant never break a cap; the same decisions without the lock do', async () => {
    const T0 = '2026-03-02T01:00:00.000Z';
    const w = await world({ start: T0, rules: { caps: [WEEKLY] } });
    const people = await customers(
      w,
      range(60).map((i) => `W${i}`),
    );
    const locked = people.slice(0, 30);
    const unlocked = people.slice(30);
    // Connections enough for three workers at once besides the test's own queries.
    const workers = createPool({ url: database.url, max: 6 });
    try {
      // Three rounds, 14 days apart: what a round sends (at t) and schedules (at t + 7 days) is
      // exactly 7 days or more before the next round, so it never shares a 7-day window with it.
      for (let round = 0; round < 3; round++) {
        const now = after(T0, round * 14 * DAY);
        const byWorker = candidatesByWorker(locked, round, now);
        const outcomes = await Promise.all(byWorker.map((sends) => governSends(workers, { workspaceId: w.workspace.id, sends, now })));
        const decisions = new Map(outcomes.flatMap((outcome) => [...outcome.decisions]));
        expect(decisions.size).toBe(180);
        const roundIds = byWorker.flat().map((s) => s.effectId);
        const { rows: ledger } = await pool.query<{ customer_id: string; effect_id: string; at: Date; state: string }>(
          'select customer_id::text, effect_id::text, at, state from contact_ledger where effect_id = any($1::bigint[])',
          [roundIds],
        );
        const { rows: held } = await pool.query<{ customer_id: string; effect_id: string; decision: string; until: Date | null; detail: { why?: string } | null }>(
          'select customer_id::text, effect_id::text, decision, until, detail from contact_decisions where effect_id = any($1::bigint[])',
          [roundIds],
        );
        for (const [index, person] of locked.entries()) {
          const mine = (rows: typeof ledger) => rows.filter((row) => row.customer_id === person.id);
          const sent = mine(ledger).filter((row) => row.state === 'sent');
          // The cap allows 2 in 7 days: exactly 2 go now, never 3.
          expect(sent.map((row) => row.at)).toEqual([now, now]);
          // The four held back, by their step's rule (worked out from which two went):
          // - skip → skipped (step_skips);
          // - defer within 1 day → the first allowed moment is t + 7 days (the two sent at t leave
          //   the window), past the deadline t + 1 day → skipped (deadline);
          // - defer within 8 days → the first two are deferred to t + 7 days (scheduled there; the
          //   window [t + 7d, t + 14d) then holds 2), a third would be skipped (deadline, the next
          //   moment t + 14 days is past t + 8 days).
          const sentJ = new Set(sent.map((row) => Number(row.effect_id) - FAKE_IDS - round * 10_000 - index * 10));
          const heldJ = range(6).filter((j) => !sentJ.has(j));
          const heldOf = (rule: (whenHeld: WhenHeld) => boolean) => heldJ.filter((j) => rule(CANDIDATE_RULES[j]!)).length;
          const heldSkip = heldOf((whenHeld) => whenHeld.kind === 'skip');
          const heldLong = heldOf((whenHeld) => whenHeld.kind === 'defer' && whenHeld.within.days === 8);
          const expectedScheduled = Math.min(heldLong, 2);
          const scheduled = mine(ledger).filter((row) => row.state === 'scheduled');
          expect(scheduled.map((row) => row.at)).toEqual(Array(expectedScheduled).fill(after(now, 7 * DAY)));
          const myHeld = held.filter((row) => row.customer_id === person.id);
          expect(myHeld).toHaveLength(4);
          expect(myHeld.filter((row) => row.decision === 'deferred').map((row) => row.until)).toEqual(Array(expectedScheduled).fill(after(now, 7 * DAY)));
          expect(myHeld.filter((row) => row.detail?.why === 'step_skips')).toHaveLength(heldSkip);
          expect(myHeld.filter((row) => row.detail?.why === 'deadline')).toHaveLength(4 - expectedScheduled - heldSkip);
          // What governSends answered is what it wrote.
          for (const j of range(6)) {
            const decision = decisions.get(String(FAKE_IDS + round * 10_000 + index * 10 + j))!;
            expect(decision.kind).toBe(sentJ.has(j) ? 'send' : myHeld.find((row) => Number(row.effect_id) % 10 === j)!.decision === 'deferred' ? 'defer' : 'skip');
          }
        }
      }
      // Checked independently in SQL over the whole ledger (3 rounds, sent and scheduled): never more than 2 in any 7 days.
      const most = await mostInAnyWindow(
        w.workspace.id,
        locked.map((person) => person.id),
        7,
      );
      expect(locked.map((person) => most.get(person.id))).toEqual(Array(30).fill(2));

      // The control: the same 6 candidates per customer, the same three workers and the same
      // decision, but without the lock and with every worker reading before any writes. Each
      // worker sees an empty ledger and sends both of its messages: 6 per customer in one
      // instant, and the same SQL check sees the cap broken.
      const now = after(T0, 60 * DAY);
      const arrive = barrier(3);
      await Promise.all(
        candidatesByWorker(unlocked, 9, now).map((sends) => governWithoutLock(workers, { workspaceId: w.workspace.id, sends, now, afterRead: arrive })),
      );
      const broken = await mostInAnyWindow(
        w.workspace.id,
        unlocked.map((person) => person.id),
        7,
      );
      expect(unlocked.filter((person) => (broken.get(person.id) ?? 0) > 2).length).toBeGreaterThanOrEqual(1);
      expect(unlocked.map((person) => broken.get(person.id))).toEqual(Array(30).fill(6));
    } finally {
      await workers.end();
    }
  });
});

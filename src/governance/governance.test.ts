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

const plus = (from: string | Date, milliseconds: number) => new Date(new Date(from).getTime() + milliseconds);
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
    input: marketingScenario({ name: document.key, trigger: { kind: 'event', type: 'page_view' }, ...document }),
    actor: { kind: 'system', label: 'test' },
    clock: w.clock,
    senderSettingsMissing: async () => [],
  });
  return { scenarioId: published.scenario.id, version: published.version.version, document: published.version.document };
}

/** Customers with an email address and marketing email consent granted (and the attributes given). */
async function customers(
  w: World,
  externalIds: readonly string[],
  attributes: (externalId: string) => Record<string, unknown> = () => ({}),
): Promise<Person[]> {
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
      requests: people.map((person) => ({ version, customerId: person.id, trigger: { kind: 'event', ref: 'page_view', at: now.toISOString() } })),
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
    `select e.id::text as id, e.step_id, e.status, e.outcome, e.retry_at from scenario_effects e
      where e.workspace_id = $1 and e.customer_id = $2 and e.kind = 'send' and ($3::bigint is null or (e.why->>'scenarioId')::bigint = $3) order by e.id`,
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
  const { rows } = await pool.query<{
    effect_id: string | null;
    at: Date;
    decision: string;
    rule: Record<string, unknown>;
    until: Date | null;
    detail: unknown;
  }>('select effect_id::text, at, decision, rule, until, detail from contact_decisions where workspace_id = $1 and customer_id = $2 order by id', [
    w.workspace.id,
    person.id,
  ]);
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
      const row = {
        send: candidate,
        at: decision.kind === 'send' ? now : decision.until,
        state: decision.kind === 'send' ? ('sent' as const) : ('scheduled' as const),
      };
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
        const now = plus(T0, round * 14 * DAY);
        const byWorker = candidatesByWorker(locked, round, now);
        const outcomes = await Promise.all(byWorker.map((sends) => governSends(workers, { workspaceId: w.workspace.id, sends, now })));
        const decisions = new Map(outcomes.flatMap((outcome) => [...outcome.decisions]));
        expect(decisions.size).toBe(180);
        const roundIds = byWorker.flat().map((s) => s.effectId);
        const { rows: ledger } = await pool.query<{ customer_id: string; effect_id: string; at: Date; state: string }>(
          'select customer_id::text, effect_id::text, at, state from contact_ledger where effect_id = any($1::bigint[])',
          [roundIds],
        );
        const { rows: held } = await pool.query<{
          customer_id: string;
          effect_id: string;
          decision: string;
          until: Date | null;
          detail: { why?: string } | null;
        }>('select customer_id::text, effect_id::text, decision, until, detail from contact_decisions where effect_id = any($1::bigint[])', [roundIds]);
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
          expect(scheduled.map((row) => row.at)).toEqual(Array(expectedScheduled).fill(plus(now, 7 * DAY)));
          const myHeld = held.filter((row) => row.customer_id === person.id);
          expect(myHeld).toHaveLength(4);
          expect(myHeld.filter((row) => row.decision === 'deferred').map((row) => row.until)).toEqual(Array(expectedScheduled).fill(plus(now, 7 * DAY)));
          expect(myHeld.filter((row) => row.detail?.why === 'step_skips')).toHaveLength(heldSkip);
          expect(myHeld.filter((row) => row.detail?.why === 'deadline')).toHaveLength(4 - expectedScheduled - heldSkip);
          // What governSends answered is what it wrote.
          for (const j of range(6)) {
            const decision = decisions.get(String(FAKE_IDS + round * 10_000 + index * 10 + j))!;
            const recorded = myHeld.find((row) => Number(row.effect_id) % 10 === j)?.decision;
            expect(decision.kind).toBe(sentJ.has(j) ? 'send' : recorded === 'deferred' ? 'defer' : 'skip');
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
      const now = plus(T0, 60 * DAY);
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

// ─── 2–6. Through the performer ─────────────────────────────────────────────────────────────

describe('the contact rules through the performer', () => {
  it('defers a run of three sends one hour apart: each holds its place, the next goes after it', async () => {
    const t0 = '2026-06-01T01:00:00.000Z';
    const w = await world({ start: t0, rules: { caps: [{ id: 'hourly', name: '1時間に1通', max: 1, window: { hours: 1 }, channels: ['email'] }] } });
    const within = { kind: 'defer', within: { days: 1 } } as const;
    const version = await publish(w, {
      key: 'three_in_a_row',
      start: 'first',
      steps: [
        send('first', w.templateIds[0]!, 'second', { whenHeld: within }),
        send('second', w.templateIds[1]!, 'third', { whenHeld: within }),
        send('third', w.templateIds[2]!, null, { whenHeld: within }),
      ],
    });
    const [person] = await customers(w, ['D-1']);
    await enroll(w, version, [person!]);
    const [first, second, third] = await effectsOf(w, person!);

    // t0: the three are decided together, in step order (same priority, same due time).
    // first: the ledger is empty → sent at t0.
    // second: [t0, t0 + 1h) already holds first → the earliest allowed moment is t0 + 1h (first
    //   leaves the window; two contacts exactly 1h apart never share one) → deferred, scheduled there.
    // third: t0 + 1h is taken by second's place → the next moment is t0 + 2h → deferred there.
    expect(await perform(w)).toEqual(counts({ done: 1, deferred: 2 }));
    expect(subjectsTo(person!)).toEqual([SUBJECTS[0]]);
    const deferred = await effectsOf(w, person!);
    expect(deferred.map((effect) => [effect.step_id, effect.status, effect.retry_at])).toEqual([
      ['first', 'done', null],
      ['second', 'pending', plus(t0, HOUR)],
      ['third', 'pending', plus(t0, 2 * HOUR)],
    ]);
    const rule = { kind: 'cap', id: 'hourly', name: '1時間に1通' };
    expect(deferred[1]!.outcome).toMatchObject({ governance: { decision: 'deferred', until: plus(t0, HOUR).toISOString(), rule } });
    expect((await ledgerOf(w, person!)).map((row) => [row.effect_id, row.state, row.at])).toEqual([
      [first!.id, 'sent', new Date(t0)],
      [second!.id, 'scheduled', plus(t0, HOUR)],
      [third!.id, 'scheduled', plus(t0, 2 * HOUR)],
    ]);

    // t0 + 59 min: nothing is due yet.
    w.clock.set(plus(t0, 59 * MINUTE));
    expect(await perform(w)).toEqual(counts({}));
    // t0 + 1h: second comes back. Its own place is ignored; first (at t0, exactly 1h ago) no
    // longer counts, third's place at t0 + 2h is outside [t0 + 1h, t0 + 2h) → sent.
    w.clock.set(plus(t0, HOUR));
    expect(await perform(w)).toEqual(counts({ done: 1 }));
    // t0 + 2h: third likewise.
    w.clock.set(plus(t0, 2 * HOUR));
    expect(await perform(w)).toEqual(counts({ done: 1 }));

    expect(subjectsTo(person!)).toEqual([SUBJECTS[0], SUBJECTS[1], SUBJECTS[2]]);
    expect((await effectsOf(w, person!)).map((effect) => effect.status)).toEqual(['done', 'done', 'done']);
    expect((await ledgerOf(w, person!)).map((row) => [row.effect_id, row.state, row.at])).toEqual([
      [first!.id, 'sent', new Date(t0)],
      [second!.id, 'sent', plus(t0, HOUR)],
      [third!.id, 'sent', plus(t0, 2 * HOUR)],
    ]);
    // Two deferrals, both naming the cap, made at t0; the sends themselves are their ledger rows.
    expect((await decisionsOf(w, person!)).map((row) => [row.effect_id, row.decision, row.rule, row.at, row.until])).toEqual([
      [second!.id, 'deferred', rule, new Date(t0), plus(t0, HOUR)],
      [third!.id, 'deferred', rule, new Date(t0), plus(t0, 2 * HOUR)],
    ]);
  });

  it('keeps quiet hours in each customer’s own time zone', async () => {
    // 2026-12-07T13:30Z is 22:30 in Tokyo (UTC+9), 08:30 in New York (EST, UTC−5: DST ended on
    // 1 November) and 13:30 in London (GMT, UTC+0). Quiet: 21:00–09:00 local.
    const now = '2026-12-07T13:30:00.000Z';
    const w = await world({ start: now, rules: { quietHours: [{ channel: 'email', from: '21:00', to: '09:00' }] } });
    const version = await publish(w, { key: 'quiet_test', start: 'hello', steps: [send('hello', w.templateIds[0]!, null)] });
    const zones: Record<string, string> = { 'Q-NY': 'America/New_York', 'Q-LDN': 'Europe/London' };
    const [tokyo, newYork, london] = await customers(w, ['Q-TYO', 'Q-NY', 'Q-LDN'], (externalId) => (zones[externalId] ? { timezone: zones[externalId] } : {}));
    await enroll(w, version, [tokyo!, newYork!, london!]);
    expect(await perform(w)).toEqual(counts({ done: 1, deferred: 2 }));

    // Tokyo (the workspace's zone, no attribute): 22:30 is quiet → 09:00 Tokyo on the 8th = 00:00Z.
    const tokyoUntil = new Date('2026-12-08T00:00:00.000Z');
    // New York: 08:30 is quiet → 09:00 New York on the 7th = 14:00Z.
    const newYorkUntil = new Date('2026-12-07T14:00:00.000Z');
    expect((await effectsOf(w, tokyo!)).map((effect) => [effect.status, effect.retry_at])).toEqual([['pending', tokyoUntil]]);
    expect((await effectsOf(w, newYork!)).map((effect) => [effect.status, effect.retry_at])).toEqual([['pending', newYorkUntil]]);
    // London: 13:30 is not quiet → sent at once.
    expect((await effectsOf(w, london!)).map((effect) => effect.status)).toEqual(['done']);
    expect(subjectsTo(london!)).toHaveLength(1);
    expect(subjectsTo(tokyo!)).toHaveLength(0);
    expect(subjectsTo(newYork!)).toHaveLength(0);
    for (const [person, until] of [
      [tokyo!, tokyoUntil],
      [newYork!, newYorkUntil],
    ] as const)
      expect((await decisionsOf(w, person)).map((row) => [row.decision, row.rule, row.until])).toEqual([
        ['deferred', { kind: 'quiet_hours', channel: 'email' }, until],
      ]);

    // A millisecond before 09:00 in New York nothing goes; at 09:00 New York's does; at 09:00 Tokyo, Tokyo's.
    w.clock.set(plus(newYorkUntil, -1));
    expect(await perform(w)).toEqual(counts({}));
    w.clock.set(newYorkUntil);
    expect(await perform(w)).toEqual(counts({ done: 1 }));
    expect(subjectsTo(newYork!)).toHaveLength(1);
    w.clock.set(tokyoUntil);
    expect(await perform(w)).toEqual(counts({ done: 1 }));
    expect(subjectsTo(tokyo!)).toHaveLength(1);
  });

  it('lets a higher-priority send take the place of a lower one deferred; the lower one is decided again at once', async () => {
    // One message a day. A deferred message sits at the first moment its rules allowed, so a later
    // message can find that place its only obstacle only when what held the deferred one back is
    // gone: here a first send the SMTP server refused (its ledger row is removed). Timeline
    // (t0 = 2026-06-01T01:00Z):
    // t0       low scenario (priority 10): "first" is sent (but the SMTP server refuses it, so its
    //          ledger row is removed); "second" was deferred behind it to t0 + 24h (scheduled).
    // t0 + 12h the high scenario (priority 90) sends to the customer: [t0 + 12h, t0 + 36h) holds
    //          low's second place at t0 + 24h → the cap is broken only by a lower-priority
    //          reservation → high is sent, low's second is displaced (pending again, retry_at = now).
    // t0 + 12h the next perform decides low's second again: [t0 + 12h, t0 + 36h) holds high → the
    //          earliest moment is t0 + 36h. Customer A's step may wait 2 days from when it was due
    //          (t0): deadline t0 + 48h → deferred to t0 + 36h. Customer B's may wait 1 day:
    //          deadline t0 + 24h < t0 + 36h → skipped (capped, deadline). B's own first deferral
    //          (to t0 + 24h, exactly its deadline) was allowed: the deadline is inclusive.
    const t0 = '2026-06-01T01:00:00.000Z';
    const t1 = plus(t0, 12 * HOUR);
    const rule = { kind: 'cap', id: 'daily', name: '1日1通' };
    const w = await world({ start: t0, rules: { caps: [{ id: 'daily', name: '1日1通', max: 1, window: { days: 1 } }] } });
    const low = (key: string, days: number) =>
      publish(w, {
        key,
        priority: 10,
        start: 'first',
        steps: [send('first', w.templateIds[0]!, 'second'), send('second', w.templateIds[1]!, null, { whenHeld: { kind: 'defer', within: { days } } })],
      });
    const lowDefer = await low('low_defer', 2);
    const lowSkip = await low('low_skip', 1);
    const high = await publish(w, { key: 'high', priority: 90, start: 'urgent', steps: [send('urgent', w.templateIds[2]!, null)] });
    const [a, b] = await customers(w, ['P-A', 'P-B']);
    await enroll(w, lowDefer, [a!]);
    await enroll(w, lowSkip, [b!]);
    sink.refuse.add(a!.email);
    sink.refuse.add(b!.email);
    expect(await perform(w)).toEqual(counts({ failed: 2, deferred: 2 }));
    sink.refuse.delete(a!.email);
    sink.refuse.delete(b!.email);
    const [aFirst, aSecond] = await effectsOf(w, a!);
    const [, bSecond] = await effectsOf(w, b!);
    expect([aFirst!.status, aFirst!.outcome?.reason]).toEqual(['failed', 'rejected']);
    expect([aSecond!.status, aSecond!.retry_at]).toEqual(['pending', plus(t0, DAY)]);
    expect([bSecond!.status, bSecond!.retry_at]).toEqual(['pending', plus(t0, DAY)]);
    // The refused first send contacted nobody: only second's place is left.
    expect((await ledgerOf(w, a!)).map((row) => [row.effect_id, row.state, row.at, row.priority])).toEqual([[aSecond!.id, 'scheduled', plus(t0, DAY), 10]]);

    w.clock.set(t1);
    await enroll(w, high, [a!, b!]);
    expect(await perform(w)).toEqual(counts({ done: 2 }));
    const [aHigh] = await effectsOf(w, a!, high.scenarioId);
    const displacedNote = { decision: 'displaced', byEffectId: aHigh!.id, byScenarioId: high.scenarioId, byPriority: 90 };
    expect((await decisionsOf(w, a!)).map((row) => [row.effect_id, row.decision, row.rule, row.at, row.until, row.detail])).toEqual([
      [aSecond!.id, 'deferred', rule, new Date(t0), plus(t0, DAY), null],
      [
        aSecond!.id,
        'displaced',
        { kind: 'displaced', byEffectId: aHigh!.id, byScenarioId: high.scenarioId, byPriority: 90 },
        t1,
        null,
        { wasAt: plus(t0, DAY).toISOString(), priority: 10 },
      ],
    ]);
    const displaced = (await effectsOf(w, a!, lowDefer.scenarioId))[1]!;
    expect([displaced.status, displaced.retry_at]).toEqual(['pending', t1]);
    expect(displaced.outcome).toMatchObject({ governance: displacedNote });
    expect((await ledgerOf(w, a!)).map((row) => [row.effect_id, row.state, row.at])).toEqual([[aHigh!.id, 'sent', t1]]);
    expect(subjectsTo(a!)).toEqual([SUBJECTS[2]]);
    expect(subjectsTo(b!)).toEqual([SUBJECTS[2]]);

    // The next perform, at the same instant: the displaced ones are decided again by their own step's rule.
    expect(await perform(w)).toEqual(counts({ deferred: 1, skipped: 1 }));
    const again = (await effectsOf(w, a!, lowDefer.scenarioId))[1]!;
    expect([again.status, again.retry_at]).toEqual(['pending', plus(t0, 36 * HOUR)]);
    expect(again.outcome).toMatchObject({ governance: { decision: 'deferred', until: plus(t0, 36 * HOUR).toISOString(), rule } });
    const skipped = (await effectsOf(w, b!, lowSkip.scenarioId))[1]!;
    expect(skipped.status).toBe('not_done');
    expect(skipped.outcome).toMatchObject({ reason: 'capped', governance: { decision: 'skipped', why: 'deadline', rule } });
    expect((await ledgerOf(w, a!)).map((row) => [row.effect_id, row.state, row.at])).toEqual([
      [aHigh!.id, 'sent', t1],
      [aSecond!.id, 'scheduled', plus(t0, 36 * HOUR)],
    ]);
    expect((await ledgerOf(w, b!)).map((row) => row.state)).toEqual(['sent']);

    // t0 + 36h: A's second goes (high at t0 + 12h is exactly a day before).
    w.clock.set(plus(t0, 36 * HOUR));
    expect(await perform(w)).toEqual(counts({ done: 1 }));
    expect(subjectsTo(a!)).toEqual([SUBJECTS[2], SUBJECTS[1]]);
    expect(subjectsTo(b!)).toEqual([SUBJECTS[2]]);
  });

  it('skips a held message when its step says so, or when no moment before its deadline is allowed', async () => {
    // One a day. At t0 four sends in a row: "first" goes; the other three are held by the cap,
    // whose next free moment is t0 + 24h.
    const t0 = '2026-06-01T01:00:00.000Z';
    const w = await world({ start: t0, rules: { caps: [{ id: 'daily', name: '1日1通', max: 1, window: { days: 1 } }] } });
    const version = await publish(w, {
      key: 'held_rules',
      start: 'first',
      steps: [
        send('first', w.templateIds[0]!, 'skips'),
        // skip → skipped at once (step_skips).
        send('skips', w.templateIds[1]!, 'short', { whenHeld: { kind: 'skip' } }),
        // defer within 1 hour → deadline t0 + 1h < t0 + 24h → skipped (deadline).
        send('short', w.templateIds[2]!, 'exact', { whenHeld: { kind: 'defer', within: { hours: 1 } } }),
        // defer within 24 hours → deadline t0 + 24h, exactly the free moment → deferred there.
        send('exact', w.templateIds[3]!, null, { whenHeld: { kind: 'defer', within: { hours: 24 } } }),
      ],
    });
    const [person] = await customers(w, ['S-1']);
    await enroll(w, version, [person!]);
    expect(await perform(w)).toEqual(counts({ done: 1, skipped: 2, deferred: 1 }));
    const rule = { kind: 'cap', id: 'daily', name: '1日1通' };
    const [first, skips, short, exact] = await effectsOf(w, person!);
    expect(first!.status).toBe('done');
    expect(skips!.status).toBe('not_done');
    expect(skips!.outcome).toMatchObject({ reason: 'capped', governance: { decision: 'skipped', why: 'step_skips', rule } });
    expect(short!.status).toBe('not_done');
    expect(short!.outcome).toMatchObject({ reason: 'capped', governance: { decision: 'skipped', why: 'deadline', rule } });
    expect([exact!.status, exact!.retry_at]).toEqual(['pending', plus(t0, DAY)]);
    expect((await decisionsOf(w, person!)).map((row) => [row.effect_id, row.decision, row.until, row.detail])).toEqual([
      [skips!.id, 'skipped', null, { why: 'step_skips' }],
      [short!.id, 'skipped', null, { why: 'deadline' }],
      [exact!.id, 'deferred', plus(t0, DAY), null],
    ]);
    // Skipped messages hold no place.
    expect((await ledgerOf(w, person!)).map((row) => [row.effect_id, row.state])).toEqual([
      [first!.id, 'sent'],
      [exact!.id, 'scheduled'],
    ]);
    expect(subjectsTo(person!)).toEqual([SUBJECTS[0]]);
  });

  it('holds marketing back while support handles a complaint (transactional mail still goes), and until a do-not-contact date', async () => {
    const t0 = '2026-06-01T01:00:00.000Z';
    const w = await world({ start: t0 });
    const mixed = await publish(w, {
      key: 'mixed',
      start: 'news',
      steps: [send('news', w.templateIds[0]!, 'notice'), send('notice', w.templateIds[1]!, null, { purpose: 'transactional' })],
    });
    const again = await publish(w, { key: 'again', start: 'news', steps: [send('news', w.templateIds[2]!, null)] });
    // A do-not-contact date 33h15m after t0, within the default deadline of 3 days.
    const doNotContactUntil = '2026-06-02T10:15:00.000Z';
    const [complaining, resting] = await customers(w, ['C-1', 'C-2'], (externalId) =>
      externalId === 'C-2' ? { do_not_contact_until: doNotContactUntil } : {},
    );
    const event = (type: string, at: Date) =>
      pool.query('insert into events (workspace_id, customer_id, type, occurred_at, idempotency_key) values ($1, $2, $3, $4, $5)', [
        w.workspace.id,
        complaining!.id,
        type,
        at,
        `${type}:${at.toISOString()}`,
      ]);
    await event('support.complaint_opened', plus(t0, -HOUR));

    await enroll(w, mixed, [complaining!, resting!]);
    // complaining: news skipped (complaint: no deferral, nobody knows when support is done), notice sent.
    // resting: news deferred to exactly the do-not-contact date, notice sent (transactional).
    expect(await perform(w)).toEqual(counts({ done: 2, skipped: 1, deferred: 1 }));
    const [news, notice] = await effectsOf(w, complaining!);
    expect(news!.status).toBe('not_done');
    expect(news!.outcome).toMatchObject({ reason: 'complaint', governance: { decision: 'skipped', why: 'complaint', rule: { kind: 'complaint' } } });
    expect(notice!.status).toBe('done');
    expect(subjectsTo(complaining!)).toEqual([SUBJECTS[1]]);
    const [restingNews, restingNotice] = await effectsOf(w, resting!);
    expect([restingNews!.status, restingNews!.retry_at]).toEqual(['pending', new Date(doNotContactUntil)]);
    expect(restingNews!.outcome).toMatchObject({ governance: { decision: 'deferred', rule: { kind: 'do_not_contact', until: doNotContactUntil } } });
    expect(restingNotice!.status).toBe('done');
    expect(subjectsTo(resting!)).toEqual([SUBJECTS[1]]);

    // The complaint is resolved: marketing goes again.
    await event('support.complaint_resolved', plus(t0, HOUR));
    w.clock.set(plus(t0, 2 * HOUR));
    await enroll(w, again, [complaining!]);
    expect(await perform(w)).toEqual(counts({ done: 1 }));
    expect(subjectsTo(complaining!)).toEqual([SUBJECTS[1], SUBJECTS[2]]);

    // The do-not-contact date: not a millisecond before, then at once.
    w.clock.set(plus(doNotContactUntil, -1));
    expect(await perform(w)).toEqual(counts({}));
    w.clock.set(doNotContactUntil);
    expect(await perform(w)).toEqual(counts({ done: 1 }));
    expect(subjectsTo(resting!)).toEqual([SUBJECTS[1], SUBJECTS[0]]);
  });

  it('reads a complaint from a generic support event by its properties, open for a number of days unless resolved', async () => {
    const t0 = '2026-06-20T03:00:00.000Z';
    const rules: ContactRulesInput = {
      complaints: {
        openEvent: 'support_contact',
        openWhere: [{ property: 'topic', op: '=', value: 'complaint' }],
        openForDays: 14,
        closeEvent: 'support.complaint_resolved',
        openSupportTask: false,
      },
    };
    const w = await world({ start: t0, rules });
    const names = ['Q', 'C3', 'C20', 'R', 'AGAIN', 'LIST', 'NUM'] as const;
    const people = await customers(w, names);
    const byName = new Map(names.map((name, index) => [name, people[index]!]));
    let n = 0;
    const event = (name: (typeof names)[number], type: string, daysAgo: number, properties: Record<string, unknown> = {}) =>
      pool.query('insert into events (workspace_id, customer_id, type, occurred_at, properties, idempotency_key) values ($1, $2, $3, $4, $5, $6)', [
        w.workspace.id,
        byName.get(name)!.id,
        type,
        plus(t0, -daysAgo * DAY),
        properties,
        `e${n++}`,
      ]);
    // Q: a question 2 days ago — not a complaint.
    await event('Q', 'support_contact', 2, { topic: 'question' });
    // C3: a complaint 3 days ago — open (within 14 days, nothing resolved it).
    await event('C3', 'support_contact', 3, { topic: 'complaint', reason: 'late' });
    // C20: a complaint 20 days ago — handled by now (14 days).
    await event('C20', 'support_contact', 20, { topic: 'complaint' });
    // R: a complaint 5 days ago, resolved 1 day ago.
    await event('R', 'support_contact', 5, { topic: 'complaint' });
    await event('R', 'support.complaint_resolved', 1);
    // AGAIN: complaint 10 days ago, resolved 8 days ago, a new complaint 2 days ago — open; a question after it changes nothing.
    await event('AGAIN', 'support_contact', 10, { topic: 'complaint' });
    await event('AGAIN', 'support.complaint_resolved', 8);
    await event('AGAIN', 'support_contact', 2, { topic: 'complaint' });
    await event('AGAIN', 'support_contact', 1, { topic: 'question' });
    // LIST: a complaint 4 days ago behind 30 later questions — still found.
    await event('LIST', 'support_contact', 4, { topic: 'complaint' });
    for (let i = 0; i < 30; i++) await event('LIST', 'support_contact', 3 - i / 100, { topic: 'question' });
    // NUM: topic is not text — the test compares as the scenario triggers do: no match.
    await event('NUM', 'support_contact', 1, { topic: 7 });

    const { rules: saved, workspaceTimezone } = await readContactRules(pool, w.workspace.id);
    /** Whether each customer has a complaint open at t0 under these rules. */
    const complaintsOpen = async (rules: typeof saved) => {
      const customerIds = people.map((p) => p.id);
      const facts = await loadCustomerFacts(pool, { workspaceId: w.workspace.id, customerIds, rules, workspaceTimezone, now: new Date(t0) });
      return Object.fromEntries(names.map((name) => [name, facts.get(byName.get(name)!.id)!.complaintOpen]));
    };
    expect(await complaintsOpen(saved)).toEqual({ Q: false, C3: true, C20: false, R: false, AGAIN: true, LIST: true, NUM: false });

    // Without property tests every support_contact opens one; without openForDays C20's stays open.
    expect(await complaintsOpen({ ...saved, complaints: { ...saved.complaints, openWhere: undefined, openForDays: undefined } })).toEqual({
      Q: true,
      C3: true,
      C20: true,
      R: false,
      AGAIN: true,
      LIST: true,
      NUM: true,
    });
  });
});

// ─── 7. Control groups ──────────────────────────────────────────────────────────────────────

describe('control groups', () => {
  it('holds out the scenario’s holdout by a fixed hash, and the global control group from all marketing but not from transactional mail', async () => {
    const t0 = '2026-06-01T01:00:00.000Z';
    const w = await world({ start: t0 });
    const measured = await publish(w, {
      key: 'measured',
      start: 'hello',
      measurement: { holdoutPercent: 50, metric: { kind: 'purchase' }, windowDays: 30, runDays: 60, minimumDetectableEffect: 5 },
      steps: [send('hello', w.templateIds[0]!, null)],
    });
    const people = await customers(
      w,
      range(200).map((i) => `H-${i}`),
    );
    const outcomes = await enroll(w, measured, people);
    const { rows } = await pool.query<{ customer_id: string; arm: string }>('select customer_id::text, arm from scenario_enrollments where scenario_id = $1', [
      measured.scenarioId,
    ]);
    const stored = new Map(rows.map((row) => [row.customer_id, row.arm]));
    // The arm stored at entry is armFor's, customer by customer (the same hash any worker computes).
    const expected = people.map((person) =>
      armFor({
        workspaceId: w.workspace.id,
        scenarioId: measured.scenarioId,
        customerId: person.id,
        purpose: 'marketing',
        holdoutPercent: 50,
        globalControlPercent: 0,
      }),
    );
    expect(people.map((person) => stored.get(person.id))).toEqual(expected);
    expect(outcomes.map((outcome) => outcome.arm)).toEqual(expected);
    const holdout = people.filter((_, i) => expected[i] === 'holdout');
    const treatment = people.filter((_, i) => expected[i] === 'treatment');
    // About half (binomial, n = 200, p = ½: 100 ± 7; 70–130 is more than 4 standard deviations).
    expect(holdout.length).toBeGreaterThanOrEqual(70);
    expect(holdout.length).toBeLessThanOrEqual(130);
    expect(holdout.length + treatment.length).toBe(200);

    // Holdout effects are written not_done and never claimed: only treatment is performed.
    expect(await perform(w)).toEqual(counts({ done: treatment.length }));
    const { rows: effects } = await pool.query<{ customer_id: string; status: string; reason: string | null }>(
      `select customer_id::text, status, outcome->>'reason' as reason from scenario_effects where workspace_id = $1 and (why->>'scenarioId')::bigint = $2`,
      [w.workspace.id, measured.scenarioId],
    );
    const effectOf = new Map(effects.map((row) => [row.customer_id, row]));
    for (const person of holdout) {
      expect(effectOf.get(person.id)).toMatchObject({ status: 'not_done', reason: 'holdout' });
      expect(subjectsTo(person)).toEqual([]);
    }
    for (const person of treatment) {
      expect(effectOf.get(person.id)!.status).toBe('done');
      expect(subjectsTo(person)).toEqual([SUBJECTS[0]]);
    }

    // The global control group: 10 % of the workspace's customers, by another fixed hash. A
    // marketing scenario with a marketing and a transactional message, entered by every member
    // and by ten customers who are not.
    await saveContactRules(pool, { workspaceId: w.workspace.id, input: { globalControlPercent: 10 }, userId: null, now: w.clock.now() });
    const members = people.filter((person) => inGlobalControl(w.workspace.id, person.id, 10));
    const others = people.filter((person) => !inGlobalControl(w.workspace.id, person.id, 10)).slice(0, 10);
    // 200 customers at 10 %: about 20 members (none at all has a probability of 0.9^200 ≈ 10⁻⁹).
    expect(members.length).toBeGreaterThan(0);
    expect(members.length).toBeLessThan(50);
    const mixed = await publish(w, {
      key: 'gc_mixed',
      start: 'offer',
      steps: [send('offer', w.templateIds[1]!, 'receipt'), send('receipt', w.templateIds[2]!, null, { purpose: 'transactional' })],
    });
    const entered = await enroll(w, mixed, [...members, ...others]);
    expect(entered.map((outcome) => outcome.arm)).toEqual([...members.map(() => 'global_control'), ...others.map(() => 'treatment')]);
    expect(await perform(w)).toEqual(counts({ done: members.length + 2 * others.length }));
    for (const person of members) {
      const [offer, receipt] = await effectsOf(w, person, mixed.scenarioId);
      expect(offer).toMatchObject({ status: 'not_done', outcome: { reason: 'global_control' } });
      expect(receipt!.status).toBe('done');
      expect(subjectsTo(person).slice(-1)).toEqual([SUBJECTS[2]]);
      expect(subjectsTo(person)).not.toContain(SUBJECTS[1]);
    }
    // (Both of a customer's messages are under way at once: their order at the sink is not fixed.)
    for (const person of others) expect(subjectsTo(person).slice(-2).sort()).toEqual([SUBJECTS[1], SUBJECTS[2]].sort());
  });
});

// ─── 8. The ledger counts only what went out ────────────────────────────────────────────────

describe('the contact ledger', () => {
  it('keeps no place for a send the SMTP server refused or that consent stopped, so it holds nothing back', async () => {
    const t0 = '2026-06-01T01:00:00.000Z';
    const w = await world({ start: t0, rules: { caps: [{ id: 'daily', name: '1日1通', max: 1, window: { days: 1 } }] } });
    const once = await publish(w, { key: 'once', start: 'hello', steps: [send('hello', w.templateIds[0]!, null)] });
    const later = await publish(w, { key: 'later', start: 'hello', steps: [send('hello', w.templateIds[1]!, null, { whenHeld: { kind: 'skip' } })] });
    const [refused, withdrawn, delivered] = await customers(w, ['L-1', 'L-2', 'L-3']);
    await enroll(w, once, [refused!, withdrawn!, delivered!]);
    await withdrawEmailMarketing(pool, { workspaceId: w.workspace.id, customerId: withdrawn!.id, at: w.clock.now(), source: 'test' });
    sink.refuse.add(refused!.email);
    expect(await perform(w)).toEqual(counts({ done: 1, notDone: 1, failed: 1 }));
    sink.refuse.delete(refused!.email);
    const [refusedSend] = await effectsOf(w, refused!);
    const [withdrawnSend] = await effectsOf(w, withdrawn!);
    const [deliveredSend] = await effectsOf(w, delivered!);
    expect(refusedSend!.outcome).toMatchObject({ reason: 'rejected', responseCode: 550 });
    expect(withdrawnSend!.outcome).toMatchObject({ reason: 'consent_withdrawn' });
    // The governance decision wrote a 'sent' row for each before SMTP; the two that did not go out are gone again.
    const { rows } = await pool.query<{ effect_id: string; state: string; at: Date }>(
      'select effect_id::text, state, at from contact_ledger where effect_id = any($1::bigint[])',
      [[refusedSend!.id, withdrawnSend!.id, deliveredSend!.id]],
    );
    expect(rows).toEqual([{ effect_id: deliveredSend!.id, state: 'sent', at: new Date(t0) }]);

    // An hour later another marketing send (skipped if held) goes to the refused customer — nothing
    // counts against the cap — but not to the delivered one (one a day).
    w.clock.set(plus(t0, HOUR));
    await enroll(w, later, [refused!, delivered!]);
    expect(await perform(w)).toEqual(counts({ done: 1, skipped: 1 }));
    expect(subjectsTo(refused!)).toEqual([SUBJECTS[1]]);
    expect(subjectsTo(delivered!)).toEqual([SUBJECTS[0]]);
    expect((await effectsOf(w, delivered!, later.scenarioId))[0]!.outcome).toMatchObject({ reason: 'capped', governance: { why: 'step_skips' } });
  });

  it('moves the place of a send the SMTP server postponed (4xx) to its retry, as a reservation', async () => {
    const t0 = '2026-06-01T01:00:00.000Z';
    const w = await world({ start: t0, rules: { caps: [{ id: 'daily', name: '1日1通', max: 1, window: { days: 1 } }] } });
    const once = await publish(w, { key: 'once', start: 'hello', steps: [send('hello', w.templateIds[0]!, null)] });
    const [postponed] = await customers(w, ['P-1']);
    await enroll(w, once, [postponed!]);
    sink.defer.add(postponed!.email);
    expect(await perform(w)).toEqual(counts({ retried: 1 }));
    sink.defer.delete(postponed!.email);
    const [effect] = await effectsOf(w, postponed!);
    // The first retry waits 5 minutes (retryDelayMinutes(1)); until then the place is a reservation at t0 + 5 min, not a contact at t0.
    const { rows } = await pool.query<{ state: string; at: Date }>('select state, at from contact_ledger where effect_id = $1', [effect!.id]);
    expect(rows).toEqual([{ state: 'scheduled', at: new Date(plus(t0, 5 * MINUTE)) }]);
    w.clock.set(plus(t0, 5 * MINUTE));
    expect(await perform(w)).toEqual(counts({ done: 1 }));
    const { rows: after } = await pool.query<{ state: string; at: Date }>('select state, at from contact_ledger where effect_id = $1', [effect!.id]);
    expect(after).toEqual([{ state: 'sent', at: new Date(plus(t0, 5 * MINUTE)) }]);
  });
});

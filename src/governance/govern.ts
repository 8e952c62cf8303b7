import type pg from 'pg';
import type { Department } from '../charter/types.ts';
import { isValidTimezone, zonedTimeToUtc } from '../shared/time.ts';
import { propertiesPass } from '../journey-map/rules/value-test.ts';
import { decide } from './decide.ts';
import {
  type Candidate,
  type ContactChannel,
  type ContactPurpose,
  type ContactRules,
  type CustomerFacts,
  type Decision,
  type LedgerContact,
  type RuleRef,
  windowMinutes,
} from './model.ts';
import { readContactRules, type StoredContactRules } from './rules-store.ts';

/**
 * Governance for a batch of messages about to go out (a performer's claim): for each, send now,
 * defer until …, skip because …, possibly displacing lower-priority messages already deferred.
 *
 * Atomic per customer: one transaction takes a transaction-scoped advisory lock on every
 * (workspace, customer) of the batch — all in one statement, in key order, so two workers never
 * wait for each other in a cycle — then reads those customers' ledgers and facts, decides in
 * memory (decide.ts, pure), and writes the ledger, the decisions and the held-back effects before
 * it commits. A second worker deciding for the same customer waits for the lock and then sees
 * the first one's contacts: together they can never break a cap.
 */

/** How long a process keeps a workspace's rules (a save in this process is seen at once: forgetRules). */
export const RULES_CACHE_MS = 1000;
const rulesCache = new Map<string, { value: Promise<StoredContactRules>; at: number }>();

function cachedRules(client: pg.ClientBase, workspaceId: string): Promise<StoredContactRules> {
  const found = rulesCache.get(workspaceId);
  if (found && performance.now() - found.at < RULES_CACHE_MS) return found.value;
  const value = readContactRules(client, workspaceId);
  value.catch(() => rulesCache.delete(workspaceId));
  rulesCache.set(workspaceId, { value, at: performance.now() });
  return value;
}

/** Forgets the cached rules of a workspace (they were just saved). */
export function forgetRules(workspaceId: string): void {
  rulesCache.delete(workspaceId);
}

/** A message about to go out. */
export interface GovernedSend extends Omit<Candidate, 'effectId'> {
  /** The scenario effect (scenario_effects.id). */
  effectId: string;
  customerId: string;
}

export interface GovernOutcome {
  /** The decision per effect id. */
  decisions: Map<string, Decision>;
  /** Effects displaced (deferred messages of lower priority, put back to be decided again). */
  displaced: number;
}

/** The note of a held-back effect: what it says in the send log (its outcome) and why. */
export function heldOutcome(decision: Exclude<Decision, { kind: 'send' }>): Record<string, unknown> {
  if (decision.kind === 'defer')
    return {
      governance: { decision: 'deferred', until: decision.until.toISOString(), rule: decision.rule },
      message: `Deferred until ${decision.until.toISOString()} by ${ruleLabel(decision.rule)}.`,
    };
  return {
    reason: skipReason(decision.rule),
    message: `Skipped (${decision.why === 'deadline' ? 'the rules allow no moment before the step’s deadline' : decision.why === 'complaint' ? 'support is handling a complaint' : 'the step skips held messages'}): ${ruleLabel(decision.rule)}.`,
    governance: { decision: 'skipped', rule: decision.rule, why: decision.why },
  };
}

/** The effect reason (status not_done) of a skip. */
export function skipReason(rule: RuleRef): 'capped' | 'quiet_hours' | 'complaint' | 'do_not_contact' {
  return rule.kind === 'cap' ? 'capped' : rule.kind;
}

/** The rule in a few English words (logs, messages; the console says it in its own words). */
export function ruleLabel(rule: RuleRef): string {
  switch (rule.kind) {
    case 'cap':
      return `the cap "${rule.name}" (${rule.id})`;
    case 'quiet_hours':
      return `the quiet hours of ${rule.channel}`;
    case 'complaint':
      return 'a complaint support is handling';
    case 'do_not_contact':
      return `do not contact until ${rule.until}`;
  }
}

/** The longest span the rules look back (the longest cap window; 0 without caps). */
export function lookBackMinutes(rules: ContactRules): number {
  return Math.max(0, ...rules.caps.map((cap) => windowMinutes(cap.window)));
}

/**
 * Decides for `sends` (one workspace) under the per-customer locks, in one transaction of its
 * own, and writes what follows: ledger rows for messages sent now (state 'sent', at `now`) and
 * for deferred ones (state 'scheduled', at the moment deferred to), decisions for every message
 * held back or displaced, and the held-back effects (deferred: pending again with retry_at; skipped:
 * not_done). Messages of one customer are decided highest priority first.
 */
export async function governSends(pool: pg.Pool, params: { workspaceId: string; sends: readonly GovernedSend[]; now: Date }): Promise<GovernOutcome> {
  const { workspaceId, sends, now } = params;
  const decisions = new Map<string, Decision>();
  if (sends.length === 0) return { decisions, displaced: 0 };
  const client = await pool.connect();
  try {
    await beginLocked(
      client,
      workspaceId,
      sends.map((send) => send.customerId),
    );
    const outcome = await governLocked(client, { workspaceId, sends, now, decisions });
    await client.query('commit');
    return outcome;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Begins a transaction and takes the contact locks of these customers in the same round trip
 * (one simple query of two statements; the ids are database ids, digits only, written as
 * literals). Anything else than digits: begin, then lockContacts.
 */
async function beginLocked(client: pg.ClientBase, workspaceId: string, customerIds: readonly string[]): Promise<void> {
  const ids = [...new Set(customerIds)];
  if (!/^[1-9][0-9]{0,18}$/.test(workspaceId) || !ids.every((id) => /^[1-9][0-9]{0,18}$/.test(id))) {
    await client.query('begin');
    await lockContacts(client, workspaceId, ids);
    return;
  }
  await client.query(
    `begin; select pg_advisory_xact_lock(k.h)
       from (select distinct hashtextextended('contact:${workspaceId}:' || c, 0) as h from unnest(array[${ids.map((id) => `'${id}'`).join(',')}]::text[]) as c order by h) k`,
  );
}

/** Takes the contact locks of these customers of a workspace (transaction-scoped), in one statement, in key order. */
export async function lockContacts(client: pg.ClientBase, workspaceId: string, customerIds: readonly string[]): Promise<void> {
  await client.query(
    `select pg_advisory_xact_lock(k.h)
       from (select distinct hashtextextended('contact:' || $1::text || ':' || c, 0) as h from unnest($2::text[]) as c order by h) k`,
    [workspaceId, [...new Set(customerIds)]],
  );
}

/** "Do not contact until" as an instant: a date alone is the customer's local midnight that day; a date-time as written; anything else: none. */
export function doNotContactUntil(value: string, timezone: string): Date | null {
  // A date, or a date-time without an offset: the customer's local time; with an offset (or Z): as written.
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value);
  const at = local
    ? zonedTimeToUtc(Number(local[1]), Number(local[2]), Number(local[3]), Number(local[4] ?? 0), Number(local[5] ?? 0), Number(local[6] ?? 0), 0, timezone)
    : /(?:Z|[+-]\d{2}:?\d{2})$/.test(value)
      ? new Date(value)
      : new Date(Number.NaN);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** Zone names seen, valid or not (a customer attribute: a few distinct values, checked once per process). */
const zones = new Map<string, boolean>();
function knownZone(zone: string): boolean {
  let known = zones.get(zone);
  if (known === undefined) {
    known = zone.length <= 64 && isValidTimezone(zone);
    if (zones.size < 10_000) zones.set(zone, known);
  }
  return known;
}

interface FactsRow {
  id: string;
  tz: string | null;
  dnc: string | null;
  /** An open support task (not a marketing scenario's own follow-up) while the rules count those. */
  task_open: boolean;
  /** The properties of the opening events after the last closing one (and within openForDays), newest first. */
  opens: Array<Record<string, unknown>>;
  /** [id, effect id, at (ms), channel, purpose, department, priority, state, scenario id] per contact, oldest first. */
  ledger: Array<[string, string | null, number, ContactChannel, ContactPurpose, Department, number, 'sent' | 'scheduled', string | null]>;
}

/** Opening events read per customer when the rules test their properties (newest first; more after one closing event is beyond any real support history). */
const OPENING_EVENTS_READ = 100;

/**
 * Reads the facts the decisions need for these customers, in one query: their ledgers from
 * (now − the longest cap window) on, their time zones, do-not-contact dates and open complaints
 * (an opening event — of the rules' type, passing their property tests, within openForDays —
 * after the last closing one; or an open support task not of a marketing scenario).
 */
export async function loadCustomerFacts(
  client: pg.ClientBase | pg.Pool,
  params: { workspaceId: string; customerIds: readonly string[]; rules: ContactRules; workspaceTimezone: string; now: Date; withLedger?: boolean },
): Promise<Map<string, CustomerFacts>> {
  const { workspaceId, rules, now } = params;
  const { complaints } = rules;
  const ids = [...new Set(params.customerIds)];
  const defaultZone = rules.timezone ?? params.workspaceTimezone;
  const back = lookBackMinutes(rules);
  const since = back > 0 && params.withLedger !== false ? new Date(now.getTime() - back * 60_000) : null;
  const openedSince = complaints.openForDays === undefined ? null : new Date(now.getTime() - complaints.openForDays * 86_400_000);
  const { rows } = await client.query<FactsRow>(
    `select c.id::text, c.attributes->>$3 as tz, c.attributes->>$4 as dnc,
            ($7 and exists (select 1 from tasks t
                             where t.workspace_id = $1 and t.status = 'open' and t.department = 'support' and t.customer_id = c.id
                               and not exists (select 1 from scenario_effects f where f.key = t.effect_key and f.payload->>'purpose' = 'marketing'))) as task_open,
            (select coalesce(json_agg(o.properties), '[]'::json)
               from (select e.properties from events e
                      where e.customer_id = c.id and e.type = $5 and e.workspace_id = $1
                        and e.occurred_at > greatest(coalesce($9::timestamptz, '-infinity'),
                              coalesce((select max(x.occurred_at) from events x where x.customer_id = c.id and x.type = $6 and x.workspace_id = $1), '-infinity'))
                      order by e.occurred_at desc limit $10) o) as opens,
            case when $8::timestamptz is null then '[]'::json else
              (select coalesce(json_agg(json_build_array(l.id::text, l.effect_id::text, (extract(epoch from l.at) * 1000)::float8, l.channel, l.purpose,
                                                         l.department, l.priority, l.state, l.scenario_id::text) order by l.at, l.id), '[]'::json)
                 from contact_ledger l where l.workspace_id = $1 and l.customer_id = c.id and l.at >= $8) end as ledger
       from customers c where c.workspace_id = $1 and c.id = any($2::bigint[])`,
    [
      workspaceId,
      ids,
      rules.timezoneAttribute,
      rules.doNotContactAttribute,
      complaints.openEvent,
      complaints.closeEvent,
      complaints.openSupportTask,
      since,
      openedSince,
      // Without property tests any opening event will do: one is enough.
      complaints.openWhere ? OPENING_EVENTS_READ : 1,
    ],
  );
  const facts = new Map<string, CustomerFacts>();
  for (const row of rows) {
    const timezone = row.tz && knownZone(row.tz) ? row.tz : defaultZone;
    const dnc = row.dnc ? doNotContactUntil(row.dnc, timezone) : null;
    facts.set(row.id, {
      timezone,
      complaintOpen: row.task_open || row.opens.some((properties) => propertiesPass(complaints.openWhere, properties)),
      doNotContactUntil: dnc,
      contacts: row.ledger.map(([id, effectId, at, channel, purpose, department, priority, state, scenarioId]) => ({
        id,
        effectId,
        at: new Date(at),
        channel,
        purpose,
        department,
        priority,
        state,
        scenarioId,
      })),
    });
  }
  return facts;
}

async function governLocked(
  client: pg.ClientBase,
  params: { workspaceId: string; sends: readonly GovernedSend[]; now: Date; decisions: Map<string, Decision> },
): Promise<GovernOutcome> {
  const { workspaceId, sends, now, decisions } = params;
  const { rules, workspaceTimezone } = await cachedRules(client, workspaceId);
  const facts = await loadCustomerFacts(client, {
    workspaceId,
    customerIds: sends.map((send) => send.customerId),
    rules,
    workspaceTimezone,
    now,
  });
  const ordered = [...sends].sort((a, b) => b.priority - a.priority || a.dueAt.getTime() - b.dueAt.getTime() || Number(a.effectId) - Number(b.effectId));
  const ledgerWrites: Array<{ send: GovernedSend; at: Date; state: 'sent' | 'scheduled' }> = [];
  const displacedRows: Array<{ contact: LedgerContact; by: GovernedSend }> = [];
  for (const send of ordered) {
    const customer = facts.get(send.customerId) ?? {
      timezone: rules.timezone ?? workspaceTimezone,
      complaintOpen: false,
      doNotContactUntil: null,
      contacts: [],
    };
    const decision = decide(rules, customer, send, now);
    decisions.set(send.effectId, decision);
    let contacts = customer.contacts.filter((contact) => contact.effectId !== send.effectId);
    if (decision.kind === 'send') {
      if (decision.displaced.length > 0) {
        const gone = new Set(decision.displaced.map((contact) => contact.id));
        contacts = contacts.filter((contact) => !gone.has(contact.id));
        for (const contact of decision.displaced) displacedRows.push({ contact, by: send });
      }
      ledgerWrites.push({ send, at: now, state: 'sent' });
      contacts.push(ledgerContact(send, now, 'sent'));
    } else if (decision.kind === 'defer') {
      ledgerWrites.push({ send, at: decision.until, state: 'scheduled' });
      contacts.push(ledgerContact(send, decision.until, 'scheduled'));
    }
    facts.set(send.customerId, { ...customer, contacts });
  }
  await writeOutcome(client, { workspaceId, now, sends, decisions, ledgerWrites, displacedRows });
  return { decisions, displaced: displacedRows.length };
}

function ledgerContact(send: GovernedSend, at: Date, state: 'sent' | 'scheduled'): LedgerContact {
  return {
    id: `new:${send.effectId}`,
    effectId: send.effectId,
    at,
    channel: send.channel,
    purpose: send.purpose,
    department: send.department,
    priority: send.priority,
    state,
    scenarioId: send.scenarioId,
  };
}

/** What a claim's decisions leave to write (governLocked → outcomeStatement). */
export interface ClaimOutcome {
  workspaceId: string;
  now: Date;
  sends: readonly GovernedSend[];
  decisions: Map<string, Decision>;
  ledgerWrites: ReadonlyArray<{ send: GovernedSend; at: Date; state: 'sent' | 'scheduled' }>;
  displacedRows: ReadonlyArray<{ contact: LedgerContact; by: GovernedSend }>;
}

async function writeOutcome(client: pg.ClientBase, params: ClaimOutcome): Promise<void> {
  const statement = outcomeStatement(params);
  if (statement) await client.query(statement.text, statement.values);
}

/**
 * A claim's outcome as one statement (writable CTEs; null: nothing to write): the ledger rows
 * (one per effect; a deferred message coming back replaces its own place), the removal of
 * skipped messages' and displaced messages' places, the decisions, the held-back effects
 * (deferred: pending again with retry_at, a deferral is no attempt; skipped: not done) and the
 * displaced effects (pending, due now: decided again by their own step's rule).
 */
export function outcomeStatement(params: ClaimOutcome): { text: string; values: unknown[] } | null {
  const { workspaceId, now, decisions, displacedRows } = params;
  const ledgerWrites = [...params.ledgerWrites].sort((a, b) => Number(a.send.effectId) - Number(b.send.effectId));
  const held = params.sends.flatMap((send) => {
    const decision = decisions.get(send.effectId)!;
    return decision.kind === 'send' ? [] : [{ send, decision }];
  });
  const decisionRows = [
    ...held.map(({ send, decision }) => ({
      customerId: send.customerId,
      effectId: send.effectId,
      scenarioId: send.scenarioId,
      decision: decision.kind === 'defer' ? 'deferred' : 'skipped',
      rule: decision.rule,
      until: decision.kind === 'defer' ? decision.until : null,
      detail: decision.kind === 'skip' ? { why: decision.why } : null,
    })),
    ...displacedRows.map(({ contact, by }) => ({
      customerId: by.customerId,
      effectId: contact.effectId,
      scenarioId: contact.scenarioId,
      decision: 'displaced',
      rule: { kind: 'displaced', byEffectId: by.effectId, byScenarioId: by.scenarioId, byPriority: by.priority },
      until: null,
      detail: { wasAt: contact.at.toISOString(), priority: contact.priority },
    })),
  ];
  const effectUpdates = [
    ...held.map(({ decision, send }) => ({
      id: send.effectId,
      status: decision.kind === 'defer' ? 'pending' : 'not_done',
      retryAt: decision.kind === 'defer' ? decision.until : null,
      outcome: JSON.stringify(heldOutcome(decision as Exclude<Decision, { kind: 'send' }>)),
    })),
  ];
  // A displaced place whose own message is decided in this claim too (its deferral came due) is rewritten by the ledger upsert, not freed or re-rung.
  const inClaim = new Set(params.sends.map((send) => send.effectId));
  const freedPlaces = displacedRows.filter(({ contact }) => contact.effectId === null || !inClaim.has(contact.effectId));
  const displacedEffects = freedPlaces.filter(({ contact }) => contact.effectId !== null);
  // Only the parts with rows are written, and every update names its rows (e.id = any(…)): right
  // after a release the table's statistics still say "a handful of pending effects", and a join
  // on an empty list was planned as a walk of every pending row — for each claim.
  const values: unknown[] = [];
  const param = (value: unknown, type: string) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  // The workspace and the moment, as parameters of the parts that name them (a parameter no part names would have no type).
  let workspaceParam: string | undefined;
  let nowParam: string | undefined;
  const ws = () => (workspaceParam ??= param(workspaceId, 'bigint'));
  const at = () => (nowParam ??= param(now, 'timestamptz'));
  /** `unnest($a::type[], …) as v(a, …)`: these columns of the rows, one array parameter each. */
  const unnestOf = <T>(rows: readonly T[], columns: Record<string, [type: string, pick: (row: T) => unknown]>) =>
    `unnest(${Object.values(columns)
      .map(([type, pick]) => param(rows.map(pick), `${type}[]`))
      .join(', ')}) as v(${Object.keys(columns).join(', ')})`;
  const parts: string[] = [];
  if (ledgerWrites.length > 0) {
    const rows = unnestOf(ledgerWrites, {
      customer_id: ['bigint', (write) => write.send.customerId],
      at: ['timestamptz', (write) => write.at],
      channel: ['text', (write) => write.send.channel],
      purpose: ['text', (write) => write.send.purpose],
      department: ['text', (write) => write.send.department],
      priority: ['int', (write) => write.send.priority],
      state: ['text', (write) => write.state],
      effect_id: ['bigint', (write) => write.send.effectId],
      scenario_id: ['bigint', (write) => write.send.scenarioId],
    });
    parts.push(`insert into contact_ledger (workspace_id, customer_id, at, channel, purpose, department, priority, state, effect_id, scenario_id)
       select ${ws()}, v.customer_id, v.at, v.channel, v.purpose, v.department, v.priority, v.state, v.effect_id, v.scenario_id from ${rows}
       on conflict (effect_id) do update set at = excluded.at, state = excluded.state, priority = excluded.priority`);
  }
  const skipped = held.filter(({ decision }) => decision.kind === 'skip').map(({ send }) => send.effectId);
  if (skipped.length > 0 || freedPlaces.length > 0) {
    const places = freedPlaces.map(({ contact }) => contact.id);
    parts.push(`delete from contact_ledger where effect_id = any(${param(skipped, 'bigint[]')}) or id = any(${param(places, 'bigint[]')})`);
  }
  if (decisionRows.length > 0) {
    const rows = unnestOf(decisionRows, {
      customer_id: ['bigint', (row) => row.customerId],
      effect_id: ['bigint', (row) => row.effectId],
      scenario_id: ['bigint', (row) => row.scenarioId],
      decision: ['text', (row) => row.decision],
      rule: ['jsonb', (row) => JSON.stringify(row.rule)],
      until: ['timestamptz', (row) => row.until],
      detail: ['jsonb', (row) => (row.detail ? JSON.stringify(row.detail) : null)],
    });
    parts.push(`insert into contact_decisions (workspace_id, customer_id, effect_id, scenario_id, at, decision, rule, until, detail)
       select ${ws()}, v.customer_id, v.effect_id, v.scenario_id, ${at()}, v.decision, v.rule, v.until, v.detail from ${rows}`);
  }
  if (effectUpdates.length > 0) {
    const ids = param(
      effectUpdates.map((update) => update.id),
      'bigint[]',
    );
    const rows = unnestOf(effectUpdates, {
      id: ['bigint', (update) => update.id],
      status: ['text', (update) => update.status],
      retry_at: ['timestamptz', (update) => update.retryAt],
      outcome: ['jsonb', (update) => update.outcome],
    });
    parts.push(`update scenario_effects e
          set status = v.status, outcome = v.outcome, retry_at = v.retry_at,
              claimed_at = case when v.status = 'pending' then null else e.claimed_at end,
              attempts = case when v.status = 'pending' then greatest(e.attempts - 1, 0) else e.attempts end,
              done_at = case when v.status = 'pending' then null else ${at()} end
         from ${rows}
        where e.id = any(${ids}) and e.id = v.id and e.status = 'sending'`);
  }
  if (displacedEffects.length > 0) {
    const ids = param(
      displacedEffects.map(({ contact }) => contact.effectId),
      'bigint[]',
    );
    const rows = unnestOf(displacedEffects, {
      id: ['bigint', ({ contact }) => contact.effectId],
      note: ['jsonb', ({ by }) => JSON.stringify({ decision: 'displaced', byEffectId: by.effectId, byScenarioId: by.scenarioId, byPriority: by.priority })],
    });
    parts.push(`update scenario_effects e set retry_at = ${at()},
            outcome = coalesce(e.outcome, '{}'::jsonb) || jsonb_build_object('governance', v.note, 'message', 'Displaced by a message of higher priority: decided again now.')
       from ${rows}
      where e.id = any(${ids}) and e.id = v.id and e.status = 'pending'`);
  }
  if (parts.length === 0) return null;
  // Writable CTEs all run, referenced or not: one statement, one round trip.
  return { text: `with ${parts.map((part, index) => `w${index} as (${part})`).join(',\n')} select 1`, values };
}

/** Removes the ledger rows of sends that did not go out after all (no consent, suppressed, rejected): they contacted nobody. */
export async function releaseContacts(client: pg.ClientBase | pg.Pool, effectIds: readonly string[]): Promise<void> {
  if (effectIds.length === 0) return;
  await client.query(`delete from contact_ledger where effect_id = any($1::bigint[]) and state = 'sent'`, [effectIds]);
}

/** Records contacts made without a decision (a task for people created by a scenario): they count towards the caps. */
export async function recordContact(
  client: pg.ClientBase,
  params: {
    workspaceId: string;
    customerId: string;
    at: Date;
    channel: ContactChannel;
    purpose: ContactPurpose;
    department: Department;
    priority: number;
    effectId: string | null;
    scenarioId: string | null;
  },
): Promise<void> {
  await client.query(
    `insert into contact_ledger (workspace_id, customer_id, at, channel, purpose, department, priority, state, effect_id, scenario_id)
     values ($1, $2, $3, $4, $5, $6, $7, 'sent', $8, $9) on conflict (effect_id) do nothing`,
    [params.workspaceId, params.customerId, params.at, params.channel, params.purpose, params.department, params.priority, params.effectId, params.scenarioId],
  );
}

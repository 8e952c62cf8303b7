import type pg from 'pg';
import { withTransaction } from '../../db/transaction.ts';
import type { Condition } from '../../journey-map/model.ts';
import { loadFacts } from '../../journey-map/placement/facts-loader.ts';
import { todayOf } from '../../journey-map/placement/local-days.ts';
import { compileCondition, emptyNeeds, loadCatalogue, mergeNeeds } from '../../journey-map/rules/compile.ts';
import type { CatalogueProduct, CustomerFacts } from '../../journey-map/rules/facts.ts';
import { propertiesPass } from '../../journey-map/rules/value-test.ts';
import type { PropertyTest } from '../../journey-map/model.ts';
import type { Clock } from '../../shared/clock.ts';
import { exitRuleReason, ScenarioDocument, type ExitRule, type ScenarioTrigger } from '../model.ts';
import { listActiveScenarioVersions } from '../scenarios.ts';
import {
  type EnrollmentRequest,
  enrollCustomers,
  exitEnrollment,
  type RunnableVersion,
  type ScheduleWake,
  type TriggerRecord,
  wakeEnrollment,
} from './enrollments.ts';
import type { CellRef, SignalData, SignalKind } from './signals.ts';

/**
 * Processing the trigger queue (scenario_signals): for each signal, in id order, for its customer:
 * 1. exit rules of the customer's active enrollments — a `condition` rule that holds now (the
 *    customer's facts at the clock's instant) or a `left_cell` rule on a move out of the cell —
 *    end the enrollment at once, even in the middle of a wait (exitEnrollment);
 * 2. wake-ups — an event wakes the enrollments waiting for its type whose property tests it
 *    passes; an order with a delivery recorded wakes the enrollments waiting for one (recheck);
 * 3. triggers — every active scenario whose trigger matches enrolls the customer (under its
 *    re-entry rule), unless one of its condition exit rules already holds for them (they would
 *    leave at once), and not twice for the same order, event or subscription change (ref).
 * Exit rules run before triggers, so a signal that both triggers a scenario and meets one of its
 * exit conditions enrolls nobody. A batch of signals is taken `for update skip locked` and marked
 * processed in the transaction that writes their effects: a retry or a second processor never
 * handles a signal twice. Signals of one workspace are processed in id order within a batch;
 * two processors may run different batches of it at once.
 */

export interface ProcessOutcome {
  processed: number;
  enrolled: number;
  exited: number;
  woken: number;
}

interface SignalRow {
  id: string;
  customer_id: string;
  kind: SignalKind;
  ref: string | null;
  at: Date;
  data: SignalData[SignalKind];
}

interface Batch {
  client: pg.ClientBase;
  workspaceId: string;
  timezone: string;
  now: Date;
  versions: RunnableVersion[];
  catalogue: CatalogueProduct[];
  compiled: Map<Condition, ReturnType<typeof compileCondition>>;
  documents: Map<string, ScenarioDocument>;
  schedule?: ScheduleWake | undefined;
  outcome: ProcessOutcome;
}

const BATCH = 100;

export async function processSignals(params: {
  pool: pg.Pool;
  clock: Clock;
  workspaceId: string;
  schedule?: ScheduleWake;
  /** At most this many signals (default: until none is left). */
  limit?: number;
}): Promise<ProcessOutcome> {
  const outcome: ProcessOutcome = { processed: 0, enrolled: 0, exited: 0, woken: 0 };
  const limit = params.limit ?? Number.POSITIVE_INFINITY;
  while (outcome.processed < limit) {
    const taken = await withTransaction(params.pool, async (client) => {
      const { rows } = await client.query<SignalRow>(
        `select id, customer_id, kind, ref, at, data from scenario_signals
          where workspace_id = $1 and processed_at is null
          order by id limit $2
          for update skip locked`,
        [params.workspaceId, Math.min(BATCH, limit - outcome.processed)],
      );
      if (rows.length === 0) return 0;
      const now = params.clock.now();
      const { rows: workspace } = await client.query<{ timezone: string }>('select timezone from workspaces where id = $1', [params.workspaceId]);
      const batch: Batch = {
        client,
        workspaceId: params.workspaceId,
        timezone: workspace[0]!.timezone,
        now,
        versions: (await listActiveScenarioVersions({ pool: client, workspaceId: params.workspaceId })).map((v) => ({
          scenarioId: v.scenarioId,
          version: v.version,
          document: v.document,
        })),
        catalogue: await loadCatalogue(client, params.workspaceId),
        compiled: new Map(),
        documents: new Map(),
        schedule: params.schedule,
        outcome,
      };
      for (const round of roundsOf(rows)) await processRound(batch, round);
      await client.query('update scenario_signals set processed_at = $2 where id = any($1::bigint[])', [rows.map((row) => row.id), now]);
      return rows.length;
    });
    if (taken === 0) break;
    outcome.processed += taken;
  }
  return outcome;
}

interface ActiveEnrollment {
  id: string;
  customer_id: string;
  scenario_id: string;
  version: number;
  document: unknown;
  trigger: TriggerRecord;
  step_id: string | null;
  visit: number;
  wait_event_type: string | null;
  wait_event_where: PropertyTest[] | null;
  waiting_for_delivery: boolean;
}

/**
 * The batch's signals in rounds: round n holds the n-th signal of each customer (in id order).
 * Everything a signal reads or changes is its own customer's (enrollments, facts), so the
 * signals of one round are processed together and each customer's signals still in id order.
 */
function roundsOf(rows: readonly SignalRow[]): SignalRow[][] {
  const rounds: SignalRow[][] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const n = seen.get(row.customer_id) ?? 0;
    seen.set(row.customer_id, n + 1);
    (rounds[n] ??= []).push(row);
  }
  return rounds;
}

/** One round (one signal per customer): every read and write made for all its customers at once. */
async function processRound(batch: Batch, signals: readonly SignalRow[]): Promise<void> {
  const { client, workspaceId, now } = batch;
  const customerIds = signals.map((signal) => signal.customer_id);
  const { rows: active } = await client.query<ActiveEnrollment>(
    `select e.id, e.customer_id, e.scenario_id, e.version, v.document, e.trigger, e.step_id, e.visit,
            e.wait_event_type, e.wait_event_where, e.waiting_for_delivery
       from scenario_enrollments e join scenario_versions v on v.scenario_id = e.scenario_id and v.version = e.version
      where e.workspace_id = $1 and e.customer_id = any($2::bigint[]) and e.status = 'active'
      order by e.id
      for update of e`,
    [workspaceId, customerIds],
  );
  const byCustomer = new Map<string, Array<ActiveEnrollment & { document: ScenarioDocument }>>();
  for (const row of active) {
    const list = byCustomer.get(row.customer_id) ?? [];
    list.push({ ...row, document: documentOf(batch, row) });
    byCustomer.set(row.customer_id, list);
  }
  const work = signals.map((signal) => ({
    signal,
    enrollments: byCustomer.get(signal.customer_id) ?? [],
    triggered: batch.versions.filter((version) => triggerMatches(version.document.trigger, signal, batch.catalogue)),
  }));

  // The customers' facts now, for every condition exit rule concerned (loaded once for all of them).
  const holding = await conditionsHolding(
    batch,
    work.map(({ signal, enrollments, triggered }) => ({
      customerId: signal.customer_id,
      conditions: [...enrollments.map((e) => e.document), ...triggered.map((v) => v.document)].flatMap((document) =>
        document.exitRules.flatMap((rule) => (rule.kind === 'condition' ? [rule.condition] : [])),
      ),
    })),
  );

  // 1. Exit rules.
  const remaining = work.map(({ signal, enrollments }) => ({ signal, enrollments: [] as typeof enrollments, all: enrollments }));
  for (const entry of remaining) {
    const holds = holding(entry.signal.customer_id);
    for (const enrollment of entry.all) {
      const rule = enrollment.document.exitRules.find((each) => exitRuleApplies(each, enrollment, entry.signal, holds));
      if (rule) {
        await exitEnrollment(client, { enrollmentId: enrollment.id, reason: exitRuleReason(rule), now });
        batch.outcome.exited++;
      } else entry.enrollments.push(enrollment);
    }
  }

  // 2. Wake-ups (of the enrollments still active, locked above, in id order).
  for (const { signal, enrollments } of remaining) {
    if (signal.kind === 'event') {
      const data = signal.data as SignalData['event'];
      for (const waiting of enrollments) {
        if (waiting.wait_event_type !== data.type || waiting.step_id === null) continue;
        if (!propertiesPass(waiting.wait_event_where ?? [], data.properties)) continue;
        const result = await wakeEnrollment(client, {
          enrollmentId: waiting.id,
          wake: { kind: 'event', stepId: waiting.step_id, visit: waiting.visit, ref: signal.ref ?? signal.id },
          now,
          ...(batch.schedule ? { schedule: batch.schedule } : {}),
        });
        if (result && !result.stale) batch.outcome.woken++;
      }
    }
    if (signal.kind === 'order' && (signal.data as SignalData['order']).delivered) {
      for (const row of enrollments) {
        if (!row.waiting_for_delivery || row.step_id === null) continue;
        const result = await wakeEnrollment(client, {
          enrollmentId: row.id,
          wake: { kind: 'recheck', stepId: row.step_id, visit: row.visit },
          now,
          ...(batch.schedule ? { schedule: batch.schedule } : {}),
        });
        if (result && !result.stale) batch.outcome.woken++;
      }
    }
  }

  // 3. Triggers.
  const candidates: Array<EnrollmentRequest & { kind: SignalKind }> = [];
  for (const { signal, triggered } of work) {
    const holds = holding(signal.customer_id);
    for (const version of triggered) {
      const exitHolds = version.document.exitRules.some((rule) => rule.kind === 'condition' && holds(rule.condition));
      if (exitHolds) continue;
      candidates.push({
        version,
        customerId: signal.customer_id,
        trigger: triggerRecord(version.document.trigger, signal, batch.catalogue),
        kind: signal.kind,
      });
    }
  }
  // The same order, event or subscription change enrolls once per scenario (a record sent again is not a new trigger).
  const referenced = candidates.filter((candidate) => candidate.kind !== 'moved' && candidate.trigger.ref !== null);
  const seen = new Set<string>();
  const refKey = (customerId: string, scenarioId: string, kind: string, ref: string) => JSON.stringify([customerId, scenarioId, kind, ref]);
  if (referenced.length > 0) {
    const { rows } = await client.query<{ customer_id: string; scenario_id: string; kind: string; ref: string }>(
      `select distinct e.customer_id, e.scenario_id, e.trigger->>'kind' as kind, e.trigger->>'ref' as ref
         from scenario_enrollments e
         join unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[]) as x(c, s, k, r)
           on e.customer_id = x.c and e.scenario_id = x.s and e.trigger->>'kind' = x.k and e.trigger->>'ref' = x.r
        where e.workspace_id = $1`,
      [
        workspaceId,
        referenced.map((candidate) => candidate.customerId),
        referenced.map((candidate) => candidate.version.scenarioId),
        referenced.map((candidate) => candidate.trigger.kind),
        referenced.map((candidate) => candidate.trigger.ref),
      ],
    );
    for (const row of rows) seen.add(refKey(row.customer_id, row.scenario_id, row.kind, row.ref));
  }
  const requests = candidates.filter(
    (candidate) =>
      !(
        candidate.kind !== 'moved' &&
        candidate.trigger.ref !== null &&
        seen.has(refKey(candidate.customerId, candidate.version.scenarioId, candidate.trigger.kind, candidate.trigger.ref))
      ),
  );
  const outcomes = await enrollCustomers(client, {
    workspaceId,
    timezone: batch.timezone,
    requests: requests.map(({ version, customerId, trigger }) => ({ version, customerId, trigger })),
    now,
    schedule: batch.schedule,
  });
  batch.outcome.enrolled += outcomes.filter((outcome) => outcome.enrolled).length;
}

/** A version's document, parsed once per batch. */
function documentOf(batch: Batch, row: { scenario_id: string; version: number; document: unknown }): ScenarioDocument {
  const key = `${row.scenario_id}:${row.version}`;
  let document = batch.documents.get(key);
  if (!document) {
    document = ScenarioDocument.parse(row.document);
    batch.documents.set(key, document);
  }
  return document;
}

/** A predicate over each customer's facts now for their conditions (the facts of all of them loaded in one pass). */
async function conditionsHolding(
  batch: Batch,
  customers: ReadonlyArray<{ customerId: string; conditions: Condition[] }>,
): Promise<(customerId: string) => (condition: Condition) => boolean> {
  const wanted = customers.filter((customer) => customer.conditions.length > 0);
  if (wanted.length === 0) return () => () => false;
  let needs = emptyNeeds();
  for (const { conditions } of wanted) {
    for (const condition of conditions) {
      let compiled = batch.compiled.get(condition);
      if (!compiled) {
        compiled = compileCondition(condition, batch.catalogue);
        batch.compiled.set(condition, compiled);
      }
      needs = mergeNeeds(needs, compiled.needs);
    }
  }
  const ids = [...new Set(wanted.map((customer) => customer.customerId))];
  const facts = new Map<string, CustomerFacts>();
  for (const found of await loadFacts({ db: batch.client, workspaceId: batch.workspaceId, timezone: batch.timezone, needs, at: batch.now }, { ids }))
    facts.set(found.customerId, found);
  const today = todayOf(batch.now, batch.timezone);
  return (customerId) => {
    const customerFacts = facts.get(customerId);
    return (condition) => {
      const compiled = batch.compiled.get(condition);
      return customerFacts !== undefined && compiled?.holds(customerFacts, today) === true;
    };
  };
}

function exitRuleApplies(
  rule: ExitRule,
  enrollment: { document: ScenarioDocument; trigger: TriggerRecord },
  signal: SignalRow,
  holds: (condition: Condition) => boolean,
): boolean {
  if (rule.kind === 'condition') return holds(rule.condition);
  if (signal.kind !== 'moved') return false;
  const move = signal.data as SignalData['moved'];
  const cell = leftCellTarget(rule, enrollment);
  if (!cell) return false;
  return cellMatches(cell, move.from) && !cellMatches(cell, move.to);
}

/** The cell a left_cell rule keeps the customer in: its own keys, else the trigger's cell. */
function leftCellTarget(
  rule: Extract<ExitRule, { kind: 'left_cell' }>,
  enrollment: { document: ScenarioDocument; trigger: TriggerRecord },
): { stage?: string | undefined; level?: string | undefined } | null {
  if (rule.stage !== undefined || rule.level !== undefined) return { stage: rule.stage, level: rule.level };
  const trigger = enrollment.document.trigger;
  if (trigger.kind !== 'cell_entered') return null;
  if (trigger.stage !== undefined || trigger.level !== undefined) return { stage: trigger.stage, level: trigger.level };
  // A trigger on any cell: the cell the customer entered.
  const [stage, level] = (enrollment.trigger.ref ?? '').split('/');
  return stage && level ? { stage, level } : null;
}

function cellMatches(want: { stage?: string | undefined; level?: string | undefined }, cell: CellRef | null): boolean {
  if (!cell) return false;
  return (want.stage === undefined || want.stage === cell.stage) && (want.level === undefined || want.level === cell.level);
}

/** The first of `skus` a selection names (by SKU or category); no selection: the first. Undefined: none matches. */
export function firstSelected(
  selection: { products?: string[] | undefined; categories?: string[] | undefined },
  skus: readonly string[],
  catalogue: readonly CatalogueProduct[],
): string | undefined {
  if (!selection.products?.length && !selection.categories?.length) return skus[0] ?? '';
  return skus.find((sku) => {
    if (selection.products?.includes(sku)) return true;
    const category = catalogue.find((product) => product.sku === sku)?.category;
    return category != null && (selection.categories?.includes(category) ?? false);
  });
}

function triggerMatches(trigger: ScenarioTrigger, signal: SignalRow, catalogue: readonly CatalogueProduct[]): boolean {
  switch (trigger.kind) {
    case 'event': {
      if (signal.kind !== 'event') return false;
      const data = signal.data as SignalData['event'];
      return data.type === trigger.type && propertiesPass(trigger.where, data.properties);
    }
    case 'order': {
      if (signal.kind !== 'order') return false;
      return firstSelected(trigger, (signal.data as SignalData['order']).skus, catalogue) !== undefined;
    }
    case 'subscription': {
      if (signal.kind !== 'subscription') return false;
      const data = signal.data as SignalData['subscription'];
      if (data.change !== trigger.change) return false;
      if (trigger.change === 'delivery' && trigger.delivery !== undefined && data.delivery !== trigger.delivery) return false;
      return firstSelected(trigger, data.skus, catalogue) !== undefined;
    }
    case 'cell_entered': {
      if (signal.kind !== 'moved') return false;
      const move = signal.data as SignalData['moved'];
      return cellMatches(trigger, move.to) && !cellMatches(trigger, move.from);
    }
    case 'cell_left': {
      if (signal.kind !== 'moved') return false;
      const move = signal.data as SignalData['moved'];
      return cellMatches(trigger, move.from) && !cellMatches(trigger, move.to);
    }
    case 'date_attribute':
    case 'subscription_anniversary':
    case 'audience':
      return false;
  }
}

function triggerRecord(trigger: ScenarioTrigger, signal: SignalRow, catalogue: readonly CatalogueProduct[]): TriggerRecord {
  const at = signal.at.toISOString();
  switch (signal.kind) {
    case 'order': {
      const data = signal.data as SignalData['order'];
      const sku = trigger.kind === 'order' ? firstSelected(trigger, data.skus, catalogue) : undefined;
      return { kind: trigger.kind, ref: signal.ref, at, orderId: data.orderId, sku: sku || null };
    }
    case 'subscription': {
      const data = signal.data as SignalData['subscription'];
      const sku = trigger.kind === 'subscription' ? firstSelected(trigger, data.skus, catalogue) : undefined;
      const ref = data.change === 'delivery' ? `${signal.ref}#${data.delivery}` : `${signal.ref}:${data.change}@${at}`;
      return { kind: trigger.kind, ref, at, sku: sku || null };
    }
    case 'moved': {
      const move = signal.data as SignalData['moved'];
      const cell = trigger.kind === 'cell_left' ? move.from : move.to;
      // A cell's trigger ref names the cell and the instant: entering it again later is a new trigger (the re-entry rule decides).
      return { kind: trigger.kind, ref: cell ? `${cell.stage}/${cell.level}` : null, at };
    }
    case 'event':
      return { kind: trigger.kind, ref: signal.ref, at };
  }
}

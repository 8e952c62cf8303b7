import type pg from 'pg';
import { KizunaError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import { type Advance, advance, type EnrollmentState, newEnrollment, type PathEntry, type StepEffect, type Wake } from './interpreter.ts';
import { ScenarioDocument } from './model.ts';
import { loadStepContext, type TriggerRecord } from './runtime/enrollments.ts';
import { readScenario } from './scenarios.ts';
import { loadFacts } from '../journey-map/placement/facts-loader.ts';
import { todayOf } from '../journey-map/placement/local-days.ts';
import { compileCondition, emptyNeeds, loadCatalogue, mergeNeeds } from '../journey-map/rules/compile.ts';

/**
 * A dry run: the path one customer would take through a scenario if it triggered for them
 * now, with the moment each step would run — nothing is written and nothing is sent. The
 * customer's facts are read as of now and kept for the whole run (a branch reads them as they
 * are today); an event wait is shown taking its timeout (the event cannot be foreseen), and a
 * wait for a delivery not yet recorded ends the run there. An order trigger uses the
 * customer's latest order of the trigger's products (for its delivery and effect timeline).
 */

export interface DryRun {
  scenario: { id: string; key: string; version: number | 'draft' };
  customer: { id: string; externalId: string };
  trigger: TriggerRecord;
  /** Every step passed or waited in, in order, with its moment. */
  path: PathEntry[];
  /** The effects it would produce (sends, tasks, attributes), with the timing that chose each moment. */
  effects: Array<StepEffect & { at: string }>;
  /** How the run ended: completed, exited (with the reason), or where it stopped. */
  end: { status: EnrollmentState['status'] | 'waiting' | 'not_entered'; reason: string | null };
  notes: string[];
}

const MAX_WAKES = 500;

export async function dryRunScenario(params: {
  pool: pg.Pool;
  workspaceId: string;
  scenario: string;
  customer: string;
  clock: Clock;
  /** Run the draft instead of the published version. */
  draft?: boolean;
}): Promise<DryRun> {
  const { pool, workspaceId, clock } = params;
  const stored = await readScenario({ pool, workspaceId, scenario: params.scenario });
  const draft = params.draft ? ScenarioDocument.safeParse(stored.draft?.document) : undefined;
  if (draft && stored.draft && !draft.success) {
    throw new KizunaError('validation_failed', `the draft of scenario ${stored.key} is not a complete scenario yet; fix its problems to run it`, {
      problems: [{ field: 'scenario', reason: 'draft has problems' }],
    });
  }
  const document = params.draft ? draft?.data : stored.published?.document;
  if (!document) {
    throw new KizunaError('validation_failed', `scenario ${stored.key} has no ${params.draft ? 'draft' : 'published version'} to run`, {
      problems: [{ field: 'scenario', reason: params.draft ? 'no draft' : 'not published' }],
    });
  }
  const { rows: customers } = await pool.query<{ id: string; external_id: string }>(
    'select id, external_id from customers where workspace_id = $1 and (external_id = $2 or id::text = $2) limit 1',
    [workspaceId, params.customer],
  );
  const customer = customers[0];
  if (!customer) throw new KizunaError('not_found', `no customer ${params.customer} in this workspace`);
  const { rows: zones } = await pool.query<{ timezone: string }>('select timezone from workspaces where id = $1', [workspaceId]);
  const timezone = zones[0]!.timezone;
  const now = clock.now();
  const notes: string[] = [];
  const trigger = await hypotheticalTrigger(pool, workspaceId, customer.id, document, now, notes);
  const client = await pool.connect();
  try {
    // Whether the customer would enter at all: the runtime enrolls nobody for whom a condition
    // exit rule holds, nor against the re-entry rule.
    const refusal = await entryRefusal(client, { workspaceId, timezone, document, scenarioId: stored.id, customerId: customer.id, now });
    if (refusal) {
      return {
        scenario: { id: stored.id, key: stored.key, version: params.draft ? 'draft' : stored.published!.version },
        customer: { id: customer.id, externalId: customer.external_id },
        trigger,
        path: [],
        effects: [],
        end: { status: 'not_entered', reason: refusal },
        notes,
      };
    }
    let at = now;
    const base = await loadStepContext(client, { workspaceId, timezone, document, customerId: customer.id, trigger, now });
    const contextAt = (instant: Date) => ({ ...base, now: instant });
    let state = newEnrollment('dry-run', now);
    const path: PathEntry[] = [];
    const effects: DryRun['effects'] = [];
    let wake: Wake = { kind: 'enter', triggerAt: trigger.at };
    let end: DryRun['end'] = { status: 'waiting', reason: null };
    for (let round = 0; round < MAX_WAKES; round++) {
      const result: Advance = advance(document, state, wake, contextAt(at));
      state = result.state;
      path.push(...result.path);
      for (const effect of result.effects) effects.push({ ...effect, at: at.toISOString() });
      if (state.status !== 'active') {
        end = { status: state.status, reason: state.exitReason };
        break;
      }
      if (result.waitingForDelivery) {
        end = { status: 'waiting', reason: 'waits for the delivery of the trigger order to be recorded' };
        break;
      }
      if (!result.schedule) break;
      if (result.waitFor) notes.push(`${result.schedule.stepId}: the ${result.waitFor.type} event cannot be foreseen; shown taking its timeout`);
      at = new Date(result.schedule.at);
      wake = { kind: 'due', stepId: result.schedule.stepId, visit: result.schedule.visit };
    }
    return {
      scenario: { id: stored.id, key: stored.key, version: params.draft ? 'draft' : stored.published!.version },
      customer: { id: customer.id, externalId: customer.external_id },
      trigger,
      path,
      effects,
      end,
      notes,
    };
  } finally {
    client.release();
  }
}

/** The trigger as if it fired now; for an order trigger, the customer's latest order of its products (its delivery times the effect waits). */
async function hypotheticalTrigger(
  pool: pg.Pool,
  workspaceId: string,
  customerId: string,
  document: ScenarioDocument,
  now: Date,
  notes: string[],
): Promise<TriggerRecord> {
  const at = now.toISOString();
  const { trigger } = document;
  if (trigger.kind !== 'order') return { kind: trigger.kind, ref: 'dry-run', at };
  const { rows } = await pool.query<{ id: string; external_id: string; sku: string; ordered_at: Date }>(
    `select o.id, o.external_id, p.sku, o.ordered_at
       from orders o join order_items i on i.order_id = o.id join products p on p.id = i.product_id
      where o.workspace_id = $1 and o.customer_id = $2
        and (p.sku = any($3::text[]) or p.category = any($4::text[]))
      order by o.ordered_at desc limit 1`,
    [workspaceId, customerId, trigger.products ?? [], trigger.categories ?? []],
  );
  const order = rows[0];
  if (!order) {
    notes.push('the customer has no order of the trigger’s products: the effect timeline cannot be read');
    return { kind: 'order', ref: 'dry-run', at };
  }
  notes.push(`as if the order ${order.external_id} had just triggered it`);
  return { kind: 'order', ref: order.external_id, at, orderId: order.id, sku: order.sku };
}

/** Why the customer would not be enrolled now (a condition exit rule holds, or the re-entry rule), or null. */
async function entryRefusal(
  client: pg.ClientBase,
  params: { workspaceId: string; timezone: string; document: ScenarioDocument; scenarioId: string; customerId: string; now: Date },
): Promise<string | null> {
  const { workspaceId, timezone, document, customerId, now } = params;
  const rules = document.exitRules.flatMap((rule) => (rule.kind === 'condition' ? [rule] : []));
  if (rules.length > 0) {
    const catalogue = await loadCatalogue(client, workspaceId);
    const compiled = rules.map((rule) => ({ rule, compiled: compileCondition(rule.condition, catalogue) }));
    const needs = compiled.reduce((all, each) => mergeNeeds(all, each.compiled.needs), emptyNeeds());
    const [facts] = await loadFacts({ db: client, workspaceId, timezone, needs, at: now }, { ids: [customerId] });
    const today = todayOf(now, timezone);
    const holding = facts ? compiled.find((each) => each.compiled.holds(facts, today)) : undefined;
    if (holding) return `would not enter: the exit rule "${holding.rule.name ?? 'condition'}" holds for this customer now`;
  }
  const { rows } = await client.query<{ status: string; entered_at: Date }>(
    `select status, entered_at from scenario_enrollments
      where workspace_id = $1 and customer_id = $2 and scenario_id = $3
      order by entered_at desc limit 1`,
    [workspaceId, customerId, params.scenarioId],
  );
  const last = rows[0];
  if (!last) return null;
  if (last.status === 'active') return 'would not enter: the customer is in this scenario now';
  const { reentry } = document;
  if (reentry.kind === 'once') return `would not enter: the customer entered on ${last.entered_at.toISOString()} and the scenario is entered once`;
  if (reentry.kind === 'once_per_days' && now.getTime() - last.entered_at.getTime() < reentry.days * 86_400_000) {
    return `would not enter: the customer entered on ${last.entered_at.toISOString()}, within ${reentry.days} days`;
  }
  return null;
}

import type pg from 'pg';
import type { Condition } from '../../journey-map/model.ts';
import { loadFacts } from '../../journey-map/placement/facts-loader.ts';
import { todayOf } from '../../journey-map/placement/local-days.ts';
import { compileCondition, emptyNeeds, loadCatalogue, mergeNeeds } from '../../journey-map/rules/compile.ts';
import type { CustomerFacts } from '../../journey-map/rules/facts.ts';
import type { EffectTimeline, StepContext } from '../interpreter.ts';
import type { ScenarioDocument, ScenarioStep } from '../model.ts';
import type { TriggerRecord } from './enrollments.ts';

/** The conditions of a version's branch steps (the facts its interpreter reads). */
function branchConditions(document: ScenarioDocument): Condition[] {
  return document.steps.flatMap((step: ScenarioStep) => (step.kind === 'branch' ? [step.condition] : []));
}

/**
 * What the interpreter reads about one customer now: their facts for the version's branch
 * conditions (the journey rules' facts loader), and the effect timeline of the trigger's
 * product (or a named one): its days to the first feeling and to a clear effect, and the
 * delivery of the trigger's order (or the customer's last delivered order of that product).
 */
export async function loadStepContext(
  client: pg.ClientBase,
  params: { workspaceId: string; timezone: string; document: ScenarioDocument; customerId: string; trigger: TriggerRecord; now: Date },
): Promise<StepContext> {
  const [context] = await loadStepContexts(client, { ...params, customers: [{ customerId: params.customerId, trigger: params.trigger }] });
  return context!;
}

/**
 * loadStepContext for many customers of one version at once (a batch of due enrollments): the
 * catalogue is read and the conditions compiled once, the facts of all customers loaded in one
 * pass; contexts in the order of `customers`.
 */
export async function loadStepContexts(
  client: pg.ClientBase,
  params: {
    workspaceId: string;
    timezone: string;
    document: ScenarioDocument;
    customers: ReadonlyArray<{ customerId: string; trigger: TriggerRecord }>;
    now: Date;
  },
): Promise<StepContext[]> {
  const { workspaceId, timezone, document, now } = params;
  const conditions = branchConditions(document);
  const facts = new Map<string, CustomerFacts>();
  let compiled = new Map<Condition, ReturnType<typeof compileCondition>>();
  if (conditions.length > 0) {
    const catalogue = await loadCatalogue(client, workspaceId);
    compiled = new Map(conditions.map((condition) => [condition, compileCondition(condition, catalogue)]));
    let needs = emptyNeeds();
    for (const { needs: more } of compiled.values()) needs = mergeNeeds(needs, more);
    const ids = [...new Set(params.customers.map((customer) => customer.customerId))];
    for (const found of await loadFacts({ db: client, workspaceId, timezone, needs, at: now }, { ids })) facts.set(found.customerId, found);
  }
  const today = todayOf(now, timezone);
  const wantedSkus = [...new Set<string | undefined>(document.steps.flatMap((step) => (step.kind === 'wait_for_effect' ? [step.product] : [])))];
  const contexts: StepContext[] = [];
  for (const { customerId, trigger } of params.customers) {
    const timelines = new Map<string, EffectTimeline | null>();
    for (const sku of wantedSkus)
      timelines.set(
        sku ?? '',
        await effectTimelineOf(client, { workspaceId, customerId, sku: sku ?? trigger.sku ?? null, orderId: sku ? null : (trigger.orderId ?? null) }),
      );
    const customerFacts = facts.get(customerId) ?? null;
    contexts.push({
      now,
      timezone,
      holds: (condition) => {
        const found = compiled.get(condition);
        return found !== undefined && customerFacts !== null && found.holds(customerFacts, today);
      },
      effectTimeline: (sku) => timelines.get(sku ?? '') ?? null,
    });
  }
  return contexts;
}

async function effectTimelineOf(
  client: pg.ClientBase,
  params: { workspaceId: string; customerId: string; sku: string | null; orderId: string | null },
): Promise<EffectTimeline | null> {
  if (params.sku === null) return null;
  const { rows } = await client.query<{ sku: string; name: string; first: number | null; clear: number | null; delivered_at: Date | null }>(
    `select p.sku, p.name, p.effect_first_feeling_days as first, p.effect_clear_days as clear,
            (select o.delivered_at from orders o join order_items i on i.order_id = o.id and i.product_id = p.id
              where o.workspace_id = $1 and o.customer_id = $2 and ($4::bigint is null or o.id = $4)
              order by o.ordered_at desc limit 1) as delivered_at
       from products p where p.workspace_id = $1 and p.sku = $3`,
    [params.workspaceId, params.customerId, params.sku, params.orderId],
  );
  const row = rows[0];
  if (!row) return null;
  return { sku: row.sku, name: row.name, deliveredAt: row.delivered_at, firstFeelingDays: row.first, clearDays: row.clear };
}

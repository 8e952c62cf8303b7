import type pg from 'pg';
import { assertNever } from '../../shared/errors.ts';
import type { Comparison, Condition, JourneyMap, NumberFact } from '../model.ts';
import type { CatalogueProduct, CustomerFacts, EventNeed, FactNeeds, Predicate, ProductNeed } from './facts.ts';
import { effectPointDays, eventNeed, productNeed } from './selection.ts';
import { compareNumbers, passesValueTest } from './value-test.ts';

/**
 * The rule vocabulary compiled to predicates over CustomerFacts: a tree of closures, one per
 * condition node, built once per map and run for every customer. What each fact means:
 *
 * - `lifecycle in [...]`: the profile's lifecycle, lead (no purchase yet) or customer.
 * - `purchase_count`, `total_spend`: purchases (orders neither cancelled nor returned) so far
 *   and the sum of their amounts.
 * - `days_since_first_purchase`, `days_since_last_purchase`: today − the local day of the
 *   first / last purchase (no purchase → no value).
 * - `bought` (products and/or categories): the number of purchases containing a selected
 *   product; without op/value, "bought at least once".
 * - `days_since_delivered`: today − the local day of the first or last (`which`, default last)
 *   delivery of a purchase containing a selected product; the value is a number of days or an
 *   effect point (the one selected product's effect_first_feeling_days / effect_clear_days
 *   plus offsetDays).
 * - `subscription_status in [...]`: active, paused, cancelled or none.
 * - `subscription_deliveries`: the most deliveries of any of the customer's subscriptions.
 * - `days_since_subscription_started`: today − the start day of the subscription in force
 *   (active or paused); none in force → no value.
 * - `events`: the number of events of `type` whose properties pass every `where` test over the
 *   last `withinDays` days, today included; without op/value, "at least one".
 * - `rfm_segment in [...]`: the customer's RFM segment today (no purchase → no value).
 * - `p_alive`: P(alive) of the last customer-value run (none → no value).
 * - `attribute`: a customer attribute; without op, "exists" (present and not null); otherwise
 *   compared like an event property.
 * A fact with no value makes every comparison false; `not` inverts the result.
 */

/** Loads the workspace's products as rules resolve them. */
export async function loadCatalogue(client: pg.ClientBase | pg.Pool, workspaceId: string): Promise<CatalogueProduct[]> {
  const { rows } = await client.query<{
    id: string;
    sku: string;
    category: string | null;
    effect_first_feeling_days: number | null;
    effect_clear_days: number | null;
  }>('select id, sku, category, effect_first_feeling_days, effect_clear_days from products where workspace_id = $1 order by id', [workspaceId]);
  return rows.map((row) => ({
    id: String(row.id),
    sku: row.sku,
    category: row.category,
    effectFirstFeelingDays: row.effect_first_feeling_days,
    effectClearDays: row.effect_clear_days,
  }));
}

export function emptyNeeds(): FactNeeds {
  return { purchases: false, products: [], subscriptions: false, events: [], rfm: false, pAlive: false, attributes: [] };
}

/** The facts either set of needs reads, each product selection and event count once (by key). */
export function mergeNeeds(a: FactNeeds, b: FactNeeds): FactNeeds {
  return {
    purchases: a.purchases || b.purchases,
    products: uniqueByKey<ProductNeed>([...a.products, ...b.products]),
    subscriptions: a.subscriptions || b.subscriptions,
    events: uniqueByKey<EventNeed>([...a.events, ...b.events]),
    rfm: a.rfm || b.rfm,
    pAlive: a.pAlive || b.pAlive,
    attributes: [...new Set([...a.attributes, ...b.attributes])],
  };
}

function uniqueByKey<T extends { key: string }>(items: T[]): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) if (!byKey.has(item.key)) byKey.set(item.key, item);
  return [...byKey.values()];
}

function needing(partial: Partial<FactNeeds>): FactNeeds {
  return { ...emptyNeeds(), ...partial };
}

/** A numeric fact of a customer on day `today`, or null when it has no value. */
function numberFactOf(fact: NumberFact): (facts: CustomerFacts, today: number) => number | null {
  switch (fact) {
    case 'purchase_count':
      return (facts) => facts.purchaseCount;
    case 'total_spend':
      return (facts) => facts.totalSpend;
    case 'days_since_first_purchase':
      return (facts, today) => (facts.firstPurchaseDay === null ? null : today - facts.firstPurchaseDay);
    case 'days_since_last_purchase':
      return (facts, today) => (facts.lastPurchaseDay === null ? null : today - facts.lastPurchaseDay);
    case 'subscription_deliveries':
      return (facts) => facts.subscription.deliveries;
    case 'days_since_subscription_started':
      return (facts, today) => (facts.subscription.startedDay === null ? null : today - facts.subscription.startedDay);
    case 'p_alive':
      return (facts) => facts.pAlive;
    default:
      return assertNever(fact, 'number fact');
  }
}

/** The facts a numeric fact reads. */
export function numberFactNeeds(fact: NumberFact): Partial<FactNeeds> {
  switch (fact) {
    case 'purchase_count':
    case 'total_spend':
    case 'days_since_first_purchase':
    case 'days_since_last_purchase':
      return { purchases: true };
    case 'subscription_deliveries':
    case 'days_since_subscription_started':
      return { subscriptions: true };
    case 'p_alive':
      return { pAlive: true };
    default:
      return assertNever(fact, 'number fact');
  }
}

function comparing(value: (facts: CustomerFacts, today: number) => number | null, op: Comparison, expected: number | null): Predicate {
  if (expected === null) return () => false;
  return (facts, today) => {
    const actual = value(facts, today);
    return actual !== null && compareNumbers(op, actual, expected);
  };
}

/** A condition as a predicate, and the facts it reads. */
export function compileCondition(condition: Condition, catalogue: readonly CatalogueProduct[]): { needs: FactNeeds; holds: Predicate } {
  if ('all' in condition) {
    const members = condition.all.map((member) => compileCondition(member, catalogue));
    const predicates = members.map((member) => member.holds);
    return { needs: members.map((m) => m.needs).reduce(mergeNeeds, emptyNeeds()), holds: (facts, today) => predicates.every((p) => p(facts, today)) };
  }
  if ('any' in condition) {
    const members = condition.any.map((member) => compileCondition(member, catalogue));
    const predicates = members.map((member) => member.holds);
    return { needs: members.map((m) => m.needs).reduce(mergeNeeds, emptyNeeds()), holds: (facts, today) => predicates.some((p) => p(facts, today)) };
  }
  if ('not' in condition) {
    const inner = compileCondition(condition.not, catalogue);
    return { needs: inner.needs, holds: (facts, today) => !inner.holds(facts, today) };
  }
  switch (condition.fact) {
    case 'lifecycle': {
      const wanted = new Set<string>(condition.in);
      return { needs: needing({ purchases: true }), holds: (facts) => wanted.has(facts.lifecycle) };
    }
    case 'purchase_count':
    case 'total_spend':
    case 'days_since_first_purchase':
    case 'days_since_last_purchase':
    case 'subscription_deliveries':
    case 'days_since_subscription_started':
    case 'p_alive':
      return { needs: needing(numberFactNeeds(condition.fact)), holds: comparing(numberFactOf(condition.fact), condition.op, condition.value) };
    case 'bought': {
      const need = productNeed(condition, catalogue);
      const purchases = (facts: CustomerFacts) => facts.products[need.key]?.purchases ?? 0;
      return { needs: needing({ products: [need] }), holds: comparing(purchases, condition.op ?? '>=', condition.value ?? 1) };
    }
    case 'days_since_delivered': {
      const need = productNeed(condition, catalogue);
      const which = condition.which ?? 'last';
      const daysSince = (facts: CustomerFacts, today: number) => {
        const bought = facts.products[need.key];
        const day = bought ? (which === 'first' ? bought.firstDeliveredDay : bought.lastDeliveredDay) : null;
        return day === null ? null : today - day;
      };
      const expected = typeof condition.value === 'number' ? condition.value : effectPointDays(condition.value, need.productIds, catalogue);
      return { needs: needing({ products: [need] }), holds: comparing(daysSince, condition.op, expected) };
    }
    case 'subscription_status': {
      const wanted = new Set<string>(condition.in);
      return { needs: needing({ subscriptions: true }), holds: (facts) => wanted.has(facts.subscription.state) };
    }
    case 'events': {
      const need = eventNeed(condition);
      return {
        needs: needing({ events: [need] }),
        holds: comparing((facts) => facts.events[need.key] ?? 0, condition.op ?? '>=', condition.value ?? 1),
      };
    }
    case 'rfm_segment': {
      const wanted = new Set<string>(condition.in);
      return { needs: needing({ rfm: true }), holds: (facts) => facts.rfmSegment !== null && wanted.has(facts.rfmSegment) };
    }
    case 'attribute': {
      const { name, op, value } = condition;
      const holds: Predicate =
        op === undefined || op === 'exists'
          ? (facts) => facts.attributes[name] !== undefined && facts.attributes[name] !== null
          : (facts) => passesValueTest(facts.attributes[name], op, value);
      return { needs: needing({ attributes: [name] }), holds };
    }
    default:
      return assertNever(condition, 'condition');
  }
}

/** A map's stage and level rules compiled; `holds: null` is the first stage / lowest level (holds anyone). */
export interface CompiledMap {
  needs: FactNeeds;
  stages: Array<{ key: string; holds: Predicate | null }>;
  levels: Array<{ key: string; holds: Predicate | null }>;
}

export function compileMap(map: JourneyMap, catalogue: readonly CatalogueProduct[]): CompiledMap {
  let needs = emptyNeeds();
  const compileAxis = (entries: ReadonlyArray<{ key: string; rule?: Condition }>) =>
    entries.map((entry, index) => {
      if (index === 0 || entry.rule === undefined) return { key: entry.key, holds: index === 0 ? null : () => false };
      const compiled = compileCondition(entry.rule, catalogue);
      needs = mergeNeeds(needs, compiled.needs);
      return { key: entry.key, holds: compiled.holds };
    });
  const stages = compileAxis(map.stages);
  const levels = compileAxis(map.levels);
  return { needs, stages, levels };
}

/**
 * A customer's cell on day `today`: the highest stage whose rule holds, never lower than the
 * stage already stored (`storedStageIndex`, its position on this map; -1 when none), and the
 * highest level whose rule holds now. Stages are irreversible, levels are not.
 */
export function placeFacts(compiled: CompiledMap, facts: CustomerFacts, today: number, storedStageIndex: number): { stage: number; level: number } {
  const stage = highestHolding(compiled.stages, facts, today);
  const stored = Math.min(storedStageIndex, compiled.stages.length - 1);
  return { stage: Math.max(stage, stored), level: highestHolding(compiled.levels, facts, today) };
}

function highestHolding(entries: ReadonlyArray<{ holds: Predicate | null }>, facts: CustomerFacts, today: number): number {
  for (let index = entries.length - 1; index > 0; index--) {
    const holds = entries[index]!.holds;
    if (holds === null || holds(facts, today)) return index;
  }
  return 0;
}

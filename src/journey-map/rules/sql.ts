import type pg from 'pg';
import { workspaceTimezone } from '../../analytics/purchases-as-of.ts';
import { rfmChurnWindow } from '../../analytics/rfm.ts';
import { rfmBaseCte, rfmScoredCtes } from '../../analytics/rfm-quintiles.ts';
import { purchaseCondition } from '../../orders/purchase.ts';
import { assertNever } from '../../shared/errors.ts';
import { localDateOf } from '../../shared/time.ts';
import type { Comparison, Condition, JourneyMap, PropertyTest } from '../model.ts';
import { compileMap, loadCatalogue } from './compile.ts';
import type { CatalogueProduct, FactNeeds } from './facts.ts';
import { effectPointDays, eventNeed, productNeed } from './selection.ts';
import type { Scalar } from './value-test.ts';

/**
 * The rule vocabulary as SQL: the same rules as compile.ts, evaluated as one plain query over
 * the tables (customers, orders, order_items, subscriptions, events, customer_values, and the
 * RFM scoring of src/analytics/rfm-quintiles.ts). It is the benchmark's baseline and the
 * cross-check of the JS compiler and the facts loader, so it is written for clarity: one
 * aggregate per customer for each fact the map reads, joined to the profiles, then a `case`
 * per axis.
 */

/** SQL text with numbered placeholders, so the operands a map needs (product ids, property tests) are added without counting. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** The placeholder of `value` (`$n`), with an optional cast. */
  add(value: unknown, cast = ''): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

/**
 * SQL: does the JSON object `jsonSql` (event properties, customer attributes) pass the test?
 * The semantics of value-test.ts: a string value compares the property's text (collation C),
 * a number value a JSON number, a boolean a JSON boolean; `in` equals any listed value; `!=`
 * holds only when the property is present and different; a missing property or JSON null
 * fails every test. Never null.
 */
export function propertyTestSql(jsonSql: string, test: PropertyTest, params: SqlParams): string {
  // A list goes with `in` only (the map's check refuses it elsewhere): no scalar equals a list.
  if (test.op !== 'in' && Array.isArray(test.value)) return 'false';
  const name = params.add(test.property, '::text');
  if (test.op === 'in') {
    const values = Array.isArray(test.value) ? test.value : [test.value];
    return `(${values.map((value) => scalarTestSql(jsonSql, name, '=', value, params)).join(' or ')})`;
  }
  return scalarTestSql(jsonSql, name, test.op, test.value as Scalar, params);
}

function scalarTestSql(jsonSql: string, nameSql: string, op: Comparison, value: Scalar, params: SqlParams): string {
  const property = `(${jsonSql} -> ${nameSql})`;
  const text = `(${jsonSql} ->> ${nameSql})`;
  switch (typeof value) {
    case 'string':
      return `coalesce(${text} collate "C" ${op} ${params.add(value, '::text')} collate "C", false)`;
    case 'number':
      return `(case when jsonb_typeof(${property}) = 'number' then ${text}::numeric ${op} ${params.add(String(value), '::numeric')} else false end)`;
    case 'boolean':
      return `(case when jsonb_typeof(${property}) = 'boolean' then ${text}::boolean ${op} ${params.add(value, '::boolean')} else false end)`;
  }
}

/** The operands every placement query starts with. */
export interface PlacementOperands {
  workspaceId: string;
  /** The instant of the placement. */
  at: Date;
  timezone: string;
  /** The RFM churn window in days (rfmChurnWindow), read only when the map names rfm_segment; null: nobody is churned. */
  churnWindowDays: number | null;
}

// $1 workspace id, $2 time zone, $3 today (the local date of `at`), $4 `at`, $5 churn window days:
// the RFM scoring (rfmBaseCte) reads $1, $2, $3 under these names.
const TODAY = '$3::date';
const AT = '$4::timestamptz';
const localDate = (timestamp: string) => `(${timestamp} at time zone $2)::date`;
const PURCHASE = purchaseCondition('o');

/** Where each fact of the map's needs is read in the query: the per-customer aggregates' aliases. */
interface FactColumns {
  products: Map<string, string>;
  events: Map<string, string>;
}

/**
 * One query that places every profile of the workspace on the map by its rules as of `at`:
 * rows (customer_id, stage_index, level_index), in customer id order. Stage = the highest
 * stage whose rule holds (0 if none); level likewise. With `keepStoredStage`, the stage is
 * never below the stage stored in journey_placements (by its position in this map; a key the
 * map no longer has counts as none): the irreversibility, as placement applies it.
 */
export function placementSql(
  map: JourneyMap,
  catalogue: readonly CatalogueProduct[],
  operands: PlacementOperands,
  options: { keepStoredStage?: boolean } = {},
): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  params.add(operands.workspaceId, '::bigint');
  params.add(operands.timezone);
  params.add(localDateOf(operands.at, operands.timezone));
  params.add(operands.at.toISOString());
  params.add(operands.churnWindowDays);
  const { needs } = compileMap(map, catalogue);
  const columns: FactColumns = { products: new Map(), events: new Map() };
  const joins = factJoins(needs, columns, params);
  const caseOf = (entries: ReadonlyArray<{ rule?: Condition }>) => {
    const arms = entries
      .map((entry, index) => ({ entry, index }))
      .slice(1)
      .reverse()
      .map(({ entry, index }) => `when ${entry.rule === undefined ? 'false' : conditionSql(entry.rule, catalogue, columns, params)} then ${index}`);
    return arms.length === 0 ? '0' : `case ${arms.join(' ')} else 0 end`;
  };
  let stage = caseOf(map.stages);
  if (options.keepStoredStage) {
    const keys = params.add(
      map.stages.map((s) => s.key),
      '::text[]',
    );
    stage = `greatest(${stage}, coalesce(array_position(${keys}, jp.stage::text) - 1, -1))`;
    joins.push('left join journey_placements jp on jp.workspace_id = c.workspace_id and jp.customer_id = c.id');
  }
  const rfm = needs.rfm ? `with ${rfmBaseCte('$5')}, ${rfmScoredCtes()}\n` : '';
  // num_nonnulls types every operand, also those the map's rules do not read (PostgreSQL refuses an untyped one).
  const sql = `${rfm}select c.id as customer_id, ${stage} as stage_index, ${caseOf(map.levels)} as level_index
  from customers c
  ${joins.join('\n  ')}
 where c.workspace_id = $1 and num_nonnulls($2::text, ${TODAY}, ${AT}, $5::int) >= 0
 order by c.id`;
  return { sql, params: params.values };
}

/**
 * placementSql with its operands read from the database: the workspace's time zone and
 * products, and the churn window of the RFM analyses as of the local date of `at`.
 */
export async function placementQuery(params: {
  pool: pg.Pool;
  workspaceId: string;
  map: JourneyMap;
  at: Date;
  keepStoredStage?: boolean;
}): Promise<{ sql: string; params: unknown[] }> {
  const { pool, workspaceId, map, at } = params;
  const timezone = await workspaceTimezone(pool, workspaceId);
  const catalogue = await loadCatalogue(pool, workspaceId);
  const churnWindow = compileMap(map, catalogue).needs.rfm ? await rfmChurnWindow(pool, workspaceId, localDateOf(at, timezone)) : null;
  return placementSql(
    map,
    catalogue,
    { workspaceId, at, timezone, churnWindowDays: churnWindow?.days ?? null },
    { keepStoredStage: params.keepStoredStage ?? false },
  );
}

/**
 * One aggregate per fact group the map reads, grouped by customer over the workspace's rows and
 * joined to the profiles (a profile without rows has nulls there: conditionSql reads them as
 * zero counts, no subscription, no value), and the joins for RFM and P(alive).
 */
function factJoins(needs: FactNeeds, columns: FactColumns, params: SqlParams): string[] {
  const joins: string[] = [];
  const grouped = (alias: string, select: string) => joins.push(`left join (\n    ${select}\n     group by 1) ${alias} on ${alias}.customer_id = c.id`);
  if (needs.purchases)
    grouped(
      'pur',
      `select o.customer_id, count(*)::int as purchases, sum(o.amount) as spend, min(o.ordered_at) as first_at, max(o.ordered_at) as last_at
      from orders o
     where o.workspace_id = $1 and ${PURCHASE} and o.ordered_at <= ${AT}`,
    );
  needs.products.forEach((need, i) => {
    const alias = `p${i}`;
    columns.products.set(need.key, alias);
    const delivered = `o.delivered_at <= ${AT}`;
    grouped(
      alias,
      `select o.customer_id, count(*)::int as purchases,
           min(o.delivered_at) filter (where ${delivered}) as first_delivered_at,
           max(o.delivered_at) filter (where ${delivered}) as last_delivered_at
      from orders o
     where o.workspace_id = $1 and ${PURCHASE} and o.ordered_at <= ${AT}
       and exists (select 1 from order_items i where i.order_id = o.id and i.product_id = any(${params.add(need.productIds, '::bigint[]')}))`,
    );
  });
  if (needs.subscriptions)
    grouped(
      'sub',
      `select s.customer_id,
           case when bool_or(s.status = 'active' and s.started_at <= ${AT}) then 'active'
                when bool_or(s.status = 'paused') then 'paused'
                else 'cancelled' end as state,
           max(s.deliveries) as deliveries,
           min(s.started_at) filter (where s.status in ('active', 'paused')) as started_at
      from subscriptions s
     where s.workspace_id = $1`,
    );
  needs.events.forEach((need, i) => {
    const alias = `e${i}`;
    columns.events.set(need.key, alias);
    const since = `((${TODAY} - ${params.add(need.withinDays - 1, '::int')})::timestamp at time zone $2)`;
    const tests = need.where.map((test) => `\n       and ${propertyTestSql('e.properties', test, params)}`).join('');
    grouped(
      alias,
      `select e.customer_id, count(*)::int as events
      from events e
     where e.workspace_id = $1 and e.type = ${params.add(need.type, '::text')}
       and e.occurred_at >= ${since} and e.occurred_at <= ${AT}${tests}`,
    );
  });
  if (needs.rfm) joins.push('left join segmented rfm on rfm.customer_id = c.id');
  if (needs.pAlive) joins.push('left join customer_values cv on cv.workspace_id = c.workspace_id and cv.customer_id = c.id');
  return joins;
}

/** `left op right`, false when either side is null. */
function compareSql(left: string, op: Comparison, right: string): string {
  return `coalesce(${left} ${op} ${right}, false)`;
}

const daysSince = (timestamp: string) => `(${TODAY} - ${localDate(timestamp)})`;

/** A condition as a SQL boolean over the query's columns; never null, so `not` inverts exactly. */
export function conditionSql(condition: Condition, catalogue: readonly CatalogueProduct[], columns: FactColumns, params: SqlParams): string {
  const recurse = (inner: Condition) => conditionSql(inner, catalogue, columns, params);
  if ('all' in condition) return `(${condition.all.map(recurse).join(' and ')})`;
  if ('any' in condition) return `(${condition.any.map(recurse).join(' or ')})`;
  if ('not' in condition) return `(not ${recurse(condition.not)})`;
  const number = (value: number) => params.add(String(value), '::numeric');
  switch (condition.fact) {
    case 'lifecycle':
      return `(c.lifecycle = any(${params.add(condition.in, '::text[]')}))`;
    case 'purchase_count':
      return compareSql('coalesce(pur.purchases, 0)', condition.op, number(condition.value));
    case 'total_spend':
      return compareSql('coalesce(pur.spend, 0)', condition.op, number(condition.value));
    case 'days_since_first_purchase':
      return compareSql(daysSince('pur.first_at'), condition.op, number(condition.value));
    case 'days_since_last_purchase':
      return compareSql(daysSince('pur.last_at'), condition.op, number(condition.value));
    case 'subscription_deliveries':
      return compareSql('coalesce(sub.deliveries, 0)', condition.op, number(condition.value));
    case 'days_since_subscription_started':
      return compareSql(daysSince('sub.started_at'), condition.op, number(condition.value));
    case 'p_alive':
      return compareSql('cv.probability_alive', condition.op, params.add(condition.value, '::float8'));
    case 'bought': {
      const alias = columns.products.get(productNeed(condition, catalogue).key)!;
      return compareSql(`coalesce(${alias}.purchases, 0)`, condition.op ?? '>=', number(condition.value ?? 1));
    }
    case 'days_since_delivered': {
      const need = productNeed(condition, catalogue);
      const alias = columns.products.get(need.key)!;
      const delivered = `${alias}.${condition.which === 'first' ? 'first_delivered_at' : 'last_delivered_at'}`;
      const days = typeof condition.value === 'number' ? condition.value : effectPointDays(condition.value, need.productIds, catalogue);
      return days === null ? 'false' : compareSql(daysSince(delivered), condition.op, number(days));
    }
    case 'subscription_status':
      return `(coalesce(sub.state, 'none') = any(${params.add(condition.in, '::text[]')}))`;
    case 'events': {
      const alias = columns.events.get(eventNeed(condition).key)!;
      return compareSql(`coalesce(${alias}.events, 0)`, condition.op ?? '>=', number(condition.value ?? 1));
    }
    case 'rfm_segment':
      return `coalesce(rfm.segment = any(${params.add(condition.in, '::text[]')}), false)`;
    case 'attribute': {
      const { name, op, value } = condition;
      if (op === undefined || op === 'exists') return `coalesce(jsonb_typeof(c.attributes -> ${params.add(name, '::text')}) <> 'null', false)`;
      if (value === undefined) return 'false';
      return propertyTestSql('c.attributes', { property: name, op, value }, params);
    }
    default:
      return assertNever(condition, 'condition');
  }
}

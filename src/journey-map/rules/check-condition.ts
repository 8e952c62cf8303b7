import { z } from 'zod';
import { assertNever } from '../../shared/errors.ts';
import { Condition, type MapProblem, type NumberFact, type PropertyTest } from '../model.ts';
import type { CatalogueProduct } from './facts.ts';
import { issuesToProblems, type MapPath, problemAt } from './map-path.ts';
import { type Bound, canHoldTogether, COUNT, DAYS, type Domain, PROBABILITY, SPEND } from './satisfiable.ts';
import { canonicalJson, effectPointDays, eventNeed, productNeed, resolveSelection } from './selection.ts';

/**
 * The check of one rule (a Condition's JSON), node by node, so that every problem is reported
 * with the path of its own node: the shape (zod, one fact's schema at a time, so a wrong node
 * is explained by what its fact expects rather than by every alternative of the union), then
 * what the shape cannot say: names the workspace does not have, effect points without a
 * timeline, op without value, comparisons that can never hold. Names that need the database
 * (event types, attributes) are collected for the caller to look up.
 */

export interface RuleCheck {
  problems: MapProblem[];
  /** Event types named, to be looked up in the workspace's events. */
  eventTypes: Array<{ path: MapPath; type: string }>;
  /** Attribute names, to be looked up in the workspace's customers. */
  attributes: Array<{ path: MapPath; name: string }>;
}

type FactCondition = Extract<Condition, { fact: string }>;
type FactName = FactCondition['fact'];

/** The schema of each fact's condition, taken from the vocabulary's union (model.ts). */
const FACT_SCHEMAS: ReadonlyMap<string, z.ZodType> = (() => {
  const union = (Condition as unknown as z.ZodLazy<z.ZodUnion<z.ZodObject[]>>).unwrap();
  const schemas = new Map<string, z.ZodType>();
  for (const option of union.options) {
    const fact = option.shape.fact as z.ZodLiteral<string> | z.ZodEnum | undefined;
    if (fact === undefined) continue;
    const names = fact instanceof z.ZodEnum ? (fact.options as string[]) : [...(fact as z.ZodLiteral<string>).values];
    for (const name of names) schemas.set(name, option);
  }
  return schemas;
})();

export const FACT_NAMES: readonly string[] = [...FACT_SCHEMAS.keys()];

const NUMBER_FACT_DOMAINS: Record<NumberFact, Domain> = {
  purchase_count: COUNT,
  total_spend: SPEND,
  days_since_first_purchase: DAYS,
  days_since_last_purchase: DAYS,
  subscription_deliveries: COUNT,
  days_since_subscription_started: DAYS,
  p_alive: PROBABILITY,
};

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Checks the rule at `path` (its raw JSON is `node`), adding to `check`. */
export function checkRule(node: unknown, path: MapPath, catalogue: readonly CatalogueProduct[], check: RuleCheck): void {
  checkNode(node, path, { catalogue, check });
}

interface Context {
  catalogue: readonly CatalogueProduct[];
  check: RuleCheck;
}

/** Checks a node; returns its bound when it is a valid comparison on a numeric subject (for `all` to combine). */
function checkNode(node: unknown, path: MapPath, context: Context): Bound | null {
  const { problems } = context.check;
  if (!isObject(node)) {
    problems.push(problemAt(path, 'a condition is an object: {"fact": …} or {"all": […]}, {"any": […]}, {"not": {…}}'));
    return null;
  }
  const combinator = (['all', 'any', 'not'] as const).find((key) => key in node);
  if (combinator !== undefined && !('fact' in node)) {
    const extra = Object.keys(node).filter((key) => key !== combinator);
    if (extra.length > 0) problems.push(problemAt(path, `a "${combinator}" condition has no other fields (found ${extra.map((k) => `"${k}"`).join(', ')})`));
    if (combinator === 'not') {
      checkNode(node.not, [...path, 'not'], context);
      return null;
    }
    checkMembers(node[combinator], [...path, combinator], combinator, context);
    return null;
  }
  if (!('fact' in node)) {
    problems.push(
      problemAt(
        path,
        `a condition names a fact ({"fact": "purchase_count", "op": ">=", "value": 2}) or combines conditions with "all", "any" or "not"; facts are: ${FACT_NAMES.join(', ')}`,
      ),
    );
    return null;
  }
  const schema = typeof node.fact === 'string' ? FACT_SCHEMAS.get(node.fact) : undefined;
  if (schema === undefined) {
    problems.push(problemAt([...path, 'fact'], `unknown fact ${JSON.stringify(node.fact)}; facts are: ${FACT_NAMES.join(', ')}`));
    return null;
  }
  const parsed = schema.safeParse(node);
  if (!parsed.success) {
    const fields = Object.keys((schema as z.ZodObject).shape);
    const shapeProblems = issuesToProblems(parsed.error.issues, { prefix: path, root: node, unionMessage: (at) => unionMessage(at.slice(path.length)) });
    problems.push(
      ...shapeProblems.map((problem) =>
        problem.message.startsWith('unknown field')
          ? { ...problem, message: `${problem.message}; a "${node.fact}" condition has: ${fields.join(', ')}` }
          : problem,
      ),
    );
    return null;
  }
  return checkFact(parsed.data as FactCondition, path, context);
}

/** zod's union of alternatives inside a fact's condition: a value of several possible kinds. */
function unionMessage(relative: MapPath): string {
  const last = relative[relative.length - 1];
  if (relative.length === 1 && last === 'value')
    return 'expected a number of days, or an effect point such as {"effect": "first_feeling", "offsetDays": 7} (effect: first_feeling or clear)';
  return 'expected a string, a number or a boolean, or a list of them with op "in"';
}

function checkMembers(members: unknown, path: MapPath, combinator: 'all' | 'any', context: Context): void {
  const { problems } = context.check;
  if (!Array.isArray(members)) {
    problems.push(problemAt(path, `"${combinator}" is a list of conditions`));
    return;
  }
  if (members.length === 0) problems.push(problemAt(path, `"${combinator}" needs at least one condition`));
  if (members.length > 50) problems.push(problemAt(path, `"${combinator}" has more than 50 conditions`));
  const bounds = members.map((member, i) => checkNode(member, [...path, i], context));
  if (combinator === 'all') checkBoundsTogether(bounds, path, problems);
}

/** In an `all`, comparisons on the same subject that leave no possible value (purchase_count >= 5 and purchase_count <= 2). */
function checkBoundsTogether(bounds: ReadonlyArray<Bound | null>, path: MapPath, problems: MapProblem[]): void {
  const bySubject = new Map<string, Array<{ bound: Bound; index: number }>>();
  bounds.forEach((bound, index) => {
    if (bound === null) return;
    bySubject.set(bound.subject, [...(bySubject.get(bound.subject) ?? []), { bound, index }]);
  });
  for (const entries of bySubject.values()) {
    if (entries.length < 2 || canHoldTogether(entries.map((e) => e.bound))) continue;
    const listed = entries.map((e) => `${e.bound.label} ([${e.index}])`).join(' and ');
    problems.push(problemAt(path, `these conditions can never all hold: ${listed}`));
  }
}

/** A comparison on its own: refused when no value of the fact's domain passes it. */
function boundOf(bound: Bound, path: MapPath, problems: MapProblem[]): Bound | null {
  if (canHoldTogether([bound])) return bound;
  problems.push(problemAt(path, `${bound.label} can never hold: ${bound.subject.split(' ')[0]} is ${bound.domain.description}`));
  return null;
}

function checkFact(condition: FactCondition, path: MapPath, context: Context): Bound | null {
  const { problems } = context.check;
  const fact: FactName = condition.fact;
  switch (condition.fact) {
    case 'lifecycle':
    case 'subscription_status':
    case 'rfm_segment':
      return null;
    case 'purchase_count':
    case 'total_spend':
    case 'days_since_first_purchase':
    case 'days_since_last_purchase':
    case 'subscription_deliveries':
    case 'days_since_subscription_started':
    case 'p_alive': {
      const { op, value } = condition;
      return boundOf({ subject: fact, label: `${fact} ${op} ${value}`, domain: NUMBER_FACT_DOMAINS[condition.fact], op, value }, path, problems);
    }
    case 'bought': {
      checkSelection(condition, path, context);
      if (!pairedOpAndValue(condition, path, problems)) return null;
      const key = productNeed(condition, context.catalogue).key;
      const [op, value] = [condition.op ?? '>=', condition.value ?? 1];
      return boundOf({ subject: `bought ${key}`, label: `bought ${selectionText(condition)} ${op} ${value}`, domain: COUNT, op, value }, path, problems);
    }
    case 'days_since_delivered': {
      const productIds = checkSelection(condition, path, context);
      const which = condition.which ?? 'last';
      let days: number;
      if (typeof condition.value === 'number') days = condition.value;
      else {
        const resolved = effectPointDays(condition.value, productIds, context.catalogue);
        if (resolved === null) {
          problems.push(problemAt([...path, 'value'], effectPointProblem(condition.value.effect, productIds, context.catalogue)));
          return null;
        }
        days = resolved;
      }
      const key = productNeed(condition, context.catalogue).key;
      const label = `days_since_delivered (${which}) of ${selectionText(condition)} ${condition.op} ${days}`;
      return boundOf({ subject: `days_since_delivered ${which} ${key}`, label, domain: DAYS, op: condition.op, value: days }, path, problems);
    }
    case 'events': {
      context.check.eventTypes.push({ path: [...path, 'type'], type: condition.type });
      (condition.where ?? []).forEach((test, i) => {
        checkListValue(test, [...path, 'where', i], problems);
      });
      if (!pairedOpAndValue(condition, path, problems)) return null;
      const [op, value] = [condition.op ?? '>=', condition.value ?? 1];
      const subject = `events ${eventNeed(condition).key}`;
      return boundOf(
        { subject, label: `events ${condition.type} ${canonicalJson(condition.where ?? [])} ${op} ${value}`, domain: COUNT, op, value },
        path,
        problems,
      );
    }
    case 'attribute': {
      context.check.attributes.push({ path: [...path, 'name'], name: condition.name });
      const { op, value } = condition;
      if (op === undefined && value !== undefined)
        problems.push(problemAt([...path, 'value'], 'a value needs an op ("=", "!=", "<", "<=", ">", ">=" or "in"); without op the condition means "exists"'));
      else if (op === 'exists' && value !== undefined) problems.push(problemAt([...path, 'value'], 'op "exists" takes no value'));
      else if (op !== undefined && op !== 'exists' && value === undefined) problems.push(problemAt([...path, 'op'], `op "${op}" needs a value`));
      else if (op !== undefined && op !== 'exists' && value !== undefined) checkListValue({ op, value }, path, problems);
      return null;
    }
    default:
      return assertNever(condition, 'condition');
  }
}

/** `op` and `value` of a count go together: both, or neither (then: at least one). */
function pairedOpAndValue(condition: { op?: string; value?: number }, path: MapPath, problems: MapProblem[]): boolean {
  if (condition.op !== undefined && condition.value === undefined) {
    problems.push(problemAt([...path, 'op'], `op "${condition.op}" needs a value (or leave out both op and value for "at least one")`));
    return false;
  }
  if (condition.op === undefined && condition.value !== undefined) {
    problems.push(problemAt([...path, 'value'], 'a value needs an op, e.g. "op": ">=" (or leave out both for "at least one")'));
    return false;
  }
  return true;
}

/** A list of values goes with `in` only. */
function checkListValue(test: Pick<PropertyTest, 'op' | 'value'>, path: MapPath, problems: MapProblem[]): void {
  if (Array.isArray(test.value) && test.op !== 'in') problems.push(problemAt([...path, 'value'], `a list of values goes with op "in", not "${test.op}"`));
}

/** Checks that a product selection names something, and only products and categories the workspace has; returns the selected ids. */
function checkSelection(condition: { products?: string[]; categories?: string[] }, path: MapPath, context: Context): string[] {
  const { problems } = context.check;
  const { catalogue } = context;
  if ((condition.products ?? []).length === 0 && (condition.categories ?? []).length === 0)
    problems.push(problemAt(path, 'name the products ("products": SKUs) or "categories" this condition is about'));
  const skus = new Set(catalogue.map((product) => product.sku));
  const categories = new Set(catalogue.map((product) => product.category).filter((category) => category !== null));
  (condition.products ?? []).forEach((sku, i) => {
    if (!skus.has(sku)) problems.push(problemAt([...path, 'products', i], `unknown product SKU "${sku}": this workspace has no such product`));
  });
  (condition.categories ?? []).forEach((category, i) => {
    if (!categories.has(category))
      problems.push(problemAt([...path, 'categories', i], `unknown category "${category}": no product of this workspace is in it`));
  });
  return resolveSelection(condition, catalogue);
}

function effectPointProblem(effect: 'first_feeling' | 'clear', productIds: readonly string[], catalogue: readonly CatalogueProduct[]): string {
  const field = effect === 'first_feeling' ? 'effect_first_feeling_days' : 'effect_clear_days';
  if (productIds.length !== 1)
    return `an effect point ("effect": "${effect}") reads one product's ${field}, so the selection must be exactly one product; it selects ${productIds.length}`;
  const sku = catalogue.find((product) => product.id === productIds[0])?.sku ?? productIds[0];
  return `product "${sku}" has no ${field} (its effect timeline lacks this point), so "effect": "${effect}" has no value`;
}

function selectionText(condition: { products?: string[]; categories?: string[] }): string {
  return [...(condition.products ?? []), ...(condition.categories ?? []).map((category) => `category ${category}`)].join(', ');
}

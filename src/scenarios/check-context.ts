import type { z } from 'zod';
import type { Department, MessageChannel } from '../charter/types.ts';
import { checkRule, type RuleCheck } from '../journey-map/rules/check-condition.ts';
import { MAX_RULE_CONDITIONS, MAX_RULE_DEPTH, ruleSize } from '../journey-map/rules/check-map.ts';
import type { CatalogueProduct } from '../journey-map/rules/facts.ts';
import { formatPath, issuesToProblems, type MapPath } from '../journey-map/rules/map-path.ts';
import { resolveSelection } from '../journey-map/rules/selection.ts';
import type { ScenarioProblem } from './model.ts';

/**
 * What the scenario checker knows of the workspace (loaded by check-scenario.ts
 * `loadScenarioContext`, or built by hand in tests), and the small helpers the document and
 * step checks share. Problems are collected, never thrown, so every one is reported at once.
 */

/** A message template as the checker sees it. */
export interface TemplateFacts {
  id: string;
  name: string;
  channel: MessageChannel;
  department: Department;
  status: 'draft' | 'published';
}

export interface ScenarioContext {
  catalogue: readonly CatalogueProduct[];
  /** The active journey map's stage and level keys; null when the workspace has no active map. */
  map: { stages: readonly string[]; levels: readonly string[] } | null;
  /** The workspace's KPI ids and metrics (a measurement plan may name one); absent: not checked. */
  kpis?: ReadonlyMap<string, string>;
  /** The workspace's templates by id. */
  templates: ReadonlyMap<string, TemplateFacts>;
}

/** A check in progress: problems so far, and the event types and attributes named (looked up in the database afterwards). */
export interface ScenarioCheckState {
  context: ScenarioContext;
  problems: ScenarioProblem[];
  rules: RuleCheck;
  /** The scenario's department, when the document names a valid one (a send's template of another is a warning). */
  owningDepartment: Department | null;
}

export const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export function scenarioPath(path: MapPath): string {
  return path.length === 0 ? '(the scenario)' : formatPath(path);
}

export function error(state: ScenarioCheckState, path: MapPath, message: string): void {
  state.problems.push({ path: scenarioPath(path), message, severity: 'error' });
}

export function warning(state: ScenarioCheckState, path: MapPath, message: string): void {
  state.problems.push({ path: scenarioPath(path), message, severity: 'warning' });
}

/** zod's issues of the node at `path` (whose raw JSON is `node`) as errors. */
export function shapeErrors(state: ScenarioCheckState, issues: readonly z.core.$ZodIssue[], path: MapPath, node: unknown): void {
  const problems = issuesToProblems(issues, {
    prefix: path,
    root: node,
    unionMessage: (at) =>
      at[at.length - 1] === 'value' && at.includes('where')
        ? 'expected a string, a number or a boolean, or a list of them with op "in"'
        : 'expected a JSON value: a string, a number, a boolean, null, a list or an object',
  });
  for (const problem of problems)
    state.problems.push({ path: problem.path === '(the map)' ? '(the scenario)' : problem.path, message: problem.message, severity: 'error' });
}

/** A journey-rule condition at `path`: bounded like the map's rules, then checked node by node (check-condition.ts). */
export function checkCondition(state: ScenarioCheckState, node: unknown, path: MapPath): void {
  const size = ruleSize(node);
  if (size.conditions > MAX_RULE_CONDITIONS || size.depth > MAX_RULE_DEPTH) {
    error(
      state,
      path,
      `a condition holds at most ${MAX_RULE_CONDITIONS} conditions nested at most ${MAX_RULE_DEPTH} deep (this one: ${size.conditions.toLocaleString('en-US')} conditions, ${size.depth.toLocaleString('en-US')} deep)`,
    );
    return;
  }
  const before = state.rules.problems.length;
  checkRule(node, path, state.context.catalogue, state.rules);
  for (const problem of state.rules.problems.splice(before)) state.problems.push({ ...problem, severity: 'error' });
}

/** An event type and its property tests at `path` (a trigger or a wait_for_event), checked as the journey rules' `events` fact is. */
export function checkEventFilter(state: ScenarioCheckState, filter: { type: string; where?: unknown[] | undefined }, path: MapPath): void {
  const node =
    filter.where === undefined
      ? { fact: 'events', type: filter.type, withinDays: 1 }
      : { fact: 'events', type: filter.type, where: filter.where, withinDays: 1 };
  checkCondition(state, node, path);
}

/**
 * A product selection at `path`: only SKUs and categories the workspace has; `required`: it
 * must name something. Returns the product ids it selects.
 */
export function checkSelection(
  state: ScenarioCheckState,
  selection: { products?: string[] | undefined; categories?: string[] | undefined },
  path: MapPath,
  required: boolean,
): string[] {
  const { catalogue } = state.context;
  if (required && (selection.products ?? []).length === 0 && (selection.categories ?? []).length === 0)
    error(state, path, 'name the products ("products": SKUs) and/or "categories" of the order');
  const skus = new Set(catalogue.map((product) => product.sku));
  const categories = new Set(catalogue.map((product) => product.category).filter((category) => category !== null));
  (selection.products ?? []).forEach((sku, i) => {
    if (!skus.has(sku)) error(state, [...path, 'products', i], `unknown product SKU "${sku}": this workspace has no such product`);
  });
  (selection.categories ?? []).forEach((category, i) => {
    if (!categories.has(category)) error(state, [...path, 'categories', i], `unknown category "${category}": no product of this workspace is in it`);
  });
  return resolveSelection({ products: selection.products ?? [], categories: selection.categories ?? [] }, catalogue);
}

/** A stage and/or level key at `path` against the active map. */
export function checkCellKeys(state: ScenarioCheckState, cell: { stage?: string | undefined; level?: string | undefined }, path: MapPath): void {
  const { map } = state.context;
  if (map === null) {
    error(state, path, 'the workspace has no active journey map, so no customer enters or leaves a cell; activate a map first (kizuna journey set)');
    return;
  }
  if (cell.stage !== undefined && !map.stages.includes(cell.stage))
    error(state, [...path, 'stage'], `unknown stage "${cell.stage}"; the active map's stages are: ${map.stages.join(', ')}`);
  if (cell.level !== undefined && !map.levels.includes(cell.level))
    error(state, [...path, 'level'], `unknown level "${cell.level}"; the active map's levels are: ${map.levels.join(', ')}`);
}

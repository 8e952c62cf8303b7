import type pg from 'pg';
import { z } from 'zod';
import { STANDARD_EVENT_TYPES } from '../../events/event-types.ts';
import { JourneyMap, Level, type MapProblem, Stage } from '../model.ts';
import { checkRule, type RuleCheck } from './check-condition.ts';
import { loadCatalogue } from './compile.ts';
import { issuesToProblems, type MapPath, problemAt } from './map-path.ts';

export { STANDARD_EVENT_TYPES } from '../../events/event-types.ts';

/** The map's shape with rules left unparsed: rules are checked node by node (check-condition.ts). */
const MapShape = JourneyMap.extend({
  stages: z
    .array(Stage.extend({ rule: z.unknown().optional() }))
    .min(1)
    .max(12),
  levels: z
    .array(Level.extend({ rule: z.unknown().optional() }))
    .min(1)
    .max(10),
});

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const arrayAt = (input: unknown, key: string): unknown[] => (isObject(input) && Array.isArray(input[key]) ? input[key] : []);

/**
 * Checks a journey map before it is saved, and reports every problem, each with the JSON path
 * of the offending node and why: the shape (zod); duplicate stage or level keys; a rule on the
 * first stage or the lowest level (they hold anyone) or a missing rule on any other; cells
 * naming an unknown stage or level, two cells for one stage × level, a cell with both measures
 * and a decision not to contact; in rules, unknown facts, SKUs, categories, event types (not
 * standard and never recorded in the workspace) and attributes (no customer has it, once the
 * workspace has customers), effect points without a single product having that timeline
 * point, an op without a value, and comparisons that can never hold.
 */
export async function checkJourneyMap(params: {
  pool: pg.Pool | pg.ClientBase;
  workspaceId: string;
  input: unknown;
}): Promise<{ ok: true; map: JourneyMap } | { ok: false; problems: MapProblem[] }> {
  const { pool, workspaceId, input } = params;
  const shape = MapShape.safeParse(input);
  const problems: MapProblem[] = shape.success ? [] : issuesToProblems(shape.error.issues, { prefix: [], root: input });
  const catalogue = await loadCatalogue(pool, workspaceId);
  const rules: RuleCheck = { problems, eventTypes: [], attributes: [] };

  const stageKeys = checkAxis(input, 'stages', 'stage', rules, catalogue);
  const levelKeys = checkAxis(input, 'levels', 'level', rules, catalogue);
  checkCells(input, stageKeys, levelKeys, problems);
  problems.push(...(await unknownEventTypes(pool, workspaceId, rules.eventTypes)));
  problems.push(...(await unknownAttributes(pool, workspaceId, rules.attributes)));

  if (problems.length > 0) return { ok: false, problems };
  const parsed = JourneyMap.safeParse(input);
  if (!parsed.success) return { ok: false, problems: issuesToProblems(parsed.error.issues, { prefix: [], root: input }) };
  return { ok: true, map: parsed.data };
}

/** Bounds on one rule, so that placing a million customers stays a bounded amount of work per customer. */
export const MAX_RULE_CONDITIONS = 200;
export const MAX_RULE_DEPTH = 12;

/** How many conditions a rule holds and how deep all / any / not nest them (counted without recursion, so any input is safe). */
export function ruleSize(rule: unknown): { conditions: number; depth: number } {
  let conditions = 0;
  let depth = 0;
  const stack: Array<[unknown, number]> = [[rule, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    conditions++;
    depth = Math.max(depth, level);
    if (conditions > MAX_RULE_CONDITIONS || depth > MAX_RULE_DEPTH) break;
    if (!isObject(node)) continue;
    for (const key of ['all', 'any'] as const) {
      const children = node[key];
      if (Array.isArray(children)) for (const child of children) stack.push([child, level + 1]);
    }
    if ('not' in node) stack.push([node.not, level + 1]);
  }
  return { conditions, depth };
}

/** Keys unique; no rule on the first entry, a rule on every other; each rule checked. Returns the keys. */
function checkAxis(input: unknown, axis: 'stages' | 'levels', noun: 'stage' | 'level', rules: RuleCheck, catalogue: Parameters<typeof checkRule>[2]): string[] {
  const { problems } = rules;
  const firstKeyAt = new Map<string, number>();
  const entries = arrayAt(input, axis);
  entries.forEach((entry, index) => {
    if (!isObject(entry)) return;
    const path: MapPath = [axis, index];
    if (typeof entry.key === 'string') {
      const first = firstKeyAt.get(entry.key);
      if (first !== undefined)
        problems.push(problemAt([...path, 'key'], `the ${noun} key "${entry.key}" is already used by ${axis}[${first}]; keys must be unique`));
      else firstKeyAt.set(entry.key, index);
    }
    const first = noun === 'stage' ? 'the first stage' : 'the lowest level';
    if (index === 0 && 'rule' in entry)
      problems.push(problemAt([...path, 'rule'], `${first} holds anyone (every customer is at least there), so a rule on it would be ignored; remove it`));
    else if (index > 0 && !('rule' in entry))
      problems.push(problemAt(path, `every ${noun} after ${first} needs a rule (when a customer is ${noun === 'stage' ? 'in this stage' : 'at this level'})`));
    else if (index > 0) {
      const size = ruleSize(entry.rule);
      if (size.conditions > MAX_RULE_CONDITIONS || size.depth > MAX_RULE_DEPTH)
        problems.push(
          problemAt(
            [...path, 'rule'],
            `a rule holds at most ${MAX_RULE_CONDITIONS} conditions nested at most ${MAX_RULE_DEPTH} deep (this one: ${size.conditions.toLocaleString('en-US')} conditions, ${size.depth.toLocaleString('en-US')} deep); every customer is tested against every rule at each placement`,
          ),
        );
      else checkRule(entry.rule, [...path, 'rule'], catalogue, rules);
    }
  });
  return [...firstKeyAt.keys()];
}

function checkCells(input: unknown, stageKeys: readonly string[], levelKeys: readonly string[], problems: MapProblem[]): void {
  const stages = new Set(stageKeys);
  const levels = new Set(levelKeys);
  const firstCellAt = new Map<string, number>();
  arrayAt(input, 'cells').forEach((cell, index) => {
    if (!isObject(cell)) return;
    const { stage, level } = cell;
    if (typeof stage === 'string' && !stages.has(stage))
      problems.push(problemAt(['cells', index, 'stage'], `unknown stage "${stage}"; the stages are: ${stageKeys.join(', ')}`));
    if (typeof level === 'string' && !levels.has(level))
      problems.push(problemAt(['cells', index, 'level'], `unknown level "${level}"; the levels are: ${levelKeys.join(', ')}`));
    if (typeof stage === 'string' && typeof level === 'string') {
      const key = JSON.stringify([stage, level]);
      const first = firstCellAt.get(key);
      if (first !== undefined)
        problems.push(problemAt(['cells', index], `a second cell for stage "${stage}" × level "${level}" (the first is cells[${first}]); merge them`));
      else firstCellAt.set(key, index);
    }
    if (Array.isArray(cell.measures) && cell.measures.length > 0 && cell.noContact !== undefined)
      problems.push(problemAt(['cells', index], 'a cell carries measures or a decision not to contact (noContact), not both'));
  });
}

export async function unknownEventTypes(pool: pg.Pool | pg.ClientBase, workspaceId: string, named: RuleCheck['eventTypes']): Promise<MapProblem[]> {
  const standard = new Set<string>(STANDARD_EVENT_TYPES);
  const recorded = new Map<string, boolean>();
  for (const { type } of named) {
    if (standard.has(type) || recorded.has(type)) continue;
    const { rowCount } = await pool.query('select 1 from events where workspace_id = $1 and type = $2 limit 1', [workspaceId, type]);
    recorded.set(type, (rowCount ?? 0) > 0);
  }
  return named
    .filter(({ type }) => !standard.has(type) && recorded.get(type) === false)
    .map(({ path, type }) =>
      problemAt(
        path,
        `unknown event type "${type}": not a standard type (${STANDARD_EVENT_TYPES.join(', ')}) and no event of this type was recorded in this workspace`,
      ),
    );
}

export async function unknownAttributes(pool: pg.Pool | pg.ClientBase, workspaceId: string, named: RuleCheck['attributes']): Promise<MapProblem[]> {
  if (named.length === 0) return [];
  // A workspace without customers yet cannot tell which attributes its customers will have.
  const { rowCount: customers } = await pool.query('select 1 from customers where workspace_id = $1 limit 1', [workspaceId]);
  if ((customers ?? 0) === 0) return [];
  const present = new Map<string, boolean>();
  for (const { name } of named) {
    if (present.has(name)) continue;
    const { rowCount } = await pool.query('select 1 from customers where workspace_id = $1 and attributes ? $2 limit 1', [workspaceId, name]);
    present.set(name, (rowCount ?? 0) > 0);
  }
  return named
    .filter(({ name }) => present.get(name) === false)
    .map(({ path, name }) => problemAt(path, `no customer of this workspace has the attribute "${name}"`));
}

import type pg from 'pg';
import { z } from 'zod';
import { DEPARTMENTS, type Department } from '../charter/types.ts';
import { unknownAttributes, unknownEventTypes } from '../journey-map/rules/check-map.ts';
import { loadCatalogue } from '../journey-map/rules/compile.ts';
import type { KpiMetricKind } from '../kpis/definition.ts';
import { metricForKpi } from '../measurement/uplift.ts';
import { assertNever } from '../shared/errors.ts';
import {
  checkCellKeys,
  checkCondition,
  checkEventFilter,
  checkSelection,
  error,
  isObject,
  type ScenarioCheckState,
  warning,
  type ScenarioContext,
  scenarioPath,
  shapeErrors,
  type TemplateFacts,
} from './check-context.ts';
import { checkSteps } from './check-steps.ts';
import {
  AudienceTrigger,
  CellEnteredTrigger,
  CellLeftTrigger,
  DateAttributeTrigger,
  EventTrigger,
  ExitRule,
  MAX_STEPS,
  MeasurementPlan,
  OrderTrigger,
  SCENARIO_CHANNELS,
  ScenarioDocument,
  type ScenarioProblem,
  type ScenarioTrigger,
  SubscriptionAnniversaryTrigger,
  SubscriptionTrigger,
} from './model.ts';

export type { ScenarioContext, TemplateFacts } from './check-context.ts';

/**
 * The scenario checker: every problem of a scenario document at once, each with the JSON path
 * of the offending node and why. Errors refuse a publish; warnings are shown and let it
 * through (a send's template of another department than the scenario's: the usage guide a
 * support team wrote may well go out in a marketing scenario, but the owner should know).
 *
 * `checkScenarioDocument` is the pure core over a loaded `ScenarioContext`; `checkScenario`
 * loads the context of a workspace (catalogue, active journey map, templates) and looks up the
 * event types and attributes named (standard or ever recorded; attributes only once the
 * workspace has customers), as the journey map's checker does.
 */
export type ScenarioCheck = { ok: true; scenario: ScenarioDocument; warnings: ScenarioProblem[] } | { ok: false; problems: ScenarioProblem[] };

/** The document's shape with the parts checked node by node (trigger, exit rules, steps) left open. */
const DocumentShape = ScenarioDocument.extend({
  trigger: z.custom<unknown>(isObject, 'expected an object: {"kind": "order", "products": […]} or another trigger (docs/scenarios.md)'),
  exitRules: z.array(z.unknown()).max(20),
  steps: z.array(z.unknown()).min(1).max(MAX_STEPS),
});

const TRIGGER_SHAPES: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ['cell_entered', CellEnteredTrigger],
  ['cell_left', CellLeftTrigger],
  ['event', EventTrigger.extend({ type: z.unknown(), where: z.unknown().optional() })],
  ['order', OrderTrigger],
  ['subscription', SubscriptionTrigger],
  ['date_attribute', DateAttributeTrigger],
  ['subscription_anniversary', SubscriptionAnniversaryTrigger],
  ['audience', AudienceTrigger.extend({ audience: z.unknown() })],
]);

export interface ScenarioDocumentCheck {
  /** Every problem the document has that the context can tell (errors and warnings, in document order). */
  problems: ScenarioProblem[];
  /** Event types and attributes named, with their paths: for the caller to look up in the workspace. */
  lookups: ScenarioCheckState['rules'];
}

/** The pure check of `input` against a loaded context. */
export function checkScenarioDocument(input: unknown, context: ScenarioContext): ScenarioDocumentCheck {
  const state: ScenarioCheckState = {
    context,
    problems: [],
    rules: { problems: [], eventTypes: [], attributes: [] },
    owningDepartment: isObject(input) && DEPARTMENTS.includes(input.department as Department) ? (input.department as Department) : null,
  };
  if (!isObject(input)) {
    error(state, [], 'a scenario is a JSON object: {"key": …, "name": …, "trigger": {…}, "steps": […], …} (docs/scenarios.md)');
    return { problems: state.problems, lookups: state.rules };
  }
  const shape = DocumentShape.safeParse(input);
  if (!shape.success) shapeErrors(state, shape.error.issues, [], input);
  const trigger = checkTrigger(state, input.trigger);
  checkExitRules(state, input.exitRules, trigger);
  const channels = shape.success
    ? shape.data.channels
    : SCENARIO_CHANNELS.filter((channel) => Array.isArray(input.channels) && input.channels.includes(channel));
  checkSteps(state, { steps: input.steps, start: input.start, trigger, channels });
  checkMeasurement(state, input);
  return { problems: state.problems, lookups: state.rules };
}

/**
 * The measurement plan: a transactional scenario holds nobody out (what a customer must know is
 * never withheld); a KPI named exists; CUPED is for revenue; a marketing scenario without a plan
 * gets a warning (its effect cannot be measured; `holdoutPercent: 0` says so on purpose).
 */
function checkMeasurement(state: ScenarioCheckState, input: Record<string, unknown>): void {
  const plan = MeasurementPlan.safeParse(input.measurement);
  if (input.measurement === undefined) {
    if (input.purpose === 'marketing')
      warning(
        state,
        ['measurement'],
        'no holdout (control group): the effect of this scenario cannot be measured; declare one before publishing ("measurement": {"holdoutPercent": 10, …})',
      );
    return;
  }
  if (!plan.success || plan.data.holdoutPercent === 0) return; // the document's shape reported it; 0: no holdout, by choice
  const { holdoutPercent, metric, cuped } = plan.data;
  if (input.purpose === 'transactional' && holdoutPercent > 0)
    error(state, ['measurement', 'holdoutPercent'], 'a transactional scenario holds nobody out: what a customer must know about an order is never withheld');
  const kpiMetric = metric.kind === 'kpi' ? state.context.kpis?.get(metric.kpiId) : undefined;
  if (metric.kind === 'kpi' && state.context.kpis && kpiMetric === undefined)
    error(state, ['measurement', 'metric', 'kpiId'], `there is no KPI ${metric.kpiId} in this workspace (the KPI list shows their ids)`);
  const revenue = metric.kind === 'revenue' || (kpiMetric !== undefined && metricForKpi(kpiMetric as KpiMetricKind) === 'revenue');
  if (cuped && !revenue)
    warning(state, ['measurement', 'cuped'], 'CUPED (the pre-period spend as covariate) applies to revenue per customer only; it is ignored for this metric');
}

/** Checks the trigger; returns it when its shape is right. */
function checkTrigger(state: ScenarioCheckState, raw: unknown): ScenarioTrigger | null {
  const path = ['trigger'];
  if (!isObject(raw)) return null; // the document's shape reported it
  const schema = typeof raw.kind === 'string' ? TRIGGER_SHAPES.get(raw.kind) : undefined;
  if (schema === undefined) {
    error(state, [...path, 'kind'], `unknown trigger kind ${JSON.stringify(raw.kind)}; kinds are: ${[...TRIGGER_SHAPES.keys()].join(', ')}`);
    return null;
  }
  if (raw.kind === 'event') checkEventFilter(state, { type: raw.type as string, where: raw.where as unknown[] | undefined }, path);
  if (raw.kind === 'audience') checkCondition(state, raw.audience, [...path, 'audience']);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    shapeErrors(state, parsed.error.issues, path, raw);
    return null;
  }
  const trigger = parsed.data as ScenarioTrigger;
  switch (trigger.kind) {
    case 'cell_entered':
    case 'cell_left':
      checkCellKeys(state, trigger, path);
      break;
    case 'event':
    case 'audience':
      break; // checked above
    case 'order':
      checkSelection(state, trigger, path, true);
      break;
    case 'subscription':
      checkSelection(state, trigger, path, false);
      if (trigger.delivery !== undefined && trigger.change !== 'delivery')
        error(state, [...path, 'delivery'], `"delivery" (the k-th delivery) goes with "change": "delivery", not "${trigger.change}"`);
      break;
    case 'subscription_anniversary':
      checkSelection(state, trigger, path, false);
      break;
    case 'date_attribute':
      state.rules.attributes.push({ path: [...path, 'attribute'], name: trigger.attribute });
      break;
    default:
      return assertNever(trigger, 'trigger');
  }
  return trigger;
}

function checkExitRules(state: ScenarioCheckState, raw: unknown, trigger: ScenarioTrigger | null): void {
  if (!Array.isArray(raw) || raw.length > 20) return; // the document's shape reported it
  raw.forEach((rule, index) => {
    const path = ['exitRules', index];
    if (isObject(rule) && rule.kind === 'condition') checkCondition(state, rule.condition, [...path, 'condition']);
    const shape = isObject(rule) && rule.kind === 'condition' ? ExitRule.options[0].extend({ condition: z.unknown() }) : ExitRule;
    const parsed = shape.safeParse(rule);
    if (!parsed.success) {
      if (isObject(rule) && rule.kind !== 'condition' && rule.kind !== 'left_cell')
        error(state, [...path, 'kind'], `unknown exit rule kind ${JSON.stringify(rule.kind)}; kinds are: condition, left_cell`);
      else shapeErrors(state, parsed.error.issues, path, rule);
      return;
    }
    const exit = parsed.data;
    if (exit.kind !== 'left_cell') return;
    if (exit.stage !== undefined || exit.level !== undefined) checkCellKeys(state, exit, path);
    else if (trigger !== null && trigger.kind !== 'cell_entered')
      error(
        state,
        path,
        `"left_cell" without a stage or level means "left the cell of the trigger", but the trigger is "${trigger.kind}", not "cell_entered"; name the "stage" and/or "level"`,
      );
  });
}

/**
 * Checks `input` against the workspace: the pure check, then the event types and attributes
 * named looked up in its data.
 *
 * @example
 * const checked = await checkScenario({ pool, workspaceId, input: JSON.parse(file) });
 * if (!checked.ok) for (const p of checked.problems) console.log(`${p.path}: ${p.message}`);
 */
export async function checkScenario(params: { pool: pg.Pool | pg.ClientBase; workspaceId: string; input: unknown }): Promise<ScenarioCheck> {
  const { pool, workspaceId, input } = params;
  const context = await loadScenarioContext({ pool, workspaceId });
  const { problems, lookups } = checkScenarioDocument(input, context);
  const looked = [...(await unknownEventTypes(pool, workspaceId, lookups.eventTypes)), ...(await unknownAttributes(pool, workspaceId, lookups.attributes))];
  for (const problem of looked) problems.push({ path: problem.path, message: problem.message, severity: 'error' });
  return checkResult(input, problems);
}

/** The result of a check from its problems: ok when none is an error (then the document parses). */
export function checkResult(input: unknown, problems: ScenarioProblem[]): ScenarioCheck {
  if (problems.some((problem) => problem.severity === 'error')) return { ok: false, problems };
  const parsed = ScenarioDocument.safeParse(input);
  if (!parsed.success) {
    // Every shape problem is reported above; this guards the contract that ok means parsed.
    const fallback = parsed.error.issues.map((issue) => ({ path: scenarioPath(issue.path.map(String)), message: issue.message, severity: 'error' as const }));
    return { ok: false, problems: [...problems, ...fallback] };
  }
  return { ok: true, scenario: parsed.data, warnings: problems };
}

/** The workspace as the checker needs it: products, the active map's keys, templates. */
export async function loadScenarioContext(params: { pool: pg.Pool | pg.ClientBase; workspaceId: string }): Promise<ScenarioContext> {
  const { pool, workspaceId } = params;
  const catalogue = await loadCatalogue(pool, workspaceId);
  const { rows: maps } = await pool.query<{ stages: string[] | null; levels: string[] | null }>(
    `select array(select jsonb_array_elements(map->'stages')->>'key') as stages,
            array(select jsonb_array_elements(map->'levels')->>'key') as levels
       from journey_maps where workspace_id = $1 and status = 'active'`,
    [workspaceId],
  );
  const { rows: templates } = await pool.query<TemplateFacts>(
    `select id::text as id, name, channel, department, status from message_templates where workspace_id = $1`,
    [workspaceId],
  );
  const map = maps[0] ? { stages: maps[0].stages ?? [], levels: maps[0].levels ?? [] } : null;
  const { rows: kpis } = await pool.query<{ id: string; metric: string }>('select id::text, metric from kpis where workspace_id = $1', [workspaceId]);
  return {
    catalogue,
    map,
    templates: new Map(templates.map((template) => [template.id, template])),
    kpis: new Map(kpis.map((kpi) => [kpi.id, kpi.metric])),
  };
}

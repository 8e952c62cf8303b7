import { z } from 'zod';
import { assertNever } from '../shared/errors.ts';
import { checkCondition, checkEventFilter, error, isObject, type ScenarioCheckState, shapeErrors, warning } from './check-context.ts';
import {
  BranchStep,
  ExitStep,
  MAX_STEPS,
  nextStepIds,
  type ScenarioChannel,
  type ScenarioStep,
  type ScenarioTrigger,
  SendStep,
  SplitStep,
  STEP_KINDS,
  TaskStep,
  UpdateAttributeStep,
  WaitForEffectStep,
  WaitForEventStep,
  WaitStep,
  WaitUntilStep,
} from './model.ts';

/**
 * The steps of a scenario, checked one by one (each against its own kind's schema, so a wrong
 * step is explained by what its kind expects) and as a graph: ids unique, `start` and every
 * `next` naming a step, every step reachable from the start, no loop a customer could go round
 * without waiting; and what only the workspace knows: templates, products' effect timelines.
 */

/** The JSON of an update_attribute value, at most this long. */
export const MAX_ATTRIBUTE_VALUE_CHARS = 10_000;

/** Conditions and event filters are checked by check-condition.ts, so the step shapes leave them open here. */
const STEP_SHAPES: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ['wait', WaitStep],
  ['wait_until', WaitUntilStep],
  ['wait_for_effect', WaitForEffectStep],
  ['wait_for_event', WaitForEventStep.extend({ type: z.unknown(), where: z.unknown().optional() })],
  ['branch', BranchStep.extend({ condition: z.unknown() })],
  ['split', SplitStep],
  ['send', SendStep],
  ['task', TaskStep],
  ['update_attribute', UpdateAttributeStep],
  ['exit', ExitStep],
]);

export interface CheckedSteps {
  /** The steps whose shape is right, with their index in `steps`. */
  steps: Array<{ step: ScenarioStep; index: number }>;
}

/** Checks `steps` (raw JSON) of a document whose trigger (when valid) and channels are given; `start` is the raw start id. */
export function checkSteps(
  state: ScenarioCheckState,
  params: { steps: unknown; start: unknown; trigger: ScenarioTrigger | null; channels: readonly ScenarioChannel[] },
): void {
  if (!Array.isArray(params.steps)) return; // the document's shape reported it
  if (params.steps.length > MAX_STEPS) return; // likewise; a bounded amount of work for any input
  const checked: CheckedSteps['steps'] = [];
  params.steps.forEach((raw, index) => {
    const step = checkStepShape(state, raw, index);
    if (step !== null) {
      checked.push({ step, index });
      checkStep(state, step, index, params);
    }
  });
  checkGraph(state, params.steps, checked, params.start);
  if (params.channels.includes('email') && !checked.some(({ step }) => step.kind === 'send' && step.channel === 'email'))
    warning(state, ['channels'], 'the scenario lists "email" but no step sends an email');
}

function checkStepShape(state: ScenarioCheckState, raw: unknown, index: number): ScenarioStep | null {
  const path = ['steps', index];
  if (!isObject(raw)) {
    error(state, path, 'a step is an object: {"kind": …, "id": …}');
    return null;
  }
  const schema = typeof raw.kind === 'string' ? STEP_SHAPES.get(raw.kind) : undefined;
  if (schema === undefined) {
    error(state, [...path, 'kind'], `unknown step kind ${JSON.stringify(raw.kind)}; kinds are: ${STEP_KINDS.join(', ')}`);
    return null;
  }
  const parsed = schema.safeParse(raw);
  if (raw.kind === 'branch') checkCondition(state, raw.condition, [...path, 'condition']);
  if (raw.kind === 'wait_for_event') checkEventFilter(state, { type: raw.type as string, where: raw.where as unknown[] | undefined }, path);
  if (!parsed.success) {
    const fields = Object.keys((schema as z.ZodObject).shape ?? {});
    const before = state.problems.length;
    shapeErrors(state, parsed.error.issues, path, raw);
    for (const problem of state.problems.slice(before))
      if (problem.message.startsWith('unknown field')) problem.message += `; a step of kind "${raw.kind}" has: ${fields.join(', ')}`;
    return null;
  }
  return parsed.data as ScenarioStep;
}

function checkStep(
  state: ScenarioCheckState,
  step: ScenarioStep,
  index: number,
  params: { trigger: ScenarioTrigger | null; channels: readonly ScenarioChannel[] },
): void {
  const path = ['steps', index];
  switch (step.kind) {
    case 'wait':
    case 'wait_until':
    case 'wait_for_event':
    case 'branch':
    case 'task':
    case 'exit':
      return; // shape, conditions and event filters are checked above
    case 'wait_for_effect':
      checkEffectTimeline(state, step, path, params.trigger);
      return;
    case 'split':
      return;
    case 'send':
      checkSend(state, step, path, params.channels);
      return;
    case 'update_attribute':
      if (JSON.stringify(step.value).length > MAX_ATTRIBUTE_VALUE_CHARS)
        error(state, [...path, 'value'], `the value is longer than ${MAX_ATTRIBUTE_VALUE_CHARS.toLocaleString('en-US')} characters of JSON`);
      return;
    default:
      assertNever(step, 'step');
  }
}

/** The template a send names: it exists, is published, is an email template; a template of another department is a warning. */
function checkSend(
  state: ScenarioCheckState,
  step: Extract<ScenarioStep, { kind: 'send' }>,
  path: Array<string | number>,
  channels: readonly ScenarioChannel[],
): void {
  if (!channels.includes(step.channel))
    error(state, [...path, 'channel'], `the step sends on "${step.channel}", which the scenario's "channels" does not list`);
  const template = state.context.templates.get(step.templateId);
  const at = [...path, 'templateId'];
  if (template === undefined) {
    error(state, at, `no template with id ${step.templateId} in this workspace (kizuna charter template list shows the ids)`);
    return;
  }
  if (template.channel !== step.channel)
    error(state, at, `template ${step.templateId} 「${template.name}」 is a ${template.channel} template; this step sends an ${step.channel}`);
  if (template.status !== 'published')
    error(state, at, `template ${step.templateId} 「${template.name}」 is not published; publish it first (its check against the charter must pass)`);
  const department = state.owningDepartment;
  if (department !== null && template.department !== department)
    warning(
      state,
      at,
      `template ${step.templateId} 「${template.name}」 belongs to the ${template.department} department; this scenario is owned by ${department}`,
    );
}

/** The product whose timeline a wait_for_effect reads has the point (its own product, or every product the trigger's order selects). */
function checkEffectTimeline(
  state: ScenarioCheckState,
  step: Extract<ScenarioStep, { kind: 'wait_for_effect' }>,
  path: Array<string | number>,
  trigger: ScenarioTrigger | null,
): void {
  const { catalogue } = state.context;
  const field = step.point === 'first_feeling' ? 'effectFirstFeelingDays' : step.point === 'clear' ? 'effectClearDays' : null;
  const column = step.point === 'first_feeling' ? 'effect_first_feeling_days' : 'effect_clear_days';
  if (step.product !== undefined) {
    const product = catalogue.find((p) => p.sku === step.product);
    if (product === undefined) error(state, [...path, 'product'], `unknown product SKU "${step.product}": this workspace has no such product`);
    else if (field !== null && product[field] === null)
      error(
        state,
        [...path, 'point'],
        `product "${product.sku}" has no ${column} (its effect timeline lacks this point), so "point": "${step.point}" has no date`,
      );
    return;
  }
  if (trigger === null) return; // the trigger's own problem is reported
  if (trigger.kind !== 'order') {
    error(
      state,
      path,
      `a wait_for_effect without "product" reads the trigger order's product, but this scenario's trigger is "${trigger.kind}", not an order; name the product ("product": SKU)`,
    );
    return;
  }
  if (field === null) return;
  const selected = new Set([...(trigger.products ?? [])]);
  const categories = new Set(trigger.categories ?? []);
  const lacking = catalogue.filter((p) => (selected.has(p.sku) || (p.category !== null && categories.has(p.category))) && p[field] === null).map((p) => p.sku);
  if (lacking.length > 0)
    error(
      state,
      [...path, 'point'],
      `the trigger's order selects ${lacking.length === 1 ? 'a product' : 'products'} without ${column} (${lacking.join(', ')}), so "point": "${step.point}" has no date for ${lacking.length === 1 ? 'it' : 'them'}; narrow the trigger or name "product"`,
    );
}

/** Steps that make a customer wait a positive time each time round: a loop through one of them cannot spin. */
function waits(step: ScenarioStep): boolean {
  return step.kind === 'wait' || step.kind === 'wait_for_event' || (step.kind === 'wait_until' && step.time !== undefined);
}

function checkGraph(state: ScenarioCheckState, raw: unknown[], checked: CheckedSteps['steps'], start: unknown): void {
  const indexOf = new Map<string, number>();
  raw.forEach((step, index) => {
    if (!isObject(step) || typeof step.id !== 'string') return;
    const first = indexOf.get(step.id);
    if (first !== undefined) error(state, ['steps', index, 'id'], `the step id "${step.id}" is already used by steps[${first}]; ids must be unique`);
    else indexOf.set(step.id, index);
  });
  if (typeof start === 'string' && !indexOf.has(start)) error(state, ['start'], `"start" names no step: there is no step "${start}"`);

  const edges = new Map<number, number[]>();
  for (const { step, index } of checked) {
    const targets: number[] = [];
    nextFields(step).forEach(({ field, id }) => {
      if (id === null) return;
      const target = indexOf.get(id);
      if (target === undefined) error(state, ['steps', index, ...field], `names no step: there is no step "${id}"`);
      else targets.push(target);
    });
    edges.set(index, targets);
  }
  // Only judge reachability and loops when every step's shape is right: otherwise the graph is partial.
  if (checked.length !== raw.length || typeof start !== 'string' || !indexOf.has(start)) return;
  const reached = new Set<number>([indexOf.get(start)!]);
  const queue = [indexOf.get(start)!];
  while (queue.length > 0) for (const target of edges.get(queue.shift()!) ?? []) if (!reached.has(target) && reached.add(target)) queue.push(target);
  for (const { step, index } of checked)
    if (!reached.has(index)) error(state, ['steps', index], `step "${step.id}" is unreachable: no path from the start step "${start}" leads to it`);
  for (const loop of loopsWithoutWait(checked, edges))
    error(
      state,
      ['steps', loop[0]!],
      `the steps ${loop.map((i) => `"${checked.find((c) => c.index === i)?.step.id ?? i}"`).join(', ')} form a loop with no wait in it (wait, wait_until with a time, or wait_for_event); a customer would go round it without end`,
    );
}

/** Each `next`-like field of a step with its path inside the step. */
function nextFields(step: ScenarioStep): Array<{ field: Array<string | number>; id: string | null }> {
  switch (step.kind) {
    case 'wait_for_event':
      return [
        { field: ['next'], id: step.next },
        { field: ['timeoutNext'], id: step.timeoutNext },
      ];
    case 'branch':
      return [
        { field: ['thenNext'], id: step.thenNext },
        { field: ['elseNext'], id: step.elseNext },
      ];
    case 'split':
      return step.arms.map((arm, i) => ({ field: ['arms', i, 'next'], id: arm.next }));
    default:
      return nextStepIds(step).map((id) => ({ field: ['next'], id }));
  }
}

/** Strongly connected groups of non-waiting steps (Tarjan), each a loop: more than one step, or one that continues to itself. */
function loopsWithoutWait(checked: CheckedSteps['steps'], edges: ReadonlyMap<number, number[]>): number[][] {
  const moving = new Set(checked.filter(({ step }) => !waits(step)).map(({ index }) => index));
  const order = new Map<number, number>();
  const low = new Map<number, number>();
  const stack: number[] = [];
  const onStack = new Set<number>();
  const loops: number[][] = [];
  let counter = 0;
  const visit = (node: number): void => {
    order.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const target of edges.get(node) ?? []) {
      if (!moving.has(target)) continue;
      if (!order.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, order.get(target)!));
    }
    if (low.get(node) !== order.get(node)) return;
    const group: number[] = [];
    let member: number;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || (edges.get(node) ?? []).includes(node)) loops.push(group.sort((a, b) => a - b));
  };
  // At most MAX_STEPS nodes: recursion depth is bounded.
  for (const node of [...moving].sort((a, b) => a - b)) if (!order.has(node)) visit(node);
  return loops;
}

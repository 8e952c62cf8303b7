import type { Schemas } from '../api/client.ts';

/**
 * The flow editor's working copy of a scenario (a ScenarioDocument, possibly not yet valid:
 * the server's checker judges it) and the pure helpers around it: a new step of each kind, the
 * edges a step draws, problems placed on their step or field, a layered layout.
 */

export type ScenarioDocument = Schemas['ScenarioDocument'];
export type ScenarioStep = Schemas['ScenarioStep'];
export type StepKind = ScenarioStep['kind'];
export type ScenarioTrigger = Schemas['ScenarioTrigger'];
export type TriggerKind = ScenarioTrigger['kind'];
export type ExitRule = Schemas['ScenarioExitRule'];
export type Problem = Schemas['ScenarioProblem'];
/**
 * A scenario as the API answers it (GET, PUT …/draft, publish, pause): the generated types of
 * those answers differ only in how loosely a step's JSON value is typed, so the console reads
 * them through this common shape and takes a document as the editor's copy (publishedDocument).
 */
export interface Scenario {
  id: string;
  key: string;
  status: Schemas['Scenario']['status'];
  published: ScenarioVersion | null;
  draft: { document: Record<string, unknown>; savedBy: string; savedAt: string; problems: Problem[] } | null;
  createdAt: string;
  updatedAt: string;
}
export interface ScenarioVersion {
  scenarioId: string;
  version: number;
  document: unknown;
  createdBy: string;
  createdAt: string;
  summary: string;
}

/** A published document as the editor's working copy (the answer's JSON values are typed loosely). */
export function publishedDocument(version: { document: unknown }): ScenarioDocument {
  return version.document as ScenarioDocument;
}

export const STEP_KINDS = [
  'wait',
  'wait_until',
  'wait_for_effect',
  'wait_for_event',
  'branch',
  'split',
  'send',
  'task',
  'update_attribute',
  'exit',
] as const satisfies readonly StepKind[];

export const TRIGGER_KINDS = [
  'event',
  'order',
  'cell_entered',
  'cell_left',
  'subscription',
  'date_attribute',
  'subscription_anniversary',
  'audience',
] as const satisfies readonly TriggerKind[];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A member's role in the workspace (as session.tsx's Role; named here so this module stays free of JSX for the unit tests). */
type Role = Schemas['Workspace']['role'];

/** Who may change scenarios (PUT …/draft, publish, pause answer 403 to the others): admins and marketing. */
export function mayEditScenarios(role: Role): boolean {
  return role === 'admin' || role === 'marketing';
}

/** A new scenario's starting document: an event trigger and no steps yet. */
export function newScenarioDocument(): ScenarioDocument {
  return {
    key: '',
    name: '',
    purpose: 'marketing',
    department: 'marketing',
    priority: 50,
    channels: ['email'],
    trigger: { kind: 'event', type: 'page_view' },
    reentry: { kind: 'once' },
    exitRules: [],
    start: '',
    steps: [],
  };
}

/** A document as the server keeps a draft (any JSON object), with the lists the editor walks made lists. */
export function editableDocument(input: Record<string, unknown>): ScenarioDocument {
  const base = newScenarioDocument();
  const document = { ...base, ...input } as ScenarioDocument;
  return {
    ...document,
    steps: Array.isArray(document.steps) ? document.steps.filter((step) => step !== null && typeof step === 'object') : [],
    exitRules: Array.isArray(document.exitRules) ? document.exitRules : [],
    trigger: document.trigger && typeof document.trigger === 'object' ? document.trigger : base.trigger,
    reentry: document.reentry && typeof document.reentry === 'object' ? document.reentry : base.reentry,
  };
}

/** An id not yet used by a step: the kind, then _2, _3 … */
export function freshStepId(steps: readonly ScenarioStep[], kind: StepKind): string {
  const taken = new Set(steps.map((step) => step.id));
  if (!taken.has(kind)) return kind;
  for (let n = 2; ; n++) if (!taken.has(`${kind}_${n}`)) return `${kind}_${n}`;
}

/** A step of `kind` with every required field at a sensible first value. */
export function newStep(kind: StepKind, id: string, templateId: string | undefined): ScenarioStep {
  switch (kind) {
    case 'wait':
      return { kind, id, duration: { days: 1 }, next: null };
    case 'wait_until':
      return { kind, id, time: '10:00', next: null };
    case 'wait_for_effect':
      return { kind, id, point: 'first_feeling', next: null };
    case 'wait_for_event':
      return { kind, id, type: 'email_open', timeout: { days: 3 }, next: null, timeoutNext: null };
    case 'branch':
      return { kind, id, condition: { fact: 'purchase_count', op: '>=', value: 2 }, thenNext: null, elseNext: null };
    case 'split':
      return {
        kind,
        id,
        arms: [
          { weight: 50, next: null },
          { weight: 50, next: null },
        ],
      };
    case 'send':
      return { kind, id, channel: 'email', templateId: templateId ?? '', next: null };
    case 'task':
      return { kind, id, department: 'support', title: '', due: { days: 1 }, next: null };
    case 'update_attribute':
      return { kind, id, name: '', value: '', next: null };
    case 'exit':
      return { kind, id };
  }
}

export type EdgeKind = 'next' | 'then' | 'else' | 'event' | 'timeout' | 'arm';

/**
 * A way out of a step, named by the field it sets: `next`, `thenNext` / `elseNext` (branch),
 * `next` / `timeoutNext` (wait_for_event), `arm:N` (split). The canvas names its handles so.
 */
export type OutputHandle = 'next' | 'timeoutNext' | 'thenNext' | 'elseNext' | `arm:${number}`;

/** One way out of a step: what it is, the handle (field) it sets, and where it leads now. */
export interface StepOutput {
  kind: EdgeKind;
  handle: OutputHandle;
  target: string | null;
  arm?: number;
  weight?: number;
}

/** The edges a step draws: where it may go next, and what each way is. */
export function stepEdges(step: ScenarioStep): StepOutput[] {
  switch (step.kind) {
    case 'wait':
    case 'wait_until':
    case 'wait_for_effect':
    case 'send':
    case 'task':
    case 'update_attribute':
      return [{ kind: 'next', handle: 'next', target: step.next ?? null }];
    case 'wait_for_event':
      return [
        { kind: 'event', handle: 'next', target: step.next ?? null },
        { kind: 'timeout', handle: 'timeoutNext', target: step.timeoutNext ?? null },
      ];
    case 'branch':
      return [
        { kind: 'then', handle: 'thenNext', target: step.thenNext ?? null },
        { kind: 'else', handle: 'elseNext', target: step.elseNext ?? null },
      ];
    case 'split':
      return (step.arms ?? []).map((arm, index) => ({
        kind: 'arm' as const,
        handle: `arm:${index}` as const,
        target: arm.next ?? null,
        arm: index,
        weight: arm.weight,
      }));
    case 'exit':
      return [];
  }
}

/** A step with one of its ways out led to `target` (null: the scenario ends there). A handle the step does not have leaves it as it is. */
export function withOutput(step: ScenarioStep, handle: OutputHandle, target: string | null): ScenarioStep {
  const arm = /^arm:(\d+)$/.exec(handle);
  switch (step.kind) {
    case 'exit':
      return step;
    case 'split':
      return arm ? { ...step, arms: step.arms.map((each, index) => (index === Number(arm[1]) ? { ...each, next: target } : each)) } : step;
    case 'branch':
      return handle === 'thenNext' || handle === 'elseNext' ? { ...step, [handle]: target } : step;
    case 'wait_for_event':
      return handle === 'next' || handle === 'timeoutNext' ? { ...step, [handle]: target } : step;
    default:
      return handle === 'next' ? { ...step, next: target } : step;
  }
}

/** Where a step's way out leads now (null: it ends there, or the step has no such way). */
export function outputTarget(step: ScenarioStep, handle: OutputHandle): string | null {
  return stepEdges(step).find((output) => output.handle === handle)?.target ?? null;
}

/** The document with step `from`'s way out `handle` led to `target` (null: disconnected, the scenario ends there). */
export function connectOutput(document: ScenarioDocument, from: string, handle: OutputHandle, target: string | null): ScenarioDocument {
  return { ...document, steps: document.steps.map((step) => (step.id === from ? withOutput(step, handle, target) : step)) };
}

/**
 * The document with `step` added after step `from`'s way out `handle`: that way now leads to
 * the new step, and the new step's first way out to where it led before (inserted in between).
 */
export function insertStepAfter(document: ScenarioDocument, from: string, handle: OutputHandle, step: ScenarioStep): ScenarioDocument {
  const source = document.steps.find((each) => each.id === from);
  const before = source ? outputTarget(source, handle) : null;
  const first = stepEdges(step)[0];
  const added = first && before ? withOutput(step, first.handle, before) : step;
  const connected = connectOutput(document, from, handle, step.id);
  return { ...connected, steps: [...connected.steps, added] };
}

/** Whether a step has a single `next` (a newly added step follows it when it ends there). */
export function followsWithNext(step: ScenarioStep): step is Extract<ScenarioStep, { next: string | null }> & { kind: Exclude<StepKind, 'wait_for_event'> } {
  return step.kind !== 'exit' && step.kind !== 'branch' && step.kind !== 'split' && step.kind !== 'wait_for_event';
}

/** Renames a step and every reference to it (start, next, then/else, timeout, arms). */
export function renameStep(document: ScenarioDocument, from: string, to: string): ScenarioDocument {
  const swap = (id: string | null | undefined) => (id === from ? to : (id ?? null));
  return {
    ...document,
    start: document.start === from ? to : document.start,
    steps: document.steps.map((step) => {
      const renamed = step.id === from ? { ...step, id: to } : step;
      return relink(renamed, swap);
    }),
  };
}

/** Removes a step; references to it end there (null). */
export function removeStep(document: ScenarioDocument, id: string): ScenarioDocument {
  const cut = (target: string | null | undefined) => (target === id ? null : (target ?? null));
  const steps = document.steps.filter((step) => step.id !== id).map((step) => relink(step, cut));
  return { ...document, steps, start: document.start === id ? (steps[0]?.id ?? '') : document.start };
}

function relink(step: ScenarioStep, map: (id: string | null | undefined) => string | null): ScenarioStep {
  switch (step.kind) {
    case 'wait_for_event':
      return { ...step, next: map(step.next), timeoutNext: map(step.timeoutNext) };
    case 'branch':
      return { ...step, thenNext: map(step.thenNext), elseNext: map(step.elseNext) };
    case 'split':
      return { ...step, arms: step.arms.map((arm) => ({ ...arm, next: map(arm.next) })) };
    case 'exit':
      return step;
    default:
      return { ...step, next: map(step.next) };
  }
}

/** Where a problem belongs: a step (its index and the field inside it), or the scenario's settings (the field). */
export type ProblemPlace = { on: 'step'; index: number; field: string } | { on: 'settings'; field: string };

/** Places a checker path: `steps[3].templateId` → step 3, field templateId; `trigger.type` → settings, trigger. */
export function placeProblem(path: string): ProblemPlace {
  const step = /^steps\[(\d+)\](?:\.([A-Za-z]+))?/.exec(path);
  if (step) return { on: 'step', index: Number(step[1]), field: step[2] ?? '' };
  const field = /^([A-Za-z]+)/.exec(path)?.[1] ?? '';
  return { on: 'settings', field };
}

/** The problems of one step (by index) or of the settings, by field. */
export function problemsOf(problems: readonly Problem[], where: { step: number } | 'settings'): Map<string, Problem[]> {
  const byField = new Map<string, Problem[]>();
  for (const problem of problems) {
    const place = placeProblem(problem.path);
    const mine = where === 'settings' ? place.on === 'settings' : place.on === 'step' && place.index === where.step;
    if (!mine) continue;
    byField.set(place.field, [...(byField.get(place.field) ?? []), problem]);
  }
  return byField;
}

/**
 * A layered layout: the trigger on top, each step one row below the first step that reaches it
 * (breadth first from the start), steps nobody reaches in a last row; columns in order of arrival.
 */
export function layoutSteps(document: ScenarioDocument): Map<string, { row: number; column: number }> {
  const byId = new Map(document.steps.map((step) => [step.id, step]));
  const rows = new Map<string, number>();
  const queue: Array<[string, number]> = document.start ? [[document.start, 1]] : [];
  while (queue.length > 0) {
    const [id, row] = queue.shift()!;
    const step = byId.get(id);
    if (!step || rows.has(id)) continue;
    rows.set(id, row);
    for (const edge of stepEdges(step)) if (edge.target) queue.push([edge.target, row + 1]);
  }
  const last = Math.max(0, ...rows.values()) + 1;
  for (const step of document.steps) if (!rows.has(step.id)) rows.set(step.id, last);
  const columns = new Map<number, number>();
  const placed = new Map<string, { row: number; column: number }>();
  for (const [id, row] of rows) {
    const column = columns.get(row) ?? 0;
    columns.set(row, column + 1);
    placed.set(id, { row, column });
  }
  return placed;
}

export interface Point {
  x: number;
  y: number;
}

/** The canvas's grid: a column's width and a row's height (px at zoom 1). */
export const COLUMN_WIDTH = 250;
export const ROW_HEIGHT = 150;

/** The nearest free place at or right of `point` (no node closer than a column across and most of a row down). */
export function freeSpot(taken: Iterable<Point>, point: Point): Point {
  const others = [...taken];
  let spot = { ...point };
  while (others.some((other) => Math.abs(other.x - spot.x) < COLUMN_WIDTH - 20 && Math.abs(other.y - spot.y) < ROW_HEIGHT - 30))
    spot = { ...spot, x: spot.x + COLUMN_WIDTH };
  return spot;
}

/**
 * Where each step is drawn, kept stable as the flow changes: a step once placed (by this
 * layout, dropped on the canvas, or dragged) stays where it is in `remembered`; a step not
 * placed yet goes to its place in the layered layout (`layoutSteps`), moved right until free.
 * `remembered` is updated in place with the new places, so connecting or disconnecting edges
 * never moves a node; the editor forgets it only when asked to lay the flow out again.
 */
export function placeSteps(document: ScenarioDocument, remembered: Map<string, Point>): Map<string, Point> {
  const missing = document.steps.filter((step) => !remembered.has(step.id));
  if (missing.length > 0) {
    const layered = layoutSteps(document);
    for (const step of missing) {
      const place = layered.get(step.id) ?? { row: 1, column: 0 };
      remembered.set(step.id, freeSpot(remembered.values(), { x: place.column * COLUMN_WIDTH, y: place.row * ROW_HEIGHT }));
    }
  }
  return new Map(document.steps.map((step) => [step.id, remembered.get(step.id)!]));
}

/** Text of a comma-separated list, and back (blank entries dropped; an empty list is absent). */
export function listText(list: readonly string[] | undefined): string {
  return (list ?? []).join(', ');
}
export function textList(text: string): string[] | undefined {
  const list = text
    .split(/[,、]/)
    .map((part) => part.trim())
    .filter(Boolean);
  return list.length > 0 ? list : undefined;
}

/** An object without its undefined fields (the document is sent as JSON; optional fields are absent, not null). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

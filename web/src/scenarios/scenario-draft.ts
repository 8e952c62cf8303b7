import type { Schemas } from '../api/client.ts';
import type { Role } from '../session/session.tsx';

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

/** The edges a step draws: where it may go next, and what each way is. */
export function stepEdges(step: ScenarioStep): Array<{ kind: EdgeKind; target: string | null; arm?: number; weight?: number }> {
  switch (step.kind) {
    case 'wait':
    case 'wait_until':
    case 'wait_for_effect':
    case 'send':
    case 'task':
    case 'update_attribute':
      return [{ kind: 'next', target: step.next ?? null }];
    case 'wait_for_event':
      return [
        { kind: 'event', target: step.next ?? null },
        { kind: 'timeout', target: step.timeoutNext ?? null },
      ];
    case 'branch':
      return [
        { kind: 'then', target: step.thenNext ?? null },
        { kind: 'else', target: step.elseNext ?? null },
      ];
    case 'split':
      return (step.arms ?? []).map((arm, index) => ({ kind: 'arm' as const, target: arm.next ?? null, arm: index, weight: arm.weight }));
    case 'exit':
      return [];
  }
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

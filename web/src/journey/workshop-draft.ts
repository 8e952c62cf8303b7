import type { Condition, Department, JourneyMap, Measure, MeasureChannel, MeasureStatus } from './journey-map-types.ts';

/**
 * The journey map as the workshop holds it while the team edits: stages and levels carry an id
 * of the page's own (so a cell keeps its words when its stage's key is renamed or the stage is
 * moved), rules stay the JSON text the user typed, measures carry an id for React. `mapOf`
 * turns a draft into the JourneyMap the API takes; the server is the one judge of validity.
 */

export type Axis = 'stages' | 'levels';

export interface AxisItemDraft {
  id: string;
  key: string;
  name: string;
  description: string;
  /** The rule as typed (JSON); blank = no rule. The first stage and the lowest level hold anyone and send none. */
  ruleText: string;
}

export interface MeasureDraft {
  id: string;
  name: string;
  purpose: string;
  department: Department;
  /** '' = no Kizuna channel (an outside solution only). */
  channel: MeasureChannel | '';
  solution: string;
  status: MeasureStatus;
  scenarioId: string | undefined;
}

export interface CellDraft {
  feelings: string;
  goal: boolean;
  measures: MeasureDraft[];
  /** The decision not to contact, with its reason (the measures stay in the draft but are not sent while it holds). */
  noContact: boolean;
  noContactReason: string;
}

export interface WorkshopDraft {
  name: string;
  goal: string;
  stages: AxisItemDraft[];
  levels: AxisItemDraft[];
  /** By cellId(stage id, level id); a cell absent here is empty. */
  cells: Readonly<Record<string, CellDraft>>;
}

let lastId = 0;
/** An id unique in this page's life. */
export function draftId(prefix: string): string {
  lastId += 1;
  return `${prefix}-${lastId}`;
}

export function cellId(stageId: string, levelId: string): string {
  return `${stageId}|${levelId}`;
}

export const EMPTY_CELL: CellDraft = { feelings: '', goal: false, measures: [], noContact: false, noContactReason: '' };

function ruleTextOf(rule: Condition | undefined): string {
  return rule === undefined ? '' : JSON.stringify(rule, null, 2);
}

function axisDraftOf(items: JourneyMap['stages'], prefix: string): AxisItemDraft[] {
  return items.map((item) => ({ id: draftId(prefix), key: item.key, name: item.name, description: item.description ?? '', ruleText: ruleTextOf(item.rule) }));
}

function measureDraftOf(measure: Measure): MeasureDraft {
  return {
    id: draftId('measure'),
    name: measure.name,
    purpose: measure.purpose ?? '',
    department: measure.department,
    channel: measure.channel ?? '',
    solution: measure.solution ?? '',
    status: measure.status,
    scenarioId: measure.scenarioId,
  };
}

export function newMeasure(): MeasureDraft {
  return { id: draftId('measure'), name: '', purpose: '', department: 'marketing', channel: 'email', solution: '', status: 'planned', scenarioId: undefined };
}

export function draftOf(map: JourneyMap): WorkshopDraft {
  const stages = axisDraftOf(map.stages, 'stage');
  const levels = axisDraftOf(map.levels, 'level');
  const cells: Record<string, CellDraft> = {};
  for (const cell of map.cells) {
    const stage = stages.find((s) => s.key === cell.stage);
    const level = levels.find((l) => l.key === cell.level);
    // A cell naming no stage or level of the map cannot be drawn; the server refuses such maps.
    if (!stage || !level) continue;
    cells[cellId(stage.id, level.id)] = {
      feelings: cell.feelings ?? '',
      goal: cell.goal ?? false,
      measures: (cell.measures ?? []).map(measureDraftOf),
      noContact: cell.noContact !== undefined,
      noContactReason: cell.noContact?.reason ?? '',
    };
  }
  return { name: map.name, goal: map.goal, stages, levels, cells };
}

// ─── Rules as text ───────────────────────────────────────────────────────────────────────────

export type ParsedRule = { kind: 'none' } | { kind: 'rule'; rule: Condition } | { kind: 'invalid'; message: string };

/**
 * The rule a textarea holds: blank is no rule; otherwise JSON that must be an object (the
 * server checks it against the vocabulary). `message` is the JSON parser's own, which names
 * the position of the mistake.
 */
export function parseRule(text: string): ParsedRule {
  if (text.trim() === '') return { kind: 'none' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', message: error instanceof Error ? error.message : String(error) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'invalid', message: 'not_object' };
  // The vocabulary is the server's to judge (a refusal names the path of the offending node).
  return { kind: 'rule', rule: value as Condition };
}

/** The rule text with `example` added: the example alone when blank, else both under `all`. */
export function withExample(text: string, example: Condition): string {
  const parsed = parseRule(text);
  switch (parsed.kind) {
    case 'none':
      return JSON.stringify(example, null, 2);
    case 'rule':
      if ('all' in parsed.rule && Array.isArray(parsed.rule.all)) return JSON.stringify({ all: [...parsed.rule.all, example] }, null, 2);
      return JSON.stringify({ all: [parsed.rule, example] }, null, 2);
    case 'invalid':
      // Never throw away what the user typed: the example goes below it.
      return `${text.trimEnd()}\n${JSON.stringify(example, null, 2)}`;
  }
}

/** The axis items whose rule text is not valid JSON (they block preview and save). */
export function invalidRules(draft: WorkshopDraft): Array<{ axis: Axis; id: string }> {
  const invalid: Array<{ axis: Axis; id: string }> = [];
  for (const axis of ['stages', 'levels'] as const) {
    draft[axis].forEach((item, index) => {
      if (index > 0 && parseRule(item.ruleText).kind === 'invalid') invalid.push({ axis, id: item.id });
    });
  }
  return invalid;
}

// ─── The map to send ─────────────────────────────────────────────────────────────────────────

/** A blank optional text is left out. */
function optional(text: string): string | undefined {
  return text.trim() === '' ? undefined : text;
}

function isEmptyCell(cell: CellDraft): boolean {
  return cell.feelings.trim() === '' && !cell.goal && cell.measures.length === 0 && !cell.noContact;
}

/** The map to send, and which draft cell each of its `cells[i]` is (a refusal names cells by index). */
export interface SentMap {
  map: JourneyMap;
  cellIds: string[];
}

function axisOf(items: AxisItemDraft[]): JourneyMap['stages'] {
  return items.map((item, index) => {
    const parsed = index === 0 ? ({ kind: 'none' } as const) : parseRule(item.ruleText);
    return {
      key: item.key,
      name: item.name,
      ...(optional(item.description) !== undefined && { description: item.description }),
      ...(parsed.kind === 'rule' && { rule: parsed.rule }),
    };
  });
}

function measureOf(measure: MeasureDraft): Measure {
  return {
    name: measure.name,
    ...(optional(measure.purpose) !== undefined && { purpose: measure.purpose }),
    department: measure.department,
    ...(measure.channel !== '' && { channel: measure.channel }),
    ...(optional(measure.solution) !== undefined && { solution: measure.solution }),
    status: measure.status,
    ...(measure.scenarioId !== undefined && { scenarioId: measure.scenarioId }),
  };
}

/**
 * The JourneyMap of a draft: stages and levels in their order (no rule on the first of each),
 * the non-empty cells stage by stage, level by level. A cell decided "no contact" sends its
 * reason instead of its measures (the model has one or the other).
 */
export function mapOf(draft: WorkshopDraft): SentMap {
  const cells: JourneyMap['cells'] = [];
  const cellIds: string[] = [];
  for (const stage of draft.stages) {
    for (const level of draft.levels) {
      const id = cellId(stage.id, level.id);
      const cell = draft.cells[id];
      if (!cell || isEmptyCell(cell)) continue;
      cellIds.push(id);
      cells.push({
        stage: stage.key,
        level: level.key,
        ...(optional(cell.feelings) !== undefined && { feelings: cell.feelings }),
        ...(cell.goal && { goal: true }),
        ...(cell.noContact ? { noContact: { reason: cell.noContactReason } } : cell.measures.length > 0 && { measures: cell.measures.map(measureOf) }),
      });
    }
  }
  return { map: { name: draft.name, goal: draft.goal, stages: axisOf(draft.stages), levels: axisOf(draft.levels), cells }, cellIds };
}

/** Whether two drafts would send the same map (ids aside). */
export function sameMap(a: WorkshopDraft, b: WorkshopDraft): boolean {
  return JSON.stringify(mapOf(a).map) === JSON.stringify(mapOf(b).map) && sameRuleTexts(a, b);
}

/** Rule texts compared as typed: a rule made invalid is a change even though the map sent would not show it. */
function sameRuleTexts(a: WorkshopDraft, b: WorkshopDraft): boolean {
  const texts = (d: WorkshopDraft) => JSON.stringify([...d.stages, ...d.levels].map((item) => item.ruleText));
  return texts(a) === texts(b);
}

/** A key for a new stage or level that the axis does not use yet: stage_6, level_5 … */
export function freshKey(items: AxisItemDraft[], axis: Axis): string {
  const prefix = axis === 'stages' ? 'stage' : 'level';
  const used = new Set(items.map((item) => item.key));
  let n = items.length + 1;
  while (used.has(`${prefix}_${n}`)) n += 1;
  return `${prefix}_${n}`;
}

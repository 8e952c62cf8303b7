import type { MapProblem } from './journey-map-types.ts';
import type { Axis, SentMap, WorkshopDraft } from './workshop-draft.ts';

/**
 * A refused map's problems, placed on the workshop's fields. The server names each problem by
 * its path in the map that was sent (`stages[2].rule.all[1].products[0]`,
 * `cells[4].measures[0].channel`); the workshop resolves the indexes to the draft's own ids at
 * the moment of sending, so a problem stays beside its stage, cell or measure however the
 * user moves things afterwards.
 */

export type Where =
  | { kind: 'map'; field: 'map' | 'name' | 'goal' }
  | { kind: 'item'; axis: Axis; id: string; field: 'key' | 'name' | 'description' | 'rule' | 'item' }
  | { kind: 'cell'; cell: string; field: 'feelings' | 'goal' | 'noContact' | 'cell' | 'measures' }
  | { kind: 'measure'; cell: string; id: string; index: number; field: MeasureField };

export type MeasureField = 'name' | 'purpose' | 'department' | 'channel' | 'solution' | 'status' | 'scenarioId' | 'measure';

export interface PlacedProblem {
  /** The field's name in the page: data-field of its problem note (see fieldName). */
  field: string;
  where: Where;
  /** Inside a rule: the path of the offending node below the rule (`all[1].products[0]`). */
  rulePath: string | undefined;
  message: string;
}

/** The name a field's problem note carries (data-field) and its control is found by. */
export function fieldName(where: Where): string {
  switch (where.kind) {
    case 'map':
      return where.field;
    case 'item':
      return `item:${where.id}:${where.field}`;
    case 'cell':
      return `cell:${where.cell}:${where.field}`;
    case 'measure':
      return `measure:${where.id}:${where.field}`;
  }
}

/** `stages[2].rule.all[1]` (or `stages.2.rule.all.1`, as a 400 names fields) → ['stages', 2, 'rule', 'all', 1]. */
function segmentsOf(path: string): Array<string | number> {
  return (path.match(/[^.[\]]+/g) ?? []).map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function rest(segments: Array<string | number>): string | undefined {
  const text = segments.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('');
  return text === '' ? undefined : text.replace(/^\./, '');
}

const ITEM_FIELDS = ['key', 'name', 'description', 'rule'] as const;
const CELL_FIELDS = { feelings: 'feelings', goal: 'goal', noContact: 'noContact', measures: 'measures', stage: 'cell', level: 'cell' } as const;
const MEASURE_FIELDS = ['name', 'purpose', 'department', 'channel', 'solution', 'status', 'scenarioId'] as const;

function whereOf(path: string, sent: WorkshopDraft, sentMap: SentMap): { where: Where; rulePath: string | undefined } {
  const [head, index, field, ...deeper] = segmentsOf(path);
  const none = { where: { kind: 'map', field: 'map' } as Where, rulePath: undefined };
  if (head === 'name' || head === 'goal') return { where: { kind: 'map', field: head }, rulePath: undefined };
  if (head === 'stages' || head === 'levels') {
    const item = typeof index === 'number' ? sent[head][index] : undefined;
    if (!item) return none;
    // A problem with a whole stage or level after the first is its missing rule ("needs a rule").
    const itemField = ITEM_FIELDS.find((f) => f === field) ?? (field === undefined && index !== 0 ? 'rule' : 'item');
    return { where: { kind: 'item', axis: head, id: item.id, field: itemField }, rulePath: itemField === 'rule' ? rest(deeper) : undefined };
  }
  if (head === 'cells') {
    const cell = typeof index === 'number' ? sentMap.cellIds[index] : undefined;
    if (!cell) return none;
    if (field === 'measures' && typeof deeper[0] === 'number') {
      const measure = sent.cells[cell]?.measures[deeper[0]];
      if (measure) {
        const measureField = MEASURE_FIELDS.find((f) => f === deeper[1]) ?? 'measure';
        return { where: { kind: 'measure', cell, id: measure.id, index: deeper[0], field: measureField }, rulePath: undefined };
      }
    }
    const cellField = typeof field === 'string' && field in CELL_FIELDS ? CELL_FIELDS[field as keyof typeof CELL_FIELDS] : 'cell';
    return { where: { kind: 'cell', cell, field: cellField }, rulePath: undefined };
  }
  return none;
}

/**
 * The problems of a refusal placed on the draft that was sent. A measure missing both channel
 * and solution is refused on the measure itself; it is shown at its channel, which the message
 * is about.
 */
export function placeProblems(problems: readonly MapProblem[], sent: WorkshopDraft, sentMap: SentMap): PlacedProblem[] {
  return problems.map((problem) => {
    const placed = whereOf(problem.path, sent, sentMap);
    const where: Where = placed.where.kind === 'measure' && placed.where.field === 'measure' ? { ...placed.where, field: 'channel' } : placed.where;
    return { field: fieldName(where), where, rulePath: placed.rulePath, message: problem.message };
  });
}

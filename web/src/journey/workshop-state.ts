import { draftId, EMPTY_CELL, freshKey, type Axis, type AxisItemDraft, type CellDraft, type MeasureDraft, type WorkshopDraft } from './workshop-draft.ts';

/**
 * Every change the workshop makes to the map being edited, as a reducer with undo: each change
 * keeps the draft before it, so 「元に戻す」 steps back one change at a time. Typing in one field
 * is one change (keystrokes into the same field coalesce), not one per character.
 */

/** The map's bounds (src/journey-map/model.ts). */
export const MAX_STAGES = 12;
export const MAX_LEVELS = 10;
const MAX_MEASURES = 30;
const MAX_UNDO = 100;

export type AxisPatch = Partial<Omit<AxisItemDraft, 'id'>>;
export type CellPatch = Partial<Omit<CellDraft, 'measures'>>;
export type MeasurePatch = Partial<Omit<MeasureDraft, 'id'>>;

export type WorkshopAction =
  | { type: 'map'; patch: Partial<Pick<WorkshopDraft, 'name' | 'goal'>> }
  | { type: 'add_item'; axis: Axis; item: AxisItemDraft }
  | { type: 'remove_item'; axis: Axis; id: string }
  | { type: 'move_item'; axis: Axis; id: string; by: -1 | 1 }
  | { type: 'edit_item'; axis: Axis; id: string; patch: AxisPatch }
  | { type: 'edit_cell'; cell: string; patch: CellPatch }
  | { type: 'add_measure'; cell: string; measure: MeasureDraft }
  | { type: 'edit_measure'; cell: string; id: string; patch: MeasurePatch }
  | { type: 'remove_measure'; cell: string; id: string }
  | { type: 'undo' }
  | { type: 'reset'; draft: WorkshopDraft };

export interface WorkshopState {
  draft: WorkshopDraft;
  /** Earlier drafts, the last one first undone. */
  past: WorkshopDraft[];
  /** The field the last change typed into (the next keystroke there joins that change). */
  typing: string | undefined;
}

export function initialState(draft: WorkshopDraft): WorkshopState {
  return { draft, past: [], typing: undefined };
}

/** A new stage or level, named by the caller, with a key the axis does not use. */
export function newAxisItem(items: AxisItemDraft[], axis: Axis, name: string): AxisItemDraft {
  return { id: draftId(axis === 'stages' ? 'stage' : 'level'), key: freshKey(items, axis), name, description: '', ruleText: '' };
}

function cellOf(draft: WorkshopDraft, cell: string): CellDraft {
  return draft.cells[cell] ?? EMPTY_CELL;
}

function withCell(draft: WorkshopDraft, cell: string, change: (current: CellDraft) => CellDraft): WorkshopDraft {
  return { ...draft, cells: { ...draft.cells, [cell]: change(cellOf(draft, cell)) } };
}

/** The field a change types into, when it is typing (a text edit of one field). */
function typingOf(action: WorkshopAction): string | undefined {
  const fields = (patch: object) => Object.keys(patch).sort().join(',');
  switch (action.type) {
    case 'map':
      return `map:${fields(action.patch)}`;
    case 'edit_item':
      return `${action.axis}:${action.id}:${fields(action.patch)}`;
    case 'edit_cell':
      return 'feelings' in action.patch || 'noContactReason' in action.patch ? `cell:${action.cell}:${fields(action.patch)}` : undefined;
    case 'edit_measure':
      return ['name', 'purpose', 'solution'].some((field) => field in action.patch) ? `measure:${action.id}:${fields(action.patch)}` : undefined;
    default:
      return undefined;
  }
}

function changed(draft: WorkshopDraft, action: WorkshopAction): WorkshopDraft {
  switch (action.type) {
    case 'map':
      return { ...draft, ...action.patch };
    case 'add_item': {
      const max = action.axis === 'stages' ? MAX_STAGES : MAX_LEVELS;
      if (draft[action.axis].length >= max) return draft;
      return { ...draft, [action.axis]: [...draft[action.axis], action.item] };
    }
    case 'remove_item': {
      if (draft[action.axis].length <= 1) return draft;
      const prefix = action.axis === 'stages' ? `${action.id}|` : undefined;
      const suffix = action.axis === 'levels' ? `|${action.id}` : undefined;
      const cells = Object.fromEntries(Object.entries(draft.cells).filter(([id]) => !(prefix && id.startsWith(prefix)) && !(suffix && id.endsWith(suffix))));
      return { ...draft, [action.axis]: draft[action.axis].filter((item) => item.id !== action.id), cells };
    }
    case 'move_item': {
      const items = [...draft[action.axis]];
      const from = items.findIndex((item) => item.id === action.id);
      const to = from + action.by;
      if (from < 0 || to < 0 || to >= items.length) return draft;
      const [moved] = items.splice(from, 1);
      if (moved) items.splice(to, 0, moved);
      return { ...draft, [action.axis]: items };
    }
    case 'edit_item':
      return { ...draft, [action.axis]: draft[action.axis].map((item) => (item.id === action.id ? { ...item, ...action.patch } : item)) };
    case 'edit_cell':
      return withCell(draft, action.cell, (cell) => ({ ...cell, ...action.patch }));
    case 'add_measure':
      return withCell(draft, action.cell, (cell) => (cell.measures.length >= MAX_MEASURES ? cell : { ...cell, measures: [...cell.measures, action.measure] }));
    case 'edit_measure':
      return withCell(draft, action.cell, (cell) => ({
        ...cell,
        measures: cell.measures.map((measure) => (measure.id === action.id ? { ...measure, ...action.patch } : measure)),
      }));
    case 'remove_measure':
      return withCell(draft, action.cell, (cell) => ({ ...cell, measures: cell.measures.filter((measure) => measure.id !== action.id) }));
    case 'undo':
    case 'reset':
      return draft;
  }
}

export function workshopReducer(state: WorkshopState, action: WorkshopAction): WorkshopState {
  if (action.type === 'reset') return initialState(action.draft);
  if (action.type === 'undo') {
    const [previous, ...rest] = state.past;
    return previous ? { draft: previous, past: rest, typing: undefined } : state;
  }
  const draft = changed(state.draft, action);
  if (draft === state.draft) return state;
  const typing = typingOf(action);
  // Typing on in the same field extends the change already recorded.
  if (typing !== undefined && typing === state.typing) return { ...state, draft };
  return { draft, past: [state.draft, ...state.past].slice(0, MAX_UNDO), typing };
}

import { useEffect, useId, useRef, type Dispatch } from 'react';
import { Failure } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { AxisItemEditor } from './axis-editor.tsx';
import { CellEditor } from './cell-editor.tsx';
import type { Axis, WorkshopDraft } from './workshop-draft.ts';
import type { PlacedProblem, Where } from './workshop-problems.ts';
import type { WorkshopAction } from './workshop-state.ts';

type Words = Messages['journeyWorkshop'];

export type Selection = { kind: 'cell'; cell: string } | { kind: 'item'; axis: Axis; id: string } | null;

export type Outcome =
  | { kind: 'idle' }
  | { kind: 'saving'; activate: boolean }
  | { kind: 'draft_saved'; version: number }
  | { kind: 'unchanged' }
  | { kind: 'refused'; during: 'save' | 'preview'; problems: PlacedProblem[] }
  | { kind: 'failed'; error: Error };

function itemName(draft: WorkshopDraft, id: string | undefined): string {
  const item = [...draft.stages, ...draft.levels].find((candidate) => candidate.id === id);
  return item ? item.name.trim() || item.key : '?';
}

function cellNames(draft: WorkshopDraft, cell: string): [string, string] {
  const [stage, level] = cell.split('|');
  return [itemName(draft, stage), itemName(draft, level)];
}

/** Where a problem is, in words, with the names the draft has now. */
export function problemPlace(w: Words, draft: WorkshopDraft, where: Where): string {
  switch (where.kind) {
    case 'map':
      return w.places[where.field];
    case 'item':
      return w.places.item(where.axis === 'stages' ? w.stages : w.levels, itemName(draft, where.id), w.fields[where.field]);
    case 'cell':
      return w.places.cell(...cellNames(draft, where.cell), w.fields[where.field]);
    case 'measure':
      return w.places.measure(...cellNames(draft, where.cell), where.index + 1, w.fields[where.field]);
  }
}

/** The side panel beside the diagram: the editor of the chosen cell, stage or level. */
export function SidePanel({
  draft,
  selection,
  dispatch,
  onClose,
}: {
  draft: WorkshopDraft;
  selection: NonNullable<Selection>;
  dispatch: Dispatch<WorkshopAction>;
  onClose(): void;
}) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // Opening an editor takes the keyboard to it; closing it gives the keyboard back to what
  // opened it (the page mounts one panel per cell, stage or level chosen).
  useEffect(() => {
    const active = document.activeElement;
    const opener = active instanceof HTMLElement || active instanceof SVGElement ? active : null;
    heading.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  let title: string;
  let body: React.ReactNode;
  if (selection.kind === 'cell') {
    title = w.cell.title(...cellNames(draft, selection.cell));
    body = <CellEditor cell={selection.cell} draft={draft.cells[selection.cell]} dispatch={dispatch} />;
  } else {
    const items = draft[selection.axis];
    const index = items.findIndex((item) => item.id === selection.id);
    const item = items[index];
    if (!item) return null;
    title = w.itemTitle(selection.axis === 'stages' ? w.stages : w.levels, item.name.trim() || item.key);
    body = <AxisItemEditor axis={selection.axis} item={item} index={index} dispatch={dispatch} />;
  }
  return (
    <section
      className="workshop-panel card"
      aria-labelledby={headingId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="workshop-panel-head">
        <h3 id={headingId} ref={heading} tabIndex={-1}>
          {title}
        </h3>
        <button type="button" className="button button-small button-quiet" onClick={onClose}>
          {w.close}
        </button>
      </div>
      {body}
    </section>
  );
}

/** The result of the last save or preview, or whether there is anything to save. */
export function OutcomeMessage({
  outcome,
  dirty,
  draft,
  onShow,
}: {
  outcome: Outcome;
  dirty: boolean;
  draft: WorkshopDraft;
  onShow(problem: PlacedProblem): void;
}) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  switch (outcome.kind) {
    case 'draft_saved':
      return (
        <p className="alert alert-ok" role="status">
          {w.savedDraft(String(outcome.version))}
        </p>
      );
    case 'unchanged':
      return (
        <p className="alert alert-info" role="status">
          {w.unchanged}
        </p>
      );
    case 'refused': {
      const count = String(outcome.problems.length);
      return (
        <div className="alert alert-error" role="alert">
          <strong>{outcome.during === 'save' ? w.problemsTitle(count) : w.previewRefused(count)}</strong>
          <ul className="problem-list">
            {outcome.problems.map((problem, index) => (
              <li key={index}>
                <button type="button" className="problem-link" onClick={() => onShow(problem)}>
                  {problemPlace(w, draft, problem.where)}
                </button>
                : {problem.message}
                {problem.rulePath && ` ${w.ruleAt(problem.rulePath)}`}
              </li>
            ))}
          </ul>
        </div>
      );
    }
    case 'failed':
      return <Failure error={outcome.error} />;
    case 'saving':
    case 'idle':
      return <p className={`save-state ${dirty ? 'is-dirty' : ''}`}>{dirty ? w.dirty : w.clean}</p>;
  }
}

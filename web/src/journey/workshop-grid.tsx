import { useContext } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { ProblemsContext } from './field-problem.tsx';
import { cellId, type WorkshopDraft } from './workshop-draft.ts';

/** How many customers a cell holds now, and would hold by the last preview (undefined: no preview). */
export interface CellCounts {
  live(stageId: string, levelId: string): number;
  preview(stageId: string, levelId: string): number | undefined;
}

/**
 * The cells as a grid the keyboard can walk: stages left → right, levels top (highest) →
 * bottom, each cell a button that opens its editor, with its live count and the preview's
 * (「1,234人 → 1,310人」), its goal mark, its measures or its no-contact decision.
 */
export function WorkshopGrid({
  draft,
  counts,
  selected,
  onSelect,
}: {
  draft: WorkshopDraft;
  counts: CellCounts;
  selected: string | undefined;
  onSelect(cell: string): void;
}) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  const { format } = useCurrentWorkspace();
  const problems = useContext(ProblemsContext);
  const cellHasProblem = (cell: string) => {
    const measures = new Set(draft.cells[cell]?.measures.map((m) => m.id));
    return [...problems.keys()].some((field) => field.startsWith(`cell:${cell}:`) || measures.has(field.split(':')[1] ?? ''));
  };
  const levels = [...draft.levels].reverse();
  return (
    <div className="table-wrap workshop-grid-wrap">
      <table className="workshop-grid">
        <caption className="muted small">{w.grid}</caption>
        <thead>
          <tr>
            <td />
            {draft.stages.map((stage) => (
              <th key={stage.id} scope="col">
                {stage.name || stage.key}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {levels.map((level) => (
            <tr key={level.id}>
              <th scope="row">{level.name || level.key}</th>
              {draft.stages.map((stage) => {
                const id = cellId(stage.id, level.id);
                const cell = draft.cells[id];
                const live = counts.live(stage.id, level.id);
                const preview = counts.preview(stage.id, level.id);
                const problem = cellHasProblem(id);
                const classes = ['workshop-cell', cell?.goal ? 'is-goal' : '', selected === id ? 'is-selected' : '', problem ? 'has-problem' : ''];
                return (
                  <td key={id} className={classes.filter(Boolean).join(' ')} data-cell={`${stage.key}|${level.key}`}>
                    <button type="button" aria-pressed={selected === id} onClick={() => onSelect(id)}>
                      <span className="visually-hidden">{w.gridCell(stage.name || stage.key, level.name || level.key)}</span>
                      <span className="cell-count" data-testid="live-count">
                        {preview === undefined ? w.people(format.integer(live)) : w.countChange(format.integer(live), format.integer(preview))}
                      </span>
                      {cell?.goal && <span className="cell-goal">★ {w.cell.goal}</span>}
                      {cell?.noContact ? (
                        <span className="cell-no-contact">{w.cell.noContact}</span>
                      ) : (
                        cell && cell.measures.length > 0 && <span className="cell-measures-count">{w.cell.measureCount(cell.measures.length)}</span>
                      )}
                      {problem && <span className="cell-problem">⚠</span>}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

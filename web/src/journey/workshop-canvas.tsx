import { useContext } from 'react';
import { layoutDiagram } from '../../../src/journey-map/diagram/layout.ts';
import type { DiagramCell, DiagramInput } from '../../../src/journey-map/diagram/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { ProblemsContext } from './field-problem.tsx';
import { JourneyDiagram } from './journey-diagram.tsx';
import { cellId, mapOf, type WorkshopDraft } from './workshop-draft.ts';

/** How many customers a cell holds now, and would hold by the last preview (undefined: no preview). */
export interface CellCounts {
  live(stageId: string, levelId: string): number;
  preview(stageId: string, levelId: string): number | undefined;
}

/**
 * The diagram being edited: the draft drawn as the page draws the live map (same layout as the
 * exports), with the live count in each cell; clicking a cell or its edit button (Enter, Space)
 * opens its editor. After a preview each cell carries 「live人 → preview人」 over its top-right
 * corner, and a cell with a refused field a ⚠ mark.
 */
export function WorkshopCanvas({
  draft,
  counts,
  profiles,
  selected,
  onSelect,
}: {
  draft: WorkshopDraft;
  counts: CellCounts;
  profiles: number;
  selected: string | undefined;
  onSelect(cell: string): void;
}) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  const { format } = useCurrentWorkspace();
  const problems = useContext(ProblemsContext);
  const map = mapOf(draft).map;
  const cells = draft.stages.flatMap((stage, i) =>
    draft.levels.map((level, j) => ({ stage: map.stages[i]!.key, level: map.levels[j]!.key, customers: counts.live(stage.id, level.id) })),
  );
  // Drawn afresh on every change: the layout of at most 12 × 10 cells is quick.
  const input: DiagramInput = { map, cells, profiles, labels: t.journey.diagram };
  const layout = layoutDiagram(input);
  const idOf = (cell: DiagramCell) => {
    const stage = draft.stages[cell.stageIndex];
    const level = draft.levels[cell.levelIndex];
    return stage && level ? cellId(stage.id, level.id) : undefined;
  };
  const open = (cell: DiagramCell) => {
    const id = idOf(cell);
    if (id) onSelect(id);
  };
  const selectedCell = layout.cells.find((cell) => idOf(cell) === selected);
  const hasProblem = (id: string) => {
    const measures = new Set(draft.cells[id]?.measures.map((measure) => `measure:${measure.id}:`));
    return [...problems.keys()].some((field) => field.startsWith(`cell:${id}:`) || [...measures].some((prefix) => field.startsWith(prefix)));
  };
  const at = (x: number, y: number) => ({ left: `${(x / layout.width) * 100}%`, top: `${(y / layout.height) * 100}%` });
  return (
    <div className="workshop-canvas-diagram">
      <JourneyDiagram
        input={input}
        selected={selectedCell ? { stage: selectedCell.stage, level: selectedCell.level } : undefined}
        onSelectCell={open}
        editable
        onEditCell={open}
      />
      {layout.cells.map((cell) => {
        const id = idOf(cell);
        if (!id) return null;
        const [stageId, levelId] = id.split('|') as [string, string];
        const preview = counts.preview(stageId, levelId);
        const marked = hasProblem(id);
        if (preview === undefined && !marked) return null;
        return (
          <div key={id} className="workshop-cell-badges" style={at(cell.x + cell.width, cell.y)} data-cell={`${cell.stage}|${cell.level}`}>
            {preview !== undefined && (
              <span className="preview-count" data-testid="preview-count">
                {w.countChange(format.integer(counts.live(stageId, levelId)), format.integer(preview))}
              </span>
            )}
            {marked && (
              <span className="cell-problem" title={w.cellHasProblem}>
                ⚠
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
}

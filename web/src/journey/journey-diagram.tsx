import { type KeyboardEvent, useId, useMemo, useRef } from 'react';
import { layoutDiagram } from '../../../src/journey-map/diagram/layout.ts';
import { COLORS } from '../../../src/journey-map/diagram/theme.ts';
import type { DiagramArrow, DiagramCell, DiagramInput, Shape } from '../../../src/journey-map/diagram/types.ts';

export interface JourneyDiagramProps {
  input: DiagramInput;
  selected?: { stage: string; level: string };
  onSelectCell?(cell: DiagramCell): void;
  /** Workshop mode: each cell gets an edit button. */
  editable?: boolean;
  onEditCell?(cell: DiagramCell): void;
  className?: string;
}

/** One layout shape as SVG: the same elements and attributes as the server's export (src/journey-map/diagram/svg.ts). */
function ShapeView({ shape }: { shape: Shape }) {
  switch (shape.kind) {
    case 'rect':
      return (
        <rect
          x={shape.x}
          y={shape.y}
          width={shape.width}
          height={shape.height}
          rx={shape.radius}
          fill={shape.fill}
          stroke={shape.stroke}
          strokeWidth={shape.strokeWidth}
          strokeDasharray={shape.dash}
        />
      );
    case 'circle':
      return <circle cx={shape.cx} cy={shape.cy} r={shape.r} fill={shape.fill} stroke={shape.stroke} strokeWidth={shape.strokeWidth} />;
    case 'path':
      return <path d={shape.d} fill={shape.fill} stroke={shape.stroke} strokeWidth={shape.strokeWidth} strokeDasharray={shape.dash} opacity={shape.opacity} />;
    case 'text':
      return (
        <text
          x={shape.x}
          y={shape.y}
          fontSize={shape.size}
          fontWeight={shape.bold ? 700 : undefined}
          fill={shape.fill}
          textAnchor={shape.anchor === 'start' ? undefined : shape.anchor}
        >
          {shape.text}
        </text>
      );
  }
}

const cellKey = (cell: { stage: string; level: string }) => `${cell.stage}\u0000${cell.level}`;

/** Where an arrow key moves the focus: right = the next stage, up = the next level. */
const MOVES: Record<string, [number, number]> = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };

/**
 * The one-page CRM strategy diagram in the console, drawn from the same layout as the exports
 * (src/journey-map/diagram/layout.ts), so what the consultant sees is what the PDF hands over.
 * Each cell is a button (Tab, or the arrow keys between cells; Enter or Space selects) named by
 * its stage, level and count; in workshop mode (`editable`) an edit button sits in each cell's
 * corner. Wrap it in `.journey-print` to print it on one landscape page.
 */
export function JourneyDiagram({ input, selected, onSelectCell, editable = false, onEditCell, className }: JourneyDiagramProps) {
  const layout = useMemo(() => layoutDiagram(input), [input]);
  const titleId = useId();
  const cellRefs = useRef(new Map<string, SVGGElement>());
  const { map, labels } = input;
  const stageNames = useMemo(() => new Map(map.stages.map((stage) => [stage.key, stage.name])), [map]);
  const levelNames = useMemo(() => new Map(map.levels.map((level) => [level.key, level.name])), [map]);
  const cellName = (cell: { stage: string; level: string }) => `${stageNames.get(cell.stage) ?? cell.stage} × ${levelNames.get(cell.level) ?? cell.level}`;

  const onCellKey = (event: KeyboardEvent<SVGGElement>, cell: DiagramCell) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelectCell?.(cell);
      return;
    }
    const move = MOVES[event.key];
    if (!move) return;
    const stage = map.stages[cell.stageIndex + move[0]];
    const level = map.levels[cell.levelIndex + move[1]];
    if (!stage || !level) return;
    event.preventDefault();
    cellRefs.current.get(cellKey({ stage: stage.key, level: level.key }))?.focus();
  };
  const onEditKey = (event: KeyboardEvent<SVGGElement>, cell: DiagramCell) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    onEditCell?.(cell);
  };
  const arrowTitle = (arrow: DiagramArrow) =>
    `${labels.flows[arrow.kind]}: ${cellName(arrow.from)} → ${cellName(arrow.to)} (${arrow.customers.toLocaleString()})`;

  return (
    <svg
      className={['journey-diagram', className].filter(Boolean).join(' ')}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      role="group"
      aria-labelledby={titleId}
      style={{ fontFamily: 'var(--font-sans)' }}
    >
      <title id={titleId}>{`${labels.title}: ${layout.title}`}</title>
      {layout.frame.map((shape, k) => (
        <ShapeView key={`frame-${k}`} shape={shape} />
      ))}
      {layout.cells.map((cell) => {
        const isSelected = selected !== undefined && selected.stage === cell.stage && selected.level === cell.level;
        return (
          <g
            key={cellKey(cell)}
            ref={(element) => {
              if (element) cellRefs.current.set(cellKey(cell), element);
              else cellRefs.current.delete(cellKey(cell));
            }}
            className="journey-diagram__cell"
            role="button"
            tabIndex={0}
            aria-label={cell.ariaLabel}
            aria-pressed={isSelected}
            onClick={() => onSelectCell?.(cell)}
            onKeyDown={(event) => onCellKey(event, cell)}
          >
            {cell.shapes.map((shape, k) => (
              <ShapeView key={k} shape={shape} />
            ))}
            {isSelected && (
              <rect x={cell.x - 3} y={cell.y - 3} width={cell.width + 6} height={cell.height + 6} rx={8} fill="none" stroke={COLORS.selected} strokeWidth={4} />
            )}
            <rect className="journey-diagram__focus" x={cell.x - 6} y={cell.y - 6} width={cell.width + 12} height={cell.height + 12} rx={10} />
          </g>
        );
      })}
      <g pointerEvents="none">
        {layout.staircase.map((shape, k) => (
          <ShapeView key={k} shape={shape} />
        ))}
        {layout.arrows.map((arrow) => (
          <g key={`${cellKey(arrow.from)}>${cellKey(arrow.to)}`}>
            <title>{arrowTitle(arrow)}</title>
            {arrow.shapes.map((shape, k) => (
              <ShapeView key={k} shape={shape} />
            ))}
          </g>
        ))}
      </g>
      {editable &&
        layout.cells.map((cell) => (
          <g
            key={`edit-${cellKey(cell)}`}
            className="journey-diagram__edit"
            role="button"
            tabIndex={0}
            aria-label={labels.editCell(cellName(cell))}
            transform={`translate(${Math.round(cell.x + cell.width - 20)} ${Math.round(cell.y + cell.height - 20)})`}
            onClick={() => onEditCell?.(cell)}
            onKeyDown={(event) => onEditKey(event, cell)}
          >
            <title>{labels.editCell(cellName(cell))}</title>
            <circle r={15} fill={COLORS.paper} stroke={COLORS.stairStroke} strokeWidth={1.5} />
            <path d="M-6 6 L-5 1 L3 -7 L7 -3 L-1 5 Z M1 -5 L5 -1" fill="none" stroke={COLORS.stairStroke} strokeWidth={1.6} strokeLinejoin="round" />
          </g>
        ))}
      {layout.legend.map((shape, k) => (
        <ShapeView key={`legend-${k}`} shape={shape} />
      ))}
    </svg>
  );
}

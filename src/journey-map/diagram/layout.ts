import type { Cell } from '../model.ts';
import { type ArrowCell, DEFAULT_MAX_ARROWS, layoutArrows } from './arrows.ts';
import { cellContent, chooseCountStyle, countWidth } from './cell-content.ts';
import { layoutLegend } from './legend.ts';
import { COLORS } from './theme.ts';
import { truncate, wrapText } from './text.ts';
import type { DiagramCell, DiagramInput, DiagramLayout, Shape } from './types.ts';

/**
 * The one-page CRM strategy diagram (the workshop's deliverable), positioned: pure, so the
 * server's SVG/PNG/PDF exports and the console's React component draw the same picture.
 *
 * Stages run left → right (irreversible, as chevrons along the bottom), affinity levels bottom
 * → top (names along the left). The whole stage × level grid is drawn, since any cell can hold
 * customers, but the staircase the workshop draws — for stage i the level round(i·(L−1)/(S−1)),
 * plus every goal cell — is filled and outlined by a stepped line; the other cells are light.
 * The page is landscape A-series (√2 : 1) at 1600 px wide; exports scale it.
 */

export const DIAGRAM_WIDTH = 1600;
export const DIAGRAM_HEIGHT = Math.round((DIAGRAM_WIDTH / Math.SQRT2) * 100) / 100;

const MARGIN = 28;
const HEADER_HEIGHT = 100;
const LEVEL_COLUMN = 150;
const STAGE_ROW = 58;
const LEGEND_HEIGHT = 28;
const GAP = 8;

const round = (value: number) => Math.round(value * 10) / 10;
const keyOf = (stage: string, level: string) => `${stage}\u0000${level}`;

/** The staircase's level for each stage: the diagonal from the bottom-left to the top-right. */
export function staircaseLevels(stages: number, levels: number): number[] {
  return Array.from({ length: stages }, (_, i) => (stages === 1 ? levels - 1 : Math.round((i * (levels - 1)) / (stages - 1))));
}

export function layoutDiagram(input: DiagramInput): DiagramLayout {
  const { map, labels } = input;
  const width = DIAGRAM_WIDTH;
  const height = DIAGRAM_HEIGHT;
  const S = map.stages.length;
  const L = map.levels.length;

  const gridLeft = MARGIN + LEVEL_COLUMN + 10;
  const gridRight = width - MARGIN;
  const gridTop = MARGIN + HEADER_HEIGHT + 14;
  const legendTop = height - MARGIN - LEGEND_HEIGHT;
  const stageTop = legendTop - 12 - STAGE_ROW;
  const gridBottom = stageTop - 10;
  const columnPitch = (gridRight - gridLeft) / S;
  const rowPitch = (gridBottom - gridTop) / L;
  const columnX = (i: number) => gridLeft + i * columnPitch;
  const rowY = (j: number) => gridTop + (L - 1 - j) * rowPitch;

  const counts = new Map<string, number>();
  for (const entry of input.cells) {
    const key = keyOf(entry.stage, entry.level);
    counts.set(key, (counts.get(key) ?? 0) + Math.max(0, entry.customers));
  }
  const mapCells = new Map<string, Cell>(map.cells.map((cell) => [keyOf(cell.stage, cell.level), cell]));
  const stairs = staircaseLevels(S, L);
  const countStyle = chooseCountStyle([...counts.values()], input.profiles, labels, countWidth(columnPitch - GAP));

  const frame: Shape[] = [{ kind: 'rect', x: 0, y: 0, width, height, fill: COLORS.paper }, ...header(input, width)];

  // Levels along the left, low at the bottom; the corner names both axes.
  const levelSize = fittingSize(
    map.levels.map((level) => level.name),
    { width: LEVEL_COLUMN - 16, size: 17, maxLines: 3 },
  );
  map.levels.forEach((level, j) => {
    const y = rowY(j) + GAP / 2;
    const h = rowPitch - GAP;
    frame.push({ kind: 'rect', x: MARGIN, y: round(y), width: LEVEL_COLUMN, height: round(h), fill: COLORS.levelFill, radius: 6 });
    frame.push(
      ...centredLines(level.name, { x: MARGIN + LEVEL_COLUMN / 2, y: y + h / 2, width: LEVEL_COLUMN - 16, size: levelSize, maxLines: 3, fill: COLORS.ink }),
    );
  });
  frame.push({
    kind: 'text',
    x: MARGIN + 4,
    y: round(stageTop + 22),
    text: `↑ ${labels.levelAxis}`,
    size: 16,
    bold: true,
    fill: COLORS.inkMuted,
    anchor: 'start',
  });
  frame.push({
    kind: 'text',
    x: MARGIN + LEVEL_COLUMN,
    y: round(stageTop + STAGE_ROW - 10),
    text: `${labels.stageAxis} →`,
    size: 16,
    bold: true,
    fill: COLORS.inkMuted,
    anchor: 'end',
  });

  // Stages along the bottom as chevrons: time runs one way.
  const stageTip = Math.min(16, (columnPitch - 4) / 6);
  const stageTextWidth = columnPitch - 4 - 2 * stageTip - 8;
  const stageSize = fittingSize(
    map.stages.map((stage) => stage.name),
    { width: stageTextWidth, size: 19, maxLines: 2, bold: true },
  );
  map.stages.forEach((stage, i) => {
    const x = columnX(i) + 2;
    const w = columnPitch - 4;
    const tip = stageTip;
    const notch = i === 0 ? 0 : tip;
    const y = stageTop;
    const d = `M${round(x)} ${round(y)}L${round(x + w - tip)} ${round(y)}L${round(x + w)} ${round(y + STAGE_ROW / 2)}L${round(x + w - tip)} ${round(y + STAGE_ROW)}L${round(x)} ${round(y + STAGE_ROW)}L${round(x + notch)} ${round(y + STAGE_ROW / 2)}Z`;
    frame.push({ kind: 'path', d, fill: COLORS.stageFill });
    frame.push(
      ...centredLines(stage.name, {
        x: x + notch / 2 + (w - tip) / 2,
        y: y + STAGE_ROW / 2,
        width: stageTextWidth,
        size: stageSize,
        maxLines: 2,
        fill: COLORS.stageText,
        bold: true,
      }),
    );
  });

  const cells: DiagramCell[] = [];
  const arrowCells = new Map<string, ArrowCell>();
  map.stages.forEach((stage, i) => {
    map.levels.forEach((level, j) => {
      const key = keyOf(stage.key, level.key);
      const cell = mapCells.get(key);
      const goal = cell?.goal === true;
      const onStaircase = stairs[i] === j || goal;
      const box = { x: round(columnX(i) + GAP / 2), y: round(rowY(j) + GAP / 2), width: round(columnPitch - GAP), height: round(rowPitch - GAP) };
      const customers = counts.get(key) ?? 0;
      const content = cellContent({ box, cell, customers, profiles: input.profiles, goal, labels, countStyle });
      const fill = goal ? COLORS.goalFill : onStaircase ? COLORS.stairFill : COLORS.cellFill;
      const stroke = goal ? COLORS.goalStroke : onStaircase ? COLORS.stairStroke : COLORS.cellStroke;
      const background: Shape = { kind: 'rect', ...box, fill, stroke, strokeWidth: goal ? 3 : onStaircase ? 2 : 1, radius: 6 };
      const goalWords = goal ? ` (${labels.goal})` : '';
      cells.push({
        stage: stage.key,
        level: level.key,
        stageIndex: i,
        levelIndex: j,
        ...box,
        customers,
        onStaircase,
        goal,
        hiddenMeasures: content.hiddenMeasures,
        ariaLabel: `${stage.name} × ${level.name}${goalWords}: ${content.countText}`,
        shapes: [background, ...content.shapes],
      });
      arrowCells.set(key, { ...box, stageIndex: i, levelIndex: j });
    });
  });

  const arrows = layoutArrows(input.flows ?? [], arrowCells, input.maxArrows ?? DEFAULT_MAX_ARROWS);
  return {
    width,
    height,
    title: map.name,
    frame,
    cells,
    staircase: [staircaseOutline(stairs, columnX, rowY, gridBottom, gridRight)],
    arrows,
    legend: layoutLegend(labels, { x: MARGIN, y: legendTop, width: width - 2 * MARGIN, height: LEGEND_HEIGHT }),
  };
}

/** The stepped line along the tops of the staircase's cells, from the bottom-left corner to the right edge. */
function staircaseOutline(stairs: number[], columnX: (i: number) => number, rowY: (j: number) => number, gridBottom: number, gridRight: number): Shape {
  const top = (i: number) => round(rowY(stairs[i]!) + GAP / 2 - 3);
  const left = round(columnX(0) + GAP / 2 - 3);
  let d = `M${left} ${round(gridBottom - GAP / 2)}L${left} ${top(0)}`;
  for (let i = 1; i < stairs.length; i++) {
    const x = round(columnX(i));
    d += `L${x} ${top(i - 1)}L${x} ${top(i)}`;
  }
  d += `L${round(gridRight - GAP / 2 + 3)} ${top(stairs.length - 1)}`;
  return { kind: 'path', d, fill: 'none', stroke: COLORS.stairStroke, strokeWidth: 4 };
}

/** The title block (the label, the map's name, the period) and the goal in its own box at the top right. */
function header(input: DiagramInput, width: number): Shape[] {
  const { map, labels, period } = input;
  const goalWidth = map.goal ? Math.round((width - 2 * MARGIN) * 0.48) : 0;
  const titleWidth = width - 2 * MARGIN - goalWidth - (goalWidth ? 24 : 0);
  const shapes: Shape[] = [
    { kind: 'text', x: MARGIN, y: MARGIN + 16, text: truncate(labels.title, titleWidth, 16), size: 16, bold: false, fill: COLORS.inkMuted, anchor: 'start' },
    { kind: 'text', x: MARGIN, y: MARGIN + 54, text: truncate(map.name, titleWidth, 30, true), size: 30, bold: true, fill: COLORS.ink, anchor: 'start' },
  ];
  if (period) {
    shapes.push({
      kind: 'text',
      x: MARGIN,
      y: MARGIN + 84,
      text: truncate(labels.period(period.from, period.to), titleWidth, 16),
      size: 16,
      bold: false,
      fill: COLORS.inkMuted,
      anchor: 'start',
    });
  }
  if (map.goal) {
    const x = width - MARGIN - goalWidth;
    shapes.push({
      kind: 'rect',
      x,
      y: MARGIN,
      width: goalWidth,
      height: HEADER_HEIGHT - 4,
      fill: COLORS.goalFill,
      stroke: COLORS.goalStroke,
      strokeWidth: 2,
      radius: 8,
    });
    shapes.push({ kind: 'text', x: x + 14, y: MARGIN + 24, text: `★ ${labels.goal}`, size: 17, bold: true, fill: COLORS.goalMark, anchor: 'start' });
    const lines = wrapText(map.goal, { maxWidth: goalWidth - 28, size: 18, maxLines: 2 }).lines;
    lines.forEach((line, k) => {
      shapes.push({ kind: 'text', x: x + 14, y: MARGIN + 52 + k * 26, text: line, size: 18, bold: false, fill: COLORS.ink, anchor: 'start' });
    });
  }
  return shapes;
}

/**
 * The type size at which every one of `texts` fits `width` in `maxLines` lines: `size`, or
 * smaller down to 70 % of it (what still does not fit is then cut with …). One size for all
 * the stage names (and one for the level names), so the headers read alike.
 */
function fittingSize(texts: string[], options: { width: number; size: number; maxLines: number; bold?: boolean }): number {
  const { width, maxLines, bold = false } = options;
  const fits = (size: number) => texts.every((text) => !wrapText(text, { maxWidth: width, size, maxLines, bold }).truncated);
  let size = options.size;
  while (size > Math.ceil(options.size * 0.7) && !fits(size)) size--;
  return size;
}

/** Text wrapped into at most `maxLines` lines, centred on (x, y). */
function centredLines(text: string, options: { x: number; y: number; width: number; size: number; maxLines: number; fill: string; bold?: boolean }): Shape[] {
  const { x, y, width, size, maxLines, fill, bold = false } = options;
  const lines = wrapText(text, { maxWidth: width, size, maxLines, bold }).lines;
  const lineHeight = size * 1.25;
  const first = y - ((lines.length - 1) * lineHeight) / 2 + size * 0.36;
  return lines.map(
    (line, k) => ({ kind: 'text', x: round(x), y: round(first + k * lineHeight), text: line, size, bold, fill, anchor: 'middle' }) satisfies Shape,
  );
}

import type { Flow, JourneyMap, MeasureChannel, MeasureStatus } from '../model.ts';

/**
 * The one-page CRM strategy diagram: what the layout reads and what it draws. Pure types,
 * shared by the server (SVG, PNG and PDF exports) and the console (web/, through its tsconfig).
 */

/** Every word the drawing shows that is not the map's own (Japanese or English; see labels.ts). */
export interface DiagramLabels {
  /** Above the map's name, e.g. CRM戦略ダイアグラム. */
  title: string;
  /** The horizontal axis, e.g. ステージ. */
  stageAxis: string;
  /** The vertical axis, e.g. 好意度. */
  levelAxis: string;
  goal: string;
  /** A number of customers, already formatted: "1,234" → 1,234人. */
  customers(count: string): string;
  /** A large number shortened for a narrow cell: 123456 → 12.3万 / 123.5k. */
  compactNumber(value: number): string;
  /** The period the counts and flows are from. */
  period(from: string, to: string): string;
  statuses: Record<MeasureStatus, string>;
  channels: Record<MeasureChannel, string>;
  /** A cell whose customers are deliberately not contacted, e.g. 接触しない. */
  noContact: string;
  /** The note for measures a full cell cannot show, e.g. ほか2件. */
  hiddenMeasures(count: number): string;
  flows: { advance: string; rise: string; step_down: string };
  /** The legend's name for the emphasised staircase path, e.g. 目指す階段. */
  staircase: string;
  /** The console's edit button of a cell (workshop mode), e.g. 「初回購入 × 関心」を編集. */
  editCell(cell: string): string;
}

export interface DiagramInput {
  map: JourneyMap;
  /** Customers per cell (cells absent here hold no one). */
  cells: Array<{ stage: string; level: string; customers: number }>;
  /** Every customer and lead placed: the denominator of the shares. */
  profiles: number;
  flows?: Flow[];
  period?: { from: string; to: string };
  labels: DiagramLabels;
  /** How many flows are drawn, the largest first (default 12). */
  maxArrows?: number;
}

export interface Point {
  x: number;
  y: number;
}

/** The drawing primitives; svg.ts and the console's React component draw exactly these. */
export type Shape =
  | {
      kind: 'rect';
      x: number;
      y: number;
      width: number;
      height: number;
      fill: string;
      stroke?: string;
      strokeWidth?: number;
      radius?: number;
      dash?: string;
    }
  | { kind: 'text'; x: number; y: number; text: string; size: number; bold: boolean; fill: string; anchor: 'start' | 'middle' | 'end' }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: string; stroke?: string; strokeWidth?: number }
  | { kind: 'path'; d: string; fill: string; stroke?: string; strokeWidth?: number; dash?: string; opacity?: number };

export type ShapeKind = Shape['kind'];

/** One stage × level cell, positioned, with what it shows. */
export interface DiagramCell {
  stage: string;
  level: string;
  stageIndex: number;
  /** 0 = the lowest level (drawn at the bottom). */
  levelIndex: number;
  x: number;
  y: number;
  width: number;
  height: number;
  customers: number;
  /** On the staircase from the bottom-left to the goal (emphasised). */
  onStaircase: boolean;
  goal: boolean;
  /** Measures the cell could not show. */
  hiddenMeasures: number;
  /** What a screen reader says for the cell: stage, level, count and share. */
  ariaLabel: string;
  shapes: Shape[];
}

export type ArrowKind = 'advance' | 'rise' | 'step_down';

export interface DiagramArrow {
  from: { stage: string; level: string };
  to: { stage: string; level: string };
  kind: ArrowKind;
  customers: number;
  /** Drawn beside the arrow of the opposite direction between the same two cells. */
  offset: boolean;
  start: Point;
  end: Point;
  /** Where the count is written. */
  label: Point;
  shapes: Shape[];
}

export interface DiagramLayout {
  width: number;
  height: number;
  /** The document's title: the map's name (the SVG's <title>, the PDF's Title). */
  title: string;
  /** Drawn first: the header, the axes, the stage and level headers. */
  frame: Shape[];
  cells: DiagramCell[];
  /** The stepped outline of the staircase, drawn over the cells. */
  staircase: Shape[];
  arrows: DiagramArrow[];
  /** Drawn last. */
  legend: Shape[];
}

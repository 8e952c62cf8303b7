import type { Flow } from '../model.ts';
import { ARROW_COLORS, ARROW_DASH, COLORS } from './theme.ts';
import { formatCount, textWidth } from './text.ts';
import type { ArrowKind, DiagramArrow, Point, Shape } from './types.ts';

export const DEFAULT_MAX_ARROWS = 12;
/** How far apart the two arrows between the same two cells run (each this far from the centre line). */
export const PAIR_OFFSET = 12;
const LABEL_SIZE = 15;
/** An arrow starts and ends this far inside a cell (at most three quarters of the way back to its centre). */
const INSET = 56;

export interface ArrowCell {
  x: number;
  y: number;
  width: number;
  height: number;
  stageIndex: number;
  levelIndex: number;
}

const round = (value: number) => Math.round(value * 10) / 10;
const keyOf = (cell: { stage: string; level: string }) => `${cell.stage}\u0000${cell.level}`;

interface Kept {
  from: { stage: string; level: string };
  to: { stage: string; level: string };
  kind: ArrowKind;
  customers: number;
}

/**
 * The flows worth drawing: moves between two cells of the map (entries into the map and flows
 * naming a cell the map does not have are left out), one per ordered pair (counts of the same
 * pair are added), the `max` largest, ties in the map's order so the drawing is stable.
 */
export function largestFlows(flows: Flow[], cells: Map<string, ArrowCell>, max: number): Kept[] {
  const byPair = new Map<string, Kept>();
  for (const flow of flows) {
    if (flow.kind === 'enter' || flow.from === null || flow.customers <= 0) continue;
    const from = { stage: flow.from.stage, level: flow.from.level };
    const to = { stage: flow.to.stage, level: flow.to.level };
    if (!cells.has(keyOf(from)) || !cells.has(keyOf(to)) || keyOf(from) === keyOf(to)) continue;
    const pair = `${keyOf(from)}>${keyOf(to)}`;
    const known = byPair.get(pair);
    if (known) known.customers += flow.customers;
    else byPair.set(pair, { from, to, kind: flow.kind, customers: flow.customers });
  }
  const order = (kept: Kept) => {
    const a = cells.get(keyOf(kept.from))!;
    const b = cells.get(keyOf(kept.to))!;
    return [a.stageIndex, a.levelIndex, b.stageIndex, b.levelIndex];
  };
  return [...byPair.values()]
    .sort((a, b) => {
      if (b.customers !== a.customers) return b.customers - a.customers;
      const [oa, ob] = [order(a), order(b)];
      for (let i = 0; i < 4; i++) if (oa[i] !== ob[i]) return oa[i]! - ob[i]!;
      return 0;
    })
    .slice(0, Math.max(0, max));
}

/** Where an arrow aims in a cell: its centre, or right of it for a rise or step-down (clear of the count, top left). */
function anchor(cell: ArrowCell, sameStage: boolean): Point {
  return { x: cell.x + cell.width * (sameStage ? 0.72 : 0.5), y: cell.y + cell.height / 2 };
}

/** The distance from a cell's centre to its edge along the unit direction `u`. */
function reach(cell: ArrowCell, u: Point): number {
  const alongX = u.x === 0 ? Number.POSITIVE_INFINITY : cell.width / 2 / Math.abs(u.x);
  const alongY = u.y === 0 ? Number.POSITIVE_INFINITY : cell.height / 2 / Math.abs(u.y);
  return Math.min(alongX, alongY);
}

/**
 * Positions the arrows: from inside the source cell to inside the target cell (so the arrow
 * crosses the border between them and stays visible across the gap; rises and step-downs
 * run right of the centre, clear of the count), straight between neighbours and bowed to its
 * right further away. When both directions between two cells are drawn, each runs PAIR_OFFSET to its own right, so they never overlap, and each count sits on
 * its own side. Width grows with the count; step-downs are red and dashed.
 */
export function layoutArrows(flows: Flow[], cells: Map<string, ArrowCell>, max: number = DEFAULT_MAX_ARROWS): DiagramArrow[] {
  const kept = largestFlows(flows, cells, max);
  const pairs = new Set(kept.map((flow) => `${keyOf(flow.from)}>${keyOf(flow.to)}`));
  const largest = Math.max(1, ...kept.map((flow) => flow.customers));
  return kept.map((flow) => {
    const a = cells.get(keyOf(flow.from))!;
    const b = cells.get(keyOf(flow.to))!;
    const offset = pairs.has(`${keyOf(flow.to)}>${keyOf(flow.from)}`);
    const sameStage = a.stageIndex === b.stageIndex;
    const [ca, cb] = [anchor(a, sameStage), anchor(b, sameStage)];
    const length = Math.hypot(cb.x - ca.x, cb.y - ca.y);
    const u = { x: (cb.x - ca.x) / length, y: (cb.y - ca.y) / length };
    /** The arrow's right-hand side on screen (y grows downwards). */
    const n = { x: -u.y, y: u.x };
    const shift = offset ? PAIR_OFFSET : 0;
    const fromCentreA = Math.max(reach(a, u) * 0.25, reach(a, u) - INSET);
    const fromCentreB = Math.max(reach(b, u) * 0.25, reach(b, u) - INSET);
    const start = { x: ca.x + n.x * shift + u.x * fromCentreA, y: ca.y + n.y * shift + u.y * fromCentreA };
    const end = { x: cb.x + n.x * shift - u.x * fromCentreB, y: cb.y + n.y * shift - u.y * fromCentreB };
    const neighbours = Math.abs(a.stageIndex - b.stageIndex) <= 1 && Math.abs(a.levelIndex - b.levelIndex) <= 1;
    const bow = neighbours ? 0 : Math.hypot(end.x - start.x, end.y - start.y) * 0.12;
    const control = { x: (start.x + end.x) / 2 + n.x * bow, y: (start.y + end.y) / 2 + n.y * bow };

    const color = ARROW_COLORS[flow.kind];
    const strokeWidth = round(2.5 + (5.5 * flow.customers) / largest);
    const headLength = 10 + strokeWidth * 1.6;
    const dirLength = Math.hypot(end.x - control.x, end.y - control.y) || 1;
    const dir = { x: (end.x - control.x) / dirLength, y: (end.y - control.y) / dirLength };
    const base = { x: end.x - dir.x * headLength, y: end.y - dir.y * headLength };
    const shaftEnd = { x: end.x - dir.x * headLength * 0.9, y: end.y - dir.y * headLength * 0.9 };
    const half = headLength * 0.45;
    const shaft = neighbours
      ? `M${round(start.x)} ${round(start.y)}L${round(shaftEnd.x)} ${round(shaftEnd.y)}`
      : `M${round(start.x)} ${round(start.y)}Q${round(control.x)} ${round(control.y)} ${round(shaftEnd.x)} ${round(shaftEnd.y)}`;
    const head = `M${round(end.x)} ${round(end.y)}L${round(base.x - dir.y * half)} ${round(base.y + dir.x * half)}L${round(base.x + dir.y * half)} ${round(base.y - dir.x * half)}Z`;

    const text = formatCount(flow.customers);
    const labelWidth = textWidth(text, LABEL_SIZE, true) + 10;
    const labelHeight = LABEL_SIZE + 8;
    const mid = { x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x, y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y };
    const labelShift = offset ? labelHeight / 2 - 2 : 0;
    const label = { x: round(mid.x + n.x * labelShift), y: round(mid.y + n.y * labelShift) };
    const shapes: Shape[] = [
      { kind: 'path', d: shaft, fill: 'none', stroke: color, strokeWidth, dash: ARROW_DASH[flow.kind], opacity: 0.9 },
      { kind: 'path', d: head, fill: color, opacity: 0.9 },
      {
        kind: 'rect',
        x: round(label.x - labelWidth / 2),
        y: round(label.y - labelHeight / 2),
        width: round(labelWidth),
        height: labelHeight,
        fill: COLORS.paper,
        stroke: color,
        strokeWidth: 1.5,
        radius: 4,
      },
      { kind: 'text', x: label.x, y: round(label.y + LABEL_SIZE * 0.36), text, size: LABEL_SIZE, bold: true, fill: color, anchor: 'middle' },
    ];
    return {
      from: flow.from,
      to: flow.to,
      kind: flow.kind,
      customers: flow.customers,
      offset,
      start: { x: round(start.x), y: round(start.y) },
      end: { x: round(end.x), y: round(end.y) },
      label,
      shapes,
    };
  });
}

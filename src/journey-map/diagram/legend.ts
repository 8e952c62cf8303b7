import type { MeasureStatus } from '../model.ts';
import { ARROW_COLORS, ARROW_DASH, COLORS, STATUS_DOT } from './theme.ts';
import { textWidth } from './text.ts';
import type { ArrowKind, DiagramLabels, Shape } from './types.ts';

const SIZE = 15;
const ARROW_KINDS: ArrowKind[] = ['advance', 'rise', 'step_down'];
const STATUSES: MeasureStatus[] = ['in_use', 'planned', 'not_introduced'];

/**
 * The legend along the bottom, left to right: the three kinds of flow (step-downs red and
 * dashed), the staircase, the goal, the measures' statuses and the no-contact decision.
 */
export function layoutLegend(labels: DiagramLabels, area: { x: number; y: number; width: number; height: number }): Shape[] {
  const shapes: Shape[] = [];
  const middle = area.y + area.height / 2;
  const baseline = middle + SIZE * 0.36;
  let x = area.x;
  const label = (text: string) => {
    shapes.push({ kind: 'text', x, y: baseline, text, size: SIZE, bold: false, fill: COLORS.ink, anchor: 'start' });
    x += textWidth(text, SIZE) + 22;
  };

  for (const kind of ARROW_KINDS) {
    const color = ARROW_COLORS[kind];
    shapes.push({ kind: 'path', d: `M${x} ${middle}L${x + 30} ${middle}`, fill: 'none', stroke: color, strokeWidth: 4, dash: ARROW_DASH[kind] });
    shapes.push({ kind: 'path', d: `M${x + 42} ${middle}L${x + 30} ${middle - 6}L${x + 30} ${middle + 6}Z`, fill: color });
    x += 48;
    label(labels.flows[kind]);
  }
  shapes.push({ kind: 'rect', x, y: middle - 9, width: 28, height: 18, fill: COLORS.stairFill, stroke: COLORS.stairStroke, strokeWidth: 2, radius: 3 });
  x += 36;
  label(labels.staircase);
  shapes.push({ kind: 'rect', x, y: middle - 9, width: 28, height: 18, fill: COLORS.goalFill, stroke: COLORS.goalStroke, strokeWidth: 2, radius: 3 });
  shapes.push({ kind: 'text', x: x + 14, y: middle + 6, text: '★', size: 16, bold: false, fill: COLORS.goalMark, anchor: 'middle' });
  x += 36;
  label(labels.goal);
  for (const status of STATUSES) {
    const dot = STATUS_DOT[status];
    shapes.push({ kind: 'circle', cx: x + 6, cy: middle, r: 6, fill: dot.fill, stroke: dot.stroke, strokeWidth: 1.5 });
    x += 18;
    label(labels.statuses[status]);
  }
  shapes.push({ kind: 'text', x, y: baseline, text: labels.noContact, size: SIZE, bold: true, fill: COLORS.noContact, anchor: 'start' });
  return shapes;
}

import type { Cell } from '../model.ts';
import { COLORS, STATUS_DOT } from './theme.ts';
import { formatCount, formatShare, textWidth, truncate, wrapText } from './text.ts';
import type { DiagramLabels, Shape } from './types.ts';

/** Cell counts are at least this large at the diagram's 1600 px width (readable on a projector). */
export const COUNT_SIZE = 22;
export const MIN_COUNT_SIZE = 20;
const GOAL_MARK = '★';

export interface CellBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CellContentInput {
  box: CellBox;
  cell: Cell | undefined;
  customers: number;
  profiles: number;
  goal: boolean;
  labels: DiagramLabels;
  countStyle: CountStyle;
}

export interface CellContent {
  shapes: Shape[];
  countText: string;
  hiddenMeasures: number;
}

/** "1,234人 (12.3%)": the count and, when anyone is placed, the share. */
export function countText(customers: number, profiles: number, labels: DiagramLabels): { count: string; share: string | undefined } {
  return { count: labels.customers(formatCount(customers)), share: profiles > 0 ? `(${formatShare(customers, profiles)})` : undefined };
}

/**
 * How counts are written: on one line with the share (1,234人 (12.3%)), the share on a second
 * line (split), the number shortened (12.3万人), or shortened without the unit (bare: 196.5k,
 * for a long unit such as "customers" in a narrow cell).
 */
export type CountForm = 'line' | 'split' | 'compact' | 'bare';
export interface CountStyle {
  form: CountForm;
  size: number;
}

export function countLines(customers: number, profiles: number, labels: DiagramLabels, form: CountForm): string[] {
  const { count, share } = countText(customers, profiles, labels);
  const rest = share ? [share] : [];
  switch (form) {
    case 'line':
      return [share ? `${count} ${share}` : count];
    case 'split':
      return [count, ...rest];
    case 'compact':
      return [labels.customers(labels.compactNumber(customers)), ...rest];
    case 'bare':
      return [labels.compactNumber(customers), ...rest];
  }
}

/**
 * One way of writing counts for the whole diagram, so every cell reads alike: the first form
 * (in the order above) in which every cell's count fits `width` at COUNT_SIZE, else at
 * MIN_COUNT_SIZE; only when even the bare form does not fit is the type made smaller.
 */
export function chooseCountStyle(counts: number[], profiles: number, labels: DiagramLabels, width: number): CountStyle {
  const values = [...new Set([0, ...counts])];
  const fits = (form: CountForm, size: number) =>
    values.every((customers) => countLines(customers, profiles, labels, form).every((line) => textWidth(line, size, true) <= width));
  if (fits('line', COUNT_SIZE)) return { form: 'line', size: COUNT_SIZE };
  for (const size of [COUNT_SIZE, MIN_COUNT_SIZE]) {
    for (const form of ['split', 'compact', 'bare'] as const) if (fits(form, size)) return { form, size };
  }
  const widest = Math.max(
    ...values.flatMap((customers) => countLines(customers, profiles, labels, 'bare').map((line) => textWidth(line, MIN_COUNT_SIZE, true))),
  );
  return { form: 'bare', size: Math.max(10, Math.floor((MIN_COUNT_SIZE * width) / widest)) };
}

/** The width a cell's count may take: the cell less its padding. */
export function countWidth(cellWidth: number): number {
  return cellWidth - 2 * cellPadding(cellWidth);
}

function cellPadding(cellWidth: number): number {
  return Math.max(6, Math.min(12, cellWidth * 0.05));
}

/** The body's type size for a cell: as large as the cell allows, 11–16 px. */
function bodySizeFor(box: CellBox): number {
  return Math.max(11, Math.min(16, Math.round(Math.min(box.width / 14, box.height / 9))));
}

type Row = { kind: 'measure'; text: string; dot: { fill: string; stroke: string } } | { kind: 'note'; text: string; fill: string; bold: boolean };

/**
 * What a cell shows, top to bottom: the count and share (bold, ≥ 20 px) with ★ on a goal cell,
 * the feelings (wrapped, at most ~40 % of the lines when there are measures), a no-contact
 * decision with its reason, and one line per measure ("● メール: ステップメール", the dot's
 * colour is the status). What does not fit is cut with …, and hidden measures are counted
 * in a last line (ほか2件).
 */
export function cellContent(input: CellContentInput): CellContent {
  const { box, cell, customers, profiles, goal, labels, countStyle } = input;
  const pad = cellPadding(box.width);
  const left = box.x + pad;
  const innerWidth = box.width - 2 * pad;
  const bottom = box.y + box.height - pad;
  const shapes: Shape[] = [];

  const lines = countLines(customers, profiles, labels, countStyle.form);
  const countSize = countStyle.size;
  if (goal) {
    // ★ beside the count when there is room, else in the bottom-right corner.
    const beside = textWidth(lines[0]!, countSize, true) + COUNT_SIZE + 4 <= innerWidth;
    shapes.push({
      kind: 'text',
      x: box.x + box.width - pad,
      y: beside ? box.y + pad + COUNT_SIZE * 0.9 : bottom - COUNT_SIZE * 0.1,
      text: GOAL_MARK,
      size: COUNT_SIZE,
      bold: false,
      fill: COLORS.goalMark,
      anchor: 'end',
    });
  }
  let y = box.y + pad;
  for (const line of lines) {
    y += countSize;
    shapes.push({
      kind: 'text',
      x: left,
      y,
      text: truncate(line, innerWidth, countSize, true),
      size: countSize,
      bold: true,
      fill: COLORS.ink,
      anchor: 'start',
    });
    y += countSize * 0.2;
  }

  const size = bodySizeFor(box);
  const lineHeight = Math.round(size * 1.3);
  const firstBaseline = y + size * 0.4 + size;
  const available = Math.max(0, Math.floor((bottom - size * 0.2 - firstBaseline) / lineHeight) + 1);

  const measures = cell?.measures ?? [];
  const rows: Row[] = [];
  if (cell?.noContact) {
    const reason = wrapText(`${labels.noContact}: ${cell.noContact.reason}`, { maxWidth: innerWidth, size, maxLines: 2 });
    for (const line of reason.lines) rows.push({ kind: 'note', text: line, fill: COLORS.noContact, bold: true });
  }
  const noteRows = rows.length;
  for (const measure of measures) {
    const via = measure.channel ? labels.channels[measure.channel] : (measure.solution ?? '');
    rows.push({ kind: 'measure', text: `${via}: ${measure.name}`, dot: STATUS_DOT[measure.status] });
  }

  const feelings = cell?.feelings?.trim() ?? '';
  const feelingsWanted = feelings ? wrapText(feelings, { maxWidth: innerWidth, size, maxLines: available }).lines.length : 0;
  let feelingsLines = Math.min(feelingsWanted, available);
  if (rows.length > 0 && feelingsWanted > 0) {
    const floor = available >= 3 ? Math.max(1, Math.floor(available * 0.4)) : 0;
    feelingsLines = Math.min(feelingsWanted, Math.max(floor, available - rows.length));
  }
  const rowSlots = available - feelingsLines;
  let shown = rows;
  let hiddenMeasures = 0;
  if (rows.length > rowSlots) {
    const measureCount = rows.length - noteRows;
    if (measureCount === 0) {
      shown = rows.slice(0, rowSlots);
    } else {
      const keep = Math.max(0, rowSlots - 1);
      shown = rows.slice(0, keep);
      hiddenMeasures = measureCount - Math.max(0, keep - noteRows);
      if (rowSlots > 0) shown.push({ kind: 'note', text: labels.hiddenMeasures(hiddenMeasures), fill: COLORS.inkMuted, bold: false });
    }
  }

  let baseline = firstBaseline;
  if (feelingsLines > 0) {
    for (const line of wrapText(feelings, { maxWidth: innerWidth, size, maxLines: feelingsLines }).lines) {
      shapes.push({ kind: 'text', x: left, y: baseline, text: line, size, bold: false, fill: COLORS.inkMuted, anchor: 'start' });
      baseline += lineHeight;
    }
  }
  const dotRadius = size * 0.3;
  for (const row of shown) {
    if (row.kind === 'measure') {
      shapes.push({
        kind: 'circle',
        cx: left + dotRadius + 1,
        cy: baseline - size * 0.35,
        r: dotRadius,
        fill: row.dot.fill,
        stroke: row.dot.stroke,
        strokeWidth: 1.5,
      });
      const textLeft = left + size * 0.9;
      shapes.push({
        kind: 'text',
        x: textLeft,
        y: baseline,
        text: truncate(row.text, innerWidth - (textLeft - left), size),
        size,
        bold: false,
        fill: COLORS.ink,
        anchor: 'start',
      });
    } else {
      shapes.push({
        kind: 'text',
        x: left,
        y: baseline,
        text: truncate(row.text, innerWidth, size, row.bold),
        size,
        bold: row.bold,
        fill: row.fill,
        anchor: 'start',
      });
    }
    baseline += lineHeight;
  }
  return { shapes, countText: countLines(customers, profiles, labels, 'line')[0]!, hiddenMeasures };
}

import type { MeasureStatus } from '../model.ts';
import type { ArrowKind } from './types.ts';

/** The diagram's colours: the console's palette (web/src/styles.css), so the export looks like the console. */
export const COLORS = {
  paper: '#ffffff',
  ink: '#1f2328',
  inkMuted: '#5b636e',
  inkFaint: '#8a929c',
  line: '#e3e1dc',
  lineStrong: '#cfccc4',
  /** Cells off the staircase: present (any cell can hold customers) but light. */
  cellFill: '#fbfbfa',
  cellStroke: '#d9d6cf',
  /** The staircase: filled and outlined. */
  stairFill: '#e6edf7',
  stairStroke: '#2f4f7f',
  goalFill: '#fbf0d9',
  goalStroke: '#b07800',
  goalMark: '#b07800',
  stageFill: '#2f4f7f',
  stageText: '#ffffff',
  levelFill: '#eef1f5',
  noContact: '#6b5b95',
  selected: '#b4463c',
  focus: '#1a73e8',
} as const;

export const ARROW_COLORS: Record<ArrowKind, string> = {
  advance: '#2f4f7f',
  rise: '#1f7a4d',
  step_down: '#b42318',
};

/** Step-downs are dashed as well as red, so they read apart in a black-and-white print. */
export const ARROW_DASH: Record<ArrowKind, string | undefined> = {
  advance: undefined,
  rise: undefined,
  step_down: '10 6',
};

/** A measure's status as a dot: in use = filled green, planned = filled amber, not introduced = hollow grey. */
export const STATUS_DOT: Record<MeasureStatus, { fill: string; stroke: string }> = {
  in_use: { fill: '#1f7a4d', stroke: '#1f7a4d' },
  planned: { fill: '#e0a100', stroke: '#b07800' },
  not_introduced: { fill: '#ffffff', stroke: '#8a929c' },
};

export const FONT_FAMILY = 'Noto Sans JP';

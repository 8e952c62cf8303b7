import type { Severity } from '../types.ts';

/** A finding in visible-text offsets, before it is mapped back to the part's source. */
export interface VisibleFinding {
  rule: string;
  severity: Severity;
  start: number;
  end: number;
  message: { ja: string; en: string };
  fix?: string;
  suggestion?: string;
  explanation?: { ja: string; en: string };
}

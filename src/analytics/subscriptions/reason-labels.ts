import type pg from 'pg';
import { z } from 'zod';
import { listCancelReasons } from '../../subscriptions/cancel-reasons.ts';

/**
 * The words of a cancellation reason code (解約理由), from the one list the intake uses
 * (src/subscriptions/cancel-reasons.ts: the built-in codes, then the workspace's own). A code neither knows is shown as written; a cancellation without a reason has the code
 * null. Labels are read when an analysis is answered, not kept in the engine's snapshot, so a
 * renamed reason shows at once.
 */
export const NO_REASON_LABEL = { ja: '理由なし', en: 'No reason given' } as const;

export interface ReasonLabel {
  ja: string;
  en: string;
}

/** A reason's code and words, as the cancellation analyses give it. */
export const CancelReasonLabel = {
  code: z.string().nullable().describe("The reason code (built-in or the workspace's own); null: no reason given"),
  labelJa: z.string(),
  labelEn: z.string(),
};

/** Code → words: the one list of src/subscriptions/cancel-reasons.ts (the built-in codes, then the workspace's own). */
export async function cancelReasonLabels(pool: pg.Pool, workspaceId: string): Promise<Map<string, ReasonLabel>> {
  const labels = new Map<string, ReasonLabel>();
  for (const reason of await listCancelReasons(pool, workspaceId)) labels.set(reason.code, { ja: reason.labelJa, en: reason.labelEn });
  return labels;
}

/** The words of `code` (null: no reason given; unknown: the code itself). */
export function labelOf(labels: Map<string, ReasonLabel>, code: string | null): { labelJa: string; labelEn: string } {
  if (code === null) return { labelJa: NO_REASON_LABEL.ja, labelEn: NO_REASON_LABEL.en };
  const label = labels.get(code);
  return { labelJa: label?.ja ?? code, labelEn: label?.en ?? code };
}

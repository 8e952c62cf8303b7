import type pg from 'pg';
import { z } from 'zod';

/**
 * The words of a cancellation reason code (解約理由): the built-in list every brand shares, then
 * the workspace's own codes (subscription_cancel_reasons), which may also reword a built-in
 * one. A code neither knows is shown as written; a cancellation without a reason has the code
 * null. Labels are read when an analysis is answered, not kept in the engine's snapshot, so a
 * renamed reason shows at once.
 */
export const BUILT_IN_CANCEL_REASONS = [
  { code: 'forgot_or_surplus', ja: '飲み忘れ・余っている', en: 'Forgot to take it / has some left' },
  { code: 'no_effect', ja: '効果を感じない', en: 'Felt no effect' },
  { code: 'price', ja: '価格', en: 'Price' },
  { code: 'taste', ja: '味・飲みにくさ', en: 'Taste / hard to take' },
  { code: 'moving', ja: '引っ越し', en: 'Moving house' },
  { code: 'health', ja: '体調・医師の指示', en: "Health / doctor's advice" },
  { code: 'switched', ja: '他の商品に変更', en: 'Switched to another product' },
  { code: 'achieved', ja: '目的を達成', en: 'Reached the goal' },
  { code: 'other', ja: 'その他', en: 'Other' },
] as const;

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

/** Code → words: the built-in list overlaid with the workspace's own rows. */
export async function cancelReasonLabels(pool: pg.Pool, workspaceId: string): Promise<Map<string, ReasonLabel>> {
  const labels = new Map<string, ReasonLabel>(BUILT_IN_CANCEL_REASONS.map((reason) => [reason.code, { ja: reason.ja, en: reason.en }]));
  const { rows } = await pool.query<{ code: string; label_ja: string; label_en: string }>(
    'select code, label_ja, label_en from subscription_cancel_reasons where workspace_id = $1 order by position, code',
    [workspaceId],
  );
  for (const row of rows) labels.set(row.code, { ja: row.label_ja, en: row.label_en });
  return labels;
}

/** The words of `code` (null: no reason given; unknown: the code itself). */
export function labelOf(labels: Map<string, ReasonLabel>, code: string | null): { labelJa: string; labelEn: string } {
  if (code === null) return { labelJa: NO_REASON_LABEL.ja, labelEn: NO_REASON_LABEL.en };
  const label = labels.get(code);
  return { labelJa: label?.ja ?? code, labelEn: label?.en ?? code };
}

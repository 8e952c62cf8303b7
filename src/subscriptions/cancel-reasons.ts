import type pg from 'pg';
import { z } from 'zod';
import { KizunaError } from '../shared/errors.ts';

/**
 * Why subscriptions are cancelled (解約理由): a built-in list every workspace shares, plus the
 * workspace's own codes (subscription_cancel_reasons). A subscription stores the code; the
 * words a back office or an operator wrote are matched to a code and kept as the note, so a
 * reason written in words is never lost and the analyses can still rank reasons by code.
 */
export interface CancelReason {
  code: string;
  labelJa: string;
  labelEn: string;
  builtIn: boolean;
}

/** The built-in reasons, in display order; `other` last. */
export const BUILT_IN_CANCEL_REASONS: readonly CancelReason[] = [
  { code: 'forgot_or_surplus', labelJa: '飲み忘れ・余っている', labelEn: 'Forgot to take it / has some left', builtIn: true },
  { code: 'no_effect', labelJa: '効果を感じない', labelEn: 'No effect felt', builtIn: true },
  { code: 'price', labelJa: '価格', labelEn: 'Price', builtIn: true },
  { code: 'taste', labelJa: '味・飲みにくさ', labelEn: 'Taste / hard to take', builtIn: true },
  { code: 'moving', labelJa: '引っ越し', labelEn: 'Moving house', builtIn: true },
  { code: 'health', labelJa: '体調・医師の指示', labelEn: "Health / doctor's advice", builtIn: true },
  { code: 'switched', labelJa: '他の商品に変更', labelEn: 'Switched to another product', builtIn: true },
  { code: 'achieved', labelJa: '目的を達成', labelEn: 'Goal achieved', builtIn: true },
  { code: 'other', labelJa: 'その他', labelEn: 'Other', builtIn: true },
];

export const OTHER_REASON = 'other';

/**
 * Words that name a built-in reason inside free text, tried in this order: the first whose
 * keyword the text contains gives the code (「飲み忘れて余っている」→ forgot_or_surplus,
 * 「値段が高い」→ price).
 */
const KEYWORDS: readonly { code: string; words: readonly string[] }[] = [
  { code: 'forgot_or_surplus', words: ['余っ', '余り', '飲み忘れ', '使い忘れ', '在庫'] },
  { code: 'no_effect', words: ['効果', '実感'] },
  { code: 'price', words: ['高い', '価格', '値段', '料金', '金額'] },
  { code: 'taste', words: ['味', '飲みにく', '匂い', 'におい'] },
  { code: 'moving', words: ['引っ越', '引越', '転居'] },
  { code: 'health', words: ['体調', '医師', '病院', '妊娠'] },
  { code: 'switched', words: ['他の商品', '他社', '別の商品'] },
  { code: 'achieved', words: ['改善', '達成'] },
];

/** A workspace code: lower-case letters, digits and underscores, starting with a letter (as the table's check). */
export const CancelReasonCode = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'a reason code is 1–40 lower-case letters, digits or underscores, starting with a letter (e.g. delivery_delay)');

export const CancelReasonLabels = z.object({
  labelJa: z.string().trim().min(1).max(100).describe('The reason in Japanese (解約理由の表示名)'),
  labelEn: z.string().trim().min(1).max(100).describe('The reason in English'),
});

/** The reasons a workspace can use: the built-in list, then its own codes in their order. */
export async function listCancelReasons(client: pg.ClientBase | pg.Pool, workspaceId: string): Promise<CancelReason[]> {
  const { rows } = await client.query<{ code: string; label_ja: string; label_en: string }>(
    'select code, label_ja, label_en from subscription_cancel_reasons where workspace_id = $1 order by position, code',
    [workspaceId],
  );
  return [...BUILT_IN_CANCEL_REASONS, ...rows.map((row) => ({ code: row.code, labelJa: row.label_ja, labelEn: row.label_en, builtIn: false }))];
}

/**
 * Adds a code of the workspace's own. A code that exists already (built-in or the
 * workspace's) is refused: changing a label is `relabelCancelReason`.
 */
export async function addCancelReason(pool: pg.Pool, params: { workspaceId: string; code: string; labelJa: string; labelEn: string }): Promise<CancelReason> {
  const { workspaceId, code, labelJa, labelEn } = params;
  const checked = CancelReasonCode.safeParse(code);
  if (!checked.success) throw new KizunaError('validation_failed', `"${code}" is not a reason code: ${checked.error.issues[0]!.message}.`);
  if (BUILT_IN_CANCEL_REASONS.some((reason) => reason.code === code)) {
    throw new KizunaError('validation_failed', `"${code}" is a built-in reason code; choose another code for the workspace's own reason.`);
  }
  const { rowCount } = await pool.query(
    `insert into subscription_cancel_reasons (workspace_id, code, label_ja, label_en, position)
     select $1, $2, $3, $4, coalesce(max(position), 999) + 1 from subscription_cancel_reasons where workspace_id = $1
     on conflict (workspace_id, code) do nothing`,
    [workspaceId, code, labelJa, labelEn],
  );
  if (rowCount === 0) throw new KizunaError('validation_failed', `The workspace already has a reason with the code "${code}"; change its labels instead.`);
  return { code, labelJa, labelEn, builtIn: false };
}

/** Changes the labels of one of the workspace's own codes; the built-in ones are the same for every workspace. */
export async function relabelCancelReason(
  pool: pg.Pool,
  params: { workspaceId: string; code: string; labelJa: string; labelEn: string },
): Promise<CancelReason> {
  const { workspaceId, code, labelJa, labelEn } = params;
  if (BUILT_IN_CANCEL_REASONS.some((reason) => reason.code === code)) {
    throw new KizunaError('validation_failed', `"${code}" is a built-in reason; its labels are the same in every workspace and cannot be changed.`);
  }
  const { rowCount } = await pool.query('update subscription_cancel_reasons set label_ja = $3, label_en = $4 where workspace_id = $1 and code = $2', [
    workspaceId,
    code,
    labelJa,
    labelEn,
  ]);
  if (rowCount === 0) throw new KizunaError('not_found', `The workspace has no cancel reason with the code "${code}".`);
  return { code, labelJa, labelEn, builtIn: false };
}

/** What a written reason means: its code, and the words to keep as the note when they said more than the code. */
export interface ResolvedCancelReason {
  code: string;
  /** The words as written, when they were not just a code or a label. */
  words: string | null;
}

const comparable = (text: string) => text.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * The code of a reason as written: a code of the list, or one of its labels (Japanese or
 * English), exactly; else the first built-in reason whose keyword the words contain, keeping
 * the words; else `other`, keeping the words.
 *
 *   resolveCancelReason('price', reasons)              // { code: 'price', words: null }
 *   resolveCancelReason('効果を感じない', reasons)       // { code: 'no_effect', words: null }
 *   resolveCancelReason('飲み忘れて余っている', reasons) // { code: 'forgot_or_surplus', words: '飲み忘れて余っている' }
 *   resolveCancelReason('家族の反対', reasons)          // { code: 'other', words: '家族の反対' }
 */
export function resolveCancelReason(written: string, reasons: readonly CancelReason[]): ResolvedCancelReason {
  const key = comparable(written);
  const exact = reasons.find((r) => r.code === key || comparable(r.labelJa) === key || comparable(r.labelEn) === key);
  if (exact) return { code: exact.code, words: null };
  const normalized = written.normalize('NFKC');
  const matched = KEYWORDS.find(({ words }) => words.some((word) => normalized.includes(word)));
  return { code: matched?.code ?? OTHER_REASON, words: written.trim() };
}

/** The reason's labels, or the code itself for a code no longer in the list. */
export function cancelReasonLabels(code: string, reasons: readonly CancelReason[]): { labelJa: string; labelEn: string } {
  const reason = reasons.find((r) => r.code === code);
  return reason ? { labelJa: reason.labelJa, labelEn: reason.labelEn } : { labelJa: code, labelEn: code };
}

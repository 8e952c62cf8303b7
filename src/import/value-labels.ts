import type { Normalized } from '../shared/normalize.ts';

/**
 * The labels back offices write for coded values (受注チャネル "WEB", ステータス "発送済",
 * 性別 "女性", 定期 "○"), turned into what the record schemas accept. A label not known here
 * passes through, lower-cased, so the schema names the accepted values in its error.
 */
const CHANNELS: Record<string, string> = {
  web: 'web',
  ウェブ: 'web',
  ネット: 'web',
  ec: 'web',
  オンライン: 'web',
  インターネット: 'web',
  通販サイト: 'web',
  phone: 'phone',
  電話: 'phone',
  tel: 'phone',
  電話注文: 'phone',
  line: 'line',
  store: 'store',
  店舗: 'store',
  実店舗: 'store',
  店頭: 'store',
  other: 'other',
  その他: 'other',
};

const STATUSES: Record<string, string> = {
  pending: 'pending',
  新規: 'pending',
  受付: 'pending',
  保留: 'pending',
  未確定: 'pending',
  入金待ち: 'pending',
  confirmed: 'confirmed',
  確定: 'confirmed',
  受注確定: 'confirmed',
  入金済: 'confirmed',
  入金済み: 'confirmed',
  発送待ち: 'confirmed',
  shipped: 'shipped',
  発送済: 'shipped',
  発送済み: 'shipped',
  出荷済: 'shipped',
  出荷済み: 'shipped',
  delivered: 'delivered',
  配達済: 'delivered',
  配達済み: 'delivered',
  お届け済: 'delivered',
  お届け済み: 'delivered',
  配達完了: 'delivered',
  完了: 'delivered',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  キャンセル: 'cancelled',
  取消: 'cancelled',
  取り消し: 'cancelled',
  キャンセル済: 'cancelled',
  returned: 'returned',
  返品: 'returned',
  返品済: 'returned',
  返品済み: 'returned',
};

const GENDERS: Record<string, string> = {
  female: 'female',
  f: 'female',
  女性: 'female',
  女: 'female',
  male: 'male',
  m: 'male',
  男性: 'male',
  男: 'male',
  other: 'other',
  その他: 'other',
  unknown: 'unknown',
  不明: 'unknown',
  未回答: 'unknown',
  回答しない: 'unknown',
};

const YES = new Set(['true', 'yes', 'y', '1', 'はい', '定期', '定期購入', 'お試し', 'トライアル', 'trial', '○', '〇', '◯', '有', 'あり', '対象']);
const NO = new Set(['false', 'no', 'n', '0', 'いいえ', '通常', '単品', '本品', '×', '✕', '無', 'なし', '-', '対象外']);

const key = (text: string) => text.normalize('NFKC').trim().toLowerCase();

export const channelLabel = (text: string): string => CHANNELS[key(text)] ?? key(text);
export const statusLabel = (text: string): string => STATUSES[key(text)] ?? key(text);
export const genderLabel = (text: string): string => GENDERS[key(text)] ?? key(text);

/** 定期 / 通常, お試し / 本品, ○ / ×, true / false, 1 / 0 → a boolean. */
export function yesNoLabel(text: string): Normalized<boolean> {
  const value = key(text);
  if (YES.has(value)) return { ok: true, value: true };
  if (NO.has(value)) return { ok: true, value: false };
  return { ok: false, reason: `not a yes/no value: "${text}" (use e.g. ○/×, はい/いいえ, true/false or 1/0)`, code: 'invalid_yes_no' };
}

/** A share written as 0.7, 70% or ７０％ → 0.7. */
export function shareLabel(text: string): Normalized<number> {
  const value = key(text).replace(/\s/g, '');
  const percent = value.endsWith('%');
  const number = Number(percent ? value.slice(0, -1) : value);
  if (value === '' || value === '%' || !Number.isFinite(number))
    return { ok: false, reason: `not a share: "${text}" (use e.g. 0.7 or 70%)`, code: 'invalid_share' };
  return { ok: true, value: percent ? number / 100 : number };
}

/** A JSON object cell (event properties). */
export function jsonObjectLabel(text: string): Normalized<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { ok: true, value: value as Record<string, unknown> };
  } catch {
    // reported below
  }
  return { ok: false, reason: `not a JSON object: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}` };
}

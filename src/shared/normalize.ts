/**
 * Normalisers for values as Japanese EC back offices export them: full-width digits and
 * letters, yen signs and thousands separators, phone numbers with or without hyphens.
 * Each returns `{ ok: false, reason }` rather than throwing, so callers report row and field.
 */
import type { ReasonCode } from './reasons.ts';

export type Normalized<T> = { ok: true; value: T } | { ok: false; reason: string; code?: ReasonCode };

/** NFKC folds full-width digits, letters and spaces to their ASCII forms, 半角ｶﾅ to 全角カナ. */
export function normalizeText(input: string): string {
  return input.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** `¥1,980`, `1,980円`, `１９８０`, `2.55` → an exact decimal string ('1980', '2.55'). */
export function normalizeMoney(input: string | number): Normalized<string> {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: `not an amount: ${input}`, code: 'invalid_amount' };
    return { ok: true, value: String(input) };
  }
  const text = input.normalize('NFKC').replace(/[¥\\,\s]|円|JPY/gi, '');
  if (!DECIMAL.test(text)) return { ok: false, reason: `not an amount: "${input}"`, code: 'invalid_amount' };
  return { ok: true, value: text.replace(/^(-?)0+(?=\d)/, '$1') };
}

/** A whole number, from digits that may be full-width or carry separators. */
export function normalizeInteger(input: string | number): Normalized<number> {
  const text = typeof input === 'number' ? String(input) : input.normalize('NFKC').replace(/[,\s]/g, '');
  if (!/^-?\d+$/.test(text)) return { ok: false, reason: `not a whole number: "${input}"`, code: 'invalid_integer' };
  const value = Number(text);
  if (!Number.isSafeInteger(value)) return { ok: false, reason: `number out of range: "${input}"`, code: 'out_of_range' };
  return { ok: true, value };
}

/**
 * Phone numbers are kept as digits only, the Japanese national form ('09012345678');
 * `+81 90-1234-5678` and `090(1234)5678` give the same value.
 */
export function normalizePhone(input: string): Normalized<string> {
  let digits = input.normalize('NFKC').replace(/[\s\-()‐－ー―]/g, '');
  if (digits.startsWith('+81')) digits = `0${digits.slice(3)}`;
  if (!/^\+?\d{6,15}$/.test(digits)) return { ok: false, reason: `not a phone number: "${input}"`, code: 'invalid_phone' };
  return { ok: true, value: digits };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(input: string): Normalized<string> {
  const value = input.normalize('NFKC').trim().toLowerCase();
  if (!EMAIL.test(value)) return { ok: false, reason: `not an email address: "${input}"`, code: 'invalid_email' };
  return { ok: true, value };
}

/**
 * Normalisers for values as Japanese EC back offices export them: full-width digits and
 * letters, yen signs and thousands separators, phone numbers with or without hyphens.
 * Each returns `{ ok: false, reason }` rather than throwing, so callers report row and field.
 */
import type { ReasonCode, ReasonParams } from './reasons.ts';

export type Normalized<T> = { ok: true; value: T } | { ok: false; reason: string; code?: ReasonCode; params?: ReasonParams };

/** NFKC folds full-width digits, letters and spaces to their ASCII forms, 半角ｶﾅ to 全角カナ. */
export function normalizeText(input: string): string {
  return input.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * The most digits an amount may have. Far beyond any price or sum (10^15 yen), and what keeps
 * a 140,000-digit "price" from reaching PostgreSQL's numeric (which would refuse it with an
 * overflow, failing the whole batch). 20 decimals still take a client's float such as
 * 0.30000000000000004 as sent.
 */
export const MONEY_DIGITS = { integer: 15, fraction: 20 } as const;

/** `¥1,980`, `1,980円`, `１９８０`, `2.55` → an exact decimal string ('1980', '2.55'). */
export function normalizeMoney(input: string | number): Normalized<string> {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: `not an amount: ${input}`, code: 'invalid_amount' };
    text = plainDecimal(String(input));
  } else {
    text = input.normalize('NFKC').replace(/[¥\\,\s]|円|JPY/gi, '');
    if (!DECIMAL.test(text)) return { ok: false, reason: `not an amount: "${shorten(input)}"`, code: 'invalid_amount' };
  }
  const value = text.replace(/^(-?)0+(?=\d)/, '$1');
  const [integer = '', fraction = ''] = value.replace('-', '').split('.');
  if (integer.length > MONEY_DIGITS.integer || fraction.length > MONEY_DIGITS.fraction) {
    return {
      ok: false,
      reason:
        `too many digits: an amount has at most ${MONEY_DIGITS.integer} digits before the decimal point and ${MONEY_DIGITS.fraction} after, ` +
        `this one ${integer.length.toLocaleString('en-US')} and ${fraction.length.toLocaleString('en-US')} ("${shorten(String(input))}")`,
      code: 'too_many_digits',
      params: { integer: MONEY_DIGITS.integer, fraction: MONEY_DIGITS.fraction },
    };
  }
  return { ok: true, value };
}

/** A number's text without an exponent: 1e-7 → '0.0000001', 1.5e+21 → '1500000000000000000000'. */
function plainDecimal(text: string): string {
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, fraction = '', exponent] = match;
  const digits = `${lead}${fraction}`;
  const point = 1 + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A value as a message quotes it: long ones cut, so a refusal never echoes megabytes. */
export function shorten(text: string, most = 40): string {
  return text.length <= most ? text : `${text.slice(0, most)}… (${text.length.toLocaleString('en-US')} characters)`;
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

import { z } from 'zod';
import { canonicalPrefecture } from './prefectures.ts';
import { normalizeInteger, normalizeMoney, normalizeText, shorten, type Normalized } from './normalize.ts';
import type { ReasonCode, ReasonParams } from './reasons.ts';
import { unsafeJson, unsafeText, JSON_OBJECT_LIMITS } from './safe-text.ts';
import { parseTimestamp } from './time.ts';

/**
 * The field types the record schemas are made of (customers, products, orders, events): each
 * a zod schema that checks, normalises Japanese back-office spellings and refuses with a
 * reason code (src/shared/reasons.ts). Every string is first checked to be text PostgreSQL can
 * store (no NUL, no unpaired surrogate), so a bad value is a refusal of its record and field,
 * never a failed write.
 */

/** Raises a refused normalisation as a zod issue that keeps its reason code (and parameters). */
export function refuse(ctx: z.RefinementCtx, failure: { reason: string; code?: ReasonCode; params?: ReasonParams }): never {
  const params = failure.code ? { code: failure.code, ...failure.params } : undefined;
  ctx.addIssue({ code: 'custom', message: failure.reason, ...(params ? { params } : {}) });
  return z.NEVER;
}

/** A string that PostgreSQL can store as text. */
export function storableString() {
  return z.string().superRefine((input, ctx) => {
    const problem = unsafeText(input);
    if (problem) refuse(ctx, { reason: problem, code: 'invalid_text' });
  });
}

export function normalized<T>(normalize: (input: string) => Normalized<T>) {
  return storableString().transform((input, ctx) => {
    const result = normalize(input);
    return result.ok ? result.value : refuse(ctx, result);
  });
}

export const text = (max: number) => storableString().transform(normalizeText).pipe(z.string().min(1).max(max));
export const optionalText = (max: number) =>
  storableString()
    .transform(normalizeText)
    .pipe(z.string().max(max))
    .nullish()
    .transform((v) => (v ? v : null));
export const externalId = text(200).describe("The id of this record in the brand's own systems");

const numberOrString = z.union([z.number(), storableString()]);

export const money = numberOrString.transform((input, ctx) => {
  const result = normalizeMoney(input);
  return result.ok ? result.value : refuse(ctx, result);
});

/** An amount that cannot be below zero (a price, a unit price). */
export const price = (field: string) =>
  money.pipe(
    z.string().superRefine((value, ctx) => {
      if (value.startsWith('-')) refuse(ctx, { reason: `${field} must not be negative`, code: 'negative_amount' });
    }),
  );

export const integer = numberOrString.transform((input, ctx) => {
  const result = normalizeInteger(input);
  return result.ok ? result.value : refuse(ctx, result);
});

export const prefecture = storableString().transform(
  (input, ctx) =>
    canonicalPrefecture(input.normalize('NFKC')) ?? refuse(ctx, { reason: `not a prefecture of Japan: "${shorten(input)}"`, code: 'invalid_prefecture' }),
);

export function timestamp(timezone: string) {
  return storableString()
    .describe('ISO 8601; without an offset, wall-clock time in the workspace time zone')
    .transform((input, ctx) => {
      const result = parseTimestamp(input, timezone);
      return result.ok ? result.value : refuse(ctx, result);
    });
}

/**
 * A free-form JSON object stored as jsonb (attributes, properties), within JSON_OBJECT_LIMITS;
 * a problem inside it is reported at its path (`attributes.size.label`).
 */
export function jsonObject() {
  return z
    .record(z.string(), z.unknown())
    .superRefine((value, ctx) => {
      const problem = unsafeJson(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.reason, path: problem.path, params: { code: problem.code, ...problem.params } });
    })
    .describe(
      `A JSON object: at most ${JSON_OBJECT_LIMITS.depth} levels deep and ${JSON_OBJECT_LIMITS.values.toLocaleString('en-US')} values, no NUL characters`,
    );
}

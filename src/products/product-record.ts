import { z } from 'zod';
import { externalId, integer, jsonObject, optionalText, price, text } from '../shared/record-fields.ts';

/** A product of the catalogue as the brand's systems send it: the contract of upsertProducts. */
export function productRecordSchema() {
  const product = z.object({
    sku: externalId,
    name: text(300),
    category: optionalText(200),
    price: price('price').nullish(),
    is_subscription: z.boolean().optional(),
    is_trial: z.boolean().optional().describe('A trial product (お試し / トライアル): a first purchase of one starts the step-up analysis'),
    effect_first_feeling_days: integer.pipe(z.number().int().min(0).max(3650)).nullish().describe('Days until users first feel the product'),
    effect_clear_days: integer.pipe(z.number().int().min(0).max(3650)).nullish().describe('Days until a clear effect'),
    effect_share: z.number().min(0).max(1).nullish().describe('Share of users who feel it by effect_clear_days (0..1)'),
    attributes: jsonObject().optional(),
  });
  return product;
}

export type ProductRecord = z.output<ReturnType<typeof productRecordSchema>>;

import { z } from 'zod';
import { normalizeEmail, normalizePhone } from '../shared/normalize.ts';
import { externalId, jsonObject, normalized, optionalText, prefecture, timestamp } from '../shared/record-fields.ts';
import { parseCalendarDate } from '../shared/time.ts';
import { CONSENT_CHANNELS, CONSENT_PURPOSES, CONSENT_STATUSES, GENDERS, LIFECYCLES } from '../shared/vocabulary.ts';

/**
 * A customer as the brand's systems send it (the batch API, a CSV line): the contract of
 * upsertCustomers. Timestamps without a zone are read in the workspace's time zone, so the
 * schema is made per zone; ingest/records.ts composes the record schemas into the batch API.
 */
export function customerRecordSchema(timezone: string) {
  const consent = z.object({
    channel: z.enum(CONSENT_CHANNELS),
    purpose: z.enum(CONSENT_PURPOSES),
    status: z.enum(CONSENT_STATUSES),
    at: timestamp(timezone).describe('When consent was given or withdrawn'),
    source: optionalText(200).describe('Where: a form, a call, a store...'),
  });

  const customer = z.object({
    customer_id: externalId,
    lifecycle: z
      .enum(LIFECYCLES)
      .optional()
      .describe('Profiles start as leads and become customers with their first purchase; "customer" marks a purchase made before the data here'),
    name: optionalText(200),
    name_kana: optionalText(200),
    gender: z.enum(GENDERS).nullish(),
    birth_date: normalized(parseCalendarDate).nullish(),
    prefecture: prefecture.nullish(),
    email: normalized(normalizeEmail).nullish(),
    phone: normalized(normalizePhone).nullish(),
    line_user_id: optionalText(100),
    attributes: jsonObject().optional().describe('Any further attributes, merged into the profile'),
    consents: z.array(consent).max(20).optional(),
  });
  return customer;
}

export type CustomerRecord = z.output<ReturnType<typeof customerRecordSchema>>;

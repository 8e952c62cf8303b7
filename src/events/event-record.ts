import { z } from 'zod';
import { externalId, jsonObject, storableString, timestamp } from '../shared/record-fields.ts';

/**
 * Something a customer did, as the brand's systems send it: the contract of insertEvents.
 * Timestamps without a zone are read in the workspace's time zone, so the schema is made per zone.
 */
export function eventRecordSchema(timezone: string) {
  const event = z.object({
    customer_id: externalId,
    type: storableString().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'type must be snake_case, e.g. page_view'),
    occurred_at: timestamp(timezone),
    properties: jsonObject().optional(),
    idempotency_key: storableString().min(1).max(200).describe('Sending the same key twice stores the event once'),
  });
  return event;
}

export type EventRecord = z.output<ReturnType<typeof eventRecordSchema>>;

import { z } from 'zod';
import { externalId, integer, normalized, optionalText, refuse, timestamp } from '../shared/record-fields.ts';
import { localDateOf, parseCalendarDate } from '../shared/time.ts';
import { CYCLE_UNITS, SUBSCRIPTION_STATUSES } from '../shared/vocabulary.ts';
import { checkCycle, parseCycle, type Cycle } from './cycle.ts';

/**
 * A subscription (定期) as the brand's systems send it (the batch API, a CSV line): the
 * contract of upsertSubscriptions. The English field names are also the CSV headers a user
 * can always rely on: subscription_id, customer_id, sku, cycle, status, started_at,
 * next_delivery_on, deliveries, cancelled_at, cancel_reason.
 *
 * The course's products come as `items` [{sku, quantity}], or as one `sku` (with `quantity`,
 * default 1), as a CSV line gives them. Timestamps without a zone are read in the workspace's
 * time zone, so the schema is made per zone.
 */
export function subscriptionRecordSchema(timezone: string) {
  const item = z.object({
    sku: externalId,
    quantity: integer.pipe(z.number().int().min(1, 'quantity must be at least 1').max(1_000_000, 'quantity must be at most 1,000,000')).default(1),
  });

  const cycleObject = z.object({ unit: z.enum(CYCLE_UNITS), every: z.number().int() }).transform((cycle, ctx) => {
    const checked = checkCycle(cycle);
    return checked.ok ? checked.value : refuse(ctx, checked);
  });
  const cycle = z
    .union([normalized(parseCycle), cycleObject])
    .describe('「30日ごと」「1ヶ月ごと」「2ヶ月ごと」「毎月15日」, "every 30 days", "every 2 months", "monthly on day 15", or {"unit": "days"|"months"|"day_of_month", "every": N}');

  const count = (field: string) =>
    integer.pipe(z.number().int().min(0, `${field} must not be negative`).max(100_000, `${field} must be at most 100,000`)).default(0);

  const subscription = z
    .object({
      subscription_id: externalId.describe('The subscription number in the brand\'s systems (定期番号)'),
      customer_id: externalId,
      course: optionalText(200).describe('The course name (コース名)'),
      sku: externalId.optional().describe('The course\'s product, when it has one (a CSV line); else `items`'),
      quantity: integer.pipe(z.number().int().min(1).max(1_000_000)).optional(),
      items: z.array(item).min(1).max(100).optional(),
      cycle: cycle as z.ZodType<Cycle, unknown>,
      status: z.enum(SUBSCRIPTION_STATUSES).describe('active (継続中), paused (休止中) or cancelled (解約)'),
      started_at: timestamp(timezone).describe('When the subscription was taken out (申込日)'),
      next_delivery_on: normalized(parseCalendarDate).nullish().describe('The next delivery date (次回お届け日), YYYY-MM-DD'),
      deliveries: count('deliveries').describe('Deliveries so far (お届け回数)'),
      skips: count('skips').describe('Deliveries skipped so far'),
      cancelled_at: timestamp(timezone).nullish().describe('When it was cancelled (解約日); required exactly when status is cancelled'),
      cancel_reason: optionalText(500).describe(
        "Why it was cancelled (解約理由): a code of the workspace's list, or words, which are matched to a code and kept as the note",
      ),
      cancel_note: optionalText(2000).describe('Free text about the cancellation'),
      status_changed_at: timestamp(timezone).nullish().describe('When the current status began; default: cancelled_at, else started_at for a new subscription, else now'),
      changed_by: optionalText(200).describe('Who or which system changed the status; default: the API key or user, or "import"'),
    })
    .superRefine((record, ctx) => {
      if (!record.items && !record.sku) ctx.addIssue({ code: 'custom', path: ['sku'], message: 'a subscription needs its product: give sku or items', params: { code: 'required' } });
      if (record.items && record.sku) ctx.addIssue({ code: 'custom', path: ['sku'], message: 'give either sku or items, not both' });
      if (record.status === 'cancelled' && !record.cancelled_at)
        ctx.addIssue({ code: 'custom', path: ['cancelled_at'], message: 'a cancelled subscription needs cancelled_at (解約日)', params: { code: 'required' } });
      if (record.status !== 'cancelled' && record.cancelled_at)
        ctx.addIssue({ code: 'custom', path: ['cancelled_at'], message: `cancelled_at is given but the status is ${record.status}; leave it empty unless the status is cancelled` });
      if (record.status !== 'cancelled' && record.cancel_reason)
        ctx.addIssue({ code: 'custom', path: ['cancel_reason'], message: `cancel_reason is given but the status is ${record.status}` });
      if (record.cancelled_at && record.cancelled_at < record.started_at)
        ctx.addIssue({ code: 'custom', path: ['cancelled_at'], message: 'cancelled_at is before started_at', params: { code: 'out_of_range' } });
      if (record.next_delivery_on && record.next_delivery_on < localDateOf(record.started_at, timezone))
        ctx.addIssue({
          code: 'custom',
          path: ['next_delivery_on'],
          message: `next_delivery_on ${record.next_delivery_on} is before the start (${localDateOf(record.started_at, timezone)})`,
          params: { code: 'out_of_range' },
        });
    })
    .transform(({ sku, quantity, items, ...rest }) => ({ ...rest, items: items ?? [{ sku: sku!, quantity: quantity ?? 1 }] }));
  return subscription;
}

export type SubscriptionRecord = z.output<ReturnType<typeof subscriptionRecordSchema>>;

/** The status words of back offices (継続中 / 休止中 / 解約 / 停止 …) → a status; an unknown word passes through, lower-cased, for the schema to refuse. */
const STATUS_WORDS: Record<string, string> = {
  active: 'active',
  継続: 'active',
  継続中: 'active',
  有効: 'active',
  契約中: 'active',
  利用中: 'active',
  稼働中: 'active',
  paused: 'paused',
  pause: 'paused',
  休止: 'paused',
  休止中: 'paused',
  一時休止: 'paused',
  一時停止: 'paused',
  お休み中: 'paused',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  cancel: 'cancelled',
  解約: 'cancelled',
  解約済: 'cancelled',
  解約済み: 'cancelled',
  停止: 'cancelled',
  停止中: 'cancelled',
  終了: 'cancelled',
  退会: 'cancelled',
};

export function subscriptionStatusLabel(text: string): string {
  const key = text.normalize('NFKC').trim().toLowerCase();
  return STATUS_WORDS[key] ?? key;
}

import { z } from 'zod';
import { externalId, integer, optionalText, prefecture, price, timestamp } from '../shared/record-fields.ts';
import { ORDER_CHANNELS, ORDER_STATUSES } from '../shared/vocabulary.ts';

/**
 * An order with its items as the brand's systems send it: the contract of upsertOrders.
 * Timestamps without a zone are read in the workspace's time zone, so the schema is made per zone.
 */
export function orderRecordSchema(timezone: string) {
  const orderItem = z.object({
    sku: externalId,
    // At most 1,000,000: quantities and an order's item count (Σ over up to 1,000 items) are PostgreSQL integers.
    quantity: integer.pipe(z.number().int().positive('quantity must be at least 1').max(1_000_000, 'quantity must be at most 1,000,000')),
    unit_price: price('unit_price'),
    product_name: optionalText(300).describe('Creates the product when the SKU is not yet known'),
  });

  const order = z.object({
    order_id: externalId,
    customer_id: externalId,
    ordered_at: timestamp(timezone),
    channel: z.enum(ORDER_CHANNELS).default('other'),
    prefecture: prefecture.nullish(),
    store: optionalText(200),
    status: z.enum(ORDER_STATUSES).default('confirmed'),
    delivered_at: timestamp(timezone).nullish(),
    items: z.array(orderItem).min(1, 'an order needs at least one item').max(1000),
    subscription_id: optionalText(200).describe(
      'The subscription (定期番号) this order delivers, as the back office writes it; it may arrive before the subscription',
    ),
    delivery_number: integer
      .pipe(z.number().int().min(1, 'delivery_number must be at least 1').max(100_000, 'delivery_number must be at most 100,000'))
      .nullish()
      .describe('Which delivery of the subscription this order is (お届け回数: 1 for the first); needs subscription_id'),
  });
  // A delivery number means nothing without the subscription it counts in.
  return order.superRefine((record, ctx) => {
    if (record.delivery_number != null && !record.subscription_id)
      ctx.addIssue({
        code: 'custom',
        path: ['delivery_number'],
        message: 'delivery_number is given without subscription_id: name the subscription (定期番号) the delivery belongs to',
        params: { code: 'delivery_without_subscription' },
      });
  });
}

export type OrderRecord = z.output<ReturnType<typeof orderRecordSchema>>;
export type OrderItemRecord = OrderRecord['items'][number];

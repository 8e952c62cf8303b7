import { DAY_MS, timeOnDay, tokyoMidnight, type DemoWindow } from './calendar.ts';
import type { DemoModel } from './model.ts';
import type { PurchaseHistory } from './purchase-history.ts';
import { Weighted, type Random } from './random.ts';

/** What a complaint is about (the `reason` of a support_contact of topic 'complaint'). */
export type ComplaintReason = 'late_delivery' | 'damaged_package' | 'wrong_item' | 'billing_error' | 'call_center_wait';

export type ComplaintModel = Pick<DemoModel, 'complaintPerDelivery' | 'complaintBeforeCancel' | 'complaintsPerYear'>;

type PushComplaint = (occurredAt: number, properties: Record<string, unknown>) => void;

const AFTER_DELIVERY = Weighted.of<ComplaintReason>([
  ['late_delivery', 55],
  ['damaged_package', 30],
  ['wrong_item', 15],
]);
/** What tips a subscriber into cancelling: a charge they did not expect, more than anything. */
const BEFORE_CANCEL = Weighted.of<ComplaintReason>([
  ['billing_error', 40],
  ['late_delivery', 25],
  ['damaged_package', 15],
  ['call_center_wait', 20],
]);
const NOW_AND_THEN = Weighted.of<ComplaintReason>([
  ['billing_error', 60],
  ['call_center_wait', 40],
]);

/**
 * A customer's complaints: support contacts of topic 'complaint' with a `reason` and the way
 * they came in (`via`). The journey map's affinity levels above 関心 hold only without a
 * complaint in the last 90 days, so each one is a step-down on the map. Drawn from the
 * profile's own complaint stream after everything else, so they change no other row.
 *
 * - After a delivered order, with `complaintPerDelivery`: late, damaged or wrong, 0–2 days later.
 * - Before a subscription's cancellation, with `complaintBeforeCancel`: 3–25 days before it
 *   (a day after its start at the earliest, a day before the cancellation at the latest).
 * - Now and then (billing mistakes, a call centre nobody answers): `complaintsPerYear`.
 */
export function drawComplaints(random: Random, params: { history: PurchaseHistory; window: DemoWindow; model: ComplaintModel; push: PushComplaint }): void {
  const { history, window, model, push } = params;
  const via = () => (random.chance(0.75) ? 'phone' : random.chance(0.7) ? 'email' : 'chat');
  const complain = (day: number, reason: ComplaintReason) => push(timeOnDay(random, tokyoMidnight(day), 'office'), { topic: 'complaint', reason, via: via() });

  for (const order of history.orders) {
    if (order.deliveredAt === null || !random.chance(model.complaintPerDelivery)) continue;
    complain(order.deliveredAt + random.int(0, 2) * DAY_MS, AFTER_DELIVERY.draw(random));
  }
  for (const subscription of history.subscriptions) {
    if (subscription.endedAt === null || subscription.endedAt < window.startMs || !random.chance(model.complaintBeforeCancel)) continue;
    // A 定期 stopped after its first delivery may be younger than 25 days: then between its start and its end.
    const endDay = tokyoMidnight(subscription.endedAt);
    const day = Math.max(tokyoMidnight(subscription.startedAt) + DAY_MS, endDay - random.int(3, 25) * DAY_MS);
    if (day < endDay) complain(day, BEFORE_CANCEL.draw(random));
  }
  const from = Math.max(window.startMs, history.customerSince);
  const count = random.poisson((model.complaintsPerYear * Math.max(0, window.endMs - from)) / (365 * DAY_MS));
  for (let i = 0; i < count; i++) complain(random.between(from, window.endMs), NOW_AND_THEN.draw(random));
}

import type { EventRecord } from '../events/event-record.ts';
import type { SubscriptionStatus } from '../shared/vocabulary.ts';
import { cancelReasonLabels, type CancelReason } from './cancel-reasons.ts';
import type { SubscriptionRecord } from './subscription-record.ts';

/** A record about to be written, with what it changes (upsert-subscriptions.ts plans it). */
export interface PlannedSubscription {
  record: SubscriptionRecord;
  /** The stored status before this write; null for a new subscription. */
  priorStatus: SubscriptionStatus | null;
  priorSkips: number;
  statusChangedAt: Date;
  /** The cancel reason's code, resolved from what the record wrote. */
  cancelReason: string | null;
  cancelNote: string | null;
  /** The status changes this write adds to the history, oldest first. */
  changes: { status: SubscriptionStatus; at: Date; actor: string }[];
}

/**
 * The timeline events of a write: subscription_started for a new subscription, then one per
 * status change (subscription_paused; subscription_resumed when a paused or cancelled one is
 * active again; subscription_cancelled with the reason), and one subscription_skipped per
 * skip the count grew by. Idempotency keys are made of the subscription, the change and its
 * time (a skip: its number), so writing the same data again stores nothing new. A skip has no
 * time of its own in the data: it is stamped with the write's time.
 */
export function statusChangeEvents(planned: PlannedSubscription, reasons: readonly CancelReason[], now: Date): EventRecord[] {
  const { record } = planned;
  const base = { subscription_id: record.subscription_id, course: record.course, deliveries: record.deliveries };
  const event = (type: string, at: Date, key: string, properties: Record<string, unknown> = {}): EventRecord => ({
    customer_id: record.customer_id,
    type,
    occurred_at: at,
    properties: { ...base, ...properties },
    idempotency_key: `subscription:${record.subscription_id}:${key}`,
  });
  const events: EventRecord[] = [];
  let previous = planned.priorStatus;
  for (const change of planned.changes) {
    const at = change.at.toISOString();
    if (previous === null) {
      events.push(event('subscription_started', change.at, `started:${at}`, { cycle_unit: record.cycle.unit, cycle_every: record.cycle.every }));
    } else if (change.status === 'paused') {
      events.push(event('subscription_paused', change.at, `paused:${at}`));
    } else if (change.status === 'active') {
      events.push(event('subscription_resumed', change.at, `active:${at}`, { from: previous }));
    } else {
      const labels = planned.cancelReason ? cancelReasonLabels(planned.cancelReason, reasons) : null;
      events.push(
        event('subscription_cancelled', change.at, `cancelled:${at}`, {
          reason: planned.cancelReason,
          reason_label_ja: labels?.labelJa ?? null,
          reason_label_en: labels?.labelEn ?? null,
          note: planned.cancelNote,
        }),
      );
    }
    previous = change.status;
  }
  for (let skip = planned.priorSkips + 1; skip <= record.skips; skip += 1) {
    events.push(event('subscription_skipped', now, `skipped:${skip}`, { skip_number: skip, skips: record.skips }));
  }
  return events;
}

import { describe, expect, it } from 'vitest';
import type { Cycle } from '../subscriptions/cycle.ts';
import { DAY_MS, demoWindow, formatDate, tokyoMs } from './calendar.ts';
import { demoModel, type DemoModel } from './model.ts';
import { Random } from './random.ts';
import { COURSES, nextDeliveryDay, runSubscription, type DemoSubscription } from './subscription-history.ts';

const day = (date: string) => tokyoMs(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));

describe('nextDeliveryDay', () => {
  it('steps N days, N months on the anchor day (the last day of a shorter month), or to day N of a month at least 20 days on', () => {
    expect(formatDate(nextDeliveryDay({ unit: 'days', every: 30 }, 31, day('2026-01-31')))).toBe('2026-03-02');
    // Anchored on the 31st: February's last day, then back to the 31st.
    expect(formatDate(nextDeliveryDay({ unit: 'months', every: 1 }, 31, day('2026-01-31')))).toBe('2026-02-28');
    expect(formatDate(nextDeliveryDay({ unit: 'months', every: 1 }, 31, day('2026-02-28')))).toBe('2026-03-31');
    expect(formatDate(nextDeliveryDay({ unit: 'months', every: 2 }, 15, day('2026-11-15')))).toBe('2027-01-15');
    // 毎月5日 after 28 January: 5 February is only 8 days on, so 5 March.
    expect(formatDate(nextDeliveryDay({ unit: 'day_of_month', every: 5 }, 28, day('2026-01-28')))).toBe('2026-03-05');
    expect(formatDate(nextDeliveryDay({ unit: 'day_of_month', every: 25 }, 1, day('2026-01-01')))).toBe('2026-01-25');
  });
});

/** Runs 300 subscriptions of each cycle from 2026-01-10 under `overrides`, in a window that ends on `until`. */
function runMany(overrides: Partial<DemoModel>, until: string): { subscription: DemoSubscription; deliveries: number[] }[] {
  const model = demoModel(overrides);
  const window = demoWindow(until);
  const cycles: Cycle[] = [
    { unit: 'months', every: 1 },
    { unit: 'months', every: 2 },
    { unit: 'days', every: 30 },
    { unit: 'day_of_month', every: 5 },
    { unit: 'day_of_month', every: 25 },
  ];
  const runs: { subscription: DemoSubscription; deliveries: number[] }[] = [];
  cycles.forEach((cycle, c) => {
    for (let i = 0; i < 300; i++) {
      const deliveries: number[] = [];
      const startedAt = day('2026-01-10') + (i % 28) * DAY_MS + 10 * 3_600_000;
      const subscription = runSubscription(
        { random: Random.for(5, c * 1000 + i, 9), model, window, clock: 'online', actor: 'マイページ', deliver: (_s, at) => deliveries.push(at) },
        { externalId: `T${c}-${i}`, course: COURSES.aojiru, cycle, startedAt, firstDeliveryAt: startedAt },
      );
      runs.push({ subscription, deliveries });
    }
  });
  return runs;
}

describe('runSubscription', () => {
  it('cancels after a skip before the delivery after the skipped one, whatever the cycle', () => {
    const runs = runMany({ cancelHazards: [1], cancelAfterPause: 0, cancelAfterSkip: 1 }, '2026-12-31');
    for (const { subscription, deliveries } of runs) {
      expect(deliveries).toHaveLength(1);
      expect(subscription).toMatchObject({ status: 'cancelled', deliveries: 1, skips: 1 });
      const [skip] = subscription.skipped;
      const after = nextDeliveryDay(subscription.cycle, new Date(deliveries[0]! + 9 * 3_600_000).getUTCDate(), skip!.day);
      expect(subscription.cancelledAt!).toBeGreaterThan(skip!.at);
      expect(subscription.cancelledAt!, `${subscription.externalId}: cancelled before ${formatDate(after)}`).toBeLessThan(after);
      expect(subscription.changes.map((c) => c.status)).toEqual(['active', 'cancelled']);
    }
  });

  it('keeps what falls after the last day undone: in force, next delivery after it, every change and delivery before it', () => {
    const window = demoWindow('2026-03-31');
    for (const overrides of [{}, { cancelHazards: [1], cancelAfterPause: 1 }, { pausePerDelivery: 1 }, { skipPerDelivery: 1 }]) {
      const runs = runMany(overrides, '2026-03-31');
      for (const { subscription, deliveries } of runs) {
        expect(Math.max(...deliveries)).toBeLessThan(window.endMs);
        expect(Math.max(...subscription.changes.map((c) => c.at), ...subscription.skipped.map((s) => s.at))).toBeLessThan(window.endMs);
        expect(subscription.deliveries).toBe(deliveries.length);
        if (subscription.status === 'cancelled') expect(subscription.nextDeliveryOn).toBeNull();
        else expect(subscription.nextDeliveryOn!).toBeGreaterThanOrEqual(window.endMs);
      }
      expect(runs.some((run) => run.subscription.status !== 'cancelled')).toBe(true);
    }
  });

  it('pauses, then resumes on the planned day with a delivery, or is cancelled while paused', () => {
    const paused = runMany({ cancelHazards: [0, 0, 0], cancelHazardLater: 0, cancelHazardFloor: 0, pausePerDelivery: 1 }, '2026-12-31');
    for (const { subscription, deliveries } of paused) {
      const statuses = subscription.changes.map((c) => c.status);
      expect(statuses.slice(0, 3)).toEqual(['active', 'paused', 'active']);
      // The resumption is the batch's, at 05:00 on the day of the next delivery.
      const resumed = subscription.changes[2]!;
      expect(resumed.actor).toBe('定期バッチ');
      expect(deliveries[1]! - resumed.at).toBeGreaterThanOrEqual(0);
      expect(deliveries[1]! - resumed.at).toBeLessThan(3_600_000);
    }
    const cancelled = runMany({ cancelHazards: [1], cancelAfterPause: 1 }, '2026-12-31');
    for (const { subscription } of cancelled) expect(subscription.changes.map((c) => c.status)).toEqual(['active', 'paused', 'cancelled']);
  });
});

import type { SubscriptionStatus } from '../shared/vocabulary.ts';
import type { Cycle } from '../subscriptions/cycle.ts';
import { DAY_MS, HOUR_MS, timeOnDay, tokyoDate, tokyoMidnight, tokyoMs, type DayClock, type DemoWindow } from './calendar.ts';
import { PRODUCT_INDEX } from './catalogue.ts';
import { cancelHazard, cancelReasonWeights, DEMO_CANCEL_REASONS, type DemoCancelReason, type DemoModel } from './model.ts';
import { Weighted, type Random } from './random.ts';

/**
 * The life of one demo subscription (定期): its deliveries on its cycle, skips, pauses and the
 * cancellation, drawn delivery by delivery from the model's hazards. The caller (the purchase
 * simulation) turns each delivery inside the window into an order; everything else — the
 * status history, the skips, the current state on the last day — is kept here and written to
 * subscriptions, subscription_status_changes and the timeline events.
 */

export type CourseKey = 'aojiru' | 'aojiruDouble' | 'set' | 'lactic';

/** A course (コース): what every delivery carries. */
export interface DemoCourse {
  key: CourseKey;
  name: string;
  items: readonly { product: number; quantity: number }[];
}

const { subscription: AOJIRU_SUB, lacticSubscription: LACTIC_SUB } = PRODUCT_INDEX;

export const COURSES: Record<CourseKey, DemoCourse> = {
  aojiru: { key: 'aojiru', name: 'みのり青汁 定期コース', items: [{ product: AOJIRU_SUB, quantity: 1 }] },
  aojiruDouble: { key: 'aojiruDouble', name: 'みのり青汁 まとめ定期コース（2箱）', items: [{ product: AOJIRU_SUB, quantity: 2 }] },
  set: {
    key: 'set',
    name: '青汁＋乳酸菌 セット定期コース',
    items: [
      { product: AOJIRU_SUB, quantity: 1 },
      { product: LACTIC_SUB, quantity: 1 },
    ],
  },
  lactic: { key: 'lactic', name: 'みのり乳酸菌 定期コース', items: [{ product: LACTIC_SUB, quantity: 1 }] },
};

/** The cycles a course is taken with: mostly 1ヶ月ごと; some 30日ごと, 毎月N日, 2ヶ月ごと (the 2-box course mostly). */
const CYCLES: Record<CourseKey, Weighted<Cycle | 'day_of_month'>> = {
  aojiru: cycles([
    [{ unit: 'months', every: 1 }, 66],
    [{ unit: 'days', every: 30 }, 14],
    ['day_of_month', 12],
    [{ unit: 'months', every: 2 }, 8],
  ]),
  aojiruDouble: cycles([
    [{ unit: 'months', every: 2 }, 70],
    [{ unit: 'months', every: 1 }, 25],
    [{ unit: 'days', every: 60 }, 5],
  ]),
  set: cycles([
    [{ unit: 'months', every: 1 }, 75],
    [{ unit: 'days', every: 30 }, 15],
    ['day_of_month', 10],
  ]),
  lactic: cycles([
    [{ unit: 'months', every: 1 }, 70],
    [{ unit: 'days', every: 30 }, 20],
    ['day_of_month', 10],
  ]),
};
const DELIVERY_DAYS = [1, 5, 10, 15, 20, 25];

function cycles(entries: [Cycle | 'day_of_month', number][]): Weighted<Cycle | 'day_of_month'> {
  return Weighted.of(entries);
}

export function drawCycle(random: Random, course: CourseKey): Cycle {
  const cycle = CYCLES[course].draw(random);
  return cycle === 'day_of_month' ? { unit: 'day_of_month', every: random.pick(DELIVERY_DAYS) } : cycle;
}

/** One row of the status history (subscription_status_changes). */
export interface DemoStatusChange {
  status: SubscriptionStatus;
  at: number;
  reason: string | null;
  note: string | null;
  actor: string;
  /** Deliveries made when it changed (for the timeline event). */
  deliveries: number;
}

export interface DemoSkip {
  at: number;
  /** The delivery day skipped (Tokyo midnight). */
  day: number;
  /** The skip's number over the subscription's life (1, 2, …): its event key. */
  number: number;
  deliveries: number;
}

export interface DemoSubscription {
  /** The 定期番号: T + the customer's digits + the customer's n-th subscription. */
  externalId: string;
  course: DemoCourse;
  cycle: Cycle;
  startedAt: number;
  /** Status history, oldest first; the first is the start ('active' at startedAt). */
  changes: DemoStatusChange[];
  skipped: DemoSkip[];
  /** Deliveries and skips made by the last day (before the window's end). */
  deliveries: number;
  skips: number;
  /** The status on the last day and when it began. */
  status: SubscriptionStatus;
  statusChangedAt: number;
  /** The next delivery day (Tokyo midnight), after the last day; null once cancelled. */
  nextDeliveryOn: number | null;
  cancelledAt: number | null;
  cancelReason: DemoCancelReason | null;
  cancelNote: string | null;
  /** When it stopped delivering: the cancellation, or null while in force. */
  endedAt: number | null;
  /** Its last delivery, skip or status change by the last day. */
  updatedAt: number;
}

export interface SubscriptionRun {
  random: Random;
  model: DemoModel;
  window: DemoWindow;
  /** When the customer acts (マイページ online, the call centre in office hours). */
  clock: DayClock;
  /** Who changes the status on the customer's behalf: マイページ or コールセンター. */
  actor: string;
  /** Called for delivery `number` at `at` (every delivery, also before the window: the caller keeps those inside). */
  deliver(subscription: DemoSubscription, at: number, number: number): void;
}

/** The system that resumes a paused subscription on its planned day. */
const BATCH_ACTOR = '定期バッチ';

const NOTES: Record<DemoCancelReason, readonly string[]> = {
  forgot_or_surplus: ['飲み忘れが多く、まだ2箱残っている', '在庫が余ってしまったため', '毎日続けるのが難しい'],
  no_effect: ['続けても変化を感じられなかった', '期待していたほどではなかった'],
  price: ['毎月の出費が負担', '家計の見直しのため', 'もう少し安ければ続けたい'],
  taste: ['味が苦手', '粉が溶けにくい', '家族が飲まなくなった'],
  moving: ['転居のため', '海外赴任のため'],
  health: ['服薬中は控えるよう医師に言われた', '入院のため', '体質に合わなかった'],
  switched: ['他社の商品に切り替えた', '店頭で買うことにした'],
  achieved: ['体調が整ったので一旦やめる', '目的を達成したため'],
  other: ['家族の事情', '特になし'],
};

/** Why subscribers pause: mostly surplus at home, else travel, hospital, a move. */
const PAUSE_REASONS = Weighted.of<[DemoCancelReason, string | null]>([
  [['forgot_or_surplus', '在庫が余っているため'], 55],
  [['other', '旅行・帰省のため'], 25],
  [['health', '入院のため'], 10],
  [['moving', '引っ越しのため'], 10],
]);

const REASON_DRAWS = new Map<object, Weighted<DemoCancelReason>>();

function drawReason(random: Random, model: DemoModel, deliveries: number): DemoCancelReason {
  const weights = cancelReasonWeights(model, deliveries);
  let draw = REASON_DRAWS.get(weights);
  if (!draw) {
    draw = new Weighted(
      DEMO_CANCEL_REASONS,
      DEMO_CANCEL_REASONS.map((reason) => weights[reason]),
    );
    REASON_DRAWS.set(weights, draw);
  }
  return draw.draw(random);
}

/**
 * Runs a subscription from its first delivery at `firstDeliveryAt` (at or after `startedAt`,
 * before the window's end) to its cancellation or the window's end.
 *
 * After each delivery k the stop is drawn once, with probability h(k) (cancelHazard); a stop
 * then comes about directly, after a pause or after a skipped delivery, always before the next
 * delivery. A subscription that continues may skip its next delivery or pause for one to
 * three months first. Whatever falls on or after the window's end has not happened yet: the
 * subscription is then in force (active or paused) with its next delivery day after the last
 * day. So rate(k) measured on the data, with the censoring rule of the analyses, estimates
 * 1 − h(k).
 */
export function runSubscription(
  run: SubscriptionRun,
  params: { externalId: string; course: DemoCourse; cycle: Cycle; startedAt: number; firstDeliveryAt: number },
): DemoSubscription {
  const { random, model } = run;
  const end = run.window.endMs;
  const subscription: DemoSubscription = {
    externalId: params.externalId,
    course: params.course,
    cycle: params.cycle,
    startedAt: params.startedAt,
    changes: [{ status: 'active', at: params.startedAt, reason: null, note: null, actor: run.actor, deliveries: 0 }],
    skipped: [],
    deliveries: 0,
    skips: 0,
    status: 'active',
    statusChangedAt: params.startedAt,
    nextDeliveryOn: null,
    cancelledAt: null,
    cancelReason: null,
    cancelNote: null,
    endedAt: null,
    updatedAt: params.startedAt,
  };
  const change = (status: SubscriptionStatus, at: number, reason: string | null, note: string | null, actor = run.actor) => {
    subscription.changes.push({ status, at, reason, note, actor, deliveries: subscription.deliveries });
    subscription.status = status;
    subscription.statusChangedAt = at;
    subscription.updatedAt = Math.max(subscription.updatedAt, at);
  };
  const skip = (at: number, day: number) => {
    subscription.skips++;
    subscription.skipped.push({ at, day, number: subscription.skips, deliveries: subscription.deliveries });
    subscription.updatedAt = Math.max(subscription.updatedAt, at);
  };
  /** In force on the last day: the next delivery is `day` (after the last day). */
  const inForce = (day: number) => {
    subscription.nextDeliveryOn = day;
    return subscription;
  };

  let at = params.firstDeliveryAt;
  let anchor = tokyoDate(at).day;
  for (;;) {
    subscription.deliveries++;
    subscription.updatedAt = Math.max(subscription.updatedAt, at);
    run.deliver(subscription, at, subscription.deliveries);
    const k = subscription.deliveries;
    const deliveredDay = tokyoMidnight(at);
    let scheduled = nextDeliveryDay(params.cycle, anchor, deliveredDay);
    const gapDays = Math.round((scheduled - deliveredDay) / DAY_MS);
    const someDayBefore = (day: number, from: number, to: number) => timeOnDay(random, day - random.int(from, to) * DAY_MS, run.clock);

    if (random.chance(cancelHazard(model, k))) {
      const reason = drawReason(random, model, k);
      const note = random.chance(0.35) ? random.pick(NOTES[reason]) : null;
      const path = random.next();
      let cancelledAt: number;
      if (path < model.cancelAfterPause) {
        const pausedAt = timeOnDay(random, deliveredDay + random.int(5, gapDays - 3) * DAY_MS, run.clock);
        if (pausedAt >= end) return inForce(scheduled);
        const [pauseReason, pauseNote] = PAUSE_REASONS.draw(random);
        change('paused', pausedAt, pauseReason, pauseNote);
        cancelledAt = timeOnDay(random, tokyoMidnight(pausedAt) + random.int(20, 80) * DAY_MS, run.clock);
        // Resumes three months after the delivery it paused before, unless cancelled first.
        if (cancelledAt >= end) return inForce(addMonths(scheduled, 3));
      } else if (path < model.cancelAfterPause + model.cancelAfterSkip) {
        const skippedAt = someDayBefore(scheduled, 3, 10);
        if (skippedAt >= end) return inForce(scheduled);
        skip(skippedAt, scheduled);
        scheduled = nextDeliveryDay(params.cycle, anchor, scheduled);
        // Before the delivery after the one skipped (a cycle of 毎月N日 may be shorter than the last).
        const daysLeft = Math.round((scheduled - tokyoMidnight(skippedAt)) / DAY_MS);
        cancelledAt = timeOnDay(random, tokyoMidnight(skippedAt) + random.int(5, daysLeft - 5) * DAY_MS, run.clock);
      } else {
        cancelledAt = timeOnDay(random, deliveredDay + random.int(5, gapDays - 5) * DAY_MS, run.clock);
      }
      if (cancelledAt >= end) return inForce(scheduled);
      change('cancelled', cancelledAt, reason, note);
      subscription.cancelledAt = cancelledAt;
      subscription.cancelReason = reason;
      subscription.cancelNote = note;
      subscription.endedAt = cancelledAt;
      return subscription;
    }

    if (random.chance(model.pausePerDelivery)) {
      const pausedAt = timeOnDay(random, deliveredDay + random.int(5, gapDays - 3) * DAY_MS, run.clock);
      if (pausedAt >= end) return inForce(scheduled);
      const [pauseReason, pauseNote] = PAUSE_REASONS.draw(random);
      change('paused', pausedAt, pauseReason, pauseNote);
      const resumeDay = addMonths(scheduled, random.int(1, 3));
      if (resumeDay >= end) return inForce(resumeDay);
      // The batch resumes it at 05:00 on the planned day and makes that day's delivery.
      change('active', resumeDay + 5 * HOUR_MS, null, null, BATCH_ACTOR);
      at = batchTime(random, resumeDay);
      anchor = tokyoDate(resumeDay).day;
      continue;
    }
    for (let row = 0; row < 2 && random.chance(model.skipPerDelivery); row++) {
      const skippedAt = someDayBefore(scheduled, 3, 10);
      if (skippedAt >= end) return inForce(scheduled);
      skip(skippedAt, scheduled);
      scheduled = nextDeliveryDay(params.cycle, anchor, scheduled);
    }
    if (scheduled >= end) return inForce(scheduled);
    at = batchTime(random, scheduled);
  }
}

/**
 * The delivery day after `day` (Tokyo midnights): `every` days later; `every` months later on
 * the anchor day of the month (the month's last day when shorter); or on day `every` of a
 * month, at least 20 days later.
 */
export function nextDeliveryDay(cycle: Cycle, anchor: number, day: number): number {
  if (cycle.unit === 'days') return day + cycle.every * DAY_MS;
  const { year, month } = tokyoDate(day);
  if (cycle.unit === 'months') return onDayOfMonth(year, month + cycle.every, anchor);
  const earliest = tokyoDate(day + 20 * DAY_MS);
  const candidate = onDayOfMonth(earliest.year, earliest.month, cycle.every);
  return candidate >= tokyoMidnight(day + 20 * DAY_MS) ? candidate : onDayOfMonth(earliest.year, earliest.month + 1, cycle.every);
}

/** The same day of the month `months` later (the month's last day when shorter). */
function addMonths(day: number, months: number): number {
  const { year, month, day: dom } = tokyoDate(day);
  return onDayOfMonth(year, month + months, dom);
}

/** Day `dom` of a month (which may overflow into later years), or the month's last day when shorter. */
function onDayOfMonth(year: number, month: number, dom: number): number {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return tokyoMs(year, month, Math.min(dom, lastDay));
}

/** The subscription batch creates orders between 05:00 and 06:00 Tokyo time. */
export function batchTime(random: Random, dayMs: number): number {
  return tokyoMidnight(dayMs) + 5 * HOUR_MS + random.int(0, 3599) * 1000;
}

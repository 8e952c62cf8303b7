/**
 * The behaviour model of the demo brand, one named parameter each. The defaults describe a
 * 定期 (subscription) aojiru brand: about 5 orders per customer over the two years, three
 * quarters of them subscription deliveries, with the steep drop at the 2nd and 3rd delivery
 * that Japanese 定期 brands see. Tests check the generated data against these values
 * (generate-demo-brand.test.ts, subscriptions.test.ts); docs/demo-brand.md lists them.
 */
export interface DemoModel {
  /** Leads (profiles that never bought) generated on top of the customers, as a share of them. */
  leadShare: number;
  /**
   * Share of customers who were already customers when the two-year history begins (the
   * brand is older than its export); the others arrive through the trial inside the window.
   */
  existingCustomerShare: number;
  /** Share of those existing customers who hold a subscription; the rest buy now and then. */
  existingSubscriberShare: number;
  /** Share of trial buyers who feel the effect by day 14 (the trial product's effect_share). */
  effectShare: number;
  /** After the trial: probability of starting the subscription, if the effect was felt or not. */
  subscribeIfFelt: number;
  subscribeIfNotFelt: number;
  /** Otherwise: probability of buying a single bottle instead, if the effect was felt or not. */
  singleIfFelt: number;
  singleIfNotFelt: number;
  /**
   * Days from the trial's delivery to the decision, around the day the trial product's effect
   * becomes clear (its effect_clear_days): [earliest, latest] relative to that day. The
   * step-up scenario is timed to the same day (seed 002: "約2週間後という最大限に効果を実感できるタイミング").
   */
  decisionAroundClearDay: readonly [number, number];
  /** Share of new customers who take out the subscription directly, without a trial. */
  directSubscriptionShare: number;
  /** Share of trial buyers who try the lactic acid supplement rather than the aojiru. */
  lacticTrialShare: number;
  /**
   * The hazard of cancelling after delivery k, h(k): the probability that a subscription with
   * exactly k deliveries is cancelled before delivery k + 1. `cancelHazards[k − 1]` for the
   * first deliveries (steep at the 2nd and 3rd delivery), then `cancelHazardLater` decaying by
   * `cancelHazardDecay` a delivery down to `cancelHazardFloor`. The generated 回数別継続率
   * rate(k) estimates 1 − h(k) (subscriptions.test.ts checks it).
   */
  cancelHazards: readonly number[];
  cancelHazardLater: number;
  cancelHazardDecay: number;
  cancelHazardFloor: number;
  /** How a cancellation comes about: after a pause, or after skipping a delivery; else directly. */
  cancelAfterPause: number;
  cancelAfterSkip: number;
  /** Per delivery of a subscription that continues: a skip of the next delivery (again with the same chance, twice at most), or a pause of one to three months. */
  skipPerDelivery: number;
  pausePerDelivery: number;
  /** After a cancellation: a new subscription (a new 定期番号) some months later. */
  resubscribe: number;
  /** Why subscribers cancel, by the delivery number they stop at: k ≤ 2, 3–5, and later. */
  cancelReasons: { early: CancelReasonWeights; middle: CancelReasonWeights; late: CancelReasonWeights };
  /**
   * Each customer's spend level is drawn from a gamma distribution of mean 1 and this shape
   * (coefficient of variation 1/√shape): it sets the course size, the add-ons and the quantities,
   * so the customers' mean spend differs as it does in a real brand.
   */
  spendLevelShape: number;
  /** After a single-bottle purchase: probability of buying another (once per purchase), and of switching to the subscription. */
  repeatSingle: number;
  switchToSubscription: number;
  /** Probability that a lapsed subscriber comes back for one bottle. */
  winBack: number;
  /** Probability, per gift season (お中元, お歳暮), that an active customer sends a gift set. */
  giftPerSeason: number;
  /**
   * Probability that a subscription delivery also carries an add-on, for a customer of spend
   * level 1 (it scales with the level): what makes one customer's deliveries differ in amount.
   */
  addOnPerDelivery: number;
  /** Orders after the first: share cancelled before shipping, share of delivered ones returned. */
  cancelRate: number;
  returnRate: number;
  /** Share of trial buyers answering the day-14 survey (felt the effect? satisfaction). */
  trialSurveyAnswerRate: number;
  /**
   * Complaints (support contacts of topic 'complaint'), the step-downs of the journey map:
   * per delivered order, a complaint about a late or damaged delivery or a wrong item; per
   * subscription cancelled, a complaint in the weeks before it (a double charge, a delivery
   * gone wrong: what often tips a subscriber into cancelling); and billing mistakes or an
   * unreachable call centre at `complaintsPerYear` per customer and year.
   */
  complaintPerDelivery: number;
  complaintBeforeCancel: number;
  complaintsPerYear: number;
  /** Yearly growth of new trial buyers. */
  growthPerYear: number;
}

export const DEFAULT_DEMO_MODEL: DemoModel = {
  leadShare: 0.25,
  existingCustomerShare: 0.45,
  existingSubscriberShare: 0.85,
  effectShare: 0.7,
  subscribeIfFelt: 0.5,
  subscribeIfNotFelt: 0.12,
  singleIfFelt: 0.3,
  singleIfNotFelt: 0.08,
  decisionAroundClearDay: [-3, 10],
  directSubscriptionShare: 0.15,
  lacticTrialShare: 0.2,
  cancelHazards: [0.25, 0.2, 0.12],
  cancelHazardLater: 0.05,
  cancelHazardDecay: 0.97,
  cancelHazardFloor: 0.025,
  cancelAfterPause: 0.12,
  cancelAfterSkip: 0.15,
  skipPerDelivery: 0.07,
  pausePerDelivery: 0.03,
  resubscribe: 0.1,
  cancelReasons: {
    early: { no_effect: 30, forgot_or_surplus: 16, price: 20, taste: 15, health: 5, moving: 2, switched: 6, achieved: 0, other: 6 },
    middle: { no_effect: 16, forgot_or_surplus: 30, price: 18, taste: 6, health: 7, moving: 4, switched: 8, achieved: 5, other: 6 },
    late: { no_effect: 7, forgot_or_surplus: 33, price: 14, taste: 3, health: 10, moving: 7, switched: 8, achieved: 11, other: 7 },
  },
  spendLevelShape: 3,
  repeatSingle: 0.45,
  switchToSubscription: 0.08,
  winBack: 0.12,
  giftPerSeason: 0.05,
  addOnPerDelivery: 0.22,
  cancelRate: 0.02,
  returnRate: 0.01,
  trialSurveyAnswerRate: 0.45,
  complaintPerDelivery: 0.004,
  complaintBeforeCancel: 0.15,
  complaintsPerYear: 0.008,
  growthPerYear: 0.15,
};

/** The cancellation reasons the demo draws: the built-in codes of issue 11. */
export const DEMO_CANCEL_REASONS = ['forgot_or_surplus', 'no_effect', 'price', 'taste', 'moving', 'health', 'switched', 'achieved', 'other'] as const;
export type DemoCancelReason = (typeof DEMO_CANCEL_REASONS)[number];
export type CancelReasonWeights = Record<DemoCancelReason, number>;

/**
 * h(k): the probability that a subscription with exactly k deliveries (k ≥ 1) is cancelled
 * before its next one.
 *
 *   cancelHazard(DEFAULT_DEMO_MODEL, 1); // 0.25: a quarter stop before the 2nd delivery
 *   cancelHazard(DEFAULT_DEMO_MODEL, 4); // 0.05
 */
export function cancelHazard(model: DemoModel, deliveries: number): number {
  const listed = model.cancelHazards[deliveries - 1];
  if (listed !== undefined) return listed;
  const later = deliveries - model.cancelHazards.length - 1;
  return Math.max(model.cancelHazardFloor, model.cancelHazardLater * model.cancelHazardDecay ** later);
}

/** The reason weights for a stop at delivery k. */
export function cancelReasonWeights(model: DemoModel, deliveries: number): CancelReasonWeights {
  return deliveries <= 2 ? model.cancelReasons.early : deliveries <= 5 ? model.cancelReasons.middle : model.cancelReasons.late;
}

/** Parameters that are not probabilities (every other number is, and is checked to lie in [0, 1]). */
const NOT_PROBABILITIES = new Set(['decisionAroundClearDay', 'growthPerYear', 'leadShare', 'cancelReasons', 'spendLevelShape', 'complaintsPerYear']);

export function demoModel(overrides: Partial<DemoModel> = {}): DemoModel {
  const model = { ...DEFAULT_DEMO_MODEL, ...overrides };
  for (const [name, value] of Object.entries(model)) {
    if (NOT_PROBABILITIES.has(name)) continue;
    for (const probability of Array.isArray(value) ? value : [value]) {
      if (typeof probability === 'number' && !(probability >= 0 && probability <= 1))
        throw new RangeError(`DemoModel.${name} must be a probability in [0, 1], got ${probability}`);
    }
  }
  if (!(model.spendLevelShape > 0)) throw new RangeError(`DemoModel.spendLevelShape must be positive, got ${model.spendLevelShape}`);
  if (!(model.complaintsPerYear >= 0)) throw new RangeError(`DemoModel.complaintsPerYear must be a rate ≥ 0, got ${model.complaintsPerYear}`);
  return model;
}

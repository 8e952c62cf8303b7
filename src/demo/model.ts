/**
 * The behaviour model of the demo brand, one named parameter each. The defaults describe a
 * subscription-heavy aojiru brand: about 9 orders per customer over the two years, most of
 * them monthly subscription deliveries. Tests check the generated data against these values.
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
  /** Days from the trial's delivery to the decision (uniform). */
  decisionDays: readonly [number, number];
  /** Probability of cancelling the subscription after delivery k: k ≤ 2, 3–5, and later. */
  churnEarly: number;
  churnMiddle: number;
  churnLate: number;
  /** After a single-bottle purchase: probability of buying another (once per purchase), and of switching to the subscription. */
  repeatSingle: number;
  switchToSubscription: number;
  /** Probability that a lapsed subscriber comes back for one bottle. */
  winBack: number;
  /** Probability, per gift season (お中元, お歳暮), that an active customer sends a gift set. */
  giftPerSeason: number;
  /** Probability that a subscription delivery also carries the lactic acid supplement. */
  crossSellPerDelivery: number;
  /** Orders after the first: share cancelled before shipping, share of delivered ones returned. */
  cancelRate: number;
  returnRate: number;
  /** Share of trial buyers answering the day-14 survey (felt the effect? satisfaction). */
  trialSurveyAnswerRate: number;
  /** Yearly growth of new trial buyers. */
  growthPerYear: number;
}

export const DEFAULT_DEMO_MODEL: DemoModel = {
  leadShare: 0.25,
  existingCustomerShare: 0.45,
  existingSubscriberShare: 0.72,
  effectShare: 0.7,
  subscribeIfFelt: 0.5,
  subscribeIfNotFelt: 0.12,
  singleIfFelt: 0.3,
  singleIfNotFelt: 0.08,
  decisionDays: [10, 25],
  churnEarly: 0.12,
  churnMiddle: 0.06,
  churnLate: 0.025,
  repeatSingle: 0.45,
  switchToSubscription: 0.08,
  winBack: 0.12,
  giftPerSeason: 0.05,
  crossSellPerDelivery: 0.05,
  cancelRate: 0.02,
  returnRate: 0.01,
  trialSurveyAnswerRate: 0.45,
  growthPerYear: 0.15,
};

/** The churn hazard after the k-th subscription delivery (k from 1). */
export function churnHazard(model: DemoModel, deliveries: number): number {
  if (deliveries <= 2) return model.churnEarly;
  if (deliveries <= 5) return model.churnMiddle;
  return model.churnLate;
}

export function demoModel(overrides: Partial<DemoModel> = {}): DemoModel {
  const model = { ...DEFAULT_DEMO_MODEL, ...overrides };
  for (const [name, value] of Object.entries(model)) {
    if (name === 'decisionDays' || name === 'growthPerYear' || name === 'leadShare') continue;
    if (typeof value === 'number' && !(value >= 0 && value <= 1)) throw new RangeError(`DemoModel.${name} must be a probability in [0, 1], got ${value}`);
  }
  return model;
}

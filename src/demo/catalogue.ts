/**
 * The fictional brand the demo generates: 「みのり青汁本舗」, a Japanese mail-order maker of
 * aojiru (green juice) and supplements that grows through a ¥980 trial and lives on its
 * monthly subscription (定期便). Any resemblance to a real company is accidental.
 */
export const DEMO_BRAND = {
  name: 'みのり青汁本舗',
  nameEn: 'Minori Aojiru Honpo',
  /** Mail domains are from the reserved example.* names, so no real inbox is ever addressed. */
  mailDomains: [
    ['example.jp', 40],
    ['example.ne.jp', 25],
    ['example.com', 20],
    ['example.or.jp', 5],
    ['example.co.jp', 10],
  ] as const,
} as const;

export interface DemoProduct {
  key: ProductKey;
  sku: string;
  name: string;
  category: string;
  price: number;
  isSubscription: boolean;
  /** A trial product (お試し): a first purchase of one starts the step-up analysis. */
  isTrial: boolean;
  effect: { firstFeelingDays: number; clearDays: number; share: number } | null;
  attributes: Record<string, unknown>;
}

export type ProductKey = 'trial' | 'subscription' | 'single' | 'lactic' | 'gift' | 'shaker' | 'lacticTrial' | 'lacticSubscription';

/**
 * The catalogue. A trial's effect timeline is the one the step-up scenario is timed to: for the
 * aojiru, first feeling after ~3 days, a clear effect at day 14, felt by `effectShare` of users
 * (0.7 by default, see DemoModel); for the lactic acid supplement 7 and 21 days, 55 %.
 * Products added later come last, so the positions of the first six never change.
 */
export function demoProducts(effectShare: number): DemoProduct[] {
  const aojiruEffect = { firstFeelingDays: 3, clearDays: 14, share: effectShare };
  const lacticEffect = { firstFeelingDays: 7, clearDays: 21, share: LACTIC_EFFECT_SHARE };
  return [
    {
      key: 'trial',
      sku: 'MNR-AOJ-TRIAL14',
      name: 'みのり青汁 お試し14日分',
      category: '青汁',
      price: 980,
      isSubscription: false,
      isTrial: true,
      effect: aojiruEffect,
      attributes: { servings: 14, limit_per_customer: 1, role: 'trial' },
    },
    {
      key: 'subscription',
      sku: 'MNR-AOJ-SUB30',
      name: 'みのり青汁 定期便 30日分（毎月お届け）',
      category: '青汁',
      price: 3980,
      isSubscription: true,
      isTrial: false,
      effect: aojiruEffect,
      attributes: { servings: 30, interval_days: 30, discount_rate: 0.2, role: 'subscription' },
    },
    {
      key: 'single',
      sku: 'MNR-AOJ-30',
      name: 'みのり青汁 30日分',
      category: '青汁',
      price: 4980,
      isSubscription: false,
      isTrial: false,
      effect: aojiruEffect,
      attributes: { servings: 30, role: 'single' },
    },
    {
      key: 'lactic',
      sku: 'MNR-LAC-30',
      name: 'みのり乳酸菌サプリ 30日分',
      category: 'サプリメント',
      price: 2980,
      isSubscription: false,
      isTrial: false,
      effect: lacticEffect,
      attributes: { servings: 30, role: 'cross_sell' },
    },
    {
      key: 'gift',
      sku: 'MNR-GIFT-SET',
      name: 'みのり青汁 ギフトセット（30日分×2・のし対応）',
      category: 'ギフト',
      price: 9800,
      isSubscription: false,
      isTrial: false,
      effect: null,
      attributes: { servings: 60, wrapping: true, role: 'gift' },
    },
    {
      key: 'shaker',
      sku: 'MNR-GOODS-SHAKER',
      name: '専用シェイカー',
      category: 'グッズ',
      price: 550,
      isSubscription: false,
      isTrial: false,
      effect: null,
      attributes: { role: 'goods', free_with_first_subscription: true },
    },
    {
      key: 'lacticTrial',
      sku: 'MNR-LAC-TRIAL21',
      name: 'みのり乳酸菌サプリ お試し21日分',
      category: 'サプリメント',
      price: 1280,
      isSubscription: false,
      isTrial: true,
      effect: lacticEffect,
      attributes: { servings: 21, limit_per_customer: 1, role: 'trial' },
    },
    {
      key: 'lacticSubscription',
      sku: 'MNR-LAC-SUB30',
      name: 'みのり乳酸菌サプリ 定期便 30日分',
      category: 'サプリメント',
      price: 2480,
      isSubscription: true,
      isTrial: false,
      effect: lacticEffect,
      attributes: { servings: 30, interval_days: 30, discount_rate: 0.17, role: 'subscription' },
    },
  ];
}

/** Share of users who feel the lactic acid supplement's effect (its effect_share). */
export const LACTIC_EFFECT_SHARE = 0.55;

export const PRODUCT_INDEX: Record<ProductKey, number> = {
  trial: 0,
  subscription: 1,
  single: 2,
  lactic: 3,
  gift: 4,
  shaker: 5,
  lacticTrial: 6,
  lacticSubscription: 7,
};

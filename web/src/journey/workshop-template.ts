import type { Condition, JourneyMap } from './journey-map-types.ts';

/**
 * The map a workspace without one starts from: the staircase the workshop usually draws, five
 * stages (認知 → 初回購入 → 実感 → 定期継続 → 日常化) by four affinity levels (無関心 → 関心 →
 * 信頼 → ファン), with rules that read only facts every brand has (purchases, the 定期, email
 * opens), so a preview works before anyone has named a product. Names come in the console's
 * language; the team renames and rewrites everything in the workshop.
 */

const STAGE_KEYS = ['awareness', 'first_purchase', 'effect_felt', 'subscribed', 'habit'] as const;
const STAGE_RULES: Array<Condition | undefined> = [
  undefined,
  { fact: 'purchase_count', op: '>=', value: 1 },
  { fact: 'days_since_first_purchase', op: '>=', value: 14 },
  { fact: 'subscription_status', in: ['active', 'paused'] },
  { fact: 'subscription_deliveries', op: '>=', value: 6 },
];

const LEVEL_KEYS = ['indifferent', 'interested', 'trust', 'fan'] as const;
const LEVEL_RULES: Array<Condition | undefined> = [
  undefined,
  { fact: 'events', type: 'email_open', withinDays: 30 },
  { fact: 'purchase_count', op: '>=', value: 2 },
  {
    all: [
      { fact: 'purchase_count', op: '>=', value: 5 },
      { fact: 'days_since_last_purchase', op: '<=', value: 60 },
    ],
  },
];

export interface TemplateWords {
  name: string;
  stages: readonly string[];
  levels: readonly string[];
}

export function templateMap(words: TemplateWords): JourneyMap {
  const item = (key: string, name: string | undefined, rule: Condition | undefined) => ({ key, name: name ?? key, ...(rule && { rule }) });
  return {
    name: words.name,
    goal: '',
    stages: STAGE_KEYS.map((key, i) => item(key, words.stages[i], STAGE_RULES[i])),
    levels: LEVEL_KEYS.map((key, i) => item(key, words.levels[i], LEVEL_RULES[i])),
    cells: [],
  };
}

/**
 * The named RFM segments: one table, read top to bottom. A customer belongs to the first
 * segment whose rule holds; the last rule has no condition, so every customer is in exactly
 * one segment. Rules test the 1–5 scores (R, F, M), for 新規 the number of purchases itself
 * (a one-time buyer's F score depends on how many one-time buyers there are, while "bought
 * once" is what 新規 means), and for 離反 the churn status.
 *
 * One rule for 離反: the segment 離反 is exactly the churn list of the same date (churn.ts: no
 * purchase for more than the churn window and no subscription in force), so a customer is
 * 離反 on the RFM page if and only if the churn page lists them, and never 優良 there. The
 * recency score is relative (R = 1 is the fifth of customers silent the longest, whatever the
 * window), so it only names the segment *at risk* (離反予備): silent long compared with the
 * others, but not churned by the rule (within the window, or a subscriber).
 */
export type RfmSegmentCode = 'churned' | 'at_risk' | 'new' | 'loyal' | 'stable';

/** Inclusive bounds. */
export interface Bounds {
  min: number;
  max: number;
}

/** A segment's conditions; all must hold. */
export interface SegmentRule {
  recencyScore?: Bounds;
  frequencyScore?: Bounds;
  monetaryScore?: Bounds;
  /** The frequency value: purchases before the date. */
  purchases?: Bounds;
  /** The churn status of churn.ts as of the date. */
  churned?: boolean;
}

export interface RfmSegment {
  code: RfmSegmentCode;
  ja: string;
  en: string;
  /** One line: who they are and what the brand does with them. */
  meaning: string;
  rule: SegmentRule;
}

export const RFM_SEGMENTS: readonly RfmSegment[] = [
  {
    code: 'churned',
    ja: '離反',
    en: 'Churned',
    rule: { churned: true },
    meaning: 'Churned by the churn rule: no purchase for more than the churn window and no subscription in force; the churn page lists exactly them.',
  },
  {
    code: 'at_risk',
    ja: '離反予備',
    en: 'At risk',
    rule: { recencyScore: { min: 1, max: 2 } },
    meaning: 'R ≤ 2 but not churned: silent long compared with the other customers, yet within the churn window or a subscriber; the win-back target.',
  },
  {
    code: 'new',
    ja: '新規',
    en: 'New',
    rule: { purchases: { min: 1, max: 1 } },
    meaning: 'One purchase so far, recent enough (R ≥ 3); the F2 conversion target.',
  },
  {
    code: 'loyal',
    ja: '優良',
    en: 'Loyal',
    rule: { recencyScore: { min: 4, max: 5 }, frequencyScore: { min: 4, max: 5 } },
    meaning: 'R ≥ 4 and F ≥ 4: recent, frequent repeat buyers; the core to keep.',
  },
  {
    code: 'stable',
    ja: '安定',
    en: 'Stable',
    rule: {},
    meaning: 'The rest: repeat buyers, recent enough (R ≥ 3), not at the top of both R and F.',
  },
];

/** The values a rule is tested on, for one customer. */
export interface SegmentInputs {
  recencyScore: number;
  frequencyScore: number;
  monetaryScore: number;
  purchases: number;
  churned: boolean;
}

const RULE_KEYS = ['recencyScore', 'frequencyScore', 'monetaryScore', 'purchases'] as const;

/** The segment of one customer. */
export function segmentOf(inputs: SegmentInputs): RfmSegment {
  const holds = (rule: SegmentRule) =>
    (rule.churned === undefined || rule.churned === inputs.churned) &&
    RULE_KEYS.every((key) => {
      const bounds = rule[key];
      return bounds === undefined || (inputs[key] >= bounds.min && inputs[key] <= bounds.max);
    });
  return RFM_SEGMENTS.find((segment) => holds(segment.rule))!;
}

/** SQL: the segment code of a row, from the SQL text of its scores, purchases and churn status (boolean); the same table as segmentOf. */
export function segmentSql(columns: Record<keyof SegmentInputs, string>): string {
  const branches = RFM_SEGMENTS.map((segment) => {
    const churned = segment.rule.churned === undefined ? [] : [`${segment.rule.churned ? '' : 'not '}${columns.churned}`];
    const conditions = churned.concat(
      RULE_KEYS.flatMap((key) => {
        const bounds = segment.rule[key];
        return bounds === undefined ? [] : [`${columns[key]} between ${bounds.min} and ${bounds.max}`];
      }),
    );
    return `when ${conditions.length === 0 ? 'true' : conditions.join(' and ')} then '${segment.code}'`;
  });
  return `(case ${branches.join(' ')} end)`;
}

import type { Normalized } from '../shared/normalize.ts';
import type { CycleUnit } from '../shared/vocabulary.ts';

/**
 * A subscription's delivery cycle (お届けサイクル): every N days, every N months, or monthly on
 * a day of the month. Back offices write it in words (「30日ごと」「1ヶ月ごと」「隔月」「毎月15日」);
 * the API takes the same words, the English forms ("every 30 days", "every 2 months",
 * "monthly on day 15") or the object itself ({"unit": "days", "every": 30}).
 */
export interface Cycle {
  unit: CycleUnit;
  /** Days (1–365), months (1–12), or the day of the month (1–31; 31 is the month's last day). */
  every: number;
}

export const CYCLE_LIMITS: Record<CycleUnit, { min: number; max: number }> = {
  days: { min: 1, max: 365 },
  months: { min: 1, max: 12 },
  day_of_month: { min: 1, max: 31 },
};

const KANJI_DIGITS: Record<string, string> = { 一: '1', 二: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9', 十: '10' };

/** The spellings, after NFKC, lower case and without spaces, each with the cycle it means. */
const PATTERNS: { pattern: RegExp; cycle: (n: number) => Cycle }[] = [
  // 30日ごと, 30日毎, 30日おき, 30日サイクル, 30日周期, every 30 days, 30 days, 30d
  { pattern: /^(?:every)?(\d{1,3})(?:日(?:ごと|毎|おき|サイクル|周期|間隔)?|days?|d)$/, cycle: (n) => ({ unit: 'days', every: n }) },
  // 2週間ごと, 2週ごと, every 2 weeks, 2w
  { pattern: /^(?:every)?(\d{1,2})(?:週間?(?:ごと|毎|おき|サイクル|周期)?|weeks?|w)$/, cycle: (n) => ({ unit: 'days', every: n * 7 }) },
  // 1ヶ月ごと, 1か月毎, 1カ月, 2ヵ月おき, 1月ごと, every 2 months, 2 months, 2m
  { pattern: /^(?:every)?(\d{1,2})(?:[ヶかカヵケ]?月(?:ごと|毎|おき|サイクル|周期)?|months?|m)$/, cycle: (n) => ({ unit: 'months', every: n }) },
  // 毎月15日, 毎月15日お届け, monthly on day 15, monthly on the 15th, day 15, 15th
  { pattern: /^(?:毎月|monthlyon(?:day|the)?|day)(\d{1,2})(?:日(?:お届け|発送)?|st|nd|rd|th)?$/, cycle: (n) => ({ unit: 'day_of_month', every: n }) },
  { pattern: /^(\d{1,2})(?:st|nd|rd|th)$/, cycle: (n) => ({ unit: 'day_of_month', every: n }) },
];

const WORDS: Record<string, Cycle> = {
  毎月: { unit: 'months', every: 1 },
  月1回: { unit: 'months', every: 1 },
  monthly: { unit: 'months', every: 1 },
  everymonth: { unit: 'months', every: 1 },
  隔月: { unit: 'months', every: 2 },
  bimonthly: { unit: 'months', every: 2 },
  毎週: { unit: 'days', every: 7 },
  weekly: { unit: 'days', every: 7 },
  everyweek: { unit: 'days', every: 7 },
  隔週: { unit: 'days', every: 14 },
  biweekly: { unit: 'days', every: 14 },
  毎月末: { unit: 'day_of_month', every: 31 },
  毎月末日: { unit: 'day_of_month', every: 31 },
  月末: { unit: 'day_of_month', every: 31 },
  monthlyonthelastday: { unit: 'day_of_month', every: 31 },
  lastdayofthemonth: { unit: 'day_of_month', every: 31 },
  endofmonth: { unit: 'day_of_month', every: 31 },
};

/** A cycle from its words: 「30日ごと」「1ヶ月ごと」「2ヶ月ごと」「毎月15日」「隔月」, "every 30 days", "monthly on day 15"… */
export function parseCycle(input: string): Normalized<Cycle> {
  const key = input
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-・]+/g, '')
    .replace(/[一二三四五六七八九十]/g, (kanji) => KANJI_DIGITS[kanji]!);
  const word = WORDS[key];
  if (word) return { ok: true, value: word };
  for (const { pattern, cycle } of PATTERNS) {
    const match = pattern.exec(key);
    if (match) return checkCycle(cycle(Number(match[1])), input);
  }
  return {
    ok: false,
    reason: `not a delivery cycle: "${input.length > 40 ? `${input.slice(0, 40)}…` : input}" (use e.g. 30日ごと, 1ヶ月ごと, 2ヶ月ごと, 毎月15日, "every 30 days")`,
    code: 'invalid_cycle',
  };
}

/** A cycle whose number is in its unit's range, or why not. */
export function checkCycle(cycle: Cycle, written = describeCycle(cycle, 'en')): Normalized<Cycle> {
  const { min, max } = CYCLE_LIMITS[cycle.unit];
  if (Number.isInteger(cycle.every) && cycle.every >= min && cycle.every <= max) return { ok: true, value: cycle };
  const what = cycle.unit === 'days' ? 'days' : cycle.unit === 'months' ? 'months' : 'the day of the month';
  return { ok: false, reason: `the cycle "${written}" is out of range: ${what} must be from ${min} to ${max}`, code: 'invalid_cycle' };
}

/** The cycle in words: 「30日ごと」「2ヶ月ごと」「毎月15日」, or "every 30 days", "every 2 months", "monthly on day 15". */
export function describeCycle(cycle: Cycle, language: 'ja' | 'en'): string {
  if (language === 'ja') {
    if (cycle.unit === 'days') return `${cycle.every}日ごと`;
    if (cycle.unit === 'months') return `${cycle.every}ヶ月ごと`;
    return cycle.every === 31 ? '毎月末日' : `毎月${cycle.every}日`;
  }
  if (cycle.unit === 'days') return cycle.every === 1 ? 'every day' : `every ${cycle.every} days`;
  if (cycle.unit === 'months') return cycle.every === 1 ? 'every month' : `every ${cycle.every} months`;
  return cycle.every === 31 ? 'monthly on the last day' : `monthly on day ${cycle.every}`;
}

/** The cycle's length in days, approximately (a month is 30.4375 days): for expected gaps between deliveries. */
export function cycleDays(cycle: Cycle): number {
  return cycle.unit === 'days' ? cycle.every : cycle.unit === 'months' ? cycle.every * 30.4375 : 30.4375;
}

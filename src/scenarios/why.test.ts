import { describe, expect, it } from 'vitest';
import { checkMessage } from '../charter/check-message.ts';
import { DEMO_CHARTER } from '../demo/demo-charter.ts';
import type { Timing } from './interpreter.ts';
import type { TriggerRecord } from './runtime/enrollments.ts';
import { durationInWords, heldInWords, type Why, type WhyNames, whyInWords, whyInWordsHeld } from './why.ts';

const AT = '2026-06-01T01:00:00.000Z';
const ORDER: TriggerRecord = { kind: 'order', ref: 'O-1', at: AT, orderId: '1', sku: 'MNR-AOJ-TRIAL14' };
const NAMES: WhyNames = {
  scenarioName: 'お試し後のご案内',
  products: { 'MNR-AOJ-TRIAL14': 'みのり青汁 お試し14日分' },
  stages: { trial: 'お試し' },
  levels: { interested: '関心' },
};
const why = (timing: Timing, trigger: TriggerRecord = ORDER): Why => ({
  scenarioId: '1',
  key: 'trial_follow_up',
  version: 1,
  stepId: 'hello',
  trigger,
  timing,
});
const effect = (point: 'delivered' | 'first_feeling' | 'clear', days: number): Timing => ({
  kind: 'effect',
  point,
  offsetDays: 0,
  sku: 'MNR-AOJ-TRIAL14',
  productName: 'みのり青汁 お試し14日分',
  deliveredAt: AT,
  days,
});

/** Every timing kind, in Japanese and English (the wording table of docs/scenarios.md). */
const CASES: Array<[string, Why, WhyNames, string, string]> = [
  [
    'trigger (order)',
    why({ kind: 'trigger', at: AT }),
    NAMES,
    'みのり青汁 お試し14日分をご注文いただいた方にお送りしています。「お試し後のご案内」のご案内です。',
    'We are sending you this because you ordered みのり青汁 お試し14日分. It is part of "お試し後のご案内".',
  ],
  [
    'trigger (cell entered)',
    why({ kind: 'trigger', at: AT }, { kind: 'cell_entered', ref: 'trial/interested', at: AT }),
    NAMES,
    'お客様とのお付き合いが「お試し・関心」になられた方にお送りしています。「お試し後のご案内」のご案内です。',
    'We are sending you this because your relationship with us reached "お試し / 関心". It is part of "お試し後のご案内".',
  ],
  [
    'after (from the trigger)',
    why({ kind: 'after', minutes: 2 * 1440, since: AT }),
    NAMES,
    'みのり青汁 お試し14日分をご注文いただいてから2日後の方にお送りしています。「お試し後のご案内」のご案内です。',
    'We are sending you this because 2 days have passed since you ordered みのり青汁 お試し14日分. It is part of "お試し後のご案内".',
  ],
  [
    'after (a later wait)',
    why({ kind: 'after', minutes: 16 * 1440, since: '2026-06-15T23:00:00.000Z' }),
    NAMES,
    '前回のご案内から16日後の方にお送りしています。「お試し後のご案内」のご案内です。',
    'We are sending you this because 16 days have passed since our previous message. It is part of "お試し後のご案内".',
  ],
  [
    'local_time',
    why({ kind: 'local_time', time: '17:00', weekdays: null }),
    NAMES,
    'みのり青汁 お試し14日分をご注文いただいた方へ、17:00にお送りしています。「お試し後のご案内」のご案内です。',
    'We are sending you this because you ordered みのり青汁 お試し14日分 (sent at 17:00). It is part of "お試し後のご案内".',
  ],
  [
    'effect (clear)',
    why(effect('clear', 14)),
    NAMES,
    'みのり青汁 お試し14日分をお届けしてから14日目の方にお送りしています。「お試し後のご案内」のご案内です。',
    'We are sending you this because it is day 14 since みのり青汁 お試し14日分 was delivered to you. It is part of "お試し後のご案内".',
  ],
  [
    // The point is not named (「効果がはっきりする頃」 is a 薬機法 efficacy claim for a health food): the day is.
    'effect (first feeling)',
    why(effect('first_feeling', 3)),
    NAMES,
    'みのり青汁 お試し14日分をお届けしてから3日目の方にお送りしています。「お試し後のご案内」のご案内です。',
    'We are sending you this because it is day 3 since みのり青汁 お試し14日分 was delivered to you. It is part of "お試し後のご案内".',
  ],
  [
    'effect (delivered)',
    why(effect('delivered', 0)),
    NAMES,
    'みのり青汁 お試し14日分をお届けした日の方にお送りしています。「お試し後のご案内」のご案内です。',
    'We are sending you this because みのり青汁 お試し14日分 was delivered to you today. It is part of "お試し後のご案内".',
  ],
  [
    'event',
    why({ kind: 'event', type: 'email_click', ref: 'e-1' }),
    NAMES,
    'メール内のリンクをクリックされた方にお送りしています。「お試し後のご案内」のご案内です。',
    'We are sending you this because you clicked a link in our email. It is part of "お試し後のご案内".',
  ],
  [
    'timeout',
    why({ kind: 'timeout', type: 'email_open', minutes: 3 * 1440 }),
    NAMES,
    '3日のあいだメールの開封がなかった方にお送りしています。「お試し後のご案内」のご案内です。',
    'We are sending you this because we saw no opened email from you in 3 days. It is part of "お試し後のご案内".',
  ],
  [
    'no names loaded',
    why({ kind: 'trigger', at: AT }),
    {},
    'MNR-AOJ-TRIAL14をご注文いただいた方にお送りしています。「trial_follow_up」のご案内です。',
    'We are sending you this because you ordered MNR-AOJ-TRIAL14. It is part of "trial_follow_up".',
  ],
];

describe('whyInWords', () => {
  it.each(CASES)('%s', (_name, reason, names, ja, en) => {
    expect(whyInWords(reason, names, 'ja')).toBe(ja);
    expect(whyInWords(reason, names, 'en')).toBe(en);
  });

  it('names durations in days, hours and minutes', () => {
    expect(durationInWords(1440 + 180, 'ja')).toBe('1日と3時間');
    expect(durationInWords(30, 'ja')).toBe('30分');
    expect(durationInWords(60, 'en')).toBe('1 hour');
    expect(durationInWords(2 * 1440 + 1, 'en')).toBe('2 days and 1 minute');
  });

  it("speaks in the charter's voice: the Japanese passes the demo charter's checker without errors or warnings", async () => {
    for (const [name, reason, names] of CASES) {
      const result = await checkMessage(DEMO_CHARTER, { body: whyInWords(reason, names, 'ja'), format: 'text', channel: 'email', department: 'marketing' });
      expect({ name, findings: result.findings.filter((finding) => finding.severity !== 'info') }).toEqual({ name, findings: [] });
    }
  }, 60_000);

  it('adds what the contact rules did to a message they moved, in the customer’s terms, and passes the demo charter', async () => {
    const [, reason, names, ja, en] = CASES[0]!;
    expect(whyInWordsHeld(reason, names, 'ja', 'quiet_hours')).toBe(`${ja}夜間や休日のご連絡を控えるため、お送りする時刻を調整しました。`);
    expect(whyInWordsHeld(reason, names, 'en', 'cap')).toBe(`${en} We moved it so that it would not follow another message too closely.`);
    expect(whyInWordsHeld(reason, names, 'ja', null)).toBe(ja);
    expect(whyInWordsHeld(reason, names, 'ja', 'complaint')).toBe(ja);
    for (const kind of ['cap', 'quiet_hours', 'do_not_contact']) {
      const result = await checkMessage(DEMO_CHARTER, { body: heldInWords(kind, 'ja')!, format: 'text', channel: 'email', department: 'marketing' });
      expect({ kind, findings: result.findings.filter((finding) => finding.severity !== 'info') }).toEqual({ kind, findings: [] });
    }
  }, 60_000);
});

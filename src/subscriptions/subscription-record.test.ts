import { describe, expect, it } from 'vitest';
import { checkCycle, cycleDays, describeCycle, parseCycle } from './cycle.ts';
import { subscriptionRecordSchema, subscriptionStatusLabel } from './subscription-record.ts';

const schema = subscriptionRecordSchema('Asia/Tokyo');

describe('delivery cycles as back offices write them', () => {
  it.each([
    ['30日ごと', { unit: 'days', every: 30 }],
    ['３０日毎', { unit: 'days', every: 30 }],
    ['45日おき', { unit: 'days', every: 45 }],
    ['1ヶ月ごと', { unit: 'months', every: 1 }],
    ['1か月毎', { unit: 'months', every: 1 }],
    ['2ヶ月ごと', { unit: 'months', every: 2 }],
    ['２カ月ごと', { unit: 'months', every: 2 }],
    ['三ヶ月ごと', { unit: 'months', every: 3 }],
    ['隔月', { unit: 'months', every: 2 }],
    ['毎月', { unit: 'months', every: 1 }],
    ['毎月15日', { unit: 'day_of_month', every: 15 }],
    ['毎月１５日お届け', { unit: 'day_of_month', every: 15 }],
    ['毎月末日', { unit: 'day_of_month', every: 31 }],
    ['2週間ごと', { unit: 'days', every: 14 }],
    ['every 30 days', { unit: 'days', every: 30 }],
    ['Every 2 months', { unit: 'months', every: 2 }],
    ['monthly', { unit: 'months', every: 1 }],
    ['monthly on day 5', { unit: 'day_of_month', every: 5 }],
    ['monthly on the 21st', { unit: 'day_of_month', every: 21 }],
  ])('%s', (words, cycle) => {
    expect(parseCycle(words)).toEqual({ ok: true, value: cycle });
  });

  it.each(['毎月32日', '0日ごと', '13ヶ月ごと', '400日ごと', 'ときどき', '', '30'])('refuses %j with the reason', (words) => {
    const parsed = parseCycle(words);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.code).toBe('invalid_cycle');
  });

  it('describes a cycle in both languages, and the words read back as the same cycle', () => {
    for (const cycle of [
      { unit: 'days', every: 30 },
      { unit: 'months', every: 2 },
      { unit: 'day_of_month', every: 15 },
      { unit: 'day_of_month', every: 31 },
    ] as const) {
      for (const language of ['ja', 'en'] as const) expect(parseCycle(describeCycle(cycle, language))).toEqual({ ok: true, value: cycle });
    }
    expect(describeCycle({ unit: 'months', every: 1 }, 'ja')).toBe('1ヶ月ごと');
    expect(cycleDays({ unit: 'months', every: 2 })).toBeCloseTo(60.875);
    expect(checkCycle({ unit: 'months', every: 13 }).ok).toBe(false);
  });
});

describe('status words', () => {
  it.each([
    ['継続中', 'active'],
    ['休止中', 'paused'],
    ['解約', 'cancelled'],
    ['停止', 'cancelled'],
    ['Active', 'active'],
    ['canceled', 'cancelled'],
  ])('%s → %s', (word, status) => expect(subscriptionStatusLabel(word)).toBe(status));

  it('passes an unknown word through for the schema to refuse by name', () => {
    expect(subscriptionStatusLabel('保留')).toBe('保留');
    const result = schema.safeParse({ ...valid(), status: subscriptionStatusLabel('保留') });
    expect(result.success).toBe(false);
  });
});

function valid() {
  return { subscription_id: 'T-1', customer_id: 'C-1', sku: 'AOJIRU-30', cycle: '1ヶ月ごと', status: 'active', started_at: '2026-01-05' };
}

describe('the subscription record', () => {
  it('reads a CSV-like record: one sku becomes the single item; counts default to 0', () => {
    const record = schema.parse({ ...valid(), next_delivery_on: '2026/2/5', deliveries: '３' });
    expect(record.items).toEqual([{ sku: 'AOJIRU-30', quantity: 1 }]);
    expect(record.cycle).toEqual({ unit: 'months', every: 1 });
    expect(record.deliveries).toBe(3);
    expect(record.skips).toBe(0);
    expect(record.next_delivery_on).toBe('2026-02-05');
    expect(record.started_at.toISOString()).toBe('2026-01-04T15:00:00.000Z');
  });

  it('takes the cycle as an object and several items', () => {
    const { sku: _sku, ...rest } = valid();
    const record = schema.parse({
      ...rest,
      cycle: { unit: 'days', every: 45 },
      items: [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ],
    });
    expect(record.cycle).toEqual({ unit: 'days', every: 45 });
    expect(record.items).toHaveLength(2);
  });

  const refusals: [string, Record<string, unknown>, string][] = [
    ['a negative count', { deliveries: -1 }, 'deliveries'],
    ['a next delivery before the start', { next_delivery_on: '2026-01-01' }, 'next_delivery_on'],
    ['a cancellation without its date', { status: 'cancelled' }, 'cancelled_at'],
    ['a cancellation date on a running subscription', { cancelled_at: '2026-03-01' }, 'cancelled_at'],
    ['a cancellation before the start', { status: 'cancelled', cancelled_at: '2025-12-01' }, 'cancelled_at'],
    ['no product', { sku: undefined }, 'sku'],
    ['an unknown cycle', { cycle: 'そのうち' }, 'cycle'],
    ['a cycle object out of range', { cycle: { unit: 'day_of_month', every: 40 } }, 'cycle'],
  ];
  it.each(refusals)('refuses %s, naming the field', (_what, change, field) => {
    const result = schema.safeParse({ ...valid(), ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });
});

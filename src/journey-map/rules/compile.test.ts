import { describe, expect, it } from 'vitest';
import type { Condition, JourneyMap, PropertyTest } from '../model.ts';
import { compileCondition, compileMap, emptyNeeds, mergeNeeds, placeFacts } from './compile.ts';
import type { CatalogueProduct, CustomerFacts } from './facts.ts';
import { eventNeed, productNeed } from './selection.ts';

const TODAY = 20_000;

const catalogue: CatalogueProduct[] = [
  { id: '11', sku: 'AOJIRU-30', category: 'aojiru', effectFirstFeelingDays: 14, effectClearDays: 60 },
  { id: '12', sku: 'AOJIRU-90', category: 'aojiru', effectFirstFeelingDays: null, effectClearDays: 90 },
  { id: '2', sku: 'CUP', category: null, effectFirstFeelingDays: null, effectClearDays: null },
];

function facts(overrides: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    customerId: '1',
    lifecycle: 'lead',
    purchaseCount: 0,
    totalSpend: 0,
    firstPurchaseDay: null,
    lastPurchaseDay: null,
    products: {},
    subscription: { state: 'none', deliveries: 0, startedDay: null },
    events: {},
    rfmSegment: null,
    pAlive: null,
    attributes: {},
    ...overrides,
  };
}

const holds = (condition: Condition, customer: CustomerFacts) => compileCondition(condition, catalogue).holds(customer, TODAY);

describe('compileCondition: numeric facts', () => {
  const buyer = facts({
    lifecycle: 'customer',
    purchaseCount: 3,
    totalSpend: 12_000,
    firstPurchaseDay: TODAY - 100,
    lastPurchaseDay: TODAY - 10,
    subscription: { state: 'active', deliveries: 4, startedDay: TODAY - 30 },
    pAlive: 0.75,
  });

  it.each([
    ['purchase_count', '=', 3, true],
    ['purchase_count', '!=', 3, false],
    ['purchase_count', '<', 3, false],
    ['purchase_count', '<=', 3, true],
    ['purchase_count', '>', 2, true],
    ['purchase_count', '>=', 4, false],
    ['total_spend', '>=', 12_000, true],
    ['total_spend', '>', 12_000, false],
    ['days_since_first_purchase', '=', 100, true],
    ['days_since_last_purchase', '<=', 10, true],
    ['days_since_last_purchase', '<', 10, false],
    ['subscription_deliveries', '>=', 4, true],
    ['subscription_deliveries', '>', 4, false],
    ['days_since_subscription_started', '=', 30, true],
    ['p_alive', '>', 0.7, true],
    ['p_alive', '<', 0.75, false],
  ] as const)('%s %s %s → %s', (fact, op, value, expected) => {
    expect(holds({ fact, op, value }, buyer)).toBe(expected);
  });

  it('a fact with no value makes every comparison false, and not inverts that', () => {
    const lead = facts();
    for (const op of ['=', '!=', '<', '<=', '>', '>='] as const) {
      expect(holds({ fact: 'days_since_last_purchase', op, value: 5 }, lead)).toBe(false);
      expect(holds({ fact: 'days_since_first_purchase', op, value: 5 }, lead)).toBe(false);
      expect(holds({ fact: 'days_since_subscription_started', op, value: 5 }, lead)).toBe(false);
      expect(holds({ fact: 'p_alive', op, value: 0.5 }, lead)).toBe(false);
      expect(holds({ not: { fact: 'p_alive', op, value: 0.5 } }, lead)).toBe(true);
    }
    // Counts have a value (zero) even without purchases.
    expect(holds({ fact: 'purchase_count', op: '=', value: 0 }, lead)).toBe(true);
    expect(holds({ fact: 'subscription_deliveries', op: '<', value: 1 }, lead)).toBe(true);
  });
});

describe('compileCondition: the other facts', () => {
  it('lifecycle and subscription_status test membership', () => {
    const customer = facts({ lifecycle: 'customer', subscription: { state: 'paused', deliveries: 2, startedDay: TODAY - 5 } });
    expect(holds({ fact: 'lifecycle', in: ['customer'] }, customer)).toBe(true);
    expect(holds({ fact: 'lifecycle', in: ['lead'] }, customer)).toBe(false);
    expect(holds({ fact: 'subscription_status', in: ['active', 'paused'] }, customer)).toBe(true);
    expect(holds({ fact: 'subscription_status', in: ['none'] }, customer)).toBe(false);
    expect(holds({ fact: 'subscription_status', in: ['none'] }, facts())).toBe(true);
  });

  it('bought reads the purchases of the resolved selection; without op it means at least one', () => {
    const aojiru = productNeed({ categories: ['aojiru'] }, catalogue);
    expect(aojiru).toEqual({ key: 'p:11,12', productIds: ['11', '12'] });
    // The same products named by SKU share the key.
    expect(productNeed({ products: ['AOJIRU-90', 'AOJIRU-30'] }, catalogue).key).toBe('p:11,12');
    const customer = facts({ products: { 'p:11,12': { purchases: 2, firstDeliveredDay: TODAY - 40, lastDeliveredDay: TODAY - 3 } } });
    expect(holds({ fact: 'bought', categories: ['aojiru'] }, customer)).toBe(true);
    expect(holds({ fact: 'bought', products: ['AOJIRU-30', 'AOJIRU-90'], op: '>=', value: 2 }, customer)).toBe(true);
    expect(holds({ fact: 'bought', categories: ['aojiru'], op: '>', value: 2 }, customer)).toBe(false);
    // Absent from facts.products = never bought: zero purchases.
    expect(holds({ fact: 'bought', products: ['CUP'] }, customer)).toBe(false);
    expect(holds({ fact: 'bought', products: ['CUP'], op: '=', value: 0 }, customer)).toBe(true);
  });

  it('days_since_delivered uses the last delivery by default, the first when asked, and effect points', () => {
    const customer = facts({ products: { 'p:11': { purchases: 2, firstDeliveredDay: TODAY - 20, lastDeliveredDay: TODAY - 3 } } });
    expect(holds({ fact: 'days_since_delivered', products: ['AOJIRU-30'], op: '=', value: 3 }, customer)).toBe(true);
    expect(holds({ fact: 'days_since_delivered', products: ['AOJIRU-30'], which: 'first', op: '=', value: 20 }, customer)).toBe(true);
    // first_feeling of AOJIRU-30 is 14 days: 20 >= 14 holds, 3 >= 14 does not.
    const felt = { effect: 'first_feeling' } as const;
    expect(holds({ fact: 'days_since_delivered', products: ['AOJIRU-30'], which: 'first', op: '>=', value: felt }, customer)).toBe(true);
    expect(holds({ fact: 'days_since_delivered', products: ['AOJIRU-30'], op: '>=', value: felt }, customer)).toBe(false);
    // 14 − 12 = 2: 3 >= 2 holds. clear (60) + 0: 20 < 60 holds.
    expect(holds({ fact: 'days_since_delivered', products: ['AOJIRU-30'], op: '>=', value: { effect: 'first_feeling', offsetDays: -12 } }, customer)).toBe(
      true,
    );
    expect(holds({ fact: 'days_since_delivered', products: ['AOJIRU-30'], which: 'first', op: '<', value: { effect: 'clear' } }, customer)).toBe(true);
    // No delivery yet: no value.
    const undelivered = facts({ products: { 'p:11': { purchases: 1, firstDeliveredDay: null, lastDeliveredDay: null } } });
    expect(holds({ fact: 'days_since_delivered', products: ['AOJIRU-30'], op: '>=', value: 0 }, undelivered)).toBe(false);
    // An effect point the product lacks (AOJIRU-90 has no first_feeling) holds for nobody.
    const other = facts({ products: { 'p:12': { purchases: 1, firstDeliveredDay: TODAY - 100, lastDeliveredDay: TODAY - 100 } } });
    expect(holds({ fact: 'days_since_delivered', products: ['AOJIRU-90'], op: '>=', value: felt }, other)).toBe(false);
    expect(holds({ fact: 'days_since_delivered', products: ['AOJIRU-90'], op: '>=', value: { effect: 'clear' } }, other)).toBe(true);
  });

  it('events count by their need key; without op it means at least one', () => {
    const complaint: PropertyTest = { property: 'topic', op: '=', value: 'complaint' };
    const lowScore: PropertyTest = { property: 'score', op: '<=', value: 3 };
    const condition = { fact: 'events', type: 'support_contact', where: [complaint, lowScore], withinDays: 30 } satisfies Condition;
    const need = eventNeed(condition);
    // The order of the tests does not change the key.
    expect(eventNeed({ ...condition, where: [lowScore, complaint] }).key).toBe(need.key);
    expect(eventNeed({ ...condition, withinDays: 31 }).key).not.toBe(need.key);
    expect(holds(condition, facts({ events: { [need.key]: 2 } }))).toBe(true);
    expect(holds(condition, facts())).toBe(false);
    expect(holds({ ...condition, op: '>=', value: 3 }, facts({ events: { [need.key]: 2 } }))).toBe(false);
    expect(holds({ ...condition, op: '=', value: 0 }, facts())).toBe(true);
  });

  it('rfm_segment tests membership; no segment holds no membership', () => {
    expect(holds({ fact: 'rfm_segment', in: ['new', 'loyal'] }, facts({ rfmSegment: 'loyal' }))).toBe(true);
    expect(holds({ fact: 'rfm_segment', in: ['new'] }, facts({ rfmSegment: 'loyal' }))).toBe(false);
    expect(holds({ fact: 'rfm_segment', in: ['new'] }, facts())).toBe(false);
  });

  it('attribute: exists by default; strings as text, numbers and booleans by type; in; != needs presence', () => {
    const customer = facts({ attributes: { plan: 'gold', age: 42, newsletter: true, cleared: null, code: 7 } });
    expect(holds({ fact: 'attribute', name: 'plan' }, customer)).toBe(true);
    expect(holds({ fact: 'attribute', name: 'missing', op: 'exists' }, customer)).toBe(false);
    expect(holds({ fact: 'attribute', name: 'cleared' }, customer)).toBe(false);
    expect(holds({ fact: 'attribute', name: 'plan', op: '=', value: 'gold' }, customer)).toBe(true);
    expect(holds({ fact: 'attribute', name: 'plan', op: '<', value: 'silver' }, customer)).toBe(true);
    expect(holds({ fact: 'attribute', name: 'age', op: '>=', value: 40 }, customer)).toBe(true);
    // A string value compares a number's text; a number value does not match a string.
    expect(holds({ fact: 'attribute', name: 'code', op: '=', value: '7' }, customer)).toBe(true);
    expect(holds({ fact: 'attribute', name: 'plan', op: '!=', value: 3 }, customer)).toBe(false);
    expect(holds({ fact: 'attribute', name: 'newsletter', op: '=', value: true }, customer)).toBe(true);
    expect(holds({ fact: 'attribute', name: 'newsletter', op: '!=', value: true }, customer)).toBe(false);
    expect(holds({ fact: 'attribute', name: 'plan', op: 'in', value: ['silver', 'gold'] }, customer)).toBe(true);
    expect(holds({ fact: 'attribute', name: 'age', op: 'in', value: ['42', 41] }, customer)).toBe(true);
    expect(holds({ fact: 'attribute', name: 'age', op: 'in', value: [41, 43] }, customer)).toBe(false);
    // != holds only when present and different; a missing or null property fails every test.
    expect(holds({ fact: 'attribute', name: 'plan', op: '!=', value: 'silver' }, customer)).toBe(true);
    expect(holds({ fact: 'attribute', name: 'missing', op: '!=', value: 'silver' }, customer)).toBe(false);
    expect(holds({ fact: 'attribute', name: 'cleared', op: '!=', value: 'silver' }, customer)).toBe(false);
    expect(holds({ not: { fact: 'attribute', name: 'missing', op: '=', value: 'silver' } }, customer)).toBe(true);
  });

  it('all, any and not combine', () => {
    const customer = facts({ lifecycle: 'customer', purchaseCount: 2, pAlive: 0.2 });
    const two: Condition = { fact: 'purchase_count', op: '>=', value: 2 };
    const likelyAlive: Condition = { fact: 'p_alive', op: '>=', value: 0.5 };
    expect(holds({ all: [two, likelyAlive] }, customer)).toBe(false);
    expect(holds({ all: [two, { not: likelyAlive }] }, customer)).toBe(true);
    expect(holds({ any: [two, likelyAlive] }, customer)).toBe(true);
    expect(holds({ any: [likelyAlive, { fact: 'lifecycle', in: ['lead'] }] }, customer)).toBe(false);
    expect(holds({ not: { any: [likelyAlive, { fact: 'lifecycle', in: ['lead'] }] } }, customer)).toBe(true);
  });
});

describe('needs', () => {
  it('are collected from every node and merged without duplicates', () => {
    const { needs } = compileCondition(
      {
        all: [
          { fact: 'bought', categories: ['aojiru'] },
          { fact: 'days_since_delivered', products: ['AOJIRU-30', 'AOJIRU-90'], op: '>', value: 3 },
          {
            any: [
              { fact: 'events', type: 'email_open', withinDays: 7 },
              { fact: 'events', type: 'email_open', withinDays: 7, op: '>=', value: 2 },
            ],
          },
          { not: { fact: 'attribute', name: 'vip' } },
          { fact: 'attribute', name: 'vip', op: '=', value: true },
          { fact: 'lifecycle', in: ['customer'] },
        ],
      },
      catalogue,
    );
    expect(needs).toEqual({
      purchases: true,
      products: [{ key: 'p:11,12', productIds: ['11', '12'] }],
      subscriptions: false,
      events: [{ key: 'e:{"type":"email_open","where":[],"withinDays":7}', type: 'email_open', where: [], withinDays: 7 }],
      rfm: false,
      pAlive: false,
      attributes: ['vip'],
    });
    expect(compileCondition({ fact: 'subscription_status', in: ['active'] }, catalogue).needs).toEqual({ ...emptyNeeds(), subscriptions: true });
    expect(compileCondition({ fact: 'rfm_segment', in: ['loyal'] }, catalogue).needs).toEqual({ ...emptyNeeds(), rfm: true });
    expect(compileCondition({ fact: 'p_alive', op: '>', value: 0.5 }, catalogue).needs).toEqual({ ...emptyNeeds(), pAlive: true });
    expect(mergeNeeds({ ...emptyNeeds(), attributes: ['a'] }, { ...emptyNeeds(), attributes: ['a', 'b'], rfm: true })).toEqual({
      ...emptyNeeds(),
      attributes: ['a', 'b'],
      rfm: true,
    });
  });
});

describe('compileMap and placeFacts', () => {
  const map: JourneyMap = {
    name: 'test',
    goal: '',
    stages: [
      { key: 'aware', name: '認知' },
      { key: 'first', name: '初回購入', rule: { fact: 'purchase_count', op: '>=', value: 1 } },
      { key: 'repeat', name: '継続', rule: { fact: 'purchase_count', op: '>=', value: 3 } },
    ],
    levels: [
      { key: 'cold', name: '無関心' },
      { key: 'warm', name: '関心', rule: { fact: 'events', type: 'page_view', withinDays: 30 } },
      { key: 'fan', name: 'ファン', rule: { fact: 'attribute', name: 'ambassador' } },
    ],
    cells: [],
  };
  const compiled = compileMap(map, catalogue);
  const pageViews = eventNeed({ type: 'page_view', withinDays: 30 }).key;

  it('compiles the first stage and lowest level to null and merges every rule’s needs', () => {
    expect(compiled.stages.map((s) => [s.key, s.holds === null])).toEqual([
      ['aware', true],
      ['first', false],
      ['repeat', false],
    ]);
    expect(compiled.levels[0]!.holds).toBeNull();
    expect(compiled.needs.purchases).toBe(true);
    expect(compiled.needs.events.map((e) => e.key)).toEqual([pageViews]);
    expect(compiled.needs.attributes).toEqual(['ambassador']);
  });

  it('places at the highest stage and level whose rule holds, even when a lower one does not', () => {
    expect(placeFacts(compiled, facts(), TODAY, -1)).toEqual({ stage: 0, level: 0 });
    expect(placeFacts(compiled, facts({ purchaseCount: 1, events: { [pageViews]: 1 } }), TODAY, -1)).toEqual({ stage: 1, level: 1 });
    // The fan rule holds without the warm one: highest wins.
    expect(placeFacts(compiled, facts({ purchaseCount: 4, attributes: { ambassador: 'yes' } }), TODAY, -1)).toEqual({ stage: 2, level: 2 });
  });

  it('never places below the stored stage (irreversible) but lets the level fall (reversible)', () => {
    // Reached "repeat" before; the purchases were since returned and the page views are old.
    expect(placeFacts(compiled, facts({ purchaseCount: 1 }), TODAY, 2)).toEqual({ stage: 2, level: 0 });
    // A stored stage lower than the rule's stage does not hold the customer back.
    expect(placeFacts(compiled, facts({ purchaseCount: 3 }), TODAY, 1)).toEqual({ stage: 2, level: 0 });
    expect(placeFacts(compiled, facts(), TODAY, 0)).toEqual({ stage: 0, level: 0 });
  });
});

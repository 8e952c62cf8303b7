import type { Condition } from './journey-map-types.ts';

export type ExampleName = 'trial' | 'repeat' | 'subscribed' | 'feltEffect' | 'opened' | 'complaint' | 'loyal' | 'silent' | 'notCancelled';

/** The insertable examples; their JSON is the vocabulary's own, shown as inserted. */
export const RULE_EXAMPLES: ReadonlyArray<{ name: ExampleName; rule: Condition }> = [
  { name: 'trial', rule: { fact: 'bought', categories: ['お試し'] } },
  { name: 'repeat', rule: { fact: 'purchase_count', op: '>=', value: 2 } },
  { name: 'subscribed', rule: { fact: 'subscription_status', in: ['active'] } },
  { name: 'feltEffect', rule: { fact: 'days_since_delivered', categories: ['お試し'], which: 'first', op: '>=', value: 14 } },
  { name: 'opened', rule: { fact: 'events', type: 'email_open', withinDays: 30 } },
  { name: 'complaint', rule: { fact: 'events', type: 'support_contact', where: [{ property: 'topic', op: '=', value: 'complaint' }], withinDays: 90 } },
  { name: 'loyal', rule: { fact: 'rfm_segment', in: ['loyal', 'stable'] } },
  { name: 'silent', rule: { fact: 'days_since_last_purchase', op: '>', value: 90 } },
  { name: 'notCancelled', rule: { not: { fact: 'subscription_status', in: ['cancelled'] } } },
];

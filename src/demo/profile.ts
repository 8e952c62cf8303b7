import type { Lifecycle } from '../db/schema.ts';
import { broadcastCalendar, drawEvents, type BroadcastCalendar, type DemoEvent } from './behaviour-events.ts';
import { acquisitionDays, formatDate, timeOnDay, type DemoWindow } from './calendar.ts';
import { demoProducts, type DemoProduct } from './catalogue.ts';
import { drawContact, type DemoContact, type LeadSource } from './contact.ts';
import type { DemoModel } from './model.ts';
import { drawPerson, type DemoPerson } from './person.ts';
import { simulatePurchases, type DemoOrder, type DemoSubscription, type HistoryContext } from './purchase-history.ts';
import { Random, STREAM, Weighted } from './random.ts';

/** Everything the generator writes for one profile (customer or lead). */
export interface DemoProfile {
  index: number;
  externalId: string;
  lifecycle: Lifecycle;
  person: DemoPerson;
  /** Leads from a newsletter form gave no name, birth date or address. */
  hasName: boolean;
  hasBirthDate: boolean;
  hasPrefecture: boolean;
  attributes: Record<string, unknown>;
  /**
   * The first purchase ever: the trial, or for an existing customer the day before the window
   * when they first bought (attributes.customer_since), which the history does not contain.
   */
  becameCustomerAt: number | null;
  createdAt: number;
  updatedAt: number;
  contact: DemoContact;
  orders: DemoOrder[];
  /** Every subscription the customer took out (also those that ended before the window). */
  subscriptions: DemoSubscription[];
  events: DemoEvent[];
  summary: PurchaseSummary;
}

/** The purchase summary columns, defined as in orders/customer-stats.ts. */
export interface PurchaseSummary {
  count: number;
  total: number;
  firstAt: number | null;
  lastAt: number | null;
}

/** What all profiles of one generation share. */
export interface DemoPlan {
  seed: number;
  customers: number;
  leads: number;
  model: DemoModel;
  window: DemoWindow;
  products: DemoProduct[];
  history: HistoryContext;
  broadcasts: BroadcastCalendar;
}

export function demoPlan(params: { seed: number; customers: number; model: DemoModel; window: DemoWindow }): DemoPlan {
  const { seed, customers, model, window } = params;
  const products = demoProducts(model.effectShare);
  return {
    seed,
    customers,
    model,
    window,
    products,
    leads: Math.round(customers * model.leadShare),
    history: { model, window, products, acquisitionDays: acquisitionDays(window, model.growthPerYear) },
    broadcasts: broadcastCalendar(window),
  };
}

const LEAD_SOURCES = Weighted.of<LeadSource>([
  ['sample_request', 30],
  ['newsletter', 35],
  ['line_friend', 20],
  ['campaign', 15],
]);
const ACQUISITION_SOURCES = {
  web: Weighted.of([
    ['web_ad', 45],
    ['search', 25],
    ['instagram', 18],
    ['referral', 12],
  ]),
  line: Weighted.of([
    ['line_ad', 70],
    ['instagram', 20],
    ['referral', 10],
  ]),
  phone: Weighted.of([
    ['tv', 50],
    ['newspaper', 35],
    ['radio', 15],
  ]),
  store: Weighted.of([['store', 100]]),
  other: Weighted.of([
    ['newspaper', 60],
    ['catalog', 40],
  ]),
} as const;

/** External ids are zero-padded so that they sort in generation order (cheap index appends). */
export function profileExternalId(index: number): string {
  return `C${String(index + 1).padStart(8, '0')}`;
}

/**
 * The profile at position `index`: customers are positions [0, customers), leads follow.
 * Pure: the same plan and index always give the same profile.
 */
export function generateProfile(plan: DemoPlan, index: number): DemoProfile {
  const { seed, window } = plan;
  const personRandom = Random.for(seed, index, STREAM.person);
  const person = drawPerson(personRandom, index, window, plan.customers + plan.leads);
  const externalId = profileExternalId(index);
  if (index < plan.customers) {
    const history = simulatePurchases(
      Random.for(seed, index, STREAM.orders),
      plan.history,
      person,
      personRandom.chance(plan.model.existingCustomerShare),
      externalId,
    );
    const registeredAt = history.customerSince;
    const contact = drawContact(Random.for(seed, index, STREAM.contact), { person, registeredAt, endMs: window.endMs });
    const events = drawEvents(Random.for(seed, index, STREAM.events), {
      person,
      registeredAt,
      contact,
      history,
      complaints: { random: Random.for(seed, index, STREAM.complaints), model: plan.model },
      window,
      broadcasts: plan.broadcasts,
      trialSurveyAnswerRate: plan.model.trialSurveyAnswerRate,
    });
    const summary = summarize(history.orders);
    const attributes: Record<string, unknown> = { acquisition_source: ACQUISITION_SOURCES[person.channel].draw(personRandom) };
    if (history.existing) attributes.customer_since = formatDate(history.customerSince);
    return {
      index,
      externalId,
      lifecycle: 'customer',
      person,
      hasName: true,
      hasBirthDate: personRandom.chance(0.93),
      hasPrefecture: true,
      attributes,
      becameCustomerAt: history.customerSince,
      createdAt: registeredAt,
      updatedAt: Math.max(registeredAt, summary.lastAt ?? registeredAt),
      contact,
      orders: history.orders,
      subscriptions: history.subscriptions,
      events,
      summary,
    };
  }
  const leadSource = LEAD_SOURCES.draw(personRandom);
  const registeredAt = timeOnDay(personRandom, plan.history.acquisitionDays.draw(personRandom), 'online');
  const contact = drawContact(Random.for(seed, index, STREAM.contact), { person, registeredAt, endMs: window.endMs, leadSource });
  const events = drawEvents(Random.for(seed, index, STREAM.events), {
    person,
    registeredAt,
    contact,
    leadSource,
    window,
    broadcasts: plan.broadcasts,
    trialSurveyAnswerRate: plan.model.trialSurveyAnswerRate,
  });
  return {
    index,
    externalId,
    lifecycle: 'lead',
    person,
    hasName: leadSource !== 'newsletter',
    hasBirthDate: leadSource === 'campaign',
    hasPrefecture: leadSource === 'sample_request' || leadSource === 'campaign',
    attributes: { lead_source: leadSource },
    becameCustomerAt: null,
    createdAt: registeredAt,
    updatedAt: registeredAt,
    contact,
    orders: [],
    subscriptions: [],
    events,
    summary: { count: 0, total: 0, firstAt: null, lastAt: null },
  };
}

function summarize(orders: readonly DemoOrder[]): PurchaseSummary {
  const summary: PurchaseSummary = { count: 0, total: 0, firstAt: null, lastAt: null };
  for (const order of orders) {
    if (order.status === 'cancelled' || order.status === 'returned') continue;
    summary.count++;
    summary.total += order.amount;
    if (summary.firstAt === null || order.orderedAt < summary.firstAt) summary.firstAt = order.orderedAt;
    if (summary.lastAt === null || order.orderedAt > summary.lastAt) summary.lastAt = order.orderedAt;
  }
  return summary;
}

import { STANDARD_EVENT_TYPES } from '../events/event-types.ts';
import { DAY_MS, formatDate, HOUR_MS, MINUTE_MS, timeOnDay, tokyoDate, tokyoMidnight, tokyoMs, type DemoWindow } from './calendar.ts';
import { drawComplaints, type ComplaintModel } from './complaints.ts';
import { isGrantedAt, type DemoContact, type LeadSource } from './contact.ts';
import type { DemoPerson } from './person.ts';
import type { DemoSubscription, PurchaseHistory } from './purchase-history.ts';
import { describeCycle } from '../subscriptions/cycle.ts';
import type { Random } from './random.ts';

/** Every event type the demo generates (the journey map's rules name only these): the standard ones. */
export const DEMO_EVENT_TYPES = STANDARD_EVENT_TYPES;
export type DemoEventType = (typeof DEMO_EVENT_TYPES)[number];

export interface DemoEvent {
  type: DemoEventType;
  occurredAt: number;
  /** The properties as JSON text. */
  properties: string;
  /**
   * The idempotency key, when the event has one of its own: a subscription's status change
   * `subscription:<定期番号>:<status>:<ISO time>` or skip `subscription:<定期番号>:skip:<n>`, the
   * keys the intake gives them. Other events are numbered per profile when written.
   */
  key?: string;
}

interface Send {
  at: number;
  campaign: string;
}

/** What the brand sends everybody, the same for all profiles: newsletters, campaigns, LINE broadcasts, NPS surveys. */
export interface BroadcastCalendar {
  emails: Send[];
  lineBroadcasts: Send[];
  npsSurveys: Send[];
}

export function broadcastCalendar(window: DemoWindow): BroadcastCalendar {
  const emails: Send[] = [];
  const lineBroadcasts: Send[] = [];
  const npsSurveys: Send[] = [];
  const first = tokyoDate(window.startMs);
  for (let m = 0; m < 26; m++) {
    const year = first.year + Math.floor((first.month - 1 + m) / 12);
    const month = ((first.month - 1 + m) % 12) + 1;
    const tag = `${year}-${String(month).padStart(2, '0')}`;
    emails.push({ at: tokyoMs(year, month, 10, 12), campaign: `newsletter-${tag}` });
    if (month === 1) emails.push({ at: tokyoMs(year, 1, 2, 10), campaign: `new-year-${year}` });
    if (month === 7) emails.push({ at: tokyoMs(year, 7, 1, 10), campaign: `summer-${year}` });
    if (month === 12) emails.push({ at: tokyoMs(year, 12, 1, 10), campaign: `year-end-${year}` });
    lineBroadcasts.push({ at: tokyoMs(year, month, 20, 19), campaign: `line-${tag}` });
    if (month === 11) npsSurveys.push({ at: tokyoMs(year, 11, 15, 10), campaign: `nps-${year}` });
  }
  const inWindow = (send: Send) => send.at >= window.startMs && send.at < window.endMs;
  return {
    emails: emails.filter(inWindow).sort((a, b) => a.at - b.at),
    lineBroadcasts: lineBroadcasts.filter(inWindow),
    npsSurveys: npsSurveys.filter(inWindow),
  };
}

export interface EventParams {
  person: DemoPerson;
  registeredAt: number;
  contact: DemoContact;
  /** Customers only. */
  history?: PurchaseHistory;
  /** Customers only: their complaints, from a stream of their own (see drawComplaints). */
  complaints?: { random: Random; model: ComplaintModel };
  /** Leads only. */
  leadSource?: LeadSource;
  window: DemoWindow;
  broadcasts: BroadcastCalendar;
  trialSurveyAnswerRate: number;
}

type Engagement = 'subscriber' | 'recent' | 'lapsed' | 'new_lead' | 'old_lead';

const BROWSE_PATHS = ['/', '/mypage', '/products/aojiru-30', '/columns/aojiru-recipe', '/voice', '/faq', '/products/lactic-30', '/columns/morning-habit'];
const SUPPORT_TOPICS = ['delivery', 'how_to_use', 'billing', 'change_address', 'skip_delivery', 'product_question'];

/**
 * Behavioural events of one profile, sorted by time, all inside the window: site visits
 * (before online orders, and browsing at a rate that follows engagement), email opens and
 * clicks of newsletters sent under marketing consent, LINE messages, support contacts
 * (cancellations, returns, questions, complaints) and survey answers (day-14 trial survey
 * with the felt effect, yearly NPS).
 */
export function drawEvents(random: Random, params: EventParams): DemoEvent[] {
  const { window, history, person } = params;
  const events: DemoEvent[] = [];
  const device = random.chance(person.age < 50 ? 0.82 : 0.62) ? 'smartphone' : random.chance(0.85) ? 'pc' : 'tablet';
  const push = (type: DemoEventType, occurredAt: number, properties: Record<string, unknown>, key?: string) => {
    if (occurredAt >= window.startMs && occurredAt < window.endMs)
      events.push({ type, occurredAt, properties: JSON.stringify(properties), ...(key ? { key } : {}) });
  };
  const engagement = (at: number): Engagement => {
    if (!history) return at - params.registeredAt < 60 * DAY_MS ? 'new_lead' : 'old_lead';
    if (history.subscriptions.some((s) => s.startedAt <= at && (s.endedAt === null || s.endedAt > at))) return 'subscriber';
    return history.orders.some((o) => o.orderedAt <= at && o.orderedAt > at - 120 * DAY_MS) ? 'recent' : 'lapsed';
  };

  // Site visits: the pages seen just before an online order, and browsing month by month.
  if (params.leadSource) push('page_view', params.registeredAt - random.int(1, 20) * MINUTE_MS, { path: '/lp/aojiru-trial', device });
  for (const order of history?.orders ?? []) {
    if (order.kind === 'subscription' || (order.channel !== 'web' && order.channel !== 'line')) continue;
    const path = order.kind === 'trial' ? '/lp/aojiru-trial' : order.kind === 'gift' ? '/products/gift-set' : '/products/aojiru-30';
    push('page_view', order.orderedAt - random.int(3, 30) * MINUTE_MS, { path, device });
    if (random.chance(0.6)) push('page_view', order.orderedAt - random.int(1, 2) * MINUTE_MS, { path: '/cart', device });
  }
  const browseRate: Record<Engagement, number> = { subscriber: 0.3, recent: 0.35, lapsed: 0.06, new_lead: 0.9, old_lead: 0.12 };
  for (let slot = Math.max(window.startMs, params.registeredAt); slot < window.endMs; slot += 30 * DAY_MS) {
    const visits = random.poisson(browseRate[engagement(slot)]);
    for (let i = 0; i < visits; i++) {
      push('page_view', timeOnDay(random, tokyoMidnight(slot + random.int(0, 29) * DAY_MS), 'online'), { path: random.pick(BROWSE_PATHS), device });
    }
  }

  // Email opens and clicks, only for sends made while marketing email was consented.
  const emailMarketing = params.contact.consents.find((c) => c.channel === 'email' && c.purpose === 'marketing');
  const openRate: Record<Engagement, number> = { subscriber: 0.32, recent: 0.26, lapsed: 0.1, new_lead: 0.3, old_lead: 0.12 };
  for (const send of params.broadcasts.emails) {
    if (send.at < params.registeredAt || !isGrantedAt(emailMarketing, send.at) || !random.chance(openRate[engagement(send.at)])) continue;
    const openedAt = send.at + Math.min(Math.round(random.exponential(6 * HOUR_MS)), 3 * DAY_MS);
    push('email_open', openedAt, { campaign: send.campaign, device });
    if (random.chance(0.18)) push('email_click', openedAt + random.int(5, 600) * 1000, { campaign: send.campaign, url: random.pick(BROWSE_PATHS) });
  }

  // LINE: replies, stamps and rich-menu taps after the monthly broadcast.
  const lineMarketing = params.contact.consents.find((c) => c.channel === 'line' && c.purpose === 'marketing');
  for (const send of params.broadcasts.lineBroadcasts) {
    if (!isGrantedAt(lineMarketing, send.at) || !random.chance(0.07)) continue;
    push('line_message', send.at + Math.round(random.exponential(2 * HOUR_MS)), {
      campaign: send.campaign,
      kind: random.pick(['text', 'stamp', 'rich_menu_tap', 'rich_menu_tap']),
    });
  }

  if (history) customerEvents(random, params, history, push);
  if (history && params.complaints) {
    const { random: complaintRandom, model } = params.complaints;
    drawComplaints(complaintRandom, { history, window, model, push: (at, properties) => push('support_contact', at, properties) });
  }
  return events.sort((a, b) => a.occurredAt - b.occurredAt);
}

type Push = (type: DemoEventType, occurredAt: number, properties: Record<string, unknown>, key?: string) => void;

function customerEvents(random: Random, params: EventParams, history: PurchaseHistory, push: Push): void {
  const { window } = params;
  const via = () => (random.chance(0.7) ? 'phone' : random.chance(0.65) ? 'email' : 'chat');
  for (const subscription of history.subscriptions) {
    subscriptionTimeline(subscription, push);
    if (subscription.endedAt !== null && random.chance(0.65)) push('support_contact', subscription.endedAt, { topic: 'cancel_subscription', via: via() });
  }
  for (const order of history.orders) {
    if (order.status === 'returned')
      push('support_contact', order.deliveredAt! + random.int(1, 3) * DAY_MS + random.int(9, 18) * HOUR_MS, { topic: 'return', via: via() });
  }
  const from = Math.max(window.startMs, history.customerSince);
  const questions = random.poisson((0.015 * (window.endMs - from)) / (30 * DAY_MS));
  for (let i = 0; i < questions; i++) {
    push('support_contact', timeOnDay(random, tokyoMidnight(random.between(from, window.endMs)), 'office'), { topic: random.pick(SUPPORT_TOPICS), via: via() });
  }

  const trial = history.trial;
  if (trial && random.chance(params.trialSurveyAnswerRate)) {
    // Asked on the day the trial product's effect should be clear: trial_day14 for the aojiru.
    const satisfaction = trial.feltEffect ? random.int(4, 5) : random.int(1, 3);
    push('survey_answer', trial.deliveredAt + (trial.clearDays + random.int(0, 3)) * DAY_MS + random.int(0, 12) * HOUR_MS, {
      survey: `trial_day${trial.clearDays}`,
      felt_effect: trial.feltEffect,
      satisfaction,
    });
  }
  for (const survey of params.broadcasts.npsSurveys) {
    const subscribed = history.subscriptions.some((s) => s.startedAt <= survey.at && (s.endedAt === null || s.endedAt > survey.at));
    if (survey.at < history.customerSince || !random.chance(subscribed ? 0.15 : 0.05)) continue;
    const score = subscribed ? Math.min(10, random.int(6, 10) + (random.chance(0.3) ? 1 : 0)) : random.int(2, 8);
    push('survey_answer', survey.at + Math.round(random.exponential(DAY_MS)), { survey: survey.campaign, score });
  }
}

/**
 * A subscription's status changes and skips as timeline events, with the properties the
 * intake gives them (subscription_id, course, deliveries, reason, note) and its keys. The first
 * change is the start; an 'active' change after a pause is a resumption.
 */
function subscriptionTimeline(subscription: DemoSubscription, push: Push): void {
  const id = subscription.externalId;
  const course = subscription.course.name;
  subscription.changes.forEach((change, position) => {
    const type: DemoEventType =
      change.status === 'cancelled'
        ? 'subscription_cancelled'
        : change.status === 'paused'
          ? 'subscription_paused'
          : position === 0
            ? 'subscription_started'
            : 'subscription_resumed';
    const properties: Record<string, unknown> = { subscription_id: id, course, deliveries: change.deliveries };
    if (type === 'subscription_started') properties.cycle = describeCycle(subscription.cycle, 'ja');
    if (change.reason !== null) properties.reason = change.reason;
    if (change.note !== null) properties.note = change.note;
    push(type, change.at, properties, `subscription:${id}:${change.status}:${new Date(change.at).toISOString()}`);
  });
  for (const skip of subscription.skipped) {
    push(
      'subscription_skipped',
      skip.at,
      { subscription_id: id, course, deliveries: skip.deliveries, skips: skip.number, skipped_on: formatDate(skip.day) },
      `subscription:${id}:skip:${skip.number}`,
    );
  }
}

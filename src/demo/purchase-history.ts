import type { OrderChannel, OrderStatus } from '../db/schema.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, timeOnDay, tokyoDate, tokyoMidnight, tokyoMs, type DemoWindow, type DayClock } from './calendar.ts';
import { PRODUCT_INDEX, type DemoProduct } from './catalogue.ts';
import { churnHazard, type DemoModel } from './model.ts';
import type { DemoPerson } from './person.ts';
import type { DemoStore } from './places.ts';
import type { Random, Weighted } from './random.ts';

export type OrderKind = 'trial' | 'subscription' | 'single' | 'gift';

export interface DemoOrderItem {
  product: number;
  quantity: number;
  unitPrice: number;
}

export interface DemoOrder {
  kind: OrderKind;
  orderedAt: number;
  channel: OrderChannel;
  store: DemoStore | null;
  status: OrderStatus;
  deliveredAt: number | null;
  updatedAt: number;
  items: DemoOrderItem[];
  /** Σ quantity × unit price and Σ quantity, as stored on the order. */
  amount: number;
  itemCount: number;
}

export interface DemoSubscription {
  startedAt: number;
  /** When the customer cancelled; null while it runs at the end of the window. */
  endedAt: number | null;
}

/** A customer's two years: the orders, and the latent story behind them that events echo. */
export interface PurchaseHistory {
  /** When the person became a customer: the trial, or before the window for existing customers. */
  customerSince: number;
  existing: boolean;
  trial: { orderedAt: number; deliveredAt: number; feltEffect: boolean } | null;
  subscriptions: DemoSubscription[];
  /** Sorted by time; the first is always a purchase (neither cancelled nor returned). */
  orders: DemoOrder[];
}

export interface HistoryContext {
  model: DemoModel;
  window: DemoWindow;
  products: readonly DemoProduct[];
  acquisitionDays: Weighted<number>;
}

const { trial: TRIAL, subscription: SUBSCRIPTION, single: SINGLE, lactic: LACTIC, gift: GIFT, shaker: SHAKER } = PRODUCT_INDEX;
const CYCLE_MS = 30 * DAY_MS;

/**
 * Simulates one customer. A new customer arrives through the ¥980 trial on a seasonally
 * weighted day, feels the effect or not, and some days after delivery decides: the monthly
 * subscription, a single bottle, or nothing — each more likely after feeling the effect.
 * Subscriptions end by a churn hazard that is higher over the first deliveries; lapsed
 * subscribers sometimes come back; active customers send gift sets in the gift seasons.
 * An existing customer enters the window already subscribed or already a repeat buyer.
 */
export function simulatePurchases(random: Random, context: HistoryContext, person: DemoPerson, existing: boolean): PurchaseHistory {
  const simulation = new Simulation(random, context, person);
  if (existing) simulation.existingCustomer();
  else simulation.newCustomer();
  simulation.giftSeasons();
  return simulation.settle(existing);
}

class Simulation {
  readonly orders: DemoOrder[] = [];
  readonly subscriptions: DemoSubscription[] = [];
  trial: PurchaseHistory['trial'] = null;
  customerSince = 0;
  private readonly model: DemoModel;
  private readonly end: number;

  constructor(
    private readonly random: Random,
    private readonly context: HistoryContext,
    private readonly person: DemoPerson,
  ) {
    this.model = context.model;
    this.end = context.window.endMs;
  }

  newCustomer(): void {
    const { random, model } = this;
    const orderedAt = timeOnDay(random, this.context.acquisitionDays.draw(random), clockOf(this.person.channel));
    this.customerSince = orderedAt;
    const trialOrder = this.add('trial', orderedAt, [{ product: TRIAL, quantity: 1, unitPrice: this.price(TRIAL) }]);
    const feltEffect = random.chance(model.effectShare);
    const deliveredAt = trialOrder.deliveredAt!;
    this.trial = { orderedAt, deliveredAt, feltEffect };
    const decisionDay = tokyoMidnight(deliveredAt + random.int(model.decisionDays[0], model.decisionDays[1]) * DAY_MS);
    const decidedAt = timeOnDay(random, decisionDay, clockOf(this.person.channel));
    if (random.chance(feltEffect ? model.subscribeIfFelt : model.subscribeIfNotFelt)) this.subscribe(decidedAt, 0);
    else if (random.chance(feltEffect ? model.singleIfFelt : model.singleIfNotFelt)) this.buySingles(decidedAt, model.repeatSingle);
  }

  existingCustomer(): void {
    const { random, model } = this;
    const start = this.context.window.startMs;
    this.customerSince = timeOnDay(random, tokyoMidnight(start - random.int(60, 4 * 365) * DAY_MS), clockOf(this.person.channel));
    if (random.chance(model.existingSubscriberShare)) {
      const subscribedAt = this.customerSince + random.int(15, 40) * DAY_MS;
      const deliveriesBefore = Math.max(1, Math.floor((start - subscribedAt) / CYCLE_MS));
      this.subscribe(batchTime(random, start + random.int(0, 29) * DAY_MS), deliveriesBefore, subscribedAt);
    } else {
      this.buySingles(timeOnDay(random, start + random.int(0, 119) * DAY_MS, clockOf(this.person.channel)), 0.6);
    }
  }

  /**
   * Monthly deliveries from `firstAt`: the first order is placed by the customer, the next
   * ones by the nightly subscription batch, every 30 days until the customer cancels.
   */
  private subscribe(firstAt: number, deliveriesBefore: number, startedAt = firstAt): void {
    const { random, model } = this;
    const subscription: DemoSubscription = { startedAt, endedAt: null };
    this.subscriptions.push(subscription);
    let at = firstAt;
    let deliveries = deliveriesBefore;
    while (at < this.end) {
      const items: DemoOrderItem[] = [{ product: SUBSCRIPTION, quantity: random.chance(0.08) ? 2 : 1, unitPrice: this.price(SUBSCRIPTION) }];
      if (deliveries === 0) items.push({ product: SHAKER, quantity: 1, unitPrice: 0 });
      if (random.chance(model.crossSellPerDelivery)) items.push({ product: LACTIC, quantity: 1, unitPrice: this.price(LACTIC) });
      this.add('subscription', at, items);
      deliveries++;
      if (random.chance(churnHazard(model, deliveries))) {
        const cancelledAt = timeOnDay(random, tokyoMidnight(at + random.int(5, 25) * DAY_MS), 'office');
        if (cancelledAt < this.end) subscription.endedAt = cancelledAt;
        if (random.chance(model.winBack)) {
          this.buySingles(timeOnDay(random, tokyoMidnight(cancelledAt + random.int(60, 240) * DAY_MS), clockOf(this.person.channel)), model.repeatSingle);
        }
        return;
      }
      at = batchTime(random, tokyoMidnight(at) + CYCLE_MS);
    }
  }

  /** Single bottles, each followed by another with probability `repeat`, or by a switch to the subscription. */
  private buySingles(firstAt: number, repeat: number): void {
    const { random, model } = this;
    let at = firstAt;
    while (at < this.end) {
      this.add('single', at, [{ product: SINGLE, quantity: random.chance(0.15) ? 2 : 1, unitPrice: this.price(SINGLE) }]);
      if (random.chance(model.switchToSubscription)) {
        this.subscribe(timeOnDay(random, tokyoMidnight(at + random.int(20, 40) * DAY_MS), clockOf(this.person.channel)), 0);
        return;
      }
      if (!random.chance(repeat)) return;
      at = timeOnDay(random, tokyoMidnight(at + random.int(25, 60) * DAY_MS), clockOf(this.person.channel));
    }
  }

  /** お中元 (late June – mid July) and お歳暮 (December): active customers send gift sets. */
  giftSeasons(): void {
    const { random } = this;
    const startYear = tokyoDate(this.context.window.startMs).year;
    for (let year = startYear; year <= startYear + 2; year++) {
      for (const [seasonStart, days] of [
        [tokyoMs(year, 6, 20), 25],
        [tokyoMs(year, 12, 1), 24],
      ] as const) {
        const day = seasonStart + random.int(0, days - 1) * DAY_MS;
        const sends = random.chance(this.context.model.giftPerSeason);
        if (!sends || day < this.context.window.startMs || day >= this.end || !this.isActive(day)) continue;
        this.add('gift', timeOnDay(random, day, clockOf(this.person.channel)), [{ product: GIFT, quantity: random.int(1, 3), unitPrice: this.price(GIFT) }]);
      }
    }
  }

  /** Subscribed, or bought within the last 120 days. */
  private isActive(at: number): boolean {
    if (this.subscriptions.some((s) => s.startedAt <= at && (s.endedAt === null || s.endedAt > at))) return true;
    return this.orders.some((order) => order.orderedAt <= at && order.orderedAt > at - 120 * DAY_MS);
  }

  private add(kind: OrderKind, orderedAt: number, items: DemoOrderItem[]): DemoOrder {
    const { random, person } = this;
    const onlineElsewhere = kind !== 'subscription' && kind !== 'trial' && person.channel !== 'web' && random.chance(0.15);
    const channel = onlineElsewhere ? 'web' : person.channel;
    let amount = 0;
    let itemCount = 0;
    for (const item of items) {
      amount += item.quantity * item.unitPrice;
      itemCount += item.quantity;
    }
    const deliveredAt = timeOnDay(random, tokyoMidnight(orderedAt) + random.int(2, 4) * DAY_MS, 'office');
    const order: DemoOrder = {
      kind,
      orderedAt,
      channel,
      store: channel === 'store' ? person.store : null,
      status: 'delivered',
      deliveredAt,
      updatedAt: deliveredAt,
      items,
      amount,
      itemCount,
    };
    this.orders.push(order);
    return order;
  }

  private price(product: number): number {
    return this.context.products[product]!.price;
  }

  /**
   * Sorts the orders and gives each its state at the end of the window: recent ones are
   * pending, confirmed or shipped; older ones delivered, a few cancelled or returned. The
   * first order stays a purchase, so every simulated customer is a customer in the data.
   */
  settle(existing: boolean): PurchaseHistory {
    const { random, model, end } = this;
    const orders = this.orders.filter((order) => order.orderedAt < end).sort((a, b) => a.orderedAt - b.orderedAt);
    orders.forEach((order, position) => {
      const scheduled = order.deliveredAt!;
      if (position > 0 && random.chance(model.cancelRate)) {
        order.status = 'cancelled';
        order.deliveredAt = null;
        order.updatedAt = Math.max(order.orderedAt, Math.min(order.orderedAt + random.int(10, 20 * 60) * MINUTE_MS, end - 1000));
      } else if (scheduled >= end) {
        order.deliveredAt = null;
        order.status = end - order.orderedAt > DAY_MS ? 'shipped' : end - order.orderedAt > 2 * HOUR_MS ? 'confirmed' : 'pending';
        order.updatedAt =
          order.status === 'pending' ? order.orderedAt : Math.min(order.orderedAt + (order.status === 'shipped' ? DAY_MS : HOUR_MS), end - 1000);
      } else if (position > 0 && random.chance(model.returnRate) && scheduled + 10 * DAY_MS < end) {
        order.status = 'returned';
        order.updatedAt = scheduled + random.int(2, 10) * DAY_MS;
      }
    });
    return { customerSince: this.customerSince, existing, trial: this.trial, subscriptions: this.subscriptions, orders };
  }
}

function clockOf(channel: OrderChannel): DayClock {
  return channel === 'phone' ? 'office' : channel === 'store' ? 'store' : 'online';
}

/** The subscription batch creates orders between 05:00 and 06:00 Tokyo time. */
function batchTime(random: Random, dayMs: number): number {
  return tokyoMidnight(dayMs) + 5 * HOUR_MS + random.int(0, 3599) * 1000;
}

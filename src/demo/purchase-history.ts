import type { OrderChannel, OrderStatus } from '../db/schema.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, timeOnDay, tokyoDate, tokyoMidnight, tokyoMs, type DemoWindow, type DayClock } from './calendar.ts';
import { PRODUCT_INDEX, type DemoProduct } from './catalogue.ts';
import type { DemoModel } from './model.ts';
import type { DemoPerson } from './person.ts';
import type { DemoStore } from './places.ts';
import { Weighted, type Random } from './random.ts';
import { COURSES, drawCycle, runSubscription, type CourseKey, type DemoSubscription } from './subscription-history.ts';

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
  /** A subscription delivery names its subscription (定期番号) and delivery number (お届け回数). */
  subscription: DemoSubscription | null;
  deliveryNumber: number | null;
}

export type { DemoSubscription } from './subscription-history.ts';

/** A customer's two years: the orders, and the latent story behind them that events echo. */
export interface PurchaseHistory {
  /** When the person became a customer: the trial, or before the window for existing customers. */
  customerSince: number;
  existing: boolean;
  /** The trial bought, with the day its effect becomes clear (effect_clear_days) and whether it was felt. */
  trial: { orderedAt: number; deliveredAt: number; feltEffect: boolean; clearDays: number } | null;
  /**
   * Every subscription the customer took out, in order, with its whole life: for an existing
   * customer also the deliveries, pauses and cancellation before the window (they have no
   * orders in the data, as the brand's export of the last two years would have none).
   */
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

const {
  trial: TRIAL,
  subscription: SUBSCRIPTION,
  single: SINGLE,
  lactic: LACTIC,
  gift: GIFT,
  shaker: SHAKER,
  lacticTrial: LACTIC_TRIAL,
  lacticSubscription: LACTIC_SUB,
} = PRODUCT_INDEX;

/** What a delivery may carry on top of its course: the lactic acid supplement, an extra box of aojiru, a spare shaker. */
const ADD_ONS = Weighted.of([
  [LACTIC, 45],
  [SINGLE, 35],
  [SHAKER, 20],
]);

/** The product family a customer is drawn to: the aojiru, or the lactic acid supplement. */
type Family = 'aojiru' | 'lactic';

/**
 * Simulates one customer. A new customer arrives on a seasonally weighted day, mostly through
 * a trial (the ¥980 aojiru or the lactic acid supplement's), sometimes by taking out the
 * subscription directly. A trial buyer feels the effect or not and decides around the day the
 * effect becomes clear: the subscription, single bottles, or nothing — each more likely after
 * feeling it. Subscriptions run on their cycle until a cancellation drawn delivery by delivery
 * (subscription-history.ts); some customers subscribe again later under a new 定期番号, some
 * come back for a bottle; active customers send gift sets in the gift seasons. An existing
 * customer first bought before the window: most took out a subscription then, whose whole
 * life is simulated; the others, and those whose subscription ended before the window, buy
 * single bottles in it. The customer's spend level (a gamma draw of mean 1) sets the course,
 * the add-ons and the quantities.
 */
export function simulatePurchases(random: Random, context: HistoryContext, person: DemoPerson, existing: boolean, customerExternalId: string): PurchaseHistory {
  const simulation = new Simulation(random, context, person, customerExternalId);
  if (existing) simulation.existingCustomer();
  else simulation.newCustomer();
  simulation.giftSeasons();
  return simulation.settle(existing);
}

/** The 定期番号 of a customer's n-th subscription: T and the customer's digits (C00000042 → T00000042-1). */
export function subscriptionExternalId(customerExternalId: string, sequence: number): string {
  return `T${customerExternalId.slice(1)}-${sequence}`;
}

class Simulation {
  readonly orders: DemoOrder[] = [];
  readonly subscriptions: DemoSubscription[] = [];
  trial: PurchaseHistory['trial'] = null;
  customerSince = 0;
  private readonly model: DemoModel;
  private readonly end: number;
  /** The customer's spend level: mean 1 over customers. */
  private readonly spend: number;

  constructor(
    private readonly random: Random,
    private readonly context: HistoryContext,
    private readonly person: DemoPerson,
    private readonly customerExternalId: string,
  ) {
    this.model = context.model;
    this.end = context.window.endMs;
    this.spend = random.gamma(this.model.spendLevelShape, 1 / this.model.spendLevelShape);
  }

  newCustomer(): void {
    const { random, model } = this;
    const orderedAt = timeOnDay(random, this.context.acquisitionDays.draw(random), this.clock);
    this.customerSince = orderedAt;
    if (random.chance(model.directSubscriptionShare)) {
      this.subscribe(orderedAt, 'aojiru', { introductory: true });
      return;
    }
    const family: Family = random.chance(model.lacticTrialShare) ? 'lactic' : 'aojiru';
    const trialProduct = family === 'lactic' ? LACTIC_TRIAL : TRIAL;
    const trialOrder = this.add('trial', orderedAt, [{ product: trialProduct, quantity: 1, unitPrice: this.price(trialProduct) }]);
    const effect = this.context.products[trialProduct]!.effect!;
    const feltEffect = random.chance(effect.share);
    const deliveredAt = trialOrder.deliveredAt!;
    this.trial = { orderedAt, deliveredAt, feltEffect, clearDays: effect.clearDays };
    // The decision falls around the day the effect becomes clear (the step-up scenario's timing).
    const [earliest, latest] = model.decisionAroundClearDay;
    const decisionDay = tokyoMidnight(deliveredAt + (effect.clearDays + random.int(earliest, latest)) * DAY_MS);
    const decidedAt = timeOnDay(random, decisionDay, this.clock);
    if (random.chance(feltEffect ? model.subscribeIfFelt : model.subscribeIfNotFelt)) this.subscribe(decidedAt, family);
    else if (random.chance(feltEffect ? model.singleIfFelt : model.singleIfNotFelt)) this.buySingles(decidedAt, model.repeatSingle, family);
  }

  existingCustomer(): void {
    const { random, model } = this;
    const start = this.context.window.startMs;
    this.customerSince = timeOnDay(random, tokyoMidnight(start - random.int(30, 3 * 365) * DAY_MS), this.clock);
    if (random.chance(model.existingSubscriberShare)) {
      const subscribedAt = timeOnDay(random, tokyoMidnight(this.customerSince + random.int(15, 40) * DAY_MS), this.clock);
      this.subscribe(subscribedAt, random.chance(model.lacticTrialShare) ? 'lactic' : 'aojiru');
    }
    // Customers of the export bought in the window: those without a purchase in it so far buy single bottles.
    if (!this.orders.some((order) => order.orderedAt >= start && order.orderedAt < this.end)) {
      this.buySingles(timeOnDay(random, start + random.int(0, 119) * DAY_MS, this.clock), 0.6, 'aojiru');
    }
  }

  /**
   * A subscription from `startedAt` (its first delivery, placed by the customer), run to its end
   * by runSubscription; each delivery in the window is an order naming it. After a
   * cancellation the customer may subscribe again some months later (a new 定期番号), or come
   * back for a bottle.
   */
  private subscribe(startedAt: number, family: Family, options: { introductory?: boolean } = {}): void {
    const { random, model } = this;
    if (startedAt >= this.end) return;
    const course = COURSES[this.drawCourse(family)];
    const subscription = runSubscription(
      {
        random,
        model,
        window: this.context.window,
        clock: this.clock,
        actor: this.person.channel === 'web' || this.person.channel === 'line' ? 'マイページ' : 'コールセンター',
        deliver: (subscription, at, number) => this.deliver(subscription, at, number, options.introductory === true),
      },
      {
        externalId: subscriptionExternalId(this.customerExternalId, this.subscriptions.length + 1),
        course,
        cycle: drawCycle(random, course.key),
        startedAt,
        firstDeliveryAt: startedAt,
      },
    );
    this.subscriptions.push(subscription);
    const cancelledAt = subscription.cancelledAt;
    if (cancelledAt === null) return;
    const courseFamily: Family = course.key === 'lactic' ? 'lactic' : 'aojiru';
    if (random.chance(model.resubscribe)) {
      this.subscribe(timeOnDay(random, tokyoMidnight(cancelledAt + random.int(60, 300) * DAY_MS), this.clock), courseFamily);
    } else if (random.chance(model.winBack)) {
      this.buySingles(timeOnDay(random, tokyoMidnight(cancelledAt + random.int(60, 240) * DAY_MS), this.clock), model.repeatSingle, courseFamily);
    }
  }

  /** Heavier spenders take the 2-box or the set course more often. */
  private drawCourse(family: Family): CourseKey {
    const { random, spend } = this;
    if (family === 'lactic') return random.chance(Math.min(0.4, 0.15 * spend)) ? 'set' : 'lactic';
    if (random.chance(Math.min(0.5, 0.12 * spend * spend))) return 'aojiruDouble';
    return random.chance(Math.min(0.35, 0.12 * spend)) ? 'set' : 'aojiru';
  }

  /**
   * Delivery `number` as an order, when it falls in the window: the course's items, the free
   * shaker with the first, an add-on now and then (more often for heavier spenders). A direct
   * subscriber's first aojiru delivery is at the introductory half price (初回半額).
   */
  private deliver(subscription: DemoSubscription, at: number, number: number, introductory: boolean): void {
    if (at < this.context.window.startMs) return;
    const { random, model, spend } = this;
    const items: DemoOrderItem[] = subscription.course.items.map(({ product, quantity }) => ({
      product,
      quantity,
      unitPrice: number === 1 && introductory && product === SUBSCRIPTION ? halfPrice(this.price(product)) : this.price(product),
    }));
    if (number === 1 && subscription.course.items.some((item) => item.product === SUBSCRIPTION)) items.push({ product: SHAKER, quantity: 1, unitPrice: 0 });
    if (random.chance(Math.min(0.7, model.addOnPerDelivery * spend))) {
      const addOn = ADD_ONS.draw(random);
      // Not what the course already brings: the lactic acid supplement's course gets aojiru, a first delivery its free shaker.
      const brought = (addOn === LACTIC && subscription.course.items.some((item) => item.product === LACTIC_SUB)) || (addOn === SHAKER && number === 1);
      const product = brought ? SINGLE : addOn;
      items.push({ product, quantity: spend > 2 && random.chance(0.5) ? 2 : 1, unitPrice: this.price(product) });
    }
    const order = this.add('subscription', at, items);
    order.subscription = subscription;
    order.deliveryNumber = number;
  }

  /**
   * Single bottles of the family's product, each followed by another with probability
   * `repeat`, or by a switch to the subscription. Heavier spenders buy two or three at a time.
   */
  private buySingles(firstAt: number, repeat: number, family: Family): void {
    const { random, model, spend } = this;
    const product = family === 'lactic' ? LACTIC : SINGLE;
    let at = firstAt;
    while (at < this.end) {
      const quantity = 1 + (random.chance(Math.min(0.7, 0.15 * spend * spend)) ? 1 : 0) + (random.chance(Math.min(0.3, 0.03 * spend ** 3)) ? 1 : 0);
      this.add('single', at, [{ product, quantity, unitPrice: this.price(product) }]);
      if (random.chance(model.switchToSubscription)) {
        this.subscribe(timeOnDay(random, tokyoMidnight(at + random.int(20, 40) * DAY_MS), this.clock), family);
        return;
      }
      if (!random.chance(repeat)) return;
      at = timeOnDay(random, tokyoMidnight(at + random.int(25, 60) * DAY_MS), this.clock);
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
        const quantity = 1 + Math.min(4, random.poisson(0.6 * this.spend));
        this.add('gift', timeOnDay(random, day, this.clock), [{ product: GIFT, quantity, unitPrice: this.price(GIFT) }]);
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
      subscription: null,
      deliveryNumber: null,
    };
    this.orders.push(order);
    return order;
  }

  private price(product: number): number {
    return this.context.products[product]!.price;
  }

  private get clock(): DayClock {
    return clockOf(this.person.channel);
  }

  /**
   * Keeps the orders of the window, sorted, and gives each its state at the end of the window:
   * recent ones are pending, confirmed or shipped; older ones delivered, a few cancelled or
   * returned. A subscription delivery is never cancelled (a delivery the customer does not want
   * is a skip, and is not a delivery), so the deliveries counted and the orders agree. The first
   * order stays a purchase, so every simulated customer is a customer in the data.
   */
  settle(existing: boolean): PurchaseHistory {
    const { random, model, end } = this;
    const start = this.context.window.startMs;
    const orders = this.orders.filter((order) => order.orderedAt >= start && order.orderedAt < end).sort((a, b) => a.orderedAt - b.orderedAt);
    orders.forEach((order, position) => {
      const scheduled = order.deliveredAt!;
      if (position > 0 && order.kind !== 'subscription' && random.chance(model.cancelRate)) {
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

/** Half the price, rounded to ten yen: the introductory price of a first delivery (初回半額). */
function halfPrice(price: number): number {
  return Math.round(price / 20) * 10;
}

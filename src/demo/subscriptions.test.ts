import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { fitGammaGamma } from '../analytics/clv/gamma-gamma.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { demoWindow } from './calendar.ts';
import { generateDemoBrand, type DemoSummary } from './generate-demo-brand.ts';
import { cancelHazard, cancelReasonWeights, DEFAULT_DEMO_MODEL as MODEL, DEMO_CANCEL_REASONS, type DemoCancelReason } from './model.ts';

/**
 * The demo brand's subscriptions (定期): the deliveries, the orders and the status history
 * agree with each other, and the generated 回数別継続率 and cancellation reasons follow the
 * model's parameters.
 */

const CUSTOMERS = 8_000;
const database = connectTestDatabase();
/** Generated on 2026-11-01 at 10:00 in Tokyo: the history ends on 2026-10-31. */
const clock = fixedClock('2026-11-01T10:00:00+09:00');
const window = demoWindow('2026-10-31');
let workspace: Workspace;
let summary: DemoSummary;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  summary = await generateDemoBrand({ pool: database.pool, workspace, customers: CUSTOMERS, seed: 21, clock });
}, 120_000);
afterAll(() => database.close());

async function query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await database.pool.query(sql, [workspace.id, ...params])).rows as T[];
}

/**
 * `successes` out of `trials` agrees with probability `expected` within four binomial standard
 * errors (the data is fixed by the seed, so this never flickers; it fails when the generator
 * drifts from the model).
 */
function expectRate(successes: number, trials: number, expected: number, what: string) {
  const standardError = Math.sqrt((expected * (1 - expected)) / trials);
  expect(trials, `${what}: enough cases`).toBeGreaterThan(200);
  expect(Math.abs(successes / trials - expected), `${what}: ${successes}/${trials} vs ${expected} (SE ${standardError.toFixed(4)})`).toBeLessThan(
    4 * standardError,
  );
}

describe('demo subscriptions: the orders and the subscriptions agree', () => {
  it('generates a few thousand subscriptions, nearly a third of them in force on the last day', async () => {
    const [row] = await query<{ total: number; in_force: number; paused: number; cancelled: number }>(
      `select count(*)::int as total, count(*) filter (where status <> 'cancelled')::int as in_force,
              count(*) filter (where status = 'paused')::int as paused, count(*) filter (where status = 'cancelled')::int as cancelled
         from subscriptions where workspace_id = $1`,
    );
    expect(row!.total).toBe(summary.rows.subscriptions);
    expect(row!.total).toBeGreaterThan(4_000);
    expect(row!.in_force).toBe(summary.subscriptionsInForce);
    expect(row!.in_force / row!.total).toBeGreaterThan(0.2);
    expect(row!.paused).toBeGreaterThan(0);
    expect(row!.cancelled).toBeGreaterThan(0);
  });

  it('makes every delivery an order that names an existing subscription of its customer and its delivery number', async () => {
    const [row] = await query<Record<string, number>>(
      `select count(*) filter (where o.subscription_external_id is not null and (s.id is null or s.customer_id <> o.customer_id or o.delivery_number is null))::int as orphans,
              count(*) filter (where o.subscription_external_id is null and o.delivery_number is not null)::int as stray_numbers,
              count(*) filter (where o.subscription_external_id is not null)::int as deliveries
         from orders o left join subscriptions s on s.workspace_id = o.workspace_id and s.external_id = o.subscription_external_id
        where o.workspace_id = $1`,
    );
    expect(row).toMatchObject({ orphans: 0, stray_numbers: 0 });
    expect(row!.deliveries).toBeGreaterThan(10_000);
  });

  it("counts the deliveries as the orders number them: 1, 2, … in time, the highest equal to the subscription's deliveries", async () => {
    const disagreeing = await query(
      `with o as (
         select subscription_external_id as id, max(delivery_number) as highest, min(delivery_number) as lowest, count(*) as orders,
                count(distinct delivery_number) as numbers
           from orders where workspace_id = $1 and subscription_external_id is not null group by 1)
       select s.external_id, s.deliveries, o.* from subscriptions s join o on o.id = s.external_id
        where s.workspace_id = $1
          and (o.highest <> s.deliveries or o.numbers <> o.orders or o.orders <> o.highest - o.lowest + 1 or (s.started_at >= $2 and o.lowest <> 1))`,
      [new Date(window.startMs)],
    );
    expect(disagreeing).toEqual([]);
    const [order] = await query<{ out_of_order: number }>(
      `select count(*)::int as out_of_order from (
         select delivery_number - lag(delivery_number) over (partition by subscription_external_id order by ordered_at) as step
           from orders where workspace_id = $1 and subscription_external_id is not null) x
        where step <> 1`,
    );
    expect(order!.out_of_order).toBe(0);
    // Without an order in the window, every delivery was before it: the subscription started before it.
    const [before] = await query<{ without_orders: number; started_in_window: number }>(
      `select count(*)::int as without_orders, count(*) filter (where started_at >= $2)::int as started_in_window
         from subscriptions s where workspace_id = $1
          and not exists (select 1 from orders o where o.workspace_id = $1 and o.subscription_external_id = s.external_id)`,
      [new Date(window.startMs)],
    );
    expect(before!.without_orders).toBeGreaterThan(0);
    expect(before!.started_in_window).toBe(0);
  });

  it("puts the course's items, with their quantities, in every delivery, and names the first item's product as the first product", async () => {
    const [row] = await query<{ missing: number; first_product: number }>(
      `select (select count(*)::int from orders o
                 join subscriptions s on s.workspace_id = o.workspace_id and s.external_id = o.subscription_external_id
                 join subscription_items si on si.subscription_id = s.id
                where o.workspace_id = $1
                  and not exists (select 1 from order_items oi where oi.order_id = o.id and oi.product_id = si.product_id and oi.quantity >= si.quantity)) as missing,
              (select count(*)::int from subscriptions s join subscription_items si on si.subscription_id = s.id and si.line_no = 1
                where s.workspace_id = $1 and s.first_product_id is distinct from si.product_id) as first_product`,
    );
    expect(row).toEqual({ missing: 0, first_product: 0 });
  });

  it('keeps a status history that starts active at the start and ends in the current status; cancelled exactly when cancelled_at is set', async () => {
    const [row] = await query<Record<string, number>>(
      `with h as (
         select subscription_id, status, changed_at, reason, row_number() over w as n, count(*) over (partition by subscription_id) as total,
                lag(status) over w as previous
           from subscription_status_changes where workspace_id = $1
         window w as (partition by subscription_id order by changed_at, id))
       select
         (select count(*)::int from subscriptions s where s.workspace_id = $1
            and not exists (select 1 from h where h.subscription_id = s.id and h.n = 1 and h.status = 'active' and h.changed_at = s.started_at)) as bad_start,
         (select count(*)::int from subscriptions s join h on h.subscription_id = s.id and h.n = h.total
           where s.workspace_id = $1 and (h.status <> s.status or h.changed_at <> s.status_changed_at
                 or (s.status = 'cancelled' and h.reason is distinct from s.cancel_reason))) as bad_current,
         (select count(*)::int from h where h.status = h.previous) as repeated,
         (select count(*)::int from subscriptions s where s.workspace_id = $1
            and ((s.status = 'cancelled') <> (s.cancelled_at is not null)
                 or (s.status = 'cancelled' and (s.cancelled_at <> s.status_changed_at or s.cancel_reason is null or s.next_delivery_on is not null)))) as bad_cancel,
         (select count(*)::int from subscriptions s where s.workspace_id = $1 and s.status <> 'cancelled'
            and (s.next_delivery_on is null or s.next_delivery_on <= $2::date)) as due_before_today,
         (select count(*)::int from h where h.changed_at >= $3) as after_the_last_day,
         (select count(*)::int from h where n > 1 and status = 'active') as resumed`,
      [window.until, new Date(window.endMs)],
    );
    expect(row).toMatchObject({ bad_start: 0, bad_current: 0, repeated: 0, bad_cancel: 0, due_before_today: 0, after_the_last_day: 0 });
    expect(row!.resumed).toBeGreaterThan(0);
    const reasons = await query<{ reason: string }>(
      `select distinct cancel_reason as reason from subscriptions where workspace_id = $1 and status = 'cancelled'`,
    );
    expect(reasons.map((r) => r.reason).sort()).toEqual([...DEMO_CANCEL_REASONS].sort());
  });

  it("echoes every change and skip inside the window on the customer's timeline, under the intake's keys", async () => {
    const [row] = await query<Record<string, number>>(
      `with e as (select idempotency_key, customer_id, type from events where workspace_id = $1 and type like 'subscription\\_%')
       select
         (select count(*)::int from subscription_status_changes h join subscriptions s on s.id = h.subscription_id
           where h.workspace_id = $1 and h.changed_at >= $2
             and not exists (select 1 from e where e.customer_id = s.customer_id and e.idempotency_key =
                   'subscription:' || s.external_id || ':' || h.status || ':' || to_char(h.changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))) as unechoed,
         (select count(*)::int from e where type <> 'subscription_skipped') as change_events,
         (select count(*)::int from subscription_status_changes where workspace_id = $1 and changed_at >= $2) as changes_in_window`,
      [new Date(window.startMs)],
    );
    expect(row!.unechoed).toBe(0);
    expect(row!.change_events).toBe(row!.changes_in_window);
    // Subscriptions started in the window have all their skips on the timeline, numbered 1, 2, ….
    const skips = await query<{ external_id: string; skips: number; events: number }>(
      `select s.external_id, s.skips, coalesce(e.events, 0)::int as events
         from subscriptions s
         left join (select properties->>'subscription_id' as id, count(*) as events from events
                     where workspace_id = $1 and type = 'subscription_skipped' group by 1) e on e.id = s.external_id
        where s.workspace_id = $1 and s.started_at >= $2`,
      [new Date(window.startMs)],
    );
    expect(skips.filter((s) => s.skips !== s.events)).toEqual([]);
    expect(skips.reduce((sum, s) => sum + s.skips, 0)).toBeGreaterThan(500);
  });

  it('delivers on the cycles of Japanese 定期: mostly 1ヶ月ごと, some 2ヶ月ごと, 30日ごと and 毎月N日', async () => {
    const cycles = await query<{ unit: string; every: number; subscriptions: number }>(
      'select cycle_unit as unit, cycle_every as every, count(*)::int as subscriptions from subscriptions where workspace_id = $1 group by 1, 2',
    );
    const total = cycles.reduce((sum, c) => sum + c.subscriptions, 0);
    const share = (predicate: (c: { unit: string; every: number }) => boolean) => cycles.filter(predicate).reduce((sum, c) => sum + c.subscriptions, 0) / total;
    expect(share((c) => c.unit === 'months' && c.every === 1)).toBeGreaterThan(0.5);
    expect(share((c) => c.unit === 'months' && c.every === 2)).toBeGreaterThan(0.05);
    expect(share((c) => c.unit === 'days' && c.every === 30)).toBeGreaterThan(0.05);
    expect(share((c) => c.unit === 'day_of_month')).toBeGreaterThan(0.03);
    // Consecutive deliveries of monthly subscriptions that never skipped or paused are a month apart (28–31 days).
    const [gaps] = await query<{ shortest: number; longest: number; gaps: number }>(
      `select min(gap)::int as shortest, max(gap)::int as longest, count(*)::int as gaps from (
         select (o.ordered_at at time zone 'Asia/Tokyo')::date - (lag(o.ordered_at) over (partition by s.id order by o.ordered_at) at time zone 'Asia/Tokyo')::date as gap
           from orders o join subscriptions s on s.workspace_id = o.workspace_id and s.external_id = o.subscription_external_id
          where o.workspace_id = $1 and s.cycle_unit = 'months' and s.cycle_every = 1 and s.skips = 0
            and not exists (select 1 from subscription_status_changes h where h.subscription_id = s.id and h.status = 'paused')) x
        where gap is not null`,
    );
    expect(gaps!.gaps).toBeGreaterThan(1_000);
    expect([gaps!.shortest, gaps!.longest]).toEqual([28, 31]);
  });
});

describe('demo subscriptions: the data follows the model', () => {
  it('continues from delivery k to k + 1 at 1 − h(k), with the censoring rule of the analyses (k = 1 … 6)', async () => {
    // Issue 11: a subscription still active or paused with exactly k deliveries is censored at
    // k (left out); a cancelled one with exactly k is a stop at k.
    const rows = await query<{ k: number; continued: number; stopped: number; censored: number }>(
      `select k, count(*) filter (where s.deliveries >= k + 1)::int as continued,
              count(*) filter (where s.deliveries = k and s.status = 'cancelled')::int as stopped,
              count(*) filter (where s.deliveries = k and s.status <> 'cancelled')::int as censored
         from generate_series(1, 6) k cross join subscriptions s
        where s.workspace_id = $1 group by k order by k`,
    );
    for (const row of rows) {
      expect(row.censored, `censored at ${row.k}`).toBeGreaterThan(0);
      expectRate(row.continued, row.continued + row.stopped, 1 - cancelHazard(MODEL, row.k), `rate(${row.k})`);
    }
    // Steep at the 2nd and 3rd delivery, flatter after.
    expect(cancelHazard(MODEL, 1)).toBeGreaterThan(cancelHazard(MODEL, 3));
    expect(cancelHazard(MODEL, 3)).toBeGreaterThan(cancelHazard(MODEL, 4));
  });

  it('draws the cancellation reasons by the delivery they stop at: no_effect early, forgot_or_surplus later', async () => {
    const rows = await query<{ band: string; reason: DemoCancelReason; stops: number }>(
      `select case when deliveries <= 2 then 'early' when deliveries <= 5 then 'middle' else 'late' end as band, cancel_reason as reason, count(*)::int as stops
         from subscriptions where workspace_id = $1 and status = 'cancelled' group by 1, 2`,
    );
    const check = (band: 'early' | 'late', deliveries: number, reason: DemoCancelReason) => {
      const weights = cancelReasonWeights(MODEL, deliveries);
      const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
      const inBand = rows.filter((row) => row.band === band);
      const stops = inBand.reduce((sum, row) => sum + row.stops, 0);
      expectRate(inBand.find((row) => row.reason === reason)?.stops ?? 0, stops, weights[reason] / total, `${reason} at ${band} deliveries`);
    };
    check('early', 1, 'no_effect');
    check('early', 1, 'forgot_or_surplus');
    check('late', 6, 'no_effect');
    check('late', 6, 'forgot_or_surplus');
  });

  it("starts a trial buyer's subscription around the day the trial product's effect becomes clear", async () => {
    const rows = await query<{ sku: string; clear_days: number; earliest: number; latest: number; starts: number }>(
      `select p.sku, p.effect_clear_days as clear_days, min(d)::int as earliest, max(d)::int as latest, count(*)::int as starts from (
         select t.product_id, (first.ordered_at at time zone 'Asia/Tokyo')::date - (t.delivered_at at time zone 'Asia/Tokyo')::date as d
           from (select o.customer_id, o.ordered_at, o.delivered_at, i.product_id,
                        row_number() over (partition by o.customer_id order by o.ordered_at) as n
                   from orders o join order_items i on i.order_id = o.id where o.workspace_id = $1) t
           join products tp on tp.id = t.product_id and tp.is_trial
           join orders first on first.workspace_id = $1 and first.customer_id = t.customer_id and first.delivery_number = 1
                             and first.ordered_at > t.ordered_at
          where t.n = 1) x
         join products p on p.id = x.product_id
        -- Up to five days past the band: a subscription after single bottles starts 17 days past it at the earliest.
        where d <= p.effect_clear_days + 15
        group by 1, 2 order by 1`,
    );
    const [earliest, latest] = MODEL.decisionAroundClearDay;
    expect(rows.map((row) => row.sku)).toEqual(['MNR-AOJ-TRIAL14', 'MNR-LAC-TRIAL21']);
    for (const row of rows) {
      expect(row.starts, row.sku).toBeGreaterThan(50);
      expect([row.earliest, row.latest], row.sku).toEqual([row.clear_days + earliest, row.clear_days + latest]);
    }
  });

  it("gives customers' mean spend a real spread, so the Gamma-Gamma model converges", async () => {
    const customers = await query<{ frequency: number; monetary: number }>(
      `select count(*)::int - 1 as frequency, ((sum(amount) - (array_agg(amount order by ordered_at))[1]) / (count(*) - 1))::float8 as monetary
         from orders where workspace_id = $1 and status not in ('cancelled', 'returned')
        group by customer_id having count(*) > 1`,
    );
    const means = customers.map((c) => c.monetary);
    const mean = means.reduce((sum, m) => sum + m, 0) / means.length;
    const deviation = Math.sqrt(means.reduce((sum, m) => sum + (m - mean) ** 2, 0) / means.length);
    expect(deviation / mean).toBeGreaterThan(0.3);
    const fit = fitGammaGamma({ frequency: customers.map((c) => c.frequency), monetary: means });
    expect(fit.converged).toBe(true);
    expect(fit.q).toBeLessThan(100);
    expect(fit.p).toBeLessThan(1_000);
  });
});

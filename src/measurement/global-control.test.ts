import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { saveContactRules } from '../governance/rules-store.ts';
import { KizunaError } from '../shared/errors.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { inGlobalControl } from './assignment.ts';
import { measureGlobalControl } from './global-control.ts';
import { tQuantile } from './stats.ts';

/**
 * The global control group against everyone else (measureGlobalControl), on 2,000 customers
 * with orders written by hand. The membership is computed in SQL by the report; here it must
 * be exactly inGlobalControl (what the runtime assigns) for every customer, and the figures must
 * equal a computation done here from the orders as written: the nearest-rank cap, Wilson and
 * Newcombe's interval written out (z = 1.959963984540054, scipy.stats.norm.ppf(0.975)), Welch
 * with the t quantile of stats.ts (the only shared piece). The workspace's id salts the hash, so
 * the groups differ from run to run: the expectations are computed, not hard-coded.
 */
const database = connectTestDatabase();
const { pool } = database;
const DAY = 86_400_000;
const Z = 1.959963984540054;
/** 2026-03-01 … 2026-03-31 in Asia/Tokyo. */
const START = new Date('2026-02-28T15:00:00.000Z');
const END = new Date('2026-03-31T15:00:00.000Z');
const NOW = new Date('2026-04-10T03:00:00.000Z');
let workspace: Workspace;
let ids: string[] = [];
/** Each measured customer's revenue in the period, as written. */
const revenue = new Map<string, number>();

let externalSeq = 0;
async function addCustomers(ws: Workspace, n: number, createdAt: Date): Promise<string[]> {
  const externalIds = Array.from({ length: n }, () => `G-${++externalSeq}`);
  await pool.query('insert into customers (workspace_id, external_id, created_at) select $1, x, $3 from unnest($2::text[]) as x', [
    ws.id,
    externalIds,
    createdAt,
  ]);
  const { rows } = await pool.query<{ id: string; external_id: string }>(
    'select id::text, external_id from customers where workspace_id = $1 and external_id = any($2)',
    [ws.id, externalIds],
  );
  const byExternal = new Map(rows.map((row) => [row.external_id, row.id]));
  return externalIds.map((id) => byExternal.get(id)!);
}

let orderSeq = 0;
async function addOrders(ws: Workspace, orders: ReadonlyArray<{ customerId: string; at: Date; amount: number; status: string }>): Promise<void> {
  await pool.query(
    `insert into orders (workspace_id, external_id, customer_id, ordered_at, channel, status, amount)
     select $1, v.e, v.c, v.t, 'web', v.s, v.a from unnest($2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::numeric[]) as v(e, c, t, s, a)`,
    [
      ws.id,
      orders.map(() => `GO-${++orderSeq}`),
      orders.map((o) => o.customerId),
      orders.map((o) => o.at),
      orders.map((o) => o.status),
      orders.map((o) => o.amount),
    ],
  );
}

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  await saveContactRules(pool, { workspaceId: workspace.id, input: { globalControlPercent: 10 }, userId: null, now: NOW });
  ids = await addCustomers(workspace, 2000, new Date('2026-01-15T00:00:00Z'));
  // Customers who did not exist before the period (one created at its very first instant): left out, though they buy.
  const late = [...(await addCustomers(workspace, 19, new Date('2026-03-10T00:00:00Z'))), ...(await addCustomers(workspace, 1, START))];
  const orders: Array<{ customerId: string; at: Date; amount: number; status: string }> = [];
  const counted = (customerId: string, at: Date, amount: number) => {
    orders.push({ customerId, at, amount, status: 'delivered' });
    revenue.set(customerId, (revenue.get(customerId) ?? 0) + amount);
  };
  ids.forEach((id, i) => {
    revenue.set(id, 0);
    if (i % 4 === 0) counted(id, new Date(START.getTime() + (i % 30) * DAY + 3_600_000), 1000 + (i % 7) * 100);
    if (i % 20 === 0) counted(id, new Date(START.getTime() + 2 * DAY), 700);
    if (i % 8 === 1) counted(id, START, 500);
    if (i % 10 === 2) orders.push({ customerId: id, at: new Date(START.getTime() + DAY), amount: 9000, status: 'cancelled' });
    if (i % 10 === 3) orders.push({ customerId: id, at: new Date(START.getTime() + DAY), amount: 9000, status: 'returned' });
    if (i % 12 === 5) {
      orders.push({ customerId: id, at: END, amount: 9000, status: 'delivered' });
      orders.push({ customerId: id, at: new Date(START.getTime() - 1), amount: 9000, status: 'delivered' });
    }
  });
  // A whale, well above the 99.9th percentile.
  counted(ids[1999]!, new Date(START.getTime() + 10 * DAY), 5_000_000);
  for (const id of late) orders.push({ customerId: id, at: new Date('2026-03-15T00:00:00Z'), amount: 2000, status: 'delivered' });
  await addOrders(workspace, orders);
});
afterAll(async () => {
  await database.close();
});

/** A pool that notes every statement it runs. */
function spying(target: pg.Pool, noted: Array<{ text: string; values: unknown[] }> = []): pg.Pool {
  return new Proxy(target, {
    get(object, property) {
      if (property === 'query')
        return (text: string, values?: unknown[]) => {
          noted.push({ text, values: values ?? [] });
          return object.query(text, values);
        };
      const value = Reflect.get(object, property, object) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

function wilson(k: number, n: number): { p: number; low: number; high: number } {
  const p = k / n;
  const centre = (p + (Z * Z) / (2 * n)) / (1 + (Z * Z) / n);
  const half = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / (1 + (Z * Z) / n);
  return { p, low: k === 0 ? 0 : centre - half, high: k === n ? 1 : centre + half };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
function variance(values: readonly number[]): number {
  const m = mean(values);
  return values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1);
}

describe('measureGlobalControl', () => {
  // Regression: `'global:' || $1::text` once typed the workspace parameter as text, and
  // `workspace_id = $1` then failed ("operator does not exist: bigint = text") whenever a global
  // control group was set. Called here on the pool as it is, as the route does.
  it('runs when a global control group is set', async () => {
    const report = await measureGlobalControl(pool, { workspaceId: workspace.id, from: '2026-03-01', to: '2026-03-31', now: NOW });
    expect(report.control.customers + report.rest.customers).toBe(2000);
  });

  it('puts exactly the customers inGlobalControl names in the control group (the SQL hash is the TypeScript one)', async () => {
    const noted: Array<{ text: string; values: unknown[] }> = [];
    await measureGlobalControl(spying(pool, noted), { workspaceId: workspace.id, from: '2026-03-01', to: '2026-03-31', now: NOW });
    const statement = noted.find((each) => each.text.includes('sha256'))!;
    expect(statement).toBeDefined();
    expect(statement.values.slice(1, 3)).toEqual([START, END]);
    // The report's own statement, with the customer's id beside its membership and revenue.
    const { rows } = await pool.query<{ id: string; control: boolean; revenue: number }>(
      statement.text.replace(/^\s*select /, 'select c.id::text as id, '),
      statement.values,
    );
    expect(rows).toHaveLength(2000);
    const sqlControl = new Set(rows.filter((row) => row.control).map((row) => row.id));
    const tsControl = new Set(ids.filter((id) => inGlobalControl(workspace.id, id, 10)));
    // About 10 % (200 ± a few dozen), and the same customers exactly.
    expect(tsControl.size).toBeGreaterThan(140);
    expect(tsControl.size).toBeLessThan(260);
    expect([...sqlControl].sort()).toEqual([...tsControl].sort());
    // The revenue of each customer in the period, as written (cancelled, returned, before and at the end left out).
    expect(Object.fromEntries(rows.map((row) => [row.id, row.revenue]))).toEqual(Object.fromEntries(revenue));
  });

  it('compares purchase rate and capped revenue per customer, equal to an independent computation', async () => {
    const report = await measureGlobalControl(pool, { workspaceId: workspace.id, from: '2026-03-01', to: '2026-03-31', now: NOW });
    const control = ids.filter((id) => inGlobalControl(workspace.id, id, 10));
    const rest = ids.filter((id) => !inGlobalControl(workspace.id, id, 10));
    // The cap: the nearest rank ⌈0.999 · 2000⌉ = 1998 of the sorted revenues.
    const sorted = ids.map((id) => revenue.get(id)!).sort((a, b) => a - b);
    const cap = sorted[1997]!;
    expect(cap).toBeLessThan(5_000_000);
    const capped = (id: string) => Math.min(revenue.get(id)!, cap);
    const buyers = (group: string[]) => group.filter((id) => revenue.get(id)! > 0).length;
    expect(report).toMatchObject({ percent: 10, from: '2026-03-01', to: '2026-03-31' });
    expect(report.control).toEqual({ customers: control.length, buyers: buyers(control), revenuePerCustomer: expect.closeTo(mean(control.map(capped)), 9) });
    expect(report.rest).toEqual({ customers: rest.length, buyers: buyers(rest), revenuePerCustomer: expect.closeTo(mean(rest.map(capped)), 9) });
    expect(report.control.customers + report.rest.customers).toBe(2000);

    // Purchase: rest − control, Newcombe's method 10 from the two Wilson intervals.
    const r = wilson(buyers(rest), rest.length);
    const c = wilson(buyers(control), control.length);
    const difference = r.p - c.p;
    expect(report.purchase!.difference).toBeCloseTo(difference, 12);
    expect(report.purchase!.low).toBeCloseTo(difference - Math.sqrt((r.p - r.low) ** 2 + (c.high - c.p) ** 2), 9);
    expect(report.purchase!.high).toBeCloseTo(difference + Math.sqrt((r.high - r.p) ** 2 + (c.p - c.low) ** 2), 9);

    // Revenue: Welch on the capped values.
    const ry = rest.map(capped);
    const cy = control.map(capped);
    const vr = variance(ry) / ry.length;
    const vc = variance(cy) / cy.length;
    const se = Math.sqrt(vr + vc);
    const df = (vr + vc) ** 2 / (vr ** 2 / (ry.length - 1) + vc ** 2 / (cy.length - 1));
    const meanDifference = mean(ry) - mean(cy);
    const half = tQuantile(0.975, df) * se;
    expect(report.revenue!.cap).toBe(cap);
    expect(report.revenue!.difference).toBeCloseTo(meanDifference, 9);
    expect(report.revenue!.low).toBeCloseTo(meanDifference - half, 9);
    expect(report.revenue!.high).toBeCloseTo(meanDifference + half, 9);
    expect(report.incrementalRevenue).toBeCloseTo(meanDifference * rest.length, 6);
  });

  it('defaults to the 90 local days up to yesterday', async () => {
    const report = await measureGlobalControl(pool, { workspaceId: workspace.id, now: new Date('2026-06-10T03:00:00.000Z') });
    expect(report.to).toBe('2026-06-09');
    expect(report.from).toBe('2026-03-12');
    // Everyone created before 2026-03-12 (Asia/Tokyo): the 2,000, the 19 of 2026-03-10 and the one of 2026-03-01.
    expect(report.control.customers + report.rest.customers).toBe(2020);
  });

  // A period before any customer existed (the default 90 days in a young workspace): no figures, no error.
  it('answers with no figures when no customer existed before the period', async () => {
    const report = await measureGlobalControl(pool, { workspaceId: workspace.id, from: '2026-01-01', to: '2026-01-10', now: NOW });
    expect(report).toMatchObject({ control: { customers: 0 }, rest: { customers: 0 }, purchase: null, revenue: null, incrementalRevenue: null });
  });

  it('has no figures without a global control group (0 %)', async () => {
    const none = await freshWorkspace(database);
    const [customer] = await addCustomers(none, 3, new Date('2026-01-15T00:00:00Z'));
    await addOrders(none, [{ customerId: customer!, at: new Date('2026-03-05T00:00:00Z'), amount: 1000, status: 'delivered' }]);
    const defaults = await measureGlobalControl(pool, { workspaceId: none.id, from: '2026-03-01', to: '2026-03-31', now: NOW });
    await saveContactRules(pool, { workspaceId: none.id, input: { globalControlPercent: 0 }, userId: null, now: NOW });
    const zero = await measureGlobalControl(pool, { workspaceId: none.id, from: '2026-03-01', to: '2026-03-31', now: NOW });
    for (const report of [defaults, zero]) {
      expect(report).toEqual({
        percent: 0,
        from: '2026-03-01',
        to: '2026-03-31',
        control: { customers: 0, buyers: 0, revenuePerCustomer: null },
        rest: { customers: 0, buyers: 0, revenuePerCustomer: null },
        purchase: null,
        revenue: null,
        incrementalRevenue: null,
      });
    }
  });

  it('refuses a period that starts after it ends', async () => {
    const error = await measureGlobalControl(pool, { workspaceId: workspace.id, from: '2026-03-02', to: '2026-03-01', now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KizunaError);
    expect(error).toMatchObject({ code: 'validation_failed', message: 'The period starts (2026-03-02) after it ends (2026-03-01).' });
    // A single day is a period.
    const day = await measureGlobalControl(pool, { workspaceId: workspace.id, from: '2026-03-01', to: '2026-03-01', now: NOW });
    expect(day.control.customers + day.rest.customers).toBe(2000);
  });
});

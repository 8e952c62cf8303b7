import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, cliLines, runKizuna } from '../../test/support/cli.ts';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import type { Workspace } from '../workspaces/workspaces.ts';

const database = connectTestDatabase();
let workspace: Workspace;

// Asia/Tokyo, one item line per order (quantity × price):
//   May 2024   X 05-10 2 × 1,000, Y 05-20 1 × 3,000, X 05-25 1 × 1,000
//              → sales 6,000 = 2 customers × 1.5 purchases × 4/3 items × 1,500 per item
//   June to date (asOf 2024-06-11, 10 of 30 days): X 06-03 1 × 1,500, Y 06-05 2 × 1,500
//              → sales 4,500, customers 2, purchases 2, items 3, price per item 1,500
const ORDERS: [id: string, customer: string, at: string, quantity: number, price: number][] = [
  ['X-0510', 'X', '2024-05-10 12:00', 2, 1000],
  ['Y-0520', 'Y', '2024-05-20 12:00', 1, 3000],
  ['X-0525', 'X', '2024-05-25 12:00', 1, 1000],
  ['X-0603', 'X', '2024-06-03 12:00', 1, 1500],
  ['Y-0605', 'Y', '2024-06-05 12:00', 2, 1500],
];
const AS_OF = ['--as-of', '2024-06-11'];

beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  const records = ORDERS.map(([orderId, customer, at, quantity, price]) => ({
    order_id: orderId,
    customer_id: customer,
    ordered_at: at,
    status: 'delivered',
    channel: 'web',
    items: [{ sku: 'P', quantity, unit_price: price, product_name: 'Product' }],
  }));
  const result = await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind: 'orders', records, mode: 'all-or-nothing' }));
  expect(result.errors).toEqual([]);
});
afterAll(() => database.close());

/** Runs `node bin/kizuna.js kpi ... --workspace <the test's>` against the test database. */
const kpi = (...args: string[]) => runKizuna('kpi', workspace.name, args);
const json = cliJson;
const lines = cliLines;

describe('kizuna kpi', () => {
  const ids: Record<string, string> = {};

  it('seed creates sales and its four factors from May, each factor × (8,784.6 ÷ 6,000)^(1/4) = 1.1', async () => {
    const out = lines(await kpi('seed', '--sales-target', '8784.6', ...AS_OF));
    expect(out[0]).toBe(
      `Seeded the KPI tree of workspace ${workspace.name} (JPY) from 2024-05-01 – 2024-05-31: sales 6,000 = 2 customers × 1.50 × 1.33 × 1,500`,
    );
    expect(out[1]).toBe('Sales target 8,785: × 1.4641, so each of the four factors × 1.1000 (the change split evenly in log terms)');
    expect(out).toContain('id KPI metric baseline target');
    // Customers 2 → 2.2; frequency 1.5 → 1.65; items per purchase 1.33 → 1.47; price per item 1,500 → 1,650.
    expect(out.some((line) => /^\d+ 売上 sales 6,000 8,785$/.test(line))).toBe(true);
    expect(out.some((line) => /^\d+ 客数 customers 2 2.20$/.test(line))).toBe(true);
    expect(out.some((line) => /^\d+ 来店回数 frequency 1.50 1.65$/.test(line))).toBe(true);
    expect(out.some((line) => /^\d+ 点数 items_per_purchase 1.33 1.47$/.test(line))).toBe(true);
    expect(out.some((line) => /^\d+ 単価 price_per_item 1,500 1,650$/.test(line))).toBe(true);
  });

  it('list --json gives the tree in order with depths; list prints it indented', async () => {
    const [asJson, asTable] = await Promise.all([kpi('list', '--json'), kpi('list')]);
    const list = json(asJson);
    expect(list.map((k: { name: string; depth: number }) => [k.name, k.depth])).toEqual([
      ['売上', 0],
      ['客数', 1],
      ['来店回数', 1],
      ['点数', 1],
      ['単価', 1],
    ]);
    for (const k of list) ids[k.name] = k.id;
    const table = asTable.stdout.split('\n');
    expect(table[1]!.trim()).toMatch(/^id\s+KPI\s+metric\s+by\s+target\s+overrides\s+better\s+band\s+filter$/);
    // The children are indented under the root by two columns.
    const nameColumn = (name: string) => table.find((line) => line.includes(name))!.indexOf(name);
    expect(nameColumn('客数') - nameColumn('売上')).toBe(2);
  });

  it('add creates a KPI with a filter and an override; update changes only what is given; --json prints the KPI', async () => {
    const added = json(
      await kpi(
        'add',
        '--name',
        'Web売上',
        '--metric',
        'sales',
        '--target',
        '9000',
        '--filter',
        'channel=web',
        '--override',
        '2024-06-01=12000',
        '--parent',
        ids.売上!,
        '--json',
      ),
    );
    expect(added).toMatchObject({
      name: 'Web売上',
      metric: { kind: 'sales' },
      granularity: 'month',
      target: 9000,
      filters: { channel: 'web' },
      targetOverrides: [{ bucket: '2024-06-01', target: 12_000 }],
      parentId: ids.売上,
      direction: 'higher_is_better',
      tolerance: 0.05,
    });
    ids.web = added.id;
    const out = lines(await kpi('update', added.id, '--target', '10000', '--override', 'none', '--tolerance', '0.1'));
    expect(out).toEqual([
      `Updated KPI ${added.id} "Web売上" in workspace ${workspace.name}: sales by month (channel=web)`,
      'target 10,000 a month, higher is better, on track within ±10.0%',
      `below KPI ${ids.売上}`,
      '',
    ]);
    const f2 = json(await kpi('add', '--name', 'F2転換率', '--metric', 'f2_rate', '--within', '60', '--target', '0.3', '--json'));
    expect(f2).toMatchObject({ metric: { kind: 'f2_rate', within: 60 }, parentId: null });
  });

  it('board judges June to date on 10 of 30 days: sales 4,500 against 8,784.6 × 1/3 is ahead, price per item behind', async () => {
    const board = json(await kpi('board', ...AS_OF, '--buckets', '1', '--json'));
    const byName = Object.fromEntries(board.entries.map((e: { kpi: { name: string } }) => [e.kpi.name, e]));
    expect(byName.売上.status).toMatchObject({ status: 'ahead', actual: 4500, expected: expect.closeTo(8784.6 / 3, 9) });
    expect(byName.単価.status).toMatchObject({ status: 'behind', actual: 1500, expected: expect.closeTo(1650, 9) });
    expect(byName.Web売上.series.map((b: { actual: number }) => b.actual)).toEqual([6000, 4500]);
    const out = lines(await kpi('board', ...AS_OF, '--buckets', '1'));
    expect(out[0]).toBe(`KPI board of workspace ${workspace.name} (JPY) as of 2024-06-11: purchases up to 2024-06-10`);
    expect(out).toContain('KPI metric bucket actual expected pace status trend');
    // 4,500 ÷ 2,928.2 = 153.7 %: ahead. 客数 2 against 2.2 × 1/3 = 0.73: ahead.
    expect(out).toContain('売上 sales 2024-06 4,500 2,928 153.7% ahead too few buckets');
    expect(out).toContain('Web売上 sales 2024-06 4,500 3,333 135.0% ahead too few buckets');
    expect(out).toContain('客数 customers 2024-06 2 0.73 272.7% ahead too few buckets');
    expect(out).toContain('Actuals by month (the last one to date)');
    expect(out).toContain('month 売上 客数 来店回数 点数 単価 Web売上 F2転換率');
    // F2 within 60 days of the May cohort: X again on 05-25, Y on 06-05: 100 %; June's cohort is empty.
    expect(out).toContain('2024-05 6,000 2 1.50 1.33 1,500 6,000 100.0%');
    expect(out).toContain('2024-06 (to date) 4,500 2 1.00 1.50 1,500 4,500 -');
    expect(out).toContain('F2転換率 f2_rate within 60 days 2024-06 - - - no data too few buckets');
  });

  it('remove refuses a KPI with KPIs below it (exit 1) and removes the subtree with --with-descendants', async () => {
    const refused = await kpi('remove', ids.売上!);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'error: KPI "売上" has 5 KPIs below it (客数, 来店回数, 点数, 単価, Web売上): delete or move them first, or delete it with its descendants.\n',
    );
    const removed = json(await kpi('remove', ids.売上!, '--with-descendants', '--json'));
    expect(removed.deleted).toHaveLength(6);
    expect(json(await kpi('list', '--json')).map((k: { name: string }) => k.name)).toEqual(['F2転換率']);
  });

  it('a malformed or missing option exits with 2 on one line naming it; a refused definition or a taken name exits with 1', async () => {
    const runs = await Promise.all([
      kpi('add', '--name', 'x', '--metric', 'profit', '--target', '1'),
      kpi('add', '--name', 'x', '--metric', 'sales'),
      kpi('add', '--name', 'x', '--metric', 'f2_rate', '--target', '0.3'),
      kpi('update', 'abc', '--target', '1'),
      kpi('update', '1'),
      kpi('add', '--name', 'リピート率', '--metric', 'repeat_rate', '--target', '1.5'),
      kpi('add', '--name', 'F2転換率', '--metric', 'sales', '--target', '1'),
      kpi('seed', '--sales-target', '1000', '--as-of', '2024-04-01'),
    ]);
    expect(runs.map((run) => [run.code, run.stderr])).toEqual([
      [
        2,
        'error: --metric must be one of sales, customers, purchases, frequency, items_per_purchase, price_per_item, repeat_rate, f2_rate, churn_rate, active_subscribers, continuation_rate, cancellation_rate, step_up_rate, not "profit"\n',
      ],
      [2, "error: required option '--target <number>' not specified\n"],
      [2, 'error: --metric f2_rate needs --within DAYS, the F2 window\n'],
      [2, 'error: the KPI id must be a whole number (see kpi list), not "abc"\n'],
      [
        2,
        'error: nothing to change: give at least one of --name, --metric, --target, --granularity, --override, --filter, --direction, --tolerance, --parent\n',
      ],
      [1, 'error: The KPI is not valid: target: repeat_rate is a share from 0 to 1 (0.3 for 30 %), so its target cannot be 1.5\n'],
      [1, expect.stringMatching(/^error: A KPI named "F2転換率" already exists in this workspace \(id \d+\); choose another name\.\n$/)],
      [1, ''],
    ]);
    expect(runs.slice(0, -1).every((run) => run.stdout === '')).toBe(true);
    expect(runs.at(-1)!.stdout).toBe(
      `Nothing seeded in workspace ${workspace.name}: The month of 2024-03-01 has no sales to split a target from: seed the tree as of a date after a month with sales.\n`,
    );
  });
});

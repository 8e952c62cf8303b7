import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, cliLines, runKizuna } from '../../test/support/cli.ts';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { addOrders, type FixtureOrder } from '../../test/support/purchases.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { displayWidth } from './format-table.ts';

const database = connectTestDatabase();
let workspace: Workspace;

// Asia/Tokyo, one item per order (so items per purchase is always 1):
//   A  2023-03-05 4,000 | 2024-02-05 1,000 | 2024-03-01 1,000 | 2024-03-10 1,000
//   B  2024-02-20 2,000 | 2024-03-15 3,000 | 2024-06-01 2,000
//   C  2024-03-20 2,000 | 2024-04-05 1,000
//   D  2024-03-25 5,000 cancelled: never a purchase
//   E  2024-02-25 1,500
// March 2024: sales 7,000, customers 3 (A, B, C), purchases 4, price per item 1,750.
// February 2024: sales 4,500, customers 3 (A, B, E), purchases 3, price per item 1,500.
// March 2023: sales 4,000, customers 1, purchases 1.
const ORDERS: FixtureOrder[] = [
  { customer: 'A', at: '2023-03-05 12:00', amount: 4000 },
  { customer: 'A', at: '2024-02-05 10:00', amount: 1000 },
  { customer: 'B', at: '2024-02-20 10:00', amount: 2000 },
  { customer: 'E', at: '2024-02-25 10:00', amount: 1500 },
  { customer: 'A', at: '2024-03-01 09:00', amount: 1000 },
  { customer: 'A', at: '2024-03-10 09:00', amount: 1000 },
  { customer: 'B', at: '2024-03-15 12:00', amount: 3000 },
  { customer: 'C', at: '2024-03-20 12:00', amount: 2000 },
  { customer: 'D', at: '2024-03-25 12:00', amount: 5000, status: 'cancelled' },
  { customer: 'C', at: '2024-04-05 12:00', amount: 1000 },
  { customer: 'B', at: '2024-06-01 12:00', amount: 2000 },
];

beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  await addOrders(database, workspace, ORDERS);
});
afterAll(() => database.close());

/** Runs `node bin/kizuna.js analyze ... --workspace <the test's>` against the test database. */
const analyze = (...args: string[]) => runKizuna('analyze', workspace.name, args);
const json = cliJson;
const lines = cliLines;

const MARCH = ['--from', '2024-03-01', '--to', '2024-04-01'];
const FEB_MARCH = ['--from', '2024-02-01', '--to', '2024-04-01'];

describe('kizuna analyze sales and difference', () => {
  it('sales --json: the decomposition and both comparisons, with the log shares computed by hand', async () => {
    const result = json(await analyze('sales', ...MARCH, '--json'));
    expect(result.totals).toEqual({ sales: '7000', customers: 3, purchases: 4, items: 4, frequency: 4 / 3, itemsPerPurchase: 1, pricePerItem: 1750 });
    expect(result.series).toHaveLength(1);
    const [previous, year] = result.comparisons;
    expect(previous.period).toEqual({ from: '2024-02-01', to: '2024-03-01' });
    expect(previous.totals).toMatchObject({ sales: '4500', customers: 3, purchases: 3 });
    // ln(7000/4500) = ln(4/3) [frequency] + ln(7/6) [price per item]; customers and items per purchase unchanged.
    const lnSales = Math.log(7000 / 4500);
    expect(previous.change.salesDifference).toBe('2500');
    expect(previous.change.factors.customers).toEqual({ ratio: 1, share: 0 });
    expect(previous.change.factors.frequency.share).toBeCloseTo(Math.log(4 / 3) / lnSales, 12);
    expect(previous.change.factors.pricePerItem.share).toBeCloseTo(Math.log(7 / 6) / lnSales, 12);
    expect(year.period).toEqual({ from: '2023-03-01', to: '2023-04-01' });
    expect(year.change.factors.customers.ratio).toBe(3);
    expect(year.change.factors.pricePerItem.ratio).toBeCloseTo(1750 / 4000, 12);
  });

  it('sales prints the series and each comparison as tables, money with thousands separators and shares as percentages', async () => {
    const out = lines(await analyze('sales', ...FEB_MARCH, '--compare', 'year'));
    expect(out[0]).toBe(`Sales 2024-02-01 – 2024-03-31 by month (workspace ${workspace.name}, JPY)`);
    expect(out).toContain('month sales customers purchases items frequency items/purchase price/item');
    expect(out).toContain('2024-02 4,500 3 3 3 1.00 1.00 1,500');
    expect(out).toContain('2024-03 7,000 3 4 4 1.33 1.00 1,750');
    expect(out).toContain('total 11,500 4 7 7 1.75 1.00 1,643');
    expect(out).toContain('Against the same period a year earlier, 2023-02-01 – 2023-03-31: sales 4,000 → 11,500, +7,500 (ratio 2.875)');
    expect(out.some((line) => line.startsWith('Against the previous'))).toBe(false);
    // ln 4 / ln 2.875, ln 1.75 / ln 2.875, ln(1,642.86 / 4,000) / ln 2.875.
    expect(out).toContain(`customers 1 4 4.000 ${((100 * Math.log(4)) / Math.log(2.875)).toFixed(1)}%`);
    expect(out).toContain(`frequency 1.00 1.75 1.750 ${((100 * Math.log(1.75)) / Math.log(2.875)).toFixed(1)}%`);
    expect(out).toContain(`price/item 4,000 1,643 0.411 ${((100 * Math.log(11500 / 7 / 4000)) / Math.log(2.875)).toFixed(1)}%`);
  });

  it('difference --by cohort: groups ranked by their contribution to the change, as JSON and as a table', async () => {
    const [asJson, asTable] = await Promise.all([
      analyze('difference', ...MARCH, '--by', 'cohort', '--json'),
      analyze('difference', ...MARCH, '--by', 'cohort'),
    ]);
    const result = json(asJson);
    // Total +2,500: C's cohort 2024-03 +2,000 (0.8), A's 2023-03 +1,000 (0.4), B and E's 2024-02 -500 (-0.2).
    expect(result.groups.map((g: { key: string; contribution: number }) => [g.key, g.contribution])).toEqual([
      ['2024-03', 0.8],
      ['2023-03', 0.4],
      ['2024-02', -0.2],
    ]);
    expect(result.overlap).toBe('none');
    const out = lines(asTable);
    expect(out[1]).toBe('Total: sales 4,500 → 7,000, +2,500 (ratio 1.556)');
    expect(out).toContain('cohort sales before sales after difference contribution customers frequency items/purchase price/item');
    expect(out).toContain('2024-03 0 2,000 +2,000 80.0% - - - -');
    expect(out).toContain('2023-03 1,000 2,000 +1,000 40.0% 1.000 2.000 1.000 1.000');
    expect(out).toContain('2024-02 3,500 3,000 -500 -20.0% 0.500 1.000 1.000 1.714');
  });
});

describe('kizuna analyze repeat, f2 and retention', () => {
  it('repeat: per month and over the whole period, where a customer buying in both months is a repeater', async () => {
    const [asJson, asTable] = await Promise.all([analyze('repeat', ...FEB_MARCH, '--json'), analyze('repeat', ...FEB_MARCH)]);
    const result = json(asJson);
    expect(result.total).toEqual({ customers: 4, repeaters: 2, rate: 0.5 });
    expect(result.series.map((b: { repeaters: number; customers: number }) => [b.repeaters, b.customers])).toEqual([
      [0, 3],
      [1, 3],
    ]);
    const out = lines(asTable);
    expect(out).toContain('month customers repeaters repeat rate');
    expect(out).toContain('2024-03 3 1 33.3%');
    expect(out).toContain('total 4 2 50.0%');
  });

  it('f2: the share of first buyers who buy again on a later day within --within days, per cohort', async () => {
    const args = ['f2', ...FEB_MARCH, '--within', '20', '--as-of', '2024-07-01'];
    const [asJson, asTable] = await Promise.all([analyze(...args, '--json'), analyze(...args)]);
    const result = json(asJson);
    // February: B (02-20, again 03-15: 24 days, too late) and E (never again); March: C (03-20, again 04-05: 16 days).
    expect(result.cohorts.map((c: { cohortSize: number; converted: number }) => [c.cohortSize, c.converted])).toEqual([
      [2, 0],
      [1, 1],
    ]);
    expect(result.total).toEqual({ cohortSize: 3, converted: 1, rate: 1 / 3, complete: true });
    const out = lines(asTable);
    expect(out[0]).toBe(
      `F2 conversion within 20 days, first purchases 2024-02-01 – 2024-03-31 by month, purchases up to 2024-06-30 (workspace ${workspace.name})`,
    );
    expect(out).toContain('2024-02 2 0 0.0% 2024-03-20');
    expect(out).toContain('2024-03 1 1 100.0% 2024-04-20');
    expect(out).toContain('total 3 1 33.3% 2024-04-20');
  });

  it('retention: the share of each cohort buying in month k and the cumulative revenue per customer; months not over are blank', async () => {
    const args = ['retention', ...FEB_MARCH, '--months', '2', '--as-of', '2024-05-01'];
    const [asJson, asTable] = await Promise.all([analyze(...args, '--json'), analyze(...args)]);
    const result = json(asJson);
    const [february, march] = result.cohorts;
    expect(february).toMatchObject({ month: '2024-02-01', customers: 2 });
    expect(february.cells.map((c: { retention: number | null }) => c.retention)).toEqual([1, 0.5, 0]);
    expect(february.cells.map((c: { cumulativeRevenuePerCustomer: number | null }) => c.cumulativeRevenuePerCustomer)).toEqual([1750, 3250, 3250]);
    expect(march.cells.map((c: { retention: number | null }) => c.retention)).toEqual([1, 1, null]);
    const out = lines(asTable);
    expect(out).toContain('cohort customers M0 M1 M2');
    expect(out).toContain('2024-02 2 100.0% 50.0% 0.0%');
    expect(out).toContain('2024-03 1 100.0% 100.0%');
    expect(out).toContain('2024-02 2 1,750 3,250 3,250');
    expect(out).toContain('2024-03 1 2,000 3,000');
  });
});

describe('kizuna analyze churn and rfm', () => {
  it('churn: the churned customers at a date, most valuable first, paged by --limit', async () => {
    const args = ['churn', '--as-of', '2024-07-01', '--window', '60', '--limit', '2'];
    const [asJson, asTable] = await Promise.all([analyze(...args, '--json'), analyze(...args)]);
    const result = json(asJson);
    // Last purchase before 2024-05-02 (60 days before the date): A 03-10, C 04-05, E 02-25; not B 06-01.
    expect(result).toMatchObject({ outcome: 'listed', window: { days: 60, source: 'given' }, customers: 4, churned: 3, churnRate: 0.75 });
    expect(result.items.map((c: { externalId: string; daysSince: number; totalSpent: string }) => [c.externalId, c.daysSince, c.totalSpent])).toEqual([
      ['A', 113, '7000'],
      ['C', 87, '3000'],
    ]);
    expect(result.nextCursor).not.toBeNull();
    const out = lines(asTable);
    // The last purchase is B's on 06-01, a month before the date: said first.
    expect(result.dataEndsOn).toBe('2024-06-01');
    expect(out[0]).toBe(
      "The data ends on 2024-06-01: every figure is as of 2024-07-01, so customers look silent since then. Give --as-of 2024-06-02 to see them as of the data's end.",
    );
    expect(out[1]).toBe(
      `Churned as of 2024-07-01: no purchase for more than 60 days and no subscription in force, the window given with --window (workspace ${workspace.name}, JPY)`,
    );
    expect(out[2]).toBe('3 of 4 customers churned (75.0%)');
    expect(out[3]).toBe('0 customers silent for longer have a subscription in force (active or paused): never churned.');
    expect(out).toContain('customer name last purchase days since churned on purchases total spent R score');
    // R: recency E 127, A 113, C 87, B 30 days → k = 2 for A → ⌈10 ÷ 4⌉ = 3.
    expect(out).toContain('A 2024-03-10 113 2024-05-10 4 7,000 3');
    expect(out.at(-2)).toMatch(/^More follow: the next page with --cursor \S+, or more at once with a larger --limit\.$/);
  });

  it('churn --propose gives the p90 of the gaps between purchase days; --set-window stores a window or follows the proposal', async () => {
    // Gaps in days: A 337, 25, 9; B 24, 78; C 16. p90 at rank 4.5 of 0..5: 78 + 0.5 × (337 − 78) = 207.5 → 208.
    // p75 at 3.75 = 25 + 0.75 × 53 = 64.75; p95 at 4.75 = 78 + 0.75 × 259 = 272.25; bins of ⌈272.25 ÷ 19⌉ = 15 days.
    const [proposal, readable] = await Promise.all([analyze('churn', '--propose', '--json'), analyze('churn', '--propose')]);
    expect(json(proposal)).toMatchObject({
      days: 208,
      population: { kind: 'all_customers', reason: 'no_subscribers' },
      intervals: { count: 6, median: 24.5, p75: 64.75, p80: 78, p90: 207.5, p95: 272.25, histogram: { width: 15 } },
    });
    expect(json(proposal).intervals.histogram.counts.slice(0, 6)).toEqual([1, 3, 0, 0, 0, 1]);
    const out = lines(readable);
    expect(out[0]).toMatch(/^Proposed churn window: 208 days, the 90th percentile/);
    expect(out[1]).toMatch(/^Population: every customer \(\d+\); nobody has had a subscription\.$/);
    expect(out).toContain('median 24.5');
    expect(out).toContain('90th percentile 207.5');
    expect(out).toContain('16-30 3 ##############################');
    expect(out).toContain('286+ 1 ##########');

    expect(json(await analyze('churn', '--set-window', '90', '--json'))).toEqual({ churnWindowDays: 90, clvMargin: null });
    const stored = json(await analyze('churn', '--as-of', '2024-07-01', '--json'));
    expect(stored).toMatchObject({ window: { days: 90, source: 'setting' }, churned: 2 });
    const following = lines(await analyze('churn', '--set-window', 'proposal'));
    expect(following[0]).toBe(
      `The churn window of workspace ${workspace.name} now follows the proposal from the purchase intervals (analyze churn --propose shows it).`,
    );
    const proposed = json(await analyze('churn', '--as-of', '2024-07-01', '--json'));
    expect(proposed).toMatchObject({ window: { days: 208, source: 'proposal' }, churned: 0, items: [] });
  });

  it('rfm: segments, the R × F grid and the score boundaries, Japanese names aligned by display width', async () => {
    const [asJson, asTable] = await Promise.all([analyze('rfm', '--as-of', '2024-07-01', '--json'), analyze('rfm', '--as-of', '2024-07-01')]);
    const result = json(asJson);
    // n = 4, score ⌈5k/4⌉. Recency E 127 (2), A 113 (3), C 87 (4), B 30 (5); frequency E 1 (2), C 2 (3), B 3 (4), A 4 (5).
    // Segments: E 離反予備 (R = 2); B 優良 (R 5, F 4); A and C 安定.
    expect(result).toMatchObject({ customers: 4, monetary: '18500' });
    expect(result.segments.map((s: { code: string; customers: number }) => [s.code, s.customers])).toEqual([
      ['churned', 0],
      ['at_risk', 1],
      ['new', 0],
      ['loyal', 1],
      ['stable', 2],
    ]);
    const table = asTable.stdout.split('\n');
    const out = lines(asTable);
    expect(out).toContain(
      '離反予備 At risk 1 25.0% 1,500 8.1% R ≤ 2 but not churned: silent long compared with the other customers, yet within the churn window or a subscriber; the win-back target.',
    );
    expect(out).toContain(
      'Churned (離反) is the churn list of the date: no purchase for more than 208 days (the proposed window) and no subscription in force. The recency score is relative to the other customers: R = 1 is not churned by itself.',
    );
    expect(out).toContain('安定 Stable 2 50.0% 10,000 54.1% The rest: repeat buyers, recent enough (R ≥ 3), not at the top of both R and F.');
    // The customers column ends on the same display column on the header and every segment line, 離反予備 being 8 columns wide.
    const header = table.find((line) => line.includes('segment'))!;
    const ends = [displayWidth(header.slice(0, header.indexOf('customers') + 'customers'.length))];
    for (const segment of ['Churned', 'At risk', 'New', 'Loyal', 'Stable']) {
      const line = table.find((l) => l.includes(` ${segment} `))!;
      const cell = new RegExp(`${segment} +\\d+`).exec(line)!;
      ends.push(displayWidth(line.slice(0, cell.index + cell[0].length)));
    }
    expect(new Set(ends).size).toBe(1);
    expect(out).toContain('R5 0 0 0 1 0');
    expect(out).toContain('R2 0 1 0 0 0');
    expect(out).toContain('score recency (days) frequency monetary (JPY)');
    expect(out).toContain('5 30 4 7,000');
    expect(out).toContain('1 - - -');
  });
});

describe('kizuna analyze clv', () => {
  it('clv: fits and stores the models, then prints the fits, the holdout check, the distributions and the top customers', async () => {
    // Calibration to 2024-03-31: A, B, C and E have bought; A (3 later purchase days) and B (1) are repeat customers.
    // Holdout: 04-01 .. 06-01 (62 days) holds two repeat purchase days, C's 04-05 and B's 06-01.
    // Without a margin given or set, the run is refused and says how to set one.
    const refused = await analyze('clv', '--calibration-end', '2024-03-31');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/No margin \(粗利率\).*--set-margin/);
    expect(lines(await analyze('clv', '--set-margin', '0.25'))[0]).toBe(
      `The CLV margin of workspace ${workspace.name} is now 25.0%; analyze clv uses it unless --margin is given.`,
    );
    const result = json(await analyze('clv', '--calibration-end', '2024-03-31', '--unit', 'day', '--horizon', '6', '--limit', '3', '--json'));
    expect(result.run).toMatchObject({
      calibrationEnd: '2024-03-31',
      unit: 'day',
      horizonMonths: 6,
      margin: 0.25,
      marginSource: 'setting',
      discountRate: 0.01,
      customers: 4,
      repeatCustomers: 2,
      holdout: { days: 62, actual: 2 },
    });
    expect(Object.keys(result.run.bgNbd)).toEqual(expect.arrayContaining(['r', 'alpha', 'a', 'b', 'standardErrors', 'logLikelihood']));
    const clvs = result.top.items.map((c: { clv: number }) => c.clv);
    expect(clvs).toHaveLength(3);
    expect(clvs).toEqual([...clvs].sort((a, b) => b - a));
    expect(result.top.nextCursor).not.toBeNull();

    const out = lines(await analyze('clv', '--calibration-end', '2024-03-31', '--margin', '0.4'));
    expect(out).toContain(
      'Calibration: purchases up to 2024-03-31, time unit week; value over 12 months at a margin of 40.0% (given with --margin) and a discount rate of 1.00% a month',
    );
    expect(out).toContainEqual(expect.stringMatching(/^4 customers scored, 2 with repeat purchases; total CLV [\d,]+ \(margin 40\.0%\)$/));
    expect(out).toContainEqual(expect.stringMatching(/^(Expected spends: Gamma-Gamma|Not used: )/));
    expect(out).toContainEqual(
      expect.stringMatching(/^BG\/NBD, repeat purchase days \(alpha in weeks\): log-likelihood -[\d.,]+, (NOT )?converged after \d+ iterations$/),
    );
    expect(out).toContain('parameter estimate std. error');
    expect(out).toContainEqual(
      expect.stringMatching(/^Holdout check: 62 days after calibration, 2 repeat purchase days against [\d.]+ expected \([+-][\d.]+%\)$/),
    );
    expect(out).toContain('distribution mean p10 p25 median p75 p90 p99');
    expect(out).toContain('Top 4 customers by CLV');
    expect(out).toContain('customer name repeat purchases P(alive) expected purchases expected spend CLV (margin 40.0%)');
    await analyze('clv', '--set-margin', 'none');
  });
});

describe('kizuna analyze --engine', () => {
  it('gives the same JSON from the analytics engine (the default) and from the SQL reference', async () => {
    const commands = [
      ['sales', ...FEB_MARCH, '--granularity', 'week'],
      ['repeat', ...FEB_MARCH],
      ['f2', ...FEB_MARCH, '--within', '30'],
      ['retention', ...FEB_MARCH, '--months', '2', '--as-of', '2024-05-01'],
      ['churn', '--as-of', '2024-05-01', '--window', '20'],
      ['rfm', '--as-of', '2024-04-01'],
    ];
    for (const command of commands) {
      const [memory, sql] = await Promise.all([analyze(...command, '--json'), analyze(...command, '--json', '--engine', 'sql')]);
      expect(json(memory), command.join(' ')).toEqual(json(sql));
    }
    const refused = await analyze('rfm', '--engine', 'duckdb');
    expect([refused.code, refused.stderr]).toEqual([2, 'error: --engine must be one of memory, sql, not "duckdb"\n']);
  }, 120_000);
});

describe('kizuna analyze errors', () => {
  it('a malformed or missing option exits with 2 and one line naming it; an analysis refusing its input exits with 1', async () => {
    const runs = await Promise.all([
      analyze('sales', '--from', '2024-13-01', '--to', '2024-04-01'),
      analyze('difference', ...MARCH, '--by', 'colour'),
      analyze('sales', '--to', '2024-04-01'),
      analyze('churn', '--propose', '--set-window', '30'),
      analyze('rfm', '--workspace', 'no-such-workspace'),
      analyze('sales', '--from', '2024-04-01', '--to', '2024-03-01'),
      analyze('f2', ...MARCH, '--within', '0'),
    ]);
    expect(runs.map((run) => [run.code, run.stderr])).toEqual([
      [2, 'error: --from must be a date written YYYY-MM-DD, not "2024-13-01"\n'],
      [2, 'error: --by must be one of gender, age_band, prefecture, cohort, product, category, channel, place, store or attribute:KEY, not "colour"\n'],
      [2, "error: required option '--from <date>' not specified\n"],
      [2, "error: option '--propose' cannot be used with option '--set-window <days|proposal>'\n"],
      [2, 'error: No workspace named "no-such-workspace". Create it with: npx kizuna workspace create no-such-workspace\n'],
      [1, 'error: from (2024-04-01) must be before to (2024-03-01): a period is [from, to)\n'],
      [1, 'error: within must be a whole number of days from 1 to 3650, not 0\n'],
    ]);
    expect(runs.every((run) => run.stdout === '')).toBe(true);
  });
});

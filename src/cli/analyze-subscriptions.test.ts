import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, cliLines, runKizuna } from '../../test/support/cli.ts';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { addSubscriptionBrand } from '../../test/support/subscription-brand.ts';
import type { Workspace } from '../workspaces/workspaces.ts';

/**
 * `kizuna analyze continuation|cancellations|step-up|subscribers` on the hand-computed brand
 * of test/support/subscription-brand.ts. The binary runs on the real clock, so every command
 * names its date (2024-07-01 is then a past as-of date: S6's deliveries come from its orders,
 * 2, as stored).
 */
const database = connectTestDatabase();
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  await addSubscriptionBrand(database, workspace);
});
afterAll(() => database.close());

const analyze = (...args: string[]) => runKizuna('analyze', workspace.name, args);

describe('kizuna analyze continuation', () => {
  it('--json gives the API shape: rates 4/5, 2/4, 1 and the survival curve', async () => {
    const result = cliJson(await analyze('continuation', '--as-of', '2024-07-01', '--max-delivery', '3', '--json'));
    expect(result).toMatchObject({ asOf: '2024-07-01', by: null, maxDelivery: 3, deliveriesCountedFrom: 'orders' });
    expect(result.total.rows.map((row: { rate: number; survival: number }) => [row.rate, row.survival])).toEqual([
      [4 / 5, 1],
      [2 / 4, 0.8],
      [1, 0.4],
    ]);
  });

  it('prints the table of the whole and of each course, with the K+ row', async () => {
    const out = cliLines(await analyze('continuation', '--as-of', '2024-07-01', '--max-delivery', '3', '--by', 'course'));
    expect(out[0]).toBe(
      `Continuation by delivery number as of 2024-07-01 (workspace ${workspace.name}; deliveries from the orders naming each subscription where there are some)`,
    );
    expect(out).toContain('8 subscriptions; 0 awaiting their first delivery, 1 cancelled before it');
    expect(out).toContain('delivery reached continued censored stopped rate survival');
    expect(out).toContain('1 7 4 2 1 80.0% 100.0%');
    expect(out).toContain('2 4 2 0 2 50.0% 80.0%');
    expect(out).toContain('4+ 1 1 1 0 100.0%');
    expect(out).toContain('course Monthly:');
    expect(out).toContain('2 3 2 0 1 66.7% 75.0%');
  });
});

describe('kizuna analyze cancellations, step-up and subscribers', () => {
  it('cancellations: the monthly rate, the reasons in both languages, the reasons by delivery', async () => {
    const out = cliLines(await analyze('cancellations', '--from', '2024-01-01', '--to', '2024-07-01', '--max-delivery', '3'));
    expect(out).toContain('month in force at start cancelled rate');
    expect(out).toContain('2024-02 2 1 50.0%');
    expect(out).toContain('2024-06 6 2 33.3%');
    expect(out).toContain('効果を感じない / No effect felt no_effect 2 50.0%');
    expect(out).toContain('配送の遅れ / Late delivery delivery_delay 1 25.0%');
    expect(out).toContain('2 2 効果を感じない 50.0%, 価格 50.0%');
  });

  it('step-up: per cohort and by source, --json the API shape', async () => {
    const args = ['step-up', '--from', '2024-01-01', '--to', '2024-07-01', '--within', '30', '--as-of', '2024-07-01'];
    const [asJson, asTable] = await Promise.all([analyze(...args, '--json'), analyze(...args)]);
    expect(cliJson(asJson).total).toEqual({ trialCustomers: 7, steppedUp: 4, rate: 4 / 7, complete: false });
    const out = cliLines(asTable);
    expect(out).toContain('2024-01 3 3 100.0%');
    expect(out).toContain('2024-06 1 0 0.0% open');
    expect(out).toContain('search 3 0 0.0% open');
    expect(out).toContain('open: a window ends on or after 2024-07-01, so more of the cohort may still step up.');
  });

  it('subscribers: in force at each month end', async () => {
    const out = cliLines(await analyze('subscribers', '--from', '2024-04-01', '--to', '2024-07-01', '--as-of', '2024-07-01'));
    expect(out).toContain('month as of active paused in force subscribers');
    expect(out).toContain('2024-05 2024-06-01 5 1 6 5');
  });

  it('a bound exceeded exits with 1 naming it; a malformed option with 2', async () => {
    const [tooFar, split] = await Promise.all([analyze('continuation', '--max-delivery', '61'), analyze('continuation', '--by', 'colour')]);
    expect([tooFar.code, tooFar.stderr]).toEqual([1, 'error: maxDelivery must be a whole number from 1 to 60, not 61.\n']);
    expect([split.code, split.stderr]).toEqual([2, 'error: --by must be one of cohort, course, product, source, not "colour"\n']);
  });
});

describe('kizuna kpi with the subscription metrics', () => {
  const kpi = (...args: string[]) => runKizuna('kpi', workspace.name, args);

  it('adds a continuation rate from a delivery number and a step-up rate within W days; each needs its parameter', async () => {
    const continuation = cliJson(
      await kpi('add', '--name', '2回目継続率', '--metric', 'continuation_rate', '--delivery-number', '2', '--target', '0.7', '--json'),
    );
    expect(continuation.metric).toEqual({ kind: 'continuation_rate', deliveryNumber: 2 });
    const stepUp = cliJson(await kpi('add', '--name', '引き上げ率', '--metric', 'step_up_rate', '--within', '30', '--target', '0.4', '--json'));
    expect(stepUp.metric).toEqual({ kind: 'step_up_rate', within: 30 });
    const cancellation = cliJson(await kpi('add', '--name', '解約率', '--metric', 'cancellation_rate', '--target', '0.1', '--json'));
    expect(cancellation.direction).toBe('lower_is_better');
    const [noK, kWithSales] = await Promise.all([
      kpi('add', '--name', 'x', '--metric', 'continuation_rate', '--target', '0.5'),
      kpi('add', '--name', 'y', '--metric', 'sales', '--delivery-number', '2', '--target', '1'),
    ]);
    expect([noK.code, noK.stderr]).toEqual([2, 'error: --metric continuation_rate needs --delivery-number K, the delivery continued from\n']);
    expect([kWithSales.code, kWithSales.stderr]).toEqual([2, 'error: --delivery-number goes with --metric continuation_rate\n']);
  });
});

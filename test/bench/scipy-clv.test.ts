import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScipyClv, scipyAvailable, writeClvSummaryTsv, type ScipyClvResult } from '../../bench/baselines/scipy-clv.ts';
import { conditionalExpectedPurchases, probabilityAlive } from '../../src/analytics/clv/bg-nbd.ts';
import { readCdnowSample } from '../../src/analytics/clv/cdnow-fixture.ts';
import { summarisePurchaseDays, type PurchaseSummary } from '../../src/analytics/clv/clv.ts';
import { conditionalExpectedSpend } from '../../src/analytics/clv/gamma-gamma.ts';

/**
 * The numpy/scipy baseline (bench/baselines/clv_fit.py) on the CDNOW sample, calibration to
 * 1997-09-30 in weeks, against the published estimates:
 * - BG/NBD, Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way":
 *   r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4; E[Y(39) | 2, 30.43, 38.86] = 1.226;
 * - Gamma-Gamma, Fader, Hardie & Lee (2005), "RFM and CLV": p = 6.25, q = 3.74, γ = 15.44.
 * Its per-customer scores are then compared with Kizuna's own formulas at the same parameters.
 */

const python = await scipyAvailable();
if (!python) console.warn('Skipping the numpy/scipy baseline test: python3 with numpy and scipy is not available.');

describe.skipIf(!python)('the numpy/scipy baseline of the customer value fits, on CDNOW', () => {
  let scratch: string;
  let summary: PurchaseSummary;
  let baseline: ScipyClvResult;
  let scores: number[][];

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'kizuna-scipy-clv-'));
    summary = summarisePurchaseDays({ customerDays: readCdnowSample(), calibrationEnd: '1997-09-30', unit: 'week' });
    const tsv = path.join(scratch, 'cdnow.tsv');
    await writeClvSummaryTsv(tsv, summary);
    const scoresOut = path.join(scratch, 'scores.tsv');
    baseline = await runScipyClv(tsv, { horizon: 39, scoresOut });
    scores = (await readFile(scoresOut, 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t').map(Number));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('reproduces the published BG/NBD estimates and log-likelihood', () => {
    const { bgnbd } = baseline;
    expect(baseline.customers).toBe(2357);
    expect(bgnbd.converged).toBe(true);
    expect(bgnbd.r).toBeCloseTo(0.243, 2);
    expect(bgnbd.alpha).toBeCloseTo(4.414, 2);
    expect(bgnbd.a).toBeCloseTo(0.793, 2);
    expect(bgnbd.b).toBeCloseTo(2.426, 2);
    expect(bgnbd.ll).toBeCloseTo(-9582.43, 2);
  });

  it('reproduces the published Gamma-Gamma estimates on the 946 repeat customers', () => {
    const { gammagamma } = baseline;
    expect(gammagamma).toMatchObject({ customers: 946, converged: true });
    expect(gammagamma.p).toBeCloseTo(6.25, 2);
    expect(gammagamma.q).toBeCloseTo(3.74, 2);
    expect(gammagamma.gamma).toBeCloseTo(15.44, 2);
    expect(gammagamma.ll).toBeCloseTo(-4055.9177, 3);
  });

  it("scores every customer as Kizuna's formulas do at the same parameters, and the published E[Y(39)] of customer 1", () => {
    expect(scores).toHaveLength(2357);
    // Customer 1 is the papers' (2, 30.43, 38.86).
    expect(scores[0]![1]).toBeCloseTo(1.226, 3);
    const bg = baseline.bgnbd;
    const gg = baseline.gammagamma;
    let worst = 0;
    scores.forEach(([alive, expected, spend], i) => {
      const history = { x: summary.x[i]!, tx: summary.tx[i]!, T: summary.T[i]! };
      const ours = [
        probabilityAlive({ params: bg, ...history }),
        conditionalExpectedPurchases({ params: bg, t: 39, ...history }),
        conditionalExpectedSpend({ params: gg, frequency: history.x, monetary: summary.monetary[i]! }),
      ];
      [alive!, expected!, spend!].forEach((value, k) => {
        worst = Math.max(worst, Math.abs(value - ours[k]!) / Math.max(1e-12, Math.abs(ours[k]!)));
      });
    });
    expect(worst).toBeLessThan(1e-9);
    expect(baseline.scores.expected_purchases_sum).toBeCloseTo(
      scores.reduce((sum, row) => sum + row[1]!, 0),
      6,
    );
    expect(baseline.seconds.total).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { judgeStatus, trendOf } from './status.ts';

/** June 2024 to date on the 10th: 10 of its 30 days elapsed. */
const JUNE_10 = { bucket: '2024-06-01', elapsedDays: 10, daysInBucket: 30 };

function salesStatus(actual: number, target = 90_000) {
  return judgeStatus({ ...JUNE_10, actual, target, additive: true, direction: 'higher_is_better', tolerance: 0.05 });
}

describe('status of the current bucket', () => {
  it('pro-rates an additive target by the elapsed share of the bucket: on the 10th of a 30-day month, 90,000 a month expects 30,000', () => {
    // expected = 90,000 × 10 / 30 = 30,000
    expect(salesStatus(30_000)).toEqual({ status: 'on_track', bucket: '2024-06-01', actual: 30_000, expected: 30_000, pace: 1, elapsedShare: 10 / 30 });
    // 35,000 ÷ 30,000 = 1.1667 > 1.05: ahead (against the whole month's 90,000 it would be behind)
    expect(salesStatus(35_000).status).toBe('ahead');
    // 28,400 ÷ 30,000 = 0.9467 < 0.95: behind
    expect(salesStatus(28_400).status).toBe('behind');
    // 28,600 ÷ 30,000 = 0.9533: within ±5 %
    expect(salesStatus(28_600).status).toBe('on_track');
  });

  it('counts the edges of the ±5 % band as on track', () => {
    // 28,500 ÷ 30,000 = 0.95 and 31,500 ÷ 30,000 = 1.05 exactly; one yen beyond either edge leaves the band
    expect(salesStatus(28_500).status).toBe('on_track');
    expect(salesStatus(31_500).status).toBe('on_track');
    expect(salesStatus(28_499).status).toBe('behind');
    expect(salesStatus(31_501).status).toBe('ahead');
  });

  it("uses the KPI's own tolerance", () => {
    // 27,000 ÷ 30,000 = 0.9: behind at ±5 %, on track at ±10 %, and 0.9 sits on the ±10 % edge
    expect(salesStatus(27_000).status).toBe('behind');
    expect(judgeStatus({ ...JUNE_10, actual: 27_000, target: 90_000, additive: true, direction: 'higher_is_better', tolerance: 0.1 }).status).toBe('on_track');
  });

  it('compares a ratio metric with its target directly, without pro-rating', () => {
    // repeat rate 0.20 against 0.25: pace 0.8, behind. Pro-rated (0.25 × 10/30 = 0.0833) it would read ahead.
    const status = judgeStatus({ ...JUNE_10, actual: 0.2, target: 0.25, additive: false, direction: 'higher_is_better', tolerance: 0.05 });
    expect(status).toMatchObject({ status: 'behind', expected: 0.25, pace: 0.8 });
  });

  it('reads a lower-is-better KPI the other way round (churn rate)', () => {
    const churn = (actual: number) => judgeStatus({ ...JUNE_10, actual, target: 0.25, additive: false, direction: 'lower_is_better', tolerance: 0.05 }).status;
    expect(churn(0.3)).toBe('behind'); // 0.30 ÷ 0.25 = 1.2 > 1.05: more churn than planned
    expect(churn(0.2)).toBe('ahead'); // 0.20 ÷ 0.25 = 0.8 < 0.95
    expect(churn(0.26)).toBe('on_track'); // 1.04
  });

  it('has no status without an actual, and says why', () => {
    expect(
      judgeStatus({ ...JUNE_10, actual: null, target: 1.2, additive: false, direction: 'higher_is_better', tolerance: 0.05, missing: 'no customers yet' }),
    ).toEqual({ status: 'no_data', bucket: '2024-06-01', reason: 'no customers yet' });
  });
});

const complete = (values: (number | null)[], from = 0) => values.map((actual, index) => ({ bucket: `b${from + index}`, actual, complete: true }));

describe('trend over the last complete buckets', () => {
  it('is up for a rising series: 100 … 150 by 10 has slope 10, 8 % of its mean 125', () => {
    // x = 0…5, x̄ = 2.5, Σ(x − x̄)² = 17.5; Σ(x − x̄)(y − ȳ) = 10 × 17.5, so slope 10; 10 ÷ 125 = 0.08
    const trend = trendOf({ series: complete([100, 110, 120, 130, 140, 150]), direction: 'higher_is_better' });
    expect(trend).toEqual({ direction: 'up', assessment: 'improving', slopePerBucket: 10, relativeSlope: 0.08, buckets: ['b0', 'b1', 'b2', 'b3', 'b4', 'b5'] });
  });

  it('is down for a falling series, which is improving for a lower-is-better KPI', () => {
    const trend = trendOf({ series: complete([0.3, 0.28, 0.26, 0.24, 0.22, 0.2]), direction: 'lower_is_better' });
    expect(trend.direction).toBe('down');
    expect(trend.assessment).toBe('improving');
    expect(trend.slopePerBucket).toBeCloseTo(-0.02, 12);
  });

  it('is flat when the slope is within 1 % of the level per bucket', () => {
    // ȳ = 100; Σ(x − x̄)(y − ȳ) = −2.5·0 − 1.5·1 − 0.5·(−1) + 0.5·0 + 1.5·0.5 + 2.5·(−0.5) = −1.5; slope −1.5 ÷ 17.5 = −0.0857, relative −0.000857
    const trend = trendOf({ series: complete([100, 101, 99, 100, 100.5, 99.5]), direction: 'higher_is_better' });
    expect(trend.direction).toBe('flat');
    expect(trend.assessment).toBe('steady');
    expect(trend.slopePerBucket).toBeCloseTo(-1.5 / 17.5, 12);
    // slope 2 on a mean of 105: 1.9 % a bucket, just out of the band
    expect(trendOf({ series: complete([100, 102, 104, 106, 108, 110]), direction: 'higher_is_better' }).direction).toBe('up');
    // all zeros: no level, no slope
    expect(trendOf({ series: complete([0, 0, 0]), direction: 'higher_is_better' })).toMatchObject({ direction: 'flat', relativeSlope: 0 });
  });

  it('fits only the last six complete buckets, leaving out the current bucket to date', () => {
    // two high old buckets, six rising ones, then a current bucket only a third through
    const series = [...complete([900, 800, 100, 110, 120, 130, 140, 150]), { bucket: 'now', actual: 50, complete: false }];
    const trend = trendOf({ series, direction: 'higher_is_better' });
    expect(trend.buckets).toEqual(['b2', 'b3', 'b4', 'b5', 'b6', 'b7']);
    expect(trend.slopePerBucket).toBeCloseTo(10, 12);
  });

  it('skips buckets without an actual but keeps their place on the x axis', () => {
    // points at x = 0, 1, 3 with y = 1, 2, 4: on the line y = x + 1, slope 1 (closing the gap would give 1.5)
    const trend = trendOf({ series: complete([1, 2, null, 4]), direction: 'higher_is_better' });
    expect(trend.slopePerBucket).toBeCloseTo(1, 12);
  });

  it('needs three points', () => {
    expect(trendOf({ series: complete([null, 1, 2]), direction: 'higher_is_better' })).toEqual({
      direction: 'insufficient_data',
      assessment: null,
      slopePerBucket: null,
      relativeSlope: null,
      buckets: ['b1', 'b2'],
    });
  });
});

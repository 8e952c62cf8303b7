import type { BgNbdParameters } from './bg-nbd.ts';
import { expectedPurchasesIfAlive } from './bg-nbd-scores.ts';
import type { CustomerValue, ValuationTerms } from './clv.ts';
import type { GammaGammaParameters } from './gamma-gamma.ts';
import { DAYS_PER_UNIT, type PurchaseSummary } from './purchase-days.ts';

/** Above this many (distinct x) × (days of age) pairs, the table of expectations would be too large: scores go by groups. */
const MAX_PAIRS = 4_000_000;

/**
 * Scores the customers of a summary in their own order, in one pass, without grouping them:
 * P(alive) from the tabulated ln(α + t) (whole days index the table) with one exp each; the
 * expectations for a customer known to be alive, which depend on (x, T) only, from a table
 * filled on first use, one entry per distinct (x, T); spend and CLV from her own mean spend.
 * Every figure is computed with the same operations as the per-customer functions, so it is
 * the same number. Returns null when the table of (x, T) would be too large (tens of millions
 * of pairs): the caller then scores by groups.
 */
export function scoreSummary({ bgNbd, gammaGamma, summary, periods, periodLength, margin, discountRate }: {
  bgNbd: BgNbdParameters;
  gammaGamma: GammaGammaParameters;
  summary: PurchaseSummary;
} & ValuationTerms): CustomerValue | null {
  const { x, ageDays, recencyDays, monetary } = summary;
  const n = x.length;
  let maxX = 0;
  let maxAge = 0;
  for (let i = 0; i < n; i++) {
    if (x[i]! > maxX) maxX = x[i]!;
    if (ageDays[i]! > maxAge) maxAge = ageDays[i]!;
  }
  // Each distinct x gets a rank, the row of its expectations in the table.
  const rankOf = new Int32Array(maxX + 1).fill(-1);
  const xOfRank: number[] = [];
  for (let i = 0; i < n; i++) {
    if (rankOf[x[i]!]! < 0) {
      rankOf[x[i]!] = xOfRank.length;
      xOfRank.push(x[i]!);
    }
  }
  const ages = maxAge + 1;
  if (xOfRank.length * ages > MAX_PAIRS) return null;

  const { r, alpha, a, b } = bgNbd;
  const perUnit = DAYS_PER_UNIT[summary.unit];
  const times = new Float64Array(ages);
  const lnShifted = new Float64Array(ages);
  for (let d = 0; d < ages; d++) {
    // The summary's own division, so that times[ageDays[i]] === T[i].
    times[d] = d / perUnit;
    lnShifted[d] = Math.log(alpha + times[d]!);
  }
  const lnWeightOfRank = Float64Array.from(xOfRank, (xr) => Math.log(a) - Math.log(b + xr - 1));
  // [E over the horizon, discounted purchases] if alive, per (rank, age); NaN until computed.
  const expectations = new Float64Array(2 * xOfRank.length * ages).fill(Number.NaN);
  const { p, q, gamma } = gammaGamma;
  const value: CustomerValue = { probabilityAlive: new Float64Array(n), expectedPurchases: new Float64Array(n), expectedSpend: new Float64Array(n), clv: new Float64Array(n) };
  const { probabilityAlive, expectedPurchases, expectedSpend, clv } = value;
  for (let i = 0; i < n; i++) {
    const frequency = x[i]!;
    const age = ageDays[i]!;
    const rank = rankOf[frequency]!;
    const slot = 2 * (rank * ages + age);
    if (Number.isNaN(expectations[slot]!)) fillExpectations(expectations, slot, bgNbd, frequency, times[age]!, periods, periodLength, discountRate);
    let alive = 1;
    if (frequency > 0) {
      // probabilityAlive, with the logs from the table.
      const lnOdds = lnWeightOfRank[rank]! + (r + frequency) * (lnShifted[age]! - lnShifted[recencyDays[i]!]!);
      const e = Math.exp(-Math.abs(lnOdds));
      alive = lnOdds > 0 ? e / (1 + e) : 1 / (1 + e);
    }
    // conditionalExpectedSpend.
    const spendSum = frequency > 0 ? monetary[i]! * frequency : 0;
    const denominator = p * frequency + q - 1;
    const spend = denominator > 0 ? ((gamma + spendSum) * p) / denominator : Number.NaN;
    probabilityAlive[i] = alive;
    expectedPurchases[i] = alive * expectations[slot]!;
    expectedSpend[i] = spend;
    clv[i] = margin * spend * (alive * expectations[slot + 1]!);
  }
  return value;
}

/** E[Y(horizon) | alive, x, T] and Σₖ (E[Y(kL)] − E[Y((k−1)L)]) / (1 + d)ᵏ, as `discountedExpectedPurchases` sums them. */
function fillExpectations(table: Float64Array, slot: number, params: BgNbdParameters, x: number, T: number, periods: number, periodLength: number, discountRate: number): void {
  let previous = 0;
  let total = 0;
  let discount = 1;
  for (let k = 1; k <= periods; k++) {
    discount /= 1 + discountRate;
    const cumulative = expectedPurchasesIfAlive(params, k * periodLength, x, T);
    total += (cumulative - previous) * discount;
    previous = cumulative;
  }
  table[slot] = previous;
  table[slot + 1] = total;
}

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
  const n = summary.x.length;
  const ranks = rankFrequencies(summary.x);
  const ages = maxOf(summary.ageDays) + 1;
  if (ranks.xOfRank.length * ages > MAX_PAIRS) return null;
  const { alpha, a, b } = bgNbd;
  const perUnit = DAYS_PER_UNIT[summary.unit];
  const times = new Float64Array(ages);
  const lnShifted = new Float64Array(ages);
  for (let d = 0; d < ages; d++) {
    // The summary's own division, so that times[ageDays[i]] === T[i].
    times[d] = d / perUnit;
    lnShifted[d] = Math.log(alpha + times[d]!);
  }
  const tables: ScoreTables = {
    rankOf: ranks.rankOf, ages, times, lnShifted,
    lnWeightOfRank: Float64Array.from(ranks.xOfRank, (x) => Math.log(a) - Math.log(b + x - 1)),
    // [E over the horizon, discounted purchases] if alive, per (rank, age); NaN until computed.
    expectations: new Float64Array(2 * ranks.xOfRank.length * ages).fill(Number.NaN),
  };
  const value: CustomerValue = { probabilityAlive: new Float64Array(n), expectedPurchases: new Float64Array(n), expectedSpend: new Float64Array(n), clv: new Float64Array(n) };
  scoreRows(summary, tables, { bgNbd, gammaGamma, periods, periodLength, margin, discountRate }, value);
  return value;
}

interface ScoreTables {
  rankOf: Int32Array;
  ages: number;
  times: Float64Array;
  lnShifted: Float64Array;
  lnWeightOfRank: Float64Array;
  expectations: Float64Array;
}

/** The loop over customers, in a function of its own (see bgNbdLikelihood on why). */
function scoreRows(
  { x, ageDays, recencyDays, monetary }: PurchaseSummary,
  { rankOf, ages, times, lnShifted, lnWeightOfRank, expectations }: ScoreTables,
  { bgNbd, gammaGamma, periods, periodLength, margin, discountRate }: { bgNbd: BgNbdParameters; gammaGamma: GammaGammaParameters } & ValuationTerms,
  { probabilityAlive, expectedPurchases, expectedSpend, clv }: CustomerValue,
): void {
  const r = bgNbd.r;
  const { p, q, gamma } = gammaGamma;
  for (let i = 0; i < x.length; i++) {
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
}

/** Each distinct x's rank, in order of appearance: rankOf[x] (−1 for absent x) and xOfRank. */
function rankFrequencies(x: Float64Array): { rankOf: Int32Array; xOfRank: number[] } {
  let maxX = 0;
  for (let i = 0; i < x.length; i++) if (x[i]! > maxX) maxX = x[i]!;
  const rankOf = new Int32Array(maxX + 1).fill(-1);
  const xOfRank: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (rankOf[x[i]!]! < 0) {
      rankOf[x[i]!] = xOfRank.length;
      xOfRank.push(x[i]!);
    }
  }
  return { rankOf, xOfRank };
}

function maxOf(values: Int32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
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

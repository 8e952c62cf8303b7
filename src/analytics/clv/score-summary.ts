import type { BgNbdParameters } from './bg-nbd.ts';
import { MAX_SERIES_TERMS } from './bg-nbd-scores.ts';
import type { CustomerValue, ValuationTerms } from './clv.ts';
import { maxOf } from './customer-groups.ts';
import type { GammaGammaParameters } from './gamma-gamma.ts';
import { DAYS_PER_UNIT, type PurchaseSummary } from './purchase-days.ts';

/** Above this many (distinct x) × (days of age) pairs, the table of expectations would be too large: scores go by groups. */
const MAX_PAIRS = 4_000_000;

/**
 * Scores the customers of a summary in their own order, in one pass, without grouping them:
 * P(alive) from the tabulated ln(α + t) (whole days index the table) with one exp each; the
 * expectations for a customer known to be alive, which depend on (x, T) only, from a table
 * filled on first use, one entry per distinct (x, T), every period's horizon in one pass over
 * the series; spend and CLV from her own mean spend. P(alive) and the expected spend are the
 * per-customer functions' numbers exactly, expected purchases and CLV to rounding (1e-13).
 * Returns null when the table of (x, T) would be too large (tens of millions of pairs): the
 * caller then scores by groups.
 */
export function scoreSummary({
  bgNbd,
  gammaGamma,
  summary,
  periods,
  periodLength,
  margin,
  discountRate,
}: {
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
    rankOf: ranks.rankOf,
    ages,
    times,
    lnShifted,
    horizons: horizonTable(bgNbd, times, periods, periodLength),
    lnWeightOfRank: Float64Array.from(ranks.xOfRank, (x) => Math.log(a) - Math.log(b + x - 1)),
    // [E over the horizon, discounted purchases] if alive, per (rank, age); NaN until computed.
    expectations: new Float64Array(2 * ranks.xOfRank.length * ages).fill(Number.NaN),
  };
  const value: CustomerValue = {
    probabilityAlive: new Float64Array(n),
    expectedPurchases: new Float64Array(n),
    expectedSpend: new Float64Array(n),
    clv: new Float64Array(n),
  };
  scoreRows(summary, tables, { bgNbd, gammaGamma, periods, periodLength, margin, discountRate }, value);
  return value;
}

interface ScoreTables {
  rankOf: Int32Array;
  ages: number;
  times: Float64Array;
  horizons: HorizonTable;
  lnShifted: Float64Array;
  lnWeightOfRank: Float64Array;
  expectations: Float64Array;
}

/** The loop over customers, in a function of its own (see bgNbdLikelihood on why). */
function scoreRows(
  { x, ageDays, recencyDays, monetary }: PurchaseSummary,
  { rankOf, ages, horizons, lnShifted, lnWeightOfRank, expectations }: ScoreTables,
  { bgNbd, gammaGamma, periods, margin, discountRate }: { bgNbd: BgNbdParameters; gammaGamma: GammaGammaParameters } & ValuationTerms,
  { probabilityAlive, expectedPurchases, expectedSpend, clv }: CustomerValue,
): void {
  const { r, a, b } = bgNbd;
  const { p, q, gamma } = gammaGamma;
  const cumulative = new Float64Array(periods);
  const seriesOfRank: (SeriesCoefficients | undefined)[] = [];
  for (let i = 0; i < x.length; i++) {
    const frequency = x[i]!;
    const age = ageDays[i]!;
    const rank = rankOf[frequency]!;
    const slot = 2 * (rank * ages + age);
    if (Number.isNaN(expectations[slot]!)) {
      const series = (seriesOfRank[rank] ??= new SeriesCoefficients(a + b - 1 - r, a, frequency, b));
      expectedPurchasesIfAliveAt(series, horizons, age, cumulative);
      discountExpectations(cumulative, discountRate, expectations, slot);
    }
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

/**
 * What E[Y(t) | alive, x, T] needs of (T, t) alone (see `expectedPurchasesIfAlive`), for
 * t = L, 2L, … (the periods' ends) and every T, tabulated once: z = t/(α+T+t), the leading
 * term −expm1((a−1)·ln(1−z))/(a−1) and the factor (1−z)^(a−1). Row `age`, column k − 1.
 */
interface HorizonTable {
  periods: number;
  z: Float64Array;
  leading: Float64Array;
  power: Float64Array;
}

function horizonTable({ alpha, a }: BgNbdParameters, times: Float64Array, periods: number, periodLength: number): HorizonTable {
  const table = {
    periods,
    z: new Float64Array(times.length * periods),
    leading: new Float64Array(times.length * periods),
    power: new Float64Array(times.length * periods),
  };
  const aMinusOne = a - 1;
  for (let age = 0; age < times.length; age++) {
    for (let k = 1; k <= periods; k++) {
      const t = k * periodLength;
      const at = age * periods + k - 1;
      if (!(t > 0)) continue;
      const lnOneMinusZ = -Math.log1p(t / (alpha + times[age]!));
      table.z[at] = t / (alpha + times[age]! + t);
      table.leading[at] = aMinusOne === 0 ? -lnOneMinusZ : -Math.expm1(aMinusOne * lnOneMinusZ) / aMinusOne;
      table.power[at] = Math.exp(aMinusOne * lnOneMinusZ);
    }
  }
  return table;
}

/**
 * The coefficients of the series in `expectedPurchasesIfAlive` for one x: term k is
 * coefficient[k]·zᵏ⁺¹, with coefficient[0] = upper/c and coefficient[k] = coefficient[k−1]·
 * (upper+k)(a+k−1) / ((c+k)(k+1)), upper = a+b−1−r, c = a+b+x−1. They depend on x alone, so
 * every (T, horizon) of that x reads them from here, extended as far as the slowest series
 * needs; a term then costs two products and no division.
 */
class SeriesCoefficients {
  values = new Float64Array(64);
  length = 1;
  readonly c: number;

  constructor(
    private readonly upper: number,
    private readonly a: number,
    x: number,
    b: number,
  ) {
    this.c = a + b + x - 1;
    this.values[0] = upper / this.c;
  }

  /** Makes values[0 … k] available. */
  extend(k: number): void {
    if (k >= this.values.length) {
      const grown = new Float64Array(2 * (k + 1));
      grown.set(this.values);
      this.values = grown;
    }
    for (let i = this.length; i <= k; i++) {
      this.values[i] = this.values[i - 1]! * (((this.upper + i) * (this.a + i - 1)) / ((this.c + i) * (i + 1)));
    }
    this.length = k + 1;
  }
}

/**
 * E[Y(k·L) | alive, x, T] for k = 1 … periods into `out`: the series of
 * `expectedPurchasesIfAlive`, each stopping, as there, when its term falls below 1e-17 of its
 * sum, from the x's shared coefficients. Agrees with `expectedPurchasesIfAlive` to rounding
 * (~1e-15 relative).
 */
function expectedPurchasesIfAliveAt(series: SeriesCoefficients, horizons: HorizonTable, age: number, out: Float64Array): void {
  const { periods, z, leading, power } = horizons;
  const row = age * periods;
  for (let j = 0; j < periods; j++) {
    const zj = z[row + j]!;
    if (zj === 0) {
      out[j] = 0;
      continue;
    }
    let zPower = zj;
    let sum = series.values[0]! * zPower;
    for (let k = 1; k < MAX_SERIES_TERMS; k++) {
      if (k >= series.length) series.extend(Math.max(k, 2 * series.length));
      zPower *= zj;
      const term = series.values[k]! * zPower;
      sum += term;
      if (term === 0 || Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    }
    out[j] = series.c * (leading[row + j]! - power[row + j]! * sum);
  }
}

/** [E at the horizon, Σₖ (E[Y(kL)] − E[Y((k−1)L)]) / (1 + d)ᵏ] from the cumulative expectations, as `discountedExpectedPurchases` sums them. */
function discountExpectations(cumulative: Float64Array, discountRate: number, table: Float64Array, slot: number): void {
  let previous = 0;
  let total = 0;
  let discount = 1;
  for (let k = 0; k < cumulative.length; k++) {
    discount /= 1 + discountRate;
    total += (cumulative[k]! - previous) * discount;
    previous = cumulative[k]!;
  }
  table[slot] = previous;
  table[slot + 1] = total;
}

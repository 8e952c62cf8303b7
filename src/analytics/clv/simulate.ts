import type { BgNbdParameters } from './bg-nbd.ts';
import type { GammaGammaParameters } from './gamma-gamma.ts';

/** A source of uniform numbers in (0, 1), open at both ends so that ln U is always finite. */
export type Random = () => number;

/**
 * A seeded generator (xoshiro128**, seeded through splitmix32) giving 53-bit uniforms in
 * (0, 1): the same seed gives the same customers on every machine, so simulation tests are
 * deterministic.
 */
export function seededRandom(seed: number): Random {
  const next = seededUint32(seed);
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6) + 0.5) / 9007199254740992;
}

/** The same generator's raw output: uniform 32-bit unsigned integers (a bootstrap's indexes). */
export function seededUint32(seed: number): () => number {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  return (): number => {
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0;
    const shifted = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= shifted;
    s3 = rotateLeft(s3, 11);
    return result;
  };
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** A Gamma(shape, rate) draw (mean shape / rate), by Marsaglia & Tsang (2000); shape < 1 by the U^(1/shape) boost. */
export function sampleGamma(random: Random, shape: number, rate: number): number {
  if (shape < 1) return sampleGamma(random, shape + 1, rate) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = sampleStandardNormal(random);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(random()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

/** A Beta(a, b) draw as G₁ / (G₁ + G₂) with G₁ ~ Gamma(a), G₂ ~ Gamma(b). */
export function sampleBeta(random: Random, a: number, b: number): number {
  const g1 = sampleGamma(random, a, 1);
  return g1 / (g1 + sampleGamma(random, b, 1));
}

function sampleStandardNormal(random: Random): number {
  // Marsaglia's polar method; the second variate is dropped to keep the generator stateless.
  for (;;) {
    const u = 2 * random() - 1;
    const v = 2 * random() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/**
 * Customers drawn from the BG/NBD story, each observed for her own age T: λ ~ Gamma(r, α),
 * p ~ Beta(a, b); while alive she buys at exponential intervals with rate λ, and after each
 * repeat purchase drops out with probability p. Returns each customer's (x, t_x, T).
 */
export function simulateBgNbdCustomers({ params, T, random }: { params: BgNbdParameters; T: ArrayLike<number>; random: Random }): {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
} {
  const n = T.length;
  const customers = { x: new Float64Array(n), tx: new Float64Array(n), T: Float64Array.from(T) };
  for (let i = 0; i < n; i++) {
    const rate = sampleGamma(random, params.r, params.alpha);
    const dropout = sampleBeta(random, params.a, params.b);
    let time = 0;
    for (;;) {
      time -= Math.log(random()) / rate;
      if (time > T[i]!) break;
      customers.x[i]!++;
      customers.tx[i] = time;
      if (random() < dropout) break;
    }
  }
  return customers;
}

/**
 * Mean spend per purchase drawn from the Gamma-Gamma story: ν ~ Gamma(q, γ) per customer, then
 * `frequency[i]` purchase amounts ~ Gamma(p, ν) averaged (0 where frequency is 0).
 */
export function simulateGammaGammaSpend({
  params,
  frequency,
  random,
}: {
  params: GammaGammaParameters;
  frequency: ArrayLike<number>;
  random: Random;
}): Float64Array {
  const monetary = new Float64Array(frequency.length);
  for (let i = 0; i < frequency.length; i++) {
    const purchases = frequency[i]!;
    if (purchases === 0) continue;
    const nu = sampleGamma(random, params.q, params.gamma);
    let sum = 0;
    for (let k = 0; k < purchases; k++) sum += sampleGamma(random, params.p, nu);
    monetary[i] = sum / purchases;
  }
  return monetary;
}

/** Purchases as columns, sorted by customer and then by day, as an analytics engine holds them. */
export interface SimulatedPurchases {
  customer: Int32Array;
  day: Int32Array;
  amount: Float64Array;
}

/**
 * Purchases drawn from both models' stories, day by day, for a benchmark or an end-to-end
 * test: customer i makes her first purchase on `firstPurchaseDay[i]`, then repeat purchases
 * at the BG/NBD's exponential intervals (in days: α is in days) until she drops out or
 * `lastDay` passes; each purchase's amount is a Gamma(p, ν) draw with her own ν ~ Gamma(q, γ),
 * rounded to the cent. A share `splitShare` of purchases is split into two orders on the same
 * day (a basket bought in two checkouts), which the summary merges back into one purchase day.
 */
export function simulatePurchases({
  bgNbd,
  gammaGamma,
  firstPurchaseDay,
  lastDay,
  random,
  splitShare = 0,
}: {
  bgNbd: BgNbdParameters;
  gammaGamma: GammaGammaParameters;
  firstPurchaseDay: ArrayLike<number>;
  lastDay: number;
  random: Random;
  splitShare?: number;
}): SimulatedPurchases {
  const columns = { customer: new Int32Array(1 << 16), day: new Int32Array(1 << 16), amount: new Float64Array(1 << 16), length: 0 };
  const push = (customer: number, day: number, amount: number): void => {
    if (columns.length === columns.customer.length) {
      const grown = 2 * columns.length;
      columns.customer = resized(columns.customer, new Int32Array(grown));
      columns.day = resized(columns.day, new Int32Array(grown));
      columns.amount = resized(columns.amount, new Float64Array(grown));
    }
    columns.customer[columns.length] = customer;
    columns.day[columns.length] = day;
    columns.amount[columns.length] = amount;
    columns.length += 1;
  };
  for (let i = 0; i < firstPurchaseDay.length; i++) {
    const firstDay = firstPurchaseDay[i]!;
    if (firstDay > lastDay) continue;
    const rate = sampleGamma(random, bgNbd.r, bgNbd.alpha);
    const dropout = sampleBeta(random, bgNbd.a, bgNbd.b);
    const nu = sampleGamma(random, gammaGamma.q, gammaGamma.gamma);
    const purchase = (day: number): void => {
      const amount = Math.max(0.01, Math.round(100 * sampleGamma(random, gammaGamma.p, nu)) / 100);
      if (amount >= 0.02 && random() < splitShare) {
        const part = Math.round(amount * 50) / 100;
        push(i, day, part);
        push(i, day, Math.round(100 * (amount - part)) / 100);
      } else {
        push(i, day, amount);
      }
    };
    purchase(firstDay);
    // Repeat purchases at exponential intervals; after each, she drops out with probability p.
    let time = 0;
    for (;;) {
      time -= Math.log(random()) / rate;
      const day = firstDay + Math.floor(time);
      if (day > lastDay) break;
      purchase(day);
      if (random() < dropout) break;
    }
  }
  return { customer: columns.customer.slice(0, columns.length), day: columns.day.slice(0, columns.length), amount: columns.amount.slice(0, columns.length) };
}

function resized<T extends Int32Array | Float64Array>(array: T, next: T): T {
  next.set(array);
  return next;
}

/**
 * A small seeded PRNG for the demo brand: sfc32 (Chris Doty-Humphrey's Small Fast Counter,
 * 128 bits of state), seeded from (seed, profile, stream) through a murmur3 finaliser.
 *
 * Every profile draws from its own streams, so a profile's data depends only on the seed and
 * its position — never on chunk sizes, on the order profiles are written, or on how many
 * draws another part of the model makes (orders and events use different streams).
 *
 *   const random = Random.for(seed, profileIndex, STREAM.orders);
 *   random.next(); // [0, 1), the same number for the same (seed, profileIndex, stream)
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  static for(seed: number, index: number, stream: number): Random {
    const low = seed >>> 0;
    const high = Math.floor(seed / 0x1_0000_0000) >>> 0;
    const a = mix32(low ^ 0x9e3779b9);
    const b = mix32((index >>> 0) ^ mix32(high + 0x7f4a7c15));
    const c = mix32(((stream >>> 0) + 0x2545f491) ^ a);
    const d = mix32(a ^ b ^ c ^ 0x6a09e667);
    return new Random(a, b, c, d);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A standard normal deviate (Box–Muller; the second deviate of the pair is not kept, so draws stay one call each). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /**
   * A Gamma(shape, scale) deviate, mean shape × scale (Marsaglia & Tsang 2000; for shape < 1
   * the boost Gamma(shape + 1) × U^(1/shape)).
   */
  gamma(shape: number, scale: number): number {
    if (shape < 1) return this.gamma(shape + 1, scale) * (1 - this.next()) ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v = (1 + c * x) ** 3;
      if (v <= 0) continue;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
    }
  }

  /** Poisson-distributed count (Knuth's method; the demo only uses small means). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count++;
      product *= this.next();
    }
    return count;
  }
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function mix32(value: number): number {
  let x = value >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Items with weights, drawn in O(log n) from the cumulative weights. */
export class Weighted<T> {
  private readonly cumulative: Float64Array;

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length === 0 || items.length !== weights.length) throw new Error('Weighted needs one weight per item');
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    weights.forEach((weight, i) => {
      total += weight;
      this.cumulative[i] = total;
    });
  }

  static of<T>(entries: readonly (readonly [T, number])[]): Weighted<T> {
    return new Weighted(
      entries.map(([item]) => item),
      entries.map(([, weight]) => weight),
    );
  }

  draw(random: Random): T {
    return this.items[this.drawIndex(random)]!;
  }

  drawIndex(random: Random): number {
    const target = random.next() * this.cumulative[this.cumulative.length - 1]!;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle]! > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

/** The independent streams each profile draws from. */
export const STREAM = { person: 1, contact: 2, orders: 3, events: 4, complaints: 5 } as const;

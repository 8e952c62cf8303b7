import digamma from '@stdlib/math-base-special-digamma';
import logGamma from '@stdlib/math-base-special-gammaln';

/**
 * The special functions the likelihoods need. lnΓ and ψ come from stdlib (ports of the
 * Boost/Cephes algorithms, accurate to a few ulp); hand-written versions would be one more
 * thing to validate.
 */
export { digamma, logGamma };

/** ln(e^u + e^v), exact when one side is -Infinity and free of overflow for large u, v. */
export function logAddExp(u: number, v: number): number {
  if (u === Number.NEGATIVE_INFINITY) return v;
  if (v === Number.NEGATIVE_INFINITY) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/** 1 / (1 + e^u) without overflow: the weight of the first term of a two-term log-sum. */
export function logisticOfNegative(u: number): number {
  if (u >= 0) {
    const e = Math.exp(-u);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(u));
}

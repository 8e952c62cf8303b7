import digamma from '@stdlib/math-base-special-digamma';
import logGamma from '@stdlib/math-base-special-gammaln';

/**
 * The special functions the likelihoods need. lnΓ and ψ come from stdlib (ports of the
 * Boost/Cephes algorithms, accurate to a few ulp); hand-written versions would be one more
 * thing to validate.
 */
export { digamma, logGamma };

/**
 * ψ′(x), the trigamma function, for x > 0: the second derivatives of lnΓ in the likelihoods'
 * Hessians (Newton steps and standard errors). The recurrence ψ′(x) = ψ′(x + 1) + 1/x² lifts x
 * to 10 or more, where the asymptotic series 1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹ (to k = 7) is accurate
 * to about 1e-16 relative: the first term left out is 3617/(510·x¹⁷) < 1e-16 at x = 10.
 * stdlib's trigamma is not among the project's dependencies; this is the textbook algorithm.
 */
export function trigamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let shifted = x;
  let sum = 0;
  while (shifted < 10) {
    sum += 1 / (shifted * shifted);
    shifted += 1;
  }
  const inverse = 1 / shifted;
  const inverse2 = inverse * inverse;
  const tail =
    inverse *
    inverse2 *
    (1 / 6 - inverse2 * (1 / 30 - inverse2 * (1 / 42 - inverse2 * (1 / 30 - inverse2 * (5 / 66 - inverse2 * (691 / 2730 - inverse2 * (7 / 6)))))));
  return sum + inverse + inverse2 / 2 + tail;
}

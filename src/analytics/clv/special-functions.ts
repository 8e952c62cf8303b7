import digamma from '@stdlib/math-base-special-digamma';
import logGamma from '@stdlib/math-base-special-gammaln';

/**
 * The special functions the likelihoods need. lnΓ and ψ come from stdlib (ports of the
 * Boost/Cephes algorithms, accurate to a few ulp); hand-written versions would be one more
 * thing to validate.
 */
export { digamma, logGamma };

import { groupCustomers, type CustomerGroups, type RecencyFrequency } from './customer-groups.ts';
import { hessianFromGradient, invertPositiveDefinite, minimize } from './optimize.ts';
import { digamma, logGamma } from './special-functions.ts';

export { conditionalExpectedPurchases, expectedCumulativeRepeatPurchases, expectedPurchases, probabilityAlive, scoreBgNbd } from './bg-nbd-scores.ts';

/**
 * The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): while
 * alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each repeat
 * purchase, she drops out with probability p ~ Beta(a, b). Time is in the unit of the inputs
 * (days or weeks); α is in that unit, r, a and b are unit-free.
 */
export interface BgNbdParameters {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit extends BgNbdParameters {
  /** Asymptotic standard errors: square roots of the diagonal of the inverse observed information; NaN when it is singular. */
  standardErrors: BgNbdParameters;
  /** The maximised log-likelihood, Σ weight · ln L(r, α, a, b | x, t_x, T). */
  logLikelihood: number;
  iterations: number;
  converged: boolean;
}

/**
 * ln L(r, α, a, b | x, t_x, T) of one customer (FHL 2005, eq. 6), in the log-space form that
 * does not overflow for large x or T:
 *   ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *          + ln[ (α+T)^−(r+x) + δ(x>0) · a/(b+x−1) · (α+t_x)^−(r+x) ].
 */
export function bgNbdCustomerLogLikelihood({ params, x, tx, T }: { params: BgNbdParameters; x: number; tx: number; T: number }): number {
  const groups = groupCustomers({ x: [x], tx: [tx], T: [T] });
  return bgNbdGroupedLogLikelihood(params, groups, null);
}

/** Σ weight · ln L over customers (weights default to 1): the function the fit maximises. */
export function bgNbdLogLikelihood({ params, x, tx, T, weights }: RecencyFrequency & { params: BgNbdParameters; weights?: ArrayLike<number> }): number {
  return bgNbdGroupedLogLikelihood(params, groupCustomers({ x, tx, T, weights }), null);
}

/**
 * Fits r, α, a, b by maximum likelihood. Rows with identical (x, t_x, T) are merged first
 * (their weights summed, 1 per row by default), so passing one row per customer or one row per
 * distinct history with `weights` = counts gives the same fit. The search runs over
 * log-parameters (keeping them positive) by BFGS with the analytic gradient, Nelder–Mead as
 * fallback; standard errors come from the numerical Hessian of the log-likelihood at the optimum.
 *
 * @example
 *   const fit = fitBgNbd({ x: [2, 1, 0], tx: [30.43, 1.71, 0], T: [38.86, 38.86, 38.86] });
 */
export function fitBgNbd(input: RecencyFrequency & { weights?: ArrayLike<number> }): BgNbdFit {
  const groups = groupCustomers(input);
  if (groups.count === 0) throw new RangeError('fitBgNbd needs at least one customer');
  const scratch = new Float64Array(4);
  // Minimise −LL over θ = ln(r, α, a, b); by the chain rule ∂/∂ln θ = θ · ∂/∂θ.
  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    const params = fromLog(theta);
    const value = bgNbdGroupedLogLikelihood(params, groups, scratch);
    const natural = [params.r, params.alpha, params.a, params.b];
    for (let i = 0; i < 4; i++) gradient[i] = -scratch[i]! * natural[i]!;
    return -value;
  };
  const found = minimize({ objective, start: startingPoint(groups) });
  const params = fromLog(found.theta);
  const standardErrors = standardErrorsAt(params, groups);
  return { ...params, standardErrors, logLikelihood: -found.value, iterations: found.iterations, converged: found.converged };
}

/**
 * Starts from r = a = 1, b = 3 (BTYD's default start) and α = the weighted mean age, so that
 * the start does not depend on the time unit (α scales with it).
 */
function startingPoint(groups: CustomerGroups): Float64Array {
  let ageSum = 0;
  let weightSum = 0;
  for (let g = 0; g < groups.count; g++) {
    ageSum += groups.weight[g]! * groups.T[g]!;
    weightSum += groups.weight[g]!;
  }
  const meanAge = ageSum / weightSum;
  return Float64Array.from([0, Math.log(meanAge > 0 ? meanAge : 1), 0, Math.log(3)]);
}

function fromLog(theta: Float64Array): BgNbdParameters {
  return { r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!), a: Math.exp(theta[2]!), b: Math.exp(theta[3]!) };
}

function standardErrorsAt(params: BgNbdParameters, groups: CustomerGroups): BgNbdParameters {
  const hessian = hessianFromGradient({
    theta: [params.r, params.alpha, params.a, params.b],
    gradientAt: (theta, gradient) => {
      bgNbdGroupedLogLikelihood({ r: theta[0]!, alpha: theta[1]!, a: theta[2]!, b: theta[3]! }, groups, gradient);
    },
  });
  const information = hessian.map((row) => row.map((v) => -v));
  const covariance = invertPositiveDefinite(information);
  const se = (i: number): number => (covariance ? Math.sqrt(covariance[i]![i]!) : Number.NaN);
  return { r: se(0), alpha: se(1), a: se(2), b: se(3) };
}

/**
 * The weighted log-likelihood over groups sorted by x and, when `gradient` is given, its
 * gradient with respect to (r, α, a, b). Terms that depend on x alone are computed once per
 * run of equal x.
 */
export function bgNbdGroupedLogLikelihood({ r, alpha, a, b }: BgNbdParameters, groups: CustomerGroups, gradient: Float64Array | null): number {
  const lnAlpha = Math.log(alpha);
  const constantPart = logGamma(a + b) - logGamma(b) - logGamma(r);
  const psiR = gradient ? digamma(r) : 0;
  const psiAB = gradient ? digamma(a + b) : 0;
  const psiB = gradient ? digamma(b) : 0;
  let total = 0;
  let gr = 0;
  let galpha = 0;
  let ga = 0;
  let gb = 0;
  let currentX = -1;
  let xPart = 0;
  let lnDeathWeight = 0;
  let dxr = 0;
  let dxa = 0;
  let dxb = 0;
  for (let g = 0; g < groups.count; g++) {
    const x = groups.x[g]!;
    if (x !== currentX) {
      currentX = x;
      xPart = constantPart + logGamma(r + x) + r * lnAlpha + logGamma(b + x) - logGamma(a + b + x);
      lnDeathWeight = x > 0 ? Math.log(a) - Math.log(b + x - 1) : Number.NEGATIVE_INFINITY;
      if (gradient) {
        const psiABX = digamma(a + b + x);
        dxr = digamma(r + x) - psiR + lnAlpha;
        dxa = psiAB - psiABX;
        dxb = psiAB + digamma(b + x) - psiB - psiABX;
      }
    }
    const weight = groups.weight[g]!;
    const lnAgeTerm = Math.log(alpha + groups.T[g]!);
    const alive = -(r + x) * lnAgeTerm;
    if (x === 0) {
      total += weight * (xPart + alive);
      if (gradient) {
        gr += weight * (dxr - lnAgeTerm);
        galpha += weight * (r / alpha - r / (alpha + groups.T[g]!));
        ga += weight * dxa;
        gb += weight * dxb;
      }
      continue;
    }
    const lnRecencyTerm = Math.log(alpha + groups.tx[g]!);
    const dead = lnDeathWeight - (r + x) * lnRecencyTerm;
    // ln(e^alive + e^dead) through the larger term; one exp serves the value and the gradient.
    const ratio = Math.exp(-Math.abs(alive - dead));
    total += weight * (xPart + Math.max(alive, dead) + Math.log1p(ratio));
    if (gradient) {
      // Share of the "dropped out after the last purchase" branch in the likelihood.
      const deadShare = dead > alive ? 1 / (1 + ratio) : ratio / (1 + ratio);
      const aliveShare = 1 - deadShare;
      gr += weight * (dxr - aliveShare * lnAgeTerm - deadShare * lnRecencyTerm);
      galpha += weight * (r / alpha - (r + x) * (aliveShare / (alpha + groups.T[g]!) + deadShare / (alpha + groups.tx[g]!)));
      ga += weight * (dxa + deadShare / a);
      gb += weight * (dxb - deadShare / (b + x - 1));
    }
  }
  if (gradient) {
    gradient[0] = gr;
    gradient[1] = galpha;
    gradient[2] = ga;
    gradient[3] = gb;
  }
  return total;
}

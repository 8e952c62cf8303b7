import type { BgNbdFit, BgNbdParameters } from './bg-nbd.ts';
import type { RecencyFrequency } from './customer-groups.ts';
import { hessianFromGradient, invertPositiveDefinite, minimize, type Minimum, type Objective } from './optimize.ts';
import { digamma, logGamma } from './special-functions.ts';

/**
 * The BG/NBD fit written the plain way, customer by customer, every term recomputed: BFGS on
 * the log-parameters with the analytic gradient, standard errors from the numerical Hessian.
 * Slow (a pass of lnΓ, ψ, ln and exp per customer per evaluation), but easy to check against
 * the paper; tests hold the fast `fitBgNbd` to it.
 */
export function fitBgNbdReference({ x, tx, T, weights }: RecencyFrequency & { weights?: ArrayLike<number> }): BgNbdFit {
  const rows = {
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    weight: weights ? Float64Array.from(weights) : new Float64Array(x.length).fill(1),
  };
  const scratch = new Float64Array(4);
  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    const params = { r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!), a: Math.exp(theta[2]!), b: Math.exp(theta[3]!) };
    const value = bgNbdReferenceLogLikelihood(params, rows, scratch);
    const natural = [params.r, params.alpha, params.a, params.b];
    for (let i = 0; i < 4; i++) gradient[i] = -scratch[i]! * natural[i]!;
    return -value;
  };
  let ageSum = 0;
  let weightSum = 0;
  for (let i = 0; i < rows.x.length; i++) {
    ageSum += rows.weight[i]! * rows.T[i]!;
    weightSum += rows.weight[i]!;
  }
  const meanAge = ageSum / weightSum;
  const found = minimizeTightly(objective, [0, Math.log(meanAge > 0 ? meanAge : 1), 0, Math.log(3)]);
  const params = { r: Math.exp(found.theta[0]!), alpha: Math.exp(found.theta[1]!), a: Math.exp(found.theta[2]!), b: Math.exp(found.theta[3]!) };
  const hessian = hessianFromGradient({
    theta: [params.r, params.alpha, params.a, params.b],
    gradientAt: (theta, gradient) => {
      bgNbdReferenceLogLikelihood({ r: theta[0]!, alpha: theta[1]!, a: theta[2]!, b: theta[3]! }, rows, gradient);
    },
  });
  const covariance = invertPositiveDefinite(hessian.map((row) => row.map((v) => -v)));
  const se = (i: number): number | null => (covariance ? Math.sqrt(covariance[i]![i]!) : null);
  return {
    ...params,
    standardErrors: { r: se(0), alpha: se(1), a: se(2), b: se(3) },
    logLikelihood: -found.value,
    iterations: found.iterations,
    converged: found.converged,
  };
}

/**
 * Σ weight · ln L over customers (FHL 2005, eq. 6, in log-space) and, when `gradient` is given,
 * its gradient with respect to (r, α, a, b):
 *   ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *          + ln[ (α+T)^−(r+x) + δ(x>0) · a/(b+x−1) · (α+t_x)^−(r+x) ].
 */
export function bgNbdReferenceLogLikelihood(
  { r, alpha, a, b }: BgNbdParameters,
  rows: { x: Float64Array; tx: Float64Array; T: Float64Array; weight: Float64Array },
  gradient: Float64Array | null,
): number {
  let total = 0;
  let gr = 0;
  let galpha = 0;
  let ga = 0;
  let gb = 0;
  for (let i = 0; i < rows.x.length; i++) {
    const x = rows.x[i]!;
    const w = rows.weight[i]!;
    const lnBetaRatio = logGamma(b + x) - logGamma(a + b + x) + logGamma(a + b) - logGamma(b);
    const xPart = logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + lnBetaRatio;
    const alive = -(r + x) * Math.log(alpha + rows.T[i]!);
    const dead = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + rows.tx[i]!) : Number.NEGATIVE_INFINITY;
    const top = Math.max(alive, dead);
    total += w * (xPart + top + Math.log(Math.exp(alive - top) + Math.exp(dead - top)));
    if (!gradient) continue;
    const deadShare = Math.exp(dead - top) / (Math.exp(alive - top) + Math.exp(dead - top));
    const aliveShare = 1 - deadShare;
    gr += w * (digamma(r + x) - digamma(r) + Math.log(alpha) - aliveShare * Math.log(alpha + rows.T[i]!) - deadShare * Math.log(alpha + rows.tx[i]!));
    galpha += w * (r / alpha - (r + x) * (aliveShare / (alpha + rows.T[i]!) + deadShare / (alpha + rows.tx[i]!)));
    ga += w * (digamma(a + b) - digamma(a + b + x) + deadShare / a);
    gb += w * (digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - (x > 0 ? deadShare / (b + x - 1) : 0));
  }
  if (gradient) {
    gradient[0] = gr;
    gradient[1] = galpha;
    gradient[2] = ga;
    gradient[3] = gb;
  }
  return total;
}

/**
 * BFGS (`minimize`), then Newton steps with the numerical Hessian of the gradient until they
 * move no coordinate by more than 1e-10. BFGS stops where the value no longer changes at
 * double precision, which on ill-conditioned data (r and α are strongly correlated in days)
 * can leave parameters 1e-6 from the optimum; the polish puts the reference at the optimum.
 */
export function minimizeTightly(objective: Objective, start: number[]): Minimum {
  const found = minimize({ objective, start });
  let theta = found.theta;
  const gradient = new Float64Array(theta.length);
  let value = objective(theta, gradient);
  for (let step = 0; step < 8; step++) {
    const hessian = hessianFromGradient({ theta, gradientAt: (at, g) => void objective(at, g), relativeStep: 1e-6 });
    const inverse = invertPositiveDefinite(hessian);
    if (!inverse) break;
    const next = theta.map((t, i) => t - inverse[i]!.reduce((sum, h, j) => sum + h * gradient[j]!, 0));
    const nextGradient = new Float64Array(theta.length);
    const nextValue = objective(next, nextGradient);
    if (!(nextValue <= value + 1e-12 * Math.abs(value))) break;
    const moved = Math.max(...next.map((t, i) => Math.abs(t - theta[i]!)));
    theta = next;
    value = nextValue;
    gradient.set(nextGradient);
    if (moved < 1e-10) break;
  }
  return { ...found, theta, value };
}

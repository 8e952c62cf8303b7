import { minimizeNewton, type NewtonMinimum, type SecondOrderObjective } from './newton.ts';
import { invertPositiveDefinite, minimize } from './optimize.ts';

/**
 * What the two fits share: the search runs over log-parameters (keeping them positive, and
 * making the likelihood closer to quadratic), and, on large data, starts from the fit on a
 * sample.
 */

/** A log-likelihood in natural parameters, writing its gradient and (row-major) Hessian. */
export type NaturalLogLikelihood = (params: Float64Array, gradient: Float64Array, hessian: Float64Array) => number;

/**
 * f(θ) = −LL(e^θ) with its derivatives by the chain rule, p = e^θ, g and H those of LL:
 *   ∂f/∂θᵢ = −gᵢpᵢ,   ∂²f/∂θᵢ∂θⱼ = −(Hᵢⱼpᵢpⱼ + δᵢⱼgᵢpᵢ).
 */
function logSpaceObjective(n: number, logLikelihood: NaturalLogLikelihood): SecondOrderObjective {
  const natural = new Float64Array(n);
  const g = new Float64Array(n);
  const H = new Float64Array(n * n);
  return (theta, gradient, hessian) => {
    for (let i = 0; i < n; i++) natural[i] = Math.exp(theta[i]!);
    const value = logLikelihood(natural, g, H);
    for (let i = 0; i < n; i++) {
      gradient[i] = -g[i]! * natural[i]!;
      for (let j = 0; j < n; j++) hessian[i * n + j] = -H[i * n + j]! * natural[i]! * natural[j]! - (i === j ? g[i]! * natural[i]! : 0);
    }
    return -value;
  };
}

/**
 * The Hessian of LL in natural parameters at the last point a minimisation of
 * `logSpaceObjective` evaluated, as rows: Hᵢⱼ = (δᵢⱼ·∂f/∂θᵢ − ∂²f/∂θᵢ∂θⱼ) / (pᵢpⱼ), p = e^θ.
 */
function naturalHessian({ evaluated }: Pick<NewtonMinimum, 'evaluated'>): Float64Array[] {
  const params = Array.from(evaluated.theta, Math.exp);
  const n = params.length;
  return params.map((pi, i) => Float64Array.from(params, (pj, j) => ((i === j ? evaluated.gradient[i]! : 0) - evaluated.hessian[i * n + j]!) / (pi * pj)));
}

/**
 * Sizes of the samples a large fit goes through: each one's fit starts the next, larger one,
 * and the last starts the fit over all rows. From the fit on 20,000 rows, parameters are
 * within a percent or two of the full optimum; from 160,000, within a few tenths of a percent,
 * close enough that two Newton steps over all rows finish (see minimizeNewton).
 */
const SAMPLE_SIZES = [20_000, 160_000];

/**
 * Runs `fit` on all rows from `start`, first on systematic samples (every k-th row) when
 * there are many rows, so that the full fit, whose every evaluation is a pass over all rows,
 * starts close to its optimum. A sample is used only where it is under half the rows. The
 * samples' fits are starts only: the result is the full fit's.
 */
export function fitOnSampleFirst<T extends { theta: Float64Array; converged: boolean; iterations: number }>({
  count,
  start,
  fit,
}: {
  count: number;
  start: Float64Array;
  fit: (stride: number, start: Float64Array) => T;
}): T {
  let from = start;
  for (const size of SAMPLE_SIZES) {
    if (count <= 2 * size) break;
    const sample = fit(Math.ceil(count / size), from);
    if (sample.converged && sample.theta.every(Number.isFinite)) from = sample.theta;
  }
  return fit(1, from);
}

/**
 * Maximises `logLikelihood` over log-parameters from `start`: Newton (`logSpaceObjective`);
 * if it fails, BFGS and Nelder–Mead, then one more evaluation for the Hessian there.
 */
export function maximizeInLogSpace(logLikelihood: NaturalLogLikelihood, start: Float64Array): NewtonMinimum {
  const objective = logSpaceObjective(start.length, logLikelihood);
  const newton = minimizeNewton({ objective, start });
  return newton.converged ? newton : fallBack(objective, start, newton);
}

/**
 * Asymptotic standard errors at the optimum: square roots of the diagonal of the inverse
 * observed information (−the natural Hessian); null when it is singular (null, not NaN: a fit
 * is stored and served as JSON, which has no NaN).
 */
export function standardErrorsAt(found: Pick<NewtonMinimum, 'evaluated'>): (number | null)[] {
  const covariance = invertPositiveDefinite(naturalHessian(found).map((row) => row.map((v) => -v)));
  return Array.from(found.evaluated.theta, (_, i) => (covariance ? Math.sqrt(covariance[i]![i]!) : null));
}

/**
 * When Newton fails (a start far from the optimum on awkward data): BFGS and Nelder–Mead from
 * `start`, then one evaluation at their optimum for the gradient and Hessian.
 */
function fallBack(objective: SecondOrderObjective, start: Float64Array, newton: NewtonMinimum): NewtonMinimum {
  const n = start.length;
  const unused = new Float64Array(n * n);
  const found = minimize({ objective: (theta, gradient) => objective(theta, gradient, unused), start });
  const gradient = new Float64Array(n);
  const hessian = new Float64Array(n * n);
  const value = objective(found.theta, gradient, hessian);
  return {
    ...found,
    value,
    evaluated: { theta: found.theta, gradient, hessian },
    iterations: newton.iterations + found.iterations,
    evaluations: newton.evaluations + found.iterations + 1,
  };
}

import { dot, maxAbs, type Minimum } from './optimize.ts';

/** A function to minimise with its derivatives: returns f(θ), writes ∇f(θ) into `gradient` and ∇²f(θ) (row-major n × n) into `hessian`. */
export type SecondOrderObjective = (theta: Float64Array, gradient: Float64Array, hessian: Float64Array) => number;

export interface NewtonMinimum extends Minimum {
  /**
   * The last point evaluated, with ∇f and ∇²f (row-major) there: callers need no extra pass
   * for standard errors. It is `theta` itself, or one last small Newton step before it.
   */
  evaluated: { theta: Float64Array; gradient: Float64Array; hessian: Float64Array };
  /** Number of objective evaluations (each one a full pass over the data for the likelihoods). */
  evaluations: number;
}

/**
 * Minimises by Newton's method with the analytic Hessian: each step solves H·δ = −∇f by
 * Cholesky; where H is not positive definite (far from a minimum), H + μI with μ raised until
 * it is (Levenberg); steps are capped at `maxStep` in every coordinate and backtracked until
 * f decreases enough (Armijo). Near the minimum it converges quadratically, so a fit started
 * close to its optimum needs two or three evaluations: what makes a fit over a million
 * customers fast, where each evaluation is a pass over the data.
 *
 * Stops, converged, when the Newton step at the current point is below `stepTolerance` in
 * every coordinate: it then takes that step without evaluating f there. Newton's convergence
 * being quadratic, the point reached is within about C·stepTolerance² of the minimum (C, the
 * problem's curvature constant, is below 1 for these likelihoods in log-parameters: 1e-7 with
 * the default 3e-4), and f there is the quadratic model's, f + ½∇f·δ, exact to the third
 * order of the step. That saves the pass a converged Newton method spends confirming its
 * last step; the gradient and Hessian returned (`evaluated`) are those of the point before
 * it. Returns converged = false when the line search fails or after `maxIterations`; callers
 * fall back to BFGS and Nelder–Mead (`minimize`).
 */
export function minimizeNewton({
  objective,
  start,
  stepTolerance = 3e-4,
  maxIterations = 100,
  maxStep = 2,
}: {
  objective: SecondOrderObjective;
  start: ArrayLike<number>;
  /** Largest Newton step (in every coordinate) taken as the last, unevaluated one. */
  stepTolerance?: number;
  maxIterations?: number;
  maxStep?: number;
}): NewtonMinimum {
  const n = start.length;
  let theta = Float64Array.from(start);
  let gradient = new Float64Array(n);
  let hessian = new Float64Array(n * n);
  let value = objective(theta, gradient, hessian);
  let evaluations = 1;
  if (!Number.isFinite(value)) throw new RangeError(`the objective is not finite at the starting point [${Array.from(theta).join(', ')}]`);
  let trial = { theta: new Float64Array(n), gradient: new Float64Array(n), hessian: new Float64Array(n * n) };
  const direction = new Float64Array(n);
  const done = (converged: boolean, iterations: number): NewtonMinimum => ({
    theta,
    value,
    iterations,
    converged,
    evaluated: { theta, gradient, hessian },
    evaluations,
  });
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const damped = newtonDirection(hessian, gradient, direction);
    if (!damped && maxAbs(direction) <= stepTolerance) {
      const last = theta.map((t, i) => t + direction[i]!);
      return {
        theta: last,
        value: value + 0.5 * dot(gradient, direction),
        iterations: iteration + 1,
        converged: true,
        evaluated: { theta, gradient, hessian },
        evaluations,
      };
    }
    let step = Math.min(1, maxStep / maxAbs(direction));
    const slope = dot(gradient, direction);
    let accepted = false;
    for (let attempt = 0; attempt < 50 && step * maxAbs(direction) > 1e-15 * (1 + maxAbs(theta)); attempt++) {
      for (let i = 0; i < n; i++) trial.theta[i] = theta[i]! + step * direction[i]!;
      const trialValue = objective(trial.theta, trial.gradient, trial.hessian);
      evaluations++;
      // Within 1e-6 of the optimum the decrease is below the value's rounding noise, so there
      // a full step is taken unless it increases f beyond that noise.
      const decreases = trialValue <= value + 1e-4 * step * slope || (step === 1 && maxAbs(direction) <= 1e-6 && trialValue <= value + 1e-12 * Math.abs(value));
      if (Number.isFinite(trialValue) && decreases) {
        const previous = { theta, gradient, hessian };
        ({ theta, gradient, hessian } = trial);
        trial = previous;
        value = trialValue;
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) return done(false, iteration);
  }
  return done(false, maxIterations);
}

/**
 * Writes −(H + μI)⁻¹ g into `direction`, with μ = 0 when H is positive definite; returns
 * whether damping was needed. When even large μ fails (a NaN in H), the direction is −g.
 */
function newtonDirection(hessian: Float64Array, gradient: Float64Array, direction: Float64Array): boolean {
  const n = gradient.length;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(hessian[i * n + i]!));
  const factor = new Float64Array(n * n);
  for (let mu = 0, attempt = 0; attempt < 40; attempt++, mu = mu === 0 ? 1e-8 * Math.max(scale, 1) : 4 * mu) {
    if (!choleskyFactor(hessian, mu, factor)) continue;
    choleskySolve(factor, gradient, direction);
    for (let i = 0; i < n; i++) direction[i] = -direction[i]!;
    return mu > 0;
  }
  for (let i = 0; i < n; i++) direction[i] = -gradient[i]!;
  return true;
}

/** L with L·Lᵀ = A + μI (row-major, lower triangle), or false when that matrix is not positive definite. */
function choleskyFactor(matrix: Float64Array, mu: number, factor: Float64Array): boolean {
  const n = Math.round(Math.sqrt(matrix.length));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * n + j]! + (i === j ? mu : 0);
      for (let k = 0; k < j; k++) sum -= factor[i * n + k]! * factor[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) return false;
        factor[i * n + i] = Math.sqrt(sum);
      } else {
        factor[i * n + j] = sum / factor[j * n + j]!;
      }
    }
  }
  return true;
}

function choleskySolve(factor: Float64Array, rhs: Float64Array, out: Float64Array): void {
  const n = rhs.length;
  for (let i = 0; i < n; i++) {
    let sum = rhs[i]!;
    for (let k = 0; k < i; k++) sum -= factor[i * n + k]! * out[k]!;
    out[i] = sum / factor[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = out[i]!;
    for (let k = i + 1; k < n; k++) sum -= factor[k * n + i]! * out[k]!;
    out[i] = sum / factor[i * n + i]!;
  }
}

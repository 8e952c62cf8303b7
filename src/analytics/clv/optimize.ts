import { minimizeNelderMead } from './nelder-mead.ts';

/**
 * Small, dependency-free numerical optimisation for the maximum-likelihood fits: BFGS with an
 * analytic gradient, Nelder–Mead (nelder-mead.ts) as the derivative-free fallback, and the
 * observed information (numerical Hessian of the gradient) for standard errors. Problems here
 * have 3–4 parameters, so plain arrays and O(n²) loops are the right size.
 */

/** A function to minimise: returns f(θ) and writes ∇f(θ) into `gradient`. */
export type Objective = (theta: Float64Array, gradient: Float64Array) => number;

export interface Minimum {
  theta: Float64Array;
  value: number;
  iterations: number;
  /** Whether a stopping test was met, rather than the iteration limit or a failed line search. */
  converged: boolean;
}

/**
 * Minimises with BFGS and a backtracking (Armijo) line search. Steps are capped at `maxStep` in
 * every coordinate, which keeps log-parameters from jumping to values whose likelihood
 * overflows. Stops when max |∇f| ≤ gradientTolerance · max(1, |f|), or when a step no longer
 * changes θ or f at double precision (converged if the gradient is then within 1000 times the
 * tolerance), or when no step along the search direction decreases f (not converged).
 */
export function minimizeBfgs({
  objective,
  start,
  gradientTolerance = 1e-9,
  maxIterations = 500,
  maxStep = 2,
}: {
  objective: Objective;
  start: ArrayLike<number>;
  gradientTolerance?: number;
  maxIterations?: number;
  maxStep?: number;
}): Minimum {
  const n = start.length;
  let theta: Float64Array = Float64Array.from(start);
  let gradient: Float64Array = new Float64Array(n);
  let value = objective(theta, gradient);
  if (!Number.isFinite(value)) throw new RangeError(`the objective is not finite at the starting point [${Array.from(theta).join(', ')}]`);
  const inverseHessian = identity(n);
  let fresh = true;
  const direction = new Float64Array(n);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(gradient) <= gradientTolerance * Math.max(1, Math.abs(value))) return { theta, value, iterations: iteration, converged: true };
    multiply(inverseHessian, gradient, direction, -1);
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      resetToIdentity(inverseHessian);
      fresh = true;
      for (let i = 0; i < n; i++) direction[i] = -gradient[i]!;
      slope = -dot(gradient, gradient);
    }
    const accepted = lineSearch({ objective, theta, value, direction, slope, maxStep });
    if (!accepted) {
      if (fresh) return { theta, value, iterations: iteration, converged: false };
      resetToIdentity(inverseHessian);
      fresh = true;
      continue;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = accepted.theta[i]! - theta[i]!;
      y[i] = accepted.gradient[i]! - gradient[i]!;
    }
    const stalled = maxAbs(s) <= 1e-13 * (1 + maxAbs(theta)) || Math.abs(value - accepted.value) <= 1e-15 * Math.abs(value);
    if (updateInverseHessian(inverseHessian, s, y, fresh)) fresh = false;
    theta = accepted.theta;
    gradient = accepted.gradient;
    value = accepted.value;
    // At double precision's floor the gradient cannot shrink further: accept a nearly flat gradient there.
    if (stalled) return { theta, value, iterations: iteration + 1, converged: maxAbs(gradient) <= 1e3 * gradientTolerance * Math.max(1, Math.abs(value)) };
  }
  return { theta, value, iterations: maxIterations, converged: false };
}

function lineSearch({
  objective,
  theta,
  value,
  direction,
  slope,
  maxStep,
}: {
  objective: Objective;
  theta: Float64Array;
  value: number;
  direction: Float64Array;
  slope: number;
  maxStep: number;
}): { theta: Float64Array; gradient: Float64Array; value: number } | null {
  const n = theta.length;
  let step = Math.min(1, maxStep / maxAbs(direction));
  const candidate = new Float64Array(n);
  const gradient = new Float64Array(n);
  const smallestMove = 1e-15 * (1 + maxAbs(theta));
  for (let attempt = 0; attempt < 60 && step * maxAbs(direction) > smallestMove; attempt++) {
    for (let i = 0; i < n; i++) candidate[i] = theta[i]! + step * direction[i]!;
    const candidateValue = objective(candidate, gradient);
    if (Number.isFinite(candidateValue) && candidateValue <= value + 1e-4 * step * slope) return { theta: candidate, gradient, value: candidateValue };
    step *= 0.5;
  }
  return null;
}

/** The BFGS update of the inverse Hessian; skipped (returns false) when the curvature condition fails. */
function updateInverseHessian(H: Float64Array[], s: Float64Array, y: Float64Array, fresh: boolean): boolean {
  const n = s.length;
  const sy = dot(s, y);
  if (!(sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y)))) return false;
  // On the first update, scale the identity to the curvature just seen (Nocedal & Wright 6.20).
  if (fresh) {
    const scale = sy / dot(y, y);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i]![j] = i === j ? scale : 0;
  }
  const rho = 1 / sy;
  const Hy = new Float64Array(n);
  multiply(H, y, Hy, 1);
  const yHy = dot(y, Hy);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      H[i]![j]! += -rho * (s[i]! * Hy[j]! + Hy[i]! * s[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!;
    }
  }
  return true;
}

/**
 * Minimises by BFGS; when BFGS stops without converging, restarts it from the best point
 * Nelder–Mead finds. This is the fitting strategy of both models: BFGS alone converges in a
 * few dozen gradient evaluations on well-posed data, the simplex rescues the rest.
 */
export function minimize({ objective, start }: { objective: Objective; start: ArrayLike<number> }): Minimum {
  const first = minimizeBfgs({ objective, start });
  if (first.converged) return first;
  const scratch = new Float64Array(start.length);
  const simplex = minimizeNelderMead({ objective: (theta) => objective(theta, scratch), start: first.theta, maxIterations: 2000 });
  const second = minimizeBfgs({ objective, start: simplex.theta });
  return { ...second, iterations: first.iterations + simplex.iterations + second.iterations };
}

/**
 * The Hessian of a function whose gradient is known, by central differences of the gradient
 * with relative steps, symmetrised.
 */
export function hessianFromGradient({
  gradientAt,
  theta,
  relativeStep = 1e-5,
}: {
  gradientAt: (theta: Float64Array, gradient: Float64Array) => void;
  theta: ArrayLike<number>;
  relativeStep?: number;
}): Float64Array[] {
  const n = theta.length;
  const hessian = Array.from({ length: n }, () => new Float64Array(n));
  const plus = new Float64Array(n);
  const minus = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const h = relativeStep * Math.max(Math.abs(theta[j]!), 1e-8);
    const shifted = Float64Array.from(theta);
    shifted[j] = theta[j]! + h;
    gradientAt(shifted, plus);
    shifted[j] = theta[j]! - h;
    gradientAt(shifted, minus);
    for (let i = 0; i < n; i++) hessian[i]![j] = (plus[i]! - minus[i]!) / (2 * h);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) hessian[i]![j] = hessian[j]![i] = (hessian[i]![j]! + hessian[j]![i]!) / 2;
  }
  return hessian;
}

/**
 * The inverse of a symmetric positive-definite matrix by Cholesky factorisation, or null when
 * the matrix is not positive definite (for an observed information: the point is not a
 * strict maximum, and standard errors do not exist).
 */
export function invertPositiveDefinite(matrix: Float64Array[]): Float64Array[] | null {
  const n = matrix.length;
  const L = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i]![j]!;
      for (let k = 0; k < j; k++) sum -= L[i]![k]! * L[j]![k]!;
      if (i === j) {
        if (!(sum > 0)) return null;
        L[i]![i] = Math.sqrt(sum);
      } else {
        L[i]![j] = sum / L[j]![j]!;
      }
    }
  }
  // Columns of L⁻¹ by forward substitution, then A⁻¹ = L⁻ᵀ L⁻¹.
  const Linv = Array.from({ length: n }, () => new Float64Array(n));
  for (let col = 0; col < n; col++) {
    for (let i = col; i < n; i++) {
      let sum = i === col ? 1 : 0;
      for (let k = col; k < i; k++) sum -= L[i]![k]! * Linv[k]![col]!;
      Linv[i]![col] = sum / L[i]![i]!;
    }
  }
  const inverse = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = Math.max(i, j); k < n; k++) sum += Linv[k]![i]! * Linv[k]![j]!;
      inverse[i]![j] = sum;
    }
  }
  return inverse;
}

function identity(n: number): Float64Array[] {
  return Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    row[i] = 1;
    return row;
  });
}

function resetToIdentity(matrix: Float64Array[]): void {
  for (let i = 0; i < matrix.length; i++) for (let j = 0; j < matrix.length; j++) matrix[i]![j] = i === j ? 1 : 0;
}

function multiply(matrix: Float64Array[], vector: Float64Array, out: Float64Array, sign: number): void {
  for (let i = 0; i < matrix.length; i++) {
    let sum = 0;
    for (let j = 0; j < vector.length; j++) sum += matrix[i]![j]! * vector[j]!;
    out[i] = sign * sum;
  }
}

export function dot(u: ArrayLike<number>, v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < u.length; i++) sum += u[i]! * v[i]!;
  return sum;
}

export function maxAbs(v: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
  return max;
}

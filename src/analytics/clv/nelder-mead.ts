import type { Minimum } from './optimize.ts';

/**
 * Minimises without derivatives by the Nelder–Mead simplex (reflection 1, expansion 2,
 * contraction ½, shrink ½). Slow but hard to derail: the fallback when BFGS stalls.
 */
export function minimizeNelderMead({
  objective,
  start,
  initialStep = 0.5,
  tolerance = 1e-12,
  maxIterations = 5000,
}: {
  objective: (theta: Float64Array) => number;
  start: ArrayLike<number>;
  initialStep?: number;
  tolerance?: number;
  maxIterations?: number;
}): Minimum {
  const n = start.length;
  const f = (theta: Float64Array): number => {
    const value = objective(theta);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  const simplex: Float64Array[] = [Float64Array.from(start)];
  for (let i = 0; i < n; i++) {
    const vertex = Float64Array.from(start);
    vertex[i]! += initialStep;
    simplex.push(vertex);
  }
  const values = simplex.map(f);
  const at = (weights: number, from: Float64Array, centroid: Float64Array): Float64Array => centroid.map((c, i) => c + weights * (from[i]! - c));
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
    const sortedSimplex = order.map((i) => simplex[i]!);
    const sortedValues = order.map((i) => values[i]!);
    simplex.splice(0, simplex.length, ...sortedSimplex);
    values.splice(0, values.length, ...sortedValues);
    const best = values[0]!;
    const worst = values[n]!;
    if (Math.abs(worst - best) <= tolerance * (Math.abs(best) + 1e-300) && simplexSize(simplex) <= 1e-9) {
      return { theta: simplex[0]!, value: best, iterations: iteration, converged: true };
    }
    const centroid = new Float64Array(n);
    for (let v = 0; v < n; v++) for (let i = 0; i < n; i++) centroid[i]! += simplex[v]![i]! / n;
    const reflected = at(-1, simplex[n]!, centroid);
    const reflectedValue = f(reflected);
    if (reflectedValue < best) {
      const expanded = at(-2, simplex[n]!, centroid);
      const expandedValue = f(expanded);
      [simplex[n], values[n]] = expandedValue < reflectedValue ? [expanded, expandedValue] : [reflected, reflectedValue];
    } else if (reflectedValue < values[n - 1]!) {
      [simplex[n], values[n]] = [reflected, reflectedValue];
    } else {
      const contracted = reflectedValue < worst ? at(-0.5, simplex[n]!, centroid) : at(0.5, simplex[n]!, centroid);
      const contractedValue = f(contracted);
      if (contractedValue < Math.min(worst, reflectedValue)) {
        [simplex[n], values[n]] = [contracted, contractedValue];
      } else {
        for (let v = 1; v <= n; v++) {
          simplex[v] = at(0.5, simplex[v]!, simplex[0]!);
          values[v] = f(simplex[v]!);
        }
      }
    }
  }
  return { theta: simplex[0]!, value: values[0]!, iterations: maxIterations, converged: false };
}

function simplexSize(simplex: Float64Array[]): number {
  let size = 0;
  for (let v = 1; v < simplex.length; v++) {
    for (let i = 0; i < simplex[0]!.length; i++) size = Math.max(size, Math.abs(simplex[v]![i]! - simplex[0]![i]!));
  }
  return size;
}

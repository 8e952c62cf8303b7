import { describe, expect, it } from 'vitest';
import { groupCustomers } from './customer-groups.ts';
import { minimizeNelderMead } from './nelder-mead.ts';
import { hessianFromGradient, invertPositiveDefinite, minimize, minimizeBfgs } from './optimize.ts';

/** Rosenbrock's banana, minimum 0 at (1, 1): a narrow curved valley that defeats naive descent. */
const rosenbrock = (theta: Float64Array, gradient: Float64Array): number => {
  const [x, y] = [theta[0]!, theta[1]!];
  gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  gradient[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

describe('optimisation', () => {
  it('finds the Rosenbrock minimum by BFGS and by Nelder–Mead', () => {
    const bfgs = minimizeBfgs({ objective: rosenbrock, start: [-1.2, 1] });
    expect(bfgs.converged).toBe(true);
    expect(bfgs.theta[0]).toBeCloseTo(1, 6);
    expect(bfgs.theta[1]).toBeCloseTo(1, 6);
    const scratch = new Float64Array(2);
    const simplex = minimizeNelderMead({ objective: (theta) => rosenbrock(theta, scratch), start: [-1.2, 1] });
    expect(simplex.converged).toBe(true);
    expect(simplex.theta[0]).toBeCloseTo(1, 4);
    expect(simplex.theta[1]).toBeCloseTo(1, 4);
  });

  it('falls back to Nelder–Mead when BFGS runs out of iterations', () => {
    // A gradient that points the wrong way makes every BFGS line search fail; the simplex still descends.
    const misleading = (theta: Float64Array, gradient: Float64Array): number => {
      const value = rosenbrock(theta, gradient);
      gradient[0] = -gradient[0]!;
      gradient[1] = -gradient[1]!;
      return value;
    };
    const found = minimize({ objective: misleading, start: [-1.2, 1] });
    expect(found.value).toBeLessThan(1e-8);
  });

  it('differentiates a gradient into the Hessian and inverts positive-definite matrices', () => {
    // f = x² + 3xy + 5y² has Hessian [[2, 3], [3, 10]], inverse [[10, −3], [−3, 2]] / 11.
    const hessian = hessianFromGradient({
      theta: [0.7, -0.2],
      gradientAt: (theta, gradient) => {
        gradient[0] = 2 * theta[0]! + 3 * theta[1]!;
        gradient[1] = 3 * theta[0]! + 10 * theta[1]!;
      },
    });
    expect(hessian.map((row) => Array.from(row, (v) => Number(v.toFixed(6))))).toEqual([
      [2, 3],
      [3, 10],
    ]);
    const inverse = invertPositiveDefinite(hessian)!;
    expect(inverse[0]![0]).toBeCloseTo(10 / 11, 8);
    expect(inverse[0]![1]).toBeCloseTo(-3 / 11, 8);
    expect(inverse[1]![1]).toBeCloseTo(2 / 11, 8);
    expect(invertPositiveDefinite([Float64Array.from([1, 2]), Float64Array.from([2, 1])])).toBeNull();
  });
});

describe('customer groups', () => {
  it('merges identical histories, sums weights, orders groups by x and maps every row to its group', () => {
    const groups = groupCustomers({ x: [2, 0, 2, 1, 0], tx: [3, 0, 3, 1, 0], T: [5, 5, 5, 5, 4], weights: [1, 2, 3, 4, 5] });
    expect(groups.count).toBe(4);
    expect(Array.from(groups.x)).toEqual([0, 0, 1, 2]);
    const rows = [0, 1, 2, 3, 4].map((i) => {
      const g = groups.groupOf[i]!;
      return [groups.x[g], groups.tx[g], groups.T[g], groups.weight[g]];
    });
    expect(rows).toEqual([
      [2, 3, 5, 4],
      [0, 0, 5, 2],
      [2, 3, 5, 4],
      [1, 1, 5, 4],
      [0, 0, 4, 5],
    ]);
  });
});

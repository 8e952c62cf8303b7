import { describe, expect, it } from 'vitest';
import { bgNbdLikelihood, prepareBgNbd } from './bg-nbd-likelihood.ts';
import { bgNbdReferenceLogLikelihood } from './bg-nbd-reference.ts';
import { groupCustomers } from './customer-groups.ts';
import { hessianFromGradient } from './optimize.ts';
import { seededRandom, simulateBgNbdCustomers } from './simulate.ts';

/**
 * The tabulated likelihood pass against the plain per-customer formula, on the three paths a
 * pass can take: exp per group (short runs of x), a table of powers (runs longer than four
 * times the distinct times), and log1p per group (weights other than 1).
 */
const params = { r: 0.8, alpha: 6, a: 0.7, b: 3.1 };

function customers(wholeTimes: boolean) {
  const random = seededRandom(wholeTimes ? 3 : 4);
  const ages = Array.from({ length: 6000 }, () => (wholeTimes ? Math.floor(20 + 30 * random()) : 20 + 30 * random()));
  const simulated = simulateBgNbdCustomers({ params, T: ages, random });
  // Whole times (a few dozen distinct ones) make long runs per x, where the pass tabulates powers.
  if (wholeTimes) simulated.tx = simulated.tx.map(Math.floor);
  return simulated;
}

function expectReferenceValues(rows: { x: Float64Array; tx: Float64Array; T: Float64Array }, weights?: Float64Array): void {
  const data = prepareBgNbd(groupCustomers({ ...rows, weights }));
  const reference = { ...rows, weight: weights ?? new Float64Array(rows.x.length).fill(1) };
  const at = { r: 0.9, alpha: 5, a: 0.6, b: 2.7 };
  const gradient = new Float64Array(4);
  const hessian = new Float64Array(16);
  const referenceGradient = new Float64Array(4);
  const value = bgNbdLikelihood(at, data, gradient, hessian);
  const referenceValue = bgNbdReferenceLogLikelihood(at, reference, referenceGradient);
  expect(Math.abs(value / referenceValue - 1)).toBeLessThan(1e-12);
  for (let i = 0; i < 4; i++) expect(Math.abs(gradient[i]! - referenceGradient[i]!)).toBeLessThan(1e-9 * Math.abs(referenceValue));
  const numerical = hessianFromGradient({
    theta: [at.r, at.alpha, at.a, at.b],
    gradientAt: (theta, g) => void bgNbdReferenceLogLikelihood({ r: theta[0]!, alpha: theta[1]!, a: theta[2]!, b: theta[3]! }, reference, g),
  });
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) expect(Math.abs(hessian[4 * i + j]! - numerical[i]![j]!)).toBeLessThan(1e-6 * Math.abs(numerical[i]![i]!) + 1e-6);
  }
}

describe('the tabulated BG/NBD likelihood pass', () => {
  it('gives the per-customer log-likelihood, gradient and Hessian, with an exp per group', () => {
    expectReferenceValues(customers(false));
  });

  it('gives them with the table of powers, on long runs of equal x over few distinct times', () => {
    const rows = customers(true);
    const data = prepareBgNbd(groupCustomers(rows));
    // The premise: some run is longer than four times the distinct times.
    expect(Math.max(...Array.from(data.runEnd, (end, run) => end - data.runStart[run]!))).toBeGreaterThan(4 * data.times.length);
    expectReferenceValues(rows);
  });

  it('gives them with weights other than 1 (log1p per group)', () => {
    const rows = customers(false);
    expectReferenceValues(
      rows,
      Float64Array.from(rows.x, (_, i) => 1 + (i % 3)),
    );
  });
});

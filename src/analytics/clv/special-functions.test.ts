import { describe, expect, it } from 'vitest';
import { trigamma } from './special-functions.ts';

describe('trigamma', () => {
  it('gives the known values ψ′(1) = π²/6, ψ′(½) = π²/2 and ψ′(2) = π²/6 − 1 to 15 digits', () => {
    expect(trigamma(1) / (Math.PI ** 2 / 6) - 1).toBeCloseTo(0, 15);
    expect(trigamma(0.5) / (Math.PI ** 2 / 2) - 1).toBeCloseTo(0, 15);
    expect(trigamma(2) / (Math.PI ** 2 / 6 - 1) - 1).toBeCloseTo(0, 15);
  });

  it('follows the recurrence ψ′(x) = ψ′(x + 1) + 1/x² from small to large arguments', () => {
    for (const x of [1e-4, 0.243, 3.7, 9.99, 10, 57.5, 4000]) {
      expect(trigamma(x) / (trigamma(x + 1) + 1 / (x * x)) - 1).toBeCloseTo(0, 14);
    }
    // Large x: ψ′(x) ≈ 1/x + 1/(2x²).
    expect(trigamma(1e8) * 1e8).toBeCloseTo(1 + 5e-9, 15);
  });
});

import { describe, expect, it } from 'vitest';
import { BgNbdFit } from './bg-nbd.ts';
import { standardErrorsAt } from './fit-strategy.ts';

describe('standard errors of a fit', () => {
  it('are null, not NaN, where the information matrix is singular, so a stored or served fit says so (JSON has no NaN)', () => {
    const flat = { theta: new Float64Array(4), gradient: new Float64Array(4), hessian: new Float64Array(16) };
    const standardErrors = standardErrorsAt({ evaluated: flat });
    expect(standardErrors).toEqual([null, null, null, null]);
    const [r, alpha, a, b] = standardErrors;
    const fit = { r: 1, alpha: 1, a: 1, b: 1, standardErrors: { r, alpha, a, b }, logLikelihood: -1, iterations: 3, converged: true };
    expect(BgNbdFit.parse(JSON.parse(JSON.stringify(fit)))).toEqual(fit);
  });
});

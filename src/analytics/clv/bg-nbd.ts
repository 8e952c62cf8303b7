import { z } from 'zod';
import { Estimate } from '../result-shapes.ts';
import { bgNbdLikelihood, prepareBgNbd, type BgNbdData } from './bg-nbd-likelihood.ts';
import { groupCustomers, type CustomerGroups, type RecencyFrequency } from './customer-groups.ts';
import { fitOnSampleFirst, maximizeInLogSpace, standardErrorsAt } from './fit-strategy.ts';
import type { NewtonMinimum } from './newton.ts';

export { conditionalExpectedPurchases, expectedCumulativeRepeatPurchases, expectedPurchases, probabilityAlive, scoreBgNbd } from './bg-nbd-scores.ts';

/**
 * The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): while
 * alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each repeat
 * purchase, she drops out with probability p ~ Beta(a, b). Time is in the unit of the inputs
 * (days or weeks); α is in that unit, r, a and b are unit-free.
 */
export const BgNbdParameters = z.object({ r: z.number(), alpha: z.number(), a: z.number(), b: z.number() });
export type BgNbdParameters = z.infer<typeof BgNbdParameters>;

/** A fit by fitBgNbd, as a run stores it and the API serialises it. */
export const BgNbdFit = BgNbdParameters.extend({
  /** Asymptotic standard errors: square roots of the diagonal of the inverse observed information; null when it is singular. */
  standardErrors: z
    .object({ r: Estimate, alpha: Estimate, a: Estimate, b: Estimate })
    .describe('Asymptotic standard errors from the inverse observed information; null when it is singular'),
  /** The maximised log-likelihood, Σ weight · ln L(r, α, a, b | x, t_x, T). */
  logLikelihood: z.number(),
  /** Newton steps of the fit over all customers (after the start found on samples, see fitBgNbd). */
  iterations: z.number().int(),
  converged: z.boolean(),
}).meta({
  id: 'BgNbdFit',
  description: 'While alive, a customer buys at rate λ ~ Gamma(r, α) per time unit; after each repeat purchase she drops out with probability p ~ Beta(a, b)',
});
export type BgNbdFit = z.infer<typeof BgNbdFit>;

/** Customers as rows (x, t_x, T, optional weights), or already grouped (`groupPurchaseSummary`, `groupCustomers`). */
export type BgNbdInput = (RecencyFrequency & { weights?: ArrayLike<number> }) | { groups: CustomerGroups };

/**
 * ln L(r, α, a, b | x, t_x, T) of one customer (FHL 2005, eq. 6), in the log-space form that
 * does not overflow for large x or T:
 *   ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *          + ln[ (α+T)^−(r+x) + δ(x>0) · a/(b+x−1) · (α+t_x)^−(r+x) ].
 */
export function bgNbdCustomerLogLikelihood({ params, x, tx, T }: { params: BgNbdParameters; x: number; tx: number; T: number }): number {
  return bgNbdLikelihood(params, prepareBgNbd(groupCustomers({ x: [x], tx: [tx], T: [T] })), null, null);
}

/** Σ weight · ln L over customers (weights default to 1): the function the fit maximises. */
export function bgNbdLogLikelihood({ params, ...input }: BgNbdInput & { params: BgNbdParameters }): number {
  return bgNbdLikelihood(params, prepareBgNbd(groupsOf(input)), null, null);
}

/**
 * Fits r, α, a, b by maximum likelihood. Rows with identical (x, t_x, T) are merged first
 * (their weights summed, 1 per row by default), so passing one row per customer or one row per
 * distinct history with `weights` = counts gives the same fit; pass `{ groups }` to reuse a
 * grouping (the scores need it too).
 *
 * The search is Newton's method on the log-parameters with the analytic gradient and Hessian
 * (bg-nbd-likelihood.ts: one pass over the groups gives all three; per group an exp, or a
 * product from a table, and no log). On many groups it starts from fits on systematic samples
 * (20,000, then 160,000 groups; see fitOnSampleFirst), close enough that two passes over all
 * groups finish it. Should Newton fail, BFGS and Nelder–Mead take over (`minimize`). Standard
 * errors come from the analytic Hessian at the optimum (the observed information).
 *
 * @example
 *   const fit = fitBgNbd({ x: [2, 1, 0], tx: [30.43, 1.71, 0], T: [38.86, 38.86, 38.86] });
 *   const sameFit = fitBgNbd({ groups: groupPurchaseSummary(summary) });
 */
export function fitBgNbd(input: BgNbdInput): BgNbdFit {
  const groups = groupsOf(input);
  if (groups.count === 0) throw new RangeError('fitBgNbd needs at least one customer');
  const found = fitOnSampleFirst({
    count: groups.count,
    start: startingPoint(groups),
    fit: (stride, start) => newtonFit(prepareBgNbd(groups, stride), start),
  });
  const params = fromLog(found.theta);
  const [r, alpha, a, b] = standardErrorsAt(found) as [number | null, number | null, number | null, number | null];
  return {
    ...params,
    standardErrors: { r, alpha, a, b },
    logLikelihood: -found.value,
    iterations: found.iterations,
    converged: found.converged,
  };
}

function groupsOf(input: BgNbdInput): CustomerGroups {
  return 'groups' in input ? input.groups : groupCustomers(input);
}

function newtonFit(data: BgNbdData, start: Float64Array): NewtonMinimum {
  return maximizeInLogSpace(
    (natural, gradient, hessian) => bgNbdLikelihood({ r: natural[0]!, alpha: natural[1]!, a: natural[2]!, b: natural[3]! }, data, gradient, hessian),
    start,
  );
}

/**
 * Starts from r = a = 1, b = 3 (BTYD's default start) and α = the weighted mean age, so that
 * the start does not depend on the time unit (α scales with it).
 */
function startingPoint(groups: CustomerGroups): Float64Array {
  const weights = groups.unitWeights ? null : groups.weight;
  let ageSum = 0;
  let weightSum = 0;
  for (let g = 0; g < groups.count; g++) {
    const w = weights === null ? 1 : weights[g]!;
    ageSum += w * groups.times[groups.TIndex[g]!]!;
    weightSum += w;
  }
  const meanAge = ageSum / weightSum;
  return Float64Array.from([0, Math.log(meanAge > 0 ? meanAge : 1), 0, Math.log(3)]);
}

function fromLog(theta: Float64Array): BgNbdParameters {
  return { r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!), a: Math.exp(theta[2]!), b: Math.exp(theta[3]!) };
}

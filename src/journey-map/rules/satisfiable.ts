import type { Comparison } from '../model.ts';

/**
 * Which comparisons on a numeric fact can hold at all: every numeric fact has a domain
 * (counts, days and spend are never below 0, counts and days are whole numbers, P(alive) lies
 * in [0, 1]), and a comparison, or several on the same fact in one `all`, that leaves no value
 * of the domain can never hold. The map's check refuses such a rule.
 */

/** A comparison on one numeric subject: a fact, or a fact of one product selection or event count. */
export interface Bound {
  /** What is compared, e.g. `purchase_count`, `bought p:11,12`; bounds on the same subject combine. */
  subject: string;
  /** As the rule says it, e.g. `purchase_count >= 5`. */
  label: string;
  domain: Domain;
  op: Comparison;
  value: number;
}

export interface Domain {
  min: number;
  max: number;
  integer: boolean;
  /** e.g. "a count: a whole number, never below 0" */
  description: string;
}

export const COUNT: Domain = { min: 0, max: Number.POSITIVE_INFINITY, integer: true, description: 'a count: a whole number, never below 0' };
export const DAYS: Domain = { min: 0, max: Number.POSITIVE_INFINITY, integer: true, description: 'a number of days: a whole number, never below 0' };
export const SPEND: Domain = { min: 0, max: Number.POSITIVE_INFINITY, integer: false, description: 'an amount, never below 0' };
export const PROBABILITY: Domain = { min: 0, max: 1, integer: false, description: 'a probability, between 0 and 1' };

interface Interval {
  lo: number;
  loOpen: boolean;
  hi: number;
  hiOpen: boolean;
}

function intervalOf(op: Comparison, value: number): Interval | null {
  const inf = Number.POSITIVE_INFINITY;
  switch (op) {
    case '=':
      return { lo: value, loOpen: false, hi: value, hiOpen: false };
    case '!=':
      return null;
    case '<':
      return { lo: -inf, loOpen: true, hi: value, hiOpen: true };
    case '<=':
      return { lo: -inf, loOpen: true, hi: value, hiOpen: false };
    case '>':
      return { lo: value, loOpen: true, hi: inf, hiOpen: true };
    case '>=':
      return { lo: value, loOpen: false, hi: inf, hiOpen: true };
  }
}

function intersect(a: Interval, b: Interval): Interval {
  const lo = a.lo > b.lo ? a : a.lo < b.lo ? b : { lo: a.lo, loOpen: a.loOpen || b.loOpen };
  const hi = a.hi < b.hi ? a : a.hi > b.hi ? b : { hi: a.hi, hiOpen: a.hiOpen || b.hiOpen };
  return { lo: lo.lo, loOpen: lo.loOpen, hi: hi.hi, hiOpen: hi.hiOpen };
}

function isEmpty(interval: Interval, integer: boolean): boolean {
  if (integer) {
    const lo = interval.loOpen ? Math.floor(interval.lo) + 1 : Math.ceil(interval.lo);
    const hi = interval.hiOpen ? Math.ceil(interval.hi) - 1 : Math.floor(interval.hi);
    return lo > hi;
  }
  return interval.lo > interval.hi || (interval.lo === interval.hi && (interval.loOpen || interval.hiOpen));
}

function domainInterval(domain: Domain): Interval {
  return { lo: domain.min, loOpen: false, hi: domain.max, hiOpen: domain.max === Number.POSITIVE_INFINITY };
}

/** Can the bounds (on one subject, all required together) hold for some value of its domain? */
export function canHoldTogether(bounds: readonly Bound[]): boolean {
  if (bounds.length === 0) return true;
  const domain = bounds[0]!.domain;
  let range = domainInterval(domain);
  for (const bound of bounds) {
    const interval = intervalOf(bound.op, bound.value);
    if (interval) range = intersect(range, interval);
  }
  return !isEmpty(range, domain.integer);
}

import type { BgNbdFit } from '../clv/bg-nbd.ts';
import type { TimeUnit } from '../clv/clv.ts';
import type { GammaGammaFit } from '../clv/gamma-gamma.ts';
import { KizunaError } from '../../shared/errors.ts';

/** What a predicted-value run is asked for. */
export interface CustomerValueTerms {
  /** Last day of calibration, 'YYYY-MM-DD', included; default: yesterday in the workspace's time zone. */
  calibrationEnd?: string;
  unit: TimeUnit;
  /** Horizon of the prediction in months (discounting is monthly). */
  horizonMonths: number;
  /** Share of spend kept as profit, in [0, 1]. */
  margin: number;
  /** Discount rate per month, in [0, 1). */
  discountRate: number;
}

export const CUSTOMER_VALUE_DEFAULTS = { unit: 'week', horizonMonths: 12, margin: 1, discountRate: 0.01 } as const satisfies Omit<
  CustomerValueTerms,
  'calibrationEnd'
>;

/** A distribution as quantiles (p10 … p99) with its mean. */
export interface Distribution {
  mean: number;
  p10: number;
  p25: number;
  median: number;
  p75: number;
  p90: number;
  p99: number;
  /** 20 equal bins from 0: `counts[i]` customers in [i·width, (i+1)·width); the last bin also holds the values above (CLV: above p99). */
  histogram: { width: number; counts: number[] };
}

export interface CustomerValueRun {
  calibrationEnd: string;
  unit: TimeUnit;
  horizonMonths: number;
  margin: number;
  discountRate: number;
  /** Customers with a purchase by the end of calibration: the ones scored. */
  customers: number;
  repeatCustomers: number;
  bgNbd: BgNbdFit;
  gammaGamma: GammaGammaFit;
  /** Σ CLV over the customers scored. */
  totalClv: number;
  clv: Distribution;
  probabilityAlive: Distribution;
  /**
   * When there are purchases after calibration: the days from the end of calibration to the
   * last purchase day, repeat purchase days the model expected in them, and how many there were.
   */
  holdout: { days: number; expected: number; actual: number } | null;
  computedAt: Date;
}

/** What a run stores beside its fits (null in runs stored before the results were kept). */
export type CustomerValueResults = Pick<CustomerValueRun, 'repeatCustomers' | 'totalClv' | 'clv' | 'probabilityAlive' | 'holdout'>;

export const DAYS_PER_MONTH = 365.25 / 12;

export function checkCustomerValueTerms(params: Partial<CustomerValueTerms>): Omit<CustomerValueTerms, 'calibrationEnd'> {
  const terms = {
    unit: params.unit ?? CUSTOMER_VALUE_DEFAULTS.unit,
    horizonMonths: params.horizonMonths ?? CUSTOMER_VALUE_DEFAULTS.horizonMonths,
    margin: params.margin ?? CUSTOMER_VALUE_DEFAULTS.margin,
    discountRate: params.discountRate ?? CUSTOMER_VALUE_DEFAULTS.discountRate,
  };
  const problems = [
    terms.unit === 'day' || terms.unit === 'week' ? null : `unit must be day or week, not "${terms.unit}"`,
    Number.isInteger(terms.horizonMonths) && terms.horizonMonths >= 1 && terms.horizonMonths <= 120
      ? null
      : 'horizon must be a whole number of months from 1 to 120',
    terms.margin >= 0 && terms.margin <= 1 ? null : 'margin must be between 0 and 1 (a share of spend)',
    terms.discountRate >= 0 && terms.discountRate < 1 ? null : 'discount rate must be at least 0 and below 1 (per month)',
  ].filter((problem): problem is string => problem !== null);
  if (problems.length > 0) throw new KizunaError('validation_failed', `${problems.join('; ')}.`);
  return terms;
}

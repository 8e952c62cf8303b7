import { z } from 'zod';
import { BgNbdFit } from '../clv/bg-nbd.ts';
import { TimeUnit } from '../clv/clv.ts';
import { GammaGammaFit } from '../clv/gamma-gamma.ts';
import { SpendModel } from '../clv/spend-model.ts';
import { DataEndsOn } from '../data-end.ts';
import { Count, Day } from '../result-shapes.ts';
import { KizunaError } from '../../shared/errors.ts';

/** What a predicted-value run is asked for. */
export interface CustomerValueTerms {
  /** Last day of calibration, 'YYYY-MM-DD', included; default: yesterday in the workspace's time zone. */
  calibrationEnd?: string;
  unit: TimeUnit;
  /** Horizon of the prediction in months (discounting is monthly). */
  horizonMonths: number;
  /** Share of spend kept as profit, in [0, 1]: given, else the workspace's setting (never assumed). */
  margin: number;
  /** Discount rate per month, in [0, 1). */
  discountRate: number;
}

/** The defaults of the terms; the margin has none: it is given, or the workspace's setting (checkCustomerValueTerms). */
export const CUSTOMER_VALUE_DEFAULTS = { unit: 'week', horizonMonths: 12, discountRate: 0.01 } as const satisfies Omit<
  CustomerValueTerms,
  'calibrationEnd' | 'margin'
>;

/** Where the margin of a run came from. */
export const MARGIN_SOURCES = ['given', 'setting'] as const;
export type MarginSource = (typeof MARGIN_SOURCES)[number];

/** A distribution as quantiles (p10 … p99) with its mean. */
export const Distribution = z
  .object({
    mean: z.number(),
    p10: z.number(),
    p25: z.number(),
    median: z.number(),
    p75: z.number(),
    p90: z.number(),
    p99: z.number(),
    histogram: z.object({
      width: z.number(),
      counts: z.array(Count).describe('20 equal bins from 0: counts[i] customers in [i·width, (i+1)·width); the last bin also holds the values above'),
    }),
  })
  .meta({ id: 'Distribution', description: 'A distribution over the customers scored, as quantiles with its mean' });
export type Distribution = z.infer<typeof Distribution>;

/** A predicted-value run: its terms, both fits and what they give over the customers scored. */
export const CustomerValueRun = z
  .object({
    calibrationEnd: Day.describe('Last day of calibration, included'),
    unit: TimeUnit.describe('Time unit of the models (α is per unit)'),
    horizonMonths: z.number().int(),
    margin: z.number().describe('Share of spend kept as profit: every CLV is margin × expected spend × discounted purchases'),
    marginSource: z.enum(MARGIN_SOURCES).describe("given with the run, or the workspace's setting (analytics settings clvMargin)"),
    discountRate: z.number().describe('Discount rate per month'),
    bgNbd: BgNbdFit,
    gammaGamma: GammaGammaFit,
    spendModel: SpendModel,
    dataEndsOn: DataEndsOn.describe(
      'The last purchase day, when it is well before the end of calibration: the models then see every customer silent since, and P(alive) is low for that reason',
    ),
    customers: Count.describe('Customers with a purchase by the end of calibration: the ones scored'),
    computedAt: z.date(),
    repeatCustomers: Count.describe('Customers who bought on two different days by the end of calibration'),
    totalClv: z.number().describe('Σ CLV over the customers scored'),
    clv: Distribution.describe('CLV per customer; histogram up to its p99'),
    probabilityAlive: Distribution.describe('P(alive) per customer; histogram over [0, 1]'),
    holdout: z
      .object({
        days: z.number().int().describe('From the end of calibration to the last purchase day'),
        expected: z.number().describe('Repeat purchase days the model expected in them'),
        actual: Count.describe('Repeat purchase days there were'),
      })
      .nullable()
      .describe('Out-of-sample check when there are purchases after calibration; else null'),
  })
  .meta({ id: 'CustomerValueRunResult' });
export type CustomerValueRun = z.infer<typeof CustomerValueRun>;

/** What a run stores beside its fits (null in runs stored before the results were kept). */
export type CustomerValueResults = Pick<
  CustomerValueRun,
  'repeatCustomers' | 'totalClv' | 'clv' | 'probabilityAlive' | 'holdout' | 'spendModel' | 'dataEndsOn' | 'marginSource'
>;

export const DAYS_PER_MONTH = 365.25 / 12;

/** The message of a run refused for want of a margin: how to give one. */
export const NO_MARGIN =
  'No margin (粗利率) for the customer value: CLV is the profit a customer brings, so it needs the share of spend kept as profit, and Kizuna does not assume one. Set the workspace\'s margin (PUT /api/v1/workspaces/{workspace}/analytics/settings with {"clvMargin": 0.3}, `kizuna analyze clv --set-margin 0.3`, or the form on the customer value page), or give one with the run (margin, --margin).';

/** The terms with their defaults; `margin` must be given (the caller reads the setting first), else `validation_failed` with NO_MARGIN. */
export function checkCustomerValueTerms(params: Partial<CustomerValueTerms>): Omit<CustomerValueTerms, 'calibrationEnd'> {
  if (params.margin === undefined) throw new KizunaError('validation_failed', NO_MARGIN);
  const terms = {
    unit: params.unit ?? CUSTOMER_VALUE_DEFAULTS.unit,
    horizonMonths: params.horizonMonths ?? CUSTOMER_VALUE_DEFAULTS.horizonMonths,
    margin: params.margin,
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

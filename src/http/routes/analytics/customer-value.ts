import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { analyseCustomer, predictCustomerValues } from '../../../analytics/analyses.ts';
import { listCustomerValues, readCustomerValueRun } from '../../../analytics/customer-value/read-values.ts';
import { CUSTOMER_VALUE_DEFAULTS } from '../../../analytics/customer-value/terms.ts';
import type { AppDeps } from '../../app.ts';
import { authorizeWorkspace } from '../../auth.ts';
import { ErrorBody } from '../../errors.ts';
import { WorkspaceParams } from '../workspaces.ts';
import { CustomerRfm } from '../../../analytics/rfm.ts';
import { RFM_DEFINITION } from './customer-base.ts';
import { analysisDepsOf, asOfParam, cursorParam, engineParam, limitParam, localDateParam } from './parameters.ts';
import { Count, Day, Estimate, pageOf } from '../../../analytics/result-shapes.ts';

const MODEL =
  "BG/NBD (Fader, Hardie & Lee 2005) gives each customer's expected number of future purchases and P(alive); Gamma-Gamma their expected spend per purchase; CLV = margin × expected spend per purchase × Σₖ (purchases expected in month k) ÷ (1 + discount rate)ᵏ over the horizon's months. Repeat transactions are purchase days after the first (same-day purchases merge). Both models are fitted by maximum likelihood on the purchases up to the end of calibration.";

const TimeUnit = z.enum(['day', 'week']);

const BgNbdFit = z
  .object({
    r: z.number(),
    alpha: z.number(),
    a: z.number(),
    b: z.number(),
    standardErrors: z
      .object({ r: Estimate, alpha: Estimate, a: Estimate, b: Estimate })
      .describe('Asymptotic standard errors from the inverse observed information; null when it is singular'),
    logLikelihood: z.number(),
    iterations: z.number().int(),
    converged: z.boolean(),
  })
  .meta({
    id: 'BgNbdFit',
    description: 'While alive, a customer buys at rate λ ~ Gamma(r, α) per time unit; after each repeat purchase she drops out with probability p ~ Beta(a, b)',
  });

const GammaGammaFit = z
  .object({
    p: z.number(),
    q: z.number(),
    gamma: z.number(),
    standardErrors: z
      .object({ p: Estimate, q: Estimate, gamma: Estimate })
      .describe('Asymptotic standard errors from the inverse observed information; null when it is singular'),
    logLikelihood: z.number(),
    iterations: z.number().int(),
    converged: z.boolean(),
  })
  .meta({
    id: 'GammaGammaFit',
    description: 'Spend per purchase ~ Gamma(p, ν) with ν ~ Gamma(q, γ) per customer, fitted on the customers with repeat purchases',
  });

const CustomerValueRun = z
  .object({
    calibrationEnd: Day.describe('Last day of calibration, included'),
    unit: TimeUnit.describe('Time unit of the models (α is per unit)'),
    horizonMonths: z.number().int(),
    margin: z.number().describe('Share of spend kept as profit'),
    discountRate: z.number().describe('Discount rate per month'),
    bgNbd: BgNbdFit,
    gammaGamma: GammaGammaFit,
    customers: Count.describe('Customers with a purchase by the end of calibration: the ones scored'),
    computedAt: z.date(),
  })
  .meta({ id: 'CustomerValueRun' });

const Distribution = z
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

const CustomerValueRunResult = CustomerValueRun.extend({
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
}).meta({ id: 'CustomerValueRunResult' });

const StoredCustomerValueRun = CustomerValueRunResult.extend({
  repeatCustomers: CustomerValueRunResult.shape.repeatCustomers.nullable(),
  totalClv: CustomerValueRunResult.shape.totalClv.nullable(),
  clv: CustomerValueRunResult.shape.clv.nullable(),
  probabilityAlive: CustomerValueRunResult.shape.probabilityAlive.nullable(),
}).meta({
  id: 'StoredCustomerValueRun',
  description: 'The last run as stored; the figures beyond the fits are null for a run stored by a version of Kizuna that did not keep them',
});

const CustomerValueTerms = z
  .object({
    calibrationEnd: localDateParam('calibrationEnd').optional().describe("Last day of calibration, included (default: yesterday in the workspace's time zone)"),
    unit: TimeUnit.optional().describe(`Time unit of the models (default ${CUSTOMER_VALUE_DEFAULTS.unit})`),
    horizonMonths: z
      .number()
      .int()
      .min(1)
      .max(120)
      .optional()
      .describe(`Horizon of the prediction in months (default ${CUSTOMER_VALUE_DEFAULTS.horizonMonths})`),
    margin: z.number().min(0).max(1).optional().describe(`Share of spend kept as profit (default ${CUSTOMER_VALUE_DEFAULTS.margin})`),
    discountRate: z.number().min(0).lt(1).optional().describe(`Discount rate per month (default ${CUSTOMER_VALUE_DEFAULTS.discountRate})`),
  })
  .meta({ id: 'CustomerValueTerms' });

const StoredCustomerValue = z
  .object({
    customerId: z.string(),
    externalId: z.string(),
    name: z.string().nullable(),
    repeatPurchases: Count.describe('Purchase days after the first, by the end of calibration'),
    probabilityAlive: z.number().describe('P(alive) at the end of calibration'),
    expectedPurchases: z.number().describe('Expected purchases over the horizon'),
    expectedSpend: z.number().describe('Expected spend per purchase'),
    clv: z.number().describe('Expected purchases × spend × margin over the horizon, discounted'),
  })
  .meta({ id: 'CustomerValue' });

const CustomerAnalytics = z
  .object({
    asOf: Day.describe('The date the RFM is as of'),
    rfm: CustomerRfm.nullable().describe('Null when the customer had no purchase before asOf'),
    value: StoredCustomerValue.nullable().describe(
      'From the last customer value run; null without a run or when the customer had no purchase by its calibration end',
    ),
  })
  .meta({ id: 'CustomerAnalytics' });

// At most 18 digits: every such id fits the bigint column, so a long one is a 400, not a database error.
const CustomerParams = WorkspaceParams.extend({ id: z.string().regex(/^\d{1,18}$/, 'a customer id is a whole number') });

/** Predicted customer value (runs, stored scores) and one customer's analytics. */
export function customerValueRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  const analysis = analysisDepsOf(deps);
  return async (app) => {
    app.get(
      '/workspaces/:workspace/analytics/customer-value',
      {
        schema: {
          tags: ['analytics'],
          summary: 'The last predicted customer value run (terms and fits), or null when none was made',
          description: MODEL,
          params: WorkspaceParams,
          response: { 200: StoredCustomerValueRun.nullable(), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return readCustomerValueRun({ pool, workspaceId: workspace.id });
      },
    );

    app.post(
      '/workspaces/:workspace/analytics/customer-value',
      {
        schema: {
          tags: ['analytics'],
          summary: "Predict every customer's value: fit BG/NBD and Gamma-Gamma, score and store (replaces the last run)",
          description: `${MODEL} Refused (422) when no customer bought on two different days by the end of calibration.`,
          params: WorkspaceParams,
          body: CustomerValueTerms,
          response: { 200: CustomerValueRunResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return predictCustomerValues(analysis, { workspace, ...request.body });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/customer-value/customers',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Customers by predicted value (CLV) from the last run, highest first',
          description: MODEL,
          params: WorkspaceParams,
          querystring: z.object({ limit: limitParam, cursor: cursorParam }),
          response: {
            200: z.object(pageOf(StoredCustomerValue)).meta({ id: 'CustomerValuePage' }),
            400: ErrorBody,
            401: ErrorBody,
            404: ErrorBody,
            422: ErrorBody,
          },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return listCustomerValues({ pool, workspaceId: workspace.id, ...request.query });
      },
    );

    app.get(
      '/workspaces/:workspace/customers/:id/analytics',
      {
        schema: {
          tags: ['analytics'],
          summary: "A customer's RFM (scored against the whole base) and predicted value",
          description: `${RFM_DEFINITION} Predicted value: ${MODEL}`,
          params: CustomerParams,
          querystring: z.object({ asOf: asOfParam.describe("The date of the RFM (default: today in the workspace's time zone)"), engine: engineParam }),
          response: { 200: CustomerAnalytics, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return analyseCustomer(analysis, { workspace, customerId: request.params.id, ...request.query });
      },
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { analyseCustomer, CustomerAnalytics, predictCustomerValues } from '../../../analytics/analyses.ts';
import { TimeUnit } from '../../../analytics/clv/clv.ts';
import { CustomerValuePage, listCustomerValues, readCustomerValueRun, StoredCustomerValueRun } from '../../../analytics/customer-value/read-values.ts';
import { CUSTOMER_VALUE_DEFAULTS, CustomerValueRun } from '../../../analytics/customer-value/terms.ts';
import { NO_SPREAD_Q, SHRINKAGE_PURCHASES } from '../../../analytics/clv/spend-model.ts';
import type { AppDeps } from '../../app.ts';
import { authorizeWorkspace } from '../../auth.ts';
import { ErrorBody } from '../../errors.ts';
import { WorkspaceParams } from '../workspaces.ts';
import { RFM_DEFINITION } from './customer-base.ts';
import { analysisDepsOf, asOfParam, cursorParam, engineParam, limitParam, localDateParam } from './parameters.ts';

const MODEL = `BG/NBD (Fader, Hardie & Lee 2005) gives each customer's expected number of future purchases and P(alive); Gamma-Gamma their expected spend per purchase; CLV = margin × expected spend per purchase × Σₖ (purchases expected in month k) ÷ (1 + discount rate)ᵏ over the horizon's months. Repeat transactions are purchase days after the first (same-day purchases merge). Both models are fitted by maximum likelihood on the purchases up to the end of calibration. When the Gamma-Gamma fit is not usable (not converged, q ≤ 1, or q > ${NO_SPREAD_Q}: no spread of spend between customers), the expected spend is each customer's own mean spend shrunk toward the population's, (x·m̄ + ${SHRINKAGE_PURCHASES}·M) ÷ (x + ${SHRINKAGE_PURCHASES}), and spendModel says so. The margin is the workspace's setting unless given; none is assumed.`;

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
    margin: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        "Share of spend kept as profit (粗利率). Default: the workspace's setting clvMargin (PUT …/analytics/settings); without either the run is refused (422), since none is assumed",
      ),
    discountRate: z.number().min(0).lt(1).optional().describe(`Discount rate per month (default ${CUSTOMER_VALUE_DEFAULTS.discountRate})`),
  })
  .meta({ id: 'CustomerValueTerms' });

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
          description: `${MODEL} Refused (422) when no customer bought on two different days by the end of calibration, or when no margin is given or set.`,
          params: WorkspaceParams,
          body: CustomerValueTerms,
          response: { 200: CustomerValueRun, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
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
          response: { 200: CustomerValuePage, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody },
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
          summary: "A customer's RFM (scored against the whole base), churn status with its reason, and predicted value",
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
